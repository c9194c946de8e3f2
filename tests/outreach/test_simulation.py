"""Specifications of the outreach simulator and the side-by-side policy comparison."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stuut_domain.errors import NaiveDatetime
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.outreach.engine import decide_outreach
from stuut_domain.outreach.policy import OutreachPolicy
from stuut_domain.outreach.simulation import compare_policies, simulate_outreach
from stuut_domain.outreach.state import OutreachState
from stuut_domain.partner import Contact, Partner
from stuut_domain.workflow import Workflow

UTC = dt.UTC
MONDAY = dt.datetime(2026, 11, 23, tzinfo=UTC)
TWO_WEEKS_LATER = dt.datetime(2026, 12, 7, tzinfo=UTC)

ACME = Partner(
    id="ptn_acme",
    name="Acme Tooling GmbH",
    timezone="Europe/Berlin",
    contacts=(
        Contact(
            email="ap@acme-tooling.de",
            object="contact",
            partner_id="ptn_acme",
            external_role="billing_contact",
            phone="+49 711 123456",
        ),
    ),
)
SILENT = Partner(id="ptn_silent", name="Silent Logistics BV", timezone="Europe/Amsterdam")
EU_WEEKDAYS = Workflow(
    id="wf_eu",
    name="EU weekdays",
    active_days=(0, 1, 2, 3, 4),
    outreach_window_start="09:00",
    outreach_window_end="17:00",
    timezone="Europe/Berlin",
    is_active=True,
)


def invoice(invoice_id: str, partner_id: str = "ptn_acme", **overrides: Any) -> Invoice:
    values: dict[str, Any] = {
        "id": invoice_id,
        "object": "invoice",
        "remote_id": f"erp-{invoice_id}",
        "currency": "EUR",
        "total_amount": Money(150_000, "EUR"),
        "amount_paid": Money(0, "EUR"),
        "amount_due": Money(150_000, "EUR"),
        "partner_id": partner_id,
        "type": "receivable",
        "issued_at": dt.datetime(2026, 10, 1, 9, tzinfo=UTC),
        "due_date": dt.datetime(2026, 11, 1, tzinfo=UTC),
    }
    values.update(overrides)
    return Invoice(**values)


def simulate(invoices: list[Invoice], **options: Any) -> Any:
    arguments: dict[str, Any] = {
        "partners": [ACME, SILENT],
        "workflow": EU_WEEKDAYS,
        "start": MONDAY,
        "end": TWO_WEEKS_LATER,
    }
    arguments.update(options)
    return simulate_outreach(invoices, **arguments)


class TestSimulateOutreach:
    def test_reminders_open_the_window_and_repeat_at_the_invoice_gap(self) -> None:
        """An overdue invoice is emailed at 09:00 Berlin, then every 3 days (default gap)."""
        result = simulate([invoice("inv_2026_0042")])
        expected = [
            dt.datetime(2026, 11, 23, 8, tzinfo=UTC),
            dt.datetime(2026, 11, 26, 8, tzinfo=UTC),
            dt.datetime(2026, 11, 30, 8, tzinfo=UTC),  # 29th is a Sunday
            dt.datetime(2026, 12, 3, 8, tzinfo=UTC),
        ]
        assert expected == [o.at for o in result.outreach]
        assert {("ap@acme-tooling.de",)} == {o.recipients for o in result.outreach}

    def test_disputed_invoice_is_never_contacted_and_says_why(self) -> None:
        """A disputed invoice stays out for the whole range, with in_dispute and no clearing."""
        result = simulate([invoice("inv_ok"), invoice("inv_disputed", in_dispute=True)])
        (missed,) = result.uncontacted
        assert ("inv_disputed", ("in_dispute",), None) == (
            missed.invoice_id,
            missed.codes,
            missed.clears_at,
        )

    def test_promise_beyond_the_range_is_a_time_based_reason(self) -> None:
        """A promise held past the range is reported with when outreach could resume.

        The hold ends at local midnight after the grace days (23:00 UTC on the 22nd); the
        window then opens at 09:00 Berlin on Wednesday the 23rd.
        """
        result = simulate([invoice("inv_promised", promised_to_pay_date=dt.date(2026, 12, 20))])
        (missed,) = result.uncontacted
        assert (("promise_to_pay", "after_range"), dt.datetime(2026, 12, 23, 8, tzinfo=UTC)) == (
            missed.codes,
            missed.clears_at,
        )

    def test_partner_without_contacts_and_unknown_partner(self) -> None:
        """No reachable contact and a partner missing from the portfolio are both explained."""
        result = simulate([invoice("inv_silent", "ptn_silent"), invoice("inv_ghost", "ptn_ghost")])
        assert {
            "inv_silent": ("no_reachable_contact",),
            "inv_ghost": ("unknown_partner",),
        } == {u.invoice_id: u.codes for u in result.uncontacted}

    def test_only_open_receivables_are_candidates(self) -> None:
        """Paid and voided invoices are neither contacted nor listed as never reached."""
        paid = invoice(
            "inv_paid",
            amount_paid=Money(150_000, "EUR"),
            amount_due=Money(0, "EUR"),
            paid_at=dt.datetime(2026, 11, 5, tzinfo=UTC),
        )
        void = invoice("inv_void", voided_at=dt.datetime(2026, 11, 5, tzinfo=UTC))
        result = simulate([paid, void])
        assert ((), (), ()) == (result.candidates, result.outreach, result.uncontacted)

    def test_recorded_outreach_counts_toward_the_gap(self) -> None:
        """An invoice emailed on Sunday (its last_outreach_at) waits 3 days from then."""
        result = simulate(
            [invoice("inv_recent", last_outreach_at=dt.datetime(2026, 11, 22, 10, tzinfo=UTC))]
        )
        assert dt.datetime(2026, 11, 25, 10, tzinfo=UTC) == result.outreach[0].at

    def test_channels_share_the_partner_gap(self) -> None:
        """Email and call to one partner are a day apart at least (the partner gap)."""
        result = simulate(
            [invoice("inv_a")],
            channels=("email", "call"),
            policy=OutreachPolicy(min_gap_per_invoice=dt.timedelta(0)),
            end=dt.datetime(2026, 11, 25, tzinfo=UTC),
        )
        assert [
            ("email", dt.datetime(2026, 11, 23, 8, tzinfo=UTC)),
            ("email", dt.datetime(2026, 11, 24, 8, tzinfo=UTC)),
        ] == [(o.channel, o.at) for o in result.outreach]

    def test_per_channel_gaps_place_calls_beside_emails(self) -> None:
        """With both gaps per channel, the partner is emailed and called, each every 3 days."""
        result = simulate(
            [invoice("inv_a")],
            channels=("email", "call"),
            policy=OutreachPolicy(partner_gap_scope="per_channel", invoice_gap_scope="per_channel"),
            end=dt.datetime(2026, 11, 27, tzinfo=UTC),
        )
        assert [
            ("email", dt.datetime(2026, 11, 23, 8, tzinfo=UTC)),
            ("call", dt.datetime(2026, 11, 23, 8, tzinfo=UTC)),
            ("email", dt.datetime(2026, 11, 26, 8, tzinfo=UTC)),
            ("call", dt.datetime(2026, 11, 26, 8, tzinfo=UTC)),
        ] == [(o.channel, o.at) for o in result.outreach]
        assert (2, 2) == (result.summary()["emails"], result.summary()["calls"])

    def test_a_policy_without_gaps_still_ends(self) -> None:
        """With no gaps at all, the cadence floor (one day) spaces outreach per channel."""
        result = simulate(
            [invoice("inv_a")],
            policy=OutreachPolicy(
                min_gap_per_invoice=dt.timedelta(0), min_gap_per_partner=dt.timedelta(0)
            ),
            end=dt.datetime(2026, 11, 25, tzinfo=UTC),
        )
        assert 2 == len(result.outreach)

    def test_the_range_is_half_open(self) -> None:
        """An invoice that becomes eligible exactly at the end is left for the next range."""
        window_opens = dt.datetime(2026, 11, 23, 8, tzinfo=UTC)
        result = simulate([invoice("inv_a")], end=window_opens)
        assert ((), ("outside_window", "after_range"), window_opens) == (
            result.outreach,
            result.uncontacted[0].codes,
            result.uncontacted[0].clears_at,
        )

    def test_invalid_ranges_and_channels_are_refused(self) -> None:
        """Naive instants, an empty range and unknown channels are refused, naming the input."""
        with pytest.raises(NaiveDatetime):
            simulate([], start=dt.datetime(2026, 11, 23))
        with pytest.raises(ValueError, match="must be after start"):
            simulate([], end=MONDAY)
        with pytest.raises(ValueError, match="channels"):
            simulate([], channels=("sms",))

    def test_records_summary_and_rendering(self) -> None:
        """Timeline, per-invoice and never-reached rows share one shape; repr has a title."""
        result = simulate([invoice("inv_a"), invoice("inv_b", in_dispute=True)])
        for rows in (result.records(), result.invoice_records(), result.uncontacted_records()):
            assert 1 == len({tuple(r) for r in rows})
        summary = result.summary()
        assert (4, 1, 1, {"in_dispute": 1}) == (
            summary["sent"],
            summary["invoices_reached"],
            summary["invoices_never_reached"],
            summary["never_reached_by_code"],
        )
        assert repr(result).startswith(
            "Outreach 2026-11-23..2026-12-07 (email): 4 sent, 1 of 2 open invoices reached"
        )
        assert "<table>" in result._repr_html_()

    def test_deterministic(self) -> None:
        """The same inputs give the same timeline."""
        invoices = [invoice("inv_a"), invoice("inv_b", "ptn_silent")]
        assert simulate(invoices).records() == simulate(invoices).records()


class TestSimulationSoundness:
    @given(
        invoice_gap=st.integers(0, 5),
        partner_gap=st.integers(0, 3),
        start_hour=st.integers(0, 23 * 7),
        disputed=st.booleans(),
    )
    @pytest.mark.slow
    def test_every_outreach_was_eligible_when_sent(
        self, invoice_gap: int, partner_gap: int, start_hour: int, disputed: bool
    ) -> None:
        """Each outreach, re-decided with the state before it, is eligible, inside [start, end)."""
        policy = OutreachPolicy(
            min_gap_per_invoice=dt.timedelta(days=invoice_gap),
            min_gap_per_partner=dt.timedelta(days=partner_gap),
        )
        invoices = [invoice("inv_a"), invoice("inv_b", in_dispute=disputed)]
        start = MONDAY + dt.timedelta(hours=start_hour)
        result = simulate(invoices, policy=policy, start=start, channels=("email", "call"))
        state = OutreachState()
        for item in result.outreach:
            decision = decide_outreach(
                invoices,
                partner=ACME,
                workflow=EU_WEEKDAYS,
                channel=item.channel,
                at=item.at,
                policy=policy,
                state=state,
            )
            assert decision.eligible, decision.explain()
            assert start <= item.at < TWO_WEEKS_LATER
            state = state.record(
                partner_id=item.partner_id,
                channel=item.channel,
                sent_at=item.at,
                to=item.recipients,
                invoice_ids=item.invoice_ids,
            )
        assert state.sent == result.state.sent


class TestComparePolicies:
    def test_a_weekly_gap_halves_the_reminders(self) -> None:
        """Side by side: a 7-day invoice gap sends fewer reminders, first contact unchanged."""
        comparison = compare_policies(
            [invoice("inv_a"), invoice("inv_b", in_dispute=True)],
            partners=[ACME],
            workflow=EU_WEEKDAYS,
            start=MONDAY,
            end=TWO_WEEKS_LATER,
            a=OutreachPolicy(),
            b=OutreachPolicy(min_gap_per_invoice=dt.timedelta(days=7)),
            labels=("baseline", "weekly"),
        )
        assert [("baseline", 4), ("weekly", 2)] == [
            (r["policy"], r["sent"]) for r in comparison.records()
        ]
        assert {"earlier": 0, "same": 1, "later": 0, "gained": 0, "lost": 0, "never": 1} == (
            comparison.changes()
        )
        assert [
            {"field": "min_gap_per_invoice", "baseline": "3 days", "weekly": "7 days"}
        ] == comparison.differences()
        assert comparison.title().startswith("Policies compared: baseline vs weekly")

    def test_reminding_before_due_gains_invoices(self) -> None:
        """Reminding 5 days before due reaches an invoice due after the range: 'gained'."""
        not_yet_due = invoice("inv_future", due_date=dt.datetime(2026, 12, 8, tzinfo=UTC))
        comparison = compare_policies(
            [not_yet_due],
            partners=[ACME],
            workflow=EU_WEEKDAYS,
            start=MONDAY,
            end=TWO_WEEKS_LATER,
            a=OutreachPolicy(),
            b=OutreachPolicy(first_reminder_offset_days=-5),
        )
        assert ["gained"] == [r["change"] for r in comparison.invoice_records()]

    def test_labels_must_differ(self) -> None:
        """Two policies under one label could not be told apart: refused."""
        with pytest.raises(ValueError, match="labels"):
            compare_policies(
                [],
                partners=[],
                workflow=EU_WEEKDAYS,
                start=MONDAY,
                end=TWO_WEEKS_LATER,
                a=OutreachPolicy(),
                b=OutreachPolicy(),
                labels=("same", "same"),
            )
