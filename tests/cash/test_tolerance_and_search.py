"""Specifications of the tolerance (per currency, underpayment only) and the group search."""

from __future__ import annotations

from decimal import Decimal
from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stuut_domain.cash import Tolerance, exact_groups
from stuut_domain.errors import InvalidMatchInput
from stuut_domain.money import Money


class TestTolerance:
    def test_a_fixed_allowance_in_minor_units(self) -> None:
        tolerance = Tolerance(fixed={"USD": 500})
        assert tolerance.accepts(Money(9500, "USD"), Money(10000, "USD"))
        assert not tolerance.accepts(Money(9499, "USD"), Money(10000, "USD"))

    def test_a_percent_allowance_rounds_down(self) -> None:
        tolerance = Tolerance(percent={"EUR": Decimal("0.5")})
        assert tolerance.allowance(Money(10099, "EUR")) == Money(50, "EUR")

    def test_underpayment_only_by_default(self) -> None:
        tolerance = Tolerance(fixed={"USD": 500})
        assert not tolerance.accepts(Money(10001, "USD"), Money(10000, "USD"))
        assert Tolerance(fixed={"USD": 500}, overpayment=True).accepts(
            Money(10001, "USD"), Money(10000, "USD")
        )

    def test_no_tolerance_in_a_currency_not_named(self) -> None:
        assert not Tolerance(fixed={"USD": 500}).accepts(Money(99, "EUR"), Money(100, "EUR"))

    @pytest.mark.parametrize(
        ("fixed", "percent", "code"),
        [
            ({"USD": -1}, {}, "tolerance_fixed"),
            ({"USD": 1.5}, {}, "tolerance_fixed"),
            ({"XXQ": 1}, {}, "tolerance_currency"),
            ({}, {"USD": Decimal(101)}, "tolerance_percent"),
            ({}, {"USD": 0.5}, "tolerance_percent"),
            ({"USD": 1}, {"USD": Decimal(1)}, "tolerance_both"),
        ],
    )
    def test_bad_tolerances_are_refused(self, fixed: dict, percent: dict, code: str) -> None:  # type: ignore[type-arg]
        with pytest.raises(InvalidMatchInput) as caught:
            Tolerance(fixed=fixed, percent=percent)
        assert caught.value.code == code


def brute_force(amounts: list[int], target: int, max_size: int) -> set[tuple[int, ...]]:
    return {
        group
        for k in range(2, max_size + 1)
        for group in combinations(range(len(amounts)), k)
        if sum(amounts[i] for i in group) == target
    }


class TestGroupSearch:
    def test_groups_smallest_first(self) -> None:
        found = exact_groups([10, 20, 30, 40], 60)
        assert found.groups == ((1, 3), (0, 1, 2))
        assert found.truncated is None

    def test_a_cut_pool_says_so(self) -> None:
        found = exact_groups([1, 2, 3], 3, eligible=50)
        assert found.truncated == "group search looked at 3 of 50 candidates"

    def test_a_cut_on_the_number_of_groups_says_so(self) -> None:
        found = exact_groups([1] * 10, 2, max_groups=5)
        assert len(found.groups) == 5
        assert found.truncated is not None
        assert "stopped at 5 groups" in found.truncated

    @given(
        st.lists(st.integers(1, 60), min_size=0, max_size=12),
        st.integers(2, 200),
        st.integers(2, 5),
    )
    def test_it_finds_exactly_the_groups_brute_force_finds(
        self, amounts: list[int], target: int, max_size: int
    ) -> None:
        """Each group of 2..k summing to the target, once, and nothing else."""
        found = exact_groups(amounts, target, max_size=max_size, max_groups=10**6)
        assert len(found.groups) == len(set(found.groups))
        assert set(found.groups) == brute_force(amounts, target, max_size)
