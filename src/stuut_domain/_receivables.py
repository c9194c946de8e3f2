"""The receivable facts the analytics and the simulator ask about (private).

Thin readings over :mod:`stuut_domain.lifecycle`, which owns the invoice status: which
invoices are still owed, and by how many calendar days they are late (negative before due,
which the lifecycle's ``days_past_due`` clamps to 0 and aging needs).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from stuut_domain.invoice import Invoice
from stuut_domain.lifecycle import InvoiceStatus, due_day, status_of

__all__ = ["days_past_due", "due_day", "is_open_receivable", "is_receivable", "issue_date_of"]

_OWED: Final = frozenset({InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID})


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
        is_receivable(invoice) and invoice.amount_due.is_positive() and status_of(invoice) in _OWED
    )


def issue_date_of(invoice: Invoice) -> dt.date | None:
    """The calendar date the invoice was issued (``issued_at`` as written), or ``None``."""
    return None if invoice.issued_at is None else invoice.issued_at.date()


def days_past_due(invoice: Invoice, on: dt.date) -> int | None:
    """Whole days from the due day to ``on``: 0 on the due day, negative before it."""
    due = due_day(invoice)
    return None if due is None else (on - due).days
