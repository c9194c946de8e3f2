"""Small books for the scenario specifications (not a test module)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.payment import Payment, PaymentAllocation

UTC = dt.UTC


def day(y: int, m: int, d: int, h: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=UTC)


def invoice(
    key: str,
    *,
    due: dt.datetime,
    units: int = 10_000,
    partner_id: str = "ptn_acme",
    currency: str = "EUR",
    paid: tuple[tuple[dt.datetime, int], ...] = (),
    **overrides: Any,
) -> Invoice:
    """An issued receivable due ``due``, with the payments ``paid`` (instant, units) applied."""
    allocations = tuple(
        PaymentAllocation(
            amount=Money(amount, currency),
            invoice_id=key,
            object="payment_allocation",
            payment_id=f"pay_{key}_{n}",
            strategy="manual",
            id=f"alloc_{key}_{n}",
            approved=True,
            approved_at=when,
            payment=Payment(id=f"pay_{key}_{n}", timestamp=when, currency=currency),
        )
        for n, (when, amount) in enumerate(paid)
    )
    settled = sum(a for _, a in paid)
    values: dict[str, Any] = {
        "amount_due": Money(units - settled, currency),
        "currency": currency,
        "object": "invoice",
        "remote_id": f"erp-{key}",
        "total_amount": Money(units, currency),
        "amount_paid": Money(settled, currency),
        "id": key,
        "number": key.upper(),
        "partner_id": partner_id,
        "issued_at": due - dt.timedelta(days=30),
        "due_date": due,
        "type": "receivable",
        "payments": allocations,
        "paid_at": paid[-1][0] if paid and settled >= units else None,
    }
    values.update(overrides)
    return Invoice(**values)
