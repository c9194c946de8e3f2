"""Run every ``bench/bench_*.py`` module and write the results as markdown.

Usage: ``python -m bench.run [--quick] [--output docs/benchmarks.md] [--only codec]``.
The table is printed and, with ``--output``, written with the machine and versions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import importlib.metadata
import os
import pkgutil
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import bench

_PACKAGES = (
    "stuut-domain",
    "msgspec",
    "pydantic",
    "pydantic-core",
    "cattrs",
    "attrs",
    "py-moneyed",
)


def discover() -> list[str]:
    """Names of the benchmark modules, ``bench.bench_*``, sorted."""
    return sorted(
        f"bench.{m.name}"
        for m in pkgutil.iter_modules(bench.__path__)
        if m.name.startswith("bench_")
    )


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _load() -> str:
    try:
        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def machine() -> list[str]:
    """Lines describing the machine and the versions measured."""
    versions = []
    for name in _PACKAGES:
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return [
        f"- Date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {_cpu()}, {os.cpu_count()} logical CPUs, {platform.system()} "
        f"{platform.release()}",
        f"- Python: {platform.python_implementation()} {platform.python_version()}",
        f"- Load average at start (other work on the machine): {_load()}",
        f"- Versions: {', '.join(versions)}",
    ]


def _number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value >= 1000:
            return f"{value:,.0f}"
        if value >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    return str(value)


def table(rows: Sequence[dict[str, object]]) -> list[str]:
    """The markdown table of ``rows``."""
    lines = [
        "| figure | value | unit | peer | peer value | ratio | target | met |",
        "|---|---:|---|---|---:|---:|---|---|",
    ]
    for r in rows:
        ok = r.get("ok")
        met = "" if ok is None else ("yes" if ok else "**no**")
        ratio = r.get("ratio")
        lines.append(
            f"| {r['figure']} | {_number(r['value'])} | {r['unit']} | {r.get('peer') or ''} "
            f"| {_number(r.get('peer_value'))} | {'' if ratio is None else f'{ratio:.2f}'} "
            f"| {r.get('target') or ''} | {met} |"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks; exit 0 (targets missed are reported in the table, not as failures)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short run (fewer repeats)")
    parser.add_argument("--output", type=Path, help="write the markdown report here")
    parser.add_argument("--only", action="append", default=[], help="run bench_<ONLY> only")
    args = parser.parse_args(argv)

    modules = discover()
    if args.only:
        modules = [m for m in modules if m.removeprefix("bench.bench_") in args.only]
    command = "python -m bench.run" + (" --quick" if args.quick else "")
    report = [
        "# Benchmarks",
        "",
        f"Written by `{command}` (`make bench`). Times are medians of several interleaved "
        "runs, per call; ratios compare with the peer measured in the same run (lower is "
        "better). Targets are those of the performance issue.",
        "",
        *machine(),
    ]
    started = time.perf_counter()
    for name in modules:
        module = importlib.import_module(name)
        print(f"running {name} ...", file=sys.stderr, flush=True)
        begun = time.perf_counter()
        rows = module.rows(args.quick)
        took = time.perf_counter() - begun
        doc = (module.__doc__ or "").strip()
        report += ["", f"## {name.removeprefix('bench.bench_')}", ""]
        if doc:
            report += [doc, ""]
        report += table(rows)
        report += ["", f"({took:.0f} s)"]
    report += ["", f"Total run time: {time.perf_counter() - started:.0f} s."]
    text = "\n".join(report) + "\n"
    print(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
