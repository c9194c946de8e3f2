"""Outreach simulation: over a date range, who would be contacted when, and who never, and why.

:func:`simulate_outreach` replays the outreach engine (:mod:`stuut_domain.outreach.engine`) over a
period for a whole portfolio, with one workflow and one policy, the way a scheduler that acts
on every decision would: whenever a partner is eligible on a channel, the outreach is recorded
in the :class:`~stuut_domain.outreach.state.OutreachState` and the next decision follows from
it. :func:`compare_policies` runs the same portfolio under two policies side by side: the
what-if question an analyst asks ("what if we waited a week between reminders?").

Rules of the replay:

* Event driven, not sampled: after each decision the partner is asked again exactly at its
  ``next_eligible_at``. A decision with no ``next_eligible_at`` (a blocker only a change of
  facts clears) ends that partner's channel; so does a next instant at or after ``end``
  (the range is half-open, ``[start, end)``, so consecutive ranges never count an instant
  twice).
* The invoice facts do not change during a simulation (no payment arrives, no promise is
  made): the replay isolates what the policy, the workflow and the calendar do.
* Every channel of one partner shares the state, so under the default policy (gaps counted
  across channels) the partner gap spaces an email and a call, and channels are tried in the
  order given at equal instants: the first channel takes the instant. With
  ``OutreachPolicy(partner_gap_scope="per_channel", invoice_gap_scope="per_channel")`` each
  channel keeps its own cadence and both go out (ADR 0018).
* The starting state is the outreach the invoices already record (``last_outreach_at``) unless
  a state is given. After an outreach, a partner is not asked again on that channel sooner than
  ``cadence_floor`` (default one day), so a policy without gaps still terminates.
* The candidates are the open receivables (:func:`stuut_domain.lifecycle.status_of` open or
  partially paid, with something due). An uncontacted candidate carries the blockers that
  kept it out: its own invoice-level blockers in the last decision, else the partner's.
"""

from __future__ import annotations

import datetime as dt
import heapq
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import ClassVar, Final, Literal

import attrs

from stuut_domain.display import Report, short_repr, to_tenth
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.outreach.decision import Blocker, OutreachDecision, duration_text, invoice_key
from stuut_domain.outreach.engine import OutreachContext, PartnerInvoices, invoices_by_partner
from stuut_domain.outreach.policy import DEFAULT_POLICY, OutreachPolicy
from stuut_domain.outreach.schedule import utc
from stuut_domain.outreach.state import OutreachState
from stuut_domain.partner import Partner
from stuut_domain.receivables import is_open_receivable
from stuut_domain.types import OUTREACH_CHANNELS, OutreachChannel
from stuut_domain.validators import require_aware
from stuut_domain.workflow import Workflow

__all__ = [
    "SIMULATION_CODES",
    "OutreachSimulation",
    "PolicyComparison",
    "SimulatedOutreach",
    "Uncontacted",
    "compare_policies",
    "simulate_outreach",
]

#: Reasons the simulator itself gives, beside the engine's blocker codes.
SIMULATION_CODES: Final[Mapping[str, str]] = {
    "unknown_partner": "the invoice's partner is not in the portfolio: no decision can be made",
    "after_range": "the invoice becomes eligible only after the simulated range ends",
}

_DAY = Fraction(86_400)


def _aware(name: str, value: dt.datetime) -> dt.datetime:
    return utc(require_aware(name, value))


