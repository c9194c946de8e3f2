"""Specifications of dunning levels derived at an instant from facts."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from outreach_builders import inv_2024_0042, utc
from stuut_domain.cadence import DunningLevel, DunningPolicy, dunning_level
from stuut_domain.errors import InvalidCadence
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money

LEVELS = (
    DunningLevel(name="friendly", days_overdue=1),
    DunningLevel(name="firm", days_overdue=15, template="firm-v2"),
    DunningLevel(name="call", days_overdue=30, channels=("call",), kind="call_task"),
    DunningLevel(name="agency", days_overdue=60, channels=(), kind="agency", sending="approval"),
)
POLICY = DunningPolicy(levels=LEVELS)


def owed(number: str, due: dt.date, *, units: int = 8_000, **overrides: object) -> Invoice:
    return inv_2024_0042(
        id=f"inv_{number}",
        number=number,
        due_date=dt.datetime.combine(due, dt.time(), tzinfo=dt.UTC),
        issued_at=dt.datetime.combine(due - dt.timedelta(days=30), dt.time(9), tzinfo=dt.UTC),
        amount_due=Money(units, "EUR"),
        amount_paid=Money(11_900 - units, "EUR"),
        **overrides,
    )


class TestDunningLevel:
    def test_the_anchor_is_the_oldest_unpaid_undisputed_invoice(self) -> None:
        old_disputed = owed("A", dt.date(2026, 9, 1), in_dispute=True)
        anchor = owed("B", dt.date(2026, 10, 1))
        young = owed("C", dt.date(2026, 11, 20))
        status = dunning_level([young, old_disputed, anchor], POLICY, utc(2026, 11, 5, 12))
        assert status.anchor is anchor
        assert (35, "call") == (status.days_overdue, status.level and status.level.name)
        assert ("inv_B", "inv_C") == status.invoice_ids  # one reminder per partner, its level
        assert status.next_level is LEVELS[3]
        assert utc(2026, 11, 30) == status.next_at
        assert ("friendly", "firm", "call") == (*(s.name for s in status.skipped), "call")

    def test_levels_reached_are_not_skipped(self) -> None:
        status = dunning_level(
            [owed("B", dt.date(2026, 10, 1))],
            POLICY,
            utc(2026, 11, 5),
            reached=("friendly",),
        )
        assert ("firm",) == tuple(s.name for s in status.skipped)
        assert "skipped without contact: 'firm'" in status.reason

    def test_one_level_per_contact_never_skips(self) -> None:
        policy = attrs.evolve(POLICY, progression="one_per_contact")
        inv = owed("B", dt.date(2026, 10, 1))
        first = dunning_level([inv], policy, utc(2026, 11, 5))
        assert ("friendly", ()) == (first.level and first.level.name, first.skipped)
        assert first.next_at == utc(2026, 11, 5)  # firm is due as soon as friendly went out
        second = dunning_level([inv], policy, utc(2026, 11, 6), reached=("friendly",))
        assert second.level is LEVELS[1]

    def test_per_invoice_covers_the_anchor_alone(self) -> None:
        policy = attrs.evolve(POLICY, per_partner=False)
        invoices = [owed("B", dt.date(2026, 10, 1)), owed("C", dt.date(2026, 10, 20))]
        assert ("inv_B",) == dunning_level(invoices, policy, utc(2026, 11, 5)).invoice_ids

    def test_before_the_first_level_and_nothing_to_dun(self) -> None:
        young = dunning_level([owed("C", dt.date(2026, 12, 20))], POLICY, utc(2026, 12, 1))
        assert young.level is None
        assert young.next_level is LEVELS[0]
        assert utc(2026, 12, 21) == young.next_at
        paid = owed("D", dt.date(2026, 9, 1), units=0, paid_at=utc(2026, 9, 2))
        nothing = dunning_level([paid], POLICY, utc(2026, 12, 1))
        assert (None, None) == (nothing.level, nothing.anchor)

    @pytest.mark.parametrize(
        "levels",
        [
            (),
            (DunningLevel(name="a", days_overdue=10), DunningLevel(name="b", days_overdue=5)),
            (DunningLevel(name="a", days_overdue=10), DunningLevel(name="b", days_overdue=10)),
            (DunningLevel(name="a", days_overdue=1), DunningLevel(name="a", days_overdue=5)),
        ],
    )
    def test_levels_out_of_order_are_refused(self, levels: tuple[DunningLevel, ...]) -> None:
        with pytest.raises(InvalidCadence) as raised:
            DunningPolicy(levels=levels)
        assert "levels" == raised.value.field

    def test_bad_levels_and_unknown_reached_names(self) -> None:
        with pytest.raises(InvalidCadence):
            DunningLevel(name="", days_overdue=1)
        with pytest.raises(InvalidCadence):
            DunningLevel(name="x", days_overdue=1, kind="lawsuit")  # type: ignore[arg-type]
        with pytest.raises(InvalidCadence):
            DunningLevel(name="x", days_overdue=1, channels=("fax",))  # type: ignore[arg-type]
        with pytest.raises(InvalidCadence):
            dunning_level([], POLICY, utc(2026, 12, 1), reached=("nope",))


@given(
    dues=st.lists(st.integers(min_value=0, max_value=90), min_size=1, max_size=5),
    paid_on=st.lists(st.integers(min_value=0, max_value=150), min_size=5, max_size=5),
    partial=st.lists(st.booleans(), min_size=5, max_size=5),
    progression=st.sampled_from(["may_skip", "one_per_contact"]),
)
def test_every_level_is_entered_or_reported_skipped_as_time_moves_and_payments_arrive(
    dues: list[int], paid_on: list[int], partial: list[bool], progression: str
) -> None:
    """Kill Bill's bug cannot happen: walk day by day, sending each level the status names;
    payments (full or partial) arrive on their day. Every level below the highest one ever
    entered was entered or reported skipped, and under one_per_contact none is skipped."""
    policy = attrs.evolve(POLICY, progression=progression)
    start = dt.date(2026, 1, 1)
    reached: list[str] = []
    reported: set[str] = set()
    for day in range(160):
        invoices = []
        for i, due in enumerate(dues):
            paid = day >= paid_on[i]
            units = 8_000 if not paid else (4_000 if partial[i] else 0)
            extra = {"paid_at": utc(2026, 1, 1)} if units == 0 else {}
            invoices.append(owed(f"N{i}", start + dt.timedelta(days=due), units=units, **extra))
        at = dt.datetime.combine(start + dt.timedelta(days=day), dt.time(12), tzinfo=dt.UTC)
        status = dunning_level(invoices, policy, at, reached=reached)
        reported |= {s.name for s in status.skipped}
        if progression == "one_per_contact":
            assert () == status.skipped
        if status.level is not None and status.level.name not in reached:
            reached.append(status.level.name)
    if reached:
        top = max(policy.index(name) for name in reached)
        for level in LEVELS[:top]:
            assert level.name in reached or level.name in reported
