"""0002: the normalised allocations ledger, filled from the invoices already stored.

Every allocation an invoice lists with an id becomes one row keyed by that id (ADR 0058), so
the database itself refuses one allocation on two invoices and a repeated posting.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from adapters.sql.ledger import allocation_rows
from adapters.stuut_json import decode_invoice

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``allocations`` and copy in every identified allocation of every invoice."""
    ledger = op.create_table(
        "allocations",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("invoice_id", sa.String(128), nullable=False),
        sa.Column("payment_id", sa.Text, nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("strategy", sa.Text, nullable=False),
        sa.Column("approved", sa.Boolean, nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_allocations_invoice_id", "allocations", ["invoice_id"])
    invoices = sa.table("invoices", sa.column("id", sa.String), sa.column("doc", sa.Text))
    bind = op.get_bind()
    for invoice_id, doc in bind.execute(sa.select(invoices.c.id, invoices.c.doc)):
        rows = allocation_rows(invoice_id, decode_invoice(doc))
        if rows:
            bind.execute(sa.insert(ledger), rows)
