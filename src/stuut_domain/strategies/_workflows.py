"""Strategies for outreach workflows (active weekdays, an outreach window, a time zone)."""

from __future__ import annotations

from hypothesis import strategies as st

from stuut_domain.strategies._arguments import _strategy
from stuut_domain.strategies._fields import _emails, _ids, _maybe, _phones
from stuut_domain.strategies._time import TIME_ZONES, _after, _utc_instants
from stuut_domain.workflow import Workflow


def workflows(
    *,
    timezone: str | st.SearchStrategy[str | None] | None = None,
) -> st.SearchStrategy[Workflow]:
    """Outreach workflows: a non-empty set of active weekdays and a window start < end.

    ``active_days`` are Python weekday numbers (0 = Monday), sorted and distinct; the window
    bounds are ``"HH:MM"`` on the quarter hour; ``timezone`` defaults to one of
    :data:`TIME_ZONES`.
    """
    return _workflows(_strategy(timezone, st.sampled_from(TIME_ZONES)))


@st.composite
def _workflows(draw: st.DrawFn, zones: st.SearchStrategy[str | None]) -> Workflow:
    created = draw(_utc_instants())
    days = draw(st.sets(st.integers(0, 6), min_size=1))
    start = draw(st.integers(0, 94))
    end = draw(st.integers(start + 1, 95))
    return Workflow(
        id=draw(_ids("wfl")),
        active_days=tuple(sorted(days)),
        created_at=created,
        email_sender_id=_maybe(draw, _ids("sndr")),
        is_active=draw(st.booleans()),
        is_call_on_weekend_enabled=draw(st.booleans()),
        modified_at=_after(draw, created, 400),
        name=draw(st.sampled_from(("Standard dunning", "Key accounts", "APAC gentle"))),
        object="workflow",
        outreach_window_end=_quarter(end),
        outreach_window_start=_quarter(start),
        pending_run_strategy=draw(st.sampled_from(("immediate", "next_window", None))),
        test_email=_maybe(draw, _emails()),
        test_phone_number=_maybe(draw, _phones()),
        timezone=draw(zones),
    )


def _quarter(n: int) -> str:
    return f"{n // 4:02d}:{n % 4 * 15:02d}"
