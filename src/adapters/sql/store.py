"""Repositories on a SQL database (SQLite or PostgreSQL) through SQLAlchemy Core (ADR 0057).

Each kind is one table holding the entity's exact wire JSON text (``doc``), a ``version``
counter and the projection columns its :class:`~adapters.sql.specs.TableSpec` names. A read
decodes ``doc`` with the lossless codec, so what comes back equals what was stored, unknown
wire fields included; queries narrow in SQL on the indexed projections and the port query's
``matches`` has the last word.

Concurrency (ADR 0058) is the ports' optimistic rule done by the database:
``UPDATE ... SET version = version + 1 WHERE id = :id AND version = :expected``, the row count
checked, :class:`~stuut_domain.errors.ConcurrencyConflict` when it is not one. Every write
runs in a transaction: on its own (committed when the call returns) or inside an explicit
:meth:`SqlStore.unit_of_work` that commits only when told to and rolls back otherwise. On
SQLite the store takes over ``BEGIN`` from the driver: writers start with ``BEGIN IMMEDIATE``
(the write lock up front, so two writers never deadlock upgrading a read lock) and a file
database runs in WAL mode with ``synchronous=FULL`` (a committed write survives a power cut).

Ids reach SQL only as bound parameters, after :func:`adapters._ids.check_id`.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.pool import StaticPool

from adapters import stuut_json
from adapters._ids import check_id
from adapters._writable import checked_document
from adapters._writable import entity_id as checked_entity_id
from adapters.errors import (
    CorruptRecord,
    Problem,
    SchemaOutOfDate,
    SqlStoreNotFound,
    SqlStoreUnavailable,
    UnitOfWorkMisuse,
    UnsupportedStoreUrl,
)
from adapters.sql import schema
from adapters.sql.direct import DirectStatement, DirectTransaction, PipelinedTransaction
from adapters.sql.ledger import (
    DirectLedger,
    allocation_rows,
    sync_allocations,
    sync_allocations_direct,
)
from adapters.sql.specs import JSONB_COLUMN, SPECS, TableSpec, jsonb_text
from stuut_domain.cash import BankTransaction, Remittance
from stuut_domain.errors import AlreadyExists, ConcurrencyConflict, InvalidAllocation, NotFound
from stuut_domain.fact_ports import (
    BankTransactionQuery,
    CreditNoteQuery,
    CustomerCreditQuery,
    DisputeQuery,
    PromiseQuery,
    RemittanceQuery,
)
from stuut_domain.invoice import Invoice
from stuut_domain.lifecycle import apply_allocation
from stuut_domain.owed import CreditNote, CustomerCredit, Dispute, Promise
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment, PaymentAllocation
from stuut_domain.ports import (
    Identified,
    InvoiceQuery,
    PartnerQuery,
    PaymentQuery,
    Query,
    Version,
    Versioned,
    WorkflowQuery,
)
from stuut_domain.workflow import Workflow

__all__ = [
    "SqlRepository",
    "SqlStore",
    "SqlUnitOfWork",
    "engine_url",
    "is_memory_url",
    "parse_url",
]

#: Allocation ids per ledger look-up in ``add_many`` (below SQLite's smallest variable limit).
_LEDGER_SLICE = 900

E = TypeVar("E", bound=Identified)
Q = TypeVar("Q", bound=Query[Any])

#: Rows fetched per round trip when a listing streams (each page is its own short read).
PAGE_SIZE = 500
#: Entities per statement of ``add_many``: one INSERT with this many parameter sets (and one
#: look-up of the ids already stored), all inside the call's one transaction.
ADD_MANY_CHUNK = 500
_WRITE = "stuut_write"
_MAX_VERSION_DIGITS = 18  # fits a signed 64-bit BIGINT


def engine_url(url: str) -> str:
    """The SQLAlchemy URL for a store URL: ``postgresql://`` means the psycopg 3 driver."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


#: The SQLAlchemy drivers the store runs on: SQLite's bundled one and psycopg 3.
_DRIVERS = frozenset({"sqlite", "sqlite+pysqlite", "postgresql+psycopg"})


def parse_url(url: str) -> sa.engine.URL:
    """The parsed SQLAlchemy URL of a store URL; :class:`UnsupportedStoreUrl` for a URL that
    does not parse or names a database or driver the store does not run on (``mysql://``,
    ``postgresql+asyncpg://``): the message says which schemes are supported."""
    if not isinstance(url, str):
        raise UnsupportedStoreUrl(repr(url), "a store URL is text")
    try:
        parsed = sa.engine.make_url(engine_url(url))
    except (sa.exc.ArgumentError, ValueError):  # no scheme, or a port that is no number
        raise UnsupportedStoreUrl(url, "it is not a database URL") from None
    if parsed.drivername not in _DRIVERS:
        scheme = url.split("://", 1)[0]
        raise UnsupportedStoreUrl(url, f"the scheme {scheme!r} is not supported")
    return parsed


def is_memory_url(url: str) -> bool:
    """Whether a store URL names an in-memory SQLite database (gone when the store closes)."""
    return _is_memory(parse_url(url))


