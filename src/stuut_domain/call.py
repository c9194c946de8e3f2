"""Collection calls placed or received by Stuut's AI agent about a customer's open invoices.

A :class:`Call` records who was called, its outcome (``status``, ``sentiment``, ``summary``,
transcript) and the :class:`Classification` of what the customer said, which raises follow-up
:class:`~stuut_domain.task.Task` items such as a promise to pay.
"""

from __future__ import annotations

import datetime as dt

import attrs

from stuut_domain.display import compact
from stuut_domain.partner import Partner
from stuut_domain.task import Task
from stuut_domain.types import JSON, Sourced
from stuut_domain.user import User
from stuut_domain.validators import aware
from stuut_domain.workflow import Workflow

__all__ = ["Call", "Classification"]


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Classification(Sourced):
    """The AI agent's reading of a customer reply (e.g. ``payment_inquiry``) and its tasks.

    ``agent_confidence_score`` is the agent's confidence; ``classification`` stays a free string
    (the API shows a single example value).
    """

    agent_reply_reason: str
    classification: str
    is_action_required: bool
    is_reply_required: bool
    object: str
    reason: str
    action_recommendation: str | None = None
    agent_confidence_reason: str | None = None
    agent_confidence_score: float | None = None
    agent_error_code: str | None = None
    agent_uncertainties: tuple[str, ...] = ()
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    language: str | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    tasks: tuple[Task, ...] = ()


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Call(Sourced):
    """A phone call with a customer about its invoices, by the AI agent or a collector.

    A call with ``status`` ``pending_approval`` waits for its ``approver``. ``invoices``,
    ``recording_url`` and ``transcript`` are kept as raw JSON; ``direction``, ``status`` and
    ``sentiment`` stay free strings.
    """

    direction: str
    object: str
    to_number: str
    id: str | None = None
    agent_id: str | None = None
    approver: User | None = None
    approver_id: str | None = None
    call_agent_id: str | None = None
    call_reason: str | None = None
    classifications: tuple[Classification, ...] = ()
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    custom_classifications: tuple[str, ...] = ()
    disconnection_reason: str | None = None
    end_time: dt.datetime | None = attrs.field(default=None, validator=aware)
    from_number: str | None = None
    in_voicemail: bool | None = None
    invoices: JSON = None
    is_automated: bool | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    partner: Partner | None = None
    partner_id: str | None = None
    recording_url: JSON = None
    retell_id: str | None = None
    sentiment: str | None = None
    start_time: dt.datetime | None = attrs.field(default=None, validator=aware)
    status: str | None = None
    summary: str | None = None
    transcript: JSON = None
    transcript_str: str | None = None
    transferred_to: str | None = None
    workflow: Workflow | None = None
