"""Invariants: the rules an invoice's facts must satisfy, and the checker that reports them.

A checker returns *every* violation (a stable code, the field path and the values involved),
never just the first, so a service can load imperfect ERP data and see all that is wrong
(ADR 0007). :func:`ensure_valid` turns the findings into one
:class:`~stuut_domain.errors.InvariantViolation` for callers that must refuse bad data.

The rule catalogue is :data:`RULES`: each code, and the business rule it enforces.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Final

from stuut_domain.allocation.exchange import payment_cost
from stuut_domain.errors import InvalidAllocation, InvariantViolation, UnknownTimeZone, Violation
from stuut_domain.invoice import is_fully_paid
from stuut_domain.lifecycle import issued_after_due_day
from stuut_domain.money import Money
from stuut_domain.validators import zone_named

if TYPE_CHECKING:
    from stuut_domain.invoice import Invoice, LineItem
    from stuut_domain.partner import Partner
    from stuut_domain.payment import Payment, PaymentAllocation
    from stuut_domain.workflow import Workflow

__all__ = [
    "RULES",
    "Violation",
    "check_invoice",
    "check_partner",
    "check_payment",
    "check_workflow",
    "ensure_valid",
]


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
    # payments (check_payment)
    "payment_amount_missing": "a payment with allocations or refunds states its amount",
    "payment_amount_negative": "a payment's amount is never negative",
    "refund_negative": "amount_refunded is never negative",
    "refund_exceeds_amount": "amount_refunded never exceeds the payment's amount",
    "allocation_payment_mismatch": "a payment's allocations point at that payment",
    "allocation_not_positive": "every allocation is above zero",
    "duplicate_allocation_id": "allocation ids are unique within a payment",
    "allocation_rate": "every allocation's cost can be computed (a rate for foreign invoices)",
    "overallocated": (
        "allocations at cost + amount_refunded never exceed the amount (unapplied credit >= 0)"
    ),
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
    that breaks a rule still loads, and this says what is wrong with it. Each rule is one
    function of :data:`_INVOICE_RULES`, run in that order.
    """
    return tuple(found for rule in _INVOICE_RULES for found in rule(invoice))


def ensure_valid(invoice: Invoice) -> Invoice:
    """Return ``invoice`` as is, or raise :class:`InvariantViolation` naming each broken rule."""
    violations = check_invoice(invoice)
    if violations:
        raise InvariantViolation(violations, subject=f"invoice {invoice.id!r}")
    return invoice


# -- invoice rules: one function per code ------------------------------------------------


def _amount_due_mismatch(inv: Invoice) -> Iterator[Violation]:
    """amount_due = total_amount − amount_paid."""
    total, due, paid = inv.total_amount, inv.amount_due, inv.amount_paid_or_zero
    expected_due = total - paid
    if due != expected_due:
        yield Violation(
            code="amount_due_mismatch",
            path="amount_due",
            message=f"amount_due is {due} but total_amount − amount_paid is {expected_due}",
            values={"amount_due": due, "total_amount": total, "amount_paid": paid},
        )


def _total_mismatch(inv: Invoice) -> Iterator[Violation]:
    """total_amount = subtotal − total_discount + total_tax, when the subtotal is known."""
    if inv.subtotal is None:
        return
    zero = inv.money(0)
    discount = inv.total_discount or zero
    tax = inv.total_tax or zero
    expected_total = inv.subtotal - discount + tax
    if inv.total_amount != expected_total:
        yield Violation(
            code="total_mismatch",
            path="total_amount",
            message=(
                f"total_amount is {inv.total_amount} but subtotal − total_discount + "
                f"total_tax is {expected_total}"
            ),
            values={
                "total_amount": inv.total_amount,
                "subtotal": inv.subtotal,
                "total_discount": discount,
                "total_tax": tax,
            },
        )


def _amount_paid_negative(inv: Invoice) -> Iterator[Violation]:
    """amount_paid is never negative."""
    paid = inv.amount_paid_or_zero
    if paid.is_negative():
        yield Violation(
            code="amount_paid_negative",
            path="amount_paid",
            message=f"amount_paid is negative ({paid})",
            values={"amount_paid": paid},
        )


