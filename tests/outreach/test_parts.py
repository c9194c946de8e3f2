"""Specifications of the outreach parts: recipients, policy, state and partner figures."""

from __future__ import annotations

import datetime as dt

import pytest

from outreach_builders import UTC, acme, anna, bruno, inv_2024_0042
from stuut_domain.errors import NaiveDatetime, UnknownTimeZone
from stuut_domain.money import Money, MoneyBag
from stuut_domain.outreach.policy import DEFAULT_POLICY, GAP_SCOPES, OutreachPolicy
from stuut_domain.outreach.recipients import choose_recipients, is_valid_email, is_valid_phone
from stuut_domain.outreach.state import OutreachState
from stuut_domain.receivables import balance, open_invoices, partner_figures, total_overdue


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


class TestRecipients:
    def test_billing_and_primary_contacts_receive_email_billing_first(self) -> None:
        """Email goes to every billing or primary contact, billing ones first."""
        partner = acme(contacts=(bruno(is_primary=True), anna(is_primary_email=False)))
        addresses = [r.address for r in choose_recipients(partner, "email").recipients]
        assert ["anna.becker@acme-tooling.de", "bruno.klein@acme-tooling.de"] == addresses

    def test_a_call_goes_to_one_number(self) -> None:
        """A call reaches the single best-ranked number: the billing contact's."""
        recipients = choose_recipients(acme(), "call").recipients
        assert ("+49 711 555 0142",) == tuple(r.address for r in recipients)

    def test_without_a_preferred_contact_the_first_qualifying_one_is_used(self) -> None:
        """No billing or primary contact: the first contact that can be reached."""
        partner = acme(contacts=(bruno(), bruno(id="con_carla", email="carla@acme-tooling.de")))
        assert ("con_bruno",) == tuple(
            r.contact_id for r in choose_recipients(partner, "email").recipients
        )

    def test_disabled_and_invalid_contacts_are_never_chosen(self) -> None:
        """A phone-disabled contact and a placeholder number are skipped, each with its reason."""
        partner = acme(contacts=(anna(is_phone_disabled=True), bruno(phone="<string>")), phone=None)
        choice = choose_recipients(partner, "call")
        assert ((), False) == (choice.recipients, choice.fallback)
        assert (
            "con_anna: phone disabled for this contact",
            "con_bruno: no valid phone number ('<string>')",
        ) == choice.skipped

    def test_partner_number_is_the_fallback(self) -> None:
        """When no contact has a usable number, the partner's own is used and flagged."""
        choice = choose_recipients(acme(contacts=()), "call")
        assert (("+49 711 555 0100",), True) == (
            tuple(r.address for r in choice.recipients),
            choice.fallback,
        )

    def test_partner_level_disabled_channel_has_no_recipient(self) -> None:
        """A partner with calls disabled has no number at all, not even its own."""
        choice = choose_recipients(acme(is_phone_disabled=True), "call")
        assert ((), True) == (choice.recipients, choice.channel_disabled)

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("ap@acme-tooling.de", True),
            ("<string>", False),
            ("ap@acme", False),
            ("a b@acme.de", False),
            ("", False),
        ],
    )
    def test_email_plausibility(self, value: str, expected: bool) -> None:
        """An email needs local@domain.tld and no spaces."""
        assert expected == is_valid_email(value)

    @pytest.mark.parametrize(
        ("value", "expected"),
        [("+49 (711) 555-0142", True), ("0711.5550142", True), ("555", False), ("call me", False)],
    )
    def test_phone_plausibility(self, value: str, expected: bool) -> None:
        """A phone needs 7 to 15 digits, punctuation aside."""
        assert expected == is_valid_phone(value)


