"""Specifications of the portfolio analytics: aging, DSO and expected collections."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stuut_domain.errors import CurrencyMismatch, InvalidReportInput
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money, MoneyBag
from stuut_domain.partner import Partner
from stuut_domain.portfolio import (
    AGING_BUCKETS,
    NO_DUE_DATE,
    aging_bucket,
    aging_report,
    days_sales_outstanding,
    expected_collections,
)

UTC = dt.UTC
AS_OF = dt.date(2026, 11, 26)  # a Thursday
ACME = Partner(id="ptn_acme", name="Acme Tooling GmbH", currency="EUR")
GLOBEX = Partner(id="ptn_globex", name="Globex <Corp> & Co", currency="USD")


def invoice(
    invoice_id: str,
    units: int,
    currency: str = "USD",
    *,
    due: dt.date | None = dt.date(2026, 11, 26),
    issued: dt.date | None = dt.date(2026, 10, 1),
    partner_id: str = "ptn_globex",
    **overrides: Any,
) -> Invoice:
    values: dict[str, Any] = {
        "id": invoice_id,
        "number": invoice_id.upper().replace("_", "-"),
        "object": "invoice",
        "remote_id": f"erp-{invoice_id}",
        "currency": currency,
        "total_amount": Money(units, currency),
        "amount_paid": Money(0, currency),
        "amount_due": Money(units, currency),
        "partner_id": partner_id,
        "type": "receivable",
        "due_date": None if due is None else dt.datetime(due.year, due.month, due.day, tzinfo=UTC),
        "issued_at": None
        if issued is None
        else dt.datetime(issued.year, issued.month, issued.day, 9, tzinfo=UTC),
    }
    values.update(overrides)
    return Invoice(**values)


class TestAgingBucket:
    @pytest.mark.parametrize(
        ("days", "expected"),
        [
            (-10, "current"),
            (0, "current"),
            (1, "1-30"),
            (30, "1-30"),
            (31, "31-60"),
            (60, "31-60"),
            (61, "61-90"),
            (90, "61-90"),
            (91, "90+"),
            (None, NO_DUE_DATE),
        ],
    )
    def test_bucket_edges(self, days: int | None, expected: str) -> None:
        """Due today is current; day 1 starts 1-30; each bucket ends on its upper bound."""
        assert expected == aging_bucket(days)


class TestAgingReport:
    def test_buckets_per_currency_never_summed_across(self) -> None:
        """Each currency gets its own row; USD and EUR never meet in one figure."""
        report = aging_report(
            [
                invoice("inv_2026_0001", 120_000, due=dt.date(2026, 11, 1)),  # 25 days late
                invoice("inv_2026_0002", 30_000, due=dt.date(2026, 12, 10)),  # not yet due
                invoice(
                    "inv_2026_0003", 5_000, "EUR", due=dt.date(2026, 7, 1), partner_id="ptn_acme"
                ),
            ],
            as_of=AS_OF,
        )
        usd, eur = (next(r for r in report.records() if r["currency"] == c) for c in ("USD", "EUR"))
        assert (Decimal("300.00"), Decimal("1200.00"), Decimal("1500.00"), 2) == (
            usd["current"],
            usd["1-30"],
            usd["total"],
            usd["invoices"],
        )
        assert (Decimal("50.00"), Decimal("50.00")) == (eur["90+"], eur["total"])
        assert ("EUR", "USD") == report.currencies()

    def test_only_open_receivables_are_aged(self) -> None:
        """Drafts, void, written-off, payable and fully paid invoices are left out of the aging."""
        voided = dt.datetime(2026, 11, 2, tzinfo=UTC)
        report = aging_report(
            [
                invoice("inv_draft", 100, issued=None),
                invoice("inv_void", 100, voided_at=voided),
                invoice("inv_written_off", 100, marked_uncollectible_at=voided),
                invoice("inv_payable", 100, type="payable"),
                invoice("inv_paid", 100, amount_paid=Money(100, "USD"), amount_due=Money(0, "USD")),
                invoice("inv_open", 100),
            ],
            as_of=AS_OF,
        )
        assert ["inv_open"] == [line.invoice_id for line in report.invoices]

    def test_invoice_without_due_date_is_shown_apart(self) -> None:
        """An open invoice with no due date cannot be aged: it has its own column."""
        report = aging_report([invoice("inv_undated", 4_200, due=None)], as_of=AS_OF)
        assert Decimal("42.00") == report.records()[0][NO_DUE_DATE]

    def test_partner_rows_carry_partner_names(self) -> None:
        """Partner rows are per partner and currency, named from the partners given."""
        report = aging_report(
            [
                invoice("inv_a", 100, partner_id="ptn_acme"),
                invoice("inv_b", 200, "EUR", partner_id="ptn_acme"),
                invoice("inv_c", 300),
            ],
            as_of=AS_OF,
            partners=[ACME, GLOBEX],
        )
        expected = [
            ("ptn_acme", "Acme Tooling GmbH", "EUR", Decimal("2.00")),
            ("ptn_acme", "Acme Tooling GmbH", "USD", Decimal("1.00")),
            ("ptn_globex", "Globex <Corp> & Co", "USD", Decimal("3.00")),
        ]
        assert expected == [
            (r["partner_id"], r["partner"], r["currency"], r["total"])
            for r in report.partner_records()
        ]

    def test_one_currency_only_with_an_explicit_rate_table(self) -> None:
        """total_in converts each currency at the rate given and refuses a missing rate."""
        report = aging_report(
            [invoice("inv_usd", 10_000), invoice("inv_eur", 10_000, "EUR")], as_of=AS_OF
        )
        assert Money(21_000, "USD") == report.total_in("USD", {"EUR": "1.10"})["total"]
        with pytest.raises(CurrencyMismatch):
            report.total_in("USD", {})

    def test_most_overdue_first(self) -> None:
        """Invoice rows list the most days past due first, undated ones last."""
        report = aging_report(
            [
                invoice("inv_recent", 100, due=dt.date(2026, 11, 20)),
                invoice("inv_undated", 100, due=None),
                invoice("inv_old", 100, due=dt.date(2026, 1, 5)),
            ],
            as_of=AS_OF,
        )
        assert ["inv_old", "inv_recent", "inv_undated"] == [
            r["invoice_id"] for r in report.invoice_records()
        ]

    def test_a_datetime_as_of_means_its_calendar_date(self) -> None:
        """as_of given as a datetime is read as its date."""
        moment = dt.datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
        assert AS_OF == aging_report([], as_of=moment).as_of

    def test_reads_as_a_table_and_as_escaped_html(self) -> None:
        """repr is a titled text table; the HTML escapes partner names."""
        report = aging_report([invoice("inv_x", 123_456)], as_of=AS_OF, partners=[GLOBEX])
        lines = repr(report).splitlines()
        assert "Aging at 2026-11-26: 1 open invoice in 1 currency" == lines[0]
        assert "1,234.56" in lines[-1]
        assert "<table>" in report._repr_html_()
        assert (
            "AgedInvoice(invoice_id='inv_x', number='INV-X', amount_due=1234.56 USD, "
            "due_date=2026-11-26, bucket='current')"
        ) == repr(report.invoices[0])

    def test_records_have_one_shape(self) -> None:
        """Every row of a record list has the same keys, so a DataFrame gets clean columns."""
        report = aging_report(
            [invoice("inv_a", 100), invoice("inv_b", 5, "JPY", due=None)], as_of=AS_OF
        )
        for rows in (report.records(), report.partner_records(), report.invoice_records()):
            assert 1 == len({tuple(r) for r in rows})


MONEY_CODES = st.sampled_from(["USD", "EUR", "JPY", "BHD"])
INVOICES = st.lists(
    st.builds(
        lambda n, units, code, due, paid: invoice(
            f"inv_{n}",
            units,
            code,
            due=due,
            amount_due=Money(units - paid, code),
            amount_paid=Money(paid, code),
        ),
        st.integers(0, 10_000),
        st.integers(1, 10**9),
        MONEY_CODES,
        st.none() | st.dates(dt.date(2024, 1, 1), dt.date(2028, 1, 1)),
        st.integers(0, 1),
    ),
    max_size=30,
)


def _open_bag(invoices: list[Invoice]) -> MoneyBag:
    return MoneyBag.of(i.amount_due for i in invoices if i.amount_due.is_positive())


class TestAnalyticsConserveMoney:
    @given(INVOICES, st.dates(dt.date(2024, 1, 1), dt.date(2028, 1, 1)))
    def test_aging_buckets_sum_to_the_open_balance(
        self, invoices: list[Invoice], as_of: dt.date
    ) -> None:
        """Per currency, the buckets add up to exactly the open amount due: nothing lost."""
        totals = aging_report(invoices, as_of=as_of).bucket_totals()
        bucket_sum = sum((totals[b] for b in (*AGING_BUCKETS, NO_DUE_DATE)), start=MoneyBag())
        assert _open_bag(invoices) == bucket_sum == totals["total"]

    @given(INVOICES, st.dates(dt.date(2024, 1, 1), dt.date(2028, 1, 1)))
    def test_forecast_places_every_open_unit_once(
        self, invoices: list[Invoice], as_of: dt.date
    ) -> None:
        """Per currency, the forecast periods add up to exactly the open amount due."""
        forecast = expected_collections(invoices, as_of=as_of, weeks=4)
        placed = MoneyBag.of(
            Money.of(str(r["amount"]), str(r["currency"])) for r in forecast.records()
        )
        assert _open_bag(invoices) == placed


class TestDaysSalesOutstanding:
    def test_receivables_over_sales_times_days(self) -> None:
        """DSO = open receivables ÷ sales of the period × its days, per currency."""
        report = days_sales_outstanding(
            [
                invoice(
                    "inv_paid", 90_000, amount_paid=Money(90_000, "USD"), amount_due=Money(0, "USD")
                ),
                invoice("inv_open", 30_000),
                invoice("inv_old", 10_000, issued=dt.date(2025, 1, 1)),  # before the period
            ],
            as_of=AS_OF,
            period_days=90,
        )
        figure = report["USD"]
        assert (Money(40_000, "USD"), Money(120_000, "USD"), Decimal("30.0")) == (
            figure.receivables,
            figure.sales,
            figure.days,
        )

    def test_no_sales_means_no_figure(self) -> None:
        """Without sales in the period DSO is undefined (None), not infinite or zero."""
        report = days_sales_outstanding(
            [invoice("inv_old", 10_000, issued=dt.date(2025, 1, 1))], as_of=AS_OF
        )
        assert report["USD"].days is None

    def test_void_invoices_are_not_sales(self) -> None:
        """A voided invoice is neither a sale nor a receivable."""
        voided = invoice("inv_void", 10_000, voided_at=dt.datetime(2026, 11, 1, tzinfo=UTC))
        assert () == days_sales_outstanding([voided], as_of=AS_OF).figures

    def test_period_must_be_positive(self) -> None:
        """A period of zero days has no sales to divide by: refused."""
        with pytest.raises(ValueError, match="period_days"):
            days_sales_outstanding([], as_of=AS_OF, period_days=0)


class TestExpectedCollections:
    def test_promise_beats_due_date_and_weeks_start_monday(self) -> None:
        """A future promise to pay sets the expected week; otherwise the future due date does."""
        forecast = expected_collections(
            [
                invoice("inv_due", 10_000, due=dt.date(2026, 12, 2)),  # a Wednesday
                invoice(
                    "inv_promised",
                    5_000,
                    due=dt.date(2026, 11, 1),
                    promised_to_pay_date=dt.date(2026, 12, 4),
                ),
            ],
            as_of=AS_OF,
        )
        assert [
            {
                "period": "2026-11-30",
                "currency": "USD",
                "invoices": 2,
                "amount": Decimal("150.00"),
                "promised": Decimal("50.00"),
            }
        ] == forecast.records()

    def test_passed_dates_are_overdue_with_their_reason(self) -> None:
        """Late invoices without a future date are 'overdue'; a broken promise says so."""
        forecast = expected_collections(
            [
                invoice("inv_late", 100, due=dt.date(2026, 10, 1)),
                invoice(
                    "inv_broken",
                    100,
                    due=dt.date(2026, 10, 1),
                    promised_to_pay_date=dt.date(2026, 11, 20),
                ),
                invoice("inv_undated", 100, due=None),
            ],
            as_of=AS_OF,
        )
        assert {
            "inv_late": ("past_due", "overdue"),
            "inv_broken": ("broken_promise", "overdue"),
            "inv_undated": ("no_due_date", "undated"),
        } == {i.invoice_id: (i.basis, i.period) for i in forecast.items}

    def test_beyond_the_horizon_is_later(self) -> None:
        """Dates past the horizon of whole weeks go into 'later', in period order last-but-one."""
        forecast = expected_collections(
            [
                invoice("inv_far", 100, due=dt.date(2027, 6, 1)),
                invoice("inv_late", 100, due=dt.date(2026, 1, 1)),
                invoice("inv_soon", 100, due=dt.date(2026, 11, 27)),
            ],
            as_of=AS_OF,
            weeks=2,
        )
        assert ["overdue", "2026-11-23", "later"] == [r["period"] for r in forecast.records()]


class TestLazyAgingReport:
    """The report keeps plain lines and builds objects on demand: the answers do not move."""

    @given(INVOICES, st.dates(dt.date(2024, 1, 1), dt.date(2028, 1, 1)), st.randoms())
    def test_rows_agree_with_the_aged_invoices_and_ignore_input_order(
        self, invoices: list[Invoice], as_of: dt.date, rnd: Any
    ) -> None:
        """Rows per currency and per partner, recomputed from the AgedInvoice objects by hand,
        equal the report's own; a shuffled book gives an equal report (same hash)."""
        report = aging_report(invoices, as_of=as_of)
        units: dict[str, dict[str, int]] = {}
        counts: dict[str, int] = {}
        per_partner: dict[tuple[str, str], int] = {}
        for line in report.invoices:
            code = line.amount_due.code
            bucket_units = units.setdefault(code, dict.fromkeys((*AGING_BUCKETS, NO_DUE_DATE), 0))
            bucket_units[line.bucket] += line.amount_due.minor_units
            counts[code] = counts.get(code, 0) + 1
            key = (line.partner_id or "", code)
            per_partner[key] = per_partner.get(key, 0) + line.amount_due.minor_units
        expected = []
        for code in sorted(units):
            row: dict[str, object] = {"currency": code, "invoices": counts[code]}
            row.update({b: Money(u, code).amount for b, u in units[code].items()})
            row["total"] = Money(sum(units[code].values()), code).amount
            expected.append(row)
        assert expected == report.records()
        assert [
            ((r["partner_id"] or ""), r["currency"]) for r in report.partner_records()
        ] == sorted(per_partner)
        assert [
            Money.of(str(r["total"]), str(r["currency"])).minor_units
            for r in report.partner_records()
        ] == [per_partner[k] for k in sorted(per_partner)]
        distinct = list({i.id: i for i in invoices}.values())  # ties keep the input order
        shuffled = list(distinct)
        rnd.shuffle(shuffled)
        again = aging_report(shuffled, as_of=as_of)
        assert again == aging_report(distinct, as_of=as_of)
        assert hash(again) == hash(aging_report(distinct, as_of=as_of))
        assert len(report.invoices) == int(report.title().split(": ")[1].split()[0])

    def test_the_aged_invoices_are_built_once(self) -> None:
        """Reading ``invoices`` twice gives the very same tuple (built on first read)."""
        report = aging_report([invoice("inv_a", 100), invoice("inv_b", 200)], as_of=AS_OF)
        assert report.invoices is report.invoices


