"""The fast path of the Stuut JSON codec: msgspec decodes and encodes in C (private).

Decoding (ADR 0005, ADR 0030): msgspec builds the entity attrs classes directly (running their
validators) for every class whose fields need nothing msgspec cannot check itself. A class
that holds an amount, a 64-bit integer, an exact decimal, or such a class below it, is decoded
into a *wire twin* instead: a ``msgspec.Struct`` generated from the attrs class (so it cannot
drift) with ``int`` for amounts, bounded ``int`` for integers and ``msgspec.Raw`` for
decimals; a converter generated for the twin then builds the entity in Python, attaching
each amount's currency by the rules of ADR 0009.

The fast path only has to *succeed or fail*: any exception makes the codec run the reference
path (cattrs), which accepts the same input or explains every problem. A property test
proves both paths agree.

Encoding: msgspec writes the attrs instances directly; the only hook turns :class:`Money`
into its integer of minor units. Decimals are written as JSON numbers; datetimes as RFC 3339
with ``Z`` for UTC (ADR 0008).
"""

from __future__ import annotations

import datetime as dt
import itertools
import sys
import threading
import types
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Final, Literal, get_args, get_origin

import attrs
import msgspec

from adapters._stuut_json_schema import (
    CURRENCY_FIELD,
    INT_MAX,
    INT_MIN,
    allocation_class,
    field_hints,
    owns_currency,
    strip_optional,
)
from stuut_domain._validators import aware, currency_code, own_currency
from stuut_domain.money import CURRENCY_CODES, Money, currency

__all__ = ["FastPath", "make_encoder", "to_builtins"]

_BoundedInt = Annotated[int, msgspec.Meta(ge=INT_MIN, le=INT_MAX)]
_AwareDatetime = Annotated[dt.datetime, msgspec.Meta(tz=True)]
_CurrencyCode = Literal[CURRENCY_CODES]  # type: ignore[valid-type]
_NUMBER_START: Final = frozenset(b"-0123456789")
_names = itertools.count()


def _decimal(raw: msgspec.Raw | None) -> Decimal | None:
    """A ``Decimal`` field from its raw JSON text: a number exactly as written, or null."""
    if raw is None:
        return None
    text = bytes(raw)
    if text == b"null":
        return None
    if text[0] not in _NUMBER_START:
        raise TypeError("expected a JSON number")
    return Decimal(text.decode())


def _decimal_required(raw: msgspec.Raw) -> Decimal:
    """A required ``Decimal`` field: null is refused."""
    value = _decimal(raw)
    if value is None:
        raise TypeError("expected a JSON number, got null")
    return value


def _check_utf8(data: bytes | str) -> None:
    """Refuse bytes that are not UTF-8 (RFC 8259), as the reference parser does.

    msgspec skips unknown keys without reading them, so invalid bytes there would pass.
    ``isascii`` is a fast scan; only non-ASCII input pays for a full check.
    """
    if type(data) is bytes and not data.isascii():
        data.decode()


def _is_tuple(tp: Any) -> bool:
    args = get_args(tp)
    return get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis


