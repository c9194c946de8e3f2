"""Invoices on columns: the schema's rules, streaming to Parquet, and refusals on reading."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.columnar import (
    INVOICES,
    SCHEMA_VERSION,
    invoice_batches,
    read_invoices,
    write_parquet,
)
from adapters.errors import ColumnarMismatch
from stuut_domain.invoice import Invoice, status_of
from stuut_domain.money import Money, exponent
from stuut_domain.receivables import due_day, issue_date_of
from stuut_domain.strategies import invoices

BOOKS = st.lists(invoices(), max_size=12)


def _invoice(n: int, units: int = 1000, code: str = "EUR") -> Invoice:
    return Invoice(
        id=f"inv_{n}",
        object="invoice",
        remote_id=str(n),
        currency=code,
        total_amount=Money(units, code),
        amount_due=Money(units, code),
        issued_at=dt.datetime(2026, 1, 2, 9, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        due_date=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
    )


class TestSchema:
    def test_money_is_integer_minor_units_with_currency_and_exponent(self) -> None:
        """No float and no decimal column anywhere; money is int64 + dictionary + int8."""
        for field in INVOICES:
            assert not pa.types.is_floating(field.type), field.name
            assert not pa.types.is_decimal(field.type), field.name
            if field.name.endswith("_minor"):
                assert pa.int64() == field.type
        assert pa.int8() == INVOICES.field("exponent").type
        assert pa.types.is_dictionary(INVOICES.field("currency").type)

    def test_instants_are_utc_microseconds_and_days_are_date32(self) -> None:
        for name in ("issued_at", "due_date", "paid_at", "voided_at", "marked_uncollectible_at"):
            assert pa.timestamp("us", tz="UTC") == INVOICES.field(name).type
        for name in ("issue_day", "due_day", "promised_to_pay_date"):
            assert pa.date32() == INVOICES.field(name).type

    def test_the_schema_names_its_table_and_version(self) -> None:
        assert {b"stuut.table": b"invoices", b"stuut.schema_version": b"1"} == INVOICES.metadata
        assert "1" == SCHEMA_VERSION


class TestBatches:
    @given(BOOKS, st.integers(1, 5))
    def test_each_row_holds_the_entitys_values_exactly(
        self, book: list[Invoice], batch_rows: int
    ) -> None:
        """Minor units, currency, exponent, status and days equal the domain's readings."""
        batches = list(invoice_batches(book, batch_rows=batch_rows))
        assert all(b.num_rows <= batch_rows for b in batches)
        rows = pa.Table.from_batches(batches, schema=INVOICES).to_pylist()
        assert len(book) == len(rows)
        for invoice, row in zip(book, rows, strict=True):
            assert invoice.id == row["id"]
            assert invoice.currency == row["currency"]
            assert exponent(invoice.currency) == row["exponent"]
            assert invoice.total_amount.minor_units == row["total_amount_minor"]
            assert invoice.amount_due.minor_units == row["amount_due_minor"]
            paid = invoice.amount_paid
            assert (None if paid is None else paid.minor_units) == row["amount_paid_minor"]
            assert status_of(invoice).value == row["status"]
            assert due_day(invoice) == row["due_day"]
            assert issue_date_of(invoice) == row["issue_day"]
            assert invoice.issued_at == row["issued_at"]
            assert invoice.promised_to_pay_date == row["promised_to_pay_date"]

    def test_the_day_is_the_one_the_api_wrote_not_the_utc_one(self) -> None:
        """Issued at 21:00 on the 2nd at UTC-5 is the 3rd in UTC; the issue day stays the 2nd."""
        late = attrs.evolve(
            _invoice(1),
            issued_at=dt.datetime(2026, 1, 2, 21, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        )
        row = pa.Table.from_batches(list(invoice_batches([late]))).to_pylist()[0]
        assert dt.date(2026, 1, 2) == row["issue_day"]
        assert dt.datetime(2026, 1, 3, 2, tzinfo=dt.UTC) == row["issued_at"]

    @given(
        st.lists(
            st.none() | st.datetimes(dt.datetime(1, 1, 2), dt.datetime(9999, 12, 30)), max_size=20
        ),
        st.integers(-23 * 60, 23 * 60),
    )
    def test_days_in_one_offset_are_computed_on_the_column_as_each_date_gives(
        self, naive: list[dt.datetime | None], minutes: int
    ) -> None:
        """The day of each instant written in one fixed offset, before the epoch too,
        is the one ``datetime.date`` gives (the column's floored whole days)."""
        from adapters.columnar._build import days, instants

        zone = dt.timezone(dt.timedelta(minutes=minutes))
        values = [None if v is None else v.replace(tzinfo=zone) for v in naive]
        expected = [None if v is None else v.date() for v in values]
        assert expected == days(values, instants(values)).to_pylist()

    def test_an_empty_book_gives_one_empty_batch_of_the_schema(self) -> None:
        (batch,) = invoice_batches([])
        assert 0 == batch.num_rows
        assert INVOICES == batch.schema

    def test_an_amount_beyond_int64_is_refused_naming_column_and_row(self) -> None:
        huge = [_invoice(0), _invoice(1, units=2**63)]
        with pytest.raises(ColumnarMismatch) as caught:
            list(invoice_batches(huge))
        assert ("total_amount_minor", 1) == (caught.value.column, caught.value.row)

    def test_batch_rows_must_be_a_positive_int(self) -> None:
        with pytest.raises(ColumnarMismatch):
            list(invoice_batches([_invoice(0)], batch_rows=0))

    def test_entities_are_read_lazily(self) -> None:
        """The writer takes a generator and holds one batch of entities at a time."""
        seen: list[int] = []

        def book() -> object:
            for n in range(10):
                seen.append(n)
                yield _invoice(n)

        batches = invoice_batches(book(), batch_rows=4)  # type: ignore[arg-type]
        next(batches)
        assert [0, 1, 2, 3] == seen


class TestParquet:
    def test_write_then_read_gives_the_same_table(self, tmp_path: Path) -> None:
        book = [_invoice(n, 100 + n, ("EUR", "JPY", "KWD")[n % 3]) for n in range(10)]
        path = tmp_path / "invoices.parquet"
        assert 10 == write_parquet(book, path, batch_rows=3)
        assert 4 == pq.ParquetFile(path).num_row_groups
        expected = pa.Table.from_batches(list(invoice_batches(book)))
        assert expected.to_pylist() == read_invoices(path).to_pylist()

    def test_a_file_by_another_program_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "other.parquet"
        pq.write_table(pa.table({"id": ["a"], "amount": [1.5]}), path)
        with pytest.raises(ColumnarMismatch) as caught:
            read_invoices(path)
        assert "stuut.table" in str(caught.value)

    def test_another_schema_version_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "v2.parquet"
        table = pa.Table.from_batches(list(invoice_batches([_invoice(0)])))
        meta = {**INVOICES.metadata, b"stuut.schema_version": b"2"}
        pq.write_table(table.replace_schema_metadata(meta), path)
        with pytest.raises(ColumnarMismatch) as caught:
            read_invoices(path)
        assert "'2'" in str(caught.value)

    def test_a_column_of_the_wrong_type_is_refused_naming_it(self, tmp_path: Path) -> None:
        path = tmp_path / "float.parquet"
        table = pa.Table.from_batches(list(invoice_batches([_invoice(0)])))
        index = INVOICES.get_field_index("amount_due_minor")
        table = table.set_column(index, "amount_due_minor", pa.array([10.0]))
        pq.write_table(table.replace_schema_metadata(INVOICES.metadata), path)
        with pytest.raises(ColumnarMismatch) as caught:
            read_invoices(path)
        assert ("amount_due_minor", "int64") == (caught.value.column, caught.value.expected)

    @pytest.mark.parametrize(
        ("code", "exp", "column"), [("EUR", 3, "exponent"), ("XXY", 2, "currency")]
    )
    def test_money_that_disagrees_with_the_rules_is_refused(
        self, tmp_path: Path, code: str, exp: int, column: str
    ) -> None:
        """An exponent that is not the currency's, or an unknown currency, names the row."""
        table = pa.Table.from_batches(list(invoice_batches([_invoice(0), _invoice(1)])))
        currency = pa.array(["EUR", code]).dictionary_encode()
        table = table.set_column(
            INVOICES.get_field_index("currency"), INVOICES.field("currency"), currency
        )
        exps = pa.array([2, exp], type=pa.int8())
        table = table.set_column(
            INVOICES.get_field_index("exponent"), INVOICES.field("exponent"), exps
        )
        path = tmp_path / "bad.parquet"
        pq.write_table(table, path)
        with pytest.raises(ColumnarMismatch) as caught:
            read_invoices(path)
        assert (column, 1) == (caught.value.column, caught.value.row)
