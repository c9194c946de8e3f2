"""Wall-clock arithmetic for outreach windows: daily windows, active days, DST (private).

The rule (ADR 0015): **the recipient's wall clock decides.** An instant is inside the window
when the local clock of the zone, at that instant, shows a time inside the window of an
allowed day. Every consequence for irregular days follows from that one rule:

* a window bound inside a spring-forward gap is passed when the clock jumps over it, so a
  window that starts in the gap opens at the first instant after the gap;
* in an autumn fold the repeated wall times are inside the window each time they occur;
* a window that crosses midnight (``end <= start``) belongs to the day it starts on (its
  *owning day*); ``start == end`` is a whole day starting at ``start``;
* a calendar day skipped by a zone change (Pacific/Apia, 2011-12-30) has no window at all.

Instants are compared in UTC. Window bounds are integer microseconds after the local midnight
of the owning day: ``0 <= start < 24 h`` and ``start < end <= start + 24 h``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import zoneinfo
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from stuut_domain.cadence.calendars import SEARCH_DAYS as _SEARCH_DAYS

if TYPE_CHECKING:
    from stuut_domain.cadence.calendars import ClosedDay
    from stuut_domain.ports import BusinessCalendar

__all__ = [
    "EARLIEST",
    "LATEST",
    "UTC",
    "Schedule",
    "WallPosition",
    "day_plus",
    "instant_plus",
    "local_midnight",
    "utc",
    "within_calendar",
]

UTC = dt.UTC
_US_PER_DAY = 86_400_000_000
_ONE_DAY = dt.timedelta(days=1)
_HOUR = dt.timedelta(hours=1)
_SECOND = dt.timedelta(seconds=1)
#: Wider than any UTC offset the tz database has ever used (LMT included), so the UTC
#: instants whose wall clock falls on a given local day all lie within this margin of it.
_MARGIN = dt.timedelta(hours=27)
#: Days scanned for the next opening: two weeks (a week, a day skipped by a zone change,
#: slack) after the two days either side of the UTC date that any local date can be.
_HORIZON_DAYS = 18
#: How far each further search moves when a calendar closes the whole horizon.
_STRIDE_DAYS = 16
#: UTC days whose openings one schedule keeps (a simulator walks forward day by day).
_MEMO_DAYS = 1024


#: The first and last instants the engine reasons about. It looks up to 27 hours and 18 days
#: beyond an instant, so the calendar's own ends (0001-01-01, 9999-12-31) are out of reach.
#: A remote date beyond them (an API's 9999-12-31 for "never", 0001-01-01 for "always") is
#: read as the nearer of the two: "never" stays after every decision, "long ago" before.
EARLIEST: Final = dt.datetime(1, 2, 1, tzinfo=dt.UTC)
LATEST: Final = dt.datetime(9999, 11, 30, tzinfo=dt.UTC)
_FIRST_DAY: Final = EARLIEST.date()
_LAST_DAY: Final = LATEST.date()


def within_calendar(value: dt.datetime) -> dt.datetime:
    """``value``, or :data:`EARLIEST` / :data:`LATEST` when it lies beyond them."""
    if value > LATEST:
        return LATEST
    if value < EARLIEST:
        return EARLIEST
    return value


def instant_plus(value: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """``value + delta``, saturated at :data:`EARLIEST` and :data:`LATEST` (never an overflow)."""
    try:
        return within_calendar(value + delta)
    except OverflowError:
        return LATEST if delta > dt.timedelta(0) else EARLIEST


def day_plus(day: dt.date, days: int) -> dt.date:
    """``day`` plus ``days``, saturated at the days of :data:`EARLIEST` and :data:`LATEST`."""
    try:
        moved = day + dt.timedelta(days=days)
    except OverflowError:
        return _LAST_DAY if days > 0 else _FIRST_DAY
    return min(max(moved, _FIRST_DAY), _LAST_DAY)


def utc(value: dt.datetime) -> dt.datetime:
    """``value`` as an aware UTC datetime; the caller has already refused naive values."""
    return value if value.tzinfo is UTC else value.astimezone(UTC)


@functools.lru_cache(maxsize=4096)
def local_midnight(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The first UTC instant at which the wall clock of ``zone`` shows ``day`` (or later).

    Usually ``00:00`` local; when midnight falls in a gap (e.g. America/Santiago) it is the
    instant the clock jumps past it; for a day a zone skipped entirely it is the first instant
    of the next day that exists.
    """
    midnight = dt.datetime.combine(day, dt.time())
    # Three days of wall time always contain an instant that exists (a zone skips at most one).
    return _wall_to_utc(zone, midnight, midnight + 3 * _ONE_DAY)[0][0]


def _offset_at(zone: zoneinfo.ZoneInfo, naive_utc: dt.datetime) -> dt.timedelta:
    offset = naive_utc.replace(tzinfo=UTC).astimezone(zone).utcoffset()
    return dt.timedelta() if offset is None else offset


