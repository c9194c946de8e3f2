"""A save outside a unit of work runs on the thread's own connection (ADR 0076), on SQLite
files and PostgreSQL: it writes exactly the rows a unit of work's save writes (document,
version, projections, ``doc_jsonb``, ledger, as stored), refuses as it refuses, and leaves
the connection out of any transaction afterwards. The contract suite and the SIGKILL and
rival-process tests in ``test_sql_store`` run these saves too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from contract_support import allocation, invoice, partner

from adapters.errors import UnwritableEntity
from adapters.sql import SqlStore
from adapters.sql.store import SqlRepository
from stuut_domain.errors import ConcurrencyConflict, InvalidAllocation, NotFound
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.payment import PaymentAllocation

AT = dt.datetime(2024, 6, 2, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def _allocation(alloc_id: str, amount: int, *, approved: bool = True) -> PaymentAllocation:
    return allocation(
        alloc_id,
        invoice_id="inv_a",
        amount=amount,
        approved=approved,
        approved_at=AT if approved else None,
    )


def _paid(base: Invoice, *allocations: PaymentAllocation) -> Invoice:
    paid = sum(a.amount.minor_units for a in allocations)
    total = base.total_amount.minor_units if base.total_amount is not None else 0
    return attrs.evolve(
        base,
        payments=allocations,
        amount_paid=Money(paid, "EUR"),
        amount_due=Money(total - paid, "EUR"),
    )


def _changes() -> list[tuple[str, Callable[[Any], Any]]]:
    """Saves in order: a memo only, allocations added, one approved later, one removed, the
    invoice paid in full (projections change: amount due, status, open), voided, a partner
    renamed; each applied to the entity as stored."""
    return [
        ("invoices", lambda i: attrs.evolve(i, memo="memo only")),
        ("invoices", lambda i: _paid(i, _allocation("alloc_1", 100_00))),
        (
            "invoices",
            lambda i: _paid(
                i, _allocation("alloc_1", 100_00), _allocation("alloc_2", 50_00, approved=False)
            ),
        ),
        (
            "invoices",
            lambda i: _paid(
                i, _allocation("alloc_1", 100_00), _allocation("alloc_2", 50_00, approved=True)
            ),
        ),
        ("invoices", lambda i: _paid(i, _allocation("alloc_2", 50_00))),
        ("invoices", lambda i: _paid(i, _allocation("alloc_2", 1_250_00))),
        ("invoices", lambda i: attrs.evolve(i, voided_at=AT, memo="void")),
        ("partners", lambda p: attrs.evolve(p, name="Renamed GmbH")),
    ]


def _ids(kind: str) -> str:
    return "inv_a" if kind == "invoices" else "ptn_a"


def _stored(store: SqlStore) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the invoices, partners and ledger tables as the driver returns it (no
    SQLAlchemy type processing: the stored text of a SQLite instant is compared as text)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with store.engine.connect() as conn:
        for name in ("invoices", "partners", "allocations"):
            rows = conn.exec_driver_sql(f'SELECT * FROM "{name}" ORDER BY id')
            out[name] = [tuple(row) for row in rows]
    return out


def _fill(store: SqlStore) -> None:
    store.invoices.add(invoice("inv_a", paid=0))
    store.partners.add(partner("ptn_a"))


def test_a_direct_save_writes_exactly_the_rows_a_unit_of_work_writes(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same saves, once on the direct path and once inside units of work: the stored
    rows agree column by column after every step (the driver's own values)."""
    direct_calls: list[str] = []
    original = SqlRepository._save_direct

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        direct_calls.append(self.kind)
        original(self, *args, **kwargs)

    monkeypatch.setattr(SqlRepository, "_save_direct", counting)
    store = SqlStore(db_url, create=True)
    assert store.direct_writes
    _fill(store)
    direct_steps = []
    for kind, change in _changes():
        current = getattr(store, kind).get_versioned(_ids(kind))
        getattr(store, kind).save(change(current.entity), expected_version=current.version)
        direct_steps.append(_stored(store))
    with store.engine.begin() as conn:
        for table in [store.ledger, *store.tables.values()]:
            conn.execute(sa.delete(table))
    _fill(store)
    unit_steps = []
    for kind, change in _changes():
        with store.unit_of_work() as uow:
            current = getattr(uow, kind).get_versioned(_ids(kind))
            getattr(uow, kind).save(change(current.entity), expected_version=current.version)
            uow.commit()
        unit_steps.append(_stored(store))
    store.close()
    assert len(direct_calls) == len(_changes())
    assert direct_steps == unit_steps
    assert [len(step["allocations"]) for step in direct_steps] == [0, 1, 2, 2, 1, 1, 1, 1]