class TestReportInputs:
    """A report setting no figure can have is refused with its own code, path and value."""

    @pytest.mark.parametrize("weeks", [0, -1, 1.5, True, "4", None])
    def test_weeks(self, weeks: object) -> None:
        with pytest.raises(InvalidReportInput) as caught:
            expected_collections([], as_of=AS_OF, weeks=weeks)  # type: ignore[arg-type]
        assert (caught.value.code, caught.value.path) == ("weeks_not_positive", "weeks")
        assert caught.value.value is weeks

    @pytest.mark.parametrize("period_days", [0, -90, 90.0, False, "90"])
    def test_period_days(self, period_days: object) -> None:
        with pytest.raises(InvalidReportInput) as caught:
            days_sales_outstanding([], as_of=AS_OF, period_days=period_days)  # type: ignore[arg-type]
        assert caught.value.code == "period_days_not_positive"
        assert caught.value.path == "period_days"
        assert isinstance(caught.value, ValueError)

    @pytest.mark.parametrize("report", [aging_report, days_sales_outstanding, expected_collections])
    def test_as_of_must_be_a_date(self, report: Any) -> None:
        with pytest.raises(InvalidReportInput) as caught:
            report([], as_of="2026-11-26")
        assert (caught.value.code, caught.value.path) == ("not_a_date", "as_of")
        assert isinstance(caught.value, TypeError)


