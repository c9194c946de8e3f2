"""Customer credit: money a partner holds with us, spent on its invoices by the allocation engine.

Credit comes from a credit note's post-payment part (Stripe's customer balance, Odoo's
outstanding credit), from a negative invoice (a credit invoice) or from a person. It is a
*source* of allocations exactly like a payment (ADR 0046): :func:`as_payment` shows it to
:func:`~stuut_domain.allocation.allocate_payment` as a payment with ``payment_method =
"customer_credit"``, so the allocation rules (never above what an invoice can take, oldest due
first, proportional, explicit), approval and the apply-once allocation ids are the engine's,
unchanged. What is left is the engine's unapplied credit.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from stuut_domain.allocation import (
    AllocationResult,
    AllocationRule,
    ApprovalPolicy,
    allocate_payment,
    unapplied_credit,
    withdraw_allocation,
)
from stuut_domain.display import compact
from stuut_domain.errors import OwedRefused
from stuut_domain.invoice import Invoice, InvoiceStatus, status_of
from stuut_domain.money import Money, MoneyBag
from stuut_domain.owed.fields import enum_of, money_field, tuple_of
from stuut_domain.payment import Payment, PaymentAllocation
from stuut_domain.receivables import balance
from stuut_domain.types import Sourced
from stuut_domain.validators import aware, currency_code, require_aware

__all__ = [
    "CREDIT_PAYMENT_METHOD",
    "CreditSource",
    "CreditSpend",
    "CustomerCredit",
    "as_payment",
    "available_credit",
    "balance_net_of_credit",
    "credit_from_negative_invoice",
    "distinct_credits",
    "negative_invoice_credit",
    "not_read_as_credit",
    "spend_credit",
    "unspend_credit",
]

#: The ``payment_method`` a customer credit shows to the allocation engine.
CREDIT_PAYMENT_METHOD = "customer_credit"


class CreditSource(enum.StrEnum):
    """Where a credit came from: a credit note, a negative invoice, or a person (manual)."""

    CREDIT_NOTE = "credit_note"
    NEGATIVE_INVOICE = "negative_invoice"
    MANUAL = "manual"


_to_source = enum_of(CreditSource, "credit_source", "source")


def _credit_source(value: Any) -> CreditSource:
    """The source as :class:`CreditSource` (``"manual"`` converted; ``credit_source``)."""
    return _to_source(value)


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class CustomerCredit(Sourced):
    """Money a partner holds with us, in ``currency``, and the allocations that spent it.

    Rules: ``amount`` is above zero and in ``currency``; ``allocations`` are the engine's
    (invoice-currency amounts, apply-once ids). A void credit (``voided_at``) can no longer be
    spent. ``source``/``source_id`` name the note or invoice it came from.
    """

    id: str
    currency: str = attrs.field(validator=currency_code)
    amount: Money = attrs.field(validator=money_field)
    created_at: dt.datetime = attrs.field(validator=aware)
    source: CreditSource = attrs.field(default=CreditSource.MANUAL, converter=_credit_source)
    source_id: str | None = None
    partner_id: str | None = None
    allocations: tuple[PaymentAllocation, ...] = attrs.field(
        default=(), validator=tuple_of(PaymentAllocation, "credit_allocations_type")
    )
    voided_at: dt.datetime | None = attrs.field(default=None, validator=aware)

    def __attrs_post_init__(self) -> None:
        if not self.amount.is_positive():
            raise OwedRefused(
                "credit_not_positive",
                "amount",
                f"customer credit {self.id!r} is {self.amount}; a credit is above zero",
                amount=self.amount,
            )


def as_payment(credit: CustomerCredit) -> Payment:
    """The credit as the allocation engine reads a source of money (ADR 0046).

    Same id, partner, amount, currency and allocations; ``payment_method`` and ``status`` are
    ``"customer_credit"``; nothing refunded.
    """
    return Payment(
        id=credit.id,
        object="customer_credit",
        amount=credit.amount,
        currency=credit.currency,
        partner_id=credit.partner_id,
        payment_method=CREDIT_PAYMENT_METHOD,
        status=CREDIT_PAYMENT_METHOD,
        timestamp=credit.created_at,
        allocations=credit.allocations,
    )


def credit_at(credit: CustomerCredit, at: dt.datetime) -> CustomerCredit | None:
    """The credit as it stood at ``at``: ``None`` before it was created; not yet void when
    voided later; without the allocations made after ``at`` (an allocation without an
    instant counts as always made). A reading at ``at`` never sees what came after it."""
    require_aware("at", at)
    if credit.created_at > at:
        return None
    kept = tuple(a for a in credit.allocations if a.created_at is None or a.created_at <= at)
    voided = credit.voided_at if credit.voided_at is not None and credit.voided_at <= at else None
    if voided == credit.voided_at and len(kept) == len(credit.allocations):
        return credit
    return attrs.evolve(credit, allocations=kept, voided_at=voided)


def remaining(credit: CustomerCredit) -> Money:
    """What is left to spend: the engine's unapplied credit of :func:`as_payment`; zero once
    the credit is void."""
    if credit.voided_at is not None:
        return Money.zero(credit.currency)
    return unapplied_credit(as_payment(credit))


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class CreditSpend:
    """A credit spent: the credit with its new allocations and the engine's result."""

    credit: CustomerCredit
    result: AllocationResult


