"""The invoice lifecycle: a status derived from facts, and the transitions the table allows.

The status is never stored (ADR 0014): :func:`status_of` computes it from the invoice's facts
(``issued_at``, ``voided_at``, ``marked_uncollectible_at``, ``amount_paid``,
``total_amount``), as Kill Bill computes a balance. Disputes and promises to pay are holds on
an invoice, not statuses; "overdue" is a fact at an instant (:func:`is_overdue`), not a status
(Stripe's "Past due" badge on an ``open`` invoice).

Transitions are pure functions: each returns a new :class:`~stuut_domain.invoice.Invoice` and
refuses what :data:`TRANSITIONS` forbids with :class:`~stuut_domain.errors.InvalidTransition`
naming the transition, the current status and the reason. Every transition keeps every rule of
:func:`stuut_domain.invariants.check_invoice` true when it held before (a hypothesis state
machine proves it in ``tests/test_rules_properties.py``).

Allocations: an allocation counts towards ``amount_paid`` unless ``approved is False`` (the
checker's reading: remote data that does not say is taken as approved); a pending
(``approved=False``) allocation is listed on the invoice but changes neither ``amount_paid``
nor ``amount_due``: it shows in :func:`pending_amount_remaining`. Allocations are applied once
per id (ADR 0013).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Final

import attrs

from stuut_domain.errors import InvalidAllocation, InvalidTransition
from stuut_domain.invoice import OWED, Invoice, InvoiceStatus, is_fully_paid, status_of
from stuut_domain.money import Money
from stuut_domain.payment import PaymentAllocation, is_approved
from stuut_domain.validators import require_aware

__all__ = [
    "TRANSITIONS",
    "InvoiceStatus",
    "apply_allocation",
    "approve_allocation",
    "break_promise",
    "days_past_due",
    "due_day",
    "is_approved",
    "is_fully_paid",
    "is_overdue",
    "issue",
    "keep_promise",
    "local_day",
    "mark_uncollectible",
    "open_dispute",
    "pending_amount",
    "pending_amount_remaining",
    "record_promise",
    "resolve_dispute",
    "status_of",
    "unapply_allocation",
    "void",
]


_S = InvoiceStatus
_ISSUED_UNPAID: Final = OWED
_ACCEPTS_MONEY: Final = OWED | {_S.UNCOLLECTIBLE}

#: The transition table: transition name -> the statuses it may start from. Anything else is
#: refused with :class:`~stuut_domain.errors.InvalidTransition`. Some transitions also have a
#: condition on the facts (stated in each function's docstring), e.g. ``void`` needs no
#: allocations at all and ``keep_promise`` needs a recorded promise.
TRANSITIONS: Final[Mapping[str, frozenset[InvoiceStatus]]] = {
    "issue": frozenset({_S.DRAFT}),
    "void": frozenset({_S.OPEN, _S.UNCOLLECTIBLE}),
    "mark_uncollectible": _ISSUED_UNPAID,
    "apply_allocation": _ACCEPTS_MONEY,
    "approve_allocation": _ACCEPTS_MONEY,
    "unapply_allocation": frozenset({_S.OPEN, _S.PARTIALLY_PAID, _S.PAID, _S.UNCOLLECTIBLE}),
    "open_dispute": _ISSUED_UNPAID,
    "resolve_dispute": frozenset(InvoiceStatus),
    "record_promise": _ISSUED_UNPAID,
    "keep_promise": frozenset({_S.PARTIALLY_PAID, _S.PAID}),
    "break_promise": _ACCEPTS_MONEY,
}


# -- derived facts ------------------------------------------------------------------------


def pending_amount(invoice: Invoice) -> Money:
    """The sum of the invoice's pending (``approved=False``) allocations, invoice currency."""
    pending = [a.amount for a in invoice.payments if not is_approved(a)]
    return sum(pending, invoice.money(0))


def pending_amount_remaining(invoice: Invoice) -> Money:
    """What would still be due once every pending allocation is approved.

    ``amount_due`` minus the pending allocations (Stuut's v2 ``pending_amount_remaining``).
    Pending allocations never change ``amount_due`` itself.
    """
    return invoice.amount_due - pending_amount(invoice)


def local_day(invoice: Invoice, at: dt.datetime) -> dt.date:
    """The calendar day the instant ``at`` falls on for this invoice's partner.

    The zone is the embedded partner's ``timezone`` when the invoice embeds a partner that
    has one, else UTC. An unknown zone name raises
    :class:`~stuut_domain.errors.UnknownTimeZone` (nothing is guessed).
    """
    require_aware("at", at)
    zone = invoice.partner.zone if invoice.partner is not None else None
    return at.astimezone(zone or dt.UTC).date()


