"""Specifications of report frames: amounts as plottable numbers beside exact minor units."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pandas as pd
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure

from adapters.json_store import JsonStore
from adapters.samples import SAMPLE_AS_OF, sample_portfolio_path
from cash_builders import AT, directory, invoice, transaction
from stuut_domain.cash import match_report, match_transactions
from stuut_domain.display import Report
from stuut_domain.errors import (
    CurrencyMismatch,
    InvalidReportInput,
    MissingExtra,
    MissingRate,
    UnknownCurrency,
)
from stuut_domain.frames import Framed, frame_columns, optional_import
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money, convert
from stuut_domain.outreach.policy import OutreachPolicy
from stuut_domain.outreach.simulation import compare_policies
from stuut_domain.outreach.state import OutreachState
from stuut_domain.partner import Partner
from stuut_domain.portfolio import aging_report, days_sales_outstanding, expected_collections
from stuut_domain.scenarios import compare_collections, fit_behaviour
from stuut_domain.strategies import portfolios

START = SAMPLE_AS_OF


@pytest.fixture(scope="module")
def book() -> tuple[list[Invoice], list[Partner], JsonStore]:
    store = JsonStore(sample_portfolio_path())
    invoices = sorted(store.invoices.find(), key=lambda i: i.id or "")
    return invoices, list(store.partners.find()), store


def _reports(book: tuple[list[Invoice], list[Partner], JsonStore]) -> Iterator[Framed]:
    invoices, partners, store = book
    on = SAMPLE_AS_OF.date()
    yield aging_report(invoices, as_of=on, partners=partners)
    yield days_sales_outstanding(invoices, as_of=on)
    yield expected_collections(invoices, as_of=on, weeks=4)
    euros = [i for i in invoices if i.currency == "EUR"]
    workflow = store.workflows.get("wfl_a44394224098b171")
    outreach = compare_policies(
        euros,
        partners=partners,
        workflow=workflow,
        start=START,
        end=START + dt.timedelta(days=5),
        a=OutreachPolicy(),
        b=OutreachPolicy(min_gap_per_invoice=dt.timedelta(days=7)),
    )
    yield outreach
    yield outreach.a
    behaviour = fit_behaviour(
        invoices, as_of=START, contacts=OutreachState.from_invoices(invoices).sent
    )
    yield behaviour
    comparison = compare_collections(
        euros,
        partners=partners,
        workflow=workflow,
        behaviour=behaviour,
        start=START,
        a=OutreachPolicy(),
        b=OutreachPolicy(min_gap_per_invoice=dt.timedelta(days=7)),
        runs=3,
        weeks=3,
    )
    yield comparison
    yield comparison.a
    book_ = [invoice("inv_1", 10000, number="INV-1001"), invoice("inv_2", 7000, number="INV-1002")]
    txs = [
        transaction(10000, tx_id="t1", reference="INV-1001", account="ACC1"),
        transaction(5, tx_id="t2", currency="JPY"),
    ]
    yield match_report(match_transactions(txs, book_, partners=directory(ACC1="ptn_a"), at=AT))


@pytest.fixture(scope="module")
def reports(book: tuple[list[Invoice], list[Partner], JsonStore]) -> list[Framed]:
    return list(_reports(book))


def _tables(report: Framed) -> list[str]:
    return [
        name
        for name in dir(report)
        if name.endswith("records") and not name.startswith("_") and name != "frame_columns"
    ]


def _exact_minor(value: object, currency: object) -> int:
    if isinstance(value, Money):
        return value.minor_units
    assert isinstance(value, Decimal | int)
    return Money.of(value, str(currency)).minor_units


def _numeric(dtype: Any) -> bool:
    return bool(pd.api.types.is_numeric_dtype(dtype))


class TestEveryReport:
    def test_every_report_is_framed(self, reports: list[Framed]) -> None:
        """Every report of the library has frames: the Report base and the match report."""
        assert all(isinstance(r, Framed) for r in reports)
        assert issubclass(Report, Framed)

    def test_minor_columns_equal_the_records_exactly(self, reports: list[Framed]) -> None:
        """In every table of every report, `<amount>_minor` is the record's exact minor units."""
        checked = 0
        for report in reports:
            for table in _tables(report):
                rows = getattr(report, table)()
                frame = report.to_pandas(table)
                for name in report.amount_columns:
                    if not rows or name not in rows[0]:
                        continue
                    expected = [_exact_minor(r[name], r.get("currency")) for r in rows]
                    assert expected == frame[f"{name}_minor"].tolist(), (report, table, name)
                    assert "int64" == str(frame[f"{name}_minor"].dtype)
                    checked += 1
        assert checked >= 20

    def test_amounts_are_numeric_and_plottable(self, reports: list[Framed]) -> None:
        """Every amount column is float64 (major units), so `DataFrame.plot` finds numbers."""
        for report in reports:
            frame = report.to_pandas()
            for name in report.amount_columns:
                if name in frame.columns:
                    assert "float64" == str(frame[name].dtype), (report, name)
            assert not any(
                str(d) == "object" and _decimal(frame[c]) for c, d in frame.dtypes.items()
            )

    def test_polars_frames_have_the_same_minor_units(self, reports: list[Framed]) -> None:
        """The polars frame holds the same exact minor units as the pandas one."""
        for report in reports:
            left, right = report.to_pandas(), report.to_polars()
            assert list(left.columns) == right.columns
            for name in report.amount_columns:
                if f"{name}_minor" in right.columns:
                    assert pl.Int64 == right.schema[f"{name}_minor"]
                    assert left[f"{name}_minor"].tolist() == right[f"{name}_minor"].to_list()

    def test_html_stays(self, reports: list[Framed]) -> None:
        """Frames do not replace the notebook's HTML table."""
        assert all("<table>" in r._repr_html_() for r in reports)  # type: ignore[attr-defined]


