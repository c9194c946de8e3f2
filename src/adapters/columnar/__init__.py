"""Invoices on columns: a versioned Arrow schema and streaming Parquet (extra ``columnar``).

Needs pyarrow (``pip install "stuut-domain[columnar]"``); the core never imports it. See
``docs/columnar.md`` and ADR 0060.
"""

from __future__ import annotations

from adapters.columnar.invoices import (
    DEFAULT_BATCH_ROWS,
    invoice_batches,
    read_invoices,
    write_parquet,
)
from adapters.columnar.schema import INVOICES, SCHEMA_VERSION, check_schema

__all__ = [
    "DEFAULT_BATCH_ROWS",
    "INVOICES",
    "SCHEMA_VERSION",
    "check_schema",
    "invoice_batches",
    "read_invoices",
    "write_parquet",
]
