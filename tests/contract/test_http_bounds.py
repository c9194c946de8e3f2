"""The HTTP clients under hostile servers: every call bounded, every error typed, no secret out.

Each behaviour runs on both clients (they share one core, ADR 0024). Servers that misbehave
at the HTTP level are ``httpx.MockTransport`` handlers; the one that misbehaves in time (a
trickle of bytes) is a real loopback socket, since only a real read can be slow.
"""

from __future__ import annotations

import gzip
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from contract_support import TOKEN, invoice
from http_support import FLAVOURS, Flavour, Sleeps, client_options

from adapters import stuut_json
from adapters.errors import (
    ApiNotFound,
    ApiUnavailable,
    BadResponse,
    StuutApiError,
    Unprocessable,
)
from adapters.http_api import RetryPolicy
from stuut_domain.errors import NotFound

INVOICE_JSON = json.loads(stuut_json.encode_invoice(invoice("inv_2024_0001")))


@pytest.fixture(params=FLAVOURS, ids=lambda f: f.name)
def flavour(request: pytest.FixtureRequest) -> Flavour:
    return request.param  # type: ignore[no-any-return]


def mock(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.MockTransport:
    return httpx.MockTransport(handler)


def options(**extra: Any) -> dict[str, Any]:
    return {**client_options(Sleeps()), **extra}


def transport_option(flavour: Flavour, handler: Callable[[httpx.Request], httpx.Response]) -> Any:
    """The same handler as a sync or an async transport."""
    if flavour.name == "sync":
        return mock(handler)

    async def async_handler(request: httpx.Request) -> httpx.Response:
        return handler(request)

    return httpx.MockTransport(async_handler)


BASE = "http://api.test/v1"


# -- a server that trickles ---------------------------------------------------------------


class TrickleServer:
    """Loopback HTTP that sends headers at once, then one body byte every ``gap`` seconds."""

    def __init__(self, gap: float = 0.2) -> None:
        self._gap = gap
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}/v1"

    def _serve(self) -> None:
        self._sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:  # closed by close()
                return
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 1000000\r\n\r\n"
                )
                while not self._stop.is_set():
                    conn.sendall(b" ")
                    time.sleep(self._gap)
            except OSError:
                return

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(timeout=5)


@pytest.fixture
def trickle() -> Iterator[TrickleServer]:
    server = TrickleServer()
    yield server
    server.close()


class TestDeadline:
    def test_a_trickling_server_is_given_up_at_the_deadline(
        self, flavour: Flavour, trickle: TrickleServer
    ) -> None:
        """One byte every 0.2 s never trips a read timeout; the 1 s deadline ends the call."""
        started = time.monotonic()
        with pytest.raises(ApiUnavailable, match="deadline"):
            flavour.call(trickle.base_url, "get_invoice", "inv_1", **options(deadline=1.0))
        assert time.monotonic() - started < 15  # bounded: without the deadline, forever

    def test_a_wait_that_would_pass_the_deadline_is_not_slept(self, flavour: Flavour) -> None:
        """Retry-After 30 s with 5 s left: give up now, without sleeping."""
        sleeps = Sleeps()

        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(503, headers={"Retry-After": "30"})

        with pytest.raises(ApiUnavailable, match="deadline"):
            flavour.call(
                BASE,
                "get_invoice",
                "inv_1",
                **{
                    **client_options(sleeps),
                    "deadline": 5.0,
                    "transport": transport_option(flavour, handler),
                },
            )
        assert [] == sleeps.waits


