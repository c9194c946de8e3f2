"""PostgreSQL reads outside a unit of work (ADR 0075): a get by id on the thread's own read
connection and listing pages on the read engine (autocommit, no pre-ping). Connections the
server dropped are replaced and the read repeated, as the pre-ping did before; a forked child
reads on connections of its own."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from contract_support import invoice

import postgres_server
from adapters.sql import SqlStore
from stuut_domain.ports import InvoiceQuery


@pytest.fixture
def pg() -> Iterator[SqlStore]:
    """A store in a fresh schema of the session's PostgreSQL server."""
    pytest.importorskip("psycopg", reason="PostgreSQL needs the [postgresql] extra")
    server, why = postgres_server.server_url()
    if server is None:
        pytest.skip(why or "no PostgreSQL server")
    url, schema = postgres_server.fresh_schema_url(server)
    store = SqlStore(url, create=True)
    yield store
    store.close()
    postgres_server.drop_schema(server, schema)


def _drop_every_other_connection(store: SqlStore) -> int:
    """Terminate every server connection of this database but the one asking (the server
    restarting, as seen by the store's idle connections); how many were dropped."""
    with store.engine.connect() as conn:
        dropped = conn.exec_driver_sql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).scalar()
    store.engine.dispose()  # the writers' pool: its pre-ping would have found out anyway
    return int(dropped or 0)


def test_reads_after_the_server_dropped_the_connections_still_answer(pg: SqlStore) -> None:
    """get, get_versioned, find and ids each work again at once, without an error."""
    version = pg.invoices.add(invoice("inv_0001", memo="kept"))
    query = InvoiceQuery(partner_id="ptn_acme")
    before = (pg.invoices.get("inv_0001"), [i.id for i in pg.invoices.find(query)])
    dropped = _drop_every_other_connection(pg)
    after_get = pg.invoices.get_versioned("inv_0001")
    dropped_again = _drop_every_other_connection(pg)
    after_find = [i.id for i in pg.invoices.find(query)]
    assert (dropped >= 2, dropped_again >= 1) == (True, True)
    assert (before, (after_get.entity, after_get.version), after_find) == (
        (invoice("inv_0001", memo="kept"), ["inv_0001"]),
        (invoice("inv_0001", memo="kept"), version),
        ["inv_0001"],
    )


def test_a_get_sees_a_write_committed_just_before(pg: SqlStore) -> None:
    """The read connection runs in autocommit: no snapshot is held between two gets."""
    version = pg.invoices.add(invoice("inv_0001"))
    pg.invoices.get("inv_0001")
    new = pg.invoices.save(invoice("inv_0001", memo="changed"), expected_version=version)
    got = pg.invoices.get_versioned("inv_0001")
    assert ("changed", new) == (got.entity.memo, got.version)


def test_a_forked_child_reads_on_its_own_connections(pg: SqlStore) -> None:
    """The parent's read connection is open when the child forks; the child's get and find
    answer, and the parent's still do after the child has exited (and closed the store)."""
    pg.invoices.add(invoice("inv_0001"))
    pg.invoices.get("inv_0001")
    list(pg.invoices.find(InvoiceQuery(partner_id="ptn_acme")))
    read_fd, write_fd = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child process
        os.close(read_fd)
        try:
            ok = pg.invoices.get("inv_0001").id == "inv_0001" and [
                i.id for i in pg.invoices.find(InvoiceQuery(partner_id="ptn_acme"))
            ] == ["inv_0001"]
            pg.close()
            os.write(write_fd, b"ok" if ok else b"wrong")
        finally:
            os._exit(0)
    os.close(write_fd)
    answer = os.read(read_fd, 16)
    os.close(read_fd)
    os.waitpid(child, 0)
    parent = (pg.invoices.get("inv_0001").id, list(pg.invoices.ids()))
    assert (b"ok", ("inv_0001", ["inv_0001"])) == (answer, parent)


def test_a_save_after_the_server_dropped_the_connection_is_written_once(pg: SqlStore) -> None:
    """A save outside a unit of work runs on the thread's connection (ADR 0076): when the
    server dropped it, the save fails at its first flight (BEGIN and the UPDATE, nothing
    committed), is sent once more on a new connection, and is written exactly once."""
    pg.invoices.add(invoice("inv_0001", memo="before"))
    first = pg.invoices.save(invoice("inv_0001", memo="one"), expected_version="1")
    dropped = _drop_every_other_connection(pg)
    second = pg.invoices.save(invoice("inv_0001", memo="two"), expected_version=first)
    read = pg.invoices.get_versioned("inv_0001")
    assert (dropped >= 1, first, second, read.version, read.entity.memo) == (
        True,
        "2",
        "3",
        "3",
        "two",
    )
