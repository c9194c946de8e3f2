"""Strategies for payments and their allocations to invoices (money is conserved)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from stuut_domain._assembly import latest
from stuut_domain.money import Money, allocate
from stuut_domain.payment import AllocatedInvoice, Payment, PaymentAllocation
from stuut_domain.strategies._arguments import _strategy
from stuut_domain.strategies._fields import _ids, _maybe
from stuut_domain.strategies._money import _check_currency, _major, currencies
from stuut_domain.strategies._time import _after, _utc_instants

_REFERENCES: Final = st.integers(10**5, 10**9).map(str)


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
    ratios = draw(st.lists(st.integers(1, 9), min_size=count, max_size=count))
    parts = [p for p in allocate(Money(amount, code), ratios) if p.is_positive()]
    result = []
    for part in parts:
        payment = _embedded_payment(draw, code, partner_id, part, after)
        result.append(
            PaymentAllocation(
                amount=part,
                invoice_id=invoice_id,
                payment_id=payment.id or "",
                **_allocation_facts(
                    draw,
                    after=payment.timestamp or after,
                    approved=approved,
                    confidence=lambda _: draw(st.sampled_from((0.97, 0.85, 0.42, None))),
                ),
                payment=payment,
                remote_id=draw(st.none() | _ids("erp")) if approved else None,
            )
        )
    return result


def _allocation_facts(
    draw: st.DrawFn,
    *,
    after: dt.datetime,
    approved: bool,
    confidence: Callable[[bool], float | None],
) -> dict[str, Any]:
    """The fields every generated allocation draws alike, as keyword arguments.

    Created within five days after ``after``; an approved allocation is approved within five
    days of its creation by a user, and was last modified then. ``confidence(approved)`` gives
    the agent's confidence score; it is called after the id is drawn (the order of the draws
    fixes the values a seed generates).
    """
    created = _after(draw, after, 5)
    approved_at = _after(draw, created, 5) if approved else None
    return {
        "object": "payment_allocation",
        "strategy": draw(st.sampled_from(("automatic", "manual"))),
        "id": draw(_ids("pal")),
        "agent_confidence_score": confidence(approved),
        "approved": approved,
        "approved_at": approved_at,
        "approver_id": draw(_ids("usr")) if approved else None,
        "created_at": created,
        "modified_at": approved_at or created,
    }


def _embedded_payment(
    draw: st.DrawFn, code: str, partner_id: str, covers: Money, after: dt.datetime
) -> Payment:
    """The payment an allocation embeds: in the invoice's currency, at least ``covers``."""
    at = _after(draw, after, 120)
    return Payment(
        id=draw(_ids("pay")),
        amount=covers + Money(draw(st.integers(0, covers.minor_units)), code),
        amount_refunded=Money.zero(code),
        created_at=at,
        currency=code,
        currency_rate=Decimal(1),
        modified_at=_after(draw, at, 5),
        object="payment",
        partner_id=partner_id,
        payment_method=draw(st.sampled_from(("ach", "wire", "check", "card"))),
        reference_number=_maybe(draw, _REFERENCES),
        status=draw(st.sampled_from(("matched", "pending_match"))),
        timestamp=at,
    )


def payments(
    *,
    currency: str | st.SearchStrategy[str] | None = None,
    min_allocations: int = 0,
    max_allocations: int = 3,
) -> st.SearchStrategy[Payment]:
    """Payments whose allocations conserve money.

    The allocations (each to a distinct invoice in the payment's ``currency``, with the short
    invoice embedded) sum to at most ``amount − amount_refunded``; the rest is unapplied
    credit. Amounts are positive; ``0 <= amount_refunded <= amount / 4``. Some allocations
    are approved, others pending with a lower agent confidence.
    """
    _check_currency(currency)
    if not 0 <= min_allocations <= max_allocations:
        raise InvalidArgument(
            "need 0 <= min_allocations <= max_allocations, "
            f"got {min_allocations}..{max_allocations}"
        )
    return _payments(_strategy(currency, currencies()), min_allocations, max_allocations)


@st.composite
def _payments(
    draw: st.DrawFn, codes: st.SearchStrategy[str], min_allocations: int, max_allocations: int
) -> Payment:
    code = draw(codes)
    count = draw(st.integers(min_allocations, max_allocations))
    amount = draw(st.integers(max(1, count), _major(code, 1_000_000)))
    refunded = draw(st.integers(0, amount // 4))
    applied = draw(st.integers(count, amount - refunded)) if count else 0
    payment_id = draw(_ids("pay"))
    partner_id = draw(_ids("ptn"))
    at = draw(_utc_instants())
    allocations = []
    if count:
        ratios = draw(st.lists(st.integers(1, 9), min_size=count, max_size=count))
        for part in allocate(Money(applied, code), ratios):
            invoice_id = draw(_ids("inv"))
            approved = draw(st.booleans())
            allocations.append(
                PaymentAllocation(
                    amount=part,
                    invoice_id=invoice_id,
                    payment_id=payment_id,
                    **_allocation_facts(
                        draw,
                        after=at,
                        approved=approved,
                        confidence=lambda ok: 0.95 if ok else draw(st.sampled_from((0.35, 0.6))),
                    ),
                    agent_uncertainties=() if approved else ("remittance names two invoices",),
                    invoice=AllocatedInvoice(
                        amount_due=Money(draw(st.integers(0, _major(code, 100_000))), code),
                        currency=code,
                        id=invoice_id,
                        amount_paid=part if approved else Money.zero(code),
                        due_date=at - dt.timedelta(days=draw(st.integers(-30, 90))),
                        number=f"INV-{draw(st.integers(1, 99999)):05d}",
                    ),
                )
            )
    return Payment(
        id=payment_id,
        allocations=tuple(allocations),
        amount=Money(amount, code),
        amount_refunded=Money(refunded, code),
        created_at=at,
        currency=code,
        currency_rate=Decimal(1),
        modified_at=latest(at, *(a.modified_at for a in allocations)),
        object="payment",
        partner_id=partner_id,
        payment_method=draw(st.sampled_from(("ach", "wire", "check", "card"))),
        reference_number=_maybe(draw, _REFERENCES),
        status="pending_match" if any(not a.approved for a in allocations) else "matched",
        timestamp=at,
    )
