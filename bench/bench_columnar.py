"""Invoices on columns: Parquet export and the Ibis aging on DuckDB.

* Export against the issue's target (≤ 3×): ``adapters.columnar.write_parquet`` of a book of
  generated invoices already held against ``pyarrow.parquet.write_table`` of the same table,
  CPU seconds, interleaved medians, in a child process (the files are checked equal).
* Streamed export: ``write_parquet`` over generated invoices produced one at a time (the
  book is never held), in a child process whose peak RSS is read from the kernel (target
  ≤ 500 MiB at 1M), CPU seconds of making and writing them against making them alone (the
  generator run by itself; its difference is the streamed export's own cost, collector
  work included, and varies by a µs between runs on a shared machine).
* Aging by currency of the written file: the library's Ibis expression on DuckDB against
  the same query written by hand in DuckDB SQL (target ≤ 1.5×), both materialized.
* Aging at 10M (``--ten``, and in the full run unless ``STUUT_BENCH_AGING_ROWS=0``; that
  variable also sets the rows): a Parquet file of 10M invoices made straight on columns by
  :mod:`bench.generated_columns` (no entities; checked by ``iter_table`` and by a round trip
  of a slice through entities), then ``aging_records`` and ``aging_expr`` on DuckDB against
  the same query by hand in DuckDB SQL, interleaved medians of five, the answers checked
  equal and non-empty; the target is also ≤ 5 s wall. Peak RSS of the child is read.

* Wire JSON to Arrow (``--wire``): ``adapters.columnar.wire`` over pages of 100 invoices
  against decoding the same pages to entities (and then to Arrow), in one run (target:
  ≥ 3× faster, a ratio ≤ 1/3).
* Per-invoice rules on batches (``--evaluate``): ``adapters.columnar.rules.evaluate_batch``
  over generated invoice batches (status, overdue days, the outreach decision for e-mail)
  against the Python path on the same invoices already held as entities (``status_of``,
  ``days_past_due`` and one ``OutreachContext`` per partner, the loop ``evaluate_batch`` runs
  after building the entities), and ``evaluate_frame`` under Dask's ``map_partitions`` on a
  local cluster of two worker processes (cluster start not counted).
* JSON store to Parquet (``--store``): ``store_to_parquet`` over a generated store of 100k
  and 1M invoice files, in a child process whose peak RSS is read (target ≤ 500 MiB).

Run alone with ``python -m bench.bench_columnar`` (``--quick``: 100k instead of 1M, and no
10M aging run); ``python -m bench.bench_columnar --ten`` runs the 10M aging alone
(``--ten --quick``: 1M).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from bench.timing import Row, row

_CHILD = """
import json, resource, sys, time
from adapters.columnar import write_parquet, read_invoices
from bench.bench_scale import generated
n, path = int(sys.argv[1]), sys.argv[2]
start = time.process_time()
for _ in generated(n):
    pass
making = time.process_time() - start
start = time.process_time()
write_parquet(generated(n), path)
total = time.process_time() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
rows = len(read_invoices(path))
print(json.dumps({"making": making, "total": total, "peak_mib": peak, "rows": rows}))
"""

_SQL = """
SELECT CAST(currency AS VARCHAR) AS currency,
       CASE WHEN due_day IS NULL THEN 'no due date'
            WHEN DATE '{on}' - due_day <= 0 THEN 'current'
            WHEN DATE '{on}' - due_day <= 30 THEN '1-30'
            WHEN DATE '{on}' - due_day <= 60 THEN '31-60'
            WHEN DATE '{on}' - due_day <= 90 THEN '61-90'
            ELSE '90+' END AS bucket,
       COUNT(*) AS invoices, SUM(amount_due_minor) AS amount_minor,
       MAX(amount_due_minor) AS largest_minor
FROM read_parquet('{path}')
WHERE (type IS NULL OR type <> 'payable') AND amount_due_minor > 0
  AND status IN ('open', 'partially_paid')
