"""The HTTP client against the fake API over real loopback HTTP: retries, errors, secrecy."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import random
import socket
import ssl
from collections.abc import Iterator

import httpx
import pytest
from contract_support import TOKEN, payment
from http_support import NOW, Sleeps, http_store

from adapters import stuut_json
from adapters.clock import FixedClock
from adapters.errors import (
    ApiUnavailable,
    BadResponse,
    Forbidden,
    StuutApiError,
    Unauthorized,
    UnexpectedStatus,
    Unprocessable,
)
from adapters.fake_api import FakeStuutApi, Fault
from adapters.http_api import RetryPolicy, StuutApiClient, parse_retry_after
from adapters.memory import MemoryStore
from stuut_domain.errors import NotFound, StuutDomainError
from stuut_domain.ports import InvoiceQuery


@pytest.fixture
def store() -> MemoryStore:
    """Acme with five invoices, Globex with one, and a payment awaiting approval."""
    return http_store()


@pytest.fixture
def api(store: MemoryStore) -> Iterator[FakeStuutApi]:
    """The fake API over the store, on 127.0.0.1 and a free port, with a fixed clock."""
    with FakeStuutApi.serving(store, token=TOKEN, clock=FixedClock(NOW)) as running:
        yield running


@pytest.fixture
def sleeps() -> Sleeps:
    """A sleep that only records."""
    return Sleeps()


@pytest.fixture
def client(api: FakeStuutApi, sleeps: Sleeps) -> Iterator[StuutApiClient]:
    """A client of the fake API that records its waits and uses seeded jitter."""
    with StuutApiClient(
        TOKEN,
        base_url=api.base_url,
        page_size=2,
        timeout=2.0,
        sleep=sleeps,
        rng=random.Random(7),
        clock=FixedClock(NOW),
    ) as c:
        yield c


class TestEndpoints:
    def test_listing_pages_lazily(self, client: StuutApiClient, api: FakeStuutApi) -> None:
        """Taking the first invoice fetches one page only; draining fetches them all."""
        listing = client.list_invoices()
        first = next(listing)
        requests_after_first = len(api.requests)
        rest = list(listing)
        pages = [r.query["page"] for r in api.requests]
        assert ("inv_2024_0000", 1, 5, ["0", "1", "2"]) == (
            first.id,
            requests_after_first,
            len(rest),
            pages,
        )

    def test_the_partner_filter_is_sent_and_applied(
        self, client: StuutApiClient, api: FakeStuutApi
    ) -> None:
        """The partner filter goes out as ?partner=…; the result holds that partner only."""
        got = [i.id for i in client.list_invoices(InvoiceQuery(partner_id="ptn_globex"))]
        assert (["inv_2024_0100"], "ptn_globex") == (got, api.requests[0].query["partner"])

    def test_sync_stamps_and_saves_the_invoice(
        self, client: StuutApiClient, store: MemoryStore
    ) -> None:
        """POST /sync returns the invoice marked synced at the API's clock, and stores it."""
        synced = client.sync_invoice("inv_2024_0003")
        assert (NOW, "synced", synced) == (
            synced.last_synced_at,
            synced.sync_status,
            store.invoices.get("inv_2024_0003"),
        )

    def test_approve_allocations_approves_each_allocation(self, client: StuutApiClient) -> None:
        """POST /approve-allocations returns the payment with every allocation approved."""
        approved = client.approve_allocations("pay_0007")
        assert [(True, NOW)] == [(a.approved, a.approved_at) for a in approved.allocations]

    def test_actions_on_missing_entities_are_not_found(self, client: StuutApiClient) -> None:
        """sync and approve-allocations of unknown ids raise NotFound, like get."""
        kinds = []
        for call in (
            lambda: client.sync_invoice("inv_nope"),
            lambda: client.approve_allocations("pay_nope"),
        ):
            with pytest.raises(NotFound) as caught:
                call()
            kinds.append(caught.value.kind)
        assert ["invoice", "payment"] == kinds

    def test_page_size_must_be_between_1_and_200(self, api: FakeStuutApi) -> None:
        """limit outside 1-200 is refused before any request."""
        with pytest.raises(ValueError, match="1-200"):
            StuutApiClient(TOKEN, base_url=api.base_url, page_size=201)


