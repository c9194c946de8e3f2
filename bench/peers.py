"""Peer models of the same schema, generated from the entity attrs classes so they cannot drift.

* :func:`pydantic_invoice` — pydantic v2 models: amounts as ``int``, datetimes as
  ``AwareDatetime`` (naive refused, as ours), ``Decimal`` for exact numbers, ``tuple`` for
  lists, ``Literal`` for closed enumerations, ``Any`` for free JSON; pydantic's default (lax)
  mode, unknown keys ignored. What a service would write instead of this library.
* :func:`msgspec_invoice` — ``msgspec.Struct`` types of the same fields (amounts ``int``), the
  practical limit of typed decoding in Python.

Neither peer attaches currencies to amounts or builds Money: that work is ours alone.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
import types
import typing
from typing import Any, get_args, get_origin

import attrs
import msgspec
import pydantic

from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.types import SOURCE_FIELDS


def _strip_optional(tp: Any) -> tuple[Any, bool]:
    if get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        return args[0], True
    return tp, False


def _classes(root: type) -> list[type]:
    """Every attrs class reachable from ``root``, each once."""
    found: list[type] = []
    todo = [root]
    while todo:
        cls = todo.pop()
        if cls in found:
            continue
        found.append(cls)
        for tp in typing.get_type_hints(cls).values():
            base, _ = _strip_optional(tp)
            if get_origin(base) is tuple:
                base = get_args(base)[0]
            if attrs.has(base):
                todo.append(base)
    return found


def _annotation(tp: Any, name_of: dict[type, str], datetime_type: Any) -> Any:
    base, optional = _strip_optional(tp)
    if base is Money:
        out: Any = int
    elif base is dt.datetime:
        out = datetime_type
    elif get_origin(base) is tuple:
        out = tuple[_annotation(get_args(base)[0], name_of, datetime_type), ...]  # type: ignore[misc]
    elif attrs.has(base):
        out = name_of[base]
        return f"{out} | None" if optional else out
    else:
        out = base
    return out | None if optional else out


@functools.cache
def pydantic_invoice(extra: str = "ignore") -> type[pydantic.BaseModel]:
    """The pydantic v2 model of an invoice, every nested class a model of its own.

    ``extra="allow"`` is how a pydantic user keeps unknown keys (the peer of our lossless
    reading, ADR 0034); the default ignores them, as pydantic does.
    """
    classes = _classes(Invoice)
    name_of = {cls: f"P{cls.__name__}" for cls in classes}
    config = pydantic.ConfigDict(extra=extra)  # type: ignore[typeddict-item]
    namespace: dict[str, Any] = {}
    for cls in classes:
        hints = typing.get_type_hints(cls)
        fields: dict[str, Any] = {}
        for field in attrs.fields(cls):
            if field.name in SOURCE_FIELDS:
                continue
            annotation = _annotation(hints[field.name], name_of, pydantic.AwareDatetime)
            if isinstance(annotation, str):
                annotation = typing.ForwardRef(annotation)
            default = ... if field.default is attrs.NOTHING else field.default
            fields[field.name] = (annotation, default)
        namespace[name_of[cls]] = pydantic.create_model(name_of[cls], __config__=config, **fields)
    for model in namespace.values():
        model.model_rebuild(_types_namespace=namespace)
    model: type[pydantic.BaseModel] = namespace[name_of[Invoice]]
    return model


@functools.cache
def msgspec_invoice() -> type[msgspec.Struct]:
    """The msgspec Struct of an invoice (amounts ``int``), nested Structs throughout."""
    classes = _classes(Invoice)
    module = types.ModuleType("bench_peer_structs")
    sys.modules[module.__name__] = module
    name_of = {cls: f"S{cls.__name__}" for cls in classes}
    aliases: dict[int, str] = {}

    def text(tp: Any) -> str:
        base, optional = _strip_optional(tp)
        if get_origin(base) is tuple:
            inner = f"tuple[{text(get_args(base)[0])}, ...]"
        elif attrs.has(base):
            inner = name_of[base]
        else:
            leaf = int if base is Money else base
            alias = aliases.setdefault(id(leaf), f"_t{len(aliases)}")
            setattr(module, alias, leaf)
            inner = alias
        return f"{inner} | None" if optional else inner

    for cls in classes:
        hints = typing.get_type_hints(cls)
        fields: list[Any] = []
        for field in attrs.fields(cls):
            if field.name in SOURCE_FIELDS:
                continue
            if field.default is attrs.NOTHING:
                fields.append((field.name, text(hints[field.name])))
            else:
                fields.append((field.name, text(hints[field.name]), field.default))
        struct = msgspec.defstruct(name_of[cls], fields, kw_only=True, module=module.__name__)
        setattr(module, name_of[cls], struct)
    root: type[msgspec.Struct] = getattr(module, name_of[Invoice])
    return root


__all__ = ["msgspec_invoice", "pydantic_invoice"]
