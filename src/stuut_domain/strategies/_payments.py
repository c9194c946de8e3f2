"""Strategies for payments and their allocations to invoices (money is conserved)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from stuut_domain._assembly import latest
from stuut_domain.money import Money, allocate
from stuut_domain.payment import AllocatedInvoice, Payment, PaymentAllocation
from stuut_domain.strategies._arguments import _strategy
from stuut_domain.strategies._fields import (
    _ALLOCATION_IDS,
    _BOOLEANS,
    _INVOICE_IDS,
    _PARTNER_IDS,
    _PAYMENT_IDS,
    _REMOTE_IDS,
    _USER_IDS,
    _distinct,
    _maybe,
)
from stuut_domain.strategies._money import _check_currency, _major, currencies
from stuut_domain.strategies._time import _UTC_INSTANTS, _after

_REFERENCES: Final = st.integers(10**5, 10**9).map(str)
_MAYBE_REMOTE_IDS: Final = st.none() | _REMOTE_IDS
_CONFIDENCES: Final = st.sampled_from((0.97, 0.85, 0.42, None))
_PENDING_CONFIDENCES: Final = st.sampled_from((0.35, 0.6))
_ALLOCATION_STRATEGIES: Final = st.sampled_from(("automatic", "manual"))
_PAYMENT_METHODS: Final = st.sampled_from(("ach", "wire", "check", "card"))
_MATCH_STATUSES: Final = st.sampled_from(("matched", "pending_match"))
_DUE_OFFSETS: Final = st.integers(-30, 90)
_NUMBERS: Final = st.integers(1, 99999)


@functools.cache
def _ratios(count: int) -> st.SearchStrategy[list[int]]:
    """``count`` allocation weights from 1 to 9 (one strategy per count, built once)."""
    return st.lists(st.integers(1, 9), min_size=count, max_size=count)


def _allocations(
    draw: st.DrawFn,
    *,
    invoice_id: str,
    partner_id: str,
    code: str,
    amount: int,
    after: dt.datetime | None,
    approved: bool,
) -> list[PaymentAllocation]:
    """Allocations of payments to one invoice summing exactly to ``amount`` minor units."""
    if amount == 0 or after is None:
        return []
    count = draw(st.integers(1, min(3, amount)))
    ratios = draw(_ratios(count))
    parts = [p for p in allocate(Money(amount, code), ratios) if p.is_positive()]
    ids = draw(_distinct(_ALLOCATION_IDS, count))
    result = []
    for allocation_id, part in zip(ids, parts, strict=False):
        payment = _embedded_payment(draw, code, partner_id, part, after)
        result.append(
            PaymentAllocation(
                amount=part,
                invoice_id=invoice_id,
                payment_id=payment.id or "",
                **_allocation_facts(
                    draw,
                    allocation_id=allocation_id,
                    after=payment.timestamp or after,
                    approved=approved,
                    confidence=lambda _: draw(_CONFIDENCES),
                ),
                payment=payment,
                remote_id=draw(_MAYBE_REMOTE_IDS) if approved else None,
            )
        )
    return result


def _allocation_facts(
    draw: st.DrawFn,
    *,
    allocation_id: str,
    after: dt.datetime,
    approved: bool,
    confidence: Callable[[bool], float | None],
) -> dict[str, Any]:
    """The fields every generated allocation draws alike, as keyword arguments.

    Created within five days after ``after``; an approved allocation is approved within five
    days of its creation by a user, and was last modified then. ``confidence(approved)`` gives
    the agent's confidence score.
    """
    created = _after(draw, after, 5)
    approved_at = _after(draw, created, 5) if approved else None
    return {
        "object": "payment_allocation",
        "strategy": draw(_ALLOCATION_STRATEGIES),
        "id": allocation_id,
        "agent_confidence_score": confidence(approved),
        "approved": approved,
        "approved_at": approved_at,
        "approver_id": draw(_USER_IDS) if approved else None,
        "created_at": created,
        "modified_at": approved_at or created,
    }


def _embedded_payment(
    draw: st.DrawFn, code: str, partner_id: str, covers: Money, after: dt.datetime
) -> Payment:
    """The payment an allocation embeds: in the invoice's currency, at least ``covers``."""
    at = _after(draw, after, 120)
    return Payment(
        id=draw(_PAYMENT_IDS),
        amount=covers + Money(draw(st.integers(0, covers.minor_units)), code),
        amount_refunded=Money.zero(code),
        created_at=at,
        currency=code,
        currency_rate=Decimal(1),
        modified_at=_after(draw, at, 5),
        object="payment",
        partner_id=partner_id,
        payment_method=draw(_PAYMENT_METHODS),
        reference_number=_maybe(draw, _REFERENCES),
        status=draw(_MATCH_STATUSES),
        timestamp=at,
    )


