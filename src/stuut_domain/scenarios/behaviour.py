"""How a book's partners pay: an empirical payment-behaviour model, fitted or set by hand.

The model (ADR 0063) reads time in whole days from an invoice's due day (0 on the due day,
negative before it) and says, for one open invoice on one day, the probability that a payment
arrives that day, and how much it is:

* A **daily hazard** ``h(d)`` for days ``first_day .. first_day + len(hazards) - 1``; outside
  that range no payment arrives (after the last observed payment the curve is flat: that
  plateau is the share that never pays).
* A **contact effect**: within ``window_days`` days after a contact on a channel (the day of
  the contact counts as day 0 of the window), the hazard is lifted by that channel's
  ``lifts[channel]`` as a proportional hazard on the daily survival:
  ``p = 1 - (1 - h(d)) ** lift`` (so ``p`` stays a probability; for small ``h`` it is
  ``h × lift``). Several channels in their windows: the largest lift counts.
* The **amount**: with probability ``full_share`` the payment settles what is left; else it
  is a part payment of ``partial_fraction`` of what is left (rounded half even to the minor
  unit, at least one unit and leaving at least one), after which the invoice stays at risk.

:func:`fit_behaviour` fits it from the book's own history (invoices with their allocations and
the outreach sent), Kaplan–Meier with honest censoring: an invoice still unpaid at ``as_of``
counts as at risk up to and including the as-of day, then leaves the risk set without an event.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any, ClassVar, Final, Literal

import attrs

from stuut_domain.display import Report, short_repr
from stuut_domain.errors import InvalidScenario
from stuut_domain.invoice import Invoice, InvoiceStatus, status_of
from stuut_domain.lifecycle import due_day, is_approved
from stuut_domain.outreach.state import SentOutreach
from stuut_domain.payment import PaymentAllocation
from stuut_domain.receivables import is_receivable
from stuut_domain.types import OUTREACH_CHANNELS, OutreachChannel
from stuut_domain.validators import require_aware

__all__ = [
    "BEHAVIOUR_CODES",
    "MAX_CURVE_DAYS",
    "BehaviourBook",
    "KaplanMeierStep",
    "Observation",
    "PaymentBehaviour",
    "fit_behaviour",
    "kaplan_meier",
    "observations",
]

#: Why an invoice of the history was left out of the fit (stable codes).
BEHAVIOUR_CODES: Final[Mapping[str, str]] = {
    "not_receivable": "a payable invoice says nothing about how customers pay",
    "not_issued": "a draft was never owed",
    "void": "a void invoice was cancelled, not paid",
    "no_due_date": "days from due cannot be counted without a due date",
    "issued_after_as_of": "the invoice did not exist yet at the as-of date",
    "no_amount": "nothing was owed (total not above zero)",
    "beyond_curve": "paid or still open more than MAX_CURVE_DAYS days from its due date",
}

#: The farthest day from due a curve reaches, either side (ten years): a payment curve
#: longer than that says more about the data (a due date typed as year 9000) than about
#: customers, and its cost grows with the span.
MAX_CURVE_DAYS: Final = 3_660

#: The pseudo-events added to a lift's observed and expected events (shrinks it towards 1).
LIFT_PRIOR: Final = 1.0

#: How many alternating passes the contact-effect fit makes (baseline hazard, then lifts).
FIT_PASSES: Final = 30


def _refuse(code: str, path: str, message: str, **values: object) -> InvalidScenario:
    return InvalidScenario(code, path, message, **values)


def _probability(path: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
        raise _refuse("not_a_probability", path, "a probability is a number", value=value)
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise _refuse("not_a_probability", path, "a probability is within 0..1", value=value)
    return number


def _check_hazards(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, tuple):
        raise _refuse("hazards_not_tuple", attribute.name, "hazards are a tuple", value=value)
    if len(value) > 2 * MAX_CURVE_DAYS + 1:
        raise _refuse(
            "hazards_too_many",
            attribute.name,
            f"a curve covers at most {2 * MAX_CURVE_DAYS + 1} days",
            value=len(value),
        )
    for i, h in enumerate(value):
        _probability(f"{attribute.name}[{i}]", h)


def _check_share(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    _probability(attribute.name, value)


def _check_fraction(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, Fraction) or not 0 < value < 1:
        raise _refuse(
            "partial_fraction",
            attribute.name,
            "a part payment is an exact Fraction strictly between 0 and 1",
            value=value,
        )


def _check_lifts(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, Mapping):
        raise _refuse("lifts_not_mapping", attribute.name, "lifts map channels", value=value)
    for channel, lift in value.items():
        if channel not in OUTREACH_CHANNELS:
            raise _refuse("unknown_channel", f"{attribute.name}.{channel}", "no such channel")
        if isinstance(lift, bool) or not isinstance(lift, int | float) or not lift >= 0:
            raise _refuse(
                "lift_negative",
                f"{attribute.name}.{channel}",
                "a lift is a number >= 0 (not NaN)",
                value=lift,
            )
        if math.isinf(lift):
            raise _refuse(
                "lift_not_finite",
                f"{attribute.name}.{channel}",
                "a lift is finite (an infinite lift pays every contacted invoice at once)",
                value=lift,
            )


def _check_first_day(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not int or abs(value) > MAX_CURVE_DAYS:
        raise _refuse(
            "first_day",
            attribute.name,
            f"a whole number of days from due, within ±{MAX_CURVE_DAYS}",
            value=value,
        )


def _check_window(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not int or value < 1:
        raise _refuse("window_days", attribute.name, "a window is at least one day", value=value)


def _frozen_lifts(value: Any) -> Any:
    """Lifts as a dict in channel order (anything else is left for the validator to refuse)."""
    return dict(sorted(value.items())) if isinstance(value, Mapping) else value


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class PaymentBehaviour:
    """One segment's payment behaviour (see the module docstring for the rules it states).

    ``hazards[i]`` is the probability that an open invoice receives a payment on day
    ``first_day + i`` from its due day, with no contact in effect. Build one by hand with the
    constructor or :meth:`constant`, or fit one with :func:`fit_behaviour`.
    """

    first_day: int = attrs.field(validator=_check_first_day)
    hazards: tuple[float, ...] = attrs.field(validator=_check_hazards)
    full_share: float = attrs.field(default=1.0, validator=_check_share)
    partial_fraction: Fraction = attrs.field(default=Fraction(1, 2), validator=_check_fraction)
    lifts: Mapping[OutreachChannel, float] = attrs.field(
        factory=dict, converter=_frozen_lifts, validator=_check_lifts
    )
    window_days: int = attrs.field(default=3, validator=_check_window)

    @classmethod
    def constant(
        cls,
        daily: float,
        *,
        from_day: int = 0,
        days: int = 90,
        full_share: float = 1.0,
        partial_fraction: Fraction = Fraction(1, 2),
        lifts: Mapping[OutreachChannel, float] | None = None,
        window_days: int = 3,
    ) -> PaymentBehaviour:
        """A hand-set model: the same daily hazard ``daily`` for ``days`` days from ``from_day``."""
        if type(days) is not int or not 1 <= days <= 2 * MAX_CURVE_DAYS + 1:
            raise _refuse(
                "days",
                "days",
                f"a curve covers 1 to {2 * MAX_CURVE_DAYS + 1} days",
                value=days,
            )
        return cls(
            first_day=from_day,
            hazards=(_probability("daily", daily),) * days,
            full_share=full_share,
            partial_fraction=partial_fraction,
            lifts={} if lifts is None else lifts,
            window_days=window_days,
        )

    @classmethod
    def on_due_date(cls) -> PaymentBehaviour:
        """Every open invoice pays what is left, in full, on its due day (and never otherwise).

        The deterministic reading of :func:`stuut_domain.portfolio.expected_collections`:
        simulated with ``promise_kept=1.0``, each run's cash per calendar week is the
        forecast's dated weeks for the book with its pending allocations approved (pending
        money has arrived already; the forecast counts it in ``amount_due``). Invoices due
        before the start (the forecast's ``overdue``) never pay.
        """
        return cls(first_day=0, hazards=(1.0,), full_share=1.0)

    @property
    def last_day(self) -> int:
        """The last day (from due) with a hazard; later days have none."""
        return self.first_day + len(self.hazards) - 1

    def hazard(self, day: int) -> float:
        """The baseline hazard on ``day`` from due (0 outside the curve)."""
        index = day - self.first_day
        return self.hazards[index] if 0 <= index < len(self.hazards) else 0.0

    def lift(self, since_contact: Mapping[OutreachChannel, int]) -> float:
        """The lift in force given the days since the last contact on each channel."""
        inside = [
            float(self.lifts.get(channel, 1.0))
            for channel, days in since_contact.items()
            if 0 <= days < self.window_days
        ]
        # The largest lift in force, even below 1 (a contact that delays payment); none: 1.
        return max(inside) if inside else 1.0

    def probability(self, day: int, lift: float = 1.0) -> float:
        """The probability of a payment on ``day`` with ``lift`` in force."""
        h = self.hazard(day)
        if h <= 0.0 or lift == 1.0:
            return h
        if h >= 1.0:
            return 1.0 if lift > 0 else 0.0
        return 1.0 - math.pow(1.0 - h, lift)

    def never_share(self) -> float:
        """The share that never pays without contact (survival after the last day)."""
        survival = 1.0
        for h in self.hazards:
            survival *= 1.0 - h
        return survival

    def as_record(self) -> dict[str, object]:
        """Headline parameters as one plain row (lifts as ``lift_<channel>`` columns)."""
        never = self.never_share()
        return {
            "first_day": self.first_day,
            "last_day": self.last_day,
            "paid_share": 1.0 - never,
            "never_share": never,
            "full_share": self.full_share,
            "partial_fraction": float(self.partial_fraction),
            "window_days": self.window_days,
            **{f"lift_{c}": self.lifts.get(c, 1.0) for c in OUTREACH_CHANNELS},
        }

    def __repr__(self) -> str:
        return short_repr(
            "PaymentBehaviour",
            days=f"{self.first_day}..{self.last_day}",
            never_share=round(self.never_share(), 4),
            full_share=self.full_share,
            lifts=dict(self.lifts),
        )


# -- the history, read ---------------------------------------------------------------------


@attrs.frozen(kw_only=True, weakref_slot=False)
class Observation:
    """One invoice of the history, on the due-day clock.

    ``day`` is the day of its first payment (``paid=True``) or of ``as_of`` (censored);
    ``full`` whether that first payment settled the total; ``fraction`` the share of the
    total it paid; ``contacts`` the days of each contact about it, with the channel.
    """

    invoice_id: str
    partner_id: str | None
    day: int
    paid: bool
    full: bool
    fraction: Fraction
    contacts: tuple[tuple[int, OutreachChannel], ...] = ()


def _paid_instant(allocation: PaymentAllocation) -> dt.datetime | None:
    """When an allocation's money arrived: the payment's timestamp, else approval, else
    creation (``None`` when nothing says)."""
    payment = allocation.payment
    if payment is not None and payment.timestamp is not None:
        return payment.timestamp
    return allocation.approved_at or allocation.created_at


def _left_out(invoice: Invoice, as_of: dt.datetime) -> str | None:
    if not is_receivable(invoice):
        return "not_receivable"
    status = status_of(invoice)
    if status is InvoiceStatus.DRAFT or invoice.issued_at is None:
        return "not_issued"
    if status is InvoiceStatus.VOID:
        return "void"
    if invoice.due_date is None:
        return "no_due_date"
    if invoice.issued_at > as_of:
        return "issued_after_as_of"
    if not invoice.total_amount.is_positive():
        return "no_amount"
    return None


def observations(
    invoices: Iterable[Invoice],
    *,
    as_of: dt.datetime,
    contacts: Iterable[SentOutreach] = (),
) -> tuple[tuple[Observation, ...], dict[str, str]]:
    """The history as observations (in invoice-id order) and the invoices left out, by code.

    The event is the first approved payment received on or before ``as_of`` (a paid invoice
    without allocations counts its ``paid_at``); an invoice not paid by then, written off
    included, is censored at the as-of day. Contacts after an invoice's event or after
    ``as_of`` are ignored.
    """
    at = require_aware("as_of", as_of)
    today = at.astimezone(dt.UTC).date()
    touched: dict[str, list[tuple[dt.date, OutreachChannel]]] = {}
    for sent in contacts:
        if sent.sent_at > at:
            continue
        for invoice_id in sent.invoice_ids:
            touched.setdefault(invoice_id, []).append(
                (sent.sent_at.astimezone(dt.UTC).date(), sent.channel)
            )
    found: list[Observation] = []
    left_out: dict[str, str] = {}
    for invoice in invoices:
        key = invoice.id or invoice.number or ""
        why = _left_out(invoice, at)
        if why is not None:
            left_out[key] = why
            continue
        due = due_day(invoice)
        assert due is not None  # _left_out refuses an invoice without a due date
        paid = sorted(
            (when, a.amount.minor_units)
            for a in invoice.payments
            if is_approved(a) and (when := _paid_instant(a)) is not None and when <= at
        )
        total = invoice.total_amount.minor_units
        if paid:
            when, units = paid[0]
            event_day = when.astimezone(dt.UTC).date()
            fraction = Fraction(min(units, total), total)
            full = units >= total
        elif invoice.paid_at is not None and invoice.paid_at <= at:
            event_day, fraction, full = invoice.paid_at.astimezone(dt.UTC).date(), Fraction(1), True
        else:
            event_day, fraction, full = today, Fraction(0), False
        is_paid = fraction > 0
        days = tuple(
            sorted(
                ((d - due).days, channel) for d, channel in touched.get(key, []) if d <= event_day
            )
        )
        if abs((event_day - due).days) > MAX_CURVE_DAYS:
            left_out[key] = "beyond_curve"
            continue
        found.append(
            Observation(
                invoice_id=key,
                partner_id=invoice.partner_id,
                day=(event_day - due).days,
                paid=is_paid,
                full=full,
                fraction=fraction,
                contacts=days,
            )
        )
    found.sort(key=lambda o: o.invoice_id)
    return tuple(found), dict(sorted(left_out.items()))


# -- Kaplan–Meier ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True, weakref_slot=False)
class KaplanMeierStep:
    """One day of the Kaplan–Meier curve with an event or a censoring.

    ``at_risk`` counts the invoices whose time is this day or later (those censored on this
    day included: censoring comes after the day's events); ``survival`` is the exact product
    of ``1 - events / at_risk`` up to and including this day.
    """

    day: int
    at_risk: int
    events: int
    censored: int
    survival: Fraction

    def as_record(self) -> dict[str, object]:
        """A plain row with ``survival`` exact and as ``survival_float``."""
        return {
            "day": self.day,
            "at_risk": self.at_risk,
            "events": self.events,
            "censored": self.censored,
            "survival": self.survival,
            "survival_float": float(self.survival),
        }


def kaplan_meier(items: Iterable[Observation]) -> tuple[KaplanMeierStep, ...]:
    """The Kaplan–Meier estimate of "not yet paid" by day from due, exactly (Fractions)."""
    events: dict[int, int] = {}
    censored: dict[int, int] = {}
    for item in items:
        bucket = events if item.paid else censored
        bucket[item.day] = bucket.get(item.day, 0) + 1
    at_risk = sum(events.values()) + sum(censored.values())
    survival = Fraction(1)
    steps: list[KaplanMeierStep] = []
    for day in sorted(set(events) | set(censored)):
        d, c = events.get(day, 0), censored.get(day, 0)
        if d:
            survival *= 1 - Fraction(d, at_risk)
        steps.append(
            KaplanMeierStep(day=day, at_risk=at_risk, events=d, censored=c, survival=survival)
        )
        at_risk -= d + c
    return tuple(steps)


# -- the fit --------------------------------------------------------------------------------


def _exposure(item: Observation, day: int, window: int) -> tuple[OutreachChannel, ...] | None:
    """The channels whose window covers ``day`` for this invoice (``None``: none)."""
    inside = tuple(sorted({c for d, c in item.contacts if 0 <= day - d < window}))
    return inside or None


def _solve(excess: Any, low: float, high: float) -> float:
    """The root of ``excess`` (increasing) in ``[low, high]``, by bisection to 1e-12."""
    for _ in range(200):
        middle = (low + high) / 2
        if excess(middle) < 0:
            low = middle
        else:
            high = middle
        if high - low <= 1e-12 * max(1.0, high):
            break
    return (low + high) / 2


def _baseline(events: float, at_risk: Mapping[float, int]) -> float:
    """The day's baseline hazard ``h`` whose expected events under the model equal the
    observed: ``Σ count × (1 − (1 − h) ** lift) = events`` over the invoices at risk."""
    if events == 0 or not at_risk:
        return 0.0

    def excess(h: float) -> float:
        return sum(n * (1.0 - math.pow(1.0 - h, lift)) for lift, n in at_risk.items()) - events

    if excess(1.0) <= 0:
        return 1.0
    return _solve(excess, 0.0, 1.0)


def _lift(observed: float, hazards: list[float], windows: list[int]) -> float:
    """A channel's lift ``L``: the events inside its windows equal what the model expects
    there, ``Σ count × (1 − (1 − h) ** L)``, with :data:`LIFT_PRIOR` pseudo-events at lift 1
    on each side (``expected(L) + prior × L = observed + prior``), so a channel seen in a
    handful of windows stays near 1 instead of jumping to 0 or to a huge ratio."""

    def excess(lift: float) -> float:
        expected = sum(
            n * (1.0 - math.pow(1.0 - h, lift))
            for h, n in zip(hazards, windows, strict=True)
            if n and h < 1.0
        )
        return expected + LIFT_PRIOR * lift - (observed + LIFT_PRIOR)

    high = 2.0
    while excess(high) < 0 and high < 1e6:
        high *= 2
    return _solve(excess, 0.0, high)


def _fit_one(
    items: tuple[Observation, ...],
    window: int,
    lifts: Mapping[OutreachChannel, float] | None,
    *,
    fit_rest: bool = False,
) -> tuple[int, tuple[float, ...], dict[OutreachChannel, float], float, Fraction]:
    """Baseline hazards, lifts, full share and part fraction of one segment's observations.

    Discrete-time proportional hazards fitted by alternating passes, each step matching the
    observed events with what the model itself expects (``p = 1 − (1 − h) ** lift``, not its
    small-hazard approximation ``h × lift``, which read a true lift of 2.5 as about 2.4):
    the baseline hazard of a day from the invoices at risk under each lift in force
    (:func:`_baseline`); a channel's lift from the events inside its windows (:func:`_lift`,
    with :data:`LIFT_PRIOR`).
    With ``lifts`` given, those lifts are kept and, unless ``fit_rest``, only the baseline
    is fitted; with ``fit_rest`` the channels seen but not given are fitted as well. A
    channel never seen keeps lift 1 (or its given value).
    """
    paid = [o for o in items if o.paid]
    if not paid:
        return 0, (0.0,), dict(lifts or {}), 1.0, Fraction(1, 2)
    first = min(o.day for o in paid)
    last = max(o.day for o in paid)
    span = last - first + 1
    events = [0] * span
    for o in paid:
        events[o.day - first] += 1
    # Each invoice's exposed days (day index, channels in window or None), from `first` on.
    exposed: list[list[tuple[int, tuple[OutreachChannel, ...] | None]]] = []
    for o in items:
        rows: list[tuple[int, tuple[OutreachChannel, ...] | None]] = []
        for day in range(first, min(o.day, last) + 1):
            inside = _exposure(o, day, window) if o.contacts else None
            rows.append((day - first, inside))
        exposed.append(rows)
    event_channels: dict[OutreachChannel, int] = {}
    for o in paid:
        inside = _exposure(o, o.day, window) if o.contacts else None
        for channel in inside or ():
            event_channels[channel] = event_channels.get(channel, 0) + 1
    seen = sorted({c for rows in exposed for _, inside in rows if inside for c in inside})
    fixed = dict(lifts or {})
    free = [c for c in seen if c not in fixed] if lifts is None or fit_rest else []
    current: dict[OutreachChannel, float] = {**dict.fromkeys(free, 1.0), **fixed}
    passes = FIT_PASSES if free else 1
    hazards = [0.0] * span
    for _ in range(passes):
        # Each day's risk set, as how many invoices were at risk under each lift in force.
        at_risk: list[dict[float, int]] = [{} for _ in range(span)]
        for rows in exposed:
            for index, inside in rows:
                lift = 1.0 if inside is None else max(current.get(c, 1.0) for c in inside)
                at_risk[index][lift] = at_risk[index].get(lift, 0) + 1
        hazards = [_baseline(e, r) for e, r in zip(events, at_risk, strict=True)]
        if not free:
            break
        for channel in free:
            windows = [0] * span  # invoice-days inside this channel's windows, per day
            for rows in exposed:
                for index, inside in rows:
                    if inside is not None and channel in inside:
                        windows[index] += 1
            current[channel] = _lift(event_channels.get(channel, 0), hazards, windows)
    full = sum(1 for o in paid if o.full)
    parts = [o.fraction for o in paid if not o.full]
    fraction = sum(parts, Fraction(0)) / len(parts) if parts else Fraction(1, 2)
    if not 0 < fraction < 1:
        fraction = Fraction(1, 2)
    return first, tuple(hazards), current, full / len(paid), fraction


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class BehaviourBook(Report):
    """Payment behaviour per segment, and the pooled model for every other invoice.

    ``segments`` maps a segment key (a partner id with ``segment_by="partner"``) to its model;
    an invoice of no listed segment gets ``pooled``. ``curve`` is the pooled Kaplan–Meier
    curve; ``left_out`` the history invoices not used, with their code
    (:data:`BEHAVIOUR_CODES`). ``records()`` gives one row per model.
    """

    columns: ClassVar[tuple[str, ...]] = (
        "segment",
        "invoices",
        "paid",
        "never_share",
        "full_share",
        "partial_fraction",
        "lift_email",
        "lift_call",
    )

    pooled: PaymentBehaviour
    segments: Mapping[str, PaymentBehaviour] = attrs.field(factory=dict)
    segment_by: Literal["all", "partner"] = "all"
    curve: tuple[KaplanMeierStep, ...] = ()
    counts: Mapping[str, tuple[int, int]] = attrs.field(factory=dict)
    left_out: Mapping[str, str] = attrs.field(factory=dict)
    #: Per channel of the history's contacts: (invoices contacted, of them paid by as-of,
    #: of them paid inside a contact's window). What the lift was fitted from.
    contact_counts: Mapping[str, tuple[int, int, int]] = attrs.field(factory=dict)
    #: The channels whose lift was set by hand (``fit_behaviour(lifts=...)``), not fitted.
    lifts_by_hand: tuple[str, ...] = ()

    @classmethod
    def of(cls, behaviour: PaymentBehaviour) -> BehaviourBook:
        """One hand-set model for every invoice."""
        return cls(pooled=behaviour)

    def for_invoice(self, invoice: Invoice) -> PaymentBehaviour:
        """The model that applies to ``invoice``: its partner's when fitted, else pooled."""
        pid = invoice.partner_id
        if self.segment_by == "partner" and pid is not None and pid in self.segments:
            return self.segments[pid]
        return self.pooled

    def title(self) -> str:
        """``Payment behaviour: pooled + 12 partner segments``."""
        return f"Payment behaviour: pooled + {len(self.segments)} {self.segment_by} segments"

    def records(self) -> list[dict[str, object]]:
        """One row per model (pooled first, then segments in key order); floats throughout."""
        rows: list[dict[str, object]] = []
        for key, model in (("pooled", self.pooled), *sorted(self.segments.items())):
            record = model.as_record()
            invoices, paid = self.counts.get(key, (0, 0))
            rows.append({"segment": key, "invoices": invoices, "paid": paid, **record})
        return rows

    def contact_records(self) -> list[dict[str, object]]:
        """One row per channel of the history's contacts: what its lift rests on.

        ``contacted`` invoices, how many of them were ``paid`` by as-of and how many paid
        ``in_window`` (on a day a contact's window covered), and the pooled ``lift``
        (``fitted`` or set by hand). A history that records contacts mostly on invoices still
        open (``paid`` far below ``contacted``, as when only the open book's last outreach
        is known) cannot identify a lift: the fit reads it below 1; set it by hand.
        """
        return [
            {
                "channel": channel,
                "contacted": contacted,
                "paid": paid,
                "in_window": in_window,
                "lift": self.pooled.lifts.get(channel, 1.0),  # type: ignore[call-overload]
                "lift_source": "by_hand" if channel in self.lifts_by_hand else "fitted",
            }
            for channel, (contacted, paid, in_window) in sorted(self._contact_rows().items())
        ]

    def _contact_rows(self) -> dict[str, tuple[int, int, int]]:
        """The history's contact counts, and a zero row for each channel set by hand without
        contacts (so a hand-set lift is never invisible)."""
        rows = dict(self.contact_counts)
        for channel in self.lifts_by_hand:
            rows.setdefault(channel, (0, 0, 0))
        return rows

    def curve_records(self) -> list[dict[str, object]]:
        """The pooled Kaplan–Meier curve, one row per day with an event or a censoring."""
        return [step.as_record() for step in self.curve]


def fit_behaviour(
    invoices: Iterable[Invoice],
    *,
    as_of: dt.datetime,
    contacts: Iterable[SentOutreach] = (),
    window_days: int = 3,
    segment_by: Literal["all", "partner"] = "all",
    min_paid: int = 20,
    lifts: Mapping[OutreachChannel, float] | None = None,
) -> BehaviourBook:
    """Fit the payment behaviour of a book from its own history (ADR 0063).

    ``contacts`` is the outreach sent (e.g. ``OutreachState.from_invoices(...).sent``); the
    lift of each channel is fitted on the whole book. With ``segment_by="partner"``, every
    partner with at least ``min_paid`` paid invoices gets its own baseline curve and shares
    (the book's lifts); the others use the pooled model. ``lifts`` sets the contact effect
    of the channels it names by hand (the baseline, and the lifts of the channels it does
    not name, are then fitted under it): for a history whose contacts cannot identify it
    (see :meth:`BehaviourBook.contact_records`). Refused
    (:class:`~stuut_domain.errors.InvalidScenario`): a bad window, segmenting, minimum or
    lift.
    """
    _check_window(None, attrs.fields(PaymentBehaviour).window_days, window_days)
    if segment_by not in ("all", "partner"):
        raise _refuse(
            "segment_by", "segment_by", "segments are 'all' or 'partner'", value=segment_by
        )
    if type(min_paid) is not int or min_paid < 1:
        raise _refuse(
            "min_paid", "min_paid", "a segment needs at least one payment", value=min_paid
        )
    given: Mapping[OutreachChannel, float] | None = None
    if lifts is not None:
        given = _frozen_lifts(lifts)
        _check_lifts(None, attrs.fields(PaymentBehaviour).lifts, given)
    items, left_out = observations(invoices, as_of=as_of, contacts=contacts)

    def model(
        part: tuple[Observation, ...], lifts: Mapping[OutreachChannel, float] | None
    ) -> tuple[PaymentBehaviour, dict[OutreachChannel, float]]:
        first, hazards, fitted, full, fraction = _fit_one(
            part, window_days, lifts, fit_rest=lifts is given
        )
        return (
            PaymentBehaviour(
                first_day=first,
                hazards=hazards,
                full_share=full,
                partial_fraction=fraction,
                lifts=fitted,
                window_days=window_days,
            ),
            fitted,
        )

    pooled, fitted = model(items, given)
    counts = {"pooled": (len(items), sum(1 for o in items if o.paid))}
    segments: dict[str, PaymentBehaviour] = {}
    if segment_by == "partner":
        by_partner: dict[str, list[Observation]] = {}
        for o in items:
            if o.partner_id is not None:
                by_partner.setdefault(o.partner_id, []).append(o)
        for pid, part in sorted(by_partner.items()):
            paid = sum(1 for o in part if o.paid)
            if paid >= min_paid:
                segments[pid] = model(tuple(part), fitted)[0]
                counts[pid] = (len(part), paid)
    return BehaviourBook(
        pooled=pooled,
        segments=segments,
        segment_by=segment_by,
        curve=kaplan_meier(items),
        counts=counts,
        left_out=left_out,
        contact_counts=_contact_counts(items, window_days),
        lifts_by_hand=tuple(sorted(given or {})),
    )


def _contact_counts(items: Iterable[Observation], window: int) -> dict[str, tuple[int, int, int]]:
    """Per channel: invoices contacted, of them paid, of them paid inside a window."""
    out: dict[str, tuple[int, int, int]] = {}
    for o in items:
        for channel in sorted({c for _, c in o.contacts}):
            contacted, paid, in_window = out.get(channel, (0, 0, 0))
            inside = o.paid and channel in (_exposure(o, o.day, window) or ())
            out[channel] = (contacted + 1, paid + o.paid, in_window + inside)
    return out
