"""How long the notebook analytics and the outreach simulator take on the sample portfolio.

Run: ``.venv/bin/python -m bench.portfolio_speed [REPEAT]`` (default 5). Loads the bundled
sample portfolio once (400 invoices, 40 partners) and reports the best of REPEAT runs of the
aging report, DSO, the collections forecast, a two-week email simulation (with the number of
emails it sends) and a two-policy comparison over the same two weeks.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable

from adapters.json_store import JsonStore
from adapters.samples import SAMPLE_AS_OF, sample_portfolio_path
from stuut_domain.outreach_policy import OutreachPolicy
from stuut_domain.portfolio import aging_report, days_sales_outstanding, expected_collections
from stuut_domain.simulation import compare_policies, simulate_outreach


def _best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str]) -> None:
    repeat = int(argv[1]) if len(argv) > 1 else 5
    store = JsonStore(sample_portfolio_path())
    start = time.perf_counter()
    invoices = list(store.invoices.find())
    partners = list(store.partners.find())
    workflow = sorted(store.workflows.find(), key=lambda w: w.id or "")[0]
    print(
        f"load {len(invoices)} invoices, {len(partners)} partners: "
        f"{time.perf_counter() - start:.3f} s"
    )
    on = SAMPLE_AS_OF.date()
    begin = dt.datetime(on.year, on.month, on.day, tzinfo=dt.UTC)
    end = begin + dt.timedelta(weeks=2)
    weekly = OutreachPolicy(min_gap_per_invoice=dt.timedelta(days=7))
    sent = len(
        simulate_outreach(
            invoices, partners=partners, workflow=workflow, start=begin, end=end
        ).outreach
    )
    cases: dict[str, Callable[[], object]] = {
        "aging_report": lambda: aging_report(invoices, as_of=on, partners=partners),
        "days_sales_outstanding": lambda: days_sales_outstanding(invoices, as_of=on),
        "expected_collections": lambda: expected_collections(invoices, as_of=on),
        f"simulate_outreach 2 weeks ({sent} sent)": lambda: simulate_outreach(
            invoices, partners=partners, workflow=workflow, start=begin, end=end
        ),
        "compare_policies 2 weeks": lambda: compare_policies(
            invoices,
            partners=partners,
            workflow=workflow,
            start=begin,
            end=end,
            a=OutreachPolicy(),
            b=weekly,
        ),
    }
    for label, run in cases.items():
        print(f"{label:45} best of {repeat}: {1000 * _best(run, repeat):8.1f} ms")


if __name__ == "__main__":
    main(sys.argv)
