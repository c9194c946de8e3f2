"""The SQL store: the repository ports on SQLite (embedded default) or PostgreSQL.

Needs the optional extra ``stuut-domain[sql]`` (SQLAlchemy, Alembic) and, for PostgreSQL,
``stuut-domain[postgresql]`` (psycopg 3). The core imports none of it. See ADR 0057 (table
shape), 0058 (concurrency and the allocations ledger) and 0059 (migrations).

Adding a kind: one :class:`TableSpec` in :data:`adapters.sql.specs.SPECS` (kind, table,
codec pair, projections, how its query narrows), one migration in
``adapters/sql/migrations/versions`` calling :func:`adapters.sql.schema.create_kind_table`
(and a new :data:`adapters.sql.schema.HEAD`), and one attribute on the repositories
(``_Repositories`` in :mod:`adapters.sql.store`).
"""

from __future__ import annotations

from adapters.sql.copy import copy_store, open_store
from adapters.sql.specs import SPECS, Projection, TableSpec
from adapters.sql.store import SqlRepository, SqlStore, SqlUnitOfWork

__all__ = [
    "SPECS",
    "Projection",
    "SqlRepository",
    "SqlStore",
    "SqlUnitOfWork",
    "TableSpec",
    "copy_store",
    "open_store",
]
