"""The Stuut HTTP API v1 client for asyncio (httpx.AsyncClient), twin of the sync client.

Same endpoints, options and rules as :class:`adapters.http_api.StuutApiClient` (the token
never leaks, bounded retries with Retry-After per ADR 0022, typed errors, lazy paging,
exact decimals, TLS verified), because both clients run the one I/O-free core in
:mod:`adapters._http_core` (ADR 0024): this module only awaits the requests and the waits.

    >>> async with AsyncStuutApiClient(token) as api:  # doctest: +SKIP
    ...     invoice = await api.get_invoice("inv_1")
    ...     async for invoice in api.list_invoices(InvoiceQuery(partner_id="ptn_acme")):
    ...         ...
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import httpx

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
from adapters._http_retry import RetryPolicy
from stuut_domain.cash.entities import BankTransaction, Remittance
from stuut_domain.fact_ports import BankTransactionQuery, RemittanceQuery
from stuut_domain.invoice import Invoice
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment
from stuut_domain.ports import Clock, InvoiceQuery, PartnerQuery

__all__ = ["AsyncStuutApiClient"]

T = TypeVar("T")


class AsyncStuutApiClient:
    """An asyncio client of the Stuut v1 API; use it with ``async with`` (or ``aclose()``).

    Options as for :class:`~adapters.http_api.StuutApiClient`, except that ``sleep`` is a
    coroutine function (default :func:`asyncio.sleep`; tests pass one that only records) and
    ``transport`` an ``httpx.AsyncBaseTransport``. Endpoints are coroutines; the list
    endpoints are async iterators that fetch the next page only when iterated that far.
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
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
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
        self._http = httpx.AsyncClient(
            **self._core.http_options(timeout, verify), transport=transport
        )

    def __repr__(self) -> str:
        return self._core.describe(self)

    async def __aenter__(self) -> AsyncStuutApiClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool; the client cannot be used afterwards."""
        await self._http.aclose()

    # -- endpoints ------------------------------------------------------------------------

    def list_invoices(
        self, query: InvoiceQuery | None = None, *, page_size: int | None = None
    ) -> AsyncIterator[Invoice]:
        """``GET /v1/invoices``, page by page as iterated, keeping the invoices ``query`` matches.

        The partner filter is sent as the ``partner`` parameter and applied here as well.
        ``page_size`` outside 1-200 raises ValueError at once, before any request.
        """
        return self._walk(self._core.invoice_pager(query, page_size))

    async def get_invoice(self, invoice_id: str) -> Invoice:
        """``GET /v1/invoices/{invoice_id}``; :class:`NotFound` when the API has no such invoice."""
        return await self._one(GET_INVOICE, invoice_id)

    async def sync_invoice(self, invoice_id: str) -> Invoice:
        """``POST /v1/invoices/{invoice_id}/sync``: re-sync with the ERP; returns the invoice."""
        return await self._one(SYNC_INVOICE, invoice_id)

    def list_partners(
        self, query: PartnerQuery | None = None, *, page_size: int | None = None
    ) -> AsyncIterator[Partner]:
        """``GET /v1/partners``, page by page as iterated, keeping what ``query`` matches."""
        return self._walk(self._core.partner_pager(query, page_size))

    async def get_payment(self, payment_id: str) -> Payment:
        """``GET /v1/payments/{payment_id}``; :class:`NotFound` when there is no such payment."""
        return await self._one(GET_PAYMENT, payment_id)

    async def approve_allocations(self, payment_id: str) -> Payment:
        """``POST /v1/payments/{payment_id}/approve-allocations``; returns the updated payment."""
        return await self._one(APPROVE_ALLOCATIONS, payment_id)

    def list_bank_transactions(
        self, query: BankTransactionQuery | None = None, *, page_size: int | None = None
    ) -> AsyncIterator[BankTransaction]:
        """``GET /v1/bank-transactions``, page by page as iterated, keeping what ``query``
        matches (the partner filter is sent as ``partner`` and applied here too)."""
        return self._walk(self._core.bank_transaction_pager(query, page_size))

    async def get_bank_transaction(self, transaction_id: str) -> BankTransaction:
        """``GET /v1/bank-transactions/{transaction_id}``; :class:`NotFound` when there is none."""
        return await self._one(GET_BANK_TRANSACTION, transaction_id)

    async def mark_payment(self, transaction_id: str, partner_id: str) -> Payment:
        """``POST /v1/bank-transactions/{transaction_id}/mark-payment`` with ``{"partner"}``:
        the transaction becomes a customer payment of that partner; returns the payment.

        Both ids are checked before any I/O. A 404 means the transaction (or the partner) is
        unknown to the API.
        """
        request = MARK_PAYMENT.request(transaction_id, mark_payment_body(partner_id))
        reply = await self._call(request)
        return self._core.decode(reply.content, MARK_PAYMENT.decode, request.endpoint)

    def list_remittances(
        self, query: RemittanceQuery | None = None, *, page_size: int | None = None
    ) -> AsyncIterator[Remittance]:
        """``GET /v1/remittances``, page by page as iterated, keeping what ``query`` matches.

        There is no ``get_remittance``: the API reference documents no
        ``GET /v1/remittances/{id}``.
        """
        return self._walk(self._core.remittance_pager(query, page_size))

    # -- I/O: everything else is the shared core ------------------------------------------

    async def _one(self, action: Action[T], raw_id: str) -> T:
        request = action.request(raw_id)
        reply = await self._call(request)
        return self._core.decode(reply.content, action.decode, request.endpoint)

    async def _walk(self, pager: Pager[T]) -> AsyncIterator[T]:
        while (request := pager.next_request()) is not None:
            for item in pager.items((await self._call(request)).content):
                yield item

    async def _call(self, request: Request) -> Reply:
        """One request with the retry policy applied; returns a 2xx reply or raises typed."""
        call = self._core.call(request)
        while True:
            verdict = call.judge(await self._try(call))
            if isinstance(verdict, Reply):
                return verdict
            await self._sleep(verdict)

    async def _try(self, call: Call) -> Received | httpx.TransportError | httpx.DecodingError:
        """One try, its body streamed under the size cap, the whole try under the deadline."""
        request = call.request
        try:
            async with asyncio.timeout(call.remaining()):
                async with self._http.stream(
                    request.method,
                    request.path,
                    params=request.params,
                    content=request.body,
                    headers=call.headers,
                    timeout=call.timeout(self._timeout),
                ) as response:
                    body = call.body()
                    async for chunk in response.aiter_bytes():
                        body.add(chunk)
                    return body.received(response)
        except (httpx.TransportError, httpx.DecodingError) as exc:
            return exc
        except TimeoutError:
            call.check_deadline()
            return httpx.ReadTimeout("no answer within the deadline")
