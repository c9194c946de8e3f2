"""Figures for the common views of a book: aging, the cash forecast, a policy comparison, contacts.

Each function takes a report of the core and returns a ``matplotlib.figure.Figure`` built
directly (never through ``pyplot``, so no global figure state is created or leaks between
calls); :func:`save_png` renders one with the Agg backend, headless. The figures read the
exact minor units of the reports and turn them into major units (``minor / 10**exponent``)
only to draw: a figure is a picture of exact figures, never a source of them (ADR 0067).

Amounts in different currencies are never stacked or summed without a rate table: by default
each currency gets its own panel (or, for aging, its own bar as shares of its total); with
``currency`` and ``rates`` every amount is converted first, exactly, with
:func:`~stuut_domain.money.convert` (a missing rate raises
:class:`~stuut_domain.errors.MissingRate`), and one panel shows the total.

matplotlib is the optional ``plot`` extra; without it each function raises
:class:`~stuut_domain.errors.MissingExtra`.
"""

from __future__ import annotations

import datetime as dt
import math
import pathlib
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final, Literal

from stuut_domain.errors import InvalidReportInput, MissingRate
from stuut_domain.frames import conversion_target, optional_import
from stuut_domain.money import Money, convert
from stuut_domain.outreach.simulation import OutreachSimulation
from stuut_domain.portfolio import AGING_BUCKETS, NO_DUE_DATE, AgingReport
from stuut_domain.scenarios import CollectionsComparison, CollectionsSimulation, percentile

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "aging_figure",
    "comparison_figure",
    "contacts_figure",
    "forecast_figure",
    "save_png",
    "write_figures",
]

Rates = Mapping[str, Decimal | Fraction | str | int]

#: The inner band of a fan chart (the outer one is the simulation's ``bands``).
INNER_BAND: Final = (25, 75)
#: Panels per row when each currency gets its own.
_COLUMNS: Final = 4
_BUCKET_COLOURS: Final = ("#4c9f70", "#a8c66c", "#f2c14e", "#f08a4b", "#d1495b", "#9e9e9e")


def _figure(
    feature: str, panels: int = 1, *, size: tuple[float, float] | None = None
) -> tuple[Figure, list[Axes]]:
    """A Figure with ``panels`` axes in a grid, built without pyplot."""
    module = optional_import("matplotlib.figure", feature=feature)
    columns = min(_COLUMNS, max(panels, 1))
    rows = max(1, math.ceil(panels / columns))
    figsize = size or ((7.0, 4.2) if panels <= 1 else (4.2 * columns, 3.2 * rows))
    # constrained layout costs seconds on a grid of two dozen panels: fixed spacing there
    many = panels > _COLUMNS
    figure: Figure = module.Figure(figsize=figsize, layout=None if many else "constrained")
    if many:
        figure.subplots_adjust(
            left=0.06, right=0.98, bottom=0.06, top=1 - 0.35 / rows, hspace=0.75, wspace=0.3
        )
    grid = figure.subplots(rows, columns, squeeze=False)
    axes = [ax for line in grid for ax in line]
    for unused in axes[panels:]:
        unused.remove()
    return figure, axes[: max(panels, 1)]


def _major(units: int, code: str) -> float:
    """Minor units as a float of major units, for drawing only."""
    return float(units / 10 ** Money(0, code).exponent)


def _converter(currency: str | None, rates: Rates | None) -> Callable[[int, str], int] | None:
    """``(units, code) -> units of currency`` at ``rates``, or None without a conversion."""
    target = conversion_target(currency, rates)
    if target is None or rates is None:
        return None

    def to_target(units: int, code: str) -> int:
        if code == target:
            return units
        if code not in rates:
            raise MissingRate(code, target, row=0, column=code)
        return convert(Money(units, code), rates[code], target).minor_units

    return to_target


