"""The ``stuut-domain`` command: check Stuut JSON, age, decide and simulate outreach, serve, demo.

A thin adapter over the core and the composition root of the other adapters (ADR 0002):
every command is a small function from its parsed arguments to an :class:`Outcome` (an exit
code, text for people, data for ``--json``); :func:`main` parses, runs one command, prints
the outcome and turns every expected failure into one line on stderr.

Exit codes: ``0`` clean; ``1`` findings (invariant violations or undecodable documents for
``check``; store files that could not be read and were skipped, for the store commands);
``2`` unusable input (a missing path, a file that is not JSON, a bad date or option, a store
without a workflow), with one line on stderr and never a traceback. Progress on long runs is
drawn on stderr, only when stderr is a terminal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pathlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any, Final, NoReturn, Protocol, TypeVar

import attrs

from adapters import stuut_json
from adapters.errors import CorruptRecord
from adapters.fake_api import FakeStuutApi
from adapters.json_store import JsonStore
from adapters.samples import SAMPLE_AS_OF, sample_portfolio_path
from stuut_domain.errors import StuutDomainError
from stuut_domain.invariants import Violation, check_invoice, check_partner, check_workflow
from stuut_domain.invoice import Invoice
from stuut_domain.outreach import OutreachContext
from stuut_domain.outreach_decision import OutreachDecision
from stuut_domain.outreach_policy import OutreachPolicy
from stuut_domain.outreach_state import OutreachState
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment
from stuut_domain.payment_balance import check_payment
from stuut_domain.portfolio import (
    AgingReport,
    aging_report,
    days_sales_outstanding,
    expected_collections,
    is_open_receivable,
)
from stuut_domain.simulation import (
    OutreachSimulation,
    PolicyComparison,
    compare_policies,
    simulate_outreach,
)
from stuut_domain.tables import text_table
from stuut_domain.types import OutreachChannel
from stuut_domain.workflow import Workflow

__all__ = [
    "EXIT_CLEAN",
    "EXIT_FINDINGS",
    "EXIT_UNUSABLE",
    "Outcome",
    "UnusableInput",
    "main",
    "to_json",
]

EXIT_CLEAN: Final = 0
EXIT_FINDINGS: Final = 1
EXIT_UNUSABLE: Final = 2
PROG: Final = "stuut-domain"
_CHANNELS: Final = ("email", "call")

E_co = TypeVar("E_co", covariant=True)


class _Listing(Protocol[E_co]):
    """What the CLI reads from a store repository: the ids, and one entity by id."""

    def ids(self) -> Iterator[str]: ...

    def get(self, entity_id: str, /) -> E_co: ...


class UnusableInput(Exception):
    """Input a command cannot work with at all: exit 2 with this one-line message."""


@attrs.frozen(kw_only=True, weakref_slot=False)
class Outcome:
    """What a command produced: its exit code, text for a terminal and data for ``--json``."""

    exit_code: int
    text: str
    data: Any


# -- output helpers ---------------------------------------------------------------------------


def to_json(data: Any) -> str:
    """JSON text for ``--json``: Decimals as exact strings (never floats), dates in ISO 8601."""
    return json.dumps(data, default=_plain, indent=2, ensure_ascii=False)


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class Progress:
    """A counter on stderr for long runs, drawn only when the stream is a terminal."""

    def __init__(self, label: str, *, total: int | None = None, stream: IO[str] | None = None):
        self.label = label
        self.total = total
        self.count = 0
        self._stream = sys.stderr if stream is None else stream
        self._enabled = self._stream.isatty()

    def step(self, done: int, total: int | None = None) -> None:
        """Show ``done`` (of ``total``) items; redrawn every 25 items and at the end."""
        self.count, self.total = done, total if total is not None else self.total
        if self._enabled and (done % 25 == 0 or done == self.total):
            of = f"/{self.total}" if self.total is not None else ""
            self._stream.write(f"\r{self.label}: {done}{of}")
            self._stream.flush()

    def done(self) -> None:
        """Clear the progress line."""
        if self._enabled and self.count:
            self._stream.write("\r\x1b[K")
            self._stream.flush()


def _section(title: str, body: str) -> str:
    return f"{title}\n{'=' * len(title)}\n{body}"


def _limited(columns: Sequence[str], rows: Sequence[dict[str, object]], limit: int | None) -> str:
    if limit is None or len(rows) <= limit:
        return text_table(columns, rows)
    rest = len(rows) - limit
    return f"{text_table(columns, rows[:limit])}\n... {rest} more row(s); --json shows all"


# -- argument parsing -------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit code 2, without exiting."""

    def error(self, message: str) -> NoReturn:
        raise UnusableInput(f"{self.prog}: {message} (see --help)")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from None