def due_day(invoice: Invoice) -> dt.date | None:
    """The day the invoice is due: the calendar date of ``due_date`` as the API wrote it.

    The API sends a due *date* as a datetime (often midnight UTC). Its calendar date, read in
    the offset it was written with, is the due day; converting it to another zone first would
    move "due on the 10th" to the 9th west of UTC. ``None`` when there is no due date.
    """
    return None if invoice.due_date is None else invoice.due_date.date()


def issued_after_due_day(issued_at: dt.datetime, due_date: dt.datetime) -> bool:
    """True when an invoice issued at ``issued_at`` would be issued after its due day.

    The due day is the calendar date of ``due_date`` as the API wrote it; the issue instant is
    read in that same offset. Issuing at 09:00 on the due day itself is allowed (a due date
    stored as midnight is a whole day, not an instant).
    """
    tz = due_date.tzinfo or dt.UTC
    return issued_at.astimezone(tz).date() > due_date.date()


def is_overdue(invoice: Invoice, at: dt.datetime) -> bool:
    """True when money is still owed and the due day has wholly passed at the instant ``at``.

    A due date is a whole day in the partner's time zone (the embedded partner's
    ``timezone``, else UTC; see :func:`local_day`): an invoice due on the 10th is not overdue
    at any instant of the 10th there, and is overdue from 00:00 on the 11th. Only ``open`` and
    ``partially_paid`` invoices can be overdue (drafts, paid, void and uncollectible ones are
    not collected); a dispute does not change the fact.
    """
    return days_past_due(invoice, at) > 0


def days_past_due(invoice: Invoice, at: dt.datetime) -> int:
    """Whole days between the due day and the partner-local day of ``at``; 0 when not overdue.

    Same zone rule as :func:`is_overdue`: due on the 10th gives 0 on the 10th, 1 on the 11th.
    """
    due = due_day(invoice)
    if due is None or status_of(invoice) not in _ISSUED_UNPAID:
        return 0
    return max(0, (local_day(invoice, at) - due).days)


# -- transitions --------------------------------------------------------------------------


def _refuse(transition: str, invoice: Invoice, reason: str) -> InvalidTransition:
    return InvalidTransition(transition, str(status_of(invoice)), reason)


def _check_allowed(transition: str, invoice: Invoice) -> InvoiceStatus:
    status = status_of(invoice)
    allowed = TRANSITIONS[transition]
    if status not in allowed:
        names = ", ".join(sorted(str(s) for s in allowed))
        raise InvalidTransition(transition, str(status), f"allowed only from: {names}")
    return status


def _check_not_before_issue(transition: str, invoice: Invoice, at: dt.datetime) -> None:
    require_aware("at", at)
    if invoice.issued_at is not None and at < invoice.issued_at:
        raise _refuse(
            transition,
            invoice,
            f"{at.isoformat()} is before the invoice was issued ({invoice.issued_at.isoformat()})",
        )


def issue(invoice: Invoice, *, at: dt.datetime) -> Invoice:
    """Issue (finalize) a draft: ``issued_at = at``; only a draft may be issued.

    Refused when ``at`` falls after the invoice's due day (see
    :func:`issued_after_due_day`; issuing on the due day itself is allowed). A missing
    ``amount_paid`` becomes an explicit zero, so later applications and un-applications
    restore the issued invoice exactly.
    """
    _check_allowed("issue", invoice)
    require_aware("at", at)
    if invoice.due_date is not None and issued_after_due_day(at, invoice.due_date):
        raise _refuse(
            "issue",
            invoice,
            f"issuing at {at.isoformat()} is after the due date {invoice.due_date.isoformat()}",
        )
    return attrs.evolve(invoice, issued_at=at, amount_paid=invoice.amount_paid_or_zero)


