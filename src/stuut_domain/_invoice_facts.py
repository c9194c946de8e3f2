"""Facts about an invoice's standing read straight from its fields (private).

Outreach and the partner figures need to know whether an invoice is a draft, void,
uncollectible or still owed. These readings come from the facts alone (``issued_at``,
``voided_at``, ``marked_uncollectible_at``, ``amount_due``, ``type``), never from the free-form
``status`` JSON. They are meant to be folded into the lifecycle's derived status once it exists,
so that one definition serves every rule.
"""

from __future__ import annotations

import datetime as dt

from stuut_domain.invoice import Invoice

__all__ = [
    "due_at",
    "is_draft",
    "is_finalised",
    "is_overdue",
    "is_owed",
    "is_payable",
    "is_uncollectible",
    "is_void",
]


def is_draft(invoice: Invoice) -> bool:
    """A draft has not been issued (no ``issued_at``): it is not yet owed by anyone."""
    return invoice.issued_at is None


def is_void(invoice: Invoice) -> bool:
    """A voided invoice (``voided_at`` set) is cancelled and never owed again."""
    return invoice.voided_at is not None


def is_uncollectible(invoice: Invoice) -> bool:
    """An invoice marked uncollectible (written off) is no longer pursued."""
    return invoice.marked_uncollectible_at is not None


def is_payable(invoice: Invoice) -> bool:
    """An accounts-payable invoice (``type == "payable"``); an absent type reads as receivable."""
    return invoice.type == "payable"


def is_finalised(invoice: Invoice) -> bool:
    """Issued, not void and not uncollectible: its ``amount_due`` counts in the balance."""
    return (
        invoice.issued_at is not None
        and invoice.voided_at is None
        and invoice.marked_uncollectible_at is None
    )


def is_owed(invoice: Invoice) -> bool:
    """An open receivable: finalised, not payable, with a positive ``amount_due``."""
    return is_finalised(invoice) and not is_payable(invoice) and invoice.amount_due.minor_units > 0


def due_at(invoice: Invoice) -> dt.datetime | None:
    """When the invoice falls due: its ``due_date``, else its issue (due on receipt)."""
    return invoice.due_date if invoice.due_date is not None else invoice.issued_at


def is_overdue(invoice: Invoice, at: dt.datetime) -> bool:
    """Owed and its due instant has passed at ``at`` (strictly after the due instant)."""
    due = due_at(invoice)
    return due is not None and is_owed(invoice) and at > due
