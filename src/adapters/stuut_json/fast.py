"""The fast path of the Stuut JSON codec: msgspec decodes and encodes in C (private).

Decoding (ADR 0005, ADR 0030, ADR 0032). Each attrs class that needs converting gets a *wire
view*: a ``msgspec.Struct`` generated from its fields (so it cannot drift) whose annotations
carry the wire rules msgspec checks in C: bounded ``int`` for amounts and integers,
``msgspec.Raw`` for decimals, offset-carrying datetimes, a closed ``Literal`` of currency
codes. msgspec fills the Struct in C; generated code then builds the entity from it:

* a **frame** — when every validator of the class is one those rules prove — is copied into
  the entity's slots by direct stores through a *builder* (a subclass with the same slots and
  a plain ``__setattr__``), attaching each amount's currency (ADR 0009) and reading decimals,
  and the builder is re-classed to the entity class;
* a **twin** — for classes with any other validator or hook — is converted by calling the
  class, so its validators and hooks run;
* classes with nothing to convert in or below them get no view: msgspec builds them itself
  (no entity class: every one keeps its document, below).

Lossless (ADR 0034): an optional field's frame default is ``UNSET`` (an absent key is told
from ``null``), ``float`` and ``Decimal`` fields are ``msgspec.Raw`` (their text as sent), and
the frame is kept as the entity's document (``_source`` and ``_wire``). Frames refuse unknown
keys, and the decoders refuse a fraction in a ``JSON`` field whose text a float would not
write back: *keeping* frames (which skip unknown keys) then decode the document, and every
entity keeps its part of the document parsed as plain values, numbers as written, as the
reference path keeps it. When the same unknown keys come twice in a row they are *learned*
(ADR 0039): the decoder is rebuilt with views that hold one more field per such key, decoded
as a ``JSON`` field is, so those documents are decoded in one parse again and their frames
written back in C.

The fast path only has to *succeed or fail*: any exception makes the codec run the reference
path (cattrs), which accepts the same input or explains every problem. A property test
proves both paths agree.

Encoding (see ``writer``): msgspec writes a decoded entity's frame, or the attrs instances
directly; the only hooks turn :class:`Money` into its integer of minor units and a kept
number into its text. Decimals are written as JSON numbers; datetimes as RFC 3339 with ``Z``
for UTC (ADR 0008).
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import math
import re
import sys
import threading
import types
from collections.abc import Callable
from decimal import Decimal
from operator import attrgetter
from typing import Annotated, Any, Final, Literal, get_args, get_origin

import attrs
import msgspec
import msgspec.inspect

from adapters.stuut_json.schema import (
    ALLOCATION_CLASS,
    CURRENCY_FIELD,
    INT_MAX,
    INT_MIN,
    INVOICE_CURRENCY_CLASSES,
    NESTING_LIMIT,
    PARTS_CURRENCY,
    WrittenNumber,
    check_figure,
    document_from_json,
    field_hints,
    is_sourced,
    keep_documents,
    nesting_problem,
    owns_currency,
    shallow_text,
    strip_optional,
    wire_fields,
)
from stuut_domain.money import CURRENCY_CODES, Money, currency
from stuut_domain.validators import aware, currency_code, own_currency

__all__ = ["FastPath", "make_encoder", "to_builtins"]

_BoundedInt = Annotated[int, msgspec.Meta(ge=INT_MIN, le=INT_MAX)]
_AwareDatetime = Annotated[dt.datetime, msgspec.Meta(tz=True)]
_CurrencyCode = Literal[CURRENCY_CODES]  # type: ignore[valid-type]
_NUMBER_START: Final = frozenset(b"-0123456789")
_names = itertools.count()
_FLOAT: Final = msgspec.json.Decoder(float | None)
_FLOAT_TEXT: Final = msgspec.json.Encoder()
#: Field kinds whose wire text the frame keeps as ``msgspec.Raw`` (ADR 0034: number forms).
_RAW_KINDS: Final = (Decimal, float)


#: The variant name of the views that skip unknown keys (see ``FastPath._keeping_decode``).
_KEEPING: Final = "_keeping"
#: Learned views (``FastPath._learn``): the attribute names of their extra fields, the class
#: attribute listing ``(attribute, key)`` for each (empty on every other view), and the one
#: listing the attributes whose values may hold an object, an array or a fraction.
_EXTRA_PREFIX: Final = "_extra_"
_EXTRAS_ATTRIBUTE: Final = "_stuut_extras"
_CHECKED_ATTRIBUTE: Final = "_stuut_checked"
#: A learned key that only ever held these is decoded as one of them, proven in C.
_Scalar = str | int | bool | None
#: Bounds on learning, so that no input can grow the decoders without limit: how many times
#: one decoder is re-learned, and how many unknown keys one class may learn.
LEARNINGS: Final = 4
EXTRAS_PER_CLASS: Final = 16


#: An integer ``-0``: the integer 0, which the reference parser reads as ``0``. A frame would
#: keep its text, so such a number is left to the reference path (both then agree).
_NEGATIVE_ZERO: Final = msgspec.Raw(b"-0")
#: A digit that makes a number's mantissa non-zero (its float may still underflow to 0).
_NONZERO_DIGIT: Final = re.compile(rb"[1-9]")


class IntegerNegativeZero(ValueError):
    """An integer ``-0`` in a ``float`` or ``Decimal`` field (the reference path reads it)."""


def _float(raw: msgspec.Raw) -> float | None:
    """A ``float`` field from its raw JSON text: any finite JSON number, or null.

    The frame keeps the text (``123`` stays an integer when written back, ADR 0034). A
    number that reads as zero without being one (``1e-999999999999999999999``) is refused
    here when no decimal holds it, as the reference path refuses it (issue 12).
    """
    value: float | None = _FLOAT.decode(raw)
    if not value:
        if value == 0 and raw == _NEGATIVE_ZERO:  # only a zero can be written -0
            raise IntegerNegativeZero
        if value == 0 and _NONZERO_DIGIT.search(bytes(raw).split(b"e")[0].split(b"E")[0]):
            WrittenNumber(bytes(raw).decode())  # NumberOutOfRange beyond a decimal's range
        return value
    if not math.isfinite(value):
        raise ValueError("number out of range for a float")
    return value


class TooDeep(ValueError):
    """A document that may nest deeper than ``NESTING_LIMIT`` (the reference path judges it).

    The fast path counts levels as it builds: an entity at the limit, or a ``JSON`` value
    that would cross it, leaves the document to the reference path, which measures it
    exactly and refuses it at the path where it crosses the limit.
    """


#: The first line of every generated converter: an entity at the limit is left to the
#: reference path (it may hold a list or a JSON value one level further down).
_DEPTH_LINE: Final = f"    if d >= {NESTING_LIMIT}:\n        raise _TooDeep"
#: The second, once some learned view has a key that may hold an object, an array or a
#: fraction (``FastPath._extras_checked``): such keys are judged (``_check_extras``). The
#: plain view (``_W_<name>``, the frame nearly every document has) has none, which one type
#: test tells without reading the class attribute.
_EXTRAS_LINE: Final = (
    "    if type({w}) is not _W_{name} and {w}._stuut_checked:\n        _extras({w}, {d})"
)
_JSON_SCALARS: Final = (str, int, float, bool)
#: Decimal text this short, without an exponent, is always a figure (``schema.check_figure``).
_SHORT_FIGURE: Final = 20
#: The types of JSON values that hold nothing (a ``JSON`` value of only these is flat).
_S: Final = frozenset({*_JSON_SCALARS, type(None)})


def _tracking_tells_flat() -> bool:
    """Whether the garbage collector's tracking tells a flat ``JSON`` value (checked once).

    CPython never tracks a scalar, and leaves a dict untracked until a container is stored
    in it (documented for ``gc.is_tracked``: ``{"a": 1}`` is not tracked, ``{"a": []}`` is;
    the collector relies on it, since it never looks inside an untracked object). So a value
    msgspec decoded that is not tracked is a scalar or an object holding only scalars: it
    nests at most one level, and ``not gc.is_tracked(v)`` proves it in one C call, where
    reading the types of its values costs a hundred nanoseconds. Probed here on values
    decoded as the frames decode them (a ``JSON`` field of a Struct, with the float hook);
    if the probe fails, every value's items are read instead.
    """
    probe = msgspec.defstruct("_TrackingProbe", [("v", Any)])
    decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(probe, float_hook=_canonical_float)
    flat = (b'{"a":1,"b":"x","c":1.5,"d":true,"e":null}', b"{}", b"1", b'"x"', b"1.5", b"null")
    nested = (b'{"a":{}}', b'{"a":[]}', b'{"a":1,"b":{"c":1}}', b'{"a":"x","b":[1]}', b"[]", b"[1]")

    def value(text: bytes) -> Any:
        return decoder.decode(b'{"v":' + text + b"}").v

    return not any(gc.is_tracked(value(t)) for t in flat) and all(
        gc.is_tracked(value(t)) for t in nested
    )


def _json_within(value: Any, level: int) -> Any:
    """A ``JSON`` field's ``value`` (a dict or a list) below an entity at nesting ``level``,
    if it fits within the limit; the entity's own check proved ``level < NESTING_LIMIT``."""
    kind = type(value)
    items = value.values() if kind is dict else value if kind is list else ()
    if _S.issuperset(map(type, items)):
        return value  # flat: nothing inside nests (the common case, checked at C speed)
    room = NESTING_LIMIT - level - 1
    for item in items:
        inner = type(item)
        if (inner is dict or inner is list) and not _fits(item, room):
            raise TooDeep
    return value


