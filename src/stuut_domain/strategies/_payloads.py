"""Strategies for raw Stuut JSON payloads, rendered independently of the codec.

The rendering is a walk over the attrs fields (an oracle for the codec's shape, ADR 0025) that
has no number format of its own (ADR 0037): amounts are the integers of minor units and
``Decimal`` values are left as they are, exactly as the codec's ``to_json`` gives them and as
``json.loads(body, parse_float=Decimal)`` reads the wire (ADR 0031). No value becomes a float.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from stuut_domain.money import Money
from stuut_domain.strategies._invoices import invoices
from stuut_domain.strategies._time import _UTC
from stuut_domain.types import SOURCE_FIELDS


def stuut_json_invoices(**invoice_options: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Raw invoice payloads as ``GET /v1/invoices/{id}`` returns them (parsed JSON objects).

    Built from :func:`invoices` (the keyword arguments are passed on) and rendered to the wire
    independently of the codec: amounts as integer minor units, the exact decimals
    (``quantity``, ``currency_rate``) as :class:`~decimal.Decimal` numbers, never floats (ADR
    0031; the value ``json.loads(body, parse_float=Decimal)`` gives), UTC timestamps as ISO 8601
    with ``Z`` (microseconds only when non-zero), dates as ``YYYY-MM-DD``, every key present
    (absent values as ``null``). To bytes:
    ``msgspec.json.Encoder(decimal_format="number").encode(payload)`` (``json.dumps`` cannot
    write a ``Decimal`` as a number).
    """
    return invoices(**invoice_options).map(_wire)


def _wire(value: Any) -> Any:
    """The Stuut JSON value of a model value (see :func:`stuut_json_invoices`)."""
    if attrs.has(type(value)):
        return {
            f.name: _wire(getattr(value, f.name))
            for f in attrs.fields(type(value))
            if f.name not in SOURCE_FIELDS
        }
    if isinstance(value, Money):
        return value.minor_units
    if isinstance(value, dt.datetime):
        text = value.astimezone(_UTC).isoformat()
        return text.removesuffix("+00:00") + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return value  # an exact JSON number (ADR 0031): never a float
    if isinstance(value, tuple):
        return [_wire(v) for v in value]
    return value