GROUP BY 1, 2
"""


_HELD_CHILD = """
import gc, json, resource, statistics, sys, time
import pyarrow.parquet as pq
from adapters.columnar import read_invoices, write_parquet
from bench.bench_scale import book
n, path, repeat = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
invoices = book(n)
gc.freeze()  # a book held for long, out of the collector's view (bench_scale)
rows = write_parquet(invoices, path)
table = read_invoices(path)
import pyarrow as pa
def by_hand():  # what a user writing pyarrow by hand from the same entities would do
    ids = [i.id for i in invoices]
    pq.write_table(pa.table({
        "id": pa.array(ids, pa.string()),
        "number": pa.array([i.number for i in invoices], pa.string()),
        "partner_id": pa.array([i.partner_id for i in invoices], pa.string()),
        "type": pa.array([i.type for i in invoices], pa.string()),
        "currency": pa.array([i.currency for i in invoices], pa.string()),
        "total_amount_minor": pa.array([i.total_amount.minor_units for i in invoices], pa.int64()),
        "amount_paid_minor": pa.array(
            [None if (m := i.amount_paid) is None else m.minor_units for i in invoices], pa.int64()
        ),
        "amount_due_minor": pa.array([i.amount_due.minor_units for i in invoices], pa.int64()),
        **{
            name: pa.array([getattr(i, name) for i in invoices], pa.timestamp("us", tz="UTC"))
            for name in ("issued_at", "due_date", "paid_at", "voided_at", "marked_uncollectible_at")
        },
        "promised_to_pay_date": pa.array([i.promised_to_pay_date for i in invoices], pa.date32()),
        "in_dispute": pa.array([i.in_dispute for i in invoices], pa.bool_()),
    }), path + ".hand")
samples = {"export": [], "direct": [], "by_hand": []}
contenders = {
    "export": lambda: write_parquet(invoices, path),
    "direct": lambda: pq.write_table(table, path + ".direct"),
    "by_hand": by_hand,
}
for _ in range(repeat):
    for name, fn in contenders.items():
        gc.collect()
        start = time.process_time()
        fn()
        samples[name].append(time.process_time() - start)
def plain(t):  # dictionaries decoded: each file keeps its own per row group
    return [c.cast("string") if str(c.type).startswith("dictionary") else c for c in t.columns]
