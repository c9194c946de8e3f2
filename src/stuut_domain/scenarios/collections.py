"""A stochastic collections simulation: outreach drives contacts, the behaviour model draws
payments, payments go through the allocation rules and change what outreach reads next.

:func:`simulate_collections` runs the book ``runs`` times over ``weeks`` weeks from ``start``
(ADR 0064). Weeks are calendar weeks, Monday to Sunday, as in
:func:`~stuut_domain.portfolio.expected_collections`: week 0 is the week of ``start``'s UTC
date (partial when ``start`` is not a Monday), and the run ends with the last Sunday of week
``weeks - 1``. Each run steps through days ``[start + k days, start + k + 1 days)``, day ``k``
being the UTC date ``start`` + k:

1. **Outreach.** For every partner (in id order) and channel, the outreach engine
   (:class:`~stuut_domain.outreach.engine.OutreachContext`, all its rules) decides on the
   partner's invoices as they stand that day, event-driven as in
   :func:`~stuut_domain.outreach.simulate_outreach`: asked again at ``next_eligible_at``, never
   sooner than one day after a contact, and asked afresh the day after its invoices changed.
   A contact is recorded in the partner's outreach state.
2. **Payments.** Every open receivable (pending allocations deducted,
   :func:`~stuut_domain.lifecycle.pending_amount_remaining`) draws a payment from its
   segment's :class:`~stuut_domain.scenarios.PaymentBehaviour`, on its day from due, with the
   lift of the contacts about it in their windows. Draws use common random numbers: each
   invoice has its own seeded stream (``random.Random("seed|run|invoice id")``) and pays when
   its cumulated hazard ``Σ -ln(1 - p)`` passes an exponential threshold drawn from that
   stream, so two policies with the same seed draw the same thresholds, and a policy that
   changes no hazard changes no payment.
3. **Allocation.** Each payment (its amount in the invoice's currency, received at the last
   microsecond of the day's UTC date) goes through
   :func:`~stuut_domain.allocation.allocate_payment` by ``rule``: ``matched`` (default: the
   remittance names the invoice the payment was drawn for, approved), ``oldest_due_first``
   or ``proportional`` (over the partner's open invoices in that currency), and
   :func:`~stuut_domain.allocation.apply_result` writes it to the invoices. What a rule
   leaves unplaced is unapplied credit, reported per currency.

4. **Measures.** At the end of each week's Sunday the book's DSO per currency
   (:func:`~stuut_domain.portfolio.days_sales_outstanding`).

Money is exact and accounted for: a payment never exceeds what is left to pay, so the cash
collected per currency never exceeds what was open at the start, and each run's ledger
(:class:`PaymentFate`) places every drawn unit on an invoice, in unapplied credit or in a
refund, matching the final book. Promises (``promised_to_pay_date``) hold outreach as the
engine rules; with ``promise_kept`` a kept promise is paid in full on the promised date (and
draws no payment before it), and
every run reports each promise's outcome (:data:`PROMISE_OUTCOMES`).

Reports give exact amounts per run and percentiles over runs by the nearest-rank rule
(each percentile is one run's exact amount).
Every ``records()`` row carries each amount twice: ``<name>`` as an exact ``Decimal`` and
``<name>_float`` as a ``float`` for plotting.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import ClassVar, Final

import attrs

from stuut_domain.allocation import AllocationRule, ApprovalPolicy, allocate_payment, apply_result
from stuut_domain.display import Report, short_repr
from stuut_domain.errors import InvalidScenario
from stuut_domain.invoice import Invoice
from stuut_domain.lifecycle import due_day, pending_amount_remaining
from stuut_domain.money import Money
from stuut_domain.outreach.decision import OutreachDecision, invoice_key
from stuut_domain.outreach.engine import OutreachContext, invoices_by_partner
from stuut_domain.outreach.policy import DEFAULT_POLICY, OutreachPolicy
from stuut_domain.outreach.state import OutreachState
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment
from stuut_domain.portfolio import days_sales_outstanding, week_monday
from stuut_domain.receivables import is_open_receivable, issue_date_of
from stuut_domain.scenarios.behaviour import BehaviourBook, PaymentBehaviour
from stuut_domain.types import OUTREACH_CHANNELS, OutreachChannel
from stuut_domain.validators import require_aware
from stuut_domain.workflow import Workflow

__all__ = [
    "COLLECTION_CODES",
    "MAX_RUNS",
    "MAX_WEEKS",
    "PROMISE_OUTCOMES",
    "CollectionsRun",
    "CollectionsSimulation",
    "PaymentFate",
    "percentile",
    "simulate_collections",
]

#: Reasons the collections simulation gives for an open invoice never contacted in a run.
COLLECTION_CODES: Final[Mapping[str, str]] = {
    "paid_before_contact": "paid in full before any contact was due",
    "unknown_partner": "the invoice's partner is not in the portfolio: no decision can be made",
    "after_range": "the next contact would fall after the simulated range",
}

#: What became of a promise to pay (``promised_to_pay_date`` of an invoice open at the start)
#: in a run. Its deadline is the promised date plus the outreach policy's
#: ``promise_grace_days`` (the day the engine's hold ends); payments count on their UTC date.
PROMISE_OUTCOMES: Final[Mapping[str, str]] = {
    "kept": "what was open at the start was allocated to the invoice by the deadline",
    "partially_kept": "some, not all, of what was open was allocated to it by the deadline",
    "broken": "nothing was allocated to it by a deadline within the simulated range",
    "pending": "the deadline falls after the simulated range and it is not yet paid",
    "broken_before_start": "the deadline had passed before the start (outreach resumed)",
}

_DAY: Final = dt.timedelta(days=1)
_LAST: Final = dt.timedelta(microseconds=1)
_APPROVE_ALL: Final = ApprovalPolicy(threshold=1.0)


def _refuse(code: str, path: str, message: str, **values: object) -> InvalidScenario:
    return InvalidScenario(code, path, message, **values)


def percentile(values: Sequence[int], q: int) -> int:
    """The ``q``-th percentile (0..100) of ``values`` by the nearest-rank rule: the smallest
    value with at least ``q`` % of the values at or below it (the minimum for ``q=0``)."""
    if not values:
        raise _refuse("no_values", "values", "a percentile needs at least one value")
    if type(q) is not int or not 0 <= q <= 100:
        raise _refuse("percentile", "q", "a percentile is an int within 0..100", value=q)
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered) / 100))
    return ordered[rank - 1]


@attrs.frozen(kw_only=True, weakref_slot=False)
class PaymentFate:
    """What became of one drawn payment, in minor units of its ``currency``.

    Business rule (money is conserved to the minor unit): ``drawn`` equals the sum of
    ``allocated`` (invoice key to the units its balance went down by, as the allocation
    rule placed them) plus ``unapplied`` (credit the rule left unplaced, held for the
    partner) plus ``refunded`` (what the payment itself records as refunded). Figures are
    read from the allocation result, not derived from one another, so a leak shows.
    """

    payment_id: str
    at: dt.datetime
    drawn_for: str
    currency: str
    drawn: int
    allocated: Mapping[str, int]
    unapplied: int
    refunded: int


@attrs.frozen(kw_only=True, weakref_slot=False)
class CollectionsRun:
    """One run: the cash collected per (week, currency) in minor units, contacts, payments.

    ``contacts`` lists ``(instant, partner id, channel, invoice ids)``; ``payments``
    ``(instant, invoice id the payment was drawn for, amount)``; ``never_reached`` maps each
    invoice open at the start and never contacted to its code (an engine blocker code or one
    of :data:`COLLECTION_CODES`); ``unapplied`` the credit the rule left unplaced.
    ``ledger`` says, per payment in draw order, where its money went (:class:`PaymentFate`);
    ``final_due`` is the final book: ``amount_due`` in minor units of every invoice of a
    known partner at the end of the run (an invoice's opening ``amount_due`` less what the
    ledger allocated to it). ``dso`` maps ``(week, currency)`` to the simulated book's days
    sales outstanding on the week's last day, after its payments, by
    :func:`~stuut_domain.portfolio.days_sales_outstanding` (``None`` with no sales).
    ``promises`` maps each invoice open at the start with a ``promised_to_pay_date`` to its
    outcome, one of :data:`PROMISE_OUTCOMES`. ``contact_currencies`` counts, per currency, the
    contacts that named at least one invoice in it (a contact about two currencies counts
    in both).
    """

    run: int
    cash: Mapping[tuple[int, str], int]
    contacts: tuple[tuple[dt.datetime, str, OutreachChannel, tuple[str, ...]], ...]
    payments: tuple[tuple[dt.datetime, str, Money], ...]
    never_reached: Mapping[str, str]
    unapplied: Mapping[str, int]
    ledger: tuple[PaymentFate, ...] = ()
    final_due: Mapping[str, int] = attrs.field(factory=dict)
    dso: Mapping[tuple[int, str], Decimal | None] = attrs.field(factory=dict)
    promises: Mapping[str, str] = attrs.field(factory=dict)
    contact_currencies: Mapping[str, int] = attrs.field(factory=dict)

    def collected(self, currency: str) -> Money:
        """All the cash of this run in ``currency``."""
        return Money(sum(v for (_, c), v in self.cash.items() if c == currency), currency)

    def flows(self) -> dict[str, dict[str, int]]:
        """Per currency (code order), the run's money in minor units: ``drawn``,
        ``allocated``, ``unapplied`` and ``refunded`` summed over the ledger. Conserved:
        ``drawn == allocated + unapplied + refunded`` in every currency."""
        out: dict[str, dict[str, int]] = {}
        for fate in self.ledger:
            row = out.setdefault(
                fate.currency, {"drawn": 0, "allocated": 0, "unapplied": 0, "refunded": 0}
            )
            row["drawn"] += fate.drawn
            row["allocated"] += sum(fate.allocated.values())
            row["unapplied"] += fate.unapplied
            row["refunded"] += fate.refunded
        return dict(sorted(out.items()))

    def promise_counts(self) -> dict[str, int]:
        """How many promises had each outcome (every code of :data:`PROMISE_OUTCOMES`)."""
        counts = dict.fromkeys(PROMISE_OUTCOMES, 0)
        for outcome in self.promises.values():
            counts[outcome] += 1
        return counts

    def allocated_to(self) -> dict[str, int]:
        """Per invoice key, the minor units the run's payments allocated to it."""
        out: dict[str, int] = {}
        for fate in self.ledger:
            for key, units in fate.allocated.items():
                out[key] = out.get(key, 0) + units
        return dict(sorted(out.items()))


