"""Specifications of the facts the outreach rules read, built once from the entities."""

from __future__ import annotations

import datetime as dt

import attrs

from outreach_builders import UTC, acme, inv_2024_0042, net30_reminders, pending_allocation
from stuut_domain.money import Money
from stuut_domain.outreach.facts import (
    choose_zone,
    counts_toward,
    gap_channel,
    invoice_facts,
    partner_facts,
    workflow_facts,
)
from stuut_domain.outreach.policy import DEFAULT_POLICY, OutreachPolicy
from stuut_domain.validators import zone_named

BERLIN = zone_named("Europe/Berlin")
PER_CHANNEL = OutreachPolicy(partner_gap_scope="per_channel", invoice_gap_scope="per_channel")


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


class TestZone:
    def test_the_partner_zone_comes_first_then_the_workflow_then_the_policy(self) -> None:
        """ADR 0015: the partner's zone, else the workflow's, else the policy default."""
        flow = net30_reminders(timezone="America/New_York")
        assert [
            ("partner", "Europe/Berlin"),
            ("workflow", "America/New_York"),
            ("policy", "UTC"),
        ] == [
            (choice.source, choice.name)
            for choice in (
                choose_zone(acme(), flow, DEFAULT_POLICY),
                choose_zone(acme(timezone=None), flow, DEFAULT_POLICY),
                choose_zone(acme(timezone=""), net30_reminders(timezone=None), DEFAULT_POLICY),
            )
        ]

    def test_an_unknown_partner_zone_is_kept_without_falling_back(self) -> None:
        """An unknown partner zone is not replaced by the workflow's: the decision says so."""
        choice = choose_zone(acme(timezone="Mars/Olympus"), net30_reminders(), DEFAULT_POLICY)
        assert ("partner", "Mars/Olympus", None) == choice


class TestWorkflow:
    def test_a_call_skips_weekend_days_unless_weekend_calls_are_on(self) -> None:
        """Every day active: email may use all seven, a call only Monday to Friday."""
        flow = net30_reminders(active_days=())
        zone = choose_zone(acme(), flow, DEFAULT_POLICY)
        on = net30_reminders(active_days=(), is_call_on_weekend_enabled=True)
        assert [(0, 1, 2, 3, 4, 5, 6), (0, 1, 2, 3, 4), (0, 1, 2, 3, 4, 5, 6)] == [
            workflow_facts(flow, "email", zone).allowed_days,
            workflow_facts(flow, "call", zone).allowed_days,
            workflow_facts(on, "call", zone).allowed_days,
        ]

    def test_window_bounds_with_an_offset_are_unusable(self) -> None:
        """A window bound with a UTC offset is refused: the workflow's zone says the offset."""
        flow = net30_reminders(outreach_window_start="09:00+02:00")
        facts = workflow_facts(flow, "email", choose_zone(acme(), flow, DEFAULT_POLICY))
        assert (None, "window bounds carry a UTC offset; use the workflow's timezone") == (
            facts.window,
            facts.window_error,
        )


class TestPartnerAndInvoice:
    def test_gap_channel_follows_the_scope(self) -> None:
        """Per channel a gap counts its own channel; across channels, every one (None)."""
        assert ("call", None) == (
            gap_channel("per_channel", "call"),
            gap_channel("across_channels", "call"),
        )

    def test_an_outreach_without_channel_counts_as_email(self) -> None:
        """ADR 0018: an outreach with no recorded channel is read as an email."""
        assert (True, False, True) == (
            counts_toward(None, "email"),
            counts_toward(None, "call"),
            counts_toward("call", None),
        )

    def test_the_partner_record_counts_only_on_its_channel_per_channel(self) -> None:
        """Per channel, the partner's last call is not a last email."""
        partner = acme(last_outreach_at=utc(2024, 7, 3, 8), last_outreach_channel="call")
        assert (None, utc(2024, 7, 3, 8)) == (
            partner_facts(partner, "email", PER_CHANNEL).last_outreach,
            partner_facts(partner, "call", PER_CHANNEL).last_outreach,
        )

    def test_pending_sums_the_unapproved_allocations_in_the_invoice_currency(self) -> None:
        """Approved allocations are not pending; one in another currency is left out, not an
        error in the middle of a decision."""
        dollars = attrs.evolve(pending_allocation(9_000), amount=Money(9_000, "USD"))
        invoice = inv_2024_0042(
            payments=(pending_allocation(5_000), pending_allocation(2_000, approved=True), dollars)
        )
        facts = invoice_facts(invoice, DEFAULT_POLICY, BERLIN, "email")
        assert Money(5_000, "EUR") == facts.pending

    def test_holds_end_at_local_midnight(self) -> None:
        """Promise plus grace and the first reminder day end at midnight in the zone."""
        invoice = inv_2024_0042(promised_to_pay_date=dt.date(2024, 7, 2))
        policy = OutreachPolicy(promise_grace_days=1, first_reminder_offset_days=-3)
        facts = invoice_facts(invoice, policy, BERLIN, "email")
        assert (utc(2024, 7, 3, 22), dt.date(2024, 7, 1), utc(2024, 6, 27, 22)) == (
            facts.promise_ends,
            facts.reminder_day,
            facts.reminders_start,
        )

    def test_without_a_due_date_reminders_count_from_the_issue_day(self) -> None:
        """No due date: the invoice is due on issue; no issue either: no reminder day."""
        undated = invoice_facts(inv_2024_0042(due_date=None), DEFAULT_POLICY, BERLIN, "email")
        draft = invoice_facts(
            inv_2024_0042(due_date=None, issued_at=None), DEFAULT_POLICY, BERLIN, "email"
        )
        assert (dt.date(2024, 6, 1), None, None) == (
            undated.reminder_day,
            draft.reminder_day,
            draft.reminders_start,
        )
