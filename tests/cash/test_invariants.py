"""Specifications of the cash invariants: every violation, with a stable code."""

from __future__ import annotations

import attrs

from cash_builders import invoice, transaction
from stuut_domain.cash import (
    CASH_RULES,
    Remittance,
    RemittanceLine,
    check_bank_transaction,
    check_remittance,
)
from stuut_domain.money import Money


def usd(units: int) -> Money:
    return Money(units, "USD")


def codes(violations: tuple[object, ...]) -> list[str]:
    return [v.code for v in violations]  # type: ignore[attr-defined]


class TestBankTransaction:
    def test_a_conserving_transaction_breaks_nothing(self) -> None:
        tx = attrs.evolve(
            transaction(10000),
            total_allocated=usd(7000),
            amount_handled_outside=usd(1000),
            handled_outside_reason="bank fee",
            has_on_account=True,
        )
        assert check_bank_transaction(tx) == ()

    def test_every_broken_rule_is_reported_at_once(self) -> None:
        tx = attrs.evolve(
            transaction(10000),
            total_allocated=usd(9000),
            amount_handled_outside=usd(2000),
            has_on_account=True,
            is_payment=False,
        )
        assert codes(check_bank_transaction(tx)) == [
            "transaction_overallocated",
            "on_account_flag",
            "handled_outside_reason_missing",
            "non_payment_allocated",
        ]

    def test_negative_parts_and_a_missing_amount(self) -> None:
        tx = attrs.evolve(
            transaction(1), amount=None, total_allocated=usd(5), amount_handled_outside=usd(-1)
        )
        assert codes(check_bank_transaction(tx)) == [
            "transaction_amount_missing",
            "transaction_amount_negative_part",
        ]

    def test_every_code_is_in_the_catalogue(self) -> None:
        assert {"transaction_overallocated", "remittance_lines_sum"} <= set(CASH_RULES)


class TestRemittance:
    def test_lines_that_sum_to_the_transaction_break_nothing(self) -> None:
        rem = Remittance(
            currency="USD",
            allocations=(
                RemittanceLine(invoice_number="INV-1", amount_paid=usd(600)),
                RemittanceLine(invoice_number="INV-2", amount_paid=usd(400)),
            ),
        )
        assert check_remittance(rem, transaction=transaction(1000)) == ()

    def test_lines_that_do_not_sum_are_reported(self) -> None:
        rem = Remittance(
            currency="USD",
            transaction_amount=usd(1000),
            allocations=(RemittanceLine(amount_paid=usd(600)),),
        )
        (found,) = check_remittance(rem)
        assert found.code == "remittance_lines_sum"
        assert found.values["lines_paid"] == usd(600)

    def test_a_line_never_settles_more_than_is_open(self) -> None:
        inv = invoice("inv_1", 1000, number="INV-1")
        rem = Remittance(
            currency="USD",
            allocations=(
                RemittanceLine(invoice_id="inv_1", amount_paid=usd(1000), amount_discount=usd(20)),
                RemittanceLine(invoice_number="INV-9", amount_withheld=usd(-5)),
            ),
        )
        assert codes(check_remittance(rem, transaction=transaction(1000), invoices=[inv])) == [
            "remittance_line_exceeds_open",
            "remittance_line_negative",
        ]

    def test_a_remittance_in_another_currency(self) -> None:
        rem = Remittance(currency="EUR")
        assert codes(check_remittance(rem, transaction=transaction(1))) == ["remittance_currency"]
