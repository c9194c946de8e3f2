"""What is owed: the receivable readings and a partner's figures, computed from invoices.

One home, one spelling, for "what is owed". Where an invoice stands comes from
:func:`stuut_domain.invoice.status_of`; overdue is :func:`stuut_domain.lifecycle.is_overdue`
(a due date is a whole day). The API sends ``num_open_invoices``, ``invoice_balance`` and
``total_overdue`` on the partner, in one currency; a partner can owe in several currencies and
the remote figures can lag the invoices, so the figures here are recomputed from the
invoices, per currency, at an instant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from stuut_domain.display import compact
from stuut_domain.invoice import OWED, Invoice, InvoiceStatus, status_of
from stuut_domain.lifecycle import due_day, is_overdue
from stuut_domain.money import MoneyBag
from stuut_domain.partner import Partner
from stuut_domain.validators import aware, require_aware

__all__ = [
    "PartnerFigures",
    "balance",
    "days_from_due",
    "due_day",
    "is_open_receivable",
    "is_receivable",
    "issue_date_of",
    "open_invoices",
    "partner_figures",
    "total_overdue",
]


def is_receivable(invoice: Invoice) -> bool:
    """An accounts-receivable invoice; an absent ``type`` reads as receivable (the API is AR)."""
    return invoice.type != "payable"


def is_open_receivable(invoice: Invoice) -> bool:
    """Owed to us and still collected: a receivable, ``open`` or ``partially_paid``, due > 0.

    An invoice without ``type`` is a receivable (this is an AR library). Drafts, void, paid
    and written-off (uncollectible) invoices are never aged, forecast nor chased, whatever
    their ``amount_due`` says.
    """
    return (
        is_receivable(invoice) and invoice.amount_due.is_positive() and status_of(invoice) in OWED
    )


def issue_date_of(invoice: Invoice) -> dt.date | None:
    """The calendar date the invoice was issued (``issued_at`` as written), or ``None``."""
    return None if invoice.issued_at is None else invoice.issued_at.date()


def days_from_due(invoice: Invoice, on: dt.date) -> int | None:
    """Signed whole days from the due day to the calendar date ``on``: 0 on the due day,
    negative before it, ``None`` without a due date (the aging report's reading).

    Not :func:`stuut_domain.lifecycle.days_past_due`, which reads an instant in the partner's
    zone and is never negative: this one reads a date the caller already chose, and keeps the
    sign so "due in 5 days" and "5 days late" stay apart.
    """
    due = due_day(invoice)
    return None if due is None else (on - due).days


#: Statuses whose ``amount_due`` counts in the balance (credits included, written-off not).
_IN_BALANCE = OWED | {InvoiceStatus.PAID}


def _belongs(invoice: Invoice, partner_id: str | None) -> bool:
    return partner_id is None or invoice.partner_id is None or invoice.partner_id == partner_id


def open_invoices(
    invoices: Iterable[Invoice], partner_id: str | None = None
) -> tuple[Invoice, ...]:
    """The open receivables: ``open`` or ``partially_paid`` with a positive ``amount_due``.

    Ordered by due day (no due date: by issue day), then invoice number. With ``partner_id``,
    invoices that name another partner are left out.
    """

    def key(invoice: Invoice) -> tuple[dt.date, str]:
        day = due_day(invoice)
        if day is None:
            day = invoice.issued_at.date() if invoice.issued_at is not None else dt.date.max
        return day, invoice.number or ""

    chosen = [i for i in invoices if _belongs(i, partner_id) and is_open_receivable(i)]
    return tuple(sorted(chosen, key=key))


def balance(invoices: Iterable[Invoice], partner_id: str | None = None) -> MoneyBag:
    """What the partner owes per currency: ``amount_due`` of every issued receivable.

    Credits (a negative ``amount_due``) reduce the balance in their currency; drafts, void and
    uncollectible (written-off) invoices and payables do not count. Once a credit invoice's
    credit is read as customer credit and spent on another invoice, the invoices alone count
    it twice: use :func:`stuut_domain.owed.balance_net_of_credit` with the credits.
    """
    return MoneyBag.of(
        i.amount_due
        for i in invoices
        if _belongs(i, partner_id) and is_receivable(i) and status_of(i) in _IN_BALANCE
    )


def total_overdue(
    invoices: Iterable[Invoice], at: dt.datetime, partner_id: str | None = None
) -> MoneyBag:
    """The ``amount_due`` of open receivables overdue at ``at`` (the due day has passed), per
    currency. ``at`` must be timezone-aware (:class:`~stuut_domain.errors.NaiveDatetime`)."""
    require_aware("at", at)
    return MoneyBag.of(
        i.amount_due
        for i in invoices
        if _belongs(i, partner_id) and is_open_receivable(i) and is_overdue(i, at)
    )


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class PartnerFigures:
    """A partner's figures at one instant, computed from its invoices (each per currency)."""

    partner_id: str | None
    at: dt.datetime = attrs.field(validator=aware)
    open_invoices: tuple[Invoice, ...]
    balance: MoneyBag
    total_overdue: MoneyBag

    @property
    def num_open_invoices(self) -> int:
        """How many receivables are still owed."""
        return len(self.open_invoices)

    def as_record(self) -> dict[str, object]:
        """A plain row for a DataFrame: counts and per-currency totals as strings."""
        return {
            "partner_id": self.partner_id,
            "at": self.at.isoformat(),
            "num_open_invoices": self.num_open_invoices,
            "balance": ", ".join(str(m) for m in self.balance.values()),
            "total_overdue": ", ".join(str(m) for m in self.total_overdue.values()),
        }


def partner_figures(
    partner: Partner, invoices: Iterable[Invoice], at: dt.datetime
) -> PartnerFigures:
    """The partner's open invoices, balance and total overdue at ``at``, from ``invoices``.

    Invoices that name another partner are ignored, so a whole portfolio may be passed.
    """
    require_aware("at", at)
    mine = tuple(i for i in invoices if _belongs(i, partner.id))
    return PartnerFigures(
        partner_id=partner.id,
        at=at,
        open_invoices=open_invoices(mine),
        balance=balance(mine),
        total_overdue=total_overdue(mine, at),
    )
