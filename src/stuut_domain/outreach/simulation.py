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
import itertools
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import ClassVar, Final, Literal

import attrs

from stuut_domain.cadence.dunning import DunningPolicy, dunning_level
from stuut_domain.display import Report, short_repr, to_tenth
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.outreach.decision import Blocker, OutreachDecision, duration_text, invoice_key
from stuut_domain.outreach.engine import OutreachContext, PartnerInvoices, invoices_by_partner
from stuut_domain.outreach.policy import DEFAULT_POLICY, OutreachPolicy
from stuut_domain.outreach.rules import SCHEDULE_CODES
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
    "dunning_level": "the partner's dunning level names no channel that was simulated",
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
    #: The dunning level the contact was sent at (with a dunning policy), else ``None``.
    level: str | None = None

    def as_record(self) -> dict[str, object]:
        """A plain row: instant (UTC), partner, channel, invoices and recipients joined by ``,``,
        and the dunning level."""
        return {
            "at": self.at,
            "partner_id": self.partner_id,
            "partner": self.partner_name,
            "channel": self.channel,
            "invoices": ",".join(self.invoice_ids),
            "recipients": ",".join(self.recipients),
            "level": self.level,
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
    """An open invoice the simulation never reached: the reason that kept it out, and all.

    ``code`` is the one blocker that actually kept it out (ADR 0054): over its partner's
    last decision on each channel, the invoice's own blockers and the partner's together, the
    one that clears last (a blocker only a change of facts clears, such as a dispute, an
    inactive partner or a pause lifted by hand, beats any that clears in time); over several
    channels, the channel that would have cleared first decides. ``clears_at`` is when that
    reason clears (``None``: only a change of facts clears it), and never earlier than the
    partner's next decision after the range (then ``code`` is ``after_range`` when the reason
    itself cleared inside the range). ``codes`` and ``reasons`` list every blocker seen, so
    they overlap between invoices; ``code`` counts each invoice once.
    """

    invoice_id: str
    partner_id: str | None
    amount_due: Money
    code: str
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
            "code": self.code,
            "codes": ",".join(self.codes),
            "reasons": "; ".join(self.reasons),
            "clears_at": self.clears_at,
        }

    def __repr__(self) -> str:
        return short_repr(
            "Uncontacted", invoice_id=self.invoice_id, code=self.code, amount_due=self.amount_due
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
        "level",
    )
    invoice_columns: ClassVar[tuple[str, ...]] = (
        "invoice_id",
        "partner_id",
        "currency",
        "amount_due",
        "contacts",
        "first_contact_at",
        "channels",
        "code",
        "codes",
    )
    uncontacted_columns: ClassVar[tuple[str, ...]] = (
        "invoice_id",
        "partner_id",
        "currency",
        "amount_due",
        "code",
        "codes",
        "clears_at",
    )
    partner_columns: ClassVar[tuple[str, ...]] = (
        "partner_id",
        "partner",
        "contacts",
        "days_with_contact",
        "consecutive_days",
        "invoice_mentions",
    )
    amount_columns: ClassVar[tuple[str, ...]] = ("amount_due",)

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
                    "code": missed[key].code if key in missed else "",
                }
            )
        return rows

    def uncontacted_records(self) -> list[dict[str, object]]:
        """One row per open invoice never reached, with its codes and reasons."""
        return [u.as_record() for u in self.uncontacted]

    def summary(self) -> dict[str, object]:
        """Headline figures: contacts per channel, what a customer's inbox sees, invoices
        reached and not, days to first contact.

        ``sent`` counts contacts (one message or call each); ``invoice_mentions`` the invoices
        they name together; ``partner_days_with_contact`` the (partner, UTC day) pairs with at
        least one contact and ``consecutive_contact_days`` the pairs of consecutive such days
        of one partner; ``max_contacts_per_partner`` the busiest partner's contacts.
        ``median_days_to_first_contact`` is measured from ``start``, over the invoices
        reached, rounded half even to 0.1 day (``None`` when none was reached).
        ``never_reached_by_code`` counts each invoice never reached once, by the reason that
        kept it out (the counts sum to ``invoices_never_reached``);
        ``never_reached_codes_seen`` counts every code seen, which overlap.
        """
        reached = self.reached()
        firsts = [_days(sent[0].at - self.start) for sent in reached.values()]
        partners = self.partner_records()
        return {
            "sent": len(self.outreach),
            "emails": sum(1 for o in self.outreach if o.channel == "email"),
            "calls": sum(1 for o in self.outreach if o.channel == "call"),
            "invoice_mentions": sum(len(o.invoice_ids) for o in self.outreach),
            "partners_contacted": len(partners),
            "partner_days_with_contact": sum(int(str(p["days_with_contact"])) for p in partners),
            "consecutive_contact_days": sum(int(str(p["consecutive_days"])) for p in partners),
            "max_contacts_per_partner": max((int(str(p["contacts"])) for p in partners), default=0),
            "open_invoices": len(self.candidates),
            "invoices_reached": len(reached),
            "invoices_never_reached": len(self.uncontacted),
            "median_days_to_first_contact": to_tenth(statistics.median(firsts)) if firsts else None,
            "never_reached_by_code": self.never_by_code(),
            "never_reached_codes_seen": self.never_codes_seen(),
        }

    def partner_records(self) -> list[dict[str, object]]:
        """One row per partner contacted: contacts, days with a contact (UTC days), pairs of
        consecutive such days, and the invoice mentions those contacts carried."""
        contacts: dict[str, list[SimulatedOutreach]] = {}
        for item in self.outreach:
            contacts.setdefault(item.partner_id or "", []).append(item)
        rows: list[dict[str, object]] = []
        for pid, items in sorted(contacts.items()):
            days = sorted({item.at.date() for item in items})
            consecutive = sum(1 for a, b in itertools.pairwise(days) if (b - a).days == 1)
            rows.append(
                {
                    "partner_id": pid or None,
                    "partner": items[0].partner_name,
                    "contacts": len(items),
                    "days_with_contact": len(days),
                    "consecutive_days": consecutive,
                    "invoice_mentions": sum(len(item.invoice_ids) for item in items),
                }
            )
        return rows

    def never_by_code(self) -> dict[str, int]:
        """How many invoices never reached each reason kept out (each invoice counted once)."""
        counts: dict[str, int] = {}
        for item in self.uncontacted:
            counts[item.code] = counts.get(item.code, 0) + 1
        return dict(sorted(counts.items()))

    def never_codes_seen(self) -> dict[str, int]:
        """How many invoices never reached carry each code among all their blockers (these
        overlap: an invoice held by two blockers counts under both)."""
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
    #: Why the dunning level held an eligible contact back, and when its level changes.
    level_hold: tuple[str, dt.datetime | None] | None = None