class TestResponseSize:
    def test_a_gzip_bomb_stops_at_the_cap(self, flavour: Flavour) -> None:
        """50 MB of zeros in 50 KB of gzip: refused once 1 MiB is inflated, as BadResponse."""
        bomb = gzip.compress(b"0" * 50_000_000, compresslevel=9)

        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=bomb)

        with pytest.raises(BadResponse, match="larger than 1048576 bytes"):
            flavour.call(
                BASE,
                "get_invoice",
                "inv_1",
                **options(
                    max_response_bytes=1024 * 1024, transport=transport_option(flavour, handler)
                ),
            )

    def test_a_body_that_is_not_gzip_is_a_bad_response(self, flavour: Flavour) -> None:
        """Content-Encoding: gzip over garbage: BadResponse, not httpx.DecodingError."""

        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=b"garbage!")

        with pytest.raises(BadResponse, match="cannot be decoded"):
            flavour.call(
                BASE,
                "get_invoice",
                "inv_1",
                **options(transport=transport_option(flavour, handler)),
            )


class TestPagination:
    @staticmethod
    def endless(total: int) -> tuple[Callable[[httpx.Request], httpx.Response], list[int]]:
        asked: list[int] = []

        def handler(request: httpx.Request) -> httpx.Response:
            page = int(request.url.params["page"])
            asked.append(page)
            item = {**INVOICE_JSON, "id": f"inv_{page:06d}"}
            body = {
                "data": [item],
                "current_page": page,
                "total_records": total,
                "next_page": page + 1,
            }
            return httpx.Response(200, json=body)

        return handler, asked

    def test_a_listing_that_never_ends_stops_at_max_pages(self, flavour: Flavour) -> None:
        """next_page forever and no count: BadResponse after max_pages requests, not 6,623."""
        handler, asked = self.endless(total=0)
        with pytest.raises(BadResponse, match="after 50 pages"):
            flavour.call(
                BASE,
                "list_invoices",
                **options(max_pages=50, transport=transport_option(flavour, handler)),
            )
        assert 50 == len(asked)

    def test_a_listing_ends_at_total_records(self, flavour: Flavour) -> None:
        """total_records 3 and next_page forever: three invoices, three requests."""
        handler, asked = self.endless(total=3)
        found = flavour.call(
            BASE, "list_invoices", **options(transport=transport_option(flavour, handler))
        )
        assert (["inv_000000", "inv_000001", "inv_000002"], [0, 1, 2]) == (
            [i.id for i in found],
            asked,
        )

    def test_an_empty_page_that_promises_more_is_refused(self, flavour: Flavour) -> None:
        """data [] with a next_page would walk empty pages forever: BadResponse."""

        def handler(request: httpx.Request) -> httpx.Response:
            page = int(request.url.params["page"])
            return httpx.Response(200, json={"data": [], "next_page": page + 1})

        with pytest.raises(BadResponse, match="empty but next_page"):
            flavour.call(
                BASE, "list_invoices", **options(transport=transport_option(flavour, handler))
            )


class TestTypedErrors:
    def test_a_superscript_retry_after_is_ignored_not_a_value_error(self, flavour: Flavour) -> None:
        """Retry-After: ² is no number to HTTP: the client's own backoff applies."""
        answers = iter(
            [
                httpx.Response(503, headers=[(b"Retry-After", "²".encode())]),
                httpx.Response(200, json=INVOICE_JSON),
            ]
        )
        found = flavour.call(
            BASE,
            "get_invoice",
            "inv_2024_0001",
            **options(transport=transport_option(flavour, lambda request: next(answers))),
        )
        assert "inv_2024_0001" == found.id

    def test_a_404_is_an_api_error_and_the_cores_not_found(self, flavour: Flavour) -> None:
        """ApiNotFound is both: code written against any repository still catches it."""

        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(404, json={"message": "no such invoice"})

        with pytest.raises(ApiNotFound) as caught:
            flavour.call(
                BASE,
                "get_invoice",
                "inv_404",
                **options(transport=transport_option(flavour, handler)),
            )
        error = caught.value
        assert (True, True, "inv_404", 404) == (
            isinstance(error, StuutApiError),
            isinstance(error, NotFound),
            error.entity_id,
            error.status,
        )


