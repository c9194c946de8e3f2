"""The async HTTP client against the fake API over real loopback HTTP, beside the sync one.

Most tests here run once per client (the ``flavour`` fixture): the two share one core
(ADR 0024), and these specifications pin that they behave alike, endpoint by endpoint.
:class:`TestAsyncClient` holds what only the async client has (``async for`` laziness,
``async with``, concurrent calls). Coroutines run under ``asyncio.run`` in plain tests.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import logging
import ssl
from collections.abc import AsyncIterator, Callable, Iterator
from decimal import Decimal
from typing import Any

import attrs
import httpx
import pytest
from contract_support import TOKEN, payment
from http_support import FLAVOURS, NOW, Flavour, Sleeps, client_options, http_store

from adapters.clock import FixedClock
from adapters.errors import (
    ApiUnavailable,
    BadResponse,
    Forbidden,
    InvalidId,
    Unauthorized,
    UnexpectedStatus,
    Unprocessable,
)
from adapters.fake_api import FakeStuutApi, Fault
from adapters.http_api import RetryPolicy
from adapters.http_api_async import AsyncStuutApiClient
from adapters.memory import MemoryStore
from stuut_domain.errors import NotFound, StuutDomainError
from stuut_domain.invoice import LineItem
from stuut_domain.ports import InvoiceQuery, PartnerQuery

Call = Callable[..., Any]


@pytest.fixture(params=FLAVOURS, ids=lambda f: f.name)
def flavour(request: pytest.FixtureRequest) -> Flavour:
    """The sync client, then the async one."""
    chosen: Flavour = request.param
    return chosen


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
def call(flavour: Flavour, api: FakeStuutApi, sleeps: Sleeps) -> Call:
    """``call("get_invoice", "inv_1", **options)`` on a fresh client of this flavour."""

    def run(method: str, *args: Any, **overrides: Any) -> Any:
        options = {**client_options(sleeps), **overrides}
        return flavour.call(api.base_url, method, *args, **options)

    return run


class TestEndpoints:
    def test_get_invoice_returns_the_stored_invoice(self, call: Call, store: MemoryStore) -> None:
        """GET /v1/invoices/{id} decodes to the very invoice the API holds."""
        assert store.invoices.get("inv_2024_0001") == call("get_invoice", "inv_2024_0001")

    def test_listing_crosses_every_page_in_order(self, call: Call, api: FakeStuutApi) -> None:
        """Six invoices in pages of 2: pages 0, 1 and 2 are fetched, every invoice once."""
        got = [i.id for i in call("list_invoices")]
        assert ([*(f"inv_2024_{n:04d}" for n in range(5)), "inv_2024_0100"], ["0", "1", "2"]) == (
            got,
            [r.query["page"] for r in api.requests],
        )

    def test_the_partner_filter_is_sent_and_applied(self, call: Call, api: FakeStuutApi) -> None:
        """The partner filter goes out as ?partner=…; the result holds that partner only."""
        got = [i.id for i in call("list_invoices", InvoiceQuery(partner_id="ptn_globex"))]
        assert (["inv_2024_0100"], "ptn_globex") == (got, api.requests[0].query["partner"])

    def test_partners_are_listed_and_filtered_by_currency(self, call: Call) -> None:
        """GET /v1/partners with a currency query keeps the USD customer only."""
        assert ["ptn_globex"] == [p.id for p in call("list_partners", PartnerQuery(currency="USD"))]

    def test_sync_stamps_and_saves_the_invoice(self, call: Call, store: MemoryStore) -> None:
        """POST /sync returns the invoice marked synced at the API's clock, and stores it."""
        synced = call("sync_invoice", "inv_2024_0003")
        assert (NOW, "synced", synced) == (
            synced.last_synced_at,
            synced.sync_status,
            store.invoices.get("inv_2024_0003"),
        )

    def test_get_payment_returns_the_stored_payment(self, call: Call, store: MemoryStore) -> None:
        """GET /v1/payments/{id} decodes to the payment the API holds."""
        assert store.payments.get("pay_0007") == call("get_payment", "pay_0007")

    def test_approve_allocations_approves_each_allocation(self, call: Call) -> None:
        """POST /approve-allocations returns the payment with every allocation approved."""
        approved = call("approve_allocations", "pay_0007")
        assert [(True, NOW)] == [(a.approved, a.approved_at) for a in approved.allocations]

    @pytest.mark.parametrize(
        ("method", "kind"),
        [
            ("get_invoice", "invoice"),
            ("sync_invoice", "invoice"),
            ("get_payment", "payment"),
            ("approve_allocations", "payment"),
        ],
    )
    def test_missing_entities_are_not_found(self, call: Call, method: str, kind: str) -> None:
        """A 404 on any entity endpoint is the core's NotFound naming the kind and id."""
        with pytest.raises(NotFound) as caught:
            call(method, "x_nope")
        assert (kind, "x_nope") == (caught.value.kind, caught.value.entity_id)

    def test_an_unsafe_id_is_refused_before_any_request(
        self, call: Call, api: FakeStuutApi
    ) -> None:
        """A path-traversal id raises InvalidId and never reaches the API."""
        with pytest.raises(InvalidId):
            call("get_invoice", "../etc/passwd")
        assert [] == api.requests

    def test_page_size_must_be_between_1_and_200(self, call: Call, api: FakeStuutApi) -> None:
        """limit outside 1-200 is refused before any request."""
        with pytest.raises(ValueError, match="1-200"):
            call("list_invoices", page_size=201)
        assert [] == api.requests


