"""The facts the outreach rules read, each built once from the entities.

:func:`partner_facts` (the partner, the channel, who it reaches, its gap),
:func:`choose_zone` (whose wall clock the decision reads, ADR 0015), :func:`workflow_facts`
(the window and the days the channel may use), :func:`invoice_facts` (one invoice alone,
with the instants its holds end) and :func:`wall_facts` (the weekly schedule at one instant)
read the entities; a :class:`Moment` is what one decision adds (the instant, the outreach
state, the invoices given). The rules in :mod:`stuut_domain.outreach.rules` read only these
values, and :class:`~stuut_domain.outreach.engine.OutreachContext` keeps those it may reuse.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Final, Literal, NamedTuple

import attrs

from stuut_domain.cadence.calendars import ClosedDay
from stuut_domain.cadence.caps import CapScope, FrequencyCap
from stuut_domain.errors import UnknownTimeZone
from stuut_domain.invoice import OWED, Invoice, InvoiceStatus, status_of
from stuut_domain.lifecycle import due_day, pending_amount
from stuut_domain.money import Money, MoneyBag
from stuut_domain.outreach.decision import invoice_key
from stuut_domain.outreach.policy import GapScope, OutreachPolicy
from stuut_domain.outreach.reach import Reach
from stuut_domain.outreach.recipients import RecipientChoice, choose_recipients
from stuut_domain.outreach.schedule import (
    UTC,
    Schedule,
    WallPosition,
    day_plus,
    local_midnight,
    utc,
)
from stuut_domain.outreach.state import OutreachState
from stuut_domain.partner import Partner
from stuut_domain.types import OutreachChannel
from stuut_domain.validators import zone_named
from stuut_domain.workflow import Workflow

__all__ = [
    "InvoiceFacts",
    "Moment",
    "PartnerFacts",
    "WallFacts",
    "WorkflowFacts",
    "ZoneChoice",
    "caps_on",
    "choose_zone",
    "counts_toward",
    "gap_channel",
    "invoice_facts",
    "partner_facts",
    "wall_facts",
    "workflow_facts",
]

_WEEKEND: Final = frozenset({5, 6})


def caps_on(
    policy: OutreachPolicy, channel: OutreachChannel, scope: CapScope
) -> tuple[FrequencyCap, ...]:
    """The policy's frequency caps of ``scope`` that block ``channel``."""
    return tuple(c for c in policy.frequency_caps if c.scope == scope and c.applies_to(channel))


def counts_toward(recorded: OutreachChannel | None, scope: OutreachChannel | None) -> bool:
    """Whether an outreach recorded on ``recorded`` counts toward a gap kept on ``scope``.

    ``scope`` ``None`` counts every channel; an outreach without a recorded channel is read as
    an email, as :meth:`OutreachState.from_invoices` reads it (ADR 0018).
    """
    return scope is None or (recorded or "email") == scope


def gap_channel(policy_scope: GapScope, channel: OutreachChannel) -> OutreachChannel | None:
    """The channel a gap counts outreach on: ``channel`` per channel, ``None`` for all."""
    return channel if policy_scope == "per_channel" else None


def _counted(
    last: dt.datetime | None, channel: OutreachChannel | None, scope: OutreachChannel | None
) -> dt.datetime | None:
    """A recorded last outreach (in UTC) when a gap kept on ``scope`` counts it, else None."""
    return None if last is None or not counts_toward(channel, scope) else utc(last)


class PartnerFacts(NamedTuple):
    """What the partner rules read: the partner, the channel, who it reaches, its gap."""

    partner: Partner
    #: The partner for people: its name, else its id, else ``(unnamed)``.
    label: str
    channel: OutreachChannel
    choice: RecipientChoice
    #: The policy's minimum gap per partner and the channel it counts (``None``: every one).
    gap: dt.timedelta
    gap_channel: OutreachChannel | None
    #: The partner record's last outreach (UTC) when the gap counts its channel, else ``None``.
    last_outreach: dt.datetime | None
    #: The policy's partner-scope frequency caps on this channel.
    caps: tuple[FrequencyCap, ...] = ()
    #: The policy's contact-scope frequency caps on this channel (read per recipient).
    contact_caps: tuple[FrequencyCap, ...] = ()