def _fits(value: Any, levels: int) -> bool:
    """Whether ``value`` (as msgspec decodes JSON: dicts, lists, scalars) nests <= ``levels``.

    Recursive, but never deeper than ``levels`` (at most ``NESTING_LIMIT``): cheap for the
    small values ``JSON`` fields hold.
    """
    if levels <= 0:
        return False
    kind = type(value)
    items = value.values() if kind is dict else value if kind is list else ()
    for item in items:
        inner = type(item)
        if (inner is dict or inner is list) and not _fits(item, levels - 1):
            return False
    return True


def _check_extras(frame: Any, level: int) -> None:
    """Judge the unknown keys a learned view captured, as ``JSON`` fields are judged.

    msgspec decodes each such value as it decodes a ``JSON`` field (its fractions through
    ``_canonical_float``, so every number is written back as sent), and the frame writes it
    back: the same JSON value the reference path writes from its parse. An object or array
    must nest within the limit below the entity at ``level``; else ``TooDeep``, and the
    reference path decides. Keys that only ever held a string, an integer, a boolean or
    null are decoded as one of those (msgspec proves it) and need no check.
    """
    for attribute in frame._stuut_checked:
        value = getattr(frame, attribute)
        kind = value.__class__
        if (kind is dict or kind is list) and value:
            _json_within(value, level)


def _too_deep(value: Any) -> Any:
    """A value of a class built by msgspec that could cross the limit where it stands."""
    if value is None or value is msgspec.UNSET:
        return value
    raise TooDeep


def _static_depth(tp: Any, seen: frozenset[type] = frozenset()) -> int:
    """The most levels a value of ``tp`` (built by msgspec, no ``JSON`` inside) can nest."""
    base, _ = strip_optional(tp)
    if _is_tuple(base):
        return 1 + _static_depth(get_args(base)[0], seen)
    if attrs.has(base):
        if base in seen:
            return NESTING_LIMIT + 1  # recursive: no static bound
        inner = [_static_depth(t, seen | {base}) for t in field_hints(base).values()]
        return 1 + max(inner, default=0)
    return 0


class NonCanonicalFloat(ValueError):
    """A fraction in a ``JSON`` field whose text a float would not write back (``1.50``)."""


def _canonical_float(text: str) -> float:
    """A fraction in a ``JSON`` field, if writing the float gives its very text back.

    ``JSON`` fields are decoded in C with the rest of the frame; their fractions become
    floats. A float writes its shortest text, so ``1.50``, ``1E+2`` or ``1.5e16`` would come
    back changed: such documents are refused here and decoded by the reference path, which
    keeps every number's text (ADR 0034).
    """
    number = float(text)
    if _FLOAT_TEXT.encode(number) != text.encode():
        raise NonCanonicalFloat(text)
    return number


#: Reads a ``Decimal`` field's raw text in C: integers as ``int``, other numbers exactly as
#: written by ``Decimal(text)`` (the C hook, no Python call; ``_decimal`` judges the result).
_DECIMAL_NUMBER: Final = msgspec.json.Decoder(float_hook=Decimal)
#: A decimal read from at most ``_SHORT_FIGURE`` characters whose adjusted exponent is within
#: this bound is a figure (at most 20 digits, within 10^±19); any other is checked.
_SHORT_ADJUSTED: Final = _SHORT_FIGURE - 1
#: Whether ``gc.is_tracked`` tells flat ``JSON`` values (``_tracking_tells_flat``).
_TRACKING_TELLS_FLAT: Final = _tracking_tells_flat()
#: Integers this large or larger have more digits than ``_SHORT_FIGURE`` allows unchecked.
_LONG_INTEGER: Final = 10**_SHORT_FIGURE
#: What a learned key may hold to be decoded as a scalar (a parsed document's leaf types).
_SCALAR_TYPES: Final = frozenset({str, int, bool, type(None)})


