"""What a payment has left, and the checks that its money is conserved.

A payment's money is always exactly accounted for, in the payment's currency::

    amount == allocated (pending and approved, at cost) + amount_refunded + unapplied credit

where an allocation's cost is :func:`~stuut_domain.allocation.exchange.payment_cost` of its
invoice-currency amount (``ceil(amount / rate)``). Unapplied credit is derived, never stored:
it is what is left. :func:`stuut_domain.invariants.check_payment` reports every broken rule.
"""

from __future__ import annotations

from stuut_domain.allocation.exchange import payment_cost
from stuut_domain.errors import InvalidAllocation
from stuut_domain.money import Money, MoneyBag
from stuut_domain.payment import Payment

__all__ = [
    "allocated_by_currency",
    "allocated_cost",
    "unapplied_credit",
]


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
