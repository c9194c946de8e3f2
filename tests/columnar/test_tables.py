"""Line items, payments, allocations, partners and outreach attempts on columns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.columnar import (
    ALLOCATIONS,
    LINE_ITEMS,
    OUTREACH_ATTEMPTS,
    PARTNERS,
    PAYMENTS,
    SCHEMAS,
    TABLES,
    iter_table,
    read_table,
    table_batches,
    write_batches,
    write_table,
)
from adapters.errors import ColumnarMismatch
from stuut_domain.invoice import LineItem
from stuut_domain.money import Money, exponent
from stuut_domain.outreach.state import SentOutreach
from stuut_domain.strategies import aware_datetimes, line_items, partners, payments

ATTEMPTS = st.builds(
    SentOutreach,
    partner_id=st.one_of(st.none(), st.sampled_from(["par_1", "par_2"])),
    channel=st.sampled_from(["email", "call"]),
    sent_at=aware_datetimes(),
    to=st.lists(st.sampled_from(["a@x.test", "+15550100"]), max_size=2).map(tuple),
    invoice_ids=st.lists(st.sampled_from(["inv_1", "inv_2"]), max_size=2).map(tuple),
    outcome=st.sampled_from(["placed", "delivered", "conversation"]),
)
ALLOCATION_LISTS = st.lists(payments(min_allocations=1), max_size=4).map(
    lambda ps: [a for p in ps for a in p.allocations]
)
FAST = settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow], deadline=None)


def _units(money: Money | None) -> int | None:
    return None if money is None else money.minor_units


def _money_row(code: str | None) -> dict[str, Any]:
    return {"currency": code, "exponent": None if code is None else exponent(code)}


def _round_trip(table: str, entities: list[Any], tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / f"{table}.parquet"
    assert len(entities) == write_table(table, entities, path, batch_rows=3)
    rows: list[dict[str, Any]] = read_table(table, path).to_pylist()
    assert len(entities) == len(rows)
    return rows


class TestSchemas:
    def test_every_table_names_itself_and_the_version_and_holds_no_float(self) -> None:
        """Each schema's metadata names its table and version; no float or decimal column."""
        assert ("invoices", "line_items", "payments", "allocations", "partners") == TABLES[:5]
        for name, schema in SCHEMAS.items():
            assert {b"stuut.table": name.encode(), b"stuut.schema_version": b"1"} == schema.metadata
            for field in schema:
                assert not pa.types.is_floating(field.type), (name, field.name)
                assert not pa.types.is_decimal(field.type), (name, field.name)
                if field.name.endswith("_minor"):
                    assert pa.int64() == field.type
                if pa.types.is_timestamp(field.type):
                    assert pa.timestamp("us", tz="UTC") == field.type

    def test_money_tables_carry_currency_and_exponent(self) -> None:
        for schema in (LINE_ITEMS, PAYMENTS, ALLOCATIONS, PARTNERS):
            assert pa.types.is_dictionary(schema.field("currency").type)
            assert pa.int8() == schema.field("exponent").type
        assert "exponent" not in OUTREACH_ATTEMPTS.names


