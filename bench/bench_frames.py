"""Report frames and figures over the bundled sample portfolio (ADR 0067).

Each figure is the median time of one call: the aging report and its invoice table as pandas
and polars frames (exact minor units beside floats), a collections simulation's weekly frame,
and the cash fan chart rendered to PNG headlessly. No peer: the point is what a notebook
waits for. Run alone with ``python -m bench.bench_frames``; ``bench/run.py`` collects
:func:`rows`.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from adapters.figures import forecast_figure
from adapters.json_store import JsonStore
from adapters.samples import SAMPLE_AS_OF, sample_portfolio_path
from bench.timing import median_seconds, row
from stuut_domain.outreach.state import OutreachState
from stuut_domain.portfolio import aging_report
from stuut_domain.scenarios import fit_behaviour, simulate_collections


def _png(figure: Figure) -> None:
    FigureCanvasAgg(figure)
    figure.savefig(io.BytesIO(), format="png", dpi=100)


def rows(quick: bool) -> list[dict[str, object]]:
    """Milliseconds per frame or figure of the sample's reports."""
    store = JsonStore(sample_portfolio_path())
    invoices = list(store.invoices.find())
    partners = list(store.partners.find())
    workflow = sorted(store.workflows.find(), key=lambda w: w.id or "")[0]
    aging = aging_report(invoices, as_of=SAMPLE_AS_OF.date(), partners=partners)
    euros = [i for i in invoices if i.currency == "EUR"]
    behaviour = fit_behaviour(
        invoices, as_of=SAMPLE_AS_OF, contacts=OutreachState.from_invoices(invoices).sent
    )
    simulation = simulate_collections(
        euros,
        partners=partners,
        workflow=workflow,
        behaviour=behaviour,
        start=SAMPLE_AS_OF,
        runs=20,
        weeks=26,
    )
    open_invoices = len(aging.invoice_records())
    contenders: dict[str, Callable[[], object]] = {
        f"aging to_pandas ({len(aging.records())} currencies)": aging.to_pandas,
        f"aging invoice table to_pandas ({open_invoices} rows)": lambda: aging.to_pandas(
            "invoice_records"
        ),
        f"aging invoice table to_polars ({open_invoices} rows)": lambda: aging.to_polars(
            "invoice_records"
        ),
        "collections simulation to_pandas (EUR, 20 runs, 26 weeks)": simulation.to_pandas,
        "fan chart rendered to PNG (EUR, 20 runs, 26 weeks)": lambda: _png(
            forecast_figure(simulation)
        ),
    }
    seconds = median_seconds(contenders, repeat=3 if quick else 7, budget=0.05 if quick else 0.3)
    return [row(figure, value * 1e3, "ms") for figure, value in seconds.items()]


if __name__ == "__main__":
    for line in rows(quick=False):
        print(f"{line['figure']:58} {line['value']:8.2f} {line['unit']}")