@attrs.define
class _Lane:
    context: OutreachContext
    next_at: dt.datetime | None
    last: OutreachDecision | None = None


@attrs.define
class _Clock:
    """One invoice's payment clock: its stream, threshold and cumulated hazard."""

    stream: random.Random
    threshold: float
    spent: float = 0.0


def _threshold(stream: random.Random) -> float:
    return -math.log(1.0 - stream.random())


def _part(left: int, behaviour: PaymentBehaviour) -> int:
    """A part payment of ``left`` minor units: rounded half even, at least one unit, and
    leaving at least one."""
    share = left * behaviour.partial_fraction
    units = round(share)
    return min(max(units, 1), left - 1)


def _chased(items: Sequence[Invoice]) -> list[Invoice]:
    """The invoices outreach and payments read: the open receivables, and the credits
    (negative ``amount_due``) that lower the partner's balance. Paid, void and draft invoices
    change no decision (the engine leaves them out) and draw no payment."""
    return [i for i in items if is_open_receivable(i) or i.amount_due.is_negative()]


def _code_of(decision: OutreachDecision | None, key: str) -> str:
    """The blocker that kept ``key`` out of a partner's last decision: its own invoice blocker,
    else the partner's; one only a change of facts clears beats one that clears in time."""
    if decision is None:
        return "after_range"
    own = [b for b in decision.excluded if b.invoice_id == key]
    pool = own or [b for b in decision.blockers if b.invoice_id in (None, key)]
    if not pool:
        return "after_range"
    fact = [b for b in pool if b.clears_at is None]
    if fact:
        return fact[0].code
    return max(pool, key=lambda b: b.clears_at or dt.datetime.min.replace(tzinfo=dt.UTC)).code


