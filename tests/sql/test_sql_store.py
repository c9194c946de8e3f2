"""The SQL store beyond the shared contract: units of work, the allocations ledger, hostile
input, rival processes and writers killed mid-transaction, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3

import attrs
import pytest
import sqlalchemy as sa
from contract_support import allocation, invoice, partner

from adapters.errors import CorruptRecord, InvalidId
from adapters.sql import SqlStore
from adapters.sql.store import engine_url
from stuut_domain.errors import ConcurrencyConflict, InvalidAllocation, NotFound
from stuut_domain.money import Money
from stuut_domain.payment import PaymentAllocation
from stuut_domain.ports import InvoiceQuery

UTC = dt.UTC
AT = dt.datetime(2024, 6, 10, 12, 0, tzinfo=UTC)


def _allocation(alloc_id: str, amount: int, invoice_id: str = "inv_2024_0042") -> PaymentAllocation:
    return allocation(alloc_id, invoice_id=invoice_id, amount=amount)


class TestUnitOfWork:
    def test_commit_keeps_every_write(self, db_url: str) -> None:
        """Writes in a unit of work are visible after commit(), all of them."""
        store = SqlStore(db_url, create=True)
        with store.unit_of_work() as uow:
            uow.invoices.add(invoice("inv_2024_0042"))
            uow.partners.add(partner("ptn_acme"))
            uow.commit()
        assert ("inv_2024_0042", "ptn_acme") == (
            store.invoices.get("inv_2024_0042").id,
            store.partners.get("ptn_acme").id,
        )
        store.close()

    def test_without_commit_nothing_is_kept(self, db_url: str) -> None:
        """Leaving the block without commit() rolls back (also when an error leaves it)."""
        store = SqlStore(db_url, create=True)
        with store.unit_of_work() as uow:
            uow.invoices.add(invoice("inv_2024_0042"))

        def add_then_fail() -> None:
            with store.unit_of_work() as uow:
                uow.invoices.add(invoice("inv_2024_0043"))
                uow.invoices.get("inv_missing")

        with pytest.raises(NotFound):
            add_then_fail()
        assert [] == list(store.invoices.ids())
        store.close()


class TestAllocationsLedger:
    def test_posting_twice_applies_once(self, db_url: str) -> None:
        """The same allocation posted twice: amount moved once, one ledger row, one new version."""
        store = SqlStore(db_url, create=True)
        store.invoices.add(invoice("inv_2024_0042"))
        first = store.post_allocation(_allocation("alloc_1", 500_00), at=AT)
        again = store.post_allocation(_allocation("alloc_1", 500_00), at=AT)
        stored = store.invoices.get_versioned("inv_2024_0042")
        assert ("2", "2", Money(750_00, "EUR"), ["alloc_1"]) == (
            first.version,
            again.version,
            stored.entity.amount_due,
            store.allocation_ids("inv_2024_0042"),
        )
        store.close()

    def test_one_allocation_id_on_two_invoices_is_refused(self, db_url: str) -> None:
        """An allocation id another invoice holds: allocation_conflict, nothing written."""
        store = SqlStore(db_url, create=True)
        store.invoices.add(invoice("inv_2024_0042"))
        store.invoices.add(invoice("inv_2024_0043"))
        store.post_allocation(_allocation("alloc_1", 100_00), at=AT)
        with pytest.raises(InvalidAllocation, match="allocation_conflict"):
            store.post_allocation(_allocation("alloc_1", 100_00, "inv_2024_0043"), at=AT)
        # The same through a plain save of an invoice document that lists it.
        current = store.invoices.get_versioned("inv_2024_0043")
        listed = attrs.evolve(
            current.entity, payments=(_allocation("alloc_1", 100_00, "inv_2024_0043"),)
        )
        with pytest.raises(InvalidAllocation, match="allocation_conflict"):
            store.invoices.save(listed, expected_version=current.version)
        assert (current, [], ["alloc_1"]) == (
            store.invoices.get_versioned("inv_2024_0043"),
            store.allocation_ids("inv_2024_0043"),
            store.allocation_ids("inv_2024_0042"),
        )
        store.close()

    def test_a_refused_allocation_writes_nothing(self, db_url: str) -> None:
        """Above amount_due: the engine refuses; invoice version and ledger are unchanged."""
        store = SqlStore(db_url, create=True)
        version = store.invoices.add(invoice("inv_2024_0042"))
        with pytest.raises(InvalidAllocation, match="exceeds_amount_due"):
            store.post_allocation(_allocation("alloc_9", 9_999_00), at=AT)
        assert (version, []) == (
            store.invoices.get_versioned("inv_2024_0042").version,
            store.allocation_ids("inv_2024_0042"),
        )
        store.close()


class TestHostileInput:
    @pytest.mark.parametrize(
        "bad_id", ["inv'; DROP TABLE invoices; --", "inv_1 OR 1=1", "inv\x00", "ü" * 3]
    )
    def test_hostile_ids_are_refused_and_nothing_is_written(self, db_url: str, bad_id: str) -> None:
        """Ids that could be SQL are InvalidId before any statement; the table stays empty."""
        store = SqlStore(db_url, create=True)
        with pytest.raises(InvalidId):
            store.invoices.add(attrs.evolve(invoice("inv_x"), id=bad_id))
        with pytest.raises(InvalidId):
            store.invoices.get(bad_id)
        assert [] == list(store.invoices.ids())
        store.close()

    @pytest.mark.parametrize("version", ["1 OR 1=1", "sha256:abc", "-1", "9" * 40, ""])
    def test_a_hostile_expected_version_is_a_conflict(self, db_url: str, version: str) -> None:
        """A version the store never issued conflicts (naming the stored one); nothing written."""
        store = SqlStore(db_url, create=True)
        store.invoices.add(invoice("inv_2024_0042"))
        with pytest.raises(ConcurrencyConflict) as caught:
            store.invoices.save(invoice("inv_2024_0042", paid=1), expected_version=version)
        assert ("1", invoice("inv_2024_0042")) == (
            caught.value.actual,
            store.invoices.get("inv_2024_0042"),
        )
        store.close()

    def test_a_corrupt_document_is_a_corrupt_record_and_the_rest_stay_readable(
        self, db_url: str
    ) -> None:
        """A row whose doc is not an invoice raises CorruptRecord; on_corrupt lists the others."""
        store = SqlStore(db_url, create=True)
        store.invoices.add(invoice("inv_2024_0042"))
        store.invoices.add(invoice("inv_2024_0043"))
        with store.transaction() as conn:
            table = store.tables["invoice"]
            conn.execute(
                sa.update(table).where(table.c.id == "inv_2024_0043").values(doc='{"id": 7')
            )
        skipped: list[CorruptRecord] = []
        listed = [i.id for i in store.invoices.find(None, on_corrupt=skipped.append)]
        with pytest.raises(CorruptRecord):
            store.invoices.get("inv_2024_0043")
        assert (["inv_2024_0042"], 1) == (listed, len(skipped))
        store.close()


class TestSqlQueries:
    def test_the_projection_narrowing_agrees_with_matches(self, db_url: str) -> None:
        """Filtered in SQL or in memory, a listing is the same (projections follow saves)."""
        store = SqlStore(db_url, create=True)
        for n in range(40):
            store.invoices.add(
                invoice(
                    f"inv_{n:04d}",
                    partner_id=f"ptn_{n % 3}",
                    paid=(n % 2) * 1_250_00,
                    currency="EUR" if n % 4 else "USD",
                    due=dt.datetime(2024, 1 + n % 12, 1, tzinfo=dt.timezone(dt.timedelta(hours=5))),
                )
            )
        queries = [
            InvoiceQuery(partner_id="ptn_1", open_only=True),
            InvoiceQuery(currency="USD"),
            InvoiceQuery(due_before=dt.datetime(2024, 6, 1, tzinfo=UTC), open_only=True),
        ]
        every = list(store.invoices.find())
        expected = [sorted(str(i.id) for i in every if q.matches(i)) for q in queries]
        assert expected == [sorted(str(i.id) for i in store.invoices.find(q)) for q in queries]
        store.close()


WRITES_PER_WORKER = 25


def _fork(work: object) -> tuple[int, int]:
    """Run ``work(write_fd)`` in a forked child; returns (pid, read end of its pipe)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        os.close(read_fd)
        code = 0
        try:
            work(write_fd)  # type: ignore[operator]
        except BaseException:  # noqa: BLE001 - reported through the exit code
            code = 1
        os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def _incrementer(url: str) -> object:
    def work(fd: int) -> None:
        store = SqlStore(url)
        done = 0
        while done < WRITES_PER_WORKER:
            read = store.invoices.get_versioned("inv_2024_0042")
            count = int(read.entity.memo or "0")
            try:
                store.invoices.save(
                    attrs.evolve(read.entity, memo=str(count + 1)), expected_version=read.version
                )
            except ConcurrencyConflict:
                continue
            done += 1
        os.write(fd, b"done\n")

    return work


