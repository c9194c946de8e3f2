"""What each stored kind looks like in SQL: one small declarative spec per aggregate (ADR 0057).

A :class:`TableSpec` names the kind, its table, the codec pair that turns an entity into its
exact wire JSON text and back (``adapters.stuut_json``, lossless: ADR 0034), the projection
columns filled from the entity on every write, and how a port query narrows to a ``WHERE``
clause on those columns. Every table has the same three fixed columns besides the projections:
``id`` (the primary key, checked by :func:`adapters._ids.check_id`), ``version`` (a counter
the store increments on every write; the port's :data:`~stuut_domain.ports.Version`) and
``doc`` (the wire document, exactly the bytes the codec wrote).

Adding a kind is one spec in :data:`SPECS` plus a migration that creates its table
(``create_kind_table(op, "credit_note")``, see ``adapters/sql/migrations``). The query's
``matches`` still decides what a listing yields: a spec's ``narrow`` only lets the database
skip rows that certainly do not match, so a narrowing that is too loose is slow, never wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, Final

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from adapters import stuut_json
from stuut_domain.cash import BankTransaction, Remittance
from stuut_domain.fact_ports import (
    CreditNoteQuery,
    bank_transaction_partner,
)
from stuut_domain.invoice import Invoice, status_of
from stuut_domain.owed import CreditNote, CustomerCredit, Dispute, Promise
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment
from stuut_domain.ports import InvoiceQuery, PartnerQuery, PaymentQuery, WorkflowQuery
from stuut_domain.receivables import is_open_receivable
from stuut_domain.workflow import Workflow

__all__ = ["JSONB_COLUMN", "SPECS", "Projection", "TableSpec", "jsonb_text", "spec_for", "utc"]

#: PostgreSQL only (migration 0004): the document as ``jsonb``, beside the exact text ``doc``.
JSONB_COLUMN = "doc_jsonb"

#: The clause builder of a spec: the table's columns and a query give ``WHERE`` conditions.
Narrow = Callable[[sa.ColumnCollection[str, sa.ColumnElement[Any]], Any], list[Any]]


def jsonb_text(doc: str) -> str | None:
    """The text to cast into ``doc_jsonb`` for the document ``doc``, or ``None`` (SQL NULL)
    when ``jsonb`` cannot hold it: PostgreSQL's ``jsonb`` refuses the escape ``\\u0000``
    that the JSON text (and so ``doc``) carries losslessly. ``doc`` stays the record either way;
    the test is deliberately broad (any ``\\u0000`` in the text, even inside an escaped
    backslash), so a cast never fails."""
    return None if "\\u0000" in doc else doc


_LATEST: Final = dt.datetime.max.replace(tzinfo=dt.UTC)
_EARLIEST: Final = dt.datetime.min.replace(tzinfo=dt.UTC)


def utc(instant: dt.datetime | None) -> dt.datetime | None:
    """An aware instant in UTC, so stored instants compare alike on every database.

    An instant past the end (or before the start) of the calendar in UTC — 9999-12-31 23:00
    at −12:00 — is valid on the wire but has no UTC datetime: it projects to the calendar's
    last (first) instant, which keeps every order with ordinary instants; the document keeps
    the exact value, and a query narrowed on it is widened (``<=``) and decided by
    ``matches``.
    """
    if instant is None:
        return None
    try:
        return instant.astimezone(dt.UTC)
    except OverflowError:
        return _LATEST if instant.year == dt.MAXYEAR else _EARLIEST


#: The longest text a key projection keeps (PostgreSQL's B-tree entries hold about 2,700
#: bytes: 512 characters of at most 4 bytes fit).
KEY_CHARS: Final = 512


def text_key(value: str | None) -> str | None:
    """A text projection SQL can index on any database: NUL (which PostgreSQL text cannot
    hold) as U+FFFD, at most :data:`KEY_CHARS` characters. Only a narrowing: a query whose
    value would be changed by this is not narrowed in SQL (every row is read and
    ``matches`` decides), so two values sharing a key never mix up an answer."""
    if value is None:
        return None
    return value.replace("\x00", "\ufffd")[:KEY_CHARS]


def _narrowable(value: str) -> bool:
    """Whether a query's text can be compared with :func:`text_key` projections as it is."""
    return text_key(value) == value


@attrs.frozen(kw_only=True, weakref_slot=False)
class Projection:
    """One column copied from the entity on every write, for filtering and sorting in SQL.

    ``value`` computes it from the entity; ``indexed`` gives it its own index. The column
    never feeds the entity back: reads decode ``doc``, so a projection can be added later
    (filled by a migration) without changing what a read returns.
    """

    name: str
    type: sa.types.TypeEngine[Any]
    value: Callable[[Any], object]
    indexed: bool = False