def _instant(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 instant: {text!r}") from None
    if value.utcoffset() is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no UTC offset; write e.g. {text}Z or {text}+01:00"
        )
    return value


def _days(text: str) -> dt.timedelta:
    unit = {"d": "days", "h": "hours"}.get(text[-1:], "days")
    number = text[:-1] if text[-1:] in ("d", "h") else text
    try:
        return dt.timedelta(**{unit: int(number)})
    except ValueError:
        raise ValueError(
            f"not a whole number of days ('3', '3d') or hours ('12h'): {text!r}"
        ) from None


def _policy_value(field: attrs.Attribute[Any], raw: str) -> object:
    """A policy field's value from text, by the type of its default (days for durations)."""
    kind: type[object] = type(field.default)
    if kind is dt.timedelta:
        return _days(raw)
    if kind is bool:
        flags = {"true": True, "false": False}
        if raw.lower() not in flags:
            raise ValueError(f"expected true or false, got {raw!r}")
        return flags[raw.lower()]
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"not a whole number: {raw!r}") from None
    return raw


def _policy(text: str) -> OutreachPolicy:
    """An OutreachPolicy from ``field=value,...``: durations in days (``3``, ``3d``) or ``12h``."""
    fields = {f.name: f for f in attrs.fields(OutreachPolicy)}
    values: dict[str, object] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, raw = part.partition("=")
        if not sep or name not in fields:
            raise argparse.ArgumentTypeError(
                f"{part!r}: expected field=value with a field of {', '.join(fields)}"
            )
        try:
            values[name] = _policy_value(fields[name], raw)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{part!r}: {exc}") from None
    try:
        return OutreachPolicy(**values)  # type: ignore[arg-type]
    except (ValueError, TypeError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _build_parser() -> _Parser:
    parser = _Parser(
        prog=PROG,
        description="Check Stuut JSON, age a portfolio, decide and simulate outreach.",
        epilog="Exit codes: 0 clean, 1 findings, 2 unusable input.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, run: Callable[[argparse.Namespace], Outcome], text: str) -> _Parser:
        sub: _Parser = commands.add_parser(name, help=text, description=text)
        sub.add_argument("--json", action="store_true", help="machine-readable output")
        sub.set_defaults(run=run)
        return sub

    check = command("check", _check, "Validate Stuut invoice, partner, payment and workflow JSON.")
    check.add_argument(
        "paths", nargs="+", metavar="PATH", help="a JSON file, a directory of them, or -"
    )
    check.add_argument(
        "--kind",
        choices=("auto", *_KINDS),
        default="auto",
        help="what the documents are (default auto: decided per document from its keys)",
    )

    aging = command("aging", _aging, "Aging per currency and partner, DSO and collections.")
    aging.add_argument("--store", required=True, type=pathlib.Path, metavar="DIR")
    aging.add_argument("--at", required=True, type=_date, metavar="DATE")

    outreach = command("outreach", _outreach, "Outreach decisions, with reasons, per partner.")
    outreach.add_argument("--store", required=True, type=pathlib.Path, metavar="DIR")
    outreach.add_argument("--at", required=True, type=_instant, metavar="INSTANT")
    outreach.add_argument("--channel", choices=_CHANNELS, action="append")
    outreach.add_argument("--workflow", metavar="ID", help="default: first active workflow")
    outreach.add_argument("--policy", type=_policy, default=OutreachPolicy(), metavar="SPEC")

    simulate = command("simulate", _simulate, "Simulate outreach over a date range.")
    simulate.add_argument("--store", required=True, type=pathlib.Path, metavar="DIR")
    simulate.add_argument("--from", dest="start", required=True, type=_date, metavar="DATE")
    simulate.add_argument("--to", dest="end", required=True, type=_date, metavar="DATE")
    simulate.add_argument("--channel", choices=_CHANNELS, action="append")
    simulate.add_argument("--workflow", metavar="ID", help="default: first active workflow")
    simulate.add_argument(
        "--policy",
        type=_policy,
        default=OutreachPolicy(),
        metavar="SPEC",
        help="e.g. min_gap_per_invoice=7,first_reminder_offset_days=-3 (days, or 12h)",
    )
    simulate.add_argument(
        "--compare", type=_policy, metavar="SPEC", help="a second policy to compare with"
    )

    serve = command("serve", _serve, "Serve a store as the Stuut API (the fake API).")
    serve.add_argument("--store", required=True, type=pathlib.Path, metavar="DIR")
    serve.add_argument("--port", type=int, default=0, help="default: any free port")
    serve.add_argument("--token", default="stuut-dev-token", help="the bearer token to accept")

    command("demo", _demo, "All of it on the bundled sample portfolio.")
    return parser


# -- reading a store --------------------------------------------------------------------------


@attrs.frozen(kw_only=True, weakref_slot=False)
class _Portfolio:
    """The invoices, partners and workflows a store holds, and the files that could not be read.

    Payments are not read: every command works from the invoices, which embed their
    allocations.
    """

    invoices: tuple[Invoice, ...]
    partners: tuple[Partner, ...]
    workflows: tuple[Workflow, ...]
    skipped: tuple[CorruptRecord, ...]

    def skipped_records(self) -> list[dict[str, object]]:
        return [{"file": s.file, "error": str(s)} for s in self.skipped]


def _read_all(
    repository: _Listing[E_co], label: str, skipped: list[CorruptRecord]
) -> tuple[E_co, ...]:
    ids = sorted(repository.ids())
    progress = Progress(f"reading {label}", total=len(ids))
    found: list[E_co] = []
    for count, entity_id in enumerate(ids, 1):
        try:
            found.append(repository.get(entity_id))
        except CorruptRecord as exc:
            skipped.append(exc)
        progress.step(count)
    progress.done()
    return tuple(found)


def _load(root: pathlib.Path) -> _Portfolio:
    if not root.is_dir():
        raise UnusableInput(f"store {str(root)!r} is not a directory")
    if not (root / "invoices").is_dir():
        raise UnusableInput(f"store {str(root)!r} has no invoices/ folder")
    store = JsonStore(root)
    skipped: list[CorruptRecord] = []
    return _Portfolio(
        invoices=_read_all(store.invoices, "invoices", skipped),
        partners=_read_all(store.partners, "partners", skipped),
        workflows=_read_all(store.workflows, "workflows", skipped),
        skipped=tuple(skipped),
    )


def _store_outcome(portfolio: _Portfolio, text: str, data: dict[str, Any]) -> Outcome:
    """Append the skipped files (exit 1) to a store command's text and data."""
    data["skipped"] = portfolio.skipped_records()
    if portfolio.skipped:
        lines = "\n".join(f"  {s}" for s in portfolio.skipped)
        text += f"\n\nSkipped {len(portfolio.skipped)} unreadable file(s):\n{lines}"
        return Outcome(exit_code=EXIT_FINDINGS, text=text, data=data)
    return Outcome(exit_code=EXIT_CLEAN, text=text, data=data)


def _workflow(portfolio: _Portfolio, wanted: str | None) -> Workflow:
    if wanted is not None:
        for workflow in portfolio.workflows:
            if workflow.id == wanted:
                return workflow
        raise UnusableInput(f"no workflow {wanted!r} in the store")
    active = sorted(
        (w for w in portfolio.workflows if w.is_active is not False), key=lambda w: w.id or ""
    )
    if not active:
        raise UnusableInput("the store has no active workflow; outreach needs one (--workflow)")
    return active[0]


# -- check ------------------------------------------------------------------------------------


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


def _join(prefix: str, path: str) -> str:
    if path in ("", "$"):
        return prefix or "$"
    if not prefix:
        return path
    return f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}"


def _own_keys(cls: type, *others: type) -> frozenset[str]:
    """The wire keys of ``cls`` that none of ``others`` has (field names are wire keys)."""
    shared = {f.name for other in others for f in attrs.fields(other)}
    return frozenset(f.name for f in attrs.fields(cls) if f.name not in shared)


@attrs.frozen(kw_only=True, weakref_slot=False)
class _Kind:
    """One kind of document ``check`` reads: how to decode it and which rules it must keep."""

    name: str
    plural: str
    decode: Callable[[Any], Any]
    check: Callable[[Any], tuple[Violation, ...]]


_KIND_TABLE: Final = {
    "invoice": _Kind(
        name="invoice",
        plural="invoices",
        decode=stuut_json.decode_invoice,
        check=check_invoice,
    ),
    "partner": _Kind(
        name="partner",
        plural="partners",
        decode=stuut_json.decode_partner,
        check=check_partner,
    ),
    "payment": _Kind(
        name="payment",
        plural="payments",
        decode=stuut_json.decode_payment,
        check=check_payment,
    ),
    "workflow": _Kind(
        name="workflow",
        plural="workflows",
        decode=stuut_json.decode_workflow,
        check=check_workflow,
    ),
}
_KINDS: Final = tuple(_KIND_TABLE)
#: Keys only a partner has: its own fields that no invoice, payment or workflow shares.
_PARTNER_KEYS: Final = _own_keys(Partner, Invoice, Payment, Workflow)


def _detect(item: Any) -> str | None:
    """The kind of one document from its keys, or ``None`` when the keys do not tell.

    ``total_amount`` with ``amount_due``: an invoice; ``active_days`` or
    ``outreach_window_start``: a workflow; ``amount_refunded`` or ``allocations``: a payment;
    a key only partners have (``contacts``, ``is_email_disabled``...): a partner; else the
    ``object`` key when it names one of the four kinds.
    """
    if not isinstance(item, dict):
        return None
    if "total_amount" in item and "amount_due" in item:
        return "invoice"
    if "active_days" in item or "outreach_window_start" in item:
        return "workflow"
    if "amount_refunded" in item or "allocations" in item:
        return "payment"
    if not _PARTNER_KEYS.isdisjoint(item):
        return "partner"
    named = item.get("object")
    return named if named in _KIND_TABLE else None


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


def _findings(kind: _Kind, name: str, prefix: str, item: Any) -> list[dict[str, object]]:
    """Every problem of one document: decoding problems, else invariant violations."""
    try:
        entity = kind.decode(item)
    except stuut_json.DecodeError as exc:
        return [
            {
                "file": name,
                "code": "undecodable",
                "path": _join(prefix, p.path),
                "message": p.message,
                "values": {} if p.value is None else {"found": repr(p.value)},
            }
            for p in exc.problems
        ]
    return [
        {"file": name, **v.as_record(), "path": _join(prefix, v.path)} for v in kind.check(entity)
    ]


def _check_summary(counts: dict[str, int], files: int, findings: int, flawed: int) -> str:
    """``400 invoice(s), 40 partner(s) in 440 file(s): all clean`` (kinds seen, in order)."""
    labels = {**{kind: f"{kind}(s)" for kind in _KINDS}, "undecided": "undecided document(s)"}
    kinds = [kind for kind, n in counts.items() if n]
    seen = [f"{counts[kind]} {labels[kind]}" for kind in kinds]
    noun = labels[kinds[0]] if len(kinds) == 1 else "document(s)"
    return f"{', '.join(seen) or '0 document(s)'} in {files} file(s): " + (
        f"{findings} finding(s) in {flawed} {noun}" if findings else "all clean"
    )


def _check(args: argparse.Namespace) -> Outcome:
    wanted: str = getattr(args, "kind", "auto")
    findings: list[dict[str, object]] = []
    counts = dict.fromkeys((*_KINDS, "undecided"), 0)
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
            kind = _detect(item) if wanted == "auto" else wanted
            if kind is None:
                counts["undecided"] += 1
                found = [_undecidable(name, prefix)]
            else:
                counts[kind] += 1
                found = _findings(_KIND_TABLE[kind], name, prefix, item)
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
            **{_KIND_TABLE[k].plural if k in _KIND_TABLE else k: n for k, n in counts.items()},
            "findings": findings,
        },
    )