same = rows == n and plain(read_invoices(path + ".direct")) == plain(read_invoices(path))
same = same and pq.read_metadata(path + ".hand").num_rows == n
figures = {name: statistics.median(times) for name, times in samples.items()}
print(json.dumps(figures | {"same": same}))
"""


def _held(n: int, path: Path, repeat: int = 3) -> dict[str, float]:
    """``write_parquet`` of ``n`` invoices already held against ``pq.write_table`` of the
    same table, CPU seconds (the machine is shared), interleaved medians, in a child."""
    out = subprocess.run(
        [sys.executable, "-c", _HELD_CHILD, str(n), str(path), str(repeat)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures: dict[str, float] = json.loads(out)
    if not figures.pop("same"):
        raise AssertionError(f"export of {n:,} held invoices: not the table written directly")
    return figures


def _export(n: int, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(n), str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures: dict[str, float] = json.loads(out)
    if figures.pop("rows") != n:
        raise AssertionError(f"streamed export of {n:,} invoices: {figures}")
    return figures


def _best(fn: object, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def rows(quick: bool) -> list[Row]:
    """Export µs per invoice and peak RSS; Ibis aging against hand-written DuckDB SQL."""
    import duckdb
    import ibis

    from adapters.columnar.analytics import aging_expr
    from bench.bench_scale import AS_OF

    n = 100_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "invoices.parquet"
        figures = _export(n, path)
        con = ibis.duckdb.connect()
        view = con.read_parquet(str(path))
        sql = _SQL.format(on=AS_OF.isoformat(), path=path)
        raw = duckdb.connect()
        # both materialized (DuckDB's ``.arrow()`` hands back an unread RecordBatchReader),
        # timed in turn, and the same non-empty answer
        answers: dict[str, Any] = {}
        times: dict[str, list[float]] = {"ibis": [], "sql": []}
        contenders = {
            "ibis": lambda: con.to_pyarrow(aging_expr(view, as_of=AS_OF)),
            "sql": lambda: raw.sql(sql).to_arrow_table(),
        }
        for _ in range(5):
            for name, fn in contenders.items():
                start = time.perf_counter()
                answers[name] = fn()
                times[name].append(time.perf_counter() - start)
        by_ibis, by_sql = min(times["ibis"]), min(times["sql"])
        key = lambda r: (r["currency"], r["bucket"])  # noqa: E731
        got, wanted = (sorted(answers[k].to_pylist(), key=key) for k in ("ibis", "sql"))
        if not wanted or got != wanted:
            raise AssertionError(f"aging over {n:,} rows: Ibis {got} against SQL {wanted}")
        held = _held(n, Path(tmp) / "held.parquet")
    lines = [
        row(
            f"Parquet export, {n:,} invoices held (write_parquet, CPU)",
            held["export"] / n * 1e6,
            "µs",
            peer="pyarrow write_table of the same table",
            peer_value=held["direct"] / n * 1e6,
            target=3.0,
        ),
        row(
            f"Parquet export, {n:,} invoices held, against pyarrow by hand from the entities",
            held["export"] / n * 1e6,
            "µs",
            peer="the same 15 attributes read, pa.array each, write_table (no dictionaries, "
            "exponents, status or checks)",
            peer_value=held["by_hand"] / n * 1e6,
        ),
        row(
            f"Parquet export, {n:,} streamed invoices, made and written (CPU)",
            figures["total"] / n * 1e6,
            "µs",
            peer="making them alone",
            peer_value=figures["making"] / n * 1e6,
        ),
        row(
            f"Parquet export, {n:,} streamed invoices, peak RSS",
            figures["peak_mib"],
            "MiB",
            peer="target",
            peer_value=500.0,
            target=1.0,
        ),
        row(
            f"aging by currency, Ibis on DuckDB, {n:,} rows",
            by_ibis * 1e3,
            "ms",
            peer="DuckDB SQL by hand",
            peer_value=by_sql * 1e3,
            target=1.5,
        ),
    ]
    size = _ten_size()
    if not quick and size:
        lines += ten_rows(size)
    return lines


def _ten_size() -> int:
    """Rows of the large aging run (``STUUT_BENCH_AGING_ROWS``, 10M unless set; 0 skips)."""
    return int(os.environ.get("STUUT_BENCH_AGING_ROWS", "10000000"))


_STORE_CHILD = """
import json, resource, sys, time
from adapters.columnar.export import store_to_parquet
from adapters.json_store import JsonStore
root, folder = sys.argv[1], sys.argv[2]
start = time.perf_counter()
written = store_to_parquet(JsonStore(root), folder)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mib": peak, "rows": written["invoices"]}))
"""


_TEN_CHILD = """
import datetime as dt, json, resource, statistics, sys, time
import duckdb, ibis
from adapters.columnar import iter_table
from adapters.columnar.analytics import aging_expr, aging_records
from bench.bench_columnar import _SQL
from bench.bench_scale import AS_OF
from bench.generated_columns import round_trips, write_generated
n, path, repeat = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

start = time.perf_counter()
write_generated(n, path)
figures = {"generate": time.perf_counter() - start, "generate_peak_mib": peak()}
start = time.perf_counter()
figures["checked_rows"] = sum(b.num_rows for b in iter_table("invoices", path))
figures["check"] = time.perf_counter() - start
figures["round_trips"] = round_trips()
con = ibis.duckdb.connect()
view = con.read_parquet(path)
raw = duckdb.connect()
sql = _SQL.format(on=AS_OF.isoformat(), path=path)
compiled = con.compile(aging_expr(view, as_of=AS_OF))
contenders = {
    "records": lambda: aging_records(con, view, as_of=AS_OF),
    "expr": lambda: con.to_pyarrow(aging_expr(view, as_of=AS_OF)),
    "sql": lambda: raw.sql(sql).to_arrow_table(),
    "compiled": lambda: con.con.sql(compiled).to_arrow_table(),
    "compile": lambda: con.compile(aging_expr(view, as_of=AS_OF)),
}
answers = {name: fn() for name, fn in contenders.items()}  # warm: the file in the page cache
samples = {name: [] for name in contenders}
for _ in range(repeat):
    for name, fn in contenders.items():
        start = time.perf_counter()
        answers[name] = fn()
        samples[name].append(time.perf_counter() - start)
