"""Applying and voiding credit notes: the pre-/post-payment split, exact to the minor unit.

:func:`apply_credit_note` is pure: it returns the invoice with ``amount_due`` lowered by the
pre-payment part, the note with its parts recorded, and the customer credit its post-payment
part created, or raises :class:`~stuut_domain.errors.OwedRefused` with a stable code and
changes nothing. :func:`void_credit_note` gives back exactly what the note took (ADR 0045).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs

from stuut_domain.display import compact
from stuut_domain.errors import OwedRefused
from stuut_domain.invoice import Invoice, InvoiceStatus
from stuut_domain.lifecycle import pending_amount
from stuut_domain.money import Money
from stuut_domain.owed.credit_note import (
    CreditNote,
    CreditNoteStatus,
    PostPaymentSplit,
    check_note_target,
    credited_amount,
    credited_in_invoice_currency,
    issued_total,
    same_notes,
)
from stuut_domain.owed.customer_credit import CreditSource, CustomerCredit
from stuut_domain.validators import require_aware

__all__ = ["CreditApplication", "CreditVoid", "apply_credit_note", "void_credit_note"]


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class CreditApplication:
    """What applying a note did: the invoice and note after, the parts, the credit created.

    Money is conserved: ``pre_payment + post_payment`` is what the note credits (invoice
    currency), and ``post_payment = refund + customer_credit + out_of_band``.
    """

    invoice: Invoice
    note: CreditNote
    pre_payment: Money
    post_payment: Money
    split: PostPaymentSplit | None
    customer_credit: CustomerCredit | None

    @property
    def explanation(self) -> tuple[str, ...]:
        """One sentence per part."""
        lines = [
            f"credit note {self.note.id} lowers what invoice {self.invoice.id} owes by "
            f"{self.pre_payment} (pre-payment part); {self.invoice.amount_due} is now due"
        ]
        if self.split is not None:
            lines.append(
                f"its post-payment part of {self.post_payment} is settled as a refund of "
                f"{self.split.refund}, customer credit of {self.split.customer_credit} and "
                f"{self.split.out_of_band} out of band"
            )
        return tuple(lines)


def _split_for(
    note: CreditNote, invoice: Invoice, post: Money, disposition: PostPaymentSplit | None
) -> PostPaymentSplit | None:
    if disposition is None:
        if post.is_positive():
            raise OwedRefused(
                "post_payment_split_missing",
                "disposition",
                f"credit note {note.id!r} exceeds what invoice {invoice.id!r} owes by {post}; "
                "name how it is settled (refund, customer credit, out of band)",
                post_payment=post,
            )
        return None
    given: object = disposition
    if not isinstance(given, PostPaymentSplit):
        raise OwedRefused(
            "post_payment_split_type",
            "disposition",
            f"the disposition is a PostPaymentSplit or None, not {given!r}",
        )
    if disposition.currency != invoice.currency:
        raise OwedRefused(
            "post_payment_split_currency",
            "disposition.currency",
            f"the split is in {disposition.currency}, the invoice in {invoice.currency}",
            split_currency=disposition.currency,
            invoice_currency=invoice.currency,
        )
    for name in ("refund", "customer_credit", "out_of_band"):
        part: Money = getattr(disposition, name)
        if part.is_negative():
            raise OwedRefused(
                "post_payment_split_negative",
                f"disposition.{name}",
                f"{name} is {part}; every part of the split is zero or more",
                **{name: part},
            )
    if disposition.total != post:
        raise OwedRefused(
            "post_payment_split_mismatch",
            "disposition",
            f"the split adds up to {disposition.total} but the post-payment part is {post} "
            f"(off by {disposition.total - post})",
            split_total=disposition.total,
            post_payment=post,
            refund=disposition.refund,
            customer_credit=disposition.customer_credit,
            out_of_band=disposition.out_of_band,
        )
    return disposition if post.is_positive() else None


def _check_notes_argument(name: str, notes: Sequence[CreditNote]) -> None:
    """Refuse a list of the invoice's notes holding anything else (``note_earlier_type``)."""
    for index, other in enumerate(notes):
        if not isinstance(other, CreditNote):
            raise OwedRefused(
                "note_earlier_type",
                f"{name}[{index}]",
                f"{name} holds the invoice's CreditNotes, not {other!r}",
            )


