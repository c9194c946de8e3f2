"""Running ``stuut-domain``: parse, run one command, print its outcome, map failures to exit 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from adapters.cli._arguments import build_parser
from adapters.cli._output import EXIT_UNUSABLE, PROG, Outcome, UnusableInput, say, say_json
from stuut_domain.errors import StuutDomainError

__all__ = ["main"]


def _emit(args: argparse.Namespace, outcome: Outcome) -> None:
    if args.command == "serve":
        say(sys.stderr, f"{PROG}: {outcome.text}")
    elif args.json:
        say_json(sys.stdout, {"command": args.command, **outcome.data})
    else:
        say(sys.stdout, outcome.text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``stuut-domain`` with ``argv`` (default: the process arguments); return the exit code.

    Never raises and never prints a traceback: usage errors, unreadable or invalid input and
    domain errors become one line on stderr and exit code 2; so does an unexpected error,
    named as an internal error.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        outcome: Outcome = args.run(args)
        _emit(args, outcome)
    except SystemExit as exc:  # --help prints and "exits" with 0
        return int(exc.code or 0)
    except UnusableInput as exc:
        say(sys.stderr, f"{PROG}: error: {exc}")
        return EXIT_UNUSABLE
    except (StuutDomainError, OSError, ValueError) as exc:
        say(sys.stderr, f"{PROG}: error: {exc}".replace("\n", " "))
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        say(sys.stderr, f"{PROG}: interrupted")
        return EXIT_UNUSABLE
    except Exception as exc:  # noqa: BLE001 - the promise is one line, never a traceback
        say(sys.stderr, f"{PROG}: internal error (please report): {type(exc).__name__}: {exc}")
        return EXIT_UNUSABLE
    return outcome.exit_code
