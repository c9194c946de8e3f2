"""A book to Parquet from a JSON store or the API client's pages, streamed, all tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from adapters.columnar import read_table, table_batches
from adapters.columnar.export import api_to_parquet, export_book, store_to_parquet
from adapters.errors import ColumnarMismatch
from adapters.fake_api import FakeStuutApi
from adapters.http_api import StuutApiClient
from adapters.json_store import JsonStore
from adapters.samples import sample_portfolio_path
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money

TOKEN = "test-token"


def _sorted(rows: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: tuple(str(r[k]) for k in keys))


def _expected(table: str, entities: Iterator[Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pa.Table.from_batches(
        list(table_batches(table, entities))
    ).to_pylist()
    return rows


@pytest.fixture(scope="module")
def store() -> JsonStore:
    return JsonStore(sample_portfolio_path())


class TestStoreToParquet:
    def test_every_table_of_the_sample_store_is_written_as_its_entities_give_it(
        self, store: JsonStore, tmp_path: Path
    ) -> None:
        """Invoices, their line items and allocations, partners and payments, row for row."""
        written = store_to_parquet(store, tmp_path, batch_rows=64)
        invoices = list(store.invoices.find())
        assert len(invoices) == written["invoices"] == 400
        items = [i for inv in invoices for i in inv.line_items]
        allocations = [a for inv in invoices for a in inv.payments]
        assert (len(items), len(allocations)) == (written["line_items"], written["allocations"])
        expected = {
            "invoices": _expected("invoices", iter(invoices)),
            "line_items": _expected("line_items", iter(items)),
            "allocations": _expected("allocations", iter(allocations)),
            "partners": _expected("partners", store.partners.find()),
            "payments": _expected("payments", store.payments.find()),
        }
        for table, rows in expected.items():
            assert rows == read_table(table, tmp_path / f"{table}.parquet").to_pylist(), table
        assert not list(tmp_path.glob("*.partial"))

    def test_a_failed_export_leaves_no_file_that_looks_whole(self, tmp_path: Path) -> None:
        """An amount beyond int64 stops the pass; no invoices.parquet, no partial file."""
        huge = Invoice(
            id="inv_1",
            object="invoice",
            remote_id="1",
            currency="EUR",
            total_amount=Money(2**63, "EUR"),
            amount_due=Money(2**63, "EUR"),
            issued_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
        )
        with pytest.raises(ColumnarMismatch) as caught:
            export_book(tmp_path, invoices=[huge])
        assert ("total_amount_minor", 0) == (caught.value.column, caught.value.row)
        assert [] == list(tmp_path.iterdir())

    def test_rows_are_numbered_across_batches(self, tmp_path: Path) -> None:
        def book() -> Iterator[Invoice]:
            for n in range(5):
                units = 2**63 if n == 4 else 100
                yield Invoice(
                    id=f"inv_{n}",
                    object="invoice",
                    remote_id=str(n),
                    currency="EUR",
                    total_amount=Money(units, "EUR"),
                    amount_due=Money(units, "EUR"),
                )

        with pytest.raises(ColumnarMismatch) as caught:
            export_book(tmp_path, invoices=book(), batch_rows=2)
        assert 4 == caught.value.row

    def test_a_partner_among_the_invoices_is_refused_naming_the_row(self, tmp_path: Path) -> None:
        book = JsonStore(sample_portfolio_path())
        mixed = [next(book.invoices.find()), next(book.partners.find())]
        with pytest.raises(ColumnarMismatch) as caught:
            export_book(tmp_path, invoices=mixed)
        assert ("<entity>", 1, "Partner") == (
            caught.value.column,
            caught.value.row,
            caught.value.found,
        )

    def test_batch_rows_must_be_a_positive_int(self, tmp_path: Path) -> None:
        with pytest.raises(ColumnarMismatch):
            export_book(tmp_path, invoices=[], batch_rows=0)


class TestApiToParquet:
    def test_the_api_pages_give_the_stores_invoices_and_partners(
        self, store: JsonStore, tmp_path: Path
    ) -> None:
        """Through the fake API, page by page (37 a page), the same rows as the store gives."""
        with (
            FakeStuutApi.serving(store, token=TOKEN) as api,
            StuutApiClient(TOKEN, base_url=api.base_url) as client,
        ):
            written = api_to_parquet(client, tmp_path, batch_rows=50, page_size=37)
            pages = [r for r in api.requests if r.path.endswith("/invoices")]
        assert 400 == written["invoices"]
        assert len(pages) >= 400 // 37
        for table, source, key in (
            ("invoices", store.invoices.find(), ("id",)),
            ("partners", store.partners.find(), ("id",)),
        ):
            got = read_table(table, tmp_path / f"{table}.parquet").to_pylist()
            assert _sorted(_expected(table, source), *key) == _sorted(got, *key)
