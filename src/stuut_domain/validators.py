"""attrs validators shared by the entities, and the zone lookup every rule uses.

Public because the codec's fast path checks its classes' validators by identity.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable
from typing import Any

import attrs

from stuut_domain.errors import CurrencyMismatch, NaiveDatetime, UnknownCurrency, UnknownTimeZone
from stuut_domain.money import CURRENCY_CODES, Money

__all__ = [
    "aware",
    "currency_code",
    "money_in",
    "own_currency",
    "require_aware",
    "zone_named",
]

_CODES = frozenset(CURRENCY_CODES)


def require_aware(name: str, value: object) -> dt.datetime:
    """An instant argument must be a timezone-aware datetime: a naive one is ambiguous.

    Returns ``value`` unchanged. Raises :class:`~stuut_domain.errors.NaiveDatetime` (naming
    ``name``) for a naive datetime or a bare ``date``, ``TypeError`` for anything else.
    """
    if isinstance(value, dt.datetime):
        if value.utcoffset() is None:
            raise NaiveDatetime(name, value)
        return value
    if isinstance(value, dt.date):
        raise NaiveDatetime(name, value)
    raise TypeError(f"{name} must be a timezone-aware datetime, got {type(value).__name__}")


def aware(_instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """Datetimes must be timezone-aware (``None`` allowed): a naive instant is ambiguous."""
    if value is not None and isinstance(value, dt.datetime) and value.utcoffset() is None:
        raise NaiveDatetime(attribute.name, value)


def currency_code(_instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """Currency codes must be one of the Stuut API's 306 codes (``None`` allowed)."""
    if value is not None and value not in _CODES:
        raise UnknownCurrency(value)


Validator = Callable[[Any, "attrs.Attribute[Any]", object], None]


def money_in(currency_of: Callable[[Any], str | None]) -> Validator:
    """A validator: the amount is :class:`Money` in ``currency_of(instance)`` (``None`` allowed).

    The API sends bare integers whose currency is another field, so an amount in any other
    currency is a construction error: :class:`~stuut_domain.errors.CurrencyMismatch` naming
    ``Class.field`` (``left`` is the amount's code, ``right`` the expected one). When the
    expected currency is absent or unknown nothing is compared (``currency_code`` reports the
    unknown code).
    """

    def validate(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None:
            return
        if type(value) is not Money:
            raise TypeError(f"{attribute.name} must be Money, not {type(value).__name__}")
        expected = currency_of(instance)
        if expected in _CODES and value.code != expected:
            where = f"{type(instance).__name__}.{attribute.name}"
            raise CurrencyMismatch(value.code, str(expected), f"combine {where}")

    return validate


#: Amounts in the entity's own ``currency`` field (invoice, line item, payment, partner).
own_currency: Validator = money_in(lambda instance: instance.currency)


#: The longest zone name looked up: the IANA database's longest is 32 characters
#: (``America/Argentina/ComodRivadavia``); anything much longer is no zone.
ZONE_NAME_LIMIT = 64


@functools.lru_cache(maxsize=1024)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    if type(name) is not str or not name or len(name) > ZONE_NAME_LIMIT:
        raise UnknownTimeZone(name)
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: a directory of the database (``"America"``: IsADirectoryError), a name
        # the file system refuses (too long, not encodable); ValueError: not a zone key.
        raise UnknownTimeZone(name) from None


def zone_named(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The IANA zone called ``name``; ``None`` for ``None``; :class:`UnknownTimeZone` if unknown.

    Names are kept as sent on the wire; only using an unknown one fails, always with
    :class:`UnknownTimeZone`: a directory of the database (``"America"``), a name longer than
    :data:`ZONE_NAME_LIMIT`, an empty name or one the file system cannot look up is unknown,
    never an ``OSError``.
    """
    return None if name is None else _zone(name)