@attrs.frozen(kw_only=True, weakref_slot=False)
class _Setup:
    start: dt.datetime
    days: int
    first_week: dt.date
    seed: int
    workflow: Workflow
    policy: OutreachPolicy
    channels: tuple[OutreachChannel, ...]
    rule: AllocationRule
    behaviour: BehaviourBook
    groups: Mapping[str, tuple[Partner, tuple[Invoice, ...]]]
    orphans: tuple[str, ...]
    #: The invoices of no known partner, by ``unknown:<partner id>``: never chased (there is
    #: no partner to contact), they still draw payments, so the cash matches the forecast.
    silent: Mapping[str, tuple[Invoice, ...]] = attrs.field(factory=dict)
    dso_period_days: int = 90
    dso_rows: Mapping[str, tuple[int, ...]] = attrs.field(factory=dict)
    promise_kept: float | None = None

    def week_of(self, day: dt.date) -> int:
        """The calendar week (from :attr:`first_week`, the Monday of the start) ``day`` is in."""
        return (day - self.first_week).days // 7


#: Decisions kept across runs before the cache is emptied (bounds its memory).
_DECISIONS_KEPT: Final = 100_000
#: Outreach states (contact histories) kept across runs: past it, between two runs, every
#: history but the first run's is forgotten (:meth:`_Shared.trim`). A state holds its
#: partner's whole contact history; unbounded they grew by about 2.5 MB a run on the sample
#: (200 runs: 548 MiB peak, 1,000 runs: gigabytes); bounded, 200 runs peak at 370 MiB for
#: about 13 % more CPU (24.6 s against 21.7 s, one loaded run). Each state is a pure function
#: of its history, rebuilt when a later run needs it again.
_STATES_KEPT: Final = 25_000

_Signature = tuple[tuple[str, int, int], ...]


def _signature(items: Sequence[Invoice]) -> _Signature:
    """What the simulation can change on a partner's chased invoices: key, due, paid."""
    return tuple(
        (invoice_key(i), i.amount_due.minor_units, i.amount_paid_or_zero.minor_units) for i in items
    )


@attrs.define
class _Shared:
    """What the runs of one simulation share, each entry a pure function of its key (caches,
    not state): the engine contexts, the outreach state after each contact history, and the
    decisions by their inputs (partner, lane, instant, invoice signature, history). Runs agree
    until a partner's first payment differs, so early decisions are made once for all runs."""

    contexts: dict[str, list[OutreachContext]]
    states: dict[tuple[str, int], OutreachState]
    nodes: dict[tuple[str, int, dt.datetime, str, tuple[str, ...], tuple[str, ...]], int] = (
        attrs.field(factory=dict)
    )
    decisions: dict[tuple[str, int, dt.datetime, _Signature, int], OutreachDecision] = attrs.field(
        factory=dict
    )
    #: The last node id given (ids are never reused, so a trimmed cache cannot mix them up).
    last_node: int = 0
    #: The nodes of the first run: every run shares them until its payments differ.
    trunk: int | None = None

    @classmethod
    def of(cls, setup: _Setup) -> _Shared:
        contexts = {
            pid: [
                OutreachContext(
                    partner=partner, workflow=setup.workflow, channel=c, policy=setup.policy
                )
                for c in setup.channels
            ]
            for pid, (partner, _) in setup.groups.items()
        }
        states = {
            (pid, 0): OutreachState.from_invoices(items) for pid, (_, items) in setup.groups.items()
        }
        return cls(contexts=contexts, states=states)

    def trim(self) -> None:
        """Between runs: past :data:`_STATES_KEPT` states, forget every contact history
        but the first run's (the trunk later runs share until their payments differ), and
        the decisions made on the histories forgotten."""
        if self.trunk is None:
            self.trunk = self.last_node
        if len(self.states) <= _STATES_KEPT:
            return
        trunk = self.trunk
        self.states = {key: state for key, state in self.states.items() if key[1] <= trunk}
        self.nodes = {key: node for key, node in self.nodes.items() if node <= trunk}
        self.decisions = {key: d for key, d in self.decisions.items() if key[4] <= trunk}

    def decide(
        self,
        pid: str,
        lane: int,
        invoices: Sequence[Invoice],
        *,
        sig: _Signature,
        node: int,
        at: dt.datetime,
    ) -> OutreachDecision:
        """The engine's decision for these inputs, made once."""
        key = (pid, lane, at, sig, node)
        found = self.decisions.get(key)
        if found is None:
            context = self.contexts[pid][lane]
            found = context.decide(invoices, at=at, state=self.states[(pid, node)])
            if len(self.decisions) >= _DECISIONS_KEPT:
                self.decisions.clear()
            self.decisions[key] = found
        return found

    def after(self, pid: str, node: int, decision: OutreachDecision, at: dt.datetime) -> int:
        """The history node after recording ``decision``'s contact (its state built once)."""
        recipients = tuple(r.address for r in decision.recipients)
        key = (pid, node, at, decision.channel, decision.invoice_ids, recipients)
        found = self.nodes.get(key)
        if found is None:
            self.last_node += 1
            found = self.nodes[key] = self.last_node
            self.states[(pid, found)] = self.states[(pid, node)].record(
                partner_id=pid,
                channel=decision.channel,
                sent_at=at,
                to=recipients,
                invoice_ids=decision.invoice_ids,
            )
        return found