def _check_agrees(invoice: Invoice, earlier: Sequence[CreditNote]) -> None:
    """Refuse an invoice whose ``amount_due`` disagrees with ``earlier``.

    Code ``invoice_notes_disagree``.

    Rule: the invoice a note is applied to owes exactly ``total − paid − credited(earlier)``.
    A stale invoice, or ``earlier`` left out while notes already lowered what is due, would
    otherwise let notes credit more than the total (ADR 0045).
    """
    credited = credited_amount(earlier, invoice)
    expected = invoice.total_amount - invoice.amount_paid_or_zero - credited
    if invoice.amount_due != expected:
        raise OwedRefused(
            "invoice_notes_disagree",
            "amount_due",
            f"invoice {invoice.id!r} owes {invoice.amount_due} but total − paid − credited by "
            f"its other notes is {expected}; pass the invoice as it is now and every other "
            "note of it (`earlier` when applying, `others` when voiding)",
            amount_due=invoice.amount_due,
            total_amount=invoice.total_amount,
            amount_paid=invoice.amount_paid_or_zero,
            credited=credited,
        )


def _check_pending(invoice: Invoice, pre: Money) -> None:
    """Refuse a pre-payment part that would leave less owed than the pending allocations
    wait to take (``note_over_pending``): approving them would then pay more than is due.
    Decide on the pending allocations first (approve or withdraw), then apply the note."""
    waiting = pending_amount(invoice)
    if waiting.is_positive() and pre.is_positive() and pre > invoice.amount_due - waiting:
        raise OwedRefused(
            "note_over_pending",
            "lines",
            f"invoice {invoice.id!r} owes {invoice.amount_due} with {waiting} pending "
            f"approval; a note lowering it by {pre} would leave the pending allocations more "
            "than is due: approve or withdraw them first",
            pre_payment=pre,
            amount_due=invoice.amount_due,
            pending=waiting,
        )


