"""Regressions of the outside review of the SQL store (report outsider31): each test names the
finding it pins down; each failed before its fix."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from pathlib import Path

import attrs
import pytest
from contract_support import allocation, invoice, partner

from adapters.errors import CorruptRecord, SqlStoreUnavailable, UnitOfWorkMisuse
from adapters.sql import SqlStore
from stuut_domain.errors import InvalidAllocation
from stuut_domain.money import Money
from stuut_domain.payment import PaymentAllocation


def _allocation(alloc_id: str, invoice_id: str) -> PaymentAllocation:
    return allocation(alloc_id, invoice_id=invoice_id)


def _two_invoices(store: SqlStore) -> None:
    store.invoices.add(invoice("inv_a"))
    store.invoices.add(invoice("inv_b"))
    store.invoices.save(
        attrs.evolve(store.invoices.get("inv_b"), payments=(_allocation("alloc_b", "inv_b"),)),
        expected_version="1",
    )


class TestFinding1ARefusedSaveInAUnitWritesNothing:
    def test_the_unit_stays_usable_and_commit_keeps_only_what_succeeded(self, db_url: str) -> None:
        store = SqlStore(db_url, create=True)
        _two_invoices(store)
        before = store.invoices.get_versioned("inv_a")
        stolen = attrs.evolve(
            before.entity, payments=(_allocation("alloc_b", "inv_a"),), memo="changed"
        )
        with store.unit_of_work() as uow:
            with pytest.raises(InvalidAllocation, match="allocation_conflict"):
                uow.invoices.save(stolen, expected_version=before.version)
            uow.partners.add(partner("ptn_after"))  # the unit goes on
            uow.commit()
        assert store.invoices.get_versioned("inv_a") == before
        assert store.allocation_ids("inv_b") == ["alloc_b"]
        assert store.partners.get("ptn_after").id == "ptn_after"
        store.close()


class TestFinding2AUnitIsOverAfterCommit:
    def test_a_write_after_commit_is_refused_not_thrown_away(self, db_url: str) -> None:
        store = SqlStore(db_url, create=True)
        store.invoices.add(invoice("inv_a"))
        with store.unit_of_work() as uow:
            current = uow.invoices.get_versioned("inv_a")
            v2 = uow.invoices.save(current.entity, expected_version=current.version)
            uow.commit()
            with pytest.raises(UnitOfWorkMisuse, match="is over"):
                uow.invoices.save(current.entity, expected_version=v2)
            with pytest.raises(UnitOfWorkMisuse, match="cannot commit"):
                uow.commit()
        assert store.invoices.get_versioned("inv_a").version == v2
        store.close()

    def test_commit_after_rollback_is_refused(self, db_url: str) -> None:
        store = SqlStore(db_url, create=True)
        with store.unit_of_work() as uow:
            uow.rollback()
            with pytest.raises(UnitOfWorkMisuse, match="cannot commit"):
                uow.commit()
        store.close()


class TestFinding3TheStoreItselfInsideAUnit:
    def test_in_memory_a_store_read_never_commits_the_unit(self) -> None:
        store = SqlStore("sqlite://", create=True)
        store.invoices.add(invoice("inv_a"))
        store.partners.add(partner("ptn_a"))

        def save_read_then_fail() -> None:
            with store.unit_of_work() as uow:
                current = uow.invoices.get_versioned("inv_a")
                uow.invoices.save(current.entity, expected_version=current.version)
                with pytest.raises(UnitOfWorkMisuse, match="use the unit's repositories"):
                    store.partners.get("ptn_a")
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError, match="boom"):
            save_read_then_fail()
        assert store.invoices.get_versioned("inv_a").version == "1"
        store.close()

    def test_a_store_write_or_a_nested_unit_is_refused_at_once(self, db_url: str) -> None:
        store = SqlStore(db_url, create=True)
        store.partners.add(partner("ptn_a"))
        started = time.monotonic()
        with store.unit_of_work():
            with pytest.raises(UnitOfWorkMisuse):
                store.partners.add(partner("ptn_b"))
            with pytest.raises(UnitOfWorkMisuse), store.unit_of_work():
                pass
        assert time.monotonic() - started < 10  # refused, not a 30 s wait for a lock
        store.close()


class TestFinding5DriverErrorsAreTyped:
    def test_a_database_locked_past_the_timeout_is_unavailable(self, tmp_path: Path) -> None:
        path = tmp_path / "book.db"
        store = SqlStore(f"sqlite:///{path}", create=True)
        store.invoices.add(invoice("inv_a"))
        impatient = SqlStore(f"sqlite:///{path}?timeout=0.5")
        rival = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        rival.execute("BEGIN IMMEDIATE")
        rival.execute("UPDATE invoices SET version = version WHERE id = 'inv_a'")
        try:
            current = impatient.invoices.get_versioned("inv_a")  # a WAL read still works
            with pytest.raises(SqlStoreUnavailable, match="locked"):
                impatient.invoices.save(current.entity, expected_version=current.version)
        finally:
            rival.rollback()
            rival.close()
            impatient.close()
        assert store.invoices.get_versioned("inv_a").version == "1"
        store.close()

    def test_a_document_stored_as_bytes_is_a_corrupt_record(self, tmp_path: Path) -> None:
        path = tmp_path / "book.db"
        store = SqlStore(f"sqlite:///{path}", create=True)
        store.invoices.add(invoice("inv_a"))
        store.invoices.add(invoice("inv_b"))
        with sqlite3.connect(path) as raw:
            raw.execute("UPDATE invoices SET doc = x'7b7d' WHERE id = 'inv_a'")
        skipped: list[CorruptRecord] = []
        found = [i.id for i in store.invoices.find(on_corrupt=skipped.append)]
        assert (found, len(skipped)) == (["inv_b"], 1)
        with pytest.raises(CorruptRecord, match="not text"):
            store.invoices.get("inv_a")
        store.close()


class TestFinding4OpeningNeverWaitsForAWriter:
    def test_a_store_opens_and_reads_while_another_process_writes(self, tmp_path: Path) -> None:
        path = tmp_path / "book.db"
        SqlStore(f"sqlite:///{path}", create=True).invoices.add(invoice("inv_a"))
        rival = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        rival.execute("BEGIN IMMEDIATE")
        rival.execute("UPDATE invoices SET version = version WHERE id = 'inv_a'")
        try:
            started = time.monotonic()
            store = SqlStore(f"sqlite:///{path}?timeout=0.5")
            assert [i.id for i in store.invoices.find()] == ["inv_a"]
            assert time.monotonic() - started < 5
            store.close()
        finally:
            rival.rollback()
            rival.close()


def test_many_openers_of_an_empty_database_all_succeed(db_url: str) -> None:
    """Rival ``create=True`` openers take turns: every one opens the one store."""
    from concurrent.futures import ThreadPoolExecutor

    def open_one(_: int) -> str | None:
        store = SqlStore(db_url, create=True)
        revision = store.schema_revision()
        store.close()
        return revision

    with ThreadPoolExecutor(max_workers=4) as pool:
        revisions = set(pool.map(open_one, range(4)))
    assert len(revisions) == 1


class TestFinding6RivalPostersNeverMeetAVersionRace:
    def test_threads_posting_the_same_allocations_apply_each_once(self, db_url: str) -> None:
        from concurrent.futures import ThreadPoolExecutor

        store = SqlStore(db_url, create=True)
        store.invoices.add(invoice("inv_2024_0042"))
        allocations = [
            attrs.evolve(_allocation(f"alloc_{n}", "inv_2024_0042"), amount=Money(1_00, "EUR"))
            for n in range(8)
        ]
        at = dt.datetime(2024, 6, 10, 12, tzinfo=dt.UTC)

        def post_all(_: int) -> int:
            for each in allocations:
                store.post_allocation(each, at=at)
            return len(allocations)

        with ThreadPoolExecutor(max_workers=4) as pool:
            posted = sum(pool.map(post_all, range(4)))
        assert posted == 32  # every call returned: no ConcurrencyConflict reached a caller
        assert store.allocation_ids("inv_2024_0042") == sorted(a.id for a in allocations)
        store.close()
