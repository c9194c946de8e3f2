"""Running ``stuut-domain``: parse, run one command, print its outcome, map failures to exit 2.

With ``--json`` every run prints exactly one JSON document on stdout, a failure included:
``{"command": ..., "exit_code": 2, "error": {"code": ..., "message": ...}}``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from adapters.cli._arguments import UsageError, build_parser
from adapters.cli._output import (
    EXIT_INTERRUPTED,
    EXIT_UNUSABLE,
    PROG,
    Outcome,
    UnusableInput,
    say,
    say_json,
)
from stuut_domain.errors import StuutDomainError

__all__ = ["main"]


def _emit(args: argparse.Namespace, outcome: Outcome) -> None:
    if args.command == "serve":
        # serve printed where it listens when it started; --json stays that one document
        if not args.json:
            say(sys.stderr, f"{PROG}: {outcome.text}")
    elif args.json:
        say_json(sys.stdout, {"command": args.command, **outcome.data})
    else:
        say(sys.stdout, outcome.text)


def _command(argv: Sequence[str], commands: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names (its first word that is not an option), if any."""
    word = next((a for a in argv if not a.startswith("-")), None)
    return word if word in commands else None


def _fail(
    argv: Sequence[str],
    commands: Sequence[str],
    *,
    code: str,
    prefix: str,
    message: str,
    exit_code: int,
) -> int:
    """Report a failure: ``prefix message`` as one line on stderr and, under ``--json``, one
    JSON error document on stdout with the bare message."""
    say(sys.stderr, f"{prefix} {message}".replace("\n", " "))
    if "--json" in argv:
        say_json(
            sys.stdout,
            {
                "command": _command(argv, commands),
                "exit_code": exit_code,
                "error": {"code": code, "message": message},
            },
        )
    return exit_code


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``stuut-domain`` with ``argv`` (default: the process arguments); return the exit code.

    Never raises and never prints a traceback: usage errors, unreadable or invalid input and
    domain errors become one line on stderr and exit code 2; so does an unexpected error,
    named as an internal error; Ctrl-C exits 130. Under ``--json`` a failure is also one
    JSON document on stdout (``error.code``: ``unusable_input``, ``internal_error`` or
    ``interrupted``).
    """
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    commands = parser.commands
    try:
        args = parser.parse_args(words)
        outcome: Outcome = args.run(args)
        _emit(args, outcome)
    except SystemExit as exc:  # --help prints and "exits" with 0
        return int(exc.code or 0)
    except UsageError as exc:  # prefixed once, by the (sub)command's own name
        failure = ("unusable_input", f"{exc.prog}: error:", str(exc), EXIT_UNUSABLE)
    except (UnusableInput, StuutDomainError, OSError, ValueError) as exc:
        failure = ("unusable_input", f"{PROG}: error:", str(exc), EXIT_UNUSABLE)
    except KeyboardInterrupt:
        failure = ("interrupted", f"{PROG}:", "interrupted", EXIT_INTERRUPTED)
    except Exception as exc:  # noqa: BLE001 - the promise is one line, never a traceback
        failure = (
            "internal_error",
            f"{PROG}: internal error (please report):",
            f"{type(exc).__name__}: {exc}",
            EXIT_UNUSABLE,
        )
    else:
        return outcome.exit_code
    code, prefix, message, exit_code = failure
    return _fail(words, commands, code=code, prefix=prefix, message=message, exit_code=exit_code)
