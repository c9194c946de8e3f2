"""SQL store benchmarks (issue 17): SQLite and PostgreSQL beside the JSON and memory stores,
in the same run.

The same slim invoices (``bench_stores.slim_invoice``) go into a SQLite file (WAL,
``synchronous=FULL``), a PostgreSQL server started for the run (``fsync=on``: durable,
unlike the tests' server; :func:`adapters.sql.testing.start_server`), a JSON store directory
and a memory store. Then the same questions are timed: one partner's open invoices, ``get``
by id, and a durable single ``save``. The SQLite save is compared with SQLite's own cost per
commit at ``synchronous=FULL`` (plain ``sqlite3``, same disk); the PostgreSQL save with a raw
psycopg one-row ``INSERT`` + ``COMMIT`` on the same server, timed interleaved. The PostgreSQL
get is timed interleaved with the JSON store's get and with its floor, a raw psycopg prepared
``SELECT`` by id (one socket round trip, nothing decoded), so the ratio is explained in the
same run. Without
PostgreSQL binaries the PostgreSQL figures are one row saying why.

Size: 100,000 invoices (``--quick``: 5,000); ``STUUT_BENCH_SQL_COUNT`` overrides both.
``rows(quick)`` returns one dict per figure. Run alone: ``python -m bench.bench_sql [--quick]``.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from adapters import stuut_json
from adapters.json_store import JsonStore
from adapters.memory import MemoryStore
from adapters.sql import SqlStore
from adapters.sql.testing import start_server
from bench.bench_stores import _median_seconds, _row, slim_invoice
from bench.timing import median_seconds
from stuut_domain.ports import InvoiceQuery


def _bulk_load(store: SqlStore, count: int, partners: int) -> float:
    """Seconds to add ``count`` invoices with ``add_many``, 1,000 per call (each call one
    transaction, as ``store copy`` writes a batch); building the invoices is counted."""
    start = time.perf_counter()
    numbers = iter(range(count))
    while batch := list(itertools.islice(numbers, 1000)):
        store.invoices.add_many(slim_invoice(n, partners) for n in batch)
    return time.perf_counter() - start


def _sqlite_commit(path: Path) -> tuple[Callable[[], None], sqlite3.Connection]:
    """One one-row commit in plain sqlite3, WAL and ``synchronous=FULL`` (and its connection)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    conn.execute("INSERT INTO t VALUES (1, 'x')")
    payload = "x" * 600
    counter = itertools.count()

    def commit() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE t SET v = ? WHERE id = 1", (f"{payload}{next(counter)}",))
        conn.execute("COMMIT")

    return commit, conn


def _save_seconds(
    sql: SqlStore, files: JsonStore, target_id: str, plain: Path
) -> tuple[float, float, float, float]:
    """Median seconds of: a SQL save alone, a SQL read-modify-save, a JSON read-modify-save
    and a plain sqlite3 commit, timed interleaved (a busy disk moment hits all alike)."""
    memos = itertools.count()

    alone_id = "inv_00000001"  # saved alone; the read-modify-saves write target_id
    base = sql.invoices.get_versioned(alone_id)
    changes = [attrs.evolve(base.entity, memo=f"m{n}") for n in range(2)]
    held = {"version": base.version}

    def sql_save_only() -> None:
        # The save alone, at the version the previous save returned (no read).
        entity = changes[next(memos) % 2]
        held["version"] = sql.invoices.save(entity, expected_version=held["version"])

    def sql_save() -> None:
        read = sql.invoices.get_versioned(target_id)
        changed = attrs.evolve(read.entity, memo=f"m{next(memos)}")
        sql.invoices.save(changed, expected_version=read.version)

    def json_save() -> None:
        read = files.invoices.get_versioned(target_id)
        changed = attrs.evolve(read.entity, memo=f"m{next(memos)}")
        files.invoices.save(changed, expected_version=read.version)

    commit, conn = _sqlite_commit(plain)
    times = median_seconds(
        {"save": sql_save_only, "rms": sql_save, "json": json_save, "commit": commit},
        repeat=15,
        budget=0.05,
    )
    conn.close()
    return times["save"], times["rms"], times["json"], times["commit"]


