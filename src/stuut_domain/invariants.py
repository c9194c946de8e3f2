"""Invariants: the rules an invoice's facts must satisfy, and the checker that reports them.

A checker returns *every* violation (a stable code, the field path and the values involved),
never just the first, so a service can load imperfect ERP data and see all that is wrong
(ADR 0007). :func:`ensure_valid` turns the findings into one
:class:`~stuut_domain.errors.InvariantViolation` for callers that must refuse bad data.

The rule catalogue is :data:`RULES`: each code, and the business rule it enforces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import attrs

from stuut_domain._validators import zone_named
from stuut_domain.errors import InvariantViolation, UnknownTimeZone
from stuut_domain.lifecycle import is_fully_paid, issued_after_due_day
from stuut_domain.money import Money

if TYPE_CHECKING:
    from stuut_domain.invoice import Invoice, LineItem
    from stuut_domain.partner import Partner
    from stuut_domain.workflow import Workflow

__all__ = [
    "RULES",
    "Violation",
    "check_invoice",
    "check_partner",
    "check_workflow",
    "ensure_valid",
]


@attrs.frozen(kw_only=True, weakref_slot=False)
class Violation:
    """One broken rule: its stable ``code``, the ``path`` of the field, a message and values.

    ``code`` never changes once published (services branch on it); ``message`` is for people;
    ``values`` holds the facts involved (Money, datetimes, ids) as they are in the model.
    """

    code: str
    path: str
    message: str
    values: Mapping[str, Any] = attrs.field(factory=dict)

    def __str__(self) -> str:
        return f"[{self.code}] {self.path}: {self.message}"

    def as_record(self) -> dict[str, Any]:
        """A plain, JSON-ready row: code, path, message and each value as text or number."""
        return {
            "code": self.code,
            "path": self.path,
            "message": self.message,
            "values": {k: _plain(v) for k, v in self.values.items()},
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Money):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


#: Every rule the checkers enforce: code -> the business rule, in words.
RULES: Final[Mapping[str, str]] = {
    "amount_due_mismatch": "amount_due = total_amount − amount_paid",
    "total_mismatch": (
        "total_amount = subtotal − total_discount + total_tax (when subtotal is known)"
    ),
    "amount_paid_negative": "amount_paid is never negative",
    "overpaid": "amount_paid never exceeds total_amount",
    "line_item_currency": "every line item is in the invoice's currency",
    "allocation_currency": "every payment allocation is in the invoice's currency",
    "allocation_invoice_mismatch": "an invoice's allocations point at that invoice",
    "approved_allocations_sum": (
        "approved allocations sum to amount_paid (when the invoice lists its allocations)"
    ),
    "paid_at_missing": "a fully paid invoice (amount_paid >= total_amount > 0) has paid_at",
    "paid_at_unpaid": "paid_at is set only when the invoice is fully paid",
    "void_with_payments": "a voided invoice carries no net payments",
    "date_order": "dates follow their business order (issued no later than the due day, "
    "created before modified, period start before end, issued before paid, voided or "
    "written off)",
    "workflow_active_day": "workflow active_days are weekday numbers 0 (Monday) to 6 (Sunday)",
    "workflow_window_format": "workflow window bounds are ISO times such as '09:00'",
    "unknown_time_zone": "time-zone names are IANA names known to this system",
}

#: (earlier field, later field) pairs of an invoice that must not run backwards.
_INVOICE_DATE_ORDER: Final = (
    ("created_at", "modified_at"),
    ("period_start_date", "period_end_date"),
    ("remote_created_at", "remote_modified_at"),
    ("issued_at", "paid_at"),
    ("issued_at", "voided_at"),
    ("issued_at", "marked_uncollectible_at"),
)
_LINE_ITEM_DATE_ORDER: Final = (
    ("created_at", "modified_at"),
    ("period_start_date", "period_end_date"),
    ("remote_created_at", "remote_modified_at"),
)


def check_invoice(invoice: Invoice) -> tuple[Violation, ...]:
    """Every invariant the invoice breaks, in a stable order (see :data:`RULES`).

    An empty tuple means the invoice satisfies every rule. Nothing is raised: remote data
    that breaks a rule still loads, and this says what is wrong with it.
    """
    return tuple(_invoice_violations(invoice))


def ensure_valid(invoice: Invoice) -> Invoice:
    """Return ``invoice`` as is, or raise :class:`InvariantViolation` naming each broken rule."""
    violations = check_invoice(invoice)
    if violations:
        raise InvariantViolation(violations, subject=f"invoice {invoice.id!r}")
    return invoice


def _invoice_violations(inv: Invoice) -> Iterator[Violation]:
    total, due = inv.total_amount, inv.amount_due
    paid = inv.amount_paid_or_zero
    expected_due = total - paid
    if due != expected_due:
        yield Violation(
            code="amount_due_mismatch",
            path="amount_due",
            message=f"amount_due is {due} but total_amount − amount_paid is {expected_due}",
            values={"amount_due": due, "total_amount": total, "amount_paid": paid},
        )
    if inv.subtotal is not None:
        zero = inv.money(0)
        discount = inv.total_discount or zero
        tax = inv.total_tax or zero
        expected_total = inv.subtotal - discount + tax
        if total != expected_total:
            yield Violation(
                code="total_mismatch",
                path="total_amount",
                message=(
                    f"total_amount is {total} but subtotal − total_discount + total_tax "
                    f"is {expected_total}"
                ),
                values={
                    "total_amount": total,
                    "subtotal": inv.subtotal,
                    "total_discount": discount,
                    "total_tax": tax,
                },
            )
    if paid.is_negative():
        yield Violation(
            code="amount_paid_negative",
            path="amount_paid",
            message=f"amount_paid is negative ({paid})",
            values={"amount_paid": paid},
        )
    if not total.is_negative() and paid > total:
        yield Violation(
            code="overpaid",
            path="amount_paid",
            message=f"amount_paid {paid} exceeds total_amount {total}",
            values={"amount_paid": paid, "total_amount": total},
        )
    for index, item in enumerate(inv.line_items):
        yield from _line_item_violations(inv.currency, index, item)
    yield from _allocation_violations(inv)
    fully_paid = is_fully_paid(inv)
    if fully_paid and inv.paid_at is None and inv.voided_at is None:
        yield Violation(
            code="paid_at_missing",
            path="paid_at",
            message=f"the invoice is fully paid ({paid} of {total}) but has no paid_at",
            values={"amount_paid": paid, "total_amount": total},
        )
    if inv.paid_at is not None and not fully_paid:
        yield Violation(
            code="paid_at_unpaid",
            path="paid_at",
            message=f"paid_at is set but only {paid} of {total} is paid",
            values={"paid_at": inv.paid_at, "amount_paid": paid, "total_amount": total},
        )
    if inv.voided_at is not None and paid.is_positive():
        yield Violation(
            code="void_with_payments",
            path="voided_at",
            message=f"the invoice is voided but carries net payments of {paid}",
            values={"voided_at": inv.voided_at, "amount_paid": paid},
        )
    if (
        inv.issued_at is not None
        and inv.due_date is not None
        and issued_after_due_day(inv.issued_at, inv.due_date)
    ):
        yield Violation(
            code="date_order",
            path="due_date",
            message=f"due_date ({inv.due_date.isoformat()}) is a day before issued_at "
            f"({inv.issued_at.isoformat()})",
            values={"issued_at": inv.issued_at, "due_date": inv.due_date},
        )
    yield from _date_order("", inv, _INVOICE_DATE_ORDER)
    if inv.partner is not None:
        yield from _zone_violation("partner.timezone", inv.partner.timezone)


def _line_item_violations(currency: str, index: int, item: LineItem) -> Iterator[Violation]:
    path = f"line_items[{index}]"
    if item.currency is not None and item.currency != currency:
        yield Violation(
            code="line_item_currency",
            path=f"{path}.currency",
            message=f"line item is in {item.currency}, the invoice in {currency}",
            values={"line_item_currency": item.currency, "invoice_currency": currency},
        )
    yield from _date_order(f"{path}.", item, _LINE_ITEM_DATE_ORDER)


def _allocation_violations(inv: Invoice) -> Iterator[Violation]:
    approved = inv.money(0)
    comparable = True
    for index, allocation in enumerate(inv.payments):
        path = f"payments[{index}]"
        amount = allocation.amount
        if amount.code != inv.currency:
            comparable = False
            yield Violation(
                code="allocation_currency",
                path=f"{path}.amount",
                message=f"allocation is in {amount.code}, the invoice in {inv.currency}",
                values={"amount": amount, "invoice_currency": inv.currency},
            )
        elif allocation.approved is not False:
            approved += amount
        if inv.id is not None and allocation.invoice_id != inv.id:
            yield Violation(
                code="allocation_invoice_mismatch",
                path=f"{path}.invoice_id",
                message=f"allocation points at invoice {allocation.invoice_id!r}, not {inv.id!r}",
                values={"invoice_id": allocation.invoice_id, "id": inv.id},
            )
    paid = inv.amount_paid_or_zero
    if inv.payments and comparable and approved != paid:
        yield Violation(
            code="approved_allocations_sum",
            path="amount_paid",
            message=f"approved allocations sum to {approved} but amount_paid is {paid}",
            values={"approved_allocations": approved, "amount_paid": paid},
        )


def _date_order(
    prefix: str, entity: object, pairs: tuple[tuple[str, str], ...]
) -> Iterator[Violation]:
    for earlier_name, later_name in pairs:
        earlier = getattr(entity, earlier_name)
        later = getattr(entity, later_name)
        if earlier is not None and later is not None and later < earlier:
            yield Violation(
                code="date_order",
                path=f"{prefix}{later_name}",
                message=f"{later_name} ({later.isoformat()}) is before {earlier_name} "
                f"({earlier.isoformat()})",
                values={earlier_name: earlier, later_name: later},
            )


def _zone_violation(path: str, name: str | None) -> Iterator[Violation]:
    try:
        zone_named(name or None)
    except UnknownTimeZone:
        yield Violation(
            code="unknown_time_zone",
            path=path,
            message=f"{name!r} is not an IANA time zone known here",
            values={"timezone": name},
        )


def check_workflow(workflow: Workflow) -> tuple[Violation, ...]:
    """Every rule a workflow breaks: invalid active days, unparseable windows, unknown zone."""
    found: list[Violation] = []
    for day in workflow.invalid_active_days():
        index = workflow.active_days.index(day)
        found.append(
            Violation(
                code="workflow_active_day",
                path=f"active_days[{index}]",
                message=f"{day!r} is not a weekday number 0 (Monday) to 6 (Sunday)",
                values={"day": day},
            )
        )
    for name in ("outreach_window_start", "outreach_window_end"):
        text = getattr(workflow, name)
        if text is None:
            continue
        try:
            dt.time.fromisoformat(text)
        except (TypeError, ValueError):
            found.append(
                Violation(
                    code="workflow_window_format",
                    path=name,
                    message=f"{text!r} is not an ISO time such as '09:00'",
                    values={name: text},
                )
            )
    found.extend(_zone_violation("timezone", workflow.timezone))
    return tuple(found)


def check_partner(partner: Partner) -> tuple[Violation, ...]:
    """Every rule a partner breaks (today: an unknown time-zone name)."""
    return tuple(_zone_violation("timezone", partner.timezone))
