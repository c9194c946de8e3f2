"""Specifications of the aggregates: Partner, Payment, PaymentAllocation, LineItem, Invoice."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stuut_domain.address import Address, ContactAddress
from stuut_domain.errors import CurrencyMismatch, UnknownCurrency, UnknownTimeZone
from stuut_domain.invoice import Invoice, LineItem
from stuut_domain.money import CURRENCY_CODES, Money
from stuut_domain.partner import (
    ApPortal,
    ApPortalAccount,
    Contact,
    Partner,
    PartnerTag,
    Tag,
    partners_by_id,
)
from stuut_domain.payment import AllocatedInvoice, Payment, PaymentAllocation

UTC = dt.UTC
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
ISSUED = dt.datetime(2024, 6, 1, 9, 0, tzinfo=BERLIN)
DUE = dt.datetime(2024, 7, 1, 0, 0, tzinfo=UTC)
NAIVE = dt.datetime(2024, 7, 1, 0, 0)  # the value under test


def acme(**overrides: Any) -> Partner:
    values: dict[str, Any] = {
        "id": "ptn_acme",
        "name": "Acme Tooling GmbH",
        "legal_name": "Acme Tooling GmbH",
        "currency": "EUR",
        "timezone": "Europe/Berlin",
        "is_company": True,
        "billing_address": Address(object="address", city="Stuttgart", country="DE"),
        "contacts": (
            Contact(
                email="ap@acme-tooling.de",
                object="contact",
                partner_id="ptn_acme",
                id="con_anna",
                given_name="Anna",
                family_name="Becker",
                external_role="billing_contact",
                is_primary_email=True,
                addresses=(ContactAddress(object="contact_address", city="Stuttgart"),),
            ),
        ),
        "ap_portals": (
            ApPortal(
                object="ap_portal",
                partner_id="ptn_acme",
                provider="coupa",
                account=ApPortalAccount(
                    object="account", organization_id="org_1", provider="coupa"
                ),
                is_enabled=True,
            ),
        ),
        "tags": (
            PartnerTag(
                object="partner_tag",
                partner_id="ptn_acme",
                tag_id="tag_key",
                tag=Tag(name="Key account", object="tag", id="tag_key"),
            ),
        ),
        "invoice_balance": Money(1_234_550, "EUR"),
        "total_overdue": Money(250_000, "EUR"),
        "num_open_invoices": 3,
        "type": "customer",
    }
    values.update(overrides)
    return Partner(**values)


def inv_2024_0042(**overrides: Any) -> Invoice:
    values: dict[str, Any] = {
        "amount_due": Money(80_000, "EUR"),
        "currency": "EUR",
        "object": "invoice",
        "remote_id": "erp-42",
        "total_amount": Money(119_000, "EUR"),
        "id": "inv_2024_0042",
        "number": "INV-2024-0042",
        "partner_id": "ptn_acme",
        "amount_paid": Money(39_000, "EUR"),
        "subtotal": Money(100_000, "EUR"),
        "total_discount": Money(0, "EUR"),
        "total_tax": Money(19_000, "EUR"),
        "issued_at": ISSUED,
        "due_date": DUE,
        "promised_to_pay_date": dt.date(2024, 7, 15),
        "sync_status": "synced",
        "type": "receivable",
        "last_outreach_channel": "email",
        "status": {"state": "open"},
    }
    values.update(overrides)
    return Invoice(**values)


class TestPartner:
    def test_builds_with_contacts_portals_and_tags(self) -> None:
        """A partner carries its contacts, AP portals and tags as immutable tuples."""
        partner = acme()
        assert ("ap@acme-tooling.de",) == tuple(c.email for c in partner.contacts)
        assert "coupa" == partner.ap_portals[0].provider
        assert "Key account" == partner.tags[0].tag.name  # type: ignore[union-attr]

    def test_balance_must_be_in_partner_currency(self) -> None:
        """A partner's open balance in another currency than the partner's is refused."""
        with pytest.raises(CurrencyMismatch, match="invoice_balance") as caught:
            acme(invoice_balance=Money(100, "USD"))
        assert ("USD", "EUR") == (caught.value.left, caught.value.right)

    def test_unknown_currency_refused(self) -> None:
        """A partner currency outside the API's list is refused."""
        with pytest.raises(UnknownCurrency):
            acme(currency="EUX", invoice_balance=None, total_overdue=None)

    def test_zone_from_timezone(self) -> None:
        """The partner's time zone is available as a ZoneInfo for local outreach windows."""
        assert BERLIN == acme().zone

    def test_zone_none_when_absent_and_an_error_when_unknown(self) -> None:
        """An absent time zone gives no zone; an unknown name loads but raises when used."""
        assert None is acme(timezone=None).zone
        partner = acme(timezone="Mars/Olympus_Mons")
        assert "Mars/Olympus_Mons" == partner.timezone
        with pytest.raises(UnknownTimeZone):
            _ = partner.zone

    def test_naive_datetime_refused(self) -> None:
        """A naive last-inbound time is ambiguous and refused."""
        with pytest.raises(ValueError, match="last_inbound_at"):
            acme(last_inbound_at=NAIVE)

    def test_repr_is_short(self) -> None:
        """The repr names the partner and its balances, not the nested contacts."""
        expected = (
            "Partner(id='ptn_acme', name='Acme Tooling GmbH', currency='EUR', "
            "invoice_balance=12345.50 EUR, total_overdue=2500.00 EUR)"
        )
        assert expected == repr(acme())


