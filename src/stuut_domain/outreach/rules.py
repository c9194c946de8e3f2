"""The outreach rules: one small pure function per blocker code, and the facts they read.

Each rule is named after the code it produces (the codes and their message templates are
in :data:`~stuut_domain.outreach.decision.BLOCKER_CODES`). It returns its
:class:`~stuut_domain.outreach.decision.Blocker` when its fact holds, else ``None``
(``paused_until`` and ``partner_gap`` return a tuple, empty when they do not block: there may
be several pauses). The rules are grouped by what they read, each group a tuple in a fixed
order:

* :data:`PARTNER_RULES` read :class:`PartnerFacts` (the partner and who the channel reaches);
* :data:`WORKFLOW_RULES` read :class:`WorkflowFacts` (the workflow, its window and days, the
  decision zone);
* :data:`INVOICE_RULES` read :class:`InvoiceFacts` (one invoice alone, with the policy);
* the time rules read a :class:`Moment` (the instant, the outreach state, the invoices
  given): :data:`PARTNER_TIME_RULES`, :data:`SCHEDULE_RULES` (with :class:`WallFacts`, the
  wall clock at that instant), :data:`INVOICE_SET_RULES` and :data:`INVOICE_TIME_RULES`.

A decision lists its blockers in :data:`RULE_ORDER`: the partner, workflow, partner time,
schedule and invoice-set rules, then for each invoice in turn its invoice rules and its
invoice time rules. The fact builders (:func:`partner_facts`, :func:`choose_zone`,
:func:`workflow_facts`, :func:`invoice_facts`, :func:`wall_facts`) read the entities once;
:class:`~stuut_domain.outreach.engine.OutreachContext` calls them and keeps what it reuses.
Notes, which do not block, come from :func:`recipient_fallback`, :func:`zone_fallback` and
:func:`promise_broken`.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from typing import Final, Literal, NamedTuple, TypeAlias

import attrs

from stuut_domain.errors import UnknownTimeZone
from stuut_domain.invoice import OWED, Invoice, InvoiceStatus, status_of
from stuut_domain.lifecycle import due_day, pending_amount
from stuut_domain.money import Money, MoneyBag
from stuut_domain.outreach.decision import Blocker, Note, _human, invoice_key
from stuut_domain.outreach.policy import OutreachPolicy
from stuut_domain.outreach.recipients import RecipientChoice, choose_recipients
from stuut_domain.outreach.schedule import (
    UTC,
    WEEKDAY_NAMES,
    Schedule,
    WallPosition,
    local_midnight,
    utc,
)
from stuut_domain.outreach.state import OutreachState
from stuut_domain.partner import Partner
from stuut_domain.receivables import is_receivable
from stuut_domain.types import OutreachChannel
from stuut_domain.validators import zone_named
from stuut_domain.workflow import Workflow

__all__ = [
    "INVOICE_RULES",
    "INVOICE_SET_RULES",
    "INVOICE_TIME_RULES",
    "PARTNER_RULES",
    "PARTNER_TIME_RULES",
    "RULE_ORDER",
    "SCHEDULE_CODES",
    "SCHEDULE_RULES",
    "WORKFLOW_RULES",
    "InvoiceFacts",
    "Moment",
    "PartnerFacts",
    "WallFacts",
    "WorkflowFacts",
    "ZoneChoice",
    "before_first_reminder",
    "channel_disabled",
    "channel_paused",
    "choose_zone",
    "counts_toward",
    "credit_covers_balance",
    "draft",
    "gap_channel",
    "in_dispute",
    "inactive_day",
    "invalid_window",
    "invoice_facts",
    "invoice_gap",
    "no_open_invoices",
    "no_outreach_day",
    "no_reachable_contact",
    "not_receivable",
    "nothing_owed",
    "outside_window",
    "partner_facts",
    "partner_gap",
    "partner_inactive",
    "paused_until",
    "payment_in_flight",
    "payment_processing",
    "promise_broken",
    "promise_to_pay",
    "recipient_fallback",
    "uncollectible",
    "unknown_time_zone",
    "void",
    "wall_facts",
    "weekend_call",
    "workflow_facts",
    "workflow_inactive",
    "zone_fallback",
]

_WEEKEND: Final = frozenset({5, 6})


def counts_toward(recorded: OutreachChannel | None, scope: OutreachChannel | None) -> bool:
    """Whether an outreach recorded on ``recorded`` counts toward a gap kept on ``scope``.

    ``scope`` ``None`` counts every channel; an outreach without a recorded channel is read as
    an email, as :meth:`OutreachState.from_invoices` reads it (ADR 0018).
    """
    return scope is None or (recorded or "email") == scope


def gap_channel(policy_scope: str, channel: OutreachChannel) -> OutreachChannel | None:
    """The channel a gap counts outreach on: ``channel`` per channel, ``None`` for all."""
    return channel if policy_scope == "per_channel" else None


def _scope_text(scope: OutreachChannel | None) -> str:
    return "any channel" if scope is None else scope


def _later(known: dt.datetime | None, other: dt.datetime | None) -> dt.datetime | None:
    """The later of a UTC instant (or none) and another instant (or none), in UTC."""
    if other is None:
        return known
    other = utc(other)
    return other if known is None or other > known else known


# -- facts ------------------------------------------------------------------------------------


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


def partner_facts(
    partner: Partner, channel: OutreachChannel, policy: OutreachPolicy
) -> PartnerFacts:
    """The partner facts for ``channel`` under ``policy`` (recipients chosen once)."""
    scope = gap_channel(policy.partner_gap_scope, channel)
    last = partner.last_outreach_at
    return PartnerFacts(
        partner=partner,
        label=partner.name or partner.id or "(unnamed)",
        channel=channel,
        choice=choose_recipients(partner, channel),
        gap=policy.min_gap_per_partner,
        gap_channel=scope,
        last_outreach=(
            None
            if last is None or not counts_toward(partner.last_outreach_channel, scope)
            else utc(last)
        ),
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
    last = invoice.last_outreach_at
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
            else local_midnight(promised + dt.timedelta(days=policy.promise_grace_days + 1), local)
        ),
        reminder_day=day,
        reminders_start=(
            None
            if day is None
            else local_midnight(day + dt.timedelta(days=policy.first_reminder_offset_days), local)
        ),
        gap_channel=scope,
        last_outreach=(
            None
            if last is None or not counts_toward(invoice.last_outreach_channel, scope)
            else utc(last)
        ),
    )


class Moment(NamedTuple):
    """What the time rules read about one decision: the instant (UTC), the outreach state,
    the invoices given and, over several invoices, the partner's net balance per currency."""

    now: dt.datetime
    state: OutreachState
    invoices: tuple[Invoice, ...]
    nets: MoneyBag | None


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
    )