def _is_memory(url: sa.engine.URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6


def _switch_to_wal(cursor: sqlite3.Cursor, seconds: float) -> None:
    """Put a SQLite file in WAL mode, waiting up to ``seconds`` for rival connections.

    The switch needs the file to itself for a moment. When another connection holds a lock
    then (a rival opener of a new file reading its header, or switching it itself), SQLite
    answers ``database is locked`` at once *without* running the busy handler, so the
    connection's timeout never applies. This is that busy handler: retry, backing off, until
    the timeout is spent. WAL mode is persistent, so once a file is in it the first try
    succeeds.
    """
    deadline = time.monotonic() + seconds
    delay = 0.001
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            code = getattr(exc, "sqlite_errorcode", _SQLITE_BUSY) & 0xFF
            if code not in (_SQLITE_BUSY, _SQLITE_LOCKED) or time.monotonic() >= deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def _busy_seconds(parsed: sa.engine.URL, url: str) -> float:
    """A SQLite file's busy timeout: 30 s, or the URL's ``?timeout=SECONDS``."""
    wait = parsed.query.get("timeout", "30")
    try:
        return float(wait if isinstance(wait, str) else wait[0])
    except ValueError:
        raise UnsupportedStoreUrl(url, f"timeout={wait!r} is not a number of seconds") from None


def _build_engine(url: str) -> sa.Engine:
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, pool_pre_ping=True)
    if _is_memory(parsed):
        engine = sa.create_engine(
            parsed, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
        busy_seconds = 0.0
    else:
        seconds = _busy_seconds(parsed, url)
        engine = sa.create_engine(parsed, connect_args={"timeout": seconds})
        busy_seconds = seconds
    file_db = not _is_memory(parsed)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN over from pysqlite (its implicit BEGIN breaks isolation and savepoints).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if file_db:
            _switch_to_wal(cursor, busy_seconds)
            cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        # Writers take the write lock up front. A read outside a unit of work is one SELECT,
        # consistent on its own: it runs without BEGIN (autocommit), which saves two round
        # trips per get.
        if conn.get_execution_options().get(_WRITE, True):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _same_value(new: object, stored: object) -> bool:
    """Whether a projection's new driver value is certainly the stored one (same type too)."""
    return type(new) is type(stored) and new == stored


def _expected_number(expected: Version) -> int | None:
    """The stored counter an expected version names, or ``None`` if it can name none."""
    value: object = expected  # callers outside the type checker may pass anything
    if (
        isinstance(value, str)
        and value.isascii()
        and value.isdigit()
        and len(value) <= _MAX_VERSION_DIGITS
        and not value.startswith("0")  # versions are canonical: "01" names no version
    ):
        return int(value)
    return None


class SqlRepository(Generic[E, Q]):
    """One kind of entity in its table (port ``Repository``): get, find, add, save.

    Outside a unit of work every call is its own transaction; inside one (``uow.invoices``)
    calls share the unit's transaction and nothing is committed until ``uow.commit()``.
    """

    def __init__(
        self,
        store: SqlStore,
        spec: TableSpec,
        table: sa.Table,
        connection: sa.Connection | None = None,
    ) -> None:
        self.kind = spec.kind
        self.spec = spec
        self.table = table
        self._store = store
        self._conn = connection
        self._select_one = sa.select(table.c.version, table.c.doc).where(
            table.c.id == sa.bindparam("entity_id")
        )
        #: PostgreSQL (migration 0004): ``doc_jsonb`` is written beside ``doc``, cast from the
        #: same text in the statement (``b_jsonb``: the text, or NULL, see ``jsonb_text``).
        self._jsonb = JSONB_COLUMN in table.c
        jsonb_value = {JSONB_COLUMN: sa.cast(sa.bindparam("b_jsonb", type_=sa.Text), JSONB())}
        extra = jsonb_value if self._jsonb else {}
        # The table name is the spec's own constant; the id is only ever a bound parameter.
        self._insert = sa.insert(table).values(**extra) if extra else sa.insert(table)
        #: PostgreSQL's add: ``INSERT ... ON CONFLICT (id) DO NOTHING RETURNING id``.
        self._insert_new = (
            pg_insert(table)
            .values(**extra)
            .on_conflict_do_nothing(index_elements=[table.c.id])
            .returning(table.c.id)
        )
        # Built once, with bound parameters only (building a statement per call costs more
        # than SQLite's own commit).
        self._update = (
            sa.update(table)
            .where(
                table.c.id == sa.bindparam("b_id"), table.c.version == sa.bindparam("b_expected")
            )
            .values(
                version=table.c.version + 1,
                doc=sa.bindparam("doc"),
                **{p.name: sa.bindparam(p.name) for p in spec.projections},
                **extra,
            )
        )
        self._select_sql = f'SELECT version, doc FROM "{table.name}" WHERE id = ?'  # noqa: S608
        self._pg_select_sql = f'SELECT version, doc FROM "{table.name}" WHERE id = %s'  # noqa: S608
        #: A save outside a unit of work (ADR 0076): the update and the version look-up
        #: compiled for the store's dialect on first use, run on the thread's connection.
        self._direct: tuple[DirectStatement, DirectStatement] | None = None
        #: SQLite: the stored version and projections, and an UPDATE per set of changed
        #: projections (``_sqlite_update``).
        self._direct_current: DirectStatement | None = None
        self._sqlite_updates: dict[tuple[str, ...], DirectStatement] = {}
        #: ``add_many``: is any of these ids stored already?
        self._select_ids = (
            sa.select(table.c.id)
            .where(table.c.id.in_(sa.bindparam("b_ids", expanding=True)))
            .limit(1)
        )

    def __repr__(self) -> str:
        return f"SqlRepository(kind={self.kind!r}, table={self.table.name!r})"

    @contextlib.contextmanager
    def _tx(self, *, write: bool) -> Iterator[sa.Connection]:
        if self._conn is not None:
            if not self._conn.in_transaction():  # committed or rolled back: the unit is over
                raise UnitOfWorkMisuse(
                    self._store.url, "the unit of work is over (committed or rolled back)"
                )
            if not write:
                yield self._conn
                return
            with self._conn.begin_nested():  # a refused write undoes only itself
                yield self._conn
        else:
            with self._store.transaction(write=write) as conn:
                yield conn

    def _read(self, stmt: sa.Select[Any]) -> list[Any]:
        """The rows of one read: on the unit's connection inside a unit of work, else in a
        read of its own (:meth:`SqlStore.read_statement`)."""
        if self._conn is None:
            return self._store.read_statement(stmt)
        with self._tx(write=False) as conn:
            return list(conn.execute(stmt).all())

    def _where(self) -> str:
        return f"{self._store.url}#{self.table.name}"

    # -- read side -------------------------------------------------------------------------

    def get(self, entity_id: str, /) -> E:
        """The entity with this id, else :class:`NotFound`; a bad document is CorruptRecord."""
        return self.get_versioned(entity_id).entity

    def get_versioned(self, entity_id: str, /) -> Versioned[E]:
        """The entity with this id and its current version."""
        check_id(self.kind, entity_id)
        row = self._row(entity_id)
        if row is None:
            raise NotFound(self.kind, entity_id)
        return Versioned(entity=self._load(entity_id, row[1]), version=str(row[0]))

    def _row(self, entity_id: str) -> tuple[Any, ...] | None:
        """(version, doc) of one id: inside a unit of work on its connection; otherwise on a
        SQLite file or on PostgreSQL through the store's per-thread read connection (one bound
        SELECT, no SQLAlchemy round trip, no pool), else in a read of its own."""
        if self._conn is None:
            if self._store.postgres:
                return self._store.postgres_row(self._pg_select_sql, entity_id)
            reader = self._store.sqlite_reader()
            if reader is not None:
                # fetchall() runs the statement to its end: a half-read statement would keep
                # a read transaction open, and WAL could never be reset behind it.
                found: list[tuple[Any, ...]] = reader.execute(
                    self._select_sql, (entity_id,)
                ).fetchall()
                return found[0] if found else None
            rows = self._store.read_statement(self._select_one.params(entity_id=entity_id))
            return tuple(rows[0]) if rows else None
        with self._tx(write=False) as conn:
            row = conn.execute(self._select_one, {"entity_id": entity_id}).first()
        return None if row is None else tuple(row)

    def find(
        self,
        query: Q | None = None,
        /,
        *,
        on_corrupt: Callable[[CorruptRecord], None] | None = None,
    ) -> Iterator[E]:
        """Stream every matching entity, a page of rows at a time in id order.

        The spec narrows the rows in SQL (indexed projections); ``query.matches`` decides.
        A row whose document cannot be decoded raises :class:`CorruptRecord` when reached,
        or goes to ``on_corrupt`` and the listing goes on.
        """
        where = (
            []
            if query is None or self.spec.narrow is None
            else self.spec.narrow(self.table.c, query)
        )
        return self._stream(query, where, on_corrupt)

    def _stream(
        self,
        query: Q | None,
        where: list[Any],
        on_corrupt: Callable[[CorruptRecord], None] | None,
    ) -> Iterator[E]:
        t = self.table
        after: str | None = None
        while True:
            stmt = sa.select(t.c.id, t.c.doc).where(*where).order_by(t.c.id).limit(PAGE_SIZE)
            if after is not None:
                stmt = stmt.where(t.c.id > after)
            rows = self._read(stmt)
            for entity_id, doc in rows:
                try:
                    entity = self._load(entity_id, doc)
                except CorruptRecord as exc:
                    if on_corrupt is None:
                        raise
                    on_corrupt(exc)
                    continue
                if query is None or query.matches(entity):
                    yield entity
            if len(rows) < PAGE_SIZE:
                return
            after = rows[-1][0]

    def ids(self) -> Iterator[str]:
        """Every stored id, streamed in id order."""
        t = self.table
        after: str | None = None
        while True:
            stmt = sa.select(t.c.id).order_by(t.c.id).limit(PAGE_SIZE)
            if after is not None:
                stmt = stmt.where(t.c.id > after)
            page = [row[0] for row in self._read(stmt)]
            yield from page
            if len(page) < PAGE_SIZE:
                return
            after = page[-1]

    def raw(self, entity_id: str, /) -> tuple[Version, str]:
        """The stored version and the exact wire document text of one entity (for copies)."""
        check_id(self.kind, entity_id)
        row = self._row(entity_id)
        if row is None:
            raise NotFound(self.kind, entity_id)
        return str(row[0]), str(row[1])

    # -- write side ------------------------------------------------------------------------

    def add(self, entity: E, /) -> Version:
        """Insert a new entity at version 1; an id already stored is :class:`AlreadyExists`."""
        entity_id, values = self._values(entity)
        with self._tx(write=True) as conn:
            self._insert_one(conn, entity_id, entity, values)
        return "1"

    def add_many(self, entities: Iterable[E], /) -> list[Version]:
        """Insert new entities at version 1, all or nothing, in one transaction (ADR 0075).

        Outside a unit of work the call is one transaction; inside one it is one savepoint,
        so a refused batch undoes only itself and the unit goes on. The entities are taken
        ``ADD_MANY_CHUNK`` at a time (memory stays flat): each chunk is encoded and checked
        exactly as :meth:`add` checks one entity (the document reads back, the id is safe),
        the ids already stored are looked up in one SELECT, and the chunk is written with one
        INSERT of many parameter sets (plus one for its allocations' ledger rows). Rows,
        projections and ledger are what :meth:`add` would write, entity by entity.

        When anything in a chunk would be refused (a bad id or document, an id stored or
        repeated, an allocation id held or repeated, a rival's insert on PostgreSQL), the
        chunk is replayed with :meth:`add`'s own steps, one entity at a time, so the error
        raised is the one the first refused entity gets from ``add``; the transaction (or
        savepoint) is then rolled back and nothing of the batch is stored.
        """
        source = iter(entities)
        chunk = list(itertools.islice(source, ADD_MANY_CHUNK))
        if not chunk:
            return []
        versions: list[Version] = []
        with self._tx(write=True) as conn:
            while chunk:
                self._add_chunk(conn, chunk)
                versions.extend("1" for _ in chunk)
                chunk = list(itertools.islice(source, ADD_MANY_CHUNK))
        return versions

    def _values(self, entity: E) -> tuple[str, dict[str, Any]]:
        """The checked id and the row ``add`` inserts for ``entity`` (document, version 1,
        projections; on PostgreSQL the ``jsonb`` text too): InvalidId or UnwritableEntity
        before anything is sent."""
        entity_id = checked_entity_id(self.kind, entity)
        doc = checked_document(self.kind, entity, self.spec.encode, self.spec.decode).decode(
            "utf-8"
        )
        values = {"id": entity_id, "version": 1, "doc": doc, **self.spec.row(entity)}
        if self._jsonb:
            values["b_jsonb"] = jsonb_text(doc)
        return entity_id, values

    def _insert_one(
        self, conn: sa.Connection, entity_id: str, entity: E, values: dict[str, Any]
    ) -> None:
        """``add``'s statements for one entity, on ``conn`` inside the caller's transaction."""
        if self._store.serialised_writers:  # SQLite: BEGIN IMMEDIATE, no rival add
            current = conn.execute(self._select_one, {"entity_id": entity_id}).first()
            if current is not None:
                raise AlreadyExists(self.kind, entity_id, str(current[0]))
            conn.execute(self._insert, values)
        # PostgreSQL: one round trip. A rival's uncommitted add of the same id makes the
        # insert wait for it; committed, it wins (nothing inserted, AlreadyExists).
        elif conn.execute(self._insert_new, values).first() is None:
            raise AlreadyExists(self.kind, entity_id, self._version_in(conn, entity_id))
        self._after_write(conn, entity_id, entity, new=True)

    def _add_chunk(self, conn: sa.Connection, chunk: list[E]) -> None:
        """Insert one chunk of ``add_many`` with two or three statements, or replay it with
        ``add``'s steps when anything in it would be refused (which then raises)."""
        rows: list[dict[str, Any]] = []
        seen: set[str] = set()
        for entity in chunk:
            try:
                entity_id, values = self._values(entity)
            except Exception:  # noqa: BLE001 - the replay raises exactly what add raises
                self._replay(conn, chunk)
                return
            if entity_id in seen:  # repeated in the batch: the replay's AlreadyExists
                self._replay(conn, chunk)
                return
            seen.add(entity_id)
            rows.append(values)
        if conn.execute(self._select_ids, {"b_ids": list(seen)}).first() is not None:
            self._replay(conn, chunk)
            return
        ledger_rows = self._ledger_rows(chunk)
        if ledger_rows and self._ledger_refuses(conn, ledger_rows):
            self._replay(conn, chunk)
            return
        try:
            with conn.begin_nested():
                conn.execute(self._insert, rows)
                if ledger_rows:
                    conn.execute(sa.insert(self._store.ledger), ledger_rows)
        except sa.exc.IntegrityError:  # a rival inserted an id (or allocation) meanwhile
            self._replay(conn, chunk)

    def _replay(self, conn: sa.Connection, chunk: list[E]) -> None:
        """``add``'s own steps for each entity of ``chunk`` in order: the first refusal is
        raised as ``add`` raises it (the caller's transaction then rolls back)."""
        for entity in chunk:
            entity_id, values = self._values(entity)
            self._insert_one(conn, entity_id, entity, values)

    def _ledger_rows(self, chunk: list[E]) -> list[dict[str, Any]]:
        """The allocations ledger rows of a chunk of invoices (none for other kinds)."""
        if self.kind != "invoice":
            return []
        rows: list[dict[str, Any]] = []
        for entity in chunk:
            if isinstance(entity, Invoice):
                rows.extend(allocation_rows(str(entity.id), entity))
        return rows

    def _ledger_refuses(self, conn: sa.Connection, rows: list[dict[str, Any]]) -> bool:
        """Whether the ledger would refuse ``rows``: an allocation id repeated among them or
        already held (by this batch's earlier chunks too, in the same transaction)."""
        ids = [r["id"] for r in rows]
        if len(set(ids)) != len(ids):
            return True
        ledger = self._store.ledger
        # Looked up in slices: one IN list per slice keeps every statement under SQLite's
        # bound-variable limit (999 in older builds, 32,766 by default), however many
        # allocations a chunk of invoices carries.
        for start in range(0, len(ids), _LEDGER_SLICE):
            part = ids[start : start + _LEDGER_SLICE]
            held = sa.select(ledger.c.id).where(ledger.c.id.in_(part)).limit(1)
            if conn.execute(held).first() is not None:
                return True
        return False

    def save(self, entity: E, /, *, expected_version: Version) -> Version:
        """Replace the entity if it is still at ``expected_version`` (one conditional UPDATE).

        Zero rows updated means the id is missing (:class:`NotFound`) or was written since
        (:class:`ConcurrencyConflict` naming both versions); nothing is written either way.
        """
        entity_id = checked_entity_id(self.kind, entity)
        doc = checked_document(self.kind, entity, self.spec.encode, self.spec.decode).decode(
            "utf-8"
        )
        expected = _expected_number(expected_version)
        params: dict[str, Any] = {}
        if expected is not None:
            params = {"b_id": entity_id, "b_expected": expected, "doc": doc}
            params.update(self.spec.row(entity))
            if self._jsonb:
                params["b_jsonb"] = jsonb_text(doc)
        if self._conn is None and self._store.direct_writes:
            self._save_direct(entity_id, entity, params, expected_version)
            return str(int(expected_version) + 1)
        with self._tx(write=True) as conn:
            updated = conn.execute(self._update, params).rowcount if params else 0
            if updated != 1:
                actual = self._version_in(conn, entity_id)
                if actual is None:
                    raise NotFound(self.kind, entity_id)
                raise ConcurrencyConflict(self.kind, entity_id, expected_version, actual)
            self._after_write(conn, entity_id, entity)
        return str(int(expected_version) + 1)

    def _save_direct(
        self, entity_id: str, entity: E, params: dict[str, Any], expected_version: Version
    ) -> None:
        """``save``'s statements on the thread's own connection (ADR 0076): the same UPDATE
        and row count, the same ledger rows, in one transaction of their own."""
        if self._direct is None:
            dialect = self._store.engine.dialect
            self._direct = (
                DirectStatement(self._update, dialect),
                DirectStatement(self._select_one, dialect),
            )
        update, select_one = self._direct
        invoice = entity if self.kind == "invoice" and isinstance(entity, Invoice) else None
        ledger = self._store.direct_ledger()
        with self._store.direct_transaction() as tx:
            if self._store.serialised_writers and params:
                update = self._sqlite_update(tx, entity_id, params, expected_version)
            # The UPDATE and the ledger's delete in one batch (on PostgreSQL one round trip
            # with BEGIN); a delete beside a refused UPDATE is rolled back with it. A version
            # the store could not have issued sends neither (ADR 0058).
            steps: list[tuple[DirectStatement, dict[str, Any]]] = []
            if params:
                steps.append((update, params))
                if invoice is not None:
                    steps.append((ledger.delete, {"b_invoice": entity_id}))
            counts = tx.batch(steps)
            if (counts[0] if params else 0) != 1:
                row = tx.execute(select_one, {"entity_id": entity_id}).fetchone()
                if row is None:
                    raise NotFound(self.kind, entity_id)
                raise ConcurrencyConflict(self.kind, entity_id, expected_version, str(row[0]))
            if invoice is not None:
                sync_allocations_direct(tx, ledger, entity_id, invoice)

    def _sqlite_update(
        self, tx: DirectTransaction, entity_id: str, params: dict[str, Any], expected: Version
    ) -> DirectStatement:
        """The UPDATE a direct save runs on SQLite: it sets only the projections whose stored
        value differs. SQLite rewrites an index entry for every column an UPDATE sets, equal
        or not (about 4 KiB more to sync per index); the writer holds the lock (BEGIN
        IMMEDIATE), so the row read here is the row updated. A missing row or another
        version is refused here, as the UPDATE's row count would refuse it."""
        current = self._direct_current
        if current is None:
            cols = [self.table.c.version, *(self.table.c[p.name] for p in self.spec.projections)]
            current = DirectStatement(
                sa.select(*cols).where(self.table.c.id == sa.bindparam("entity_id")),
                self._store.engine.dialect,
            )
            self._direct_current = current
        row = tx.execute(current, {"entity_id": entity_id}).fetchone()
        if row is None:
            raise NotFound(self.kind, entity_id)
        if row[0] != params["b_expected"]:
            raise ConcurrencyConflict(self.kind, entity_id, expected, str(row[0]))
        update, _select = self._direct or (None, None)
        if update is None:  # pragma: no cover - built by _save_direct first
            raise AssertionError("the direct statements are built first")
        changed = tuple(
            p.name
            for p, stored in zip(self.spec.projections, row[1:], strict=True)
            if not _same_value(update.processed(p.name, params[p.name]), stored)
        )
        statement = self._sqlite_updates.get(changed)
        if statement is None:
            t = self.table
            stmt = (
                sa.update(t)
                .where(t.c.id == sa.bindparam("b_id"), t.c.version == sa.bindparam("b_expected"))
                .values(
                    version=t.c.version + 1,
                    doc=sa.bindparam("doc"),
                    **{name: sa.bindparam(name) for name in changed},
                )
            )
            statement = DirectStatement(stmt, self._store.engine.dialect)
            self._sqlite_updates[changed] = statement
        return statement

    def _after_write(
        self, conn: sa.Connection, entity_id: str, entity: E, *, new: bool = False
    ) -> None:
        if self.kind == "invoice" and isinstance(entity, Invoice):
            sync_allocations(conn, self._store.ledger, entity_id, entity, new=new)

    def _version_in(self, conn: sa.Connection, entity_id: str) -> str | None:
        row = conn.execute(self._select_one, {"entity_id": entity_id}).first()
        return None if row is None else str(row[0])

    def _load(self, entity_id: str, doc: object) -> E:
        where = f"{self._where()}/{entity_id}"
        if not isinstance(doc, str):
            problem = Problem(path="", message="the stored document is not text", value=doc)
            raise CorruptRecord(where, [problem])
        try:
            entity: E = self.spec.decode(doc.encode("utf-8"))
        except stuut_json.DecodeError as exc:
            raise CorruptRecord(
                where, list(exc.problems) or [Problem(path="", message=str(exc))]
            ) from exc
        if entity.id != entity_id:
            raise CorruptRecord(
                where,
                [
                    Problem(
                        path="id",
                        message=f"does not match the row id {entity_id!r}",
                        value=entity.id,
                    )
                ],
            )
        return entity


@contextlib.contextmanager
def _unavailable(url: str) -> Iterator[None]:
    """The driver's operational failures (locked past the busy timeout, a lost server) as
    :class:`~adapters.errors.SqlStoreUnavailable`; the transaction was rolled back."""
    try:
        yield
    except sa.exc.OperationalError as exc:
        raise SqlStoreUnavailable(url, str(exc.orig).splitlines()[0]) from exc


def _schema_state(conn: sa.Connection) -> tuple[str | None, bool]:
    """(recorded schema revision, whether an invoices table exists) on ``conn``; the table
    only matters, and is only looked up, when no revision is recorded."""
    found = schema.current_revision(conn)
    return found, found is None and sa.inspect(conn).has_table("invoices")


class _Repositories:
    """Every kind's repository bound to one connection (or to none: a call per transaction)."""

    invoices: SqlRepository[Invoice, InvoiceQuery]
    partners: SqlRepository[Partner, PartnerQuery]
    payments: SqlRepository[Payment, PaymentQuery]
    workflows: SqlRepository[Workflow, WorkflowQuery]
    bank_transactions: SqlRepository[BankTransaction, BankTransactionQuery]
    remittances: SqlRepository[Remittance, RemittanceQuery]
    credit_notes: SqlRepository[CreditNote, CreditNoteQuery]
    customer_credits: SqlRepository[CustomerCredit, CustomerCreditQuery]
    disputes: SqlRepository[Dispute, DisputeQuery]
    promises: SqlRepository[Promise, PromiseQuery]

    def _bind(self, store: SqlStore, connection: sa.Connection | None) -> None:
        for kind, spec in SPECS.items():
            repository: SqlRepository[Any, Any] = SqlRepository(
                store, spec, store.tables[kind], connection
            )
            setattr(self, spec.attribute, repository)


class SqlUnitOfWork(_Repositories):
    """One transaction over every repository: :meth:`commit` keeps it, anything else undoes it.

    Leaving the ``with`` block without ``commit()`` (an exception, or just forgetting) rolls
    back: nothing half-done is ever kept.
    """

    def __init__(self, store: SqlStore, connection: sa.Connection, tx: sa.RootTransaction) -> None:
        self._bind(store, connection)
        self.connection = connection
        self._tx = tx
        self._url = store.url

    def commit(self) -> None:
        """Make every write of this unit durable, atomically (once: a unit is then over)."""
        self._check_open("commit")
        self._tx.commit()

    def rollback(self) -> None:
        """Undo every write of this unit (the unit is then over)."""
        self._check_open("rollback")
        self._tx.rollback()

    def _check_open(self, action: str) -> None:
        if not self._tx.is_active:
            raise UnitOfWorkMisuse(
                self._url, f"cannot {action}: the unit of work is already committed or rolled back"
            )


class SqlStore(_Repositories):
    """Every kind in one SQL database (ADR 0057): invoices, partners, payments, workflows, and
    the cash and owed kinds (bank transactions to promises, migration 0003).

    ``SqlStore("sqlite:///book.db")``, ``SqlStore("sqlite://")`` (in memory) or
    ``SqlStore("postgresql://user@host/db")``. An existing store must be at this library's
    schema revision: an older one raises :class:`~adapters.errors.SchemaOutOfDate` saying
    what to run, unless ``migrate=True`` upgrades it. A database without the store's tables
    is :class:`~adapters.errors.SqlStoreNotFound` unless ``create=True`` creates them.
    """

    def __init__(self, url: str, *, create: bool = False, migrate: bool = False) -> None:
        parsed = parse_url(url)
        self.url = url
        file_db = parsed.get_backend_name() == "sqlite" and not _is_memory(parsed)
        if file_db and not create and not Path(str(parsed.database)).is_file():
            raise SqlStoreNotFound(url, "the database file does not exist")
        self.engine = _build_engine(url)
        self._memory_lock = threading.RLock() if _is_memory(parsed) else None
        #: Per thread: how many units of work are open (the store's own calls check it).
        self._units = threading.local()
        #: Whether writers are serialised by the database (SQLite's BEGIN IMMEDIATE).
        self.serialised_writers = parsed.get_backend_name() == "sqlite"
        self._sqlite_path = str(Path(str(parsed.database)).resolve()) if file_db else None
        self._readers: dict[tuple[int, int], sqlite3.Connection] = {}
        #: PostgreSQL reads outside a unit of work (ADR 0075): per process and thread one
        #: autocommit psycopg connection for gets by id, and an autocommit engine without
        #: pre-ping for listing pages (one round trip per statement instead of two or more).
        self.postgres = parsed.get_backend_name() == "postgresql"
        self._pg_readers: dict[tuple[int, int], tuple[Any, Any]] = {}
        self._read_engines: dict[int, sa.Engine] = {}
        self._read_engine_lock = threading.Lock()
        self._busy_seconds = _busy_seconds(parsed, url) if file_db else 0.0
        #: Whether a save outside a unit of work runs on the thread's own connection (ADR
        #: 0076): a SQLite file or PostgreSQL. In memory, the one shared connection is used.
        self.direct_writes = file_db or self.postgres
        self._direct_ledger: DirectLedger | None = None
        _meta, self.tables, self.ledger = schema.metadata(
            jsonb=schema.has_jsonb(parsed.get_backend_name())
        )
        try:
            with _unavailable(self.url):
                self._open(create=create, migrate=migrate)
        except BaseException:
            self.engine.dispose()
            raise
        self._bind(self, None)

    def __repr__(self) -> str:
        return f"SqlStore({self.url!r})"

    def _open(self, *, create: bool, migrate: bool) -> None:
        """Check the recorded revision in a read (a WAL reader never waits for a writer), and
        take the write lock only when the schema must be created or upgraded.

        The read sees one snapshot: the revision and "is there an invoices table" are read
        together, so a rival opener's schema (created and recorded in one transaction) is
        either wholly seen or not at all. Under the write lock both are read again; if a rival
        changed them meanwhile, the opener starts over and decides on what is there now.
        """
        with self.engine.connect() as conn:
            found, has_invoices = self._peek_schema(conn)
        if found == schema.HEAD:
            return
        self._check_openable(found, has_invoices, create=create, migrate=migrate)
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":  # openers take turns (SQLite: BEGIN IMMEDIATE)
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7315402017)")
            if _schema_state(conn) != (found, has_invoices):  # a rival opener was first
                conn.rollback()
                self._open(create=create, migrate=migrate)
                return
            schema.upgrade(conn)
            conn.commit()

    def _peek_schema(self, conn: sa.Connection) -> tuple[str | None, bool]:
        """(recorded revision, whether an invoices table exists), read in one snapshot and
        without the write lock: SQLite a deferred ``BEGIN`` (in WAL a reader never waits),
        PostgreSQL ``REPEATABLE READ`` (READ COMMITTED would take a snapshot per statement)."""
        if conn.dialect.name == "sqlite":
            conn.execution_options(**{_WRITE: False})
            conn.exec_driver_sql("BEGIN")
        else:
            conn.execution_options(isolation_level="REPEATABLE READ")
        try:
            return _schema_state(conn)
        finally:
            conn.rollback()

    def _check_openable(
        self, found: str | None, has_invoices: bool, *, create: bool, migrate: bool
    ) -> None:
        """Raise what opening a store at revision ``found`` must raise (nothing if it may be
        created or upgraded)."""
        if found is None:
            if has_invoices:
                raise SqlStoreNotFound(
                    self.url, "it has an invoices table but no recorded schema revision"
                )
            if not create:
                raise SqlStoreNotFound(self.url, "the database has no store tables")
        elif found not in schema.known_revisions():
            raise SchemaOutOfDate(self.url, found, schema.HEAD, newer=True)
        elif not migrate:
            raise SchemaOutOfDate(self.url, found, schema.HEAD, newer=False)

    def sqlite_reader(self) -> sqlite3.Connection | None:
        """This thread's own connection to a SQLite file (``None`` for other databases).

        Opened on first use per thread and process (a forked child opens its own), set up as
        the engine's connections are (autocommit, ``synchronous=FULL``, the busy timeout). It
        runs single-row SELECTs by id outside any transaction, which in WAL mode never block
        the writer, and the direct saves of :meth:`direct_transaction`. Closed by
        :meth:`close`.
        """
        if self._sqlite_path is None:
            return None
        key = (os.getpid(), threading.get_ident())
        conn = self._readers.get(key)
        if conn is None:
            conn = sqlite3.connect(
                self._sqlite_path,
                isolation_level=None,
                check_same_thread=False,
                timeout=self._busy_seconds,
            )
            try:
                conn.execute("PRAGMA synchronous=FULL")
                conn.execute("PRAGMA foreign_keys=ON")
            except BaseException:
                conn.close()
                raise
            self._readers[key] = conn
        return conn

    def direct_ledger(self) -> DirectLedger:
        """The ledger's statements compiled for this store's dialect (direct saves)."""
        if self._direct_ledger is None:
            self._direct_ledger = DirectLedger(self.ledger, self.engine.dialect)
        return self._direct_ledger

    @contextlib.contextmanager
    def direct_transaction(self) -> Iterator[DirectTransaction]:
        """A write transaction on this thread's own connection (ADR 0076), committed when
        the block ends and rolled back on any error; SQLite begins ``BEGIN IMMEDIATE``.

        Refused inside an open unit of work on this thread, as the store's writes are. A
        driver error is the SQLAlchemy exception the engine raises for it; an operational
        one (locked past the busy timeout, a lost server) is :class:`SqlStoreUnavailable`.
        """
        self._refuse_inside_unit(write=True)
        if self.postgres:
            with self._postgres_transaction() as tx:
                yield tx
            return
        conn = self.sqlite_reader()
        if conn is None:  # pragma: no cover - direct_writes is False for these
            raise AssertionError("direct writes need a SQLite file or PostgreSQL")
        with _unavailable(self.url):
            tx = DirectTransaction(conn.cursor(), sqlite3, "?")
            try:  # BEGIN inside: an interrupt as it returns must still roll back
                tx.run("BEGIN IMMEDIATE", ())
                yield tx
                tx.run("COMMIT", ())
            except BaseException:
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.rollback()
                raise

    @contextlib.contextmanager
    def _postgres_transaction(self) -> Iterator[DirectTransaction]:
        """``direct_transaction`` on PostgreSQL, on the thread's read connection (autocommit,
        so every statement from ``BEGIN`` to ``COMMIT`` is one transaction):
        :class:`~adapters.sql.direct.PipelinedTransaction` sends ``BEGIN`` with the first
        batch and retries it once on a new connection when the server had dropped the old one
        (nothing was written). Any failure rolls back (or drops the connection, whose
        transaction the server then aborts)."""
        import psycopg  # noqa: PLC0415 - the [postgresql] extra, only here

        key = (os.getpid(), threading.get_ident())
        tx = PipelinedTransaction(
            lambda: self._pg_reader(key), lambda: self._drop_pg_reader(key), psycopg
        )
        try:
            with _unavailable(self.url):
                yield tx
                tx.commit()
        except BaseException:
            tx.abort()
            raise

    def _pg_reader(self, key: tuple[int, int]) -> tuple[Any, Any]:
        """This thread's PostgreSQL connection and cursor (autocommit), opened on first use."""
        reader = self._pg_readers.get(key)
        if reader is None:
            import psycopg  # noqa: PLC0415 - the [postgresql] extra, only here

            args, params = self.engine.dialect.create_connect_args(self.engine.url)
            conn = psycopg.connect(*args, **params, autocommit=True)
            reader = (conn, conn.cursor())  # one cursor, reused: a few µs a call
            self._pg_readers[key] = reader
        return reader

    def _drop_pg_reader(self, key: tuple[int, int]) -> None:
        reader = self._pg_readers.pop(key, None)
        if reader is not None:
            with contextlib.suppress(Exception):
                reader[0].close()

    def schema_revision(self) -> str | None:
        """The schema revision recorded in the database."""
        with self.engine.connect() as conn:
            return schema.current_revision(conn)

    @contextlib.contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[sa.Connection]:
        """A connection in a transaction, committed on success and rolled back on error.

        ``write=True`` begins with ``BEGIN IMMEDIATE`` on SQLite (PostgreSQL: plain BEGIN,
        READ COMMITTED; the version predicate guards every update). ``write=False`` runs each
        statement on its own (autocommit, on both databases): use it for single-statement
        reads only.
        """
        self._refuse_inside_unit(write=write)
        lock = self._memory_lock or contextlib.nullcontext()
        # PostgreSQL reads: the read engine, already in autocommit and without pre-ping (a
        # single-statement read needs no BEGIN/COMMIT, and no ping before it).
        engine = self._read_engine() if self.postgres and not write else self.engine
        with _unavailable(self.url), lock, engine.connect() as conn:
            conn.execution_options(**{_WRITE: write})
            with conn.begin():
                yield conn

    def read_statement(self, stmt: sa.Executable) -> list[Any]:
        """Every row of one read-only statement outside a unit of work, in a read of its own.

        On PostgreSQL the read engine has no pre-ping, so a connection the server dropped
        (a restart, an idle timeout) fails on first use: the read is then run once more on
        a new connection (a read is safe to repeat), as a pre-ping would have done for it.
        """
        for attempt in (1, 2):
            try:
                with self.transaction(write=False) as conn:
                    return list(conn.execute(stmt).all())
            except SqlStoreUnavailable as exc:
                cause = exc.__cause__
                stale = isinstance(cause, sa.exc.DBAPIError) and cause.connection_invalidated
                if attempt == 2 or not (self.postgres and stale):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _read_engine(self) -> sa.Engine:
        """This process's PostgreSQL read engine: autocommit, no pre-ping, no reset on return
        (nothing to roll back). A forked child makes its own and never touches the parent's
        pooled connections (whose sockets it shares)."""
        pid = os.getpid()
        engine = self._read_engines.get(pid)
        if engine is None:
            with self._read_engine_lock:  # two threads' first reads make one engine
                engine = self._read_engines.get(pid)
                if engine is None:
                    engine = sa.create_engine(
                        self.engine.url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None
                    )
                    self._read_engines[pid] = engine
        return engine

    def postgres_row(self, sql: str, entity_id: str) -> tuple[Any, ...] | None:
        """The one row ``sql`` (a SELECT by ``id = %s``) gives for ``entity_id``, on this
        thread's PostgreSQL read connection: one round trip (psycopg prepares the statement
        on the server after its fifth use). A connection the server dropped is replaced once
        and the read repeated; a second failure is :class:`SqlStoreUnavailable`."""
        import psycopg  # noqa: PLC0415 - the [postgresql] extra, only here

        key = (os.getpid(), threading.get_ident())
        for attempt in (1, 2):
            try:
                cursor = self._pg_reader(key)[1]
                cursor.execute(sql, (entity_id,))
                row: tuple[Any, ...] | None = cursor.fetchone()
                return row
            except psycopg.OperationalError as exc:
                self._drop_pg_reader(key)
                if attempt == 2:
                    raise SqlStoreUnavailable(self.url, str(exc).splitlines()[0]) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _refuse_inside_unit(self, *, write: bool) -> None:
        """The store's own writes (and, in memory, reads) refused inside an open unit of work
        on this thread: a write would wait for the unit's lock forever, and in memory the one
        shared connection would commit the unit's pending writes."""
        if getattr(self._units, "open", 0) and (write or self._memory_lock is not None):
            raise UnitOfWorkMisuse(
                self.url,
                "inside an open unit of work, use the unit's repositories (the store's own "
                f"{'writes' if write else 'reads'} would deadlock or commit the unit)",
            )

    @contextlib.contextmanager
    def unit_of_work(self) -> Iterator[SqlUnitOfWork]:
        """A :class:`SqlUnitOfWork`: explicit ``commit()``, rollback by default."""
        self._refuse_inside_unit(write=True)
        lock = self._memory_lock or contextlib.nullcontext()
        with _unavailable(self.url), lock, self.engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            tx = conn.begin()
            self._units.open = getattr(self._units, "open", 0) + 1
            try:
                yield SqlUnitOfWork(self, conn, tx)
            finally:
                self._units.open -= 1
                if tx.is_active:
                    tx.rollback()

    def post_allocation(self, allocation: PaymentAllocation, *, at: Any) -> Versioned[Invoice]:
        """Apply ``allocation`` to its invoice once, in one transaction (ADR 0058).

        The invoice is read, :func:`stuut_domain.lifecycle.apply_allocation` applies the
        allocation (the engine's rules and its apply-once by id), and the new invoice version
        and its ledger rows are written together. Posting the same allocation again changes
        nothing and returns the invoice as stored; an allocation id another invoice holds is
        refused (``allocation_conflict``), nothing written.
        """
        invoice_id = check_id("invoice", allocation.invoice_id)
        with self.unit_of_work() as uow:
            # Posters of one invoice take turns (PostgreSQL: the row lock; SQLite's writers are
            # serialised by BEGIN IMMEDIATE), so a re-post never meets a version race.
            invoices = self.tables["invoice"]
            uow.connection.execute(
                sa.select(invoices.c.id).where(invoices.c.id == invoice_id).with_for_update()
            )
            current = uow.invoices.get_versioned(invoice_id)
            if allocation.id is not None:
                check_id("allocation", allocation.id)
                held = uow.connection.execute(
                    sa.select(self.ledger.c.invoice_id).where(self.ledger.c.id == allocation.id)
                ).scalar()
                if held is not None and held != invoice_id:
                    raise InvalidAllocation(
                        "allocation_conflict",
                        f"allocation {allocation.id!r} is already held by invoice {held!r}",
                        allocation_id=allocation.id,
                        held_by=held,
                    )
            applied = apply_allocation(current.entity, allocation, at=at)
            if applied == current.entity:
                return current
            version = uow.invoices.save(applied, expected_version=current.version)
            uow.commit()
        return Versioned(entity=applied, version=version)

    def allocation_ids(self, invoice_id: str) -> list[str]:
        """The ledger's allocation ids for one invoice, sorted."""
        check_id("invoice", invoice_id)
        rows = self.read_statement(  # a read that survives a dropped connection, as get does
            sa.select(self.ledger.c.id)
            .where(self.ledger.c.invoice_id == invoice_id)
            .order_by(self.ledger.c.id)
        )
        return [str(row[0]) for row in rows]

    def close(self) -> None:
        """Release the database connections."""
        pid = os.getpid()
        for (owner, _thread), conn in list(self._readers.items()):
            if owner == pid:
                conn.close()
        self._readers.clear()
        for (owner, _thread), (pg, _cursor) in list(self._pg_readers.items()):
            if owner == pid:
                pg.close()
        self._pg_readers.clear()
        engine = self._read_engines.pop(pid, None)
        if engine is not None:
            engine.dispose()
        for other in self._read_engines.values():  # a parent's: its sockets are not ours
            other.dispose(close=False)
        self._read_engines.clear()
        self.engine.dispose()
