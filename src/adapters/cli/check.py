"""``stuut-domain check``: validate Stuut invoice, partner, payment and workflow JSON.

Reads files, directories of ``.json`` files or stdin; each document is decoded and checked
against its invariants. Exit 1 when any document is undecodable or breaks an invariant.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from adapters import stuut_json
from adapters.cli._kinds import KIND_TABLE, KINDS, Kind, detect
from adapters.cli._output import EXIT_CLEAN, EXIT_FINDINGS, Outcome, Progress, UnusableInput
from stuut_domain.errors import under_path

__all__ = ["run"]


def _sources(paths: Sequence[str]) -> Iterator[tuple[str, bytes]]:
    for text in paths:
        if text == "-":
            yield "<stdin>", sys.stdin.buffer.read()
            continue
        path = pathlib.Path(text)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*.json") if p.is_file())
            if not files:
                raise UnusableInput(f"{text}: no .json files in this directory")
            for file in files:
                yield str(file), _read_bytes(file)
        else:
            yield text, _read_bytes(path)


def _read_bytes(path: pathlib.Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UnusableInput(f"{path}: {exc.strerror or exc}") from None


def _items(document: Any) -> list[tuple[str, Any]]:
    """The entities of a document with their JSON path: one, a list, or a list envelope."""
    if isinstance(document, dict) and isinstance(document.get("data"), list):
        return [(f"data[{i}]", item) for i, item in enumerate(document["data"])]
    if isinstance(document, list):
        return [(f"[{i}]", item) for i, item in enumerate(document)]
    if isinstance(document, dict):
        return [("", document)]
    return []


def _undecidable(name: str, path: str) -> dict[str, object]:
    return {
        "file": name,
        "code": "undecodable",
        "path": path or "$",
        "message": (
            "cannot tell whether this is an invoice, partner, payment or workflow from its "
            "keys; pass --kind"
        ),
        "values": {},
    }


def _findings(kind: Kind, name: str, prefix: str, item: Any) -> list[dict[str, object]]:
    """Every problem of one document: decoding problems, else invariant violations."""
    try:
        entity = kind.decode(item)
    except stuut_json.DecodeError as exc:
        return [
            {
                "file": name,
                "code": "undecodable",
                "path": under_path(prefix, p.path),
                "message": p.message,
                "values": {} if p.value is None else {"found": repr(p.value)},
            }
            for p in exc.problems
        ]
    return [
        {"file": name, **v.as_record(), "path": under_path(prefix, v.path)}
        for v in kind.check(entity)
    ]


def _check_summary(counts: dict[str, int], files: int, findings: int, flawed: int) -> str:
    """``400 invoice(s), 40 partner(s) in 440 file(s): all clean`` (kinds seen, in order)."""
    labels = {**{kind: f"{kind}(s)" for kind in KINDS}, "undecided": "undecided document(s)"}
    kinds = [kind for kind, n in counts.items() if n]
    seen = [f"{counts[kind]} {labels[kind]}" for kind in kinds]
    noun = labels[kinds[0]] if len(kinds) == 1 else "document(s)"
    return f"{', '.join(seen) or '0 document(s)'} in {files} file(s): " + (
        f"{findings} finding(s) in {flawed} {noun}" if findings else "all clean"
    )


def run(args: argparse.Namespace) -> Outcome:
    """Check every document in ``args.paths``: exit 1 with one finding per line, else 0."""
    wanted: str = getattr(args, "kind", "auto")
    findings: list[dict[str, object]] = []
    counts = dict.fromkeys((*KINDS, "undecided"), 0)
    files = flawed = 0
    progress = Progress("checking files")
    for name, data in _sources(args.paths):
        files += 1
        progress.step(files)
        try:
            document = json.loads(data, parse_float=Decimal)
        except (ValueError, RecursionError) as exc:
            raise UnusableInput(f"{name}: not JSON ({exc})") from None
        items = _items(document)
        if not items:
            raise UnusableInput(
                f"{name}: expected a {'document' if wanted == 'auto' else wanted} object, "
                "a list of them or a list envelope"
            )
        for prefix, item in items:
            kind = detect(item) if wanted == "auto" else wanted
            if kind is None:
                counts["undecided"] += 1
                found = [_undecidable(name, prefix)]
            else:
                counts[kind] += 1
                found = _findings(KIND_TABLE[kind], name, prefix, item)
            flawed += bool(found)
            findings.extend(found)
    progress.done()
    lines = [f"{f['file']}: {f['path']}: [{f['code']}] {f['message']}" for f in findings]
    summary = _check_summary(counts, files, len(findings), flawed)
    return Outcome(
        exit_code=EXIT_FINDINGS if findings else EXIT_CLEAN,
        text="\n".join([*lines, summary]),
        data={
            "files": files,
            **{KIND_TABLE[k].plural if k in KIND_TABLE else k: n for k, n in counts.items()},
            "findings": findings,
        },
    )
