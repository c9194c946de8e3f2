"""Line items, payments, allocations, partners and outreach attempts on columns, streamed.

Each table has a versioned schema (:data:`~adapters.columnar.schema.SCHEMAS`, ADR 0069) and
the same three calls, named by the table: :func:`table_batches` turns any iterable of its
entities into record batches of at most ``batch_rows`` rows, holding one batch at a time;
:func:`write_table` writes them to Parquet as they come (one row group per batch), so memory
stays flat whatever the size of the book; :func:`read_table` and :func:`iter_table` read a
file back, refusing one of another table, version or program, a column of another type, a
null where the schema has none, and a currency or exponent that disagrees with the money
rules (:class:`~adapters.errors.ColumnarMismatch`, naming column, row and expected type).

Money keeps the invoices' rules (ADR 0060): exact ``int64`` minor units beside the row's
``currency`` and ``exponent``; an amount beyond int64, or amounts of one row in two
currencies, are refused naming the row. Decimals that are not money (a line item's
``quantity``, a payment's ``currency_rate``) are their exact text, never a float.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from adapters.columnar._build import array, check_exponents, checked
from adapters.columnar.invoices import DEFAULT_BATCH_ROWS, invoice_batches, invoices_batch
from adapters.columnar.schema import SCHEMAS, check_schema
from adapters.errors import ColumnarMismatch
from stuut_domain.invoice import Invoice, LineItem
from stuut_domain.money import Money
from stuut_domain.money import exponent as exponent_of
from stuut_domain.outreach.state import SentOutreach
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment, PaymentAllocation

__all__ = [
    "TABLES",
    "batch_of",
    "check_batch",
    "iter_table",
    "read_table",
    "table_batches",
    "write_batches",
    "write_table",
]


class _MixedCurrencies(Exception):
    def __init__(self, first: str, other: str) -> None:
        self.first, self.other = first, other


def _currency(own: str | None, *amounts: Money | None) -> str | None:
    """The row's currency: the entity's, else its amounts' (all one), else ``None``."""
    code = own
    for money in amounts:
        if money is None:
            continue
        if code is None:
            code = money.code
        elif money.code != code:
            raise _MixedCurrencies(code, money.code)
    return code


def _units(money: Money | None) -> int | None:
    return None if money is None else money.minor_units


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _line_item(i: LineItem) -> tuple[Any, ...]:
    code = _currency(i.currency, i.unit_amount, i.total_amount, i.total_discount, i.total_tax)
    return (
        i.invoice_id, i.remote_id, i.line_number, i.name, i.description, i.product_type,
        code, code,
        _text(i.quantity),
        _units(i.unit_amount), _units(i.total_amount),
        _units(i.total_discount), _units(i.total_tax),
        i.period_start_date, i.period_end_date, i.created_at, i.modified_at,
    )  # fmt: skip


def _payment(p: Payment) -> tuple[Any, ...]:
    code = _currency(p.currency, p.amount, p.amount_refunded)
    return (
        p.id, p.remote_id, p.partner_id, p.status, p.payment_method, code, code,
        _units(p.amount), _units(p.amount_refunded), _text(p.currency_rate),
        p.reference_number, p.remittance_id, p.bank_transaction_id,
        p.timestamp, p.expected_at, p.initiated_at, p.created_at, p.modified_at,
    )  # fmt: skip


def _allocation(a: PaymentAllocation) -> tuple[Any, ...]:
    code = a.amount.code
    return (
        a.id, a.payment_id, a.invoice_id, a.strategy, code, code, a.amount.minor_units,
        a.approved, a.approved_at, a.approver_id, a.created_at, a.modified_at,
    )  # fmt: skip


def _partner(p: Partner) -> tuple[Any, ...]:
    code = _currency(p.currency, p.invoice_balance, p.total_overdue)
    return (
        p.id, p.name, p.legal_name, p.type, p.is_company, p.is_active, p.parent_id,
        p.assignee_id, p.email, p.timezone, code, code,
        _units(p.invoice_balance), _units(p.total_overdue), p.num_open_invoices,
        p.last_outreach_at, p.last_outreach_channel, p.last_inbound_at,
        p.created_at, p.modified_at,
    )  # fmt: skip


def _attempt(s: SentOutreach) -> tuple[Any, ...]:
    return (s.partner_id, s.channel, s.sent_at, s.outcome, list(s.to), list(s.invoice_ids))


#: How one entity of each table (but invoices, see ``invoice_batches``) becomes its row, in
#: schema order; the second ``currency`` of a row is replaced by its exponent.
_ROWS: Final[dict[str, tuple[type, Callable[[Any], tuple[Any, ...]]]]] = {
    "line_items": (LineItem, _line_item),
    "payments": (Payment, _payment),
    "allocations": (PaymentAllocation, _allocation),
    "partners": (Partner, _partner),
    "outreach_attempts": (SentOutreach, _attempt),
}

#: The names of the tables :func:`table_batches` and :func:`read_table` know.
TABLES: Final = tuple(SCHEMAS)


def _schema(table: str) -> pa.Schema:
    if table not in SCHEMAS:
        raise ColumnarMismatch(table, "<table>", f"one of {', '.join(TABLES)}", table)
    return SCHEMAS[table]


