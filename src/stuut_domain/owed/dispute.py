"""Disputes over part of what is owed: lines with amounts and reasons, and their resolution.

A :class:`Dispute` (Salesforce's Dispute and DisputeItem, Stuut's dispute cases) holds lines:
an invoice, optionally one of its line items, the disputed amount and a reason code from an
extensible set (:data:`DISPUTE_REASONS`). While it is open its lines are the *disputed* part of
what the invoice owes; the rest is *undisputed* and may still be chased (ADR 0048). It is
resolved as ``credited`` (credit notes for the approved amounts), ``rejected`` or
``withdrawn``. The wire flag ``Invoice.in_dispute`` stays readable: an invoice flagged with no
open dispute line reads as disputed in full.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

import attrs

from stuut_domain.display import compact
from stuut_domain.errors import OwedRefused
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money, MoneyBag
from stuut_domain.owed.credit_note import (
    CreditNote,
    CreditNoteLine,
    CreditNoteReason,
    unissued_refusal,
)
from stuut_domain.owed.fields import enum_of, optional_enum_of, tuple_of
from stuut_domain.types import Sourced
from stuut_domain.validators import aware, currency_code, require_aware

__all__ = [
    "DISPUTE_REASONS",
    "Dispute",
    "DisputeLine",
    "DisputeResolution",
    "DisputeStatus",
    "check_dispute",
    "check_disputes",
    "dispute_from_flag",
    "disputed_amount_due",
    "disputed_by_partner",
    "names_invoice",
    "resolve_dispute",
    "undisputed_amount_due",
]

#: The seeded reason codes (ServiceNow invoice case codes, JD Edwards chargeback reasons):
#: code -> what it means. Extensible: :func:`check_dispute` takes ``reasons=`` with more.
DISPUTE_REASONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "incorrect_price": "the price charged is not the agreed price",
        "incorrect_quantity": "the quantity billed is not what was delivered",
        "incorrect_product_or_service": "the product or service billed was not ordered",
        "incorrect_customer_details": "the invoice names the wrong customer details",
        "short_payment": "the customer paid less and disputes the difference",
        "disallowed_discount": "the customer took a discount that was not granted",
        "other": "another reason, told in the note",
    }
)


class DisputeStatus(enum.StrEnum):
    """``open``: the lines hold their amounts; ``resolved``: closed with a resolution."""

    OPEN = "open"
    RESOLVED = "resolved"


class DisputeResolution(enum.StrEnum):
    """How a dispute closed: ``credited`` (credit notes for the approved amounts),
    ``rejected`` (the invoice stands) or ``withdrawn`` (the customer dropped it)."""

    CREDITED = "credited"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


def _money(name: str) -> Any:
    def validate(_instance: Any, _attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None and name == "approved_amount":
            return
        if not isinstance(value, Money):
            raise OwedRefused(
                "dispute_amount", name, f"a disputed amount is Money, not {value!r}", amount=value
            )

    return validate


def _amount_code(line: Any) -> str | None:
    """The line's currency when none is given: its amount's (None for a refused amount)."""
    amount = line.amount
    return amount.code if isinstance(amount, Money) else None


def _amounts_in_currency(instance: Any, _attribute: attrs.Attribute[Any], code: Any) -> None:
    """The line's amounts are in its ``currency`` (``dispute_amount`` otherwise)."""
    for name in ("amount", "approved_amount"):
        value = getattr(instance, name)
        if isinstance(value, Money) and code is not None and value.code != code:
            raise OwedRefused(
                "dispute_amount",
                name,
                f"the line is in {code}, its {name} is {value}",
                amount=value,
                currency=code,
            )


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class DisputeLine(Sourced):
    """One disputed amount on one invoice (optionally one of its line items), with a reason.

    ``approved_amount`` is set when the dispute is credited: the part the seller accepts.
    Both are :class:`Money` (``dispute_amount`` otherwise) in the line's ``currency``, which
    is the amount's when not given: it is the field that says, on the wire, what currency the
    integer amounts are in (ADR 0055); another currency is refused (``dispute_amount``).
    """

    invoice_id: str
    amount: Money = attrs.field(validator=_money("amount"))
    reason: str
    line_item_remote_id: str | None = None
    approved_amount: Money | None = attrs.field(default=None, validator=_money("approved_amount"))
    note: str | None = None
    currency: str | None = attrs.field(
        default=attrs.Factory(_amount_code, takes_self=True),
        validator=[currency_code, _amounts_in_currency],
    )