def _days(delta: dt.timedelta) -> Fraction:
    """A duration in days, exactly (microseconds ignored, as the simulation's steps are)."""
    return Fraction(delta.days * 86_400 + delta.seconds) / _DAY


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class SimulatedOutreach:
    """One outreach the simulation sent: when, to which partner, on which channel, about what."""

    at: dt.datetime
    partner_id: str | None
    partner_name: str | None
    channel: OutreachChannel
    invoice_ids: tuple[str, ...]
    recipients: tuple[str, ...]

    def as_record(self) -> dict[str, object]:
        """A plain row: instant (UTC), partner, channel, invoices and recipients joined by ``,``."""
        return {
            "at": self.at,
            "partner_id": self.partner_id,
            "partner": self.partner_name,
            "channel": self.channel,
            "invoices": ",".join(self.invoice_ids),
            "recipients": ",".join(self.recipients),
        }

    def __repr__(self) -> str:
        return short_repr(
            "SimulatedOutreach",
            at=self.at.isoformat(),
            partner_id=self.partner_id,
            channel=self.channel,
            invoice_ids=self.invoice_ids,
        )


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class Uncontacted:
    """An open invoice the simulation never reached, with every reason (codes and messages).

    When a blocker that only a change of facts clears (a dispute, no reachable contact...)
    kept it out, those are the reasons and ``clears_at`` is ``None``. When only time-based
    blockers did, they are listed with ``after_range``, and ``clears_at`` is the latest
    instant at which they clear (no earlier than the partner's next decision after the range).
    """

    invoice_id: str
    partner_id: str | None
    amount_due: Money
    codes: tuple[str, ...]
    reasons: tuple[str, ...]
    clears_at: dt.datetime | None

    def as_record(self) -> dict[str, object]:
        """A plain row: invoice, partner, amount, codes and reasons joined, when it clears."""
        return {
            "invoice_id": self.invoice_id,
            "partner_id": self.partner_id,
            "currency": self.amount_due.code,
            "amount_due": self.amount_due.amount,
            "codes": ",".join(self.codes),
            "reasons": "; ".join(self.reasons),
            "clears_at": self.clears_at,
        }

    def __repr__(self) -> str:
        return short_repr(
            "Uncontacted", invoice_id=self.invoice_id, codes=self.codes, amount_due=self.amount_due
        )


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class OutreachSimulation(Report):
    """The result of :func:`simulate_outreach`.

    ``outreach`` is the timeline of what was sent; ``uncontacted`` the open invoices never
    reached and why; ``state`` the outreach state at the end (to continue from, or inspect).
    ``records()`` is the timeline, ``invoice_records()`` one row per open invoice,
    ``uncontacted_records()`` the invoices never reached.
    """

    columns: ClassVar[tuple[str, ...]] = (
        "at",
        "partner_id",
        "partner",
        "channel",
        "invoices",
        "recipients",
    )
    invoice_columns: ClassVar[tuple[str, ...]] = (
        "invoice_id",
        "partner_id",
        "currency",
        "amount_due",
        "contacts",
        "first_contact_at",
        "channels",
        "codes",
    )
    uncontacted_columns: ClassVar[tuple[str, ...]] = (
        "invoice_id",
        "partner_id",
        "currency",
        "amount_due",
        "codes",
        "clears_at",
    )

    start: dt.datetime
    end: dt.datetime
    policy: OutreachPolicy
    workflow: Workflow
    channels: tuple[OutreachChannel, ...]
    candidates: tuple[Invoice, ...]
    outreach: tuple[SimulatedOutreach, ...]
    uncontacted: tuple[Uncontacted, ...]
    state: OutreachState

    def title(self) -> str:
        """``Outreach 2026-11-23..2026-12-07 (email): 31 sent, 40 of 52 open invoices reached``."""
        return (
            f"Outreach {self.start.date().isoformat()}..{self.end.date().isoformat()} "
            f"({', '.join(self.channels)}): {len(self.outreach)} sent, "
            f"{len(self.reached())} of {len(self.candidates)} open invoices reached"
        )

    def reached(self) -> dict[str, list[SimulatedOutreach]]:
        """For each invoice reached, the outreach about it in time order."""
        by_invoice: dict[str, list[SimulatedOutreach]] = {}
        for item in self.outreach:
            for invoice_id in item.invoice_ids:
                by_invoice.setdefault(invoice_id, []).append(item)
        return by_invoice

    def records(self) -> list[dict[str, object]]:
        """The timeline: one row per outreach sent, in time order."""
        return [item.as_record() for item in self.outreach]

    def invoice_records(self) -> list[dict[str, object]]:
        """One row per open invoice: how often and from when it was contacted, or why not."""
        reached = self.reached()
        missed = {u.invoice_id: u for u in self.uncontacted}
        rows: list[dict[str, object]] = []
        for invoice in self.candidates:
            key = invoice_key(invoice)
            sent = reached.get(key, [])
            rows.append(
                {
                    "invoice_id": key,
                    "partner_id": invoice.partner_id,
                    "currency": invoice.amount_due.code,
                    "amount_due": invoice.amount_due.amount,
                    "contacts": len(sent),
                    "first_contact_at": sent[0].at if sent else None,
                    "channels": ",".join(sorted({s.channel for s in sent})),
                    "codes": ",".join(missed[key].codes) if key in missed else "",
                }
            )
        return rows

    def uncontacted_records(self) -> list[dict[str, object]]:
        """One row per open invoice never reached, with its codes and reasons."""
        return [u.as_record() for u in self.uncontacted]

    def summary(self) -> dict[str, object]:
        """Headline figures: sent per channel, invoices reached and not, days to first contact.

        ``median_days_to_first_contact`` is measured from ``start``, over the invoices
        reached, rounded half even to 0.1 day (``None`` when none was reached).
        """
        reached = self.reached()
        firsts = [_days(sent[0].at - self.start) for sent in reached.values()]
        return {
            "sent": len(self.outreach),
            "emails": sum(1 for o in self.outreach if o.channel == "email"),
            "calls": sum(1 for o in self.outreach if o.channel == "call"),
            "open_invoices": len(self.candidates),
            "invoices_reached": len(reached),
            "invoices_never_reached": len(self.uncontacted),
            "median_days_to_first_contact": to_tenth(statistics.median(firsts)) if firsts else None,
            "never_reached_by_code": self.never_by_code(),
        }

    def never_by_code(self) -> dict[str, int]:
        """How many invoices never reached carry each reason code, by code."""
        counts: dict[str, int] = {}
        for item in self.uncontacted:
            for code in item.codes:
                counts[code] = counts.get(code, 0) + 1
        return dict(sorted(counts.items()))


