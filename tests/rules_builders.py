"""Domain-flavoured builders for the lifecycle, allocation and refund tests.

Valid by construction: every invoice built here satisfies ``check_invoice`` and every payment
``check_payment``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from stuut_domain.invoice import Invoice
from stuut_domain.lifecycle import InvoiceStatus, apply_allocation, issue, mark_uncollectible, void
from stuut_domain.money import Money
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment, PaymentAllocation

UTC = dt.UTC
ISSUED_AT = dt.datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
DUE_AT = dt.datetime(2026, 11, 10, 0, 0, tzinfo=UTC)
PAID_AT = dt.datetime(2026, 10, 20, 14, 30, tzinfo=UTC)
ACME = "ptn_acme_tooling"
#: When the allocation specifications propose and apply.
AT = dt.datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def usd(units: int) -> Money:
    """``units`` cents."""
    return Money(units, "USD")


def eur(units: int) -> Money:
    """``units`` euro cents."""
    return Money(units, "EUR")


def due(day: int) -> dt.datetime:
    """Midnight UTC of a day of November 2026."""
    return dt.datetime(2026, 11, day, tzinfo=UTC)


def acme(timezone: str | None = None) -> Partner:
    """Acme Tooling GmbH, optionally with a time zone."""
    return Partner(
        currency="USD",
        object="partner",
        remote_id="C-1001",
        name="Acme Tooling GmbH",
        id=ACME,
        timezone=timezone,
    )


def draft(
    invoice_id: str = "inv_2026_0042",
    total: int = 100_000,
    currency: str = "USD",
    *,
    partner_id: str | None = ACME,
    due_date: dt.datetime | None = DUE_AT,
    partner: Partner | None = None,
    number: str | None = None,
) -> Invoice:
    """A draft invoice of ``total`` minor units, nothing paid."""
    return Invoice(
        amount_due=Money(total, currency),
        currency=currency,
        object="invoice",
        remote_id=f"R-{invoice_id}",
        total_amount=Money(total, currency),
        id=invoice_id,
        amount_paid=Money(0, currency),
        due_date=due_date,
        number=number or invoice_id.upper(),
        partner=partner,
        partner_id=partner_id,
        subtotal=Money(total, currency),
    )


def issued(
    invoice_id: str = "inv_2026_0042",
    total: int = 100_000,
    currency: str = "USD",
    *,
    partner_id: str | None = ACME,
    due_date: dt.datetime | None = DUE_AT,
    partner: Partner | None = None,
    number: str | None = None,
) -> Invoice:
    """An issued (open) invoice."""
    built = draft(
        invoice_id,
        total,
        currency,
        partner_id=partner_id,
        due_date=due_date,
        partner=partner,
        number=number,
    )
    return issue(built, at=ISSUED_AT)


def allocation(
    invoice: Invoice,
    units: int,
    *,
    allocation_id: str = "alloc_0001",
    payment_id: str = "pay_0001",
    approved: bool = True,
) -> PaymentAllocation:
    """An allocation of ``units`` minor units of the invoice's currency."""
    return PaymentAllocation(
        amount=invoice.money(units),
        invoice_id=str(invoice.id),
        object="payment_allocation",
        payment_id=payment_id,
        strategy="manual",
        id=allocation_id,
        approved=approved,
        approved_at=PAID_AT if approved else None,
    )


def payment(
    units: int,
    currency: str = "USD",
    *,
    payment_id: str = "pay_0001",
    partner_id: str | None = ACME,
    rate: str | None = None,
) -> Payment:
    """A payment of ``units`` minor units received from Acme."""
    return Payment(
        id=payment_id,
        amount=Money(units, currency),
        amount_refunded=Money(0, currency),
        currency=currency,
        currency_rate=None if rate is None else Decimal(rate),
        object="payment",
        partner_id=partner_id,
        payment_method="ach",
        status="pending_match",
    )


def with_status(status: InvoiceStatus) -> Invoice:
    """A valid invoice of 1,000.00 USD in ``status`` (partially paid: 400.00; paid: all)."""
    open_invoice = issued()
    match status:
        case InvoiceStatus.DRAFT:
            return draft()
        case InvoiceStatus.OPEN:
            return open_invoice
        case InvoiceStatus.PARTIALLY_PAID:
            return apply_allocation(open_invoice, allocation(open_invoice, 40_000), at=PAID_AT)
        case InvoiceStatus.PAID:
            return apply_allocation(open_invoice, allocation(open_invoice, 100_000), at=PAID_AT)
        case InvoiceStatus.VOID:
            return void(open_invoice, at=PAID_AT)
        case InvoiceStatus.UNCOLLECTIBLE:
            return mark_uncollectible(open_invoice, at=PAID_AT)
    raise AssertionError(status)


def listing(invoice: Invoice, alloc: PaymentAllocation) -> Invoice:
    """The invoice with ``alloc`` listed, bypassing the rules (for refusal tests only)."""
    return attrs.evolve(invoice, payments=(*invoice.payments, alloc))


def three_invoices() -> list[Invoice]:
    """Acme's invoices: 0041 due on the 5th (300.00), 0042 on the 10th, 0043 on the 20th."""
    return [
        issued("inv_2026_0043", 50_000, due_date=due(20)),
        issued("inv_2026_0041", 30_000, due_date=due(5)),
        issued("inv_2026_0042", 20_000, due_date=due(10)),
    ]
