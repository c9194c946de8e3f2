"""``stuut-domain forecast``: the store's history fitted, the book simulated, policies compared."""

from __future__ import annotations

import json
import pathlib
import sys
from typing import Any

import pytest
from matplotlib.image import imread

from adapters.cli import EXIT_CLEAN, EXIT_UNUSABLE, main
from adapters.samples import sample_portfolio_path

SAMPLE = str(sample_portfolio_path())
FAST = ("--store", SAMPLE, "--at", "2026-11-26T12:00:00Z", "--runs", "2", "--weeks", "3")


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main([*argv, "--json"])
    out, _ = capsys.readouterr()
    document: dict[str, Any] = json.loads(out)
    return code, document


def test_a_forecast_has_weeks_per_currency_with_float_columns(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, document = run_json(capsys, "forecast", *FAST)
    assert code == EXIT_CLEAN
    assert document["summary"]["runs"] == 2
    week = document["weeks"][0]
    assert {"cumulative_p50", "cumulative_p50_float", "currency"} <= set(week)
    assert document["behaviour"][0]["segment"] == "pooled"


def test_a_comparison_runs_both_policies_on_the_same_seeds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, document = run_json(capsys, "forecast", *FAST, "--compare", "min_gap_per_invoice=14")
    assert code == EXIT_CLEAN
    assert len(document["delta_contacts"]) == 2
    assert {"currency", "cash_weeks_forward_p50"} <= set(document["summary"][0])


def test_the_text_shows_the_horizon(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forecast", *FAST]) == EXIT_CLEAN
    out, _ = capsys.readouterr()
    assert "Cumulative cash at the horizon" in out


def test_zero_runs_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["forecast", "--store", SAMPLE, "--at", "2026-11-26", "--runs", "0"])
    _, err = capsys.readouterr()
    assert code == EXIT_UNUSABLE
    assert "must be at least 1" in err


def test_plot_writes_the_figures_and_prints_their_paths(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    """--plot DIR writes aging, fan chart, comparison and contacts as PNG, paths printed."""
    target = tmp_path / "figures"
    argv = ["forecast", *FAST, "--compare", "min_gap_per_invoice=14", "--plot", str(target)]
    assert main(argv) == EXIT_CLEAN
    out, _ = capsys.readouterr()
    names = ["aging.png", "forecast.png", "comparison.png", "contacts.png"]
    paths = [str(target / name) for name in names]
    assert out.rstrip().endswith("Figures:\n" + "\n".join(paths))
    for path in paths:
        pixels = imread(path)
        assert (pixels != pixels[0, 0]).any()


def test_plot_with_json_names_the_figures(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
) -> None:
    """With --json the document lists the figures it wrote, after the forecast's rows."""
    code, document = run_json(capsys, "forecast", *FAST, "--plot", str(tmp_path))
    assert code == EXIT_CLEAN
    assert [str(tmp_path / n) for n in ("aging.png", "forecast.png", "contacts.png")] == (
        document["figures"]
    )
    assert all(pathlib.Path(p).stat().st_size > 5_000 for p in document["figures"])


def test_plot_into_a_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """--plot must name a directory, never overwrite a file."""
    code = main(["forecast", *FAST, "--plot", __file__])
    _, err = capsys.readouterr()
    assert code == EXIT_UNUSABLE
    assert "not a directory" in err


def test_plot_without_matplotlib_names_the_extra(
    capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without matplotlib --plot exits 2 and says to install the plot extra."""
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    code = main(["forecast", *FAST, "--plot", str(tmp_path)])
    _, err = capsys.readouterr()
    assert code == EXIT_UNUSABLE
    assert "stuut-domain[plot]" in err


def test_lifts_by_hand_replace_the_fitted_ones(capsys: pytest.CaptureFixture[str]) -> None:
    """--lift sets a channel's effect over the fitted baseline; the data says where each
    lift came from and what the fitted one would have rested on."""
    code, fitted = run_json(capsys, "forecast", *FAST)
    assert code == EXIT_CLEAN
    email = next(r for r in fitted["contacts_fitted_from"] if r["channel"] == "email")
    assert email["lift_source"] == "fitted"
    assert email["paid"] < email["contacted"]
    code, told = run_json(capsys, "forecast", *FAST, "--lift", "email=2", "--lift", "call=0.5")
    assert code == EXIT_CLEAN
    assert told["behaviour"][0]["lift_email"] == 2.0
    assert told["behaviour"][0]["lift_call"] == 0.5
    assert {r["lift_source"] for r in told["contacts_fitted_from"]} == {"by_hand"}
    assert main(["forecast", *FAST, "--lift", "email=2"]) == EXIT_CLEAN
    assert "(lifts by hand)" in capsys.readouterr()[0]


@pytest.mark.parametrize("bad", ["fax=2", "email", "email=x", "email=-1", "email=inf", "email=nan"])
def test_a_bad_lift_is_a_usage_error(capsys: pytest.CaptureFixture[str], bad: str) -> None:
    code = main(["forecast", *FAST, "--lift", bad])
    _, err = capsys.readouterr()
    assert code == EXIT_UNUSABLE
    assert repr(bad) in err


def test_a_lift_given_twice_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["forecast", *FAST, "--lift", "email=2", "--lift", "email=3"])
    assert code == EXIT_UNUSABLE
    assert "--lift email is given twice (2, 3)" in capsys.readouterr().err


def test_the_summary_is_one_readable_line_per_figure(capsys: pytest.CaptureFixture[str]) -> None:
    """Outside review (helper-59): the summary was a raw dict repr with Decimal('…')."""
    assert main(["forecast", *FAST]) == EXIT_CLEAN
    out = capsys.readouterr()[0]
    summary = out[out.index("Summary\n") :]
    assert "  runs: 2\n" in summary
    assert "  promises_p50: kept " in summary
    assert "Decimal(" not in summary
    assert "{" not in summary