def void(invoice: Invoice, *, at: dt.datetime) -> Invoice:
    """Void an open or uncollectible invoice: ``voided_at = at``; void is terminal.

    Refused for paid and partially paid invoices, for any invoice that still lists an
    allocation (approved or pending), and for one that carries net payments it does not list
    (remote data often sends ``amount_paid`` without the allocations, ADR 0007; an
    uncollectible invoice can be partly paid): un-apply or refund the money first (Kill Bill
    refuses voiding while paid + refunded ≠ 0; Stripe while payments are attached). Refused
    too while it owes less than its total with nothing paid: credit notes lowered it, and
    they are voided first (ADR 0045).
    """
    _check_allowed("void", invoice)
    _check_not_before_issue("void", invoice, at)
    if invoice.payments:
        raise _refuse(
            "void",
            invoice,
            f"it lists {len(invoice.payments)} allocation(s); un-apply them first",
        )
    if not invoice.amount_paid_or_zero.is_zero():
        raise _refuse(
            "void",
            invoice,
            f"it carries net payments of {invoice.amount_paid_or_zero} (amount_paid); "
            "un-apply or refund them first",
        )
    if invoice.total_amount.is_positive() and invoice.amount_due < invoice.total_amount:
        raise _refuse(
            "void",
            invoice,
            f"it owes {invoice.amount_due} of {invoice.total_amount} with nothing paid: "
            "credit notes lowered it; void them first (void_credit_note), or a note would be "
            "left on a void invoice, where it can be neither checked nor voided",
        )
    return attrs.evolve(invoice, voided_at=at)


def mark_uncollectible(invoice: Invoice, *, at: dt.datetime) -> Invoice:
    """Write off an open or partially paid invoice: ``marked_uncollectible_at = at``.

    Refused while a pending allocation waits for approval (money may be on its way; decide
    on it first). The invoice stays ``uncollectible`` until money covering it arrives, then it
    is ``paid``; ``marked_uncollectible_at`` is kept as history.
    """
    _check_allowed("mark_uncollectible", invoice)
    _check_not_before_issue("mark_uncollectible", invoice, at)
    if pending_amount(invoice):
        raise _refuse(
            "mark_uncollectible",
            invoice,
            f"{pending_amount(invoice)} of allocations are pending approval",
        )
    return attrs.evolve(invoice, marked_uncollectible_at=at)


def open_dispute(invoice: Invoice) -> Invoice:
    """Put an open or partially paid invoice in dispute (``in_dispute = True``).

    Refused when it is already in dispute. A disputed invoice is held from outreach; its
    status and amounts do not change.
    """
    _check_allowed("open_dispute", invoice)
    if invoice.in_dispute:
        raise _refuse("open_dispute", invoice, "it is already in dispute")
    return attrs.evolve(invoice, in_dispute=True)


def resolve_dispute(invoice: Invoice) -> Invoice:
    """Close the invoice's dispute (``in_dispute = False``), whatever its status.

    Refused when the invoice is not in dispute.
    """
    _check_allowed("resolve_dispute", invoice)
    if not invoice.in_dispute:
        raise _refuse("resolve_dispute", invoice, "it is not in dispute")
    return attrs.evolve(invoice, in_dispute=False)


def record_promise(invoice: Invoice, promised: dt.date) -> Invoice:
    """Record the partner's promise to pay by the day ``promised`` (``promised_to_pay_date``).

    Only open or partially paid invoices take a promise. A new promise replaces an earlier
    one (a renegotiated date); the date is a whole day in the partner's time zone.

    An edit of the wire field, for books that record no
    :class:`~stuut_domain.owed.Promise`: with promise facts the field is derived from them
    (:func:`stuut_domain.owed.outreach_view`, ADR 0049), and so are kept and broken.
    """
    _check_allowed("record_promise", invoice)
    if isinstance(promised, dt.datetime):
        raise TypeError(f"promised must be a date, not a datetime ({promised.isoformat()})")
    return attrs.evolve(invoice, promised_to_pay_date=promised)


def keep_promise(invoice: Invoice) -> Invoice:
    """Mark the recorded promise kept: money arrived (the invoice is paid or partially paid).

    Clears ``promised_to_pay_date``. Refused when no promise is recorded, or when nothing has
    been paid (a promise is kept by money, not by a date). With promise facts, "kept" is
    derived instead (:func:`stuut_domain.owed.promise_status`, ADR 0049).
    """
    if invoice.promised_to_pay_date is None:
        raise _refuse("keep_promise", invoice, "no promise to pay is recorded")
    _check_allowed("keep_promise", invoice)
    return attrs.evolve(invoice, promised_to_pay_date=None)


