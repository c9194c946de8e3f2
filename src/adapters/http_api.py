"""The Stuut HTTP API v1 client (httpx): bearer auth, lazy paging, bounded retries, typed errors.

Endpoints: ``GET /v1/invoices``, ``GET /v1/invoices/{id}``, ``POST /v1/invoices/{id}/sync``,
``GET /v1/partners``, ``GET /v1/payments/{id}`` and ``POST /v1/payments/{id}/approve-allocations``.
The client also exposes them as read-side repositories (``client.invoices``,
``client.partners``, ``client.payments``) that satisfy the ports in
:mod:`stuut_domain.ports` where the API allows it.

Rules this module keeps:

* **The token never leaks.** It lives in an :class:`httpx.Auth` whose repr is redacted, is
  added to each request's headers only, and is scrubbed from any text the server echoes
  back into an error. No log line, repr or exception message contains it.
* **Retries are bounded** (ADR 0022): 429, 502, 503, 504 and transport errors (connect,
  read, timeouts) are retried up to :attr:`RetryPolicy.attempts` tries in all, with full-
  jitter exponential backoff; a ``Retry-After`` (seconds or HTTP date) is a floor on the wait,
  and one longer than :attr:`RetryPolicy.max_retry_after` is not waited for.
* **Typed errors**: 401 :class:`~adapters.errors.Unauthorized`, 403
  :class:`~adapters.errors.Forbidden`, 404 the core's :class:`~stuut_domain.errors.NotFound`,
  422 :class:`~adapters.errors.Unprocessable`, a body that is not JSON or not the documented
  shape :class:`~adapters.errors.BadResponse` naming the endpoint, retries spent
  :class:`~adapters.errors.ApiUnavailable`.
* **Paging is lazy**: list endpoints fetch one page (``page``, ``limit`` 1-200) at a time as
  the caller iterates, following ``next_page`` until it is ``null``.
* TLS certificates are verified unless ``verify=False`` is passed explicitly.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import logging
import random
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from decimal import Decimal
from typing import Any, Final, Generic, TypeVar

import attrs
import httpx

from adapters import stuut_json
from adapters._ids import check_id
from adapters.clock import SystemClock
from adapters.errors import (
    ApiUnavailable,
    BadResponse,
    Forbidden,
    Unauthorized,
    UnexpectedStatus,
    Unprocessable,
)
from stuut_domain.errors import NotFound
from stuut_domain.invoice import Invoice
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment
from stuut_domain.ports import Clock, InvoiceQuery, PartnerQuery, Versioned

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "HttpInvoices",
    "HttpPartners",
    "HttpPayments",
    "RetryPolicy",
    "StuutApiClient",
]

log = logging.getLogger(__name__)

#: The v1 API root (the docs' samples use plain http; the client defaults to TLS).
DEFAULT_BASE_URL: Final = "https://api.stuut.ai/v1"
#: Connect within 5 s; read, write and pool waits within 30 s each.
DEFAULT_TIMEOUT: Final = httpx.Timeout(30.0, connect=5.0)
#: The API's page size bounds for ``limit``.
MIN_LIMIT: Final = 1
MAX_LIMIT: Final = 200

T = TypeVar("T")


def _positive(_instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be positive, got {value!r}")


@attrs.frozen(kw_only=True, weakref_slot=False)
class RetryPolicy:
    """How often and how patiently a failed request is tried again (ADR 0022).

    * ``attempts``: tries in all, the first included (1 = never retry).
    * Retry number *n* (1-based) waits a uniformly random time in
      ``[0, min(max_delay, base_delay * 2**(n-1))]`` ("full jitter": clients that failed
      together do not retry together).
    * A ``Retry-After`` from the server is a floor: the wait is at least what it asks. One
      above ``max_retry_after`` seconds is not honoured by waiting: the call gives up at once.
    * ``statuses``: the responses worth retrying (rate limited, bad gateway, unavailable,
      gateway timeout). Transport errors (connect, read, timeouts) are always retried.
    """

    attempts: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    base_delay: float = attrs.field(default=0.5, validator=_positive)
    max_delay: float = attrs.field(default=8.0, validator=_positive)
    max_retry_after: float = attrs.field(default=60.0, validator=attrs.validators.ge(0))
    statuses: frozenset[int] = frozenset({429, 502, 503, 504})

    def backoff(self, retry: int, rng: random.Random) -> float:
        """The jittered wait before retry number ``retry`` (1-based), ignoring Retry-After."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry - 1))
        return rng.uniform(0.0, ceiling)

    def delay(self, retry: int, retry_after: float | None, rng: random.Random) -> float | None:
        """Seconds to wait before retry number ``retry``; ``None``: the server asks too long."""
        backoff = self.backoff(retry, rng)
        if retry_after is None:
            return backoff
        if retry_after > self.max_retry_after:
            return None
        return max(backoff, retry_after)


