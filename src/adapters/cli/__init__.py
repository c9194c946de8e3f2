"""The ``stuut-domain`` command: check Stuut JSON, age, decide and simulate outreach, serve, demo.

A thin adapter over the core and the composition root of the other adapters (ADR 0002):
every command is a small function from its parsed arguments to an :class:`Outcome` (an exit
code, text for people, data for ``--json``); :func:`main` parses, runs one command, prints
the outcome and turns every expected failure into one line on stderr.

Exit codes: ``0`` clean; ``1`` findings (for ``check``: invariant violations, undecodable
documents, documents not of their kind, unreadable files; for the store commands: store
files that could not be read and were skipped); ``2`` unusable input (a missing path, input
holding no document at all, a bad date or option, a directory that is no store, a store
without a workflow, a port in use), with one line on stderr and never a traceback;
``130`` interrupted (Ctrl-C; ``serve`` stops with ``0``, Ctrl-C being how it is stopped).
With ``--json`` stdout is exactly one JSON document, an error included. Progress on long
runs is drawn on stderr, only when stderr is a terminal.

One module per command (``check``, ``aging``, ``outreach``, ``simulate``, ``serve``, ``demo``);
``_arguments`` holds the parser, ``_app`` runs it, ``_output`` shapes what is printed and
``_store`` reads a store.
"""

from __future__ import annotations

from adapters.cli._app import main
from adapters.cli._output import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_UNUSABLE,
    Outcome,
    Progress,
    UnusableInput,
    to_json,
)

__all__ = [
    "EXIT_CLEAN",
    "EXIT_FINDINGS",
    "EXIT_INTERRUPTED",
    "EXIT_UNUSABLE",
    "Outcome",
    "Progress",
    "UnusableInput",
    "main",
    "to_json",
]
