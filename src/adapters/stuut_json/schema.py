"""What both paths of the Stuut JSON codec know about the wire (private).

The entity classes are the schema: field names are the wire keys (CONTRIBUTING), so the codec
reads everything else from their attrs fields and type hints. This module holds the few rules
the classes cannot say themselves, once, for the reference path (cattrs) and the fast path
(msgspec) alike:

* **Integers are signed 64-bit** (ADR 0031): every integer field, minor units included, must
  lie in ``INT_MIN..INT_MAX``. Fields typed :data:`~stuut_domain.types.JSON` keep any number.
* **Numbers are figures** (issue 12): a JSON number whose exponent lies beyond what a
  :class:`~decimal.Decimal` can hold (``1e9999999999999999999999``) is refused where it
  stands, by both parsers; a ``Decimal`` field (``quantity``, ``currency_rate``) must hold a
  figure (:func:`check_figure`); an integer ``-0`` is the integer 0.
* **Documents are at most** :data:`NESTING_LIMIT` **levels deep** (:func:`nesting_problem`).
* **Whose currency an amount is in** (ADR 0009): an object with a ``currency`` field owns the
  currency of its amounts and of the amounts below it that have no currency of their own; a
  :class:`~stuut_domain.payment.PaymentAllocation` or a
  :class:`~stuut_domain.cash.entities.RemittanceLine` is in its embedded ``invoice``'s
  currency when present, else in the enclosing invoice's, payment's or remittance's; the
  applied parts of a :class:`~stuut_domain.owed.credit_note.CreditNote` are in its
  ``invoice_currency`` when it is set (ADR 0072, :data:`PARTS_CURRENCY`).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import types
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal
from itertools import chain, compress
from operator import not_
from typing import Any, Final, get_args, get_origin

import attrs
import msgspec

from stuut_domain.cash.entities import RemittanceLine
from stuut_domain.errors import InvalidRate, join_path
from stuut_domain.money import exact_rate
from stuut_domain.owed.credit_note import NOTE_PARTS, CreditNote
from stuut_domain.payment import PaymentAllocation
from stuut_domain.types import SOURCE_FIELDS, Sourced

__all__ = [
    "ALLOCATION_CLASS",
    "CURRENCY_FIELD",
    "INT_MAX",
    "INT_MIN",
    "INVOICE_CURRENCY_CLASSES",
    "NESTING_LIMIT",
    "PARTS_CURRENCY",
    "NumberOutOfRange",
    "WrittenNumber",
    "check_figure",
    "document_from_json",
    "document_keeper",
    "field_hints",
    "is_sourced",
    "json_type_name",
    "keep_documents",
    "nesting_problem",
    "out_of_range_numbers",
    "owns_currency",
    "shallow_text",
    "strip_optional",
    "wire_fields",
]

#: Smallest integer the wire carries (signed 64-bit, as the API's database stores them).
INT_MIN: Final = -(2**63)
#: Largest integer the wire carries.
INT_MAX: Final = 2**63 - 1

#: The field whose value is the currency of the object's amounts.
CURRENCY_FIELD: Final = "currency"


@functools.cache
def wire_fields(cls: type) -> tuple[attrs.Attribute[Any], ...]:
    """The attrs fields of ``cls`` that are wire keys: all but :class:`Sourced`'s two (ADR 0034)."""
    return tuple(field for field in attrs.fields(cls) if field.name not in SOURCE_FIELDS)


def is_sourced(cls: object) -> bool:
    """Whether instances of ``cls`` carry the document they were read from (ADR 0034)."""
    return isinstance(cls, type) and issubclass(cls, Sourced)


@functools.cache
def field_hints(cls: type) -> dict[str, Any]:
    """The resolved type of every wire field of ``cls`` (annotations are strings)."""
    hints = typing.get_type_hints(cls)
    return {field.name: hints[field.name] for field in wire_fields(cls)}


def owns_currency(cls: type) -> bool:
    """Whether ``cls`` has its own ``currency`` field (it then owns its amounts' currency)."""
    return CURRENCY_FIELD in attrs.fields_dict(cls)


#: The class whose ``amount`` follows the allocation rule of ADR 0009.
ALLOCATION_CLASS: Final[type] = PaymentAllocation

#: The classes whose amounts are in their embedded ``invoice``'s currency when it is there,
#: else in their owner's: a payment allocation and a remittance line (its short invoice).
INVOICE_CURRENCY_CLASSES: Final[frozenset[type]] = frozenset({PaymentAllocation, RemittanceLine})