def apply_credit_note(
    invoice: Invoice,
    note: CreditNote,
    *,
    disposition: PostPaymentSplit | None,
    at: dt.datetime,
    earlier: Sequence[CreditNote],
    credit_id: str | None = None,
) -> CreditApplication:
    """Apply an issued credit note to its invoice (Stripe's pre/post-payment split, ADR 0045).

    The note first lowers ``amount_due``, never below zero: the pre-payment part is
    ``min(credited, max(amount_due, 0))``. The rest, the post-payment part (money already
    paid), must be split by ``disposition`` into refund + customer credit + out of band,
    exactly to the minor unit. A customer-credit part becomes a
    :class:`~stuut_domain.owed.customer_credit.CustomerCredit` (id ``credit_id``, default
    ``"credit_" + note id``). ``earlier`` are the invoice's notes already applied, ``()`` when
    there are none. It has no default: the function is pure, and a note whose money was
    already paid back (a post-payment note) leaves no trace on the invoice, so only
    ``earlier`` can show that a second note would credit beyond the total.

    Refused (:class:`~stuut_domain.errors.OwedRefused`, nothing changed): ``at`` before the
    invoice was issued (``note_before_issue``) or before the note takes effect
    (``note_before_effective``), a void note (``note_not_issued``), a note
    applied twice (``note_already_applied``), an invoice whose ``amount_due`` disagrees with
    ``earlier`` (``invoice_notes_disagree``: stale, or earlier notes left out), another
    invoice's note, a note worth nothing in the invoice's currency
    (``note_credits_nothing``), a draft or void invoice, another currency without
    ``exchange_rate``, notes above the invoice total after per-line rounding
    (``note_exceeds_total``), a post-payment part above what was paid
    (``note_exceeds_paid``) or on an uncollectible invoice (``uncollectible_post_payment``), a
    pre-payment part that would leave pending allocations more than is due
    (``note_over_pending``), earlier notes whose parts are in another currency
    (``note_parts_currency``), and a split that is missing, negative, in another currency or
    off by any amount.
    """
    require_aware("at", at)
    _check_notes_argument("earlier", earlier)
    status = check_note_target(invoice, note)
    if invoice.issued_at is not None and at < invoice.issued_at:
        raise OwedRefused(
            "note_before_issue",
            "at",
            f"{at.isoformat()} is before invoice {invoice.id!r} was issued",
            at=at,
            issued_at=invoice.issued_at,
        )
    if at < note.effective_at:
        raise OwedRefused(
            "note_before_effective",
            "at",
            f"{at.isoformat()} is before credit note {note.id!r} takes effect "
            f"({note.effective_at.isoformat()})",
            at=at,
            effective_at=note.effective_at,
        )
    if not note.is_issued:
        raise OwedRefused("note_not_issued", "status", f"credit note {note.id!r} is {note.status}")
    if note.is_applied or any(n.id == note.id for n in earlier):
        raise OwedRefused(
            "note_already_applied",
            "id",
            f"credit note {note.id!r} is already applied to invoice {invoice.id!r}",
            note_id=note.id,
        )
    _check_agrees(invoice, same_notes(earlier, note))
    credited = credited_in_invoice_currency(note, invoice.currency)
    if not credited.is_positive():
        raise OwedRefused(
            "note_credits_nothing",
            "exchange_rate",
            f"credit note {note.id!r} credits {credited} in {invoice.currency} at exchange rate "
            f"{note.exchange_rate}; a note credits something",
            credited=credited,
            exchange_rate=note.exchange_rate,
        )
    before = issued_total(same_notes(earlier, note), invoice)
    if before + credited > invoice.total_amount:
        raise OwedRefused(
            "note_exceeds_total",
            "lines",
            f"credit notes of {before + credited} (this one {credited}, after per-line "
            f"rounding) exceed invoice {invoice.id!r}'s total of {invoice.total_amount}",
            credited=credited,
            earlier=before,
            total_amount=invoice.total_amount,
        )
    room = max(invoice.amount_due, invoice.money(0))
    pre = min(credited, room)
    post = credited - pre
    _check_pending(invoice, pre)
    earlier_post = sum(
        (
            n.post_payment_amount
            for n in same_notes(earlier, note)
            if n.is_issued and n.post_payment_amount is not None
        ),
        invoice.money(0),
    )
    if post > invoice.amount_paid_or_zero - earlier_post:
        raise OwedRefused(
            "note_exceeds_paid",
            "lines",
            f"credit note {note.id!r} credits {post} beyond what is owed, but only "
            f"{invoice.amount_paid_or_zero - earlier_post} was paid and not yet credited",
            post_payment=post,
            amount_paid=invoice.amount_paid_or_zero,
            earlier_post_payment=earlier_post,
        )
    if post.is_positive() and status is InvoiceStatus.UNCOLLECTIBLE:
        raise OwedRefused(
            "uncollectible_post_payment",
            "lines",
            f"invoice {invoice.id!r} is written off: a note on it only lowers what is owed",
            post_payment=post,
        )
    split = _split_for(note, invoice, post, disposition)
    zero = invoice.money(0)
    credit = None
    new_credit_id = None
    if split is not None and split.customer_credit.is_positive():
        new_credit_id = credit_id or f"credit_{note.id}"
        credit = CustomerCredit(
            id=new_credit_id,
            currency=invoice.currency,
            amount=split.customer_credit,
            created_at=at,
            source=CreditSource.CREDIT_NOTE,
            source_id=note.id,
            partner_id=invoice.partner_id,
        )
    applied = attrs.evolve(
        note,
        applied_at=at,
        invoice_currency=(
            invoice.currency if note.currency != invoice.currency else note.invoice_currency
        ),
        pre_payment_amount=pre,
        post_payment_amount=post,
        refund_amount=zero if split is None else split.refund,
        credit_amount=zero if split is None else split.customer_credit,
        out_of_band_amount=zero if split is None else split.out_of_band,
        customer_credit_id=new_credit_id,
        partner_id=note.partner_id or invoice.partner_id,
    )
    new_invoice = attrs.evolve(invoice, amount_due=invoice.amount_due - pre) if pre else invoice
    return CreditApplication(
        invoice=new_invoice,
        note=applied,
        pre_payment=pre,
        post_payment=post,
        split=split,
        customer_credit=credit,
    )


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class CreditVoid:
    """What voiding a note gave back: the invoice and note after, and the credit voided."""

    invoice: Invoice
    note: CreditNote
    restored: Money
    customer_credit: CustomerCredit | None


