"""Stuut wire JSON to and from the domain model, losslessly, with every problem explained.

Rules of the wire (ADRs 0005, 0008, 0009, 0031, 0055):

* Field names are the wire keys. Amounts are integers of minor units; each amount is in the
  ``currency`` of the object that owns it (invoice, line item, payment, partner, bank
  transaction, remittance, credit note and its lines, customer credit, dispute line,
  promised invoice, the invoice embedded in an allocation). A payment allocation's
  ``amount`` is in its embedded ``invoice``'s currency when present, else in the enclosing
  invoice's (``invoice.payments[]``), else in the payment's (``payment.allocations[]``); a
  remittance line's amounts likewise (its short ``invoice``, else the remittance's).
* Integers are signed 64-bit; ``quantity`` and ``currency_rate`` are read exactly as written
  and written back as JSON numbers; a float is never accepted where an integer belongs.
* Datetimes are RFC 3339 with an offset (naive ones are refused); UTC is written ``Z``,
  other offsets are kept, microseconds are written with six digits when non-zero.
* Unknown keys are kept (outside the value) and written back, unless the codec is built with
  ``forbid_unknown_keys=True``, which refuses them.
* Decoding refuses what cannot be represented and reports its problems at once in one
  :class:`DecodeError` (at most 100, then how many more); business invariants never block
  tolerant decoding (ADR 0007). Hostile input gets a :class:`DecodeError` too, never another
  exception (ADR 0038): a number beyond a decimal's range, a ``quantity`` or
  ``currency_rate`` no real figure has (beyond 1e±30 or 50 digits), a document nested deeper
  than 64 levels, text that is not UTF-8 or holds a lone surrogate. The
  ``strict`` module functions refuse unknown keys *and* raise
  :class:`~stuut_domain.errors.InvariantViolation` naming every broken rule.

Lossless (ADR 0034): for every document ``x`` the decoder accepts, ``encode(decode(x))``
equals ``x`` as JSON values with types compared: a key that was absent stays absent, ``null``
stays ``null``, unknown keys come back with their values, numbers keep their form (``123``
stays an integer in a float field, ``1.50`` stays ``1.50``), at every level; datetimes are
written in the canonical text above. A decoded value carries its document in fields that take
no part in equality (:class:`~stuut_domain.types.Sourced`), so it equals the same value built
in code, which is written with every field. For every model value ``m``,
``decode(encode(m)) == m``.

>>> from stuut_domain.invoice import Invoice
>>> codec = StuutJsonCodec()
>>> invoice = codec.decode(Invoice, b'{"amount_due": 150000, "currency": "EUR", '
...     b'"object": "invoice", "remote_id": "INV-2024-0042", "total_amount": 150000, '
...     b'"due_date": "2024-07-01T00:00:00Z"}')
>>> invoice.amount_due
Money.of('1500.00', 'EUR')
>>> try:
...     codec.decode(Invoice, b'{"amount_due": 1.5, "currency": "EUR", "total_amount": 1}')
... except DecodeError as error:
...     for problem in error.problems:
...         print(problem)
amount_due: expected an integer, got 1.5 (a number with a fraction or exponent) (got Decimal('1.5'))
object: required key is missing
remote_id: required key is missing
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, Generic, TypeVar

import attrs

from adapters.errors import Problem
from adapters.stuut_json.fast import FastPath, make_encoder, to_builtins
from adapters.stuut_json.reference import (
    ReferenceProblems,
    make_converter,
    parse,
    structure,
)
from adapters.stuut_json.writer import Writer
from stuut_domain.cash.entities import BankTransaction, Remittance
from stuut_domain.cash.invariants import check_bank_transaction, check_remittance
from stuut_domain.errors import InvariantViolation, OwedRefused, StuutDomainError
from stuut_domain.invariants import (
    Violation,
    check_partner,
    check_payment,
    check_workflow,
    ensure_valid,
)
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.owed.credit_note import CreditNote
from stuut_domain.owed.customer_credit import CustomerCredit
from stuut_domain.owed.dispute import Dispute, check_dispute
from stuut_domain.owed.promise import Promise, check_promise
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment
from stuut_domain.workflow import Workflow

__all__ = [
    "DecodeError",
    "Page",
    "Problem",
    "StuutJsonCodec",
    "decode_bank_transaction",
    "decode_bank_transactions",
    "decode_credit_note",
    "decode_credit_notes",
    "decode_customer_credit",
    "decode_customer_credits",
    "decode_dispute",
    "decode_disputes",
    "decode_invoice",
    "decode_invoices",
    "decode_partner",
    "decode_partners",
    "decode_payment",
    "decode_payments",
    "decode_promise",
    "decode_promises",
    "decode_remittance",
    "decode_remittances",
    "decode_workflow",
    "decode_workflows",
    "encode_bank_transaction",
    "encode_credit_note",
    "encode_customer_credit",
    "encode_dispute",
    "encode_invoice",
    "encode_partner",
    "encode_payment",
    "encode_promise",
    "encode_remittance",
    "encode_workflow",
]

T = TypeVar("T")


class DecodeError(StuutDomainError, ValueError):
    """Input that is not Stuut JSON for the class asked for; ``problems`` lists every problem.

    ``source`` names where the input came from (a file, an endpoint) when the caller knows
    it, and prefixes the message; ``target`` is the class being decoded.
    """

    def __init__(
        self, problems: Iterable[Problem], *, target: str = "", source: str | None = None
    ) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.target = target
        self.source = source
        where = f"{source}: " if source else ""
        what = f" decoding {target}" if target else ""
        listed = "; ".join(str(p) for p in self.problems)
        super().__init__(f"{where}{len(self.problems)} problem(s){what}: {listed}")

    def with_source(self, source: str) -> DecodeError:
        """The same problems, naming ``source`` (for callers that know the file or endpoint)."""
        return DecodeError(self.problems, target=self.target, source=source)


@attrs.frozen(kw_only=True, weakref_slot=False)
class Page(Generic[T]):
    """One page of a v1 list: ``{"data": [...], "current_page", "total_records", "next_page"}``.

    Pages are numbered from 0; ``next_page`` is ``None`` on the last page. Absent page fields
    read as the API's defaults (0, 0 and null).
    """

    data: tuple[T, ...]
    current_page: int = 0
    total_records: int = 0
    next_page: int | None = None


_DATA_TYPES = (bytes, str)
#: "The fast path has no answer": see StuutJsonCodec._try_fast.
_MISS: Final = object()

_FAST_PATH_LOCK = threading.Lock()


@functools.cache
def _fast_path_once() -> FastPath:
    return FastPath(Page)


def _shared_fast_path() -> FastPath:
    """The one fast path of the process, built on first use and shared by every codec.

    Its generated wire views are classes; sharing them keeps their number bounded however
    many codecs are built.
    """
    with _FAST_PATH_LOCK:
        return _fast_path_once()


class StuutJsonCodec:
    """Decode and encode Stuut JSON for any entity class (Invoice, Partner, Payment, ...).

    Build one explicitly and reuse it: decoders are generated per class on first use and
    kept. Bytes and text are decoded by the fast path (msgspec) and, when it fails, by the
    reference path (cattrs), which raises a :class:`DecodeError` listing every problem. A
    document with an unknown key, or a fraction in a ``JSON`` field that a float would write
    differently (``1.50``), takes the fast path's slower keeping decoders, which keep them
    (ADR 0034); unknown keys that come twice in a row are learned, and kept in one parse
    from then on (ADR 0039).
    Mappings and ``forbid_unknown_keys=True`` use the reference path only (ADR 0005).
    A codec is safe to share between threads once built.
    """

    def __init__(self, *, forbid_unknown_keys: bool = False) -> None:
        self._forbid_unknown_keys = forbid_unknown_keys
        self._converter = make_converter(forbid_unknown_keys=forbid_unknown_keys)
        self._fast: FastPath | None = None if forbid_unknown_keys else _shared_fast_path()
        self._writer = Writer(make_encoder(), Page)

    @property
    def forbid_unknown_keys(self) -> bool:
        """Whether keys the model does not know are refused (strict) instead of kept."""
        return self._forbid_unknown_keys

    def __repr__(self) -> str:
        return f"StuutJsonCodec(forbid_unknown_keys={self._forbid_unknown_keys})"

    # -- decoding ----------------------------------------------------------------------------

    def _try_fast(self, method: str, cls: type, data: object) -> Any:
        """The fast path's answer for raw JSON, or ``_MISS`` to take the reference path.

        ``_MISS`` when the fast path is off, the input is already parsed, or the fast path
        refuses it: the reference path then decodes it or explains every problem.
        """
        if self._fast is None or type(data) not in _DATA_TYPES:
            return _MISS
        try:
            return getattr(self._fast, method)(cls, data)
        except Exception:  # noqa: BLE001 - the reference path explains the failure
            return _MISS

    def decode(
        self, cls: type[T], data: bytes | str | Mapping[str, Any], *, source: str | None = None
    ) -> T:
        """One ``cls`` from JSON bytes, JSON text or an already parsed mapping.

        Raises :class:`DecodeError` listing every problem (``source`` names the input).
        """
        fast = self._fast  # _try_fast, inlined: this is the hot path of one entity
        if fast is not None and type(data) in _DATA_TYPES:
            try:
                return fast.decode(cls, data)  # type: ignore[arg-type,no-any-return]
            except Exception:  # noqa: BLE001, S110 - the reference path explains the failure
                pass
        value = self._parsed(cls, data, source)
        return self._structure(value, cls, cls, source, data)  # type: ignore[no-any-return]

    def decode_many(
        self, cls: type[T], data: bytes | str | Any, *, source: str | None = None
    ) -> list[T]:
        """A list of ``cls`` from a bare JSON array or a v1 list envelope (``{"data": [...]}``)."""
        items = self._try_fast("decode_many", cls, data)
        if items is not _MISS:
            return items  # type: ignore[no-any-return]
        value = self._parsed(cls, data, source)
        if isinstance(value, Mapping):
            page: Page[T] = self._structure(value, Page[cls], cls, source, data)  # type: ignore[valid-type]
            return list(page.data)
        if isinstance(value, list | tuple):
            return list(self._structure(value, tuple[cls, ...], cls, source, data))  # type: ignore[valid-type]
        problem = Problem(
            path="$", message="expected an array or a list envelope object", value=value
        )
        raise DecodeError([problem], target=f"list of {cls.__name__}", source=source)

    def decode_page(
        self, cls: type[T], data: bytes | str | Mapping[str, Any], *, source: str | None = None
    ) -> Page[T]:
        """One page of a v1 list envelope of ``cls``."""
        page = self._try_fast("decode_page", cls, data)
        if page is not _MISS:
            return page  # type: ignore[no-any-return]
        value = self._parsed(cls, data, source)
        return self._structure(value, Page[cls], cls, source, data)  # type: ignore[valid-type,no-any-return]

    def from_json(self, cls: type[T], value: Any) -> T:
        """One ``cls`` from plain JSON values (as ``json.loads`` returns them)."""
        return self._structure(value, cls, cls, None)  # type: ignore[no-any-return]

    # -- encoding ----------------------------------------------------------------------------

    def encode(self, obj: object) -> bytes:
        """Compact Stuut JSON bytes for an entity (or a list of them), losslessly (ADR 0034).

        A decoded entity is written as it was read: keys it lacked stay absent, ``null``
        stays ``null``, unknown keys and number texts come back; fields changed since (by
        ``attrs.evolve``) are written from their new values. A value built in code is
        written with every field.
        """
        return self._writer.encode(obj)

    def encode_page(self, page: Page[Any]) -> bytes:
        """The v1 list envelope for ``page``."""
        return self._writer.encode(page)

    def to_json(self, obj: object) -> Any:
        """``obj`` as plain JSON values: dicts, lists, str, int, float, bool and None.

        The same keys and values :meth:`encode` writes (a decoded value's absent keys stay
        absent, its unknown keys are there). ``quantity`` and ``currency_rate`` stay
        :class:`~decimal.Decimal` so that no digit is lost, and so does every number a decoded
        value keeps as written that is not an integer (``json.dumps`` needs ``default=``;
        :meth:`encode` writes them as numbers).
        """
        return to_builtins(self._writer.wire(obj))

    # -- the reference path ------------------------------------------------------------------

    def _parsed(self, cls: type, data: Any, source: str | None) -> Any:
        if not isinstance(data, _DATA_TYPES):
            return data
        try:
            return parse(data)
        except ReferenceProblems as exc:
            raise _decode_error(exc, cls, source) from None

    def _structure(
        self, value: Any, tp: Any, cls: type, source: str | None, data: object = None
    ) -> Any:
        try:
            return structure(self._converter, value, tp, parsed=type(data) in _DATA_TYPES)
        except ReferenceProblems as exc:
            raise _decode_error(exc, cls, source) from None


def _decode_error(exc: ReferenceProblems, cls: type, source: str | None) -> DecodeError:
    return DecodeError(exc.problems, target=cls.__name__, source=source)


# -- module functions over a lazily built default codec --------------------------------------


@functools.cache
def _codec(strict: bool) -> StuutJsonCodec:
    return StuutJsonCodec(forbid_unknown_keys=strict)


_Checked = TypeVar("_Checked", Partner, Payment, Workflow, BankTransaction, Remittance)


def _refuse_violations(entity: _Checked, violations: tuple[Violation, ...], kind: str) -> _Checked:
    """``entity`` as is, or :class:`InvariantViolation` naming every rule it breaks."""
    if violations:
        raise InvariantViolation(violations, subject=f"{kind} {entity.id!r}")
    return entity


def decode_invoice(data: bytes | str | Mapping[str, Any], *, strict: bool = False) -> Invoice:
    """An :class:`~stuut_domain.invoice.Invoice` from Stuut JSON.

    Tolerant by default: unknown keys are kept (and written back by :func:`encode_invoice`)
    and broken business invariants load (check
    them with :func:`stuut_domain.invariants.check_invoice`). ``strict=True`` refuses unknown
    keys (:class:`DecodeError`) and raises :class:`~stuut_domain.errors.InvariantViolation`
    listing every broken invariant.
    """
    invoice = _codec(strict).decode(Invoice, data)
    return ensure_valid(invoice) if strict else invoice


def encode_invoice(invoice: Invoice) -> bytes:
    """Stuut JSON bytes for an invoice, losslessly (ADR 0034).

    A decoded invoice is written as it was read, its changes since included; decoding the
    bytes gives the same invoice.
    """
    return _codec(False).encode(invoice)


def decode_invoices(data: bytes | str | Any) -> list[Invoice]:
    """Invoices from a bare JSON array or a v1 list envelope (tolerant)."""
    return _codec(False).decode_many(Invoice, data)


def decode_partner(data: bytes | str | Mapping[str, Any], *, strict: bool = False) -> Partner:
    """A :class:`~stuut_domain.partner.Partner` from Stuut JSON.

    ``strict=True`` refuses unknown keys and raises
    :class:`~stuut_domain.errors.InvariantViolation` for every rule of
    :func:`~stuut_domain.invariants.check_partner` the partner breaks.
    """
    partner = _codec(strict).decode(Partner, data)
    return _refuse_violations(partner, check_partner(partner), "partner") if strict else partner


def encode_partner(partner: Partner) -> bytes:
    """Stuut JSON bytes for a partner."""
    return _codec(False).encode(partner)


def decode_partners(data: bytes | str | Any) -> list[Partner]:
    """Partners from a bare JSON array or a v1 list envelope (tolerant)."""
    return _codec(False).decode_many(Partner, data)


def decode_payment(data: bytes | str | Mapping[str, Any], *, strict: bool = False) -> Payment:
    """A :class:`~stuut_domain.payment.Payment` from Stuut JSON.

    ``strict=True`` refuses unknown keys and then checks the payment's rules
    (:func:`stuut_domain.invariants.check_payment`), raising
    :class:`~stuut_domain.errors.InvariantViolation` naming each one it breaks.
    """
    payment = _codec(strict).decode(Payment, data)
    return _refuse_violations(payment, check_payment(payment), "payment") if strict else payment


def encode_payment(payment: Payment) -> bytes:
    """Stuut JSON bytes for a payment with its allocations."""
    return _codec(False).encode(payment)


def decode_payments(data: bytes | str | Any) -> list[Payment]:
    """Payments from a bare JSON array or a v1 list envelope (tolerant)."""
    return _codec(False).decode_many(Payment, data)


def decode_workflow(data: bytes | str | Mapping[str, Any], *, strict: bool = False) -> Workflow:
    """A :class:`~stuut_domain.workflow.Workflow` from Stuut JSON.

    Tolerant by default (the API's own example has ``active_days: [123]``); ``strict=True``
    refuses unknown keys and raises :class:`~stuut_domain.errors.InvariantViolation` for every
    rule of :func:`~stuut_domain.invariants.check_workflow` it breaks.
    """
    workflow = _codec(strict).decode(Workflow, data)
    if not strict:
        return workflow
    return _refuse_violations(workflow, check_workflow(workflow), "workflow")


def encode_workflow(workflow: Workflow) -> bytes:
    """Stuut JSON bytes for a workflow."""
    return _codec(False).encode(workflow)


def decode_workflows(data: bytes | str | Any) -> list[Workflow]:
    """Workflows from a bare JSON array or a v1 list envelope (tolerant)."""
    return _codec(False).decode_many(Workflow, data)


# -- cash application: bank transactions and remittances (issue 14) ----------------------


def decode_bank_transaction(
    data: bytes | str | Mapping[str, Any], *, strict: bool = False
) -> BankTransaction:
    """A :class:`~stuut_domain.cash.entities.BankTransaction` from Stuut JSON.

    Tolerant by default: unknown keys are kept and a transaction that does not conserve its
    money still loads (check it with
    :func:`~stuut_domain.cash.invariants.check_bank_transaction`). ``strict=True`` refuses
    unknown keys (:class:`DecodeError`) and raises
    :class:`~stuut_domain.errors.InvariantViolation` for every cash rule it breaks
    (allocated + handled outside + on account = amount, ...).
    """
    transaction = _codec(strict).decode(BankTransaction, data)
    if not strict:
        return transaction
    found = check_bank_transaction(transaction)
    return _refuse_violations(transaction, found, "bank transaction")


def encode_bank_transaction(transaction: BankTransaction) -> bytes:
    """Stuut JSON bytes for a bank transaction, losslessly (ADR 0034)."""
    return _codec(False).encode(transaction)


def decode_bank_transactions(data: bytes | str | Any) -> list[BankTransaction]:
    """Bank transactions from a bare JSON array or a v1 list envelope (tolerant)."""
    return _codec(False).decode_many(BankTransaction, data)


def decode_remittance(data: bytes | str | Mapping[str, Any], *, strict: bool = False) -> Remittance:
    """A :class:`~stuut_domain.cash.entities.Remittance` from Stuut JSON.

    Tolerant by default (lines that do not sum still load). ``strict=True`` refuses unknown
    keys and raises :class:`~stuut_domain.errors.InvariantViolation` for every rule of
    :func:`~stuut_domain.cash.invariants.check_remittance` the remittance breaks on its own:
    its lines' ``amount_paid`` sum to ``transaction_amount``, no line amount is negative. The
    rules against its transaction and invoices need them: call ``check_remittance`` with them.
    """
    remittance = _codec(strict).decode(Remittance, data)
    if not strict:
        return remittance
    return _refuse_violations(remittance, check_remittance(remittance), "remittance")


def encode_remittance(remittance: Remittance) -> bytes:
    """Stuut JSON bytes for a remittance with its lines, losslessly (ADR 0034)."""
    return _codec(False).encode(remittance)


def decode_remittances(data: bytes | str | Any) -> list[Remittance]:
    """Remittances from a bare JSON array or a v1 list envelope (tolerant)."""
    return _codec(False).decode_many(Remittance, data)


# -- what changes what is owed (issue 15) ------------------------------------------------


def _refused_as_violation(error: OwedRefused, subject: str) -> InvariantViolation:
    """An owed rule's refusal as the :class:`InvariantViolation` strict decoding raises."""
    message = str(error).removeprefix(f"[{error.code}] {error.path}: ")
    violation = Violation(code=error.code, path=error.path, message=message, values=error.values)
    return InvariantViolation((violation,), subject=subject)


def decode_credit_note(
    data: bytes | str | Mapping[str, Any], *, strict: bool = False
) -> CreditNote:
    """A :class:`~stuut_domain.owed.credit_note.CreditNote` from JSON (ADR 0055).

    The note's own rules (at least one line, each by amount or by quantity, above zero, in
    the note's currency) hold whenever a note is built, so a document that breaks one is a
    :class:`DecodeError` in both modes. A note has no entity-level check of its own: its
    rules against its invoice (what it credits, never above the total) are
    :func:`~stuut_domain.owed.checks.check_credited_invoice`'s, which needs the invoice.
    ``strict=True`` therefore only refuses unknown keys.
    """
    return _codec(strict).decode(CreditNote, data)


def encode_credit_note(note: CreditNote) -> bytes:
    """JSON bytes for a credit note with its lines, losslessly (ADR 0034)."""
    return _codec(False).encode(note)


def decode_credit_notes(data: bytes | str | Any) -> list[CreditNote]:
    """Credit notes from a bare JSON array or a list envelope (tolerant)."""
    return _codec(False).decode_many(CreditNote, data)


def decode_customer_credit(
    data: bytes | str | Mapping[str, Any], *, strict: bool = False
) -> CustomerCredit:
    """A :class:`~stuut_domain.owed.customer_credit.CustomerCredit` from JSON (ADR 0055).

    Its rules (an amount above zero in its currency, allocations that are the engine's) hold
    whenever a credit is built, so a document that breaks one is a :class:`DecodeError`.
    Customer credit has no entity-level check beyond them; ``strict=True`` refuses unknown
    keys.
    """
    return _codec(strict).decode(CustomerCredit, data)


def encode_customer_credit(credit: CustomerCredit) -> bytes:
    """JSON bytes for a customer credit with its allocations, losslessly (ADR 0034)."""
    return _codec(False).encode(credit)


def decode_customer_credits(data: bytes | str | Any) -> list[CustomerCredit]:
    """Customer credits from a bare JSON array or a list envelope (tolerant)."""
    return _codec(False).decode_many(CustomerCredit, data)


def decode_dispute(
    data: bytes | str | Mapping[str, Any],
    *,
    strict: bool = False,
    invoices: Sequence[Invoice] | None = None,
) -> Dispute:
    """A :class:`~stuut_domain.owed.dispute.Dispute` from JSON (ADR 0055).

    Every line's amounts are in its own ``currency``. A dispute's rules are about its
    invoices (each line's invoice given, of the dispute's partner, never disputed above what
    it owes), so :func:`~stuut_domain.owed.dispute.check_dispute` needs them:
    ``strict=True`` refuses unknown keys and, when ``invoices`` are given, raises
    :class:`~stuut_domain.errors.InvariantViolation` with the first rule the dispute breaks
    against them (check_dispute stops at the first). Without ``invoices`` no dispute rule is
    checked.
    """
    dispute = _codec(strict).decode(Dispute, data)
    if strict and invoices is not None:
        try:
            check_dispute(dispute, invoices)
        except OwedRefused as error:
            raise _refused_as_violation(error, f"dispute {dispute.id!r}") from None
    return dispute


def encode_dispute(dispute: Dispute) -> bytes:
    """JSON bytes for a dispute with its lines, losslessly (ADR 0034)."""
    return _codec(False).encode(dispute)


def decode_disputes(data: bytes | str | Any) -> list[Dispute]:
    """Disputes from a bare JSON array or a list envelope (tolerant)."""
    return _codec(False).decode_many(Dispute, data)


def decode_promise(
    data: bytes | str | Mapping[str, Any],
    *,
    strict: bool = False,
    invoices: Sequence[Invoice] | None = None,
) -> Promise:
    """A :class:`~stuut_domain.owed.promise.Promise` to pay from JSON (ADR 0055).

    The rules of a promise alone (at least one invoice, each once, amounts above zero in one
    currency, a promised date in range) hold whenever it is built: a document that breaks one
    is a :class:`DecodeError`. Its other rules need its invoices
    (:func:`~stuut_domain.owed.promise.check_promise`: the invoices are the partner's, never
    promised above what they owe, not dated before it was made): ``strict=True`` refuses
    unknown keys and, when ``invoices`` are given, raises
    :class:`~stuut_domain.errors.InvariantViolation` with the first rule it breaks (days read
    in UTC).
    """
    promise = _codec(strict).decode(Promise, data)
    if strict and invoices is not None:
        try:
            check_promise(promise, invoices)
        except OwedRefused as error:
            raise _refused_as_violation(error, f"promise {promise.id!r}") from None
    return promise


def encode_promise(promise: Promise) -> bytes:
    """JSON bytes for a promise to pay with its invoices, losslessly (ADR 0034)."""
    return _codec(False).encode(promise)


def decode_promises(data: bytes | str | Any) -> list[Promise]:
    """Promises to pay from a bare JSON array or a list envelope (tolerant)."""
    return _codec(False).decode_many(Promise, data)


# -- any value: the one obvious way (ADR 0036) -------------------------------------------


def encode(value: object) -> bytes:
    """Stuut JSON bytes for any domain entity: an aggregate, a nested one, or a list of them.

    ``encode(invoice)`` is ``encode_invoice(invoice)``; a decoded value comes back as it was
    read (ADR 0034), a value built in code with every field. On the wire an amount is an
    integer in its owner's currency, so a bare :class:`~stuut_domain.money.Money` is refused
    (``TypeError``), and an entity whose amounts take their owner's currency (a
    ``PaymentAllocation`` without its embedded invoice) reads back only inside its owner.
    """
    if isinstance(value, Money):
        raise TypeError(
            f"{value!r} has no JSON form of its own: an amount is written as an integer in "
            "its owner's currency; encode the entity that holds it (or use str(money))"
        )
    return _codec(False).encode(value)


def decode(cls: type[T], data: bytes | str | Mapping[str, Any], *, strict: bool = False) -> T:
    """One ``cls`` (any domain class: ``Invoice``, ``LineItem``, ``Contact``, ...) from Stuut JSON.

    Tolerant by default (remote data that breaks a rule still loads; ADR 0007). With
    ``strict=True`` unknown keys are refused and, for an invoice, partner, payment, workflow,
    bank transaction or remittance, every broken rule raises
    :class:`~stuut_domain.errors.InvariantViolation`, as ``decode_invoice(strict=True)`` and
    its siblings do (credit notes, customer credit, disputes and promises: see their
    ``decode_`` functions; the rules of disputes and promises need their invoices).
    """
    decoder = _DECODERS.get(cls)
    if decoder is not None:
        return decoder(data, strict=strict)  # type: ignore[no-any-return]
    return _codec(strict).decode(cls, data)


_DECODERS: Final[dict[type, Callable[..., Any]]] = {
    BankTransaction: decode_bank_transaction,
    CreditNote: decode_credit_note,
    CustomerCredit: decode_customer_credit,
    Dispute: decode_dispute,
    Invoice: decode_invoice,
    Partner: decode_partner,
    Payment: decode_payment,
    Promise: decode_promise,
    Remittance: decode_remittance,
    Workflow: decode_workflow,
}
