"""The command line of ``stuut-domain``: its parser, subcommands and option types.

A usage error is :class:`UsageError` (one line, exit 2), never an ``argparse`` exit.
``--at``, ``--from`` and ``--to`` each take a date (``2026-11-26``, meaning 00:00 UTC that
day) or an ISO 8601 instant with its offset; a command that works in days (``aging``,
``simulate``) takes an instant's UTC date. Policies are ``field=value,...``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import math
import pathlib
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import attrs

from adapters.cli._kinds import KINDS
from adapters.cli._output import PROG, Outcome, UnusableInput, encodable
from adapters.cli.aging import run as _aging
from adapters.cli.check import run as _check
from adapters.cli.demo import run as _demo
from adapters.cli.forecast import run as _forecast
from adapters.cli.match import run as _match
from adapters.cli.outreach import run as _outreach
from adapters.cli.serve import run as _serve
from adapters.cli.simulate import run as _simulate
from adapters.cli.store_admin import run_copy as _store_copy
from adapters.cli.store_admin import run_migrate as _store_migrate
from stuut_domain.outreach.policy import OutreachPolicy
from stuut_domain.types import OUTREACH_CHANNELS

__all__ = ["DEFAULT_LIMIT", "UsageError", "build_parser"]


class UsageError(UnusableInput):
    """A command line argparse refuses: exit 2, reported once as ``PROG: error: message``."""

    def __init__(self, message: str, *, prog: str) -> None:
        super().__init__(message)
        self.prog = prog

    def __str__(self) -> str:
        return f"{self.args[0]} (see {self.prog} --help)"


def _version() -> str:
    """The installed distribution's version (``unknown`` when run from an uninstalled tree)."""
    try:
        return importlib.metadata.version("stuut-domain")
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed)"


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit code 2, without exiting."""

    #: The names of the subcommands (set on the top-level parser by :func:`build_parser`).
    commands: tuple[str, ...] = ()

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, prog=self.prog)

    def _print_message(self, message: str, file: Any = None) -> None:
        """Help and version text, degraded to what the stream can encode."""
        if message:
            stream = sys.stdout if file is None else file
            stream.write(encodable(stream, message))


def _moment(text: str) -> dt.datetime:
    """An instant from a date (``2026-11-26``: 00:00 UTC that day) or an ISO 8601 instant
    with its offset (``2026-11-26T12:00:00Z``, ``...+01:00``); a naive time is refused."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        pass
    else:
        value = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        return _within_years(text, value)
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO date (YYYY-MM-DD) or instant (YYYY-MM-DDTHH:MM:SSZ): {text!r}"
        ) from None
    if value.utcoffset() is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no UTC offset; write e.g. {text}Z or {text}+01:00, or a bare date"
        )
    return _within_years(text, value)


def _within_years(text: str, value: dt.datetime) -> dt.datetime:
    """``value`` when it falls within the years 2 to 9998 in UTC (a date too: the rules count
    days and weeks either side of it), else a usage error."""
    try:
        in_utc = value.astimezone(dt.UTC)
    except OverflowError:
        in_utc = None
    if in_utc is None or not 1 < in_utc.year < 9999:
        raise argparse.ArgumentTypeError(
            f"{text!r} is outside the years 2 to 9998 in UTC, where every rule can count days"
        )
    return value


def _day(text: str) -> dt.date:
    """A UTC calendar day from a date or an instant (an instant's day is its UTC date)."""
    return _moment(text).astimezone(dt.UTC).date()


#: What ``--at``, ``--from`` and ``--to`` accept, said in each one's help.
_WHEN = (
    "a date YYYY-MM-DD (00:00 UTC that day) or an instant with its offset "
    "(2026-11-26T12:00:00Z, ...+01:00)"
)
_DAY_OF = "; an instant counts as its UTC date"


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


def _lift(text: str) -> tuple[str, float]:
    """``--lift channel=x``: a contact effect set by hand (a finite number >= 0)."""
    channel, sep, raw = text.partition("=")
    if not sep or channel not in OUTREACH_CHANNELS:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected channel=lift with a channel of {', '.join(OUTREACH_CHANNELS)}"
        )
    try:
        lift = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: the lift is not a number") from None
    if not math.isfinite(lift) or lift < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: a lift is a finite number >= 0")
    return channel, lift


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text!r}")
    return value