#: Amounts whose currency another field of their object names (ADR 0072): class -> (that
#: field, the amounts). When the field is absent or ``null`` the amounts are in the object's
#: ``currency`` as every other amount is: an applied credit note in another currency than its
#: invoice keeps its parts in the invoice's currency, which ``invoice_currency`` names.
PARTS_CURRENCY: Final[dict[type, tuple[str, frozenset[str]]]] = {
    CreditNote: ("invoice_currency", frozenset(NOTE_PARTS)),
}


def strip_optional(tp: Any) -> tuple[Any, bool]:
    """``(X, True)`` for ``X | None``, ``(tp, False)`` for anything else."""
    if get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(get_args(tp)) == 2:
            return args[0], True
    return tp, False


_JSON_TYPE_NAMES: Final[dict[type, str]] = {
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a fractional number",
    Decimal: "a number",
    dict: "an object",
    list: "an array",
    tuple: "an array",
    type(None): "null",
    dt.datetime: "a datetime",
    dt.date: "a date",
}


def json_type_name(value: object) -> str:
    """How a value reads in JSON terms, for messages: ``"a string"``, ``"null"``, ..."""
    if isinstance(value, Decimal):
        return "a fractional number" if value != value.to_integral_value() else "a number"
    for kind, name in _JSON_TYPE_NAMES.items():
        if type(value) is kind:
            return name
    if isinstance(value, typing.Mapping):
        return "an object"
    return f"a {type(value).__name__}"


class WrittenNumber(Decimal):
    """A JSON number with a fraction or an exponent, exactly as written (ADR 0034).

    The reference parser reads such numbers as this ``Decimal`` so that decimal fields get
    the very digits sent, and keeps the ``text`` so that writing the document back gives the
    same JSON number: ``1.5e1`` is the Decimal 15 but must not come back as the integer ``15``.
    The codec's encoder writes ``text``; the model never holds one (fields get a ``Decimal``
    or a ``float``).
    """

    __slots__ = ("text",)
    text: str

    def __new__(cls, text: str) -> WrittenNumber:
        try:
            number = Decimal.__new__(cls, text)
        except ArithmeticError:  # decimal.InvalidOperation: the exponent is out of range
            raise NumberOutOfRange(text) from None
        number.text = text
        return number


class NumberOutOfRange(ValueError):
    """A JSON number whose exponent no :class:`~decimal.Decimal` holds (``1e-9999999999999999999``).

    Raised by the parsers' number hook, which msgspec reports as a ``ValidationError`` naming
    the number's path; both paths therefore refuse such a document the same way, at that path.
    """

    def __init__(self, text: str) -> None:
        shown = text if len(text) <= 40 else text[:37] + "..."
        super().__init__(f"number {shown} is beyond the range of a decimal")


