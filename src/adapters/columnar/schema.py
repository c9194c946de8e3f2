"""The versioned Arrow schemas of the library's tables on columns (ADR 0060, ADR 0069).

Six tables: invoices, line items, payments, allocations, partners and outreach attempts.

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

__all__ = [
    "ALLOCATIONS",
    "EVALUATION",
    "INVOICES",
    "LINE_ITEMS",
    "OUTREACH_ATTEMPTS",
    "PARTNERS",
    "PAYMENTS",
    "SCHEMAS",
    "SCHEMA_VERSION",
    "TABLE_KEY",
    "VERSION_KEY",
    "check_schema",
]

#: The version of the columnar schema; bumped on any change a reader must know about.
SCHEMA_VERSION: Final = "1"
#: Metadata keys naming the table and its schema version.
TABLE_KEY: Final = b"stuut.table"
VERSION_KEY: Final = b"stuut.schema_version"

_TS: Final = pa.timestamp("us", tz="UTC")
_ENUM: Final = pa.dictionary(pa.int32(), pa.string())


def _money(name: str, *, nullable: bool) -> pa.Field:
    return pa.field(f"{name}_minor", pa.int64(), nullable=nullable)


def _meta(table: str) -> dict[bytes, bytes]:
    return {TABLE_KEY: table.encode(), VERSION_KEY: SCHEMA_VERSION.encode()}


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
    metadata=_meta("invoices"),
)

#: One row per line item (``Invoice.line_items``). The money shares the row's currency (the
#: line item's, else its amounts'; null with no amount); ``quantity`` is the exact decimal
#: text (``"2.5"``), never a float.
LINE_ITEMS: Final = pa.schema(
    [
        pa.field("invoice_id", pa.string(), nullable=False),
        pa.field("remote_id", pa.string()),
        pa.field("line_number", pa.int64()),
        pa.field("name", pa.string()),
        pa.field("description", pa.string()),
        pa.field("product_type", _ENUM),
        pa.field("currency", _ENUM),
        pa.field("exponent", pa.int8()),
        pa.field("quantity", pa.string()),
        _money("unit_amount", nullable=True),
        _money("total_amount", nullable=True),
        _money("total_discount", nullable=True),
        _money("total_tax", nullable=True),
        pa.field("period_start_date", _TS),
        pa.field("period_end_date", _TS),
        pa.field("created_at", _TS),
        pa.field("modified_at", _TS),
    ],
    metadata=_meta("line_items"),
)

#: One row per payment received. ``currency_rate`` is the exact decimal text.
PAYMENTS: Final = pa.schema(
    [
        pa.field("id", pa.string()),
        pa.field("remote_id", pa.string()),
        pa.field("partner_id", pa.string()),
        pa.field("status", _ENUM),
        pa.field("payment_method", _ENUM),
        pa.field("currency", _ENUM),
        pa.field("exponent", pa.int8()),
        _money("amount", nullable=True),
        _money("amount_refunded", nullable=True),
        pa.field("currency_rate", pa.string()),
        pa.field("reference_number", pa.string()),
        pa.field("remittance_id", pa.string()),
        pa.field("bank_transaction_id", pa.string()),
        pa.field("timestamp", _TS),
        pa.field("expected_at", _TS),
        pa.field("initiated_at", _TS),
        pa.field("created_at", _TS),
        pa.field("modified_at", _TS),
    ],
    metadata=_meta("payments"),
)

#: One row per allocation of a payment to an invoice, in the invoice's currency.
ALLOCATIONS: Final = pa.schema(
    [
        pa.field("id", pa.string()),
        pa.field("payment_id", pa.string(), nullable=False),
        pa.field("invoice_id", pa.string(), nullable=False),
        pa.field("strategy", _ENUM, nullable=False),
        pa.field("currency", _ENUM, nullable=False),
        pa.field("exponent", pa.int8(), nullable=False),
        _money("amount", nullable=False),
        pa.field("approved", pa.bool_()),
        pa.field("approved_at", _TS),
        pa.field("approver_id", pa.string()),
        pa.field("created_at", _TS),
        pa.field("modified_at", _TS),
    ],
    metadata=_meta("allocations"),
)

#: One row per partner (customer); its balances in the row's currency.
PARTNERS: Final = pa.schema(
    [
        pa.field("id", pa.string()),
        pa.field("name", pa.string()),
        pa.field("legal_name", pa.string()),
        pa.field("type", _ENUM),
        pa.field("is_company", pa.bool_()),
        pa.field("is_active", pa.bool_()),
        pa.field("parent_id", pa.string()),
        pa.field("assignee_id", pa.string()),
        pa.field("email", pa.string()),
        pa.field("timezone", pa.string()),
        pa.field("currency", _ENUM),
        pa.field("exponent", pa.int8()),
        _money("invoice_balance", nullable=True),
        _money("total_overdue", nullable=True),
        pa.field("num_open_invoices", pa.int64()),
        pa.field("last_outreach_at", _TS),
        pa.field("last_outreach_channel", _ENUM),
        pa.field("last_inbound_at", _TS),
        pa.field("created_at", _TS),
        pa.field("modified_at", _TS),
    ],
    metadata=_meta("partners"),
)

#: One row per outreach attempt (:class:`~stuut_domain.outreach.state.SentOutreach`).
OUTREACH_ATTEMPTS: Final = pa.schema(
    [
        pa.field("partner_id", pa.string()),
        pa.field("channel", _ENUM, nullable=False),
        pa.field("sent_at", _TS, nullable=False),
        pa.field("outcome", _ENUM, nullable=False),
        pa.field("to", pa.list_(pa.string()), nullable=False),
        pa.field("invoice_ids", pa.list_(pa.string()), nullable=False),
    ],
    metadata=_meta("outreach_attempts"),
)

#: One row per invoice evaluated by :func:`~adapters.columnar.rules.evaluate_batch` (ADR
#: 0074): the core's answers for the invoice at an instant, not a table of the book (so not
#: in :data:`SCHEMAS`). ``status`` is :func:`~stuut_domain.invoice.status_of`;
#: ``overdue_days`` is :func:`~stuut_domain.lifecycle.days_past_due` (never negative);
#: ``eligible`` and ``blockers`` (the blocker codes in evaluation order, empty when
#: eligible) are :func:`~stuut_domain.outreach.decide_outreach` for that invoice on
#: ``channel``, both null when the invoice's partner is not known.
EVALUATION: Final = pa.schema(
    [
        pa.field("id", pa.string()),
        pa.field("partner_id", pa.string()),
        pa.field("channel", _ENUM, nullable=False),
        pa.field("status", _ENUM, nullable=False),
        pa.field("overdue_days", pa.int32(), nullable=False),
        pa.field("eligible", pa.bool_()),
        pa.field("blockers", pa.list_(pa.string())),
    ],
    metadata=_meta("evaluation"),
)

#: Every table's schema by its name (the ``stuut.table`` metadata).
SCHEMAS: Final = {
    "invoices": INVOICES,
    "line_items": LINE_ITEMS,
    "payments": PAYMENTS,
    "allocations": ALLOCATIONS,
    "partners": PARTNERS,
    "outreach_attempts": OUTREACH_ATTEMPTS,
}


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