_to_status = enum_of(DisputeStatus, "dispute_status", "status")
_to_resolution = optional_enum_of(DisputeResolution, "dispute_resolution", "resolution")


def _dispute_status(value: Any) -> DisputeStatus:
    """The status as :class:`DisputeStatus` (``"open"`` converted; ``dispute_status``)."""
    return _to_status(value)


def _dispute_resolution(value: Any) -> DisputeResolution | None:
    """The resolution as :class:`DisputeResolution` or ``None`` (``dispute_resolution``)."""
    return _to_resolution(value)


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Dispute(Sourced):
    """A partner's dispute over part of what it owes: lines, status and instants.

    ``opened_at``/``resolved_at`` are instants; ``credit_note_ids`` name the notes a
    ``credited`` resolution issued. Check it against the invoices with :func:`check_dispute`.
    """

    id: str
    partner_id: str | None
    lines: tuple[DisputeLine, ...] = attrs.field(
        validator=tuple_of(DisputeLine, "dispute_lines_type")
    )
    opened_at: dt.datetime = attrs.field(validator=aware)
    status: DisputeStatus = attrs.field(default=DisputeStatus.OPEN, converter=_dispute_status)
    resolution: DisputeResolution | None = attrs.field(
        default=None,
        converter=_dispute_resolution,
    )
    resolved_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    credit_note_ids: tuple[str, ...] = ()
    source: str | None = None
    note: str | None = None

    @property
    def is_open(self) -> bool:
        """Whether the dispute still holds its amounts."""
        return self.status is DisputeStatus.OPEN


def check_dispute(
    dispute: Dispute,
    invoices: Sequence[Invoice],
    *,
    reasons: Mapping[str, str] = DISPUTE_REASONS,
) -> Dispute:
    """The dispute as given, or :class:`~stuut_domain.errors.OwedRefused` for its first fault.

    Rules: at least one line (``dispute_without_lines``); each line's reason is a known code
    (``dispute_reason_unknown``), its invoice is given (``dispute_invoice_missing``), issued
    and not void (``dispute_on_unissued_invoice``) and of the dispute's partner — or, when the
    dispute names none, of the same partner as the other lines' invoices
    (``dispute_partner_mismatch``); its amount is above zero and in the
    invoice's currency (``dispute_amount``); the lines on one line item together never
    exceed what it carries
    (``dispute_exceeds_line``); an invoice's lines together never exceed what it owes
    (``dispute_exceeds_invoice``).
    """
    if not dispute.lines:
        raise OwedRefused("dispute_without_lines", "lines", f"dispute {dispute.id!r} is empty")
    by_id = {i.id: i for i in invoices}
    per_invoice: dict[str, Money] = {}
    per_item: dict[tuple[str, str], Money] = {}
    partner = dispute.partner_id
    for index, line in enumerate(dispute.lines):
        path = f"lines[{index}]"
        refusal = reason_refusal(path, line, reasons)
        if refusal is not None:
            raise refusal
        invoice = by_id.get(line.invoice_id)
        if invoice is None:
            raise OwedRefused(
                "dispute_invoice_missing",
                f"{path}.invoice_id",
                f"invoice {line.invoice_id!r} was not given",
                invoice_id=line.invoice_id,
            )
        unissued = unissued_refusal(
            invoice, "dispute_on_unissued_invoice", f"{path}.invoice_id", "disputes"
        )
        if unissued is not None:
            raise unissued
        if partner is None:
            partner = invoice.partner_id
        elif invoice.partner_id not in (None, partner):
            raise OwedRefused(
                "dispute_partner_mismatch",
                f"{path}.invoice_id",
                f"invoice {invoice.id!r} belongs to {invoice.partner_id!r}, the dispute to "
                f"{partner!r}",
                invoice_partner_id=invoice.partner_id,
                partner_id=partner,
            )
        if line.amount.code != invoice.currency or not line.amount.is_positive():
            raise OwedRefused(
                "dispute_amount",
                f"{path}.amount",
                f"a disputed amount is above zero in {invoice.currency}, not {line.amount}",
                amount=line.amount,
            )
        if line.line_item_remote_id is not None:
            key = (line.invoice_id, line.line_item_remote_id)
            per_item[key] = per_item.get(key, invoice.money(0)) + line.amount
            _check_line_item(path, line, invoice, per_item[key])
        over = _over_owed(per_invoice, invoice, line.amount)
        if over is not None:
            raise OwedRefused(
                "dispute_exceeds_invoice",
                f"{path}.amount",
                f"the dispute's lines on invoice {invoice.id!r} add up to "
                f"{over[0]}, above the {over[1]} it owes",
                disputed=over[0],
                amount_due=over[1],
            )
    return dispute


