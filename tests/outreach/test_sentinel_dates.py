"""Issue 12 §2: sentinel dates (9999-12-31 for "never", 0001-01-01) raised OverflowError.

Each remote date field gives a decision: a date beyond the engine's calendar is read as its
nearer end ("never" stays in the future, "long ago" in the past); an ``at`` the engine cannot
look around is a typed error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from outreach_builders import acme, inv_2024_0042, net30_reminders
from stuut_domain.errors import InstantOutOfRange
from stuut_domain.outreach.decision import OutreachDecision
from stuut_domain.outreach.engine import decide_outreach
from stuut_domain.outreach.schedule import EARLIEST, LATEST

UTC = dt.UTC
AT = dt.datetime(2024, 7, 15, 10, tzinfo=UTC)
LAST_INSTANT = dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
FIRST_INSTANT = dt.datetime(1, 1, 1, tzinfo=UTC)
ZONES = [None, "Pacific/Kiritimati", "America/Adak", "Asia/Kathmandu"]


def decide(
    *, invoice: dict[str, Any] | None = None, partner: dict[str, Any] | None = None, **kw: Any
) -> list[OutreachDecision]:
    """The decision for both channels, the partner in each test zone."""
    decisions = []
    for zone in ZONES:
        for channel in ("email", "call"):
            decisions.append(
                decide_outreach(
                    inv_2024_0042(**(invoice or {})),
                    partner=acme(timezone=zone, **(partner or {})),
                    workflow=net30_reminders(),
                    channel=channel,  # type: ignore[arg-type]
                    at=kw.get("at", AT),
                )
            )
    return decisions


def codes(decisions: list[OutreachDecision]) -> set[str]:
    return {b.code for d in decisions for b in d.blockers}


class TestSentinelDates:
    def test_a_promise_to_pay_on_the_last_day_holds_every_reminder(self) -> None:
        found = decide(invoice={"promised_to_pay_date": dt.date(9999, 12, 31)})
        assert "promise_to_pay" in codes(found)
        assert not any(d.eligible for d in found)

    def test_a_promise_to_pay_on_the_first_day_is_long_over(self) -> None:
        found = decide(invoice={"promised_to_pay_date": dt.date(1, 1, 1)})
        assert "promise_to_pay" not in codes(found)

    @pytest.mark.parametrize("due", [LAST_INSTANT, dt.datetime(9999, 12, 31, tzinfo=UTC)])
    def test_a_due_date_at_the_end_of_time_is_never_reminded(self, due: dt.datetime) -> None:
        found = decide(invoice={"due_date": due})
        assert "before_first_reminder" in codes(found)
        assert not any(d.eligible for d in found)

    def test_a_due_date_at_the_start_of_time_is_long_due(self) -> None:
        found = decide(invoice={"due_date": FIRST_INSTANT})
        assert "before_first_reminder" not in codes(found)

    @pytest.mark.parametrize("side", ["invoice", "partner"])
    def test_a_last_outreach_at_the_end_of_time_holds_the_gap(self, side: str) -> None:
        found = decide(**{side: {"last_outreach_at": LAST_INSTANT}})
        gap = "invoice_gap" if side == "invoice" else "partner_gap"
        assert gap in codes(found)
        assert all(b.clears_at <= LATEST for d in found for b in d.blockers if b.clears_at)

    @pytest.mark.parametrize("side", ["invoice", "partner"])
    def test_a_last_outreach_at_the_start_of_time_is_long_ago(self, side: str) -> None:
        found = decide(**{side: {"last_outreach_at": FIRST_INSTANT}})
        assert not {"invoice_gap", "partner_gap"} & codes(found)

    @pytest.mark.parametrize("at", [EARLIEST, LATEST])
    def test_the_edges_of_the_calendar_give_a_decision(self, at: dt.datetime) -> None:
        assert all(isinstance(d, OutreachDecision) for d in decide(at=at))

    @pytest.mark.parametrize(
        "at",
        [
            LAST_INSTANT,
            dt.datetime(9999, 12, 30, tzinfo=UTC),
            dt.datetime.max.replace(tzinfo=dt.timezone(dt.timedelta(hours=-5))),
            FIRST_INSTANT,
            dt.datetime.min.replace(tzinfo=dt.timezone(dt.timedelta(hours=5))),
        ],
    )
    def test_an_at_beyond_the_calendar_is_a_typed_error(self, at: dt.datetime) -> None:
        with pytest.raises(InstantOutOfRange) as caught:
            decide(at=at)
        assert caught.value.value == at