class TestRoundTrip:
    @FAST
    @given(st.lists(line_items(), max_size=8))
    def test_line_items_keep_exact_minor_units_and_quantities(self, items: list[LineItem]) -> None:
        """Every line item's amounts are its minor units; the quantity text is the Decimal."""
        with _tmp() as tmp:
            rows = _round_trip("line_items", items, tmp)
        for item, row in zip(items, rows, strict=True):
            assert item.invoice_id == row["invoice_id"]
            assert {**_money_row(item.currency)} == {k: row[k] for k in ("currency", "exponent")}
            assert _units(item.total_amount) == row["total_amount_minor"]
            assert _units(item.unit_amount) == row["unit_amount_minor"]
            assert _units(item.total_discount) == row["total_discount_minor"]
            assert _units(item.total_tax) == row["total_tax_minor"]
            assert item.quantity == (None if row["quantity"] is None else Decimal(row["quantity"]))
            assert item.period_start_date == row["period_start_date"]
            assert item.created_at == row["created_at"]

    @FAST
    @given(st.lists(payments(), max_size=6))
    def test_payments_keep_amounts_and_rates_exactly(self, found: list[Any]) -> None:
        with _tmp() as tmp:
            rows = _round_trip("payments", found, tmp)
        for payment, row in zip(found, rows, strict=True):
            assert (payment.id, payment.partner_id) == (row["id"], row["partner_id"])
            assert _money_row(payment.currency) == {k: row[k] for k in ("currency", "exponent")}
            assert _units(payment.amount) == row["amount_minor"]
            assert _units(payment.amount_refunded) == row["amount_refunded_minor"]
            rate = row["currency_rate"]
            assert payment.currency_rate == (None if rate is None else Decimal(rate))
            assert payment.timestamp == row["timestamp"]

    @FAST
    @given(ALLOCATION_LISTS)
    def test_allocations_are_in_their_invoices_currency(self, allocations: list[Any]) -> None:
        with _tmp() as tmp:
            rows = _round_trip("allocations", allocations, tmp)
        for allocation, row in zip(allocations, rows, strict=True):
            assert (allocation.payment_id, allocation.invoice_id) == (
                row["payment_id"],
                row["invoice_id"],
            )
            assert _money_row(allocation.amount.code) == {
                k: row[k] for k in ("currency", "exponent")
            }
            assert allocation.amount.minor_units == row["amount_minor"]
            assert (allocation.strategy, allocation.approved) == (row["strategy"], row["approved"])

    @FAST
    @given(st.lists(partners(), max_size=6))
    def test_partners_keep_their_balances(self, found: list[Any]) -> None:
        with _tmp() as tmp:
            rows = _round_trip("partners", found, tmp)
        for partner, row in zip(found, rows, strict=True):
            code = partner.currency or next(
                (m.code for m in (partner.invoice_balance, partner.total_overdue) if m), None
            )
            assert _money_row(code) == {k: row[k] for k in ("currency", "exponent")}
            assert _units(partner.invoice_balance) == row["invoice_balance_minor"]
            assert _units(partner.total_overdue) == row["total_overdue_minor"]
            assert (partner.id, partner.timezone) == (row["id"], row["timezone"])

    @FAST
    @given(st.lists(ATTEMPTS, max_size=8))
    def test_outreach_attempts_keep_instants_and_lists(self, sent: list[SentOutreach]) -> None:
        """The instant is the same moment in UTC; addresses and invoices keep their order."""
        with _tmp() as tmp:
            rows = _round_trip("outreach_attempts", sent, tmp)
        for attempt, row in zip(sent, rows, strict=True):
            # the same moment (a repeated wall hour with fold=1 never compares equal across
            # zones, PEP 495, so both are read in UTC)
            assert attempt.sent_at.astimezone(dt.UTC) == row["sent_at"].astimezone(dt.UTC)
            assert dt.timedelta(0) == row["sent_at"].utcoffset()
            assert (list(attempt.to), list(attempt.invoice_ids)) == (row["to"], row["invoice_ids"])
            assert (attempt.channel, attempt.outcome) == (row["channel"], row["outcome"])


class TestStreaming:
    def test_batches_hold_at_most_batch_rows_and_read_lazily(self) -> None:
        """A generator of entities is read one batch at a time."""
        seen: list[int] = []

        def attempts() -> Any:
            for n in range(7):
                seen.append(n)
                yield SentOutreach(partner_id="p", channel="email", sent_at=_AT)

        batches = table_batches("outreach_attempts", attempts(), batch_rows=3)
        assert 3 == next(batches).num_rows
        assert [0, 1, 2] == seen
        assert [3, 1] == [b.num_rows for b in batches]

    def test_an_empty_table_is_one_empty_batch_and_reads_back(self, tmp_path: Path) -> None:
        (batch,) = table_batches("payments", [])
        assert (0, PAYMENTS) == (batch.num_rows, batch.schema)
        assert 0 == write_table("payments", [], tmp_path / "p.parquet")
        assert 0 == read_table("payments", tmp_path / "p.parquet").num_rows

    def test_iter_table_streams_row_groups_in_batches(self, tmp_path: Path) -> None:
        sent = [SentOutreach(partner_id=f"p{n}", channel="call", sent_at=_AT) for n in range(10)]
        write_table("outreach_attempts", sent, tmp_path / "o.parquet", batch_rows=4)
        sizes = [b.num_rows for b in iter_table("outreach_attempts", tmp_path / "o.parquet")]
        assert 10 == sum(sizes)
        assert 3 == pq.ParquetFile(tmp_path / "o.parquet").num_row_groups

    def test_write_batches_refuses_a_batch_of_another_table(self, tmp_path: Path) -> None:
        (batch,) = table_batches("payments", [])
        with pytest.raises(ColumnarMismatch) as caught:
            write_batches("partners", [batch], tmp_path / "x.parquet")
        assert "stuut.table" in str(caught.value)


