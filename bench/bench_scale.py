"""The portfolio analytics on large books: microseconds per invoice at 10k, 100k and 1M.

A book of generated slim invoices (five currencies, a quarter of them paid, due dates over
eleven months) is built once per size; each analytics call is then timed once over the whole
book (one call over a million invoices is long enough to time by itself). The book is
long-lived, so it is moved out of the cyclic collector's view with :func:`gc.freeze` before
timing, as a notebook or service holding a book should do: without it, every full collection
during the report walks the million invoices again (the "GC amplification"; the row with the
collector left as it is shows it). The slope is ``µs per invoice at 1M ÷ at 10k``: linear is
1.0, and the target is within 10%.

Run alone with ``python -m bench.bench_scale`` (``--quick`` stops at 100k); the 1M book
holds about 1.2 GB while it lives.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import sys
import time
from collections.abc import Callable, Iterator

from bench.timing import Row, row
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.portfolio import aging_report, days_sales_outstanding, expected_collections

_CODES = ("EUR", "USD", "GBP", "JPY", "KWD")
_START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
AS_OF = dt.date(2026, 11, 1)


def book(n: int, seed: int = 1) -> list[Invoice]:
    """``n`` slim invoices: ids, partner, amounts in one of five currencies, issue and due."""
    return list(generated(n, seed))


def generated(n: int, seed: int = 1) -> Iterator[Invoice]:
    """The invoices of :func:`book`, one at a time (a book never held whole)."""
    rnd = random.Random(seed)
    for i in range(n):
        code = _CODES[i % len(_CODES)]
        total = rnd.randint(1, 10**6)
        paid = rnd.choice((0, 0, total // 2, total))
        yield Invoice(
            id=f"inv_{i:08d}",
            object="invoice",
            remote_id=str(i),
            number=str(i),
            partner_id=f"par_{i % 1000:04d}",
            currency=code,
            total_amount=Money(total, code),
            amount_paid=Money(paid, code),
            amount_due=Money(total - paid, code),
            issued_at=_START + dt.timedelta(days=rnd.randint(0, 300)),
            due_date=_START + dt.timedelta(days=rnd.randint(0, 330)),
        )


def _once(fn: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _per_invoice(invoices: list[Invoice], *, frozen: bool) -> dict[str, float]:
    """Seconds per invoice of each call over ``invoices``: best of three, two at 1M (the first
    call over a fresh book also pays for the memory it touches first)."""
    calls: dict[str, Callable[[], object]] = {
        "aging report + records()": lambda: aging_report(invoices, as_of=AS_OF).records(),
        "DSO": lambda: days_sales_outstanding(invoices, as_of=AS_OF).records(),
        "expected collections + records()": lambda: expected_collections(
            invoices, as_of=AS_OF
        ).records(),
    }
    repeat = 2 if len(invoices) >= 1_000_000 else 3
    if frozen:
        gc.freeze()
    try:
        return {
            name: min(_once(fn) for _ in range(repeat)) / len(invoices)
            for name, fn in calls.items()
        }
    finally:
        if frozen:
            gc.unfreeze()


def rows(quick: bool) -> list[Row]:
    """µs per invoice at each size, the collector's share at the largest, and the slope."""
    sizes = (10_000, 100_000) if quick else (10_000, 100_000, 1_000_000)
    out: list[Row] = []
    first: dict[str, float] = {}
    for n in sizes:
        invoices = book(n)
        figures = _per_invoice(invoices, frozen=True)
        if n == sizes[-1]:
            plain = _per_invoice(invoices, frozen=False)
            name = "aging report + records()"
            out.append(
                row(f"{name}, {n:,} invoices, collector not frozen", plain[name] * 1e6, "µs")
            )
        del invoices
        for name, seconds in figures.items():
            first.setdefault(name, seconds)
            aging = name.startswith("aging")
            out.append(
                row(
                    f"{name}, {n:,} invoices",
                    seconds * 1e6,
                    "µs",
                    target=1.7 if aging and n == 1_000_000 else None,
                    peer="target" if aging and n == 1_000_000 else None,
                    peer_value=1.0 if aging and n == 1_000_000 else None,
                )
            )
        if n == sizes[-1]:
            for name, seconds in figures.items():
                out.append(
                    row(
                        f"slope {name}, µs/invoice {n:,} ÷ 10,000",
                        seconds / first[name],
                        "x",
                        target=1.1,
                        peer="linear",
                        peer_value=1.0,
                    )
                )
    return out


if __name__ == "__main__":
    for line in rows(quick="--quick" in sys.argv):
        print(f"{line['figure']:62} {line['value']:8.3f} {line['unit']}", flush=True)
