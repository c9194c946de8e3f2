"""The reference path of the Stuut JSON codec: cattrs, and every problem with its JSON path.

This path is the specification of what the codec accepts (ADR 0005). It is used for mapping
input, for ``forbid_unknown_keys`` and strict decoding, and to explain every failure of the
fast path with a :class:`~adapters.stuut_json.DecodeError`. Converters are built by
:func:`make_converter` and :func:`configure_converter`; the global cattrs converter is never
touched.

Leaf rules (the fast path enforces the same ones, a property test proves it):

* strings, booleans and integers must have that JSON type exactly (``1`` is not ``true``,
  ``"1"`` is not ``1``, ``1.0`` is not ``1``); integers are signed 64-bit (ADR 0031);
* ``float`` fields take any finite JSON number; :class:`~decimal.Decimal` fields take a JSON
  number, exactly as written;
* datetimes are RFC 3339 text with an offset; naive ones are refused (ADR 0008);
* amounts are integers of minor units in the currency of their owner (ADR 0009);
* arrays must be JSON arrays; objects must be JSON objects; unknown keys are kept in the
  entity's document (ADR 0034) unless the converter forbids them;
* fields typed ``JSON`` take any JSON value, kept as decoded (numbers as int or float).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from decimal import Decimal
from typing import Any, Final, TypeVar, get_args, get_origin

import attrs
import cattrs
import msgspec
from cattrs.cols import homogenous_tuple_structure_factory
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, override

from adapters.errors import Problem
from adapters.stuut_json.schema import (
    CURRENCY_FIELD,
    INT_MAX,
    INT_MIN,
    INVOICE_CURRENCY_CLASSES,
    NESTING_LIMIT,
    PARTS_CURRENCY,
    WrittenNumber,
    check_figure,
    document_keeper,
    is_sourced,
    json_type_name,
    nesting_problem,
    out_of_range_numbers,
    owns_currency,
    shallow_text,
)
from stuut_domain.errors import OwedRefused, UnknownCurrency, join_path
from stuut_domain.money import CURRENCY_CODES, Money

__all__ = [
    "ReferenceProblems",
    "configure_converter",
    "make_converter",
    "parse",
    "structure",
]

T = TypeVar("T")

_CODES: Final = frozenset(CURRENCY_CODES)

#: Parses JSON text for the reference path: numbers with a fraction or an exponent stay exact
#: (a ``Decimal`` that keeps its text) so that Decimal fields read the very digits that were
#: sent and a kept document writes each number back as it was written (ADR 0034).
_PARSER: Final = msgspec.json.Decoder(float_hook=WrittenNumber)


class _Reported:
    """Marker: the owner's currency is broken and reported at its own path."""


_REPORTED: Final = _Reported()

#: The currency of amounts at the current depth of structuring (ADR 0009); ``None`` = none.
_CURRENCY: ContextVar[str | _Reported | None] = ContextVar("stuut_json_currency", default=None)
#: The currency of the amounts another field names (schema.PARTS_CURRENCY, ADR 0072).
_PARTS: ContextVar[str | _Reported | None] = ContextVar("stuut_json_parts", default=None)


#: A DecodeError lists at most this many problems, then says how many more there are.
PROBLEM_LIMIT: Final = 100


class _MoreProblems(Exception):
    """Past the problem limit (issue 12): ``count`` more items of an array are surely wrong
    (not even an object), ``unchecked`` more were not structured."""

    def __init__(self, count: int, unchecked: int = 0) -> None:
        self.count = count
        self.unchecked = unchecked
        super().__init__(f"and {count} more problems")


def _rest(items: Sequence[Any], needs_object: bool) -> _MoreProblems:
    """The items after the problem limit, counted by type (C-speed), not structured."""
    if not needs_object:
        return _MoreProblems(0, len(items))
    kinds = Counter(map(type, items))
    objects = sum(n for kind, n in kinds.items() if issubclass(kind, Mapping))
    return _MoreProblems(len(items) - objects, objects)


class _Suppressed(Exception):
    """An amount whose owner's currency is already reported: no second problem for it."""


