"""0001: one table per kind (invoices, partners, payments, workflows), document + projections.

Frozen as first released: later spec changes get their own migration, never an edit here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_INSTANT = sa.DateTime(timezone=True)


def _base() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("doc", sa.Text, nullable=False),
    ]


def upgrade() -> None:
    """Create the four kind tables and their indexes."""
    op.create_table(
        "invoices",
        *_base(),
        sa.Column("partner_id", sa.Text),
        sa.Column("status", sa.Text),
        sa.Column("currency", sa.String(3)),
        sa.Column("amount_due_minor", sa.BigInteger),
        sa.Column("due_date", _INSTANT),
        sa.Column("modified_at", _INSTANT),
        sa.Column("open_receivable", sa.Boolean),
    )
    for column in ("status", "currency", "due_date", "modified_at"):
        op.create_index(f"ix_invoices_{column}", "invoices", [column])
    op.create_index("ix_invoices_partner_open", "invoices", ["partner_id", "open_receivable"])
    op.create_table(
        "partners",
        *_base(),
        sa.Column("currency", sa.String(3)),
        sa.Column("modified_at", _INSTANT),
    )
    op.create_index("ix_partners_currency", "partners", ["currency"])
    op.create_table(
        "payments",
        *_base(),
        sa.Column("partner_id", sa.Text),
        sa.Column("currency", sa.String(3)),
        sa.Column("status", sa.Text),
        sa.Column("amount_minor", sa.BigInteger),
        sa.Column("modified_at", _INSTANT),
    )
    op.create_index("ix_payments_partner_id", "payments", ["partner_id"])
    op.create_index("ix_payments_currency", "payments", ["currency"])
    op.create_table("workflows", *_base(), sa.Column("is_active", sa.Boolean))
    op.create_index("ix_workflows_is_active", "workflows", ["is_active"])