@attrs.define
class _Lane:
    """One partner on one channel: its context, its invoices and its last decision."""

    partner: Partner
    context: OutreachContext
    invoices: tuple[Invoice, ...]
    last: OutreachDecision | None = None
    stopped_after_range: dt.datetime | None = None


def _reasons(invoice: Invoice, lanes: Sequence[_Lane]) -> Uncontacted:
    """Why ``invoice`` was never reached: its own blockers, else its partner's, per channel."""
    key = invoice_key(invoice)
    own: list[Blocker] = []
    shared: list[Blocker] = []
    after: list[dt.datetime] = []
    for lane in lanes:
        if lane.last is not None:
            for blocker in (*lane.last.blockers, *lane.last.excluded):
                if blocker.invoice_id == key:
                    own.append(blocker)
                elif blocker.invoice_id is None:
                    shared.append(blocker)
        if lane.stopped_after_range is not None:
            after.append(lane.stopped_after_range)
    chosen = own or shared
    lasting = [b for b in chosen if not b.is_time_based]
    # A blocker that only a change of facts clears is the reason; passing ones are noise.
    shown = lasting or chosen
    codes: list[str] = []
    reasons: list[str] = []
    for blocker in shown:
        if blocker.code not in codes:
            codes.append(blocker.code)
            reasons.append(str(blocker))
    clears_at: dt.datetime | None = None
    if not lasting and after:
        clears_at = max([min(after), *(b.clears_at for b in chosen if b.clears_at is not None)])
        codes.append("after_range")
        reasons.append(f"[after_range] {SIMULATION_CODES['after_range']}")
    return Uncontacted(
        invoice_id=key,
        partner_id=invoice.partner_id,
        amount_due=invoice.amount_due,
        codes=tuple(codes),
        reasons=tuple(reasons),
        clears_at=clears_at,
    )