def void_credit_note(
    invoice: Invoice,
    note: CreditNote,
    *,
    at: dt.datetime,
    others: Sequence[CreditNote],
    customer_credit: CustomerCredit | None = None,
) -> CreditVoid:
    """Void an applied note: ``amount_due`` gets back exactly its pre-payment part.

    ``others`` are the invoice's other notes (any status; ``()`` when there are none). The
    invoice must owe exactly ``total − paid − credited(note and others)``
    (``invoice_notes_disagree``), so voiding the same note twice, or a stale invoice, is
    refused; a note that ``others`` already holds as void is ``note_already_void``.

    The customer credit it created must be given and unspent; it is voided with the note (a
    voided note leaves no credit behind, the Lago bug). Refused: a note not applied or not
    issued (``note_not_applied``), a note whose money left the books as a refund or out of
    band (``note_settled_outside``: a void cannot take that back; issue an invoice instead),
    a void dated before the note was applied (``void_before_applied``), an invoice that
    disagrees with its notes (``invoice_notes_disagree``: stale, voided already, or ``others``
    left out), and a credit that is
    missing, another note's (``credit_missing``) or already spent (``credit_already_spent``).
    """
    require_aware("at", at)
    _check_notes_argument("others", others)
    check_note_target(invoice, note)
    if any(n.id == note.id and n.invoice_id == note.invoice_id and not n.is_issued for n in others):
        raise OwedRefused(
            "note_already_void",
            "status",
            f"credit note {note.id!r} is already void on invoice {invoice.id!r}",
            note_id=note.id,
        )
    if not note.is_issued or note.pre_payment_amount is None:
        raise OwedRefused(
            "note_not_applied",
            "status",
            f"credit note {note.id!r} is not an applied, issued note",
            status=str(note.status),
        )
    if (note.refund_amount or invoice.money(0)).is_positive() or (
        note.out_of_band_amount or invoice.money(0)
    ).is_positive():
        raise OwedRefused(
            "note_settled_outside",
            "refund_amount",
            f"credit note {note.id!r} was settled by a refund of {note.refund_amount} and "
            f"{note.out_of_band_amount} out of band; a void cannot take that money back",
            refund_amount=note.refund_amount,
            out_of_band_amount=note.out_of_band_amount,
        )
    if note.applied_at is not None and at < note.applied_at:
        raise OwedRefused(
            "void_before_applied",
            "at",
            f"{at.isoformat()} is before credit note {note.id!r} was applied",
            at=at,
            applied_at=note.applied_at,
        )
    _check_agrees(invoice, (note, *same_notes(others, note)))
    voided_credit = None
    if note.customer_credit_id is not None:
        if (
            not isinstance(customer_credit, CustomerCredit)
            or customer_credit.id != note.customer_credit_id
        ):
            raise OwedRefused(
                "credit_missing",
                "customer_credit",
                f"credit note {note.id!r} created customer credit {note.customer_credit_id!r}; "
                "give it to void the note",
                customer_credit_id=note.customer_credit_id,
            )
        if customer_credit.allocations:
            raise OwedRefused(
                "credit_already_spent",
                "customer_credit.allocations",
                f"customer credit {customer_credit.id!r} has {len(customer_credit.allocations)} "
                "allocation(s); withdraw them before voiding the note",
                customer_credit_id=customer_credit.id,
            )
        voided_credit = attrs.evolve(customer_credit, voided_at=at)
    restored = note.pre_payment_amount  # fits: the invoice agrees with its notes
    new_invoice = (
        attrs.evolve(invoice, amount_due=invoice.amount_due + restored) if restored else invoice
    )
    voided = attrs.evolve(note, status=CreditNoteStatus.VOID, voided_at=at)
    return CreditVoid(
        invoice=new_invoice, note=voided, restored=restored, customer_credit=voided_credit
    )