def spend_credit(
    credit: CustomerCredit,
    invoices: Sequence[Invoice],
    *,
    rule: AllocationRule,
    at: dt.datetime,
    amounts: Mapping[str, Money] | None = None,
    confidence: float | None = None,
    approval: ApprovalPolicy | None = None,
) -> CreditSpend:
    """Spend the credit on ``invoices`` through :func:`~stuut_domain.allocation.allocate_payment`.

    Every rule of the engine applies unchanged (ADR 0010, 0012, 0013); apply the result's
    lines with :func:`~stuut_domain.allocation.apply_result`. Refused: a void credit
    (``credit_void``), a credit that names no partner (``credit_partner_missing``: the
    engine's cross-partner check needs one) and a credit spent before it existed
    (``credit_spent_before_created``).
    """
    require_aware("at", at)
    if credit.voided_at is not None:
        raise OwedRefused(
            "credit_void",
            "voided_at",
            f"customer credit {credit.id!r} was voided at {credit.voided_at.isoformat()}",
            credit_id=credit.id,
        )
    if credit.partner_id is None:
        raise OwedRefused(
            "credit_partner_missing",
            "partner_id",
            f"customer credit {credit.id!r} names no partner; a credit is spent only on its "
            "own partner's invoices",
            credit_id=credit.id,
        )
    if at < credit.created_at:
        raise OwedRefused(
            "credit_spent_before_created",
            "at",
            f"{at.isoformat()} is before customer credit {credit.id!r} was created",
            at=at,
            created_at=credit.created_at,
        )
    result = allocate_payment(
        as_payment(credit),
        invoices,
        rule=rule,
        at=at,
        amounts=amounts,
        confidence=confidence,
        approval=approval,
    )
    return CreditSpend(
        credit=attrs.evolve(credit, allocations=result.payment.allocations), result=result
    )


def unspend_credit(
    credit: CustomerCredit, invoice: Invoice, allocation_id: str
) -> tuple[CustomerCredit, Invoice]:
    """Take one of the credit's allocations back off it and its invoice (the engine's
    :func:`~stuut_domain.allocation.withdraw_allocation`); the credit can be spent again."""
    payment, new_invoice = withdraw_allocation(as_payment(credit), invoice, allocation_id)
    return attrs.evolve(credit, allocations=payment.allocations), new_invoice


