"""The kinds of document ``check`` reads, told apart by keys: invoice, partner, payment,
workflow, the cash kinds (bank transaction, remittance) and the owed kinds (credit note,
customer credit, dispute, promise).

Each kind pairs its JSON decoder with the invariant checks its entity must keep. An owed
kind's construction rules (a note with no line, a promise of nothing) refuse the document
while it is decoded: ``check`` reports such a refusal under the rule's own code and field
path (ADR 0072). Every rule that needs no invoice then runs on the entity
(:func:`~stuut_domain.owed.checks.check_alone`: a note's parts, a dispute's reasons and
amounts, a promise's own instants, a customer credit's allocations); the rules against
invoices need the invoices, which a single document does not carry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

import attrs

from adapters import stuut_json
from stuut_domain.cash.entities import BankTransaction, Remittance
from stuut_domain.cash.invariants import check_bank_transaction, check_remittance
from stuut_domain.invariants import (
    Violation,
    check_invoice,
    check_partner,
    check_payment,
    check_workflow,
)
from stuut_domain.invoice import Invoice
from stuut_domain.owed import CreditNote, CustomerCredit, Dispute, Promise
from stuut_domain.owed.checks import (
    check_customer_credit,
    check_dispute_alone,
    check_note,
    check_promise_alone,
)
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


def _remittance_alone(remittance: Remittance) -> tuple[Violation, ...]:
    """The remittance's rules without its transaction and invoices (lines sum, none negative)."""
    return check_remittance(remittance)


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
        (
            "bank_transaction",
            BankTransaction,
            stuut_json.decode_bank_transaction,
            check_bank_transaction,
        ),
        ("remittance", Remittance, stuut_json.decode_remittance, _remittance_alone),
        ("credit_note", CreditNote, stuut_json.decode_credit_note, check_note),
        (
            "customer_credit",
            CustomerCredit,
            stuut_json.decode_customer_credit,
            check_customer_credit,
        ),
        ("dispute", Dispute, stuut_json.decode_dispute, check_dispute_alone),
        ("promise", Promise, stuut_json.decode_promise, check_promise_alone),
    )
}
KINDS: Final = tuple(KIND_TABLE)
_ENTITIES: Final[dict[str, type]] = {
    "invoice": Invoice,
    "partner": Partner,
    "payment": Payment,
    "workflow": Workflow,
    "bank_transaction": BankTransaction,
    "remittance": Remittance,
    "credit_note": CreditNote,
    "customer_credit": CustomerCredit,
    "dispute": Dispute,
    "promise": Promise,
}
#: Keys the first four kinds all have (``id``, ``object``, timestamps...): they tell no kind
#: apart, and a document of a kind needs one key beyond them.
_COMMON_KEYS: Final = frozenset.intersection(
    *(KIND_TABLE[k].keys for k in ("invoice", "partner", "payment", "workflow"))
)
#: The kinds detected by a key only they have, in this order (before the payment rule: a
#: remittance and a customer credit have ``allocations`` too).
_BY_OWN_KEYS: Final = tuple(
    (name, _own_keys(entity, *(e for e in _ENTITIES.values() if e is not entity)))
    for name, entity in _ENTITIES.items()
    if name not in ("invoice", "partner", "payment", "workflow")
)
#: The keys each of those kinds cannot do without (its fields with no default): a common word
#: such as ``note`` or ``method`` among a partner's unknown keys makes no dispute or promise.
_REQUIRED: Final = {
    name: frozenset(f.name for f in attrs.fields(entity) if f.default is attrs.NOTHING and f.init)
    for name, entity in _ENTITIES.items()
}
#: The cash kinds' wire ``object`` names, read before the payment rule.
_WIRE_OBJECTS: Final = frozenset({"bank_transaction", "remittance"})
#: What an ``object`` key naming a Stuut object looks like (``invoice``, ``list``...).
_OBJECT_NAME: Final = re.compile(r"[a-z][a-z_]*")
#: Keys only a partner has: its own fields that no invoice, payment or workflow shares.
_PARTNER_KEYS: Final = _own_keys(Partner, Invoice, Payment, Workflow)


def detect(item: Any) -> str | None:
    """The kind of one document from its keys, or ``None`` when the keys do not tell.

    ``total_amount`` with ``amount_due``: an invoice; ``active_days`` or
    ``outreach_window_start``: a workflow; a key only one of the cash and owed kinds has
    (``is_payment``, ``transaction_amount``, ``effective_at``, ``source_id``, ``opened_at``,
    ``promised_date``...): that kind; an ``object`` of ``bank_transaction`` or
    ``remittance``: that kind; ``amount_refunded`` or ``allocations``: a payment; a key only
    partners have (``contacts``, ``is_email_disabled``...): a partner; else the ``object``
    key when it names a kind. A customer credit without ``source_id`` has only keys a
    payment has: pass ``--kind customer_credit``.
    """
    if not isinstance(item, dict):
        return None
    if "total_amount" in item and "amount_due" in item:
        return "invoice"
    if "active_days" in item or "outreach_window_start" in item:
        return "workflow"
    named = item.get("object")
    for name, keys in _BY_OWN_KEYS:
        if keys.isdisjoint(item) or not _REQUIRED[name] <= item.keys():
            continue
        if named in KIND_TABLE and named != name:
            continue  # the document says what it is: an unknown key does not overrule it
        return name
    if named in _WIRE_OBJECTS:
        return str(named)
    if "amount_refunded" in item or "allocations" in item:
        return "payment"
    if not _PARTNER_KEYS.isdisjoint(item):
        return "partner"
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
