"""The I/O-free core of the Stuut API clients, shared by the sync and async one (ADR 0024).

Everything a client does except sending a request and sleeping lives here, once: the
endpoint table and request building (:class:`Action`, :class:`Request`), the bearer auth and
token scrubbing (:class:`BearerAuth`), judging each response or transport error
(:class:`Call`: success, a wait before retrying, or a typed error), the list walk and its
envelope (:class:`Pager`), and decoding through :mod:`adapters.stuut_json` from the raw
bytes so decimals stay exact. :class:`ApiCore` ties them to one client's settings.

A client's I/O loop is then only::

    call = core.call(request)
    while True:
        try: outcome = send(request)
        except httpx.TransportError as exc: outcome = exc
        verdict = call.judge(outcome)
        if isinstance(verdict, Reply): return verdict
        sleep(verdict)
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Generator, Iterator
from decimal import Decimal
from typing import Any, Final, Generic, TypeVar

import attrs
import httpx

from adapters import stuut_json
from adapters._http_retry import Attempts, RetryPolicy
from adapters._ids import check_id
from adapters.clock import SystemClock
from adapters.errors import BadResponse, Forbidden, Unauthorized, UnexpectedStatus, Unprocessable
from stuut_domain.errors import NotFound, under_path
from stuut_domain.invoice import Invoice
from stuut_domain.partner import Partner
from stuut_domain.ports import Clock, InvoiceQuery, PartnerQuery

__all__ = [
    "APPROVE_ALLOCATIONS",
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "GET_INVOICE",
    "GET_PAYMENT",
    "MAX_LIMIT",
    "MIN_LIMIT",
    "SYNC_INVOICE",
    "Action",
    "ApiCore",
    "BearerAuth",
    "Call",
    "Pager",
    "Reply",
    "Request",
]

#: The v1 API root (the docs' samples use plain http; the client defaults to TLS).
DEFAULT_BASE_URL: Final = "https://api.stuut.ai/v1"
#: Connect within 5 s; read, write and pool waits within 30 s each.
DEFAULT_TIMEOUT: Final = httpx.Timeout(30.0, connect=5.0)
#: The API's page size bounds for ``limit``.
MIN_LIMIT: Final = 1
MAX_LIMIT: Final = 200

T = TypeVar("T")


class BearerAuth(httpx.Auth):
    """Adds ``Authorization: Bearer …`` to each request; its repr never shows the token.

    httpx drives the same flow for ``Client`` and ``AsyncClient``.
    """

    __slots__ = ("_token",)

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("the Stuut API token must be a non-empty string")
        if any(c in token for c in "\r\n\x00 "):
            raise ValueError("the Stuut API token must not contain spaces or control characters")
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def scrub(self, text: str) -> str:
        """``text`` with every occurrence of the token replaced (server echoes included)."""
        return text.replace(self._token, "[redacted]")

    def __repr__(self) -> str:
        return "BearerAuth([redacted])"


@attrs.frozen(weakref_slot=False)
class Reply:
    """A 2xx answer: its status and raw body bytes."""

    status: int
    content: bytes


@attrs.frozen(weakref_slot=False)
class Request:
    """One request to send: method, path under ``/v1``, query, and what a 404 means.

    ``not_found`` is ``(kind, id)`` for entity endpoints, where 404 is the core's
    :class:`NotFound`; on list endpoints a 404 is an :class:`UnexpectedStatus`.
    """

    method: str
    path: str
    params: dict[str, str] | None = None
    not_found: tuple[str, str] | None = None

    @property
    def endpoint(self) -> str:
        """How errors and logs name the call: ``"GET /v1/invoices/inv_1"``."""
        return f"{self.method} /v1{self.path}"


@attrs.frozen(weakref_slot=False)
class Action(Generic[T]):
    """An endpoint on one entity: ``method`` on ``template`` filled with a checked id."""

    method: str
    kind: str
    template: str
    decode: Callable[[Any], T]

    def request(self, raw_id: str) -> Request:
        """The request for the entity ``raw_id`` (refused with InvalidId before any I/O)."""
        entity_id = check_id(self.kind, raw_id)
        return Request(self.method, self.template.format(entity_id), None, (self.kind, entity_id))


GET_INVOICE: Final = Action("GET", "invoice", "/invoices/{}", stuut_json.decode_invoice)
SYNC_INVOICE: Final = Action("POST", "invoice", "/invoices/{}/sync", stuut_json.decode_invoice)
GET_PAYMENT: Final = Action("GET", "payment", "/payments/{}", stuut_json.decode_payment)
APPROVE_ALLOCATIONS: Final = Action(
    "POST", "payment", "/payments/{}/approve-allocations", stuut_json.decode_payment
)


class ApiCore:
    """One client's settings and every I/O-free step of talking to the v1 API.

    Checks the constructor options both clients share (token, ``page_size`` 1-200) and
    holds the auth, retry policy, jitter source and clock.
    """

    def __init__(
        self,
        token: str,
        *,
        base_url: str,
        retry: RetryPolicy | None,
        page_size: int,
        rng: random.Random | None,
        clock: Clock | None,
    ) -> None:
        check_page_size(page_size)
        self.auth = BearerAuth(token)
        self.base_url = base_url.rstrip("/")
        self.page_size = page_size
        self.retry = retry if retry is not None else RetryPolicy()
        self._rng = rng if rng is not None else random.Random()  # noqa: S311 - jitter, not crypto
        self._clock: Clock = clock if clock is not None else SystemClock()

    def http_options(self, timeout: httpx.Timeout | float, verify: bool) -> dict[str, Any]:
        """Keyword arguments for ``httpx.Client`` or ``httpx.AsyncClient`` (TLS verified)."""
        return {
            "base_url": self.base_url,
            "auth": self.auth,
            "timeout": timeout,
            "verify": verify,
            "headers": {"Accept": "application/json", "User-Agent": "stuut-domain"},
            "follow_redirects": False,
        }

    def describe(self, client: object) -> str:
        """The client's repr: class and base URL, the token redacted."""
        return f"{type(client).__name__}(base_url={self.base_url!r}, token=[redacted])"

    # -- one call -------------------------------------------------------------------------

    def call(self, request: Request) -> Call:
        """The judge of ``request``'s tries under the retry policy."""
        attempts = Attempts(self.retry, request.endpoint, self._rng, self._clock.now)
        return Call(self, request, attempts)

    def decode(self, content: bytes, decode: Callable[[Any], T], endpoint: str) -> T:
        """An entity decoded from the raw body, or BadResponse naming the endpoint."""
        # The raw bytes go to the codec: its fast path reads decimals exactly from the text.
        try:
            return decode(content)
        except stuut_json.DecodeError as exc:
            self.json(content, endpoint)  # a clear "not JSON" error before the codec's
            raise bad_shape(endpoint, exc, "") from exc

    def json(self, content: bytes, endpoint: str) -> Any:
        """The parsed body (decimals as Decimal), or BadResponse with a scrubbed excerpt."""
        try:
            # Decimals stay exact (``quantity``, ``currency_rate``): never through a float.
            return json.loads(content, parse_float=Decimal)
        except (ValueError, UnicodeDecodeError) as exc:
            excerpt = self.auth.scrub(content[:80].decode("utf-8", "replace"))
            raise BadResponse(
                endpoint, f"response is not valid JSON ({exc}): {excerpt!r}"
            ) from None

    def error(
        self, endpoint: str, status: int, content: bytes, not_found: tuple[str, str] | None
    ) -> Exception:
        """The typed error for a status that is neither success nor retried."""
        message, detail = self._message(content)
        if status == 401:
            return Unauthorized(endpoint, message or "bearer token refused", status)
        if status == 403:
            return Forbidden(endpoint, message or "not allowed", status)
        if status == 404 and not_found is not None:
            return NotFound(*not_found)
        if status == 422:
            return Unprocessable(endpoint, message or "request refused", detail)
        return UnexpectedStatus(endpoint, message or "unexpected response", status)

    def _message(self, content: bytes) -> tuple[str, object]:
        """The server's own explanation (``message``, ``error`` or ``detail``), scrubbed."""
        try:
            body = json.loads(content)
        except (ValueError, UnicodeDecodeError):
            return self.auth.scrub(content[:200].decode("utf-8", "replace")), None
        if not isinstance(body, dict):
            return "", body
        text = next(
            (str(body[k]) for k in ("message", "error", "detail") if body.get(k)),
            "",
        )
        return self.auth.scrub(text[:200]), body.get("detail")

    # -- listings -------------------------------------------------------------------------

    def invoice_pager(self, query: InvoiceQuery | None, page_size: int | None) -> Pager[Invoice]:
        """The walk of ``GET /v1/invoices``: the partner filter is sent and applied here too."""
        params = {} if query is None or query.partner_id is None else {"partner": query.partner_id}
        keep = None if query is None else query.matches
        return self._pager("/invoices", stuut_json.decode_invoice, params, keep, page_size)

    def partner_pager(self, query: PartnerQuery | None, page_size: int | None) -> Pager[Partner]:
        """The walk of ``GET /v1/partners``, keeping what ``query`` matches."""
        keep = None if query is None else query.matches
        return self._pager("/partners", stuut_json.decode_partner, {}, keep, page_size)

    def _pager(
        self,
        path: str,
        decode: Callable[[Any], T],
        params: dict[str, str],
        keep: Callable[[T], bool] | None,
        page_size: int | None,
    ) -> Pager[T]:
        limit = self.page_size if page_size is None else page_size
        check_page_size(limit)
        return Pager(self, path, decode, params=params, keep=keep, limit=limit)