class TestUnknownKeysSurviveTheFakeApi:
    """ADR 0034: what the fake API stores it answers and saves back with its unknown keys."""

    def _store(self) -> MemoryStore:
        store = http_store()
        document = json.loads(stuut_json.encode_invoice(store.invoices.get("inv_2024_0003")))
        document["id"] = "inv_2024_0200"
        document["x_erp_batch"] = {"run": 7}
        document["billing_address"] = {"object": "address", "x_colour": "red"}
        store.invoices.add(stuut_json.decode_invoice(json.dumps(document).encode()))
        pay = json.loads(stuut_json.encode_payment(payment("pay_0009")))
        pay["allocations"][0]["x_erp_line"] = "L-1"
        pay["x_bank"] = None
        store.payments.add(stuut_json.decode_payment(json.dumps(pay).encode()))
        return store

    def test_reading_and_syncing_an_invoice_keep_its_unknown_keys(self) -> None:
        """GET answers the unknown keys; POST /sync saves and answers them beside its stamp."""
        store = self._store()
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with FakeStuutApi.serving(store, token=TOKEN, clock=FixedClock(NOW)) as api:
            got = httpx.get(f"{api.base_url}/invoices/inv_2024_0200", headers=headers)
            synced = httpx.post(f"{api.base_url}/invoices/inv_2024_0200/sync", headers=headers)
        assert (200, 200) == (got.status_code, synced.status_code), got.text
        for body in (got.json(), synced.json()):
            assert ({"run": 7}, {"object": "address", "x_colour": "red"}) == (
                body["x_erp_batch"],
                body["billing_address"],
            )
        assert "synced" == synced.json()["sync_status"]
        saved = json.loads(stuut_json.encode_invoice(store.invoices.get("inv_2024_0200")))
        assert ({"run": 7}, "synced") == (saved["x_erp_batch"], saved["sync_status"])

    def test_approving_allocations_keeps_the_unknown_keys_of_each(self) -> None:
        """POST /approve-allocations evolves each allocation; their unknown keys stay."""
        store = self._store()
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with FakeStuutApi.serving(store, token=TOKEN, clock=FixedClock(NOW)) as api:
            url = f"{api.base_url}/payments/pay_0009/approve-allocations"
            body = httpx.post(url, headers=headers).json()
        assert (True, "L-1") == (
            body["allocations"][0]["approved"],
            body["allocations"][0]["x_erp_line"],
        )
        assert None is body["x_bank"]
        saved = json.loads(stuut_json.encode_payment(store.payments.get("pay_0009")))
        assert "L-1" == saved["allocations"][0]["x_erp_line"]