# -- aging ------------------------------------------------------------------------------------


def _aging_view(
    portfolio: _Portfolio, as_of: dt.date, limit: int | None = None
) -> tuple[str, dict[str, Any]]:
    report: AgingReport = aging_report(portfolio.invoices, as_of=as_of, partners=portfolio.partners)
    dso = days_sales_outstanding(portfolio.invoices, as_of=as_of)
    forecast = expected_collections(portfolio.invoices, as_of=as_of)
    text = "\n\n".join(
        [
            repr(report),
            "By partner\n" + _limited(report.partner_columns, report.partner_records(), limit),
            repr(dso),
            repr(forecast),
        ]
    )
    data = {
        "as_of": as_of,
        "aging": report.records(),
        "aging_by_partner": report.partner_records(),
        "dso": dso.records(),
        "expected_collections": forecast.records(),
    }
    return text, data


def _aging(args: argparse.Namespace) -> Outcome:
    portfolio = _load(args.store)
    text, data = _aging_view(portfolio, args.at)
    return _store_outcome(portfolio, text, data)


# -- outreach ---------------------------------------------------------------------------------


def _decisions(
    portfolio: _Portfolio,
    *,
    at: dt.datetime,
    channels: Sequence[OutreachChannel],
    workflow: Workflow,
    policy: OutreachPolicy,
) -> list[OutreachDecision]:
    """One decision per partner with open receivables and channel, at ``at``."""
    by_partner: dict[str, list[Invoice]] = {}
    for invoice in portfolio.invoices:
        if invoice.partner_id is not None:
            by_partner.setdefault(invoice.partner_id, []).append(invoice)
    state = OutreachState.from_invoices(portfolio.invoices)
    decisions = []
    for partner in sorted(portfolio.partners, key=lambda p: p.id or ""):
        owned = by_partner.get(partner.id or "", [])
        if not any(is_open_receivable(i) for i in owned):
            continue
        for channel in channels:
            context = OutreachContext(
                partner=partner, workflow=workflow, channel=channel, policy=policy
            )
            decisions.append(context.decide(owned, at=at, state=state))
    return decisions


