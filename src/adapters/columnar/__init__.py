"""The library's tables on columns: versioned Arrow schemas and streaming Parquet (extra
``columns``).

Needs pyarrow (``pip install "stuut-domain[columns]"``); the core never imports it. See
``docs/columnar.md`` and ADR 0060.
"""

from __future__ import annotations

from adapters.columnar.invoices import (
    DEFAULT_BATCH_ROWS,
    invoice_batches,
    read_invoices,
    write_parquet,
)
from adapters.columnar.schema import (
    ALLOCATIONS,
    EVALUATION,
    INVOICES,
    LINE_ITEMS,
    OUTREACH_ATTEMPTS,
    PARTNERS,
    PAYMENTS,
    SCHEMA_VERSION,
    SCHEMAS,
    check_schema,
)
from adapters.columnar.tables import (
    TABLES,
    iter_table,
    read_table,
    table_batches,
    write_batches,
    write_table,
)

__all__ = [
    "ALLOCATIONS",
    "DEFAULT_BATCH_ROWS",
    "EVALUATION",
    "INVOICES",
    "LINE_ITEMS",
    "OUTREACH_ATTEMPTS",
    "PARTNERS",
    "PAYMENTS",
    "SCHEMAS",
    "SCHEMA_VERSION",
    "TABLES",
    "check_schema",
    "invoice_batches",
    "iter_table",
    "read_invoices",
    "read_table",
    "table_batches",
    "write_batches",
    "write_parquet",
    "write_table",
]