# -- partner rules ----------------------------------------------------------------------------


def partner_inactive(facts: PartnerFacts) -> Blocker | None:
    """An inactive partner (``is_active`` explicitly false) is not chased."""
    if facts.partner.is_active is False:
        return Blocker(code="partner_inactive", facts={"partner": facts.label})
    return None


def _channel_facts(facts: PartnerFacts) -> dict[str, object]:
    return {"channel": facts.channel, "partner": facts.label}


def channel_disabled(facts: PartnerFacts) -> Blocker | None:
    """The partner disabled the channel (``is_email_disabled`` / ``is_phone_disabled``)."""
    if facts.choice.channel_disabled:
        return Blocker(code="channel_disabled", facts=_channel_facts(facts))
    return None


def channel_paused(facts: PartnerFacts) -> Blocker | None:
    """Outreach on the channel to the partner is paused by hand (the partner's flag)."""
    partner = facts.partner
    paused = (
        partner.is_email_outreach_manually_paused
        if facts.channel == "email"
        else partner.is_call_outreach_manually_paused
    )
    if paused:
        return Blocker(code="channel_paused", facts=_channel_facts(facts))
    return None


def no_reachable_contact(facts: PartnerFacts) -> Blocker | None:
    """The channel is enabled but no contact (nor the partner's own address) qualifies."""
    choice = facts.choice
    if choice.channel_disabled or choice.recipients:
        return None
    why = "; ".join(choice.skipped) or "no contact and no own address"
    return Blocker(code="no_reachable_contact", facts={**_channel_facts(facts), "why": why})


# -- workflow rules ---------------------------------------------------------------------------


def workflow_inactive(facts: WorkflowFacts) -> Blocker | None:
    """An inactive workflow (``is_active`` explicitly false) sends nothing."""
    if facts.workflow.is_active is False:
        return Blocker(code="workflow_inactive", facts={"workflow": facts.label})
    return None


def unknown_time_zone(facts: WorkflowFacts) -> Blocker | None:
    """The zone the decision must read (partner's, else workflow's) is not known here."""
    zone = facts.zone
    if zone.zone is None:
        return Blocker(code="unknown_time_zone", facts={"source": zone.source, "name": zone.name})
    return None