def _decimal(raw: msgspec.Raw | None) -> Decimal | None:
    """A ``Decimal`` field from its raw JSON text: a number exactly as written, or null.

    A number with a fraction or an exponent is a figure (``schema.check_figure``) when its
    text is short and its magnitude modest, which the length of the raw text and the
    decimal's adjusted exponent tell without the text; any other is checked.
    """
    if raw is None:
        return None
    value = _DECIMAL_NUMBER.decode(raw)
    kind = type(value)
    if kind is Decimal:
        if len(raw) > _SHORT_FIGURE or not -_SHORT_ADJUSTED <= value.adjusted() <= _SHORT_ADJUSTED:
            check_figure(value)
        return value  # type: ignore[no-any-return]
    if kind is int:
        if not value:
            if raw == _NEGATIVE_ZERO:
                raise IntegerNegativeZero
        elif not -_LONG_INTEGER < value < _LONG_INTEGER:
            check_figure(Decimal(value))
        return Decimal(value)
    if value is None:
        return None
    raise TypeError("expected a JSON number")


def _decimal_required(raw: msgspec.Raw) -> Decimal:
    """A required ``Decimal`` field: null is refused."""
    value = _decimal(raw)
    if value is None:
        raise TypeError("expected a JSON number, got null")
    return value


def _check_utf8(data: bytes | str) -> None:
    """Refuse bytes that are not UTF-8 (RFC 8259), as the reference parser does.

    Views that skip unknown keys (the keeping path, ``frames``) call it first: msgspec skips
    such keys without reading them, so invalid bytes there would pass. The plain and learned
    views need no such scan: they refuse every key they do not hold, and msgspec checks the
    UTF-8 of every string it decodes or matches (values, keys, enumerations, datetimes); a
    ``Decimal`` or ``float`` field kept as raw text is refused by its converter unless it is
    a number. ``isascii`` is a fast scan; only non-ASCII input pays for a full check.
    """
    if type(data) is bytes and not data.isascii():
        data.decode()


def _is_tuple(tp: Any) -> bool:
    args = get_args(tp)
    return get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis


#: How many levels of nested frame objects one converter builds inline (``_frame_lines``).
_INLINE_LEVELS: Final = 3
#: How many shapes of frames without nested values :meth:`FastPath.frames` remembers.
_EMPTY_KEYS: Final = 64


