"""The invoice: what a partner owes, the aggregate that collection revolves around.

An invoice carries its amounts in its own ``currency`` (refused otherwise), its line items,
the payment allocations applied to it, and the outreach (calls, emails) sent about it.
Cross-field business rules (``amount_due = total_amount - amount_paid``, …) are *not*
enforced here: remote data may break them and must still load; the invariant checker
reports them.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any, Final

import attrs

from stuut_domain.address import Address
from stuut_domain.call import Call
from stuut_domain.display import compact, html_table, short_repr
from stuut_domain.email import Email
from stuut_domain.integration import LinkedIntegration
from stuut_domain.money import Money
from stuut_domain.partner import Partner
from stuut_domain.payment import PaymentAllocation
from stuut_domain.types import (
    JSON,
    InvoiceType,
    OutreachChannel,
    RemotePaymentStatus,
    Sourced,
    SyncStatus,
)
from stuut_domain.user import User
from stuut_domain.validators import aware, currency_code, own_currency

__all__ = ["OWED", "Invoice", "InvoiceStatus", "LineItem", "is_fully_paid", "status_of"]


class InvoiceStatus(enum.StrEnum):
    """Where an invoice stands, derived from its facts by :func:`status_of` (never stored).

    ``draft``: not issued yet. ``open``: issued, nothing paid. ``partially_paid``: issued,
    some but not all paid. ``paid``: fully paid (``amount_paid >= total_amount > 0``).
    ``void``: cancelled (terminal). ``uncollectible``: written off, not fully paid; it
    becomes ``paid`` again when money covering it arrives.
    """

    DRAFT = "draft"
    OPEN = "open"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"


#: The statuses in which an invoice is still owed and collected: issued and not settled.
#: Drafts, void, paid and written-off (uncollectible) invoices are never aged, forecast nor
#: chased (one definition for the lifecycle table, the receivables readings and outreach).
OWED: Final = frozenset({InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID})


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class LineItem(Sourced):
    """One billed line of an invoice: ``quantity`` × ``unit_amount``, less discount, plus tax.

    Amounts are in the line item's own ``currency`` (refused otherwise); ``quantity`` is an
    exact :class:`~decimal.Decimal`. The period dates bound the usage the line bills.
    """

    invoice_id: str
    object: str
    remote_id: str
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    currency: str | None = attrs.field(default=None, validator=currency_code)
    custom_fields: JSON = None
    description: str | None = None
    line_number: int | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    name: str | None = None
    period_end_date: dt.datetime | None = attrs.field(default=None, validator=aware)
    period_start_date: dt.datetime | None = attrs.field(default=None, validator=aware)
    product_type: str | None = None
    quantity: Decimal | None = None
    remote_created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    remote_metadata: JSON = None
    remote_modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    total_amount: Money | None = attrs.field(default=None, validator=own_currency)
    total_discount: Money | None = attrs.field(default=None, validator=own_currency)
    total_tax: Money | None = attrs.field(default=None, validator=own_currency)
    unit_amount: Money | None = attrs.field(default=None, validator=own_currency)


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class Invoice(Sourced):
    """An invoice issued to a partner (receivable) or received from one (payable).

    Rule enforced on construction (and by ``attrs.evolve``): ``amount_due``,
    ``total_amount``, ``amount_paid``, ``subtotal``, ``total_discount`` and ``total_tax`` are
    in ``currency``, else :class:`~stuut_domain.errors.CurrencyMismatch` naming the field.
    ``payments`` are the allocations applied to this invoice (each embeds its payment).
    An invoice ``in_dispute`` is excluded from outreach. ``status``, ``custom_fields``,
    ``pdf`` and ``remote_metadata`` are free-form JSON.
    """

    amount_due: Money = attrs.field(validator=own_currency)
    currency: str = attrs.field(validator=currency_code)
    object: str
    remote_id: str
    total_amount: Money = attrs.field(validator=own_currency)
    id: str | None = None
    amount_paid: Money | None = attrs.field(default=None, validator=own_currency)
    assignee: User | None = None
    billing_address: Address | None = None
    billing_address_id: int | None = None
    billing_email: str | None = None
    calls: tuple[Call, ...] = ()
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    custom_fields: JSON = None
    due_date: dt.datetime | None = attrs.field(default=None, validator=aware)
    emails: tuple[Email, ...] = ()
    in_dispute: bool | None = None
    is_issued_email_sent: bool | None = None
    issued_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    last_outreach_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    last_outreach_channel: OutreachChannel | None = None
    last_outreach_to: str | None = None
    last_synced_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    line_items: tuple[LineItem, ...] = ()
    linked_integration: LinkedIntegration | None = None
    marked_uncollectible_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    memo: str | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    number: str | None = None
    order_number: str | None = None
    paid_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    partner: Partner | None = None
    partner_id: str | None = None
    payments: tuple[PaymentAllocation, ...] = ()
    pdf: JSON = None
    pdf_id: str | None = None
    period_end_date: dt.datetime | None = attrs.field(default=None, validator=aware)
    period_start_date: dt.datetime | None = attrs.field(default=None, validator=aware)
    private_note: str | None = None
    promised_to_pay_date: dt.date | None = None
    purchase_order_number: str | None = None
    remote_created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    remote_invoice_pdf: str | None = None
    remote_metadata: JSON = None
    remote_modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    remote_partner_id: str | None = None
    remote_payment_portal_url: str | None = None
    remote_payment_status: RemotePaymentStatus | None = None
    remote_status: str | None = None
    requires_line_item_sync: bool | None = None
    shipping_address: Address | None = None
    shipping_address_id: int | None = None
    status: JSON = None
    subtotal: Money | None = attrs.field(default=None, validator=own_currency)
    sync_status: SyncStatus | None = None
    total_discount: Money | None = attrs.field(default=None, validator=own_currency)
    total_tax: Money | None = attrs.field(default=None, validator=own_currency)
    type: InvoiceType | None = None
    voided_at: dt.datetime | None = attrs.field(default=None, validator=aware)

    def money(self, units: int) -> Money:
        """``units`` minor units in the invoice's currency (``inv.money(1000)`` is 10.00 USD)."""
        return Money(units, self.currency)

    @property
    def amount_paid_or_zero(self) -> Money:
        """What has been paid, zero in the invoice's currency when the API sent no amount."""
        return Money.zero(self.currency) if self.amount_paid is None else self.amount_paid

    def as_record(self) -> dict[str, Any]:
        """The invoice's headline facts as one plain row (for a DataFrame or JSON output).

        Amounts are exact :class:`~decimal.Decimal` major units beside the currency code;
        the derived ``status`` comes from :func:`status_of`.
        """
        return {
            "id": self.id,
            "number": self.number,
            "partner_id": self.partner_id,
            "currency": self.currency,
            "total_amount": self.total_amount.amount,
            "amount_paid": self.amount_paid_or_zero.amount,
            "amount_due": self.amount_due.amount,
            "issued_at": self.issued_at,
            "due_date": self.due_date,
            "status": status_of(self).value,
            "in_dispute": self.in_dispute,
            "promised_to_pay_date": self.promised_to_pay_date,
        }

    def _repr_html_(self) -> str:
        """A field/value table for notebooks (Jupyter calls this to render the invoice)."""
        rows = [{"field": k, "value": v} for k, v in self.as_record().items()]
        return html_table(["field", "value"], rows, caption=f"Invoice {self.number or self.id}")

    def __repr__(self) -> str:
        return short_repr(
            "Invoice",
            id=self.id,
            number=self.number,
            partner_id=self.partner_id,
            total_amount=self.total_amount,
            amount_paid=self.amount_paid,
            amount_due=self.amount_due,
            due_date=self.due_date,
        )