@attrs.define
class _Replay:
    """The event loop of one simulation: lanes per partner and channel, a queue, the state."""

    lanes: dict[str, list[_Lane]]
    state: OutreachState
    finish: dt.datetime
    cadence_floor: dt.timedelta
    sent: list[SimulatedOutreach] = attrs.field(factory=list)

    def run(self, begin: dt.datetime, progress: Callable[[int, int], None] | None) -> None:
        queue = [
            (begin, position, pid)
            for pid, lanes in sorted(self.lanes.items())
            for position in range(len(lanes))
        ]
        heapq.heapify(queue)
        open_lanes = {pid: len(lanes) for pid, lanes in self.lanes.items()}
        finished = 0
        while queue:
            at, position, pid = heapq.heappop(queue)
            lane = self.lanes[pid][position]
            following = self._step(pid, lane, at)
            if following is not None and following < self.finish:
                heapq.heappush(queue, (following, position, pid))
                continue
            lane.stopped_after_range = following
            open_lanes[pid] -= 1
            if open_lanes[pid] == 0:
                finished += 1
                if progress is not None:
                    progress(finished, len(self.lanes))

    def _step(self, pid: str, lane: _Lane, at: dt.datetime) -> dt.datetime | None:
        """Decide at ``at``; send if eligible; return when to ask this lane next."""
        decision = lane.context.decide(lane.invoices, at=at, state=self.state)
        lane.last = decision
        if not decision.eligible:
            following = decision.next_eligible_at
            if following is not None and following <= at:
                # The engine promises a later instant when not eligible; never spin in place.
                return at + dt.timedelta(minutes=1)
            return following
        recipients = tuple(r.address for r in decision.recipients)
        channel = lane.context.channel
        self.state = self.state.record(
            partner_id=pid,
            channel=channel,
            sent_at=at,
            to=recipients,
            invoice_ids=decision.invoice_ids,
        )
        self.sent.append(
            SimulatedOutreach(
                at=at,
                partner_id=pid,
                partner_name=lane.partner.name,
                channel=channel,
                invoice_ids=decision.invoice_ids,
                recipients=recipients,
            )
        )
        after = lane.context.decide(lane.invoices, at=at, state=self.state)
        lane.last = after
        if after.next_eligible_at is None:
            return None
        return max(after.next_eligible_at, at + self.cadence_floor)


def _unknown_partner(invoice: Invoice) -> Uncontacted:
    return Uncontacted(
        invoice_id=invoice_key(invoice),
        partner_id=invoice.partner_id,
        amount_due=invoice.amount_due,
        codes=("unknown_partner",),
        reasons=(f"[unknown_partner] {SIMULATION_CODES['unknown_partner']}",),
        clears_at=None,
    )


def _distinct_channels(channels: Sequence[OutreachChannel]) -> tuple[OutreachChannel, ...]:
    """The channels as a tuple; refused (``ValueError``) if empty, unknown or repeated."""
    chosen = tuple(channels)
    if (
        not chosen
        or any(c not in OUTREACH_CHANNELS for c in chosen)
        or len(set(chosen)) != len(chosen)
    ):
        names = "/".join(repr(c) for c in OUTREACH_CHANNELS)
        raise ValueError(f"channels must be distinct {names}, got {chosen!r}")
    return chosen


def _lanes(
    group: PartnerInvoices,
    workflow: Workflow,
    policy: OutreachPolicy,
    channels: tuple[OutreachChannel, ...],
) -> list[_Lane]:
    """One lane per channel for a partner and its invoices, in the channels' order."""
    return [
        _Lane(
            partner=group.partner,
            context=OutreachContext(
                partner=group.partner, workflow=workflow, channel=channel, policy=policy
            ),
            invoices=group.invoices,
        )
        for channel in channels
    ]


