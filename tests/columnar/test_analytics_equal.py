"""The Ibis analytics equal the library's Python answers, exactly, on DuckDB and Polars."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import attrs
import ibis
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.columnar import INVOICES, invoice_batches
from adapters.columnar.analytics import aging_records, collections_records, dso_records
from adapters.errors import ColumnarMismatch
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.portfolio import aging_report, days_sales_outstanding, expected_collections
from stuut_domain.receivables import due_day
from stuut_domain.strategies import invoices

BACKENDS = ("duckdb", "polars")
BOOKS = st.lists(invoices(), max_size=25)
DAYS = st.dates(dt.date(2020, 1, 1), dt.date(2032, 1, 1))


@pytest.fixture(scope="module", params=BACKENDS)
def con(request: pytest.FixtureRequest) -> Any:
    return ibis.connect(f"{request.param}://")


def _table(book: list[Invoice]) -> Any:
    return ibis.memtable(pa.Table.from_batches(list(invoice_batches(book)), schema=INVOICES))


@pytest.mark.slow
class TestEqualToThePythonReference:
    @given(book=BOOKS, on=DAYS)
    def test_aging_per_currency(self, con: Any, book: list[Invoice], on: dt.date) -> None:
        assert aging_report(book, as_of=on).records() == aging_records(con, _table(book), as_of=on)

    @given(book=BOOKS, on=DAYS, period=st.integers(1, 400))
    def test_dso(self, con: Any, book: list[Invoice], on: dt.date, period: int) -> None:
        expected = days_sales_outstanding(book, as_of=on, period_days=period).records()
        assert expected == dso_records(con, _table(book), as_of=on, period_days=period)

    @given(book=BOOKS, data=st.data(), weeks=st.integers(1, 60))
    def test_expected_collections(
        self, con: Any, book: list[Invoice], data: st.DataObject, weeks: int
    ) -> None:
        """``as_of`` is drawn near the book's own due and promise days, so that promises
        kept and broken, the weeks and the horizon are all reached."""
        near = [due_day(i) for i in book] + [i.promised_to_pay_date for i in book]
        days = [d for d in near if d is not None]
        on = data.draw(DAYS)
        if days:
            shift = data.draw(st.integers(-100, 100))
            on = data.draw(st.sampled_from(days)) + dt.timedelta(days=shift)
        expected = expected_collections(book, as_of=on, weeks=weeks).records()
        assert expected == collections_records(con, _table(book), as_of=on, weeks=weeks)


def _invoice(n: int, units: int, due: dt.date | None) -> Invoice:
    return Invoice(
        id=f"inv_{n}",
        object="invoice",
        remote_id=str(n),
        currency="EUR",
        total_amount=Money(units, "EUR"),
        amount_due=Money(units, "EUR"),
        issued_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        due_date=None if due is None else dt.datetime.combine(due, dt.time(), dt.UTC),
    )


class TestExamples:
    def test_every_bucket_and_no_due_date(self, con: Any) -> None:
        on = dt.date(2026, 6, 30)
        dues = [on, on - dt.timedelta(days=1), on - dt.timedelta(days=31)]
        dues += [on - dt.timedelta(days=61), on - dt.timedelta(days=91), None]
        book = [_invoice(n, 100 * (n + 1), due) for n, due in enumerate(dues)]
        rows = aging_records(con, _table(book), as_of=on)
        assert aging_report(book, as_of=on).records() == rows
        assert 6 == rows[0]["invoices"]

    @pytest.mark.parametrize(
        "on", [dt.date(2026, 6, 30), dt.date(1, 1, 1), dt.date(1, 2, 15), dt.date.max]
    )
    def test_each_side_of_every_bucket_edge(self, con: Any, on: dt.date) -> None:
        """Due 0/1, 30/31, 60/61 and 90/91 days before ``as_of`` (the buckets are compared
        as days, not differences); near the first date there is, the edges fall before it."""
        dues = []
        for days in (-1, 0, 1, 30, 31, 60, 61, 90, 91, 400):
            with contextlib.suppress(OverflowError):
                dues.append(on - dt.timedelta(days=days))
        book = [_invoice(n, 100 * (n + 1), due) for n, due in enumerate(dues)]
        assert aging_report(book, as_of=on).records() == aging_records(con, _table(book), as_of=on)

    def test_promises_kept_broken_and_beyond_the_horizon(self, con: Any) -> None:
        """Each basis of the forecast: promise, due date, broken promise, past due, later."""
        on = dt.date(2026, 6, 3)  # a Wednesday
        cases = [
            (on + dt.timedelta(days=2), on - dt.timedelta(days=5)),  # promise this week
            (None, on + dt.timedelta(days=9)),  # due next week
            (on - dt.timedelta(days=1), on + dt.timedelta(days=400)),  # broken, due later
            (on - dt.timedelta(days=3), on - dt.timedelta(days=3)),  # broken, past due
            (None, on - dt.timedelta(days=3)),  # past due
            (on + dt.timedelta(days=300), None),  # promised beyond the horizon
            (None, None),  # undated
        ]
        book = [
            attrs.evolve(_invoice(n, 100 + n, due), promised_to_pay_date=promise)
            for n, (promise, due) in enumerate(cases)
        ]
        rows = collections_records(con, _table(book), as_of=on, weeks=4)
        assert expected_collections(book, as_of=on, weeks=4).records() == rows
        assert ["overdue", "2026-06-01", "2026-06-08", "later", "undated"] == [
            r["period"] for r in rows
        ]

    def test_a_sum_that_could_leave_int64_is_refused_not_wrapped(self, con: Any) -> None:
        """Polars adds integers unchecked; the guard refuses before a wrapped total shows."""
        big = 2**62
        book = [_invoice(n, big, dt.date(2026, 1, 1)) for n in range(3)]
        with pytest.raises(ColumnarMismatch) as caught:
            aging_records(con, _table(book), as_of=dt.date(2026, 6, 30))
        assert "amount_due_minor" == caught.value.column
