"""The kinds of document ``check`` reads (invoice, partner, payment, workflow), told apart by keys.

Each kind pairs its Stuut JSON decoder with the invariant checks its entity must keep.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

import attrs

from adapters import stuut_json
from stuut_domain.invariants import (
    Violation,
    check_invoice,
    check_partner,
    check_payment,
    check_workflow,
)
from stuut_domain.invoice import Invoice
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment
from stuut_domain.types import SOURCE_FIELDS
from stuut_domain.workflow import Workflow

__all__ = ["KINDS", "KIND_TABLE", "Kind", "detect", "mismatch"]


def _own_keys(cls: type, *others: type) -> frozenset[str]:
    """The wire keys of ``cls`` that none of ``others`` has (field names are wire keys)."""
    shared = {
        f.name for other in others for f in attrs.fields(other) if f.name not in SOURCE_FIELDS
    }
    return frozenset(f.name for f in attrs.fields(cls) if f.name not in shared | SOURCE_FIELDS)


@attrs.frozen(kw_only=True, weakref_slot=False)
class Kind:
    """One kind of document ``check`` reads: how to decode it and which rules it must keep."""

    name: str
    plural: str
    decode: Callable[[Any], Any]
    check: Callable[[Any], tuple[Violation, ...]]
    #: The wire keys a document of this kind may have (its entity's field names).
    keys: frozenset[str]


KIND_TABLE: Final = {
    name: Kind(
        name=name,
        plural=f"{name}s",
        decode=decode,
        check=check,
        keys=frozenset(f.name for f in attrs.fields(entity)),
    )
    for name, entity, decode, check in (
        ("invoice", Invoice, stuut_json.decode_invoice, check_invoice),
        ("partner", Partner, stuut_json.decode_partner, check_partner),
        ("payment", Payment, stuut_json.decode_payment, check_payment),
        ("workflow", Workflow, stuut_json.decode_workflow, check_workflow),
    )
}
KINDS: Final = tuple(KIND_TABLE)
#: Keys every kind has (``id``, ``object``, timestamps...): they tell no kind apart.
_COMMON_KEYS: Final = frozenset.intersection(*(k.keys for k in KIND_TABLE.values()))
#: What an ``object`` key naming a Stuut object looks like (``invoice``, ``list``...).
_OBJECT_NAME: Final = re.compile(r"[a-z][a-z_]*")
#: Keys only a partner has: its own fields that no invoice, payment or workflow shares.
_PARTNER_KEYS: Final = _own_keys(Partner, Invoice, Payment, Workflow)


def detect(item: Any) -> str | None:
    """The kind of one document from its keys, or ``None`` when the keys do not tell.

    ``total_amount`` with ``amount_due``: an invoice; ``active_days`` or
    ``outreach_window_start``: a workflow; ``amount_refunded`` or ``allocations``: a payment;
    a key only partners have (``contacts``, ``is_email_disabled``...): a partner; else the
    ``object`` key when it names one of the four kinds.
    """
    if not isinstance(item, dict):
        return None
    if "total_amount" in item and "amount_due" in item:
        return "invoice"
    if "active_days" in item or "outreach_window_start" in item:
        return "workflow"
    if "amount_refunded" in item or "allocations" in item:
        return "payment"
    if not _PARTNER_KEYS.isdisjoint(item):
        return "partner"
    named = item.get("object")
    return named if named in KIND_TABLE else None


def mismatch(kind: Kind, item: dict[str, Any]) -> str | None:
    """Why ``item`` is not a document of ``kind``, or ``None`` when nothing says it is not.

    A document read as a kind (forced with ``--kind`` or detected) must not name another
    object in its ``object`` key (a placeholder such as the API reference's ``"<string>"``
    names none), must not carry the keys of another kind, and must have at least one key of
    its kind beyond those every kind has (``id``, ``object``...): ``{}`` read as a payment
    is no payment.
    """
    named = item.get("object")
    if isinstance(named, str) and _OBJECT_NAME.fullmatch(named) and named != kind.name:
        return f"the document's object is {named!r}, not {kind.name!r}"
    detected = detect(item)
    if detected is not None and detected != kind.name:
        return f"the document's keys are those of {_a(detected)}, not of {_a(kind.name)}"
    if (kind.keys - _COMMON_KEYS).isdisjoint(item):
        return (
            f"the document is empty, not {_a(kind.name)}"
            if not item
            else f"none of the document's keys is {_a(kind.name)} field"
        )
    return None


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"
