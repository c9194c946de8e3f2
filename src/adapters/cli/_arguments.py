"""The command line of ``stuut-domain``: its parser, subcommands and option types.

A usage error is :class:`~adapters.cli._output.UnusableInput` (one line, exit 2), never an
``argparse`` exit; dates and instants are ISO 8601, policies ``field=value,...``.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from adapters.cli.outreach import run as _outreach
from adapters.cli.serve import run as _serve
from adapters.cli.simulate import run as _simulate
from stuut_domain.outreach.policy import OutreachPolicy
from stuut_domain.types import OUTREACH_CHANNELS

__all__ = ["build_parser"]


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit code 2, without exiting."""

    #: The names of the subcommands (set on the top-level parser by :func:`build_parser`).
    commands: tuple[str, ...] = ()

    def error(self, message: str) -> NoReturn:
        raise UnusableInput(f"{self.prog}: {message} (see --help)")

    def _print_message(self, message: str, file: Any = None) -> None:
        """Help and version text, degraded to what the stream can encode."""
        if message:
            stream = sys.stdout if file is None else file
            stream.write(encodable(stream, message))


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


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text!r}")
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


#: How many rows a text table shows by default (``--limit``).
DEFAULT_LIMIT = 20


def build_parser() -> _Parser:
    """The ``stuut-domain`` parser: one subcommand per command, each with ``--json``."""
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
        choices=("auto", *KINDS),
        default="auto",
        help="what the documents are (default auto: decided per document from its keys)",
    )

    aging = command("aging", _aging, "Aging per currency and partner, DSO and collections.")
    aging.add_argument("--store", required=True, type=pathlib.Path, metavar="DIR")
    aging.add_argument("--at", required=True, type=_date, metavar="DATE")
    _limit(aging)

    outreach = command("outreach", _outreach, "Outreach decisions, with reasons, per partner.")
    outreach.add_argument("--store", required=True, type=pathlib.Path, metavar="DIR")
    outreach.add_argument("--at", required=True, type=_instant, metavar="INSTANT")
    outreach.add_argument("--channel", choices=OUTREACH_CHANNELS, action="append")
    outreach.add_argument("--workflow", metavar="ID", help="default: first active workflow")
    outreach.add_argument("--policy", type=_policy, default=OutreachPolicy(), metavar="SPEC")
    _limit(outreach)

    simulate = command("simulate", _simulate, "Simulate outreach over a date range.")
    simulate.add_argument("--store", required=True, type=pathlib.Path, metavar="DIR")
    simulate.add_argument("--from", dest="start", required=True, type=_date, metavar="DATE")
    simulate.add_argument("--to", dest="end", required=True, type=_date, metavar="DATE")
    simulate.add_argument("--channel", choices=OUTREACH_CHANNELS, action="append")
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
    _limit(simulate)

    serve = command("serve", _serve, "Serve a store as the Stuut API (the fake API).")
    serve.add_argument("--store", required=True, type=pathlib.Path, metavar="DIR")
    serve.add_argument("--port", type=int, default=0, help="default: any free port")
    serve.add_argument("--token", default="stuut-dev-token", help="the bearer token to accept")

    command("demo", _demo, "All of it on the bundled sample portfolio.")
    parser.commands = tuple(commands.choices)
    return parser
