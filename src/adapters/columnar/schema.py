"""The versioned Arrow schema of invoices on columns (ADR 0060).

Rules every column keeps:

* Money is three columns, never a float and never one fixed-scale decimal: ``<name>_minor``
  (``int64``, the exact integer minor units of :class:`~stuut_domain.money.Money`), with the
  row's ``currency`` (``dictionary<int32, string>``, ISO 4217) and ``exponent`` (``int8``,
  the currency's minor-unit digits: JPY 0, EUR 2, KWD 3). The exponent varies per row, and
  engines disagree on decimal semantics; integer sums are exact in DuckDB.
* Instants are ``timestamp[us, UTC]``. A due date or issue instant is also given as the
  calendar day the API wrote it in (``due_day``, ``issue_day``: ``date32``), because the
  library's rules read that day in the offset it was written with (ADR 0028), which an
  instant in UTC no longer carries.
* Enumerations (``type``, ``status``) are dictionary strings; ``status`` is the library's
  :func:`~stuut_domain.invoice.status_of`, so engines need not re-derive it.

The schema carries its name and version in its metadata (``stuut.table``,
``stuut.schema_version``); a reader refuses any other (:func:`check_schema`).
"""

from __future__ import annotations

from typing import Final

import pyarrow as pa

from adapters.errors import ColumnarMismatch

__all__ = ["INVOICES", "SCHEMA_VERSION", "TABLE_KEY", "VERSION_KEY", "check_schema"]

#: The version of the columnar schema; bumped on any change a reader must know about.
SCHEMA_VERSION: Final = "1"
#: Metadata keys naming the table and its schema version.
TABLE_KEY: Final = b"stuut.table"
VERSION_KEY: Final = b"stuut.schema_version"

_TS: Final = pa.timestamp("us", tz="UTC")
_ENUM: Final = pa.dictionary(pa.int32(), pa.string())


def _money(name: str, *, nullable: bool) -> pa.Field:
    return pa.field(f"{name}_minor", pa.int64(), nullable=nullable)


#: One row per invoice: ids, the money triples, the lifecycle instants and their days.
INVOICES: Final = pa.schema(
    [
        pa.field("id", pa.string()),
        pa.field("number", pa.string()),
        pa.field("partner_id", pa.string()),
        pa.field("type", _ENUM),
        pa.field("status", _ENUM, nullable=False),
        pa.field("currency", _ENUM, nullable=False),
        pa.field("exponent", pa.int8(), nullable=False),
        _money("total_amount", nullable=False),
        _money("amount_paid", nullable=True),
        _money("amount_due", nullable=False),
        pa.field("issued_at", _TS),
        pa.field("issue_day", pa.date32()),
        pa.field("due_date", _TS),
        pa.field("due_day", pa.date32()),
        pa.field("paid_at", _TS),
        pa.field("voided_at", _TS),
        pa.field("marked_uncollectible_at", _TS),
        pa.field("promised_to_pay_date", pa.date32()),
        pa.field("in_dispute", pa.bool_()),
    ],
    metadata={TABLE_KEY: b"invoices", VERSION_KEY: SCHEMA_VERSION.encode()},
)


def check_schema(found: pa.Schema, expected: pa.Schema) -> None:
    """Refuse a table that is not ``expected``: another table or version, or a column of
    another name, type or order. Raises :class:`~adapters.errors.ColumnarMismatch` naming
    the first difference."""
    table = (expected.metadata or {}).get(TABLE_KEY, b"?").decode()
    meta = found.metadata or {}
    if meta.get(TABLE_KEY) != expected.metadata[TABLE_KEY]:
        raise ColumnarMismatch(
            table,
            "<schema metadata>",
            f"stuut.table={table!r} (written by stuut-domain)",
            meta.get(TABLE_KEY, b"").decode() or None,
        )
    if meta.get(VERSION_KEY) != SCHEMA_VERSION.encode():
        raise ColumnarMismatch(
            table,
            "<schema metadata>",
            f"stuut.schema_version={SCHEMA_VERSION!r}",
            meta.get(VERSION_KEY, b"").decode() or None,
        )
    names = found.names
    for position, field in enumerate(expected):
        if position >= len(names) or names[position] != field.name:
            got = names[position] if position < len(names) else None
            raise ColumnarMismatch(table, field.name, f"column {position} named it", got)
        if found.field(position).type != field.type:
            raise ColumnarMismatch(table, field.name, str(field.type), str(found[position].type))
    if len(names) > len(expected):
        extra = names[len(expected)]
        raise ColumnarMismatch(table, extra, "no such column", extra)