def _over_owed(
    held: dict[str, Money], invoice: Invoice, amount: Money
) -> tuple[Money, Money] | None:
    """Add ``amount`` to what ``held`` disputes on ``invoice``; (held, owed) once that passes
    what the invoice owes (never below zero), else ``None``."""
    key = str(invoice.id)
    total = held.get(key, invoice.money(0)) + amount
    held[key] = total
    owed = max(invoice.amount_due, invoice.money(0))
    return (total, owed) if total > owed else None


def check_disputes(disputes: Sequence[Dispute], invoices: Sequence[Invoice]) -> tuple[Dispute, ...]:
    """The disputes as given, or :class:`~stuut_domain.errors.OwedRefused` for the first fault.

    Each dispute by :func:`check_dispute`, then together: the open disputes' lines on one
    invoice never add up to more than it owes (``disputes_exceed_invoice``, at the line of the
    dispute that passes it, in the order given). Two open disputes of 60.00 on an invoice
    that owes 100.00 each pass alone; together they would hold more than is owed.
    """
    by_id = {i.id: i for i in invoices}
    held: dict[str, Money] = {}
    for dispute in disputes:
        check_dispute(dispute, invoices)
        if not dispute.is_open:
            continue
        for index, line in enumerate(dispute.lines):
            invoice = by_id[line.invoice_id]
            over = _over_owed(held, invoice, line.amount)
            if over is not None:
                raise OwedRefused(
                    "disputes_exceed_invoice",
                    f"lines[{index}].amount",
                    f"open disputes hold {over[0]} of invoice {invoice.id!r}, "
                    f"above the {over[1]} it owes (dispute {dispute.id!r} passes it)",
                    dispute_id=dispute.id,
                    invoice_id=invoice.id,
                    disputed=over[0],
                    amount_due=over[1],
                )
    return tuple(disputes)


def reason_refusal(
    path: str, line: DisputeLine, reasons: Mapping[str, str] = DISPUTE_REASONS
) -> OwedRefused | None:
    """``dispute_reason_unknown`` for a line whose reason is not in ``reasons``, else None."""
    if line.reason in reasons:
        return None
    return OwedRefused(
        "dispute_reason_unknown",
        f"{path}.reason",
        f"{line.reason!r} is not a dispute reason ({', '.join(sorted(reasons))})",
        reason=line.reason,
    )


def _check_line_item(path: str, line: DisputeLine, invoice: Invoice, disputed: Money) -> None:
    items = [li for li in invoice.line_items if li.remote_id == line.line_item_remote_id]
    if not items:
        raise OwedRefused(
            "dispute_line_item_missing",
            f"{path}.line_item_remote_id",
            f"invoice {invoice.id!r} has no line item {line.line_item_remote_id!r}",
            line_item_remote_id=line.line_item_remote_id,
        )
    carried = items[0].total_amount
    if carried is not None and disputed > carried:
        raise OwedRefused(
            "dispute_exceeds_line",
            f"{path}.amount",
            f"the dispute's lines on line item {line.line_item_remote_id!r} add up to "
            f"{disputed}, above the {carried} it carries",
            amount=line.amount,
            disputed=disputed,
            line_total=carried,
        )