def distinct_credits(credits: Iterable[CustomerCredit]) -> tuple[CustomerCredit, ...]:
    """Each credit once: the same credit given twice counts once (ADR 0046).

    Refused: two different credits under one id (``credit_id_conflict``) and two credits
    made from the same negative invoice (``credit_source_twice``): one credit invoice stands
    for one credit, however often it was read.
    """
    by_id: dict[str, CustomerCredit] = {}
    by_source: dict[str, str] = {}
    for credit in credits:
        seen = by_id.get(credit.id)
        if seen is not None:
            if seen != credit:
                raise OwedRefused(
                    "credit_id_conflict",
                    "credits",
                    f"two different customer credits share the id {credit.id!r}",
                    credit_id=credit.id,
                )
            continue
        if credit.source is CreditSource.NEGATIVE_INVOICE and credit.source_id is not None:
            other = by_source.get(credit.source_id)
            if other is not None:
                raise OwedRefused(
                    "credit_source_twice",
                    "credits",
                    f"credits {other!r} and {credit.id!r} both come from negative invoice "
                    f"{credit.source_id!r}; it stands for one credit",
                    credit_ids=(other, credit.id),
                    source_id=credit.source_id,
                )
            by_source[credit.source_id] = credit.id
        by_id[credit.id] = credit
    return tuple(by_id.values())


def available_credit(credits: Iterable[CustomerCredit], partner_id: str | None = None) -> MoneyBag:
    """What the partner (every partner when ``None``) can still spend, per currency; each
    credit counted once (:func:`distinct_credits`)."""
    return MoneyBag.of(
        remaining(c)
        for c in distinct_credits(credits)
        if partner_id is None or c.partner_id == partner_id
    )


def negative_invoice_credit(invoice: Invoice) -> Money:
    """The credit an issued invoice with a negative ``amount_due`` stands for (zero otherwise).

    A negative total reads as credit (``−amount_due``), never as a negative amount due; draft
    and void invoices stand for nothing.
    """
    if status_of(invoice) in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
        return invoice.money(0)
    due = invoice.amount_due
    return -due if due.is_negative() else invoice.money(0)


def credit_from_negative_invoice(
    invoice: Invoice, *, credit_id: str | None = None, at: dt.datetime
) -> CustomerCredit:
    """A customer credit for a negative (credit) invoice: ``−amount_due`` in its currency.

    The credit's id is derived from the invoice (``"credit_" + invoice id``) unless given, and
    it dates from the invoice's issue (``issued_at``; ``at`` only when it has none), so
    reading the same invoice twice, at any instants, gives the same credit, counted once by
    :func:`available_credit`.

    Refused when the invoice stands for no credit (``invoice_not_negative``).
    """
    require_aware("at", at)
    amount = negative_invoice_credit(invoice)
    if not amount.is_positive():
        raise OwedRefused(
            "invoice_not_negative",
            "amount_due",
            f"invoice {invoice.id!r} owes {invoice.amount_due}; only an issued negative "
            "invoice reads as credit",
            invoice_id=invoice.id,
            amount_due=invoice.amount_due,
        )
    return CustomerCredit(
        id=credit_id or f"credit_{invoice.id}",
        currency=invoice.currency,
        amount=amount,
        created_at=invoice.issued_at or at,
        source=CreditSource.NEGATIVE_INVOICE,
        source_id=invoice.id,
        partner_id=invoice.partner_id,
    )


def not_read_as_credit(
    invoices: Iterable[Invoice], credits: Iterable[CustomerCredit]
) -> tuple[Invoice, ...]:
    """``invoices`` without the negative invoices a credit among ``credits`` was made from:
    such an invoice *is* that credit (:func:`credit_from_negative_invoice`), so counting both
    would count it twice — once spent, its money shows on the invoices it paid too."""
    made_from = {
        c.source_id
        for c in distinct_credits(credits)
        if c.source is CreditSource.NEGATIVE_INVOICE and c.source_id is not None
    }
    return tuple(
        i for i in invoices if i.id not in made_from or not negative_invoice_credit(i).is_positive()
    )


def balance_net_of_credit(
    invoices: Iterable[Invoice],
    credits: Iterable[CustomerCredit],
    partner_id: str | None = None,
) -> MoneyBag:
    """What the partner owes per currency once its customer credit counts: the
    :func:`~stuut_domain.receivables.balance` of the invoices no credit was made from, less
    the credits' unspent remainder. A credit invoice read as customer credit and spent on
    another invoice counts once, where :func:`~stuut_domain.receivables.balance` of the
    invoices alone would count it twice (its negative ``amount_due`` and the lower
    ``amount_due`` of the invoice it paid)."""
    credits = distinct_credits(credits)
    owed = balance(not_read_as_credit(invoices, credits), partner_id)
    return owed - available_credit(credits, partner_id)
