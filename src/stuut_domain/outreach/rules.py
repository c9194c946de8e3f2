"""The outreach rules: one small pure function per blocker code.

Each rule is named after the code it produces (the codes and their message templates are
in :data:`~stuut_domain.outreach.decision.BLOCKER_CODES`). It returns its
:class:`~stuut_domain.outreach.decision.Blocker` when its fact holds, else ``None``
(``paused_until`` and ``partner_gap`` return a tuple, empty when they do not block: there may
be several pauses). The rules read only the facts of :mod:`stuut_domain.outreach.facts`, and
are grouped by which, each group a tuple in a fixed order:

* :data:`PARTNER_RULES` read ``PartnerFacts`` (the partner and who the channel reaches);
* :data:`WORKFLOW_RULES` read ``WorkflowFacts`` (the workflow, its window and days, the
  decision zone);
* :data:`INVOICE_RULES` read ``InvoiceFacts`` (one invoice alone, with the policy);
* the time rules read a ``Moment`` (the instant, the outreach state, the invoices given):
  :data:`PARTNER_TIME_RULES`, :data:`SCHEDULE_RULES` (with ``WallFacts``, the wall clock at
  that instant), :data:`INVOICE_SET_RULES` and :data:`INVOICE_TIME_RULES`.

A decision lists its blockers in :data:`RULE_ORDER`: the partner, workflow, partner time,
schedule and invoice-set rules, then for each invoice in turn its invoice rules and its
invoice time rules. :class:`~stuut_domain.outreach.engine.OutreachContext` builds the
facts, keeps what it reuses, and runs these tuples. Notes, which do not block, come from
:func:`recipient_fallback`, :func:`zone_fallback` and :func:`promise_broken`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Final, TypeAlias

from stuut_domain.cadence.caps import CapHit
from stuut_domain.invoice import InvoiceStatus
from stuut_domain.outreach.decision import Blocker, Note, _human
from stuut_domain.outreach.facts import (
    InvoiceFacts,
    Moment,
    PartnerFacts,
    WallFacts,
    WorkflowFacts,
    ZoneChoice,
    counts_toward,
)
from stuut_domain.outreach.schedule import WEEKDAY_NAMES, instant_plus, utc, within_calendar
from stuut_domain.outreach.state import OutreachPause
from stuut_domain.partner import Partner
from stuut_domain.receivables import is_receivable
from stuut_domain.types import OutreachChannel

__all__ = [
    "CADENCE_RULES",
    "INVOICE_RULES",
    "INVOICE_SET_RULES",
    "INVOICE_TIME_RULES",
    "PARTNER_RULES",
    "PARTNER_TIME_RULES",
    "RULE_ORDER",
    "SCHEDULE_CODES",
    "SCHEDULE_RULES",
    "WORKFLOW_RULES",
    "before_first_reminder",
    "channel_disabled",
    "channel_paused",
    "credit_covers_balance",
    "draft",
    "frequency_cap",
    "holiday",
    "in_dispute",
    "inactive_day",
    "invalid_window",
    "invoice_frequency_cap",
    "invoice_gap",
    "no_consent",
    "no_open_invoices",
    "no_outreach_day",
    "no_reachable_contact",
    "not_receivable",
    "nothing_owed",
    "outside_window",
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
    "weekend_call",
    "workflow_inactive",
    "zone_fallback",
]


def _scope_text(scope: OutreachChannel | None) -> str:
    return "any channel" if scope is None else scope


def _later(known: dt.datetime | None, other: dt.datetime | None) -> dt.datetime | None:
    """The later of a UTC instant (or none) and another instant (or none), in UTC."""
    if other is None:
        return known
    other = utc(other)
    return other if known is None or other > known else known


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


def _in_status(
    facts: InvoiceFacts, status: InvoiceStatus, code: str, **dated: object
) -> Blocker | None:
    """The blocker ``code`` when the invoice's status is ``status`` (its ``dated`` facts too)."""
    if facts.status is not status:
        return None
    return Blocker(code=code, invoice_id=facts.key, facts={"invoice": facts.label, **dated})


def draft(facts: InvoiceFacts) -> Blocker | None:
    """A draft (not issued) is not chased."""
    return _in_status(facts, InvoiceStatus.DRAFT, "draft")


def void(facts: InvoiceFacts) -> Blocker | None:
    """A voided invoice is not chased."""
    return _in_status(facts, InvoiceStatus.VOID, "void", voided_at=facts.invoice.voided_at)


def uncollectible(facts: InvoiceFacts) -> Blocker | None:
    """An invoice written off as uncollectible is not chased."""
    marked = facts.invoice.marked_uncollectible_at
    return _in_status(facts, InvoiceStatus.UNCOLLECTIBLE, "uncollectible", marked_at=marked)


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
    holding = moment.state.pauses_holding(partner.id, facts.channel, moment.now)
    return tuple(_pause_blocker(partner, pause) for pause in holding) if holding else ()