def payments(
    *,
    currency: str | st.SearchStrategy[str] | None = None,
    min_allocations: int = 0,
    max_allocations: int = 3,
    partner_id: str | st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Payment]:
    """Payments whose allocations conserve money: ``check_payment`` finds nothing wrong.

    The allocations (each to a distinct invoice in the payment's ``currency``, with the short
    invoice embedded, each with its own id) sum to at most ``amount − amount_refunded``; the
    rest is unapplied credit. Amounts are positive; ``0 <= amount_refunded <= amount / 4``.
    Some allocations are approved, others pending with a lower agent confidence.
    ``partner_id`` is the paying customer's id or a strategy of ids (default: generated).
    The invoices allocated to are not generated; for payments that settle generated invoices
    of one partner, see :func:`portfolios`.
    """
    _check_currency(currency)
    if not 0 <= min_allocations <= max_allocations:
        raise InvalidArgument(
            "need 0 <= min_allocations <= max_allocations, "
            f"got {min_allocations}..{max_allocations}"
        )
    return _payments(
        _strategy(currency, currencies()),
        min_allocations,
        max_allocations,
        _strategy(partner_id, _PARTNER_IDS),
    )


@st.composite
def _payments(
    draw: st.DrawFn,
    codes: st.SearchStrategy[str],
    min_allocations: int,
    max_allocations: int,
    partner_ids: st.SearchStrategy[str],
) -> Payment:
    code = draw(codes)
    count = draw(st.integers(min_allocations, max_allocations))
    amount = draw(st.integers(max(1, count), _major(code, 1_000_000)))
    # Each allocation takes at least one minor unit, so the refund leaves ``count`` of them.
    refunded = draw(st.integers(0, min(amount // 4, amount - count)))
    applied = draw(st.integers(count, amount - refunded)) if count else 0
    payment_id = draw(_PAYMENT_IDS)
    partner_id = draw(partner_ids)
    at = draw(_UTC_INSTANTS)
    allocations = []
    if count:
        ratios = draw(_ratios(count))
        invoice_ids = draw(_distinct(_INVOICE_IDS, count))
        allocation_ids = draw(_distinct(_ALLOCATION_IDS, count))
        # One minor unit each, the rest by weight: every allocation is above zero.
        parts = [p + Money(1, code) for p in allocate(Money(applied - count, code), ratios)]
        for invoice_id, allocation_id, part in zip(invoice_ids, allocation_ids, parts, strict=True):
            approved = draw(_BOOLEANS)
            allocations.append(
                PaymentAllocation(
                    amount=part,
                    invoice_id=invoice_id,
                    payment_id=payment_id,
                    **_allocation_facts(
                        draw,
                        allocation_id=allocation_id,
                        after=at,
                        approved=approved,
                        confidence=lambda ok: 0.95 if ok else draw(_PENDING_CONFIDENCES),
                    ),
                    agent_uncertainties=() if approved else ("remittance names two invoices",),
                    invoice=AllocatedInvoice(
                        amount_due=Money(draw(st.integers(0, _major(code, 100_000))), code),
                        currency=code,
                        id=invoice_id,
                        amount_paid=part if approved else Money.zero(code),
                        due_date=at - dt.timedelta(days=draw(_DUE_OFFSETS)),
                        number=f"INV-{draw(_NUMBERS):05d}",
                    ),
                )
            )
    return _payment(
        draw,
        payment_id=payment_id,
        allocations=tuple(allocations),
        amount=Money(amount, code),
        refunded=Money(refunded, code),
        at=at,
        partner_id=partner_id,
    )


def _payment(
    draw: st.DrawFn,
    *,
    payment_id: str,
    allocations: tuple[PaymentAllocation, ...],
    amount: Money,
    refunded: Money,
    at: dt.datetime,
    partner_id: str | None,
) -> Payment:
    """A received payment of ``amount`` holding ``allocations``: matched once it holds
    allocations and every one is approved, pending a match before; its own currency at
    rate 1."""
    return Payment(
        id=payment_id,
        allocations=allocations,
        amount=amount,
        amount_refunded=refunded,
        created_at=at,
        currency=amount.code,
        currency_rate=Decimal(1),
        modified_at=latest(at, *(a.modified_at for a in allocations)),
        object="payment",
        partner_id=partner_id,
        payment_method=draw(_PAYMENT_METHODS),
        reference_number=_maybe(draw, _REFERENCES),
        status="matched"
        if allocations and all(a.approved for a in allocations)
        else "pending_match",
        timestamp=at,
    )
