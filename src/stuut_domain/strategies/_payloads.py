"""Strategies for raw Stuut JSON payloads, rendered independently of the codec."""

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
    independently of the codec: amounts as integer minor units, UTC timestamps as ISO 8601 with
    ``Z`` (microseconds only when non-zero), dates as ``YYYY-MM-DD``, every key present (absent
    values as ``null``).
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
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, tuple):
        return [_wire(v) for v in value]
    return value