_DECISION_COLUMNS: Final = ("partner", "channel", "eligible", "invoices", "blocked_by", "next")


def _decision_row(decision: OutreachDecision) -> dict[str, object]:
    return {
        "partner": decision.partner_name or decision.partner_id,
        "channel": decision.channel,
        "eligible": decision.eligible,
        "invoices": len(decision.invoice_ids),
        "blocked_by": ", ".join(dict.fromkeys(decision.codes)),
        "next": None if decision.next_eligible_at is None else decision.next_eligible_at,
    }


def _decision_data(decision: OutreachDecision) -> dict[str, object]:
    return {
        **decision.as_record(),
        "blockers": [
            {
                "code": b.code,
                "invoice_id": b.invoice_id,
                "message": b.message,
                "clears_at": b.clears_at,
            }
            for b in decision.blockers
        ],
        "excluded": [
            {
                "code": b.code,
                "invoice_id": b.invoice_id,
                "message": b.message,
                "clears_at": b.clears_at,
            }
            for b in decision.excluded
        ],
        "notes": [{"code": n.code, "message": n.message} for n in decision.notes],
    }


def _outreach_view(
    portfolio: _Portfolio,
    *,
    at: dt.datetime,
    channels: Sequence[OutreachChannel],
    workflow: Workflow,
    policy: OutreachPolicy,
    limit: int | None = None,
) -> tuple[str, dict[str, Any]]:
    decisions = _decisions(portfolio, at=at, channels=channels, workflow=workflow, policy=policy)
    eligible = sum(1 for d in decisions if d.eligible)
    title = (
        f"Outreach at {at.isoformat()} with workflow {workflow.name or workflow.id}: "
        f"{eligible} of {len(decisions)} partner decision(s) eligible"
    )
    rows = [_decision_row(d) for d in decisions]
    text = f"{title}\n{_limited(_DECISION_COLUMNS, rows, limit)}"
    data = {
        "at": at,
        "workflow": workflow.id,
        "decisions": [_decision_data(d) for d in decisions],
    }
    return text, data


