"""Strategies for invoices in every lifecycle status, valid by construction (ADR 0025)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Final

from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from stuut_domain._assembly import InvoiceTotals, settled_invoice
from stuut_domain.invoice import Invoice, LineItem
from stuut_domain.money import Money
from stuut_domain.partner import Partner
from stuut_domain.strategies._arguments import _check_bool, _strategy
from stuut_domain.strategies._fields import (
    _BOOLEANS,
    _EMAILS,
    _INVOICE_IDS,
    _JSON_BLOBS,
    _PARTNER_IDS,
    _REMOTE_IDS,
    _WORDS,
    _maybe,
)
from stuut_domain.strategies._line_items import _line_item
from stuut_domain.strategies._money import _check_currency, _major, currencies
from stuut_domain.strategies._parties import _ADDRESSES, _CHANNELS, _USERS, partners
from stuut_domain.strategies._payments import _allocations
from stuut_domain.strategies._time import _DAY, _UTC_INSTANTS, _after

#: The lifecycle statuses :func:`invoices` can produce, each derived from the invoice's facts:
#: ``draft`` (not issued), ``open`` (issued, nothing approved paid), ``partially_paid``,
#: ``paid`` (amount due zero, ``paid_at`` set), ``void`` (``voided_at`` set, no payments) and
#: ``uncollectible`` (``marked_uncollectible_at`` set, something still due).
INVOICE_STATUSES: Final[tuple[str, ...]] = (
    "draft",
    "open",
    "partially_paid",
    "paid",
    "void",
    "uncollectible",
)
_NEED_PAYMENTS: Final = frozenset({"partially_paid", "paid"})
_NO_PAYMENTS: Final = frozenset({"draft", "void"})

_PO_NUMBERS: Final = st.integers(1, 10**6).map("PO-{}".format)
_TERMS_DAYS: Final = st.sampled_from((0, 14, 30, 45, 60, 90))
_LINE_COUNTS: Final = st.integers(1, 5)
_PROMISE_OFFSETS: Final = st.integers(-10, 45)
_REMOTE_LEAD_SECONDS: Final = st.integers(0, 30 * _DAY)
_PERIOD_DAYS: Final = st.integers(0, 90)
_NUMBER_PREFIXES: Final = st.sampled_from(("INV", "AC", "GLX"))
_NUMBERS: Final = st.integers(1, 99999)
_SYNC_STATUSES: Final = st.sampled_from(("synced", "partial", "syncing", "failed", None))
_INVOICE_TYPES: Final = st.sampled_from(("receivable", "receivable", "payable"))


def _check_status(status: object) -> None:
    if isinstance(status, str) and status not in INVOICE_STATUSES:
        raise InvalidArgument(f"status must be one of {INVOICE_STATUSES}, got {status!r}")


def invoices(
    *,
    currency: str | st.SearchStrategy[str] | None = None,
    status: str | st.SearchStrategy[str] | None = None,
    with_payments: bool | None = None,
    with_line_items: bool | None = None,
    partner: Partner | st.SearchStrategy[Partner | None] | None = None,
    partner_id: str | st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Invoice]:
    """Invoices that satisfy every rule of :mod:`stuut_domain.invariants` by construction.

    * ``currency``: a code or a strategy of codes (default :func:`currencies`).
    * ``status``: one of :data:`INVOICE_STATUSES` or a strategy of them (default any).
    * ``with_payments``: ``True`` for at least one allocation in ``payments``, ``False`` for
      none, ``None`` for either. ``paid`` and ``partially_paid`` need payments; ``draft`` and
      ``void`` never have any (a contradiction raises ``InvalidArgument``).
    * ``with_line_items``: the same for ``line_items``; with lines, the invoice's subtotal,
      discount and tax are the sums over its lines.
    * ``partner``: a :class:`~stuut_domain.partner.Partner` to embed, or a strategy of
      partners or ``None`` (default: a generated partner or none); ``partner_id`` matches.
    * ``partner_id``: the id of the partner the invoice bills, or a strategy of ids, for
      invoices of one customer (``invoices(partner_id=partner.id)``). Given without
      ``partner``, no partner is embedded; given with one, the two must agree
      (``InvalidArgument`` otherwise). For a whole customer book see :func:`portfolios`.

    Guarantees: ``total_amount = subtotal − total_discount + total_tax > 0``; ``amount_paid``
    is the sum of the approved allocations and ``amount_due = total_amount − amount_paid``;
    pending (unapproved) allocations never exceed the amount due; every amount is in the
    invoice's currency; ``paid_at`` is set exactly when the invoice is fully paid; a void or
    draft invoice has no payments; timestamps are UTC and in order (created ≤ issued ≤ due,
    issued ≤ every payment ≤ paid_at ≤ modified_at, period start ≤ end).
    """
    _check_currency(currency)
    _check_status(status)
    _check_bool("with_payments", with_payments)
    _check_bool("with_line_items", with_line_items)
    if isinstance(status, str):
        if with_payments is True and status in _NO_PAYMENTS:
            raise InvalidArgument(
                f"a {status} invoice has no payments; with_payments=True contradicts it"
            )
        if with_payments is False and status in _NEED_PAYMENTS:
            raise InvalidArgument(
                f"a {status} invoice needs payments; with_payments=False contradicts it"
            )
    if status is None:
        statuses: Collection[str] = INVOICE_STATUSES
        if with_payments is True:
            statuses = [s for s in INVOICE_STATUSES if s not in _NO_PAYMENTS]
        elif with_payments is False:
            statuses = [s for s in INVOICE_STATUSES if s not in _NEED_PAYMENTS]
        status_strategy: st.SearchStrategy[str] = st.sampled_from(list(statuses))
    else:
        status_strategy = _strategy(status, st.nothing())
    if (
        isinstance(partner, Partner)
        and isinstance(partner_id, str)
        and partner.id not in (None, partner_id)
    ):
        raise InvalidArgument(
            f"partner has id {partner.id!r} but partner_id={partner_id!r}; they must agree"
        )
    if partner is None:
        partner_strategy: st.SearchStrategy[Partner | None] = (
            st.none() if partner_id is not None else st.none() | partners()
        )
    else:
        partner_strategy = _strategy(partner, st.none())
    return _invoices(
        codes=_strategy(currency, currencies()),
        statuses=status_strategy,
        with_payments=with_payments,
        with_line_items=with_line_items,
        partners_=partner_strategy,
        partner_ids=None if partner_id is None else _strategy(partner_id, st.nothing()),
    )


@st.composite
def _invoices(
    draw: st.DrawFn,
    *,
    codes: st.SearchStrategy[str],
    statuses: st.SearchStrategy[str],
    with_payments: bool | None,
    with_line_items: bool | None,
    partners_: st.SearchStrategy[Partner | None],
    partner_ids: st.SearchStrategy[str] | None,
) -> Invoice:
    code = draw(codes)
    status = draw(statuses)
    if status not in INVOICE_STATUSES:
        raise InvalidArgument(f"the status strategy drew {status!r}, not one of {INVOICE_STATUSES}")
    if (with_payments is True and status in _NO_PAYMENTS) or (
        with_payments is False and status in _NEED_PAYMENTS
    ):
        reject()
    invoice_id = draw(_INVOICE_IDS)
    partner = draw(partners_)
    if partner_ids is not None:
        partner_id = draw(partner_ids)
        if partner is not None and partner.id not in (None, partner_id):
            raise InvalidArgument(
                f"the partner strategy drew partner {partner.id!r}, "
                f"but the invoice's partner_id is {partner_id!r}"
            )
    else:
        partner_id = draw(_PARTNER_IDS) if partner is None or partner.id is None else partner.id
    return _invoice(
        draw,
        code=code,
        status=status,
        invoice_id=invoice_id,
        partner=partner,
        partner_id=partner_id,
        with_payments=with_payments,
        with_line_items=with_line_items,
    )


def _invoice(
    draw: st.DrawFn,
    *,
    code: str,
    status: str,
    invoice_id: str,
    partner: Partner | None,
    partner_id: str,
    with_payments: bool | None,
    with_line_items: bool | None,
) -> Invoice:
    """One invoice of ``status`` in ``code`` (the facts drawn, the figures derived)."""
    created = draw(_UTC_INSTANTS)
    issued = None if status == "draft" else _after(draw, created, 20)
    due = None if issued is None else issued + dt.timedelta(days=draw(_TERMS_DAYS))

    lines, totals = _lines_and_totals(
        draw, code=code, invoice_id=invoice_id, created=created, with_line_items=with_line_items
    )
    total = totals.total.minor_units

    approved_total, pending_total = _payment_plan(draw, status, total, with_payments)
    allocations = [
        allocation
        for amount, approved in ((approved_total, True), (pending_total, False))
        for allocation in _allocations(
            draw,
            invoice_id=invoice_id,
            partner_id=partner_id,
            code=code,
            amount=amount,
            after=issued,
            approved=approved,
        )
    ]
    voided = _after(draw, issued, 60) if status == "void" and issued else None
    uncollectible = _after(draw, due, 180) if status == "uncollectible" and due else None
    open_ = status in ("open", "partially_paid", "uncollectible")
    promised = _promise(draw, status, issued, due)
    last_outreach = _after(draw, issued, 120) if issued and draw(_BOOLEANS) else None
    remote_created = created - dt.timedelta(seconds=draw(_REMOTE_LEAD_SECONDS))
    period_start = created - dt.timedelta(days=draw(_PERIOD_DAYS)) if draw(_BOOLEANS) else None
    prefix = draw(_NUMBER_PREFIXES)
    number = f"{prefix}-{created.year}-{draw(_NUMBERS):05d}"
    return settled_invoice(
        currency=code,
        totals=totals,
        line_items=lines,
        payments=allocations,
        object="invoice",
        remote_id=draw(_REMOTE_IDS),
        id=invoice_id,
        assignee=_maybe(draw, _USERS),
        billing_address=_maybe(draw, _ADDRESSES),
        billing_email=_maybe(draw, _EMAILS),
        created_at=created,
        custom_fields=draw(_JSON_BLOBS),
        due_date=due,
        in_dispute=open_ and draw(_BOOLEANS),
        is_issued_email_sent=issued is not None and draw(_BOOLEANS),
        issued_at=issued,
        last_outreach_at=last_outreach,
        last_outreach_channel=None if last_outreach is None else draw(_CHANNELS),
        last_outreach_to=None if last_outreach is None else draw(_EMAILS),
        last_synced_at=_after(draw, created, 30),
        marked_uncollectible_at=uncollectible,
        memo=_maybe(draw, _WORDS),
        modified_at=_after(draw, created, 30),
        number=number,
        partner=partner,
        partner_id=partner_id,
        period_end_date=None if period_start is None else _after(draw, period_start, 31),
        period_start_date=period_start,
        promised_to_pay_date=promised,
        purchase_order_number=_maybe(draw, _PO_NUMBERS),
        remote_created_at=remote_created,
        remote_metadata=draw(_JSON_BLOBS),
        remote_modified_at=_after(draw, remote_created, 60),
        remote_partner_id=_maybe(draw, _REMOTE_IDS),
        remote_payment_status=_remote_payment_status(status, pending_total),
        status=status,
        sync_status=draw(_SYNC_STATUSES),
        type=draw(_INVOICE_TYPES),
        voided_at=voided,
    )


def _lines_and_totals(
    draw: st.DrawFn,
    *,
    code: str,
    invoice_id: str,
    created: dt.datetime,
    with_line_items: bool | None,
) -> tuple[list[LineItem], InvoiceTotals]:
    """Line items and the totals they sum to, or no lines and totals drawn directly."""
    if with_line_items or (with_line_items is None and draw(_BOOLEANS)):
        count = draw(_LINE_COUNTS)
        lines = [
            _line_item(draw, code=code, invoice_id=invoice_id, number=n, created=created)
            for n in range(1, count + 1)
        ]
        return lines, InvoiceTotals.of_lines(code, lines)
    subtotal = draw(st.integers(1, _major(code, 1_000_000)))
    return [], InvoiceTotals(
        subtotal=Money(subtotal, code),
        discount=Money(draw(st.integers(0, subtotal // 2)), code),
        tax=Money(draw(st.integers(0, subtotal // 4)), code),
    )


def _promise(
    draw: st.DrawFn, status: str, issued: dt.datetime | None, due: dt.datetime | None
) -> dt.date | None:
    """Sometimes a promise to pay on an unpaid invoice: near its due day, never before issue."""
    if status not in ("open", "partially_paid") or due is None or not draw(_BOOLEANS):
        return None
    promised = (due + dt.timedelta(days=draw(_PROMISE_OFFSETS))).date()
    return max(promised, issued.date()) if issued else promised


def _remote_payment_status(status: str, pending_total: int) -> str | None:
    if status == "paid":
        return "completed"
    return "processing" if pending_total else None


def _payment_plan(
    draw: st.DrawFn, status: str, total: int, with_payments: bool | None
) -> tuple[int, int]:
    """(approved total, pending total) in minor units for an invoice of ``status``."""
    if status in _NO_PAYMENTS or with_payments is False:
        return 0, 0
    if status == "paid":
        return total, 0
    if status == "partially_paid":
        if total < 2:
            reject()
        approved = draw(st.integers(1, total - 1))
    elif status == "uncollectible":
        approved = draw(st.integers(0, total - 1))
    else:  # open
        approved = 0
    room = total - approved
    if with_payments and approved == 0:
        return 0, draw(st.integers(1, room))
    pending = draw(st.integers(0, room)) if draw(_BOOLEANS) else 0
    return approved, pending
