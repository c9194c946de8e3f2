"""The invariants of what is owed once credit notes count, and the credited status.

:func:`check_credited_invoice` is :func:`stuut_domain.invariants.check_invoice` with the
invoice's credit notes taken into account: its ``amount_due_mismatch`` rule becomes
``amount_due = total − paid − credited`` (``credited_amount_due_mismatch``), and the notes' own
rules are added (:data:`OWED_RULES`). Every finding is a
:class:`~stuut_domain.errors.Violation`; nothing is raised (ADR 0007).

:func:`check_alone` runs, on one owed entity without its invoices, every rule that needs
none (ADR 0072): a note's parts against what it credits, a dispute's reasons and amounts, a
promise's own instants, a customer credit's allocations as the allocation engine's. The
rules that need the invoices are :func:`check_credited_invoice`'s,
:func:`~stuut_domain.owed.dispute.check_dispute`'s and
:func:`~stuut_domain.owed.promise.check_promise`'s.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Mapping, Sequence
from typing import Final

import attrs

from stuut_domain.errors import OwedRefused, Violation
from stuut_domain.invariants import check_invoice, check_payment
from stuut_domain.invoice import Invoice, InvoiceStatus, status_of
from stuut_domain.money import Money
from stuut_domain.owed.credit_note import (
    NOTE_PARTS,
    CreditNote,
    credited_amount,
    credited_in_invoice_currency,
    parts_refusal,
    unissued_refusal,
)
from stuut_domain.owed.customer_credit import CustomerCredit, as_payment
from stuut_domain.owed.dispute import DISPUTE_REASONS, Dispute, reason_refusal
from stuut_domain.owed.promise import Promise, date_refusals

__all__ = [
    "OWED_RULES",
    "OwedStatus",
    "check_alone",
    "check_credited_invoice",
    "check_customer_credit",
    "check_dispute_alone",
    "check_note",
    "check_promise_alone",
    "owed_status",
    "violation_of",
]

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
    "note_part_negative": "an applied note's parts are zero or more",
    "note_parts_currency": "an applied note's parts are in its invoice's currency",
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
    refusals = [parts_refusal(n, invoice) for n in own]
    usable = tuple(n for n, r in zip(own, refusals, strict=True) if r is None)
    base = tuple(v for v in check_invoice(invoice) if v.code != "amount_due_mismatch")
    found = [*base]
    found.extend(_credited_amount_due(invoice, usable))
    found.extend(_amount_due_negative(invoice, own))
    found.extend(_notes_exceed_total(invoice, own))
    for index, (note, refusal) in enumerate(zip(own, refusals, strict=True)):
        path = f"credit_notes[{index}]"
        if refusal is not None:
            found.append(attrs.evolve(violation_of(refusal), path=f"{path}.{refusal.path}"))
            continue
        found.extend(_note_rules(invoice, path, note))
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
    unissued = unissued_refusal(
        inv, "note_on_unissued_invoice", f"{path}.invoice_id", "credit notes", note_id=note.id
    )
    if unissued is not None:
        yield violation_of(unissued)
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
    yield from _parts_rules(path, note, credited)


def _parts_rules(path: str, note: CreditNote, credited: Money) -> Iterator[Violation]:
    """An applied note's parts: none negative, pre + post = credited, post = the split."""
    for name in NOTE_PARTS:
        part = getattr(note, name)
        if part is not None and part.is_negative():
            yield Violation(
                code="note_part_negative",
                path=f"{path}.{name}" if path else name,
                message=f"{name} is {part}; an applied note's parts are zero or more",
                values={name: part},
            )
    pre, post = note.pre_payment_amount, note.post_payment_amount
    if pre is None or post is None:
        return
    if pre + post != credited:
        yield Violation(
            code="note_parts_mismatch",
            path=path or "$",
            message=f"pre {pre} + post {post} is not the {credited} the note credits",
            values={"pre_payment": pre, "post_payment": post, "credited": credited},
        )
    parts = [note.refund_amount, note.credit_amount, note.out_of_band_amount]
    split = sum((p for p in parts if p is not None), Money.zero(post.code))
    if split != post:
        yield Violation(
            code="post_payment_split_mismatch",
            path=path or "$",
            message=f"refund + credit + out of band is {split}, the post-payment part {post}",
            values={"split": split, "post_payment": post},
        )


def violation_of(error: OwedRefused) -> Violation:
    """An owed rule's refusal as the :class:`Violation` a check reports (same code, path)."""
    message = str(error).removeprefix(f"[{error.code}] {error.path}: ")
    return Violation(code=error.code, path=error.path, message=message, values=error.values)


def _before(
    code: str, path: str, later: dt.datetime | None, earlier: dt.datetime | None, what: str
) -> Iterator[Violation]:
    """``code`` when the instant at ``path`` comes before the one it follows (``what``)."""
    if later is not None and earlier is not None and later < earlier:
        yield Violation(
            code=code,
            path=path,
            message=f"{path} {later.isoformat()} is before {what} {earlier.isoformat()}",
            values={path: later, what.replace(" ", "_"): earlier},
        )


