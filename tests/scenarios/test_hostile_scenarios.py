"""Hostile arguments to the scenario API (outside review, helper-59): each is a typed
refusal with a code, never a foreign exception, a hang or a huge allocation."""

from __future__ import annotations

import datetime as dt
import pathlib
from typing import Any

import attrs
import pytest

from adapters.cli import EXIT_UNUSABLE, main
from adapters.figures import comparison_figure, contacts_figure, forecast_figure, save_png
from adapters.samples import sample_portfolio_path
from outreach_builders import acme, net30_reminders
from scenario_builders import day, invoice
from stuut_domain.errors import InvalidScenario
from stuut_domain.outreach.policy import OutreachPolicy
from stuut_domain.scenarios import (
    MAX_CURVE_DAYS,
    PaymentBehaviour,
    compare_collections,
    fit_behaviour,
    simulate_collections,
)

START = day(2026, 11, 26)
BOOK = [invoice("inv_1", due=day(2026, 12, 1))]


def simulate(**overrides: Any) -> object:
    values: dict[str, Any] = {
        "partners": (acme(),),
        "workflow": net30_reminders(),
        "behaviour": PaymentBehaviour.on_due_date(),
        "start": START,
        "weeks": 2,
        "runs": 1,
    }
    values.update(overrides)
    return simulate_collections(BOOK, **values)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"start": dt.datetime(1, 1, 1, tzinfo=dt.UTC)}, "start_out_of_range"),
        ({"start": dt.datetime(9999, 12, 20, tzinfo=dt.UTC)}, "start_out_of_range"),
        ({"start": dt.datetime(9998, 6, 1, tzinfo=dt.UTC), "weeks": 520}, "start_out_of_range"),
        ({"start": "2026-11-26T00:00Z"}, "start"),
        ({"bands": (5,)}, "bands"),
        ({"bands": None}, "bands"),
        ({"dso_period_days": 10**100}, "dso_period_days_too_many"),
        ({"policy": None}, "policy"),
        ({"workflow": None}, "workflow"),
        ({"behaviour": None}, "behaviour"),
    ],
)
def test_a_bad_argument_is_a_coded_refusal(overrides: dict[str, Any], code: str) -> None:
    with pytest.raises(InvalidScenario) as caught:
        simulate(**overrides)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (lambda: PaymentBehaviour(first_day=1.5, hazards=(0.5,)), "first_day"),  # type: ignore[arg-type]
        (lambda: PaymentBehaviour(first_day=10**30, hazards=(0.5,)), "first_day"),
        (lambda: PaymentBehaviour(first_day=0, hazards=(0.1,) * 10**5), "hazards_too_many"),
        (lambda: PaymentBehaviour.constant(0.1, days=10**9), "days"),
        (lambda: PaymentBehaviour.constant("0.1"), "not_a_probability"),  # type: ignore[arg-type]
        (lambda: PaymentBehaviour.constant(True), "not_a_probability"),
    ],
)
def test_a_bad_curve_is_refused_before_anything_runs(build: Any, code: str) -> None:
    with pytest.raises(InvalidScenario) as caught:
        build()
    assert caught.value.code == code


def test_a_history_beyond_the_curve_is_left_out_with_its_code() -> None:
    """Due in year 9000, paid in 2026: the span would have cost minutes and hundreds of MB."""
    paid = invoice("inv_odd", due=day(2026, 1, 1), paid=((day(2026, 1, 5), 10_000),))
    odd = attrs.evolve(paid, due_date=dt.datetime(9000, 1, 1, tzinfo=dt.UTC))
    fine = invoice("inv_ok", due=day(2026, 1, 1), paid=((day(2026, 1, 5), 10_000),))
    book = fit_behaviour([odd, fine], as_of=day(2026, 6, 1))
    assert book.left_out == {"inv_odd": "beyond_curve"}
    assert book.pooled.first_day == 4
    assert abs(book.pooled.first_day) <= MAX_CURVE_DAYS


def test_figures_of_a_book_with_nothing_open_say_so(tmp_path: pathlib.Path) -> None:
    common: dict[str, Any] = {
        "partners": (acme(),),
        "workflow": net30_reminders(),
        "behaviour": PaymentBehaviour.on_due_date(),
        "start": START,
        "weeks": 1,
        "runs": 1,
    }
    simulation = simulate_collections([], **common)
    comparison = compare_collections([], a=OutreachPolicy(), b=OutreachPolicy(), **common)
    for n, figure in enumerate(
        (forecast_figure(simulation), comparison_figure(comparison), contacts_figure(simulation))
    ):
        assert save_png(figure, tmp_path / f"{n}.png").stat().st_size > 2_000


@pytest.mark.parametrize("at", ["0001-01-01", "9999-12-31"])
def test_a_bare_date_at_the_calendars_edge_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], at: str
) -> None:
    store = str(sample_portfolio_path())
    code = main(["forecast", "--store", store, "--at", at, "--runs", "1", "--weeks", "1"])
    assert code == EXIT_UNUSABLE
    assert "outside the years 2 to 9998" in capsys.readouterr().err