def _positive(text: str) -> int:
    value = _count(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _limit(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--limit",
        type=_count,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=(
            f"rows per table in text output (default {DEFAULT_LIMIT}; 0 shows all); "
            "--json always has every row"
        ),
    )


def _forecast_options(sub: argparse.ArgumentParser, *helps: str) -> None:
    """The options of ``forecast``; ``helps`` are the store, channel, workflow and policy
    help texts the other commands use."""
    store_help, channel_help, workflow_help, policy_help = helps
    forecast = sub
    forecast.add_argument(
        "--store", required=True, type=_store_name, metavar="STORE", help=store_help
    )
    forecast.add_argument(
        "--at", required=True, type=_moment, metavar="WHEN", help=f"fit as of, start at: {_WHEN}"
    )
    forecast.add_argument("--runs", type=_positive, default=200, metavar="N", help="default 200")
    forecast.add_argument("--weeks", type=_positive, default=26, metavar="N", help="default 26")
    forecast.add_argument("--seed", type=_count, default=0, metavar="N", help="default 0")
    forecast.add_argument(
        "--channel", choices=OUTREACH_CHANNELS, action="append", help=channel_help
    )
    forecast.add_argument("--workflow", metavar="ID", help=workflow_help)
    forecast.add_argument(
        "--policy", type=_policy, default=OutreachPolicy(), metavar="SPEC", help=policy_help
    )
    forecast.add_argument(
        "--compare", type=_policy, metavar="SPEC", help="a second policy, on the same seeds"
    )
    forecast.add_argument(
        "--lift",
        type=_lift,
        action="append",
        metavar="CHANNEL=X",
        help="set a channel's contact effect by hand (the baseline is still fitted); "
        "repeatable, e.g. --lift email=2",
    )
    forecast.add_argument(
        "--plot",
        type=_plot_directory,
        metavar="DIR",
        help="write the figures (PNG) into DIR and print their paths (needs the plot extra)",
    )
    _limit(forecast)


#: How many rows a text table shows by default (``--limit``).
DEFAULT_LIMIT = 20


def _plot_directory(value: str) -> pathlib.Path:
    """``--plot``: a directory to write figures into (created if missing), not a file."""
    path = pathlib.Path(value)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{value!r} is a file, not a directory")
    return path


def _store_name(value: str) -> pathlib.Path | str:
    """``--store``: a URL (``scheme://...``) stays text for the SQL store, else a path."""
    return value if "://" in value else pathlib.Path(value)


def _store_commands(store: _Parser, store_help: str) -> None:
    """``store copy SRC DST`` and ``store migrate URL`` under the ``store`` command."""
    actions = store.add_subparsers(
        dest="store_action",
        required=True,
        parser_class=_Parser,
        metavar="ACTION",
        help="copy (a store into another) or migrate (a SQL store's schema)",
    )
    copy = actions.add_parser(
        "copy",
        help="stream every entity of SRC into DST (created if missing)",
        description=(
            "Stream every entity of SRC into DST (created if missing), in either direction. "
            "Complete with a report: every record SRC can read and DST accepts is copied; "
            "each unreadable record (file or id) and each refused entity (e.g. an allocation "
            "id another invoice already holds) is named with its reason, and the exit code is "
            "1. Ids DST already holds are left unchanged. A memory database (sqlite://) is "
            "refused as DST."
        ),
    )
    copy.add_argument("source", type=_store_name, metavar="SRC", help=store_help)
    copy.add_argument("target", type=_store_name, metavar="DST", help=store_help)
    copy.add_argument("--json", action="store_true", help="machine-readable output")
    copy.set_defaults(run=_store_copy)
    migrate = actions.add_parser(
        "migrate", help="upgrade a SQL store to this version's schema revision"
    )
    migrate.add_argument("url", type=_store_name, metavar="URL", help="the SQL store's URL")
    migrate.add_argument("--json", action="store_true", help="machine-readable output")
    migrate.set_defaults(run=_store_migrate)


def build_parser() -> _Parser:
    """The ``stuut-domain`` parser: one subcommand per command, each with ``--json``."""
    parser = _Parser(
        prog=PROG,
        description=(
            "Check Stuut JSON, age a portfolio, decide and simulate outreach, match bank "
            "transactions."
        ),
        epilog="Exit codes: 0 clean, 1 findings, 2 unusable input, 130 interrupted (Ctrl-C).",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {_version()}", help="print the version"
    )
    commands = parser.add_subparsers(
        dest="command",
        required=True,
        parser_class=_Parser,
        metavar="COMMAND",
        help="the command to run (COMMAND --help for its options)",
    )

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
        choices=("auto", *KINDS),
        default="auto",
        help="what the documents are (default auto: decided per document from its keys)",
    )

    store_help = (
        "the store: a directory with invoices/, partners/ and workflows/ folders, or a SQL "
        "store's URL (sqlite:///book.db, postgresql://user@host/db)"
    )
    channel_help = "a channel to decide for (repeat for several; default email)"
    workflow_help = "the workflow's id (default: the first active workflow by id)"
    policy_help = (
        "the outreach policy as field=value,... (durations in days, or 12h), e.g. "
        "min_gap_per_invoice=7,first_reminder_offset_days=-3 (default: the default policy)"
    )

    aging = command("aging", _aging, "Aging per currency and partner, DSO and collections.")
    aging.add_argument("--store", required=True, type=_store_name, metavar="STORE", help=store_help)
    aging.add_argument(
        "--at", required=True, type=_day, metavar="WHEN", help=f"the as-of day: {_WHEN}{_DAY_OF}"
    )
    _limit(aging)

    outreach = command("outreach", _outreach, "Outreach decisions, with reasons, per partner.")
    outreach.add_argument(
        "--store", required=True, type=_store_name, metavar="STORE", help=store_help
    )
    outreach.add_argument(
        "--at", required=True, type=_moment, metavar="WHEN", help=f"when to decide: {_WHEN}"
    )
    outreach.add_argument(
        "--channel", choices=OUTREACH_CHANNELS, action="append", help=channel_help
    )
    outreach.add_argument("--workflow", metavar="ID", help=workflow_help)
    outreach.add_argument(
        "--policy", type=_policy, default=OutreachPolicy(), metavar="SPEC", help=policy_help
    )
    _limit(outreach)

    simulate = command("simulate", _simulate, "Simulate outreach over a date range.")
    simulate.add_argument(
        "--store", required=True, type=_store_name, metavar="STORE", help=store_help
    )
    simulate.add_argument(
        "--from",
        dest="start",
        required=True,
        type=_day,
        metavar="WHEN",
        help=f"the first day simulated: {_WHEN}{_DAY_OF}",
    )
    simulate.add_argument(
        "--to",
        dest="end",
        required=True,
        type=_day,
        metavar="WHEN",
        help=f"the last day simulated (inclusive): {_WHEN}{_DAY_OF}",
    )
    simulate.add_argument(
        "--channel", choices=OUTREACH_CHANNELS, action="append", help=channel_help
    )
    simulate.add_argument("--workflow", metavar="ID", help=workflow_help)
    simulate.add_argument(
        "--policy", type=_policy, default=OutreachPolicy(), metavar="SPEC", help=policy_help
    )
    simulate.add_argument(
        "--compare", type=_policy, metavar="SPEC", help="a second policy to compare with"
    )
    _limit(simulate)

    match = command(
        "match", _match, "Match bank transactions to the store's open invoices, explained."
    )
    match.add_argument("--store", required=True, type=_store_name, metavar="STORE", help=store_help)
    match.add_argument(
        "transactions",
        metavar="TRANSACTIONS",
        help="a JSON file of bank transactions (an array or a list envelope), or -",
    )
    match.add_argument(
        "--remittances",
        metavar="FILE",
        help="the payers' remittance advices (a JSON array or list envelope), each linked to "
        "the transaction its transaction_number names",
    )
    match.add_argument(
        "--at",
        type=_moment,
        metavar="WHEN",
        help=f"when to match (default: the latest transaction's timestamp): {_WHEN}",
    )
    _limit(match)
    forecast = command("forecast", _forecast, "Cash by week under a policy, simulated.")
    _forecast_options(forecast, store_help, channel_help, workflow_help, policy_help)

    serve = command("serve", _serve, "Serve a store as the Stuut API (the fake API).")
    serve.add_argument("--store", required=True, type=_store_name, metavar="STORE", help=store_help)
    serve.add_argument(
        "--port", type=int, default=0, help="the port to listen on (default 0: any free port)"
    )
    serve.add_argument("--token", default="stuut-dev-token", help="the bearer token to accept")

    _store_commands(
        command("store", _store_copy, "Copy a store (JSON <-> SQL) or migrate a SQL store."),
        store_help,
    )

    command("demo", _demo, "All of it on the bundled sample portfolio.")
    parser.commands = tuple(commands.choices)
    return parser