def _pair_writer(url: str) -> object:
    def work(fd: int) -> None:
        store = SqlStore(url)
        while True:
            with store.unit_of_work() as uow:
                a = uow.invoices.get_versioned("inv_a")
                b = uow.invoices.get_versioned("inv_b")
                n = int(a.entity.memo or "0") + 1
                uow.invoices.save(attrs.evolve(a.entity, memo=str(n)), expected_version=a.version)
                uow.invoices.save(attrs.evolve(b.entity, memo=str(n)), expected_version=b.version)
                uow.commit()
            os.write(fd, f"{n}\n".encode())

    return work


def _ledger_writer(url: str) -> object:
    """Saves ``inv_a`` outside any unit of work (the direct path, ADR 0076), each time with
    one new allocation ``alloc_N`` and memo N, acknowledging N once the save returned."""

    def work(fd: int) -> None:
        store = SqlStore(url)
        while True:
            read = store.invoices.get_versioned("inv_a")
            n = int(read.entity.memo or "0") + 1
            changed = attrs.evolve(
                read.entity,
                memo=str(n),
                payments=(_allocation(f"alloc_{n}", 100_00, "inv_a"),),
                amount_paid=Money(100_00, "EUR"),
                amount_due=Money(1_150_00, "EUR"),
            )
            store.invoices.save(changed, expected_version=read.version)
            os.write(fd, f"{n}\n".encode())

    return work