def aging_figure(
    report: AgingReport, *, currency: str | None = None, rates: Rates | None = None
) -> Figure:
    """Aging buckets by currency as stacked bars: one bar per currency.

    Without rates each bar shows its buckets as shares of that currency's total (currencies
    are never added), labelled with the total in its own currency; with ``currency`` and
    ``rates`` the bars are the converted amounts, stacked, on one scale.
    """
    to_target = _converter(currency, rates)
    frame = report.frame_columns()
    figure, (axes,) = _figure(
        "aging_figure", size=(max(6.0, 2.5 + 0.45 * len(frame["currency"])), 4.5)
    )
    codes = [str(c) for c in frame["currency"]]
    bottoms = [0.0] * len(codes)
    for colour, bucket in zip(_BUCKET_COLOURS, (*AGING_BUCKETS, NO_DUE_DATE), strict=True):
        units = [int(str(u)) for u in frame[f"{bucket}_minor"]]
        if to_target is None:
            totals = [int(str(t)) for t in frame["total_minor"]]
            heights = [100 * u / t if t else 0.0 for u, t in zip(units, totals, strict=True)]
        else:
            target = str(currency)
            heights = [_major(to_target(u, c), target) for u, c in zip(units, codes, strict=True)]
        axes.bar(codes, heights, bottom=bottoms, label=bucket, color=colour)
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    if to_target is None:
        axes.set_ylabel("share of the currency's open amount (%)")
        for index, total in enumerate(frame["total"]):
            axes.annotate(
                f"{float(str(total)):,.0f}",
                (index, 100),
                ha="center",
                va="bottom",
                fontsize=7,
                rotation=90,
            )
        axes.set_ylim(0, 125)
    else:
        axes.set_ylabel(f"open amount ({currency})")
    axes.set_title(report.title(), fontsize=9)
    axes.tick_params(axis="x", labelrotation=90)
    axes.legend(title="days past due", fontsize=7, ncols=3)
    return figure


def _dates(days: Sequence[dt.date | dt.datetime]) -> Any:
    """Dates as matplotlib's date numbers (the axes then show them as dates)."""
    return optional_import("matplotlib.dates", feature="figures").date2num(list(days))


def _week_ends(simulation: CollectionsSimulation) -> Any:
    """The Sundays the simulation's calendar weeks end on."""
    return _dates(
        [simulation.week_start(w + 1) - dt.timedelta(days=1) for w in range(simulation.weeks)]
    )


def _paths(
    per_currency: Callable[[str], list[list[int]]],
    codes: Sequence[str],
    to_target: Callable[[int, str], int] | None,
) -> list[tuple[str, list[list[int]]]]:
    """Per panel, its per-run weekly paths: one per currency, or one converted total."""
    if to_target is None:
        return [(code, per_currency(code)) for code in codes]
    total: list[list[int]] | None = None
    for code in codes:
        converted = [[to_target(u, code) for u in path] for path in per_currency(code)]
        total = (
            converted
            if total is None
            else [
                [a + b for a, b in zip(p, q, strict=True)]
                for p, q in zip(total, converted, strict=True)
            ]
        )
    return [("", total or [])]


def _fan(
    axes: Axes,
    x: Any,
    *,
    paths: list[list[int]],
    code: str,
    bands: tuple[int, int],
    colour: str,
) -> None:
    """Median line, the inner band and the outer band of the paths, in major units."""
    weeks = range(len(x))

    def at(q: int) -> list[float]:
        return [_major(percentile([p[w] for p in paths], q), code) for w in weeks]

    axes.fill_between(x, at(bands[0]), at(bands[1]), alpha=0.2, color=colour, linewidth=0)
    axes.fill_between(x, at(INNER_BAND[0]), at(INNER_BAND[1]), alpha=0.35, color=colour)
    axes.plot(x, at(50), color=colour, linewidth=1.8)
    axes.xaxis_date()


