"""Refunding part of a payment: which allocations give the money back, by a named rule.

A refund of ``amount`` (payment currency) raises the payment's ``amount_refunded`` and takes
the money back in this order (ADR 0011):

1. the payment's **unapplied credit** first: money no invoice received goes back without
   reopening anything;
2. then **pending** allocations, newest first: they never reduced an invoice's ``amount_due``;
3. then **approved** allocations by the :class:`RefundRule`: ``newest_first`` (the
   allocations made last give back first, each in full before the next) or ``pro_rata`` (the
   rest split over every approved allocation in proportion to its cost, with
   :func:`stuut_domain.money.allocate`'s largest remainder rule).

Each reversed allocation is reduced or removed on the payment and un-applied on its invoice
(:func:`stuut_domain.lifecycle.unapply_allocation`), which reopens a paid invoice and clears
``paid_at``; ``amount_paid`` never goes negative. Foreign-currency allocations shrink to what
their remaining cost buys (:func:`stuut_domain.allocation.exchange.invoice_amount`);
any payment unit that
no longer buys a whole invoice unit becomes unapplied credit. Money is conserved.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

import attrs

from stuut_domain.allocation.balance import unapplied_credit
from stuut_domain.allocation.exchange import invoice_amount, payment_cost
from stuut_domain.display import compact
from stuut_domain.errors import InvalidAllocation
from stuut_domain.invoice import Invoice
from stuut_domain.lifecycle import is_approved, unapply_allocation
from stuut_domain.money import Money, allocate
from stuut_domain.payment import Payment, PaymentAllocation

__all__ = ["RefundResult", "RefundRule", "Reversal", "refund_payment"]


class RefundRule(enum.StrEnum):
    """Which approved allocations give money back when unapplied credit is not enough.

    ``newest_first``: the latest allocation on the payment first, in full, then the one
    before it. ``pro_rata``: every approved allocation in proportion to its cost.
    """

    NEWEST_FIRST = "newest_first"
    PRO_RATA = "pro_rata"


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Reversal:
    """Money one allocation gave back: ``taken`` off the invoice, ``freed`` for the payment."""

    allocation_id: str
    invoice_id: str
    taken: Money
    freed: Money
    removed: bool
    reason: str


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class RefundResult:
    """The payment and invoices after a refund, and which allocations gave the money back.

    ``from_unapplied`` is the part of the refund taken from unapplied credit; ``unapplied`` is
    the payment's unapplied credit afterwards.
    """

    rule: RefundRule
    payment: Payment
    invoices: tuple[Invoice, ...]
    reversals: tuple[Reversal, ...]
    from_unapplied: Money
    unapplied: Money

    @property
    def explanation(self) -> tuple[str, ...]:
        """One sentence per source of the refunded money."""
        lines = [f"{self.from_unapplied} refunded from unapplied credit"]
        for r in self.reversals:
            what = "removed" if r.removed else "reduced"
            lines.append(
                f"allocation {r.allocation_id} on {r.invoice_id} {what} by {r.taken} "
                f"({r.reason}), freeing {r.freed}"
            )
        lines.append(f"unapplied credit afterwards: {self.unapplied}")
        return tuple(lines)


def _reverse(
    payment: Payment, allocation: PaymentAllocation, wanted: Money, reason: str
) -> tuple[PaymentAllocation | None, Reversal]:
    """Free at least ``wanted`` (payment currency, at most the cost) from one allocation."""
    cost = payment_cost(payment, allocation.amount)
    if wanted >= cost:
        kept = Money.zero(allocation.amount.code)
    else:
        kept = min(
            allocation.amount, invoice_amount(payment, cost - wanted, allocation.amount.code)
        )
    freed = cost - payment_cost(payment, kept)
    new = attrs.evolve(allocation, amount=kept) if kept else None
    return new, Reversal(
        allocation_id=str(allocation.id),
        invoice_id=allocation.invoice_id,
        taken=allocation.amount - kept,
        freed=freed,
        removed=new is None,
        reason=reason,
    )


def _plan(payment: Payment, rest: Money, rule: RefundRule) -> dict[str, tuple[Money, str]]:
    """How much payment money each allocation must free, and why, by allocation id."""
    plan: dict[str, tuple[Money, str]] = {}
    pending = [a for a in reversed(payment.allocations) if not is_approved(a)]
    approved = [a for a in payment.allocations if is_approved(a)]
    for allocation in pending:
        if not rest.is_positive():
            return plan
        wanted = min(rest, payment_cost(payment, allocation.amount))
        plan[str(allocation.id)] = (wanted, "pending, newest first")
        rest -= wanted
    if not rest.is_positive() or not approved:
        return plan
    costs = [payment_cost(payment, a.amount) for a in approved]
    if rule is RefundRule.PRO_RATA:
        shares = allocate(rest, [c.minor_units for c in costs])
        for allocation, share in zip(approved, shares, strict=True):
            if share.is_positive():
                plan[str(allocation.id)] = (share, "approved, pro rata")
        return plan
    for allocation, cost in reversed(list(zip(approved, costs, strict=True))):
        if not rest.is_positive():
            break
        wanted = min(rest, cost)
        plan[str(allocation.id)] = (wanted, "approved, newest first")
        rest -= wanted
    return plan


def refund_payment(
    payment: Payment,
    invoices: Sequence[Invoice],
    amount: Money,
    *,
    rule: RefundRule,
) -> RefundResult:
    """Refund ``amount`` of the payment, reversing allocations by ``rule`` (see module doc).

    ``invoices`` must include every invoice whose allocation is reversed
    (``invoice_missing`` otherwise); they come back in the order given. Refused
    (:class:`~stuut_domain.errors.InvalidAllocation`): an amount that is not in the payment's
    currency or not above zero (``refund_amount``), or above what is left to refund
    (``refund_exceeds_payment``).
    """
    refunded = _check_refund(payment, amount)
    unapplied = unapplied_credit(payment)
    from_unapplied = max(min(amount, unapplied), Money(0, amount.code))
    plan = _plan(payment, amount - from_unapplied, rule)
    by_id = {inv.id: inv for inv in invoices}
    reversals: list[Reversal] = []
    allocations: list[PaymentAllocation] = []
    for allocation in payment.allocations:
        planned = plan.get(str(allocation.id))
        if planned is None:
            allocations.append(allocation)
            continue
        invoice = by_id.get(allocation.invoice_id)
        if invoice is None:
            raise InvalidAllocation(
                "invoice_missing",
                f"allocation {allocation.id!r} is for invoice {allocation.invoice_id!r}, "
                "which was not given",
                invoice_id=allocation.invoice_id,
            )
        kept, reversal = _reverse(payment, allocation, *planned)
        by_id[allocation.invoice_id] = unapply_allocation(
            invoice, reversal.allocation_id, amount=reversal.taken
        )
        reversals.append(reversal)
        if kept is not None:
            allocations.append(kept)
    new_payment = attrs.evolve(
        payment, amount_refunded=refunded + amount, allocations=tuple(allocations)
    )
    return RefundResult(
        rule=rule,
        payment=new_payment,
        invoices=tuple(by_id[inv.id] for inv in invoices),
        reversals=tuple(reversals),
        from_unapplied=from_unapplied,
        unapplied=unapplied_credit(new_payment),
    )


def _check_refund(payment: Payment, amount: Money) -> Money:
    """What the payment has refunded so far, once ``amount`` is known to be refundable.

    Refused: a payment without id, amount or currency (``payment_incomplete``); an amount
    not above zero or in another currency (``refund_amount``); more than is left
    (``refund_exceeds_payment``).
    """
    if payment.amount is None or payment.currency is None or payment.id is None:
        raise InvalidAllocation(
            "payment_incomplete",
            f"payment {payment.id!r} needs an id, an amount and a currency to be refunded",
            payment_id=payment.id,
        )
    if amount.code != payment.currency or not amount.is_positive():
        raise InvalidAllocation(
            "refund_amount",
            f"a refund of payment {payment.id!r} is above zero and in {payment.currency}, "
            f"not {amount}",
            amount=amount,
        )
    refunded = payment.amount_refunded or Money(0, payment.currency)
    refundable = payment.amount - refunded
    if amount > refundable:
        raise InvalidAllocation(
            "refund_exceeds_payment",
            f"cannot refund {amount} of payment {payment.id!r}: only {refundable} is left "
            "to refund",
            amount=amount,
            refundable=refundable,
        )
    return refunded