def parse_retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date), else ``None``.

    A date in the past means "now" (0). An unreadable value is ignored (``None``), so the
    client falls back to its own backoff.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.utcoffset() is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


class _BearerAuth(httpx.Auth):
    """Adds ``Authorization: Bearer …`` to each request; its repr never shows the token."""

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
        return "_BearerAuth([redacted])"


@attrs.frozen(weakref_slot=False)
class _Reply:
    status: int
    content: bytes


class StuutApiClient:
    """A synchronous client of the Stuut v1 API; use it as a context manager to close it.

    >>> with StuutApiClient(token, base_url="http://127.0.0.1:8000/v1") as api:  # doctest: +SKIP
    ...     for invoice in api.list_invoices(InvoiceQuery(partner_id="ptn_acme")):
    ...         ...

    ``page_size`` is the ``limit`` sent on list endpoints (1-200). ``sleep``, ``rng`` and
    ``clock`` exist so tests can observe waits without waiting. ``transport`` is passed to
    httpx (e.g. ``httpx.MockTransport``).
    """

    def __init__(
        self,
        token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        page_size: int = 100,
        verify: bool = True,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        clock: Clock | None = None,
    ) -> None:
        if not MIN_LIMIT <= page_size <= MAX_LIMIT:
            raise ValueError(f"page_size must be {MIN_LIMIT}-{MAX_LIMIT}, got {page_size}")
        self._auth = _BearerAuth(token)
        self._base_url = base_url.rstrip("/")
        self._retry = retry if retry is not None else RetryPolicy()
        self._page_size = page_size
        self._sleep = sleep
        self._rng = rng if rng is not None else random.Random()  # noqa: S311 - jitter, not crypto
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._http = httpx.Client(
            base_url=self._base_url,
            auth=self._auth,
            timeout=timeout,
            verify=verify,
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": "stuut-domain"},
            follow_redirects=False,
        )
        #: Read-side repositories over the API (ports: InvoiceReader, PartnerReader, Getter).
        self.invoices = HttpInvoices(self)
        self.partners = HttpPartners(self)
        self.payments = HttpPayments(self)

    def __repr__(self) -> str:
        return f"StuutApiClient(base_url={self._base_url!r}, token=[redacted])"

    def __enter__(self) -> StuutApiClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool; the client cannot be used afterwards."""
        self._http.close()

    # -- endpoints ------------------------------------------------------------------------

    def list_invoices(
        self, query: InvoiceQuery | None = None, *, page_size: int | None = None
    ) -> Iterator[Invoice]:
        """``GET /v1/invoices``, page by page as iterated, keeping the invoices ``query`` matches.

        The partner filter is sent as the ``partner`` parameter; every filter is applied here
        as well, so the result is right whether or not the server filters.
        """
        params = {} if query is None or query.partner_id is None else {"partner": query.partner_id}
        pages = self._pages("/invoices", stuut_json.decode_invoice, params, page_size)
        return pages if query is None else (i for i in pages if query.matches(i))

    def get_invoice(self, invoice_id: str) -> Invoice:
        """``GET /v1/invoices/{invoice_id}``; :class:`NotFound` when the API has no such invoice."""
        return self._get_one("invoice", invoice_id, "/invoices/{}", stuut_json.decode_invoice)[0]

    def sync_invoice(self, invoice_id: str) -> Invoice:
        """``POST /v1/invoices/{invoice_id}/sync``: re-sync with the ERP; returns the invoice."""
        entity_id = check_id("invoice", invoice_id)
        reply = self._call("POST", f"/invoices/{entity_id}/sync", not_found=("invoice", entity_id))
        endpoint = f"POST /v1/invoices/{entity_id}/sync"
        return self._decode(reply.content, stuut_json.decode_invoice, endpoint)

    def list_partners(
        self, query: PartnerQuery | None = None, *, page_size: int | None = None
    ) -> Iterator[Partner]:
        """``GET /v1/partners``, page by page as iterated, keeping what ``query`` matches."""
        pages = self._pages("/partners", stuut_json.decode_partner, {}, page_size)
        return pages if query is None else (p for p in pages if query.matches(p))

    def get_payment(self, payment_id: str) -> Payment:
        """``GET /v1/payments/{payment_id}``; :class:`NotFound` when there is no such payment."""
        return self._get_one("payment", payment_id, "/payments/{}", stuut_json.decode_payment)[0]

    def approve_allocations(self, payment_id: str) -> Payment:
        """``POST /v1/payments/{payment_id}/approve-allocations``; returns the updated payment."""
        entity_id = check_id("payment", payment_id)
        path = f"/payments/{entity_id}/approve-allocations"
        reply = self._call("POST", path, not_found=("payment", entity_id))
        return self._decode(reply.content, stuut_json.decode_payment, f"POST /v1{path}")

    # -- machinery ------------------------------------------------------------------------

    def _get_one(
        self, kind: str, raw_id: str, template: str, decode: Callable[[Any], T]
    ) -> tuple[T, bytes]:
        entity_id = check_id(kind, raw_id)
        path = template.format(entity_id)
        reply = self._call("GET", path, not_found=(kind, entity_id))
        return self._decode(reply.content, decode, f"GET /v1{path}"), reply.content

    def _pages(
        self,
        path: str,
        decode: Callable[[Any], T],
        params: Mapping[str, str],
        page_size: int | None,
    ) -> Iterator[T]:
        limit = self._page_size if page_size is None else page_size
        if not MIN_LIMIT <= limit <= MAX_LIMIT:
            raise ValueError(f"page_size must be {MIN_LIMIT}-{MAX_LIMIT}, got {limit}")
        return self._iterate_pages(path, decode, dict(params), limit)

    def _iterate_pages(
        self, path: str, decode: Callable[[Any], T], params: dict[str, str], limit: int
    ) -> Iterator[T]:
        page: int | None = 0
        endpoint = f"GET /v1{path}"
        while page is not None:
            reply = self._call(
                "GET", path, params={**params, "page": str(page), "limit": str(limit)}
            )
            body = self._json(reply.content, endpoint)
            data, next_page = _envelope(body, endpoint, page)
            for index, item in enumerate(data):
                try:
                    yield decode(item)
                except stuut_json.DecodeError as exc:
                    raise _bad_shape(endpoint, exc, f"data[{index}]") from exc
            page = next_page

    def _decode(self, content: bytes, decode: Callable[[Any], T], endpoint: str) -> T:
        # The raw bytes go to the codec: its fast path reads decimals exactly from the text.
        try:
            return decode(content)
        except stuut_json.DecodeError as exc:
            self._json(content, endpoint)  # a clear "not JSON" error before the codec's
            raise _bad_shape(endpoint, exc, "") from exc

    def _json(self, content: bytes, endpoint: str) -> Any:
        try:
            # Decimals stay exact (``quantity``, ``currency_rate``): never through a float.
            return json.loads(content, parse_float=Decimal)
        except (ValueError, UnicodeDecodeError) as exc:
            excerpt = self._auth.scrub(content[:80].decode("utf-8", "replace"))
            raise BadResponse(
                endpoint, f"response is not valid JSON ({exc}): {excerpt!r}"
            ) from None

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        not_found: tuple[str, str] | None = None,
    ) -> _Reply:
        """One request with the retry policy applied; returns a 2xx reply or raises typed."""
        endpoint = f"{method} /v1{path}"
        policy = self._retry
        attempt = 0
        while True:
            attempt += 1
            retry_after: float | None = None
            try:
                response = self._http.request(method, path, params=params)
            except httpx.TransportError as exc:
                status: int | None = None
                failure = f"{type(exc).__name__}: {self._auth.scrub(str(exc))}"
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return _Reply(status, response.content)
                if status not in policy.statuses:
                    raise self._error(endpoint, status, response.content, not_found)
                failure = f"HTTP {status}"
                retry_after = parse_retry_after(
                    response.headers.get("Retry-After"), self._clock.now()
                )
            if attempt >= policy.attempts:
                raise ApiUnavailable(endpoint, failure, status, attempt)
            wait = policy.delay(attempt, retry_after, self._rng)
            if wait is None:
                raise ApiUnavailable(
                    endpoint,
                    f"{failure}; Retry-After {retry_after:.0f}s is longer than the "
                    f"{policy.max_retry_after:.0f}s the retry policy waits",
                    status,
                    attempt,
                )
            log.warning(
                "%s failed (%s); retry %d of %d in %.2fs",
                endpoint,
                failure,
                attempt,
                policy.attempts - 1,
                wait,
            )
            self._sleep(wait)

    def _error(
        self, endpoint: str, status: int, content: bytes, not_found: tuple[str, str] | None
    ) -> Exception:
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
            return self._auth.scrub(content[:200].decode("utf-8", "replace")), None
        if not isinstance(body, dict):
            return "", body
        text = next(
            (str(body[k]) for k in ("message", "error", "detail") if body.get(k)),
            "",
        )
        return self._auth.scrub(text[:200]), body.get("detail")


def _envelope(body: Any, endpoint: str, page: int) -> tuple[list[Any], int | None]:
    """The ``data`` list and ``next_page`` of a v1 list envelope, or BadResponse."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise BadResponse(endpoint, "expected a list envelope with a 'data' array")
    next_page = body.get("next_page")
    if next_page is not None and (type(next_page) is not int or next_page <= page):
        raise BadResponse(
            endpoint, f"next_page must be null or a page after {page}, got {next_page!r}"
        )
    return body["data"], next_page