_NEVER: Final = dt.datetime.max.replace(tzinfo=dt.UTC)


def _clears(blocker: Blocker) -> dt.datetime:
    return _NEVER if blocker.clears_at is None else blocker.clears_at


def _seen(key: str, lane: _Lane) -> list[Blocker]:
    """The blockers of ``lane``'s last decision that hold the invoice (its own, the partner's)."""
    if lane.last is None:
        return []
    return [b for b in (*lane.last.blockers, *lane.last.excluded) if b.invoice_id in (key, None)]


def _keeper(key: str, lane: _Lane) -> Blocker | None:
    """The blocker of ``lane``'s last decision that kept the invoice out longest.

    The schedule (window, active days, holidays) only decides when nothing else holds: it
    reopens every business day, so it explains "not yet", never "not at all".
    """
    seen = _seen(key, lane)
    ruling = (
        [b for b in seen if b.code not in SCHEDULE_CODES]
        or [b for b in seen if b.code == "holiday"]  # a closed day says more than the clock
        or seen
    )
    # The latest to clear; at equal instants the first in rule order (partner rules first).
    return max(ruling, key=_clears) if ruling else None


def _reasons(invoice: Invoice, lanes: Sequence[_Lane], finish: dt.datetime) -> Uncontacted:
    """Why ``invoice`` was never reached: the reason that kept it out, and those still
    holding when the range ends (see :class:`Uncontacted`)."""
    key = invoice_key(invoice)
    keepers = [(lane, found) for lane in lanes if (found := _keeper(key, lane)) is not None]
    after = [lane.stopped_after_range for lane in lanes if lane.stopped_after_range is not None]
    holds = [lane.level_hold for lane in lanes if lane.level_hold is not None]
    if not keepers and holds:
        times = [when for _, when in holds if when is not None]
        return Uncontacted(
            invoice_id=key,
            partner_id=invoice.partner_id,
            amount_due=invoice.amount_due,
            code="dunning_level",
            codes=("dunning_level",),
            reasons=tuple(f"[dunning_level] {why}" for why, _ in holds),
            clears_at=min(times) if times else None,
        )
    if not keepers:
        code, clears_at, keeper = "after_range", (min(after) if after else None), None
    else:
        # Over several channels, the channel that would have cleared first decides.
        lane, keeper = min(keepers, key=lambda pair: _clears(pair[1]))
        code, clears_at = keeper.code, keeper.clears_at
        if clears_at is not None:
            if clears_at < finish:
                code = "after_range"  # it cleared inside the range; the next try came after
            stopped = lane.stopped_after_range
            if stopped is not None and stopped > clears_at:
                clears_at = stopped
    shown = [] if keeper is None else [keeper]
    shown += [
        b
        for lane in lanes
        for b in _seen(key, lane)
        if b.code not in SCHEDULE_CODES and _clears(b) >= finish
    ]
    codes: list[str] = []
    reasons: list[str] = []
    for blocker in shown:
        if blocker.code not in codes:
            codes.append(blocker.code)
            reasons.append(str(blocker))
    if clears_at is not None and after and "after_range" not in codes:
        codes.append("after_range")
        reasons.append(f"[after_range] {SIMULATION_CODES['after_range']}")
    return Uncontacted(
        invoice_id=key,
        partner_id=invoice.partner_id,
        amount_due=invoice.amount_due,
        code=code,
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
    dunning: DunningPolicy | None = None
    sent: list[SimulatedOutreach] = attrs.field(factory=list)
    levels: dict[str, list[str]] = attrs.field(factory=dict)

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
        channel = lane.context.channel
        level: str | None = None
        if self.dunning is not None:
            schedule = lane.context.schedule
            status = dunning_level(
                lane.invoices,
                self.dunning,
                at,
                reached=self.levels.get(pid, ()),
                zone=None if schedule is None else schedule.zone,
            )
            if status.level is None or channel not in status.level.channels:
                # Not this channel's level (or none yet): ask again when the level changes.
                following = status.next_at
                if following is not None and following <= at:
                    following = None
                why = (
                    f"{status.reason}; that level sends no {channel}"
                    if status.level is not None
                    else status.reason
                )
                lane.level_hold = (why, following)
                return following
            lane.level_hold = None
            level = status.level.name
            reached = self.levels.setdefault(pid, [])
            if level not in reached:
                reached.append(level)
        recipients = tuple(r.address for r in decision.recipients)
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
                level=level,
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
        code="unknown_partner",
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
    dunning: DunningPolicy | None = None,
) -> OutreachSimulation:
    """Replay outreach over the half-open range ``[start, end)`` for every partner's open invoices.

    ``partners`` (by id, or an iterable) supplies each invoice's partner; an invoice that
    embeds its partner needs none. ``state`` defaults to the outreach the invoices record.
    ``progress(done, total)`` is called after each partner (for a caller's progress display).
    With ``dunning`` (a :class:`~stuut_domain.cadence.DunningPolicy`), a contact goes out only
    on a channel its partner's current level names (:func:`~stuut_domain.cadence.dunning_level`,
    from the levels this run reached), and carries the level's name.
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
        dunning=dunning,
    )
    replay.run(begin, progress)

    sent = replay.sent  # already in time order: the queue pops instants in order
    reached = {invoice_id for item in sent for invoice_id in item.invoice_ids}
    candidates = tuple(i for i in items if is_open_receivable(i))
    uncontacted = tuple(
        _reasons(invoice, lanes[owner[id(invoice)]], finish)
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
        "invoice_mentions",
        "partner_days_with_contact",
        "max_contacts_per_partner",
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
    dunning: DunningPolicy | None = None,
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
            dunning=dunning,
        )
        for policy in (a, b)
    ]
    return PolicyComparison(labels=labels, a=runs[0], b=runs[1])
