"""Ports of the cash and owed kinds: queries and repository aliases (ADR 0056).

Bank transactions and remittances (:mod:`stuut_domain.cash`), credit notes, customer
credits, disputes and promises (:mod:`stuut_domain.owed`) are stored behind the same
:class:`~stuut_domain.ports.Reader` / :class:`~stuut_domain.ports.Repository` protocols as
invoices, with the same rules (``NotFound``, streaming ``find``, optimistic versions). Each
query's ``matches`` reads the core's own predicates (``on_account``, ``is_issued``,
``is_open``), so a store's filter and a report never disagree. This module is apart from
:mod:`stuut_domain.ports` because the owed package's outreach reads that module.
"""

from __future__ import annotations

from typing import TypeAlias

import attrs

from stuut_domain.cash.entities import BankTransaction, Remittance
from stuut_domain.owed.credit_note import CreditNote
from stuut_domain.owed.customer_credit import CustomerCredit
from stuut_domain.owed.dispute import Dispute
from stuut_domain.owed.promise import Promise
from stuut_domain.ports import Reader, Repository
from stuut_domain.validators import currency_code

__all__ = [
    "BankTransactionQuery",
    "BankTransactionReader",
    "BankTransactionRepository",
    "CreditNoteQuery",
    "CreditNoteReader",
    "CreditNoteRepository",
    "CustomerCreditQuery",
    "CustomerCreditReader",
    "CustomerCreditRepository",
    "DisputeQuery",
    "DisputeReader",
    "DisputeRepository",
    "PromiseQuery",
    "PromiseReader",
    "PromiseRepository",
    "RemittanceQuery",
    "RemittanceReader",
    "RemittanceRepository",
    "bank_transaction_partner",
    "is_unallocated",
]


def bank_transaction_partner(transaction: BankTransaction) -> str | None:
    """The partner a bank transaction is filed under: the partner it was marked as a payment
    of (``partner.id``), ``None`` while nobody has said who paid."""
    return None if transaction.partner is None else transaction.partner.id


def is_unallocated(transaction: BankTransaction) -> bool:
    """Whether money of the transaction is still neither allocated nor handled outside: the
    on-account remainder (:attr:`BankTransaction.on_account`) is above zero."""
    remainder = transaction.on_account
    return remainder is not None and remainder.amount > 0


@attrs.frozen(kw_only=True, weakref_slot=False)
class BankTransactionQuery:
    """Bank-transaction filters for cash application; unset filters match everything.

    * ``partner_id``: only transactions marked as payments of that partner
      (:func:`bank_transaction_partner`; stores answer from a per-partner index).
    * ``unallocated_only``: only transactions with money left on account
      (:func:`is_unallocated`, read from the core's own ``on_account``).
    * ``is_payment``: ``True`` / ``False`` keeps transactions whose ``is_payment`` is exactly
      that; ``None`` (default) does not filter.
    * ``currency``: only transactions in this currency.
    """

    partner_id: str | None = None
    unallocated_only: bool = False
    is_payment: bool | None = None
    currency: str | None = attrs.field(default=None, validator=currency_code)

    def matches(self, transaction: BankTransaction, /) -> bool:
        """Whether ``transaction`` passes every filter that is set."""
        if self.partner_id is not None and bank_transaction_partner(transaction) != self.partner_id:
            return False
        if self.currency is not None and transaction.currency != self.currency:
            return False
        if self.is_payment is not None and transaction.is_payment is not self.is_payment:
            return False
        return not self.unallocated_only or is_unallocated(transaction)


@attrs.frozen(kw_only=True, weakref_slot=False)
class RemittanceQuery:
    """Remittance filters: the remitting ``partner_id`` (the wire's ``partner``) and
    ``currency``."""

    partner_id: str | None = None
    currency: str | None = attrs.field(default=None, validator=currency_code)

    def matches(self, remittance: Remittance, /) -> bool:
        """Whether ``remittance`` passes every filter that is set."""
        if self.partner_id is not None and remittance.partner != self.partner_id:
            return False
        return self.currency is None or remittance.currency == self.currency


