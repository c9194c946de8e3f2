"""Writes on the thread's own DBAPI connection, without SQLAlchemy's execution path (ADR 0076).

A durable single ``save`` outside a unit of work costs one commit (an fsync) plus whatever
runs around it. Through ``Connection.execute`` that was about 190 µs on SQLite on top of the
commit's own cost (a pool check-out and check-in, events, the compiled-statement cache, a
result object per statement) and, on PostgreSQL, the pool's pre-ping and its rollback on
check-in: two more round trips. This module runs the *same* statements on the connection
the store already keeps per process and thread for its reads (ADR 0058, ADR 0075):

- :class:`DirectStatement` is one SQLAlchemy statement compiled once for the store's dialect:
  its SQL text, and its bound values with the dialect's own bind processors applied (the
  SQLite ``DATETIME`` text, the PostgreSQL ``jsonb`` cast), so a row written here is the row
  ``Connection.execute`` writes, column for column.
- :class:`DirectTransaction` begins (``BEGIN IMMEDIATE`` on SQLite, ``BEGIN`` on PostgreSQL),
  commits on success and rolls back on any error, ``KeyboardInterrupt`` included. A driver
  error is raised as the SQLAlchemy exception ``Connection.execute`` raises for it
  (``sa.exc.OperationalError``, ``sa.exc.IntegrityError``, ...), so the store maps it as
  before (``SqlStoreUnavailable``, ``InvalidAllocation``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

__all__ = ["DirectStatement", "DirectTransaction", "PipelinedTransaction"]

#: One statement of a batch and its values.
Step = tuple["DirectStatement", Mapping[str, Any]]


class DirectStatement:
    """One statement compiled once for ``dialect``: its SQL and its driver parameters."""

    def __init__(self, statement: sa.ClauseElement, dialect: sa.Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self._compiled = compiled
        #: qmark (SQLite): the parameters' order; pyformat (psycopg): None, a mapping.
        self._order: Sequence[str] | None = getattr(compiled, "positiontup", None)
        processors: dict[str, Callable[[Any], Any]] = {}
        for key, bind in getattr(compiled, "binds", {}).items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors[key] = process
        self._processors = processors

    def processed(self, key: str, value: Any) -> Any:
        """``value`` as the driver receives it for the bound parameter ``key``."""
        process = self._processors.get(key)
        return value if process is None else process(value)

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """The driver's parameters for ``values`` (literals of the statement included)."""
        params = dict(self._compiled.construct_params(dict(values)) or {})
        for key, process in self._processors.items():
            if key in params:
                params[key] = process(params[key])
        if self._order is not None:
            return tuple(params[name] for name in self._order)
        return params


