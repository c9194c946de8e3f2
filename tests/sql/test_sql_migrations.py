"""Schema revisions: a store made by an older version says what to run, then opens migrated."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa
from contract_support import invoice

from adapters import stuut_json
from adapters.errors import SchemaOutOfDate, SqlStoreNotFound
from adapters.sql import SqlStore, schema
from adapters.sql.store import engine_url
from stuut_domain.money import Money
from stuut_domain.payment import PaymentAllocation


def _older_store(url: str) -> None:
    """A database exactly as revision 0001 left it, holding one invoice with an allocation."""
    engine = sa.create_engine(engine_url(url))
    allocated = attrs.evolve(
        invoice("inv_2024_0042", paid=100_00),
        payments=(
            PaymentAllocation(
                amount=Money(100_00, "EUR"),
                invoice_id="inv_2024_0042",
                object="payment_allocation",
                payment_id="pay_0007",
                strategy="manual",
                id="alloc_old",
                approved=True,
            ),
        ),
    )
    with engine.begin() as conn:
        schema.upgrade(conn, "0001")
        conn.execute(
            sa.text("INSERT INTO invoices (id, version, doc) VALUES (:id, 1, :doc)"),
            {"id": "inv_2024_0042", "doc": stuut_json.encode_invoice(allocated).decode()},
        )
    engine.dispose()


def test_an_older_store_says_exactly_what_to_run(db_url: str) -> None:
    """Revision 0001 found: SchemaOutOfDate names both revisions and the migrate command."""
    _older_store(db_url)
    with pytest.raises(SchemaOutOfDate) as caught:
        SqlStore(db_url)
    message = str(caught.value)
    assert ("0001", schema.HEAD, True, False) == (
        caught.value.found,
        caught.value.expected,
        f"stuut-domain store migrate {db_url}" in message,
        caught.value.newer,
    )


def test_an_older_store_opens_after_migrating_with_its_ledger_filled(db_url: str) -> None:
    """migrate=True upgrades to HEAD; the allocations the invoices list fill the new ledger."""
    _older_store(db_url)
    store = SqlStore(db_url, migrate=True)
    got = store.invoices.get_versioned("inv_2024_0042")
    assert (schema.HEAD, "1", ["alloc_old"], Money(1_150_00, "EUR")) == (
        store.schema_revision(),
        got.version,
        store.allocation_ids("inv_2024_0042"),
        got.entity.amount_due,
    )
    store.close()


def test_a_store_from_a_newer_library_is_refused(db_url: str) -> None:
    """An unknown, newer revision: refused with 'upgrade the library', nothing touched."""
    SqlStore(db_url, create=True).close()
    engine = sa.create_engine(engine_url(db_url))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    with pytest.raises(SchemaOutOfDate, match="newer stuut-domain") as caught:
        SqlStore(db_url, migrate=True)
    assert "0099" == caught.value.found


def test_a_missing_database_file_is_not_an_empty_store(tmp_path: Path) -> None:
    """A typo in the path is SqlStoreNotFound, and no file is created."""
    path = tmp_path / "typo.db"
    with pytest.raises(SqlStoreNotFound, match="does not exist"):
        SqlStore(f"sqlite:///{path}")
    assert not path.exists()


def test_an_empty_database_needs_create(db_url: str) -> None:
    """A database without the store's tables is refused unless create=True."""
    if db_url.startswith("sqlite"):
        empty = sa.create_engine(db_url)
        empty.connect().close()  # an empty database file
        empty.dispose()
    with pytest.raises(SqlStoreNotFound, match="no store tables"):
        SqlStore(db_url)
    store = SqlStore(db_url, create=True)
    revision = store.schema_revision()
    store.close()
    assert schema.HEAD == revision
