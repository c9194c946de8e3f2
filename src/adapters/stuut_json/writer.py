"""Writing entities back as Stuut JSON, losslessly (private; ADR 0034).

A decoded entity carries its document (:class:`~stuut_domain.types.Sourced`): the fast
path's *frame* (a ``msgspec.Struct`` in which an absent key is ``UNSET`` and a ``float`` or
``Decimal`` field is its ``msgspec.Raw`` text; ``JSON`` fields hold fractions a float writes
back as sent) or the reference path's *mapping* (a copy of the object as written, unknown keys
included, fractions as :class:`~adapters.stuut_json.schema.WrittenNumber`). What is written:

* **unchanged since decoding** (``_wire`` set, only on the value the codec built): the
  document itself. msgspec writes it in C: absent keys stay absent, ``null`` stays ``null``,
  unknown keys and number texts come back as they were.
* **changed** (``attrs.evolve`` keeps ``_source`` and drops ``_wire``): every field, merged
  with the document field by field. A key the document lacked stays absent while the field
  still holds its default; a number keeps its text while the field still holds the value
  that text reads as (``123`` stays ``123`` in a ``float`` field, ``1.50`` stays ``1.50``);
  unknown keys are written back after the known ones; anything else is written from the
  field.
* **built in code** (no document): every field, as msgspec writes the attrs instance, unless
  a nested value carries a document; then the same merge runs for the nested value only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

import attrs
import msgspec

from adapters.stuut_json.schema import field_hints, is_sourced, strip_optional, wire_fields
from stuut_domain.money import Money

__all__ = ["Writer", "same_json"]

_UNSET: Final = msgspec.UNSET
_ABSENT: Final = object()

# Field kinds of a plan.
_PLAIN: Final = 0
_FLOAT: Final = 1
_JSON: Final = 2
_CHILD: Final = 3
_CHILDREN: Final = 4
_DECIMAL: Final = 5

_FLOATS: Final = msgspec.json.Decoder(float | None)


def same_json(a: Any, b: Any) -> bool:
    """Whether two plain JSON values are the same, types compared (``1`` is not ``1.0``).

    ``True`` and ``1`` differ, and so do ``[1]`` and ``(1,)``'s JSON twin ``[1.0]``; lists
    and tuples are both arrays.
    """
    kind = type(a)
    if kind is list or kind is tuple:
        other = type(b)
        if (other is not list and other is not tuple) or len(a) != len(b):
            return False
        return all(same_json(x, y) for x, y in zip(a, b, strict=True))
    if kind is dict:
        if type(b) is not dict or a.keys() != b.keys():
            return False
        return all(same_json(item, b[key]) for key, item in a.items())
    return kind is type(b) and bool(a == b)


def _number_of(text: Any) -> float | None:
    """The float a ``float`` field's document value reads as (``Raw`` text or a number)."""
    if type(text) is msgspec.Raw:
        value: float | None = _FLOATS.decode(text)
        return value
    return None if text is None else float(text)


def _same_digits(value: Decimal, written: Any) -> bool:
    """Whether a decimal field's document value has exactly ``value``'s digits and exponent."""
    if type(written) is msgspec.Raw:
        text = bytes(written)
        if text == b"null":
            return False
        written = Decimal(text.decode())
    return isinstance(written, int | Decimal) and Decimal(written).as_tuple() == value.as_tuple()


def _json_of(value: Any) -> Any:
    """The plain JSON a ``JSON`` field's document value reads as (floats for fractions)."""
    return _plain(value)


def _plain(value: Any) -> Any:
    """Exactly parsed JSON (fractions as ``Decimal``) as the model keeps it (floats)."""
    kind = type(value)
    if isinstance(value, Decimal):
        return float(value)
    if kind is list or kind is tuple:
        return [_plain(item) for item in value]
    if kind is dict:
        return {key: _plain(item) for key, item in value.items()}
    return value


@attrs.frozen
class _Plan:
    """How to write one entity class: its wire fields, their kinds and defaults."""

    fields: tuple[tuple[str, int, Any], ...]
    names: frozenset[str]
    children: tuple[tuple[str, int], ...]


def _kind(tp: Any) -> int:
    base, _ = strip_optional(tp)
    if tp is Any:
        return _JSON
    if base is float:
        return _FLOAT
    if base is Decimal:
        return _DECIMAL
    if is_sourced(base):
        return _CHILD
    args: tuple[Any, ...] = getattr(base, "__args__", ())
    if getattr(base, "__origin__", None) is tuple and len(args) == 2 and is_sourced(args[0]):
        return _CHILDREN
    return _PLAIN


@functools.cache
def _plan(cls: type) -> _Plan:
    hints = field_hints(cls)
    fields = tuple(
        (field.name, _kind(hints[field.name]), field.default) for field in wire_fields(cls)
    )
    return _Plan(
        fields=fields,
        names=frozenset(name for name, _, _ in fields),
        children=tuple((name, kind) for name, kind, _ in fields if kind in (_CHILD, _CHILDREN)),
    )


