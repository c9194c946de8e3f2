"""The validators the cadence settings share (private)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from stuut_domain.errors import InvalidCadence

__all__ = ["one_of"]


def one_of(options: tuple[str, ...]) -> Callable[[Any, attrs.Attribute[Any], object], None]:
    """An attrs validator: the value is one of ``options``, else :class:`InvalidCadence`
    naming the field, the value and the options."""

    def check(_instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        if value not in options:
            raise InvalidCadence(attribute.name, value, f"must be one of {list(options)}")

    return check
