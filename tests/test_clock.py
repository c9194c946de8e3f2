"""Specifications of the clocks behind the Clock port."""

from __future__ import annotations

import datetime as dt

import pytest

from adapters.clock import FixedClock, SystemClock
from stuut_domain.ports import Clock

MONDAY_9AM = dt.datetime(2024, 7, 1, 9, 0, tzinfo=dt.UTC)


class TestClocks:
    def test_the_system_clock_is_timezone_aware(self) -> None:
        """SystemClock never returns a naive instant."""
        clock: Clock = SystemClock()
        assert dt.timedelta(0) == clock.now().utcoffset()

    def test_a_fixed_clock_stands_still_until_advanced(self) -> None:
        """FixedClock returns its instant until advanced or set."""
        clock = FixedClock(MONDAY_9AM)
        before = clock.now()
        after = clock.advance(dt.timedelta(hours=8))
        assert (MONDAY_9AM, MONDAY_9AM + dt.timedelta(hours=8)) == (before, after)

    def test_a_fixed_clock_refuses_a_naive_instant(self) -> None:
        """A naive instant is ambiguous: refused."""
        with pytest.raises(ValueError, match="timezone-aware"):
            FixedClock(dt.datetime(2024, 7, 1, 9, 0))