class FastPath:
    """Decoders for every class asked for, built on first use and kept.

    Wire Structs reference each other by name (a payment embeds allocations that embed
    payments), so they live in a private module namespace that msgspec resolves when a
    decoder is built.
    """

    def __init__(self, page_class: type) -> None:
        self._page_class = page_class
        self._lock = threading.Lock()
        self._mode: dict[type, str] = {}
        self._wire: dict[type, type] = {}
        self._keeping_wire: dict[type, type] = {}
        self._keeping: dict[tuple[str, type], msgspec.json.Decoder[Any]] = {}
        self._converters: dict[type, Callable[[Any, Any, int], Any]] = {}
        self._decoders: dict[tuple[str, type], msgspec.json.Decoder[Any]] = {}
        self._one: dict[type, msgspec.json.Decoder[Any]] = {}  # the hot path's own index
        self._nested: dict[type, tuple[str, ...]] = {}
        self._empty_nested: dict[type, set[tuple[Any, ...]]] = {}
        self._module = types.ModuleType(f"{__name__}_wire_{next(_names)}")
        sys.modules[self._module.__name__] = self._module
        self._aliases: dict[int, str] = {}
        self._slot_money = _slot_money()
        #: Whether converters judge learned keys: only once a learned view has one that may
        #: hold more than a scalar (until then no frame has any, and no object pays the test).
        self._extras_checked = False
        self._code_namespace: dict[str, Any] = {
            "_Money": Money,
            "_decimal": _decimal,
            "_decimal_required": _decimal_required,
            "_float": _float,
            "_U": msgspec.UNSET,
            "_new": object.__new__,
            "_NoCurrency": _NoCurrency,
            "_CURRENCIES": {code: currency(code) for code in CURRENCY_CODES},
            "_MoneyBuilder": _MONEY_BUILDER,
            "_setattr": object.__setattr__,
            "_LIMIT": NESTING_LIMIT,
            "_TooDeep": TooDeep,
            "_json_within": _json_within,
            "_S": _S,
            "_tracked": gc.is_tracked,
            "_too_deep": _too_deep,
            "_extras": _check_extras,
        }
        self._learned: dict[tuple[str, type], tuple[int, dict[type, dict[str, bool]]]] = {}
        self._sighted: dict[tuple[str, type], frozenset[tuple[type, str]]] = {}

    # -- public, per entity class ----------------------------------------------------------

    def decode(self, cls: type, data: bytes | str) -> Any:
        """``data`` decoded as one ``cls``; raises on anything the reference path would refuse.

        Bytes that are not UTF-8 are refused by msgspec, or by the keeping path's check
        (see ``_check_utf8``).
        """
        decoder = self._one.get(cls) or self._decoder("one", cls)
        try:
            wire = decoder.decode(data)
        except msgspec.ValidationError:
            return self._keeping_decode("one", cls, data)[0]
        convert = self._converters.get(cls)
        return wire if convert is None else convert(wire, None, 1)

    def decode_many(self, cls: type, data: bytes | str) -> list[Any]:
        """A bare JSON array of ``cls`` or a v1 list envelope, as a list."""
        decoder = self._decoders.get(("many", cls)) or self._decoder("many", cls)
        try:
            wire = decoder.decode(data)
        except msgspec.ValidationError:
            return self._keeping_decode("many", cls, data)[0]  # type: ignore[no-any-return]
        items, depth = (wire, 2) if type(wire) is list else (wire.data, 3)
        convert = self._converters.get(cls)
        return list(items) if convert is None else [convert(item, None, depth) for item in items]

    def frames(self, cls: type, data: bytes | str) -> list[Any] | None:
        """The wire frames of a bare JSON array or v1 list envelope of ``cls``, without the
        entities (for loads that read the values off the frames, ADR 0069).

        A frame holds the document's values as :meth:`decode_many` reads them, checked in C
        by the same rules (an absent optional field is ``msgspec.UNSET``). A twin class's
        frames are all converted; a frame class's frame with any
        nested value (an object, a list, a ``JSON`` field) is also converted as
        :meth:`decode_many` converts it, so the validators and hooks below it run, and the
        entity is dropped. ``None`` when the frames refuse the document or a conversion
        fails: the caller then takes the codec's path, which keeps the document or explains
        every problem, exactly as decoding would.
        """
        try:
            _check_utf8(data)
            decoder = self._decoders.get(("many", cls)) or self._decoder("many", cls)
            wire = decoder.decode(data)
            items, depth = (wire, 2) if type(wire) is list else (list(wire.data), 3)
            convert = self._converters.get(cls)
            nested = self._nested_fields(cls)
            if convert is not None and self._mode.get(cls) != "frame":
                for item in items:  # a twin's own validators run on every item
                    convert(item, None, depth)
            elif convert is not None and nested:
                self._convert_nested(cls, items, nested, convert, depth)
        except Exception:  # noqa: BLE001 - any refusal: the codec's path decides and explains
            return None
        return items

    def _convert_nested(
        self,
        cls: type,
        items: list[Any],
        nested: tuple[str, ...],
        convert: Callable[[Any, Any, int], Any],
        depth: int,
    ) -> None:
        """Convert (and drop) every frame of ``items`` with a nested value. The nested
        fields of a frame are read in one call; a frame whose are all empty (``None``,
        ``UNSET``, ``()``) is recognised by that tuple, kept in a small set."""
        get = attrgetter(*nested)
        empties = self._empty_nested.setdefault(cls, set())
        for item in items:
            key = get(item) if len(nested) > 1 else (get(item),)
            try:
                if key in empties:
                    continue
            except TypeError:  # an unhashable value: an object, a list, a JSON value
                pass
            if all(v is None or v is msgspec.UNSET or (type(v) is tuple and not v) for v in key):
                if len(empties) < _EMPTY_KEYS:
                    empties.add(key)
                continue
            convert(item, None, depth)

    def _nested_fields(self, cls: type) -> tuple[str, ...]:
        """The fields of ``cls``'s frame that are not scalars (objects, lists, JSON, raw)."""
        cached = self._nested.get(cls)
        if cached is None:
            frame = self._wire.get(cls, cls)
            info = msgspec.inspect.type_info(frame)
            scalar = (
                msgspec.inspect.NoneType,
                msgspec.inspect.BoolType,
                msgspec.inspect.IntType,
                msgspec.inspect.StrType,
                msgspec.inspect.DateTimeType,
                msgspec.inspect.DateType,
                msgspec.inspect.LiteralType,
                msgspec.inspect.EnumType,
            )

            def nests(t: Any) -> bool:
                if isinstance(t, msgspec.inspect.UnionType):
                    return any(nests(x) for x in t.types)
                return not isinstance(t, scalar)

            fields = getattr(info, "fields", ())
            cached = tuple(f.name for f in fields if nests(f.type))
            self._nested[cls] = cached
        return cached

    def decode_page(self, cls: type, data: bytes | str) -> Any:
        """A v1 list envelope of ``cls`` as a ``Page``."""
        decoder = self._decoders.get(("page", cls)) or self._decoder("page", cls)
        try:
            wire = decoder.decode(data)
        except msgspec.ValidationError:
            entities, wire = self._keeping_decode("page", cls, data)
            items = tuple(entities)
        else:
            convert = self._converters.get(cls)
            items = (
                tuple(wire.data)
                if convert is None
                else tuple([convert(x, None, 3) for x in wire.data])
            )
        return self._page_class(
            data=items,
            current_page=wire.current_page,
            total_records=wire.total_records,
            next_page=wire.next_page,
        )

    def _keeping_decode(self, kind: str, cls: type, data: bytes | str) -> tuple[Any, Any]:
        """Decode a document the frames refused: ``(entity or entities, wire)``.

        The frames refuse unknown keys and fractions in ``JSON`` fields that a float would
        write differently (ADR 0034). This path decodes such a document with frames that
        skip unknown keys and read every fraction as a float, then gives every entity its
        part of the document parsed as plain values, numbers as written: exactly the
        documents the reference path keeps, so both paths write the same JSON. Any other
        refusal raises again, and the reference path explains it.
        """
        _check_utf8(data)  # these views skip unknown keys unread
        decoder = self._keeping.get((kind, cls)) or self._keeping_decoder(kind, cls)
        wire = decoder.decode(data)
        document = document_from_json(data)
        if not shallow_text(data) and nesting_problem(document) is not None:
            raise TooDeep  # unknown keys may nest: their depth is only seen in the document
        convert = self._converters[cls]
        if kind == "one":
            entity = convert(wire, None, 1)
            keep_documents(entity, document)
            self._learn(kind, cls, [document])
            return entity, wire
        items, depth = (wire, 2) if type(wire) is list else (wire.data, 3)
        parts = document if type(document) is list else document["data"]
        entities = [convert(item, None, depth) for item in items]
        for entity, part in zip(entities, parts, strict=True):
            keep_documents(entity, part)
        self._learn(kind, cls, parts)
        return entities, wire

    def _learn(self, kind: str, cls: type, documents: list[Any]) -> None:
        """Learn the unknown keys of a document the keeping path decoded (ADR 0039).

        An API that adds a field sends it in every document from then on. When the same
        unknown keys come twice in a row, the decoder for ``(kind, cls)`` is rebuilt with
        *learned* views (keys that never come back, as in hostile input, cost no rebuild):
        each class gets one more field per unknown key seen in its objects, decoded by
        msgspec in the same parse as a ``JSON`` field is, so the frame is again the whole
        document and is written back in C. Unknown
        keys not learned still make the learned views refuse the document (it takes the
        keeping path again). Bounded: at most ``LEARNINGS`` rebuilds per decoder and
        ``EXTRAS_PER_CLASS`` keys per class; past either, documents keep taking the keeping
        path, correct and slower.
        """
        found: dict[type, dict[str, bool]] = {}  # key: whether it held more than a scalar
        for document in documents:
            if type(document) is dict:
                self._unknown_keys(cls, document, found)
        if not found or any(len(keys) > EXTRAS_PER_CLASS for keys in found.values()):
            return
        sighting = frozenset((c, key) for c, keys in found.items() for key in keys)
        with self._lock:
            if self._sighted.get((kind, cls)) != sighting:
                self._sighted[(kind, cls)] = sighting  # first sight: learned when seen again
                return
            count, known = self._learned.get((kind, cls), (0, {}))
            merged = {c: dict(keys) for c, keys in known.items()}
            for c, keys in found.items():
                into = merged.setdefault(c, {})
                for key, wide in keys.items():
                    into[key] = into.get(key, False) or wide
            if merged == known:
                return  # refused for another reason (a fraction, say): nothing new to learn
            if count >= LEARNINGS or any(len(k) > EXTRAS_PER_CLASS for k in merged.values()):
                return
            variant = f"_learned{next(_names)}"
            try:
                views = {
                    c: self._define_struct(
                        c, variant=variant, extras=tuple(merged.get(c, {}).items())
                    )
                    for c in list(self._wire)
                }
                tp = self._decoder_type(kind, cls, views=views)
                decoder = msgspec.json.Decoder(tp, float_hook=_canonical_float)
            except (TypeError, ValueError):  # a key msgspec cannot name: not learned
                return
            wide = any(any(keys.values()) for keys in merged.values())
            if wide and not self._extras_checked:
                self._judge_learned_keys()  # before any frame of these views is converted
            self._learned[(kind, cls)] = (count + 1, merged)
            self._decoders[(kind, cls)] = decoder
            if kind == "one":
                self._one[cls] = decoder

    def _judge_learned_keys(self) -> None:
        """Rebuild every converter with the check of learned keys (``_EXTRAS_LINE``).

        Called, under the lock, before the first decoder whose views have a key that may
        hold more than a scalar is installed: a converter then runs on a frame of such a view
        only once it judges the key. The new functions replace the old under the same names,
        so converters that call each other call the new ones.
        """
        self._extras_checked = True
        for cls, mode in list(self._mode.items()):
            if mode == "frame":
                self._converters[cls] = self._build_frame(cls)
            elif mode == "twin":
                self._converters[cls] = self._build_converter(cls)

    def _unknown_keys(
        self, cls: type, document: dict[str, Any], found: dict[type, dict[str, bool]]
    ) -> None:
        """Collect into ``found`` the unknown keys of ``document`` (a ``cls``) and below it,
        each with whether it held more than a string, an integer, a boolean or null.

        The document has passed the nesting check: the recursion is at most that deep.
        """
        if cls not in self._wire:
            return
        hints = field_hints(cls)
        if is_sourced(cls):
            unknown = [key for key in document if key not in hints]
            if unknown:
                into = found.setdefault(cls, {})
                for key in unknown:
                    wide = type(document[key]) not in _SCALAR_TYPES
                    into[key] = into.get(key, False) or wide
        for name, tp in hints.items():
            value = document.get(name)
            base = strip_optional(tp)[0]
            if _is_tuple(base) and type(value) is list:
                item = get_args(base)[0]
                for part in value:
                    if type(part) is dict:
                        self._unknown_keys(item, part, found)
            elif type(value) is dict and base in self._wire:
                self._unknown_keys(base, value, found)

    def _keeping_decoder(self, kind: str, cls: type) -> msgspec.json.Decoder[Any]:
        with self._lock:
            existing = self._keeping.get((kind, cls))
            if existing is None:
                self._analyse(cls)
                tp = self._decoder_type(kind, cls, views=self._keeping_wire)
                existing = msgspec.json.Decoder(tp)
                self._keeping[(kind, cls)] = existing
            return existing

    # -- building ----------------------------------------------------------------------------

    def _decoder(self, kind: str, cls: type) -> msgspec.json.Decoder[Any]:
        with self._lock:  # one thread builds; the others wait, then find it built
            existing = self._decoders.get((kind, cls))
            return existing if existing is not None else self._build_decoder(kind, cls)

    def _build_decoder(self, kind: str, cls: type) -> msgspec.json.Decoder[Any]:
        self._analyse(cls)
        tp = self._decoder_type(kind, cls, views=self._wire)
        decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(tp, float_hook=_canonical_float)
        self._decoders[(kind, cls)] = decoder
        if kind == "one":
            self._one[cls] = decoder
        return decoder

    def _decoder_type(self, kind: str, cls: type, *, views: dict[type, type]) -> Any:
        item = views.get(cls, cls)
        if kind == "one":
            tp: Any = item
        else:
            page = msgspec.defstruct(
                f"Page_{cls.__name__}_Wire{next(_names)}",
                [
                    ("data", tuple[item, ...]),  # type: ignore[valid-type]
                    ("current_page", _BoundedInt, 0),
                    ("total_records", _BoundedInt, 0),
                    ("next_page", _BoundedInt | None, None),
                ],
                kw_only=True,
                gc=False,
                module=self._module.__name__,
            )
            tp = page if kind == "page" else list[item] | page  # type: ignore[valid-type]
        return tp

    def _analyse(self, root: type) -> None:
        """Choose how each class reachable from ``root`` is decoded, then build what it needs.

        * **direct** — msgspec builds the attrs class itself (its validators, if any, run):
          classes with nothing to convert and nothing below them to convert.
        * **frame** — msgspec builds a Struct whose field types prove the class's validators
          in C; generated code stores its values, currencies attached and decimals read,
          into the slots of a builder and re-classes it to the entity class. Only for
          classes all of whose validators are proven (ADR 0030, ADR 0032).
        * **twin** — msgspec builds a Struct twin and a generated converter calls the class
          (its validators and hooks run): the rest.
        """
        if root in self._mode:
            return
        edges: dict[type, set[type]] = {}
        own: dict[type, bool] = {}
        stack = [root]
        while stack:
            cls = stack.pop()
            if cls in edges or cls in self._mode:
                continue
            edges[cls] = set()
            provable = _validators_proven(cls)
            validated = any(field.validator is not None for field in attrs.fields(cls))
            # A class whose instances carry their document is never built by msgspec alone.
            own[cls] = (provable and validated) or is_sourced(cls)
            for tp in field_hints(cls).values():
                for leaf in _leaves(tp):
                    if leaf in (Money, int, Decimal, float) or leaf is Any:
                        own[cls] = True
                    elif attrs.has(leaf):
                        edges[cls].add(leaf)
                        stack.append(leaf)
        for cls in edges:
            seen: set[type] = set()
            todo, special = [cls], False
            while todo and not special:
                current = todo.pop()
                if current in seen:
                    continue
                seen.add(current)
                mode = self._mode.get(current)
                special = (mode is not None and mode != "direct") or own.get(current, False)
                todo.extend(edges.get(current, ()))
            if not special:
                self._mode[cls] = "direct"
            elif not _validators_proven(cls):
                self._mode[cls] = "twin"
            else:
                self._mode[cls] = "frame"
        new = [cls for cls in edges if self._mode[cls] != "direct"]
        for cls in new:
            self._wire[cls] = self._define_struct(cls)
            self._keeping_wire[cls] = self._define_struct(cls, variant=_KEEPING)
        for cls in new:
            build = self._build_frame if self._mode[cls] == "frame" else self._build_converter
            self._converters[cls] = build(cls)

    def _alias(self, obj: Any) -> str:
        """A name in the wire module for a type object (so string annotations can use it)."""
        name = self._aliases.get(id(obj))
        if name is None:
            name = f"_t{len(self._aliases)}"
            self._aliases[id(obj)] = name
            setattr(self._module, name, obj)
        return name

    def _wire_name(self, cls: type, *, variant: str = "") -> str:
        return f"{cls.__name__}_{self._mode[cls]}_{id(cls):x}{variant}"

    def _annotation(self, tp: Any, validator: Any = None, *, variant: str = "") -> str | None:
        """The wire annotation for a field type as text in the wire module; ``None`` = as is.

        Datetimes must carry an offset and currency codes must be known, checked by msgspec
        in C: the same rules as the entity's ``aware`` and ``currency_code`` validators.
        """
        base, optional = strip_optional(tp)
        if base is Money or base is int:
            text = self._alias(_BoundedInt)
        elif base in _RAW_KINDS:
            return self._alias(msgspec.Raw)
        elif base is dt.datetime:
            text = self._alias(_AwareDatetime)
        elif validator is currency_code:
            text = self._alias(_CurrencyCode)
        elif _is_tuple(base):
            inner = self._annotation(get_args(base)[0], variant=variant)
            if inner is None:
                return None
            text = f"tuple[{inner}, ...]"
        elif attrs.has(base) and self._mode.get(base, "direct") != "direct":
            text = self._wire_name(base, variant=variant)
        else:
            return None
        return f"{text} | None" if optional else text

    def _define_struct(
        self, cls: type, *, variant: str = "", extras: tuple[tuple[str, bool], ...] = ()
    ) -> type:
        """The wire view of ``cls``: a Struct with its fields and wire annotations.

        An optional field's default is ``UNSET``, so the frame tells an absent key from a
        ``null`` one, and unknown keys are refused: the frame is then the document itself,
        and written back as it is (ADR 0034). The *keeping* view skips unknown keys instead,
        for documents whose entities keep their parsed document (see ``_keeping_decode``).
        A *learned* view (``extras``: unknown keys seen before, see ``_learn``, each with
        whether it held more than a scalar) has one more field per such key, ``UNSET`` when
        absent: decoded as a ``JSON`` field is, or, for a key that only held scalars, as
        one of them.
        """
        keeping = variant == _KEEPING
        fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
        hints = field_hints(cls)
        unset = self._alias(msgspec.UnsetType)
        for field in wire_fields(cls):
            text = self._annotation(hints[field.name], field.validator, variant=variant)
            annotation = self._alias(hints[field.name]) if text is None else text
            if field.default is attrs.NOTHING:
                fields.append((field.name, annotation))
            else:
                fields.append((field.name, f"{annotation} | {unset}", msgspec.UNSET))
        anything, scalar = self._alias(Any), self._alias(_Scalar)
        rename = {}
        checked = []
        for index, (key, wide) in enumerate(extras):
            attribute = f"{_EXTRA_PREFIX}{index}"
            fields.append((attribute, f"{anything if wide else scalar} | {unset}", msgspec.UNSET))
            rename[attribute] = key
            if wide:
                checked.append(attribute)
        name = self._wire_name(cls, variant=variant)
        view = msgspec.defstruct(
            name,
            fields,
            kw_only=True,
            gc=False,
            forbid_unknown_fields=not keeping,
            rename=rename or None,
            module=self._module.__name__,
            namespace={
                "__reduce__": _reduce_frame,
                _EXTRAS_ATTRIBUTE: tuple(rename.items()),
                _CHECKED_ATTRIBUTE: tuple(checked),
            },
        )
        setattr(self._module, name, view)
        return view

    def _currency_line(
        self, cls: type, source: str, *, code: str = "code", ctx: str = "ctx"
    ) -> str:
        """Lines setting ``code``, the currency of the amounts of a ``cls`` read from the
        frame ``source``; ``ctx`` is the code of the object holding it."""
        parts = PARTS_CURRENCY.get(cls)
        if parts is not None and owns_currency(cls):
            # the parts another field names the currency of (ADR 0072), else the object's
            return (
                f"    code = {source}.{CURRENCY_FIELD}\n    if code is _U:\n        code = None\n"
                f"    pcode = {source}.{parts[0]}\n"
                "    if pcode is _U or pcode is None:\n        pcode = code"
            )
        if owns_currency(cls):
            return (
                f"    {code} = {source}.{CURRENCY_FIELD}\n"
                f"    if {code} is _U:\n        {code} = None"
            )
        if cls in INVOICE_CURRENCY_CLASSES:
            return (
                f"    inv = {source}.invoice\n"
                f"    {code} = {ctx} if inv is None or inv is _U else inv.currency"
            )
        return f"    {code} = {ctx}"

    def _default_name(self, cls: type, field: attrs.Attribute[Any]) -> str:
        """Code for ``field``'s default (an absent key): a literal, else a namespace name."""
        if field.default is None or field.default == ():
            return repr(field.default)
        name = f"_D_{self._wire_name(cls)}_{field.name}"
        self._code_namespace[name] = field.default
        return name

    def _head(self, cls: type, function: str) -> str:
        """The first lines of a converter: its signature, the depth and the extras checks."""
        name = self._wire_name(cls)
        self._code_namespace[f"_W_{name}"] = self._wire[cls]
        lines = [f"def {function}(w, ctx, d, _U=_U):", _DEPTH_LINE]
        if self._extras_checked:
            lines.append(_EXTRAS_LINE.format(name=name, w="w", d="d"))
        return "\n".join(lines)

    def _compile(
        self, cls: type, function: str, lines: list[str]
    ) -> Callable[[Any, Any, int], Any]:
        filename = f"<stuut_json {self._mode[cls]} {cls.__name__}>"
        code = compile("\n".join(lines), filename, "exec")
        exec(code, self._code_namespace)  # noqa: S102 - generated from attrs fields, not input
        converter: Callable[[Any, Any, int], Any] = self._code_namespace[function]
        return converter

    def _build_frame(self, cls: type) -> Callable[[Any, Any, int], Any]:
        """Generate ``build(frame, code) -> entity`` for a class whose rules are all proven.

        msgspec has filled the frame (a Struct) in C. The entity is written slot by slot
        through a *builder* — a subclass with the same slots and the plain
        ``object.__setattr__``, so each ``o.name = value`` is a direct slot store — and then
        re-classed to the entity class (same slots, so the same layout; ADR 0032). Amounts
        get the currency ``code`` of their owner (ADR 0009): the enclosing object's, passed
        in, unless the class has a ``currency`` field or is an allocation embedding its
        invoice. Amounts are built through Money's two slots if a start-up probe shows that
        equals ``Money(units, code)``. A nested frame object that is not an item of a list
        is built inline, by the same lines (``_frame_lines``), saving a call per object.
        """
        function = f"_to_entity_{self._wire_name(cls)}"
        lines = [f"def {function}(w, ctx, d, _U=_U):"]
        lines += self._frame_lines(cls, "", (cls,))
        lines.append("    return o")
        return self._compile(cls, function, lines)

    def _frame_lines(
        self, cls: type, p: str, inlined: tuple[type, ...], ctx: str = "ctx"
    ) -> list[str]:
        """The lines building a ``cls`` from the frame ``w{p}`` into ``o{p}``, at nesting
        level ``d{p}``, the currency code of the object holding it in ``ctx``.

        Nested frame objects (not list items) are built inline, named with a longer ``p``,
        at most ``_INLINE_LEVELS`` levels down and never a class already being built here
        (a recursive schema keeps its calls). Every object still checks its depth and its
        learned keys first, exactly as its own converter does.
        """
        namespace = self._code_namespace
        name = self._wire_name(cls)
        namespace[f"_E_{name}"] = cls
        if f"_B_{name}" not in namespace:
            namespace[f"_B_{name}"] = _builder(cls)
        namespace[f"_W_{name}"] = self._wire[cls]
        w, o, d = f"w{p}", f"o{p}", f"d{p}"
        lines = [f"    if {d} >= {NESTING_LIMIT}:\n        raise _TooDeep"]
        if self._extras_checked:
            lines.append(_EXTRAS_LINE.format(name=name, w=w, d=d))
        if owns_currency(cls) or cls in INVOICE_CURRENCY_CLASSES:
            code = f"code{p}"
            lines.append(self._currency_line(cls, w, code=code, ctx=ctx))
        else:
            code = ctx  # the holder's code, as it is
        hints = field_hints(cls)
        if any(strip_optional(tp)[0] is Money for tp in hints.values()):
            lines.append(f"    cur{p} = _CURRENCIES.get({code})")
        # calling the builder (its ``__init__`` is object's) is object.__new__, only faster
        fresh = f"_B_{name}()" if _plain_new(cls) else f"_new(_B_{name})"
        lines.append(f"    {o} = {fresh}")
        for index, field in enumerate(wire_fields(cls)):
            tp = hints[field.name]
            base, optional = strip_optional(tp)
            absent = field.default is not attrs.NOTHING
            if self._inlines(base, inlined):
                inner = f"{p}_{index}"
                lines += self._guard_lines(cls, field, p, absent=absent, optional=optional)
                body = [f"    w{inner} = v", f"    d{inner} = {d} + 1"]
                body += self._frame_lines(base, inner, (*inlined, base), ctx=code)
                body.append(f"    {o}.{field.name} = o{inner}")
                lines.extend(_indented(body))
            elif base is Money:
                lines += self._guard_lines(cls, field, p, absent=False, optional=optional)
                lines += self._money_lines(field, p, code)
            elif not absent:
                expression = self._field_expression(field.name, tp, code=code, w=w, d=d)
                lines.append(f"    {o}.{field.name} = {expression}")
            else:
                expression = self._field_expression(field.name, tp, "v", code=code, w=w, d=d)
                default = self._default_name(cls, field)
                lines.append(f"    v = {w}.{field.name}")
                lines.append(f"    {o}.{field.name} = {default} if v is _U else {expression}")
        if is_sourced(cls):
            lines.append(f"    {o}._source = {w}")
            lines.append(f"    {o}._wire = {w}")
        lines.append(f"    {o}.__class__ = _E_{name}  # the builder's own setattr: a plain store")
        return lines

    def _guard_lines(
        self, cls: type, field: attrs.Attribute[Any], p: str, *, absent: bool, optional: bool
    ) -> list[str]:
        """Read ``field`` of ``w{p}`` into ``v``; store its default (absent) or ``None``
        (null) into ``o{p}`` and open the block (indented next) for any other value."""
        read = f"    v = w{p}.{field.name}"
        if not (absent or optional):
            return [read, "    if True:"]
        default = self._default_name(cls, field) if absent else "None"
        kept = f"None if v is None else {default}" if optional and default != "None" else default
        store = f"        o{p}.{field.name} = {kept}"
        return [read, "    if v is _U or v is None:", store, "    else:"]

    def _money_lines(self, field: attrs.Attribute[Any], p: str, code: str) -> list[str]:
        """The block storing ``v`` (minor units) as Money in ``cur{p}`` into ``o{p}``."""
        body = [f"    if cur{p} is None:", "        raise _NoCurrency"]
        if self._slot_money:
            body += ["    m = _MoneyBuilder()", "    m.minor_units = v"]
            body += [f"    m.currency = cur{p}", "    m.__class__ = _Money"]
        else:
            body.append(f"    m = _Money(v, {code})")
        body.append(f"    o{p}.{field.name} = m")
        return _indented(body)

    def _inlines(self, base: Any, inlined: tuple[type, ...]) -> bool:
        """Whether a field of type ``base`` (not a list) is built inline (``_frame_lines``)."""
        return (
            attrs.has(base)
            and self._mode.get(base) == "frame"
            and base not in inlined
            and len(inlined) <= _INLINE_LEVELS
        )

    def _build_converter(self, cls: type) -> Callable[[Any, Any, int], Any]:
        """Generate ``convert(twin, code) -> entity`` for a class built by calling it.

        Its validators and hooks run as for any construction; amounts get their currency by
        ADR 0009 through the public ``Money`` constructor.
        """
        namespace = self._code_namespace
        name = self._wire_name(cls)
        namespace[f"_E_{name}"] = cls
        function = f"_to_entity_{name}"
        lines = [self._head(cls, function)]
        lines.append(self._currency_line(cls, "w"))
        lines.append(f"    o = _E_{name}(")
        parts = PARTS_CURRENCY.get(cls, ("", frozenset()))[1]
        for field in wire_fields(cls):
            tp = field_hints(cls)[field.name]
            code = "pcode" if field.name in parts else "code"
            if field.default is attrs.NOTHING:
                expr = self._field_expression(field.name, tp, code=code)
            else:
                inner = self._field_expression(field.name, tp, "v", code=code)
                default = self._default_name(cls, field)
                expr = f"({default} if (v := w.{field.name}) is _U else {inner})"
            lines.append(f"        {field.alias}={expr},")
        if is_sourced(cls):
            lines.append("        _source=w,")
        lines.append("    )")
        if is_sourced(cls):
            lines.append("    _setattr(o, '_wire', w)")
        lines.append("    return o")
        return self._compile(cls, function, lines)

    def _converted(self, tp: Any) -> bool:
        """Whether values of ``tp`` (or its items) are built by a generated converter."""
        item = get_args(tp)[0] if _is_tuple(tp) else tp
        return attrs.has(item) and self._mode.get(item, "direct") != "direct"

    def _field_expression(
        self,
        name: str,
        tp: Any,
        value: str | None = None,
        *,
        code: str = "code",
        w: str = "w",
        d: str = "d",
    ) -> str:
        """The expression converting the frame's ``value`` (default ``w.<name>``) of type ``tp``.

        The entity being built is at nesting level ``d``: a ``JSON`` value below it may nest
        ``NESTING_LIMIT - d`` levels, a nested entity is at ``d + 1``, an item of a list at
        ``d + 2``.
        """
        base, optional = strip_optional(tp)
        value = f"{w}.{name}" if value is None else value
        if tp is Any:
            # scalars, flat objects and empty containers hold nothing; others are judged
            if _TRACKING_TELLS_FLAT:  # one C call for scalars and flat objects
                held = f"not _tracked({value}) or not {value}"
            else:
                held = (
                    f"(k := {value}.__class__) in _S or not {value}"
                    f" or (k is dict and _S.issuperset(map(type, {value}.values())))"
                )
            return f"({value} if {held} else _json_within({value}, {d}))"
        static = 0 if self._converted(base) else _static_depth(base)
        if static > 1:
            # built by msgspec (no entity inside): it may nest ``static`` levels below ``d``
            return f"(_too_deep({value}) if {d} + {static} > _LIMIT else {value})"
        if base is Money:
            if optional:
                return f"None if {value} is None else _Money({value}, {code})"
            return f"_Money({value}, {code})"
        if base is Decimal:
            return f"_decimal({value})" if optional else f"_decimal_required({value})"
        if base is float:
            return f"_float({value})"
        if _is_tuple(base):
            item = get_args(base)[0]
            if attrs.has(item) and self._mode.get(item, "direct") != "direct":
                # no comprehension for the short lists most documents hold (it costs a call)
                convert = f"_to_entity_{self._wire_name(item)}"
                one = [f"{convert}({value}[{i}], {code}, {d} + 2)" for i in range(3)]
                return (
                    f"(() if (n := len({value})) == 0"
                    f" else ({one[0]},) if n == 1"
                    f" else ({one[0]}, {one[1]}) if n == 2"
                    f" else ({', '.join(one)}) if n == 3"
                    f" else tuple([{convert}(x, {code}, {d} + 2) for x in {value}]))"
                )
            return value
        if attrs.has(base) and self._mode.get(base, "direct") != "direct":
            converter = f"_to_entity_{self._wire_name(base)}"
            if optional:
                return f"None if {value} is None else {converter}({value}, {code}, {d} + 1)"
            return f"{converter}({value}, {code}, {d} + 1)"
        return value


