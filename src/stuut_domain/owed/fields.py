"""Field validators shared by the owed entities: money, tuples and exact decimals, refused
with :class:`~stuut_domain.errors.OwedRefused` and a stable code naming the field.

Hostile input (an int where Money belongs, a list or a string where a tuple of entities
belongs, a decimal with a hundred thousand digits) is refused when the entity is built, so
no later reading meets a bare ``TypeError`` or spends its time on a gigantic number.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs

from stuut_domain.errors import OwedRefused
from stuut_domain.money import Money
from stuut_domain.validators import own_currency

__all__ = [
    "MAX_DECIMAL_PLACES",
    "MAX_QUANTITY",
    "MAX_TAX_RATE",
    "check_decimal",
    "enum_of",
    "money_field",
    "optional_enum_of",
    "optional_money_field",
    "tuple_of",
]

#: The highest tax rate a credit note line may carry (1000 %): no real tax is near it.
MAX_TAX_RATE: Final = Decimal(10)
#: The largest credited quantity on one line.
MAX_QUANTITY: Final = Decimal(10) ** 12
#: The most decimal places a rate or quantity may have.
MAX_DECIMAL_PLACES: Final = 18


def _is_money(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, Money):
        raise OwedRefused(
            "money_type",
            attribute.name,
            f"{type(instance).__name__}.{attribute.name} is Money, not {value!r}",
            value=value,
        )
    own_currency(instance, attribute, value)


def money_field(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Money in the entity's ``currency`` (``money_type`` for anything that is not Money)."""
    _is_money(instance, attribute, value)


def optional_money_field(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """``None``, or Money in the entity's ``currency``."""
    if value is not None:
        _is_money(instance, attribute, value)


def tuple_of(kind: type[Any], code: str) -> Any:
    """A validator: the field is a tuple whose every item is a ``kind`` (``code`` otherwise).

    A list is refused too: entities are frozen and hashable, so their parts are tuples.
    """

    def validate(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, tuple):
            raise OwedRefused(
                code,
                attribute.name,
                f"{attribute.name} is a tuple of {kind.__name__}, not {value!r}",
            )
        for index, item in enumerate(value):
            if not isinstance(item, kind):
                raise OwedRefused(
                    code,
                    f"{attribute.name}[{index}]",
                    f"{attribute.name} holds {kind.__name__}, not {item!r}",
                )

    return validate


E = TypeVar("E", bound=enum.Enum)


def enum_of(kind: type[E], code: str, path: str) -> Callable[[Any], E]:
    """A converter: a member of ``kind``, or its value (``"open"``) turned into the member;
    anything else is refused with ``code`` naming ``path``. A status read with ``is`` never
    meets a bare string."""

    def convert(value: Any) -> E:
        if isinstance(value, kind):
            return value
        try:
            return kind(value)
        except (ValueError, TypeError):
            raise OwedRefused(
                code,
                path,
                f"{path} is one of {', '.join(str(m.value) for m in kind)}, not {value!r}",
                value=value,
            ) from None

    return convert


def optional_enum_of(kind: type[E], code: str, path: str) -> Callable[[Any], E | None]:
    """:func:`enum_of`, letting ``None`` through."""
    inner = enum_of(kind, code, path)

    def convert(value: Any) -> E | None:
        return None if value is None else inner(value)

    return convert


def check_decimal(code: str, path: str, value: object, *, limit: Decimal) -> Decimal:
    """``value`` as a finite Decimal from 0 to ``limit`` with at most
    :data:`MAX_DECIMAL_PLACES` places; ``code`` otherwise (naming ``path`` and the value)."""
    if (
        not isinstance(value, Decimal)
        or not value.is_finite()
        or value < 0
        or value > limit
        or value.as_tuple().exponent < -MAX_DECIMAL_PLACES  # type: ignore[operator]
    ):
        raise OwedRefused(
            code,
            path,
            f"{path} is a Decimal from 0 to {limit} with at most {MAX_DECIMAL_PLACES} decimal "
            f"places, not {value!r}",
            value=value,
        )
    return value
