"""Hypothesis strategies for Stuut wire payloads, generated from the entity classes' schema.

Every payload carries every key of its class (values may be null where the field is
optional), with datetimes in the canonical text of ADR 0008 (``Z`` for UTC, offsets in whole
minutes, six fraction digits when non-zero), amounts as 64-bit integers, ``quantity`` and
``currency_rate`` as exact decimals, and free JSON where the model says ``JSON``. Objects that
own amounts always carry a currency. Used by the codec's round-trip and agreement properties.

``lossless_payloads`` draws the documents ADR 0034 promises to write back unchanged: optional
keys dropped at random at every level, unknown keys with random JSON values added at every
level, and numbers in every JSON form a field accepts (``123`` in a float field, ``1.50``,
``-0.0``, ``1E+2``).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import types
import typing
from decimal import Decimal
from typing import Any, get_args, get_origin

import attrs
import msgspec
from hypothesis import strategies as st

from stuut_domain.money import CURRENCY_CODES, Money
from stuut_domain.types import SOURCE_FIELDS

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)

OFFSETS = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)


def datetime_text(value: dt.datetime) -> str:
    """The canonical wire text of an aware datetime (ADR 0008)."""
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


DATETIMES = st.datetimes(
    min_value=dt.datetime(1900, 1, 1),
    max_value=dt.datetime(2200, 1, 1),
    timezones=st.one_of(st.just(dt.UTC), OFFSETS),
).map(datetime_text)

DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 1, 1)).map(
    dt.date.isoformat
)

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)

#: Decimal field values: figures a quantity or a rate can have (the codec refuses others,
#: issue 12: within 1e±30 and 50 significant digits).
DECIMALS = st.decimals(
    allow_nan=False,
    allow_infinity=False,
    min_value=-(10**15),
    max_value=10**15,
    places=12,
)

#: Decimal texts whose form a rewrite could change: trailing zeros, signed zeros, exponents.
NUMBER_FORMS = st.one_of(
    st.sampled_from(["1.50", "-0", "-0.0", "0.0", "1E+2", "1e-7", "2.500", "-12.0", "123"]).map(
        Decimal
    ),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-1000, max_value=1000),
)

#: Any JSON value, its numbers in every form (exact ``Decimal`` texts beside ints and floats).
EXACT_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | NUMBER_FORMS
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)

#: Unknown keys: never a field name of any class (fields never start with ``x-``).
UNKNOWN_KEYS = st.text(max_size=6).map(lambda text: f"x-{text}")


def _strip_optional(tp: Any) -> tuple[Any, bool]:
    if get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        return args[0], True
    return tp, False


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _value(tp: Any, depth: int, lossless: bool = False) -> st.SearchStrategy[Any]:
    base, optional = _strip_optional(tp)
    strategy: st.SearchStrategy[Any]
    if tp is Any:
        return EXACT_JSON if lossless else JSON_VALUES
    if base is str:
        strategy = st.text(max_size=12)
    elif base is bool:
        strategy = st.booleans()
    elif base is int or base is Money:
        strategy = INT64
    elif base is float and lossless:
        strategy = st.one_of(
            st.floats(allow_nan=False, allow_infinity=False),
            st.integers(min_value=-(2**53), max_value=2**53),
            NUMBER_FORMS,
        )
    elif base is float:
        strategy = st.floats(allow_nan=False, allow_infinity=False)
    elif base is Decimal and lossless:
        strategy = st.one_of(DECIMALS, NUMBER_FORMS, st.integers(-(10**6), 10**6))
    elif base is Decimal:
        strategy = DECIMALS
    elif base is dt.datetime:
        strategy = DATETIMES
    elif base is dt.date:
        strategy = DATES
    elif get_origin(base) is typing.Literal:
        strategy = st.sampled_from(get_args(base))
    elif get_origin(base) is tuple:
        strategy = st.lists(
            _value(get_args(base)[0], depth + 1, lossless), max_size=2 if depth < 1 else 1
        )
    elif attrs.has(base):
        build = lossless_payloads if lossless else payloads
        if depth > 4:
            return st.none() if optional else build(base, depth=depth + 1)
        strategy = build(base, depth=depth + 1)
    else:
        raise NotImplementedError(f"no wire strategy for {tp!r}")
    return st.one_of(st.none(), strategy) if optional else strategy


def payloads(cls: type, *, depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """Stuut JSON objects (as plain dicts) for ``cls``, every key present."""
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for field in _wire_fields(cls):
        tp = _hints(cls)[field.name]
        if field.name == "currency":
            fields[field.name] = st.sampled_from(CURRENCY_CODES)
        else:
            fields[field.name] = _value(tp, depth)
    return st.fixed_dictionaries(fields)


def _wire_fields(cls: type) -> list[attrs.Attribute[Any]]:
    return [field for field in attrs.fields(cls) if field.name not in SOURCE_FIELDS]


def lossless_payloads(cls: type, *, depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """Stuut JSON objects for ``cls`` as a changing API sends them (see the module).

    Required keys are always present (a ``currency`` too, where the object owns amounts, so
    the document stays decodable); every other key may be absent; up to two unknown keys with
    any JSON value are added; numbers come in every form their field accepts.
    """
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for field in _wire_fields(cls):
        tp = _hints(cls)[field.name]
        if field.name == "currency":
            required[field.name] = st.sampled_from(CURRENCY_CODES)
        elif field.default is attrs.NOTHING:
            required[field.name] = _value(tp, depth, lossless=True)
        else:
            optional[field.name] = _value(tp, depth, lossless=True)
    known = st.fixed_dictionaries(required, optional=optional)
    extra = st.dictionaries(UNKNOWN_KEYS, EXACT_JSON, max_size=2)
    return st.tuples(known, extra).map(lambda parts: {**parts[0], **parts[1]})


_WRITER = msgspec.json.Encoder(decimal_format="number")


def to_bytes(payload: Any) -> bytes:
    """A payload as JSON bytes (decimals as JSON numbers, exactly)."""
    return _WRITER.encode(payload)


_EXACT = msgspec.json.Decoder(float_hook=Decimal)


def parsed(data: bytes) -> Any:
    """JSON bytes as plain values with exact numbers, for comparing two texts as JSON."""
    return _EXACT.decode(data)


def typed(value: Any) -> Any:
    """Parsed JSON with every leaf tagged by its JSON form, for comparisons that see types.

    ``1`` and ``1.0`` differ, ``1.50`` and ``1.5`` differ (a number with a fraction or an
    exponent is compared by its digits and exponent), ``true`` and ``1`` differ; object key
    order does not matter (JSON objects are unordered).
    """
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    if isinstance(value, Decimal):
        return ("number", value.as_tuple())
    return (type(value).__name__, value)


def typed_json(data: bytes) -> Any:
    """JSON bytes as :func:`typed` values."""
    return typed(parsed(data))


def _encoded_default(field: attrs.Attribute[Any]) -> tuple[bool, Any]:
    """``(True, json)`` when leaving ``field`` out reads as the value ``json`` writes."""
    default = field.default
    if default is attrs.NOTHING or isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return False, None
    if default is None or type(default) in (bool, str, int):
        return True, default
    if default == ():
        return True, []
    if isinstance(default, enum.Enum):
        return True, default.value
    return False, None


def _classes_of(tp: Any) -> tuple[type | None, bool]:
    """The attrs class a field holds (``many`` for a tuple of them), or ``(None, False)``."""
    base, _ = _strip_optional(tp)
    if get_origin(base) is tuple:
        inner = get_args(base)[0]
        return (inner, True) if attrs.has(inner) else (None, False)
    return (base, False) if attrs.has(base) else (None, False)


_DECIMAL_FORMS = st.sampled_from(["same", "zero", "exponent"])


def _reformed(value: Any, form: str) -> Any:
    """The same number in another JSON form (``1.5`` -> ``1.50`` or ``15E-1``)."""
    if not isinstance(value, int | Decimal) or form == "same":
        return value
    number = Decimal(value)
    if not number.is_finite():
        return value
    if form == "zero":
        text = f"{number:f}"
        return Decimal(text + "0") if "." in text else Decimal(text + ".0")
    sign, digits, exponent = number.as_tuple()
    return Decimal(f"{'-' if sign else ''}{''.join(map(str, digits))}E{exponent}")


@st.composite
def perturbed(draw: st.DrawFn, cls: type, document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (a whole one, as ``to_json`` writes it) as a changing API sends it.

    At every level: keys whose value is what their absence reads as may be dropped, up to
    two unknown keys with any JSON value are added, and numbers in ``Decimal`` fields come
    in another form of the same figure (``1.50``, ``15E-1``). The document still decodes to
    a model equal to the one it was written from (ADR 0034's documents, for classes whose
    construction rules the schema-drawn payloads would mostly break).
    """
    hints = _hints(cls)
    fields = {field.name: field for field in _wire_fields(cls)}
    out: dict[str, Any] = {}
    for key, value in document.items():
        field = fields[key]
        droppable, absent = _encoded_default(field)
        if droppable and value == absent and draw(st.booleans()):
            continue
        inner, many = _classes_of(hints[key])
        base, _ = _strip_optional(hints[key])
        written = value
        if inner is not None and many and isinstance(value, list):
            written = [draw(perturbed(inner, item)) for item in value]
        elif inner is not None and isinstance(value, dict):
            written = draw(perturbed(inner, value))
        elif base is Decimal and value is not None:
            written = _reformed(value, draw(_DECIMAL_FORMS))
        out[key] = written
    extra = draw(st.dictionaries(UNKNOWN_KEYS, EXACT_JSON, max_size=2))
    return {**out, **extra}
