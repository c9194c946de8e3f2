"""Payment allocation: proposals by a named rule, approval, posting once, refunds, and the
exchange and balance arithmetic that keeps a payment's money conserved.

``proposals`` allocates a payment across invoices (explicit, oldest due first, proportional)
and posts the result once per allocation id; ``exchange`` turns invoice-currency amounts into
payment money through ``currency_rate`` (ADR 0012); ``balance`` says what a payment has left
(unapplied credit); ``refund`` reverses allocations by a named rule (ADR 0011).
"""

from __future__ import annotations

from stuut_domain.allocation.balance import (
    allocated_by_currency,
    allocated_cost,
    unapplied_credit,
)
from stuut_domain.allocation.exchange import (
    invoice_amount,
    payment_cost,
    rate_to,
)
from stuut_domain.allocation.proposals import (
    AllocationLine,
    AllocationResult,
    AllocationRule,
    ApprovalPolicy,
    Skipped,
    allocate_payment,
    apply_result,
    approve_allocations,
    oldest_due_order,
    withdraw_allocation,
)
from stuut_domain.allocation.refund import (
    RefundResult,
    RefundRule,
    Reversal,
    refund_payment,
)

__all__ = [
    "AllocationLine",
    "AllocationResult",
    "AllocationRule",
    "ApprovalPolicy",
    "RefundResult",
    "RefundRule",
    "Reversal",
    "Skipped",
    "allocate_payment",
    "allocated_by_currency",
    "allocated_cost",
    "apply_result",
    "approve_allocations",
    "invoice_amount",
    "oldest_due_order",
    "payment_cost",
    "rate_to",
    "refund_payment",
    "unapplied_credit",
    "withdraw_allocation",
]