def partner_facts(
    partner: Partner, channel: OutreachChannel, policy: OutreachPolicy
) -> PartnerFacts:
    """The partner facts for ``channel`` under ``policy`` (recipients chosen once)."""
    scope = gap_channel(policy.partner_gap_scope, channel)
    return PartnerFacts(
        partner=partner,
        label=partner.name or partner.id or "(unnamed)",
        channel=channel,
        choice=choose_recipients(partner, channel),
        gap=policy.min_gap_per_partner,
        gap_channel=scope,
        last_outreach=_counted(partner.last_outreach_at, partner.last_outreach_channel, scope),
        caps=caps_on(policy, channel, "partner"),
        contact_caps=caps_on(policy, channel, "contact"),
    )


class ZoneChoice(NamedTuple):
    """The zone whose wall clock a decision reads: the partner's, else the workflow's, else
    the policy default (ADR 0015). ``zone`` is ``None`` when ``name`` is not a known zone."""

    source: Literal["partner", "workflow", "policy"]
    name: str
    zone: zoneinfo.ZoneInfo | None


def choose_zone(partner: Partner, workflow: Workflow, policy: OutreachPolicy) -> ZoneChoice:
    """The first zone named by the partner, then the workflow, else the policy default."""
    if partner.timezone:
        source: Literal["partner", "workflow"] = "partner"
        name = partner.timezone
    elif workflow.timezone:
        source, name = "workflow", workflow.timezone
    else:
        return ZoneChoice("policy", policy.default_timezone, zone_named(policy.default_timezone))
    try:
        return ZoneChoice(source, name, zone_named(name))
    except UnknownTimeZone:
        return ZoneChoice(source, name, None)


class WorkflowFacts(NamedTuple):
    """What the workflow rules read: the workflow, its window, its days for the channel."""

    workflow: Workflow
    #: The workflow for people: its name, else its id, else ``(unnamed)``.
    label: str
    channel: OutreachChannel
    zone: ZoneChoice
    #: The window bounds (local wall clock), ``None`` when unusable (see ``window_error``).
    window: tuple[dt.time | None, dt.time | None] | None
    window_error: str | None
    #: The workflow's active weekdays, and those of them the channel may use.
    active_days: tuple[int, ...]
    allowed_days: tuple[int, ...]


def workflow_facts(workflow: Workflow, channel: OutreachChannel, zone: ZoneChoice) -> WorkflowFacts:
    """The workflow facts for ``channel``: a call skips weekends unless weekend calls are on."""
    window: tuple[dt.time | None, dt.time | None] | None = None
    error: str | None = None
    try:
        start, end = workflow.window_start, workflow.window_end
    except ValueError as problem:
        error = str(problem)
    else:
        if (start is not None and start.tzinfo is not None) or (
            end is not None and end.tzinfo is not None
        ):
            error = "window bounds carry a UTC offset; use the workflow's timezone"
        else:
            window = (start, end)
    active = tuple(d for d in range(7) if workflow.is_active_on(d))
    allowed = active
    if channel == "call" and not workflow.is_call_on_weekend_enabled:
        allowed = tuple(d for d in active if d not in _WEEKEND)
    return WorkflowFacts(
        workflow=workflow,
        label=workflow.name or workflow.id or "(unnamed)",
        channel=channel,
        zone=zone,
        window=window,
        window_error=error,
        active_days=active,
        allowed_days=allowed,
    )


class InvoiceFacts(NamedTuple):
    """What the invoice rules read from one invoice alone, with the instants its holds end."""

    invoice: Invoice
    #: The invoice's key in a decision (:func:`~stuut_domain.outreach.decision.invoice_key`).
    key: str
    #: The invoice for people: its number, else its key.
    label: str
    status: InvoiceStatus
    #: Something is due and the status is owed (:data:`stuut_domain.invoice.OWED`).
    owed: bool
    #: Pending allocations in the invoice's currency (``None`` unless owed with payments).
    pending: Money | None
    policy: OutreachPolicy
    #: The zone the invoice's dates are read in (UTC when the decision zone is unknown).
    zone: dt.tzinfo
    #: When a promise to pay stops holding: local midnight after the date plus grace days.
    promise_ends: dt.datetime | None
    #: The day reminders count from (the due day, else the issue day) and when they start.
    reminder_day: dt.date | None
    reminders_start: dt.datetime | None
    #: The channel the invoice gap counts, and the invoice's own last outreach it counts (UTC).
    gap_channel: OutreachChannel | None
    last_outreach: dt.datetime | None
    #: The policy's invoice-scope frequency caps on this channel.
    caps: tuple[FrequencyCap, ...] = ()


