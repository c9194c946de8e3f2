"""Portfolio figures of promises: kept rate, broken streaks, amount promised by week.

Every figure reads :class:`~stuut_domain.owed.promise.PromiseReading` values (one
appropriation, :func:`~stuut_domain.owed.promise.promise_statuses`), so the figures, the
outreach hold and a promise's own status always agree. Weeks are keyed by their Monday, as
:func:`stuut_domain.portfolio.expected_collections` keys them, so the two can stand side by
side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from stuut_domain.money import Money, MoneyBag
from stuut_domain.owed.promise import (
    DEFAULT_PROMISE_POLICY,
    Promise,
    PromisePolicy,
    PromiseReading,
    PromiseStatus,
)
from stuut_domain.portfolio import LATER, OVERDUE, UNDATED, CollectionsForecast, week_monday

__all__ = [
    "broken_streak",
    "broken_streaks",
    "promise_kept_rate",
    "promised_beside_expected",
    "promised_by_week",
]

_DECIDED = frozenset({PromiseStatus.KEPT, PromiseStatus.PARTIALLY_KEPT, PromiseStatus.BROKEN})


def promise_kept_rate(readings: Iterable[PromiseReading]) -> Fraction | None:
    """Kept promises over decided ones (kept, partially kept, broken), exact; ``None`` when
    none is decided yet. Pending, cancelled and superseded promises do not count."""
    decided = [r for r in readings if r.status in _DECIDED]
    if not decided:
        return None
    return Fraction(sum(r.status is PromiseStatus.KEPT for r in decided), len(decided))


def broken_streak(
    promises: Sequence[Promise], readings: Sequence[PromiseReading], partner_id: str
) -> int:
    """How many of the partner's latest decided promises in a row were broken.

    Promises are ordered by promised date, then when they were made; a kept or partially kept
    promise ends the streak ("two in a row is a pattern": escalate on it).
    """
    status = {r.promise_id: r.status for r in readings}
    own = sorted(
        (p for p in promises if p.partner_id == partner_id and status.get(p.id) in _DECIDED),
        key=lambda p: (p.promised_date, p.made_at, p.id),
    )
    streak = 0
    for promise in reversed(own):
        if status[promise.id] is not PromiseStatus.BROKEN:
            break
        streak += 1
    return streak


def broken_streaks(
    promises: Sequence[Promise], readings: Sequence[PromiseReading]
) -> dict[str, int]:
    """:func:`broken_streak` of every partner with a promise, by partner id in id order."""
    return {
        pid: broken_streak(promises, readings, pid)
        for pid in sorted({p.partner_id for p in promises})
    }


def promised_by_week(
    promises: Sequence[Promise],
    readings: Sequence[PromiseReading],
    policy: PromisePolicy = DEFAULT_PROMISE_POLICY,
) -> Mapping[dt.date, MoneyBag]:
    """What pending promises still expect, per currency, by the week (its Monday) the money
    is due to arrive: the promised date plus the method's padding (grace not included)."""
    pending = {r.promise_id: r for r in readings if r.status is PromiseStatus.PENDING}
    weeks: dict[dt.date, MoneyBag] = {}
    for promise in promises:
        reading = pending.get(promise.id)
        if reading is None or not reading.outstanding.is_positive():
            continue
        arrives = promise.promised_date + dt.timedelta(days=policy.padding_for(promise.method))
        week = week_monday(arrives)
        weeks[week] = weeks.get(week, MoneyBag()) + reading.outstanding
    return dict(sorted(weeks.items()))


def promised_beside_expected(
    forecast: CollectionsForecast,
    promises: Sequence[Promise],
    readings: Sequence[PromiseReading],
    policy: PromisePolicy = DEFAULT_PROMISE_POLICY,
) -> list[dict[str, object]]:
    """The forecast's rows (:meth:`CollectionsForecast.records`) with a ``promise_facts``
    column: what pending :class:`Promise` facts still expect in that period and currency.

    A promise's week is when its money should arrive (:func:`promised_by_week`); a week before
    the forecast's first is ``overdue``, one beyond its horizon ``later``. A period with
    promised money but no row gets a row of its own (no invoices, amount zero). Amounts are
    exact Decimals, as in the forecast.
    """
    first = week_monday(forecast.as_of)
    horizon = first + dt.timedelta(weeks=forecast.weeks)
    rows = [dict(r) for r in forecast.records()]
    facts: dict[tuple[str, str], Money] = {}
    for week, bag in promised_by_week(promises, readings, policy).items():
        period = OVERDUE if week < first else LATER if week >= horizon else week.isoformat()
        for code, money in bag.items():
            facts[(period, code)] = facts.get((period, code), Money.zero(code)) + money
    known = {(str(r["period"]), str(r["currency"])) for r in rows}
    for period, code in sorted(set(facts) - known):
        zero = Money.zero(code).amount
        rows.append(
            {"period": period, "currency": code, "invoices": 0, "amount": zero, "promised": zero}
        )
    for row in rows:
        key = (str(row["period"]), str(row["currency"]))
        row["promise_facts"] = facts.get(key, Money.zero(key[1])).amount
    rank = {OVERDUE: 0, LATER: 2, UNDATED: 3}
    rows.sort(key=lambda r: (rank.get(str(r["period"]), 1), str(r["period"]), str(r["currency"])))
    return rows
