"""Users of the AR team's Stuut organization: the people invoices, calls and tasks are assigned to.

A :class:`User` appears embedded as an invoice's or partner's ``assignee`` (the collector who
owns the account), a call's ``approver`` (who signs off an AI call before it counts) and an
email's ``author``.
"""

from __future__ import annotations

import datetime as dt

import attrs

from stuut_domain.display import compact
from stuut_domain.types import Sourced
from stuut_domain.validators import aware

__all__ = ["DashboardSettings", "User"]


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class DashboardSettings(Sourced):
    """A user's dashboard preferences; ``thread_emails_sort_order`` orders emails in a thread.

    The API shows only ``"asc"`` as an example, so any string is kept.
    """

    thread_emails_sort_order: str | None = None


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class User(Sourced):
    """A member of the AR team: collector, approver or author of outreach.

    ``email``, ``family_name``, ``given_name``, ``object`` and ``organization_id`` are
    required by the API; everything else may be missing or null.
    """

    email: str
    family_name: str
    given_name: str
    object: str
    organization_id: str
    id: str | None = None
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    dashboard_settings: DashboardSettings | None = None
    default_email_sender_id: str | None = None
    invited_by_user_id: str | None = None
    is_access_approved: bool | None = None
    is_org_admin: bool | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    name: str | None = None
    onboarding_required: bool | None = None
    profile_picture: str | None = None
    selected: bool | None = None