def _bad_shape(endpoint: str, exc: Any, prefix: str) -> BadResponse:
    problems = getattr(exc, "problems", ())
    details = "; ".join(
        f"{prefix}{'.' if prefix and p.path and not p.path.startswith('[') else ''}{p.path}: "
        f"{p.message}"
        for p in problems
    )
    return BadResponse(endpoint, f"response is not the documented shape: {details or exc}")


def _content_version(content: bytes) -> str:
    return "sha256:" + hashlib.sha256(content).hexdigest()[:32]


class _HttpGetter(Generic[T]):
    def __init__(
        self, client: StuutApiClient, kind: str, template: str, decode: Callable[[Any], T]
    ) -> None:
        self._client = client
        self._kind = kind
        self._template = template
        self._decode = decode

    def get(self, entity_id: str, /) -> T:
        """The entity, fetched from the API; :class:`NotFound` on 404."""
        return self.get_versioned(entity_id).entity

    def get_versioned(self, entity_id: str, /) -> Versioned[T]:
        """The entity and a version: a digest of the response body (changes with the content)."""
        entity, content = self._client._get_one(self._kind, entity_id, self._template, self._decode)
        return Versioned(entity=entity, version=_content_version(content))


class HttpInvoices(_HttpGetter[Invoice]):
    """Invoices over the API, read side (port ``InvoiceReader``)."""

    def __init__(self, client: StuutApiClient) -> None:
        super().__init__(client, "invoice", "/invoices/{}", stuut_json.decode_invoice)

    def find(self, query: InvoiceQuery | None = None, /) -> Iterator[Invoice]:
        """``GET /v1/invoices`` pages, lazily, filtered by ``query``."""
        return self._client.list_invoices(query)


