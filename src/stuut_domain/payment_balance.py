"""What a payment has left, and the checks that its money is conserved.

A payment's money is always exactly accounted for, in the payment's currency::

    amount == allocated (pending and approved, at cost) + amount_refunded + unapplied credit

where an allocation's cost is :func:`stuut_domain.exchange.payment_cost` of its invoice-currency
amount (``ceil(amount / rate)``). Unapplied credit is derived, never stored: it is what is
left. :func:`check_payment` reports every broken rule, as
:func:`stuut_domain.invariants.check_invoice` does for invoices (same
:class:`~stuut_domain.invariants.Violation` records).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Final

from stuut_domain.errors import InvalidAllocation
from stuut_domain.exchange import payment_cost
from stuut_domain.invariants import Violation
from stuut_domain.money import Money, MoneyBag
from stuut_domain.payment import Payment

__all__ = [
    "PAYMENT_RULES",
    "allocated_by_currency",
    "allocated_cost",
    "check_payment",
    "unapplied_credit",
]

#: Every rule :func:`check_payment` enforces: code -> the business rule, in words.
PAYMENT_RULES: Final[Mapping[str, str]] = {
    "payment_amount_missing": "a payment with allocations or refunds states its amount",
    "refund_negative": "amount_refunded is never negative",
    "refund_exceeds_amount": "amount_refunded never exceeds the payment's amount",
    "allocation_payment_mismatch": "a payment's allocations point at that payment",
    "allocation_not_positive": "every allocation is above zero",
    "duplicate_allocation_id": "allocation ids are unique within a payment",
    "allocation_rate": "every allocation's cost can be computed (a rate for foreign invoices)",
    "overallocated": (
        "allocations at cost + amount_refunded never exceed the amount (unapplied credit >= 0)"
    ),
}


def allocated_cost(payment: Payment) -> Money:
    """The payment money its allocations (pending and approved) consume, at cost.

    Raises :class:`~stuut_domain.errors.InvalidAllocation` when a cost cannot be computed
    (a foreign-currency allocation without ``currency_rate``).
    """
    code = _currency(payment)
    return sum((payment_cost(payment, a.amount) for a in payment.allocations), Money(0, code))


def allocated_by_currency(payment: Payment) -> MoneyBag:
    """The payment's allocations summed per invoice currency (what invoices received)."""
    return MoneyBag.of(a.amount for a in payment.allocations)


def unapplied_credit(payment: Payment) -> Money:
    """The payment money not allocated and not refunded: ``amount − refunded − allocated``.

    Negative only for an over-allocated payment (which :func:`check_payment` reports).
    """
    code = _currency(payment)
    amount = payment.amount if payment.amount is not None else Money(0, code)
    refunded = payment.amount_refunded if payment.amount_refunded is not None else Money(0, code)
    return amount - refunded - allocated_cost(payment)


def _currency(payment: Payment) -> str:
    if payment.currency is None:
        raise InvalidAllocation(
            "payment_currency_missing",
            f"payment {payment.id!r} has no currency",
            payment_id=payment.id,
        )
    return payment.currency


def check_payment(payment: Payment) -> tuple[Violation, ...]:
    """Every rule the payment breaks (see :data:`PAYMENT_RULES`); empty when money balances."""
    return tuple(_payment_violations(payment))


def _payment_violations(payment: Payment) -> Iterator[Violation]:
    if payment.amount is None or payment.currency is None:
        if payment.allocations or payment.amount_refunded:
            yield Violation(
                code="payment_amount_missing",
                path="amount",
                message="the payment has allocations or refunds but no amount or currency",
                values={"allocations": len(payment.allocations)},
            )
        return
    amount = payment.amount
    refunded = payment.amount_refunded or Money(0, payment.currency)
    if refunded.is_negative():
        yield Violation(
            code="refund_negative",
            path="amount_refunded",
            message=f"amount_refunded is negative ({refunded})",
            values={"amount_refunded": refunded},
        )
    if refunded > amount:
        yield Violation(
            code="refund_exceeds_amount",
            path="amount_refunded",
            message=f"amount_refunded {refunded} exceeds the amount {amount}",
            values={"amount_refunded": refunded, "amount": amount},
        )
    counts = Counter(a.id for a in payment.allocations if a.id is not None)
    allocated = Money(0, payment.currency)
    costed = True
    for index, allocation in enumerate(payment.allocations):
        path = f"allocations[{index}]"
        if payment.id is not None and allocation.payment_id != payment.id:
            yield Violation(
                code="allocation_payment_mismatch",
                path=f"{path}.payment_id",
                message=f"allocation points at payment {allocation.payment_id!r}, "
                f"not {payment.id!r}",
                values={"payment_id": allocation.payment_id, "id": payment.id},
            )
        if allocation.id is not None and counts[allocation.id] > 1:
            yield Violation(
                code="duplicate_allocation_id",
                path=f"{path}.id",
                message=f"allocation id {allocation.id!r} appears {counts[allocation.id]} times",
                values={"id": allocation.id},
            )
        if not allocation.amount.is_positive():
            costed = False
            yield Violation(
                code="allocation_not_positive",
                path=f"{path}.amount",
                message=f"allocation is {allocation.amount}; it must be above zero",
                values={"amount": allocation.amount},
            )
            continue
        try:
            allocated += payment_cost(payment, allocation.amount)
        except InvalidAllocation as error:
            costed = False
            yield Violation(
                code="allocation_rate",
                path=f"{path}.amount",
                message=str(error),
                values={"amount": allocation.amount, "currency_rate": payment.currency_rate},
            )
    unapplied = amount - refunded - allocated
    if costed and unapplied.is_negative():
        yield Violation(
            code="overallocated",
            path="allocations",
            message=f"allocations cost {allocated} and {refunded} was refunded, "
            f"more than the amount {amount}",
            values={"allocated": allocated, "amount_refunded": refunded, "amount": amount},
        )