def _outreach(args: argparse.Namespace) -> Outcome:
    portfolio = _load(args.store)
    text, data = _outreach_view(
        portfolio,
        at=args.at,
        channels=tuple(dict.fromkeys(args.channel or ("email",))),
        workflow=_workflow(portfolio, args.workflow),
        policy=args.policy,
    )
    return _store_outcome(portfolio, text, data)


# -- simulate ---------------------------------------------------------------------------------


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _simulation_text(simulation: OutreachSimulation, limit: int | None) -> str:
    summary = simulation.summary()
    headline = ", ".join(
        f"{k.replace('_', ' ')}: {v}" for k, v in summary.items() if not isinstance(v, dict)
    )
    never_rows = [{"code": c, "invoices": n} for c, n in simulation.never_by_code().items()]
    return "\n\n".join(
        [
            f"{simulation.title()}\n{headline}",
            "Never reached, by reason\n" + text_table(("code", "invoices"), never_rows),
            "Timeline\n" + _limited(simulation.columns, simulation.records(), limit),
        ]
    )


def _simulation_data(simulation: OutreachSimulation) -> dict[str, Any]:
    return {
        "summary": simulation.summary(),
        "outreach": simulation.records(),
        "uncontacted": simulation.uncontacted_records(),
        "invoices": simulation.invoice_records(),
    }


