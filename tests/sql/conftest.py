"""Fixtures of the SQL store's own tests: a database URL per engine, empty and ready."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy", reason="the SQL store needs the [sql] extra")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "contract"))

import postgres_server


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL naming an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'book.db'}"
        return
    pytest.importorskip("psycopg", reason="PostgreSQL needs the [postgresql] extra")
    server, why = postgres_server.server_url()
    if server is None:
        pytest.skip(why or "no PostgreSQL server")
    url, schema = postgres_server.fresh_schema_url(server)
    yield url
    postgres_server.drop_schema(server, schema)
