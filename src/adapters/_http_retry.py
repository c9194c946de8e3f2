"""The Stuut API clients' retry rules (ADR 0022), free of I/O and shared by both clients.

:class:`RetryPolicy` says how often and how long to wait; :func:`parse_retry_after` reads a
``Retry-After`` header; :class:`Attempts` keeps one call's count and decides, after each
failed try, whether to wait (and how long) or give up with
:class:`~adapters.errors.ApiUnavailable`. The clients only send requests and sleep.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import random
from collections.abc import Callable
from typing import Any

import attrs

from adapters.errors import ApiUnavailable

__all__ = ["Attempts", "RetryPolicy", "parse_retry_after"]

#: One logger for both Stuut API clients (its name predates the async client).
log = logging.getLogger("adapters.http_api")


def _positive(_instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be positive, got {value!r}")


@attrs.frozen(kw_only=True, weakref_slot=False)
class RetryPolicy:
    """How often and how patiently a failed request is tried again (ADR 0022).

    * ``attempts``: tries in all, the first included (1 = never retry).
    * Retry number *n* (1-based) waits a uniformly random time in
      ``[0, min(max_delay, base_delay * 2**(n-1))]`` ("full jitter": clients that failed
      together do not retry together).
    * A ``Retry-After`` from the server is a floor: the wait is at least what it asks. One
      above ``max_retry_after`` seconds is not honoured by waiting: the call gives up at once.
    * ``statuses``: the responses worth retrying (rate limited, bad gateway, unavailable,
      gateway timeout). Transport errors (connect, read, timeouts) are always retried.
    """

    attempts: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    base_delay: float = attrs.field(default=0.5, validator=_positive)
    max_delay: float = attrs.field(default=8.0, validator=_positive)
    max_retry_after: float = attrs.field(default=60.0, validator=attrs.validators.ge(0))
    statuses: frozenset[int] = frozenset({429, 502, 503, 504})

    def backoff(self, retry: int, rng: random.Random) -> float:
        """The jittered wait before retry number ``retry`` (1-based), ignoring Retry-After."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry - 1))
        return rng.uniform(0.0, ceiling)

    def delay(self, retry: int, retry_after: float | None, rng: random.Random) -> float | None:
        """Seconds to wait before retry number ``retry``; ``None``: the server asks too long."""
        backoff = self.backoff(retry, rng)
        if retry_after is None:
            return backoff
        if retry_after > self.max_retry_after:
            return None
        return max(backoff, retry_after)


def parse_retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date), else ``None``.

    A date in the past means "now" (0). An unreadable value is ignored (``None``), so the
    client falls back to its own backoff.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():  # "²" and "٣" are digits to str.isdigit, not to HTTP
        return float(text)
    if not text.isascii() or len(text) > 64:
        return None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.utcoffset() is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


class Attempts:
    """One call's tries under a :class:`RetryPolicy`: after each failure, wait or give up.

    ``endpoint`` (``"GET /v1/invoices/inv_1"``) names the call in the log and in
    :class:`~adapters.errors.ApiUnavailable`; ``now`` reads the clock Retry-After dates are
    measured against.
    """

    __slots__ = ("_count", "_endpoint", "_now", "_policy", "_rng")

    def __init__(
        self,
        policy: RetryPolicy,
        endpoint: str,
        rng: random.Random,
        now: Callable[[], dt.datetime],
    ) -> None:
        self._policy = policy
        self._endpoint = endpoint
        self._rng = rng
        self._now = now
        self._count = 0

    @property
    def count(self) -> int:
        """How many tries have failed so far."""
        return self._count

    def failed(self, failure: str, status: int | None, retry_after: str | None) -> float:
        """Seconds to wait before the next try after a retryable ``failure``.

        Raises :class:`ApiUnavailable` when the tries are spent, or when the server's
        ``Retry-After`` asks for longer than the policy waits. ``failure`` must already be
        free of the token.
        """
        self._count += 1
        policy = self._policy
        if self._count >= policy.attempts:
            raise ApiUnavailable(self._endpoint, failure, status, self._count)
        asked = parse_retry_after(retry_after, self._now())
        wait = policy.delay(self._count, asked, self._rng)
        if wait is None:
            raise ApiUnavailable(
                self._endpoint,
                f"{failure}; Retry-After {asked:.0f}s is longer than the "
                f"{policy.max_retry_after:.0f}s the retry policy waits",
                status,
                self._count,
            )
        log.warning(
            "%s failed (%s); retry %d of %d in %.2fs",
            self._endpoint,
            failure,
            self._count,
            policy.attempts - 1,
            wait,
        )
        return wait
