"""Minimal receivable facts the analytics need (private).

Which invoices are still owed, and by how many days they are late, on calendar dates.
Kept private and small on purpose: the lifecycle rules (``stuut_domain.lifecycle``) own
the invoice status; these helpers only answer what aging and forecasting ask.
"""

from __future__ import annotations

import datetime as dt

from stuut_domain.invoice import Invoice

__all__ = ["days_past_due", "due_date_of", "is_open_receivable", "issue_date_of"]


def is_open_receivable(invoice: Invoice) -> bool:
    """Owed to us and still collectable: not payable, not void, not uncollectible, due > 0.

    An invoice without ``type`` is taken as receivable (this is an AR library). A voided or
    written-off (``marked_uncollectible_at``) invoice is never aged nor chased, whatever its
    ``amount_due`` says.
    """
    return (
        invoice.type != "payable"
        and invoice.voided_at is None
        and invoice.marked_uncollectible_at is None
        and invoice.amount_due.is_positive()
    )


def due_date_of(invoice: Invoice) -> dt.date | None:
    """The calendar due date as the API wrote it (the datetime's own offset), or ``None``.

    ERPs send due dates as midnight of a day; moving that instant into another zone would
    shift the day, so the date is read in the offset it was written in.
    """
    return None if invoice.due_date is None else invoice.due_date.date()


def issue_date_of(invoice: Invoice) -> dt.date | None:
    """The calendar date the invoice was issued (``issued_at``, else ``created_at``)."""
    when = invoice.issued_at or invoice.created_at
    return None if when is None else when.date()


def days_past_due(invoice: Invoice, on: dt.date) -> int | None:
    """Whole days between the due date and ``on``: 0 on the due date, negative before it."""
    due = due_date_of(invoice)
    return None if due is None else (on - due).days
