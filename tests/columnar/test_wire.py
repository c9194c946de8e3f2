"""Wire JSON straight to Arrow: the same rows as decoding to entities, the same refusals."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.columnar import INVOICES, invoice_batches, read_invoices
from adapters.columnar.wire import wire_invoice_batches, wire_to_parquet
from adapters.errors import ColumnarMismatch
from adapters.stuut_json import DecodeError, decode_invoices, encode_invoice
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.strategies import invoices

BOOKS = st.lists(invoices(), max_size=10)
SETTINGS = settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)


def _documents(book: list[Invoice], per_page: int, envelope: bool) -> list[bytes]:
    pages = [book[k : k + per_page] for k in range(0, len(book), per_page)] or [[]]
    docs = [b"[" + b",".join(encode_invoice(i) for i in page) + b"]" for page in pages]
    return [b'{"data":' + d + b',"current_page":1}' for d in docs] if envelope else docs


def _rows(batches: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pa.Table.from_batches(list(batches), schema=INVOICES).to_pylist()
    return rows


def _invoice(n: int) -> Invoice:
    return Invoice(
        id=f"inv_{n}",
        object="invoice",
        remote_id=str(n),
        currency="KWD",
        total_amount=Money(1500, "KWD"),
        amount_paid=Money(500, "KWD"),
        amount_due=Money(1000, "KWD"),
        issued_at=dt.datetime(2026, 1, 2, 21, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        due_date=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
    )


def _page(*docs: dict[str, Any]) -> bytes:
    return json.dumps(list(docs)).encode()


def _doc(n: int, **changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(encode_invoice(_invoice(n)))
    doc.update(changes)
    return doc


class TestEqualToEntities:
    @SETTINGS
    @given(BOOKS, st.integers(1, 4), st.integers(1, 5), st.booleans())
    def test_rows_equal_decoding_then_writing_the_entities(
        self, book: list[Invoice], per_page: int, batch_rows: int, envelope: bool
    ) -> None:
        """Same columns, same exact minor units, exponents, days and status, row for row."""
        docs = _documents(book, per_page, envelope)
        direct = list(wire_invoice_batches(docs, batch_rows=batch_rows))
        assert all(b.num_rows <= batch_rows for b in direct)
        decoded = [i for d in docs for i in decode_invoices(d)]
        assert _rows(invoice_batches(decoded)) == _rows(direct)
        assert _rows(invoice_batches(book)) == _rows(direct)

    def test_the_day_is_the_one_written_and_the_instant_is_utc(self) -> None:
        (row,) = _rows(wire_invoice_batches([_page(_doc(1))]))
        assert dt.date(2026, 1, 2) == row["issue_day"]
        assert dt.datetime(2026, 1, 3, 2, tzinfo=dt.UTC) == row["issued_at"]
        assert ("KWD", 3, 1000, "partially_paid") == (
            row["currency"],
            row["exponent"],
            row["amount_due_minor"],
            row["status"],
        )

    def test_absent_optional_keys_are_null(self) -> None:
        """A document without the optional keys (not even null) reads them as null."""
        doc = {
            "object": "invoice",
            "remote_id": "1",
            "currency": "JPY",
            "total_amount": 5,
            "amount_due": 5,
        }
        (row,) = _rows(wire_invoice_batches([_page(doc)]))
        assert (None, None, 0, "draft") == (
            row["id"],
            row["due_day"],
            row["exponent"],
            row["status"],
        )
        assert _rows(invoice_batches(decode_invoices(_page(doc)))) == [row]

    def test_a_document_with_an_unknown_key_is_kept_as_decoding_keeps_it(self) -> None:
        page = _page(_doc(1, surprise={"x": 1}), _doc(2))
        assert _rows(invoice_batches(decode_invoices(page))) == _rows(wire_invoice_batches([page]))

    def test_a_batch_read_in_several_slices_equals_the_entities(self) -> None:
        """More frames than one slice (8,192) are read in passes and joined in order."""
        book = [_invoice(n) for n in range(9_000)]
        pages = _documents(book, 3_000, envelope=False)
        (batch,) = wire_invoice_batches(pages, batch_rows=10_000)
        assert _rows(invoice_batches(book)) == _rows([batch])

    def test_no_documents_give_one_empty_batch(self) -> None:
        (batch,) = wire_invoice_batches([])
        assert (0, INVOICES) == (batch.num_rows, batch.schema)

    def test_documents_are_read_lazily(self) -> None:
        seen: list[int] = []

        def pages() -> Any:
            for n in range(4):
                seen.append(n)
                yield _page(_doc(2 * n), _doc(2 * n + 1))

        batches = wire_invoice_batches(pages(), batch_rows=2)
        assert 2 == next(batches).num_rows
        assert [0] == seen

    def test_to_parquet_reads_back_as_the_entities_file(self, tmp_path: Path) -> None:
        pages = [_page(_doc(n), _doc(n + 100)) for n in range(5)]
        assert 10 == wire_to_parquet(pages, tmp_path / "w.parquet", batch_rows=4)
        decoded = [i for p in pages for i in decode_invoices(p)]
        assert _rows(invoice_batches(decoded)) == read_invoices(tmp_path / "w.parquet").to_pylist()


BAD = [
    ("total_amount", 1.5),
    ("amount_due", 2**63),
    ("amount_paid", "100"),
    ("currency", "XXY"),
    ("currency", "eur"),
    ("issued_at", "2026-01-02T09:00:00"),
    ("due_date", "2026-02-30T00:00:00Z"),
    ("promised_to_pay_date", "tomorrow"),
    ("type", "refund"),
    ("in_dispute", "no"),
    ("number", 7),
]


class TestRefusals:
    @pytest.mark.parametrize(("field", "value"), BAD)
    def test_what_the_codec_refuses_is_refused_naming_column_and_row(
        self, field: str, value: object
    ) -> None:
        """The third invoice of the second page is row 3 of the table, never rounded."""
        pages = [_page(_doc(0), _doc(1)), _page(_doc(2), _doc(3, **{field: value}))]
        with pytest.raises(DecodeError):
            decode_invoices(pages[1])
        with pytest.raises(ColumnarMismatch) as caught:
            list(wire_invoice_batches(pages))
        assert (field, 3, value) == (caught.value.column, caught.value.row, caught.value.found)
        assert isinstance(caught.value.__cause__, DecodeError)

    @SETTINGS
    @given(st.sampled_from(BAD), st.integers(0, 3))
    def test_a_bad_value_anywhere_is_refused_as_decoding_refuses_it(
        self, bad: tuple[str, object], at: int
    ) -> None:
        field, value = bad
        docs = [_doc(n, **({field: value} if n == at else {})) for n in range(4)]
        with pytest.raises(ColumnarMismatch) as caught:
            list(wire_invoice_batches([_page(*docs)]))
        assert at == caught.value.row

    def test_a_bad_nested_value_is_refused_as_decoding_refuses_it(self) -> None:
        """Nested values are not on the columns, but their rules still hold (a line item
        without its ``remote_id``)."""
        item = {"object": "line_item", "invoice_id": "inv_1", "currency": "KWD"}
        page = _page(_doc(0), _doc(1, line_items=[item]))
        with pytest.raises(DecodeError):
            decode_invoices(page)
        with pytest.raises(ColumnarMismatch) as caught:
            list(wire_invoice_batches([page]))
        assert 1 == caught.value.row

    def test_a_document_that_is_not_a_list_is_refused(self) -> None:
        with pytest.raises(ColumnarMismatch) as caught:
            list(wire_invoice_batches([b'"invoices"']))
        assert caught.value.row is None

    def test_batch_rows_must_be_a_positive_int(self) -> None:
        with pytest.raises(ColumnarMismatch):
            list(wire_invoice_batches([], batch_rows=0))