def _indented(lines: list[str]) -> list[str]:
    """Generated lines one block deeper (a line may hold several, joined by newlines)."""
    return ["\n".join("    " + part for part in line.split("\n")) for line in lines]


_FRAME_TEXT: Final = msgspec.json.Encoder(decimal_format="number")


def _reduce_frame(frame: msgspec.Struct) -> tuple[Any, ...]:
    """Pickle a frame as its JSON text; it unpickles as a plain document (see schema)."""
    return (document_from_json, (_FRAME_TEXT.encode(frame),))


def _validators_proven(cls: type) -> bool:
    """Whether the wire view of ``cls`` proves every validator of ``cls`` (so slots may be set).

    Proven: ``aware`` (wire datetimes need an offset), ``currency_code`` (wire codes are a
    closed Literal), and the amount validators of owners of a currency and of the allocation
    (the frame builder attaches exactly the currency they check). Every field must be a slot
    of ``cls`` itself, so the builder writes every one. Anything else — another
    validator, a converter, a factory default, ``__attrs_post_init__`` — and the entity is
    built by calling the class.
    """
    if hasattr(cls, "__attrs_post_init__") or hasattr(cls, "__attrs_pre_init__"):
        return False
    if cls in PARTS_CURRENCY:  # amounts in another field's currency: built by calling it
        return False
    for field in wire_fields(cls):
        if field.converter is not None or not field.init:
            return False
        if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            return False
        if not isinstance(cls.__dict__.get(field.name), types.MemberDescriptorType):
            return False
        validator = field.validator
        if validator is None or validator is aware or validator is currency_code:
            continue
        if strip_optional(field_hints(cls)[field.name])[0] is Money and (
            (validator is own_currency and owns_currency(cls))
            or (cls is ALLOCATION_CLASS and field.name == "amount")
        ):
            continue
        return False
    return True