def _comparison_text(comparison: PolicyComparison) -> str:
    changes = comparison.changes()
    change_rows = [{"change": k, "invoices": v} for k, v in changes.items()]
    return "\n\n".join(
        [
            repr(comparison),
            "Per invoice, under the second policy\n"
            + text_table(("change", "invoices"), change_rows),
        ]
    )


def _simulate_view(
    portfolio: _Portfolio,
    *,
    start: dt.date,
    end: dt.date,
    channels: Sequence[OutreachChannel],
    workflow: Workflow,
    policy: OutreachPolicy,
    compare: OutreachPolicy | None,
    labels: tuple[str, str] = ("policy", "compare"),
    limit: int | None = None,
) -> tuple[str, dict[str, Any]]:
    if end < start:
        raise UnusableInput(f"--to {end} is before --from {start}")
    begin, finish = _midnight(start), _midnight(end + dt.timedelta(days=1))
    common: dict[str, Any] = {
        "partners": portfolio.partners,
        "workflow": workflow,
        "start": begin,
        "end": finish,
        "channels": channels,
    }
    header = f"Workflow {workflow.name or workflow.id}, {start} to {end} inclusive (UTC days)"
    if compare is None:
        progress = Progress("simulating partners")
        simulation = simulate_outreach(
            portfolio.invoices, policy=policy, progress=progress.step, **common
        )
        progress.done()
        return (
            f"{header}\n\n{_simulation_text(simulation, limit)}",
            {"workflow": workflow.id, "from": start, "to": end, **_simulation_data(simulation)},
        )
    comparison = compare_policies(portfolio.invoices, a=policy, b=compare, labels=labels, **common)
    return (
        f"{header}\n\n{_comparison_text(comparison)}",
        {
            "workflow": workflow.id,
            "from": start,
            "to": end,
            "differences": comparison.differences(),
            "summary": comparison.records(),
            "changes": comparison.changes(),
            "invoices": comparison.invoice_records(),
        },
    )


def _simulate(args: argparse.Namespace) -> Outcome:
    portfolio = _load(args.store)
    text, data = _simulate_view(
        portfolio,
        start=args.start,
        end=args.end,
        channels=tuple(dict.fromkeys(args.channel or ("email",))),
        workflow=_workflow(portfolio, args.workflow),
        policy=args.policy,
        compare=args.compare,
    )
    return _store_outcome(portfolio, text, data)


# -- serve ------------------------------------------------------------------------------------


def _serve(args: argparse.Namespace) -> Outcome:
    if not args.store.is_dir():
        raise UnusableInput(f"store {str(args.store)!r} is not a directory")
    if not 0 <= args.port <= 65535:
        raise UnusableInput(f"--port must be 0..65535, got {args.port}")
    api = FakeStuutApi.serving(JsonStore(args.store), token=args.token)
    data = {"url": api.url, "base_url": api.base_url, "token": args.token}
    if args.json:
        _say(sys.stdout, json.dumps({"command": "serve", **data}))
    else:
        _say(
            sys.stdout,
            f"Serving {args.store} as the Stuut API at {api.base_url} "
            f"(bearer token {args.token!r}); Ctrl-C stops.",
        )
    sys.stdout.flush()
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        api.stop()
    return Outcome(exit_code=EXIT_CLEAN, text="stopped", data={**data, "stopped": True})


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


