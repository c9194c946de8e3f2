"""The invariants of what is owed once credit notes count, and the credited status.

:func:`check_credited_invoice` is :func:`stuut_domain.invariants.check_invoice` with the
invoice's credit notes taken into account: its ``amount_due_mismatch`` rule becomes
``amount_due = total − paid − credited`` (``credited_amount_due_mismatch``), and the notes' own
rules are added (:data:`OWED_RULES`). Every finding is a
:class:`~stuut_domain.errors.Violation`; nothing is raised (ADR 0007).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from typing import Final

from stuut_domain.errors import OwedRefused, Violation
from stuut_domain.invariants import check_invoice
from stuut_domain.invoice import Invoice, InvoiceStatus, status_of
from stuut_domain.owed.credit_note import (
    CreditNote,
    credited_amount,
    credited_in_invoice_currency,
)

__all__ = ["OWED_RULES", "OwedStatus", "check_credited_invoice", "owed_status"]

#: The rules of credit notes on an invoice: code -> the business rule, in words.
OWED_RULES: Final[Mapping[str, str]] = {
    "credited_amount_due_mismatch": (
        "amount_due = total_amount − amount_paid − credited (the pre-payment parts of the "
        "invoice's issued notes)"
    ),
    "amount_due_negative": "a receivable with a positive total never owes a negative amount",
    "notes_exceed_total": (
        "the issued notes of an invoice never exceed its total, in its currency, in minor "
        "units after per-line rounding"
    ),
    "note_on_unissued_invoice": "no issued note on a draft or void invoice",
    "note_rate_missing": "a note in another currency carries its exchange_rate",
    "note_parts_mismatch": (
        "an applied note's pre- and post-payment parts add up to what it credits"
    ),
    "post_payment_split_mismatch": (
        "an applied note's post-payment part = refund + customer credit + out of band"
    ),
}


class OwedStatus(enum.StrEnum):
    """The invoice's status once its credit notes count: :class:`InvoiceStatus`, plus
    ``credited`` for an issued invoice that notes settled in full before it was paid in full
    (Odoo's ``reversed``): nothing is due, less than the total was paid."""

    DRAFT = "draft"
    OPEN = "open"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"
    CREDITED = "credited"


def owed_status(invoice: Invoice, notes: Sequence[CreditNote]) -> OwedStatus:
    """``credited`` when issued notes took what was left to pay (``amount_due`` zero, less
    than the total paid, something credited); otherwise :func:`status_of`'s status."""
    status = status_of(invoice)
    if (
        status in (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.UNCOLLECTIBLE)
        and invoice.amount_due.is_zero()
        and credited_amount(notes, invoice).is_positive()
    ):
        return OwedStatus.CREDITED
    return OwedStatus(status.value)


def check_credited_invoice(invoice: Invoice, notes: Sequence[CreditNote]) -> tuple[Violation, ...]:
    """Every rule the invoice and its notes break: :func:`check_invoice`'s, with amount due
    read net of credit, then :data:`OWED_RULES` in order. Notes of other invoices are ignored."""
    own = tuple(n for n in notes if n.invoice_id == invoice.id)
    base = tuple(v for v in check_invoice(invoice) if v.code != "amount_due_mismatch")
    found = [*base]
    for rule in (_credited_amount_due, _amount_due_negative, _notes_exceed_total):
        found.extend(rule(invoice, own))
    for index, note in enumerate(own):
        found.extend(_note_rules(invoice, f"credit_notes[{index}]", note))
    return tuple(found)


def _credited_amount_due(inv: Invoice, notes: Sequence[CreditNote]) -> Iterator[Violation]:
    credited = credited_amount(notes, inv)
    expected = inv.total_amount - inv.amount_paid_or_zero - credited
    if inv.amount_due != expected:
        yield Violation(
            code="credited_amount_due_mismatch",
            path="amount_due",
            message=(
                f"amount_due is {inv.amount_due} but total_amount − amount_paid − credited is "
                f"{expected}"
            ),
            values={
                "amount_due": inv.amount_due,
                "total_amount": inv.total_amount,
                "amount_paid": inv.amount_paid_or_zero,
                "credited": credited,
            },
        )


def _amount_due_negative(inv: Invoice, notes: Sequence[CreditNote]) -> Iterator[Violation]:
    del notes
    if inv.total_amount.is_positive() and inv.amount_due.is_negative():
        yield Violation(
            code="amount_due_negative",
            path="amount_due",
            message=f"amount_due is {inv.amount_due} on a total of {inv.total_amount}",
            values={"amount_due": inv.amount_due, "total_amount": inv.total_amount},
        )


def _notes_exceed_total(inv: Invoice, notes: Sequence[CreditNote]) -> Iterator[Violation]:
    total = inv.money(0)
    for note in notes:
        if not note.is_issued:
            continue
        try:
            total += credited_in_invoice_currency(note, inv.currency)
        except OwedRefused:
            continue  # reported by note_rate_missing
    if total.is_positive() and total > inv.total_amount:
        yield Violation(
            code="notes_exceed_total",
            path="credit_notes",
            message=f"issued notes credit {total}, above the total of {inv.total_amount}",
            values={"credited": total, "total_amount": inv.total_amount},
        )


def _note_rules(inv: Invoice, path: str, note: CreditNote) -> Iterator[Violation]:
    if not note.is_issued:
        return
    status = status_of(inv)
    if status in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
        yield Violation(
            code="note_on_unissued_invoice",
            path=f"{path}.invoice_id",
            message=f"issued note {note.id} is on a {status} invoice",
            values={"note_id": note.id, "status": str(status)},
        )
    try:
        credited = credited_in_invoice_currency(note, inv.currency)
    except OwedRefused:
        yield Violation(
            code="note_rate_missing",
            path=f"{path}.exchange_rate",
            message=f"note {note.id} is in {note.currency} without a usable exchange_rate",
            values={"note_currency": note.currency, "invoice_currency": inv.currency},
        )
        return
    pre, post = note.pre_payment_amount, note.post_payment_amount
    if pre is None or post is None:
        return
    if pre + post != credited:
        yield Violation(
            code="note_parts_mismatch",
            path=path,
            message=f"pre {pre} + post {post} is not the {credited} the note credits",
            values={"pre_payment": pre, "post_payment": post, "credited": credited},
        )
    parts = [note.refund_amount, note.credit_amount, note.out_of_band_amount]
    split = sum((p for p in parts if p is not None), inv.money(0))
    if split != post:
        yield Violation(
            code="post_payment_split_mismatch",
            path=path,
            message=f"refund + credit + out of band is {split}, the post-payment part {post}",
            values={"split": split, "post_payment": post},
        )
