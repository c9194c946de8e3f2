"""``stuut-domain forecast``: the store's history fitted, the book simulated, policies compared."""

from __future__ import annotations

import json
from typing import Any

import pytest

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