def check_note(note: CreditNote) -> tuple[Violation, ...]:
    """The rules of one credit note that need no invoice (an issued note; a void one takes
    nothing): a usable ``exchange_rate`` when its parts are in another currency
    (``note_rate_missing``), and, applied, parts of zero or more (``note_part_negative``),
    pre + post = what it credits in its parts' currency (``note_parts_mismatch``) and
    post = refund + credit + out of band (``post_payment_split_mismatch``); it is applied
    no earlier than it takes effect (``note_before_effective``)."""
    if not note.is_issued:
        return ()
    timing = tuple(
        _before(
            "note_before_effective",
            "applied_at",
            note.applied_at,
            note.effective_at,
            "effective at",
        )
    )
    return timing + _note_money(note)


def _note_money(note: CreditNote) -> tuple[Violation, ...]:
    try:
        credited = credited_in_invoice_currency(note, note.parts_currency)
    except OwedRefused:
        return (
            Violation(
                code="note_rate_missing",
                path="exchange_rate",
                message=f"note {note.id} is in {note.currency} without a usable exchange_rate",
                values={"note_currency": note.currency, "invoice_currency": note.parts_currency},
            ),
        )
    return tuple(_parts_rules("", note, credited))


def check_dispute_alone(
    dispute: Dispute, *, reasons: Mapping[str, str] = DISPUTE_REASONS
) -> tuple[Violation, ...]:
    """The rules of one dispute that need no invoice: at least one line
    (``dispute_without_lines``), each line's reason a known code (``dispute_reason_unknown``),
    its amount above zero (``dispute_amount``) and its approved amount at most the disputed
    one (``dispute_approved_exceeds``); resolved no earlier than opened
    (``dispute_resolved_before_opened``), and a resolution exactly when resolved
    (``dispute_resolution_mismatch``)."""
    if not dispute.lines:
        return (violation_of(OwedRefused("dispute_without_lines", "lines", "no line")),)
    found = list(
        _before(
            "dispute_resolved_before_opened",
            "resolved_at",
            dispute.resolved_at,
            dispute.opened_at,
            "opened at",
        )
    )
    if dispute.is_open == (dispute.resolution is not None):
        found.append(
            Violation(
                code="dispute_resolution_mismatch",
                path="resolution",
                message=f"a {dispute.status} dispute has resolution {dispute.resolution}; "
                "a resolved one has a resolution, an open one none",
                values={"status": str(dispute.status), "resolution": dispute.resolution},
            )
        )
    for index, line in enumerate(dispute.lines):
        path = f"lines[{index}]"
        refusal = reason_refusal(path, line, reasons)
        if refusal is not None:
            found.append(violation_of(refusal))
        if not line.amount.is_positive():
            found.append(
                Violation(
                    code="dispute_amount",
                    path=f"{path}.amount",
                    message=f"a disputed amount is above zero, not {line.amount}",
                    values={"amount": line.amount},
                )
            )
        approved = line.approved_amount
        if approved is not None and (approved.is_negative() or approved > line.amount):
            found.append(
                Violation(
                    code="dispute_approved_exceeds",
                    path=f"{path}.approved_amount",
                    message=f"the approved {approved} is from zero to the {line.amount} disputed",
                    values={"approved_amount": approved, "amount": line.amount},
                )
            )
    return tuple(found)


def check_promise_alone(promise: Promise, *, zone: dt.tzinfo = dt.UTC) -> tuple[Violation, ...]:
    """The rules of one promise that need no invoice: the promised day not before the day it
    was made in ``zone`` (``promise_dated_before_made``), acknowledged only after it was made
    (``promise_acknowledged_before_made``), ended (cancelled or superseded) only after it was
    made (``promise_ended_before_made``) and never superseded by itself
    (``promise_supersedes_itself``). Its amounts above zero, in one currency, each invoice
    once, are construction rules."""
    found = [violation_of(refusal) for refusal in date_refusals(promise, zone=zone)]
    for name in ("cancelled_at", "superseded_at"):
        found.extend(
            _before(
                "promise_ended_before_made",
                name,
                getattr(promise, name),
                promise.made_at,
                "made at",
            )
        )
    if promise.superseded_by == promise.id:
        found.append(
            Violation(
                code="promise_supersedes_itself",
                path="superseded_by",
                message=f"promise {promise.id!r} names itself as its replacement",
                values={"promise_id": promise.id},
            )
        )
    return tuple(found)


def check_customer_credit(credit: CustomerCredit) -> tuple[Violation, ...]:
    """The rules of one customer credit: its allocations keep the allocation engine's rules
    (:func:`~stuut_domain.invariants.check_payment` of the credit read as a payment, ADR
    0046: never more allocated than the credit, each allocation in its invoice's currency...),
    and it is voided only after it was created (``credit_voided_before_created``)."""
    timing = _before(
        "credit_voided_before_created",
        "voided_at",
        credit.voided_at,
        credit.created_at,
        "created at",
    )
    return (*timing, *check_payment(as_payment(credit)))


def check_alone(entity: CreditNote | CustomerCredit | Dispute | Promise) -> tuple[Violation, ...]:
    """Every rule of one owed entity that needs no invoice (see the four checks above)."""
    if isinstance(entity, CreditNote):
        return check_note(entity)
    if isinstance(entity, Dispute):
        return check_dispute_alone(entity)
    if isinstance(entity, Promise):
        return check_promise_alone(entity)
    return check_customer_credit(entity)