def _carries_documents(obj: Any) -> bool:
    """Whether ``obj`` (built in code) has a nested value that carries its document."""
    cls: type = type(obj)
    check = _CHECKERS.get(cls)
    if check is None:
        check = _checker(cls)
    return check(obj)


_CHECKERS: dict[type, Callable[[Any], bool]] = {}
_CHECK_NAMESPACE: dict[str, Any] = {}


def _checker(cls: type) -> Callable[[Any], bool]:
    """Generate ``carries(obj) -> bool`` for ``cls``: straight-line attribute reads.

    A value with a document has ``_source`` set (the codec sets it with ``_wire``; evolve
    keeps it), so that is the one attribute read per nested value; classes with nothing
    nested below them are not visited.
    """
    name = f"_carries_{cls.__name__}_{id(cls):x}"
    lines = [f"def {name}(o):"]
    for field, kind in _plan(cls).children:
        hints = field_hints(cls)
        child = strip_optional(hints[field])[0]
        if kind == _CHILDREN:
            child = child.__args__[0]
        deeper = bool(_plan(child).children)
        test = "x._source is not None"
        if deeper:
            _CHECK_NAMESPACE[f"_check_{field}_{name}"] = functools.partial(_carries_documents)
            test += f" or _check_{field}_{name}(x)"
        if kind == _CHILD:
            lines += [
                f"    x = o.{field}",
                f"    if x is not None and ({test}):",
                "        return True",
            ]
        else:
            lines += [f"    for x in o.{field}:", f"        if {test}:", "            return True"]
    lines.append("    return False")
    code = compile("\n".join(lines), f"<stuut_json carries {cls.__name__}>", "exec")
    exec(code, _CHECK_NAMESPACE)  # noqa: S102 - generated from attrs fields, not input
    check: Callable[[Any], bool] = _CHECK_NAMESPACE[name]
    _CHECKERS[cls] = check
    return check


class Writer:
    """Turns what is encoded into what msgspec writes: documents, merges or the values."""

    def __init__(self, encoder: msgspec.json.Encoder, page_class: type) -> None:
        self._encoder = encoder
        self._page_class = page_class

    def encode(self, obj: object) -> bytes:
        """Compact JSON bytes for an entity, a list of them or a page (see the module)."""
        return self._encoder.encode(self.wire(obj))

    def wire(self, obj: Any) -> Any:
        """What msgspec writes for ``obj``."""
        if is_sourced(type(obj)):
            document = obj._wire
            if document is not None:
                return document
            if obj._source is None and not _carries_documents(obj):
                return obj
            return self._merge(obj)
        if type(obj) is list or type(obj) is tuple:
            return [self.wire(item) for item in obj]
        if type(obj) is self._page_class:
            page: Any = obj
            return {
                "data": [self.wire(item) for item in page.data],
                "current_page": page.current_page,
                "total_records": page.total_records,
                "next_page": page.next_page,
            }
        return obj

    def _merge(self, obj: Any) -> dict[str, Any]:
        """Every field of a changed or code-built ``obj``, merged with its document."""
        cls: type = type(obj)
        plan = _plan(cls)
        source = obj._source
        if source is None:
            look: Callable[[str], Any] = _nothing
        elif type(source) is dict:
            look = _mapping_lookup(source)
        else:
            look = _frame_lookup(source)
        out: dict[str, Any] = {}
        for name, kind, default in plan.fields:
            value = getattr(obj, name)
            written = look(name)
            if written is _ABSENT:
                if source is not None and default is not attrs.NOTHING and value == default:
                    continue
            elif kind == _FLOAT:
                if value is not None and written is not None:
                    number = _number_of(written)
                    if number == value:
                        out[name] = written
                        continue
            elif kind == _DECIMAL:
                if value is not None and written is not None and _same_digits(value, written):
                    out[name] = written
                    continue
            elif kind == _JSON and same_json(value, _json_of(written)):
                out[name] = written
                continue
            if kind == _CHILD:
                out[name] = None if value is None else self.wire(value)
            elif kind == _CHILDREN:
                out[name] = [self.wire(item) for item in value]
            else:
                out[name] = value.minor_units if type(value) is Money else value
        if type(source) is dict:
            for key, item in source.items():
                if key not in plan.names:
                    out[key] = item
        elif source is not None:  # a frame: the unknown keys a learned view captured
            for attribute, key in getattr(source, "_stuut_extras", ()):
                item = getattr(source, attribute)
                if item is not _UNSET:
                    out[key] = item
        return out


def _nothing(_: str) -> Any:
    return _ABSENT


def _mapping_lookup(source: dict[str, Any]) -> Callable[[str], Any]:
    def look(name: str) -> Any:
        return source.get(name, _ABSENT)

    return look


def _frame_lookup(source: Any) -> Callable[[str], Any]:
    def look(name: str) -> Any:
        value = getattr(source, name)
        return _ABSENT if value is _UNSET else value

    return look