class TestLazyForecast:
    @given(INVOICES, st.dates(dt.date(2024, 1, 1), dt.date(2028, 1, 1)), st.randoms())
    def test_rows_agree_with_the_items_and_ignore_input_order(
        self, invoices: list[Invoice], as_of: dt.date, rnd: Any
    ) -> None:
        """The per-period rows, recomputed from the ExpectedCollection objects by hand, equal
        the forecast's own; a shuffled book gives an equal forecast."""
        forecast = expected_collections(invoices, as_of=as_of, weeks=5)
        groups: dict[tuple[str, str], list[int]] = {}
        for item in forecast.items:
            group = groups.setdefault((item.period, item.amount.code), [0, 0, 0])
            group[0] += 1
            group[1] += item.amount.minor_units
            group[2] += item.amount.minor_units if item.basis == "promise" else 0
        rank = {"overdue": 0, "later": 2, "undated": 3}
        expected = [
            {
                "period": period,
                "currency": code,
                "invoices": n,
                "amount": Money(units, code).amount,
                "promised": Money(promised, code).amount,
            }
            for (period, code), (n, units, promised) in sorted(
                groups.items(), key=lambda kv: (rank.get(kv[0][0], 1), kv[0][0], kv[0][1])
            )
        ]
        assert expected == forecast.records()
        assert [i.expected_on or dt.date.min for i in forecast.items] == sorted(
            i.expected_on or dt.date.min for i in forecast.items
        )
        distinct = list({i.id: i for i in invoices}.values())  # ties keep the input order
        shuffled = list(distinct)
        rnd.shuffle(shuffled)
        assert expected_collections(shuffled, as_of=as_of, weeks=5) == expected_collections(
            distinct, as_of=as_of, weeks=5
        )