def is_fully_paid(invoice: Invoice) -> bool:
    """Fully paid means ``amount_paid >= total_amount > 0`` (the checker's ``paid_at`` rule).

    An invoice with a zero or negative total is never "fully paid": nothing was owed, so it
    carries no ``paid_at`` and stays ``open`` with nothing due.
    """
    total = invoice.total_amount.minor_units
    if total <= 0:
        return False
    paid = invoice.amount_paid
    # amounts are in the invoice's currency by construction, so minor units compare directly
    return paid is not None and paid.minor_units >= total


def status_of(invoice: Invoice) -> InvoiceStatus:
    """The invoice's status from its facts, first match wins.

    ``voided_at`` set → void; no ``issued_at`` → draft; fully paid → paid (even if it was
    marked uncollectible first: money arrived); ``marked_uncollectible_at`` set → uncollectible;
    some amount paid → partially_paid; else open.
    """
    if invoice.voided_at is not None:
        return InvoiceStatus.VOID
    if invoice.issued_at is None:
        return InvoiceStatus.DRAFT
    if is_fully_paid(invoice):
        return InvoiceStatus.PAID
    if invoice.marked_uncollectible_at is not None:
        return InvoiceStatus.UNCOLLECTIBLE
    if invoice.amount_paid_or_zero.is_positive():
        return InvoiceStatus.PARTIALLY_PAID
    return InvoiceStatus.OPEN
