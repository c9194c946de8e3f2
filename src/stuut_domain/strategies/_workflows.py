"""Strategies for outreach workflows (active weekdays, an outreach window, a time zone)."""

from __future__ import annotations

from typing import Final

from hypothesis import strategies as st

from stuut_domain.strategies._arguments import _strategy
from stuut_domain.strategies._fields import (
    _BOOLEANS,
    _EMAILS,
    _PHONES,
    _SENDER_IDS,
    _WORKFLOW_IDS,
    _maybe,
)
from stuut_domain.strategies._time import _UTC_INSTANTS, TIME_ZONES, _after
from stuut_domain.workflow import Workflow

_WEEKDAY_SETS: Final = st.sets(st.integers(0, 6), min_size=1)
_WINDOW_STARTS: Final = st.integers(0, 94)
_NAMES: Final = st.sampled_from(("Standard dunning", "Key accounts", "APAC gentle"))
_RUN_STRATEGIES: Final = st.sampled_from(("immediate", "next_window", None))
_ZONE_NAMES: Final = st.sampled_from(TIME_ZONES)


def workflows(
    *,
    timezone: str | st.SearchStrategy[str | None] | None = None,
) -> st.SearchStrategy[Workflow]:
    """Outreach workflows: a non-empty set of active weekdays and a window start < end.

    ``active_days`` are Python weekday numbers (0 = Monday), sorted and distinct; the window
    bounds are ``"HH:MM"`` on the quarter hour; ``timezone`` defaults to one of
    :data:`TIME_ZONES`.
    """
    return _workflows(_strategy(timezone, _ZONE_NAMES))


@st.composite
def _workflows(draw: st.DrawFn, zones: st.SearchStrategy[str | None]) -> Workflow:
    created = draw(_UTC_INSTANTS)
    days = draw(_WEEKDAY_SETS)
    start = draw(_WINDOW_STARTS)
    end = draw(st.integers(start + 1, 95))
    return Workflow(
        id=draw(_WORKFLOW_IDS),
        active_days=tuple(sorted(days)),
        created_at=created,
        email_sender_id=_maybe(draw, _SENDER_IDS),
        is_active=draw(_BOOLEANS),
        is_call_on_weekend_enabled=draw(_BOOLEANS),
        modified_at=_after(draw, created, 400),
        name=draw(_NAMES),
        object="workflow",
        outreach_window_end=_quarter(end),
        outreach_window_start=_quarter(start),
        pending_run_strategy=draw(_RUN_STRATEGIES),
        test_email=_maybe(draw, _EMAILS),
        test_phone_number=_maybe(draw, _PHONES),
        timezone=draw(zones),
    )


def _quarter(n: int) -> str:
    return f"{n // 4:02d}:{n % 4 * 15:02d}"
