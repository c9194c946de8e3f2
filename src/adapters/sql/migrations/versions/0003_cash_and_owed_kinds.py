"""0003: the cash and owed kinds (bank transactions, remittances, credit notes, customer
credits, disputes, promises): one table each, the wire document plus partner projections."""

from __future__ import annotations

from alembic import op

from adapters.sql.schema import create_kind_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

KINDS = (
    "bank_transaction",
    "remittance",
    "credit_note",
    "customer_credit",
    "dispute",
    "promise",
)


def upgrade() -> None:
    """Create the six tables with their indexes, as their specs define them."""
    for kind in KINDS:
        create_kind_table(op, kind)