class TestRefusals:
    def test_an_unknown_table_is_refused(self) -> None:
        with pytest.raises(ColumnarMismatch) as caught:
            list(table_batches("ledger", []))
        assert ("ledger", "<table>") == (caught.value.table, caught.value.column)

    def test_an_entity_of_another_class_is_refused_naming_the_row(self) -> None:
        sent = SentOutreach(partner_id="p", channel="email", sent_at=_AT)
        with pytest.raises(ColumnarMismatch) as caught:
            list(table_batches("partners", [sent]))
        assert (0, "Partner") == (caught.value.row, caught.value.expected)

    def test_an_amount_beyond_int64_is_refused_naming_column_and_row(self) -> None:
        items = [_item(100), _item(2**63)]
        with pytest.raises(ColumnarMismatch) as caught:
            list(table_batches("line_items", items))
        assert ("total_amount_minor", 1) == (caught.value.column, caught.value.row)

    def test_amounts_of_one_row_in_two_currencies_are_refused(self) -> None:
        """A line item without its own currency may not hold EUR and JPY amounts."""
        mixed = LineItem(
            invoice_id="inv_1",
            object="line_item",
            remote_id="1",
            total_amount=Money(100, "EUR"),
            total_tax=Money(5, "JPY"),
        )
        with pytest.raises(ColumnarMismatch) as caught:
            list(table_batches("line_items", [mixed]))
        assert ("currency", 0, "JPY") == (caught.value.column, caught.value.row, caught.value.found)

    def test_a_file_of_another_table_is_refused(self, tmp_path: Path) -> None:
        write_table("payments", [], tmp_path / "p.parquet")
        with pytest.raises(ColumnarMismatch) as caught:
            read_table("allocations", tmp_path / "p.parquet")
        assert "'allocations'" in str(caught.value)

    @pytest.mark.parametrize("table", TABLES[1:])
    def test_another_version_another_program_or_type_is_refused(
        self, table: str, tmp_path: Path
    ) -> None:
        """Each table's reader names the metadata or the column at fault and the type wanted."""
        empty = pa.Table.from_batches(list(table_batches(table, [])))
        meta = {**SCHEMAS[table].metadata, b"stuut.schema_version": b"2"}
        pq.write_table(empty.replace_schema_metadata(meta), tmp_path / "v2")
        pq.write_table(pa.table({"id": ["a"], "amount": [1.5]}), tmp_path / "other")
        first = SCHEMAS[table].field(0)
        wrong = empty.set_column(0, first.name, pa.array([], type=pa.float64()))
        pq.write_table(wrong.replace_schema_metadata(SCHEMAS[table].metadata), tmp_path / "type")
        found = []
        for name in ("v2", "other", "type"):
            with pytest.raises(ColumnarMismatch) as caught:
                read_table(table, tmp_path / name)
            found.append((caught.value.column, caught.value.found))
        assert [
            ("<schema metadata>", "2"),
            ("<schema metadata>", None),
            (first.name, "double"),
        ] == found

    def test_a_null_where_the_schema_has_none_is_refused_naming_the_row(
        self, tmp_path: Path
    ) -> None:
        sent = [SentOutreach(partner_id="p", channel="email", sent_at=_AT)] * 2
        table = pa.Table.from_batches(list(table_batches("outreach_attempts", sent)))
        index = OUTREACH_ATTEMPTS.get_field_index("sent_at")
        instants = pa.array([_AT, None], type=OUTREACH_ATTEMPTS.field("sent_at").type)
        table = table.set_column(index, pa.field("sent_at", instants.type), instants)
        pq.write_table(table.replace_schema_metadata(OUTREACH_ATTEMPTS.metadata), tmp_path / "n")
        with pytest.raises(ColumnarMismatch) as caught:
            read_table("outreach_attempts", tmp_path / "n")
        assert ("sent_at", 1) == (caught.value.column, caught.value.row)

    @pytest.mark.parametrize(
        ("codes", "exponents", "column", "row"),
        [
            (["EUR", "JPY", "JPY"], [2, 0, 2], "exponent", 2),
            (["EUR", "XXY", "EUR"], [2, 2, 2], "currency", 1),
            ([None, "EUR", "EUR"], [2, 2, 2], "exponent", 0),
            (["KWD", "EUR", "EUR"], [None, 2, 2], "exponent", 0),
        ],
    )
    def test_money_that_disagrees_with_the_rules_is_refused_at_its_row(
        self,
        tmp_path: Path,
        codes: list[str | None],
        exponents: list[int | None],
        column: str,
        row: int,
    ) -> None:
        """An exponent that is not the currency's, an unknown code, or one without the other."""
        table = pa.Table.from_batches(list(table_batches("line_items", [_item(1)] * 3)))
        currency = pa.array(codes, type=pa.string()).dictionary_encode()
        table = table.set_column(
            LINE_ITEMS.get_field_index("currency"), LINE_ITEMS.field("currency"), currency
        )
        table = table.set_column(
            LINE_ITEMS.get_field_index("exponent"),
            LINE_ITEMS.field("exponent"),
            pa.array(exponents, type=pa.int8()),
        )
        pq.write_table(table, tmp_path / "bad.parquet", row_group_size=2)
        with pytest.raises(ColumnarMismatch) as caught:
            read_table("line_items", tmp_path / "bad.parquet")
        assert (column, row) == (caught.value.column, caught.value.row)


_AT = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)


def _item(units: int) -> LineItem:
    return LineItem(
        invoice_id="inv_1",
        object="line_item",
        remote_id="1",
        currency="EUR",
        total_amount=Money(units, "EUR"),
        quantity=Decimal("2.5"),
    )


def _tmp() -> Any:
    import tempfile

    return _TmpPath(tempfile.TemporaryDirectory())


class _TmpPath:
    def __init__(self, directory: Any) -> None:
        self.directory = directory

    def __enter__(self) -> Path:
        return Path(self.directory.__enter__())

    def __exit__(self, *exc: object) -> None:
        self.directory.__exit__(*exc)
