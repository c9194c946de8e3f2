"""Outreach workflows: the schedule on which Stuut sends dunning emails and places calls.

A :class:`Workflow` says on which weekdays (``active_days``) and between which local times
(``outreach_window_start``..``outreach_window_end`` in ``timezone``) outreach may happen for
the customers it covers.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import attrs

from stuut_domain._validators import aware, short_repr

__all__ = ["Workflow"]

_WEEKDAYS = range(7)


def _iso_time(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Outreach window bounds must be ISO times such as ``"09:00"`` or ``"17:30:00"``."""
    if value is None:
        return
    try:
        dt.time.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"{attribute.name} must be an ISO time such as '09:00', got {value!r}"
        ) from None


def _weekdays(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Active days are Python weekday numbers, 0 (Monday) to 6 (Sunday)."""
    for day in value:
        if type(day) is not int or day not in _WEEKDAYS:
            raise ValueError(
                f"{attribute.name} must hold weekday numbers 0 (Monday) to 6 (Sunday), got {day!r}"
            )


def _parse_time(value: str | None) -> dt.time | None:
    return None if value is None else dt.time.fromisoformat(value)


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class Workflow:
    """An outreach schedule: active weekdays and a daily local-time window in ``timezone``.

    The window bounds stay the wire strings (``"09:00"``, ``"17:30:00"``) and must parse as
    ISO times; :attr:`window_start` and :attr:`window_end` give them as :class:`datetime.time`.
    ``active_days`` are Python weekday numbers, 0 = Monday … 6 = Sunday; anything else is
    refused. An empty ``active_days`` means every day is active (the API does not say; this is
    our reading). ``timezone`` is checked only when :attr:`zone` is read, so a zone name this
    machine's tz database does not know never blocks decoding.
    """

    id: str | None = None
    active_days: tuple[int, ...] = attrs.field(default=(), validator=_weekdays)
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    email_sender_id: str | None = None
    is_active: bool | None = None
    is_call_on_weekend_enabled: bool | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    name: str | None = None
    object: str | None = None
    outreach_window_end: str | None = attrs.field(default=None, validator=_iso_time)
    outreach_window_start: str | None = attrs.field(default=None, validator=_iso_time)
    pending_run_strategy: str | None = None
    test_email: str | None = None
    test_phone_number: str | None = None
    timezone: str | None = None

    @property
    def window_start(self) -> dt.time | None:
        """Local time from which outreach may be sent each active day (``None`` if unset)."""
        return _parse_time(self.outreach_window_start)

    @property
    def window_end(self) -> dt.time | None:
        """Local time after which no more outreach is sent each active day (``None`` if unset)."""
        return _parse_time(self.outreach_window_end)

    @property
    def zone(self) -> zoneinfo.ZoneInfo | None:
        """The IANA time zone the window is in; ``ValueError`` naming it if it is unknown."""
        if self.timezone is None:
            return None
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"timezone {self.timezone!r} of workflow {self.id!r} is not a known IANA zone"
            ) from None

    def is_active_on(self, weekday: int) -> bool:
        """Whether outreach may run on ``weekday`` (0 = Monday … 6 = Sunday).

        No ``active_days`` listed means every day is active. Only the day list is consulted:
        ``is_active`` and ``is_call_on_weekend_enabled`` are left to the caller.
        """
        if type(weekday) is not int or weekday not in _WEEKDAYS:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
        return not self.active_days or weekday in self.active_days

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
