"""What a store that writes wire documents checks before writing: the document reads back.

A store must never accept a write it cannot read back (issue 12: a failed call leaves state
as it was; a store never holds a record that breaks its own listing). The JSON and SQL stores
encode an entity to its wire document; before writing it they decode that document and
compare: an amount beyond the wire's 64-bit integers, an instant whose UTC offset has seconds
(the wire writes whole minutes), an entity of another kind in this repository — each is
refused with :class:`~adapters.errors.UnwritableEntity`, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from adapters._ids import check_id
from adapters.errors import UnwritableEntity
from adapters.stuut_json import DecodeError

__all__ = ["checked_document", "entity_id", "kind_refusal"]

_NO_ID = object()


def _another_kind(entity: Any, holds: type) -> str:
    return f"it is a {type(entity).__name__}, and this repository holds {holds.__name__}"


def kind_refusal(kind: str, entity: Any, holds: type) -> UnwritableEntity | None:
    """:class:`UnwritableEntity` when ``entity`` is not exactly a ``holds`` (a dispute added
    to the promises), for a store that keeps entities as they are; else ``None``."""
    if type(entity) is holds:
        return None
    return UnwritableEntity(kind, getattr(entity, "id", None), _another_kind(entity, holds))


def entity_id(kind: str, entity: Any) -> str:
    """The id of an entity about to be written, once it is a safe id
    (:func:`~adapters._ids.check_id`); something without an ``id`` (``None`` in a batch) is
    :class:`UnwritableEntity` naming what it is, never an ``AttributeError``."""
    raw = getattr(entity, "id", _NO_ID)
    if raw is _NO_ID:
        raise UnwritableEntity(kind, None, f"it is a {type(entity).__name__}, not an entity")
    return check_id(kind, raw)


def _first_difference(written: Any, read: Any) -> str:
    """The first field that reads back different, in words."""
    if type(written) is not type(read):
        return _another_kind(written, type(read))
    if attrs.has(type(written)):
        for field in attrs.fields(type(written)):
            if not field.eq:
                continue
            a, b = getattr(written, field.name), getattr(read, field.name)
            if a != b:
                return f"{field.name} reads back as {b!r}, not {a!r}"
    return "it reads back different"


def checked_document(
    kind: str,
    entity: Any,
    encode: Callable[[Any], bytes],
    decode: Callable[[bytes], Any],
) -> bytes:
    """The wire document of ``entity``, once it is known to read back equal."""
    entity_id = getattr(entity, "id", None)
    try:
        data = encode(entity)
        read = decode(data)
    except DecodeError as exc:
        first = exc.problems[0] if exc.problems else str(exc)
        raise UnwritableEntity(
            kind, entity_id, f"its document would not read back: {first}"
        ) from None
    except (TypeError, ValueError, UnicodeError, AttributeError) as exc:
        raise UnwritableEntity(kind, entity_id, f"it has no wire document: {exc}") from None
    if read != entity or type(read) is not type(entity):
        raise UnwritableEntity(kind, entity_id, _first_difference(entity, read))
    return data
