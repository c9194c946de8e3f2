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
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from adapters.columnar._build import array, check_exponents, checked
from adapters.columnar.schema import INVOICES, check_schema
from adapters.errors import ColumnarMismatch
from stuut_domain.invoice import Invoice, status_of
from stuut_domain.money import exponent as exponent_of
from stuut_domain.receivables import due_day, issue_date_of

__all__ = ["DEFAULT_BATCH_ROWS", "invoice_batches", "read_invoices", "write_parquet"]

#: Rows per record batch (and Parquet row group) unless the caller says otherwise.
DEFAULT_BATCH_ROWS = 65_536


def invoices_batch(invoices: list[Invoice], first_row: int) -> pa.RecordBatch:
    """One record batch, built column by column (one tight loop per column)."""
    exponents = {code: exponent_of(code) for code in {i.currency for i in invoices}}
    columns: dict[str, list[Any]] = {
        "id": [i.id for i in invoices],
        "number": [i.number for i in invoices],
        "partner_id": [i.partner_id for i in invoices],
        "type": [i.type for i in invoices],
        "status": [status_of(i).value for i in invoices],
        "currency": [i.currency for i in invoices],
        "exponent": [exponents[i.currency] for i in invoices],
        "total_amount_minor": [i.total_amount.minor_units for i in invoices],
        "amount_paid_minor": [
            None if i.amount_paid is None else i.amount_paid.minor_units for i in invoices
        ],
        "amount_due_minor": [i.amount_due.minor_units for i in invoices],
        "issued_at": [i.issued_at for i in invoices],
        "issue_day": [issue_date_of(i) for i in invoices],
        "due_date": [i.due_date for i in invoices],
        "due_day": [due_day(i) for i in invoices],
        "paid_at": [i.paid_at for i in invoices],
        "voided_at": [i.voided_at for i in invoices],
        "marked_uncollectible_at": [i.marked_uncollectible_at for i in invoices],
        "promised_to_pay_date": [i.promised_to_pay_date for i in invoices],
        "in_dispute": [i.in_dispute for i in invoices],
    }
    for name in ("total_amount_minor", "amount_paid_minor", "amount_due_minor"):
        checked("invoices", name, columns[name], first_row)
    return pa.RecordBatch.from_arrays(
        [array(columns[field.name], field.type) for field in INVOICES], schema=INVOICES
    )


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
            yield invoices_batch(pending, first_row)
            first_row += len(pending)
            pending = []
    if pending or first_row == 0:
        yield invoices_batch(pending, first_row)


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


def read_invoices(path: str | os.PathLike[str]) -> pa.Table:
    """The invoices table in the Parquet file at ``path``, checked against the schema.

    Refuses a file of another table, schema version or program, a column of another type,
    a currency the library does not know and an exponent that is not its currency's
    (:class:`~adapters.errors.ColumnarMismatch`, naming column, row and expected type).
    """
    check_schema(pq.read_schema(os.fspath(path)), INVOICES)
    table = pq.read_table(os.fspath(path), schema=INVOICES)
    check_exponents("invoices", table)
    return table