class _OutOfRange:
    """Where a number beyond a decimal's range stands in a leniently parsed document."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _lenient_number(text: str) -> Any:
    try:
        return WrittenNumber(text)
    except NumberOutOfRange:
        return _OutOfRange(text)


_LENIENT: Final = msgspec.json.Decoder(float_hook=_lenient_number)


def out_of_range_numbers(data: bytes | str) -> tuple[Any, list[tuple[str, str]]]:
    """``data`` parsed leniently, and ``(path, message)`` for every number in the parsed
    document beyond a decimal's range (the first 100).

    For a text the parsers refused over such a number, which they cannot place: the problems
    name where each number stands. A number of a key written twice that a later value
    replaced is in no document (both paths keep the last value): none is found, and the
    document, which then holds only numbers in range, is the parse.
    """
    found: list[tuple[str, str]] = []
    try:
        document = _LENIENT.decode(data)
    except (msgspec.DecodeError, RecursionError):
        return None, [("$", "a number is beyond the range of a decimal")]
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while stack and len(found) < 100:
        node, path = stack.pop()
        if type(node) is _OutOfRange:
            found.append((join_path(path) or "$", str(NumberOutOfRange(node.text))))
        elif type(node) is dict:
            stack.extend((child, (*path, key)) for key, child in reversed(node.items()))
        elif type(node) is list:
            stack.extend((child, (*path, i)) for i, child in reversed(list(enumerate(node))))
    return document, found


#: How deep a document may nest: objects and arrays inside each other, the root being level 1.
#: Real Stuut documents nest about 10 levels (an invoice's payments' payment's allocations);
#: the limit leaves room for deep ``JSON`` fields and keeps every recursion of both paths (the
#: parser, cattrs, the writers) far from Python's recursion limit (issue 12).
NESTING_LIMIT: Final = 64


_LEAVES: Final = frozenset({str, int, float, bool, type(None), WrittenNumber})
_SEQUENCES: Final = frozenset({list, tuple})
_PLAIN: Final = frozenset({dict, list, tuple})
_DICT: Final = frozenset({dict})


def _containers(items: Any) -> list[Any]:
    """The objects and arrays among ``items``, filtered at C speed (no Python per item)."""
    items = items if type(items) is list else list(items)
    found = list(compress(items, map(not_, map(_LEAVES.__contains__, map(type, items)))))
    if not found or _PLAIN.issuperset(map(type, found)):
        return found
    return [item for item in found if type(item) in _PLAIN or isinstance(item, Mapping)]


def _children(nodes: list[Any]) -> list[Any]:
    """The containers one level below ``nodes`` (objects and arrays), gathered at C speed."""
    is_dict = list(map(_DICT.__contains__, map(type, nodes)))
    dicts = list(compress(nodes, is_dict))
    others = list(compress(nodes, map(not_, is_dict)))
    values = chain.from_iterable(map(dict.values, dicts))
    if not others:
        return _containers(values)
    if _SEQUENCES.issuperset(map(type, others)):
        return _containers(chain(values, chain.from_iterable(others)))
    inner = (node.values() if isinstance(node, Mapping) else node for node in others)
    return _containers(chain(values, chain.from_iterable(inner)))


_NOT_STRUCTURE: Final = bytes(sorted(set(range(256)) - set(b'"[]{}')))


def shallow_text(data: bytes | str, limit: int = NESTING_LIMIT) -> bool:
    """Whether JSON text (already parsed once, so valid) surely nests at most ``limit`` levels.

    A C-speed filter, so that a wide document need not be walked: escapes and everything but
    brackets and quotes are dropped, then strings, then innermost ``{}`` and ``[]`` pairs,
    pass after pass; one pass removes at most two levels, so text that is gone within
    ``limit // 2`` passes nests at most ``limit`` levels. ``False`` means "walk it".
    """
    raw = data if type(data) is bytes else str(data).encode("utf-8", "surrogatepass")
    text = raw.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_STRUCTURE)
    text = b"".join(text.split(b'"')[::2])
    for _ in range(limit // 2):
        if not text:
            return True
        shorter = text.replace(b"{}", b"").replace(b"[]", b"")
        if shorter == text:
            return False
        text = shorter
    return not text


def nesting_problem(value: Any, limit: int = NESTING_LIMIT) -> tuple[str, str] | None:
    """``(path, message)`` if parsed JSON ``value`` nests deeper than ``limit`` levels; else None.

    Walks level by level without recursion (a mapping given in code may even contain itself)
    and stops at the first level beyond the limit; the path names a container there. A wide
    document costs one C-speed pass per level.
    """
    level_nodes = _containers([value])
    level = 1
    while level_nodes:
        if level > limit:
            return (_path_to_depth(value, limit) or "$", f"nested deeper than {limit} levels")
        level_nodes = _children(level_nodes)
        level += 1
    return None


def _path_to_depth(value: Any, limit: int, budget: int = 100_000) -> str:
    """The path of a container beyond ``limit`` levels, found depth-first within ``budget``."""
    stack: list[tuple[Any, int, tuple[str | int, ...]]] = [(value, 1, ())]
    while stack and budget > 0:
        budget -= 1
        node, level, path = stack.pop()
        if level > limit:
            return join_path(path)
        pairs = node.items() if isinstance(node, Mapping) else enumerate(node)
        for key, child in pairs:
            kind = type(child)
            if kind in _SEQUENCES or (kind not in _LEAVES and isinstance(child, Mapping)):
                stack.append((child, level + 1, (*path, key)))
    return ""


#: Decimal text this short, without an exponent, is always a figure (see check_figure).
_SHORT_FIGURE: Final = 20


def check_figure(value: Decimal, text: bytes | None = None) -> Decimal:
    """``value`` if it is a figure a quantity or a rate can have; else ``ValueError``.

    A figure is zero or, by its magnitude, a rate :func:`stuut_domain.money.exact_rate`
    accepts: within 10^±30, at most 50 significant digits (``1e10000000`` is no figure, and
    arithmetic on it alone would take seconds). The sign is not judged here: a negative or
    zero rate is a business rule, checked where the rate is used (ADR 0007). ``text``, the
    number as written, lets short plain texts skip the check (they are always figures).
    """
    if text is not None and len(text) <= _SHORT_FIGURE and b"e" not in text and b"E" not in text:
        return value
    if value:
        try:
            exact_rate(value.copy_abs())
        except InvalidRate as error:
            raise ValueError(f"no figure is {_shown(value)}: {error.reason}") from None
    return value


def _shown(value: Decimal) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


_DOCUMENT: Final = msgspec.json.Decoder(float_hook=WrittenNumber)


def document_from_json(data: bytes | str) -> Any:
    """A kept document as plain values, every number as written (how frames are pickled).

    A fast-path frame's class is generated at run time and cannot be found by another
    process, so a frame pickles as its JSON text and unpickles as the reference path's form
    of the same document (ADR 0034).
    """
    try:
        return _DOCUMENT.decode(data)
    except msgspec.ValidationError:  # a number beyond a decimal's range (NumberOutOfRange)
        document, found = out_of_range_numbers(data)
        if found:
            raise
        return document


@functools.cache
def document_keeper(cls: type) -> Callable[[Any, Mapping[str, Any], bool], None]:
    """How a decoded ``cls`` keeps its document: a copy of the mapping, as written (ADR 0034).

    The copy holds every key the document had (unknown ones too, with their values, numbers
    exactly as written) and no key it lacked. Datetimes are replaced by the decoded instant
    and nested objects by their own kept documents, so that writing the copy gives exactly
    what the fast path's frame gives (datetimes in the canonical text of ADR 0008).

    ``parsed=True`` says the mapping was parsed from JSON text by the codec itself: it is
    then kept as is (not copied) and its unknown keys need no check.
    """
    hints = field_hints(cls)
    instants = [n for n, tp in hints.items() if strip_optional(tp)[0] is dt.datetime]
    children = [n for n, tp in hints.items() if is_sourced(strip_optional(tp)[0])]
    lists = [
        n
        for n, tp in hints.items()
        if get_origin(strip_optional(tp)[0]) is tuple
        and is_sourced(get_args(strip_optional(tp)[0])[0])
    ]
    known = frozenset(hints)

    def keep(entity: Any, value: Mapping[str, Any], parsed: bool) -> None:
        document = value if parsed and type(value) is dict else dict(value)
        if not parsed:
            for key in document.keys() - known:
                _plain_exact(document[key], key)
        get = document.get
        for key in instants:
            if get(key) is not None:
                document[key] = getattr(entity, key)
        for key in children:
            child = getattr(entity, key)
            if child is not None:
                document[key] = child._wire
        for key in lists:
            if key in document:
                document[key] = [item._wire for item in getattr(entity, key)]
        object.__setattr__(entity, "_source", document)
        object.__setattr__(entity, "_wire", document)

    return keep


def _plain_exact(value: Any, key: str) -> None:
    """Refuse an unknown key's value that is not JSON (only a mapping given in code can be)."""
    kind = type(value)
    if value is None or kind in (str, int, bool, float, Decimal, WrittenNumber):
        if kind is float and not math.isfinite(value):
            raise ValueError(f"unknown key {key!r}: number out of range")
        return
    if kind is list or kind is tuple:
        for item in value:
            _plain_exact(item, key)
        return
    if isinstance(value, Mapping):
        for name, item in value.items():
            if type(name) is not str:
                raise TypeError(f"unknown key {key!r}: object keys must be strings, got {name!r}")
            _plain_exact(item, key)
        return
    raise TypeError(f"unknown key {key!r}: not a JSON value: {json_type_name(value)}")


def keep_documents(entity: Any, document: Any) -> None:
    """Give ``entity`` and every value nested in it its part of ``document`` (parsed JSON).

    For a document the fast path decoded from frames that skip unknown keys: the kept
    documents are then exactly the reference path's (see :func:`document_keeper`).
    """
    cls: type = type(entity)
    for name, many in _sourced_children(cls):
        value = getattr(entity, name)
        if many:
            if not value:
                continue  # an absent or empty list: nothing below to keep
            for item, part in zip(value, document[name], strict=True):
                keep_documents(item, part)
        elif value is not None:
            keep_documents(value, document[name])
    document_keeper(cls)(entity, document, True)


@functools.cache
def _sourced_children(cls: type) -> tuple[tuple[str, bool], ...]:
    found = []
    for name, tp in field_hints(cls).items():
        base = strip_optional(tp)[0]
        if is_sourced(base):
            found.append((name, False))
        elif get_origin(base) is tuple and is_sourced(get_args(base)[0]):
            found.append((name, True))
    return tuple(found)
