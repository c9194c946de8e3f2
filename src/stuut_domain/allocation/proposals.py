"""Allocating one payment across a partner's invoices, by a named rule, with approval.

:func:`allocate_payment` proposes allocations and returns an :class:`AllocationResult`: per
invoice, the amount applied (invoice currency) and its cost to the payment (payment currency),
whether it is approved or pending, the invoices it skipped and why, and the payment's
unapplied credit afterwards, each with a sentence that explains it. The rules (ADR 0010):

* Never above what an invoice can take: its :func:`~stuut_domain.lifecycle.pending_amount_remaining`
  (``amount_due`` less allocations already pending on it).
* What the rule does not place stays on the payment as **unapplied credit** (reported, never
  forced onto an invoice).
* Draft and void invoices are refused, and so are invoices of another partner than the
  payment's unless ``allow_cross_partner=True``.
* Foreign-currency invoices go through the payment's ``currency_rate``
  (:mod:`stuut_domain.allocation.exchange`, ADR 0012);
  one payment has one rate, so its invoices may be
  in at most one currency other than its own.
* Approval: explicit amounts are a person's decision (``strategy="manual"``) and approved at
  once; the automatic rules (``strategy="automatic"``) are approved only when their
  ``confidence`` reaches the :class:`ApprovalPolicy` threshold, else pending. Pending
  allocations change no invoice's ``amount_due``; :func:`approve_allocations` applies them.

:func:`apply_result` posts a result onto the invoices (idempotent by allocation id, ADR 0013).
The word "strategy" is kept for the wire field ``PaymentAllocation.strategy``.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Iterable, Mapping, Sequence

import attrs

from stuut_domain.allocation.balance import unapplied_credit
from stuut_domain.allocation.exchange import invoice_amount, payment_cost, rate_to
from stuut_domain.display import compact
from stuut_domain.errors import InvalidAllocation
from stuut_domain.invoice import Invoice
from stuut_domain.lifecycle import (
    InvoiceStatus,
    apply_allocation,
    approve_allocation,
    is_approved,
    pending_amount_remaining,
    status_of,
    unapply_allocation,
)
from stuut_domain.money import Money, allocate
from stuut_domain.payment import Payment, PaymentAllocation
from stuut_domain.validators import require_aware

__all__ = [
    "AllocationLine",
    "AllocationResult",
    "AllocationRule",
    "ApprovalPolicy",
    "Skipped",
    "allocate_payment",
    "apply_result",
    "approve_allocations",
    "oldest_due_order",
    "withdraw_allocation",
]


class AllocationRule(enum.StrEnum):
    """How a payment is spread over invoices.

    ``explicit``: the amounts a person gave, per invoice. ``oldest_due_first``: invoices in
    :func:`oldest_due_order`, each covered in full before the next gets anything.
    ``proportional``: the payment split in proportion to what each invoice can take (its
    cost in the payment's currency), with :func:`stuut_domain.money.allocate`'s largest
    remainder rule for the leftover units. ``matched``: the amounts an automatic matcher
    chose per invoice (cash application, ADR 0040): checked like explicit amounts, but
    recorded as ``strategy="automatic"`` and approved only by the :class:`ApprovalPolicy`.
    """

    EXPLICIT = "explicit"
    OLDEST_DUE_FIRST = "oldest_due_first"
    PROPORTIONAL = "proportional"
    MATCHED = "matched"


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class ApprovalPolicy:
    """Automatic proposals with ``confidence >= threshold`` are approved; others are pending.

    A proposal without a confidence is always pending.
    """

    threshold: float

    def approves(self, confidence: float | None) -> bool:
        """Whether an automatic proposal with this confidence is approved without review."""
        return confidence is not None and confidence >= self.threshold


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class AllocationLine:
    """One proposed allocation: what the invoice receives, what it costs the payment, why."""

    allocation: PaymentAllocation
    cost: Money
    explanation: str

    @property
    def invoice_id(self) -> str:
        """The invoice the allocation pays."""
        return self.allocation.invoice_id

    @property
    def amount(self) -> Money:
        """What the invoice's balance goes down by (invoice currency)."""
        return self.allocation.amount

    @property
    def approved(self) -> bool:
        """True when it counts at once; False when it waits for approval."""
        return is_approved(self.allocation)


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Skipped:
    """An invoice the rule gave nothing to, with a stable ``code`` and a sentence."""

    invoice_id: str
    code: str
    message: str


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class AllocationResult:
    """The outcome of :func:`allocate_payment`.

    ``payment`` lists the new allocations after its earlier ones; ``lines`` are the new
    allocations in the rule's order; ``unapplied`` is the payment's unapplied credit after
    them (payment currency). Money is conserved: the payment's amount equals its allocations
    at cost + ``amount_refunded`` + ``unapplied``.
    """

    rule: AllocationRule
    payment: Payment
    lines: tuple[AllocationLine, ...]
    skipped: tuple[Skipped, ...]
    unapplied: Money

    @property
    def applied(self) -> Money:
        """The cost of the approved new allocations (payment currency)."""
        return sum((ln.cost for ln in self.lines if ln.approved), Money.zero(self.unapplied.code))

    @property
    def pending(self) -> Money:
        """The cost of the new allocations waiting for approval (payment currency)."""
        return sum(
            (ln.cost for ln in self.lines if not ln.approved), Money.zero(self.unapplied.code)
        )

    def amount_for(self, invoice_id: str) -> Money | None:
        """What the new allocations give ``invoice_id`` (invoice currency), None if nothing."""
        amounts = [ln.amount for ln in self.lines if ln.invoice_id == invoice_id]
        return sum(amounts[1:], amounts[0]) if amounts else None

    @property
    def explanation(self) -> tuple[str, ...]:
        """One sentence per allocation and per skipped invoice, then the unapplied credit."""
        return (
            *(ln.explanation for ln in self.lines),
            *(f"{s.invoice_id}: nothing allocated [{s.code}] {s.message}" for s in self.skipped),
            f"unapplied credit left on payment {self.payment.id}: {self.unapplied}",
        )


def oldest_due_order(invoices: Iterable[Invoice]) -> list[Invoice]:
    """Invoices oldest due first, ties broken deterministically.

    Order: earliest ``due_date`` (invoices without one last), then earliest ``issued_at``
    (without one last), then ``number``, then ``id`` (both as text). The input order never
    matters.
    """
    floor = dt.datetime.min.replace(tzinfo=dt.UTC)

    def key(inv: Invoice) -> tuple[bool, dt.datetime, bool, dt.datetime, str, str]:
        return (
            inv.due_date is None,
            inv.due_date or floor,
            inv.issued_at is None,
            inv.issued_at or floor,
            inv.number or "",
            inv.id or "",
        )

    return sorted(invoices, key=key)


def _refuse(code: str, message: str, **details: object) -> InvalidAllocation:
    return InvalidAllocation(code, message, **details)


def _check_payment(payment: Payment) -> tuple[str, Money]:
    if payment.id is None or payment.amount is None or payment.currency is None:
        raise _refuse(
            "payment_incomplete",
            f"payment {payment.id!r} needs an id, an amount and a currency to be allocated",
            payment_id=payment.id,
        )
    available = unapplied_credit(payment)
    if available.is_negative():
        raise _refuse(
            "overallocated",
            f"payment {payment.id!r} is already allocated beyond its amount ({available})",
            payment_id=payment.id,
            unapplied=available,
        )
    return payment.id, available


def _check_invoices(
    payment: Payment, invoices: Sequence[Invoice], *, allow_cross_partner: bool
) -> None:
    seen: set[str] = set()
    for inv in invoices:
        if inv.id is None:
            raise _refuse("invoice_id_missing", f"invoice {inv.number!r} has no id")
        if inv.id in seen:
            raise _refuse("duplicate_invoice", f"invoice {inv.id!r} is listed twice")
        seen.add(inv.id)
        status = status_of(inv)
        if status in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
            raise _refuse(
                "invoice_not_payable",
                f"invoice {inv.id!r} is {status}: payments go only to issued, unvoided invoices",
                invoice_id=inv.id,
                status=str(status),
            )
    partners = {p for p in (payment.partner_id, *(i.partner_id for i in invoices)) if p}
    if len(partners) > 1 and not allow_cross_partner:
        raise _refuse(
            "cross_partner",
            f"payment {payment.id!r} and the invoices belong to several partners "
            f"({', '.join(sorted(partners))}); pass allow_cross_partner=True to allow it",
            partners=tuple(sorted(partners)),
        )
    foreign = {i.currency for i in invoices if i.currency != payment.currency}
    foreign |= {a.amount.code for a in payment.allocations if a.amount.code != payment.currency}
    if len(foreign) > 1:
        raise _refuse(
            "mixed_currencies",
            f"payment {payment.id!r} has one currency_rate but would pay "
            f"{', '.join(sorted(foreign))}",
            currencies=tuple(sorted(foreign)),
        )
    for inv in invoices:
        rate_to(payment, inv.currency)


def _allocation_id(
    payment: Payment,
    invoice_id: str,
    amount: Money,
    at: dt.datetime | None,
    taken: set[str],
) -> str:
    """A deterministic id: the same proposal on the same payment state gets the same id.

    Never one of ``taken`` (the payment's allocation ids and the lines proposed before it):
    the hash counts the payment's allocations, which shrink when one is withdrawn, so a
    respend after a withdrawal could hash to a listed allocation's id and be ignored as
    already applied (the money lost). A clash is salted with the next ordinal until free.

    The instant is hashed in UTC, so a retry that writes the same instant with another UTC
    offset (``10:00+00:00`` as ``12:00+02:00``) gets the same id and applies once (ADR 0013).
    ``at=None`` (the ``matched`` rule) leaves the instant out: a match is a function of the
    bank transaction (the payment id derives from it) and the allocation, so matching the same
    transaction again later proposes the same ids and posts its money once (ADR 0043).
    """
    instant = "" if at is None else at.astimezone(dt.UTC).isoformat()
    text = "|".join(
        (
            str(payment.id),
            str(len(payment.allocations)),
            invoice_id,
            str(amount.minor_units),
            amount.code,
            instant,
        )
    )
    salt = 0
    while True:
        salted = text if salt == 0 else f"{text}|{salt}"
        found = "alloc_" + hashlib.blake2b(salted.encode(), digest_size=10).hexdigest()
        if found not in taken:
            taken.add(found)
            return found
        salt += 1


def _amounts_explicit(
    payment: Payment,
    invoices: Sequence[Invoice],
    amounts: Mapping[str, Money],
    available: Money,
) -> dict[str, Money]:
    by_id = {str(i.id): i for i in invoices}
    unknown = sorted(set(amounts) - set(by_id))
    if unknown:
        raise _refuse(
            "unknown_invoice",
            f"amounts name invoices that were not given: {', '.join(unknown)}",
            invoice_ids=tuple(unknown),
        )
    chosen: dict[str, Money] = {}
    total_cost = Money(0, str(payment.currency))
    for inv_id, amount in amounts.items():
        chosen[inv_id] = _explicit_amount(by_id[inv_id], amount)
        total_cost += payment_cost(payment, amount)
    if total_cost > available:
        raise _refuse(
            "exceeds_payment",
            f"the amounts cost {total_cost} but payment {payment.id!r} has {available} unapplied",
            cost=total_cost,
            unapplied=available,
        )
    return chosen


def _explicit_amount(inv: Invoice, amount: Money) -> Money:
    """One explicit amount, refused unless in the invoice's currency (``allocation_currency``),
    above zero (``allocation_not_positive``) and within what the invoice can take
    (``exceeds_amount_due``: amount due less the allocations already pending on it)."""
    cap = pending_amount_remaining(inv)
    if amount.code != inv.currency:
        raise _refuse(
            "allocation_currency",
            f"cannot allocate {amount} to invoice {inv.id!r}: it is in {inv.currency}",
            invoice_id=inv.id,
            amount=amount,
        )
    if not amount.is_positive():
        raise _refuse(
            "allocation_not_positive",
            f"cannot allocate {amount} to invoice {inv.id!r}: an allocation is above zero",
            invoice_id=inv.id,
            amount=amount,
        )
    if amount > cap:
        raise _refuse(
            "exceeds_amount_due",
            f"cannot allocate {amount} to invoice {inv.id!r}: it can take {cap} "
            "(amount due less pending allocations)",
            invoice_id=inv.id,
            amount=amount,
            cap=cap,
        )
    return amount


def _amounts_oldest_first(
    payment: Payment, invoices: Sequence[Invoice], available: Money
) -> dict[str, Money]:
    chosen: dict[str, Money] = {}
    left = available
    for inv in oldest_due_order(invoices):
        cap = pending_amount_remaining(inv)
        if not cap.is_positive() or not left.is_positive():
            continue
        if left >= payment_cost(payment, cap):
            chosen[str(inv.id)] = cap
            left -= payment_cost(payment, cap)
            continue
        # the first invoice the credit cannot cover takes what it buys, and no later invoice
        # gets anything: a rounding crumb stays unapplied credit (ADR 0010)
        amount = invoice_amount(payment, left, inv.currency)
        if amount.is_positive():
            chosen[str(inv.id)] = amount
        break
    return chosen


def _amounts_proportional(
    payment: Payment, invoices: Sequence[Invoice], available: Money
) -> dict[str, Money]:
    open_invoices = [i for i in invoices if pending_amount_remaining(i).is_positive()]
    if not open_invoices or not available.is_positive():
        return {}
    caps = [pending_amount_remaining(i) for i in open_invoices]
    needs = [payment_cost(payment, cap) for cap in caps]
    total_need = sum(needs[1:], needs[0])
    if available >= total_need:
        return {str(i.id): cap for i, cap in zip(open_invoices, caps, strict=True)}
    shares = allocate(available, [n.minor_units for n in needs])
    chosen: dict[str, Money] = {}
    for inv, cap, share in zip(open_invoices, caps, shares, strict=True):
        amount = min(cap, invoice_amount(payment, share, inv.currency))
        if amount.is_positive():
            chosen[str(inv.id)] = amount
    return chosen


def _why_skipped(inv: Invoice, rule: AllocationRule, left: Money) -> Skipped:
    inv_id = str(inv.id)
    cap = pending_amount_remaining(inv)
    if not cap.is_positive():
        return Skipped(
            invoice_id=inv_id,
            code="nothing_due",
            message=f"nothing left to pay once pending allocations are approved ({cap})",
        )
    if rule is AllocationRule.EXPLICIT:
        return Skipped(invoice_id=inv_id, code="no_amount_given", message="no amount was given")
    return Skipped(
        invoice_id=inv_id,
        code="payment_exhausted",
        message=f"the payment's unapplied credit ({left}) buys nothing more of it",
    )


def _explain(rule: AllocationRule, inv: Invoice, amount: Money, cost: Money, approved: bool) -> str:
    cap = pending_amount_remaining(inv)
    how = "covers what is due" if amount == cap else f"part of {cap} due"
    fx = "" if cost.code == amount.code else f" at a cost of {cost}"
    state = "approved" if approved else "pending approval"
    return f"{inv.id}: {amount} by {rule} ({how}){fx}, {state}"


def allocate_payment(
    payment: Payment,
    invoices: Sequence[Invoice],
    *,
    rule: AllocationRule,
    at: dt.datetime,
    amounts: Mapping[str, Money] | None = None,
    confidence: float | None = None,
    approval: ApprovalPolicy | None = None,
    allow_cross_partner: bool = False,
) -> AllocationResult:
    """Propose allocations of the payment's unapplied credit to ``invoices`` by ``rule``.

    ``amounts`` (invoice id -> amount in that invoice's currency) is required by the
    ``explicit`` and ``matched`` rules and refused by the others. ``confidence`` is the
    automatic matcher's score, recorded as ``agent_confidence_score``; with ``approval`` it
    decides whether automatic proposals are approved (``approval=None``: every automatic
    proposal is pending). Nothing is written to the invoices: pass the result to
    :func:`apply_result`.

    Refused (:class:`~stuut_domain.errors.InvalidAllocation` with a code): an incomplete or
    over-allocated payment, draft or void invoices, several partners unless allowed, more than
    one foreign currency, a foreign invoice without ``currency_rate``, explicit amounts above
    what an invoice can take or costing more than the unapplied credit.
    """
    payment_id, available = _check_payment(payment)
    require_aware("at", at)
    _check_invoices(payment, invoices, allow_cross_partner=allow_cross_partner)
    chosen = _chosen_amounts(payment, invoices, rule, amounts, available)
    manual = rule is AllocationRule.EXPLICIT
    approved = manual or (approval is not None and approval.approves(confidence))
    ordered = oldest_due_order(invoices) if rule is AllocationRule.OLDEST_DUE_FIRST else invoices
    lines: list[AllocationLine] = []
    skipped: list[Skipped] = []
    taken = {str(a.id) for a in payment.allocations if a.id is not None}
    for inv in ordered:
        amount = chosen.get(str(inv.id))
        if amount is None:
            skipped.append(_why_skipped(inv, rule, available))
            continue
        allocation = PaymentAllocation(
            amount=amount,
            invoice_id=str(inv.id),
            object="payment_allocation",
            payment_id=payment_id,
            strategy="manual" if manual else "automatic",
            id=_allocation_id(
                payment,
                str(inv.id),
                amount,
                None if rule is AllocationRule.MATCHED else at,
                taken,
            ),
            agent_confidence_score=None if manual else confidence,
            approved=approved,
            approved_at=at if approved else None,
            created_at=at,
        )
        cost = payment_cost(payment, amount)
        explanation = _explain(rule, inv, amount, cost, approved)
        lines.append(AllocationLine(allocation=allocation, cost=cost, explanation=explanation))
    new_payment = attrs.evolve(
        payment, allocations=(*payment.allocations, *(ln.allocation for ln in lines))
    )
    return AllocationResult(
        rule=rule,
        payment=new_payment,
        lines=tuple(lines),
        skipped=tuple(skipped),
        unapplied=unapplied_credit(new_payment),
    )


def _chosen_amounts(
    payment: Payment,
    invoices: Sequence[Invoice],
    rule: AllocationRule,
    amounts: Mapping[str, Money] | None,
    available: Money,
) -> dict[str, Money]:
    """What ``rule`` gives each invoice (id -> amount in its currency); amounts only with the
    explicit and matched rules, and those rules only with amounts."""
    given = rule in (AllocationRule.EXPLICIT, AllocationRule.MATCHED)
    if (amounts is None) is given:
        raise _refuse(
            "amounts_and_rule",
            "amounts are given with the explicit and matched rules and only with them "
            f"(rule: {rule})",
            rule=str(rule),
        )
    if given:
        return _amounts_explicit(payment, invoices, amounts or {}, available)
    if rule is AllocationRule.OLDEST_DUE_FIRST:
        return _amounts_oldest_first(payment, invoices, available)
    return _amounts_proportional(payment, invoices, available)


def apply_result(
    result: AllocationResult, invoices: Sequence[Invoice], *, at: dt.datetime
) -> tuple[Invoice, ...]:
    """The invoices with the result's allocations applied, in the order given.

    Each line goes through :func:`~stuut_domain.lifecycle.apply_allocation`, so applying the
    same result twice applies it once (by allocation id). Invoices the result does not touch
    come back unchanged; a line whose invoice is not given is refused (``invoice_missing``).
    """
    by_id = {inv.id: inv for inv in invoices}
    for line in result.lines:
        if line.invoice_id not in by_id:
            raise _refuse(
                "invoice_missing",
                f"allocation {line.allocation.id!r} is for invoice {line.invoice_id!r}, "
                "which was not given",
                invoice_id=line.invoice_id,
            )
        by_id[line.invoice_id] = apply_allocation(by_id[line.invoice_id], line.allocation, at=at)
    return tuple(by_id[inv.id] for inv in invoices)


def _replace(payment: Payment, allocation_id: str, new: PaymentAllocation | None) -> Payment:
    kept: list[PaymentAllocation] = []
    for allocation in payment.allocations:
        if allocation.id != allocation_id:
            kept.append(allocation)
        elif new is not None:
            kept.append(new)
    return attrs.evolve(payment, allocations=tuple(kept))


def approve_allocations(
    payment: Payment,
    invoices: Sequence[Invoice],
    *,
    at: dt.datetime,
    approver_id: str | None = None,
    allocation_ids: Iterable[str] | None = None,
) -> tuple[Payment, tuple[Invoice, ...]]:
    """Approve the payment's pending allocations (all, or those in ``allocation_ids``).

    Mirrors ``POST /v1/payments/{id}/approve-allocations``: each approved allocation is
    updated on the payment and on its invoice via
    :func:`~stuut_domain.lifecycle.approve_allocation` (which applies the amount; refused
    above ``amount_due``). Already approved ones are left alone. The invoices come back in
    the order given; an allocation whose invoice is not given is refused.
    """
    wanted = None if allocation_ids is None else set(allocation_ids)
    by_id = {inv.id: inv for inv in invoices}
    new_payment = payment
    for allocation in payment.allocations:
        if is_approved(allocation) or allocation.id is None:
            continue
        if wanted is not None and allocation.id not in wanted:
            continue
        invoice = by_id.get(allocation.invoice_id)
        if invoice is None:
            raise _refuse(
                "invoice_missing",
                f"allocation {allocation.id!r} is for invoice {allocation.invoice_id!r}, "
                "which was not given",
                invoice_id=allocation.invoice_id,
            )
        updated = approve_allocation(invoice, allocation.id, at=at, approver_id=approver_id)
        by_id[allocation.invoice_id] = updated
        approved = attrs.evolve(allocation, approved=True, approved_at=at, approver_id=approver_id)
        new_payment = _replace(new_payment, allocation.id, approved)
    return new_payment, tuple(by_id[inv.id] for inv in invoices)


def withdraw_allocation(
    payment: Payment, invoice: Invoice, allocation_id: str
) -> tuple[Payment, Invoice]:
    """Take an allocation off both the payment and its invoice; its money is unapplied again.

    The invoice side is :func:`~stuut_domain.lifecycle.unapply_allocation` (a paid invoice
    reopens and loses ``paid_at``); the payment's unapplied credit grows by the allocation's
    cost. Refused when the payment does not list the allocation.
    """
    if all(a.id != allocation_id for a in payment.allocations):
        raise _refuse(
            "unknown_allocation",
            f"payment {payment.id!r} lists no allocation {allocation_id!r}",
            allocation_id=allocation_id,
        )
    return _replace(payment, allocation_id, None), unapply_allocation(invoice, allocation_id)