def simulate_outreach(
    invoices: Iterable[Invoice],
    *,
    partners: Mapping[str, Partner] | Iterable[Partner],
    workflow: Workflow,
    start: dt.datetime,
    end: dt.datetime,
    policy: OutreachPolicy = DEFAULT_POLICY,
    channels: Sequence[OutreachChannel] = ("email",),
    state: OutreachState | None = None,
    cadence_floor: dt.timedelta = dt.timedelta(days=1),
    progress: Callable[[int, int], None] | None = None,
) -> OutreachSimulation:
    """Replay outreach over the half-open range ``[start, end)`` for every partner's open invoices.

    ``partners`` (by id, or an iterable) supplies each invoice's partner; an invoice that
    embeds its partner needs none. ``state`` defaults to the outreach the invoices record.
    ``progress(done, total)`` is called after each partner (for a caller's progress display).
    Raises :class:`~stuut_domain.errors.NaiveDatetime` for a naive ``start``/``end`` and
    ``ValueError`` for an empty range, an unknown channel or a non-positive ``cadence_floor``.
    """
    begin, finish = _aware("start", start), _aware("end", end)
    if finish <= begin:
        raise ValueError(f"end ({end.isoformat()}) must be after start ({start.isoformat()})")
    chosen = _distinct_channels(channels)
    if cadence_floor <= dt.timedelta(0):
        raise ValueError(f"cadence_floor must be positive, got {cadence_floor}")
    items = tuple(invoices)
    groups = invoices_by_partner(items, partners)
    owner = {id(invoice): pid for pid, group in groups.items() for invoice in group.invoices}
    lanes = {pid: _lanes(group, workflow, policy, chosen) for pid, group in groups.items()}
    replay = _Replay(
        lanes=lanes,
        state=OutreachState.from_invoices(items) if state is None else state,
        finish=finish,
        cadence_floor=cadence_floor,
    )
    replay.run(begin, progress)

    sent = replay.sent  # already in time order: the queue pops instants in order
    reached = {invoice_id for item in sent for invoice_id in item.invoice_ids}
    candidates = tuple(i for i in items if is_open_receivable(i))
    uncontacted = tuple(
        _reasons(invoice, lanes[owner[id(invoice)]])
        if id(invoice) in owner
        else _unknown_partner(invoice)
        for invoice in candidates
        if invoice_key(invoice) not in reached
    )
    return OutreachSimulation(
        start=begin,
        end=finish,
        policy=policy,
        workflow=workflow,
        channels=chosen,
        candidates=candidates,
        outreach=tuple(sent),
        uncontacted=uncontacted,
        state=replay.state,
    )


# -- two policies side by side ----------------------------------------------------------------

Change = Literal["same", "earlier", "later", "gained", "lost", "never"]


def _change(first_a: dt.datetime | None, first_b: dt.datetime | None) -> Change:
    if first_a is None:
        return "never" if first_b is None else "gained"
    if first_b is None:
        return "lost"
    if first_b < first_a:
        return "earlier"
    return "later" if first_b > first_a else "same"