def batch_of(table: str, entities: list[Any], first_row: int = 0) -> pa.RecordBatch:
    """One record batch of ``table`` from its entities (one tight loop per column); rows are
    numbered from ``first_row`` in the errors, which name the row as the whole table counts."""
    schema = _schema(table)
    if table == "invoices":
        for offset, entity in enumerate(entities):
            if type(entity) is not Invoice:
                found = type(entity).__name__
                raise ColumnarMismatch(table, "<entity>", "Invoice", found, first_row + offset)
        return invoices_batch(entities, first_row)
    kind, to_row = _ROWS[table]
    rows = []
    for offset, entity in enumerate(entities):
        if type(entity) is not kind:
            found = type(entity).__name__
            raise ColumnarMismatch(table, "<entity>", kind.__name__, found, first_row + offset)
        try:
            rows.append(to_row(entity))
        except _MixedCurrencies as mixed:
            expected = f"amounts in one currency ({mixed.first})"
            raise ColumnarMismatch(
                table, "currency", expected, mixed.other, first_row + offset
            ) from None
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(schema)
    arrays = []
    for field, values in zip(schema, columns, strict=True):
        data = list(values)
        if field.name == "exponent":
            data = _exponents(data)
        elif field.name.endswith("_minor"):
            checked(table, field.name, data, first_row)
        arrays.append(array(data, field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _exponents(codes: list[str | None]) -> list[int | None]:
    """Each row's exponent: its currency's minor-unit digits (null without a currency)."""
    known = {code: exponent_of(code) for code in set(codes) if code is not None}
    return [None if code is None else known[code] for code in codes]


def table_batches(
    table: str, entities: Iterable[Any], *, batch_rows: int = DEFAULT_BATCH_ROWS
) -> Iterator[pa.RecordBatch]:
    """Record batches of ``table``'s schema, ``batch_rows`` rows at most (one, empty, for none).

    Reads ``entities`` lazily and holds one batch of them at a time. ``table`` is one of
    :data:`TABLES`; ``"invoices"`` is :func:`~adapters.columnar.invoice_batches`. Money goes
    over exactly; an amount beyond int64, amounts of one row in two currencies, or an entity
    of another class are refused with :class:`~adapters.errors.ColumnarMismatch` naming
    the row, never wrapped.
    """
    schema = _schema(table)
    if type(batch_rows) is not int or batch_rows <= 0:
        raise ColumnarMismatch(table, "<batch_rows>", "a positive int", batch_rows)
    if schema is SCHEMAS["invoices"]:
        yield from invoice_batches(entities, batch_rows=batch_rows)
        return
    pending: list[Any] = []
    first_row = 0
    for entity in entities:
        pending.append(entity)
        if len(pending) == batch_rows:
            yield batch_of(table, pending, first_row)
            first_row += len(pending)
            pending = []
    if pending or first_row == 0:
        yield batch_of(table, pending, first_row)


def write_batches(
    table: str, batches: Iterable[pa.RecordBatch], path: str | os.PathLike[str]
) -> int:
    """Write record batches of ``table``'s schema to Parquet at ``path``, one row group each;
    the rows. A batch of another schema is refused before anything of it is written."""
    schema = _schema(table)
    rows = 0
    with pq.ParquetWriter(os.fspath(path), schema) as writer:
        for batch in batches:
            check_schema(batch.schema, schema)
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows


def write_table(
    table: str,
    entities: Iterable[Any],
    path: str | os.PathLike[str],
    *,
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> int:
    """Write ``table``'s ``entities`` to a Parquet file at ``path``; the rows written.

    Streams: memory holds one batch, whatever the number of entities. The file carries the
    table's name and schema version, which :func:`read_table` checks.
    """
    return write_batches(table, table_batches(table, entities, batch_rows=batch_rows), path)


def check_batch(table: str, schema: pa.Schema, batch: pa.RecordBatch, first_row: int) -> None:
    """Refuse a batch of ``schema`` that breaks its nulls or the money rules: a null where the
    schema has none, an unknown currency, an exponent that is not its currency's
    (:class:`~adapters.errors.ColumnarMismatch`, the row counted from ``first_row``)."""
    for field in schema:
        if not field.nullable:
            column = batch.column(field.name)
            if column.null_count:
                row = pc.indices_nonzero(pc.is_null(column))[0].as_py()
                raise ColumnarMismatch(
                    table, field.name, f"a {field.type} (never null)", None, first_row + row
                )
    if "exponent" in schema.names:
        check_exponents(table, pa.Table.from_batches([batch]), first_row)


def iter_table(
    table: str, path: str | os.PathLike[str], *, batch_rows: int = DEFAULT_BATCH_ROWS
) -> Iterator[pa.RecordBatch]:
    """The record batches of ``table`` in the Parquet file at ``path``, checked, streamed.

    Refuses a file of another table, schema version or program, a column of another type,
    a null in a column that has none, an unknown currency and an exponent that is not its
    currency's (:class:`~adapters.errors.ColumnarMismatch`, naming column, row and the
    expected type), before the batch that holds it is given.
    """
    schema = _schema(table)
    if type(batch_rows) is not int or batch_rows <= 0:
        raise ColumnarMismatch(table, "<batch_rows>", "a positive int", batch_rows)
    source = pq.ParquetFile(os.fspath(path))
    check_schema(source.schema_arrow, schema)
    first_row = 0
    for read in source.iter_batches(batch_size=batch_rows):
        batch = read.replace_schema_metadata(schema.metadata)
        check_batch(table, schema, batch, first_row)
        yield batch
        first_row += batch.num_rows


def read_table(table: str, path: str | os.PathLike[str]) -> pa.Table:
    """The whole of ``table`` in the Parquet file at ``path``, checked as :func:`iter_table`
    checks it (for a file that fits in memory; stream a larger one with :func:`iter_table`)."""
    schema = _schema(table)
    return pa.Table.from_batches(list(iter_table(table, path)), schema=schema)