class HttpPartners:
    """Partners over the API, read side (port ``PartnerReader``).

    The v1 API documents no ``GET /v1/partners/{id}``: :meth:`get` pages through
    ``GET /v1/partners`` until it meets the id (cost grows with the partner count).
    """

    def __init__(self, client: StuutApiClient) -> None:
        self._client = client

    def find(self, query: PartnerQuery | None = None, /) -> Iterator[Partner]:
        """``GET /v1/partners`` pages, lazily, filtered by ``query``."""
        return self._client.list_partners(query)

    def get(self, entity_id: str, /) -> Partner:
        """The partner with this id, found by listing; :class:`NotFound` if never listed."""
        return self.get_versioned(entity_id).entity

    def get_versioned(self, entity_id: str, /) -> Versioned[Partner]:
        """The partner and a version (a digest of its encoding)."""
        wanted = check_id("partner", entity_id)
        for partner in self._client.list_partners():
            if partner.id == wanted:
                return Versioned(
                    entity=partner, version=_content_version(stuut_json.encode_partner(partner))
                )
        raise NotFound("partner", wanted)


class HttpPayments(_HttpGetter[Payment]):
    """Payments over the API: get by id only (the v1 API documents no payment listing)."""

    def __init__(self, client: StuutApiClient) -> None:
        super().__init__(client, "payment", "/payments/{}", stuut_json.decode_payment)
