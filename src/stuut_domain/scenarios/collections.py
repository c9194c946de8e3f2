"""A stochastic collections simulation: outreach drives contacts, the behaviour model draws
payments, payments go through the allocation rules and change what outreach reads next.

:func:`simulate_collections` runs the book ``runs`` times over ``weeks`` weeks from ``start``
(ADR 0064). Each run steps through whole UTC days ``[start + k days, start + k + 1 days)``:

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
3. **Allocation.** Each payment (its amount in the invoice's currency, received at the day's
   last microsecond) goes through :func:`~stuut_domain.allocation.allocate_payment` by
   ``rule``: ``matched`` (default: the remittance names the invoice the payment was drawn
   for, approved), ``oldest_due_first`` or ``proportional`` (over the partner's open
   invoices in that currency), and :func:`~stuut_domain.allocation.apply_result` writes it
   to the invoices. What a rule leaves unplaced is unapplied credit, reported per currency.

Money is exact: a payment never exceeds what is left to pay, so the cash collected per
currency never exceeds what was open at the start. Reports give exact amounts per run and
percentiles over runs by the nearest-rank rule (each percentile is one run's exact amount).
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
from stuut_domain.receivables import is_open_receivable
from stuut_domain.scenarios.behaviour import BehaviourBook, PaymentBehaviour
from stuut_domain.types import OUTREACH_CHANNELS, OutreachChannel
from stuut_domain.validators import require_aware
from stuut_domain.workflow import Workflow

__all__ = [
    "COLLECTION_CODES",
    "CollectionsRun",
    "CollectionsSimulation",
    "percentile",
    "simulate_collections",
]

#: Reasons the collections simulation gives for an open invoice never contacted in a run.
COLLECTION_CODES: Final[Mapping[str, str]] = {
    "paid_before_contact": "paid in full before any contact was due",
    "unknown_partner": "the invoice's partner is not in the portfolio: no decision can be made",
    "after_range": "the next contact would fall after the simulated range",
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
class CollectionsRun:
    """One run: the cash collected per (week, currency) in minor units, contacts, payments.

    ``contacts`` lists ``(instant, partner id, channel, invoice ids)``; ``payments``
    ``(instant, invoice id the payment was drawn for, amount)``; ``never_reached`` maps each
    invoice open at the start and never contacted to its code (an engine blocker code or one
    of :data:`COLLECTION_CODES`); ``unapplied`` the credit the rule left unplaced.
    """

    run: int
    cash: Mapping[tuple[int, str], int]
    contacts: tuple[tuple[dt.datetime, str, OutreachChannel, tuple[str, ...]], ...]
    payments: tuple[tuple[dt.datetime, str, Money], ...]
    never_reached: Mapping[str, str]
    unapplied: Mapping[str, int]

    def collected(self, currency: str) -> Money:
        """All the cash of this run in ``currency``."""
        return Money(sum(v for (_, c), v in self.cash.items() if c == currency), currency)


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
    seed: int
    workflow: Workflow
    policy: OutreachPolicy
    channels: tuple[OutreachChannel, ...]
    rule: AllocationRule
    behaviour: BehaviourBook
    groups: Mapping[str, tuple[Partner, tuple[Invoice, ...]]]
    orphans: tuple[str, ...]


#: Decisions kept across runs before the cache is emptied (bounds its memory).
_DECISIONS_KEPT: Final = 200_000

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
            found = self.nodes[key] = len(self.nodes) + 1
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
    paid_in_full: set[str] = attrs.field(factory=set)

    def __attrs_post_init__(self) -> None:
        setup = self.setup
        self.book = {pid: list(g[1]) for pid, g in setup.groups.items()}
        self.chased = {pid: _chased(items) for pid, items in self.book.items()}
        self.sigs = {pid: _signature(items) for pid, items in self.chased.items()}
        self.nodes = dict.fromkeys(self.book, 0)
        self.lanes = {
            pid: [_Lane(context=c, next_at=setup.start) for c in self.shared.contexts[pid]]
            for pid in setup.groups
        }

    def go(self) -> CollectionsRun:
        for day in range(self.setup.days):
            day_start = self.setup.start + day * _DAY
            for pid in self.book:
                self._outreach(pid, day, day_start)
            for pid in self.book:
                self._payments(pid, day, day_start)
        return self._result()

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
        pay_at = day_end - _LAST
        changed = False
        for invoice in self.chased[pid]:
            if not invoice.amount_due.is_positive():
                continue
            if invoice.issued_at is None or invoice.issued_at > pay_at:
                continue
            amount = self._draw(invoice, day, day_start.date())
            if amount is None:
                continue
            self._pay(pid, invoice, amount, pay_at)
            week = day // 7
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
            partner_id=pid,
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
        )


def _one_run(setup: _Setup, shared: _Shared, run: int) -> CollectionsRun:
    """One seeded run (see the module docstring)."""
    return _Run(setup=setup, shared=shared, run=run).go()


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
    and the cumulative cash at the ``bands`` percentiles (nearest rank, exact per run).
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
        """Per run, the cumulative cash in ``currency`` at the end of each week (minor units)."""
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
                        "week_start": (self.start + dt.timedelta(weeks=week)).date(),
                        "currency": code,
                        **_amounts("cash_p50", percentile(weekly, 50), code),
                        **_amounts("cumulative_low", percentile(upto, low), code),
                        **_amounts("cumulative_p50", percentile(upto, 50), code),
                        **_amounts("cumulative_high", percentile(upto, high), code),
                        **_amounts("opening", self.opening[code], code),
                    }
                )
        return rows

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

    def contacts(self) -> list[int]:
        """The number of contacts in each run."""
        return [len(run.contacts) for run in self.runs]

    def summary(self) -> dict[str, object]:
        """Headline figures: runs, contacts (median), never-reached reasons over all runs."""
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
        }

    def __repr__(self) -> str:
        return short_repr(
            "CollectionsSimulation",
            start=self.start.isoformat(),
            weeks=self.weeks,
            runs=len(self.runs),
            seed=self.seed,
        )


def _positive(name: str, value: object) -> int:
    if type(value) is not int or value < 1:
        raise _refuse(f"{name}_not_positive", name, "a positive int is required", value=value)
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
) -> CollectionsSimulation:
    """Simulate collections ``runs`` times over ``weeks`` weeks from ``start`` (ADR 0064).

    Run ``k`` of seed ``s`` is the same whatever else runs: same seed, same result. The
    partners' invoices are read in invoice-key order, partners in id order, so the input
    order never matters. Refused (:class:`~stuut_domain.errors.InvalidScenario`): a
    non-positive ``weeks`` or ``runs``, a non-int seed, bad channels, bands not
    ``0 <= low < high <= 100``, a rule that needs amounts other than ``matched``; a naive
    ``start`` raises :class:`~stuut_domain.errors.NaiveDatetime`.
    """
    begin = require_aware("start", start).astimezone(dt.UTC)
    _positive("weeks", weeks)
    _positive("runs", runs)
    if type(seed) is not int:
        raise _refuse("seed", "seed", "a seed is an int", value=seed)
    chosen = _channels(channels)
    if rule is AllocationRule.EXPLICIT or not isinstance(rule, AllocationRule):
        raise _refuse("rule", "rule", "matched, oldest_due_first or proportional", value=str(rule))
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
    opening: dict[str, int] = {}
    for invoice in items:
        if is_open_receivable(invoice):
            code = invoice.currency
            opening[code] = opening.get(code, 0) + invoice.amount_due.minor_units
    setup = _Setup(
        start=begin,
        days=weeks * 7,
        seed=seed,
        workflow=workflow,
        policy=policy,
        channels=chosen,
        rule=rule,
        behaviour=book,
        groups=groups,
        orphans=orphans,
    )
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
    )
