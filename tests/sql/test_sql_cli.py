"""The command line on SQL stores: ``store copy`` both ways, ``--store URL``, ``store migrate``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.cli import main
from adapters.json_store import JsonStore
from adapters.samples import bundled_sample_root
from adapters.sql import SqlStore


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out + err


def test_copy_json_to_sql_and_back_keeps_every_entity(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The bundled sample copied into SQLite and back out: the same entities, field for field."""
    sample, url, back = bundled_sample_root(), f"sqlite:///{tmp_path / 'book.db'}", tmp_path / "b"
    there = _run(capsys, "store", "copy", str(sample), url, "--json")
    home = _run(capsys, "store", "copy", url, str(back))
    original, returned = JsonStore(sample), JsonStore(back)
    same = all(
        sorted(getattr(original, k).find(), key=lambda e: e.id)
        == sorted(getattr(returned, k).find(), key=lambda e: e.id)
        for k in ("invoices", "partners", "payments", "workflows")
    )
    assert (0, 400, 0, True) == (
        there[0],
        json.loads(there[1])["copied"]["invoices"],
        home[0],
        same,
    )


def test_a_second_copy_leaves_what_is_there(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Copying again writes nothing new: every id is counted as already there."""
    sample, url = bundled_sample_root(), f"sqlite:///{tmp_path / 'book.db'}"
    _run(capsys, "store", "copy", str(sample), url)
    code, out = _run(capsys, "store", "copy", str(sample), url, "--json")
    data = json.loads(out)
    assert (0, 0, 400) == (code, sum(data["copied"].values()), data["already_there"]["invoices"])


def test_aging_reads_a_sql_store_like_the_json_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``aging --store sqlite:///...`` reports exactly what it reports for the JSON store."""
    sample, url = bundled_sample_root(), f"sqlite:///{tmp_path / 'book.db'}"
    _run(capsys, "store", "copy", str(sample), url)
    from_sql = _run(capsys, "aging", "--store", url, "--at", "2026-11-26", "--json")
    from_json = _run(capsys, "aging", "--store", str(sample), "--at", "2026-11-26", "--json")
    assert from_json == from_sql


def test_a_missing_or_outdated_sql_store_is_unusable_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Exit 2 with the reason: no database file; an old schema names the migrate command."""
    missing = _run(
        capsys, "aging", "--store", f"sqlite:///{tmp_path}/nope.db", "--at", "2026-11-26"
    )
    url = f"sqlite:///{tmp_path / 'old.db'}"
    import sqlalchemy as sa

    from adapters.sql import schema

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        schema.upgrade(conn, "0001")
    engine.dispose()
    outdated = _run(capsys, "outreach", "--store", url, "--at", "2026-11-26")
    migrated = _run(capsys, "store", "migrate", url)
    store = SqlStore(url)
    revision = store.schema_revision()
    store.close()
    assert (2, True, 2, True, 0, schema.HEAD) == (
        missing[0],
        "does not exist" in missing[1],
        outdated[0],
        f"stuut-domain store migrate {url}" in outdated[1],
        migrated[0],
        revision,
    )


def test_serve_serves_a_sql_store_as_the_api(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``serve --store sqlite:///...``: the fake API answers from the database, then stops."""
    import signal
    import subprocess
    import sys
    import urllib.request

    url = f"sqlite:///{tmp_path / 'book.db'}"
    _run(capsys, "store", "copy", str(bundled_sample_root()), url)
    copied = SqlStore(url)
    some = next(iter(copied.invoices.ids()))
    copied.close()
    process = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "serve", "--store", url, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        started = json.loads(process.stdout.readline())
        request = urllib.request.Request(
            f"{started['base_url']}/invoices/{some}",
            headers={"Authorization": f"Bearer {started['token']}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            served = json.loads(response.read())
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)
    assert (some, False, 0) == (served["id"], started["serving_a_copy"], process.returncode)