def _read_lines(fd: int, count: int) -> list[str]:
    with os.fdopen(fd, "rb", buffering=0) as pipe:
        lines: list[str] = []
        buffer = b""
        while len(lines) < count:
            chunk = pipe.read(64)
            if not chunk:
                break
            buffer += chunk
            *complete, buffer = buffer.split(b"\n")
            lines.extend(c.decode() for c in complete)
        return lines


class TestRivalsAndCrashes:
    def test_two_processes_lose_no_update(self, db_url: str) -> None:
        """Two processes add 1 to a counter 25 times each, retrying conflicts: it ends at 50."""
        store = SqlStore(db_url, create=True)
        store.invoices.add(invoice("inv_2024_0042", memo="0"))
        store.close()
        children = [_fork(_incrementer(db_url)) for _ in range(2)]
        results = []
        for pid, fd in children:
            lines = _read_lines(fd, 1)
            _, status = os.waitpid(pid, 0)
            results.append((lines, os.waitstatus_to_exitcode(status)))
        reopened = SqlStore(db_url)
        assert ([(["done"], 0)] * 2, "50") == (
            results,
            reopened.invoices.get("inv_2024_0042").memo,
        )
        reopened.close()

    @pytest.mark.slow
    def test_a_writer_killed_100_times_leaves_no_partial_and_loses_no_ack(
        self, db_url: str
    ) -> None:
        """SIGKILL mid-loop, 100 times: both invoices always agree (one transaction wrote
        them) and every count a writer acknowledged after commit is still there."""
        store = SqlStore(db_url, create=True)
        store.invoices.add(invoice("inv_a", memo="0"))
        store.invoices.add(invoice("inv_b", memo="0"))
        torn, lost = [], []
        for kill in range(100):
            pid, fd = _fork(_pair_writer(db_url))
            acked = _read_lines(fd, 1 + kill % 5)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            a, b = store.invoices.get("inv_a").memo, store.invoices.get("inv_b").memo
            if a != b:
                torn.append((kill, a, b))
            if acked and int(a or "0") < int(acked[-1]):
                lost.append((kill, acked[-1], a))
        # Every writer acknowledged at least one commit before it was killed.
        final = int(store.invoices.get("inv_a").memo or "0")
        assert ([], [], True) == (torn, lost, final >= 100)
        store.close()

    @pytest.mark.slow
    def test_a_plain_saver_killed_100_times_keeps_document_and_ledger_together(
        self, db_url: str
    ) -> None:
        """SIGKILL mid-loop of single saves, 100 times: the ledger always holds exactly the
        allocation the stored document lists (one transaction wrote both), and every save a
        writer acknowledged is still there."""
        store = SqlStore(db_url, create=True)
        store.invoices.add(invoice("inv_a", memo="0"))
        torn, lost = [], []
        for kill in range(100):
            pid, fd = _fork(_ledger_writer(db_url))
            acked = _read_lines(fd, 1 + kill % 5)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            stored = store.invoices.get("inv_a")
            listed = [a.id for a in stored.payments]
            if store.allocation_ids("inv_a") != listed or listed != [f"alloc_{stored.memo}"]:
                torn.append((kill, stored.memo, listed, store.allocation_ids("inv_a")))
            if acked and int(stored.memo or "0") < int(acked[-1]):
                lost.append((kill, acked[-1], stored.memo))
        final = int(store.invoices.get("inv_a").memo or "0")
        assert ([], [], True) == (torn, lost, final >= 100)
        store.close()


class TestSqliteSettings:
    def test_a_file_database_runs_in_wal_mode(self, tmp_path: object) -> None:
        """The store switches a file database to WAL (readers never block the writer)."""
        path = f"{tmp_path}/book.db"
        SqlStore(f"sqlite:///{path}", create=True).close()
        with sqlite3.connect(path) as conn:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert "wal" == mode

    def test_postgresql_urls_use_psycopg(self) -> None:
        """``postgresql://`` names the psycopg 3 driver; other URLs pass unchanged."""
        assert ("postgresql+psycopg://u@h/db", "sqlite:///x.db") == (
            engine_url("postgresql://u@h/db"),
            engine_url("sqlite:///x.db"),
        )