class TestRetries:
    def test_503_twice_then_success(self, call: Call, api: FakeStuutApi, sleeps: Sleeps) -> None:
        """Two 503s are retried with jittered, growing ceilings; the third try answers."""
        api.faults.inject(Fault(status=503), times=2)
        got = call("get_invoice", "inv_2024_0001")
        assert ("inv_2024_0001", 3, 2) == (got.id, len(api.requests), len(sleeps.waits))
        assert 0 <= sleeps.waits[0] <= 0.5
        assert 0 <= sleeps.waits[1] <= 1.0

    def test_retry_after_seconds_is_a_floor_on_the_wait(
        self, call: Call, api: FakeStuutApi, sleeps: Sleeps
    ) -> None:
        """429 with Retry-After: 3 waits at least 3 s before the next try."""
        api.faults.inject(Fault(status=429, retry_after="3"))
        call("get_invoice", "inv_2024_0001")
        assert [3.0] == sleeps.waits

    def test_retry_after_as_an_http_date(
        self, call: Call, api: FakeStuutApi, sleeps: Sleeps
    ) -> None:
        """Retry-After as an HTTP date waits until that instant (by the client's clock)."""
        when = email.utils.format_datetime(NOW + dt.timedelta(seconds=5), usegmt=True)
        api.faults.inject(Fault(status=503, retry_after=when))
        call("approve_allocations", "pay_0007")
        assert [5.0] == sleeps.waits

    def test_the_client_gives_up_after_its_attempts(
        self, call: Call, api: FakeStuutApi, sleeps: Sleeps
    ) -> None:
        """A 503 that never clears: four tries, three waits, then ApiUnavailable."""
        api.faults.inject(Fault(status=503), times=None)
        with pytest.raises(ApiUnavailable) as caught:
            call("get_payment", "pay_0007")
        assert (4, 503, 4, 3) == (
            caught.value.attempts,
            caught.value.status,
            len(api.requests),
            len(sleeps.waits),
        )

    def test_a_retry_after_beyond_the_policy_is_not_waited_for(
        self, call: Call, api: FakeStuutApi, sleeps: Sleeps
    ) -> None:
        """Retry-After: 3600 exceeds the 60 s the policy waits: give up at once, saying why."""
        api.faults.inject(Fault(status=429, retry_after="3600"))
        with pytest.raises(ApiUnavailable, match="Retry-After 3600s"):
            call("get_invoice", "inv_2024_0001")
        assert (1, []) == (len(api.requests), sleeps.waits)

    def test_a_slow_answer_times_out_and_is_retried(
        self, call: Call, api: FakeStuutApi, sleeps: Sleeps
    ) -> None:
        """An answer slower than the read timeout counts as a transport failure: retried."""
        api.faults.inject(Fault(delay=0.6))
        got = call("get_invoice", "inv_2024_0001", timeout=0.2)
        assert ("inv_2024_0001", 1) == (got.id, len(sleeps.waits))

    def test_a_dropped_connection_is_retried(
        self, call: Call, api: FakeStuutApi, sleeps: Sleeps
    ) -> None:
        """The server hanging up without an answer is retried."""
        api.faults.inject(Fault(disconnect=True))
        assert ("inv_2024_0001", 1) == (call("get_invoice", "inv_2024_0001").id, len(sleeps.waits))

    def test_a_refused_connection_gives_up_with_api_unavailable(
        self, flavour: Flavour, sleeps: Sleeps
    ) -> None:
        """Nobody listening: every try fails to connect; ApiUnavailable after the budget."""
        with FakeStuutApi.serving(MemoryStore(), token=TOKEN) as gone:
            dead_url = gone.base_url
        policy = RetryPolicy(attempts=2)
        with pytest.raises(ApiUnavailable, match="ConnectError") as caught:
            flavour.call(dead_url, "get_invoice", "inv_2024_0001", retry=policy, sleep=sleeps)
        assert (2, None, 1) == (caught.value.attempts, caught.value.status, len(sleeps.waits))

    def test_a_retry_mid_listing_resumes_at_the_same_page(
        self, call: Call, api: FakeStuutApi
    ) -> None:
        """A 502 on page 1 is retried for page 1; nothing is skipped or repeated."""
        api.faults.inject(Fault(status=502), times=1, path="/v1/invoices")
        got = [i.id for i in call("list_invoices")]
        assert [*(f"inv_2024_{n:04d}" for n in range(5)), "inv_2024_0100"] == got