_OBJECT_NEW: Final[object] = object.__new__


def _plain_new(cls: type) -> bool:
    """Whether ``cls`` has no ``__new__`` of its own (calling its builder is then
    ``object.__new__(builder)``)."""
    return getattr(cls, "__new__", None) is _OBJECT_NEW


def _builder(cls: type) -> type:
    """A subclass of ``cls`` with the same slots whose attributes can be set (private).

    Both ``__setattr__`` and ``__delattr__`` are ``object``'s, so the type's attribute
    setter is the generic C one and the interpreter stores each attribute straight into its
    slot; ``__init__`` is ``object``'s, so ``builder()`` (for a class without its own
    ``__new__``) is an empty instance, a call cheaper than ``object.__new__(builder)``. An
    instance is only ever a half-built entity inside a generated builder, which re-classes
    it to ``cls`` before anyone else sees it.
    """
    return type(
        f"{cls.__name__}_builder",
        (cls,),
        {
            "__slots__": (),
            "__setattr__": object.__setattr__,
            "__delattr__": object.__delattr__,
            # calling the builder allocates an empty instance, like object.__new__(builder)
            "__init__": object.__init__,
            "__module__": __name__,
            "__doc__": f"{cls.__name__} while the codec fills its slots (private)",
        },
    )


#: Money while the codec fills its two slots (see ``_builder``).
_MONEY_BUILDER: Final = _builder(Money)