key = lambda r: (r["currency"], r["bucket"])
rows = {name: sorted(answers[name].to_pylist(), key=key) for name in ("expr", "sql", "compiled")}
records = answers["records"]
by_sql = {}
for r in rows["sql"]:
    by_sql[r["currency"]] = by_sql.get(r["currency"], 0) + r["invoices"]
figures["same"] = (
    bool(rows["sql"])
    and rows["expr"] == rows["sql"] == rows["compiled"]
    and {r["currency"]: r["invoices"] for r in records} == by_sql
)
figures["open_invoices"] = sum(by_sql.values())
figures["groups"] = len(rows["sql"])
for name, times in samples.items():
    figures[name] = statistics.median(times)
    figures[name + "_min"] = min(times)
figures["peak_mib"] = peak()
print(json.dumps(figures))
"""


def ten_rows(n: int, repeat: int = 5) -> list[Row]:
    """Aging by currency over a generated Parquet file of ``n`` invoices (10M by default):
    the library (``aging_records``, and ``aging_expr`` run with ``to_pyarrow``) against the
    same query by hand in DuckDB SQL, medians of ``repeat`` interleaved runs, in a child
    process whose peak RSS is read. Refuses to report when the answers differ or are empty.
    """
    with tempfile.TemporaryDirectory() as tmp:
        figures = json.loads(
            subprocess.run(
                [sys.executable, "-c", _TEN_CHILD, str(n), f"{tmp}/invoices.parquet", str(repeat)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
    if not (figures["same"] and figures["round_trips"] and figures["checked_rows"] == n):
        raise AssertionError(f"aging over {n:,} generated rows: no real answer: {figures}")
    what = f"{n:,} generated rows ({figures['open_invoices']:,} open, {figures['groups']} groups)"
    by_hand = figures["sql"] * 1e3
    return [
        row(
            f"aging by currency, aging_records (Ibis on DuckDB), {what}",
            figures["records"] * 1e3,
            "ms",
            peer="DuckDB SQL by hand",
            peer_value=by_hand,
            target=1.5,
        ),
        row(
            f"aging by currency, aging_expr + to_pyarrow, {n:,} rows",
            figures["expr"] * 1e3,
            "ms",
            peer="DuckDB SQL by hand",
            peer_value=by_hand,
            target=1.5,
        ),
        row(
            f"aging by currency, aging_records wall, {n:,} rows",
            figures["records"],
            "s",
            peer="target",
            peer_value=5.0,
            target=1.0,
        ),
        row(
            f"aging_expr's SQL as Ibis compiles it, run on DuckDB directly, {n:,} rows",
            figures["compiled"] * 1e3,
            "ms",
            peer="DuckDB SQL by hand",
            peer_value=by_hand,
        ),
        row("aging_expr built and compiled by Ibis (no execution)", figures["compile"] * 1e3, "ms"),
        row(
            f"generate {n:,} rows to Parquet on columns (no entities), peak RSS",
            figures["generate_peak_mib"],
            "MiB",
        ),
        row(f"generate {n:,} rows to Parquet on columns", figures["generate"], "s"),
        row(f"iter_table over the {n:,} rows (every batch checked)", figures["check"], "s"),
        row(f"aging over {n:,} rows, peak RSS of the whole run", figures["peak_mib"], "MiB"),
    ]


def _store_of(n: int, root: Path) -> None:
    """A JSON store of ``n`` generated invoices, written file by file (the book never held)."""
    from adapters.stuut_json import encode_invoice
    from bench.bench_scale import generated

    folder = root / "invoices"
    folder.mkdir(parents=True)
    for invoice in generated(n):
        (folder / f"{invoice.id}.json").write_bytes(encode_invoice(invoice))


def store_rows(sizes: tuple[int, ...]) -> list[Row]:
    """JSON store to Parquet (``store_to_parquet``), streamed: µs per invoice, peak RSS."""
    out = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            _store_of(n, Path(tmp) / "store")
            figures = json.loads(
                subprocess.run(
                    [sys.executable, "-c", _STORE_CHILD, f"{tmp}/store", f"{tmp}/parquet"],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
        out.append(
            row(
                f"JSON store to Parquet, {n:,} invoices, peak RSS",
                figures["peak_mib"],
                "MiB",
                peer="target",
                peer_value=500.0,
                target=1.0,
            )
        )
        out.append(
            row(f"JSON store to Parquet, {n:,} invoices", figures["seconds"] / n * 1e6, "µs")
        )
    return out


def _pages(n: int, per_page: int = 100) -> list[bytes]:
    from adapters.stuut_json import encode_invoice
    from bench.bench_scale import generated

    pages, page = [], []
    for invoice in generated(n):
        page.append(encode_invoice(invoice))
        if len(page) == per_page:
            pages.append(b"[" + b",".join(page) + b"]")
            page = []
    if page:
        pages.append(b"[" + b",".join(page) + b"]")
    return pages


def wire_rows(quick: bool) -> list[Row]:
    """Wire JSON pages to Arrow without entities, against decoding them to entities, in
    one run (CPU seconds, best of five, interleaved: the machine is shared)."""
    from adapters.columnar import invoice_batches
    from adapters.columnar.wire import wire_invoice_batches
    from adapters.stuut_json import decode_invoices

    n = 20_000 if quick else 100_000
    pages = _pages(n)
    best: dict[str, float] = {}

    def cpu(name: str, fn: Any) -> Any:
        start = time.process_time()
        out = fn()
        best[name] = min(best.get(name, float("inf")), (time.process_time() - start) / n * 1e6)
        return out

    for _ in range(5):
        entities = cpu("decode", lambda: [i for p in pages for i in decode_invoices(p)])
        cpu("to_arrow", lambda: list(invoice_batches(entities)))  # noqa: B023
        cpu("direct", lambda: list(wire_invoice_batches(pages)))
    both = best["decode"] + best["to_arrow"]
    return [
        row(
            f"wire JSON to Arrow, no entities, {n:,} invoices (CPU)",
            best["direct"],
            "µs",
            peer="decode to entities",
            peer_value=best["decode"],
            target=1 / 3,
            target_text="<= 1/3",
        ),
        row(
            f"wire JSON to Arrow, no entities, {n:,} invoices (CPU)",
            best["direct"],
            "µs",
            peer="decode to entities, then to Arrow",
            peer_value=both,
            target=1 / 3,
            target_text="<= 1/3",
        ),
    ]


_WIRE_CHILD = """
import json, resource, sys, time
from adapters.columnar.wire import wire_to_parquet
from adapters.stuut_json import encode_invoice
from bench.bench_scale import generated
n, path = int(sys.argv[1]), sys.argv[2]

