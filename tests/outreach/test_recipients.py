"""Specifications of recipient choice: who outreach writes to or calls, and why."""

from __future__ import annotations

import pytest

from outreach_builders import acme, anna, bruno
from stuut_domain.outreach.recipients import choose_recipients, is_valid_email, is_valid_phone


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