class TestRetries:
    def test_503_twice_then_success(
        self, client: StuutApiClient, api: FakeStuutApi, sleeps: Sleeps
    ) -> None:
        """Two 503s are retried with jittered, growing ceilings; the third try answers."""
        api.faults.inject(Fault(status=503), times=2)
        got = client.get_invoice("inv_2024_0001")
        assert ("inv_2024_0001", 3, 2) == (got.id, len(api.requests), len(sleeps.waits))
        assert 0 <= sleeps.waits[0] <= 0.5
        assert 0 <= sleeps.waits[1] <= 1.0

    def test_retry_after_seconds_is_a_floor_on_the_wait(
        self, client: StuutApiClient, api: FakeStuutApi, sleeps: Sleeps
    ) -> None:
        """429 with Retry-After: 3 waits at least 3 s before the next try."""
        api.faults.inject(Fault(status=429, retry_after="3"))
        client.get_invoice("inv_2024_0001")
        assert [3.0] == sleeps.waits

    def test_retry_after_as_an_http_date(
        self, client: StuutApiClient, api: FakeStuutApi, sleeps: Sleeps
    ) -> None:
        """Retry-After as an HTTP date waits until that instant (by the client's clock)."""
        when = email.utils.format_datetime(NOW + dt.timedelta(seconds=5), usegmt=True)
        api.faults.inject(Fault(status=503, retry_after=when))
        client.get_invoice("inv_2024_0001")
        assert [5.0] == sleeps.waits

    def test_the_client_gives_up_after_its_attempts(
        self, client: StuutApiClient, api: FakeStuutApi, sleeps: Sleeps
    ) -> None:
        """A 503 that never clears: four tries, three waits, then ApiUnavailable."""
        api.faults.inject(Fault(status=503), times=None)
        with pytest.raises(ApiUnavailable) as caught:
            client.get_invoice("inv_2024_0001")
        assert (4, 503, 4, 3) == (
            caught.value.attempts,
            caught.value.status,
            len(api.requests),
            len(sleeps.waits),
        )

    def test_a_retry_after_beyond_the_policy_is_not_waited_for(
        self, client: StuutApiClient, api: FakeStuutApi, sleeps: Sleeps
    ) -> None:
        """Retry-After: 3600 exceeds the 60 s the policy waits: give up at once, saying why."""
        api.faults.inject(Fault(status=429, retry_after="3600"))
        with pytest.raises(ApiUnavailable, match="Retry-After 3600s"):
            client.get_invoice("inv_2024_0001")
        assert (1, []) == (len(api.requests), sleeps.waits)

    def test_a_slow_answer_times_out_and_is_retried(
        self, api: FakeStuutApi, sleeps: Sleeps
    ) -> None:
        """An answer slower than the read timeout counts as a transport failure: retried."""
        api.faults.inject(Fault(delay=0.6))
        with StuutApiClient(TOKEN, base_url=api.base_url, timeout=0.2, sleep=sleeps) as c:
            got = c.get_invoice("inv_2024_0001")
        assert ("inv_2024_0001", 1) == (got.id, len(sleeps.waits))

    def test_a_dropped_connection_is_retried(
        self, client: StuutApiClient, api: FakeStuutApi, sleeps: Sleeps
    ) -> None:
        """The server hanging up without an answer is retried."""
        api.faults.inject(Fault(disconnect=True))
        assert "inv_2024_0001" == client.get_invoice("inv_2024_0001").id

    def test_a_refused_connection_gives_up_with_api_unavailable(self, sleeps: Sleeps) -> None:
        """Nobody listening: every try fails to connect; ApiUnavailable after the budget."""
        with FakeStuutApi(
            invoices=MemoryStore().invoices,
            partners=MemoryStore().partners,
            payments=MemoryStore().payments,
            token=TOKEN,
        ) as gone:
            dead_url = gone.base_url
        policy = RetryPolicy(attempts=2)
        with (
            StuutApiClient(TOKEN, base_url=dead_url, retry=policy, sleep=sleeps) as c,
            pytest.raises(ApiUnavailable, match="ConnectError"),
        ):
            c.get_invoice("inv_2024_0001")

    def test_a_retry_mid_listing_resumes_at_the_same_page(
        self, client: StuutApiClient, api: FakeStuutApi
    ) -> None:
        """A 502 on page 1 is retried for page 1; nothing is skipped or repeated."""
        api.faults.inject(Fault(status=502), times=1, path="/v1/invoices")
        listing = client.list_invoices()
        first_page = [next(listing).id, next(listing).id]
        rest = [i.id for i in listing]
        assert [f"inv_2024_{n:04d}" for n in range(5)] + ["inv_2024_0100"] == sorted(
            first_page + rest
        )


class TestRetryPolicy:
    def test_backoff_stays_within_the_growing_capped_ceiling(self) -> None:
        """Retry n waits within [0, min(max_delay, base × 2^(n-1))]."""
        policy = RetryPolicy(base_delay=0.5, max_delay=4.0)
        rng = random.Random(1)
        ceilings = [0.5, 1.0, 2.0, 4.0, 4.0]
        assert all(
            0 <= policy.backoff(n, rng) <= ceiling
            for n, ceiling in enumerate(ceilings, start=1)
            for _ in range(50)
        )

    def test_unreadable_retry_after_is_ignored(self) -> None:
        """A Retry-After that is neither seconds nor a date falls back to backoff."""
        assert (None, 0.0) == (
            parse_retry_after("soon", NOW),
            parse_retry_after("Mon, 01 Jan 2024 00:00:00 GMT", NOW),
        )


