"""Outreach eligibility: may we email or call this partner about these invoices, now?

:func:`decide_outreach` is a pure function of (invoice or a partner's open invoices, partner,
workflow, channel, instant, policy, outreach state). It evaluates *every* rule and returns an
:class:`OutreachDecision`: eligible or not, each blocking reason as a :class:`Blocker` with a
stable code, a message and, when it is time-based, the instant it clears; the recipients; and
``next_eligible_at``, the earliest instant at which all time-based blockers clear together.

The rules, by stable code (each code's message template is in
:data:`stuut_domain.outreach.decision.BLOCKER_CODES`):

* Invoice scope: ``not_receivable``, ``draft``, ``void``, ``uncollectible``, ``nothing_owed``
  (``amount_due <= 0``), ``credit_covers_balance`` (the partner's net balance in the invoice's
  currency, over the invoices given, is not positive).
* Invoice holds: ``in_dispute``; ``promise_to_pay`` (until the promised date plus the policy's
  grace days, local; then outreach resumes and a ``promise_broken`` note says so);
  ``payment_in_flight`` (unapproved allocations cover the amount due); ``payment_processing``
  (the payment portal reports ``remote_payment_status == "processing"``);
  ``before_first_reminder`` (before the due day plus the policy's offset in days, local
  midnight); ``invoice_gap`` (policy minimum gap since the last outreach about the invoice,
  on any channel or on this one, as ``OutreachPolicy.invoice_gap_scope`` says).
* Partner and channel: ``no_open_invoices``, ``partner_inactive``, ``channel_disabled``,
  ``channel_paused`` (the partner's manual pause flag), ``paused_until`` (a pause in the
  :class:`~stuut_domain.outreach.state.OutreachState`), ``no_reachable_contact``,
  ``partner_gap`` (policy minimum gap since the last outreach to the partner, on any channel
  or on this one, as ``OutreachPolicy.partner_gap_scope`` says; ADR 0018).
* Workflow and time: ``workflow_inactive``, ``invalid_window``, ``unknown_time_zone``,
  ``no_outreach_day`` (no weekday allows this channel), ``outside_window``, ``inactive_day``,
  ``weekend_call``. Windows and days are read on the wall clock of the partner's time zone,
  else the workflow's, else the policy default (ADR 0015).

With several invoices the decision is about the partner: it is eligible when no partner-level
rule blocks and at least one invoice is clear; ``invoice_ids`` lists the clear invoices, and the
other invoices' blockers are in ``excluded`` (or in ``blockers`` when no invoice is clear).
``explain()`` renders all of it as plain text. Only ``explicit False`` flags block
(``is_active``, ``in_dispute``…): the API leaves most of them out when unknown.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from typing import NamedTuple

from stuut_domain.errors import PartnerMismatch, UnknownTimeZone
from stuut_domain.invoice import Invoice
from stuut_domain.lifecycle import InvoiceStatus, due_day, is_approved, status_of
from stuut_domain.money import Money, MoneyBag
from stuut_domain.outreach.decision import Blocker, Note, OutreachDecision, _human
from stuut_domain.outreach.policy import DEFAULT_POLICY, OutreachPolicy
from stuut_domain.outreach.recipients import Recipient, RecipientChoice, choose_recipients
from stuut_domain.outreach.schedule import UTC, WEEKDAY_NAMES, Schedule, local_midnight, utc
from stuut_domain.outreach.state import EMPTY_STATE, OutreachState
from stuut_domain.partner import Partner
from stuut_domain.receivables import balance, is_receivable
from stuut_domain.types import OutreachChannel
from stuut_domain.validators import require_aware, zone_named
from stuut_domain.workflow import Workflow

__all__ = ["OutreachContext", "decide_outreach"]

_OWING = frozenset({InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID})
#: Codes of the blockers that follow from the weekly schedule (they clear at its next opening).
_SCHEDULE_CODES = frozenset({"outside_window", "inactive_day", "weekend_call"})
_WEEKEND = frozenset({5, 6})


def _invoice_key(invoice: Invoice) -> str:
    return invoice.id or invoice.number or invoice.remote_id


def _later(known: dt.datetime | None, other: dt.datetime | None) -> dt.datetime | None:
    """The later of a UTC instant (or none) and another instant (or none), in UTC."""
    if other is None:
        return known
    other = utc(other)
    return other if known is None or other > known else known


def _counts(recorded: OutreachChannel | None, scope: OutreachChannel | None) -> bool:
    """Whether an outreach recorded on ``recorded`` counts toward a gap kept on ``scope``.

    ``scope`` ``None`` counts every channel; an outreach without a recorded channel is read as
    an email, as :meth:`OutreachState.from_invoices` reads it (ADR 0018).
    """
    return scope is None or (recorded or "email") == scope


def _scope_text(scope: OutreachChannel | None) -> str:
    return "any channel" if scope is None else scope


class _InvoiceFacts(NamedTuple):
    """What the rules read from one invoice alone (private; see _invoice_facts)."""

    invoice: Invoice
    key: str
    label: str
    fixed: tuple[Blocker, ...]
    owed: bool
    currency: str
    promise: Blocker | None
    promise_broken: Note | None
    reminder: Blocker | None
    last_outreach: dt.datetime | None


#: Invoices whose facts one context keeps (a portfolio's worth; cleared when full).
_MEMO_INVOICES = 4096


class OutreachContext:
    """What a decision needs about one partner, workflow, channel and policy, computed once.

    Everything that depends on neither the instant, the invoices nor the outreach state is
    worked out here: the time zone and weekly schedule, the recipients, and the partner-level
    blockers that only a change of facts clears. :meth:`decide` then evaluates the rest. Build
    one per partner and reuse it for each of its decisions; :func:`decide_outreach` builds one
    per call. The context is immutable once built.
    """

    __slots__ = (
        "_choice",
        "_fact_blocked",
        "_facts_memo",
        "_fixed_blockers",
        "_fixed_notes",
        "_invoice_gap_channel",
        "_invoice_gap_scope",
        "_partner_gap_channel",
        "_partner_gap_scope",
        "_partner_last",
        "_schedule",
        "_schedule_memo",
        "_workflow_name",
        "_zone",
        "_zone_name",
        "channel",
        "partner",
        "policy",
        "workflow",
    )

    def __init__(
        self,
        *,
        partner: Partner,
        workflow: Workflow,
        channel: OutreachChannel,
        policy: OutreachPolicy = DEFAULT_POLICY,
    ) -> None:
        if channel not in ("email", "call"):
            raise ValueError(f"channel must be 'email' or 'call', got {channel!r}")
        self.partner = partner
        self.workflow = workflow
        self.channel: OutreachChannel = channel
        self.policy = policy
        self._workflow_name = workflow.name or workflow.id or "(unnamed)"
        # The channel a gap counts outreach on: None for every channel (ADR 0018).
        self._partner_gap_channel: OutreachChannel | None = (
            channel if policy.partner_gap_scope == "per_channel" else None
        )
        self._invoice_gap_channel: OutreachChannel | None = (
            channel if policy.invoice_gap_scope == "per_channel" else None
        )
        self._partner_gap_scope = _scope_text(self._partner_gap_channel)
        self._invoice_gap_scope = _scope_text(self._invoice_gap_channel)
        self._partner_last = (
            None
            if partner.last_outreach_at is None
            or not _counts(partner.last_outreach_channel, self._partner_gap_channel)
            else utc(partner.last_outreach_at)
        )
        blockers: list[Blocker] = []
        notes: list[Note] = []
        partner_label = partner.name or partner.id or "(unnamed)"
        channel_facts = {"channel": channel, "partner": partner_label}

        if partner.is_active is False:
            blockers.append(Blocker(code="partner_inactive", facts={"partner": partner_label}))
        choice = choose_recipients(partner, channel)
        self._choice: RecipientChoice = choice
        if choice.channel_disabled:
            blockers.append(Blocker(code="channel_disabled", facts=channel_facts))
        paused = (
            partner.is_email_outreach_manually_paused
            if channel == "email"
            else partner.is_call_outreach_manually_paused
        )
        if paused:
            blockers.append(Blocker(code="channel_paused", facts=channel_facts))
        if not choice.channel_disabled and not choice.recipients:
            why = "; ".join(choice.skipped) or "no contact and no own address"
            blockers.append(
                Blocker(code="no_reachable_contact", facts={**channel_facts, "why": why})
            )
        if choice.fallback:
            notes.append(
                Note(
                    code="recipient_fallback",
                    message=(
                        f"no contact of {partner_label} qualifies for {channel}; "
                        f"the partner's own {'address' if channel == 'email' else 'number'} "
                        f"{choice.recipients[0].address} is used"
                    ),
                )
            )
        if workflow.is_active is False:
            blockers.append(
                Blocker(code="workflow_inactive", facts={"workflow": self._workflow_name})
            )

        self._zone, self._zone_name = self._resolve_zone(blockers, notes)
        self._schedule = self._build_schedule(blockers)
        self._schedule_memo: tuple[dt.datetime, tuple[Blocker, ...]] | None = None
        self._fixed_blockers = tuple(blockers)
        self._fact_blocked = any(b.clears_at is None for b in blockers)
        self._facts_memo: dict[int, _InvoiceFacts] = {}
        self._fixed_notes = tuple(notes)

    def _resolve_zone(
        self, blockers: list[Blocker], notes: list[Note]
    ) -> tuple[zoneinfo.ZoneInfo | None, str | None]:
        for source, name in (
            ("partner", self.partner.timezone),
            ("workflow", self.workflow.timezone),
        ):
            if not name:
                continue
            try:
                zone = zone_named(name)
            except UnknownTimeZone:
                blockers.append(
                    Blocker(code="unknown_time_zone", facts={"source": source, "name": name})
                )
                return None, None
            if source == "workflow":
                notes.append(
                    Note(
                        code="zone_fallback",
                        message=f"the partner names no time zone; the workflow's {name} is used",
                    )
                )
            return zone, name
        name = self.policy.default_timezone
        notes.append(
            Note(
                code="zone_fallback",
                message=(
                    f"neither partner nor workflow names a time zone; the policy default "
                    f"{name} is used"
                ),
            )
        )
        return zone_named(name), name

    def _build_schedule(self, blockers: list[Blocker]) -> Schedule | None:
        workflow = self.workflow
        try:
            start, end = workflow.window_start, workflow.window_end
        except ValueError as error:
            blockers.append(
                Blocker(
                    code="invalid_window",
                    facts={"workflow": self._workflow_name, "error": str(error)},
                )
            )
            return None
        if (start is not None and start.tzinfo is not None) or (
            end is not None and end.tzinfo is not None
        ):
            blockers.append(
                Blocker(
                    code="invalid_window",
                    facts={
                        "workflow": self._workflow_name,
                        "error": "window bounds carry a UTC offset; use the workflow's timezone",
                    },
                )
            )
            return None
        active = [d for d in range(7) if workflow.is_active_on(d)]
        allowed = active
        if self.channel == "call" and not workflow.is_call_on_weekend_enabled:
            allowed = [d for d in active if d not in _WEEKEND]
        if not allowed:
            if not active:
                why = f"active_days lists no weekday 0..6 ({list(workflow.active_days)})"
            else:
                names = ", ".join(WEEKDAY_NAMES[d] for d in active)
                why = f"its only active days ({names}) are weekend days and weekend calls are off"
            blockers.append(
                Blocker(
                    code="no_outreach_day",
                    facts={"workflow": self._workflow_name, "channel": self.channel, "why": why},
                )
            )
            return None
        if self._zone is None:
            return None
        return Schedule.of(self._zone, start, end, allowed)

    @property
    def recipients(self) -> tuple[Recipient, ...]:
        """The recipients this channel reaches at the partner (empty if none qualifies)."""
        return self._choice.recipients

    @property
    def schedule(self) -> Schedule | None:
        """The weekly schedule in the decision zone, ``None`` when it cannot be evaluated."""
        return self._schedule

    def decide(
        self,
        invoices: Invoice | Iterable[Invoice],
        *,
        at: dt.datetime,
        state: OutreachState = EMPTY_STATE,
    ) -> OutreachDecision:
        """The decision for ``invoices`` (one invoice or the partner's open invoices) at ``at``.

        ``at`` must be timezone-aware (:class:`~stuut_domain.errors.NaiveDatetime`); an invoice
        that names another partner raises :class:`~stuut_domain.errors.PartnerMismatch`.
        """
        require_aware("at", at)
        now = at if at.tzinfo is UTC else at.astimezone(UTC)
        items: tuple[Invoice, ...] = (
            (invoices,)
            if type(invoices) is Invoice or isinstance(invoices, Invoice)
            else tuple(invoices)
        )
        partner = self.partner
        pid = partner.id
        blockers = list(self._fixed_blockers)
        notes = list(self._fixed_notes)

        if state.pauses or self.policy.min_gap_per_partner:
            self._partner_time_blockers(items, now, state, blockers)
        if self._schedule is not None:
            memo = self._schedule_memo
            if memo is None or memo[0] != now:
                memo = (now, self._schedule_blockers(self._schedule, now))
                # A memo of a pure function of ``now``: deciding a partner's invoices one by
                # one at the same instant reads the wall clock once.
                self._schedule_memo = memo
            blockers.extend(memo[1])
        if not items:
            blockers.append(Blocker(code="no_open_invoices"))

        nets = balance(items) if len(items) > 1 else None
        clear: list[str] = []
        held: list[list[Blocker]] = []
        for invoice in items:
            if pid is not None and invoice.partner_id is not None and invoice.partner_id != pid:
                raise PartnerMismatch(_invoice_key(invoice), invoice.partner_id, pid)
            found = self._invoice_blockers(invoice, now, state, nets, notes)
            if found:
                held.append(found)
            else:
                clear.append(_invoice_key(invoice))

        invoice_blockers = tuple(b for found in held for b in found) if held else ()
        eligible = not blockers and bool(clear)
        if clear:
            excluded = invoice_blockers
        else:
            blockers.extend(invoice_blockers)
            excluded = ()
        if eligible:
            next_at: dt.datetime | None = now
        elif self._fact_blocked:
            next_at = None
        else:
            next_at = self._next_eligible(now, blockers, held, bool(clear))
        return OutreachDecision(
            eligible=eligible,
            channel=self.channel,
            at=now,
            partner_id=pid,
            partner_name=partner.name,
            invoice_ids=tuple(clear),
            blockers=tuple(blockers),
            excluded=excluded,
            recipients=self._choice.recipients,
            next_eligible_at=next_at,
            zone=self._zone_name,
            notes=tuple(notes),
        )

    def _partner_time_blockers(
        self,
        items: tuple[Invoice, ...],
        now: dt.datetime,
        state: OutreachState,
        blockers: list[Blocker],
    ) -> None:
        partner = self.partner
        pid = partner.id
        for pause in state.pauses_holding(pid, self.channel, now):
            reason = f" ({pause.reason})" if pause.reason else ""
            until = None if pause.until is None else utc(pause.until)
            blockers.append(
                Blocker(
                    code="paused_until",
                    clears_at=until,
                    facts={
                        "partner": partner.name or pid,
                        "until": "lifted by hand" if until is None else until,
                        "reason": reason,
                    },
                )
            )
        gap = self.policy.min_gap_per_partner
        if gap:
            scope = self._partner_gap_channel
            last = _later(state.last_to_partner(pid, scope), self._partner_last)
            for invoice in items:
                if invoice.last_outreach_at is not None and (
                    scope is None or _counts(invoice.last_outreach_channel, scope)
                ):
                    last = _later(last, invoice.last_outreach_at)
            if last is not None and now < last + gap:
                blockers.append(
                    Blocker(
                        code="partner_gap",
                        clears_at=last + gap,
                        facts={
                            "partner": partner.name or pid,
                            "scope": self._partner_gap_scope,
                            "last": last,
                            "gap": gap,
                        },
                    )
                )

    def _schedule_blockers(self, schedule: Schedule, now: dt.datetime) -> tuple[Blocker, ...]:
        where = schedule.position(now)
        weekday = where.owning_day.weekday()
        if where.in_window and weekday in schedule.days:
            return ()
        blockers: list[Blocker] = []
        opening = schedule.next_opening(now)
        day = WEEKDAY_NAMES[weekday]
        if not where.in_window:
            blockers.append(
                Blocker(
                    code="outside_window",
                    clears_at=opening,
                    facts={"local": where.local, "window": schedule.describe()},
                )
            )
        if not self.workflow.is_active_on(weekday):
            blockers.append(
                Blocker(
                    code="inactive_day",
                    clears_at=opening,
                    facts={"day": day, "workflow": self._workflow_name},
                )
            )
        elif weekday not in schedule.days:
            blockers.append(
                Blocker(
                    code="weekend_call",
                    clears_at=opening,
                    facts={"day": day, "workflow": self._workflow_name},
                )
            )
        return tuple(blockers)

    def _invoice_facts(self, invoice: Invoice) -> _InvoiceFacts:
        """What the rules read from one invoice alone, with the instants its holds end.

        A memo keyed by identity (the entry keeps the invoice alive, so an id is never reused
        while cached): invoices are immutable, so this is the same value every time.
        """
        memo = self._facts_memo
        facts = memo.get(id(invoice))
        if facts is None or facts.invoice is not invoice:
            facts = self._read_invoice(invoice)
            if len(memo) >= _MEMO_INVOICES:
                memo.clear()
            memo[id(invoice)] = facts
        return facts

    def _read_invoice(self, invoice: Invoice) -> _InvoiceFacts:
        key = _invoice_key(invoice)
        label = invoice.number or key
        policy = self.policy
        zone = self._zone or UTC
        fixed: list[Blocker] = []
        status = status_of(invoice)
        if policy.receivables_only and not is_receivable(invoice):
            fixed.append(Blocker(code="not_receivable", invoice_id=key, facts={"invoice": label}))
        if status is InvoiceStatus.DRAFT:
            fixed.append(Blocker(code="draft", invoice_id=key, facts={"invoice": label}))
        elif status is InvoiceStatus.VOID:
            fixed.append(
                Blocker(
                    code="void",
                    invoice_id=key,
                    facts={"invoice": label, "voided_at": invoice.voided_at},
                )
            )
        elif status is InvoiceStatus.UNCOLLECTIBLE:
            fixed.append(
                Blocker(
                    code="uncollectible",
                    invoice_id=key,
                    facts={"invoice": label, "marked_at": invoice.marked_uncollectible_at},
                )
            )
        due = invoice.amount_due
        owed = due.minor_units > 0 and status in _OWING
        if due.minor_units <= 0 or status is InvoiceStatus.PAID:
            fixed.append(
                Blocker(
                    code="nothing_owed",
                    invoice_id=key,
                    facts={"invoice": label, "amount_due": due, "status": status.value},
                )
            )
        if invoice.in_dispute:
            fixed.append(Blocker(code="in_dispute", invoice_id=key, facts={"invoice": label}))
        if invoice.remote_payment_status == "processing":
            fixed.append(
                Blocker(code="payment_processing", invoice_id=key, facts={"invoice": label})
            )
        if owed and invoice.payments:
            currency = due.currency
            # As lifecycle.pending_amount, but an allocation in another currency (remote data
            # the checker reports) is left out instead of raising in the middle of a decision.
            pending = sum(
                a.amount.minor_units
                for a in invoice.payments
                if not is_approved(a) and a.amount.currency is currency
            )
            if pending >= due.minor_units:
                fixed.append(
                    Blocker(
                        code="payment_in_flight",
                        invoice_id=key,
                        facts={
                            "invoice": label,
                            "pending": Money(pending, due.code),
                            "amount_due": due,
                        },
                    )
                )

        promise: Blocker | None = None
        broken: Note | None = None
        promised = invoice.promised_to_pay_date
        if promised is not None:
            grace = policy.promise_grace_days
            resume = local_midnight(promised + dt.timedelta(days=grace + 1), zone)
            promise = Blocker(
                code="promise_to_pay",
                clears_at=resume,
                invoice_id=key,
                facts={
                    "invoice": label,
                    "promised": promised,
                    "grace": grace,
                    "until": resume.astimezone(zone),
                },
            )
            if owed:
                broken = Note(
                    code="promise_broken",
                    message=(
                        f"invoice {label}: payment promised for {promised} was not received "
                        f"within {grace} grace days; outreach resumed at {_human(resume)}"
                    ),
                )

        reminder: Blocker | None = None
        day = due_day(invoice)
        if day is None and invoice.issued_at is not None:
            day = invoice.issued_at.date()  # no due date: due on issue
        if day is not None:
            offset = policy.first_reminder_offset_days
            reminder = Blocker(
                code="before_first_reminder",
                clears_at=local_midnight(day + dt.timedelta(days=offset), zone),
                invoice_id=key,
                facts={"invoice": label, "due": day, "offset": f"{offset:+d} days"},
            )
        last = invoice.last_outreach_at
        return _InvoiceFacts(
            invoice=invoice,
            key=key,
            label=label,
            fixed=tuple(fixed),
            owed=owed,
            currency=due.code,
            promise=promise,
            promise_broken=broken,
            reminder=reminder,
            # Only an outreach the invoice gap counts (its scope is this context's, ADR 0018).
            last_outreach=(
                None
                if last is None
                or not _counts(invoice.last_outreach_channel, self._invoice_gap_channel)
                else utc(last)
            ),
        )

    def _invoice_blockers(
        self,
        invoice: Invoice,
        now: dt.datetime,
        state: OutreachState,
        nets: MoneyBag | None,
        notes: list[Note],
    ) -> list[Blocker]:
        facts = self._invoice_facts(invoice)
        found = list(facts.fixed)
        if facts.owed and nets is not None and nets[facts.currency].minor_units <= 0:
            found.append(
                Blocker(
                    code="credit_covers_balance",
                    invoice_id=facts.key,
                    facts={"currency": facts.currency, "net": nets[facts.currency]},
                )
            )
        promise = facts.promise
        if promise is not None and promise.clears_at is not None:
            if now < promise.clears_at:
                found.append(promise)
            elif facts.promise_broken is not None:
                notes.append(facts.promise_broken)
        reminder = facts.reminder
        if reminder is not None and reminder.clears_at is not None and now < reminder.clears_at:
            found.append(reminder)
        gap = self.policy.min_gap_per_invoice
        if gap:
            last = _later(
                state.last_about_invoice(invoice.id, self._invoice_gap_channel),
                facts.last_outreach,
            )
            if last is not None and now < last + gap:
                found.append(
                    Blocker(
                        code="invoice_gap",
                        clears_at=last + gap,
                        invoice_id=facts.key,
                        facts={
                            "invoice": facts.label,
                            "scope": self._invoice_gap_scope,
                            "last": last,
                            "gap": gap,
                        },
                    )
                )
        return found

    def _next_eligible(
        self,
        now: dt.datetime,
        blockers: list[Blocker],
        held: list[list[Blocker]],
        any_clear: bool,
    ) -> dt.datetime | None:
        # Time-based blockers all have the form "blocked before c"; the schedule is the only
        # rule that re-closes. So: the latest partner-level clearing instant, the earliest
        # instant some invoice clears, then the schedule's first opening from there.
        start = now
        for blocker in blockers:
            if blocker.invoice_id is not None:
                continue
            if blocker.clears_at is None:
                return None
            if blocker.code not in _SCHEDULE_CODES and blocker.clears_at > start:
                start = blocker.clears_at
        if not any_clear:
            earliest: dt.datetime | None = None
            for found in held:
                if any(b.clears_at is None for b in found):
                    continue
                clears = max(b.clears_at for b in found if b.clears_at is not None)
                if earliest is None or clears < earliest:
                    earliest = clears
            if earliest is None:
                return None
            start = max(start, earliest)
        if self._schedule is None:
            return start
        return self._schedule.next_opening(start)


def decide_outreach(
    invoices: Invoice | Iterable[Invoice],
    *,
    partner: Partner,
    workflow: Workflow,
    channel: OutreachChannel,
    at: dt.datetime,
    policy: OutreachPolicy = DEFAULT_POLICY,
    state: OutreachState = EMPTY_STATE,
) -> OutreachDecision:
    """May ``channel`` outreach reach ``partner`` about ``invoices`` at ``at``, and if not, why?

    Pure and deterministic: the same inputs give the same decision. ``invoices`` is one
    invoice or the partner's open invoices; ``at`` must be timezone-aware. See the module
    docstring for the rules and :class:`OutreachDecision` for the answer's shape.
    """
    context = OutreachContext(partner=partner, workflow=workflow, channel=channel, policy=policy)
    return context.decide(invoices, at=at, state=state)
