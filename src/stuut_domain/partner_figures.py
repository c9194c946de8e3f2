"""A partner's derived figures, computed from its invoices rather than trusted from the wire.

The API sends ``num_open_invoices``, ``invoice_balance`` and ``total_overdue`` on the partner,
in one currency. A partner can owe in several currencies, and the remote figures can lag the
invoices, so the figures here are recomputed from the invoices, per currency, at an instant.
Where an invoice stands comes from :func:`stuut_domain.lifecycle.status_of`; overdue is
:func:`stuut_domain.lifecycle.is_overdue` (a due date is a whole day).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from stuut_domain._receivables import is_open_receivable, is_receivable
from stuut_domain._validators import aware
from stuut_domain.errors import NaiveDatetime
from stuut_domain.invoice import Invoice
from stuut_domain.lifecycle import InvoiceStatus, due_day, is_overdue, status_of
from stuut_domain.money import MoneyBag
from stuut_domain.partner import Partner

__all__ = [
    "PartnerFigures",
    "balance",
    "is_receivable",
    "open_invoices",
    "partner_figures",
    "total_overdue",
]

#: Statuses whose ``amount_due`` counts in the balance (credits included, written-off not).
_IN_BALANCE = frozenset({InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID})


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
    uncollectible (written-off) invoices and payables do not count.
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
    if at.utcoffset() is None:
        raise NaiveDatetime("at", at)
    return MoneyBag.of(
        i.amount_due
        for i in invoices
        if _belongs(i, partner_id) and is_open_receivable(i) and is_overdue(i, at)
    )


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
    if at.utcoffset() is None:
        raise NaiveDatetime("at", at)
    mine = tuple(i for i in invoices if _belongs(i, partner.id))
    return PartnerFigures(
        partner_id=partner.id,
        at=at,
        open_invoices=open_invoices(mine),
        balance=balance(mine),
        total_overdue=total_overdue(mine, at),
    )
