"""``stuut-domain store copy SRC DST`` and ``store migrate URL``: move and upgrade stores.

A store is named by a directory (the JSON store) or a database URL (``sqlite:///book.db``,
``postgresql://...``). ``copy`` streams every invoice, partner, payment and workflow from
SRC into DST, in either direction; DST is created if it does not exist, and ids it already
holds are left as they are (counted). ``migrate`` brings a SQL store made by an older
version of this library up to the schema this version expects.
"""

from __future__ import annotations

import argparse
from typing import Any

from adapters.cli._output import EXIT_CLEAN, Outcome, UnusableInput
from adapters.cli._store import open_named_store

__all__ = ["run_copy", "run_migrate"]


def run_copy(args: argparse.Namespace) -> Outcome:
    """Copy the store ``args.source`` into ``args.target`` (created when missing)."""
    from adapters.sql.copy import copy_store  # noqa: PLC0415 - an optional extra

    source = open_named_store(args.source)
    target = open_named_store(args.target, create=True)
    try:
        report = copy_store(source, target)
    finally:
        for store in (source, target):
            _close(store)
    total = sum(report.copied.values())
    lines = [f"Copied {total} entities from {args.source} to {args.target}:"]
    for kind, count in report.copied.items():
        kept = report.already_there[kind]
        note = f" ({kept} already there, left unchanged)" if kept else ""
        lines.append(f"  {kind}: {count}{note}")
    data = {"source": str(args.source), "target": str(args.target), **_report(report)}
    return Outcome(exit_code=EXIT_CLEAN, text="\n".join(lines), data=data)


def run_migrate(args: argparse.Namespace) -> Outcome:
    """Upgrade the SQL store at ``args.url`` to this library's schema revision."""
    if not isinstance(args.url, str):
        raise UnusableInput(f"store migrate takes a database URL, not a directory: {args.url}")
    store = open_named_store(args.url, migrate=True)
    revision = store.schema_revision()
    _close(store)
    return Outcome(
        exit_code=EXIT_CLEAN,
        text=f"{args.url} is at schema revision {revision}",
        data={"url": args.url, "revision": revision},
    )


def _report(report: Any) -> dict[str, Any]:
    return {"copied": dict(report.copied), "already_there": dict(report.already_there)}


def _close(store: object) -> None:
    close = getattr(store, "close", None)
    if close is not None:
        close()