def _decimal(column: pd.Series) -> bool:
    return any(isinstance(v, Decimal) for v in column)


class TestAgingFrame:
    def test_the_rows_plot(self, reports: list[Framed]) -> None:
        """`df.plot` works on the aging frame: the Decimal failure is gone."""
        frame = reports[0].to_pandas().set_index("currency")
        axes = Figure().subplots()
        frame[["current", "1-30", "31-60"]].plot(kind="bar", stacked=True, ax=axes)
        assert len(axes.patches) == 3 * len(frame)

    def test_dates_are_datetime64(self, reports: list[Framed]) -> None:
        """Invoice due dates become datetime64, partner names stay text."""
        frame = reports[0].to_pandas("invoice_records")
        assert pd.api.types.is_datetime64_any_dtype(frame["due_date"])
        assert _numeric(frame["days_past_due"].dtype)

    def test_instants_are_utc(self, reports: list[Framed]) -> None:
        """An outreach timeline's instants are timezone-aware datetime64 in UTC."""
        timeline = reports[4].to_pandas()
        assert "UTC" == str(timeline["at"].dt.tz)
        assert pl.Datetime("us", "UTC") == reports[4].to_polars().schema["at"]

    def test_exact_figures_that_are_not_money_become_floats(self, reports: list[Framed]) -> None:
        """DSO days (a Decimal, not money) become float64."""
        frame = reports[1].to_pandas()
        assert "float64" == str(frame["dso_days"].dtype)

    def test_the_float_column_a_report_carries_is_not_repeated(self, reports: list[Framed]) -> None:
        """A simulation's `cash_p50_float` is left out: `cash_p50` is already the float."""
        frame = reports[7].to_pandas()
        assert "cash_p50_float" not in frame.columns
        assert {"cash_p50", "cash_p50_minor", "currency"} <= set(frame.columns)


class TestConversion:
    def test_each_row_is_converted_at_its_rate(self, reports: list[Framed]) -> None:
        """With a rate table every row's amounts are in one currency, converted once each."""
        aging = reports[0]
        rates = dict.fromkeys(aging.currencies(), "0.5")  # type: ignore[attr-defined]
        rates.pop("EUR")
        frame = aging.to_pandas(currency="EUR", rates=rates)
        rows = aging.records()
        assert {"EUR"} == set(frame["currency"])
        assert [r["currency"] for r in rows] == frame["from_currency"].tolist()
        expected = []
        for row in rows:
            code = str(row["currency"])
            total = Money.of(Decimal(str(row["total"])), code)
            expected.append(
                (convert(total, rates[code], "EUR") if code != "EUR" else total).minor_units
            )
        assert expected == frame["total_minor"].tolist()

    def test_a_missing_rate_names_row_and_column(self, reports: list[Framed]) -> None:
        """A row whose currency has no rate is refused, never converted at one."""
        with pytest.raises(MissingRate) as caught:
            reports[0].to_pandas(currency="EUR", rates={"USD": "0.92"})
        assert (0, "current", "AED") == (caught.value.row, caught.value.column, caught.value.left)
        assert isinstance(caught.value, CurrencyMismatch)

    def test_a_rate_table_needs_a_target(self) -> None:
        """Rates without a currency (or the reverse) are a report setting error."""
        with pytest.raises(InvalidReportInput, match="rates"):
            frame_columns([], amounts=("total",), rates={"USD": 1})
        with pytest.raises(UnknownCurrency):
            frame_columns([], amounts=("total",), currency="XXY", rates={})

    def test_a_bad_rate_is_refused_with_its_path(self) -> None:
        """A float rate is refused naming the rate's currency."""
        rows = [{"currency": "USD", "total": Decimal("1.00")}]
        with pytest.raises(InvalidReportInput, match=r"rates\.USD"):
            frame_columns(rows, amounts=("total",), currency="EUR", rates={"USD": 0.9})  # type: ignore[dict-item]