@attrs.define
class _Run:
    """One seeded run of the day loop (see the module docstring): its mutable book."""

    setup: _Setup
    shared: _Shared
    run: int
    book: dict[str, list[Invoice]] = attrs.field(init=False)
    chased: dict[str, list[Invoice]] = attrs.field(init=False)
    sigs: dict[str, _Signature] = attrs.field(init=False)
    nodes: dict[str, int] = attrs.field(init=False)
    lanes: dict[str, list[_Lane]] = attrs.field(init=False)
    clocks: dict[str, _Clock] = attrs.field(factory=dict)
    contacted: dict[str, dict[OutreachChannel, int]] = attrs.field(factory=dict)
    cash: dict[tuple[int, str], int] = attrs.field(factory=dict)
    unapplied: dict[str, int] = attrs.field(factory=dict)
    contacts: list[tuple[dt.datetime, str, OutreachChannel, tuple[str, ...]]] = attrs.field(
        factory=list
    )
    payments: list[tuple[dt.datetime, str, Money]] = attrs.field(factory=list)
    ledger: list[PaymentFate] = attrs.field(factory=list)
    dso: dict[tuple[int, str], Decimal | None] = attrs.field(factory=dict)
    keeps: dict[str, dt.date] = attrs.field(factory=dict)
    paid_in_full: set[str] = attrs.field(factory=set)

    def __attrs_post_init__(self) -> None:
        setup = self.setup
        self.book = {pid: list(g[1]) for pid, g in setup.groups.items()}
        self.book.update((key, list(items)) for key, items in setup.silent.items())
        self.chased = {pid: _chased(items) for pid, items in self.book.items()}
        self.sigs = {pid: _signature(items) for pid, items in self.chased.items()}
        self.nodes = dict.fromkeys(self.book, 0)
        self.lanes = {
            pid: [_Lane(context=c, next_at=setup.start) for c in self.shared.contexts[pid]]
            for pid in setup.groups
        }
        self.lanes.update((key, []) for key in setup.silent)
        if setup.promise_kept is not None:
            first = setup.start.date()
            for items in self.book.values():
                for item in items:
                    promised = item.promised_to_pay_date
                    if promised is None or promised < first or not is_open_receivable(item):
                        continue
                    key = invoice_key(item)
                    # Its own stream, apart from the payment clock's (common random numbers).
                    stream = random.Random(f"{setup.seed}|{self.run}|{key}|promise")  # noqa: S311
                    if stream.random() < setup.promise_kept:
                        self.keeps[key] = promised

    def go(self) -> CollectionsRun:
        for day in range(self.setup.days):
            day_start = self.setup.start + day * _DAY
            for pid in self.book:
                self._outreach(pid, day, day_start)
            for pid in self.book:
                self._payments(pid, day, day_start)
            today = day_start.date()
            if today.weekday() == 6:  # Sunday: the week's last day
                self._measure(self.setup.week_of(today), today)
        return self._result()

    def _measure(self, week: int, on: dt.date) -> None:
        """The book's DSO per currency at the end of ``on`` (the week's last day).

        Read on the invoices that can count (:func:`_counts_for_dso`): the others add nothing
        to any week's receivables or sales, so the figures are those of the whole book."""
        rows = self.setup.dso_rows
        book = [items[k] for pid, items in self.book.items() for k in rows[pid]]
        report = days_sales_outstanding(book, as_of=on, period_days=self.setup.dso_period_days)
        for figure in report.figures:
            self.dso[(week, figure.currency)] = figure.days

    def _outreach(self, pid: str, day: int, day_start: dt.datetime) -> None:
        """The partner's lanes decide in instant order until none is due before the day ends."""
        day_end = day_start + _DAY
        lanes = self.lanes[pid]
        while True:
            ready = [
                (lane.next_at, i)
                for i, lane in enumerate(lanes)
                if lane.next_at is not None and lane.next_at < day_end
            ]
            if not ready:
                return
            when, index = min(ready)
            lane = lanes[index]
            at = max(when, day_start)
            decision = self.shared.decide(
                pid, index, self.chased[pid], sig=self.sigs[pid], node=self.nodes[pid], at=at
            )
            lane.last = decision
            if not decision.eligible:
                following = decision.next_eligible_at
                if following is not None and following <= at:
                    following = at + dt.timedelta(minutes=1)
                lane.next_at = following
                continue
            channel = lane.context.channel
            self.nodes[pid] = self.shared.after(pid, self.nodes[pid], decision, at)
            self.contacts.append((at, pid, channel, decision.invoice_ids))
            for invoice_id in decision.invoice_ids:
                self.contacted.setdefault(invoice_id, {})[channel] = day
            after = self.shared.decide(
                pid, index, self.chased[pid], sig=self.sigs[pid], node=self.nodes[pid], at=at
            )
            lane.last = after
            following = after.next_eligible_at
            lane.next_at = None if following is None else max(following, at + _DAY)

    def _draw(self, invoice: Invoice, day: int, today: dt.date) -> Money | None:
        """The payment ``invoice`` receives today, if its clock runs out (see the module).

        The cheap readings come first (the day's hazard), what is left to pay only once the
        clock has run out."""
        due = due_day(invoice)
        if due is None:
            return None
        key = invoice_key(invoice)
        behaviour = self.setup.behaviour.for_invoice(invoice)
        offset = (today - due).days
        if behaviour.hazard(offset) <= 0.0:
            return None
        touched = self.contacted.get(key)
        lift = 1.0 if touched is None else behaviour.lift({c: day - d for c, d in touched.items()})
        p = behaviour.probability(offset, lift)
        if p <= 0.0:
            return None
        clock = self.clocks.get(key)
        if clock is None:
            # Seeded simulation, not cryptography: the stream must be reproducible.
            stream = random.Random(f"{self.setup.seed}|{self.run}|{key}")  # noqa: S311
            clock = self.clocks[key] = _Clock(stream=stream, threshold=_threshold(stream))
        clock.spent += math.inf if p >= 1.0 else -math.log1p(-p)
        if clock.spent < clock.threshold:
            return None
        left = pending_amount_remaining(invoice)
        if not left.is_positive():
            return None
        full = clock.stream.random() < behaviour.full_share
        clock.spent, clock.threshold = 0.0, _threshold(clock.stream)
        units = left.minor_units
        if not full and units >= 2:
            units = _part(units, behaviour)
        return Money(units, invoice.currency)

    def _payments(self, pid: str, day: int, day_start: dt.datetime) -> None:
        """Every chased invoice of the partner draws today's payment; each is allocated."""
        day_end = day_start + _DAY
        today = day_start.date()
        # The last microsecond of the day's UTC date, so a payment is dated the day it is drawn
        # for (a start at noon would otherwise stamp it on the next morning).
        pay_at = dt.datetime.combine(today + _DAY, dt.time(), tzinfo=dt.UTC) - _LAST
        changed = False
        for invoice in self.chased[pid]:
            if not invoice.amount_due.is_positive():
                continue
            if invoice.issued_at is None or invoice.issued_at > pay_at:
                continue
            kept = self.keeps.get(invoice_key(invoice)) if self.keeps else None
            if kept is not None and kept >= today:
                # A promise the run keeps: paid in full on its date, and nothing before it.
                left = pending_amount_remaining(invoice)
                amount = left if kept == today and left.is_positive() else None
            else:
                amount = self._draw(invoice, day, today)
            if amount is None:
                continue
            self._pay(pid, invoice, amount, pay_at)
            week = self.setup.week_of(today)
            self.cash[(week, amount.code)] = self.cash.get((week, amount.code), 0) + (
                amount.minor_units
            )
            self.payments.append((pay_at, invoice_key(invoice), amount))
            changed = True
        if changed:
            self.chased[pid] = _chased(self.book[pid])
            self.sigs[pid] = _signature(self.chased[pid])
            for item in self.book[pid]:
                if not is_open_receivable(item):
                    self.paid_in_full.add(invoice_key(item))
            for lane in self.lanes[pid]:
                if lane.next_at is None or lane.next_at > day_end:
                    lane.next_at = day_end

    def _pay(self, pid: str, invoice: Invoice, amount: Money, at: dt.datetime) -> None:
        """One payment of ``amount`` allocated by the setup's rule onto the partner's book."""
        setup = self.setup
        items = self.book[pid]
        payment = Payment(
            id=f"sim-{setup.seed}-{self.run}-{len(self.payments)}",
            amount=amount,
            currency=amount.code,
            partner_id=invoice.partner_id if pid in setup.silent else pid,
            timestamp=at,
            status="simulated",
        )
        if setup.rule is AllocationRule.MATCHED:
            targets = [invoice]
            result = allocate_payment(
                payment,
                targets,
                rule=AllocationRule.MATCHED,
                at=at,
                amounts={str(invoice.id): amount},
                confidence=1.0,
                approval=_APPROVE_ALL,
            )
        else:
            targets = [
                i
                for i in items
                if is_open_receivable(i)
                and i.currency == amount.code
                and i.id is not None
                and i.issued_at is not None
                and i.issued_at <= at  # nothing is paid before it is issued
            ]
            result = allocate_payment(
                payment, targets, rule=setup.rule, at=at, confidence=1.0, approval=_APPROVE_ALL
            )
        updated = {i.id: i for i in apply_result(result, targets, at=at)}
        self.book[pid] = [updated.get(i.id, i) for i in items]
        if result.unapplied.is_positive():
            code = amount.code
            self.unapplied[code] = self.unapplied.get(code, 0) + result.unapplied.minor_units
        allocated: dict[str, int] = {}
        for line in result.lines:
            if line.approved:
                allocated[line.invoice_id] = (
                    allocated.get(line.invoice_id, 0) + line.amount.minor_units
                )
        refunded = result.payment.amount_refunded
        self.ledger.append(
            PaymentFate(
                payment_id=payment.id or "",
                at=at,
                drawn_for=invoice_key(invoice),
                currency=amount.code,
                drawn=amount.minor_units,
                allocated=allocated,
                unapplied=result.unapplied.minor_units,
                refunded=0 if refunded is None else refunded.minor_units,
            )
        )

    def _result(self) -> CollectionsRun:
        reached = {i for _, _, _, ids in self.contacts for i in ids}
        never: dict[str, str] = {}
        for pid, (_, start_items) in self.setup.groups.items():
            for invoice in start_items:
                key = invoice_key(invoice)
                if not is_open_receivable(invoice) or key in reached:
                    continue
                if key in self.paid_in_full:
                    never[key] = "paid_before_contact"
                else:
                    never[key] = _code_of(self.lanes[pid][0].last, key)
        for key in self.setup.orphans:
            never[key] = "unknown_partner"
        return CollectionsRun(
            run=self.run,
            cash=dict(sorted(self.cash.items())),
            contacts=tuple(self.contacts),
            payments=tuple(self.payments),
            never_reached=dict(sorted(never.items())),
            unapplied=dict(sorted(self.unapplied.items())),
            ledger=tuple(self.ledger),
            final_due=dict(
                sorted(
                    (invoice_key(i), i.amount_due.minor_units)
                    for items in self.book.values()
                    for i in items
                )
            ),
            dso=dict(sorted(self.dso.items())),
            promises=self._promises(),
            contact_currencies=self._contact_currencies(),
        )

    def _contact_currencies(self) -> dict[str, int]:
        """Per currency, the contacts that named at least one of its invoices."""
        currency = {invoice_key(i): i.currency for items in self.book.values() for i in items}
        out: dict[str, int] = {}
        for _, _, _, ids in self.contacts:
            for code in {currency[i] for i in ids if i in currency}:
                out[code] = out.get(code, 0) + 1
        return dict(sorted(out.items()))

    def _promises(self) -> dict[str, str]:
        """Each promise's outcome (see :data:`PROMISE_OUTCOMES`), read from the ledger."""
        grace = dt.timedelta(days=self.setup.policy.promise_grace_days)
        first = self.setup.start.date()
        last = first + dt.timedelta(days=self.setup.days - 1)
        by: dict[str, list[tuple[dt.date, int]]] = {}
        for fate in self.ledger:
            for key, units in fate.allocated.items():
                by.setdefault(key, []).append((fate.at.date(), units))
        out: dict[str, str] = {}
        starting = [group for _, group in self.setup.groups.values()]
        for start_items in [*starting, *self.setup.silent.values()]:
            for invoice in start_items:
                promised = invoice.promised_to_pay_date
                if promised is None or not is_open_receivable(invoice):
                    continue
                key = invoice_key(invoice)
                deadline = promised + grace
                if deadline < first:
                    out[key] = "broken_before_start"
                    continue
                paid = sum(u for on, u in by.get(key, ()) if on <= deadline)
                if paid >= invoice.amount_due.minor_units:
                    out[key] = "kept"
                elif deadline > last:
                    out[key] = "pending"
                else:
                    out[key] = "partially_kept" if paid else "broken"
        return dict(sorted(out.items()))