def _text(value: object) -> str:
    if isinstance(value, dt.timedelta):
        return duration_text(value)
    if isinstance(value, str):
        return value
    return repr(value)


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class PolicyComparison(Report):
    """Two simulations of one portfolio, workflow and range under two policies.

    ``records()``: one summary row per policy. ``invoice_records()``: one row per open invoice
    with both outcomes and ``change``, read from the second policy's side: ``earlier`` /
    ``later`` / ``same`` first contact, ``gained`` (reached only under the second),
    ``lost`` (reached only under the first) or ``never`` (under neither).
    ``differences()`` lists the policy fields that differ.
    """

    columns: ClassVar[tuple[str, ...]] = (
        "policy",
        "sent",
        "emails",
        "calls",
        "invoices_reached",
        "invoices_never_reached",
        "median_days_to_first_contact",
    )
    invoice_columns: ClassVar[tuple[str, ...]] = (
        "invoice_id",
        "partner_id",
        "contacts_a",
        "contacts_b",
        "first_contact_a",
        "first_contact_b",
        "change",
    )

    labels: tuple[str, str]
    a: OutreachSimulation
    b: OutreachSimulation

    def title(self) -> str:
        """``Policies compared: baseline vs weekly (min_gap_per_invoice 3 days -> 7 days)``."""
        diff = ", ".join(
            f"{d['field']} {d[self.labels[0]]} -> {d[self.labels[1]]}" for d in self.differences()
        )
        return f"Policies compared: {self.labels[0]} vs {self.labels[1]} ({diff or 'identical'})"

    def differences(self) -> list[dict[str, object]]:
        """The policy fields whose values differ: ``field`` and each label's value as text."""
        rows: list[dict[str, object]] = []
        for field in attrs.fields(OutreachPolicy):
            left, right = getattr(self.a.policy, field.name), getattr(self.b.policy, field.name)
            if left != right:
                rows.append(
                    {"field": field.name, self.labels[0]: _text(left), self.labels[1]: _text(right)}
                )
        return rows

    def records(self) -> list[dict[str, object]]:
        """One summary row per policy (see :meth:`OutreachSimulation.summary`)."""
        rows = []
        for label, simulation in zip(self.labels, (self.a, self.b), strict=True):
            summary = simulation.summary()
            rows.append({"policy": label, **{c: summary[c] for c in self.columns[1:]}})
        return rows

    def invoice_records(self) -> list[dict[str, object]]:
        """One row per open invoice: contacts and first contact under each policy, the change."""
        reached_a, reached_b = self.a.reached(), self.b.reached()
        rows: list[dict[str, object]] = []
        for invoice in self.a.candidates:
            key = invoice_key(invoice)
            sent_a, sent_b = reached_a.get(key, []), reached_b.get(key, [])
            first_a = sent_a[0].at if sent_a else None
            first_b = sent_b[0].at if sent_b else None
            rows.append(
                {
                    "invoice_id": key,
                    "partner_id": invoice.partner_id,
                    "contacts_a": len(sent_a),
                    "contacts_b": len(sent_b),
                    "first_contact_a": first_a,
                    "first_contact_b": first_b,
                    "change": _change(first_a, first_b),
                }
            )
        return rows

    def changes(self) -> dict[str, int]:
        """How many open invoices fall in each ``change``, in a fixed order."""
        counts = dict.fromkeys(("earlier", "same", "later", "gained", "lost", "never"), 0)
        for row in self.invoice_records():
            counts[str(row["change"])] += 1
        return counts


def compare_policies(
    invoices: Iterable[Invoice],
    *,
    partners: Mapping[str, Partner] | Iterable[Partner],
    workflow: Workflow,
    start: dt.datetime,
    end: dt.datetime,
    a: OutreachPolicy,
    b: OutreachPolicy,
    labels: tuple[str, str] = ("a", "b"),
    channels: Sequence[OutreachChannel] = ("email",),
    state: OutreachState | None = None,
) -> PolicyComparison:
    """Simulate the same portfolio, workflow and range under policies ``a`` and ``b``.

    Both runs start from the same state, so every difference comes from the policies. The
    labels name the policies in the rows (they must differ).
    """
    if labels[0] == labels[1]:
        raise ValueError(f"labels must be two different names, got {labels!r}")
    items = tuple(invoices)
    # The partners are read once per run: an iterator must not be used up by the first.
    known = partners if isinstance(partners, Mapping) else tuple(partners)
    runs = [
        simulate_outreach(
            items,
            partners=known,
            workflow=workflow,
            start=start,
            end=end,
            policy=policy,
            channels=channels,
            state=state,
        )
        for policy in (a, b)
    ]
    return PolicyComparison(labels=labels, a=runs[0], b=runs[1])