def _overpaid(inv: Invoice) -> Iterator[Violation]:
    """amount_paid never exceeds a non-negative total_amount."""
    total, paid = inv.total_amount, inv.amount_paid_or_zero
    if not total.is_negative() and paid > total:
        yield Violation(
            code="overpaid",
            path="amount_paid",
            message=f"amount_paid {paid} exceeds total_amount {total}",
            values={"amount_paid": paid, "total_amount": total},
        )


def _line_items(inv: Invoice) -> Iterator[Violation]:
    """Each line item's rules (:data:`_LINE_ITEM_RULES`), item by item."""
    for index, item in enumerate(inv.line_items):
        for rule in _LINE_ITEM_RULES:
            yield from rule(inv.currency, f"line_items[{index}]", item)


def _line_item_currency(currency: str, path: str, item: LineItem) -> Iterator[Violation]:
    """Every line item is in the invoice's currency."""
    if item.currency is not None and item.currency != currency:
        yield Violation(
            code="line_item_currency",
            path=f"{path}.currency",
            message=f"line item is in {item.currency}, the invoice in {currency}",
            values={"line_item_currency": item.currency, "invoice_currency": currency},
        )


def _line_item_dates(currency: str, path: str, item: LineItem) -> Iterator[Violation]:
    """A line item's dates do not run backwards (``date_order``)."""
    del currency
    yield from _date_order(f"{path}.", item, _LINE_ITEM_DATE_ORDER)


def _allocations(inv: Invoice) -> Iterator[Violation]:
    """Each listed allocation's rules (:data:`_ALLOCATION_RULES`), allocation by allocation."""
    for index, allocation in enumerate(inv.payments):
        for rule in _ALLOCATION_RULES:
            yield from rule(inv, f"payments[{index}]", allocation)


def _allocation_currency(
    inv: Invoice, path: str, allocation: PaymentAllocation
) -> Iterator[Violation]:
    """Every payment allocation is in the invoice's currency."""
    amount = allocation.amount
    if amount.code != inv.currency:
        yield Violation(
            code="allocation_currency",
            path=f"{path}.amount",
            message=f"allocation is in {amount.code}, the invoice in {inv.currency}",
            values={"amount": amount, "invoice_currency": inv.currency},
        )


def _allocation_invoice_mismatch(
    inv: Invoice, path: str, allocation: PaymentAllocation
) -> Iterator[Violation]:
    """An invoice's allocations point at that invoice."""
    if inv.id is not None and allocation.invoice_id != inv.id:
        yield Violation(
            code="allocation_invoice_mismatch",
            path=f"{path}.invoice_id",
            message=f"allocation points at invoice {allocation.invoice_id!r}, not {inv.id!r}",
            values={"invoice_id": allocation.invoice_id, "id": inv.id},
        )


def _approved_allocations_sum(inv: Invoice) -> Iterator[Violation]:
    """Approved allocations sum to amount_paid, when the invoice lists them in its currency.

    An allocation in another currency makes the sum meaningless (``allocation_currency``
    reports it); an allocation with ``approved`` unknown counts as approved.
    """
    if not inv.payments or any(a.amount.code != inv.currency for a in inv.payments):
        return
    approved = sum((a.amount for a in inv.payments if a.approved is not False), inv.money(0))
    paid = inv.amount_paid_or_zero
    if approved != paid:
        yield Violation(
            code="approved_allocations_sum",
            path="amount_paid",
            message=f"approved allocations sum to {approved} but amount_paid is {paid}",
            values={"approved_allocations": approved, "amount_paid": paid},
        )


def _paid_at_missing(inv: Invoice) -> Iterator[Violation]:
    """A fully paid invoice that was not voided has paid_at."""
    if is_fully_paid(inv) and inv.paid_at is None and inv.voided_at is None:
        paid, total = inv.amount_paid_or_zero, inv.total_amount
        yield Violation(
            code="paid_at_missing",
            path="paid_at",
            message=f"the invoice is fully paid ({paid} of {total}) but has no paid_at",
            values={"amount_paid": paid, "total_amount": total},
        )


def _paid_at_unpaid(inv: Invoice) -> Iterator[Violation]:
    """paid_at is set only when the invoice is fully paid."""
    if inv.paid_at is not None and not is_fully_paid(inv):
        paid, total = inv.amount_paid_or_zero, inv.total_amount
        yield Violation(
            code="paid_at_unpaid",
            path="paid_at",
            message=f"paid_at is set but only {paid} of {total} is paid",
            values={"paid_at": inv.paid_at, "amount_paid": paid, "total_amount": total},
        )


