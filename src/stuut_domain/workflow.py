"""Outreach workflows: the schedule on which Stuut sends dunning emails and places calls.

A :class:`Workflow` says on which weekdays (``active_days``) and between which local times
(``outreach_window_start``..``outreach_window_end`` in ``timezone``) outreach may happen for
the customers it covers.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import attrs

from stuut_domain.display import short_repr
from stuut_domain.types import Sourced
from stuut_domain.validators import aware, zone_named

__all__ = ["Workflow"]

_WEEKDAYS = range(7)


def _parse_time(field: str, value: str | None) -> dt.time | None:
    if value is None:
        return None
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{field} must be an ISO time such as '09:00', got {value!r}") from None


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class Workflow(Sourced):
    """An outreach schedule: active weekdays and a daily local-time window in ``timezone``.

    The window bounds stay the wire strings (``"09:00"``, ``"17:30:00"``);
    :attr:`window_start` and :attr:`window_end` parse them as :class:`datetime.time`.
    ``active_days`` are Python weekday numbers, 0 = Monday … 6 = Sunday. An empty
    ``active_days`` means every day is active (the API does not say; this is our reading).

    Decoding is tolerant (ADR 0007): a window that is not an ISO time, a day outside 0..6 or a
    time zone this machine does not know still loads (the API's own example has
    ``active_days: [123]``); :func:`stuut_domain.invariants.check_workflow` reports each, and
    the properties raise a clear error when such a value is used.
    """

    id: str | None = None
    active_days: tuple[int, ...] = ()
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    email_sender_id: str | None = None
    is_active: bool | None = None
    is_call_on_weekend_enabled: bool | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    name: str | None = None
    object: str | None = None
    outreach_window_end: str | None = None
    outreach_window_start: str | None = None
    pending_run_strategy: str | None = None
    test_email: str | None = None
    test_phone_number: str | None = None
    timezone: str | None = None

    @property
    def window_start(self) -> dt.time | None:
        """Local time from which outreach may be sent each active day (``None`` if unset)."""
        return _parse_time("outreach_window_start", self.outreach_window_start)

    @property
    def window_end(self) -> dt.time | None:
        """Local time after which no more outreach is sent each active day (``None`` if unset)."""
        return _parse_time("outreach_window_end", self.outreach_window_end)

    @property
    def zone(self) -> zoneinfo.ZoneInfo | None:
        """The IANA time zone of the window; ``None`` when unset.

        Raises :class:`~stuut_domain.errors.UnknownTimeZone` when the name is not known.
        """
        return zone_named(self.timezone)

    def is_active_on(self, weekday: int) -> bool:
        """Whether outreach may run on ``weekday`` (0 = Monday … 6 = Sunday).

        No ``active_days`` listed means every day is active. Only the day list is consulted:
        ``is_active`` and ``is_call_on_weekend_enabled`` are left to the caller.
        """
        if type(weekday) is not int or weekday not in _WEEKDAYS:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
        return not self.active_days or weekday in self.active_days

    def invalid_active_days(self) -> tuple[int, ...]:
        """The listed days that are not weekday numbers 0..6 (they never match a day)."""
        return tuple(d for d in self.active_days if type(d) is not int or d not in _WEEKDAYS)

    def __repr__(self) -> str:
        start, end = self.outreach_window_start, self.outreach_window_end
        return short_repr(
            "Workflow",
            id=self.id,
            name=self.name,
            timezone=self.timezone,
            window=None if start is None and end is None else f"{start}-{end}",
            days=self.active_days or "all",
        )
