"""Specifications of the figures: each view renders headlessly to a PNG that shows something."""

from __future__ import annotations

import datetime as dt
import pathlib
import sys
from typing import Any

import pytest
from matplotlib import _pylab_helpers
from matplotlib.figure import Figure
from matplotlib.image import imread
from matplotlib.patches import Rectangle

from adapters.figures import (
    aging_figure,
    comparison_figure,
    contacts_figure,
    forecast_figure,
    save_png,
    write_figures,
)
from adapters.json_store import JsonStore
from adapters.samples import SAMPLE_AS_OF, sample_portfolio_path
from stuut_domain.errors import InvalidReportInput, MissingExtra, MissingRate
from stuut_domain.outreach.policy import OutreachPolicy
from stuut_domain.outreach.simulation import simulate_outreach
from stuut_domain.outreach.state import OutreachState
from stuut_domain.portfolio import AgingReport, aging_report
from stuut_domain.scenarios import CollectionsComparison, compare_collections, fit_behaviour

RATES = {"USD": "0.92"}


@pytest.fixture(scope="module")
def views() -> dict[str, Any]:
    store = JsonStore(sample_portfolio_path())
    invoices = sorted(store.invoices.find(), key=lambda i: i.id or "")
    partners = list(store.partners.find())
    book = [i for i in invoices if i.currency in ("EUR", "USD")]
    workflow = store.workflows.get("wfl_a44394224098b171")
    behaviour = fit_behaviour(
        invoices, as_of=SAMPLE_AS_OF, contacts=OutreachState.from_invoices(invoices).sent
    )
    comparison = compare_collections(
        book,
        partners=partners,
        workflow=workflow,
        behaviour=behaviour,
        start=SAMPLE_AS_OF,
        a=OutreachPolicy(),
        b=OutreachPolicy(min_gap_per_invoice=dt.timedelta(days=7)),
        labels=("every 3 days", "weekly"),
        runs=4,
        weeks=3,
    )
    outreach = simulate_outreach(
        book,
        partners=partners,
        workflow=workflow,
        start=SAMPLE_AS_OF,
        end=SAMPLE_AS_OF + dt.timedelta(days=7),
    )
    aging = aging_report(book, as_of=SAMPLE_AS_OF.date(), partners=partners)
    return {"aging": aging, "comparison": comparison, "outreach": outreach}


