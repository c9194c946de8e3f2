"""Credit notes: documents that reduce what an invoice's partner owes, and what they took.

A :class:`CreditNote` credits one issued invoice, line by line (by amount, or by quantity at
a unit price), each line with its own tax rate rounded once per line. Applying it
(:func:`apply_credit_note`) first lowers the invoice's ``amount_due``, never below zero (the
*pre-payment* part); what exceeds it (the *post-payment* part: money already paid) is split
exactly, by the caller, into a refund, customer credit and an out-of-band settlement
(Stripe's credit note model, ADR 0045). Voiding an applied note (:func:`void_credit_note`)
gives back exactly what it took. The note records its parts, so "credited" is derived from
the invoice's notes and never stored on the invoice.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Final

import attrs

from stuut_domain.display import compact
from stuut_domain.errors import InvalidRate, OwedRefused
from stuut_domain.invoice import Invoice, InvoiceStatus, status_of
from stuut_domain.money import Money, convert, exact_rate
from stuut_domain.owed.fields import (
    MAX_QUANTITY,
    MAX_TAX_RATE,
    check_decimal,
    enum_of,
    money_field,
    optional_money_field,
    tuple_of,
)
from stuut_domain.types import Sourced
from stuut_domain.validators import aware, currency_code, require_aware

__all__ = [
    "NOTE_PARTS",
    "CreditNote",
    "CreditNoteLine",
    "CreditNoteReason",
    "CreditNoteStatus",
    "PostPaymentSplit",
    "credited_amount",
    "credited_in_invoice_currency",
    "line_total",
    "note_total",
]


class CreditNoteStatus(enum.StrEnum):
    """``issued``: the note counts. ``void``: cancelled, it takes nothing (``voided_at``)."""

    ISSUED = "issued"
    VOID = "void"


class CreditNoteReason(enum.StrEnum):
    """Why the note was issued (Stripe's reasons, and ``dispute`` for a dispute credited).

    The field is open text on the entity: other systems' reasons load as they are.
    """

    DUPLICATE = "duplicate"
    FRAUDULENT = "fraudulent"
    ORDER_CHANGE = "order_change"
    PRODUCT_UNSATISFACTORY = "product_unsatisfactory"
    DISPUTE = "dispute"


def _rate_value(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        check_decimal("note_tax_rate", attribute.name, value, limit=MAX_TAX_RATE)


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class CreditNoteLine(Sourced):
    """One credited line: by ``amount`` (net of tax), or by ``quantity`` × ``unit_amount``.

    Rule: exactly one of the two forms (``note_line_form`` otherwise). The line's tax is
    ``tax_rate`` × net, rounded half-even to the minor unit **on this line** (per-line
    rounding, as invoices do it); :func:`line_total` is net + tax. ``line_item_remote_id``
    names the invoice line it credits, when it credits one.
    """

    currency: str = attrs.field(validator=currency_code)
    amount: Money | None = attrs.field(default=None, validator=optional_money_field)
    quantity: Decimal | None = None
    unit_amount: Money | None = attrs.field(default=None, validator=optional_money_field)
    tax_rate: Decimal | None = attrs.field(default=None, validator=_rate_value)
    line_item_remote_id: str | None = None
    description: str | None = None

    def __attrs_post_init__(self) -> None:
        by_amount = self.amount is not None
        by_quantity = self.quantity is not None or self.unit_amount is not None
        if by_amount == by_quantity or (
            by_quantity and (self.quantity is None or self.unit_amount is None)
        ):
            raise OwedRefused(
                "note_line_form",
                "amount",
                "a credit note line is by amount or by quantity and unit_amount, never both",
                amount=self.amount,
                quantity=self.quantity,
                unit_amount=self.unit_amount,
            )
        quantity: object = self.quantity
        if quantity is not None:
            check_decimal("note_line_quantity", "quantity", quantity, limit=MAX_QUANTITY)
            if not quantity:
                raise OwedRefused(
                    "note_line_quantity",
                    "quantity",
                    f"a credited quantity is above zero, not {quantity!r}",
                    value=quantity,
                )

    @property
    def net(self) -> Money:
        """The line before tax: ``amount``, or quantity × unit price rounded half-even once."""
        if self.quantity is not None and self.unit_amount is not None:
            return _times(self.unit_amount, self.quantity)
        if self.amount is None:  # __attrs_post_init__ refuses it; kept for the type checker
            raise OwedRefused("note_line_form", "amount", "a line needs an amount")
        return self.amount

    @property
    def tax(self) -> Money:
        """The line's tax: ``tax_rate`` × net, rounded half-even on this line."""
        net = self.net
        if not self.tax_rate:
            return Money.zero(self.currency)
        return _times(net, self.tax_rate)


def _times(money: Money, factor: Decimal) -> Money:
    """``money`` × an exact decimal ``factor``, rounded half-even once, to the minor unit."""
    return Money(round(money.minor_units * Fraction(factor)), money.code)


def line_total(line: CreditNoteLine) -> Money:
    """What one line credits: its net plus its own rounded tax."""
    return line.net + line.tax


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class PostPaymentSplit:
    """How the post-payment part of a note is settled, in the invoice's currency.

    ``refund`` goes back to the payer, ``customer_credit`` becomes a
    :class:`~stuut_domain.owed.customer_credit.CustomerCredit` other invoices can spend, and
    ``out_of_band`` was settled outside the books (cash, a cheque). The three must add up to
    the post-payment part exactly, to the minor unit (``post_payment_split_mismatch``).
    """

    currency: str = attrs.field(validator=currency_code)
    refund: Money = attrs.field(validator=money_field)
    customer_credit: Money = attrs.field(validator=money_field)
    out_of_band: Money = attrs.field(validator=money_field)

    @classmethod
    def of(
        cls,
        currency: str,
        *,
        refund: int = 0,
        customer_credit: int = 0,
        out_of_band: int = 0,
    ) -> PostPaymentSplit:
        """A split from minor units in ``currency`` (``PostPaymentSplit.of("USD", refund=500)``).

        Each part is an int of minor units (``post_payment_split_type`` otherwise).
        """
        for name, units in (
            ("refund", refund),
            ("customer_credit", customer_credit),
            ("out_of_band", out_of_band),
        ):
            if type(units) is not int:
                raise OwedRefused(
                    "post_payment_split_type",
                    name,
                    f"{name} is an int of minor units, not {units!r}",
                    value=units,
                )
        return cls(
            currency=currency,
            refund=Money(refund, currency),
            customer_credit=Money(customer_credit, currency),
            out_of_band=Money(out_of_band, currency),
        )

    @property
    def total(self) -> Money:
        """refund + customer credit + out of band."""
        return self.refund + self.customer_credit + self.out_of_band


#: The applied parts of a note, in the invoice's currency (its ``parts_currency``).
NOTE_PARTS: Final = (
    "pre_payment_amount",
    "post_payment_amount",
    "refund_amount",
    "credit_amount",
    "out_of_band_amount",
)


_to_note_status = enum_of(CreditNoteStatus, "note_status", "status")


def _note_status(value: Any) -> CreditNoteStatus:
    """The status as :class:`CreditNoteStatus` (``"issued"`` converted; ``note_status``)."""
    return _to_note_status(value)


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class CreditNote(Sourced):
    """A credit note on one invoice: its lines, reason, status and, once applied, its parts.

    Amounts are in the note's ``currency``. A note in another currency than its invoice's
    carries ``exchange_rate`` (one major unit of the note's currency = ``exchange_rate`` of the
    invoice's, kept exact); it credits ``floor(total × rate)`` of the invoice's currency, never
    more than it is worth. The parts ``pre_payment_amount``, ``post_payment_amount``,
    ``refund_amount``, ``credit_amount`` and ``out_of_band_amount`` (invoice currency, Stripe's
    names) are ``None`` until :func:`apply_credit_note` sets them; they are what a void gives
    back. ``customer_credit_id`` names the credit the note created.

    ``invoice_currency`` names the currency of those parts when it is not the note's own
    (ADR 0072); ``None`` means the note's ``currency``. Rules when built: every part is
    :class:`Money` in :attr:`parts_currency` (``note_part_currency``), and an
    ``invoice_currency`` other than ``currency`` needs the ``exchange_rate`` that links them
    (``note_rate_missing``).
    """

    id: str
    invoice_id: str
    currency: str = attrs.field(validator=currency_code)
    lines: tuple[CreditNoteLine, ...] = attrs.field(
        validator=tuple_of(CreditNoteLine, "note_lines_type")
    )
    effective_at: dt.datetime = attrs.field(validator=aware)
    status: CreditNoteStatus = attrs.field(
        default=CreditNoteStatus.ISSUED,
        converter=_note_status,
    )
    reason: str | None = None
    number: str | None = None
    memo: str | None = None
    partner_id: str | None = None
    exchange_rate: Decimal | None = None
    invoice_currency: str | None = attrs.field(default=None, validator=currency_code)
    voided_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    applied_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    pre_payment_amount: Money | None = None
    post_payment_amount: Money | None = None
    refund_amount: Money | None = None
    credit_amount: Money | None = None
    out_of_band_amount: Money | None = None
    customer_credit_id: str | None = None
    dispute_id: str | None = None

    def __attrs_post_init__(self) -> None:
        if not self.lines:
            raise OwedRefused("note_without_lines", "lines", f"credit note {self.id!r} is empty")
        for index, line in enumerate(self.lines):
            if line.currency != self.currency:
                raise OwedRefused(
                    "note_line_currency",
                    f"lines[{index}].currency",
                    f"line is in {line.currency}, the note in {self.currency}",
                    line_currency=line.currency,
                    note_currency=self.currency,
                )
            if not line_total(line).is_positive():
                raise OwedRefused(
                    "note_line_not_positive",
                    f"lines[{index}]",
                    f"a credited line is above zero, not {line_total(line)}",
                    total=line_total(line),
                )
        self._check_parts()

    def _check_parts(self) -> None:
        expected = self.parts_currency
        if expected != self.currency and self.exchange_rate is None:
            raise OwedRefused(
                "note_rate_missing",
                "exchange_rate",
                f"credit note {self.id!r} is in {self.currency} and its invoice in {expected}; "
                "give the exchange_rate",
                note_currency=self.currency,
                invoice_currency=expected,
            )
        for name in NOTE_PARTS:
            part: object = getattr(self, name)
            if part is None:
                continue
            if not isinstance(part, Money):
                raise OwedRefused(
                    "money_type", name, f"CreditNote.{name} is Money, not {part!r}", value=part
                )
            if part.code != expected:
                raise OwedRefused(
                    "note_part_currency",
                    name,
                    f"{name} is in {part.code}, but the note's parts are in {expected} "
                    "(its invoice_currency, else its currency)",
                    part=part,
                    parts_currency=expected,
                )

    @property
    def parts_currency(self) -> str:
        """The currency of the applied parts: ``invoice_currency``, else the note's own."""
        return self.invoice_currency or self.currency

    @property
    def is_issued(self) -> bool:
        """Whether the note counts (issued, not void)."""
        return self.status is CreditNoteStatus.ISSUED and self.voided_at is None

    @property
    def is_applied(self) -> bool:
        """Whether :func:`apply_credit_note` has recorded its parts."""
        return self.pre_payment_amount is not None


def note_total(note: CreditNote) -> Money:
    """The note's total in its own currency: the sum of its lines, each rounded on its own."""
    totals = [line_total(line) for line in note.lines]
    return sum(totals[1:], totals[0])


def _rate(note: CreditNote) -> Fraction:
    rate = note.exchange_rate
    try:
        if rate is None:
            raise InvalidRate(rate, "no rate")
        return exact_rate(rate)
    except (InvalidRate, TypeError, ValueError, InvalidOperation):
        raise OwedRefused(
            "note_rate_invalid",
            "exchange_rate",
            f"credit note {note.id!r} has exchange_rate {note.exchange_rate!r}",
            exchange_rate=note.exchange_rate,
        ) from None


def credited_in_invoice_currency(note: CreditNote, invoice_currency: str) -> Money:
    """What the note credits in the invoice's currency.

    Same currency: :func:`note_total`. Another currency only through the note's
    ``exchange_rate`` (``note_rate_missing`` without one), rounded down once (the exchange
    rules of ADR 0012: money never buys more than it is worth).
    """
    total = note_total(note)
    if note.currency == invoice_currency:
        return total
    if note.exchange_rate is None:
        raise OwedRefused(
            "note_rate_missing",
            "exchange_rate",
            f"credit note {note.id!r} is in {note.currency} and the invoice in "
            f"{invoice_currency}; give the exchange_rate",
            note_currency=note.currency,
            invoice_currency=invoice_currency,
        )
    return convert(total, _rate(note), invoice_currency, rounding=ROUND_FLOOR)


def parts_refusal(note: CreditNote, invoice: Invoice) -> OwedRefused | None:
    """``note_parts_currency`` when an applied note of ``invoice`` holds its parts in another
    currency than the invoice's (a note read from the wire in EUR, its parts written without
    ``invoice_currency``, on a USD invoice): such parts cannot be what lowered its amount
    due. ``None`` otherwise."""
    if not note.is_applied or note.invoice_id != invoice.id:
        return None
    if note.parts_currency == invoice.currency:
        return None
    return OwedRefused(
        "note_parts_currency",
        "pre_payment_amount",
        f"credit note {note.id!r} holds its applied parts in {note.parts_currency}, but "
        f"invoice {invoice.id!r} is in {invoice.currency}",
        note_id=note.id,
        parts_currency=note.parts_currency,
        invoice_currency=invoice.currency,
    )


def credited_amount(notes: Iterable[CreditNote], invoice: Invoice) -> Money:
    """The pre-payment credit of ``invoice``'s issued, applied notes: what lowered amount_due.

    ``amount_due = total_amount − amount_paid − credited_amount`` (ADR 0045). A note whose
    parts are in another currency than the invoice's is refused (``note_parts_currency``).
    """
    total = invoice.money(0)
    for n in notes:
        if n.invoice_id != invoice.id or not n.is_issued or n.pre_payment_amount is None:
            continue
        refusal = parts_refusal(n, invoice)
        if refusal is not None:
            raise refusal
        total += n.pre_payment_amount
    return total


def issued_total(notes: Iterable[CreditNote], invoice: Invoice) -> Money:
    """Every issued note of ``invoice``, in its currency (pre- and post-payment together)."""
    parts = [
        credited_in_invoice_currency(n, invoice.currency)
        for n in notes
        if n.invoice_id == invoice.id and n.is_issued
    ]
    return sum(parts, invoice.money(0))


_ACCEPTS_NOTES = frozenset(
    {
        InvoiceStatus.OPEN,
        InvoiceStatus.PARTIALLY_PAID,
        InvoiceStatus.PAID,
        InvoiceStatus.UNCOLLECTIBLE,
    }
)


def unissued_refusal(
    invoice: Invoice, code: str, path: str, what: str, **values: object
) -> OwedRefused | None:
    """``code`` when ``invoice`` is a draft or void: credit notes, disputes and promises go
    only on issued, unvoided invoices (one rule for the three; ``what`` names them in the
    message; ``values`` join the invoice and its status). ``None`` for an open, partly paid,
    paid or uncollectible invoice."""
    status = status_of(invoice)
    if status in _ACCEPTS_NOTES:
        return None
    return OwedRefused(
        code,
        path,
        f"invoice {invoice.id!r} is {status}: {what} go only on issued, unvoided invoices",
        invoice_id=invoice.id,
        status=str(status),
        **values,
    )


def check_note_target(invoice: Invoice, note: CreditNote) -> InvoiceStatus:
    """Refuse a note on another invoice (``note_invoice_mismatch``) or another partner's
    (``note_partner_mismatch``, when both name one), or on a draft or void one
    (``note_on_unissued_invoice``), or a note whose ``invoice_currency`` is not the invoice's
    (``note_invoice_currency``); the invoice's status otherwise."""
    if note.invoice_id != invoice.id:
        raise OwedRefused(
            "note_invoice_mismatch",
            "invoice_id",
            f"credit note {note.id!r} is for invoice {note.invoice_id!r}, not {invoice.id!r}",
            note_invoice_id=note.invoice_id,
            invoice_id=invoice.id,
        )
    if None not in (note.partner_id, invoice.partner_id) and note.partner_id != invoice.partner_id:
        raise OwedRefused(
            "note_partner_mismatch",
            "partner_id",
            f"credit note {note.id!r} is {note.partner_id!r}'s, invoice {invoice.id!r} "
            f"{invoice.partner_id!r}'s",
            partner_id=note.partner_id,
            invoice_partner_id=invoice.partner_id,
        )
    if note.invoice_currency is not None and note.invoice_currency != invoice.currency:
        raise OwedRefused(
            "note_invoice_currency",
            "invoice_currency",
            f"credit note {note.id!r} names invoice currency {note.invoice_currency}, but "
            f"invoice {invoice.id!r} is in {invoice.currency}",
            note_invoice_currency=note.invoice_currency,
            invoice_currency=invoice.currency,
        )
    refusal = unissued_refusal(invoice, "note_on_unissued_invoice", "invoice_id", "credit notes")
    if refusal is not None:
        raise refusal
    return status_of(invoice)


def _require(at: dt.datetime) -> None:
    require_aware("at", at)


def same_notes(notes: Sequence[CreditNote], note: CreditNote) -> tuple[CreditNote, ...]:
    """The other issued notes of the note's invoice (the note itself left out by id)."""
    return tuple(n for n in notes if n.id != note.id and n.invoice_id == note.invoice_id)
