"""Strategies for a customer's whole book: a partner, its invoices, the payments settling them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from stuut_domain._assembly import latest
from stuut_domain.display import short_repr
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.partner import Contact, Partner
from stuut_domain.payment import AllocatedInvoice, Payment, PaymentAllocation
from stuut_domain.receivables import partner_figures
from stuut_domain.strategies._arguments import _strategy
from stuut_domain.strategies._fields import (
    _ALLOCATION_IDS,
    _INVOICE_IDS,
    _PAYMENT_IDS,
    _distinct,
)
from stuut_domain.strategies._invoices import INVOICE_STATUSES, _invoice
from stuut_domain.strategies._money import _check_currency, _major, currencies
from stuut_domain.strategies._parties import partners
from stuut_domain.strategies._payments import _payment
from stuut_domain.strategies._time import _UTC_INSTANTS

_STATUSES: Final = st.sampled_from(INVOICE_STATUSES)
_UNAPPLIED_PAYMENT_COUNTS: Final = st.integers(0, 2)


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class Portfolio:
    """One customer's book, consistent throughout: what :func:`portfolios` generates.

    * ``partner``: the customer with its contacts; its ``invoice_balance``,
      ``num_open_invoices`` and ``total_overdue`` are the figures of ``invoices`` at the
      partner's ``modified_at``.
    * ``invoices``: invoices billed to the partner (``partner_id`` is ``partner.id``), in the
      partner's currency, each valid on its own (``check_invoice`` finds nothing).
    * ``payments``: the partner's payments. Every allocation an invoice lists is also listed,
      with the same id, amount and approval, by the payment it names, and every allocation a
      payment lists points at one of ``invoices``; some payments are unapplied credit only.
      Each passes ``check_payment``.
    """

    partner: Partner
    invoices: tuple[Invoice, ...]
    payments: tuple[Payment, ...]

    @property
    def contacts(self) -> tuple[Contact, ...]:
        """The partner's contacts (exactly one is primary when there is any)."""
        return self.partner.contacts

    def __repr__(self) -> str:
        """A one-line summary (partner id and counts); Hypothesis prints every field."""
        return short_repr(
            "Portfolio",
            partner=self.partner.id,
            contacts=len(self.contacts),
            invoices=len(self.invoices),
            payments=len(self.payments),
        )


def portfolios(
    *,
    currency: str | st.SearchStrategy[str] | None = None,
    min_invoices: int = 1,
    max_invoices: int = 4,
    min_contacts: int = 1,
    max_contacts: int = 3,
) -> st.SearchStrategy[Portfolio]:
    """Whole customer books (:class:`Portfolio`): a partner, its invoices, its payments.

    ``currency`` is the partner's and every invoice's and payment's currency (a code or a
    strategy of codes; default any). Between ``min_invoices`` and ``max_invoices`` invoices,
    in any status of :data:`INVOICE_STATUSES`, and between ``min_contacts`` and
    ``max_contacts`` contacts. Valid by construction: every value passes ``check_partner``,
    ``check_invoice`` and ``check_payment``, and the invoices and payments agree (see
    :class:`Portfolio`). Payments allocate only to invoices of the portfolio, at most once
    per invoice each; what they do not allocate is unapplied credit or refunded, and a
    payment is dated no later than its allocations.
    """
    _check_currency(currency)
    if not 0 <= min_invoices <= max_invoices:
        raise InvalidArgument(
            f"need 0 <= min_invoices <= max_invoices, got {min_invoices}..{max_invoices}"
        )
    return _portfolios(
        partners(
            currency=_strategy(currency, currencies()),
            min_contacts=min_contacts,
            max_contacts=max_contacts,
        ),
        st.integers(min_invoices, max_invoices),
    )


@st.composite
def _portfolios(
    draw: st.DrawFn, partners_: st.SearchStrategy[Partner], counts: st.SearchStrategy[int]
) -> Portfolio:
    partner = draw(partners_)
    if partner.id is None or partner.currency is None:  # partners() always sets both
        raise InvalidArgument(f"portfolios need a partner with an id and a currency: {partner}")
    code, count = partner.currency, draw(counts)
    drafts = [
        _invoice(
            draw,
            code=code,
            status=draw(_STATUSES),
            invoice_id=invoice_id,
            partner=None,
            partner_id=partner.id,
            with_payments=None,
            with_line_items=None,
        )
        for invoice_id in draw(_distinct(_INVOICE_IDS, count))
    ]
    invoices, settling, spare_ids = _settle(
        draw, drafts, code, partner.id, spare=draw(_UNAPPLIED_PAYMENT_COUNTS)
    )
    credit = [_unapplied(draw, payment_id, code, partner.id) for payment_id in spare_ids]
    at = latest(partner.modified_at, *(i.modified_at for i in invoices))
    figures = partner_figures(partner, invoices, at)
    partner = attrs.evolve(
        partner,
        modified_at=at,
        invoice_balance=figures.balance[code],
        num_open_invoices=figures.num_open_invoices,
        total_overdue=figures.total_overdue[code],
    )
    return Portfolio(partner=partner, invoices=tuple(invoices), payments=(*settling, *credit))