def _pending(invoice: Invoice) -> Money:
    """:func:`stuut_domain.lifecycle.pending_amount` over the invoice-currency allocations.

    An allocation in another currency (remote data the checker reports) is left out instead
    of raising in the middle of a decision.
    """
    currency = invoice.amount_due.currency
    same = tuple(a for a in invoice.payments if a.amount.currency is currency)
    if len(same) != len(invoice.payments):
        invoice = attrs.evolve(invoice, payments=same)
    return pending_amount(invoice)


def invoice_facts(
    invoice: Invoice,
    policy: OutreachPolicy,
    zone: zoneinfo.ZoneInfo | None,
    channel: OutreachChannel,
) -> InvoiceFacts:
    """The facts of ``invoice`` under ``policy``, dates read in ``zone`` (UTC when ``None``)."""
    key = invoice_key(invoice)
    local = zone or UTC
    status = status_of(invoice)
    owed = invoice.amount_due.minor_units > 0 and status in OWED
    promised = invoice.promised_to_pay_date
    day = due_day(invoice)
    if day is None and invoice.issued_at is not None:
        day = invoice.issued_at.date()  # no due date: due on issue
    scope = gap_channel(policy.invoice_gap_scope, channel)
    return InvoiceFacts(
        invoice=invoice,
        key=key,
        label=invoice.number or key,
        status=status,
        owed=owed,
        pending=_pending(invoice) if owed and invoice.payments else None,
        policy=policy,
        zone=local,
        promise_ends=(
            None
            if promised is None
            else local_midnight(day_plus(promised, policy.promise_grace_days + 1), local)
        ),
        reminder_day=day,
        reminders_start=(
            None
            if day is None
            else local_midnight(day_plus(day, policy.first_reminder_offset_days), local)
        ),
        gap_channel=scope,
        last_outreach=_counted(invoice.last_outreach_at, invoice.last_outreach_channel, scope),
        caps=caps_on(policy, channel, "invoice"),
    )


class Moment(NamedTuple):
    """What the time rules read about one decision: the instant (UTC), the outreach state,
    the invoices given and, over several invoices, the partner's net balance per currency."""

    now: dt.datetime
    state: OutreachState
    invoices: tuple[Invoice, ...]
    nets: MoneyBag | None
    #: The recipients still reachable now (consent, contact caps); ``None``: not filtered.
    reach: Reach | None = None


class WallFacts(NamedTuple):
    """The weekly schedule at one instant, read on the decision zone's wall clock."""

    schedule: Schedule
    local: dt.datetime
    in_window: bool
    weekday: int
    #: Whether the workflow lists the (owning) day, and whether the channel may use it.
    active_day: bool
    allowed_day: bool
    workflow: str
    #: The schedule's next opening at or after the instant (when the schedule blockers clear).
    opening: dt.datetime | None
    #: Why the recipient's business calendar closes the (owning) day, if it does.
    closed: ClosedDay | None = None


def wall_facts(
    schedule: Schedule,
    workflow: WorkflowFacts,
    now: dt.datetime,
    where: WallPosition | None = None,
) -> WallFacts:
    """Where ``now`` falls in ``schedule`` (``where``: its position, when already known)."""
    if where is None:
        where = schedule.position(now)
    weekday = where.owning_day.weekday()
    return WallFacts(
        schedule=schedule,
        local=where.local,
        in_window=where.in_window,
        weekday=weekday,
        active_day=weekday in workflow.active_days,
        allowed_day=weekday in schedule.days,
        workflow=workflow.label,
        opening=schedule.next_opening(now),
        closed=schedule.closed(where.owning_day),
    )
