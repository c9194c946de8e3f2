"""Specifications of the cash entities: wire-shaped fields, Money in their currency."""

from __future__ import annotations

import attrs
import pytest

from cash_builders import AT, transaction
from stuut_domain.cash import (
    AgentExtractions,
    BankTransaction,
    Remittance,
    RemittanceLine,
)
from stuut_domain.errors import CurrencyMismatch
from stuut_domain.money import Money

#: The wire fields of stuut-api.md §6 each entity carries under the same name.
V1_FIELDS = [
    "account_id",
    "amount",
    "object",
    "posted",
    "reference_number",
    "timestamp",
    "type",
    "id",
    "account_mask",
    "authorized_at",
    "check_number",
    "counterparty_email",
    "counterparty_logo",
    "counterparty_name",
    "created_at",
    "currency",
    "currency_rate",
    "custom_fields",
    "description",
    "description_details",
    "invoice_numbers",
    "is_draft",
    "last_synced_at",
    "modified_at",
    "partner",
]
V2_FIELDS = [
    "agent_extractions",
    "agent_metrics",
    "is_agent_processing",
    "is_payment",
    "non_payment_reason",
    "total_allocated",
    "amount_handled_outside",
    "handled_outside_reason",
    "counterparty_info",
    "has_remittance",
    "has_on_account",
    "has_fx_payments",
    "has_posting_errors",
    "payout",
]
LINE_FIELDS = [
    "invoice_number",
    "object",
    "remittance_id",
    "amount_discount",
    "amount_paid",
    "amount_withheld",
    "created_at",
    "invoice",
    "invoice_id",
    "modified_at",
]


class TestWireShape:
    def test_the_bank_transaction_has_every_wire_field_in_order(self) -> None:
        """v1 fields in the docs' order, then the v2 detail's own fields."""
        names = [f.name for f in attrs.fields(BankTransaction) if not f.name.startswith("_")]
        assert names == V1_FIELDS + V2_FIELDS

    def test_a_remittance_line_has_the_remittance_allocation_fields(self) -> None:
        names = [f.name for f in attrs.fields(RemittanceLine) if not f.name.startswith("_")]
        assert names == LINE_FIELDS

    def test_entities_are_frozen_and_slotted(self) -> None:
        tx = transaction(100)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            tx.amount = Money(1, "USD")  # type: ignore[misc]
        assert not hasattr(tx, "__dict__")


class TestMoneyInItsCurrency:
    def test_an_amount_in_another_currency_is_refused(self) -> None:
        with pytest.raises(CurrencyMismatch):
            BankTransaction(id="b", amount=Money(1, "EUR"), currency="USD")

    def test_remittance_lines_must_be_in_the_remittance_currency(self) -> None:
        line = RemittanceLine(invoice_number="1", amount_paid=Money(1, "EUR"))
        with pytest.raises(CurrencyMismatch):
            Remittance(id="r", currency="USD", allocations=(line,))


class TestDerivedFacts:
    def test_on_account_is_what_is_neither_allocated_nor_handled_outside(self) -> None:
        tx = attrs.evolve(
            transaction(10000),
            total_allocated=Money(6000, "USD"),
            amount_handled_outside=Money(1000, "USD"),
        )
        assert tx.on_account == Money(3000, "USD")

    def test_on_account_is_unknown_without_an_amount(self) -> None:
        assert BankTransaction(id="b", currency="USD").on_account is None

    def test_invoice_numbers_of_bank_and_agent_each_once(self) -> None:
        tx = attrs.evolve(
            transaction(1, invoice_numbers=("INV-1", "INV-2")),
            agent_extractions=AgentExtractions(invoice_numbers=("INV-2", "INV-3")),
        )
        assert tx.all_invoice_numbers == ("INV-1", "INV-2", "INV-3")

    def test_the_payer_name_falls_back_to_the_agent_reading(self) -> None:
        tx = attrs.evolve(
            transaction(1), agent_extractions=AgentExtractions(counterparty_raw="ACME*CORP")
        )
        assert tx.payer_name == "ACME*CORP"

    def test_a_line_settles_paid_discount_and_withheld_but_pays_only_cash(self) -> None:
        line = RemittanceLine(
            amount_paid=Money(900, "USD"),
            amount_discount=Money(50, "USD"),
            amount_withheld=Money(50, "USD"),
        )
        assert line.settles("USD") == Money(1000, "USD")
        assert line.paid("USD") == Money(900, "USD")

    def test_repr_is_short(self) -> None:
        assert "btx_1" in repr(transaction(100))
        assert AT.tzinfo is not None