class TestErrors:
    def test_a_missing_invoice_is_not_found(self, client: StuutApiClient) -> None:
        """404 from GET /v1/invoices/{id} is the core's NotFound."""
        with pytest.raises(NotFound):
            client.get_invoice("inv_missing")

    def test_a_wrong_token_is_unauthorized(self, api: FakeStuutApi) -> None:
        """401 maps to Unauthorized, not retried."""
        with (
            StuutApiClient("sk_wrong", base_url=api.base_url) as c,
            pytest.raises(Unauthorized, match="invalid bearer token"),
        ):
            c.get_invoice("inv_2024_0001")
        assert 1 == len(api.requests)

    @pytest.mark.parametrize(
        ("status", "error"),
        [(403, Forbidden), (422, Unprocessable), (400, UnexpectedStatus), (500, UnexpectedStatus)],
    )
    def test_other_refusals_map_to_typed_errors(
        self, client: StuutApiClient, api: FakeStuutApi, status: int, error: type[Exception]
    ) -> None:
        """403, 422 and unmapped statuses raise their typed error at once, naming the endpoint."""
        api.faults.inject(Fault(status=status))
        with pytest.raises(error, match="GET /v1/invoices/inv_2024_0001"):
            client.get_invoice("inv_2024_0001")
        assert 1 == len(api.requests)

    def test_a_malformed_body_is_a_bad_response_naming_the_endpoint(
        self, client: StuutApiClient, api: FakeStuutApi
    ) -> None:
        """A 200 whose body is not JSON: BadResponse naming the endpoint, never a crash."""
        api.faults.inject(Fault(malformed=True))
        with pytest.raises(BadResponse, match=r"GET /v1/invoices/inv_2024_0001.*not valid JSON"):
            client.get_invoice("inv_2024_0001")

    def test_a_list_without_the_envelope_is_a_bad_response(
        self, client: StuutApiClient, api: FakeStuutApi
    ) -> None:
        """A list endpoint answering a bare array instead of the envelope: BadResponse."""
        api.faults.inject(Fault(body=b"[]"))
        with pytest.raises(BadResponse, match=r"GET /v1/invoices.*'data'"):
            list(client.list_invoices())

    def test_an_entity_of_the_wrong_shape_names_the_json_path(
        self, client: StuutApiClient, api: FakeStuutApi
    ) -> None:
        """An invoice whose amount is a string: BadResponse naming the field path."""
        api.faults.inject(
            Fault(body=b'{"data": [{"amount_due": "a lot"}], "current_page": 0, "next_page": null}')
        )
        with pytest.raises(BadResponse, match=r"data\[0\]"):
            list(client.list_invoices())

    def test_a_next_page_that_does_not_advance_is_refused(
        self, client: StuutApiClient, api: FakeStuutApi
    ) -> None:
        """next_page pointing back at the same page would loop forever: BadResponse."""
        api.faults.inject(Fault(body=b'{"data": [], "current_page": 0, "next_page": 0}'))
        with pytest.raises(BadResponse, match="next_page"):
            list(client.list_invoices())

    def test_every_api_error_is_a_stuut_api_error(self) -> None:
        """The HTTP errors share one base, itself a StuutDomainError."""
        assert all(
            issubclass(e, StuutApiError)
            for e in (ApiUnavailable, BadResponse, Forbidden, Unauthorized, Unprocessable)
        )