class TestErrors:
    def test_a_wrong_token_is_unauthorized_and_not_retried(
        self, call: Call, api: FakeStuutApi
    ) -> None:
        """401 maps to Unauthorized at once, quoting the server's reason."""
        with pytest.raises(Unauthorized, match="invalid bearer token"):
            call("get_invoice", "inv_2024_0001", token="sk_wrong")
        assert 1 == len(api.requests)

    @pytest.mark.parametrize(
        ("status", "error"),
        [
            (401, Unauthorized),
            (403, Forbidden),
            (404, NotFound),
            (422, Unprocessable),
            (400, UnexpectedStatus),
            (500, UnexpectedStatus),
        ],
    )
    def test_refusals_map_to_typed_errors_at_once(
        self, call: Call, api: FakeStuutApi, status: int, error: type[Exception]
    ) -> None:
        """401, 403, 404, 422 and unmapped statuses raise their typed error, never retried."""
        api.faults.inject(Fault(status=status))
        with pytest.raises(error):
            call("get_invoice", "inv_2024_0001")
        assert 1 == len(api.requests)

    @pytest.mark.parametrize(
        ("status", "error"),
        [(403, Forbidden), (422, Unprocessable), (400, UnexpectedStatus)],
    )
    def test_typed_errors_name_the_endpoint(
        self, call: Call, api: FakeStuutApi, status: int, error: type[Exception]
    ) -> None:
        """The error message starts with the method and path that failed."""
        api.faults.inject(Fault(status=status))
        with pytest.raises(error, match=r"^POST /v1/payments/pay_0007/approve-allocations"):
            call("approve_allocations", "pay_0007")

    def test_a_404_on_a_listing_is_an_unexpected_status(
        self, call: Call, api: FakeStuutApi
    ) -> None:
        """A list endpoint has no entity to be missing: its 404 is UnexpectedStatus."""
        api.faults.inject(Fault(status=404), path="/v1/partners")
        with pytest.raises(UnexpectedStatus, match="GET /v1/partners"):
            call("list_partners")

    @pytest.mark.parametrize(
        ("method", "arg", "endpoint"),
        [
            ("get_invoice", "inv_2024_0001", "GET /v1/invoices/inv_2024_0001"),
            ("sync_invoice", "inv_2024_0001", "POST /v1/invoices/inv_2024_0001/sync"),
            ("get_payment", "pay_0007", "GET /v1/payments/pay_0007"),
            (
                "approve_allocations",
                "pay_0007",
                "POST /v1/payments/pay_0007/approve-allocations",
            ),
        ],
    )
    def test_a_malformed_body_is_a_bad_response_naming_the_endpoint(
        self, call: Call, api: FakeStuutApi, method: str, arg: str, endpoint: str
    ) -> None:
        """A 200 whose body is not JSON: BadResponse naming the endpoint, never a crash."""
        api.faults.inject(Fault(malformed=True))
        with pytest.raises(BadResponse, match=f"^{endpoint}: response is not valid JSON"):
            call(method, arg)

    @pytest.mark.parametrize("method", ["list_invoices", "list_partners"])
    def test_a_malformed_page_is_a_bad_response_naming_the_endpoint(
        self, call: Call, api: FakeStuutApi, method: str
    ) -> None:
        """A list page that is not JSON: BadResponse naming the list endpoint."""
        api.faults.inject(Fault(malformed=True))
        with pytest.raises(BadResponse, match=r"^GET /v1/(invoices|partners): .*not valid JSON"):
            call(method)

    @pytest.mark.parametrize(
        ("body", "names"),
        [
            (b"[]", "'data'"),
            (b'{"data": [{"amount_due": "a lot"}], "next_page": null}', r"data\[0\]"),
            (b'{"data": [], "current_page": 0, "next_page": 0}', "next_page"),
        ],
    )
    def test_a_listing_of_the_wrong_shape_is_a_bad_response(
        self, call: Call, api: FakeStuutApi, body: bytes, names: str
    ) -> None:
        """No envelope, a wrong-shaped entity, a next_page that does not advance: BadResponse."""
        api.faults.inject(Fault(body=body))
        with pytest.raises(BadResponse, match=rf"GET /v1/invoices.*{names}"):
            call("list_invoices")

    def test_an_entity_of_the_wrong_shape_names_the_json_path(
        self, call: Call, api: FakeStuutApi
    ) -> None:
        """A payment whose amount is text: BadResponse naming the endpoint and the field."""
        api.faults.inject(Fault(body=b'{"id": "pay_0007", "amount": "a lot"}'))
        with pytest.raises(BadResponse, match=r"^GET /v1/payments/pay_0007: .*amount"):
            call("get_payment", "pay_0007")