def _counts_for_dso(invoice: Invoice, start: dt.date, period_days: int) -> bool:
    """Whether ``invoice`` can count in a weekly DSO from ``start``: open at the start (a
    receivable, until paid) or issued within ``period_days`` before it or later (a sale of
    some week's period). Payments only close invoices, so no other invoice ever counts."""
    issued = issue_date_of(invoice)
    return is_open_receivable(invoice) or (
        issued is not None and issued > start - dt.timedelta(days=period_days)
    )


def _one_run(setup: _Setup, shared: _Shared, run: int) -> CollectionsRun:
    """One seeded run (see the module docstring); the shared caches trimmed after it."""
    result = _Run(setup=setup, shared=shared, run=run).go()
    shared.trim()
    return result


# -- many runs, summarised --------------------------------------------------------------------


def _amounts(name: str, units: int, currency: str) -> dict[str, object]:
    """An amount as two columns: ``name`` exact (Decimal) and ``name_float`` (float)."""
    value: Decimal = Money(units, currency).amount
    return {name: value, f"{name}_float": float(value)}


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class CollectionsSimulation(Report):
    """The result of :func:`simulate_collections`: every run, and bands over the runs.

    ``opening`` is what was open at the start per currency (``amount_due`` of the open
    receivables, minor units). ``records()``: one row per week and currency with the weekly
    and the cumulative cash at the ``bands`` percentiles (nearest rank, exact per run), and
    the book's DSO at the week's end at the same percentiles (``dso_low``, ``dso_p50``,
    ``dso_high``, days to 0.1, each one run's figure; ``None`` when the period had no
    sales). ``dso_opening`` is the DSO of the given book at ``start``, the definition
    :func:`~stuut_domain.portfolio.days_sales_outstanding` over ``dso_period_days``.
    ``partner_records()``: contacts per partner over the runs. ``never_records()``: the open
    invoices some run never reached, how often, and the commonest reason.
    """

    columns: ClassVar[tuple[str, ...]] = (
        "week",
        "week_start",
        "currency",
        "cash_p50",
        "cumulative_low",
        "cumulative_p50",
        "cumulative_high",
    )
    amount_columns: ClassVar[tuple[str, ...]] = (
        "cash_p50",
        "cumulative_low",
        "cumulative_p50",
        "cumulative_high",
        "opening",
    )

    start: dt.datetime
    weeks: int
    seed: int
    policy: OutreachPolicy
    channels: tuple[OutreachChannel, ...]
    rule: AllocationRule
    opening: Mapping[str, int]
    runs: tuple[CollectionsRun, ...]
    bands: tuple[int, int] = (5, 95)
    dso_opening: Mapping[str, Decimal | None] = attrs.field(factory=dict)
    dso_period_days: int = 90
    #: Open receivables without a due date at the start, per currency: ``(count, minor
    #: units)``. A payment curve runs from the due date, so they are chased but never pay.
    undated: Mapping[str, tuple[int, int]] = attrs.field(factory=dict)

    @property
    def first_week(self) -> dt.date:
        """The Monday of the start's week: week ``k`` starts ``k`` weeks after it."""
        return week_monday(self.start.date())

    @property
    def days(self) -> int:
        """The simulated days: from the start's date to the last Sunday, both included."""
        return (self.week_start(self.weeks) - self.start.date()).days

    def week_start(self, week: int) -> dt.date:
        """The Monday week ``week`` starts on (week 0 began before ``start`` unless it is a
        Monday: its cash is from ``start`` on)."""
        return self.first_week + dt.timedelta(weeks=week)

    def title(self) -> str:
        """``Collections 2026-11-26 + 26 weeks, 200 runs (email), seed 0``."""
        return (
            f"Collections {self.start.date().isoformat()} + {self.weeks} weeks, "
            f"{len(self.runs)} runs ({', '.join(self.channels)}), seed {self.seed}"
        )

    @property
    def currencies(self) -> tuple[str, ...]:
        """The currencies open at the start, in code order."""
        return tuple(sorted(self.opening))

    def cumulative(self, currency: str) -> list[list[int]]:
        """Per run, the cumulative cash in ``currency`` at the end of each week's Sunday (minor
        units)."""
        rows = []
        for run in self.runs:
            total, path = 0, []
            for week in range(self.weeks):
                total += run.cash.get((week, currency), 0)
                path.append(total)
            rows.append(path)
        return rows

    def records(self) -> list[dict[str, object]]:
        """One row per week and currency: weekly cash (median) and cumulative cash (bands)."""
        low, high = self.bands
        rows: list[dict[str, object]] = []
        for code in self.currencies:
            paths = self.cumulative(code)
            for week in range(self.weeks):
                weekly = [r.cash.get((week, code), 0) for r in self.runs]
                upto = [path[week] for path in paths]
                rows.append(
                    {
                        "week": week,
                        "week_start": self.week_start(week),
                        "currency": code,
                        **_amounts("cash_p50", percentile(weekly, 50), code),
                        **_amounts("cumulative_low", percentile(upto, low), code),
                        **_amounts("cumulative_p50", percentile(upto, 50), code),
                        **_amounts("cumulative_high", percentile(upto, high), code),
                        **_amounts("opening", self.opening[code], code),
                        **self._dso_bands(week, code),
                    }
                )
        return rows

    def dso_paths(self, currency: str) -> list[list[Decimal | None]]:
        """Per run, the book's DSO in ``currency`` at the end of each week (days to 0.1)."""
        return [[run.dso.get((week, currency)) for week in range(self.weeks)] for run in self.runs]

    def _dso_bands(self, week: int, code: str) -> dict[str, object]:
        """The week's DSO over the runs at the bands and the median, as Decimal and float."""
        low, high = self.bands
        tenths = [
            int(days * 10) for run in self.runs if (days := run.dso.get((week, code))) is not None
        ]
        out: dict[str, object] = {}
        for name, q in (("dso_low", low), ("dso_p50", 50), ("dso_high", high)):
            value = None if not tenths else Decimal(percentile(tenths, q)).scaleb(-1)
            out[name] = value
            out[f"{name}_float"] = None if value is None else float(value)
        return out

    def partner_records(self) -> list[dict[str, object]]:
        """One row per partner contacted in some run: median, highest and mean contacts."""
        per: dict[str, list[int]] = {}
        for index, run in enumerate(self.runs):
            for _, pid, _, _ in run.contacts:
                counts = per.setdefault(pid, [0] * len(self.runs))
                counts[index] += 1
        return [
            {
                "partner_id": pid,
                "contacts_p50": percentile(counts, 50),
                "contacts_max": max(counts),
                "contacts_mean": sum(counts) / len(counts),
            }
            for pid, counts in sorted(per.items())
        ]

    def never_records(self) -> list[dict[str, object]]:
        """One row per open invoice some run never reached: in how many runs, and the
        commonest reason (ties: the code first in text order)."""
        per: dict[str, dict[str, int]] = {}
        for run in self.runs:
            for key, code in run.never_reached.items():
                codes = per.setdefault(key, {})
                codes[code] = codes.get(code, 0) + 1
        rows: list[dict[str, object]] = []
        for key, codes in sorted(per.items()):
            runs = sum(codes.values())
            code = min(codes, key=lambda c: (-codes[c], c))
            rows.append(
                {
                    "invoice_id": key,
                    "runs_never_reached": runs,
                    "share_of_runs": runs / len(self.runs),
                    "code": code,
                }
            )
        return rows

    def contacts(self, currency: str | None = None) -> list[int]:
        """The number of contacts in each run (with ``currency``: those about its invoices)."""
        if currency is None:
            return [len(run.contacts) for run in self.runs]
        return [run.contact_currencies.get(currency, 0) for run in self.runs]

    def summary(self) -> dict[str, object]:
        """Headline figures: runs, contacts (median), never-reached reasons over all runs,
        DSO per currency at the start and (median over runs) at the end of the last week, and
        the open invoices without a due date (which no behaviour model can make pay)."""
        reasons: dict[str, int] = {}
        for run in self.runs:
            for code in run.never_reached.values():
                reasons[code] = reasons.get(code, 0) + 1
        return {
            "runs": len(self.runs),
            "weeks": self.weeks,
            "contacts_p50": percentile(self.contacts(), 50),
            "payments_p50": percentile([len(r.payments) for r in self.runs], 50),
            "never_reached_by_code": dict(sorted(reasons.items())),
            "promises_p50": {
                code: percentile([r.promise_counts()[code] for r in self.runs], 50)
                for code in PROMISE_OUTCOMES
            },
            "dso_opening": dict(self.dso_opening),
            "open_without_due_date": {
                code: {"invoices": count, "amount": Money(units, code).amount}
                for code, (count, units) in self.undated.items()
            },
            "dso_p50_final": {
                code: self._dso_bands(self.weeks - 1, code)["dso_p50"] for code in self.currencies
            },
        }

    def __repr__(self) -> str:
        return short_repr(
            "CollectionsSimulation",
            start=self.start.isoformat(),
            weeks=self.weeks,
            runs=len(self.runs),
            seed=self.seed,
        )


