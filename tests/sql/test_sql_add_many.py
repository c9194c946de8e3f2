"""``add_many`` on the SQL store beyond the shared contract (ADR 0075), on SQLite and
PostgreSQL: the rows it writes are the rows ``add`` writes, across chunks a refusal still
leaves nothing, the allocations ledger refuses as ``add`` does, a unit of work goes on after a
refused batch, and a rival's insert that the look-up missed is still AlreadyExists."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from contract_support import allocation, invoice, partner, payment, workflow

from adapters.sql import SqlStore
from adapters.sql import store as sql_store
from cash_builders import transaction
from stuut_domain.errors import AlreadyExists, InvalidAllocation
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.payment import PaymentAllocation

UTC = dt.UTC


def _allocation(alloc_id: str, invoice_id: str, amount: int = 100_00) -> PaymentAllocation:
    return allocation(
        alloc_id,
        invoice_id=invoice_id,
        amount=amount,
        approved_at=dt.datetime(2024, 6, 2, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    )


def _book() -> dict[str, list[Any]]:
    """Entities of several kinds, invoices with ledger rows and one with a NUL in its memo
    (no ``jsonb`` on PostgreSQL), in the order a copy writes them."""
    invoices = []
    for n in range(12):
        inv = invoice(
            f"inv_{n:04d}",
            partner_id=None if n == 3 else f"ptn_{n % 3}",
            currency="USD" if n % 2 else "EUR",
            paid=0 if n % 4 else 1_250_00,
            voided=n == 5,
            memo="nul\x00inside" if n == 7 else f"memo {n}",
        )
        if n % 3 == 0 and inv.currency == "EUR":
            inv = attrs.evolve(
                inv,
                amount_due=Money(1_150_00, "EUR"),
                amount_paid=Money(100_00, "EUR"),
                payments=(_allocation(f"alloc_{n}", str(inv.id)),),
            )
        invoices.append(inv)
    return {
        "partners": [partner(f"ptn_{n}") for n in range(3)],
        "workflows": [workflow("wf_a"), workflow("wf_b", active=False)],
        "invoices": invoices,
        "payments": [payment(f"pay_{n}") for n in range(3)],
        "bank_transactions": [transaction(100 + n, tx_id=f"btx_{n}") for n in range(3)],
    }


def _tables(store: SqlStore) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every kind table and of the ledger, in id order, every column."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with store.engine.connect() as conn:
        for table in [*store.tables.values(), store.ledger]:
            out[table.name] = [
                tuple(row) for row in conn.execute(sa.select(table).order_by(table.c.id))
            ]
    return out


def test_add_many_writes_exactly_the_rows_add_writes(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store filled by add_many equals one filled by add, row by row and column by column
    (document, version, projections, ``doc_jsonb`` on PostgreSQL, allocations ledger),
    with chunks of 5 so that the batch crosses chunk boundaries."""
    monkeypatch.setattr(sql_store, "ADD_MANY_CHUNK", 5)
    one_by_one = SqlStore(db_url, create=True)
    book = _book()
    for kind, entities in book.items():
        for entity in entities:
            getattr(one_by_one, kind).add(entity)
    expected = _tables(one_by_one)
    with one_by_one.engine.begin() as conn:
        for table in [one_by_one.ledger, *one_by_one.tables.values()]:
            conn.execute(sa.delete(table))
    one_by_one.close()
    batched = SqlStore(db_url)
    versions = {kind: getattr(batched, kind).add_many(entities) for kind, entities in book.items()}
    got = _tables(batched)
    batched.close()
    assert (expected, {k: ["1"] * len(v) for k, v in book.items()}) == (got, versions)
    assert len(expected["allocations"]) == 2  # the comparison covered ledger rows


