"""Payments received from partners and their allocations to the invoices they settle.

A payment is money received in its own currency; each allocation applies part of it to one
invoice's balance, in that invoice's currency (``currency_rate`` bridges the two). Allocations
are approved one by one before they are posted to the ERP (``remote_id`` set once posted).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from stuut_domain.display import compact, short_repr
from stuut_domain.money import Money
from stuut_domain.types import JSON, Sourced, SyncStatus
from stuut_domain.validators import aware, currency_code, money_in, own_currency

__all__ = ["AllocatedInvoice", "Payment", "PaymentAllocation", "is_approved"]


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class AllocatedInvoice(Sourced):
    """The short invoice embedded in an allocation: enough to show what the payment settles.

    ``amount_due`` and ``amount_paid`` are in the invoice's ``currency`` (refused otherwise).
    """

    amount_due: Money = attrs.field(validator=own_currency)
    currency: str = attrs.field(validator=currency_code)
    id: str | None = None
    amount_paid: Money | None = attrs.field(default=None, validator=own_currency)
    due_date: dt.datetime | None = attrs.field(default=None, validator=aware)
    number: str | None = None


def _invoice_currency(allocation: PaymentAllocation) -> str | None:
    return None if allocation.invoice is None else allocation.invoice.currency


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class PaymentAllocation(Sourced):
    """The part of a payment applied to one invoice's balance.

    ``amount`` is in the *invoice's* currency: it is what the invoice's balance goes down by.
    When the short ``invoice`` is embedded, ``amount`` must be in its currency (refused with
    :class:`~stuut_domain.errors.CurrencyMismatch` otherwise). ``strategy`` says how the match
    was made (e.g. ``automatic``); an allocation counts once ``approved``. Inside
    ``invoice.payments[]`` the allocation embeds its ``payment`` instead of the invoice.
    """

    amount: Money = attrs.field(validator=money_in(_invoice_currency))
    invoice_id: str
    object: str
    payment_id: str
    strategy: str
    id: str | None = None
    agent_confidence_reason: str | None = None
    agent_confidence_score: float | None = None
    agent_error_code: str | None = None
    agent_uncertainties: tuple[str, ...] = ()
    approved: bool | None = None
    approved_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    approver_id: str | None = None
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    invoice: AllocatedInvoice | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    payment: Payment | None = None
    remote_id: str | None = None


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class Payment(Sourced):
    """Money received from a partner (ACH, card, check…), before or after matching to invoices.

    ``amount`` and ``amount_refunded`` are in the payment's ``currency`` (refused otherwise).
    ``currency_rate`` converts to the invoice currency: one major unit of the payment currency
    = ``currency_rate`` major units of the invoice currency; it is kept exactly as the API sent
    it (a :class:`~decimal.Decimal`, never rounded). ``status`` (e.g. ``pending_match``) and
    ``payment_method`` (e.g. ``ach``) stay ``str``: the API shows one example of each.
    """

    id: str | None = None
    agent_confidence_reason: str | None = None
    agent_confidence_score: float | None = None
    agent_error_code: str | None = None
    agent_uncertainties: tuple[str, ...] = ()
    allocations: tuple[PaymentAllocation, ...] = ()
    amount: Money | None = attrs.field(default=None, validator=own_currency)
    amount_refunded: Money | None = attrs.field(default=None, validator=own_currency)
    bank_transaction_id: str | None = None
    billing_email: str | None = None
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    currency: str | None = attrs.field(default=None, validator=currency_code)
    currency_rate: Decimal | None = None
    custom_fields: JSON = None
    description: str | None = None
    expected_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    finix_transfer_id: str | None = None
    initiated_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    last_exported_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    last_synced_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    linked_integration_id: str | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    object: str | None = None
    partner_id: str | None = None
    payment_method: str | None = None
    receipt_url: str | None = None
    reference_number: str | None = None
    remittance_id: str | None = None
    remote_created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    remote_id: str | None = None
    remote_metadata: JSON = None
    remote_modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    statement_descriptor: str | None = None
    status: str | None = None
    stripe_session_id: str | None = None
    sync_status: SyncStatus | None = None
    timestamp: dt.datetime | None = attrs.field(default=None, validator=aware)
    transaction_match_approved_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    transaction_match_approver_id: str | None = None

    def __repr__(self) -> str:
        return short_repr(
            "Payment",
            id=self.id,
            partner_id=self.partner_id,
            amount=self.amount,
            amount_refunded=self.amount_refunded or None,
            status=self.status,
            timestamp=self.timestamp,
        )


def is_approved(allocation: PaymentAllocation) -> bool:
    """An allocation counts towards ``amount_paid`` unless it says ``approved=False``.

    ``approved=None`` (the remote system did not say) counts as approved, as the invariant
    checker reads it.
    """
    return allocation.approved is not False