class TestSecrecy:
    def test_the_token_is_in_no_log_line_or_error(
        self, call: Call, api: FakeStuutApi, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Retries, failures and httpx's own debug logs never contain the token."""
        caplog.set_level(logging.DEBUG)
        api.faults.inject(Fault(status=503), times=2)
        call("get_invoice", "inv_2024_0001")
        api.faults.inject(Fault(status=503), times=None)
        messages = []
        for method, entity_id in (("get_invoice", "inv_2024_0001"), ("get_payment", "pay_nope")):
            try:
                call(method, entity_id)
            except StuutDomainError as exc:
                messages.append(f"{exc!s} {exc!r} {exc.args!r}")
        api.faults.clear()
        text = "\n".join(r.getMessage() for r in caplog.records) + "\n".join(messages)
        assert (False, True, 2) == (TOKEN in text, "retry 1 of 3" in text, len(messages))

    @pytest.mark.parametrize(
        ("status", "body"),
        [
            (200, b"bad token " + TOKEN.encode()),
            (401, b'{"message": "token ' + TOKEN.encode() + b' expired"}'),
            (422, b"refused for " + TOKEN.encode()),
        ],
    )
    def test_a_server_echoing_the_token_is_scrubbed(
        self, flavour: Flavour, status: int, body: bytes
    ) -> None:
        """If the server echoes the token in any body, the exception shows [redacted].

        The fake API never echoes, so a mock transport plays that server.
        """
        transport = httpx.MockTransport(lambda _request: httpx.Response(status, content=body))
        with pytest.raises(StuutDomainError) as caught:
            flavour.call("http://api.test/v1", "get_invoice", "inv_2024_0001", transport=transport)
        shown = f"{caught.value!s} {caught.value!r}"
        assert (False, True) == (TOKEN in shown, "[redacted]" in shown)


class TestExactDecimals:
    """Non-money JSON numbers stay exact over HTTP: never through a binary float."""

    def test_a_fractional_rate_arrives_exactly(self, call: Call, store: MemoryStore) -> None:
        """A currency_rate of 1.082500000000000001 comes back as that decimal."""
        rate = Decimal("1.082500000000000001")
        store.payments.add(attrs.evolve(payment("pay_0042"), currency_rate=rate))
        assert rate == call("get_payment", "pay_0042").currency_rate

    def test_a_fractional_quantity_arrives_exactly_in_a_listing(
        self, call: Call, store: MemoryStore
    ) -> None:
        """A line quantity of 2.000000000000000001 in a listed invoice keeps every digit."""
        current = store.invoices.get_versioned("inv_2024_0002")
        line = LineItem(
            invoice_id="inv_2024_0002",
            object="line_item",
            remote_id="erp-line-1",
            currency=current.entity.currency,
            quantity=Decimal("2.000000000000000001"),
        )
        store.invoices.save(
            attrs.evolve(current.entity, line_items=(line,)), expected_version=current.version
        )
        listed = [i for i in call("list_invoices") if i.id == "inv_2024_0002"]
        assert [Decimal("2.000000000000000001")] == [i.line_items[0].quantity for i in listed]


def async_client(api: FakeStuutApi, sleeps: Sleeps) -> AsyncStuutApiClient:
    """An async client of the fake API with the tests' usual options (build inside a loop)."""
    options = {**client_options(sleeps), "sleep": sleeps.wait}
    return AsyncStuutApiClient(TOKEN, base_url=api.base_url, **options)


class TestAsyncClient:
    def test_listing_pages_lazily(self, api: FakeStuutApi, sleeps: Sleeps) -> None:
        """Taking the first invoice fetches one page only; iterating on fetches the rest."""

        async def scenario() -> tuple[str, int, int]:
            async with async_client(api, sleeps) as client:
                listing = client.list_invoices()
                first = await anext(listing)
                after_first = len(api.requests)
                rest = [i async for i in listing]
                return first.id, after_first, len(rest)

        got = asyncio.run(scenario())
        assert (("inv_2024_0000", 1, 5), ["0", "1", "2"]) == (
            got,
            [r.query["page"] for r in api.requests],
        )

    def test_a_listing_never_iterated_sends_nothing(self, api: FakeStuutApi) -> None:
        """list_invoices returns an async iterator at once; no request until it is iterated."""

        async def scenario() -> bool:
            async with AsyncStuutApiClient(TOKEN, base_url=api.base_url) as client:
                listing = client.list_partners()
                return isinstance(listing, AsyncIterator)

        assert (True, []) == (asyncio.run(scenario()), api.requests)

    def test_calls_on_one_client_run_concurrently(self, api: FakeStuutApi, sleeps: Sleeps) -> None:
        """Five gets gathered on one client all answer, each with its own invoice."""
        ids = [f"inv_2024_{n:04d}" for n in range(5)]

        async def scenario() -> list[str]:
            async with async_client(api, sleeps) as client:
                got = await asyncio.gather(*(client.get_invoice(i) for i in ids))
                return [i.id or "" for i in got]

        assert (ids, 5) == (asyncio.run(scenario()), len(api.requests))

    def test_async_with_closes_the_pool(self, api: FakeStuutApi, sleeps: Sleeps) -> None:
        """Leaving ``async with`` closes the connection pool; ``aclose()`` does so directly."""

        async def scenario() -> tuple[bool, bool]:
            async with async_client(api, sleeps) as managed:
                await managed.get_payment("pay_0007")
            direct = async_client(api, sleeps)
            await direct.aclose()
            return managed._http.is_closed, direct._http.is_closed

        assert (True, True) == asyncio.run(scenario())

    def test_the_token_is_not_in_the_client_repr(self, api: FakeStuutApi) -> None:
        """repr shows the class, the base URL and a redaction mark, never the token."""
        client = AsyncStuutApiClient(TOKEN, base_url=api.base_url)
        shown = repr(client)
        asyncio.run(client.aclose())
        assert (False, f"AsyncStuutApiClient(base_url={api.base_url!r}, token=[redacted])") == (
            TOKEN in shown,
            shown,
        )

    @pytest.mark.parametrize("token", ["", "sk with space", "sk\r\nX-Evil: 1"])
    def test_an_unusable_token_is_refused_at_construction(self, token: str) -> None:
        """An empty token, or one with spaces or control characters, raises ValueError."""
        with pytest.raises(ValueError, match="token"):
            AsyncStuutApiClient(token)

    def test_tls_certificates_are_verified_by_default(self) -> None:
        """A client built without verify=False requires valid certificates."""
        client = AsyncStuutApiClient(TOKEN)
        context = client._http._transport._pool._ssl_context  # type: ignore[attr-defined]
        asyncio.run(client.aclose())
        assert (ssl.CERT_REQUIRED, True) == (context.verify_mode, context.check_hostname)