def names_invoice(disputes: Iterable[Dispute], invoice_id: str | None) -> bool:
    """Whether any dispute, open or resolved, has a line on the invoice: then the disputes,
    not the wire flag ``in_dispute``, say what of it is disputed."""
    return any(line.invoice_id == invoice_id for d in disputes for line in d.lines)


def disputed_amount_due(invoice: Invoice, disputes: Iterable[Dispute]) -> Money:
    """What of the invoice's amount due is in dispute: its open dispute lines, at most the
    amount due. When no dispute names the invoice, the wire flag ``in_dispute=True``
    disputes all of it (the flag stays readable, ADR 0048)."""
    given = tuple(disputes)
    owed = max(invoice.amount_due, invoice.money(0))
    if not names_invoice(given, invoice.id):
        return owed if invoice.in_dispute else invoice.money(0)
    lines = [
        line.amount
        for d in given
        if d.is_open
        for line in d.lines
        if line.invoice_id == invoice.id and line.amount.code == invoice.currency
    ]
    return min(sum(lines, invoice.money(0)), owed)


def dispute_from_flag(invoice: Invoice, *, dispute_id: str, at: dt.datetime) -> Dispute:
    """The open :class:`Dispute` the wire flag ``in_dispute=True`` stands for: one line over
    all the invoice owes, reason ``other``, opened at ``at`` (the flag carries no instant).

    It reads exactly as the flag does (:func:`disputed_amount_due` is the same with either),
    and a person can then narrow its amount and reason. Refused when the invoice is not
    flagged or owes nothing (``dispute_flag_missing``).
    """
    require_aware("at", at)
    owed = max(invoice.amount_due, invoice.money(0))
    if not invoice.in_dispute or not owed.is_positive() or invoice.id is None:
        raise OwedRefused(
            "dispute_flag_missing",
            "in_dispute",
            f"invoice {invoice.id!r} is not flagged in dispute with something owed "
            f"(in_dispute={invoice.in_dispute!r}, amount_due={invoice.amount_due})",
            in_dispute=invoice.in_dispute,
            amount_due=invoice.amount_due,
        )
    line = DisputeLine(
        invoice_id=invoice.id, amount=owed, reason="other", note="from the in_dispute flag"
    )
    return Dispute(
        id=dispute_id, partner_id=invoice.partner_id, lines=(line,), opened_at=at, source="wire"
    )


def undisputed_amount_due(invoice: Invoice, disputes: Iterable[Dispute]) -> Money:
    """What the invoice owes that nobody disputes (never negative): the part outreach chases."""
    owed = max(invoice.amount_due, invoice.money(0))
    return owed - disputed_amount_due(invoice, disputes)


def disputed_by_partner(
    invoices: Iterable[Invoice], disputes: Sequence[Dispute], partner_id: str
) -> tuple[MoneyBag, MoneyBag]:
    """The partner's (disputed, undisputed) amount due per currency over ``invoices``."""
    own = [i for i in invoices if i.partner_id == partner_id]
    return (
        MoneyBag.of(disputed_amount_due(i, disputes) for i in own),
        MoneyBag.of(undisputed_amount_due(i, disputes) for i in own),
    )