class DirectTransaction:
    """One transaction on a raw DBAPI connection (used by :meth:`SqlStore.direct_transaction`).

    ``placeholder`` is the driver's positional marker (``?`` or ``%s``) for hand-written SQL;
    ``integrity_error`` is never raised from here (driver errors arrive as SQLAlchemy's).
    """

    def __init__(self, cursor: Any, driver: Any, placeholder: str) -> None:
        self._cursor = cursor
        self._driver = driver
        self.placeholder = placeholder

    def batch(self, steps: Sequence[Step]) -> list[int]:
        """Run each step in order; the row count of each. On SQLite one after the other; on
        PostgreSQL :class:`PipelinedTransaction` sends them with ``BEGIN``, in one flight."""
        return [int(self.execute(statement, values).rowcount) for statement, values in steps]

    def execute(self, statement: DirectStatement, values: Mapping[str, Any]) -> Any:
        """Run ``statement`` with ``values``; the cursor (``rowcount``, ``fetchone``)."""
        return self.run(statement.sql, statement.parameters(values))

    def execute_many(self, statement: DirectStatement, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run ``statement`` once per row of ``rows``."""
        params = [statement.parameters(row) for row in rows]
        try:
            self._cursor.executemany(statement.sql, params)
        except self._driver.Error as exc:
            raise _wrapped(statement.sql, params, exc, self._driver) from exc

    def run(self, sql: str, params: Sequence[Any] | Mapping[str, Any]) -> Any:
        """Run hand-written ``sql`` (driver placeholders) with ``params``; the cursor."""
        try:
            self._cursor.execute(sql, params)
        except self._driver.Error as exc:
            raise _wrapped(sql, params, exc, self._driver) from exc
        return self._cursor


def _wrapped(sql: str, params: Any, exc: Exception, driver: Any) -> BaseException:
    """The SQLAlchemy exception ``Connection.execute`` raises for the driver's ``exc``."""
    return sa.exc.DBAPIError.instance(sql, params, exc, driver.Error)


class PipelinedTransaction(DirectTransaction):
    """A PostgreSQL transaction whose ``BEGIN`` goes out with its first :meth:`batch`, in one
    flight (psycopg's pipeline mode): one round trip for ``BEGIN`` and the batch, one for
    ``COMMIT``. Every statement is still its own, in order, each with its own snapshot (READ
    COMMITTED), as when they are sent one by one; an error stops the rest of the batch. (A
    libpq without pipeline mode, before 14, sends them one by one: a round trip each.)

    ``connection()`` gives the thread's (connection, cursor) in autocommit, ``drop()``
    discards it. A connection the server had dropped fails the first batch before anything
    ran (nothing was committed: no ``COMMIT`` was sent): it is dropped and the batch sent
    once more on a new one, as the writer engine's pre-ping did.
    """

    def __init__(
        self,
        connection: Callable[[], tuple[Any, Any]],
        drop: Callable[[], None],
        driver: Any,
    ) -> None:
        super().__init__(None, driver, "%s")
        self._connection = connection
        self._drop = drop
        self._conn: Any = None
        self._pipelined = bool(driver.Pipeline.is_supported())

    def batch(self, steps: Sequence[Step]) -> list[int]:
        if self._conn is not None:
            return super().batch(steps)
        for attempt in (1, 2):
            conn, cursor = self._connection()
            # Set before anything is sent: an interrupt inside the flight (Ctrl-C) must find
            # the connection in abort(), which rolls back or drops it.
            self._conn, self._cursor = conn, cursor
            try:
                cursors = []
                with conn.pipeline() if self._pipelined else contextlib.nullcontext():
                    cursor.execute("BEGIN")
                    for statement, values in steps:
                        step = conn.cursor()
                        step.execute(statement.sql, statement.parameters(values))
                        cursors.append(step)
                # Leaving the pipeline waited for every result.
                return [int(step.rowcount) for step in cursors]
            except self._driver.Error as exc:
                if not (conn.broken or conn.closed):  # begun: abort() rolls it back
                    raise _wrapped("BEGIN; ...", None, exc, self._driver) from exc
                self._conn = None
                self._drop()
                if attempt == 2:
                    raise _wrapped("BEGIN", None, exc, self._driver) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _begun(self) -> None:
        if self._conn is None:
            self.batch([])

    def execute(self, statement: DirectStatement, values: Mapping[str, Any]) -> Any:
        self._begun()
        return super().execute(statement, values)

    def execute_many(self, statement: DirectStatement, rows: Sequence[Mapping[str, Any]]) -> None:
        self._begun()
        super().execute_many(statement, rows)

    def run(self, sql: str, params: Sequence[Any] | Mapping[str, Any]) -> Any:
        self._begun()
        return super().run(sql, params)

    def commit(self) -> None:
        """``COMMIT`` (after a ``BEGIN`` with nothing in it if no batch was sent)."""
        self.run("COMMIT", ())

    def abort(self) -> None:
        """Roll back what was begun. A connection that cannot say where it stands is dropped
        (the server then aborts its transaction): broken or closed, a command still in
        flight or a pipeline still open (an interrupt arrived mid-round-trip: its replies
        would be read as the next call's), or in an unknown state."""
        conn = self._conn
        if conn is None:
            return
        self._conn = None
        status = self._driver.pq.TransactionStatus
        try:
            state = conn.info.transaction_status
            if (
                conn.broken
                or conn.closed
                or state in (status.ACTIVE, status.UNKNOWN)
                or conn.info.pipeline_status != self._driver.pq.PipelineStatus.OFF
            ):
                self._drop()
            elif state != status.IDLE:
                self._cursor.execute("ROLLBACK")
        except BaseException:
            self._drop()
            raise
