"""Follow-up work for the AR team, created from customer replies on calls and emails.

A :class:`Task` (e.g. a promise to pay to acknowledge or an invoice request to answer) is
raised by a :class:`TriggerEvent` and carries the evidence it came from as :class:`TaskData`.
"""

from __future__ import annotations

import datetime as dt

import attrs

from stuut_domain.display import compact
from stuut_domain.types import JSON, Sourced
from stuut_domain.user import User
from stuut_domain.validators import aware

__all__ = ["Task", "TaskData", "TriggerEvent"]


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class TriggerEvent(Sourced):
    """The event (inbound email, call, sync…) on an entity that raised a task; payload is JSON."""

    name: str
    object: str
    id: str | None = None
    actor_id: str | None = None
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    data: JSON = None
    entity: JSON = None
    entity_id: str | None = None
    message: str | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    timestamp: dt.datetime | None = attrs.field(default=None, validator=aware)


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class TaskData(Sourced):
    """A piece of evidence attached to a task, e.g. the customer's email ``response``.

    ``source`` (example ``"email"``) and ``type`` (example ``"response"``) stay free strings.
    """

    object: str
    source: str
    task_id: str
    type: str
    id: str | None = None
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    data: JSON = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Task(Sourced):
    """A to-do for a collector, e.g. acknowledge a promise to pay or answer a dispute.

    ``type``, ``status`` and ``action_taken`` are shown by single example values
    (``activity_summary_outreach``, ``open``, ``complete``) and stay free strings.
    """

    label: str
    object: str
    organization_id: str
    type: str
    id: str | None = None
    action_taken: str | None = None
    assignee: User | None = None
    assignee_id: str | None = None
    close_reason: str | None = None
    completed_action: JSON = None
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    data: tuple[TaskData, ...] = ()
    description: str | None = None
    error_reason: str | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    status: str | None = None
    trigger_event: TriggerEvent | None = None
    trigger_event_id: str | None = None