def resolve_dispute(
    dispute: Dispute,
    *,
    resolution: DisputeResolution,
    at: dt.datetime,
    approved: Mapping[int, Money] | None = None,
    note_id_prefix: str | None = None,
) -> tuple[Dispute, tuple[CreditNote, ...]]:
    """Close an open dispute at ``at``; a ``credited`` one returns a credit note per invoice.

    ``approved`` maps line index -> the approved amount (only with ``credited``; without it
    each line is approved in full, with it a line it does not name is approved at zero), never
    above the disputed amount nor below zero (``dispute_approved``). The notes (reason
    ``dispute``, one line per approved line, by amount, tax included) are to be applied with
    :func:`~stuut_domain.owed.application.apply_credit_note`. Refused: a dispute already
    resolved (``dispute_not_open``) or resolved before it opened, a resolution that is not
    one of :class:`DisputeResolution` or its value (``dispute_resolution``), and ``approved``
    keys that are not line indexes or values that are not Money (``dispute_approved``).
    """
    require_aware("at", at)
    resolution = enum_of(DisputeResolution, "dispute_resolution", "resolution")(resolution)
    approved = _approved(approved)
    if not dispute.is_open:
        raise OwedRefused(
            "dispute_not_open", "status", f"dispute {dispute.id!r} is {dispute.status}"
        )
    if at < dispute.opened_at:
        raise OwedRefused(
            "dispute_resolved_before_opened",
            "resolved_at",
            f"{at.isoformat()} is before dispute {dispute.id!r} opened",
            at=at,
            opened_at=dispute.opened_at,
        )
    if resolution is not DisputeResolution.CREDITED:
        if approved is not None:
            raise OwedRefused(
                "dispute_approved",
                "approved",
                f"approved amounts go with a credited resolution, not {resolution}",
            )
        closed = attrs.evolve(
            dispute, status=DisputeStatus.RESOLVED, resolution=resolution, resolved_at=at
        )
        return closed, ()
    lines = list(dispute.lines)
    for index, line in enumerate(lines):
        zero = Money(0, line.amount.code)
        amount = line.amount if approved is None else approved.get(index, zero)
        if amount.code != line.amount.code or amount.is_negative() or amount > line.amount:
            raise OwedRefused(
                "dispute_approved",
                f"approved[{index}]",
                f"the approved amount is between zero and {line.amount}, not {amount}",
                approved=amount,
                disputed=line.amount,
            )
        lines[index] = attrs.evolve(line, approved_amount=amount)
    unknown = sorted(set(approved or {}) - set(range(len(lines))))
    if unknown:
        raise OwedRefused(
            "dispute_approved",
            "approved",
            f"the dispute has no line {unknown[0]}",
            lines=tuple(unknown),
        )
    notes = _notes_for(dispute, lines, at, note_id_prefix or f"cn_{dispute.id}")
    closed = attrs.evolve(
        dispute,
        lines=tuple(lines),
        status=DisputeStatus.RESOLVED,
        resolution=resolution,
        resolved_at=at,
        credit_note_ids=tuple(n.id for n in notes),
    )
    return closed, notes


def _approved(approved: object) -> Mapping[int, Money] | None:
    """``approved`` checked: a mapping of line index (int) -> Money (``dispute_approved``)."""
    if approved is None:
        return None
    if not isinstance(approved, Mapping):
        raise OwedRefused(
            "dispute_approved",
            "approved",
            f"approved maps line index to Money, not {approved!r}",
        )
    for key, value in approved.items():
        if type(key) is not int:
            raise OwedRefused(
                "dispute_approved",
                "approved",
                f"approved is keyed by line index (int), not {key!r}",
                key=key,
            )
        if not isinstance(value, Money):
            raise OwedRefused(
                "dispute_approved",
                f"approved[{key}]",
                f"an approved amount is Money, not {value!r}",
                approved=value,
            )
    return approved


def _notes_for(
    dispute: Dispute, lines: Sequence[DisputeLine], at: dt.datetime, prefix: str
) -> tuple[CreditNote, ...]:
    grouped: dict[str, list[DisputeLine]] = {}
    for line in lines:
        if line.approved_amount is not None and line.approved_amount.is_positive():
            grouped.setdefault(line.invoice_id, []).append(line)
    notes = []
    for number, (invoice_id, group) in enumerate(sorted(grouped.items()), start=1):
        currency = group[0].amount.code
        notes.append(
            CreditNote(
                id=f"{prefix}_{number}",
                invoice_id=invoice_id,
                currency=currency,
                lines=tuple(
                    CreditNoteLine(
                        currency=currency,
                        amount=line.approved_amount,
                        line_item_remote_id=line.line_item_remote_id,
                        description=f"dispute {dispute.id}: {line.reason}",
                    )
                    for line in group
                ),
                effective_at=at,
                reason=CreditNoteReason.DISPUTE,
                partner_id=dispute.partner_id,
                dispute_id=dispute.id,
            )
        )
    return tuple(notes)
