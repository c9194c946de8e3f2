"""``stuut-domain forecast``: cash by week under a policy, from the store's own history.

The behaviour model is fitted from the store's invoices as of ``--at`` (ADR 0063), then the
book is simulated ``--runs`` times over ``--weeks`` weeks from ``--at`` (ADR 0064). With
``--compare``, a second policy runs on the same seeds (ADR 0065). Text shows the cumulative
cash bands per currency (at most ``--limit`` rows per table); ``--json`` has every row.
With ``--plot DIR`` the figures (aging, the fan chart, the comparison, contacts per week) are
written there as PNG and their paths printed (ADR 0067; needs the ``plot`` extra).
"""

from __future__ import annotations

import argparse
import datetime as dt
import pathlib
from collections.abc import Mapping
from typing import Any

from adapters.cli._output import Outcome, UnusableInput, limited
from adapters.cli._store import StorePortfolio, load_store, pick_workflow, store_outcome
from stuut_domain.outreach.policy import OutreachPolicy
from stuut_domain.outreach.state import OutreachState
from stuut_domain.portfolio import aging_report
from stuut_domain.scenarios import (
    CollectionsComparison,
    CollectionsSimulation,
    compare_collections,
    fit_behaviour,
    simulate_collections,
)
from stuut_domain.types import OutreachChannel
from stuut_domain.workflow import Workflow

__all__ = ["forecast_view", "run"]

_CASH_COLUMNS = ("week_start", "currency", "cumulative_low", "cumulative_p50", "cumulative_high")
_DELTA_COLUMNS = ("week_start", "currency", "delta_low", "delta_p50", "delta_high")
_SUMMARY_COLUMNS = (
    "currency",
    "cash_weeks_forward_p50",
    "horizon_delta_p50",
    "delta_contacts_p50",
    "contacts_per_1000_forward",
)


def _last_weeks(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """The horizon's row of each currency (the last week)."""
    last = max((int(str(r["week"])) for r in rows), default=0)
    return [r for r in rows if r["week"] == last]


def forecast_view(
    portfolio: StorePortfolio,
    *,
    at: dt.datetime,
    weeks: int,
    runs: int,
    seed: int,
    channels: tuple[OutreachChannel, ...],
    workflow: Workflow,
    policy: OutreachPolicy,
    compare: OutreachPolicy | None,
    limit: int | None = None,
    plot: pathlib.Path | None = None,
    lifts: Mapping[OutreachChannel, float] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The forecast (or, with ``compare``, the comparison) as text and as data; with
    ``plot``, its figures written there as PNG (their paths in both); with ``lifts``, the
    contact effect set by hand over the fitted baseline."""
    behaviour = fit_behaviour(
        portfolio.invoices,
        as_of=at,
        contacts=OutreachState.from_invoices(portfolio.invoices).sent,
        lifts=lifts,
    )
    common: dict[str, Any] = {
        "partners": portfolio.partners,
        "workflow": workflow,
        "behaviour": behaviour,
        "start": at,
        "weeks": weeks,
        "runs": runs,
        "seed": seed,
        "channels": channels,
    }
    header = (
        f"Workflow {workflow.name or workflow.id}; behaviour fitted as of {at.isoformat()}"
        + (" (lifts by hand)" if behaviour.lifts_by_hand else "")
        + ": "
        + ", ".join(f"{k} {v:.3g}" for k, v in behaviour.pooled.as_record().items())
    )
    if compare is None:
        simulation = simulate_collections(portfolio.invoices, policy=policy, **common)
        rows = simulation.records()
        text = "\n\n".join(
            [
                header,
                f"{simulation.title()}\nCumulative cash at the horizon (bands over runs)\n"
                + limited(_CASH_COLUMNS, _last_weeks(rows), limit),
                "Summary\n" + _summary_text(simulation.summary()),
            ]
        )
        data: dict[str, Any] = {
            "at": at,
            "workflow": workflow.id,
            "behaviour": behaviour.records(),
            "contacts_fitted_from": behaviour.contact_records(),
            "summary": simulation.summary(),
            "weeks": rows,
            "partners": simulation.partner_records(),
            "never_reached": simulation.never_records(),
        }
        return _with_figures(text, data, simulation, portfolio=portfolio, at=at, plot=plot)
    comparison = compare_collections(
        portfolio.invoices, a=policy, b=compare, labels=("policy", "compare"), **common
    )
    rows = comparison.records()
    summary = comparison.summary_records()
    text = "\n\n".join(
        [
            header,
            f"{comparison.title()}\nCash brought forward and its cost, per currency\n"
            + limited(_SUMMARY_COLUMNS, summary, limit),
            "Difference in cumulative cash at the horizon (compare - policy)\n"
            + limited(_DELTA_COLUMNS, _last_weeks(rows), limit),
        ]
    )
    compared: dict[str, Any] = {
        "at": at,
        "workflow": workflow.id,
        "behaviour": behaviour.records(),
        "contacts_fitted_from": behaviour.contact_records(),
        "summary": summary,
        "weeks": rows,
        "delta_contacts": comparison.delta_contacts(),
    }
    return _with_figures(text, compared, comparison, portfolio=portfolio, at=at, plot=plot)


def _with_figures(
    text: str,
    data: dict[str, Any],
    result: CollectionsSimulation | CollectionsComparison,
    *,
    portfolio: StorePortfolio,
    at: dt.datetime,
    plot: pathlib.Path | None,
) -> tuple[str, dict[str, Any]]:
    """Write the figures into ``plot`` (when given) and name them in the text and data."""
    if plot is None:
        return text, data
    from adapters.figures import write_figures  # noqa: PLC0415 - matplotlib only on --plot

    aging = aging_report(portfolio.invoices, as_of=at.date(), partners=portfolio.partners)
    paths = [str(p) for p in write_figures(result, plot, aging=aging)]
    return text + "\n\nFigures:\n" + "\n".join(paths), {**data, "figures": paths}


def _plain(value: object) -> str:
    """A summary value as text: numbers as written, ``-`` for none, mappings as ``k v``."""
    if value is None:
        return "-"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_plain(v)}" for k, v in value.items()) or "-"
    return str(value)


def _summary_text(summary: dict[str, object]) -> str:
    """One line per headline figure of :meth:`CollectionsSimulation.summary`."""
    return "\n".join(f"  {key}: {_plain(value)}" for key, value in summary.items())


def _lifts(
    given: list[tuple[OutreachChannel, float]] | None,
) -> dict[OutreachChannel, float] | None:
    """``--lift`` values by channel; a channel given twice is a usage error, not last-wins."""
    if not given:
        return None
    lifts: dict[OutreachChannel, float] = {}
    for channel, lift in given:
        if channel in lifts:
            raise UnusableInput(f"--lift {channel} is given twice ({lifts[channel]:g}, {lift:g})")
        lifts[channel] = lift
    return lifts


def run(args: argparse.Namespace) -> Outcome:
    """Forecast the store at ``args.store`` from ``--at``, or compare with ``--compare``."""
    portfolio = load_store(args.store)
    text, data = forecast_view(
        portfolio,
        at=args.at,
        weeks=args.weeks,
        runs=args.runs,
        seed=args.seed,
        channels=tuple(dict.fromkeys(args.channel or ("email",))),
        workflow=pick_workflow(portfolio, args.workflow),
        policy=args.policy,
        compare=args.compare,
        limit=args.limit or None,
        plot=args.plot,
        lifts=_lifts(args.lift),
    )
    return store_outcome(portfolio, text, data)
