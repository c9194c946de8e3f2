"""What a command produces and how it is shown: exit codes, :class:`Outcome`, JSON, progress.

Exit codes: ``0`` clean; ``1`` findings; ``2`` unusable input (:class:`UnusableInput`);
``130`` interrupted.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from typing import IO, Any, Final

import attrs

from stuut_domain.display import text_table

__all__ = [
    "EXIT_CLEAN",
    "EXIT_FINDINGS",
    "EXIT_INTERRUPTED",
    "EXIT_UNUSABLE",
    "PROG",
    "Outcome",
    "Progress",
    "UnusableInput",
    "encodable",
    "limited",
    "say",
    "say_json",
    "section",
    "to_json",
]

EXIT_CLEAN: Final = 0
EXIT_FINDINGS: Final = 1
EXIT_UNUSABLE: Final = 2
#: Interrupted (Ctrl-C, SIGINT): 128 + 2, as shells report it.
EXIT_INTERRUPTED: Final = 130
PROG: Final = "stuut-domain"


class UnusableInput(Exception):
    """Input a command cannot work with at all: exit 2 with this one-line message."""


@attrs.frozen(kw_only=True, weakref_slot=False)
class Outcome:
    """What a command produced: its exit code, text for a terminal and data for ``--json``."""

    exit_code: int
    text: str
    data: Any


def to_json(data: Any, *, ascii_only: bool = False) -> str:
    """JSON text for ``--json``: Decimals as exact strings (never floats), dates in ISO 8601;
    with ``ascii_only``, every non-ASCII character as a ``\\u`` escape."""
    return json.dumps(data, default=_plain, indent=2, ensure_ascii=ascii_only)


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
            self._stream.write(encodable(self._stream, f"\r{self.label}: {done}{of}"))
            self._stream.flush()

    def done(self) -> None:
        """Clear the progress line."""
        if self._enabled and self.count:
            self._stream.write("\r\x1b[K")
            self._stream.flush()


def section(title: str, body: str) -> str:
    """A titled block of text: the title underlined with ``=``, then the body."""
    return f"{title}\n{'=' * len(title)}\n{body}"


def limited(columns: Sequence[str], rows: Sequence[dict[str, object]], limit: int | None) -> str:
    """A text table of at most ``limit`` rows, saying how many more ``--json`` shows."""
    if limit is None or len(rows) <= limit:
        return text_table(columns, rows)
    rest = len(rows) - limit
    return f"{text_table(columns, rows[:limit])}\n... {rest} more row(s); --json shows all"


def encodable(stream: object, text: str) -> str:
    """``text`` as ``stream`` can encode it: unencodable characters backslash-escaped.

    Output degrades, never fails: under a cp1252 or ASCII stdout (a Windows pipe,
    ``PYTHONIOENCODING``), ``Boğaziçi`` prints as ``Bo\\u011faziçi`` instead of raising
    an encoding error.
    """
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:  # an encoding Python does not know: leave it to the stream
        return text
    return text


def say(stream: IO[str] | None, text: str) -> None:
    """Write ``text`` to ``stream`` as whole lines (a final newline added when missing),
    degraded to what the stream can encode (:func:`encodable`). A closed standard stream
    (``None``: the process started with it closed) takes nothing, and nothing fails."""
    if stream is None:
        return
    stream.write(encodable(stream, text if text.endswith("\n") else text + "\n"))


def say_json(stream: IO[str] | None, data: Any) -> None:
    """Write ``data`` as one JSON document; ASCII escapes when the stream cannot encode it.

    The document stays exact under any encoding: ``\\u011f`` escapes are JSON, where a
    degraded character would not be.
    """
    text = to_json(data)
    if encodable(stream, text) != text:
        text = to_json(data, ascii_only=True)
    say(stream, text)
