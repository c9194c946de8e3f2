"""Strategies for instants: UTC entity timestamps, aware datetimes, zones and DST edges."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from typing import Final

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

#: Time zones the strategies draw from: every continent, whole-hour, half-hour and
#: 45-minute offsets, zones with and without daylight saving time (Lord Howe shifts by 30
#: minutes; Chatham sits at +12:45/+13:45).
TIME_ZONES: Final[tuple[str, ...]] = (
    "UTC",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "America/St_Johns",
    "Europe/London",
    "Europe/Berlin",
    "Africa/Lagos",
    "Asia/Tehran",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tokyo",
    "Australia/Adelaide",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Pacific/Chatham",
    "Pacific/Marquesas",
)

#: Entity timestamps are UTC instants in this window (the API writes UTC as ``Z``).
_UTC = dt.UTC
_FIRST_INSTANT: Final = dt.datetime(2018, 1, 1, tzinfo=_UTC)
_WINDOW_SECONDS: Final = int(
    (dt.datetime(2033, 1, 1, tzinfo=_UTC) - _FIRST_INSTANT).total_seconds()
)
_DAY: Final = 86_400
#: Default wall-clock bounds of :func:`aware_datetimes`.
_MIN_WALL_TIME: Final = dt.datetime(2000, 1, 1)  # noqa: DTZ001 - naive by design (wall time)
_MAX_WALL_TIME: Final = dt.datetime(2099, 12, 31, 23, 59, 59, 999_999)  # noqa: DTZ001


#: UTC instants in 2018..2032, with microseconds half the time (the API keeps them).
_UTC_INSTANTS: Final = st.builds(
    lambda s, us: _FIRST_INSTANT + dt.timedelta(seconds=s, microseconds=us),
    st.integers(0, _WINDOW_SECONDS),
    st.just(0) | st.integers(0, 999_999),
)


@functools.cache
def _seconds_within(max_days: int) -> st.SearchStrategy[int]:
    """Whole seconds in ``0 .. max_days`` days (one strategy per bound, built once)."""
    return st.integers(0, max_days * _DAY)


def _after(draw: st.DrawFn, instant: dt.datetime, max_days: int) -> dt.datetime:
    """An instant at or after ``instant``, at most ``max_days`` later."""
    return instant + dt.timedelta(seconds=draw(_seconds_within(max_days)))


def _zone(name: str) -> dt.tzinfo:
    return dt.UTC if name == "UTC" else zoneinfo.ZoneInfo(name)


@functools.lru_cache(maxsize=128)
def _transitions(zone: dt.tzinfo, first_year: int, last_year: int) -> tuple[dt.datetime, ...]:
    """UTC instants in the years given at which ``zone``'s UTC offset changes (to the second).

    Scans in six-day steps (no zone changes offset twice within a week) and bisects each change.
    """

    def offset(at: dt.datetime) -> dt.timedelta | None:
        return at.astimezone(zone).utcoffset()

    found: list[dt.datetime] = []
    at = dt.datetime(first_year, 1, 1, tzinfo=_UTC)
    end = dt.datetime(last_year, 12, 31, tzinfo=_UTC)
    step = dt.timedelta(days=6)
    while at < end:
        probe = min(at + step, end)
        if offset(probe) == offset(at):
            at = probe
            continue
        low, high = at, probe
        while high - low > dt.timedelta(seconds=1):
            mid = (low + (high - low) / 2).replace(microsecond=0)
            if offset(mid) == offset(low):
                low = mid
            else:
                high = mid
        found.append(high)
        at = high
    return tuple(found)


_ZONES: Final[tuple[dt.tzinfo, ...]] = tuple(_zone(name) for name in TIME_ZONES)

_DST_NUDGES: Final = tuple(
    dt.timedelta(microseconds=us)
    for us in (0, -1, 1, -1_000_000, 1_000_000, -1_800_000_000, 1_800_000_000, 3_600_000_000)
)


def aware_datetimes(
    *,
    min_value: dt.datetime = _MIN_WALL_TIME,
    max_value: dt.datetime = _MAX_WALL_TIME,
    timezones: st.SearchStrategy[dt.tzinfo] | None = None,
) -> st.SearchStrategy[dt.datetime]:
    """Timezone-aware datetimes that like daylight-saving edges.

    ``min_value`` and ``max_value`` are naive wall-clock bounds, as in
    :func:`hypothesis.strategies.datetimes`. ``timezones`` defaults to the zones of
    :data:`TIME_ZONES`. About half the values sit at or near an instant at which the zone's
    UTC offset changes (exactly on it, a microsecond, a second, half an hour or an hour
    either side), so the repeated hour of a fall-back (``fold=1``) and the instants around a
    spring-forward gap come up often; the rest come from Hypothesis's own ``datetimes``.
    Every value is a real instant (no wall time inside a gap).
    """
    if min_value.tzinfo is not None or max_value.tzinfo is not None:
        raise InvalidArgument("min_value and max_value are naive wall-clock bounds")
    if min_value > max_value:
        raise InvalidArgument(f"min_value={min_value} is after max_value={max_value}")
    if timezones is None:
        # The offset changes of the known zones are found here, once, rather than inside the
        # first draws, where Hypothesis would time the scan as data generation (ADR 0037).
        for zone in _ZONES:
            _transitions(zone, min_value.year, max_value.year)
        zones: st.SearchStrategy[dt.tzinfo] = st.sampled_from(_ZONES)
    else:
        zones = timezones
    anywhere = st.datetimes(min_value, max_value, timezones=zones, allow_imaginary=False)
    return st.one_of(_near_offset_changes(min_value, max_value, zones, anywhere), anywhere)


@st.composite
def _near_offset_changes(
    draw: st.DrawFn,
    min_value: dt.datetime,
    max_value: dt.datetime,
    zones: st.SearchStrategy[dt.tzinfo],
    fallback: st.SearchStrategy[dt.datetime],
) -> dt.datetime:
    zone = draw(zones)
    changes = _transitions(zone, min_value.year, max_value.year)
    if not changes:
        return draw(fallback)
    change = draw(st.sampled_from(changes))
    nudge = draw(_NUDGES)
    value = (change + nudge).astimezone(zone)
    if not min_value <= value.replace(tzinfo=None) <= max_value:
        return draw(fallback)
    return value


def _seconds(n: int) -> dt.timedelta:
    return dt.timedelta(seconds=n)


_NUDGES: Final = st.sampled_from(_DST_NUDGES) | st.integers(-7200, 7200).map(_seconds)