def _void_with_payments(inv: Invoice) -> Iterator[Violation]:
    """A voided invoice carries no net payments."""
    paid = inv.amount_paid_or_zero
    if inv.voided_at is not None and paid.is_positive():
        yield Violation(
            code="void_with_payments",
            path="voided_at",
            message=f"the invoice is voided but carries net payments of {paid}",
            values={"voided_at": inv.voided_at, "amount_paid": paid},
        )


def _due_before_issue(inv: Invoice) -> Iterator[Violation]:
    """The due day is not before the day of issue (``date_order``)."""
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


def _invoice_dates(inv: Invoice) -> Iterator[Violation]:
    """The invoice's own timestamps do not run backwards (``date_order``)."""
    yield from _date_order("", inv, _INVOICE_DATE_ORDER)


def _partner_zone(inv: Invoice) -> Iterator[Violation]:
    """The embedded partner's time zone is a known IANA name (``unknown_time_zone``)."""
    if inv.partner is not None:
        yield from _zone_violation("partner.timezone", inv.partner.timezone)


_LINE_ITEM_RULES: Final = (_line_item_currency, _line_item_dates)
_ALLOCATION_RULES: Final = (_allocation_currency, _allocation_invoice_mismatch)

#: The invoice rules, in the order :func:`check_invoice` reports them.
_INVOICE_RULES: Final = (
    _amount_due_mismatch,
    _total_mismatch,
    _amount_paid_negative,
    _overpaid,
    _line_items,
    _allocations,
    _approved_allocations_sum,
    _paid_at_missing,
    _paid_at_unpaid,
    _void_with_payments,
    _due_before_issue,
    _invoice_dates,
    _partner_zone,
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


def check_payment(payment: Payment) -> tuple[Violation, ...]:
    """Every rule the payment breaks (see :data:`RULES`); empty when money balances.

    Each rule is one function of :data:`_PAYMENT_RULES`, run in that order; the rules about
    money need the payment's amount and currency, and stay silent without them (only
    ``payment_amount_missing`` speaks then).
    """
    return tuple(found for rule in _PAYMENT_RULES for found in rule(payment))


# -- payment rules: one function per code ------------------------------------------------


def _payment_amount_missing(payment: Payment) -> Iterator[Violation]:
    """A payment with allocations or refunds states its amount and currency."""
    if (payment.amount is None or payment.currency is None) and (
        payment.allocations or payment.amount_refunded
    ):
        yield Violation(
            code="payment_amount_missing",
            path="amount",
            message="the payment has allocations or refunds but no amount or currency",
            values={"allocations": len(payment.allocations)},
        )


def _payment_amount_negative(payment: Payment) -> Iterator[Violation]:
    """A payment's amount is never negative (money paid out is a refund, not a payment)."""
    if payment.amount is not None and payment.amount.is_negative():
        yield Violation(
            code="payment_amount_negative",
            path="amount",
            message=f"the payment's amount is negative ({payment.amount})",
            values={"amount": payment.amount},
        )


def _refunded(payment: Payment) -> Money | None:
    """What was refunded (zero when unstated), or ``None`` when the payment has no amount."""
    if payment.amount is None or payment.currency is None:
        return None
    return payment.amount_refunded or Money(0, payment.currency)


def _refund_negative(payment: Payment) -> Iterator[Violation]:
    """amount_refunded is never negative."""
    refunded = _refunded(payment)
    if refunded is not None and refunded.is_negative():
        yield Violation(
            code="refund_negative",
            path="amount_refunded",
            message=f"amount_refunded is negative ({refunded})",
            values={"amount_refunded": refunded},
        )


def _refund_exceeds_amount(payment: Payment) -> Iterator[Violation]:
    """amount_refunded never exceeds the payment's (non-negative) amount."""
    refunded, amount = _refunded(payment), payment.amount
    if refunded is None or amount is None or amount.is_negative():
        return  # a negative amount is payment_amount_negative's to report
    if refunded > amount:
        yield Violation(
            code="refund_exceeds_amount",
            path="amount_refunded",
            message=f"amount_refunded {refunded} exceeds the amount {amount}",
            values={"amount_refunded": refunded, "amount": payment.amount},
        )


def _payment_allocations(payment: Payment) -> Iterator[Violation]:
    """Each allocation's rules (:data:`_PAYMENT_ALLOCATION_RULES`), allocation by allocation."""
    if payment.amount is None or payment.currency is None:
        return
    counts = Counter(a.id for a in payment.allocations if a.id is not None)
    for index, allocation in enumerate(payment.allocations):
        for rule in _PAYMENT_ALLOCATION_RULES:
            yield from rule(payment, counts, f"allocations[{index}]", allocation)


def _allocation_payment_mismatch(
    payment: Payment, counts: Counter[str], path: str, allocation: PaymentAllocation
) -> Iterator[Violation]:
    """A payment's allocations point at that payment."""
    del counts
    if payment.id is not None and allocation.payment_id != payment.id:
        yield Violation(
            code="allocation_payment_mismatch",
            path=f"{path}.payment_id",
            message=f"allocation points at payment {allocation.payment_id!r}, not {payment.id!r}",
            values={"payment_id": allocation.payment_id, "id": payment.id},
        )


def _duplicate_allocation_id(
    payment: Payment, counts: Counter[str], path: str, allocation: PaymentAllocation
) -> Iterator[Violation]:
    """Allocation ids are unique within a payment (each repeat is reported where it stands)."""
    del payment
    if allocation.id is not None and counts[allocation.id] > 1:
        yield Violation(
            code="duplicate_allocation_id",
            path=f"{path}.id",
            message=f"allocation id {allocation.id!r} appears {counts[allocation.id]} times",
            values={"id": allocation.id},
        )


def _allocation_not_positive(
    payment: Payment, counts: Counter[str], path: str, allocation: PaymentAllocation
) -> Iterator[Violation]:
    """Every allocation is above zero."""
    del payment, counts
    if not allocation.amount.is_positive():
        yield Violation(
            code="allocation_not_positive",
            path=f"{path}.amount",
            message=f"allocation is {allocation.amount}; it must be above zero",
            values={"amount": allocation.amount},
        )


def _allocation_rate(
    payment: Payment, counts: Counter[str], path: str, allocation: PaymentAllocation
) -> Iterator[Violation]:
    """A positive allocation's cost in the payment's currency can be computed."""
    del counts
    if not allocation.amount.is_positive():
        return
    try:
        payment_cost(payment, allocation.amount)
    except InvalidAllocation as error:
        yield Violation(
            code="allocation_rate",
            path=f"{path}.amount",
            message=str(error),
            values={"amount": allocation.amount, "currency_rate": payment.currency_rate},
        )


def _allocated_cost(payment: Payment) -> Money | None:
    """The allocations' total cost in the payment's currency, ``None`` if any is not costed."""
    if payment.currency is None:
        return None
    allocated = Money(0, payment.currency)
    for allocation in payment.allocations:
        if not allocation.amount.is_positive():
            return None
        try:
            allocated += payment_cost(payment, allocation.amount)
        except InvalidAllocation:
            return None
    return allocated


def _overallocated(payment: Payment) -> Iterator[Violation]:
    """Allocations at cost plus amount_refunded never exceed the amount (unapplied ≥ 0).

    Silent while an allocation cannot be costed (``allocation_not_positive`` or
    ``allocation_rate`` already names it, and a sum over it would mislead) and for a negative
    amount (``payment_amount_negative`` names it). A refund above the amount is also
    over-allocated: both rules speak.
    """
    refunded, allocated = _refunded(payment), _allocated_cost(payment)
    if payment.amount is None or refunded is None or allocated is None:
        return
    if payment.amount.is_negative():
        return
    if (payment.amount - refunded - allocated).is_negative():
        yield Violation(
            code="overallocated",
            path="allocations",
            message=f"allocations cost {allocated} and {refunded} was refunded, "
            f"more than the amount {payment.amount}",
            values={"allocated": allocated, "amount_refunded": refunded, "amount": payment.amount},
        )


_PAYMENT_ALLOCATION_RULES: Final = (
    _allocation_payment_mismatch,
    _duplicate_allocation_id,
    _allocation_not_positive,
    _allocation_rate,
)

#: The payment rules, in the order :func:`check_payment` reports them.
_PAYMENT_RULES: Final = (
    _payment_amount_missing,
    _payment_amount_negative,
    _refund_negative,
    _refund_exceeds_amount,
    _payment_allocations,
    _overallocated,
)
