"""How long the public hypothesis strategies take to generate full invoices.

Run: ``.venv/bin/python -m bench.strategies_speed [COUNT]`` (default 200). A "full" invoice has
line items, payments (allocations embedding their payment) and an embedded partner with
contacts. Generation runs through ``@given`` with the generate phase only, no database and no
deadline, as a property test's default run would; the time includes Hypothesis's own engine.
"""

from __future__ import annotations

import sys
import time

from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from stuut_domain.invoice import Invoice
from stuut_domain.strategies import invoices, partners


def _time(strategy: st.SearchStrategy[Invoice], count: int) -> tuple[float, int]:
    drawn: list[Invoice] = []

    @settings(max_examples=count, phases=[Phase.generate], database=None, deadline=None)
    @given(strategy)
    def collect(invoice: Invoice) -> None:
        drawn.append(invoice)

    start = time.perf_counter()
    collect()
    return time.perf_counter() - start, len(drawn)


def main(argv: list[str]) -> None:
    count = int(argv[1]) if len(argv) > 1 else 200
    cases = {
        "full (lines, payments, partner)": invoices(
            with_line_items=True, with_payments=True, partner=partners()
        ),
        "default invoices()": invoices(),
        "slim (no lines, payments or partner)": invoices(
            with_line_items=False, with_payments=False, partner=st.none()
        ),
    }
    for label, strategy in cases.items():
        seconds, drawn = _time(strategy, count)
        print(
            f"{label:40} {drawn:4d} invoices in {seconds:6.2f} s"
            f" = {1000 * seconds / drawn:6.1f} ms each"
        )


if __name__ == "__main__":
    main(sys.argv)
