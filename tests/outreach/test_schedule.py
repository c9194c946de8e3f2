"""Specifications of the wall-clock schedule: windows, days, DST gaps and folds, odd zones."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stuut_domain.outreach.schedule import Schedule, local_midnight

UTC = dt.UTC
EVERY_DAY = range(7)
Z = zoneinfo.ZoneInfo


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


class TestWindows:
    def test_open_inside_the_window_on_an_allowed_day(self) -> None:
        """09:00-17:00 Berlin on weekdays: Wednesday 12:00 CEST (10:00 UTC) is open."""
        berlin = Schedule.of(Z("Europe/Berlin"), dt.time(9), dt.time(17), range(5))
        assert True is berlin.is_open(at(2024, 7, 3, 10))

    def test_end_is_exclusive_and_start_inclusive(self) -> None:
        """The window opens at 09:00:00 exactly and is closed at 17:00:00 exactly."""
        berlin = Schedule.of(Z("Europe/Berlin"), dt.time(9), dt.time(17), range(5))
        assert (True, False) == (
            berlin.is_open(at(2024, 7, 3, 7)),
            berlin.is_open(at(2024, 7, 3, 15)),
        )

    def test_next_opening_after_friday_evening_is_monday_morning(self) -> None:
        """Friday 18:00 Berlin: the next opening is Monday 09:00 CEST (07:00 UTC)."""
        berlin = Schedule.of(Z("Europe/Berlin"), dt.time(9), dt.time(17), range(5))
        assert at(2024, 7, 8, 7) == berlin.next_opening(at(2024, 7, 5, 16))

    def test_window_crossing_midnight_belongs_to_the_day_it_opens(self) -> None:
        """22:00-06:00 on Fridays: Saturday 02:00 is open (Friday's window), Friday 02:00 not."""
        night = Schedule.of(Z("America/Chicago"), dt.time(22), dt.time(6), [4])
        saturday_2am = dt.datetime(2024, 7, 6, 2, tzinfo=Z("America/Chicago"))
        friday_2am = dt.datetime(2024, 7, 5, 2, tzinfo=Z("America/Chicago"))
        assert (True, False) == (night.is_open(saturday_2am), night.is_open(friday_2am))

    def test_equal_bounds_mean_a_whole_day(self) -> None:
        """A window 08:00-08:00 is open around the clock from 08:00 on an allowed day."""
        whole = Schedule.of(Z("UTC"), dt.time(8), dt.time(8), [2])
        assert (True, True, False) == (
            whole.is_open(at(2024, 7, 3, 8)),
            whole.is_open(at(2024, 7, 4, 7, 59)),
            whole.is_open(at(2024, 7, 4, 8)),
        )

    def test_no_bounds_mean_all_day(self) -> None:
        """A workflow without window bounds allows any time of an allowed day."""
        all_day = Schedule.of(Z("UTC"), None, None, [2])
        assert (True, True) == (
            all_day.is_open(at(2024, 7, 3, 0)),
            all_day.is_open(at(2024, 7, 3, 23, 59)),
        )

    def test_no_allowed_day_never_opens(self) -> None:
        """With no allowed weekday there is no next opening."""
        assert None is Schedule.of(Z("UTC"), None, None, []).next_opening(at(2024, 7, 3))

    @pytest.mark.parametrize(
        ("zone", "local_open_utc"),
        [
            ("Asia/Kolkata", at(2024, 7, 3, 3, 30)),  # UTC+05:30
            ("Asia/Kathmandu", at(2024, 7, 3, 3, 15)),  # UTC+05:45
            ("Australia/Adelaide", at(2024, 7, 2, 23, 30)),  # UTC+09:30 in July
            ("Pacific/Chatham", at(2024, 7, 2, 20, 15)),  # UTC+12:45 in July
        ],
    )
    def test_half_and_three_quarter_hour_offsets(
        self, zone: str, local_open_utc: dt.datetime
    ) -> None:
        """A 09:00 opening in zones with 30- and 45-minute offsets lands on the exact instant."""
        schedule = Schedule.of(Z(zone), dt.time(9), dt.time(17), EVERY_DAY)
        assert local_open_utc == schedule.next_opening(local_open_utc - dt.timedelta(hours=2))


class TestDaylightSaving:
    def test_window_starting_in_the_spring_gap_opens_when_the_clock_jumps(self) -> None:
        """Berlin skips 02:00-03:00 on 31 March 2024: a 02:30 start opens at 03:00 CEST."""
        early = Schedule.of(Z("Europe/Berlin"), dt.time(2, 30), dt.time(17), EVERY_DAY)
        assert at(2024, 3, 31, 1) == early.next_opening(at(2024, 3, 30, 22))

    def test_window_wholly_inside_the_gap_does_not_happen_that_day(self) -> None:
        """02:10-02:40 never shows on Berlin clocks on 31 March 2024: that day has no window."""
        gap_only = Schedule.of(Z("Europe/Berlin"), dt.time(2, 10), dt.time(2, 40), EVERY_DAY)
        assert () == gap_only.intervals(dt.date(2024, 3, 31))
        assert at(2024, 4, 1, 0, 10) == gap_only.next_opening(at(2024, 3, 30, 23))

    def test_repeated_wall_times_in_the_autumn_fold_are_inside_both_times(self) -> None:
        """Berlin repeats 02:00-03:00 on 27 October 2024: 02:15-02:45 happens in CEST and in CET."""
        fold = Schedule.of(Z("Europe/Berlin"), dt.time(2, 15), dt.time(2, 45), EVERY_DAY)
        expected = (
            (at(2024, 10, 27, 0, 15), at(2024, 10, 27, 0, 45)),
            (at(2024, 10, 27, 1, 15), at(2024, 10, 27, 1, 45)),
        )
        assert expected == fold.intervals(dt.date(2024, 10, 27))
        assert (True, False, True) == (
            fold.is_open(at(2024, 10, 27, 0, 30)),
            fold.is_open(at(2024, 10, 27, 1, 0)),
            fold.is_open(at(2024, 10, 27, 1, 30)),
        )

    def test_window_over_the_fold_is_an_hour_longer(self) -> None:
        """New York 09:00 Sat to 09:00 Sun over the November fold lasts 25 hours of real time."""
        ny = Schedule.of(Z("America/New_York"), dt.time(9), dt.time(9), [5])
        ((start, end),) = ny.intervals(dt.date(2024, 11, 2))
        assert dt.timedelta(hours=25) == end - start


class TestSkippedDay:
    def test_apia_has_no_window_on_the_day_it_skipped(self) -> None:
        """Samoa jumped from 29 to 31 December 2011: Friday the 30th never had a window."""
        apia = Schedule.of(Z("Pacific/Apia"), dt.time(9), dt.time(17), EVERY_DAY)
        assert () == apia.intervals(dt.date(2011, 12, 30))

    def test_next_opening_skips_the_missing_day(self) -> None:
        """After Thursday 29th 17:00 in Apia, the next window opens Saturday 31st 09:00 (+14)."""
        apia = Schedule.of(Z("Pacific/Apia"), dt.time(9), dt.time(17), EVERY_DAY)
        assert at(2011, 12, 30, 19) == apia.next_opening(at(2011, 12, 30, 3))

    def test_local_midnight_of_the_skipped_day_is_the_next_existing_instant(self) -> None:
        """The 30th never began in Apia: its 'midnight' is the first instant of the 31st."""
        assert at(2011, 12, 30, 10) == local_midnight(dt.date(2011, 12, 30), Z("Pacific/Apia"))

    def test_local_midnight_in_a_gap_is_when_the_clock_jumps(self) -> None:
        """Santiago skips 00:00-01:00 on 8 September 2024: that day starts at 01:00 (04:00 UTC)."""
        assert at(2024, 9, 8, 4) == local_midnight(dt.date(2024, 9, 8), Z("America/Santiago"))


ZONES = st.sampled_from(
    [
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "America/Santiago",
        "America/St_Johns",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Australia/Lord_Howe",
        "Pacific/Apia",
        "Pacific/Chatham",
        "Africa/Casablanca",
        "Antarctica/Troll",
    ]
)
TIMES = st.times().map(lambda t: t.replace(microsecond=0))
INSTANTS = st.datetimes(
    min_value=dt.datetime(2010, 1, 1), max_value=dt.datetime(2030, 12, 31), timezones=st.just(UTC)
)
DAYS = st.sets(st.integers(0, 6), min_size=1)


def schedules() -> st.SearchStrategy[Schedule]:
    return st.builds(
        lambda zone, start, end, days: Schedule.of(Z(zone), start, end, days),
        ZONES,
        st.none() | TIMES,
        st.none() | TIMES,
        DAYS,
    )


class TestScheduleProperties:
    @pytest.mark.slow
    @given(schedule=schedules(), instant=INSTANTS)
    def test_the_wall_clock_reading_agrees_with_the_utc_intervals(
        self, schedule: Schedule, instant: dt.datetime
    ) -> None:
        """Reading the local clock and looking the instant up in the day intervals agree."""
        local_day = instant.astimezone(schedule.zone).date()
        in_intervals = any(
            a <= instant < b
            for day in (local_day - dt.timedelta(days=1), local_day)
            if day.weekday() in schedule.days
            for a, b in schedule.intervals(day)
        )
        assert in_intervals == schedule.is_open(instant)

    @pytest.mark.slow
    @given(schedule=schedules(), instant=INSTANTS, fractions=st.lists(st.floats(0, 1), max_size=20))
    def test_next_opening_is_open_and_nothing_before_it_is(
        self, schedule: Schedule, instant: dt.datetime, fractions: list[float]
    ) -> None:
        """The next opening is open, and no sampled instant between now and it is."""
        opening = schedule.next_opening(instant)
        assert opening is not None
        assert True is schedule.is_open(opening)
        span = opening - instant
        samples = [instant + span * f for f in fractions]
        samples += [opening - dt.timedelta(microseconds=1), opening - dt.timedelta(seconds=1)]
        closed = [s for s in samples if instant <= s < opening and schedule.is_open(s)]
        assert [] == closed
