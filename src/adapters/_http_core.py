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
import re
import time
import uuid
from collections.abc import Callable, Generator, Iterator
from decimal import Decimal
from typing import Any, Final, Generic, TypeVar

import attrs
import httpx

from adapters import stuut_json
from adapters._http_retry import Attempts, RetryPolicy
from adapters._ids import check_id
from adapters.clock import SystemClock
from adapters.errors import (
    ApiNotFound,
    ApiUnavailable,
    BadResponse,
    Forbidden,
    Unauthorized,
    UnexpectedStatus,
    Unprocessable,
)
from adapters.stuut_json.reference import ReferenceProblems, parse
from stuut_domain.cash.entities import BankTransaction, Remittance
from stuut_domain.errors import under_path
from stuut_domain.fact_ports import BankTransactionQuery, RemittanceQuery
from stuut_domain.invoice import Invoice
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment
from stuut_domain.ports import Clock, InvoiceQuery, PartnerQuery

__all__ = [
    "APPROVE_ALLOCATIONS",
    "DEFAULT_BASE_URL",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_PAGES",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT",
    "GET_INVOICE",
    "GET_PAYMENT",
    "MAX_LIMIT",
    "MIN_LIMIT",
    "SYNC_INVOICE",
    "Action",
    "ApiCore",
    "BearerAuth",
    "Body",
    "Call",
    "Pager",
    "Received",
    "Reply",
    "Request",
]

#: The v1 API root (the docs' samples use plain http; the client defaults to TLS).
DEFAULT_BASE_URL: Final = "https://api.stuut.ai/v1"
#: Connect within 5 s; read, write and pool waits within 30 s each.
DEFAULT_TIMEOUT: Final = httpx.Timeout(30.0, connect=5.0)
#: Every call, retries and waits included, is answered or given up within 120 s.
DEFAULT_DEADLINE: Final = 120.0
#: A response body (after content decoding: a gzip bomb counts as what it inflates to) is
#: refused beyond 32 MiB; a page of 200 full invoices is well under 4 MiB.
DEFAULT_MAX_RESPONSE_BYTES: Final = 32 * 1024 * 1024
#: A listing stops with BadResponse after 10,000 pages (2,000,000 records at the largest
#: page size): a server whose ``next_page`` never ends cannot keep a caller forever.
DEFAULT_MAX_PAGES: Final = 10_000
#: The API's page size bounds for ``limit``.
MIN_LIMIT: Final = 1
MAX_LIMIT: Final = 200

T = TypeVar("T")


#: The characters of an RFC 6750 bearer token (b64token): visible ASCII without space.
_TOKEN_SHAPE: Final = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
#: What may stand next to a token inside text without being part of it.
_TOKEN_CHAR: Final = r"A-Za-z0-9\-._~+/="  # noqa: S105 - a character class, not a secret