class FastPath:
    """Decoders for every class asked for, built on first use and kept.

    Twins reference each other by name (a payment embeds allocations that embed payments),
    so they live in a private module namespace that msgspec resolves when a decoder is built.
    """

    def __init__(self, page_class: type) -> None:
        self._page_class = page_class
        self._lock = threading.Lock()
        self._needs: dict[type, bool] = {}
        self._twins: dict[type, type] = {}
        self._converters: dict[type, Callable[[Any, Any], Any]] = {}
        self._decoders: dict[tuple[str, type], msgspec.json.Decoder[Any]] = {}
        self._module = types.ModuleType(f"{__name__}_twins_{next(_names)}")
        sys.modules[self._module.__name__] = self._module
        self._aliases: dict[int, str] = {}
        self._slot_money = _slot_money()
        self._code_namespace: dict[str, Any] = {
            "_Money": Money,
            "_decimal": _decimal,
            "_decimal_required": _decimal_required,
            "_new": object.__new__,
            "_NoCurrency": _NoCurrency,
            "_CURRENCIES": {code: currency(code) for code in CURRENCY_CODES},
            "_money_units": Money.__dict__["minor_units"].__set__,
            "_money_currency": Money.__dict__["currency"].__set__,
        }

    # -- public, per entity class ----------------------------------------------------------

    def decode(self, cls: type, data: bytes | str) -> Any:
        """``data`` decoded as one ``cls``; raises on anything the reference path would refuse."""
        _check_utf8(data)
        decoder = self._decoders.get(("one", cls)) or self._decoder("one", cls)
        wire = decoder.decode(data)
        convert = self._converters.get(cls)
        return wire if convert is None else convert(wire, None)

    def decode_many(self, cls: type, data: bytes | str) -> list[Any]:
        """A bare JSON array of ``cls`` or a v1 list envelope, as a list."""
        _check_utf8(data)
        decoder = self._decoders.get(("many", cls)) or self._decoder("many", cls)
        wire = decoder.decode(data)
        items = wire if type(wire) is list else wire.data
        convert = self._converters.get(cls)
        return list(items) if convert is None else [convert(item, None) for item in items]

    def decode_page(self, cls: type, data: bytes | str) -> Any:
        """A v1 list envelope of ``cls`` as a ``Page``."""
        _check_utf8(data)
        decoder = self._decoders.get(("page", cls)) or self._decoder("page", cls)
        wire = decoder.decode(data)
        convert = self._converters.get(cls)
        items = (
            tuple(wire.data) if convert is None else tuple([convert(x, None) for x in wire.data])
        )
        return self._page_class(
            data=items,
            current_page=wire.current_page,
            total_records=wire.total_records,
            next_page=wire.next_page,
        )

    # -- building ----------------------------------------------------------------------------

    def _decoder(self, kind: str, cls: type) -> msgspec.json.Decoder[Any]:
        with self._lock:  # one thread builds; the others wait, then find it built
            existing = self._decoders.get((kind, cls))
            return existing if existing is not None else self._build_decoder(kind, cls)

    def _build_decoder(self, kind: str, cls: type) -> msgspec.json.Decoder[Any]:
        self._analyse(cls)
        item = self._twins.get(cls, cls)
        if kind == "one":
            tp: Any = item
        else:
            page = msgspec.defstruct(
                f"Page_{cls.__name__}_Wire",
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
        decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(tp)
        self._decoders[(kind, cls)] = decoder
        return decoder

    def _analyse(self, root: type) -> None:
        """Decide which classes reachable from ``root`` need a twin, then build those twins.

        A class needs one when it has an amount, integer or decimal field, or reaches a class
        that does (cycles included: the decision is a reachability question).
        """
        if root in self._needs:
            return
        edges: dict[type, set[type]] = {}
        direct: dict[type, bool] = {}
        stack = [root]
        while stack:
            cls = stack.pop()
            if cls in edges or cls in self._needs:
                continue
            edges[cls] = set()
            direct[cls] = False
            for tp in field_hints(cls).values():
                for leaf in _leaves(tp):
                    if leaf is Money or leaf is int or leaf is Decimal:
                        direct[cls] = True
                    elif attrs.has(leaf):
                        edges[cls].add(leaf)
                        stack.append(leaf)
        for cls in edges:
            seen, todo, needs = set(), [cls], False
            while todo and not needs:
                current = todo.pop()
                if current in seen:
                    continue
                seen.add(current)
                needs = self._needs.get(current, False) or direct.get(current, False)
                todo.extend(edges.get(current, ()))
            self._needs[cls] = needs
        new = [cls for cls in edges if self._needs[cls]]
        for cls in new:
            self._twins[cls] = self._define_twin(cls)
        for cls in new:
            self._converters[cls] = self._build_converter(cls)

    def _alias(self, obj: Any) -> str:
        """A name in the twin module for a type object (so string annotations can use it)."""
        name = self._aliases.get(id(obj))
        if name is None:
            name = f"_t{len(self._aliases)}"
            self._aliases[id(obj)] = name
            setattr(self._module, name, obj)
        return name

    def _twin_name(self, cls: type) -> str:
        return f"{cls.__name__}Wire_{id(cls):x}"

    def _annotation(self, tp: Any, validator: Any = None) -> str:
        """The twin's annotation for a field type, as text resolved in the twin module.

        Datetimes must carry an offset and currency codes must be known, checked by msgspec
        in C: the same rules as the entity's ``aware`` and ``currency_code`` validators.
        """
        base, optional = strip_optional(tp)
        if base is Money or base is int:
            text = self._alias(_BoundedInt)
        elif base is Decimal:
            return self._alias(msgspec.Raw)
        elif base is dt.datetime:
            text = self._alias(_AwareDatetime)
        elif validator is currency_code:
            text = self._alias(_CurrencyCode)
        elif _is_tuple(base):
            text = f"tuple[{self._annotation(get_args(base)[0])}, ...]"
        elif attrs.has(base) and self._needs.get(base, False):
            text = self._twin_name(base)
        else:
            text = self._alias(base)
        return f"{text} | None" if optional else text

    def _define_twin(self, cls: type) -> type:
        fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
        for field in attrs.fields(cls):
            annotation = self._annotation(field_hints(cls)[field.name], field.validator)
            if field.default is attrs.NOTHING:
                fields.append((field.name, annotation))
            else:
                fields.append((field.name, annotation, field.default))
        name = self._twin_name(cls)
        twin = msgspec.defstruct(name, fields, kw_only=True, gc=False, module=self._module.__name__)
        setattr(self._module, name, twin)
        return twin

    def _build_converter(self, cls: type) -> Callable[[Any, Any], Any]:
        """Generate ``convert(wire, code) -> entity`` for one twin class.

        ``code`` is the enclosing object's currency code, used only by allocations without an
        embedded invoice (ADR 0009); objects with a ``currency`` field use their own.

        When every validator of ``cls`` is one the twin's types already prove (``aware``,
        ``currency_code``, and an amount in the currency this converter attaches), the entity
        is built field by field through its slots, without re-running them (ADR 0030);
        otherwise through ``cls(...)``, which runs them.
        """
        namespace = self._code_namespace
        twin = self._twin_name(cls)
        namespace[f"_E_{twin}"] = cls
        function = f"_convert_{twin}"
        lines = [f"def {function}(w, ctx):"]
        if owns_currency(cls):
            lines.append(f"    code = w.{CURRENCY_FIELD}")
        elif cls is allocation_class():
            lines.append("    code = ctx if w.invoice is None else w.invoice.currency")
        else:
            lines.append("    code = ctx")
        has_money = any(strip_optional(tp)[0] is Money for tp in field_hints(cls).values())
        if _validators_proven(cls) and self._slot_money:
            if has_money:
                lines.append("    cur = _CURRENCIES.get(code)")
            lines.append(f"    o = _new(_E_{twin})")
            for field in attrs.fields(cls):
                setter = f"_S_{twin}_{field.name}"
                namespace[setter] = cls.__dict__[field.name].__set__
                lines.extend(self._field_statements(field.name, field_hints(cls)[field.name]))
                lines.append(f"    {setter}(o, v)")
            lines.append("    return o")
        else:
            lines.append(f"    return _E_{twin}(")
            for field in attrs.fields(cls):
                expr = self._field_expression(field.name, field_hints(cls)[field.name])
                lines.append(f"        {field.name}={expr},")
            lines.append("    )")
        filename = f"<stuut_json converter {cls.__name__}>"
        code = compile("\n".join(lines), filename, "exec")
        exec(code, namespace)  # noqa: S102 - generated from the attrs fields, no input involved
        converter: Callable[[Any, Any], Any] = namespace[function]
        return converter

    def _field_statements(self, name: str, tp: Any) -> list[str]:
        """Statements leaving the entity's value of field ``name`` in ``v`` (slot building)."""
        base, optional = strip_optional(tp)
        if base is Money:
            money = [
                "        if cur is None:",
                "            raise _NoCurrency",
                "        m = _new(_Money)",
                "        _money_units(m, v)",
                "        _money_currency(m, cur)",
                "        v = m",
            ]
            if optional:
                return [f"    v = w.{name}", "    if v is not None:", *money]
            return [f"    v = w.{name}", "    if True:", *money]
        return [f"    v = {self._field_expression(name, tp)}"]

    def _field_expression(self, name: str, tp: Any) -> str:
        base, optional = strip_optional(tp)
        value = f"w.{name}"
        if base is Money:
            if optional:
                return f"None if {value} is None else _Money({value}, code)"
            return f"_Money({value}, code)"
        if base is Decimal:
            return f"_decimal({value})" if optional else f"_decimal_required({value})"
        if _is_tuple(base):
            item = get_args(base)[0]
            if attrs.has(item) and self._needs[item]:
                return f"tuple([_convert_{self._twin_name(item)}(x, code) for x in {value}])"
            return value
        if attrs.has(base) and self._needs[base]:
            converter = f"_convert_{self._twin_name(base)}"
            if optional:
                return f"None if {value} is None else {converter}({value}, code)"
            return f"{converter}({value}, code)"
        return value


def _validators_proven(cls: type) -> bool:
    """Whether the twin of ``cls`` proves every validator of ``cls`` (so slots may be set).

    Proven: ``aware`` (twin datetimes need an offset), ``currency_code`` (twin codes are a
    closed Literal), and the amount validators of owners of a currency and of the allocation
    (the converter attaches exactly the currency they check). Anything else — another
    validator, a converter, a factory default, ``__attrs_post_init__`` — and the entity is
    built by calling the class.
    """
    if hasattr(cls, "__attrs_post_init__") or hasattr(cls, "__attrs_pre_init__"):
        return False
    for field in attrs.fields(cls):
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
            or (cls is allocation_class() and field.name == "amount")
        ):
            continue
        return False
    return True