class TestPayment:
    def jpy_payment(self, **overrides: Any) -> Payment:
        values: dict[str, Any] = {
            "id": "pay_7",
            "partner_id": "ptn_acme",
            "amount": Money(150_000, "JPY"),
            "amount_refunded": Money(0, "JPY"),
            "currency": "JPY",
            "currency_rate": Decimal("0.0061"),
            "status": "pending_match",
            "payment_method": "ach",
            "timestamp": dt.datetime(2024, 7, 2, 14, 30, tzinfo=UTC),
        }
        values.update(overrides)
        return Payment(**values)

    def test_currency_rate_kept_exact(self) -> None:
        """The rate is kept exactly as sent: one JPY buys 0.0061 of the invoice currency."""
        assert Decimal("0.0061") == self.jpy_payment().currency_rate

    def test_amount_in_payment_currency(self) -> None:
        """A payment amount in another currency than the payment's is refused."""
        with pytest.raises(CurrencyMismatch, match=r"Payment\.amount"):
            self.jpy_payment(amount=Money(1000, "EUR"))

    def test_naive_timestamp_refused(self) -> None:
        """A naive payment time is refused."""
        with pytest.raises(ValueError, match="timestamp"):
            self.jpy_payment(timestamp=NAIVE)

    def test_allocations_in_invoice_currency(self) -> None:
        """A JPY payment may settle an EUR invoice: each allocation is in the invoice's currency."""
        allocation = PaymentAllocation(
            amount=Money(91_500, "EUR"),
            invoice_id="inv_2024_0042",
            object="payment_allocation",
            payment_id="pay_7",
            strategy="automatic",
            invoice=AllocatedInvoice(
                amount_due=Money(80_000, "EUR"), currency="EUR", id="inv_2024_0042"
            ),
        )
        payment = self.jpy_payment(allocations=(allocation,))
        assert Money(91_500, "EUR") == payment.allocations[0].amount

    def test_repr_is_short(self) -> None:
        """The repr shows id, partner, amount and status; a zero refund is left out."""
        expected = (
            "Payment(id='pay_7', partner_id='ptn_acme', amount=150000 JPY, "
            "status='pending_match', timestamp=2024-07-02)"
        )
        assert expected == repr(self.jpy_payment())