def test_a_refusal_in_a_later_chunk_leaves_nothing_of_earlier_ones(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of 3, a stored id at position 9: AlreadyExists, no row and no ledger row of the
    batch stays (the earlier chunks were inserted in the same transaction)."""
    monkeypatch.setattr(sql_store, "ADD_MANY_CHUNK", 3)
    store = SqlStore(db_url, create=True)
    store.invoices.add(invoice("inv_9999"))
    batch = [
        attrs.evolve(
            invoice(f"inv_{n:04d}"),
            amount_due=Money(1_150_00, "EUR"),
            amount_paid=Money(100_00, "EUR"),
            payments=(_allocation(f"alloc_{n}", f"inv_{n:04d}"),),
        )
        for n in range(9)
    ]
    with pytest.raises(AlreadyExists) as caught:
        store.invoices.add_many([*batch, invoice("inv_9999"), invoice("inv_0100")])
    tables = _tables(store)
    store.close()
    assert ("inv_9999", [("inv_9999",)], []) == (
        caught.value.entity_id,
        [row[:1] for row in tables["invoices"]],
        tables["allocations"],
    )


def test_an_allocation_id_held_or_repeated_is_refused_as_add_refuses_it(db_url: str) -> None:
    """An allocation id another stored invoice holds, or two invoices of the batch list:
    InvalidAllocation (allocation_conflict), nothing of the batch stored."""
    store = SqlStore(db_url, create=True)
    holder = attrs.evolve(
        invoice("inv_0001"),
        amount_due=Money(1_150_00, "EUR"),
        amount_paid=Money(100_00, "EUR"),
        payments=(_allocation("alloc_1", "inv_0001"),),
    )
    store.invoices.add(holder)

    def listing(invoice_id: str, alloc_id: str) -> Any:
        return attrs.evolve(
            invoice(invoice_id),
            amount_due=Money(1_150_00, "EUR"),
            amount_paid=Money(100_00, "EUR"),
            payments=(_allocation(alloc_id, invoice_id),),
        )

    codes = []
    for batch in (
        [invoice("inv_0002"), listing("inv_0003", "alloc_1")],
        [listing("inv_0004", "alloc_7"), listing("inv_0005", "alloc_7")],
    ):
        with pytest.raises(InvalidAllocation) as caught:
            store.invoices.add_many(batch)
        codes.append(caught.value.code)
    tables = _tables(store)
    store.close()
    assert (["allocation_conflict"] * 2, ["inv_0001"], ["alloc_1"]) == (
        codes,
        [row[0] for row in tables["invoices"]],
        [row[0] for row in tables["allocations"]],
    )


def test_inside_a_unit_of_work_a_refused_batch_undoes_only_itself(db_url: str) -> None:
    """The unit's earlier write and a later accepted batch are committed; the refused batch
    left nothing."""
    store = SqlStore(db_url, create=True)
    store.invoices.add(invoice("inv_0001"))
    with store.unit_of_work() as uow:
        uow.partners.add(partner("ptn_acme"))
        with pytest.raises(AlreadyExists):
            uow.invoices.add_many([invoice("inv_0002"), invoice("inv_0001")])
        uow.invoices.add_many([invoice("inv_0003")])
        uow.commit()
    ids = (list(store.partners.ids()), list(store.invoices.ids()))
    store.close()
    assert (["ptn_acme"], ["inv_0001", "inv_0003"]) == ids


def test_an_id_the_look_up_missed_is_still_already_exists(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rival's insert between the look-up and the INSERT (simulated: the look-up sees
    nothing) makes the INSERT fail in its savepoint; the replay reports AlreadyExists and
    nothing of the batch is stored."""
    store = SqlStore(db_url, create=True)
    store.invoices.add(invoice("inv_0001", memo="first"))
    table = store.tables["invoice"]
    never = sa.select(table.c.id).where(
        sa.false(), table.c.id.in_(sa.bindparam("b_ids", expanding=True))
    )
    monkeypatch.setattr(store.invoices, "_select_ids", never)
    with pytest.raises(AlreadyExists) as caught:
        store.invoices.add_many([invoice("inv_0002"), invoice("inv_0001", memo="second")])
    ids = list(store.invoices.ids())
    memo = store.invoices.get("inv_0001").memo
    store.close()
    assert ("inv_0001", ["inv_0001"], "first") == (caught.value.entity_id, ids, memo)


def test_a_chunk_with_more_allocations_than_sqlite_binds_is_stored_like_adds(
    tmp_path: Path,
) -> None:
    """Outsider 55 A1: the ledger look-up put every allocation id of a 500-invoice chunk in
    one IN list, past SQLite's bound-variable limit (999 in older builds), and add_many
    refused a batch that adds one by one accept. The look-up now goes in slices."""
    import sqlite3

    from adapters.json_store import JsonStore
    from adapters.samples import sample_portfolio_path

    paid = next(
        i
        for i in JsonStore(sample_portfolio_path()).invoices.find()
        if i.payments and i.payments[0].id
    )
    first = paid.payments[0]

    def listed(k: int) -> Invoice:
        return attrs.evolve(
            paid,
            id=f"inv_m{k}",
            payments=tuple(attrs.evolve(first, id=f"pal_m{k}_{j}") for j in range(3)),
        )

    url = f"sqlite:///{tmp_path / 'm.db'}"
    SqlStore(url, create=True)
    store = SqlStore(url)
    sa.event.listen(
        store.engine,
        "connect",
        lambda conn, _record: conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999),
    )
    store.engine.dispose()
    batch = [listed(k) for k in range(500)]  # 1,500 allocation ids in one chunk
    versions = store.invoices.add_many(batch)
    assert len(versions) == 500
    assert sorted(store.invoices.ids()) == sorted(i.id for i in batch)


def test_an_allocation_listed_twice_by_one_invoice_says_so(db_url: str) -> None:
    """Outside review (helper-60): the refusal named the invoice being written as the
    holder ("already held by invoice 'inv_a'; invoice 'inv_a' cannot list it too")."""
    store = SqlStore(db_url, create=True)
    twice = attrs.evolve(
        invoice("inv_0001"),
        amount_due=Money(1_050_00, "EUR"),
        amount_paid=Money(200_00, "EUR"),
        payments=(_allocation("alloc_1", "inv_0001"), _allocation("alloc_1", "inv_0001")),
    )
    with pytest.raises(InvalidAllocation) as caught:
        store.invoices.add(twice)
    store.close()
    assert caught.value.code == "allocation_conflict"
    assert "invoice 'inv_0001' lists allocation 'alloc_1' twice" in str(caught.value)
