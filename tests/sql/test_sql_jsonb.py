"""Migration 0004: ``doc_jsonb`` beside the exact text on PostgreSQL, from a 0003 store."""

from __future__ import annotations

import json

import attrs
import pytest
import sqlalchemy as sa
from contract_support import invoice, partner

from adapters import stuut_json
from adapters.errors import SchemaOutOfDate
from adapters.sql import SqlStore, schema
from adapters.sql.specs import jsonb_text
from adapters.sql.store import engine_url

#: A document key order jsonb does not keep (it sorts keys by length, then bytes).
_UNSORTED = {"zeta_note": "last key first", "a": 1}


def _store_at_0003(url: str) -> tuple[str, str]:
    """A database as revision 0003 left it: an invoice (with unknown wire fields in an order
    jsonb does not keep), a partner, and an invoice whose memo holds a NUL character."""
    plain = attrs.evolve(invoice("inv_2024_0042"), custom_fields=_UNSORTED)
    with_nul = invoice("inv_2024_0043", memo="before\x00after")
    docs = {
        "inv_2024_0042": stuut_json.encode_invoice(plain).decode(),
        "inv_2024_0043": stuut_json.encode_invoice(with_nul).decode(),
    }
    engine = sa.create_engine(engine_url(url))
    with engine.begin() as conn:
        schema.upgrade(conn, "0003")
        for invoice_id, doc in docs.items():
            conn.execute(
                sa.text("INSERT INTO invoices (id, version, doc) VALUES (:id, 3, :doc)"),
                {"id": invoice_id, "doc": doc},
            )
        conn.execute(
            sa.text("INSERT INTO partners (id, version, doc) VALUES ('ptn_acme', 1, :doc)"),
            {"doc": stuut_json.encode_partner(partner("ptn_acme")).decode()},
        )
    engine.dispose()
    return docs["inv_2024_0042"], docs["inv_2024_0043"]


def _jsonb_of(url: str, table: str, entity_id: str) -> object:
    engine = sa.create_engine(engine_url(url))
    with engine.connect() as conn:
        value = conn.execute(
            sa.text(f"SELECT doc_jsonb FROM {table} WHERE id = :id"),
            {"id": entity_id},
        ).scalar_one()
    engine.dispose()
    return value


def _columns(url: str, table: str) -> set[str]:
    engine = sa.create_engine(engine_url(url))
    with engine.connect() as conn:
        names = {c["name"] for c in sa.inspect(conn).get_columns(table)}
    engine.dispose()
    return names


def test_a_0003_store_says_to_migrate_then_reads_the_exact_text(db_url: str) -> None:
    """0003 found: SchemaOutOfDate; after migrate=True every read returns the stored text."""
    plain_doc, nul_doc = _store_at_0003(db_url)
    with pytest.raises(SchemaOutOfDate) as caught:
        SqlStore(db_url)
    store = SqlStore(db_url, migrate=True)
    try:
        got = store.invoices.get_versioned("inv_2024_0042")
        assert (
            ("0003", "0004"),
            "0004",
            ("3", plain_doc),
            ("3", nul_doc),
            _UNSORTED,
            "before\x00after",
        ) == (
            (caught.value.found, caught.value.expected),
            store.schema_revision(),
            store.invoices.raw("inv_2024_0042"),
            store.invoices.raw("inv_2024_0043"),
            got.entity.custom_fields,
            store.invoices.get("inv_2024_0043").memo,
        )
    finally:
        store.close()


def test_the_migration_fills_jsonb_from_the_text_on_postgresql(db_url: str) -> None:
    """PostgreSQL: every kind table gets doc_jsonb, filled from doc (NULL where jsonb cannot
    hold the document); SQLite: no such column, only the revision moves."""
    plain_doc, _nul_doc = _store_at_0003(db_url)
    SqlStore(db_url, migrate=True).close()
    columns = {t: "doc_jsonb" in _columns(db_url, t) for t in ("invoices", "promises")}
    if db_url.startswith("sqlite"):
        assert {"invoices": False, "promises": False} == columns
        return
    assert (
        {"invoices": True, "promises": True},
        json.loads(plain_doc),
        None,
        "ptn_acme",
    ) == (
        columns,
        _jsonb_of(db_url, "invoices", "inv_2024_0042"),
        _jsonb_of(db_url, "invoices", "inv_2024_0043"),
        _jsonb_of(db_url, "partners", "ptn_acme")["id"],  # type: ignore[index]
    )


def test_writes_keep_jsonb_in_step_with_the_text(db_url: str) -> None:
    """add and save write doc_jsonb from the same text as doc; reads still decode doc."""
    if db_url.startswith("sqlite"):
        pytest.skip("doc_jsonb is PostgreSQL's (SQLite keeps only the exact text)")
    store = SqlStore(db_url, create=True)
    try:
        first = attrs.evolve(invoice("inv_2024_0050"), custom_fields=_UNSORTED)
        store.invoices.add(first)
        after_add = _jsonb_of(db_url, "invoices", "inv_2024_0050")
        second = attrs.evolve(first, memo="second\x00write")
        version = store.invoices.save(second, expected_version="1")
        after_nul = _jsonb_of(db_url, "invoices", "inv_2024_0050")
        third = attrs.evolve(first, memo="third write")
        store.invoices.save(third, expected_version=version)
        version_doc = store.invoices.raw("inv_2024_0050")
        assert (
            json.loads(stuut_json.encode_invoice(first)),
            None,
            json.loads(version_doc[1]),
            ("3", stuut_json.encode_invoice(third).decode()),
            third,
        ) == (
            after_add,
            after_nul,
            _jsonb_of(db_url, "invoices", "inv_2024_0050"),
            version_doc,
            store.invoices.get("inv_2024_0050"),
        )
    finally:
        store.close()


def test_jsonb_text_refuses_only_what_jsonb_cannot_hold() -> None:
    """A document with the escape \\u0000 gets NULL; any other document goes in as it is."""
    assert (None, '{"a":"x"}') == (jsonb_text('{"a":"\\u0000"}'), jsonb_text('{"a":"x"}'))
