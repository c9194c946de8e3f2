"""Outreach eligibility: may we email or call this partner about these invoices, now?

:func:`decide_outreach` is a pure function of (invoice or a partner's open invoices, partner,
workflow, channel, instant, policy, outreach state). It evaluates *every* rule and returns an
:class:`OutreachDecision`: eligible or not, each blocking reason as a :class:`Blocker` with a
stable code, a message and, when it is time-based, the instant it clears; the recipients; and
``next_eligible_at``, the earliest instant at which all time-based blockers clear together.

The rules, by stable code (each code's message template is in
:data:`stuut_domain.outreach.decision.BLOCKER_CODES`; each rule is a pure function of the
same name in :mod:`stuut_domain.outreach.rules`, reading the facts of
:mod:`stuut_domain.outreach.facts`):

* Invoice scope: ``not_receivable``, ``draft``, ``void``, ``uncollectible``, ``nothing_owed``
  (``amount_due <= 0``), ``credit_covers_balance`` (the partner's net balance in the invoice's
  currency, over the invoices given and less the customer credit given, is not positive).
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

:func:`decide_for_portfolio` decides a whole portfolio: one decision per partner with an open
receivable and per channel, the invoices grouped by :func:`invoices_by_partner` (the same
grouping the simulator replays).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Final, NamedTuple

from stuut_domain.cadence.calendars import AnyOpenCalendar
from stuut_domain.cadence.resolution import CalendarBook
from stuut_domain.errors import InstantOutOfRange, InvalidCadence, PartnerMismatch
from stuut_domain.invoice import Invoice
from stuut_domain.money import MoneyBag
from stuut_domain.outreach.decision import Blocker, Note, OutreachDecision, invoice_key
from stuut_domain.outreach.facts import (
    InvoiceFacts,
    Moment,
    WorkflowFacts,
    caps_on,
    choose_zone,
    invoice_facts,
    partner_facts,
    wall_facts,
    workflow_facts,
)
from stuut_domain.outreach.policy import DEFAULT_POLICY, OutreachPolicy
from stuut_domain.outreach.reach import Reach, contact_keys, reach
from stuut_domain.outreach.recipients import Recipient
from stuut_domain.outreach.rules import (
    CADENCE_RULES,
    INVOICE_RULES,
    INVOICE_SET_RULES,
    INVOICE_TIME_RULES,
    PARTNER_RULES,
    PARTNER_TIME_RULES,
    SCHEDULE_CODES,
    SCHEDULE_RULES,
    WORKFLOW_RULES,
    PartnerTimeRule,
    invoice_frequency_cap,
    promise_broken,
    recipient_fallback,
    zone_fallback,
)
from stuut_domain.outreach.schedule import EARLIEST, LATEST, UTC, Schedule, utc, within_calendar
from stuut_domain.outreach.state import CHANNELS_TEXT, EMPTY_STATE, OutreachState
from stuut_domain.partner import Partner, partners_by_id
from stuut_domain.ports import BusinessCalendar
from stuut_domain.receivables import balance, is_open_receivable
from stuut_domain.types import OUTREACH_CHANNELS, OutreachChannel
from stuut_domain.validators import require_aware
from stuut_domain.workflow import Workflow

_ONE_DAY = dt.timedelta(days=1)

__all__ = [
    "OutreachContext",
    "PartnerInvoices",
    "decide_for_portfolio",
    "decide_outreach",
    "invoices_by_partner",
]

#: Invoices whose facts one context caches (a portfolio's worth; the cache is emptied when full).
_MEMO_INVOICES: Final = 4096


def _schedule_of(facts: WorkflowFacts, calendar: BusinessCalendar | None) -> Schedule | None:
    """The weekly schedule, ``None`` when the window, the days or the zone are unusable."""
    zone = facts.zone.zone
    if facts.window is None or not facts.allowed_days or zone is None:
        return None
    start, end = facts.window
    return Schedule.of(zone, start, end, facts.allowed_days, calendar)


def _recipient_calendars(
    book: CalendarBook, partner: Partner, recipients: tuple[Recipient, ...]
) -> tuple[dict[str, BusinessCalendar | None], BusinessCalendar | None, tuple[Note, ...]]:
    """Each recipient's business calendar (ADR 0050), the partner's own when no recipient is
    chosen, and the notes of every fallback taken."""
    contacts = {c.id: c for c in partner.contacts if c.id is not None}
    texts: list[str] = []
    by_address: dict[str, BusinessCalendar | None] = {}
    for recipient in recipients:
        contact = contacts.get(recipient.contact_id) if recipient.contact_id else None
        choice = book.for_recipient(partner, contact)
        by_address[recipient.address] = choice.calendar
        texts += [t for t in choice.notes if t not in texts]
    alone: BusinessCalendar | None = None
    if not recipients:
        choice = book.for_recipient(partner)
        alone = choice.calendar
        texts += list(choice.notes)
    return by_address, alone, tuple(Note(code="calendar_fallback", message=t) for t in texts)


#: The partner time rules that are not cadence rules (run alone when no cap or consent can
#: block, in rule order).
_PLAIN_PARTNER_TIME_RULES: Final = tuple(r for r in PARTNER_TIME_RULES if r not in CADENCE_RULES)
#: The partner time rules in order, each marked when it is a cadence rule (read from the memo).
_PARTNER_TIME_PLAN: Final = tuple((r, r in CADENCE_RULES) for r in PARTNER_TIME_RULES)


def _check_no_future(
    state: OutreachState, partner_id: str | None, now: dt.datetime, *, caps: bool
) -> None:
    """Consent and caps read history: a fact dated after the decision's instant is refused
    (``next_eligible_at`` would promise an instant that fact then blocks)."""
    state.consents.check_not_after(now)
    if caps:
        last = state.last_to_partner(partner_id)
        if last is not None and last > now:
            raise InvalidCadence(
                "sent_at",
                last,
                f"an attempt is dated after the decision's instant {now.isoformat()}",
            )


def _any_open(calendars: Sequence[BusinessCalendar | None]) -> BusinessCalendar | None:
    """The calendar of a contact to several recipients: open when any of theirs is (none:
    a recipient without a calendar is always open)."""
    if not calendars or any(c is None for c in calendars):
        return None
    unique: list[BusinessCalendar] = []
    for calendar in calendars:
        if calendar is not None and calendar not in unique:
            unique.append(calendar)
    return unique[0] if len(unique) == 1 else AnyOpenCalendar(calendars=unique)


class OutreachContext:
    """What a decision needs about one partner, workflow, channel and policy, worked out once.

    Building a context builds the facts that depend on neither the instant, the invoices nor
    the outreach state (:mod:`stuut_domain.outreach.facts`): who the channel reaches, the
    decision zone, the workflow's window and days as a weekly schedule; and it runs the
    partner and workflow rules (:mod:`stuut_domain.outreach.rules`), whose blockers and notes
    only a change of those facts clears. :meth:`decide` runs the time and invoice rules. Build
    one per partner and channel and reuse it for each of its decisions; :func:`decide_outreach`
    builds one per call.

    The public attributes and the facts built never change. Two caches do, as decisions are
    made; they are caches, not state: each entry is a pure function of its key, so an answer
    is the same whether it was cached or not. They hold the facts and invoice-rule blockers of
    up to 4,096 invoices, by identity (an entry keeps its invoice alive, so an id is not reused
    while cached; the cache is emptied when full), and the schedule blockers at the last
    instant decided (deciding a partner's invoices one by one at one instant reads the wall
    clock once), and the recipients reachable and the cadence blockers (caps, consent) at the
    last state and instant decided: they read neither the invoices nor anything else.
    """

    __slots__ = (
        "_by_recipient",
        "_cadence_memo",
        "_calendars",
        "_contact_keys",
        "_everyone",
        "_fact_blocked",
        "_facts_memo",
        "_fixed_blockers",
        "_fixed_notes",
        "_group_schedules",
        "_invoice_time_rules",
        "_partner",
        "_reach_memo",
        "_schedule",
        "_schedule_memo",
        "_timed_partner",
        "_workflow",
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
        if channel not in OUTREACH_CHANNELS:
            raise ValueError(f"channel must be {CHANNELS_TEXT}, got {channel!r}")
        self.partner = partner
        self.workflow = workflow
        self.channel: OutreachChannel = channel
        self.policy = policy
        self._partner = partner_facts(partner, channel, policy)
        self._workflow = workflow_facts(workflow, channel, choose_zone(partner, workflow, policy))
        calendar_notes: tuple[Note, ...] = ()
        chosen = self._partner.choice.recipients
        # Per recipient, the weekly schedule on that recipient's business days (ADR 0050).
        self._by_recipient: dict[str, Schedule | None] = {}
        self._group_schedules: dict[tuple[str, ...], Schedule | None] = {}
        self._schedule = _schedule_of(self._workflow, None)
        self._calendars: dict[str, BusinessCalendar | None] = {}
        if policy.calendars is not None:
            calendars, alone, calendar_notes = _recipient_calendars(
                policy.calendars, partner, chosen
            )
            self._calendars = calendars
            self._schedule = _schedule_of(
                self._workflow, _any_open(list(calendars.values())) if chosen else alone
            )
            distinct = {id(calendar) for calendar in calendars.values()}
            if len(distinct) > 1:
                # Recipients on different calendars: each is read on its own (ADR 0050).
                self._by_recipient = {
                    address: _schedule_of(self._workflow, calendar)
                    for address, calendar in calendars.items()
                }
        zone = self._workflow.zone
        self._zone_name = None if zone.zone is None else zone.name
        blockers = [rule(self._partner) for rule in PARTNER_RULES]
        blockers += [rule(self._workflow) for rule in WORKFLOW_RULES]
        notes = (recipient_fallback(self._partner), zone_fallback(self._workflow.zone))
        self._fixed_blockers = tuple(b for b in blockers if b is not None)
        self._fixed_notes = (*(n for n in notes if n is not None), *calendar_notes)
        self._timed_partner = bool(self._partner.caps or self._partner.contact_caps)
        # The invoice cap rule only where the policy caps invoices on this channel.
        self._invoice_time_rules = (
            INVOICE_TIME_RULES
            if caps_on(policy, channel, "invoice")
            else tuple(r for r in INVOICE_TIME_RULES if r is not invoice_frequency_cap)
        )
        self._contact_keys = (
            contact_keys(partner, self._partner.choice.recipients)
            if self._partner.contact_caps
            else {}
        )
        self._fact_blocked = any(b.clears_at is None for b in self._fixed_blockers)
        self._facts_memo: dict[int, tuple[InvoiceFacts, tuple[Blocker, ...]]] = {}
        self._schedule_memo: tuple[dt.datetime, Schedule, tuple[Blocker, ...]] | None = None
        self._reach_memo: tuple[OutreachState, dt.datetime, Reach] | None = None
        self._everyone = Reach(chosen)
        self._cadence_memo: (
            tuple[OutreachState, dt.datetime, dict[PartnerTimeRule, tuple[Blocker, ...]]] | None
        ) = None

    @property
    def recipients(self) -> tuple[Recipient, ...]:
        """The recipients this channel reaches at the partner (empty if none qualifies)."""
        return self._partner.choice.recipients

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
        credit: MoneyBag | None = None,
    ) -> OutreachDecision:
        """The decision for ``invoices`` (one invoice or the partner's open invoices) at ``at``.

        ``credit`` is the partner's unspent customer credit per currency
        (:func:`stuut_domain.owed.available_credit`): it lowers the net balance that
        ``credit_covers_balance`` reads, for one invoice as for several (ADR 0046).

        ``at`` must be timezone-aware (:class:`~stuut_domain.errors.NaiveDatetime`) and within
        the engine's calendar, ``EARLIEST``..``LATEST`` of ``outreach.schedule``
        (:class:`~stuut_domain.errors.InstantOutOfRange`: the engine looks days around it); an
        invoice that names another partner raises :class:`~stuut_domain.errors.PartnerMismatch`.
        Dates on the invoices and the partner beyond that calendar (``9999-12-31`` for
        "never", ``0001-01-01``) are read as its nearer end.
        """
        require_aware("at", at)
        try:
            now = at if at.tzinfo is UTC else at.astimezone(UTC)
        except OverflowError:
            now = LATEST + _ONE_DAY if at.year > 1 else EARLIEST - _ONE_DAY
        if not EARLIEST <= now <= LATEST:
            raise InstantOutOfRange("at", at, EARLIEST, LATEST)
        items: tuple[Invoice, ...] = (
            (invoices,)
            if type(invoices) is Invoice or isinstance(invoices, Invoice)
            else tuple(invoices)
        )
        chosen = self._partner.choice.recipients
        reached = self._reach(state, now)
        nets = balance(items) if len(items) > 1 or credit else None
        if credit and nets is not None:
            nets = nets - credit
        moment = Moment(now, state, items, nets, None if reached.recipients is chosen else reached)
        schedule = self._schedule_for(reached.recipients or chosen)
        blockers = self._partner_blockers(moment, schedule)
        notes = list(self._fixed_notes)
        if reached.recipients and reached.recipients is not chosen:
            notes += [Note(code="recipient_excluded", message=m) for m in reached.notes()]
        rows: list[tuple[str, list[Blocker]]] = []
        clear: list[str] = []
        held: list[list[Blocker]] = []
        for invoice in items:
            key = invoice_key(invoice)
            found = self._invoice_blockers(invoice, moment, notes)
            rows.append((key, found))
            if found:
                held.append(found)
            else:
                clear.append(key)
        eligible = not blockers and bool(clear)
        if eligible and held and self.policy.batching == "partner":
            clear, held = _batched(rows, notes)
        invoice_blockers = tuple(b for found in held for b in found)
        if clear:
            excluded = invoice_blockers
        else:
            blockers.extend(invoice_blockers)
            excluded = ()
        recipients = reached.recipients
        if eligible:
            next_at: dt.datetime | None = now
            if self._by_recipient and schedule is not None and len(recipients) > 1:
                recipients = self._working(recipients, schedule, now, notes)
        elif self._fact_blocked:
            next_at = None
        else:
            next_at = self._next_eligible(
                now, blockers, held, bool(clear), schedule=schedule, reached=reached
            )
        partner = self.partner
        return OutreachDecision(
            eligible=eligible,
            channel=self.channel,
            at=now,
            partner_id=partner.id,
            partner_name=partner.name,
            invoice_ids=tuple(clear),
            blockers=tuple(blockers),
            excluded=excluded,
            recipients=recipients,
            next_eligible_at=next_at,
            zone=self._zone_name,
            notes=tuple(notes),
        )

    def _reach(self, state: OutreachState, now: dt.datetime) -> Reach:
        """The recipients reachable at ``now`` under the state's consents and contact caps,
        computed once per state and instant (the last one is kept)."""
        chosen = self._partner.choice.recipients
        memo = self._reach_memo
        if memo is not None and memo[0] is state and memo[1] == now:
            return memo[2]
        if not self._timed_partner and not state.consents:
            return self._everyone  # nothing can leave a recipient out
        _check_no_future(state, self.partner.id, now, caps=self._timed_partner)
        reached = reach(
            chosen,
            channel=self.channel,
            state=state,
            caps=self._partner.contact_caps,
            now=now,
            keys=self._contact_keys,
        )
        # Held with its state, so the identity test cannot meet a recycled id.
        self._reach_memo = (state, now, reached)
        return reached

    def _schedule_for(self, recipients: tuple[Recipient, ...]) -> Schedule | None:
        """The schedule of a contact to ``recipients``: open when any of their calendars is."""
        if not self._by_recipient or recipients is self._partner.choice.recipients:
            return self._schedule
        key = tuple(r.address for r in recipients)
        if key not in self._group_schedules:
            calendars = [self._calendars[address] for address in key]
            self._group_schedules[key] = _schedule_of(self._workflow, _any_open(calendars))
        return self._group_schedules[key]

    def _working(
        self,
        recipients: tuple[Recipient, ...],
        schedule: Schedule,
        now: dt.datetime,
        notes: list[Note],
    ) -> tuple[Recipient, ...]:
        """The recipients whose own calendar keeps the day open; the others are left out."""
        day = schedule.position(now).owning_day
        kept: list[Recipient] = []
        for recipient in recipients:
            own = self._by_recipient.get(recipient.address)
            closed = None if own is None else own.closed(day)
            if closed is None:
                kept.append(recipient)
            else:
                notes.append(
                    Note(code="recipient_excluded", message=f"{recipient.address}: {closed}")
                )
        return tuple(kept)

    def _partner_blockers(self, moment: Moment, schedule: Schedule | None) -> list[Blocker]:
        """The partner-level blockers at the moment, in rule order."""
        blockers = list(self._fixed_blockers)
        if not self._partner.caps and moment.reach is None:
            # No cap or consent can block: the cadence rules would find nothing.
            if moment.state.pauses or self._partner.gap:
                for plain_rule in _PLAIN_PARTNER_TIME_RULES:
                    blockers.extend(plain_rule(self._partner, moment))
        else:
            cached = self._cadence_memo
            if cached is None or cached[0] is not moment.state or cached[1] != moment.now:
                found = {rule: rule(self._partner, moment) for rule in CADENCE_RULES}
                # Held with its state, so the identity test cannot meet a recycled id.
                cached = self._cadence_memo = (moment.state, moment.now, found)
            for time_rule, is_cadence in _PARTNER_TIME_PLAN:
                if is_cadence:
                    blockers.extend(cached[2][time_rule])
                else:
                    blockers.extend(time_rule(self._partner, moment))
        memo = self._schedule_memo
        if memo is not None and memo[0] == moment.now and memo[1] is schedule:
            blockers.extend(memo[2])
        elif schedule is not None:
            blockers.extend(self._schedule_blockers(schedule, moment.now))
        for set_rule in INVOICE_SET_RULES:
            blocker = set_rule(moment)
            if blocker is not None:
                blockers.append(blocker)
        return blockers

    def _schedule_blockers(self, schedule: Schedule, now: dt.datetime) -> tuple[Blocker, ...]:
        """The schedule rules' blockers at ``now``, into the cache of the last instant asked."""
        where = schedule.position(now)
        found: tuple[Blocker, ...] = ()
        if not where.in_window or not schedule.opens_on(where.owning_day):
            wall = wall_facts(schedule, self._workflow, now, where)
            found = tuple(b for b in (rule(wall) for rule in SCHEDULE_RULES) if b is not None)
        self._schedule_memo = (now, schedule, found)
        return found

    def _read_invoice(self, invoice: Invoice) -> tuple[InvoiceFacts, tuple[Blocker, ...]]:
        """The invoice's facts and the blockers of its invoice rules, into the cache."""
        facts = invoice_facts(invoice, self.policy, self._workflow.zone.zone, self.channel)
        fixed = (rule(facts) for rule in INVOICE_RULES)
        entry = (facts, tuple(b for b in fixed if b is not None))
        memo = self._facts_memo
        if len(memo) >= _MEMO_INVOICES:
            memo.clear()
        memo[id(invoice)] = entry
        return entry

    def _invoice_blockers(
        self, invoice: Invoice, moment: Moment, notes: list[Note]
    ) -> list[Blocker]:
        """The invoice's blockers at the moment, in rule order; its notes go to ``notes``."""
        pid = self.partner.id
        if pid is not None and invoice.partner_id is not None and invoice.partner_id != pid:
            raise PartnerMismatch(invoice_key(invoice), invoice.partner_id, pid)
        entry = self._facts_memo.get(id(invoice))
        if entry is None or entry[0].invoice is not invoice:
            entry = self._read_invoice(invoice)
        facts, fixed = entry
        found = list(fixed)
        for rule in self._invoice_time_rules:
            blocker = rule(facts, moment)
            if blocker is not None:
                found.append(blocker)
        note = promise_broken(facts, moment)
        if note is not None:
            notes.append(note)
        return found

    def _next_eligible(
        self,
        now: dt.datetime,
        blockers: list[Blocker],
        held: list[list[Blocker]],
        any_clear: bool,
        *,
        schedule: Schedule | None,
        reached: Reach,
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
            if blocker.code not in SCHEDULE_CODES and blocker.clears_at > start:
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
        if schedule is None:
            return start
        if not self._by_recipient:
            return schedule.next_opening(start)
        # Per recipient: the first opening of its own days once it is free (ADR 0050). Before
        # the earliest of these, every free recipient's day is closed; at it, one is open.
        withdrawn = {r.address for r, _ in reached.withdrawn}
        free = {r.address: within_calendar(utc(hit.clears_at)) for r, hit in reached.capped}
        openings = [
            opening
            for recipient in self._partner.choice.recipients
            if recipient.address not in withdrawn
            and (own := self._by_recipient.get(recipient.address)) is not None
            and (opening := own.next_opening(max(start, free.get(recipient.address, start))))
            is not None
        ]
        return min(openings, default=None)


def _batched(
    rows: list[tuple[str, list[Blocker]]], notes: list[Note]
) -> tuple[list[str], list[list[Blocker]]]:
    """Under ``batching="partner"``: an invoice held only by its own cadence (``invoice_gap``)
    rides along with a contact that goes out anyway, so the partner's due invoices share one
    cadence instead of drifting apart (ADR 0054)."""
    riders = [key for key, found in rows if found and all(b.code == "invoice_gap" for b in found)]
    if not riders:
        return [key for key, found in rows if not found], [found for _, found in rows if found]
    notes.append(
        Note(
            code="batched",
            message=(
                f"{len(riders)} more invoice(s) ({', '.join(riders)}) go in the same contact "
                "although their own gap has not passed: the partner's due invoices share one "
                "contact"
            ),
        )
    )
    chosen = set(riders)
    clear = [key for key, found in rows if not found or key in chosen]
    held = [found for key, found in rows if found and key not in chosen]
    return clear, held


def decide_outreach(
    invoices: Invoice | Iterable[Invoice],
    *,
    partner: Partner,
    workflow: Workflow,
    channel: OutreachChannel,
    at: dt.datetime,
    policy: OutreachPolicy = DEFAULT_POLICY,
    state: OutreachState = EMPTY_STATE,
    credit: MoneyBag | None = None,
) -> OutreachDecision:
    """May ``channel`` outreach reach ``partner`` about ``invoices`` at ``at``, and if not, why?

    Pure and deterministic: the same inputs give the same decision. ``invoices`` is one
    invoice or the partner's open invoices; ``at`` must be timezone-aware; ``credit`` is the
    partner's unspent customer credit (see :meth:`OutreachContext.decide`). See the module
    docstring for the rules and :class:`OutreachDecision` for the answer's shape.
    """
    context = OutreachContext(partner=partner, workflow=workflow, channel=channel, policy=policy)
    return context.decide(invoices, at=at, state=state, credit=credit)


class PartnerInvoices(NamedTuple):
    """One partner of a portfolio and the invoices that belong to it, in the order given."""

    partner: Partner
    invoices: tuple[Invoice, ...]


def invoices_by_partner(
    invoices: Iterable[Invoice], partners: Mapping[str, Partner] | Iterable[Partner]
) -> dict[str, PartnerInvoices]:
    """The invoices of each partner, by partner id in id order.

    An invoice belongs to the partner its ``partner_id`` names in ``partners`` (by id, or an
    iterable of partners), else to the partner it embeds when that partner has the same id
    (or the invoice names no ``partner_id``). An invoice whose partner cannot be told that
    way (no partner named or embedded, or one id named and another embedded) belongs to no
    partner and is left out: deciding it for either would contact the wrong customer.
    """
    index = partners_by_id(partners)
    grouped: dict[str, list[Invoice]] = {}
    for invoice in invoices:
        pid = invoice.partner_id or (None if invoice.partner is None else invoice.partner.id)
        if pid is None:
            continue
        partner = index.get(pid)
        if partner is None:
            embedded = invoice.partner
            if embedded is None or embedded.id != pid:
                continue
            partner = index.setdefault(pid, embedded)
        grouped.setdefault(pid, []).append(invoice)
    return {pid: PartnerInvoices(index[pid], tuple(grouped[pid])) for pid in sorted(grouped)}


def decide_for_portfolio(
    invoices: Iterable[Invoice],
    *,
    partners: Mapping[str, Partner] | Iterable[Partner],
    workflow: Workflow,
    at: dt.datetime,
    channels: Sequence[OutreachChannel] = ("email",),
    policy: OutreachPolicy = DEFAULT_POLICY,
    state: OutreachState | None = None,
    credits: Mapping[str, MoneyBag] | None = None,
) -> tuple[OutreachDecision, ...]:
    """One outreach decision per partner with an open receivable and per channel, at ``at``.

    The business rule: a portfolio is chased partner by partner. Invoices belong to partners
    as :func:`invoices_by_partner` says (``partners`` by id or as an iterable; an invoice of
    no known partner is left out). A partner is decided only when at least one of its
    invoices is an open receivable (:func:`stuut_domain.receivables.is_open_receivable`), and
    the decision is about all of its invoices: those that may not be chased are excluded with
    their reasons. Partners come in id order, and for each the ``channels`` in the order
    given, all read against one ``state``, by default the outreach the invoices record
    (:meth:`OutreachState.from_invoices`). ``credits`` holds each partner's unspent customer
    credit by partner id (see :meth:`OutreachContext.decide`). Pure: nothing is recorded or
    sent.
    """
    items = tuple(invoices)
    known = OutreachState.from_invoices(items) if state is None else state
    decisions = []
    for group in invoices_by_partner(items, partners).values():
        if not any(is_open_receivable(i) for i in group.invoices):
            continue
        for channel in channels:
            context = OutreachContext(
                partner=group.partner, workflow=workflow, channel=channel, policy=policy
            )
            credit = None if credits is None else credits.get(str(group.partner.id))
            decisions.append(context.decide(group.invoices, at=at, state=known, credit=credit))
    return tuple(decisions)
