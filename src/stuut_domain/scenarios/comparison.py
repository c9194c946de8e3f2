"""Two outreach policies on the same book, the same behaviour and the same random numbers.

:func:`compare_collections` runs :func:`~stuut_domain.scenarios.simulate_collections` once
per policy with the same seed, so run ``k`` of each policy draws the same payment thresholds
for every invoice (common random numbers, ADR 0065): the difference of run ``k`` is the
policy's doing, not luck's, and with no contact effect it is exactly zero.

Per run and currency the figures are exact: ``delta`` is the cumulative cash of the second
policy less the first's at the end of each week; ``cash_weeks_forward`` the sum over the
weeks of ``delta`` (cash times weeks: how much cash arrived how much earlier, in major unit
weeks); ``delta_contacts`` the contacts the second policy spent beyond the first's.
``contacts_per_1000_forward`` is the mean extra contacts over the mean cash-weeks brought
forward, per 1,000 major units (``None`` when nothing was brought forward).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

import attrs

from stuut_domain.allocation import AllocationRule
from stuut_domain.display import Report, short_repr
from stuut_domain.errors import InvalidScenario
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.outreach.policy import OutreachPolicy
from stuut_domain.partner import Partner
from stuut_domain.scenarios.behaviour import BehaviourBook, PaymentBehaviour
from stuut_domain.scenarios.collections import (
    CollectionsSimulation,
    percentile,
    simulate_collections,
)
from stuut_domain.types import OutreachChannel
from stuut_domain.workflow import Workflow

__all__ = ["CollectionsComparison", "compare_collections"]


def _amounts(name: str, units: int, currency: str) -> dict[str, object]:
    value = Money(units, currency).amount
    return {name: value, f"{name}_float": float(value)}


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class CollectionsComparison(Report):
    """Policy ``b`` against policy ``a`` on common random numbers (see the module docstring).

    ``records()``: one row per week and currency with the difference in cumulative cash
    (``b - a``) at the low, median and high percentiles of the runs, and its mean as a float.
    ``summary_records()``: one row per currency with the cash brought forward and the extra
    contacts it cost.
    """

    columns: ClassVar[tuple[str, ...]] = (
        "week",
        "currency",
        "delta_low",
        "delta_p50",
        "delta_high",
        "delta_mean_float",
    )
    float_columns: ClassVar[tuple[str, ...]] = ("contacts_per_1000_forward",)
    amount_columns: ClassVar[tuple[str, ...]] = (
        "delta_low",
        "delta_p50",
        "delta_high",
        "cash_weeks_forward_low",
        "cash_weeks_forward_p50",
        "cash_weeks_forward_high",
        "horizon_delta_p50",
    )

    labels: tuple[str, str]
    a: CollectionsSimulation
    b: CollectionsSimulation

    def title(self) -> str:
        """``Collections compared: baseline vs early (200 runs, common random numbers)``."""
        return (
            f"Collections compared: {self.labels[0]} vs {self.labels[1]} "
            f"({len(self.a.runs)} runs, common random numbers)"
        )

    def deltas(self, currency: str) -> list[list[int]]:
        """Per run, ``b - a`` cumulative cash in ``currency`` at the end of each week (units)."""
        left, right = self.a.cumulative(currency), self.b.cumulative(currency)
        return [
            [rb - ra for ra, rb in zip(pa, pb, strict=True)]
            for pa, pb in zip(left, right, strict=True)
        ]

    def delta_contacts(self, currency: str | None = None) -> list[int]:
        """Per run, the contacts ``b`` spent beyond ``a`` (with ``currency``: the contacts
        about that currency's invoices)."""
        pairs = zip(self.a.contacts(currency), self.b.contacts(currency), strict=True)
        return [nb - na for na, nb in pairs]

    def records(self) -> list[dict[str, object]]:
        """One row per week and currency: the difference in cumulative cash, in bands."""
        low, high = self.a.bands
        rows: list[dict[str, object]] = []
        for code in self.a.currencies:
            paths = self.deltas(code)
            for week in range(self.a.weeks):
                values = [path[week] for path in paths]
                rows.append(
                    {
                        "week": week,
                        "week_start": self.a.week_start(week),
                        "currency": code,
                        **_amounts("delta_low", percentile(values, low), code),
                        **_amounts("delta_p50", percentile(values, 50), code),
                        **_amounts("delta_high", percentile(values, high), code),
                        "delta_mean_float": float(Money(sum(values), code).amount) / len(values),
                    }
                )
        return rows

    def summary_records(self) -> list[dict[str, object]]:
        """One row per currency: cash-weeks brought forward (bands), cash at the horizon
        (median difference), extra contacts about that currency's invoices (median) and, on
        the means over runs, those extra contacts per 1,000 major units of cash-weeks brought
        forward (``None`` when nothing was brought forward on average)."""
        low, high = self.a.bands
        rows: list[dict[str, object]] = []
        for code in self.a.currencies:
            extra = self.delta_contacts(code)
            mean_extra = sum(extra) / len(extra)
            paths = self.deltas(code)
            forward = [sum(path) for path in paths]
            horizon = [path[-1] for path in paths]
            mean_forward = float(Money(sum(forward), code).amount) / len(forward)
            rows.append(
                {
                    "currency": code,
                    **_amounts("cash_weeks_forward_low", percentile(forward, low), code),
                    **_amounts("cash_weeks_forward_p50", percentile(forward, 50), code),
                    **_amounts("cash_weeks_forward_high", percentile(forward, high), code),
                    **_amounts("horizon_delta_p50", percentile(horizon, 50), code),
                    "delta_contacts_p50": percentile(extra, 50),
                    "contacts_per_1000_forward": (
                        None if mean_forward <= 0 else mean_extra / mean_forward * 1000
                    ),
                }
            )
        return rows

    def __repr__(self) -> str:
        return short_repr("CollectionsComparison", labels=self.labels, runs=len(self.a.runs))


def compare_collections(
    invoices: Iterable[Invoice],
    *,
    partners: Mapping[str, Partner] | Iterable[Partner],
    workflow: Workflow,
    behaviour: BehaviourBook | PaymentBehaviour,
    start: dt.datetime,
    a: OutreachPolicy,
    b: OutreachPolicy,
    labels: tuple[str, str] = ("a", "b"),
    weeks: int = 26,
    runs: int = 200,
    seed: int = 0,
    channels: Sequence[OutreachChannel] = ("email",),
    rule: AllocationRule = AllocationRule.MATCHED,
    bands: tuple[int, int] = (5, 95),
    promise_kept: float | None = None,
) -> CollectionsComparison:
    """Simulate the book under ``a`` and ``b`` with the same seed (common random numbers).

    Refused (:class:`~stuut_domain.errors.InvalidScenario`): two equal labels; otherwise as
    :func:`~stuut_domain.scenarios.simulate_collections`.
    """
    if labels[0] == labels[1]:
        raise InvalidScenario("labels", "labels", "two different names", value=labels)
    items = tuple(invoices)
    known = partners if isinstance(partners, Mapping) else tuple(partners)
    common = {
        "partners": known,
        "workflow": workflow,
        "behaviour": behaviour,
        "start": start,
        "weeks": weeks,
        "runs": runs,
        "seed": seed,
        "channels": channels,
        "rule": rule,
        "bands": bands,
        "promise_kept": promise_kept,
    }
    first = simulate_collections(items, policy=a, **common)  # type: ignore[arg-type]
    second = simulate_collections(items, policy=b, **common)  # type: ignore[arg-type]
    return CollectionsComparison(labels=labels, a=first, b=second)
