"""The simulator tells the business truth: batched contacts, the reason that kept each out."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from outreach.test_simulation import ACME, EU_WEEKDAYS, MONDAY, invoice, simulate
from outreach_builders import WED_NOON_BERLIN, acme, inv_2024_0042, net30_reminders, utc
from stuut_domain.cadence import CalendarBook, DunningLevel, DunningPolicy, ExplicitCalendar
from stuut_domain.invoice import Invoice
from stuut_domain.outreach.engine import decide_outreach
from stuut_domain.outreach.policy import OutreachPolicy
from stuut_domain.outreach.state import OutreachState

EIGHT_WEEKS = MONDAY + dt.timedelta(weeks=8)


def staggered(count: int, every: int) -> list[Invoice]:
    """``count`` invoices of Acme falling due ``every`` days apart from the first day."""
    return [
        invoice(f"inv_{n}", due_date=MONDAY + dt.timedelta(days=n * every)) for n in range(count)
    ]


class TestBatching:
    def test_an_invoice_held_only_by_its_own_gap_rides_along(self) -> None:
        recent = inv_2024_0042(id="inv_recent", number="INV-R", last_outreach_at=utc(2024, 7, 2, 9))
        fresh = inv_2024_0042()
        state = OutreachState()
        policy = OutreachPolicy(min_gap_per_partner=dt.timedelta(0))
        both = decide_outreach(
            [recent, fresh],
            partner=acme(),
            workflow=net30_reminders(),
            channel="email",
            at=WED_NOON_BERLIN,
            policy=policy,
            state=state,
        )
        assert ("inv_recent", "inv_2024_0042") == both.invoice_ids
        assert () == both.excluded
        assert ["batched"] == [n.code for n in both.notes if n.code == "batched"]
        alone = decide_outreach(
            [recent, fresh],
            partner=acme(),
            workflow=net30_reminders(),
            channel="email",
            at=WED_NOON_BERLIN,
            policy=attrs.evolve(policy, batching="invoice"),
            state=state,
        )
        assert ("inv_2024_0042",) == alone.invoice_ids
        assert ["invoice_gap"] == [b.code for b in alone.excluded]

    def test_riders_never_include_invoices_held_by_other_rules(self) -> None:
        disputed = inv_2024_0042(id="inv_d", number="INV-D", in_dispute=True)
        decision = decide_outreach(
            [disputed, inv_2024_0042()],
            partner=acme(),
            workflow=net30_reminders(),
            channel="email",
            at=WED_NOON_BERLIN,
        )
        assert ("inv_2024_0042",) == decision.invoice_ids
        assert ["in_dispute"] == [b.code for b in decision.excluded]

    def test_a_weekly_gap_sends_fewer_contacts_than_three_days(self) -> None:
        """Over 8 weeks, invoices falling due every other day: weekly means fewer messages in
        the customer's inbox; per-invoice cadences (batching='invoice') drifted the other way."""
        invoices = staggered(12, 2)
        runs = {
            (batching, gap): simulate(
                invoices,
                end=EIGHT_WEEKS,
                policy=OutreachPolicy(
                    batching=batching, min_gap_per_invoice=dt.timedelta(days=gap)
                ),
            ).summary()
            for batching in ("partner", "invoice")
            for gap in (3, 7)
        }
        assert runs[("partner", 7)]["sent"] < runs[("partner", 3)]["sent"]
        assert runs[("invoice", 7)]["sent"] >= runs[("partner", 7)]["sent"] * 2
        for summary in runs.values():
            assert summary["partner_days_with_contact"] == summary["sent"]  # one per day


class TestNeverReached:
    def test_an_inactive_partner_is_the_reason_not_the_invoices_own_pending_reminder(self) -> None:
        inactive = attrs.evolve(ACME, is_active=False)
        young = invoice("inv_young", due_date=dt.datetime(2026, 11, 30, tzinfo=dt.UTC))
        result = simulate([young], partners=[inactive])
        (missed,) = result.uncontacted
        assert ("partner_inactive", None) == (missed.code, missed.clears_at)
        assert {"partner_inactive": 1} == result.never_by_code()

    def test_a_pause_with_an_end_reports_when_it_clears(self) -> None:
        until = dt.datetime(2026, 12, 20, tzinfo=dt.UTC)
        state = OutreachState().pause("ptn_acme", until=until, reason="legal review")
        (missed,) = simulate([invoice("inv_a")], state=state).uncontacted
        assert "paused_until" == missed.code
        assert missed.clears_at is not None
        assert missed.clears_at >= until
        assert "2026-12-20" in missed.reasons[0]

    def test_a_holiday_calendar_takes_part(self) -> None:
        """Closed every weekday of the range: nothing goes out, and the holiday says why."""
        closed = {MONDAY.date() + dt.timedelta(days=d): "shutdown" for d in range(14)}
        book = CalendarBook(
            organisation=("DE", None), factory=lambda c, s: ExplicitCalendar(holidays=closed)
        )
        result = simulate([invoice("inv_a")], policy=OutreachPolicy(calendars=book))
        assert () == result.outreach
        (missed,) = result.uncontacted
        assert "holiday" == missed.code
        assert "shutdown" in missed.reasons[0]

    @pytest.mark.slow
    @given(
        count=st.integers(1, 8),
        every=st.integers(0, 9),
        inactive=st.booleans(),
        disputed=st.sets(st.integers(0, 7)),
    )
    def test_each_invoice_never_reached_counts_once(
        self, count: int, every: int, inactive: bool, disputed: set[int]
    ) -> None:
        invoices = [
            attrs.evolve(inv, in_dispute=(n in disputed) or None)
            for n, inv in enumerate(staggered(count, every))
        ]
        partner = attrs.evolve(ACME, is_active=not inactive)
        result = simulate(invoices, partners=[partner], workflow=EU_WEEKDAYS)
        summary = result.summary()
        assert sum(result.never_by_code().values()) == summary["invoices_never_reached"]
        for missed in result.uncontacted:
            assert missed.code in missed.codes or missed.code == "after_range"
            if missed.code == "after_range" or missed.reasons[0].startswith("[paused_until]"):
                assert missed.clears_at is not None


class TestLevelsInSimulations:
    def test_contacts_follow_the_partners_level_and_channel(self) -> None:
        """E-mail from 1 day overdue, a call from 15, a firm e-mail from 30: the run sends
        each channel only at its level, in order, and names the level on each contact."""
        levels = DunningPolicy(
            levels=(
                DunningLevel(name="friendly", days_overdue=1),
                DunningLevel(name="call", days_overdue=15, channels=("call",), kind="call_task"),
                DunningLevel(name="firm", days_overdue=30, template="firm"),
            )
        )
        due = MONDAY - dt.timedelta(days=3)
        result = simulate(
            [invoice("inv_a", due_date=due)],
            end=EIGHT_WEEKS,
            channels=("email", "call"),
            dunning=levels,
        )
        sent = [(o.level, o.channel) for o in result.outreach]
        assert {("friendly", "email"), ("call", "call"), ("firm", "email")} == set(sent)
        first = {level: min(o.at for o in result.outreach if o.level == level) for level, _ in sent}
        assert first["friendly"] < first["call"] < first["firm"]
        assert first["call"] >= due + dt.timedelta(days=15)
        assert all(o.channel == "call" for o in result.outreach if o.level == "call")
        assert "level" in result.records()[0]