def break_promise(invoice: Invoice, *, at: dt.datetime) -> Invoice:
    """Mark the recorded promise broken at ``at``: the promised day has wholly passed unpaid.

    Clears ``promised_to_pay_date`` so outreach resumes. Refused when no promise is recorded,
    when the invoice is paid (or void, or a draft), and when the promised day has not passed
    yet in the partner's time zone (see :func:`local_day`). With promise facts, "broken" is
    derived instead (:func:`stuut_domain.owed.promise_status`, ADR 0049).
    """
    promised = invoice.promised_to_pay_date
    if promised is None:
        raise _refuse("break_promise", invoice, "no promise to pay is recorded")
    _check_allowed("break_promise", invoice)
    today = local_day(invoice, at)
    if today <= promised:
        raise _refuse(
            "break_promise",
            invoice,
            f"the promised day {promised.isoformat()} has not passed ({today.isoformat()} "
            "in the partner's time zone)",
        )
    return attrs.evolve(invoice, promised_to_pay_date=None)


def _find(invoice: Invoice, allocation_id: str) -> int | None:
    for index, existing in enumerate(invoice.payments):
        if existing.id == allocation_id:
            return index
    return None


def _with_paid(invoice: Invoice, delta: Money, at: dt.datetime | None) -> Invoice:
    """Move ``delta`` from due to paid, keeping ``paid_at`` iff fully paid."""
    paid = invoice.amount_paid_or_zero + delta
    if paid.is_negative():
        raise InvalidAllocation(
            "amount_paid_negative",
            f"amount_paid would become {paid} (it is {invoice.amount_paid_or_zero})",
            invoice_id=invoice.id,
            amount_paid=invoice.amount_paid_or_zero,
            delta=delta,
        )
    new = attrs.evolve(invoice, amount_paid=paid, amount_due=invoice.amount_due - delta)
    if is_fully_paid(new):
        if new.paid_at is None:
            new = attrs.evolve(new, paid_at=at)
    elif new.paid_at is not None:
        new = attrs.evolve(new, paid_at=None)
    return new


def _check_allocation_for(invoice: Invoice, allocation: PaymentAllocation) -> str:
    if allocation.id is None:
        raise InvalidAllocation(
            "allocation_id_missing",
            "an allocation needs an id to be applied exactly once",
            invoice_id=invoice.id,
        )
    if invoice.id is None or allocation.invoice_id != invoice.id:
        raise InvalidAllocation(
            "allocation_invoice_mismatch",
            f"allocation {allocation.id!r} is for invoice {allocation.invoice_id!r}, "
            f"not {invoice.id!r}",
            allocation_id=allocation.id,
            invoice_id=invoice.id,
        )
    if allocation.amount.code != invoice.currency:
        raise InvalidAllocation(
            "allocation_currency",
            f"allocation {allocation.id!r} is in {allocation.amount.code}, "
            f"the invoice in {invoice.currency}",
            allocation_id=allocation.id,
            amount=allocation.amount,
        )
    if not allocation.amount.is_positive():
        raise InvalidAllocation(
            "allocation_not_positive",
            f"allocation {allocation.id!r} is {allocation.amount}; it must be above zero",
            allocation_id=allocation.id,
            amount=allocation.amount,
        )
    return allocation.id


def _check_listed(invoice: Invoice, allocation: PaymentAllocation) -> None:
    """Refuse to list a first allocation beside payments the invoice does not list.

    An invoice read from remote data may carry ``amount_paid`` without its allocations
    (ADR 0007): the rule "approved allocations sum to amount_paid" then holds vacuously, and
    listing one new allocation would break it. Load the invoice with its allocations first
    (``allocations_unlisted``).
    """
    if not invoice.payments and not invoice.amount_paid_or_zero.is_zero():
        raise InvalidAllocation(
            "allocations_unlisted",
            f"invoice {invoice.id!r} has amount_paid {invoice.amount_paid_or_zero} but lists "
            f"none of its allocations; load them before applying {allocation.id!r}",
            invoice_id=invoice.id,
            amount_paid=invoice.amount_paid_or_zero,
        )


def _exceeds(code: str, invoice: Invoice, allocation: PaymentAllocation, cap: Money) -> None:
    if allocation.amount > cap:
        raise InvalidAllocation(
            code,
            f"allocation {allocation.id!r} of {allocation.amount} is above what invoice "
            f"{invoice.id!r} can take ({cap})",
            allocation_id=allocation.id,
            amount=allocation.amount,
            cap=cap,
        )