class TestPolicy:
    def test_documented_defaults(self) -> None:
        """3 days per invoice, 1 per partner, 2 grace days, reminders from the due date."""
        assert (dt.timedelta(days=3), dt.timedelta(days=1), 2, 0, True, "UTC") == (
            DEFAULT_POLICY.min_gap_per_invoice,
            DEFAULT_POLICY.min_gap_per_partner,
            DEFAULT_POLICY.promise_grace_days,
            DEFAULT_POLICY.first_reminder_offset_days,
            DEFAULT_POLICY.receivables_only,
            DEFAULT_POLICY.default_timezone,
        )

    def test_gaps_count_every_channel_by_default(self) -> None:
        """Both gaps count outreach on any channel unless the policy says per channel."""
        assert (("across_channels", "per_channel"), "across_channels", "across_channels") == (
            GAP_SCOPES,
            DEFAULT_POLICY.partner_gap_scope,
            DEFAULT_POLICY.invoice_gap_scope,
        )

    @pytest.mark.parametrize("field", ["partner_gap_scope", "invoice_gap_scope"])
    def test_unknown_gap_scope_refused(self, field: str) -> None:
        """A gap scope is across_channels or per_channel; anything else is refused by name."""
        with pytest.raises(ValueError, match=f"{field} must be one of"):
            OutreachPolicy(**{field: "per_invoice"})

    def test_negative_gap_refused(self) -> None:
        """A negative minimum gap makes no sense and is refused, naming the field."""
        with pytest.raises(ValueError, match="min_gap_per_partner"):
            OutreachPolicy(min_gap_per_partner=-dt.timedelta(hours=1))

    def test_negative_grace_refused(self) -> None:
        """Grace days are a whole number of days, at least zero."""
        with pytest.raises(ValueError, match="promise_grace_days"):
            OutreachPolicy(promise_grace_days=-1)

    def test_unknown_default_zone_refused(self) -> None:
        """The fallback zone must be a known IANA name."""
        with pytest.raises(UnknownTimeZone):
            OutreachPolicy(default_timezone="Europe/Atlantis")

    def test_negative_first_reminder_offset_allowed(self) -> None:
        """Reminders may start before the due day; the offset is whole days."""
        assert -5 == OutreachPolicy(first_reminder_offset_days=-5).first_reminder_offset_days
        with pytest.raises(TypeError, match="first_reminder_offset_days"):
            OutreachPolicy(first_reminder_offset_days=1.5)  # type: ignore[arg-type]


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


class TestPartnerFigures:
    def invoices(self) -> list:  # type: ignore[type-arg]
        return [
            inv_2024_0042(),  # 80.00 EUR, due 1 July
            inv_2024_0042(id="inv_2024_0050", number="INV-2024-0050", due_date=utc(2024, 8, 1)),
            inv_2024_0042(
                id="inv_2024_0051",
                currency="USD",
                amount_due=Money(5_000, "USD"),
                total_amount=Money(5_000, "USD"),
                amount_paid=None,
                due_date=utc(2024, 6, 15),
            ),
            inv_2024_0042(
                id="cn_2024_0007", number="CN-2024-0007", amount_due=Money(-2_000, "EUR")
            ),
            inv_2024_0042(id="inv_2024_0052", voided_at=utc(2024, 6, 2)),
            inv_2024_0042(id="inv_2024_0099", partner_id="ptn_globex"),
        ]

    def test_open_invoices_oldest_due_first(self) -> None:
        """Owed, issued, not void: oldest due first; credits and other partners left out."""
        ids = [i.id for i in open_invoices(self.invoices(), "ptn_acme")]
        assert ["inv_2024_0051", "inv_2024_0042", "inv_2024_0050"] == ids

    def test_balance_per_currency_net_of_credits(self) -> None:
        """140.00 EUR owed less a 20.00 EUR credit, and 50.00 USD, never mixed."""
        assert MoneyBag.of([Money(14_000, "EUR"), Money(5_000, "USD")]) == balance(
            self.invoices(), "ptn_acme"
        )

    def test_total_overdue_at_an_instant(self) -> None:
        """On 3 July the June and 1 July invoices are overdue, the August one is not."""
        expected = MoneyBag.of([Money(8_000, "EUR"), Money(5_000, "USD")])
        assert expected == total_overdue(self.invoices(), utc(2024, 7, 3), "ptn_acme")

    def test_figures_record(self) -> None:
        """The figures for Acme at an instant, as one row."""
        figures = partner_figures(acme(), self.invoices(), utc(2024, 7, 3))
        assert {
            "partner_id": "ptn_acme",
            "at": "2024-07-03T00:00:00+00:00",
            "num_open_invoices": 3,
            "balance": "140.00 EUR, 50.00 USD",
            "total_overdue": "80.00 EUR, 50.00 USD",
        } == figures.as_record()

    def test_naive_instant_refused(self) -> None:
        """Overdue needs an instant, not a naive clock reading."""
        with pytest.raises(NaiveDatetime):
            total_overdue(self.invoices(), dt.datetime(2024, 7, 3))