def _settle(
    draw: st.DrawFn, drafts: Sequence[Invoice], code: str, partner_id: str, *, spare: int
) -> tuple[list[Invoice], list[Payment], list[str]]:
    """The invoices with their allocations regrouped into shared payments, those payments, and
    ``spare`` more payment ids distinct from theirs (for payments of unapplied credit).

    Each invoice from :func:`_invoice` lists allocations that each name a payment of their
    own. Here the allocations are dealt into payments (a payment takes at most one allocation
    per invoice), given fresh distinct ids, and each invoice's allocations are rewritten to name
    and embed the payment that now holds them. Amounts, approvals and dates do not change, so
    every invoice's derived figures stay as they were.
    """
    found = [(n, a) for n, invoice in enumerate(drafts) for a in invoice.payments]
    ids = draw(_distinct(_ALLOCATION_IDS, len(found)))
    groups: list[list[tuple[int, str, PaymentAllocation]]] = []
    for (n, allocation), allocation_id in zip(found, ids, strict=True):
        member = (n, allocation_id, attrs.evolve(allocation, id=allocation_id))
        choice = draw(st.integers(0, len(groups)))
        if choice == len(groups) or any(m == n for m, _, _ in groups[choice]):
            groups.append([member])
        else:
            groups[choice].append(member)
    payment_ids = draw(_distinct(_PAYMENT_IDS, len(groups) + spare))
    payments: list[Payment] = []
    rewritten: dict[str, PaymentAllocation] = {}
    for payment_id, group in zip(payment_ids, groups, strict=False):
        payment = _settling_payment(
            draw,
            payment_id=payment_id,
            group=[(n, a) for n, _, a in group],
            invoices=drafts,
            code=code,
            partner_id=partner_id,
        )
        short = attrs.evolve(payment, allocations=())
        for _, allocation_id, allocation in group:
            rewritten[allocation_id] = attrs.evolve(
                allocation, payment_id=payment_id, payment=short
            )
        payments.append(payment)
    position = iter(ids)
    invoices = [
        attrs.evolve(
            invoice,
            payments=tuple(rewritten[next(position)] for _ in invoice.payments),
        )
        for invoice in drafts
    ]
    return invoices, payments, payment_ids[len(groups) :]


def _settling_payment(
    draw: st.DrawFn,
    *,
    payment_id: str,
    group: Sequence[tuple[int, PaymentAllocation]],
    invoices: Sequence[Invoice],
    code: str,
    partner_id: str,
) -> Payment:
    """The payment holding ``group``: it covers them, the rest unapplied or refunded."""
    applied = sum((a.amount for _, a in group), Money.zero(code))
    # Received no later than any allocation it holds: each allocation was created after the
    # payment it first named was received.
    received = [a.payment.timestamp for _, a in group if a.payment and a.payment.timestamp]
    at = min(received) if received else draw(_UTC_INSTANTS)
    extra = draw(st.integers(0, applied.minor_units))
    refunded = draw(st.integers(0, extra))
    allocations = tuple(
        attrs.evolve(
            allocation,
            payment_id=payment_id,
            payment=None,
            invoice=_short_invoice(invoices[n], code),
        )
        for n, allocation in group
    )
    return _payment(
        draw,
        payment_id=payment_id,
        allocations=allocations,
        amount=applied + Money(extra, code),
        refunded=Money(refunded, code),
        at=at,
        partner_id=partner_id,
    )


def _short_invoice(invoice: Invoice, code: str) -> AllocatedInvoice:
    """The short invoice a payment's allocation embeds, as the invoice itself states it."""
    return AllocatedInvoice(
        amount_due=invoice.amount_due,
        currency=code,
        id=invoice.id,
        amount_paid=invoice.amount_paid,
        due_date=invoice.due_date,
        number=invoice.number,
    )


def _unapplied(draw: st.DrawFn, payment_id: str, code: str, partner_id: str) -> Payment:
    """A payment not allocated to any invoice yet: unapplied credit, part of it maybe refunded."""
    at = draw(_UTC_INSTANTS)
    amount = draw(st.integers(1, _major(code, 100_000)))
    return _payment(
        draw,
        payment_id=payment_id,
        allocations=(),
        amount=Money(amount, code),
        refunded=Money(draw(st.integers(0, amount // 4)), code),
        at=at,
        partner_id=partner_id,
    )


# Portfolio is defined here, with hypothesis imported, so it is registered here rather than by
# the entry point's hook (which must not import this module; see _registration).
st.register_type_strategy(Portfolio, st.deferred(portfolios))
