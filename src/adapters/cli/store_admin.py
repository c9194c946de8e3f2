"""``stuut-domain store copy SRC DST`` and ``store migrate URL``: move and upgrade stores.

A store is named by a directory (the JSON store) or a database URL (``sqlite:///book.db``,
``postgresql://...``). ``copy`` streams every kind (invoices, partners, payments, workflows,
the cash and owed kinds) from SRC into DST, in either direction; DST is created if it does not
exist, and ids it already holds are left as they are (counted). The copy is complete with a
report (ADR 0071): every readable, acceptable record is copied; each record SRC cannot read and
each entity DST refuses is named (kind, file or id, reason) and the exit code is 1. A memory
database (``sqlite://``) is refused as DST: it would vanish when the command ends. ``migrate``
brings a SQL store made by an older version of this library up to the schema this version
expects.
"""

from __future__ import annotations

import argparse
from typing import Any

from adapters.cli._output import EXIT_CLEAN, EXIT_FINDINGS, Outcome, UnusableInput
from adapters.cli._store import open_named_store
from adapters.errors import UnsupportedStoreUrl

__all__ = ["run_copy", "run_migrate"]


def run_copy(args: argparse.Namespace) -> Outcome:
    """Copy the store ``args.source`` into ``args.target`` (created when missing)."""
    from adapters.sql.copy import copy_store  # noqa: PLC0415 - an optional extra
    from adapters.sql.store import is_memory_url  # noqa: PLC0415 - an optional extra

    if isinstance(args.target, str) and _is_memory_target(args.target, is_memory_url):
        raise UnusableInput(
            f"cannot copy into {args.target}: an in-memory database vanishes when the command "
            "ends; name a file (sqlite:///book.db), a PostgreSQL URL or a directory"
        )
    source = open_named_store(args.source)
    try:
        target = open_named_store(args.target, create=True)
    except BaseException:
        _close(source)
        raise
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
    if report.skipped:
        lines.append(f"\nNot copied, {len(report.skipped)} record(s) (the rest was copied):")
        lines.extend(f"  {s.kind} {s.where} ({s.cause}): {s.reason}" for s in report.skipped)
    data = {"source": str(args.source), "target": str(args.target), **_report(report)}
    code = EXIT_CLEAN if report.complete else EXIT_FINDINGS
    return Outcome(exit_code=code, text="\n".join(lines), data=data)


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


def _is_memory_target(url: str, is_memory_url: Any) -> bool:
    try:
        return bool(is_memory_url(url))
    except UnsupportedStoreUrl as exc:
        raise UnusableInput(str(exc)) from None


def _report(report: Any) -> dict[str, Any]:
    return {
        "copied": dict(report.copied),
        "already_there": dict(report.already_there),
        "skipped": [s.as_dict() for s in report.skipped],
    }


def _close(store: object) -> None:
    close = getattr(store, "close", None)
    if close is not None:
        close()
