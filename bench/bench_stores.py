"""Store benchmarks (issue 3, targets 4b and 5): the memory store at a million invoices, and
the JSON store filtering 100,000 files as a stream.

``rows(quick)`` returns one dict per figure (figure, value, unit, peer, peer_value, ratio,
target, ok), collected by ``bench/run.py``. Run alone: ``python -m bench.bench_stores [--quick]``.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from adapters.memory import MemoryStore
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.ports import InvoiceQuery

UTC = dt.UTC
BASE_DUE = dt.datetime(2024, 1, 1, tzinfo=UTC)


def slim_invoice(n: int, partners: int) -> Invoice:
    """A slim issued invoice (the list endpoint's essentials): amounts, currency, partner, dates."""
    currency = "EUR" if n % 3 else "USD"
    total = 1_000 + (n * 7919) % 500_000
    paid = 0 if n % 4 else total  # a quarter are paid in full
    due = BASE_DUE + dt.timedelta(days=n % 365)
    # issued 30 days before the due day: three quarters are open, so open-only queries
    # measure real answers, not empty ones
    return Invoice(
        amount_due=Money(total - paid, currency),
        currency=currency,
        object="invoice",
        remote_id=f"erp-{n}",
        total_amount=Money(total, currency),
        id=f"inv_{n:08d}",
        amount_paid=Money(paid, currency),
        due_date=due,
        issued_at=due - dt.timedelta(days=30),
        paid_at=due if paid else None,
        number=f"INV-{n:08d}",
        partner_id=f"ptn_{n % partners:06d}",
        type="receivable",
    )


def _rss_bytes() -> int:
    """Resident memory of this process now (Linux /proc; 0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _available_bytes() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _median_seconds(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _row(
    figure: str,
    *,
    value: float,
    unit: str,
    peer: str,
    peer_value: float,
    target: str,
    ok: bool,
) -> dict[str, object]:
    ratio = value / peer_value if peer_value else float("nan")
    return {
        "figure": figure,
        "value": round(value, 6),
        "unit": unit,
        "peer": peer,
        "peer_value": round(peer_value, 6),
        "ratio": round(ratio, 6),
        "target": target,
        "ok": ok,
    }


def memory_rows(quick: bool) -> list[dict[str, object]]:
    """Target 4b: a million slim invoices in memory; one partner's open invoices via the index."""
    count = 20_000 if quick else 1_000_000
    partners = count // 100  # 100 invoices per partner
    gc.collect()
    before = _rss_bytes()
    available = _available_bytes() + before
    store = MemoryStore()
    add = store.invoices.add
    for n in range(count):
        add(slim_invoice(n, partners))
    gc.collect()
    used = _rss_bytes() - before
    per_invoice = used / count

    from adapters import stuut_json

    wire_bytes = len(stuut_json.encode_invoice(slim_invoice(0, partners)))
    partner = f"ptn_{(partners // 2 + 1):06d}"  # odd: its invoices are partly open
    indexed_query = InvoiceQuery(partner_id=partner, open_only=True)
    expected = sum(1 for _ in store.invoices.find(indexed_query))

    def by_index() -> int:
        return sum(1 for _ in store.invoices.find(indexed_query))

    def full_scan() -> int:
        # The same answer without the index: every invoice is looked at.
        return sum(1 for i in store.invoices.find() if indexed_query.matches(i))

    if expected == 0:
        raise RuntimeError("the partner has no open invoice: the query would measure nothing")
    if by_index() != expected or full_scan() != expected:
        raise RuntimeError("indexed listing and full scan disagree")
    t_index = _median_seconds(by_index, 21)
    t_scan = _median_seconds(full_scan, 3 if not quick else 5)
    label = f"{count:,}"
    return [
        _row(
            f"memory store: RSS for {label} slim invoices",
            value=used / 2**20,
            unit="MiB",
            peer="memory available to the process",
            peer_value=available / 2**20,
            target="< 1.0 (fits in the machine)",
            ok=used < available,
        ),
        _row(
            "memory store: bytes per slim invoice (entity + indexes)",
            value=per_invoice,
            unit="B",
            peer="the same invoice as compact Stuut JSON",
            peer_value=float(wire_bytes),
            target="info",
            ok=True,
        ),
        _row(
            f"memory store: one partner's open invoices of {label} (index)",
            value=t_index * 1e3,
            unit="ms",
            peer="full scan with the same filter",
            peer_value=t_scan * 1e3,
            target="<= 0.01 (never scans other partners)",
            ok=t_index <= 0.01 * t_scan,
        ),
    ]


def json_rows(quick: bool) -> list[dict[str, object]]:
    """Target 5: the JSON store lists and filters 100,000 files streaming (flat peak memory)."""
    from adapters import stuut_json
    from adapters.json_store import JsonStore

    big = 2_000 if quick else 100_000
    small = big // 100
    partners = max(big // 100, 1)
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="stuut-bench-") as tmp:
        folder = Path(tmp) / "invoices"
        folder.mkdir()
        for n in range(big):
            invoice = slim_invoice(n, partners)
            # Setup only: plain writes (the store's atomic, fsynced add is not what is measured).
            (folder / f"{invoice.id}.json").write_bytes(stuut_json.encode_invoice(invoice))
        store = JsonStore(tmp)
        query = InvoiceQuery(partner_id=f"ptn_{partners // 2 + 1:06d}", open_only=True)

        def stream(limit: int) -> int:
            matched = 0
            for seen, invoice in enumerate(store.invoices.find()):
                if seen >= limit:
                    break
                if query.matches(invoice):
                    matched += 1
            return matched

        def traced_peak(fn: Callable[[], object]) -> int:
            gc.collect()
            tracemalloc.start()
            fn()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            return peak

        def raw_loads() -> int:
            return sum(1 for p in folder.iterdir() if json.loads(p.read_bytes()) is not None)

        stream(big)  # warm-up: caches, lazy imports, directory entries
        elapsed = _median_seconds(lambda: stream(big), 3)
        raw = _median_seconds(raw_loads, 3)
        peak_small = traced_peak(lambda: stream(small))
        peak_big = traced_peak(lambda: stream(big))
        peak_all = traced_peak(lambda: list(store.invoices.find()))
        hits = sum(1 for _ in store.invoices.find(query))
        if hits == 0:
            raise RuntimeError("no open invoice matches: the query would measure nothing")
        rows.append(
            _row(
                f"JSON store: filter {big:,} files streaming, peak traced memory",
                value=peak_big / 2**10,
                unit="KiB",
                peer=f"the same over {small:,} files",
                peer_value=peak_small / 2**10,
                target="<= 1.5 (flat: independent of file count)",
                ok=peak_big <= 1.5 * peak_small,
            )
        )
        rows.append(
            _row(
                f"JSON store: {big:,} files streamed vs loaded into a list, peak",
                value=peak_big / 2**10,
                unit="KiB",
                peer="list(find()): every invoice at once",
                peer_value=peak_all / 2**10,
                target="info",
                ok=True,
            )
        )
        rows.append(
            _row(
                f"JSON store: read, decode and filter {big:,} files",
                value=big / elapsed,
                unit="files/s",
                peer="read + json.loads only (no domain objects)",
                peer_value=big / raw,
                target=f"info ({hits} matches)",
                ok=True,
            )
        )
    return rows


def rows(quick: bool) -> list[dict[str, object]]:
    """Every store figure: memory store (target 4b), then JSON store (target 5)."""
    return [*memory_rows(quick), *json_rows(quick)]


if __name__ == "__main__":
    for row in rows("--quick" in sys.argv):
        print(row)
