"""Clocks for the :class:`stuut_domain.ports.Clock` port: the system's and a settable one."""

from __future__ import annotations

import datetime as dt
import threading

from stuut_domain.validators import require_aware

__all__ = ["FixedClock", "SystemClock"]


class SystemClock:
    """The machine's clock, always in UTC (never naive)."""

    def now(self) -> dt.datetime:
        """The current instant in UTC."""
        return dt.datetime.now(dt.UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class FixedClock:
    """A clock that stands still until told to move: for tests, simulations and replays.

    The instant must be timezone-aware (a naive instant is refused with ``ValueError``).
    """

    def __init__(self, at: dt.datetime) -> None:
        self._lock = threading.Lock()
        self._at = _aware(at)

    def now(self) -> dt.datetime:
        """The instant the clock is set to."""
        with self._lock:
            return self._at

    def set(self, at: dt.datetime) -> None:
        """Move the clock to ``at`` (forwards or backwards)."""
        with self._lock:
            self._at = _aware(at)

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """Move the clock by ``delta`` and return the new instant."""
        with self._lock:
            self._at = self._at + delta
            return self._at

    def __repr__(self) -> str:
        return f"FixedClock({self.now().isoformat()})"


def _aware(at: dt.datetime) -> dt.datetime:
    return require_aware("at", at)