class ReferenceProblems(Exception):
    """Structuring failed; ``problems`` lists every :class:`~adapters.errors.Problem` in order.

    Built from ``(path, message, value)`` triples, the form the cattrs error walk yields.
    """

    def __init__(self, problems: Sequence[tuple[str, str, Any]]) -> None:
        self.problems = tuple(_problem(p, m, v) for p, m, v in problems)
        super().__init__(f"{len(self.problems)} problem(s)")


class _Refusal(str):
    """The message of a construction rule's refusal, with its code, field and values."""

    code: str
    field: str
    values: tuple[tuple[str, Any], ...]


def _refusal(error: OwedRefused) -> _Refusal:
    message = _Refusal(str(error))
    message.code = error.code
    message.field = error.path
    message.values = tuple(error.values.items())
    return message


def _problem(path: str, message: str, value: Any) -> Problem:
    if type(message) is _Refusal:
        return Problem(
            path=path,
            message=str.__str__(message),
            value=value,
            code=message.code,
            field=message.field,
            values=message.values,
        )
    return Problem(path=path, message=message, value=value)


def make_converter(*, forbid_unknown_keys: bool = False) -> cattrs.Converter:
    """A new cattrs converter for Stuut JSON (never the global one), configured for the wire."""
    converter = cattrs.Converter(detailed_validation=True, forbid_extra_keys=forbid_unknown_keys)
    configure_converter(converter)
    return converter


def configure_converter(converter: cattrs.Converter) -> None:
    """Register the wire's leaf rules and the entity-class hooks on ``converter``."""
    converter.register_structure_hook(str, _str)
    converter.register_structure_hook(bool, _bool)
    converter.register_structure_hook(int, _int)
    converter.register_structure_hook(float, _float)
    converter.register_structure_hook(Decimal, _decimal)
    converter.register_structure_hook(dt.datetime, _datetime)
    converter.register_structure_hook(dt.date, _date)
    converter.register_structure_hook(Money, _money)
    converter.register_structure_hook_func(lambda tp: tp is Any, _json)
    converter.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_factory)
    converter.register_structure_hook_factory(_is_attrs, _class_factory)


# -- parsing and error collection ----------------------------------------------------------


def parse(data: bytes | str) -> Any:
    """JSON text to plain values (fractional numbers as exact ``Decimal``).

    Raises :class:`ReferenceProblems` with one problem for text that is not JSON: at ``$``,
    or at the number's path for a number beyond a decimal's range (``1e9999999999999999999``;
    one that a later value of the same key replaced is in no document and ignored, as the
    fast path ignores it).
    A document nested deeper than ``NESTING_LIMIT`` levels is refused too, at the path
    where it crosses the limit (a wide document is judged from its text at C speed).
    """
    try:
        value = _PARSER.decode(data)
    except msgspec.ValidationError:  # raised by the number hook
        value, found = out_of_range_numbers(data)
        if found:
            raise ReferenceProblems([(path, message, None) for path, message in found]) from None
    except (msgspec.DecodeError, UnicodeError) as exc:
        # UnicodeEncodeError: text holding a lone surrogate, which no UTF-8 JSON can carry
        raise ReferenceProblems([("$", f"not valid JSON: {exc}", _excerpt(data, exc))]) from None
    except RecursionError:
        message = f"nested deeper than {NESTING_LIMIT} levels (too deep to parse)"
        raise ReferenceProblems([("$", message, None)]) from None
    if not shallow_text(data):
        _refuse_deep(value)
    return value


def _refuse_deep(value: Any) -> None:
    deep = nesting_problem(value)
    if deep is not None:
        raise ReferenceProblems([(deep[0], deep[1], None)])


