"""Customer credit: a source the allocation engine spends exactly like a payment."""

from __future__ import annotations

from typing import Any

import pytest

from owed_builders import days, invoice, note, usd
from stuut_domain.allocation import AllocationRule, ApprovalPolicy, apply_result
from stuut_domain.errors import InvalidAllocation, OwedRefused
from stuut_domain.money import MoneyBag
from stuut_domain.owed import (
    CreditSource,
    CustomerCredit,
    PostPaymentSplit,
    apply_credit_note,
    as_payment,
    available_credit,
    credit_from_negative_invoice,
    negative_invoice_credit,
    spend_credit,
    unspend_credit,
)


def credit(units: int = 1_500, **overrides: Any) -> CustomerCredit:
    values: dict[str, Any] = {
        "id": "credit_1",
        "currency": "USD",
        "amount": usd(units),
        "created_at": days(2),
        "partner_id": "ptn_acme",
    }
    values.update(overrides)
    return CustomerCredit(**values)


class TestSpending:
    def test_oldest_due_first_spends_credit_and_leaves_the_rest_unapplied(self) -> None:
        older = invoice(1_000, invoice_id="inv_a", due_date=days(10))
        newer = invoice(2_000, invoice_id="inv_b", due_date=days(20))
        spent = spend_credit(
            credit(),
            [newer, older],
            rule=AllocationRule.OLDEST_DUE_FIRST,
            at=days(3),
            confidence=1.0,
            approval=ApprovalPolicy(threshold=0.9),
        )
        assert spent.result.amount_for("inv_a") == usd(1_000)
        assert spent.result.amount_for("inv_b") == usd(500)
        assert spent.result.unapplied == usd(0)
        after_a, after_b = apply_result(spent.result, [older, newer], at=days(3))
        assert (after_a.amount_due, after_b.amount_due) == (usd(0), usd(1_500))
        assert available_credit([spent.credit]) == MoneyBag()

    def test_the_engines_apply_once_ids_hold_for_credit_too(self) -> None:
        inv = invoice(1_000)
        spent = spend_credit(
            credit(400),
            [inv],
            rule=AllocationRule.EXPLICIT,
            at=days(3),
            amounts={"inv_1": usd(400)},
        )
        once = apply_result(spent.result, [inv], at=days(3))
        twice = apply_result(spent.result, once, at=days(3))
        assert once == twice
        assert once[0].amount_due == usd(600)

    def test_the_engines_rules_refuse_as_for_a_payment(self) -> None:
        with pytest.raises(InvalidAllocation, match="exceeds_payment"):
            spend_credit(
                credit(100),
                [invoice(1_000)],
                rule=AllocationRule.EXPLICIT,
                at=days(3),
                amounts={"inv_1": usd(200)},
            )

    def test_a_void_credit_is_not_spent(self) -> None:
        with pytest.raises(OwedRefused, match=r"^\[credit_void\]"):
            spend_credit(
                credit(voided_at=days(2)), [invoice()], rule=AllocationRule.PROPORTIONAL, at=days(3)
            )

    def test_withdrawing_gives_the_credit_back(self) -> None:
        inv = invoice(1_000)
        spent = spend_credit(
            credit(400),
            [inv],
            rule=AllocationRule.EXPLICIT,
            at=days(3),
            amounts={"inv_1": usd(400)},
        )
        (applied,) = apply_result(spent.result, [inv], at=days(3))
        allocation_id = spent.result.lines[0].allocation.id
        assert allocation_id is not None
        back, restored = unspend_credit(spent.credit, applied, allocation_id)
        assert restored == inv
        assert available_credit([back]) == MoneyBag.of([usd(400)])

    def test_the_credit_shows_as_a_customer_credit_payment(self) -> None:
        payment = as_payment(credit())
        assert (payment.payment_method, payment.amount, payment.id) == (
            "customer_credit",
            usd(1_500),
            "credit_1",
        )


class TestWhereCreditComesFrom:
    def test_a_credit_notes_customer_credit_part_is_spendable(self) -> None:
        split = PostPaymentSplit.of("USD", customer_credit=1_500)
        applied = apply_credit_note(
            invoice(paid=6_000), note(5_500), disposition=split, at=days(2), earlier=()
        )
        assert applied.customer_credit is not None
        assert available_credit([applied.customer_credit], "ptn_acme") == MoneyBag.of([usd(1_500)])
        assert available_credit([applied.customer_credit], "ptn_other") == MoneyBag()

    def test_a_negative_invoice_reads_as_credit_never_as_negative_amount_due(self) -> None:
        negative = invoice(-2_500, invoice_id="inv_neg")
        assert negative_invoice_credit(negative) == usd(2_500)
        made = credit_from_negative_invoice(negative, credit_id="credit_neg", at=days(1))
        assert (made.amount, made.source, made.source_id) == (
            usd(2_500),
            CreditSource.NEGATIVE_INVOICE,
            "inv_neg",
        )
        with pytest.raises(OwedRefused, match=r"^\[invoice_not_negative\]"):
            credit_from_negative_invoice(invoice(), credit_id="x", at=days(1))

    def test_a_credit_is_above_zero(self) -> None:
        with pytest.raises(OwedRefused, match=r"^\[credit_not_positive\]"):
            credit(0)

    def test_the_source_is_one_of_its_values(self) -> None:
        """``"manual"`` becomes the member; any other text is refused naming the field (it
        once stayed a bare string, which a status read with ``is`` never matches)."""
        assert credit(source="credit_note").source is CreditSource.CREDIT_NOTE
        with pytest.raises(OwedRefused) as caught:
            credit(source="invoice")
        assert (caught.value.code, caught.value.path) == ("credit_source", "source")