class TestSecrecy:
    def test_the_token_is_not_in_the_client_repr(self, client: StuutApiClient) -> None:
        """repr shows the base URL and a redaction mark, never the token."""
        assert (False, True) == (TOKEN in repr(client), "[redacted]" in repr(client))

    def test_the_token_is_sent_as_a_bearer_header(
        self, client: StuutApiClient, api: FakeStuutApi
    ) -> None:
        """Requests carry the token (the fake accepted them) although nothing shows it."""
        client.get_invoice("inv_2024_0001")
        assert [True] == [r.authorized for r in api.requests]

    def test_the_token_is_in_no_log_line_or_error(
        self, client: StuutApiClient, api: FakeStuutApi, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Retries, failures and httpx's own debug logs never contain the token."""
        caplog.set_level(logging.DEBUG)
        api.faults.inject(Fault(status=503), times=2)
        client.get_invoice("inv_2024_0001")
        api.faults.inject(Fault(status=503), times=None)
        messages = []
        for call in (
            lambda: client.get_invoice("inv_2024_0001"),
            lambda: client.get_invoice("inv_nope"),
        ):
            try:
                call()
            except StuutDomainError as exc:
                messages.append(f"{exc!s} {exc!r} {exc.args!r}")
        api.faults.clear()
        text = "\n".join(r.getMessage() for r in caplog.records) + "\n".join(messages)
        assert (False, True, 2) == (TOKEN in text, "retry 1 of 3" in text, len(messages))

    def test_a_server_echoing_the_token_is_scrubbed(self, api: FakeStuutApi) -> None:
        """If the server puts the token in its error message, the exception shows [redacted]."""
        api.faults.inject(Fault(body=f"bad token {TOKEN}".encode()))
        with (
            StuutApiClient(TOKEN, base_url=api.base_url) as c,
            pytest.raises(BadResponse) as caught,
        ):
            c.get_invoice("inv_2024_0001")
        assert (False, True) == (TOKEN in str(caught.value), "[redacted]" in str(caught.value))

    def test_tls_certificates_are_verified_by_default(self) -> None:
        """A client built without verify=False requires valid certificates."""
        with StuutApiClient(TOKEN) as c:
            context = c._http._transport._pool._ssl_context  # type: ignore[attr-defined]
        assert (ssl.CERT_REQUIRED, True) == (context.verify_mode, context.check_hostname)


class TestFakeApi:
    def test_no_token_is_401_with_a_json_body(self, api: FakeStuutApi) -> None:
        """Without a bearer token the fake answers 401 and says why."""
        response = httpx.get(f"{api.base_url}/invoices")
        assert (401, "unauthorized", "Bearer") == (
            response.status_code,
            response.json()["error"],
            response.headers["WWW-Authenticate"],
        )

    def test_a_missing_invoice_is_404_with_a_json_body(self, api: FakeStuutApi) -> None:
        """404 bodies say what was not found."""
        response = httpx.get(
            f"{api.base_url}/invoices/inv_nope", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert (404, "not_found") == (response.status_code, response.json()["error"])

    def test_the_envelope_counts_every_record(self, api: FakeStuutApi) -> None:
        """The list envelope has data, current_page, total_records and next_page."""
        response = httpx.get(
            f"{api.base_url}/invoices",
            params={"page": 2, "limit": 2},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        body = response.json()
        assert (2, 2, 6, None) == (
            len(body["data"]),
            body["current_page"],
            body["total_records"],
            body["next_page"],
        )

    def test_a_limit_out_of_range_is_422(self, api: FakeStuutApi) -> None:
        """limit above 200 is refused FastAPI-style with the offending parameter."""
        response = httpx.get(
            f"{api.base_url}/invoices",
            params={"limit": 500},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert (422, ["query", "limit"]) == (
            response.status_code,
            response.json()["detail"][0]["loc"],
        )

    @pytest.mark.parametrize(
        ("framing", "status"),
        [
            (b"Content-Length: abc\r\n", 400),
            (b"Content-Length: -1\r\n", 400),
            (b"Content-Length: 1000000000000\r\n", 413),
            (b"Content-Length: 5\r\nContent-Length: 6\r\n", 400),
            (b"Transfer-Encoding: chunked\r\n", 411),
        ],
        ids=["abc", "negative", "10**12", "twice", "chunked"],
    )
    def test_a_body_it_cannot_frame_is_answered_then_closed(
        self, api: FakeStuutApi, framing: bytes, status: int
    ) -> None:
        """Bad Content-Length or a chunked body: an answer at once and a closed connection,
        never a hang, a MemoryError or the body read as the next request."""
        host, port = api.url.removeprefix("http://").rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=5) as conn:
            conn.sendall(
                b"POST /v1/invoices/inv_2024_0001/sync HTTP/1.1\r\nHost: x\r\n"
                + framing
                + b"\r\nGET /v1/invoices HTTP/1.1\r\nHost: x\r\n\r\n"
            )
            received = b""
            while chunk := conn.recv(65536):
                received += chunk
        assert (f"HTTP/1.1 {status} ".encode(), 1) == (
            received[:13],
            received.count(b"HTTP/1.1 "),
        )

    def test_its_listen_queue_takes_a_burst_of_clients(self) -> None:
        """A backlog of 128, not socketserver's 5: bursts do not wait for SYN retries."""
        from adapters.fake_api import _Server

        assert _Server.request_queue_size >= 128

    def test_it_binds_loopback_on_a_free_port(self, api: FakeStuutApi) -> None:
        """The fake listens on 127.0.0.1 with an OS-chosen port."""
        host, port = api.url.rsplit(":", 1)
        assert ("http://127.0.0.1", True) == (host, int(port) > 0)


class TestExactDecimals:
    """Non-money JSON numbers stay exact over HTTP: never through a binary float."""

    def test_a_fractional_rate_and_quantity_arrive_exactly(self, store: MemoryStore) -> None:
        """A currency_rate of 1.0825 and a quantity of 2.5 come back as those decimals."""
        from decimal import Decimal

        import attrs

        from stuut_domain.invoice import LineItem

        rated = attrs.evolve(payment("pay_0042"), currency_rate=Decimal("1.082500000000000001"))
        store.payments.add(rated)
        original = store.invoices.get("inv_2024_0002")
        line = LineItem(
            invoice_id=original.id or "",
            object="line_item",
            remote_id="erp-line-1",
            currency=original.currency,
            quantity=Decimal("2.5"),
        )
        current = store.invoices.get_versioned("inv_2024_0002")
        store.invoices.save(
            attrs.evolve(original, line_items=(line,)), expected_version=current.version
        )
        with (
            FakeStuutApi.serving(store, token=TOKEN, clock=FixedClock(NOW)) as running,
            StuutApiClient(TOKEN, base_url=running.base_url, page_size=2) as client,
        ):
            fetched = client.payments.get("pay_0042")
            listed = [i for i in client.invoices.find() if i.id == "inv_2024_0002"]
        assert Decimal("1.082500000000000001") == fetched.currency_rate
        assert [Decimal("2.5")] == [i.line_items[0].quantity for i in listed]
