"""attrs validators shared by the entities (private)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from stuut_domain.money import CURRENCY_CODES

__all__ = ["aware", "currency_code"]

_CODES = frozenset(CURRENCY_CODES)


def aware(_instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """Datetimes must be timezone-aware (``None`` allowed): a naive instant is ambiguous."""
    if value is not None and isinstance(value, dt.datetime) and value.utcoffset() is None:
        raise ValueError(f"{attribute.name} must be timezone-aware, got naive {value.isoformat()}")


def currency_code(_instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """Currency codes must be one of the Stuut API's 306 codes (``None`` allowed)."""
    if value is not None and value not in _CODES:
        from stuut_domain.errors import UnknownCurrency

        raise UnknownCurrency(value)