class TestPaymentAllocation:
    def bhd_allocation(self, **overrides: Any) -> PaymentAllocation:
        values: dict[str, Any] = {
            "amount": Money(12_345, "BHD"),
            "invoice_id": "inv_bh_9",
            "object": "payment_allocation",
            "payment_id": "pay_8",
            "strategy": "automatic",
            "approved": True,
            "approved_at": dt.datetime(2024, 7, 3, 8, 0, tzinfo=UTC),
            "invoice": AllocatedInvoice(
                amount_due=Money(20_000, "BHD"),
                currency="BHD",
                id="inv_bh_9",
                amount_paid=Money(12_345, "BHD"),
                due_date=DUE,
                number="BH-9",
            ),
        }
        values.update(overrides)
        return PaymentAllocation(**values)

    def test_amount_keeps_three_decimals(self) -> None:
        """BHD has three decimals: 12345 minor units are 12.345 BHD."""
        assert "12.345 BHD" == str(self.bhd_allocation().amount)

    def test_amount_in_embedded_invoice_currency(self) -> None:
        """An allocation amount in another currency than its embedded invoice's is refused."""
        with pytest.raises(CurrencyMismatch, match=r"PaymentAllocation\.amount"):
            self.bhd_allocation(amount=Money(12_345, "USD"))

    def test_without_embedded_invoice_any_currency_loads(self) -> None:
        """Inside invoice.payments[] there is no embedded invoice to compare with."""
        allocation = self.bhd_allocation(invoice=None, payment=Payment(id="pay_8", currency="USD"))
        assert "pay_8" == allocation.payment.id  # type: ignore[union-attr]

    def test_embedded_invoice_amounts_in_its_currency(self) -> None:
        """The short invoice's amounts must be in its own currency."""
        with pytest.raises(CurrencyMismatch, match=r"AllocatedInvoice\.amount_paid"):
            AllocatedInvoice(
                amount_due=Money(1, "BHD"), currency="BHD", amount_paid=Money(1, "KWD")
            )

    def test_naive_approval_refused(self) -> None:
        """A naive approval time is refused."""
        with pytest.raises(ValueError, match="approved_at"):
            self.bhd_allocation(approved_at=NAIVE)


class TestLineItem:
    def jpy_line(self, **overrides: Any) -> LineItem:
        values: dict[str, Any] = {
            "invoice_id": "inv_jp_3",
            "object": "line_item",
            "remote_id": "erp-line-1",
            "currency": "JPY",
            "line_number": 1,
            "name": "Carbide end mill 6 mm",
            "quantity": Decimal("2.5"),
            "unit_amount": Money(4_000, "JPY"),
            "total_amount": Money(10_000, "JPY"),
            "period_start_date": dt.datetime(2024, 6, 1, tzinfo=UTC),
        }
        values.update(overrides)
        return LineItem(**values)

    def test_quantity_exact(self) -> None:
        """A fractional quantity stays an exact Decimal."""
        assert Decimal("2.5") == self.jpy_line().quantity

    def test_amounts_in_line_currency(self) -> None:
        """A line amount in another currency than the line's is refused, naming the field."""
        with pytest.raises(CurrencyMismatch, match=r"LineItem\.unit_amount"):
            self.jpy_line(unit_amount=Money(4_000, "EUR"))

    def test_naive_period_refused(self) -> None:
        """Line periods are instants; a naive one is refused."""
        with pytest.raises(ValueError, match="period_start_date"):
            self.jpy_line(period_start_date=NAIVE)