def invalid_window(facts: WorkflowFacts) -> Blocker | None:
    """The workflow's window is not a pair of local clock times."""
    if facts.window_error is not None:
        return Blocker(
            code="invalid_window", facts={"workflow": facts.label, "error": facts.window_error}
        )
    return None


def no_outreach_day(facts: WorkflowFacts) -> Blocker | None:
    """No weekday allows the channel (checked only when the window itself is usable)."""
    if facts.window_error is not None or facts.allowed_days:
        return None
    if not facts.active_days:
        why = f"active_days lists no weekday 0..6 ({list(facts.workflow.active_days)})"
    else:
        names = ", ".join(WEEKDAY_NAMES[d] for d in facts.active_days)
        why = f"its only active days ({names}) are weekend days and weekend calls are off"
    return Blocker(
        code="no_outreach_day",
        facts={"workflow": facts.label, "channel": facts.channel, "why": why},
    )


# -- invoice rules ----------------------------------------------------------------------------


def not_receivable(facts: InvoiceFacts) -> Blocker | None:
    """Under ``receivables_only``, a payable invoice is not chased."""
    if facts.policy.receivables_only and not is_receivable(facts.invoice):
        return Blocker(code="not_receivable", invoice_id=facts.key, facts={"invoice": facts.label})
    return None


def draft(facts: InvoiceFacts) -> Blocker | None:
    """A draft (not issued) is not chased."""
    if facts.status is InvoiceStatus.DRAFT:
        return Blocker(code="draft", invoice_id=facts.key, facts={"invoice": facts.label})
    return None


def void(facts: InvoiceFacts) -> Blocker | None:
    """A voided invoice is not chased."""
    if facts.status is InvoiceStatus.VOID:
        return Blocker(
            code="void",
            invoice_id=facts.key,
            facts={"invoice": facts.label, "voided_at": facts.invoice.voided_at},
        )
    return None


def uncollectible(facts: InvoiceFacts) -> Blocker | None:
    """An invoice written off as uncollectible is not chased."""
    if facts.status is InvoiceStatus.UNCOLLECTIBLE:
        return Blocker(
            code="uncollectible",
            invoice_id=facts.key,
            facts={"invoice": facts.label, "marked_at": facts.invoice.marked_uncollectible_at},
        )
    return None


def nothing_owed(facts: InvoiceFacts) -> Blocker | None:
    """Nothing is owed: ``amount_due <= 0`` or the invoice is paid."""
    due = facts.invoice.amount_due
    if due.minor_units <= 0 or facts.status is InvoiceStatus.PAID:
        return Blocker(
            code="nothing_owed",
            invoice_id=facts.key,
            facts={"invoice": facts.label, "amount_due": due, "status": facts.status.value},
        )
    return None


def in_dispute(facts: InvoiceFacts) -> Blocker | None:
    """A disputed invoice is excluded from outreach."""
    if facts.invoice.in_dispute:
        return Blocker(code="in_dispute", invoice_id=facts.key, facts={"invoice": facts.label})
    return None


def payment_processing(facts: InvoiceFacts) -> Blocker | None:
    """The payment portal reports a payment processing (``remote_payment_status``)."""
    if facts.invoice.remote_payment_status == "processing":
        return Blocker(
            code="payment_processing", invoice_id=facts.key, facts={"invoice": facts.label}
        )
    return None


def payment_in_flight(facts: InvoiceFacts) -> Blocker | None:
    """Pending (unapproved) allocations cover what an owed invoice still has due."""
    due = facts.invoice.amount_due
    if facts.pending is not None and facts.pending.minor_units >= due.minor_units:
        return Blocker(
            code="payment_in_flight",
            invoice_id=facts.key,
            facts={"invoice": facts.label, "pending": facts.pending, "amount_due": due},
        )
    return None


# -- time rules: the partner at an instant ----------------------------------------------------


def paused_until(facts: PartnerFacts, moment: Moment) -> tuple[Blocker, ...]:
    """Each pause in the outreach state that holds for the partner and channel now."""
    partner = facts.partner
    pid = partner.id
    found = []
    for pause in moment.state.pauses_holding(pid, facts.channel, moment.now):
        until = None if pause.until is None else utc(pause.until)
        found.append(
            Blocker(
                code="paused_until",
                clears_at=until,
                facts={
                    "partner": partner.name or pid,
                    "until": "lifted by hand" if until is None else until,
                    "reason": f" ({pause.reason})" if pause.reason else "",
                },
            )
        )
    return tuple(found)