def structure(converter: cattrs.Converter, value: Any, tp: Any, *, parsed: bool = False) -> Any:
    """``value`` structured as ``tp``; :class:`ReferenceProblems` listing every problem.

    A value nested deeper than ``NESTING_LIMIT`` levels is refused first, at the path where
    it crosses the limit: nothing below it is read. ``parsed=True`` says :func:`parse` gave
    ``value`` (it has judged the nesting already).
    """
    if not parsed:
        _refuse_deep(value)
    token = _CURRENCY.set(None)
    try:
        return converter.structure(value, tp)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a listed problem
        problems = list(_problems(exc, value))
        if not problems:
            problems = [("$", f"{type(exc).__name__}: {exc}", value)]
        raise ReferenceProblems(problems) from None
    finally:
        _CURRENCY.reset(token)


def _excerpt(data: bytes | str, exc: Exception) -> str:
    text = data if isinstance(data, str) else data.decode("utf-8", "replace")
    marker = "(byte "
    message = str(exc)
    if marker in message:
        position = int(message.split(marker, 1)[1].split(")", 1)[0])
        return text[max(0, position - 20) : position + 20]
    return text[-40:]


def _problems(exc: BaseException, root: Any) -> Iterator[tuple[str, str, Any]]:
    """Every problem of ``exc``, at most ``PROBLEM_LIMIT``, then ``and N more problems``."""
    more = unchecked = kept = 0
    for path, message, value in _walk(exc, [], root):
        if isinstance(message, _MoreProblems):
            more += message.count
            unchecked += message.unchecked
        elif kept < PROBLEM_LIMIT:
            kept += 1
            yield (path, message, value)
        else:
            more += 1
    if more or unchecked:
        text = f"and {more} more problems"
        if unchecked:
            text += f"; {unchecked} more items not checked (stopped after {PROBLEM_LIMIT})"
        yield ("$", text, None)


def _note_parts(exc: BaseException) -> list[str | int]:
    for note in getattr(exc, "__notes__", ()):
        if isinstance(note, AttributeValidationNote):
            return [note.name]
        if isinstance(note, IterableValidationNote):
            return [int(note.index)]
    return []


def _lookup(root: Any, path: Sequence[str | int]) -> Any:
    value = root
    for part in path:
        found = (
            isinstance(part, int) and isinstance(value, list | tuple) and part < len(value)
        ) or (isinstance(part, str) and isinstance(value, Mapping) and part in value)
        if not found:
            return None
        value = value[part]
    return value


def _walk(exc: BaseException, path: list[str | int], root: Any) -> Iterator[tuple[str, Any, Any]]:
    if isinstance(exc, _Suppressed):
        return
    if isinstance(exc, _MoreProblems):
        yield (_render(path), exc, None)
        return
    if isinstance(exc, ForbiddenExtraKeysError):
        for key in sorted(exc.extra_fields):
            where = [*path, key]
            yield (_render(where), "unknown key (forbid_unknown_keys)", _lookup(root, where))
        return
    if isinstance(exc, BaseValidationError):
        for sub in exc.exceptions:
            yield from _walk(sub, path + _note_parts(sub), root)
        return
    if isinstance(exc, KeyError):
        yield (_render(path), "required key is missing", None)
        return
    if isinstance(exc, OwedRefused):
        yield (_render(path), _refusal(exc), _lookup(root, path))
        return
    yield (_render(path), str(exc) or type(exc).__name__, _lookup(root, path))


def _render(path: Sequence[str | int]) -> str:
    return join_path(path) or "$"


# -- leaf hooks ----------------------------------------------------------------------------


def _str(value: Any, _: Any) -> str:
    if type(value) is str:
        return value
    raise TypeError(f"expected a string, got {json_type_name(value)}")


def _bool(value: Any, _: Any) -> bool:
    if type(value) is bool:
        return value
    raise TypeError(f"expected true or false, got {json_type_name(value)}")


def _int(value: Any, _: Any) -> int:
    if type(value) is not int:
        if isinstance(value, Decimal | float):
            raise TypeError(
                f"expected an integer, got {value} (a number with a fraction or exponent)"
            )
        raise TypeError(f"expected an integer, got {json_type_name(value)}")
    if not INT_MIN <= value <= INT_MAX:
        raise ValueError("integer out of range: the wire carries signed 64-bit integers")
    return value


