"""``stuut-domain serve``: serve a store as the Stuut API (the fake API) until interrupted.

Everything the fake API serves is read from the store: invoices, partners, payments and,
from the store's ``bank_transactions/`` and ``remittances/``, bank transactions (with
``mark-payment``) and remittances (ADR 0056).

Prints where it listens on stdout (one JSON line with ``--json``); Ctrl-C or SIGTERM stops it.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import signal
import sys
import tempfile
import threading

from adapters.cli._output import EXIT_CLEAN, Outcome, UnusableInput, say
from adapters.cli._store import open_named_store, require_store
from adapters.fake_api import FakeStuutApi
from adapters.json_store import JsonStore
from adapters.samples import copy_sample_portfolio

__all__ = ["run"]


def run(args: argparse.Namespace) -> Outcome:
    """Serve ``args.store`` on 127.0.0.1:``args.port`` until interrupted (the outcome: stopped).

    The store must be one the other commands accept (a directory with an ``invoices/``
    folder, or a SQL store's URL); a port already in use is unusable input.
    """
    require_store(args.store)
    if not 0 <= args.port <= 65535:
        raise UnusableInput(f"--port must be 0..65535, got {args.port}")
    store = open_named_store(args.store)
    copy: tempfile.TemporaryDirectory[str] | None = None
    if getattr(store, "read_only", False):
        # the bundled sample is never written: serve a copy, which POSTs may change
        copy = tempfile.TemporaryDirectory(prefix="stuut-sample-")
        store = JsonStore(copy_sample_portfolio(pathlib.Path(copy.name) / "portfolio"))
    try:
        api = FakeStuutApi.serving(store, token=args.token, port=args.port)
    except OSError as exc:
        if copy is not None:
            copy.cleanup()
        raise UnusableInput(
            f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}"
        ) from None
    data = {
        "url": api.url,
        "base_url": api.base_url,
        "token": args.token,
        "serving_a_copy": copy is not None,
    }
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:  # announced inside: a Ctrl-C as soon as the address is out still stops cleanly
        if args.json:
            say(sys.stdout, json.dumps({"command": "serve", **data}))
        else:
            note = " (a copy: the bundled sample is read-only)" if copy else ""
            say(
                sys.stdout,
                f"Serving {args.store}{note} as the Stuut API at {api.base_url} "
                f"(bearer token {args.token!r}); Ctrl-C stops.",
            )
        sys.stdout.flush()
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        api.stop()
        if copy is not None:
            copy.cleanup()
        close = getattr(store, "close", None)
        if close is not None:
            close()
    return Outcome(exit_code=EXIT_CLEAN, text="stopped", data={**data, "stopped": True})


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt
