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
* **Every call is bounded**: one deadline covers connecting, headers, body, retries and the
  waits between them; a body is read as a stream and refused past ``max_response_bytes``
  (counted decoded, so a gzip bomb stops at the cap); a listing stops at ``total_records``
  and refuses to run past ``max_pages``.
* **Retries are bounded** (ADR 0022): 429, 502, 503, 504 and transport errors (connect,
  read, timeouts) are retried up to :attr:`RetryPolicy.attempts` tries in all, with full-
  jitter exponential backoff; a ``Retry-After`` (seconds or HTTP date) is a floor on the wait,
  and one longer than :attr:`RetryPolicy.max_retry_after` is not waited for.
* **Typed errors**: 401 :class:`~adapters.errors.Unauthorized`, 403
  :class:`~adapters.errors.Forbidden`, 404 the core's :class:`~stuut_domain.errors.NotFound`,
  422 :class:`~adapters.errors.Unprocessable`, a body that is not JSON or not the documented
  shape :class:`~adapters.errors.BadResponse` naming the endpoint, retries or the deadline
  spent :class:`~adapters.errors.ApiUnavailable`. Every one is a
  :class:`~adapters.errors.StuutApiError`; a 404 is :class:`~adapters.errors.ApiNotFound`,
  which is also the core's :class:`~stuut_domain.errors.NotFound`.
* **A retried POST is safe** (ADR 0035): sync and approve-allocations are idempotent on
  the server's side, and every try of one POST carries the same ``Idempotency-Key``.
* **Paging is lazy**: list endpoints fetch one page (``page``, ``limit`` 1-200) at a time as
  the caller iterates, following ``next_page`` until it is ``null``.
* TLS certificates are verified unless ``verify=False`` is passed explicitly.

Everything here but sending and sleeping is the I/O-free core in :mod:`adapters._http_core`
and :mod:`adapters._http_retry`, shared with :class:`adapters.http_api_async.AsyncStuutApiClient`
(ADR 0024), so the two clients cannot drift.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

import httpx

from adapters import stuut_json
from adapters._http_core import (
    APPROVE_ALLOCATIONS,
    DEFAULT_BASE_URL,
    DEFAULT_DEADLINE,
    DEFAULT_MAX_PAGES,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
    GET_BANK_TRANSACTION,
    GET_INVOICE,
    GET_PAYMENT,
    MARK_PAYMENT,
    MAX_LIMIT,
    MIN_LIMIT,
    SYNC_INVOICE,
    Action,
    ApiCore,
    Call,
    Pager,
    Received,
    Reply,
    Request,
    mark_payment_body,
)
from adapters._http_retry import RetryPolicy, parse_retry_after
from adapters._ids import check_id
from stuut_domain.cash.entities import BankTransaction, Remittance
from stuut_domain.errors import NotFound
from stuut_domain.fact_ports import BankTransactionQuery, RemittanceQuery
from stuut_domain.invoice import Invoice
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment
from stuut_domain.ports import Clock, InvoiceQuery, PartnerQuery, Versioned

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "MAX_LIMIT",
    "MIN_LIMIT",
    "HttpBankTransactions",
    "HttpInvoices",
    "HttpPartners",
    "HttpPayments",
    "HttpRemittances",
    "RetryPolicy",
    "StuutApiClient",
    "parse_retry_after",
]

T = TypeVar("T")