#: The longest horizon a simulation runs (ten years of weeks) and the most runs: past them a
#: call would run for hours (run time grows linearly in both), so it is refused instead.
MAX_WEEKS: Final = 520
MAX_RUNS: Final = 100_000


#: The longest sales period the weekly DSO reads (a century of days).
MAX_DSO_PERIOD_DAYS: Final = 36_600


def _in_calendar(begin: dt.datetime, weeks: int, period_days: int) -> None:
    """Refuse a start whose simulated range (and DSO sales period before it, and a year of
    promise grace after it) leaves the calendar: ``start_out_of_range``."""
    try:
        first = week_monday(begin.date())
        _ = first - dt.timedelta(days=period_days)
        _ = first + dt.timedelta(weeks=weeks, days=366)
    except OverflowError:
        raise _refuse(
            "start_out_of_range",
            "start",
            f"the {weeks} weeks from the start, the {period_days}-day sales period before it "
            "and a year after them must fall within the calendar (years 1 to 9999)",
            value=begin.isoformat(),
        ) from None


def _kinds(**given: object) -> None:
    """Refuse a policy, workflow or behaviour of the wrong type, naming it."""
    wanted: dict[str, tuple[type, ...]] = {
        "policy": (OutreachPolicy,),
        "workflow": (Workflow,),
        "behaviour": (BehaviourBook, PaymentBehaviour),
    }
    for name, value in given.items():
        if not isinstance(value, wanted[name]):
            names = " or ".join(t.__name__ for t in wanted[name])
            raise _refuse(name, name, f"a {names}", value=type(value).__name__)


