"""``stuut-domain check``: validate Stuut JSON of every kind the codec reads (invoices,
partners, payments, workflows, bank transactions, remittances, credit notes, customer
credit, disputes and promises).

Reads files, directories of ``.json`` files or stdin; each document is decoded and checked
against its invariants. Exit 1 when any document is undecodable, is not of the kind it is
read as (``kind_mismatch``), is refused by one of its entity's construction rules (the
rule's own code, at the field path it names: ``note_line_form`` at ``lines[0].amount``) or
breaks an invariant, or any file is unreadable (each such file one finding, the others
still checked). The owed rules that need invoices run when the input holds the invoices
(ADR 0072): an invoice beside its credit notes is read net of them.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, Final

import attrs

from adapters import stuut_json
from adapters.cli._kinds import KIND_TABLE, KINDS, Kind, detect, mismatch
from adapters.cli._output import EXIT_CLEAN, EXIT_FINDINGS, Outcome, Progress, UnusableInput
from stuut_domain.errors import OwedRefused, Violation, under_path
from stuut_domain.owed.checks import check_credited_invoice, violation_of
from stuut_domain.owed.dispute import check_dispute, check_disputes
from stuut_domain.owed.promise import check_promise

__all__ = ["run"]


@attrs.frozen(kw_only=True, weakref_slot=False)
class _Source:
    """One input: its name and its bytes, or why it could not be read."""

    name: str
    data: bytes | None = None
    error: str | None = None


def _sources(paths: Sequence[str]) -> Iterator[_Source]:
    """Each input file: ``-`` (stdin), a file, or every ``.json`` file under a directory.

    A path that does not exist, or a directory without any ``.json`` file, is unusable
    input (a typo, exit 2); a file that exists but cannot be read is yielded with its error.
    """
    for text in paths:
        if text == "-":
            yield _Source(name="<stdin>", data=sys.stdin.buffer.read())
            continue
        path = pathlib.Path(text)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*.json") if p.is_symlink() or not p.is_dir())
            if not files:
                raise UnusableInput(f"{text}: no .json files in this directory")
            for file in files:
                yield _read(file, str(file))
        elif not path.exists() and not path.is_symlink():
            raise UnusableInput(f"{text}: no such file or directory")
        else:
            yield _read(path, text)


def _read(path: pathlib.Path, name: str) -> _Source:
    try:
        return _Source(name=name, data=path.read_bytes())
    except OSError as exc:
        return _Source(name=name, error=exc.strerror or str(exc))


def _unreadable(name: str, message: str) -> dict[str, object]:
    return {"file": name, "code": "unreadable", "path": "$", "message": message, "values": {}}


def _items(document: Any) -> list[tuple[str, Any]]:
    """The entities of a document with their JSON path: one, a list, or a list envelope."""
    if isinstance(document, dict) and isinstance(document.get("data"), list):
        return [(f"data[{i}]", item) for i, item in enumerate(document["data"])]
    if isinstance(document, list):
        return [(f"[{i}]", item) for i, item in enumerate(document)]
    if isinstance(document, dict):
        return [("", document)]
    return []


#: "an invoice, a partner, ... or a promise", for the message of an undecided document.
_KIND_WORDS = (
    ", ".join(f"{'an' if k[0] in 'aeiou' else 'a'} {k.replace('_', ' ')}" for k in KINDS[:-1])
    + f" or a {KINDS[-1].replace('_', ' ')}"
)


def _undecidable(name: str, path: str) -> dict[str, object]:
    return {
        "file": name,
        "code": "undecodable",
        "path": path or "$",
        "message": (f"cannot tell whether this is {_KIND_WORDS} from its keys; pass --kind"),
        "values": {},
    }


def _findings(kind: Kind, name: str, prefix: str, item: Any) -> list[dict[str, object]]:
    """Every problem of one document: not of its kind, else decoding problems, else
    invariant violations."""
    return _checked(kind, name, prefix, item)[0]


def _checked(kind: Kind, name: str, prefix: str, item: Any) -> tuple[list[dict[str, object]], Any]:
    """:func:`_findings` and the decoded entity (``None`` when it could not be decoded)."""
    wrong = mismatch(kind, item) if isinstance(item, dict) else None
    if wrong is not None:
        return [
            {
                "file": name,
                "code": "kind_mismatch",
                "path": prefix or "$",
                "message": wrong,
                "values": {"kind": kind.name, "object": item.get("object")},
            }
        ], None
    try:
        entity = kind.decode(item)
    except stuut_json.DecodeError as exc:
        return [_decode_finding(name, prefix, p) for p in exc.problems], None
    return _records(name, prefix, kind.check(entity)), entity


def _records(name: str, prefix: str, found: Iterable[Violation]) -> list[dict[str, object]]:
    return [{"file": name, **v.as_record(), "path": under_path(prefix, v.path)} for v in found]


@attrs.define(weakref_slot=False)
class _Document:
    """One decoded document kept for the rules across documents: where it is, its findings."""

    name: str
    prefix: str
    entity: Any
    found: list[dict[str, object]]

    def add(self, records: Iterable[dict[str, object]]) -> None:
        """Append the records not already found (same code at the same path)."""
        seen = {(f["code"], f["path"]) for f in self.found}
        for record in records:
            if (record["code"], record["path"]) not in seen:
                seen.add((record["code"], record["path"]))
                self.found.append(record)


def _across(documents: Sequence[tuple[str, _Document]]) -> None:
    """The owed rules that need invoices, run where the input holds those invoices.

    An invoice with credit notes in the input is checked by
    :func:`~stuut_domain.owed.checks.check_credited_invoice` instead of ``check_invoice``
    (its ``amount_due`` is then read net of credit, and the notes' rules against it run,
    reported on each note); a dispute or promise whose every invoice is in the input is
    checked by :func:`~stuut_domain.owed.dispute.check_dispute` or
    :func:`~stuut_domain.owed.promise.check_promise` (their first fault), and the disputes
    that pass alone are checked together (``disputes_exceed_invoice``). Owed documents
    whose invoices are elsewhere keep only the rules that need none.
    """
    invoices: dict[str, _Document] = {}
    for kind, doc in documents:
        if kind == "invoice" and doc.entity.id is not None:
            invoices.setdefault(doc.entity.id, doc)
    if not invoices:
        return
    notes: dict[str, list[_Document]] = {}
    sound: list[_Document] = []  # disputes that pass alone, for the rule they keep together
    for kind, doc in documents:
        if kind == "credit_note" and doc.entity.invoice_id in invoices:
            notes.setdefault(doc.entity.invoice_id, []).append(doc)
        elif kind in ("dispute", "promise"):
            ids = [
                line.invoice_id
                for line in (doc.entity.lines if kind == "dispute" else doc.entity.invoices)
            ]
            if ids and all(i in invoices for i in ids):
                given = [invoices[i].entity for i in dict.fromkeys(ids)]
                rule = check_dispute if kind == "dispute" else check_promise
                try:
                    rule(doc.entity, given)
                except OwedRefused as error:
                    doc.add(_records(doc.name, doc.prefix, [violation_of(error)]))
                else:
                    if kind == "dispute":
                        sound.append(doc)
    _disputes_together(sound, invoices)
    for invoice_id, own in notes.items():
        target = invoices[invoice_id]
        found = check_credited_invoice(target.entity, [d.entity for d in own])
        on_invoice = [v for v in found if not v.path.startswith("credit_notes[")]
        target.found[:] = [f for f in target.found if f["code"] == "kind_mismatch"]
        target.found.extend(_records(target.name, target.prefix, on_invoice))
        for index, doc in enumerate(own):
            mark = f"credit_notes[{index}]"
            mine = [
                attrs.evolve(v, path=v.path.removeprefix(mark).removeprefix("."))
                for v in found
                if v.path == mark or v.path.startswith((f"{mark}.", f"{mark}["))
            ]
            doc.add(_records(doc.name, doc.prefix, mine))


def _disputes_together(disputes: list[_Document], invoices: dict[str, _Document]) -> None:
    """``disputes_exceed_invoice`` on each dispute whose open lines, added to the ones before
    it in the input, pass what an invoice owes (:func:`check_disputes`, run again without
    the dispute it refused, so every such dispute is reported)."""
    kept: list[_Document] = []
    for doc in disputes:
        given = [invoices[line.invoice_id].entity for d in (*kept, doc) for line in d.entity.lines]
        try:
            check_disputes([d.entity for d in (*kept, doc)], given)
        except OwedRefused as error:
            doc.add(_records(doc.name, doc.prefix, [violation_of(error)]))
        else:
            kept.append(doc)


def _decode_finding(name: str, prefix: str, problem: stuut_json.Problem) -> dict[str, object]:
    """One decoding problem: a construction rule's refusal under its own code and field
    path, anything else ``undecodable`` at its path."""
    if problem.code is None:
        return {
            "file": name,
            "code": "undecodable",
            "path": under_path(prefix, problem.path),
            "message": problem.message,
            "values": {} if problem.value is None else {"found": repr(problem.value)},
        }
    refused = Violation(
        code=problem.code,
        path=under_path(prefix, problem.rule_path),
        message=problem.message.removeprefix(f"[{problem.code}] {problem.field}: "),
        values=dict(problem.values),
    )
    return {"file": name, **refused.as_record()}


def _check_summary(
    counts: dict[str, int], files: int, findings: int, flawed: int, unreadable: int
) -> str:
    """``400 invoice(s), 40 partner(s) in 440 file(s): all clean`` (kinds seen, in order);
    unreadable files are counted after the documents."""
    labels = {**{kind: f"{kind}(s)" for kind in KINDS}, "undecided": "undecided document(s)"}
    kinds = [kind for kind, n in counts.items() if n]
    seen = [f"{counts[kind]} {labels[kind]}" for kind in kinds]
    noun = labels[kinds[0]] if len(kinds) == 1 else "document(s)"
    where = f"{', '.join(seen) or '0 document(s)'} in {files} file(s)"
    if unreadable:
        where += f" ({unreadable} unreadable)"
    if not findings:
        return f"{where}: all clean"
    in_documents = f" in {flawed} {noun}" if flawed else ""
    return f"{where}: {findings} finding(s){in_documents}"


def _parse(source: _Source, wanted: str) -> tuple[list[tuple[str, Any]], str | None]:
    """The documents of one input with their JSON path, or why there are none."""
    if source.data is None:
        return [], f"cannot read the file ({source.error})"
    try:
        document = json.loads(source.data, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:
        return [], f"not JSON ({exc})"
    items = _items(document)
    if not items:
        return [], (
            f"expected a {'document' if wanted == 'auto' else wanted} object, "
            "a list of them or a list envelope"
        )
    return items, None


#: The kinds whose decoded documents the rules across documents read.
_ACROSS_KINDS: Final = frozenset({"invoice", "credit_note", "dispute", "promise"})


def run(args: argparse.Namespace) -> Outcome:
    """Check every document in ``args.paths``: exit 1 with one finding per line, else 0.

    A file that cannot be read, is not JSON or holds no document is a finding (code
    ``unreadable``) and the other files are still checked; only when no input holds any
    document at all is the input unusable (exit 2, naming the first problem).
    """
    wanted: str = getattr(args, "kind", "auto")
    per_document: list[list[dict[str, object]]] = []
    counts = dict.fromkeys((*KINDS, "undecided"), 0)
    files = unreadable = 0
    documents: list[tuple[str, _Document]] = []
    progress = Progress("checking files")
    for source in _sources(args.paths):
        files += 1
        progress.step(files)
        items, problem = _parse(source, wanted)
        if problem is not None:
            unreadable += 1
            per_document.append([_unreadable(source.name, problem)])
            continue
        for prefix, item in items:
            kind = detect(item) if wanted == "auto" else wanted
            if kind is None:
                counts["undecided"] += 1
                found = [_undecidable(source.name, prefix)]
            else:
                counts[kind] += 1
                found, entity = _checked(KIND_TABLE[kind], source.name, prefix, item)
                if entity is not None and kind in _ACROSS_KINDS:
                    documents.append((kind, _Document(source.name, prefix, entity, found)))
            per_document.append(found)
    progress.done()
    _across(documents)
    flawed = sum(bool(found) for found in per_document) - unreadable
    findings = [f for found in per_document for f in found]
    if unreadable == files:
        first = findings[0]
        more = f" (and {files - 1} more unreadable file(s))" if files > 1 else ""
        raise UnusableInput(f"{first['file']}: {first['message']}{more}")
    lines = [f"{f['file']}: {f['path']}: [{f['code']}] {f['message']}" for f in findings]
    summary = _check_summary(counts, files, len(findings), flawed, unreadable)
    return Outcome(
        exit_code=EXIT_FINDINGS if findings else EXIT_CLEAN,
        text="\n".join([*lines, summary]),
        data={
            "files": files,
            **{KIND_TABLE[k].plural if k in KIND_TABLE else k: n for k, n in counts.items()},
            "unreadable": unreadable,
            "findings": findings,
        },
    )