class StuutApiClient:
    """A synchronous client of the Stuut v1 API; use it as a context manager to close it.

    >>> with StuutApiClient(token, base_url="http://127.0.0.1:8000/v1") as api:  # doctest: +SKIP
    ...     for invoice in api.list_invoices(InvoiceQuery(partner_id="ptn_acme")):
    ...         ...

    ``page_size`` is the ``limit`` sent on list endpoints (1-200). ``deadline`` bounds each
    call in all (connect, headers, body, retries and waits; default 120 s);
    ``max_response_bytes`` caps a body as decoded (default 32 MiB); ``max_pages`` stops a
    listing that never ends (default 10,000). ``sleep``, ``rng``, ``clock`` and ``monotonic``
    exist so tests can observe waits without waiting. ``transport`` is passed to httpx (e.g.
    ``httpx.MockTransport``).
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
        deadline: float = DEFAULT_DEADLINE,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_pages: int = DEFAULT_MAX_PAGES,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._core = ApiCore(
            token,
            base_url=base_url,
            retry=retry,
            page_size=page_size,
            rng=rng,
            clock=clock,
            deadline=deadline,
            max_response_bytes=max_response_bytes,
            max_pages=max_pages,
            monotonic=monotonic,
        )
        self._sleep = sleep
        self._timeout = httpx.Timeout(timeout)
        self._http = httpx.Client(**self._core.http_options(timeout, verify), transport=transport)
        #: Read-side repositories over the API (ports: InvoiceReader, PartnerReader, Getter).
        self.invoices = HttpInvoices(self)
        self.partners = HttpPartners(self)
        self.payments = HttpPayments(self)
        #: Read-side repositories of the cash kinds (BankTransactionReader, RemittanceReader).
        self.bank_transactions = HttpBankTransactions(self)
        self.remittances = HttpRemittances(self)

    def __repr__(self) -> str:
        return self._core.describe(self)

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
        return self._walk(self._core.invoice_pager(query, page_size))

    def get_invoice(self, invoice_id: str) -> Invoice:
        """``GET /v1/invoices/{invoice_id}``; :class:`NotFound` when the API has no such invoice."""
        return self._one(GET_INVOICE, invoice_id)[0]

    def sync_invoice(self, invoice_id: str) -> Invoice:
        """``POST /v1/invoices/{invoice_id}/sync``: re-sync with the ERP; returns the invoice."""
        return self._one(SYNC_INVOICE, invoice_id)[0]

    def list_partners(
        self, query: PartnerQuery | None = None, *, page_size: int | None = None
    ) -> Iterator[Partner]:
        """``GET /v1/partners``, page by page as iterated, keeping what ``query`` matches."""
        return self._walk(self._core.partner_pager(query, page_size))

    def get_payment(self, payment_id: str) -> Payment:
        """``GET /v1/payments/{payment_id}``; :class:`NotFound` when there is no such payment."""
        return self._one(GET_PAYMENT, payment_id)[0]

    def approve_allocations(self, payment_id: str) -> Payment:
        """``POST /v1/payments/{payment_id}/approve-allocations``; returns the updated payment."""
        return self._one(APPROVE_ALLOCATIONS, payment_id)[0]

    def list_bank_transactions(
        self, query: BankTransactionQuery | None = None, *, page_size: int | None = None
    ) -> Iterator[BankTransaction]:
        """``GET /v1/bank-transactions``, page by page as iterated, keeping what ``query``
        matches (the partner filter is sent as ``partner`` and applied here too)."""
        return self._walk(self._core.bank_transaction_pager(query, page_size))

    def get_bank_transaction(self, transaction_id: str) -> BankTransaction:
        """``GET /v1/bank-transactions/{transaction_id}``; :class:`NotFound` when there is none."""
        return self._one(GET_BANK_TRANSACTION, transaction_id)[0]

    def mark_payment(self, transaction_id: str, partner_id: str) -> Payment:
        """``POST /v1/bank-transactions/{transaction_id}/mark-payment`` with ``{"partner"}``:
        the transaction becomes a customer payment of that partner; returns the payment.

        Both ids are checked before any I/O. A 404 means the transaction (or the partner) is
        unknown to the API.
        """
        request = MARK_PAYMENT.request(transaction_id, mark_payment_body(partner_id))
        reply = self._call(request)
        return self._core.decode(reply.content, MARK_PAYMENT.decode, request.endpoint)

    def list_remittances(
        self, query: RemittanceQuery | None = None, *, page_size: int | None = None
    ) -> Iterator[Remittance]:
        """``GET /v1/remittances``, page by page as iterated, keeping what ``query`` matches.

        There is no ``get_remittance``: the API reference documents no
        ``GET /v1/remittances/{id}``.
        """
        return self._walk(self._core.remittance_pager(query, page_size))

    # -- I/O: everything else is the shared core ------------------------------------------

    def _one(self, action: Action[T], raw_id: str) -> tuple[T, bytes]:
        request = action.request(raw_id)
        content = self._call(request).content
        return self._core.decode(content, action.decode, request.endpoint), content

    def _walk(self, pager: Pager[T]) -> Iterator[T]:
        while (request := pager.next_request()) is not None:
            yield from pager.items(self._call(request).content)

    def _call(self, request: Request) -> Reply:
        """One request with the retry policy applied; returns a 2xx reply or raises typed."""
        call = self._core.call(request)
        while True:
            verdict = call.judge(self._try(call))
            if isinstance(verdict, Reply):
                return verdict
            self._sleep(verdict)

    def _try(self, call: Call) -> Received | httpx.TransportError | httpx.DecodingError:
        """One try, its body streamed under the size cap and the call's deadline."""
        request = call.request
        try:
            with self._http.stream(
                request.method,
                request.path,
                params=request.params,
                content=request.body,
                headers=call.headers,
                timeout=call.timeout(self._timeout),
            ) as response:
                body = call.body()
                for chunk in response.iter_bytes():
                    body.add(chunk)
                return body.received(response)
        except (httpx.TransportError, httpx.DecodingError) as exc:
            return exc


