"""0004: on PostgreSQL, every kind table gets ``doc_jsonb``, the document as ``jsonb``.

``jsonb`` reorders keys and drops duplicates, so it is never read back: ``doc`` (the exact wire
text) stays the record and every read decodes it (ADR 0057). ``doc_jsonb`` is there for ad-hoc
SQL over the document's fields. It is filled here from ``doc`` for every stored row, and the
store writes it with ``doc`` from then on. A document carrying the escape ``\\u0000`` (which
``jsonb`` refuses) gets NULL there, see :func:`adapters.sql.specs.jsonb_text`. On SQLite the
revision changes nothing but the recorded number (``doc`` is already exact JSON text there).

Frozen once released, like every migration: the table list is written out, not read from the
specs, so a kind added later gets its column from its own migration.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = (
    "invoices",
    "partners",
    "payments",
    "workflows",
    "bank_transactions",
    "remittances",
    "credit_notes",
    "customer_credits",
    "disputes",
    "promises",
)


def upgrade() -> None:
    """Add ``doc_jsonb`` to the ten kind tables (PostgreSQL only) and fill it from ``doc``."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.add_column(table, sa.Column("doc_jsonb", JSONB(), nullable=True))
        # strpos on the literal six characters \u0000: the documents jsonb cannot hold.
        op.execute(
            f"UPDATE \"{table}\" SET doc_jsonb = doc::jsonb WHERE strpos(doc, '\\u0000') = 0"  # noqa: S608
        )
