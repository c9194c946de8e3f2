"""Small builders for the cash-application tests: invoices, partners, transactions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from stuut_domain.cash import BankTransaction, CounterpartyInfo, PartnerDirectory
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.partner import Partner

AT = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)


def invoice(
    inv_id: str,
    units: int,
    *,
    number: str | None = None,
    partner_id: str = "ptn_a",
    currency: str = "USD",
    due_days_ago: int = 10,
    po: str | None = None,
) -> Invoice:
    """An issued, unpaid invoice of ``units`` minor units, due ``due_days_ago`` before AT."""
    due = AT - dt.timedelta(days=due_days_ago)
    return Invoice(
        amount_due=Money(units, currency),
        currency=currency,
        object="invoice",
        remote_id=f"erp_{inv_id}",
        total_amount=Money(units, currency),
        id=inv_id,
        amount_paid=Money(0, currency),
        issued_at=due - dt.timedelta(days=30),
        due_date=due,
        number=number,
        partner_id=partner_id,
        purchase_order_number=po,
    )


def transaction(
    units: int,
    *,
    tx_id: str = "btx_1",
    currency: str = "USD",
    reference: str | None = None,
    description: str | None = None,
    name: str | None = None,
    account: str | None = None,
    partner_count: int | None = None,
    rate: Decimal | None = None,
    invoice_numbers: tuple[str, ...] = (),
) -> BankTransaction:
    """A posted deposit of ``units`` minor units at AT."""
    info = None
    if account is not None or partner_count is not None:
        info = CounterpartyInfo(display=name, id=account, partner_count=partner_count)
    return BankTransaction(
        id=tx_id,
        amount=Money(units, currency),
        currency=currency,
        currency_rate=rate,
        reference_number=reference,
        description=description,
        counterparty_name=name,
        counterparty_info=info,
        invoice_numbers=invoice_numbers,
        timestamp=AT,
        type="deposit",
        posted=True,
    )


def directory(**accounts: str) -> PartnerDirectory:
    """Partners A (Acme Corp), B (Globex GmbH), C (Initech LLC); ``accounts`` maps account
    ids to partner ids."""
    partners = [
        Partner(id="ptn_a", name="Acme Corp", account_number="CUST-1001"),
        Partner(id="ptn_b", name="Globex GmbH", account_number="CUST-2002"),
        Partner(id="ptn_c", name="Initech LLC"),
    ]
    return PartnerDirectory.of(partners, accounts=accounts)