def _float(value: Any, _: Any) -> float:
    if type(value) is bool or not isinstance(value, int | float | Decimal):
        raise TypeError(f"expected a number, got {json_type_name(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError("number out of range for a float")
    return number


def _decimal(value: Any, _: Any) -> Decimal:
    if type(value) is int:
        return Decimal(value)
    if type(value) is float and math.isfinite(value):
        return Decimal(repr(value))
    if isinstance(value, Decimal) and value.is_finite():
        return check_figure(value if type(value) is Decimal else Decimal(value))
    raise TypeError(f"expected a number, got {json_type_name(value)}")


def _datetime(value: Any, _: Any) -> dt.datetime:
    if type(value) is not str:
        raise TypeError(f"expected an RFC 3339 datetime string, got {json_type_name(value)}")
    try:
        parsed: dt.datetime = msgspec.convert(value, dt.datetime)
    except msgspec.ValidationError:
        raise ValueError("not an RFC 3339 datetime (e.g. 2024-07-01T09:00:00Z)") from None
    if parsed.tzinfo is None:
        raise ValueError("naive datetime: an offset is required (Z or +02:00)")
    return parsed


def _date(value: Any, _: Any) -> dt.date:
    if type(value) is not str:
        raise TypeError(f"expected an RFC 3339 date string, got {json_type_name(value)}")
    try:
        parsed: dt.date = msgspec.convert(value, dt.date)
    except msgspec.ValidationError:
        raise ValueError("not an RFC 3339 date (e.g. 2024-07-01)") from None
    return parsed


def _money(value: Any, _: Any) -> Money | int:
    units = _int(value, int)
    code = _CURRENCY.get()
    if isinstance(code, _Reported):
        raise _Suppressed
    if code is None:
        raise ValueError(
            "an amount needs a currency: its owner's `currency` is missing or null "
            "(an allocation without an embedded `invoice` takes its invoice's or payment's)"
        )
    return Money(units, code)


def _part_money(value: Any, _: Any) -> Money | None:
    """An amount of the parts another field names the currency of (ADR 0072)."""
    if value is None:
        return None
    units = _int(value, int)
    code = _PARTS.get()
    if isinstance(code, _Reported):
        raise _Suppressed
    if code is None:
        raise ValueError(
            "an amount needs a currency: the object's `invoice_currency` and `currency` are "
            "missing or null"
        )
    return Money(units, code)


def _json(value: Any, _: Any) -> Any:
    return _plain(value)


def _plain(value: Any) -> Any:
    kind = type(value)
    if value is None or kind is str or kind is int or kind is bool:
        return value
    if kind is float or kind is Decimal or kind is WrittenNumber:
        return _float(value, float)
    if kind is list or kind is tuple:
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if type(key) is not str:
                raise TypeError(f"object keys must be strings, got {key!r}")
            out[key] = _plain(item)
        return out
    raise TypeError(f"not a JSON value: {json_type_name(value)}")


def _currency_required(value: Any, _: Any) -> str:
    code = _str(value, str)
    if code not in _CODES:
        raise UnknownCurrency(code)
    return code


def _currency_optional(value: Any, _: Any) -> str | None:
    return None if value is None else _currency_required(value, str)


# -- composite hooks -----------------------------------------------------------------------


def _is_homogeneous_tuple(tp: Any) -> bool:
    args = get_args(tp)
    return get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis


def _tuple_factory(tp: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """Arrays: every item structured; at most ``PROBLEM_LIMIT`` failures kept, the rest counted.

    An array of 300,000 bad items must not build 300,000 exception chains (issue 12). Past
    the limit nothing more is structured: an item that is not even an object of the class is
    counted as a problem, the others as items not checked.
    """
    base = homogenous_tuple_structure_factory(tp, converter)
    if not converter.detailed_validation:

        def structure_plain(value: Any, _: Any) -> Any:
            if not isinstance(value, list | tuple):
                raise TypeError(f"expected an array, got {json_type_name(value)}")
            return base(value, tp)

        return structure_plain
    item_type = get_args(tp)[0]
    try:
        handler = converter.get_structure_hook(item_type)
    except RecursionError:  # a recursive class: bind late
        handler = converter.structure
    needs_object = _is_attrs(item_type)

    def structure_tuple(value: Any, _: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise TypeError(f"expected an array, got {json_type_name(value)}")
        errors: list[Exception] = []
        out = []
        for index, item in enumerate(value):
            try:
                out.append(handler(item, item_type))
            except Exception as exc:  # noqa: BLE001 - collected, as cattrs does
                note = IterableValidationNote(f"Structuring {tp} @ index {index}", index, item_type)
                exc.__notes__ = [*getattr(exc, "__notes__", []), note]
                errors.append(exc)
                if len(errors) >= PROBLEM_LIMIT:
                    errors.append(_rest(value[index + 1 :], needs_object))
                    break
        if errors:
            raise IterableValidationError(f"While structuring {tp!r}", errors, tp)
        return tuple(out)

    return structure_tuple


def _is_attrs(tp: Any) -> bool:
    return attrs.has(get_origin(tp) or tp)


def _currency_context(cls: type) -> Callable[[Mapping[str, Any]], str | _Reported | None] | None:
    """How an object of ``cls`` sets the currency of the amounts at and below it (ADR 0009)."""
    if owns_currency(cls):
        required = attrs.fields_dict(cls)[CURRENCY_FIELD].default is attrs.NOTHING

        def own(mapping: Mapping[str, Any]) -> str | _Reported | None:
            code = mapping.get(CURRENCY_FIELD)
            if code is None:
                return _REPORTED if required else None
            return code if type(code) is str and code in _CODES else _REPORTED

        return own
    if cls in INVOICE_CURRENCY_CLASSES:

        def allocation(mapping: Mapping[str, Any]) -> str | _Reported | None:
            invoice = mapping.get("invoice")
            if invoice is None:
                return _CURRENCY.get()
            code = invoice.get(CURRENCY_FIELD) if isinstance(invoice, Mapping) else None
            return code if type(code) is str and code in _CODES else _REPORTED

        return allocation
    return None


def _parts_of(
    own: Callable[[Mapping[str, Any]], str | _Reported | None], field: str
) -> Callable[[Mapping[str, Any]], str | _Reported | None]:
    """The currency of the parts ``field`` names (ADR 0072): that field's, else the object's."""

    def parts(mapping: Mapping[str, Any]) -> str | _Reported | None:
        named = mapping.get(field)
        if named is None:
            return own(mapping)
        return named if type(named) is str and named in _CODES else _REPORTED

    return parts


def _class_factory(tp: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    cls = get_origin(tp) or tp
    overrides = {}
    if owns_currency(cls):
        required = attrs.fields_dict(cls)[CURRENCY_FIELD].default is attrs.NOTHING
        hook = _currency_required if required else _currency_optional
        overrides[CURRENCY_FIELD] = override(struct_hook=hook)
    parts = PARTS_CURRENCY.get(cls)
    if parts is not None:
        overrides[parts[0]] = override(struct_hook=_currency_optional)
        for part in parts[1]:
            overrides[part] = override(struct_hook=_part_money)
    sourced = is_sourced(cls)
    if sourced:
        overrides["_source"] = override(omit=True)
    base = make_dict_structure_fn(tp, converter, **overrides)  # type: ignore[arg-type]
    context = _currency_context(cls)
    parts_of = None if parts is None or context is None else _parts_of(context, parts[0])
    name = cls.__name__
    keep = document_keeper(cls) if sourced else None

    def structure_object(value: Any, _: Any) -> Any:
        if not isinstance(value, Mapping):
            raise TypeError(f"expected an object ({name}), got {json_type_name(value)}")
        if context is None:
            entity = base(value, tp)
        else:
            token = _CURRENCY.set(context(value))
            parts_token = None if parts_of is None else _PARTS.set(parts_of(value))
            try:
                entity = base(value, tp)
            finally:
                if parts_token is not None:
                    _PARTS.reset(parts_token)
                _CURRENCY.reset(token)
        if keep is not None:
            keep(entity, value, False)
        return entity

    return structure_object
