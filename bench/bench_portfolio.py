"""Notebook analytics and the outreach simulator over the bundled sample portfolio.

Each figure is the median time of one call over the whole sample (400 invoices, 40
partners): the aging report, DSO, the collections forecast, a two-week email simulation
with one workflow, and the comparison of two policies over the same two weeks. No peer: no
other library computes these. Run alone with ``python -m bench.bench_portfolio``;
``bench/run.py`` collects :func:`rows`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from adapters.json_store import JsonStore
from adapters.samples import SAMPLE_AS_OF, sample_portfolio_path
from bench.timing import median_seconds, row
from stuut_domain.outreach.policy import OutreachPolicy
from stuut_domain.outreach.simulation import compare_policies, simulate_outreach
from stuut_domain.portfolio import aging_report, days_sales_outstanding, expected_collections


def rows(quick: bool) -> list[dict[str, object]]:
    """Milliseconds per call of each analytics function over the sample portfolio."""
    store = JsonStore(sample_portfolio_path())
    invoices = list(store.invoices.find())
    partners = list(store.partners.find())
    workflow = sorted(store.workflows.find(), key=lambda w: w.id or "")[0]
    on = SAMPLE_AS_OF.date()
    begin = dt.datetime(on.year, on.month, on.day, tzinfo=dt.UTC)
    end = begin + dt.timedelta(weeks=2)
    weekly = OutreachPolicy(min_gap_per_invoice=dt.timedelta(days=7))
    sent = len(
        simulate_outreach(
            invoices, partners=partners, workflow=workflow, start=begin, end=end
        ).outreach
    )
    n = len(invoices)
    contenders: dict[str, Callable[[], object]] = {
        f"aging report ({n} invoices)": lambda: aging_report(invoices, as_of=on, partners=partners),
        f"DSO ({n} invoices)": lambda: days_sales_outstanding(invoices, as_of=on),
        f"expected collections ({n} invoices)": lambda: expected_collections(invoices, as_of=on),
        f"simulate outreach, 2 weeks, email ({sent} sent)": lambda: simulate_outreach(
            invoices, partners=partners, workflow=workflow, start=begin, end=end
        ),
        "compare two policies, 2 weeks": lambda: compare_policies(
            invoices,
            partners=partners,
            workflow=workflow,
            start=begin,
            end=end,
            a=OutreachPolicy(),
            b=weekly,
        ),
    }
    seconds = median_seconds(contenders, repeat=3 if quick else 7, budget=0.05 if quick else 0.3)
    return [row(figure, value * 1e3, "ms") for figure, value in seconds.items()]


if __name__ == "__main__":
    for line in rows(quick=False):
        print(f"{line['figure']:50} {line['value']:8.2f} {line['unit']}")