def partner_gap(facts: PartnerFacts, moment: Moment) -> tuple[Blocker, ...]:
    """The policy's minimum gap since the last outreach to the partner has not passed.

    The last outreach is the latest of the state's, the partner record's and the invoices'
    (``last_outreach_at``), each counted when the gap's scope counts its channel.
    """
    gap = facts.gap
    if not gap:
        return ()
    partner = facts.partner
    scope = facts.gap_channel
    last = _later(moment.state.last_to_partner(partner.id, scope), facts.last_outreach)
    for invoice in moment.invoices:
        if invoice.last_outreach_at is not None and counts_toward(
            invoice.last_outreach_channel, scope
        ):
            last = _later(last, invoice.last_outreach_at)
    if last is None or moment.now >= last + gap:
        return ()
    blocker = Blocker(
        code="partner_gap",
        clears_at=last + gap,
        facts={
            "partner": partner.name or partner.id,
            "scope": _scope_text(scope),
            "last": last,
            "gap": gap,
        },
    )
    return (blocker,)


# -- time rules: the weekly schedule ----------------------------------------------------------


def outside_window(facts: WallFacts) -> Blocker | None:
    """The local time of day is outside the workflow's window."""
    if facts.in_window:
        return None
    return Blocker(
        code="outside_window",
        clears_at=facts.opening,
        facts={"local": facts.local, "window": facts.schedule.describe()},
    )


def inactive_day(facts: WallFacts) -> Blocker | None:
    """The local day is not one of the workflow's active days."""
    if facts.active_day:
        return None
    day = WEEKDAY_NAMES[facts.weekday]
    return Blocker(
        code="inactive_day", clears_at=facts.opening, facts={"day": day, "workflow": facts.workflow}
    )


def weekend_call(facts: WallFacts) -> Blocker | None:
    """An active weekend day the channel may not use: a call with weekend calls off."""
    if not facts.active_day or facts.allowed_day:
        return None
    day = WEEKDAY_NAMES[facts.weekday]
    return Blocker(
        code="weekend_call", clears_at=facts.opening, facts={"day": day, "workflow": facts.workflow}
    )


# -- time rules: the invoices given -----------------------------------------------------------


def no_open_invoices(moment: Moment) -> Blocker | None:
    """No invoice was given: there is nothing to chase."""
    return None if moment.invoices else Blocker(code="no_open_invoices")


def credit_covers_balance(facts: InvoiceFacts, moment: Moment) -> Blocker | None:
    """Over several invoices, the partner's net balance in an owed invoice's currency is not
    positive: credits cover it."""
    nets = moment.nets
    if not facts.owed or nets is None:
        return None
    currency = facts.invoice.amount_due.code
    net = nets[currency]
    if net.minor_units > 0:
        return None
    return Blocker(
        code="credit_covers_balance",
        invoice_id=facts.key,
        facts={"currency": currency, "net": net},
    )


def promise_to_pay(facts: InvoiceFacts, moment: Moment) -> Blocker | None:
    """A promise to pay holds until its date plus the policy's grace days (local midnight)."""
    ends = facts.promise_ends
    if ends is None or moment.now >= ends:
        return None
    return Blocker(
        code="promise_to_pay",
        clears_at=ends,
        invoice_id=facts.key,
        facts={
            "invoice": facts.label,
            "promised": facts.invoice.promised_to_pay_date,
            "grace": facts.policy.promise_grace_days,
            "until": ends.astimezone(facts.zone),
        },
    )


def before_first_reminder(facts: InvoiceFacts, moment: Moment) -> Blocker | None:
    """Reminders start the policy's offset in days from the due day (local midnight)."""
    start = facts.reminders_start
    if start is None or moment.now >= start:
        return None
    offset = facts.policy.first_reminder_offset_days
    return Blocker(
        code="before_first_reminder",
        clears_at=start,
        invoice_id=facts.key,
        facts={"invoice": facts.label, "due": facts.reminder_day, "offset": f"{offset:+d} days"},
    )


def invoice_gap(facts: InvoiceFacts, moment: Moment) -> Blocker | None:
    """The policy's minimum gap since the last outreach about the invoice has not passed."""
    gap = facts.policy.min_gap_per_invoice
    if not gap:
        return None
    scope = facts.gap_channel
    last = _later(moment.state.last_about_invoice(facts.invoice.id, scope), facts.last_outreach)
    if last is None or moment.now >= last + gap:
        return None
    return Blocker(
        code="invoice_gap",
        clears_at=last + gap,
        invoice_id=facts.key,
        facts={"invoice": facts.label, "scope": _scope_text(scope), "last": last, "gap": gap},
    )