@attrs.frozen(kw_only=True, weakref_slot=False)
class TableSpec:
    """One aggregate kind in SQL: its table, codec, projections and query narrowing."""

    kind: str
    table: str
    attribute: str
    decode: Callable[[bytes], Any]
    encode: Callable[[Any], bytes]
    projections: tuple[Projection, ...] = ()
    narrow: Narrow | None = None
    #: Extra composite indexes: (index name suffix, column names).
    indexes: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def columns(self, *, jsonb: bool = False) -> list[sa.Column[Any]]:
        """The table's columns: id, version, doc, then the projections; with ``jsonb`` (on
        PostgreSQL from migration 0004) also ``doc_jsonb``, the document as ``jsonb`` for
        ad-hoc SQL (never read back: ``doc`` keeps the exact text, ADR 0057)."""
        return [
            sa.Column("id", sa.String(128), primary_key=True),
            sa.Column("version", sa.BigInteger, nullable=False),
            sa.Column("doc", sa.Text, nullable=False),
            *(sa.Column(p.name, p.type, nullable=True) for p in self.projections),
            *([sa.Column(JSONB_COLUMN, JSONB(), nullable=True)] if jsonb else []),
        ]

    def index_definitions(self) -> list[tuple[str, list[str]]]:
        """Every index of the table as (name, columns)."""
        single = [(f"ix_{self.table}_{p.name}", [p.name]) for p in self.projections if p.indexed]
        return single + [(f"ix_{self.table}_{n}", list(cols)) for n, cols in self.indexes]

    def row(self, entity: Any) -> dict[str, object]:
        """The projection values of ``entity``, by column name."""
        return {p.name: p.value(entity) for p in self.projections}


def _minor(money: Any) -> int | None:
    return None if money is None else int(money.minor_units)


def _narrow_invoices(c: sa.ColumnCollection[str, sa.ColumnElement[Any]], q: Any) -> list[Any]:
    query: InvoiceQuery = q
    where: list[Any] = []
    if query.partner_id is not None and _narrowable(query.partner_id):
        where.append(c.partner_id == query.partner_id)
    if query.currency is not None and _narrowable(query.currency):
        where.append(c.currency == query.currency)
    if query.open_only:
        where.append(c.open_receivable.is_(True))
    if query.due_before is not None:
        # <= : a superset of <, also right where utc() moved an instant to the calendar's end
        where.append(c.due_date <= utc(query.due_before))
    return where


def _narrow_partners(c: sa.ColumnCollection[str, sa.ColumnElement[Any]], q: Any) -> list[Any]:
    query: PartnerQuery = q
    if query.currency is None or not _narrowable(query.currency):
        return []
    return [c.currency == query.currency]


def _narrow_payments(c: sa.ColumnCollection[str, sa.ColumnElement[Any]], q: Any) -> list[Any]:
    query: PaymentQuery = q
    where: list[Any] = []
    if query.partner_id is not None and _narrowable(query.partner_id):
        where.append(c.partner_id == query.partner_id)
    if query.currency is not None and _narrowable(query.currency):
        where.append(c.currency == query.currency)
    return where


def _narrow_workflows(c: sa.ColumnCollection[str, sa.ColumnElement[Any]], q: Any) -> list[Any]:
    query: WorkflowQuery = q
    return [c.is_active.is_(True)] if query.active_only else []


_INSTANT = sa.DateTime(timezone=True)


def _invoice_projections() -> tuple[Projection, ...]:
    def partner(i: Invoice) -> object:
        return text_key(i.partner_id)

    def status(i: Invoice) -> object:
        return status_of(i).value

    def currency(i: Invoice) -> object:
        return text_key(i.currency)

    def due(i: Invoice) -> object:
        return _minor(i.amount_due)

    def due_date(i: Invoice) -> object:
        return utc(i.due_date)

    def modified(i: Invoice) -> object:
        return utc(i.modified_at)

    return (
        Projection(name="partner_id", type=sa.Text(), value=partner),
        Projection(name="status", type=sa.Text(), value=status, indexed=True),
        Projection(name="currency", type=sa.String(3), value=currency, indexed=True),
        Projection(name="amount_due_minor", type=sa.BigInteger(), value=due),
        Projection(name="due_date", type=_INSTANT, value=due_date, indexed=True),
        Projection(name="modified_at", type=_INSTANT, value=modified, indexed=True),
        Projection(name="open_receivable", type=sa.Boolean(), value=is_open_receivable),
    )


def _partner_projections() -> tuple[Projection, ...]:
    def currency(p: Partner) -> object:
        return text_key(p.currency)

    def modified(p: Partner) -> object:
        return utc(p.modified_at)

    return (
        Projection(name="currency", type=sa.String(3), value=currency, indexed=True),
        Projection(name="modified_at", type=_INSTANT, value=modified),
    )


def _payment_projections() -> tuple[Projection, ...]:
    def partner(p: Payment) -> object:
        return text_key(p.partner_id)

    def currency(p: Payment) -> object:
        return text_key(p.currency)

    def status(p: Payment) -> object:
        return text_key(p.status)

    def amount(p: Payment) -> object:
        return _minor(p.amount)

    def modified(p: Payment) -> object:
        return utc(p.modified_at)

    return (
        Projection(name="partner_id", type=sa.Text(), value=partner, indexed=True),
        Projection(name="currency", type=sa.String(3), value=currency, indexed=True),
        Projection(name="status", type=sa.Text(), value=status),
        Projection(name="amount_minor", type=sa.BigInteger(), value=amount),
        Projection(name="modified_at", type=_INSTANT, value=modified),
    )