def _shows_something(path: pathlib.Path) -> None:
    """A real PNG of some size, with more than one colour in it."""
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 5_000
    pixels = imread(path)
    flat = pixels.reshape(-1, pixels.shape[-1])
    assert (flat != flat[0]).any()
    assert len({tuple(p) for p in flat[:: max(1, len(flat) // 20_000)]}) > 10


def _figures(views: dict[str, Any]) -> dict[str, Figure]:
    comparison: CollectionsComparison = views["comparison"]
    aging: AgingReport = views["aging"]
    return {
        "aging": aging_figure(aging),
        "aging_eur": aging_figure(aging, currency="EUR", rates=RATES),
        "forecast": forecast_figure(comparison.a),
        "forecast_eur": forecast_figure(comparison.a, currency="EUR", rates=RATES),
        "comparison": comparison_figure(comparison),
        "contacts_day": contacts_figure(comparison.a),
        "contacts_compared": contacts_figure(comparison, by="week"),
        "contacts_outreach": contacts_figure(views["outreach"]),
    }


class TestFigures:
    def test_each_figure_renders_to_a_png_that_is_not_empty(
        self, views: dict[str, Any], tmp_path: pathlib.Path
    ) -> None:
        """Every view returns its Figure and renders headlessly to a non-trivial PNG."""
        for name, figure in _figures(views).items():
            assert isinstance(figure, Figure)
            _shows_something(save_png(figure, tmp_path / f"{name}.png"))

    def test_no_pyplot_state_is_left(self, views: dict[str, Any]) -> None:
        """Building figures registers no pyplot figure (nothing leaks between calls)."""
        before = _pylab_helpers.Gcf.get_num_fig_managers()
        _figures(views)
        assert before == _pylab_helpers.Gcf.get_num_fig_managers()

    def test_one_panel_per_currency_or_one_converted_total(self, views: dict[str, Any]) -> None:
        """Currencies are never added without rates: a panel each, or one converted total."""
        simulation = views["comparison"].a
        assert 2 == len(forecast_figure(simulation).axes)
        assert 1 == len(forecast_figure(simulation, currency="EUR", rates=RATES).axes)
        assert 1 == len(forecast_figure(simulation, currencies=["USD"]).axes)

    def test_stacked_aging_bars_are_shares_without_rates(self, views: dict[str, Any]) -> None:
        """Without rates each currency's buckets stack to 100 % of its own total."""
        axes = aging_figure(views["aging"]).axes[0]
        tops: dict[float, float] = {}
        for patch in axes.patches:
            assert isinstance(patch, Rectangle)
            x = round(patch.get_x(), 3)
            tops[x] = max(tops.get(x, 0.0), patch.get_y() + patch.get_height())
        assert [pytest.approx(100.0)] * 2 == sorted(tops.values())

    def test_the_converted_aging_bars_are_the_exact_conversion(self, views: dict[str, Any]) -> None:
        """With rates the stacked bar of USD reaches its total converted to EUR."""
        aging: AgingReport = views["aging"]
        converted = aging.to_pandas(currency="EUR", rates=RATES).set_index("from_currency")
        axes = aging_figure(aging, currency="EUR", rates=RATES).axes[0]
        heights: dict[float, float] = {}
        for patch in axes.patches:
            assert isinstance(patch, Rectangle)
            heights[round(patch.get_x(), 3)] = heights.get(round(patch.get_x(), 3), 0.0) + (
                patch.get_height()
            )
        usd_bar = sorted(heights)[1]  # EUR, USD in code order
        assert pytest.approx(converted.loc["USD", "total"]) == heights[usd_bar]


class TestRefusals:
    def test_a_missing_rate_is_refused(self, views: dict[str, Any]) -> None:
        """A conversion without the rate of a currency held raises MissingRate."""
        with pytest.raises(MissingRate):
            forecast_figure(views["comparison"].a, currency="EUR", rates={})

    def test_a_rate_table_that_is_not_a_mapping_is_refused_as_in_frames(
        self, views: dict[str, Any]
    ) -> None:
        """Figures and frames share one conversion rule: rates are ``{code: rate}``."""
        aging, pairs = views["aging"], [("USD", "0.9")]
        with pytest.raises(InvalidReportInput) as drawn:
            aging_figure(aging, currency="EUR", rates=pairs)
        with pytest.raises(InvalidReportInput) as framed:
            aging.to_pandas(currency="EUR", rates=pairs)
        assert drawn.value.code == framed.value.code == "rates_not_mapping"

    def test_unknown_currencies_and_bad_settings(self, views: dict[str, Any]) -> None:
        """A currency not in the simulation, or counting contacts by month, is refused."""
        with pytest.raises(InvalidReportInput, match="currencies"):
            forecast_figure(views["comparison"].a, currencies=["JPY"])
        with pytest.raises(InvalidReportInput, match="by"):
            contacts_figure(views["outreach"], by="month")  # type: ignore[arg-type]
        with pytest.raises(InvalidReportInput, match="rates"):
            aging_figure(views["aging"], currency="EUR")

    def test_without_matplotlib_the_extra_is_named(
        self, views: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without matplotlib a figure says to install the `plot` extra."""
        monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
        with pytest.raises(MissingExtra, match=r"stuut-domain\[plot\]"):
            aging_figure(views["aging"])


class TestWriteFigures:
    def test_a_comparison_writes_four_pngs(
        self, views: dict[str, Any], tmp_path: pathlib.Path
    ) -> None:
        """Aging, the fan chart, the comparison and contacts, into a new directory."""
        paths = write_figures(views["comparison"], tmp_path / "out", aging=views["aging"])
        assert ["aging.png", "forecast.png", "comparison.png", "contacts.png"] == [
            p.name for p in paths
        ]
        for path in paths:
            _shows_something(path)
