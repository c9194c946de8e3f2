"""A whole book to Parquet, streamed: from a JSON store, the API client's pages, or iterables.

:func:`export_book` writes one Parquet file per table (``invoices.parquet``,
``line_items.parquet``, ``allocations.parquet``, ``partners.parquet``, ``payments.parquet``,
``outreach_attempts.parquet``) in one pass over each source: an invoice read gives its row,
its line items' rows and its allocations' rows (``Invoice.payments``), and is dropped. Memory
holds one batch per table, whatever the size of the book. A file appears under its name only
once it is complete (written as ``<name>.partial``, then renamed), so a failed export never
leaves a file that looks whole.

:func:`store_to_parquet` reads a :class:`~adapters.json_store.JsonStore` (or any store with
``invoices``, ``partners`` and ``payments`` repositories) file by file through ``find()``;
:func:`api_to_parquet` reads :class:`~adapters.http_api.StuutApiClient` pages as they come.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from adapters.columnar.invoices import DEFAULT_BATCH_ROWS, PendingInvoices
from adapters.columnar.schema import SCHEMAS
from adapters.columnar.tables import batch_of
from adapters.errors import ColumnarMismatch
from stuut_domain.invoice import Invoice
from stuut_domain.outreach.state import SentOutreach
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment

__all__ = ["api_to_parquet", "export_book", "store_to_parquet"]

_PARTIAL = ".partial"


class _Sink:
    """One table's Parquet file being written: entities gathered into batches of ``rows``."""

    def __init__(self, table: str, folder: Path, batch_rows: int) -> None:
        self.table = table
        self.path = folder / f"{table}.parquet"
        self.partial = folder / f"{table}.parquet{_PARTIAL}"
        self.batch_rows = batch_rows
        self.pending: list[Any] = []
        # invoices wait as their columns' values, not as entities (PendingInvoices)
        self.invoices = PendingInvoices() if table == "invoices" else None
        self.rows = 0
        self.writer = pq.ParquetWriter(os.fspath(self.partial), SCHEMAS[table])

    def add(self, entity: Any) -> None:
        if self.invoices is not None:
            self.invoices.add(entity)
            if self.invoices.rows == self.batch_rows:
                self.flush()
            return
        self.pending.append(entity)
        if len(self.pending) == self.batch_rows:
            self.flush()

    def flush(self) -> None:
        if self.invoices is not None:
            if self.invoices.rows:
                rows = self.invoices.rows
                self.writer.write_batch(self.invoices.batch(self.rows))
                self.rows += rows
            return
        if self.pending:
            self.writer.write_batch(batch_of(self.table, self.pending, self.rows))
            self.rows += len(self.pending)
            self.pending = []

    def finish(self) -> int:
        self.flush()
        self.writer.close()
        os.replace(self.partial, self.path)
        return self.rows

    def abandon(self) -> None:
        self.writer.close()
        with contextlib.suppress(FileNotFoundError):
            self.partial.unlink()


def export_book(
    folder: str | os.PathLike[str],
    *,
    invoices: Iterable[Any] | None = None,
    partners: Iterable[Any] | None = None,
    payments: Iterable[Any] | None = None,
    outreach_attempts: Iterable[Any] | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> dict[str, int]:
    """Write each given source to its tables' Parquet files in ``folder``; rows per table.

    ``invoices`` also fill ``line_items`` and ``allocations`` (each invoice's line items and
    the allocations applied to it). Each source is read once, lazily; an absent source
    writes no file. Refusals are :func:`~adapters.columnar.table_batches`'s, naming the row
    as its table counts it.
    """
    if type(batch_rows) is not int or batch_rows <= 0:
        raise ColumnarMismatch("<book>", "<batch_rows>", "a positive int", batch_rows)
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    if invoices is not None:
        written |= _pass(
            target,
            batch_rows,
            invoices,
            lambda invoice: (
                [("invoices", invoice)]
                + [("line_items", item) for item in invoice.line_items]
                + [("allocations", allocation) for allocation in invoice.payments]
            ),
            tables=("invoices", "line_items", "allocations"),
            kind=Invoice,
        )
    for table, source, kind in (
        ("partners", partners, Partner),
        ("payments", payments, Payment),
        ("outreach_attempts", outreach_attempts, SentOutreach),
    ):
        if source is not None:
            written |= _pass(
                target, batch_rows, source, lambda e, t=table: [(t, e)], tables=(table,), kind=kind
            )
    return written


def _pass(
    folder: Path,
    batch_rows: int,
    source: Iterable[Any],
    rows_of: Any,
    *,
    tables: tuple[str, ...],
    kind: type,
) -> dict[str, int]:
    """One pass over ``source`` feeding the sinks of ``tables``; all finished or none."""
    sinks = {table: _Sink(table, folder, batch_rows) for table in tables}
    try:
        for row, entity in enumerate(source):
            if type(entity) is not kind:
                found = type(entity).__name__
                raise ColumnarMismatch(tables[0], "<entity>", kind.__name__, found, row)
            for table, item in rows_of(entity):
                sinks[table].add(item)
        for sink in sinks.values():
            sink.flush()
    except BaseException:
        for sink in sinks.values():
            sink.abandon()
        raise
    return {table: sink.finish() for table, sink in sinks.items()}


def store_to_parquet(
    store: Any, folder: str | os.PathLike[str], *, batch_rows: int = DEFAULT_BATCH_ROWS
) -> dict[str, int]:
    """Every invoice, partner and payment of ``store`` to Parquet in ``folder``, streamed.

    The store's ``find()`` reads one file at a time, so the book is never held. A corrupt
    record stops the export with the store's :class:`~adapters.errors.CorruptRecord`.
    """
    return export_book(
        folder,
        invoices=store.invoices.find(),
        partners=store.partners.find(),
        payments=store.payments.find(),
        batch_rows=batch_rows,
    )


def api_to_parquet(
    client: Any,
    folder: str | os.PathLike[str],
    *,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    page_size: int | None = None,
) -> dict[str, int]:
    """The invoices and partners the API lists, page by page as they come, to Parquet.

    ``client`` is a :class:`~adapters.http_api.StuutApiClient`: its ``list_invoices`` and
    ``list_partners`` request the next page only when the last is written out, so memory
    holds one page and one batch. (The API lists no payments; an invoice's allocations
    come with it.)
    """
    return export_book(
        folder,
        invoices=client.list_invoices(page_size=page_size),
        partners=client.list_partners(page_size=page_size),
        batch_rows=batch_rows,
    )