class _NoCurrency(ValueError):
    """An amount whose owner has no currency (the reference path explains it)."""


def _slot_money() -> bool:
    """Whether Money can be built through its two slots (checked once, against ``Money()``).

    Built as entities are (ADR 0032): a builder with Money's slots and plain attribute
    stores, re-classed to Money.
    """
    slots = getattr(Money, "__slots__", ())
    if set(slots) != {"minor_units", "currency"} or not _plain_new(Money):
        return False
    probe: Any = _MONEY_BUILDER()
    probe.minor_units = 1050
    probe.currency = currency("EUR")
    probe.__class__ = Money
    reference = Money(1050, "EUR")
    return bool(type(probe) is Money and probe == reference and hash(probe) == hash(reference))


def _leaves(tp: Any) -> list[Any]:
    """The element types a field type is made of: ``tuple[X, ...] | None`` gives ``[X]``."""
    base, _ = strip_optional(tp)
    if _is_tuple(base):
        return _leaves(get_args(base)[0])
    return [base]


def _money_to_int(obj: Any) -> Any:
    if type(obj) is Money:
        return obj.minor_units
    if type(obj) is WrittenNumber:
        return msgspec.Raw(obj.text.encode())
    raise NotImplementedError(f"cannot write {type(obj).__name__} as Stuut JSON")