@attrs.frozen(kw_only=True, weakref_slot=False)
class CreditNoteQuery:
    """Credit-note filters: ``partner_id``, the credited ``invoice_id``, and ``issued_only``
    (notes that count: :attr:`CreditNote.is_issued`, the rule the credited amounts use)."""

    partner_id: str | None = None
    invoice_id: str | None = None
    issued_only: bool = False

    def matches(self, note: CreditNote, /) -> bool:
        """Whether ``note`` passes every filter that is set."""
        if self.partner_id is not None and note.partner_id != self.partner_id:
            return False
        if self.invoice_id is not None and note.invoice_id != self.invoice_id:
            return False
        return not self.issued_only or note.is_issued


@attrs.frozen(kw_only=True, weakref_slot=False)
class CustomerCreditQuery:
    """Customer-credit filters: ``partner_id``, ``currency`` and ``unvoided_only`` (credits
    without ``voided_at``, the only ones that can still be spent)."""

    partner_id: str | None = None
    currency: str | None = attrs.field(default=None, validator=currency_code)
    unvoided_only: bool = False

    def matches(self, credit: CustomerCredit, /) -> bool:
        """Whether ``credit`` passes every filter that is set."""
        if self.partner_id is not None and credit.partner_id != self.partner_id:
            return False
        if self.currency is not None and credit.currency != self.currency:
            return False
        return not self.unvoided_only or credit.voided_at is None


@attrs.frozen(kw_only=True, weakref_slot=False)
class DisputeQuery:
    """Dispute filters: ``partner_id`` and ``open_only`` (:attr:`Dispute.is_open`, the rule
    the disputed amounts and outreach read)."""

    partner_id: str | None = None
    open_only: bool = False

    def matches(self, dispute: Dispute, /) -> bool:
        """Whether ``dispute`` passes every filter that is set."""
        if self.partner_id is not None and dispute.partner_id != self.partner_id:
            return False
        return not self.open_only or dispute.is_open


@attrs.frozen(kw_only=True, weakref_slot=False)
class PromiseQuery:
    """Promise filters: ``partner_id`` and ``live_only`` (neither cancelled nor superseded).

    Kept / broken are not store filters: they depend on payments and an instant
    (:func:`stuut_domain.owed.promise_status`), which a store does not hold.
    """

    partner_id: str | None = None
    live_only: bool = False

    def matches(self, promise: Promise, /) -> bool:
        """Whether ``promise`` passes every filter that is set."""
        if self.partner_id is not None and promise.partner_id != self.partner_id:
            return False
        return not self.live_only or (
            promise.cancelled_at is None and promise.superseded_at is None
        )


BankTransactionReader: TypeAlias = Reader[BankTransaction, BankTransactionQuery]
BankTransactionRepository: TypeAlias = Repository[BankTransaction, BankTransactionQuery]
RemittanceReader: TypeAlias = Reader[Remittance, RemittanceQuery]
RemittanceRepository: TypeAlias = Repository[Remittance, RemittanceQuery]
CreditNoteReader: TypeAlias = Reader[CreditNote, CreditNoteQuery]
CreditNoteRepository: TypeAlias = Repository[CreditNote, CreditNoteQuery]
CustomerCreditReader: TypeAlias = Reader[CustomerCredit, CustomerCreditQuery]
CustomerCreditRepository: TypeAlias = Repository[CustomerCredit, CustomerCreditQuery]
DisputeReader: TypeAlias = Reader[Dispute, DisputeQuery]
DisputeRepository: TypeAlias = Repository[Dispute, DisputeQuery]
PromiseReader: TypeAlias = Reader[Promise, PromiseQuery]
PromiseRepository: TypeAlias = Repository[Promise, PromiseQuery]