class TestInvoice:
    def test_builds_with_nested_partner_and_payments(self) -> None:
        """An invoice embeds its partner, line items and allocations with their payments."""
        payment = Payment(id="pay_9", currency="EUR", amount=Money(39_000, "EUR"))
        invoice = inv_2024_0042(
            partner=acme(),
            line_items=(
                LineItem(
                    invoice_id="inv_2024_0042",
                    object="line_item",
                    remote_id="erp-42-1",
                    currency="EUR",
                    total_amount=Money(100_000, "EUR"),
                ),
            ),
            payments=(
                PaymentAllocation(
                    amount=Money(39_000, "EUR"),
                    invoice_id="inv_2024_0042",
                    object="payment_allocation",
                    payment_id="pay_9",
                    strategy="automatic",
                    payment=payment,
                ),
            ),
        )
        assert "Acme Tooling GmbH" == invoice.partner.name  # type: ignore[union-attr]
        assert payment == invoice.payments[0].payment

    @pytest.mark.parametrize(
        "field",
        ["amount_due", "total_amount", "amount_paid", "subtotal", "total_discount", "total_tax"],
    )
    def test_amounts_in_invoice_currency(self, field: str) -> None:
        """Every invoice amount in another currency is refused with the field's name."""
        with pytest.raises(CurrencyMismatch, match=rf"Invoice\.{field}") as caught:
            inv_2024_0042(**{field: Money(100, "JPY")})
        assert ("JPY", "EUR") == (caught.value.left, caught.value.right)

    def test_amount_must_be_money(self) -> None:
        """A bare integer is not an amount: the currency would be implicit."""
        with pytest.raises(TypeError, match="amount_due"):
            inv_2024_0042(amount_due=80_000)

    def test_business_invariants_not_enforced(self) -> None:
        """Remote data breaking amount_due = total - paid still loads (the checker reports it)."""
        invoice = inv_2024_0042(amount_due=Money(1, "EUR"))
        assert Money(1, "EUR") == invoice.amount_due

    def test_naive_due_date_refused(self) -> None:
        """A naive due date is ambiguous and refused."""
        with pytest.raises(ValueError, match="due_date"):
            inv_2024_0042(due_date=NAIVE)

    def test_promised_to_pay_is_a_date(self) -> None:
        """The promise to pay is a calendar date."""
        assert dt.date(2024, 7, 15) == inv_2024_0042().promised_to_pay_date

    def test_money_in_invoice_currency(self) -> None:
        """Invoice.money makes an amount in the invoice's currency."""
        assert Money(1_050, "EUR") == inv_2024_0042().money(1_050)

    def test_amount_paid_or_zero(self) -> None:
        """Without amount_paid the paid amount is zero in the invoice's currency."""
        assert Money(0, "EUR") == inv_2024_0042(amount_paid=None).amount_paid_or_zero
        assert Money(39_000, "EUR") == inv_2024_0042().amount_paid_or_zero

    def test_evolve_reruns_validators(self) -> None:
        """attrs.evolve validates again: changing only the currency is refused."""
        with pytest.raises(CurrencyMismatch, match="amount_due"):
            attrs.evolve(inv_2024_0042(), currency="USD")
        with pytest.raises(ValueError, match="paid_at"):
            attrs.evolve(inv_2024_0042(), paid_at=NAIVE)

    def test_repr_is_short(self) -> None:
        """The repr shows id, number, partner, amounts and due date, not the nested tree."""
        invoice = inv_2024_0042(partner=acme())
        expected = (
            "Invoice(id='inv_2024_0042', number='INV-2024-0042', partner_id='ptn_acme', "
            "total_amount=1190.00 EUR, amount_paid=390.00 EUR, amount_due=800.00 EUR, "
            "due_date=2024-07-01)"
        )
        assert expected == repr(invoice)

    def test_frozen(self) -> None:
        """An invoice is a value: changing it in place is refused."""
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            inv_2024_0042().memo = "changed"  # type: ignore[misc]

    @given(
        amount_code=st.sampled_from(CURRENCY_CODES),
        invoice_code=st.sampled_from(CURRENCY_CODES),
    )
    def test_currency_rule_property(self, amount_code: str, invoice_code: str) -> None:
        """An invoice loads iff its amounts are in its own currency."""

        def build() -> Invoice:
            return Invoice(
                amount_due=Money(5, amount_code),
                currency=invoice_code,
                object="invoice",
                remote_id="erp-1",
                total_amount=Money(5, invoice_code),
            )

        if amount_code == invoice_code:
            assert Money(5, invoice_code) == build().amount_due
        else:
            with pytest.raises(CurrencyMismatch):
                build()


class TestNaiveDatetimesEverywhere:
    def test_every_entity_refuses_a_naive_instant_with_the_same_typed_error(self) -> None:
        """A naive datetime raises NaiveDatetime naming the field, on any entity."""
        import datetime as dt

        from stuut_domain.errors import NaiveDatetime
        from stuut_domain.workflow import Workflow

        with pytest.raises(NaiveDatetime) as caught:
            Workflow(created_at=dt.datetime(2026, 11, 26, 9, 0))
        assert "created_at" == caught.value.field


class TestPartnersById:
    def test_every_way_of_holding_partners_reads_by_id(self) -> None:
        """A list, a mapping or nothing; a partner without an id is left out."""
        acme = Partner(id="prt_acme", object="partner")
        anonymous = Partner(id=None, object="partner")
        assert (
            {"prt_acme": acme},
            {"custom": acme},
            {},
        ) == (
            partners_by_id([acme, anonymous]),
            partners_by_id({"custom": acme}),
            partners_by_id(None),
        )