def _idle(store: SqlStore) -> bool:
    """Whether this thread's own connection is outside any transaction."""
    if store.postgres:
        import psycopg

        return all(
            conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            for conn, _cursor in store._pg_readers.values()
        )
    reader = store.sqlite_reader()
    return reader is not None and not reader.in_transaction


def test_a_refused_direct_save_writes_nothing_and_leaves_no_transaction(db_url: str) -> None:
    """A stale version, a missing id, a hostile version, an allocation another invoice holds,
    an entity with no document: each refused as before, nothing written, the connection
    idle; the next save then goes through."""
    store = SqlStore(db_url, create=True)
    _fill(store)
    store.invoices.add(_paid(invoice("inv_b"), attrs.evolve(_allocation("alloc_9", 10_00))))
    before = _stored(store)
    current = store.invoices.get_versioned("inv_a")
    refusals: list[str] = []
    attempts: list[Callable[[], object]] = [
        lambda: store.invoices.save(current.entity, expected_version="7"),
        lambda: store.invoices.save(invoice("inv_zz"), expected_version="1"),
        lambda: store.invoices.save(current.entity, expected_version="01"),
        lambda: store.invoices.save(
            _paid(current.entity, _allocation("alloc_9", 10_00)), expected_version="1"
        ),
        lambda: store.invoices.save(
            _paid(current.entity, _allocation("alloc_3", 1), _allocation("alloc_3", 1)),
            expected_version="1",
        ),
        lambda: store.invoices.save(
            attrs.evolve(current.entity, total_amount=Money(2**70, "EUR")), expected_version="1"
        ),
    ]
    for attempt in attempts:
        try:
            attempt()
        except (ConcurrencyConflict, NotFound, InvalidAllocation, UnwritableEntity) as exc:
            refusals.append(type(exc).__name__)
        assert _idle(store)
    after = _stored(store)
    saved = store.invoices.save(attrs.evolve(current.entity, memo="x"), expected_version="1")
    assert store.invoices.get("inv_a").memo == "x"
    store.close()
    assert refusals == [
        "ConcurrencyConflict",
        "NotFound",
        "ConcurrencyConflict",
        "InvalidAllocation",
        "InvalidAllocation",
        "UnwritableEntity",
    ]
    assert (after, saved) == (before, "2")