# -- notes ------------------------------------------------------------------------------------


def recipient_fallback(facts: PartnerFacts) -> Note | None:
    """No contact qualifies, so the partner's own address or number is used."""
    choice = facts.choice
    if not choice.fallback:
        return None
    what = "address" if facts.channel == "email" else "number"
    return Note(
        code="recipient_fallback",
        message=(
            f"no contact of {facts.label} qualifies for {facts.channel}; "
            f"the partner's own {what} {choice.recipients[0].address} is used"
        ),
    )


def zone_fallback(zone: ZoneChoice) -> Note | None:
    """The partner names no time zone, so the workflow's (or the policy default) is used."""
    if zone.source == "partner" or zone.zone is None:
        return None
    if zone.source == "workflow":
        message = f"the partner names no time zone; the workflow's {zone.name} is used"
    else:
        message = (
            f"neither partner nor workflow names a time zone; the policy default "
            f"{zone.name} is used"
        )
    return Note(code="zone_fallback", message=message)


def promise_broken(facts: InvoiceFacts, moment: Moment) -> Note | None:
    """A promise whose date plus grace passed on a still-owed invoice: outreach resumed."""
    ends = facts.promise_ends
    if ends is None or not facts.owed or moment.now < ends:
        return None
    return Note(
        code="promise_broken",
        message=(
            f"invoice {facts.label}: payment promised for {facts.invoice.promised_to_pay_date} "
            f"was not received within {facts.policy.promise_grace_days} grace days; "
            f"outreach resumed at {_human(ends)}"
        ),
    )


# -- the rules in order -----------------------------------------------------------------------

PartnerRule: TypeAlias = Callable[[PartnerFacts], Blocker | None]
WorkflowRule: TypeAlias = Callable[[WorkflowFacts], Blocker | None]
InvoiceRule: TypeAlias = Callable[[InvoiceFacts], Blocker | None]
PartnerTimeRule: TypeAlias = Callable[[PartnerFacts, Moment], tuple[Blocker, ...]]
ScheduleRule: TypeAlias = Callable[[WallFacts], Blocker | None]
InvoiceSetRule: TypeAlias = Callable[[Moment], Blocker | None]
InvoiceTimeRule: TypeAlias = Callable[[InvoiceFacts, Moment], Blocker | None]

#: The partner rules, in order (fixed for a context: only a change of facts clears them).
PARTNER_RULES: Final[tuple[PartnerRule, ...]] = (
    partner_inactive,
    channel_disabled,
    channel_paused,
    no_reachable_contact,
)
#: The workflow rules, in order (fixed for a context).
WORKFLOW_RULES: Final[tuple[WorkflowRule, ...]] = (
    workflow_inactive,
    unknown_time_zone,
    invalid_window,
    no_outreach_day,
)
#: The partner's time rules at an instant, in order.
PARTNER_TIME_RULES: Final[tuple[PartnerTimeRule, ...]] = (paused_until, partner_gap)
#: The schedule rules at an instant, in order (they clear at the schedule's next opening).
SCHEDULE_RULES: Final[tuple[ScheduleRule, ...]] = (outside_window, inactive_day, weekend_call)
#: The codes of the schedule rules (each rule is named after its code): a blocker with one of
#: them clears at the schedule's next opening, and the schedule may close again after it.
SCHEDULE_CODES: Final = frozenset(rule.__name__ for rule in SCHEDULE_RULES)
#: The rules about the set of invoices given, in order.
INVOICE_SET_RULES: Final[tuple[InvoiceSetRule, ...]] = (no_open_invoices,)
#: The rules of one invoice alone, in order (fixed for the invoice).
INVOICE_RULES: Final[tuple[InvoiceRule, ...]] = (
    not_receivable,
    draft,
    void,
    uncollectible,
    nothing_owed,
    in_dispute,
    payment_processing,
    payment_in_flight,
)
#: The rules of one invoice at an instant, in order (after its :data:`INVOICE_RULES`).
INVOICE_TIME_RULES: Final[tuple[InvoiceTimeRule, ...]] = (
    credit_covers_balance,
    promise_to_pay,
    before_first_reminder,
    invoice_gap,
)
#: Every rule in the order a decision lists their blockers (one rule per blocker code).
RULE_ORDER: Final[tuple[Callable[..., object], ...]] = (
    *PARTNER_RULES,
    *WORKFLOW_RULES,
    *PARTNER_TIME_RULES,
    *SCHEDULE_RULES,
    *INVOICE_SET_RULES,
    *INVOICE_RULES,
    *INVOICE_TIME_RULES,
)
