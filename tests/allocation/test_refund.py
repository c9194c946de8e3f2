"""Specifications of refunds: unapplied credit first, then the allocations by a named rule."""

from __future__ import annotations

import pytest

from rules_builders import (
    AT,
    payment,
    three_invoices,
    usd,
)
from stuut_domain.allocation.proposals import (
    AllocationRule,
    ApprovalPolicy,
    allocate_payment,
    apply_result,
)
from stuut_domain.allocation.refund import RefundRule, refund_payment
from stuut_domain.errors import InvalidAllocation
from stuut_domain.invariants import check_payment
from stuut_domain.invoice import Invoice
from stuut_domain.lifecycle import InvoiceStatus, status_of
from stuut_domain.payment import Payment

R = AllocationRule


class TestRefund:
    def _paid_three(self) -> tuple[Payment, list[Invoice]]:
        invoices = three_invoices()
        result = allocate_payment(
            payment(110_000),
            invoices,
            rule=R.OLDEST_DUE_FIRST,
            at=AT,
            confidence=0.97,
            approval=ApprovalPolicy(threshold=0.9),
        )
        return result.payment, list(apply_result(result, invoices, at=AT))

    def test_unapplied_credit_is_refunded_first(self) -> None:
        """Refunding 100.00 of 100.00 unapplied touches no invoice."""
        paid_payment, invoices = self._paid_three()
        result = refund_payment(paid_payment, invoices, usd(10_000), rule=RefundRule.NEWEST_FIRST)
        assert ((), tuple(invoices), usd(10_000)) == (
            result.reversals,
            result.invoices,
            result.payment.amount_refunded,
        )

    def test_newest_first_reopens_the_last_invoice_paid(self) -> None:
        """Refunding 300.00 (100.00 unapplied) takes 200.00 back from 0043, allocated last."""
        paid_payment, invoices = self._paid_three()
        result = refund_payment(paid_payment, invoices, usd(30_000), rule=RefundRule.NEWEST_FIRST)
        by_id = {i.id: i for i in result.invoices}
        reopened = by_id["inv_2026_0043"]
        assert (InvoiceStatus.PARTIALLY_PAID, None, usd(20_000), usd(0)) == (
            status_of(reopened),
            reopened.paid_at,
            reopened.amount_due,
            result.unapplied,
        )

    def test_pro_rata_spreads_the_reversal(self) -> None:
        """Refunding 200.00 beyond unapplied takes 60.00 / 40.00 / 100.00 back pro rata."""
        paid_payment, invoices = self._paid_three()
        result = refund_payment(paid_payment, invoices, usd(30_000), rule=RefundRule.PRO_RATA)
        assert {
            "inv_2026_0041": usd(6_000),
            "inv_2026_0042": usd(4_000),
            "inv_2026_0043": usd(10_000),
        } == {r.invoice_id: r.taken for r in result.reversals}

    def test_a_full_refund_leaves_every_invoice_open_and_the_payment_balanced(self) -> None:
        """Refunding everything reopens every invoice; amount_paid is zero, never negative."""
        paid_payment, invoices = self._paid_three()
        result = refund_payment(paid_payment, invoices, usd(110_000), rule=RefundRule.PRO_RATA)
        assert (
            [usd(0)] * 3,
            [InvoiceStatus.OPEN] * 3,
            (),
        ) == (
            [i.amount_paid for i in result.invoices],
            [status_of(i) for i in result.invoices],
            check_payment(result.payment),
        )

    def test_refunding_more_than_was_paid_is_refused(self) -> None:
        """A refund above the payment's refundable amount is refused."""
        with pytest.raises(InvalidAllocation) as caught:
            refund_payment(payment(10_000), [], usd(10_001), rule=RefundRule.NEWEST_FIRST)
        assert "refund_exceeds_payment" == caught.value.code