def _panels(
    feature: str,
    codes: Sequence[str],
    currency: str | None,
    rates: Rates | None,
    per_currency: Callable[[str], list[list[int]]],
) -> tuple[Figure, list[tuple[Axes, str, list[list[int]]]]]:
    to_target = _converter(currency, rates)
    chosen = _paths(per_currency, codes, to_target)
    figure, axes = _figure(feature, len(chosen))
    if not chosen:  # nothing was open at the start: one panel that says so
        axes[0].text(0.5, 0.5, "nothing open at the start", ha="center", va="center")
        axes[0].set_axis_off()
        return figure, []
    return figure, [
        (ax, code or str(currency), paths) for ax, (code, paths) in zip(axes, chosen, strict=True)
    ]


def _select(available: Sequence[str], currencies: Sequence[str] | None) -> list[str]:
    if currencies is None:
        return list(available)
    unknown = [c for c in currencies if c not in available]
    if unknown:
        raise InvalidReportInput(
            "unknown_currency",
            "currencies",
            f"not open at the start (open: {', '.join(available)})",
            value=unknown,
        )
    return list(currencies)


def forecast_figure(
    simulation: CollectionsSimulation,
    *,
    currencies: Sequence[str] | None = None,
    currency: str | None = None,
    rates: Rates | None = None,
) -> Figure:
    """The cash-forecast fan chart: cumulative cash by the end of each week, over the runs.

    The line is the median run, the dark band the 25th-75th percentiles, the light band the
    simulation's ``bands`` (nearest rank, as the report). One panel per currency (``currencies``
    picks some), or with ``currency`` and ``rates`` one panel of the converted total (each
    run converted, then its percentiles taken). A dashed line marks what was open.
    """
    codes = _select(simulation.currencies, currencies)
    figure, panels = _panels("forecast_figure", codes, currency, rates, simulation.cumulative)
    x = _week_ends(simulation)
    to_target = _converter(currency, rates)
    for axes, code, paths in panels:
        _fan(axes, x, paths=paths, code=code, bands=simulation.bands, colour="#2b6cb0")
        opening = (
            sum(to_target(simulation.opening[c], c) for c in codes)
            if to_target is not None
            else simulation.opening[code]
        )
        axes.axhline(_major(opening, code), color="#888888", linestyle="--", linewidth=0.8)
        axes.set_title(f"cumulative cash, {code}", fontsize=9)
        axes.tick_params(axis="x", labelrotation=45, labelsize=7)
    figure.suptitle(simulation.title(), fontsize=9)
    return figure


def comparison_figure(
    comparison: CollectionsComparison,
    *,
    currencies: Sequence[str] | None = None,
    currency: str | None = None,
    rates: Rates | None = None,
) -> Figure:
    """The policy comparison: the difference in cumulative cash (second policy less first)
    by the end of each week, median run and bands, on common random numbers.

    Above zero, the second policy brought cash forward. Panels as :func:`forecast_figure`.
    """
    codes = _select(comparison.a.currencies, currencies)
    figure, panels = _panels("comparison_figure", codes, currency, rates, comparison.deltas)
    x = _week_ends(comparison.a)
    for axes, code, paths in panels:
        _fan(axes, x, paths=paths, code=code, bands=comparison.a.bands, colour="#805ad5")
        axes.axhline(0, color="#444444", linewidth=0.8)
        axes.set_title(f"{comparison.labels[1]} - {comparison.labels[0]}, {code}", fontsize=9)
        axes.tick_params(axis="x", labelrotation=45, labelsize=7)
    figure.suptitle(comparison.title(), fontsize=9)
    return figure


def _contact_counts(
    instants: Sequence[dt.datetime], start: dt.datetime, slots: int, days: int
) -> list[int]:
    counts = [0] * slots
    for at in instants:
        slot = (at - start).days // days
        if 0 <= slot < slots:
            counts[slot] += 1
    return counts


