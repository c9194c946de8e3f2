"""Specifications of the outreach state: what was sent, to whom, about what."""

from __future__ import annotations

import datetime as dt

import pytest

from outreach_builders import inv_2024_0042, utc
from stuut_domain.errors import NaiveDatetime
from stuut_domain.outreach.state import OutreachState


class TestOutreachState:
    def test_recording_returns_a_new_state(self) -> None:
        """Recording an email leaves the old state untouched and updates the last sends."""
        before = OutreachState()
        after = before.record(
            partner_id="ptn_acme",
            channel="email",
            sent_at=utc(2024, 7, 3, 10),
            to=["anna.becker@acme-tooling.de"],
            invoice_ids=["inv_2024_0042"],
        )
        assert ((), 1) == (before.sent, len(after.sent))
        assert (utc(2024, 7, 3, 10), utc(2024, 7, 3, 10)) == (
            after.last_about_invoice("inv_2024_0042"),
            after.last_to_partner("ptn_acme"),
        )

    def test_last_outreach_is_the_latest_whatever_the_recording_order(self) -> None:
        """A call recorded late but placed earlier does not move the last outreach back."""
        state = (
            OutreachState()
            .record(partner_id="ptn_acme", channel="email", sent_at=utc(2024, 7, 3, 10))
            .record(partner_id="ptn_acme", channel="call", sent_at=utc(2024, 7, 1, 10))
        )
        assert utc(2024, 7, 3, 10) == state.last_to_partner("ptn_acme")

    def test_last_outreach_per_channel(self) -> None:
        """Asked for one channel, the state answers with that channel's last send only."""
        state = (
            OutreachState()
            .record(
                partner_id="ptn_acme",
                channel="call",
                sent_at=utc(2024, 7, 1, 10),
                invoice_ids=["inv_2024_0042"],
            )
            .record(
                partner_id="ptn_acme",
                channel="email",
                sent_at=utc(2024, 7, 3, 10),
                invoice_ids=["inv_2024_0043"],
            )
        )
        assert (utc(2024, 7, 3, 10), utc(2024, 7, 1, 10), utc(2024, 7, 3, 10)) == (
            state.last_to_partner("ptn_acme"),
            state.last_to_partner("ptn_acme", "call"),
            state.last_to_partner("ptn_acme", "email"),
        )
        assert (utc(2024, 7, 1, 10), None, utc(2024, 7, 1, 10)) == (
            state.last_about_invoice("inv_2024_0042"),
            state.last_about_invoice("inv_2024_0042", "email"),
            state.last_about_invoice("inv_2024_0042", "call"),
        )

    def test_pause_holds_until_its_instant_and_can_be_lifted(self) -> None:
        """A call pause holds before its end, not at it, and lifting it removes it."""
        state = OutreachState().pause("ptn_acme", until=utc(2024, 7, 10), channel="call")
        assert (1, 0, 0) == (
            len(state.pauses_holding("ptn_acme", "call", utc(2024, 7, 9))),
            len(state.pauses_holding("ptn_acme", "call", utc(2024, 7, 10))),
            len(state.pauses_holding("ptn_acme", "email", utc(2024, 7, 9))),
        )
        assert () == state.lift_pause("ptn_acme", channel="call").pauses

    def test_seeded_from_the_invoices_last_outreach(self) -> None:
        """The API's last_outreach_at/_channel/_to become the first history entries."""
        invoice = inv_2024_0042(
            last_outreach_at=utc(2024, 7, 2, 9),
            last_outreach_channel="call",
            last_outreach_to="+49 711 555 0142",
        )
        (sent,) = OutreachState.from_invoices([invoice, inv_2024_0042(id="inv_2024_0043")]).sent
        assert ("call", ("+49 711 555 0142",), ("inv_2024_0042",)) == (
            sent.channel,
            sent.to,
            sent.invoice_ids,
        )

    def test_naive_send_time_refused(self) -> None:
        """A naive send time is ambiguous and refused."""
        with pytest.raises(NaiveDatetime, match="sent_at"):
            OutreachState().record(
                partner_id="ptn_acme", channel="email", sent_at=dt.datetime(2024, 7, 3)
            )
