"""The SQL store's tables (built from the specs) and its migrations (Alembic, ADR 0059).

:func:`metadata` gives the current schema: one table per :class:`~adapters.sql.specs.TableSpec`
plus the normalised ``allocations`` ledger. The schema version lives in Alembic's own
``alembic_version`` table; :func:`current_revision` reads it and :func:`upgrade` runs the
migrations in ``adapters/sql/migrations`` up to :data:`HEAD`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from adapters.sql.specs import SPECS, TableSpec

__all__ = [
    "HEAD",
    "alembic_config",
    "allocations_table",
    "create_kind_table",
    "current_revision",
    "has_jsonb",
    "known_revisions",
    "metadata",
    "upgrade",
]

#: The revision this library's code expects (the newest migration).
HEAD = "0004"

_SCRIPT_LOCATION = "adapters.sql:migrations"


def _allocation_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("invoice_id", sa.String(128), nullable=False, index=True),
        sa.Column("payment_id", sa.Text, nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("strategy", sa.Text, nullable=False),
        sa.Column("approved", sa.Boolean, nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
    ]


def _kind_table(meta: sa.MetaData, spec: TableSpec, *, jsonb: bool) -> sa.Table:
    table = sa.Table(spec.table, meta, *spec.columns(jsonb=jsonb))
    for name, columns in spec.index_definitions():
        sa.Index(name, *(table.c[c] for c in columns))
    return table


def has_jsonb(dialect_name: str) -> bool:
    """Whether the kind tables carry ``doc_jsonb`` on this database (PostgreSQL, from 0004)."""
    return dialect_name == "postgresql"


def metadata(*, jsonb: bool = False) -> tuple[sa.MetaData, dict[str, sa.Table], sa.Table]:
    """The current schema: (metadata, table per kind, the allocations ledger); ``jsonb``: the
    kind tables as on PostgreSQL, with ``doc_jsonb`` (migration 0004)."""
    meta = sa.MetaData()
    tables = {kind: _kind_table(meta, spec, jsonb=jsonb) for kind, spec in SPECS.items()}
    ledger = sa.Table("allocations", meta, *_allocation_columns())
    return meta, tables, ledger


def allocations_table(meta: sa.MetaData) -> sa.Table:
    """The allocations ledger as a new table in ``meta`` (for migrations)."""
    return sa.Table("allocations", meta, *_allocation_columns())


def create_kind_table(op: Any, kind: str, *, jsonb: bool = False) -> None:
    """In a migration: create the table and indexes of ``kind`` as its spec defines them now.

    For a *new* kind's first migration (one call). A later change to an existing spec needs
    its own explicit migration (add the column, fill it), never an edit of an old one. A kind
    added after 0004 passes ``jsonb=True``: on PostgreSQL its table then gets ``doc_jsonb`` as
    every other kind table has (0003 and older create theirs without it; 0004 adds it).
    """
    spec = SPECS[kind]
    with_jsonb = jsonb and has_jsonb(op.get_bind().dialect.name)
    op.create_table(spec.table, *spec.columns(jsonb=with_jsonb))
    for name, columns in spec.index_definitions():
        op.create_index(name, spec.table, columns)


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """Alembic's configuration for the store's migrations, bound to ``connection`` if given."""
    config = Config()
    config.set_main_option("script_location", _SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def known_revisions() -> set[str]:
    """Every revision the bundled migrations know."""
    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def current_revision(connection: sa.Connection) -> str | None:
    """The schema revision recorded in the database (``None``: never migrated)."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: sa.Connection, revision: str = HEAD) -> None:
    """Run the migrations on ``connection`` up to ``revision`` (default: :data:`HEAD`)."""
    command.upgrade(alembic_config(connection), revision)