class TestSecrets:
    @pytest.mark.parametrize("token", ["sk_ab\tcd", "sk ab", "sk_é", "sk_\x00", "Bearer\u2028x"])
    def test_a_token_that_could_leak_escaped_is_refused(self, token: str) -> None:
        """A TAB, space, control or non-ASCII character would reach errors escaped: refused."""
        with pytest.raises(ValueError, match="letters, digits"):
            Flavour("sync").call(BASE, "get_invoice", "inv_1", token=token)

    def test_a_short_token_does_not_garble_messages(self, flavour: Flavour) -> None:
        """Token "t": "disconnected" stays "disconnected"; the token standing alone goes."""

        def handler(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("peer disconnected; header was Bearer t")

        with pytest.raises(ApiUnavailable) as caught:
            flavour.call(
                BASE,
                "get_invoice",
                "inv_1",
                **options(
                    token="t",
                    retry=RetryPolicy(attempts=1),
                    transport=transport_option(flavour, handler),
                ),
            )
        assert "peer disconnected; header was Bearer [redacted]" in str(caught.value)

    def test_an_echoed_header_leaves_no_trace_in_detail_cause_or_cut(
        self, flavour: Flavour, caplog: pytest.LogCaptureFixture
    ) -> None:
        """422 quoting the header in its detail, and a message cut right inside the token:
        neither the detail, the message, the cause chain nor the log holds any of it."""

        def handler(request: httpx.Request) -> httpx.Response:
            echoed = request.headers["Authorization"]
            body = {
                "message": "x" * 190 + echoed,
                "detail": {"headers": {"authorization": echoed}, "seen": [echoed]},
            }
            return httpx.Response(422, json=body)

        caplog.set_level(logging.DEBUG)
        with pytest.raises(Unprocessable) as caught:
            flavour.call(
                BASE,
                "sync_invoice",
                "inv_1",
                **options(transport=transport_option(flavour, handler)),
            )
        error: BaseException | None = caught.value
        texts = [repr(caught.value.detail), caplog.text]
        while error is not None:
            texts.append(str(error))
            error = error.__cause__ or error.__context__
        assert not [t for t in texts if TOKEN[:8] in t]

    def test_a_bad_shape_quoting_the_token_is_scrubbed(self, flavour: Flavour) -> None:
        """An entity whose bad field holds the echoed token: BadResponse without it, unchained."""

        def handler(request: httpx.Request) -> httpx.Response:
            echoed = request.headers["Authorization"]
            return httpx.Response(200, json={**INVOICE_JSON, "amount_due": echoed})

        with pytest.raises(BadResponse) as caught:
            flavour.call(
                BASE,
                "get_invoice",
                "inv_1",
                **options(transport=transport_option(flavour, handler)),
            )
        assert (False, None) == (TOKEN in str(caught.value), caught.value.__cause__)


class TestIdempotentPosts:
    def test_every_try_of_one_post_carries_the_same_key(self, flavour: Flavour) -> None:
        """503 then 200 on a sync: two tries, one Idempotency-Key; a GET carries none."""
        seen: list[tuple[str, str | None]] = []
        answers = iter([httpx.Response(503), httpx.Response(200, json=INVOICE_JSON)])

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append((request.method, request.headers.get("Idempotency-Key")))
            return next(answers)

        flavour.call(
            BASE,
            "sync_invoice",
            "inv_2024_0001",
            **options(transport=transport_option(flavour, handler)),
        )
        keys = {key for _, key in seen}
        assert (2, 1, True) == (len(seen), len(keys), None not in keys)

        def get_handler(request: httpx.Request) -> httpx.Response:
            seen.append((request.method, request.headers.get("Idempotency-Key")))
            return httpx.Response(200, json=INVOICE_JSON)

        flavour.call(
            BASE,
            "get_invoice",
            "inv_2024_0001",
            **options(transport=transport_option(flavour, get_handler)),
        )
        assert ("GET", None) == seen[-1]