def apply_allocation(
    invoice: Invoice, allocation: PaymentAllocation, *, at: dt.datetime
) -> Invoice:
    """Apply an allocation to an open, partially paid or uncollectible invoice.

    Rules: the allocation has an id, points at this invoice, is in its currency and is above
    zero. An approved one (see :func:`is_approved`) is never above ``amount_due``; it moves
    its amount from ``amount_due`` to ``amount_paid`` and, when that pays the invoice in
    full, sets ``paid_at = at`` (an uncollectible invoice so becomes paid). A pending one is
    never above :func:`pending_amount_remaining` and changes no amount.

    Idempotent by id (ADR 0013): an allocation whose id the invoice already lists, with the
    same payment and amount, leaves the invoice unchanged; the same id with another payment or
    amount is refused (``allocation_conflict``).
    """
    allocation_id = _check_allocation_for(invoice, allocation)
    index = _find(invoice, allocation_id)
    if index is not None:
        existing = invoice.payments[index]
        if (existing.payment_id, existing.amount) == (allocation.payment_id, allocation.amount):
            return invoice
        raise InvalidAllocation(
            "allocation_conflict",
            f"invoice {invoice.id!r} already lists allocation {allocation_id!r} with "
            f"{existing.amount} from payment {existing.payment_id!r}",
            allocation_id=allocation_id,
            existing=existing.amount,
            amount=allocation.amount,
        )
    _check_allowed("apply_allocation", invoice)
    _check_not_before_issue("apply_allocation", invoice, at)
    _check_listed(invoice, allocation)
    with_listed = attrs.evolve(invoice, payments=(*invoice.payments, allocation))
    if not is_approved(allocation):
        _exceeds(
            "exceeds_pending_amount_remaining",
            invoice,
            allocation,
            pending_amount_remaining(invoice),
        )
        return with_listed
    _exceeds("exceeds_amount_due", invoice, allocation, invoice.amount_due)
    return _with_paid(with_listed, allocation.amount, at)


def approve_allocation(
    invoice: Invoice,
    allocation_id: str,
    *,
    at: dt.datetime,
    approver_id: str | None = None,
) -> Invoice:
    """Approve a pending allocation the invoice lists: it now counts towards ``amount_paid``.

    Sets ``approved``, ``approved_at = at`` and ``approver_id`` and applies the amount as
    :func:`apply_allocation` does (never above ``amount_due``; ``paid_at`` when paid in full).
    Approving an already approved allocation changes nothing (idempotent). Refused when the
    invoice does not list ``allocation_id``.
    """
    index = _find(invoice, allocation_id)
    if index is None:
        raise _refuse("approve_allocation", invoice, f"it lists no allocation {allocation_id!r}")
    allocation = invoice.payments[index]
    if is_approved(allocation):
        return invoice
    _check_allowed("approve_allocation", invoice)
    _check_not_before_issue("approve_allocation", invoice, at)
    _exceeds("exceeds_amount_due", invoice, allocation, invoice.amount_due)
    approved = attrs.evolve(allocation, approved=True, approved_at=at, approver_id=approver_id)
    payments = (*invoice.payments[:index], approved, *invoice.payments[index + 1 :])
    return _with_paid(attrs.evolve(invoice, payments=payments), allocation.amount, at)


def unapply_allocation(
    invoice: Invoice, allocation_id: str, *, amount: Money | None = None
) -> Invoice:
    """Take an allocation (or ``amount`` of it) back off the invoice.

    Without ``amount`` the allocation is removed; with ``amount`` (invoice currency, above
    zero, at most the allocation) it is reduced, and removed when reduced to zero. An approved
    allocation gives its amount back to ``amount_due``: a paid invoice reopens (partially paid
    or open, or uncollectible again if it had been written off) and ``paid_at`` is cleared.
    ``amount_paid`` never goes negative (``amount_paid_negative`` is refused). Applying then
    un-applying an allocation restores the invoice exactly.
    """
    index = _find(invoice, allocation_id)
    if index is None:
        raise _refuse("unapply_allocation", invoice, f"it lists no allocation {allocation_id!r}")
    _check_allowed("unapply_allocation", invoice)
    allocation = invoice.payments[index]
    taken = allocation.amount if amount is None else amount
    if taken.code != invoice.currency or not taken.is_positive() or taken > allocation.amount:
        raise InvalidAllocation(
            "unapply_amount",
            f"cannot take {taken} off allocation {allocation_id!r} of {allocation.amount}",
            allocation_id=allocation_id,
            amount=taken,
            allocated=allocation.amount,
        )
    rest = allocation.amount - taken
    kept = (attrs.evolve(allocation, amount=rest),) if rest else ()
    payments = (*invoice.payments[:index], *kept, *invoice.payments[index + 1 :])
    reduced = attrs.evolve(invoice, payments=payments)
    if not is_approved(allocation):
        return reduced
    return _with_paid(reduced, -taken, None)