def _positive(name: str, value: object, most: int | None = None) -> int:
    if type(value) is not int or value < 1:
        raise _refuse(f"{name}_not_positive", name, "a positive int is required", value=value)
    if most is not None and value > most:
        raise _refuse(f"{name}_too_many", name, f"at most {most:,}", value=value)
    return value


def _channels(channels: Sequence[OutreachChannel]) -> tuple[OutreachChannel, ...]:
    chosen = tuple(channels)
    if (
        not chosen
        or any(c not in OUTREACH_CHANNELS for c in chosen)
        or len(set(chosen)) != len(chosen)
    ):
        raise _refuse("channels", "channels", "distinct known channels, at least one", value=chosen)
    return chosen


def simulate_collections(
    invoices: Iterable[Invoice],
    *,
    partners: Mapping[str, Partner] | Iterable[Partner],
    workflow: Workflow,
    behaviour: BehaviourBook | PaymentBehaviour,
    start: dt.datetime,
    weeks: int = 26,
    runs: int = 200,
    seed: int = 0,
    policy: OutreachPolicy = DEFAULT_POLICY,
    channels: Sequence[OutreachChannel] = ("email",),
    rule: AllocationRule = AllocationRule.MATCHED,
    bands: tuple[int, int] = (5, 95),
    dso_period_days: int = 90,
    promise_kept: float | None = None,
) -> CollectionsSimulation:
    """Simulate collections ``runs`` times over ``weeks`` calendar weeks from ``start``
    (ADR 0064): week 0 is the week (Monday to Sunday) of ``start``'s UTC date, from ``start``
    on, and the last simulated day is the Sunday of week ``weeks - 1``.

    Run ``k`` of seed ``s`` is the same whatever else runs: same seed, same result. The
    partners' invoices are read in invoice-key order, partners in id order, so the input
    order never matters. Refused (:class:`~stuut_domain.errors.InvalidScenario`): a
    non-positive ``weeks`` or ``runs``, more than :data:`MAX_WEEKS` weeks or :data:`MAX_RUNS`
    runs (``weeks_too_many``, ``runs_too_many``), a non-int seed, bad channels, bands not
    ``0 <= low < high <= 100``, a rule that needs amounts other than ``matched``, a
    non-positive ``dso_period_days`` (the sales period of the weekly DSO), a
    ``promise_kept`` outside 0..1; a naive ``start`` raises
    :class:`~stuut_domain.errors.NaiveDatetime`.

    Promises: the engine holds an invoice with a ``promised_to_pay_date`` until that date
    plus the policy's grace days, and resumes outreach after. With ``promise_kept`` set, each
    promise open at the start and not yet due is kept with that probability (drawn once per
    run from the invoice's own stream): the invoice pays what is left, in full, on the
    promised date, and nothing before it; a promise not kept leaves the invoice to its
    hazard. ``None`` (default): promises change no payment, only outreach. Every run reports
    each promise's outcome (:data:`PROMISE_OUTCOMES`).
    """
    if not isinstance(start, dt.date):
        raise _refuse("start", "start", "an aware datetime", value=repr(start))
    begin = require_aware("start", start).astimezone(dt.UTC)
    _positive("weeks", weeks, MAX_WEEKS)
    _positive("runs", runs, MAX_RUNS)
    _positive("dso_period_days", dso_period_days, MAX_DSO_PERIOD_DAYS)
    _in_calendar(begin, weeks, dso_period_days)
    _kinds(policy=policy, workflow=workflow, behaviour=behaviour)
    if promise_kept is not None and (
        type(promise_kept) not in (int, float) or not 0.0 <= promise_kept <= 1.0
    ):
        raise _refuse(
            "promise_kept", "promise_kept", "a probability within 0..1", value=promise_kept
        )
    if type(seed) is not int:
        raise _refuse("seed", "seed", "a seed is an int", value=seed)
    chosen = _channels(channels)
    if rule is AllocationRule.EXPLICIT or not isinstance(rule, AllocationRule):
        raise _refuse("rule", "rule", "matched, oldest_due_first or proportional", value=str(rule))
    given_bands: object = bands  # typed a pair, but a caller's value is checked
    if not isinstance(given_bands, tuple | list) or len(given_bands) != 2:
        raise _refuse("bands", "bands", "two percentiles 0 <= low < high <= 100", value=bands)
    low, high = bands
    if not (type(low) is int and type(high) is int and 0 <= low < high <= 100):
        raise _refuse("bands", "bands", "two percentiles 0 <= low < high <= 100", value=bands)
    book = behaviour if isinstance(behaviour, BehaviourBook) else BehaviourBook.of(behaviour)
    items = tuple(invoices)
    grouped = invoices_by_partner(items, partners)
    groups = {
        pid: (group.partner, tuple(sorted(group.invoices, key=invoice_key)))
        for pid, group in grouped.items()
    }
    owned = {id(i) for _, group in groups.values() for i in group}
    orphans = tuple(
        sorted(invoice_key(i) for i in items if id(i) not in owned and is_open_receivable(i))
    )
    by_unknown: dict[str, list[Invoice]] = {}
    for item in items:
        if id(item) not in owned:
            by_unknown.setdefault(f"unknown:{item.partner_id or ''}", []).append(item)
    silent = {
        key: tuple(sorted(group, key=invoice_key)) for key, group in sorted(by_unknown.items())
    }
    opening: dict[str, int] = {}
    undated: dict[str, tuple[int, int]] = {}
    for invoice in items:
        if is_open_receivable(invoice):
            code = invoice.currency
            opening[code] = opening.get(code, 0) + invoice.amount_due.minor_units
            if due_day(invoice) is None:
                count, units = undated.get(code, (0, 0))
                undated[code] = (count + 1, units + invoice.amount_due.minor_units)
    first_week = week_monday(begin.date())
    setup = _Setup(
        start=begin,
        days=(first_week + dt.timedelta(weeks=weeks) - begin.date()).days,
        first_week=first_week,
        seed=seed,
        workflow=workflow,
        policy=policy,
        channels=chosen,
        rule=rule,
        behaviour=book,
        groups=groups,
        orphans=orphans,
        silent=silent,
        dso_period_days=dso_period_days,
        dso_rows={
            pid: tuple(
                k for k, i in enumerate(group) if _counts_for_dso(i, begin.date(), dso_period_days)
            )
            for pid, group in [*((p, g) for p, (_, g) in groups.items()), *silent.items()]
        },
        promise_kept=None if promise_kept is None else float(promise_kept),
    )
    dso_at_start = days_sales_outstanding(items, as_of=begin.date(), period_days=dso_period_days)
    shared = _Shared.of(setup)
    return CollectionsSimulation(
        start=begin,
        weeks=weeks,
        seed=seed,
        policy=policy,
        channels=chosen,
        rule=rule,
        opening=dict(sorted(opening.items())),
        runs=tuple(_one_run(setup, shared, run) for run in range(runs)),
        bands=(low, high),
        dso_opening={f.currency: f.days for f in dso_at_start.figures},
        dso_period_days=dso_period_days,
        undated=dict(sorted(undated.items())),
    )