def _content_version(content: bytes) -> str:
    return "sha256:" + hashlib.sha256(content).hexdigest()[:32]


class _HttpGetter(Generic[T]):
    def __init__(self, client: StuutApiClient, action: Action[T]) -> None:
        self._client = client
        self._action = action

    def get(self, entity_id: str, /) -> T:
        """The entity, fetched from the API; :class:`NotFound` on 404."""
        return self.get_versioned(entity_id).entity

    def get_versioned(self, entity_id: str, /) -> Versioned[T]:
        """The entity and a version: a digest of the response body (changes with the content)."""
        entity, content = self._client._one(self._action, entity_id)
        return Versioned(entity=entity, version=_content_version(content))


class HttpInvoices(_HttpGetter[Invoice]):
    """Invoices over the API, read side (port ``InvoiceReader``)."""

    def __init__(self, client: StuutApiClient) -> None:
        super().__init__(client, GET_INVOICE)

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


class HttpBankTransactions(_HttpGetter[BankTransaction]):
    """Bank transactions over the API, read side (port ``BankTransactionReader``)."""

    def __init__(self, client: StuutApiClient) -> None:
        super().__init__(client, GET_BANK_TRANSACTION)

    def find(self, query: BankTransactionQuery | None = None, /) -> Iterator[BankTransaction]:
        """``GET /v1/bank-transactions`` pages, lazily, filtered by ``query``."""
        return self._client.list_bank_transactions(query)


class HttpRemittances:
    """Remittances over the API, read side (port ``RemittanceReader``).

    The v1 API documents no ``GET /v1/remittances/{id}``: :meth:`get` pages through
    ``GET /v1/remittances`` until it meets the id (as :class:`HttpPartners` does).
    """

    def __init__(self, client: StuutApiClient) -> None:
        self._client = client

    def find(self, query: RemittanceQuery | None = None, /) -> Iterator[Remittance]:
        """``GET /v1/remittances`` pages, lazily, filtered by ``query``."""
        return self._client.list_remittances(query)

    def get(self, entity_id: str, /) -> Remittance:
        """The remittance with this id, found by listing; :class:`NotFound` if never listed."""
        return self.get_versioned(entity_id).entity

    def get_versioned(self, entity_id: str, /) -> Versioned[Remittance]:
        """The remittance and a version (a digest of its encoding)."""
        wanted = check_id("remittance", entity_id)
        for remittance in self._client.list_remittances():
            if remittance.id == wanted:
                return Versioned(
                    entity=remittance, version=_content_version(stuut_json.encode(remittance))
                )
        raise NotFound("remittance", wanted)


class HttpPayments(_HttpGetter[Payment]):
    """Payments over the API: get by id only (the v1 API documents no payment listing)."""

    def __init__(self, client: StuutApiClient) -> None:
        super().__init__(client, GET_PAYMENT)
