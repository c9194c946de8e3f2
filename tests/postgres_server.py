"""A throwaway PostgreSQL server for the SQL store's tests, started once per test session.

Uses the machine's PostgreSQL binaries (Debian's ``postgresql`` package: ``initdb`` and
``pg_ctl`` on PATH or in ``/usr/lib/postgresql/*/bin``). ``initdb`` refuses to run as root,
so as root the server runs as the ``postgres`` user. It listens on a Unix socket in a
temporary directory only (no TCP port), with ``fsync=off``: test data needs no durability.
When no binaries can be found or the server does not start, :func:`server_url` says why and
the PostgreSQL tests skip with that reason.
"""

from __future__ import annotations

import atexit
import glob
import itertools
import os
import shutil
import subprocess
import tempfile
import urllib.parse

__all__ = ["fresh_schema_url", "server_url"]

_state: dict[str, str | None] = {}
_counter = itertools.count(1)


def _binary(name: str) -> str | None:
    for candidate in sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True):
        return candidate
    return shutil.which(name)


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    runuser = shutil.which("runuser")
    if runuser is None:
        raise RuntimeError("running as root and no runuser to start PostgreSQL as postgres")
    return [runuser, "-u", "postgres", "--", *argv]


def _start() -> tuple[str | None, str | None]:
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        return None, "no PostgreSQL server binaries (apt-get install postgresql)"
    base = tempfile.mkdtemp(prefix="stuut-pg-")
    data = os.path.join(base, "data")
    if os.geteuid() == 0:
        try:
            shutil.chown(base, user="postgres")
        except (LookupError, OSError) as exc:
            return None, f"cannot hand the data directory to the postgres user: {exc}"
    options = f"-c listen_addresses='' -c unix_socket_directories={base} -c fsync=off"
    try:
        subprocess.run(
            _as_server_user([initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]),
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run(
            _as_server_user(
                [pg_ctl, "-D", data, "-o", options, "-l", f"{base}/log", "-w", "start"]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        return None, f"PostgreSQL did not start: {exc} {detail.decode(errors='replace')[:300]}"

    def stop() -> None:
        subprocess.run(
            _as_server_user([pg_ctl, "-D", data, "-m", "immediate", "stop"]),
            capture_output=True,
            check=False,
            timeout=60,
        )
        shutil.rmtree(base, ignore_errors=True)

    atexit.register(stop)
    return f"postgresql://postgres@/postgres?host={urllib.parse.quote(base)}", None


def server_url() -> tuple[str | None, str | None]:
    """(URL of the session's server, None) or (None, why there is none)."""
    if "url" not in _state:
        _state["url"], _state["reason"] = _start()
    return _state["url"], _state["reason"]


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
