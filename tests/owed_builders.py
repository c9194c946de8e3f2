"""Builders shared by the specifications of what changes what is owed (not a test module)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from stuut_domain.invoice import Invoice
from stuut_domain.lifecycle import apply_allocation, issue
from stuut_domain.money import Money
from stuut_domain.owed import CreditNote, CreditNoteLine
from stuut_domain.payment import Payment, PaymentAllocation

UTC = dt.UTC
#: Issue instant of the invoices below: Monday 2 November 2026, 09:00 UTC.
ISSUED = dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def days(n: float) -> dt.datetime:
    """``ISSUED`` plus ``n`` days."""
    return ISSUED + dt.timedelta(days=n)


def usd(units: int) -> Money:
    return Money(units, "USD")


def invoice(
    total: int = 10_000, *, paid: int = 0, invoice_id: str = "inv_1", **overrides: Any
) -> Invoice:
    """An issued USD invoice of ``total`` minor units, ``paid`` of it by one listed allocation."""
    values: dict[str, Any] = {
        "amount_due": usd(total),
        "currency": "USD",
        "object": "invoice",
        "remote_id": f"erp-{invoice_id}",
        "total_amount": usd(total),
        "id": invoice_id,
        "number": invoice_id.upper(),
        "partner_id": "ptn_acme",
        "due_date": ISSUED + dt.timedelta(days=30),
    }
    values.update(overrides)
    inv = issue(Invoice(**values), at=ISSUED)
    if paid:
        inv = apply_allocation(inv, allocation(paid, invoice_id=invoice_id), at=days(1))
    return inv


def allocation(
    units: int,
    *,
    invoice_id: str = "inv_1",
    allocation_id: str | None = None,
    payment_id: str = "pay_1",
    at: dt.datetime | None = None,
) -> PaymentAllocation:
    when = at or days(1)
    return PaymentAllocation(
        amount=usd(units),
        invoice_id=invoice_id,
        object="payment_allocation",
        payment_id=payment_id,
        strategy="manual",
        id=allocation_id or f"alloc_{payment_id}_{invoice_id}",
        approved=True,
        approved_at=when,
        created_at=when,
    )


def payment(*allocations: PaymentAllocation, payment_id: str = "pay_1") -> Payment:
    total = sum((a.amount for a in allocations), usd(0))
    return Payment(
        id=payment_id,
        amount=total,
        currency="USD",
        partner_id="ptn_acme",
        allocations=allocations,
        timestamp=allocations[0].created_at if allocations else days(1),
    )


def note(
    *amounts: int,
    note_id: str = "cn_1",
    invoice_id: str = "inv_1",
    tax_rate: str | None = None,
    currency: str = "USD",
    **overrides: Any,
) -> CreditNote:
    """A credit note with one line by amount per entry of ``amounts``."""
    rate = None if tax_rate is None else Decimal(tax_rate)
    values: dict[str, Any] = {
        "id": note_id,
        "invoice_id": invoice_id,
        "currency": currency,
        "lines": tuple(
            CreditNoteLine(currency=currency, amount=Money(a, currency), tax_rate=rate)
            for a in amounts
        ),
        "effective_at": days(2),
    }
    values.update(overrides)
    return CreditNote(**values)