class TestBadCells:
    @pytest.mark.parametrize(
        ("row", "code"),
        [
            ({"currency": "USD", "total": 1.5}, "amount_not_exact"),
            ({"currency": "USD", "total": Decimal("0.001")}, "amount_not_exact"),
            ({"total": Decimal("1.00")}, "no_currency"),
            ({"currency": "EUR", "total": Money(1, "USD")}, "currency_differs"),
            ({"currency": 978, "total": Decimal(1)}, "currency_not_text"),
            ({"currency": "USD", "total": Money(2**64, "USD")}, "beyond_int64"),
        ],
    )
    def test_a_cell_that_is_no_exact_amount_is_named(
        self, row: dict[str, object], code: str
    ) -> None:
        """The error names the table, the row and the column of the cell, and its value."""
        with pytest.raises(InvalidReportInput) as caught:
            frame_columns([{"currency": "USD", "total": Decimal(0)}, row], amounts=("total",))
        assert code == caught.value.code
        assert caught.value.path.startswith("records[1].")

    def test_an_unknown_table_is_refused(self, reports: list[Framed]) -> None:
        """Only `records` and the report's `*_records` methods are tables."""
        with pytest.raises(InvalidReportInput, match="unknown_table"):
            reports[0].to_pandas("title")

    def test_an_empty_report_has_its_columns(self, book: Any) -> None:
        """No open invoices: the frame still has its declared columns, amounts numeric."""
        frame = aging_report([], as_of=dt.date(2026, 1, 1)).to_pandas()
        assert {"currency", "total", "total_minor"} <= set(frame.columns)
        assert 0 == len(frame)
        assert _numeric(frame["total_minor"].dtype)

    def test_money_cells_without_a_currency_column_get_one(self) -> None:
        """Money cells carry their currency: the frame adds the `currency` column."""
        columns = frame_columns([{"paid": Money(150, "USD")}, {"paid": None}], amounts=("paid",))
        assert {
            "currency": ["USD", None],
            "paid": [1.5, None],
            "paid_minor": [150, None],
        } == columns


class TestMissingExtra:
    def test_missing_pandas_names_the_extra(
        self, monkeypatch: pytest.MonkeyPatch, reports: list[Framed]
    ) -> None:
        """Without pandas, `to_pandas` says which extra to install."""
        monkeypatch.setitem(sys.modules, "pandas", None)
        with pytest.raises(MissingExtra, match=r"stuut-domain\[pandas\]") as caught:
            reports[0].to_pandas()
        assert ("pandas", "pandas") == (caught.value.package, caught.value.extra)

    def test_missing_polars_and_matplotlib(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Each optional library names its own extra; matplotlib's is `plot`."""
        monkeypatch.setitem(sys.modules, "polars", None)
        monkeypatch.setitem(sys.modules, "matplotlib", None)
        monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
        with pytest.raises(MissingExtra, match=r"\[polars\]"):
            optional_import("polars", feature="to_polars")
        with pytest.raises(MissingExtra, match=r"\[plot\]"):
            optional_import("matplotlib.figure", feature="aging_figure")


@st.composite
def _books(draw: st.DrawFn) -> tuple[list[Invoice], dt.date]:
    books = draw(st.lists(portfolios(max_invoices=4), min_size=1, max_size=3))
    on = draw(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)))
    return [i for b in books for i in b.invoices], on


class TestAgingFrameProperty:
    @pytest.mark.slow
    @given(_books())
    def test_floats_are_the_minor_units_scaled_and_ints_exact(
        self, drawn: tuple[list[Invoice], dt.date]
    ) -> None:
        """Any book: `<b>_minor` exact, `<b>` is minor / 10**exponent, buckets sum to total."""
        invoices, on = drawn
        report = aging_report(invoices, as_of=on)
        frame = report.to_pandas()
        for row, record in zip(frame.to_dict("records"), report.records(), strict=True):
            code = str(record["currency"])
            exponent = Money(0, code).exponent
            for name in report.amount_columns:
                if name not in record:
                    continue
                minor = Money.of(Decimal(str(record[name])), code).minor_units
                assert minor == row[f"{name}_minor"]
                assert minor / 10**exponent == row[name]
            buckets = [c for c in report.amount_columns if c not in ("total", "amount_due")]
            assert row["total_minor"] == sum(row[f"{b}_minor"] for b in buckets)


_CODES = st.sampled_from(["EUR", "USD", "JPY", "KWD", "CLF"])


class TestFrameColumnsProperty:
    @given(
        st.lists(
            st.tuples(_CODES, st.integers(-(10**15), 10**15), st.booleans()),
            max_size=12,
        )
    )
    def test_any_rows_keep_their_exact_minor_units(
        self, cells: list[tuple[str, int, bool]]
    ) -> None:
        """Money or Decimal cells: `_minor` is the exact units, the float their scaled value."""
        rows: list[dict[str, object]] = [
            {"currency": code, "due": Money(units, code) if as_money else Money(units, code).amount}
            for code, units, as_money in cells
        ]
        columns = frame_columns(rows, amounts=("due",), columns=("currency", "due"))
        assert [units for _, units, _ in cells] == columns["due_minor"]
        assert [u / 10 ** Money(0, c).exponent for c, u, _ in cells] == columns["due"]
        assert [c for c, _, _ in cells] == columns["currency"]
