"""Strategies for priced invoice line items (exact quantities, whole minor units)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Final

from hypothesis import strategies as st

from stuut_domain._assembly import priced_line_item
from stuut_domain.invoice import LineItem
from stuut_domain.strategies._arguments import _strategy
from stuut_domain.strategies._fields import (
    _BOOLEANS,
    _INVOICE_IDS,
    _REMOTE_IDS,
    _WORDS,
    _maybe,
)
from stuut_domain.strategies._money import _check_currency, _major, currencies
from stuut_domain.strategies._time import _UTC_INSTANTS, _after

_PRODUCTS: Final = (
    ("Consulting hours", "service"),
    ("Annual licence", "subscription"),
    ("Steel brackets M8", "goods"),
    ("Freight surcharge", "fee"),
    ("Support plan", "subscription"),
)


def line_items(
    *,
    currency: str | st.SearchStrategy[str] | None = None,
    invoice_id: str | st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[LineItem]:
    """Priced line items: ``total_amount = quantity × unit_amount − total_discount + total_tax``.

    Quantities are exact decimals (whole, halves, quarters, tenths) and the unit amount is
    chosen so that the product is a whole number of minor units; the discount never exceeds
    half the gross amount. Everything is in ``currency``.
    """
    _check_currency(currency)
    return _line_items(_strategy(currency, currencies()), _strategy(invoice_id, _INVOICE_IDS))


@st.composite
def _line_items(
    draw: st.DrawFn, codes: st.SearchStrategy[str], invoice_ids: st.SearchStrategy[str]
) -> LineItem:
    return _line_item(draw, code=draw(codes), invoice_id=draw(invoice_ids), number=1, created=None)


_DENOMINATORS: Final = st.sampled_from((1, 1, 2, 4, 10))
_QUANTITIES: Final = st.integers(1, 400)
_PRODUCT_STRATEGY: Final = st.sampled_from(_PRODUCTS)
_PERIOD_DAYS: Final = st.integers(0, 60)


def _line_item(
    draw: st.DrawFn, *, code: str, invoice_id: str, number: int, created: dt.datetime | None
) -> LineItem:
    created_at = draw(_UTC_INSTANTS) if created is None else created
    denominator = draw(_DENOMINATORS)
    quantity = Decimal(draw(_QUANTITIES)) / denominator
    unit = denominator * draw(st.integers(1, max(1, _major(code, 100_000) // denominator)))
    gross = int(quantity * unit)
    name, product_type = draw(_PRODUCT_STRATEGY)
    period_start = created_at - dt.timedelta(days=draw(_PERIOD_DAYS)) if draw(_BOOLEANS) else None
    return priced_line_item(
        invoice_id=invoice_id,
        currency=code,
        quantity=quantity,
        unit_amount=unit,
        discount=draw(st.integers(0, gross // 2)),
        tax=draw(st.integers(0, gross // 4)),
        object="line_item",
        remote_id=draw(_REMOTE_IDS),
        created_at=created_at,
        description=_maybe(draw, _WORDS),
        line_number=number,
        modified_at=_after(draw, created_at, 30),
        name=name,
        period_start_date=period_start,
        period_end_date=None if period_start is None else _after(draw, period_start, 60),
        product_type=product_type,
    )