def rows(quick: bool) -> list[dict[str, object]]:
    """Bulk load, one partner's open invoices, get by id and durable save, SQLite vs JSON."""
    count = int(os.environ.get("STUUT_BENCH_SQL_COUNT") or (5_000 if quick else 100_000))
    partners = max(count // 100, 1)
    partner = f"ptn_{partners // 2 + 1:06d}"
    query = InvoiceQuery(partner_id=partner, open_only=True)
    out: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="stuut-bench-sql-") as tmp:
        root = Path(tmp)
        sql = SqlStore(f"sqlite:///{root / 'book.db'}", create=True)
        load = _bulk_load(sql, count, partners)
        folder = root / "json" / "invoices"
        folder.mkdir(parents=True)
        for n in range(count):
            invoice = slim_invoice(n, partners)
            (folder / f"{invoice.id}.json").write_bytes(stuut_json.encode_invoice(invoice))
        files = JsonStore(root / "json")
        memory = MemoryStore()
        for n in range(count):
            memory.invoices.add(slim_invoice(n, partners))

        expected = sorted(str(i.id) for i in files.invoices.find(query))
        if not expected or expected != sorted(str(i.id) for i in sql.invoices.find(query)):
            raise RuntimeError("the SQL and JSON stores disagree, or the query matches nothing")

        def sql_partner() -> int:
            return sum(1 for _ in sql.invoices.find(query))

        def json_partner() -> int:
            return sum(1 for _ in files.invoices.find(query))

        t_sql_partner = _median_seconds(sql_partner, 51)
        t_json_partner = _median_seconds(json_partner, 3)
        t_memory_partner = _median_seconds(lambda: sum(1 for _ in memory.invoices.find(query)), 51)
        ids = [f"inv_{n:08d}" for n in range(0, count, max(count // 200, 1))]
        cycle_sql, cycle_json = itertools.cycle(ids), itertools.cycle(ids)
        t_sql_get = _median_seconds(lambda: sql.invoices.get(next(cycle_sql)), 401)
        t_json_get = _median_seconds(lambda: files.invoices.get(next(cycle_json)), 401)
        cycle_memory = itertools.cycle(ids)
        t_memory_get = _median_seconds(lambda: memory.invoices.get(next(cycle_memory)), 401)

        target_id = ids[len(ids) // 2]
        t_sql_save_only, t_sql_save, t_json_save, t_commit = _save_seconds(
            sql, files, target_id, root / "plain.db"
        )
        sql.close()
        pg_rows = _postgres_rows(
            count=count,
            partners=partners,
            query=query,
            expected=expected,
            ids=ids,
            json_get=lambda: files.invoices.get(next(cycle_json)),
            t_sqlite_commit=t_commit,
        )

    label = f"{count:,}"
    out.append(
        _row(
            f"SQLite store: bulk load {label} invoices (add_many, 1,000 per transaction)",
            value=load,
            unit="s",
            peer="the issue's budget",
            peer_value=30.0 * count / 100_000,
            target="<= 1.0 (30 s per 100,000)",
            ok=load <= 30.0 * count / 100_000,
        )
    )
    out.append(
        _row(
            f"SQLite store: one partner's open invoices of {label} (index)",
            value=t_sql_partner * 1e3,
            unit="ms",
            peer="JSON store, same query (decodes every file)",
            peer_value=t_json_partner * 1e3,
            target="<= 5 ms",
            ok=t_sql_partner <= 0.005,
        )
    )
    out.append(
        _row(
            f"Memory store: one partner's open invoices of {label} (index), same run",
            value=t_memory_partner * 1e3,
            unit="ms",
            peer="SQLite store, same query",
            peer_value=t_sql_partner * 1e3,
            target="info",
            ok=True,
        )
    )
    out.append(
        _row(
            f"SQLite store: get by id ({label} stored)",
            value=t_sql_get * 1e6,
            unit="µs",
            peer="JSON store get by id",
            peer_value=t_json_get * 1e6,
            target="<= 2.0",
            ok=t_sql_get <= 2 * t_json_get,
        )
    )
    out.append(
        _row(
            f"Memory store: get by id ({label} stored), same run",
            value=t_memory_get * 1e6,
            unit="µs",
            peer="JSON store get by id",
            peer_value=t_json_get * 1e6,
            target="info",
            ok=True,
        )
    )
    out.append(
        _row(
            "SQLite store: durable single save of one invoice",
            value=t_sql_save_only * 1e3,
            unit="ms",
            peer="plain sqlite3 one-row commit, WAL, synchronous=FULL",
            peer_value=t_commit * 1e3,
            target="<= 2.0",
            ok=t_sql_save_only <= 2 * t_commit,
        )
    )
    out.append(
        _row(
            "SQLite store: durable read-modify-save of one invoice, vs the JSON store",
            value=t_sql_save * 1e3,
            unit="ms",
            peer="JSON store read-modify-save (two fsyncs)",
            peer_value=t_json_save * 1e3,
            target="info",
            ok=True,
        )
    )
    return out + pg_rows


def _psycopg_commit(url: str) -> tuple[Callable[[], None], Any]:
    """One raw psycopg one-row ``INSERT`` + ``COMMIT`` (and its connection): the server's own
    durable-commit cost, without the store."""
    import psycopg

    conn = psycopg.connect(url)
    conn.execute("CREATE TABLE bench_raw (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL)")
    conn.commit()
    payload = "x" * 600

    def commit() -> None:
        conn.execute("INSERT INTO bench_raw (v) VALUES (%s)", (payload,))
        conn.commit()

    return commit, conn


def _psycopg_get(url: str, ids: list[str]) -> tuple[Callable[[], None], Any]:
    """The floor of a get by id on PostgreSQL (and its connection): a raw psycopg prepared
    ``SELECT version, doc ... WHERE id = %s`` on one autocommit connection, one round trip
    over the server's Unix socket, the row fetched and nothing decoded."""
    import psycopg

    conn = psycopg.connect(url, autocommit=True)
    cursor = conn.cursor()
    cycle = itertools.cycle(ids)

    def get() -> None:
        sql = "SELECT version, doc FROM invoices WHERE id = %s"
        cursor.execute(sql, (next(cycle),), prepare=True)
        cursor.fetchone()

    return get, conn


def _postgres_rows(
    *,
    count: int,
    partners: int,
    query: InvoiceQuery,
    expected: list[str],
    ids: list[str],
    json_get: Callable[[], object],
    t_sqlite_commit: float,
) -> list[dict[str, object]]:
    """The PostgreSQL figures on a server started for them (fsync on), or one row saying why
    there are none."""
    server, why = start_server(fsync=True)
    if server is None:
        return [
            _row(
                f"PostgreSQL store: not measured ({why})",
                value=0.0,
                unit="-",
                peer="-",
                peer_value=0.0,
                target="skipped",
                ok=True,
            )
        ]
    try:
        pg = SqlStore(server.url, create=True)
        load = _bulk_load(pg, count, partners)
        if expected != sorted(str(i.id) for i in pg.invoices.find(query)):
            raise RuntimeError("the PostgreSQL and JSON stores disagree")
        with pg.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        t_partner = _median_seconds(lambda: sum(1 for _ in pg.invoices.find(query)), 51)
        cycle = itertools.cycle(ids)
        floor_get, floor = _psycopg_get(server.url, ids)
        gets = median_seconds(
            {"get": lambda: pg.invoices.get(next(cycle)), "floor": floor_get, "json": json_get},
            repeat=15,
            budget=0.05,
        )
        floor.close()
        t_get, t_floor, t_json_get = gets["get"], gets["floor"], gets["json"]

        base = pg.invoices.get_versioned(ids[1])
        changes = [attrs.evolve(base.entity, memo=f"m{n}") for n in range(2)]
        held = {"version": base.version}
        turns = itertools.count()

        def pg_save() -> None:
            entity = changes[next(turns) % 2]
            held["version"] = pg.invoices.save(entity, expected_version=held["version"])

        raw_commit, raw = _psycopg_commit(server.url)
        times = median_seconds({"save": pg_save, "raw": raw_commit}, repeat=15, budget=0.05)
        raw.close()
        pg.close()
    finally:
        server.stop()
    label = f"{count:,}"
    where = f"PostgreSQL {server.source}, fsync=on"
    return [
        _row(
            f"PostgreSQL store: bulk load {label} invoices (add_many, 1,000 per transaction; "
            f"{where})",
            value=load,
            unit="s",
            peer="the issue's budget",
            peer_value=30.0 * count / 100_000,
            target="<= 1.0 (30 s per 100,000)",
            ok=load <= 30.0 * count / 100_000,
        ),
        _row(
            f"PostgreSQL store: one partner's open invoices of {label} (index)",
            value=t_partner * 1e3,
            unit="ms",
            peer="the issue's budget",
            peer_value=5.0,
            target="<= 5 ms",
            ok=t_partner <= 0.005,
        ),
        _row(
            f"PostgreSQL store: get by id ({label} stored)",
            value=t_get * 1e6,
            unit="µs",
            peer="JSON store get by id, timed interleaved",
            peer_value=t_json_get * 1e6,
            target="<= 2.0",
            ok=t_get <= 2 * t_json_get,
        ),
        _row(
            "PostgreSQL: the floor of a get, raw psycopg prepared SELECT by id (one round "
            "trip, no decoding), timed interleaved",
            value=t_floor * 1e6,
            unit="µs",
            peer="JSON store get by id, timed interleaved",
            peer_value=t_json_get * 1e6,
            target="info",
            ok=True,
        ),
        _row(
            "PostgreSQL store: get by id, vs its floor (decoding and the store's own work)",
            value=t_get * 1e6,
            unit="µs",
            peer="raw psycopg prepared SELECT by id",
            peer_value=t_floor * 1e6,
            target="info",
            ok=True,
        ),
        _row(
            "PostgreSQL store: durable single save of one invoice",
            value=times["save"] * 1e3,
            unit="ms",
            peer="raw psycopg one-row INSERT + COMMIT, same server",
            peer_value=times["raw"] * 1e3,
            target="<= 2.0",
            ok=times["save"] <= 2 * times["raw"],
        ),
        _row(
            "PostgreSQL store: durable single save, vs SQLite's own commit",
            value=times["save"] * 1e3,
            unit="ms",
            peer="plain sqlite3 one-row commit, WAL, synchronous=FULL",
            peer_value=t_sqlite_commit * 1e3,
            target="info",
            ok=True,
        ),
    ]


if __name__ == "__main__":
    for row in rows("--quick" in sys.argv):
        print(row)
