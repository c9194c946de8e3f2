"""Invoices to Arrow record batches and Parquet, streamed; and read back, checked.

:func:`invoice_batches` turns any iterable of :class:`~stuut_domain.invoice.Invoice` (a
list, a store's ``find()``, an API client's pages) into record batches of at most
``batch_rows`` rows, holding one batch at a time; :func:`write_parquet` writes them as they
come, so memory stays flat whatever the size of the book. :func:`read_invoices` opens such a
file and refuses one of another schema, version or program, and a currency or exponent that
disagrees with the money rules (:class:`~adapters.errors.ColumnarMismatch`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from adapters.columnar.schema import INVOICES, check_schema
from adapters.errors import ColumnarMismatch
from stuut_domain.errors import UnknownCurrency
from stuut_domain.invoice import Invoice, status_of
from stuut_domain.money import exponent as exponent_of
from stuut_domain.receivables import due_day, issue_date_of

__all__ = ["DEFAULT_BATCH_ROWS", "invoice_batches", "read_invoices", "write_parquet"]

#: Rows per record batch (and Parquet row group) unless the caller says otherwise.
DEFAULT_BATCH_ROWS = 65_536

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _minor(row: int, column: str, units: int) -> int:
    if not _INT64_MIN <= units <= _INT64_MAX:
        raise ColumnarMismatch("invoices", column, "minor units within int64", units, row)
    return units


def _batch(invoices: list[Invoice], first_row: int) -> pa.RecordBatch:
    columns: dict[str, list[object]] = {name: [] for name in INVOICES.names}
    for offset, invoice in enumerate(invoices):
        row = first_row + offset
        paid = invoice.amount_paid
        values = (
            invoice.id,
            invoice.number,
            invoice.partner_id,
            None if invoice.type is None else str(invoice.type),
            status_of(invoice).value,
            invoice.currency,
            exponent_of(invoice.currency),
            _minor(row, "total_amount_minor", invoice.total_amount.minor_units),
            None if paid is None else _minor(row, "amount_paid_minor", paid.minor_units),
            _minor(row, "amount_due_minor", invoice.amount_due.minor_units),
            invoice.issued_at,
            issue_date_of(invoice),
            invoice.due_date,
            due_day(invoice),
            invoice.paid_at,
            invoice.voided_at,
            invoice.marked_uncollectible_at,
            invoice.promised_to_pay_date,
            invoice.in_dispute,
        )
        for name, value in zip(INVOICES.names, values, strict=True):
            columns[name].append(value)
    arrays = [
        pa.array(columns[field.name], type=field.type)
        if not pa.types.is_dictionary(field.type)
        else pa.array(columns[field.name], type=pa.string()).dictionary_encode()
        for field in INVOICES
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=INVOICES)


def invoice_batches(
    invoices: Iterable[Invoice], *, batch_rows: int = DEFAULT_BATCH_ROWS
) -> Iterator[pa.RecordBatch]:
    """Record batches of :data:`~adapters.columnar.schema.INVOICES`, ``batch_rows`` at most.

    Reads ``invoices`` lazily and holds one batch of entities at a time. Money goes over
    exactly in minor units; one beyond int64 is refused with
    :class:`~adapters.errors.ColumnarMismatch` naming the column and row, never wrapped.
    """
    if type(batch_rows) is not int or batch_rows <= 0:
        raise ColumnarMismatch("invoices", "<batch_rows>", "a positive int", batch_rows)
    pending: list[Invoice] = []
    first_row = 0
    for invoice in invoices:
        pending.append(invoice)
        if len(pending) == batch_rows:
            yield _batch(pending, first_row)
            first_row += len(pending)
            pending = []
    if pending or first_row == 0:
        yield _batch(pending, first_row)


def write_parquet(
    invoices: Iterable[Invoice],
    path: str | os.PathLike[str],
    *,
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> int:
    """Write ``invoices`` to a Parquet file at ``path``, one row group per batch; the rows.

    Streams: memory holds one batch, whatever the number of invoices. The file carries the
    schema's name and version, which :func:`read_invoices` checks.
    """
    rows = 0
    with pq.ParquetWriter(os.fspath(path), INVOICES) as writer:
        for batch in invoice_batches(invoices, batch_rows=batch_rows):
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows


def _check_exponents(table: pa.Table) -> None:
    """Every row's exponent is its currency's (the money rules), else the first bad row."""
    codes = pc.unique(table["currency"].combine_chunks().dictionary_decode())
    for code in codes.to_pylist():
        try:
            wanted = exponent_of(code)
        except UnknownCurrency:
            rows = pc.indices_nonzero(pc.equal(table["currency"].cast(pa.string()), code))
            raise ColumnarMismatch(
                "invoices", "currency", "an ISO 4217 code", code, rows[0].as_py()
            ) from None
        wrong = pc.and_(
            pc.equal(table["currency"].cast(pa.string()), code),
            pc.not_equal(table["exponent"], wanted),
        )
        bad = pc.indices_nonzero(wrong)
        if len(bad):
            row = bad[0].as_py()
            raise ColumnarMismatch(
                "invoices",
                "exponent",
                f"{wanted} (the exponent of {code})",
                table["exponent"][row].as_py(),
                row,
            )


def read_invoices(path: str | os.PathLike[str]) -> pa.Table:
    """The invoices table in the Parquet file at ``path``, checked against the schema.

    Refuses a file of another table, schema version or program, a column of another type,
    a currency the library does not know and an exponent that is not its currency's
    (:class:`~adapters.errors.ColumnarMismatch`, naming column, row and expected type).
    """
    check_schema(pq.read_schema(os.fspath(path)), INVOICES)
    table = pq.read_table(os.fspath(path), schema=INVOICES)
    _check_exponents(table)
    return table