class Call:
    """Judges each try of one request: a :class:`Reply`, seconds to wait, or a typed error."""

    __slots__ = ("_attempts", "_core", "_request")

    def __init__(self, core: ApiCore, request: Request, attempts: Attempts) -> None:
        self._core = core
        self._request = request
        self._attempts = attempts

    def judge(self, outcome: httpx.Response | httpx.TransportError) -> Reply | float:
        """What a try's ``outcome`` means: success, a wait before the next try, or it raises.

        2xx is a :class:`Reply`; a retryable status or transport error is the wait the
        retry policy asks for (:class:`~adapters.errors.ApiUnavailable` once spent); any
        other status raises its typed error at once.
        """
        if isinstance(outcome, httpx.TransportError):
            failure = f"{type(outcome).__name__}: {self._core.auth.scrub(str(outcome))}"
            return self._attempts.failed(failure, None, None)
        status = outcome.status_code
        if 200 <= status < 300:
            return Reply(status, outcome.content)
        if status not in self._core.retry.statuses:
            request = self._request
            raise self._core.error(request.endpoint, status, outcome.content, request.not_found)
        return self._attempts.failed(f"HTTP {status}", status, outcome.headers.get("Retry-After"))


class Pager(Generic[T]):
    """The page-by-page walk of one list endpoint: which page to ask for next, and its items.

    Pages are ``0, 1, …`` with ``limit`` items, following ``next_page`` until it is ``null``;
    a ``next_page`` that does not advance is a BadResponse (it would loop forever).
    """

    __slots__ = ("_core", "_decode", "_keep", "_limit", "_page", "_params", "_path")

    def __init__(
        self,
        core: ApiCore,
        path: str,
        decode: Callable[[Any], T],
        *,
        params: dict[str, str],
        keep: Callable[[T], bool] | None,
        limit: int,
    ) -> None:
        self._core = core
        self._path = path
        self._decode = decode
        self._params = params
        self._keep = keep
        self._limit = limit
        self._page: int | None = 0

    def next_request(self) -> Request | None:
        """The request for the next page, or ``None`` once the last page was read."""
        if self._page is None:
            return None
        params = {**self._params, "page": str(self._page), "limit": str(self._limit)}
        return Request("GET", self._path, params)

    def items(self, content: bytes) -> Iterator[T]:
        """The kept entities of the page just fetched, decoded lazily; advances the walk."""
        endpoint = f"GET /v1{self._path}"
        page = self._page if self._page is not None else 0
        data, self._page = envelope(self._core.json(content, endpoint), endpoint, page)
        return self._decoded(data, endpoint)

    def _decoded(self, data: list[Any], endpoint: str) -> Iterator[T]:
        for index, item in enumerate(data):
            try:
                entity = self._decode(item)
            except stuut_json.DecodeError as exc:
                raise bad_shape(endpoint, exc, f"data[{index}]") from exc
            if self._keep is None or self._keep(entity):
                yield entity


def check_page_size(limit: int) -> None:
    """Refuse a ``limit`` outside the API's 1-200 before any request."""
    if not MIN_LIMIT <= limit <= MAX_LIMIT:
        raise ValueError(f"page_size must be {MIN_LIMIT}-{MAX_LIMIT}, got {limit}")


def envelope(body: Any, endpoint: str, page: int) -> tuple[list[Any], int | None]:
    """The ``data`` list and ``next_page`` of a v1 list envelope, or BadResponse."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise BadResponse(endpoint, "expected a list envelope with a 'data' array")
    next_page = body.get("next_page")
    if next_page is not None and (type(next_page) is not int or next_page <= page):
        raise BadResponse(
            endpoint, f"next_page must be null or a page after {page}, got {next_page!r}"
        )
    return body["data"], next_page


def bad_shape(endpoint: str, exc: Any, prefix: str) -> BadResponse:
    """BadResponse listing the codec's problems, each with its JSON path under ``prefix``."""
    problems = getattr(exc, "problems", ())
    details = "; ".join(f"{under_path(prefix, p.path)}: {p.message}" for p in problems)
    return BadResponse(endpoint, f"response is not the documented shape: {details or exc}")
