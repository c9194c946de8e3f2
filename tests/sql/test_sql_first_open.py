"""Rival first openers of an empty database (the flake of
``test_many_openers_of_an_empty_database_all_succeed[sqlite]``): two races, both fixed in the
adapter. The schema check read "no revision" and "is there an invoices table" in two
statements, so a rival's schema could land between them ("an invoices table but no recorded
revision"); and SQLite's switch to WAL answers ``database is locked`` at once, without the
busy handler, when rivals switch a new file together."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from adapters.sql import SqlStore, schema
from adapters.sql import store as sql_store


class TestTheSchemaCheckReadsOneSnapshot:
    def test_a_rival_creating_the_store_between_the_two_reads_is_no_error(
        self, db_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A rival that creates the store right after the opener read "no revision" leaves
        the opener deciding on one snapshot, then on what is there: it opens the one store."""
        real = schema.current_revision
        rival_done: list[str | None] = []

        def revision_then_a_rival(connection: Any) -> str | None:
            found = real(connection)
            if not rival_done:
                rival_done.append(None)

                def rival() -> None:
                    other = SqlStore(db_url, create=True)
                    rival_done.append(other.schema_revision())
                    other.close()

                thread = threading.Thread(target=rival)
                thread.start()
                thread.join(timeout=60)
            return found

        monkeypatch.setattr(schema, "current_revision", revision_then_a_rival)
        opened = SqlStore(db_url, create=True)
        assert rival_done == [None, schema.HEAD]
        assert opened.schema_revision() == schema.HEAD
        opened.close()


class TestTheWalSwitchWaitsForRivals:
    def test_the_switch_waits_out_a_lock_sqlite_would_not_wait_for(self, tmp_path: Path) -> None:
        """With SQLite's own busy handler off, the switch still waits for a rival's lock to go
        and then puts the file in WAL mode."""
        path = tmp_path / "book.db"
        rival = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        rival.execute("CREATE TABLE t (x)")
        rival.execute("BEGIN EXCLUSIVE")
        opener = sqlite3.connect(path, isolation_level=None, timeout=0)
        release = threading.Timer(0.2, rival.rollback)
        release.start()
        sql_store._switch_to_wal(opener.cursor(), 30.0)
        release.join()
        assert opener.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        opener.close()
        rival.close()

    def test_a_lock_held_past_the_timeout_is_the_drivers_error(self, tmp_path: Path) -> None:
        """A rival that never lets go: after the timeout the switch gives up with the
        driver's "database is locked" (the store turns it into SqlStoreUnavailable)."""
        path = tmp_path / "book.db"
        rival = sqlite3.connect(path, isolation_level=None)
        rival.execute("CREATE TABLE t (x)")
        rival.execute("BEGIN EXCLUSIVE")
        opener = sqlite3.connect(path, isolation_level=None, timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            sql_store._switch_to_wal(opener.cursor(), 0.05)
        rival.rollback()
        assert opener.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        opener.close()
        rival.close()


def _open_and_report(url: str, barrier: Any, results: Any) -> None:
    barrier.wait()
    try:
        store = SqlStore(url, create=True)
        results.put(("ok", store.schema_revision()))
        store.close()
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the test
        results.put(("error", f"{type(exc).__name__}: {exc}"))


@pytest.mark.slow
class TestManyProcessesOpenOneNewDatabase:
    def test_four_processes_opening_a_new_database_all_open_it(
        self, db_url: str, tmp_path: Path
    ) -> None:
        """Four OS processes released together open one new database 25 times over: every
        opener opens the store at the head revision, none fails."""
        context = multiprocessing.get_context("fork")
        failures: list[object] = []
        schemas: list[str] = []
        for round_ in range(25):
            url = (
                f"sqlite:///{tmp_path / f'book{round_}.db'}"
                if db_url.startswith("sqlite")
                else _fresh_url(db_url, round_, schemas)
            )
            barrier, results = context.Barrier(4), context.Queue()
            workers = [
                context.Process(target=_open_and_report, args=(url, barrier, results))
                for _ in range(4)
            ]
            for worker in workers:
                worker.start()
            outcomes = [results.get(timeout=120) for _ in workers]
            for worker in workers:
                worker.join(timeout=60)
            failures.extend(o for o in outcomes if o != ("ok", schema.HEAD))
        if schemas:
            _drop_schemas(db_url, schemas)
        assert failures == []


def _fresh_url(db_url: str, round_: int, schemas: list[str]) -> str:
    """A URL on the same PostgreSQL server naming a new, empty schema of its own."""
    import urllib.parse

    import psycopg

    base = db_url.partition("&options=")[0]
    name = f"opener{round_}_{os.getpid()}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    schemas.append(name)
    return f"{base}&options={urllib.parse.quote(f'-csearch_path={name}')}"


def _drop_schemas(db_url: str, schemas: list[str]) -> None:
    import psycopg

    with psycopg.connect(db_url.partition("&options=")[0], autocommit=True) as conn:
        for name in schemas:
            conn.execute(f'DROP SCHEMA "{name}" CASCADE')