class _NoCurrency(ValueError):
    """An amount whose owner has no currency (the reference path explains it)."""


def _slot_money() -> bool:
    """Whether Money can be built through its two slots (checked once, against ``Money()``)."""
    slots = getattr(Money, "__slots__", ())
    if set(slots) != {"minor_units", "currency"}:
        return False
    probe = object.__new__(Money)
    Money.__dict__["minor_units"].__set__(probe, 1050)
    Money.__dict__["currency"].__set__(probe, currency("EUR"))
    reference = Money(1050, "EUR")
    return bool(probe == reference and hash(probe) == hash(reference))


def _leaves(tp: Any) -> list[Any]:
    """The element types a field type is made of: ``tuple[X, ...] | None`` gives ``[X]``."""
    base, _ = strip_optional(tp)
    if _is_tuple(base):
        return _leaves(get_args(base)[0])
    return [base]


def _money_to_int(obj: Any) -> Any:
    if type(obj) is Money:
        return obj.minor_units
    raise NotImplementedError(f"cannot write {type(obj).__name__} as Stuut JSON")


def make_encoder() -> msgspec.json.Encoder:
    """The encoder: attrs entities as they are, Money as integers, Decimal as JSON numbers."""
    return msgspec.json.Encoder(enc_hook=_money_to_int, decimal_format="number")


_KEEP: Final[tuple[type, ...]] = (Decimal,)


def to_builtins(obj: Any) -> Any:
    """``obj`` as plain JSON values (dicts, lists, str, int, float, bool, None, Decimal)."""
    return msgspec.to_builtins(obj, enc_hook=_money_to_int, builtin_types=_KEEP)