def pages():
    page = []
    for invoice in generated(n):
        page.append(encode_invoice(invoice))
        if len(page) == 100:
            yield b"[" + b",".join(page) + b"]"
            page = []
    if page:
        yield b"[" + b",".join(page) + b"]"

start = time.perf_counter()
rows = wire_to_parquet(pages(), path)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mib": peak, "rows": rows}))
"""


def wire_rss_rows(n: int) -> list[Row]:
    """Pages of wire JSON made one at a time to Parquet (``wire_to_parquet``): peak RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        figures = json.loads(
            subprocess.run(
                [sys.executable, "-c", _WIRE_CHILD, str(n), f"{tmp}/w.parquet"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
    return [
        row(
            f"wire JSON pages to Parquet, {n:,} invoices, peak RSS",
            figures["peak_mib"],
            "MiB",
            peer="target",
            peer_value=500.0,
            target=1.0,
        )
    ]


def _evaluation_inputs(n: int) -> dict[str, Any]:
    """``n`` generated invoices on 1,000 partners, an every-day workflow, the sample instant."""
    import datetime as dt

    from bench.bench_scale import generated
    from stuut_domain.partner import Partner
    from stuut_domain.workflow import Workflow

    partners = {
        f"par_{k:04d}": Partner(
            id=f"par_{k:04d}", object="partner", email=f"ap{k}@example.com", is_active=True
        )
        for k in range(1000)
    }
    workflow = Workflow(
        id="wfl_bench",
        object="workflow",
        is_active=True,
        active_days=(0, 1, 2, 3, 4, 5, 6),
        outreach_window_start="00:00",
        outreach_window_end="23:45",
        timezone="UTC",
    )
    at = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
    return {"invoices": list(generated(n)), "partners": partners, "workflow": workflow, "at": at}


def evaluate_rows(n: int) -> list[Row]:
    """evaluate_batch µs per invoice against the Python path on entities; then on Dask."""
    import pyarrow as pa

    from adapters.columnar import invoice_batches
    from adapters.columnar.rules import evaluate_batch, evaluate_frame
    from stuut_domain.invoice import status_of
    from stuut_domain.lifecycle import days_past_due
    from stuut_domain.outreach import OutreachContext

    given = _evaluation_inputs(n)
    invoices = given.pop("invoices")
    batches = list(invoice_batches(invoices))
    answers: list[pa.RecordBatch] = []

    def columnar() -> None:
        answers[:] = [evaluate_batch(b, **given) for b in batches]

    def python() -> None:
        contexts: dict[str, OutreachContext] = {}
        for invoice in invoices:
            status_of(invoice)
            days_past_due(invoice, given["at"])
            pid = str(invoice.partner_id)
            context = contexts.get(pid)
            if context is None:
                context = OutreachContext(
                    partner=given["partners"][pid], workflow=given["workflow"], channel="email"
                )
                contexts[pid] = context
            context.decide(invoice, at=given["at"])

    by_batch = _best(columnar, repeat=2)
    by_python = _best(python, repeat=2)
    eligible = sum(b.column("eligible").to_pylist().count(True) for b in answers)
    lines = [
        row(
            f"evaluate_batch, {n:,} invoices ({eligible:,} eligible)",
            by_batch / n * 1e6,
            "µs",
            peer="Python path on entities",
            peer_value=by_python / n * 1e6,
        )
    ]
    import dask.dataframe as dd
    import distributed

    frame = pa.Table.from_batches(batches).to_pandas()
    meta = evaluate_frame(frame.iloc[:0], **given)
    with (
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            scheduler_port=0,
            dashboard_address="127.0.0.1:0",
            worker_dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster),
    ):
        parts = dd.from_pandas(frame, npartitions=8, sort=False)
        lazy = parts.map_partitions(evaluate_frame, meta=meta, **given)
        result: list[Any] = []
        with warnings.catch_warnings():
            # Dask warns that the partitions travel inside the graph: here they are meant to.
            warnings.simplefilter("ignore", UserWarning)
            by_dask = _best(lambda: result.append(lazy.compute()), repeat=2)
    lines.append(
        row(
            f"evaluate_frame, Dask, 2 workers, {n:,} invoices ({len(result[-1]):,} rows)",
            by_dask / n * 1e6,
            "µs",
            peer="evaluate_batch in one process",
            peer_value=by_batch / n * 1e6,
        )
    )
    return lines


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    lines = wire_rows(quick) if "--wire" in sys.argv else []
    if "--wire-rss" in sys.argv:
        lines += wire_rss_rows(100_000 if quick else 1_000_000)
    if "--evaluate" in sys.argv:
        lines += evaluate_rows(100_000 if quick else 1_000_000)
    if "--ten" in sys.argv:
        lines += ten_rows(1_000_000 if quick else _ten_size())
    if "--store" in sys.argv:
        lines += store_rows((100_000,) if quick else (100_000, 1_000_000))
    for line in lines or rows(quick=quick):
        ratio = line["ratio"]
        shown = "" if ratio is None else f"  ratio {ratio:.2f} (target {line['target']})"
        print(f"{line['figure']:55} {line['value']:9.2f} {line['unit']}{shown}", flush=True)
