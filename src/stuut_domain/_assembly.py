"""Assemble invoices whose derived figures follow from their facts (private).

Generators of example data (the public hypothesis strategies and the sample-portfolio script)
choose the *facts* of an invoice, its priced lines and the allocations applied to it, and use
these helpers to derive everything the invariants tie to them: the totals from the lines,
``amount_paid`` from the approved allocations, ``amount_due``, ``paid_at`` and the latest
``modified_at``. One place computes them, so the two generators cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from stuut_domain.invoice import Invoice, LineItem
from stuut_domain.money import Money
from stuut_domain.payment import PaymentAllocation

__all__ = ["InvoiceTotals", "latest", "line_gross", "priced_line_item", "settled_invoice"]


def line_gross(quantity: Decimal, unit_amount: Money) -> Money:
    """``quantity`` × ``unit_amount``, which must come out as a whole number of minor units.

    Raises :class:`ValueError` naming both values when it does not (a generator must pick a
    quantity and unit price whose product is exact; nothing is rounded here).
    """
    product = quantity * unit_amount.minor_units
    if product != product.to_integral_value():
        raise ValueError(
            f"quantity {quantity} × unit_amount {unit_amount} is not a whole number of minor units"
        )
    return Money(int(product), unit_amount.currency)


def priced_line_item(
    *,
    invoice_id: str,
    currency: str,
    quantity: Decimal,
    unit_amount: int,
    discount: int,
    tax: int,
    **fields: Any,
) -> LineItem:
    """A line item whose ``total_amount`` is quantity × unit amount − discount + tax.

    Amounts are minor units of ``currency``; the discount may not exceed the gross amount and
    neither discount nor tax may be negative (:class:`ValueError` otherwise). ``fields``
    supplies every other :class:`~stuut_domain.invoice.LineItem` field
    (``object``, ``remote_id`` and the dates at least).
    """
    unit = Money(unit_amount, currency)
    gross = line_gross(quantity, unit)
    if discount < 0 or tax < 0 or discount > gross.minor_units:
        raise ValueError(
            f"line discount {discount} and tax {tax} must be >= 0 and the discount "
            f"<= the gross amount {gross.minor_units}"
        )
    return LineItem(
        invoice_id=invoice_id,
        currency=currency,
        quantity=quantity,
        unit_amount=unit,
        total_discount=Money(discount, currency),
        total_tax=Money(tax, currency),
        total_amount=Money(gross.minor_units - discount + tax, currency),
        **fields,
    )


@attrs.frozen(kw_only=True, weakref_slot=False)
class InvoiceTotals:
    """An invoice's figures before payment: ``total = subtotal − discount + tax``.

    ``subtotal`` is the sum of the lines' gross amounts (quantity × unit amount), ``discount``
    and ``tax`` the sums of the lines' discounts and taxes.
    """

    subtotal: Money
    discount: Money
    tax: Money

    @property
    def total(self) -> Money:
        """subtotal − discount + tax."""
        return self.subtotal - self.discount + self.tax

    @classmethod
    def of_lines(cls, currency: str, lines: Iterable[LineItem]) -> InvoiceTotals:
        """The totals of priced lines (each built by :func:`priced_line_item`)."""
        subtotal = discount = tax = Money.zero(currency)
        for line in lines:
            if line.quantity is None or line.unit_amount is None:
                raise ValueError(f"line item {line.remote_id!r} has no quantity or unit amount")
            subtotal += line_gross(line.quantity, line.unit_amount)
            discount += line.total_discount or Money.zero(currency)
            tax += line.total_tax or Money.zero(currency)
        return cls(subtotal=subtotal, discount=discount, tax=tax)


def latest(*instants: dt.datetime | None) -> dt.datetime:
    """The latest of the instants given (``None`` ignored); at least one must be set."""
    present = [i for i in instants if i is not None]
    if not present:
        raise ValueError("latest() needs at least one instant")
    return max(present)


def settled_invoice(
    *,
    currency: str,
    totals: InvoiceTotals,
    line_items: Sequence[LineItem] = (),
    payments: Sequence[PaymentAllocation] = (),
    **fields: Any,
) -> Invoice:
    """An invoice whose derived figures agree with its facts (the rules of ``invariants``).

    ``amount_paid`` is the sum of the *approved* allocations in ``payments`` (pending ones do
    not count), ``amount_due = total − amount_paid``; ``paid_at`` is the latest approval of an
    approved allocation when the invoice is fully paid (``amount_due`` zero, total positive)
    and ``None`` otherwise; ``modified_at`` is moved forward to the latest event if earlier.
    Allocations must be in ``currency``; approved ones may not exceed the total.
    """
    total = totals.total
    approved = [p for p in payments if p.approved]
    paid = sum((p.amount for p in approved), Money.zero(currency))
    if paid > total:
        raise ValueError(f"approved allocations {paid} exceed the invoice total {total}")
    due = total - paid
    fully_paid = due.is_zero() and total.is_positive()
    paid_at = latest(*(p.approved_at or p.created_at for p in approved)) if fully_paid else None
    events = [
        fields.get("created_at"),
        fields.get("issued_at"),
        fields.get("voided_at"),
        fields.get("marked_uncollectible_at"),
        fields.get("last_outreach_at"),
        paid_at,
        *(p.modified_at for p in payments),
    ]
    modified_at = fields.pop("modified_at", None)
    if any(e is not None for e in events):
        modified_at = latest(modified_at, *events)
    return Invoice(
        currency=currency,
        subtotal=totals.subtotal,
        total_discount=totals.discount,
        total_tax=totals.tax,
        total_amount=total,
        amount_paid=paid,
        amount_due=due,
        paid_at=paid_at,
        modified_at=modified_at,
        line_items=tuple(line_items),
        payments=tuple(payments),
        **fields,
    )