def make_encoder() -> msgspec.json.Encoder:
    """The encoder: attrs entities as they are, Money as integers, Decimal as JSON numbers.

    A :class:`~adapters.stuut_json.schema.WrittenNumber` (from a kept document) is written as
    its text.
    """
    return msgspec.json.Encoder(enc_hook=_money_to_int, decimal_format="number")


_KEEP: Final[tuple[type, ...]] = (Decimal,)
_EXACT: Final = msgspec.json.Decoder(float_hook=Decimal)


def _builtin(obj: Any) -> Any:
    if type(obj) is msgspec.Raw:
        return _EXACT.decode(obj)
    if type(obj) is WrittenNumber:
        return _EXACT.decode(obj.text)
    return _money_to_int(obj)


def to_builtins(obj: Any) -> Any:
    """``obj`` as plain JSON values (dicts, lists, str, int, float, bool, None, Decimal).

    A number kept as its document text (ADR 0034) becomes an ``int`` when written as an
    integer and an exact ``Decimal`` otherwise.
    """
    return _lists(msgspec.to_builtins(obj, enc_hook=_builtin, builtin_types=_KEEP))


def _lists(value: Any) -> Any:
    """JSON arrays as lists: ``msgspec.to_builtins`` leaves a tuple a tuple, and an entity's
    sequences are tuples, but plain JSON values (``json.loads``' shape) have lists."""
    if type(value) is dict:
        return {key: _lists(item) for key, item in value.items()}
    if type(value) is tuple or type(value) is list:
        return [_lists(item) for item in value]
    return value