def _pause_blocker(partner: Partner, pause: OutreachPause) -> Blocker:
    until = None if pause.until is None else utc(pause.until)
    return Blocker(
        code="paused_until",
        clears_at=until,
        facts={
            "partner": partner.name or partner.id,
            "until": "lifted by hand" if until is None else until,
            "reason": f" ({pause.reason})" if pause.reason else "",
        },
    )


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
    if last is None or moment.now >= (clears := instant_plus(last, gap)):
        return ()
    blocker = Blocker(
        code="partner_gap",
        clears_at=clears,
        facts={
            "partner": partner.name or partner.id,
            "scope": _scope_text(scope),
            "last": last,
            "gap": gap,
        },
    )
    return (blocker,)


def frequency_cap(facts: PartnerFacts, moment: Moment) -> tuple[Blocker, ...]:
    """A partner-scope cap is reached, or every recipient is at a contact-scope cap.

    Counted over the state's attempts (:class:`~stuut_domain.cadence.FrequencyCap`); it clears
    when the oldest attempt that puts the scope at the cap leaves the window (or the quiet
    period after a conversation ends). For contacts: when the first recipient is free again.
    """
    found: list[Blocker] = []
    attempts = moment.state.attempts_to_partner(facts.partner.id) if facts.caps else ()
    if attempts:
        subject = f"partner {facts.label}"
        for cap in facts.caps:
            hit = cap.hit(attempts, at=moment.now, subject=subject)
            if hit is not None:
                found.append(_cap_blocker(hit))
    reach = moment.reach
    if reach is not None and not reach.recipients and reach.capped:
        first = min((hit for _r, hit in reach.capped), key=lambda h: h.clears_at)
        found.append(_cap_blocker(first, also=reach.notes()))
    return tuple(found)


def _cap_blocker(hit: CapHit, *, also: tuple[str, ...] = ()) -> Blocker:
    why = hit.describe()
    if len(also) > 1:
        why += " (every recipient is held: " + "; ".join(also) + ")"
    return Blocker(
        code="frequency_cap",
        clears_at=within_calendar(utc(hit.clears_at)),
        facts={"why": why, "cap": hit.cap.label, "counted": hit.counted},
    )


def no_consent(facts: PartnerFacts, moment: Moment) -> tuple[Blocker, ...]:
    """Every recipient's consent for the channel is withdrawn (or an opt-in is required and
    missing); it clears only when the consent facts change."""
    reach = moment.reach
    if reach is None or reach.recipients or reach.capped or not reach.withdrawn:
        return ()
    why = "; ".join(f"{r.address}: {state.reason}" for r, state in reach.withdrawn)
    blocker = Blocker(
        code="no_consent",
        facts={"partner": facts.label, "channel": facts.channel, "why": why},
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


def holiday(facts: WallFacts) -> Blocker | None:
    """The recipient's business calendar closes the (owning) day: a public holiday, a
    closure or its weekend. Clears at the window's opening on the next business day."""
    closed = facts.closed
    if closed is None or not facts.allowed_day:
        return None
    return Blocker(
        code="holiday",
        clears_at=facts.opening,
        facts={"closed": closed, "day": closed.day, "name": closed.name, "kind": closed.kind},
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
    if last is None or moment.now >= (clears := instant_plus(last, gap)):
        return None
    return Blocker(
        code="invoice_gap",
        clears_at=clears,
        invoice_id=facts.key,
        facts={"invoice": facts.label, "scope": _scope_text(scope), "last": last, "gap": gap},
    )


def invoice_frequency_cap(facts: InvoiceFacts, moment: Moment) -> Blocker | None:
    """An invoice-scope cap (per debt, as Regulation F counts) is reached for this invoice."""
    if not facts.caps:
        return None
    attempts = moment.state.attempts_about_invoice(facts.invoice.id)
    if not attempts:
        return None
    hits = [
        hit
        for cap in facts.caps
        if (hit := cap.hit(attempts, at=moment.now, subject=f"invoice {facts.label}")) is not None
    ]
    if not hits:
        return None
    hit = max(hits, key=lambda h: h.clears_at)
    return Blocker(
        code="invoice_frequency_cap",
        clears_at=within_calendar(utc(hit.clears_at)),
        invoice_id=facts.key,
        facts={"invoice": facts.label, "why": hit.describe(), "cap": hit.cap.label},
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
PARTNER_TIME_RULES: Final[tuple[PartnerTimeRule, ...]] = (
    paused_until,
    partner_gap,
    frequency_cap,
    no_consent,
)
#: The partner time rules that read only the state and the instant (never the invoices
#: given): a context computes them once per state and instant.
CADENCE_RULES: Final[frozenset[PartnerTimeRule]] = frozenset({frequency_cap, no_consent})
#: The schedule rules at an instant, in order (they clear at the schedule's next opening).
SCHEDULE_RULES: Final[tuple[ScheduleRule, ...]] = (
    outside_window,
    inactive_day,
    weekend_call,
    holiday,
)
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
    invoice_frequency_cap,
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