def contacts_figure(
    result: CollectionsSimulation | CollectionsComparison | OutreachSimulation,
    *,
    by: Literal["day", "week"] = "day",
) -> Figure:
    """Contacts per day (or week) from ``start``: an outreach simulation's count; a
    collections simulation's median over runs with its bands as error bars; a comparison's
    two medians side by side."""
    if by not in ("day", "week"):
        raise InvalidReportInput("by", "by", "contacts are counted by 'day' or 'week'", value=by)
    days = 1 if by == "day" else 7
    figure, (axes,) = _figure("contacts_figure")
    if isinstance(result, OutreachSimulation):
        slots = max(1, math.ceil((result.end - result.start).total_seconds() / 86400 / days))
        counts = _contact_counts([o.at for o in result.outreach], result.start, slots, days)
        x = _dates([(result.start + dt.timedelta(days=days * s)).date() for s in range(slots)])
        axes.bar(x, counts, width=0.8 * days, color="#2b6cb0")
        axes.set_title(result.title(), fontsize=8)
    else:
        sims = (
            [(result.labels[0], result.a), (result.labels[1], result.b)]
            if isinstance(result, CollectionsComparison)
            else [("contacts", result)]
        )
        width = 0.8 * days / len(sims)
        for index, (label, sim) in enumerate(sims):
            # By day from the start; by week, the calendar weeks of the report (Monday on).
            origin = (
                sim.start
                if days == 1
                else dt.datetime.combine(sim.first_week, dt.time(), tzinfo=dt.UTC)
            )
            slots = sim.days if days == 1 else sim.weeks
            per_run = [
                _contact_counts([c[0] for c in run.contacts], origin, slots, days)
                for run in sim.runs
            ]
            x = [origin + dt.timedelta(days=days * s + width * index) for s in range(slots)]
            low, high = sim.bands
            mid = [percentile([r[s] for r in per_run], 50) for s in range(slots)]
            err = [
                [m - percentile([r[s] for r in per_run], low) for s, m in enumerate(mid)],
                [percentile([r[s] for r in per_run], high) - m for s, m in enumerate(mid)],
            ]
            axes.bar(x, mid, width=width, yerr=err, label=label, capsize=1.5, align="edge")
        axes.legend(fontsize=7)
        axes.set_title(result.title(), fontsize=8)
    axes.xaxis_date()
    axes.set_ylabel(f"contacts per {by}")
    axes.tick_params(axis="x", labelrotation=45, labelsize=7)
    return figure


def save_png(figure: Figure, path: str | pathlib.Path, *, dpi: int = 100) -> pathlib.Path:
    """Render ``figure`` to a PNG at ``path`` with the Agg backend (headless); the path."""
    backend = optional_import("matplotlib.backends.backend_agg", feature="save_png")
    backend.FigureCanvasAgg(figure)
    target = pathlib.Path(path)
    figure.savefig(target, format="png", dpi=dpi)
    return target


def write_figures(
    result: CollectionsSimulation | CollectionsComparison,
    directory: str | pathlib.Path,
    *,
    aging: AgingReport | None = None,
    currency: str | None = None,
    rates: Rates | None = None,
) -> list[pathlib.Path]:
    """Write the forecast's figures as PNG into ``directory`` (created if missing): the aging
    (when given), the fan chart (of the first policy for a comparison), the comparison, the
    contacts per week. Returns the paths, in that order."""
    folder = pathlib.Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    figures: list[tuple[str, Any]] = []
    if aging is not None:
        figures.append(("aging.png", aging_figure(aging, currency=currency, rates=rates)))
    simulation = result.a if isinstance(result, CollectionsComparison) else result
    figures.append(("forecast.png", forecast_figure(simulation, currency=currency, rates=rates)))
    if isinstance(result, CollectionsComparison):
        figures.append(
            ("comparison.png", comparison_figure(result, currency=currency, rates=rates))
        )
    figures.append(("contacts.png", contacts_figure(result, by="week")))
    return [save_png(figure, folder / name) for name, figure in figures]