class BearerAuth(httpx.Auth):
    """Adds ``Authorization: Bearer …`` to each request; its repr never shows the token.

    The token must have the RFC 6750 shape (letters, digits and ``-._~+/``, then ``=``
    padding): a TAB, a space or any control or non-ASCII character is refused here, before
    it could reach a header and an error message in an escaped form no scrub recognises.
    httpx drives the same flow for ``Client`` and ``AsyncClient``.
    """

    __slots__ = ("_pattern", "_token")

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("the Stuut API token must be a non-empty string")
        if not _TOKEN_SHAPE.fullmatch(token):
            raise ValueError(
                "the Stuut API token must be letters, digits and -._~+/ (then = padding): "
                "no spaces, tabs, control or non-ASCII characters"
            )
        self._token = token
        # the token as a whole word: "t" in "disconnected" is not the token "t"
        self._pattern = re.compile(f"(?<![{_TOKEN_CHAR}]){re.escape(token)}(?![{_TOKEN_CHAR}])")

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def scrub(self, text: str) -> str:
        """``text`` with every occurrence of the token as a whole word replaced (an echoed
        ``Authorization`` header, a body quoting it), and nothing else: a short token such
        as ``t`` leaves ``disconnected`` alone.

        Scrub whole texts, then cut them: a token cut in half is no longer recognisable.
        """
        return self._pattern.sub("[redacted]", text)

    def scrub_value(self, value: object) -> object:
        """A decoded JSON value with every string in it scrubbed (keys included)."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, dict):
            return {self.scrub(str(k)): self.scrub_value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub_value(v) for v in value]
        return value

    def __repr__(self) -> str:
        return "BearerAuth([redacted])"


@attrs.frozen(weakref_slot=False)
class Reply:
    """A 2xx answer: its status and raw body bytes."""

    status: int
    content: bytes


@attrs.frozen(weakref_slot=False)
class Received:
    """A response read in full (within the size cap): status, the headers that matter, body."""

    status: int
    retry_after: str | None
    content: bytes


class Body:
    """A response body collected chunk by chunk, refused past the size cap or the deadline.

    The chunks are the decoded ones (``iter_bytes``): a compressed body counts at the size it
    inflates to, so a gzip bomb stops at the cap, not at the end of memory.
    """

    __slots__ = ("_call", "_chunks", "_size")

    def __init__(self, call: Call) -> None:
        self._call = call
        self._chunks: list[bytes] = []
        self._size = 0

    def add(self, chunk: bytes) -> None:
        """Take one chunk; BadResponse beyond the cap, ApiUnavailable past the deadline."""
        self._size += len(chunk)
        core = self._call.core
        if self._size > core.max_response_bytes:
            raise BadResponse(
                self._call.request.endpoint,
                f"response is larger than {core.max_response_bytes} bytes; not read further",
            )
        self._chunks.append(chunk)
        self._call.check_deadline()

    def received(self, response: httpx.Response) -> Received:
        """The whole response, once every chunk was added."""
        return Received(
            response.status_code, response.headers.get("Retry-After"), b"".join(self._chunks)
        )


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
    #: The JSON body of a POST that carries one (``mark-payment``), else ``None``.
    body: bytes | None = None

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

    def request(self, raw_id: str, body: bytes | None = None) -> Request:
        """The request for the entity ``raw_id`` (refused with InvalidId before any I/O)."""
        entity_id = check_id(self.kind, raw_id)
        return Request(
            self.method, self.template.format(entity_id), None, (self.kind, entity_id), body
        )


def _decode_bank_transaction(data: Any) -> BankTransaction:
    return stuut_json.decode(BankTransaction, data)


def _decode_remittance(data: Any) -> Remittance:
    return stuut_json.decode(Remittance, data)


def decode_marked_payment(data: bytes | str) -> Payment:
    """The payment of a ``mark-payment`` answer, ``{"payment": Payment}``."""
    try:  # the codec's own parser: depth, number range and lone surrogates checked once
        body = parse(data)
    except ReferenceProblems as exc:
        raise stuut_json.DecodeError(exc.problems, target="Payment") from None
    if not isinstance(body, dict) or not isinstance(body.get("payment"), dict):
        raise stuut_json.DecodeError(
            [stuut_json.Problem(path="payment", message="expected an object with a payment")],
            target="Payment",
        )
    return stuut_json.decode_payment(body["payment"])


def mark_payment_body(partner_id: str) -> bytes:
    """The body of ``mark-payment``: ``{"partner": id}`` (the id checked like any other)."""
    return json.dumps({"partner": check_id("partner", partner_id)}).encode()


GET_INVOICE: Final = Action("GET", "invoice", "/invoices/{}", stuut_json.decode_invoice)
SYNC_INVOICE: Final = Action("POST", "invoice", "/invoices/{}/sync", stuut_json.decode_invoice)
GET_PAYMENT: Final = Action("GET", "payment", "/payments/{}", stuut_json.decode_payment)
APPROVE_ALLOCATIONS: Final = Action(
    "POST", "payment", "/payments/{}/approve-allocations", stuut_json.decode_payment
)
GET_BANK_TRANSACTION: Final = Action(
    "GET", "bank_transaction", "/bank-transactions/{}", _decode_bank_transaction
)
MARK_PAYMENT: Final = Action(
    "POST", "bank_transaction", "/bank-transactions/{}/mark-payment", decode_marked_payment
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
        deadline: float = DEFAULT_DEADLINE,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_pages: int = DEFAULT_MAX_PAGES,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        check_page_size(page_size)
        if not deadline > 0 or not max_response_bytes > 0 or not max_pages > 0:
            raise ValueError("deadline, max_response_bytes and max_pages must be above zero")
        self.auth = BearerAuth(token)
        self.base_url = base_url.rstrip("/")
        self.page_size = page_size
        self.retry = retry if retry is not None else RetryPolicy()
        self.deadline = float(deadline)
        self.max_response_bytes = max_response_bytes
        self.max_pages = max_pages
        self.monotonic = monotonic
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
        """The judge of ``request``'s tries under the retry policy, its deadline from now."""
        attempts = Attempts(self.retry, request.endpoint, self._rng, self._clock.now)
        return Call(self, request, attempts, self.monotonic() + self.deadline)

    def decode(self, content: bytes, decode: Callable[[Any], T], endpoint: str) -> T:
        """An entity decoded from the raw body, or BadResponse naming the endpoint."""
        # The raw bytes go to the codec: its fast path reads decimals exactly from the text.
        try:
            return decode(content)
        except stuut_json.DecodeError as exc:
            self.json(content, endpoint)  # a clear "not JSON" error before the codec's
            # not chained: the codec's message quotes the body, which may echo the token
            raise self.bad_shape(endpoint, exc, "") from None

    def json(self, content: bytes, endpoint: str) -> Any:
        """The parsed body (decimals as Decimal), or BadResponse with a scrubbed excerpt."""
        try:
            # Decimals stay exact (``quantity``, ``currency_rate``): never through a float.
            return json.loads(content, parse_float=Decimal)
        except (ValueError, UnicodeDecodeError, RecursionError, ArithmeticError) as exc:
            # ArithmeticError: decimal.InvalidOperation, a number beyond a decimal's range
            reason = self.auth.scrub(str(exc))[:120]
            raise BadResponse(
                endpoint, f"response is not valid JSON ({reason}): {self.excerpt(content)!r}"
            ) from None

    def excerpt(self, content: bytes, limit: int = 80) -> str:
        """The start of a body as text for a message: scrubbed whole, then cut to ``limit``."""
        # a token can only be recognised whole: scrub a generous window, then cut
        window = content[: limit + 4096].decode("utf-8", "replace")
        return self.auth.scrub(window)[:limit]

    def bad_shape(self, endpoint: str, exc: Any, prefix: str) -> BadResponse:
        """BadResponse listing the codec's problems at their JSON paths under ``prefix``,
        scrubbed (a problem's message may quote a value the server echoed)."""
        return bad_shape(endpoint, exc, prefix, self.auth.scrub)

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
            return ApiNotFound(endpoint, *not_found)
        if status == 422:
            return Unprocessable(
                endpoint, message or "request refused", self.auth.scrub_value(detail)
            )
        return UnexpectedStatus(endpoint, message or "unexpected response", status)

    def _message(self, content: bytes) -> tuple[str, object]:
        """The server's own explanation (``message``, ``error`` or ``detail``), scrubbed."""
        try:
            body = json.loads(content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return self.excerpt(content, 200), None
        if not isinstance(body, dict):
            return "", self.auth.scrub_value(body)
        text = next(
            (str(body[k]) for k in ("message", "error", "detail") if body.get(k)),
            "",
        )
        return self.auth.scrub(text)[:200], body.get("detail")

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

    def bank_transaction_pager(
        self, query: BankTransactionQuery | None, page_size: int | None
    ) -> Pager[BankTransaction]:
        """The walk of ``GET /v1/bank-transactions``: the partner filter is sent and applied
        here too, with every other filter."""
        params = {} if query is None or query.partner_id is None else {"partner": query.partner_id}
        keep = None if query is None else query.matches
        return self._pager("/bank-transactions", _decode_bank_transaction, params, keep, page_size)

    def remittance_pager(
        self, query: RemittanceQuery | None, page_size: int | None
    ) -> Pager[Remittance]:
        """The walk of ``GET /v1/remittances``: the partner filter sent and applied here too."""
        params = {} if query is None or query.partner_id is None else {"partner": query.partner_id}
        keep = None if query is None else query.matches
        return self._pager("/remittances", _decode_remittance, params, keep, page_size)

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
        return Pager(
            self, path, decode, params=params, keep=keep, limit=limit, max_pages=self.max_pages
        )


class Call:
    """Judges each try of one request: a :class:`Reply`, seconds to wait, or a typed error.

    The call has one deadline (:attr:`ApiCore.deadline` from its start) for connecting,
    headers, body, retries and the waits between them; past it the call gives up with
    :class:`~adapters.errors.ApiUnavailable`, however slowly a server trickles bytes.
    A POST carries one ``Idempotency-Key`` for all its tries (ADR 0035).
    """

    __slots__ = ("_attempts", "_deadline_at", "core", "headers", "request")

    def __init__(
        self, core: ApiCore, request: Request, attempts: Attempts, deadline_at: float
    ) -> None:
        self.core = core
        self.request = request
        self._attempts = attempts
        self._deadline_at = deadline_at
        self.headers = {"Idempotency-Key": str(uuid.uuid4())} if request.method == "POST" else {}

    def remaining(self) -> float:
        """Seconds left before the deadline (never negative)."""
        return max(0.0, self._deadline_at - self.core.monotonic())

    def check_deadline(self) -> None:
        """Raise ApiUnavailable once the deadline has passed."""
        if self.remaining() <= 0:
            raise ApiUnavailable(
                self.request.endpoint,
                f"no complete answer within the {self.core.deadline:g} s deadline",
                None,
                self._attempts.count + 1,
            )

    def timeout(self, configured: httpx.Timeout) -> httpx.Timeout:
        """The per-try httpx timeout, each phase cut to what is left of the deadline."""
        self.check_deadline()
        left = self.remaining()

        def cut(value: float | None) -> float:
            return left if value is None else min(value, left)

        return httpx.Timeout(
            connect=cut(configured.connect),
            read=cut(configured.read),
            write=cut(configured.write),
            pool=cut(configured.pool),
        )

    def body(self) -> Body:
        """A collector for this try's response body."""
        return Body(self)

    def judge(
        self, outcome: Received | httpx.TransportError | httpx.DecodingError
    ) -> Reply | float:
        """What a try's ``outcome`` means: success, a wait before the next try, or it raises.

        2xx is a :class:`Reply`; a retryable status or transport error is the wait the
        retry policy asks for (:class:`~adapters.errors.ApiUnavailable` once spent, or when
        the wait would pass the deadline); a body that cannot be decoded (bad gzip) is a
        :class:`~adapters.errors.BadResponse`; any other status raises its typed error.
        """
        if isinstance(outcome, httpx.DecodingError):
            raise BadResponse(
                self.request.endpoint,
                f"response body cannot be decoded ({type(outcome).__name__}: "
                f"{self.core.auth.scrub(str(outcome))[:120]})",
            )
        if isinstance(outcome, httpx.TransportError):
            self.check_deadline()
            failure = f"{type(outcome).__name__}: {self.core.auth.scrub(str(outcome))}"
            return self._wait(self._attempts.failed(failure, None, None))
        status = outcome.status
        if 200 <= status < 300:
            return Reply(status, outcome.content)
        if status not in self.core.retry.statuses:
            request = self.request
            raise self.core.error(request.endpoint, status, outcome.content, request.not_found)
        return self._wait(self._attempts.failed(f"HTTP {status}", status, outcome.retry_after))

    def _wait(self, seconds: float) -> float:
        if seconds >= self.remaining():
            raise ApiUnavailable(
                self.request.endpoint,
                f"the next try would start after the {self.core.deadline:g} s deadline",
                None,
                self._attempts.count,
            )
        return seconds


class Pager(Generic[T]):
    """The page-by-page walk of one list endpoint: which page to ask for next, and its items.

    Pages are ``0, 1, …`` with ``limit`` items, following ``next_page`` until it is ``null``;
    a ``next_page`` that does not advance is a BadResponse (it would loop forever).
    """

    __slots__ = (
        "_core",
        "_decode",
        "_keep",
        "_limit",
        "_max_pages",
        "_page",
        "_pages",
        "_params",
        "_path",
        "_seen",
    )

    def __init__(
        self,
        core: ApiCore,
        path: str,
        decode: Callable[[Any], T],
        *,
        params: dict[str, str],
        keep: Callable[[T], bool] | None,
        limit: int,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> None:
        self._core = core
        self._path = path
        self._decode = decode
        self._params = params
        self._keep = keep
        self._limit = limit
        self._max_pages = max_pages
        self._page: int | None = 0
        self._pages = 0
        self._seen = 0

    def next_request(self) -> Request | None:
        """The request for the next page, or ``None`` once the last page was read."""
        if self._page is None:
            return None
        params = {**self._params, "page": str(self._page), "limit": str(self._limit)}
        return Request("GET", self._path, params)

    def items(self, content: bytes) -> Iterator[T]:
        """The kept entities of the page just fetched, decoded lazily; advances the walk.

        The walk ends at ``next_page: null``, or once ``total_records`` (when the server
        counts, i.e. above zero) have been read. Refused (BadResponse): a page that does not
        advance, an empty page that promises more, more records than ``total_records``
        said, and a walk past ``max_pages`` pages.
        """
        endpoint = f"GET /v1{self._path}"
        page = self._page if self._page is not None else 0
        body = self._core.json(content, endpoint)
        data, self._page = envelope(body, endpoint, page)
        self._pages += 1
        self._seen += len(data)
        total = body.get("total_records")
        if type(total) is int and total > 0:
            if self._seen > total:
                raise BadResponse(
                    endpoint, f"{self._seen} records listed where total_records says {total}"
                )
            if self._seen == total:
                self._page = None
        if self._page is not None and not data:
            raise BadResponse(endpoint, f"page {page} is empty but next_page is {self._page}")
        if self._page is not None and self._pages >= self._max_pages:
            raise BadResponse(endpoint, f"listing stopped after {self._pages} pages (max_pages)")
        return self._decoded(data, endpoint)

    def _decoded(self, data: list[Any], endpoint: str) -> Iterator[T]:
        for index, item in enumerate(data):
            try:
                entity = self._decode(item)
            except stuut_json.DecodeError as exc:
                raise self._core.bad_shape(endpoint, exc, f"data[{index}]") from None
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


def bad_shape(
    endpoint: str, exc: Any, prefix: str, scrub: Callable[[str], str] = lambda text: text
) -> BadResponse:
    """BadResponse listing the codec's problems, each with its JSON path under ``prefix``."""
    problems = getattr(exc, "problems", ())
    details = "; ".join(f"{under_path(prefix, p.path)}: {p.message}" for p in problems)
    text = scrub(f"response is not the documented shape: {details or exc}")
    return BadResponse(endpoint, text[:2000])