# -- demo -------------------------------------------------------------------------------------


def _demo(args: argparse.Namespace) -> Outcome:
    try:
        root = sample_portfolio_path()
    except FileNotFoundError as exc:
        raise UnusableInput(str(exc)) from None
    check = _check(argparse.Namespace(paths=[str(root)], kind="auto"))
    portfolio = _load(root)
    as_of = SAMPLE_AS_OF.date()
    workflow = _workflow(portfolio, None)
    aging_text, aging_data = _aging_view(portfolio, as_of, limit=12)
    outreach_text, outreach_data = _outreach_view(
        portfolio,
        at=SAMPLE_AS_OF,
        channels=("email", "call"),
        workflow=workflow,
        policy=OutreachPolicy(),
        limit=12,
    )
    weekly = OutreachPolicy(min_gap_per_invoice=dt.timedelta(days=7))
    simulate_text, simulate_data = _simulate_view(
        portfolio,
        start=as_of,
        end=as_of + dt.timedelta(days=13),
        channels=("email",),
        workflow=workflow,
        policy=OutreachPolicy(),
        compare=None,
        limit=12,
    )
    compare_text, compare_data = _simulate_view(
        portfolio,
        start=as_of,
        end=as_of + dt.timedelta(days=13),
        channels=("email",),
        workflow=workflow,
        policy=OutreachPolicy(),
        compare=weekly,
        labels=("every 3 days", "weekly"),
    )
    check_summary = check.text.splitlines()[-1]
    text = "\n\n".join(
        [
            f"stuut-domain demo: the bundled sample portfolio ({root})",
            _section("Check", f"{check_summary} (stuut-domain check {root})"),
            _section(f"Aging at {as_of}", aging_text),
            _section("Outreach decisions", outreach_text),
            _section("Simulation, two weeks", simulate_text),
            _section("What if reminders were weekly?", compare_text),
        ]
    )
    data = {
        "portfolio": str(root),
        "check": check.data,
        "aging": aging_data,
        "outreach": outreach_data,
        "simulation": simulate_data,
        "comparison": compare_data,
    }
    return _store_outcome(portfolio, text, data)


# -- main -------------------------------------------------------------------------------------


def _say(stream: IO[str], text: str) -> None:
    stream.write(text if text.endswith("\n") else text + "\n")


def _emit(args: argparse.Namespace, outcome: Outcome) -> None:
    if args.command == "serve":
        _say(sys.stderr, f"{PROG}: {outcome.text}")
    elif args.json:
        _say(sys.stdout, to_json({"command": args.command, **outcome.data}))
    else:
        _say(sys.stdout, outcome.text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``stuut-domain`` with ``argv`` (default: the process arguments); return the exit code.

    Never raises and never prints a traceback: usage errors, unreadable or invalid input and
    domain errors become one line on stderr and exit code 2; so does an unexpected error,
    named as an internal error.
    """
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        outcome: Outcome = args.run(args)
        _emit(args, outcome)
    except SystemExit as exc:  # --help prints and "exits" with 0
        return int(exc.code or 0)
    except UnusableInput as exc:
        _say(sys.stderr, f"{PROG}: error: {exc}")
        return EXIT_UNUSABLE
    except (StuutDomainError, OSError, ValueError) as exc:
        _say(sys.stderr, f"{PROG}: error: {exc}".replace("\n", " "))
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        _say(sys.stderr, f"{PROG}: interrupted")
        return EXIT_UNUSABLE
    except Exception as exc:  # noqa: BLE001 - the promise is one line, never a traceback
        _say(sys.stderr, f"{PROG}: internal error (please report): {type(exc).__name__}: {exc}")
        return EXIT_UNUSABLE
    return outcome.exit_code


if __name__ == "__main__":
    sys.exit(main())