def _workflow_projections() -> tuple[Projection, ...]:
    def active(w: Workflow) -> object:
        return w.is_active

    return (Projection(name="is_active", type=sa.Boolean(), value=active, indexed=True),)


def _partner_and_currency(partner: Callable[[Any], object]) -> tuple[Projection, ...]:
    """The projections of a fact kind: its partner (indexed) and its currency."""

    def currency(entity: Any) -> object:
        return entity.currency

    return (
        Projection(name="partner_id", type=sa.Text(), value=partner, indexed=True),
        Projection(name="currency", type=sa.String(3), value=currency),
    )


def _narrow_by_partner(c: sa.ColumnCollection[str, sa.ColumnElement[Any]], q: Any) -> list[Any]:
    """Every fact query has ``partner_id``; some have ``currency``. The rest is ``matches``."""
    where: list[Any] = []
    if q.partner_id is not None:
        where.append(c.partner_id == q.partner_id)
    if getattr(q, "currency", None) is not None:
        where.append(c.currency == q.currency)
    return where


def _narrow_credit_notes(c: sa.ColumnCollection[str, sa.ColumnElement[Any]], q: Any) -> list[Any]:
    query: CreditNoteQuery = q
    where = _narrow_by_partner(c, query)
    if query.invoice_id is not None:
        where.append(c.invoice_id == query.invoice_id)
    return where


def _partner_id(entity: Any) -> object:
    return entity.partner_id


def _remittance_partner(remittance: Remittance) -> object:
    return remittance.partner


def _credit_note_projections() -> tuple[Projection, ...]:
    def invoice(note: CreditNote) -> object:
        return note.invoice_id

    return (
        *_partner_and_currency(_partner_id),
        Projection(name="invoice_id", type=sa.Text(), value=invoice, indexed=True),
    )


def _fact_spec(
    kind: str,
    cls: type,
    partner: Callable[[Any], object],
    projections: tuple[Projection, ...] | None = None,
    narrow: Narrow = _narrow_by_partner,
) -> TableSpec:
    """A cash or owed kind: the wire document plus partner (and currency) projections."""

    def decode(data: bytes) -> Any:
        return stuut_json.decode(cls, data)

    return TableSpec(
        kind=kind,
        table=f"{kind}s",
        attribute=f"{kind}s",
        decode=decode,
        encode=stuut_json.encode,
        projections=projections if projections is not None else _partner_and_currency(partner),
        narrow=narrow,
    )


def _dispute_projections() -> tuple[Projection, ...]:
    return (Projection(name="partner_id", type=sa.Text(), value=_partner_id, indexed=True),)


#: Every kind the SQL store holds, by kind name (the names ``NotFound`` and ``InvalidId`` use).
SPECS: dict[str, TableSpec] = {
    spec.kind: spec
    for spec in (
        TableSpec(
            kind="invoice",
            table="invoices",
            attribute="invoices",
            decode=stuut_json.decode_invoice,
            encode=stuut_json.encode_invoice,
            projections=_invoice_projections(),
            narrow=_narrow_invoices,
            indexes=(("partner_open", ("partner_id", "open_receivable")),),
        ),
        TableSpec(
            kind="partner",
            table="partners",
            attribute="partners",
            decode=stuut_json.decode_partner,
            encode=stuut_json.encode_partner,
            projections=_partner_projections(),
            narrow=_narrow_partners,
        ),
        TableSpec(
            kind="payment",
            table="payments",
            attribute="payments",
            decode=stuut_json.decode_payment,
            encode=stuut_json.encode_payment,
            projections=_payment_projections(),
            narrow=_narrow_payments,
        ),
        TableSpec(
            kind="workflow",
            table="workflows",
            attribute="workflows",
            decode=stuut_json.decode_workflow,
            encode=stuut_json.encode_workflow,
            projections=_workflow_projections(),
            narrow=_narrow_workflows,
        ),
        _fact_spec("bank_transaction", BankTransaction, bank_transaction_partner),
        _fact_spec("remittance", Remittance, _remittance_partner),
        _fact_spec(
            "credit_note",
            CreditNote,
            _partner_id,
            projections=_credit_note_projections(),
            narrow=_narrow_credit_notes,
        ),
        _fact_spec("customer_credit", CustomerCredit, _partner_id),
        _fact_spec("dispute", Dispute, _partner_id, projections=_dispute_projections()),
        _fact_spec("promise", Promise, _partner_id, projections=_dispute_projections()),
    )
}


def spec_for(kind: str) -> TableSpec:
    """The spec of ``kind``; a kind the store does not hold is a ``LookupError`` naming it."""
    try:
        return SPECS[kind]
    except KeyError:
        known = ", ".join(sorted(SPECS))
        raise LookupError(f"the SQL store holds no kind {kind!r} (known: {known})") from None


def spec_names() -> Sequence[str]:
    """The kinds in a stable order (for listings and copies)."""
    return tuple(SPECS)