def test_an_interrupted_direct_save_is_rolled_back(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A KeyboardInterrupt after the UPDATE (while the ledger is being written): the invoice
    keeps its version and ledger, and the connection is out of the transaction."""
    store = SqlStore(db_url, create=True)
    _fill(store)
    current = store.invoices.get_versioned("inv_a")
    before = _stored(store)

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    from adapters.sql import store as sql_store

    monkeypatch.setattr(sql_store, "sync_allocations_direct", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.invoices.save(_paid(current.entity, _allocation("alloc_1", 1)), expected_version="1")
    assert _idle(store)
    monkeypatch.undo()
    assert _stored(store) == before
    assert store.invoices.save(current.entity, expected_version="1") == "2"
    store.close()


def _store_pipelined(db_url: str, pipelined: bool, monkeypatch: pytest.MonkeyPatch) -> SqlStore:
    """A store on ``db_url``; on PostgreSQL with libpq's pipeline mode on or off (SQLite has
    none: its ``pipelined=False`` case is skipped)."""
    store = SqlStore(db_url, create=True)
    if not store.postgres and not pipelined:
        pytest.skip("pipeline mode is PostgreSQL's")
    if store.postgres:
        import psycopg

        monkeypatch.setattr(psycopg.Pipeline, "is_supported", classmethod(lambda _: pipelined))
    return store


@pytest.mark.parametrize("pipelined", [True, False])
def test_a_statement_failing_inside_the_first_flight_is_rolled_back(
    db_url: str, pipelined: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A driver error inside the first batch (here a NULL document, which the store itself
    never sends: the column is NOT NULL) is the engine's SQLAlchemy exception, nothing is
    written and the connection is out of the transaction; on PostgreSQL with and without
    pipeline mode."""
    store = _store_pipelined(db_url, pipelined, monkeypatch)
    _fill(store)
    before = _stored(store)
    current = store.invoices.get_versioned("inv_a")
    params: dict[str, Any] = {"b_id": "inv_a", "b_expected": 1, "doc": None}
    params.update(store.invoices.spec.row(current.entity))
    if store.postgres:
        params["b_jsonb"] = None
    repository: Any = store.invoices
    with pytest.raises(sa.exc.IntegrityError):
        repository._save_direct("inv_a", current.entity, params, "1")
    assert _idle(store)
    assert _stored(store) == before
    assert store.invoices.save(current.entity, expected_version="1") == "2"
    store.close()


def _other_writer_saves(db_url: str, entity_id: str, expected: str) -> str:
    """Another store (its own connection) saves the invoice: the lock is not held."""
    other = SqlStore(db_url)
    try:
        current = other.invoices.get_versioned(entity_id)
        assert current.version == expected
        return other.invoices.save(current.entity, expected_version=expected)
    finally:
        other.close()


@pytest.mark.parametrize("pipelined", [True, False])
def test_an_interrupt_inside_the_first_flight_rolls_back(
    db_url: str, pipelined: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside review (helper-60, bug 1): a KeyboardInterrupt while the first flight's
    second statement is queued (after the UPDATE). It left PostgreSQL's transaction open
    (abort found no connection), the thread read its own uncommitted write and its next save
    committed it. Now nothing is written, the thread's reads see the stored version, another
    writer is not blocked, and the thread's next save is the only one written."""
    store = _store_pipelined(db_url, pipelined, monkeypatch)
    _fill(store)
    current = store.invoices.get_versioned("inv_a")
    before = _stored(store)
    from adapters.sql.direct import DirectStatement

    original = DirectStatement.parameters
    calls: list[int] = []

    def interrupted(self: DirectStatement, values: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(self, values)

    monkeypatch.setattr(DirectStatement, "parameters", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.invoices.save(_paid(current.entity, _allocation("alloc_1", 1)), expected_version="1")
    monkeypatch.undo()
    assert _idle(store)
    assert store.invoices.get_versioned("inv_a").version == "1"
    assert _stored(store) == before
    assert _other_writer_saves(db_url, "inv_a", "1") == "2"
    assert store.invoices.save(current.entity, expected_version="2") == "3"
    store.close()


def test_an_interrupt_as_begin_immediate_returns_rolls_back(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside review (helper-60, bug 2): on a SQLite file a KeyboardInterrupt as ``BEGIN
    IMMEDIATE`` returned kept the write lock: every later save on the thread failed and
    other processes waited out their busy timeout. Now it is rolled back."""
    if not db_url.startswith("sqlite"):
        pytest.skip("BEGIN IMMEDIATE is SQLite's")
    store = SqlStore(db_url, create=True)
    _fill(store)
    current = store.invoices.get_versioned("inv_a")
    from adapters.sql.direct import DirectTransaction

    original = DirectTransaction.run

    def interrupted(self: DirectTransaction, sql: str, params: Any) -> Any:
        out = original(self, sql, params)
        if sql == "BEGIN IMMEDIATE":
            raise KeyboardInterrupt
        return out

    monkeypatch.setattr(DirectTransaction, "run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.invoices.save(current.entity, expected_version="1")
    monkeypatch.undo()
    assert _idle(store)
    assert _other_writer_saves(db_url, "inv_a", "1") == "2"
    assert store.invoices.save(current.entity, expected_version="2") == "3"
    store.close()
