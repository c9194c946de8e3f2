"""Stuut wire JSON to and from the domain model, losslessly, with every problem explained.

Rules of the wire (ADRs 0005, 0008, 0009, 0031):

* Field names are the wire keys. Amounts are integers of minor units; each amount is in the
  ``currency`` of the object that owns it (invoice, line item, payment, partner, the invoice
  embedded in an allocation). A payment allocation's ``amount`` is in its embedded
  ``invoice``'s currency when present, else in the enclosing invoice's (``invoice.payments[]``),
  else in the payment's (``payment.allocations[]``).
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
from collections.abc import Callable, Iterable, Mapping
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
from stuut_domain.errors import InvariantViolation, StuutDomainError
from stuut_domain.invariants import (
    Violation,
    check_partner,
    check_payment,
    check_workflow,
    ensure_valid,
)
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment
from stuut_domain.workflow import Workflow

__all__ = [
    "DecodeError",
    "Page",
    "Problem",
    "StuutJsonCodec",
    "decode_invoice",
    "decode_invoices",
    "decode_partner",
    "decode_partners",
    "decode_payment",
    "decode_payments",
    "decode_workflow",
    "decode_workflows",
    "encode_invoice",
    "encode_partner",
    "encode_payment",
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


_Checked = TypeVar("_Checked", Partner, Payment, Workflow)


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
    ``strict=True`` unknown keys are refused and, for an invoice, partner, payment or
    workflow, every broken rule raises :class:`~stuut_domain.errors.InvariantViolation`, as
    ``decode_invoice(strict=True)`` and its siblings do.
    """
    decoder = _DECODERS.get(cls)
    if decoder is not None:
        return decoder(data, strict=strict)  # type: ignore[no-any-return]
    return _codec(strict).decode(cls, data)


_DECODERS: Final[dict[type, Callable[..., Any]]] = {
    Invoice: decode_invoice,
    Partner: decode_partner,
    Payment: decode_payment,
    Workflow: decode_workflow,
}