def _segments(
    zone: zoneinfo.ZoneInfo, lo: dt.datetime, hi: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime, dt.timedelta]]:
    """Constant-offset stretches ``(from, to, offset)`` covering naive-UTC ``[lo, hi)``.

    Offsets are sampled hourly and each change is located to the second by bisection (the tz
    database changes offsets on whole seconds and never twice within an hour).
    """
    out: list[tuple[dt.datetime, dt.datetime, dt.timedelta]] = []
    lo = lo.replace(microsecond=0)
    if hi.microsecond:
        hi = hi.replace(microsecond=0) + _SECOND
    start, offset = lo, _offset_at(zone, lo)
    probe = lo
    while probe < hi:
        nxt = min(probe + _HOUR, hi)
        if _offset_at(zone, nxt) != offset:
            # offset(low) is the current offset, offset(high) is not; both on whole seconds.
            low, high = probe, nxt
            while high - low > _SECOND:
                mid = low + _SECOND * ((high - low) // _SECOND // 2)
                if _offset_at(zone, mid) == offset:
                    low = mid
                else:
                    high = mid
            out.append((start, high, offset))
            start, offset = high, _offset_at(zone, high)
            # Resume sampling at the change, so a second change within the hour is found too.
            nxt = high
        probe = nxt
    out.append((start, hi, offset))
    return out


def _wall_to_utc(
    zone: zoneinfo.ZoneInfo, wall_from: dt.datetime, wall_end: dt.datetime
) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    """UTC intervals ``[a, b)`` of the instants whose wall clock is in ``[wall_from, wall_end)``.

    Several intervals come back when a fold repeats part of the span; none when a gap
    swallows it entirely.
    """
    pieces: list[tuple[dt.datetime, dt.datetime]] = []
    for seg_from, seg_to, offset in _segments(zone, wall_from - _MARGIN, wall_end + _MARGIN):
        a = max(seg_from, wall_from - offset)
        b = min(seg_to, wall_end - offset)
        if a < b:
            if pieces and pieces[-1][1] == a:
                a = pieces.pop()[0]
            pieces.append((a, b))
    return tuple((a.replace(tzinfo=UTC), b.replace(tzinfo=UTC)) for a, b in pieces)


@functools.lru_cache(maxsize=8192)
def _day_window(
    zone: zoneinfo.ZoneInfo, start_us: int, end_us: int, day: dt.date
) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    midnight = dt.datetime.combine(day, dt.time())
    return _wall_to_utc(
        zone,
        midnight + dt.timedelta(microseconds=start_us),
        midnight + dt.timedelta(microseconds=end_us),
    )


class WallPosition:
    """Where an instant falls on the local wall clock relative to a window.

    ``local`` is the wall-clock reading (aware, in the zone), ``in_window`` whether its time of
    day is inside the window bounds, ``owning_day`` the calendar day whose window the instant
    belongs to (the previous day in the after-midnight part of a window crossing midnight).
    """

    __slots__ = ("in_window", "local", "owning_day")

    def __init__(self, local: dt.datetime, in_window: bool, owning_day: dt.date) -> None:
        self.local = local
        self.in_window = in_window
        self.owning_day = owning_day


class Schedule:
    """A weekly outreach schedule: a daily wall-clock window on allowed weekdays in one zone.

    ``days`` are the owning days' Python weekday numbers (0 = Monday … 6 = Sunday) on which
    the window opens. Immutable and hashable; the UTC intervals of each day are memoised.
    """

    __slots__ = ("_description", "_openings", "calendar", "days", "end_us", "start_us", "zone")

    def __init__(
        self,
        zone: zoneinfo.ZoneInfo,
        start_us: int,
        end_us: int,
        days: Iterable[int],
        calendar: BusinessCalendar | None = None,
    ) -> None:
        if not (0 <= start_us < _US_PER_DAY and start_us < end_us <= start_us + _US_PER_DAY):
            raise ValueError(f"window bounds out of range: start={start_us}us end={end_us}us")
        self.zone = zone
        self.start_us = start_us
        self.end_us = end_us
        self.days = frozenset(days)
        self.calendar = calendar
        self._description = self._describe()
        # Memo of the pure function _openings(self, day): immutable inputs, bounded size.
        self._openings: dict[dt.date, tuple[tuple[dt.datetime, ...], tuple[dt.datetime, ...]]] = {}

    @classmethod
    def of(
        cls,
        zone: zoneinfo.ZoneInfo,
        start: dt.time | None,
        end: dt.time | None,
        days: Iterable[int],
        calendar: BusinessCalendar | None = None,
    ) -> Schedule:
        """The schedule for wall-clock bounds: no start is midnight; no end is the next midnight.

        ``end <= start`` crosses midnight; ``end == start`` is a whole day from ``start``.
        With a ``calendar``, a window opens only on the business days of that calendar (its
        owning day read on the zone's wall clock).
        """
        start_us = 0 if start is None else _micros(start)
        if end is None:
            end_us = _US_PER_DAY
        else:
            end_us = _micros(end)
            if end_us <= start_us:
                end_us += _US_PER_DAY
        return cls(zone, start_us, end_us, days, calendar)

    def position(self, instant: dt.datetime) -> WallPosition:
        """The wall-clock reading of ``instant`` and whether its time of day is in the window."""
        local = instant.astimezone(self.zone)
        since = (
            (local.hour * 60 + local.minute) * 60 + local.second
        ) * 1_000_000 + local.microsecond
        if since + _US_PER_DAY < self.end_us:
            return WallPosition(local, True, local.date() - _ONE_DAY)
        return WallPosition(local, self.start_us <= since < self.end_us, local.date())

    def is_open(self, instant: dt.datetime) -> bool:
        """Whether outreach may happen at ``instant``: inside the window of an allowed day
        that the calendar (if any) does not close."""
        where = self.position(instant)
        return self.opens_on(where.owning_day) and where.in_window

    def closed(self, day: dt.date) -> ClosedDay | None:
        """Why the calendar closes ``day`` (``None``: open, or no calendar)."""
        calendar = self.calendar
        return None if calendar is None else calendar.reason(day)

    def opens_on(self, day: dt.date) -> bool:
        """Whether the window of ``day`` opens: an allowed weekday the calendar keeps open."""
        if day.weekday() not in self.days:
            return False
        calendar = self.calendar
        return calendar is None or calendar.is_business_day(day)

    def intervals(self, day: dt.date) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
        """The UTC intervals ``[a, b)`` of ``day``'s window, whether or not ``day`` is allowed."""
        return _day_window(self.zone, self.start_us, self.end_us, day)

    def next_opening(self, instant: dt.datetime) -> dt.datetime | None:
        """The earliest UTC instant ``>= instant`` at which the schedule is open.

        ``instant`` itself when open; ``None`` when no allowed day opens within two weeks (no
        allowed weekday at all).
        """
        instant = utc(instant)
        day = instant.date()
        found = self._openings.get(day)
        if found is None:
            if len(self._openings) >= _MEMO_DAYS:
                self._openings.clear()
            found = self._openings[day] = _openings(self, day)
        starts, ends = found
        i = bisect.bisect_right(ends, instant)
        if i == len(ends):
            return self._later_opening(day) if self.calendar is not None else None
        return starts[i] if starts[i] > instant else instant

    def _later_opening(self, day: dt.date) -> dt.datetime | None:
        """The first opening beyond the usual horizon: a calendar may close weeks in a row
        (a shutdown); searched up to the calendar's own bound (``cadence.SEARCH_DAYS``)."""
        for k in range(1, _SEARCH_DAYS // _STRIDE_DAYS + 2):
            probe = day_plus(day, k * _STRIDE_DAYS)
            starts, _ends = _openings(self, probe)
            if starts:
                return starts[0]
        if self.calendar is not None:
            # A calendar with no business day within its bound is refused (NoBusinessDay);
            # one whose business days never fall on an allowed weekday never opens.
            self.calendar.next_business_day(day, inclusive=True)
        return None

    def describe(self) -> str:
        """The window for people, e.g. ``09:00–17:00 Europe/Berlin, Mon–Fri``."""
        return self._description

    def _describe(self) -> str:
        start = _clock(self.start_us)
        end = _clock(self.end_us % _US_PER_DAY)
        names = _day_ranges(sorted(self.days)) or "no day"
        return f"{start}–{end} {self.zone.key}, {names}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Schedule):
            return NotImplemented
        return (self.zone, self.start_us, self.end_us, self.days, self.calendar) == (
            other.zone,
            other.start_us,
            other.end_us,
            other.days,
            other.calendar,
        )

    def __hash__(self) -> int:
        # The calendar is left out of the hash (it may hold a dict): equal schedules still
        # hash alike, and schedules that differ only by calendar merely share a bucket.
        return hash((self.zone, self.start_us, self.end_us, self.days))

    def __repr__(self) -> str:
        return f"Schedule({self.describe()})"


WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _micros(value: dt.time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _clock(us: int) -> str:
    seconds, _ = divmod(us, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return f"{hour:02d}:{minute:02d}" + (f":{second:02d}" if second else "")


def _day_ranges(days: list[int]) -> str:
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    short = [name[:3] for name in WEEKDAY_NAMES]
    return ", ".join(
        short[run[0]] if len(run) == 1 else f"{short[run[0]]}–{short[run[-1]]}" for run in runs
    )


def _openings(
    schedule: Schedule, utc_day: dt.date
) -> tuple[tuple[dt.datetime, ...], tuple[dt.datetime, ...]]:
    """The merged open intervals of the allowed days around ``utc_day``, as sorted starts and
    ends: every instant on ``utc_day`` finds its next opening here by bisection."""
    pieces = sorted(
        piece
        for k in range(-2, _HORIZON_DAYS)
        if schedule.opens_on(day := utc_day + dt.timedelta(days=k))
        for piece in schedule.intervals(day)
    )
    merged: list[list[dt.datetime]] = []
    for a, b in pieces:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return tuple(m[0] for m in merged), tuple(m[1] for m in merged)
