"""Invoices generated straight onto columns: a 10M-row Parquet file without 10M entities.

:func:`generated_table` builds rows ``first .. first + n`` of a book like
:func:`bench.bench_scale.generated` (five currencies in turn, totals of 1 to 10^6 minor units,
a quarter each unpaid, unpaid, half paid and fully paid, issue and due dates over eleven months
of 2026, in UTC) as a table of the library's own :data:`~adapters.columnar.schema.INVOICES`
schema, metadata included, so :func:`~adapters.columnar.iter_table` and
:func:`~adapters.columnar.read_invoices` accept it. Every column is made by pyarrow compute
kernels (no Python loop over rows, no float): the "random" draws are a splitmix64 hash of the
row number, so a row is the same whatever the chunking. The ``status`` is the one
:func:`~stuut_domain.invoice.status_of` gives those facts (``paid`` when the whole total is
paid, ``partially_paid`` when some is, else ``open``); :func:`round_trips` proves it on a
slice by building the entities back from the columns and writing them the library's way.

:func:`write_generated` writes ``n`` rows chunk by chunk, one row group per
:data:`~adapters.columnar.invoices.DEFAULT_BATCH_ROWS` rows as the library writes them, so
memory holds one chunk.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from adapters.columnar.invoices import DEFAULT_BATCH_ROWS
from adapters.columnar.schema import INVOICES

_CODES = ("EUR", "USD", "GBP", "JPY", "KWD")
_EXPONENTS = (2, 2, 2, 0, 3)
_STATUSES = ("open", "partially_paid", "paid")
_DAY_US = 86_400_000_000
_START_DAY = (dt.date(2026, 1, 1) - dt.date(1970, 1, 1)).days
_U64 = pa.uint64()
_TS = pa.timestamp("us", tz="UTC")
#: Rows generated (and held) at a time by :func:`write_generated`: four row groups.
CHUNK_ROWS = 4 * DEFAULT_BATCH_ROWS


def _u64(value: int) -> pa.Scalar:
    return pa.scalar(value % 2**64, _U64)


def _mix(rows: pa.Array, salt: int) -> pa.Array:
    """splitmix64 of each row number (wrapping uint64 arithmetic, as the algorithm wants)."""
    z = pc.add(rows, _u64(salt * 0x9E3779B97F4A7C15))
    z = pc.multiply(pc.bit_wise_xor(z, pc.shift_right(z, _u64(30))), _u64(0xBF58476D1CE4E5B9))
    z = pc.multiply(pc.bit_wise_xor(z, pc.shift_right(z, _u64(27))), _u64(0x94D049BB133111EB))
    return pc.bit_wise_xor(z, pc.shift_right(z, _u64(31)))


def _below(rows: pa.Array, salt: int, bound: int) -> pa.Array:
    """A draw in ``0 .. bound - 1`` per row, int64."""
    h = _mix(rows, salt)
    return pc.cast(pc.subtract(h, pc.multiply(pc.divide(h, _u64(bound)), _u64(bound))), pa.int64())


def _modulo(values: pa.Array, bound: int) -> pa.Array:
    return pc.subtract(values, pc.multiply(pc.divide(values, bound), bound))


def _padded(prefix: str, values: pa.Array, width: int) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(values, pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _dictionary(indices: pa.Array, words: tuple[str, ...]) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pc.cast(indices, pa.int32()), pa.array(words))


def generated_table(first: int, n: int, seed: int = 1) -> pa.Table:
    """Rows ``first .. first + n - 1`` of the generated book, as an ``INVOICES`` table."""
    row = pa.array(range(first, first + n), pa.int64())
    hashed = pc.cast(row, _U64)
    currency = _modulo(row, len(_CODES))
    total = pc.add(_below(hashed, 8 * seed + 1, 10**6), 1)
    unpaid = pc.multiply(total, 0)
    paid = pc.choose(_below(hashed, 8 * seed + 2, 4), unpaid, unpaid, pc.divide(total, 2), total)
    status = pc.if_else(pc.equal(paid, total), 2, pc.if_else(pc.greater(paid, 0), 1, 0))
    issue_days = pc.add(_below(hashed, 8 * seed + 3, 301), _START_DAY)
    due_days = pc.add(_below(hashed, 8 * seed + 4, 331), _START_DAY)
    no_instant = pa.nulls(n, _TS)
    columns: dict[str, Any] = {
        "id": _padded("inv_", row, 8),
        "number": pc.cast(row, pa.string()),
        "partner_id": _padded("par_", _modulo(row, 1000), 4),
        "type": pa.DictionaryArray.from_arrays(pa.nulls(n, pa.int32()), pa.array([], pa.string())),
        "status": _dictionary(status, _STATUSES),
        "currency": _dictionary(currency, _CODES),
        "exponent": pc.take(pa.array(_EXPONENTS, pa.int8()), currency),
        "total_amount_minor": total,
        "amount_paid_minor": paid,
        "amount_due_minor": pc.subtract(total, paid),
        "issued_at": pc.cast(pc.multiply(issue_days, _DAY_US), _TS),
        "issue_day": pc.cast(pc.cast(issue_days, pa.int32()), pa.date32()),
        "due_date": pc.cast(pc.multiply(due_days, _DAY_US), _TS),
        "due_day": pc.cast(pc.cast(due_days, pa.int32()), pa.date32()),
        "paid_at": no_instant,
        "voided_at": no_instant,
        "marked_uncollectible_at": no_instant,
        "promised_to_pay_date": pa.nulls(n, pa.date32()),
        "in_dispute": pa.nulls(n, pa.bool_()),
    }
    return pa.Table.from_arrays([columns[f.name] for f in INVOICES], schema=INVOICES)


def write_generated(n: int, path: str | os.PathLike[str], *, chunk_rows: int = CHUNK_ROWS) -> int:
    """``n`` generated rows to a Parquet file at ``path``, one chunk in memory; the rows."""
    with pq.ParquetWriter(os.fspath(path), INVOICES) as writer:
        for first in range(0, n, chunk_rows):
            chunk = generated_table(first, min(chunk_rows, n - first))
            writer.write_table(chunk, row_group_size=DEFAULT_BATCH_ROWS)
    return n


def round_trips(n: int = 20_000) -> bool:
    """The first ``n`` generated rows, made entities (``adapters.columnar.rules``, which also
    checks each row's ``status`` is ``status_of`` of its facts) and written back by the
    library's ``invoices_batch``, are the same rows: what the library writes for them."""
    from adapters.columnar.invoices import invoices_batch
    from adapters.columnar.rules import _invoices

    batch = generated_table(0, n).combine_chunks().to_batches()[0]
    again = invoices_batch([invoice for invoice, _ in _invoices(batch, 0)], 0)
    return bool(again.schema.equals(batch.schema, check_metadata=True)) and (
        again.to_pylist() == batch.to_pylist()
    )
