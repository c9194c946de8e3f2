"""A fake Stuut API: a loopback HTTP server serving any repositories in the v1 API's shape.

For this library's tests and for the services that depend on it (as stripe-mock is for
Stripe)::

    from adapters.fake_api import Fault, FakeStuutApi
    from adapters.memory import MemoryStore

    store = MemoryStore()
    store.invoices.add(my_invoice)
    with FakeStuutApi.serving(store, token="test-token") as api:
        client = StuutApiClient("test-token", base_url=api.base_url)
        api.faults.inject(Fault(status=429, retry_after="1"), times=2)
        ...

What it serves (all under ``/v1``, bearer token required, JSON bodies encoded by
:mod:`adapters.stuut_json`):

* ``GET /invoices`` (``page`` ≥ 0, ``limit`` 1-200, optional ``partner``) and
  ``GET /partners`` (``page``, ``limit``): the list envelope ``{"data", "current_page",
  "total_records", "next_page"}``.
* ``GET /invoices/{id}``, ``GET /payments/{id}``: one entity, or 404.
* ``POST /invoices/{id}/sync``: stamps ``last_synced_at`` (the fake's clock) and
  ``sync_status = "synced"``, saves, returns the invoice.
* ``POST /payments/{id}/approve-allocations``: approves every allocation (``approved``,
  ``approved_at``), saves, returns the payment.
* When given bank transactions and remittances (``serving`` takes them from a store that has
  them, ADR 0056): ``GET /bank-transactions`` (paged, optional ``partner``),
  ``GET /bank-transactions/{id}``, ``GET /remittances`` (paged, optional ``partner``) and
  ``POST /bank-transactions/{id}/mark-payment`` with body ``{"partner": id}``: flags the
  transaction ``is_payment`` of that partner (saved at the version read) and answers
  ``{"payment": Payment}``, the payment ``pay_<transaction id>`` it records. Idempotent:
  marking again for the same partner writes nothing and returns the same payment; for
  another partner it is 409. The API reference documents no ``GET /remittances/{id}`` and
  no endpoint for credit notes, customer credits, disputes or promises, so none is served.

Errors: 401 ``{"error": "unauthorized", "message": …}`` without a valid bearer token, 404
``{"error": "not_found", "message": …}``, 422 ``{"detail": [{"loc", "msg"}]}`` for a bad
``page``/``limit``. :class:`Fault` injects latency, any status (429/503 with ``Retry-After``),
a malformed body, a wrong-shaped body or a dropped connection, for chosen requests.

The server binds ``127.0.0.1`` on port 0 (the OS picks a free port) unless told otherwise and
runs in a daemon thread; :attr:`FakeStuutApi.requests` records what it received (never the
token itself, only whether it was accepted).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final

import attrs

from adapters import stuut_json
from adapters._ids import check_id
from adapters.clock import SystemClock
from adapters.errors import InvalidId
from stuut_domain.cash.entities import BankTransaction
from stuut_domain.errors import AlreadyExists, NotFound
from stuut_domain.fact_ports import (
    BankTransactionQuery,
    BankTransactionRepository,
    RemittanceQuery,
    RemittanceReader,
)
from stuut_domain.invoice import Invoice
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment
from stuut_domain.ports import (
    Clock,
    InvoiceQuery,
    InvoiceRepository,
    PartnerReader,
    PaymentRepository,
)

__all__ = ["FakeStuutApi", "Fault", "FaultPlan", "RecordedRequest"]

log = logging.getLogger(__name__)

#: A body that is cut off mid-object: valid UTF-8, invalid JSON.
MALFORMED_BODY = b'{"data": [{"amount_due": 12'


@attrs.frozen(kw_only=True, weakref_slot=False)
class Fault:
    """One injected misbehaviour, applied to a request instead of (or before) the real answer.

    * ``delay``: seconds to wait before answering (latency; longer than the client's read
      timeout makes it time out).
    * ``status``: answer with this status instead (e.g. 429, 503), body
      ``{"error": …, "message": …}``; ``retry_after`` sets the ``Retry-After`` header.
    * ``malformed``: answer 200 with a body that is not JSON.
    * ``body``: answer 200 with exactly these bytes (e.g. JSON of the wrong shape).
    * ``disconnect``: close the connection without any answer.

    A fault with only ``delay`` delays the real answer.
    """

    delay: float = 0.0
    status: int | None = None
    retry_after: str | None = None
    malformed: bool = False
    body: bytes | None = None
    disconnect: bool = False


@attrs.define(weakref_slot=False)
class _Armed:
    fault: Fault
    remaining: int | None
    method: str | None
    path: str | None

    def applies(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return self.path is None or path == self.path or path.startswith(self.path + "/")


class FaultPlan:
    """The faults waiting for requests, consumed in the order injected (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[_Armed] = []

    def inject(
        self,
        fault: Fault,
        *,
        times: int | None = 1,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Apply ``fault`` to the next ``times`` matching requests (``None``: every one).

        ``method`` (``"GET"``) and ``path`` (``"/v1/invoices"``, also matching sub-paths)
        narrow which requests it hits; unset, it hits any.
        """
        if times is not None and times < 1:
            raise ValueError(f"times must be at least 1 or None, got {times}")
        with self._lock:
            self._armed.append(_Armed(fault, times, method, path))

    def clear(self) -> None:
        """Remove every pending fault."""
        with self._lock:
            self._armed.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The fault for this request, if any (used up by one)."""
        with self._lock:
            for armed in self._armed:
                if armed.applies(method, path):
                    if armed.remaining is not None:
                        armed.remaining -= 1
                        if armed.remaining == 0:
                            self._armed.remove(armed)
                    return armed.fault
        return None


@attrs.frozen(kw_only=True, weakref_slot=False)
class RecordedRequest:
    """A request the fake received: method, path, query parameters, whether auth passed."""

    method: str
    path: str
    query: dict[str, str]
    authorized: bool


class _Reply(Exception):
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.body = body
        self.headers = headers or {}


class FakeStuutApi:
    """A running (after :meth:`start`) fake of the Stuut v1 API over the given repositories.

    ``invoices`` and ``payments`` need the write side too (the POST actions save);
    ``partners`` only reads. ``clock`` stamps ``last_synced_at`` / ``approved_at``.
    """

    def __init__(
        self,
        *,
        invoices: InvoiceRepository,
        partners: PartnerReader,
        payments: PaymentRepository,
        token: str,
        clock: Clock | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        bank_transactions: BankTransactionRepository | None = None,
        remittances: RemittanceReader | None = None,
    ) -> None:
        if not token:
            raise ValueError("the fake API needs a non-empty token to check")
        self.invoices = invoices
        self.partners = partners
        self.payments = payments
        self.bank_transactions = bank_transactions
        self.remittances = remittances
        self._mark_lock = threading.Lock()
        self._token = token
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._host = host
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._requests_lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        #: Faults to inject into coming requests.
        self.faults = FaultPlan()

    @classmethod
    def serving(
        cls,
        store: Any,
        *,
        token: str,
        clock: Clock | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> FakeStuutApi:
        """A started fake over a store with ``invoices``, ``partners`` and ``payments``.

        It listens on ``host``:``port``; port ``0`` lets the OS pick a free one (read it back
        from :attr:`url`). A port already in use raises :class:`OSError`.
        """
        return cls(
            invoices=store.invoices,
            partners=store.partners,
            payments=store.payments,
            token=token,
            clock=clock,
            host=host,
            port=port,
            bank_transactions=getattr(store, "bank_transactions", None),
            remittances=getattr(store, "remittances", None),
        ).start()

    def __repr__(self) -> str:
        state = self.url if self._server is not None else "stopped"
        return f"FakeStuutApi({state})"

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeStuutApi:
        """Bind and serve in a daemon thread; returns ``self``. Idempotent."""
        if self._server is None:
            server = _Server((self._host, self._port), _handler_for(self))
            self._server = server
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="fake-stuut-api",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port. Idempotent."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> FakeStuutApi:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` (the server must be started)."""
        if self._server is None:
            raise RuntimeError("the fake API is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def base_url(self) -> str:
        """The v1 root to give the client: ``http://127.0.0.1:<port>/v1``."""
        return f"{self.url}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in arrival order (a copy)."""
        with self._requests_lock:
            return list(self._requests)

    # -- request handling (called from the server's threads) --------------------------------

    def _record(self, request: RecordedRequest) -> None:
        with self._requests_lock:
            self._requests.append(request)

    def _authorized(self, header: str | None) -> bool:
        return header == f"Bearer {self._token}"

    def _route(
        self, method: str, path: str, query: dict[str, str], body: bytes = b""
    ) -> tuple[int, bytes]:
        parts = path.strip("/").split("/")
        if parts[:1] != ["v1"]:
            raise _not_found(f"no such endpoint {method} {path}")
        match method, parts[1:]:
            case "GET", ["invoices"]:
                partner = query.get("partner")
                return 200, self._page(
                    self.invoices.find(InvoiceQuery(partner_id=partner)),
                    stuut_json.encode_invoice,
                    query,
                )
            case "GET", ["invoices", raw_id]:
                invoice = self._get(self.invoices.get, "invoice", raw_id)
                return 200, stuut_json.encode_invoice(invoice)
            case "POST", ["invoices", raw_id, "sync"]:
                return 200, stuut_json.encode_invoice(self._sync(raw_id))
            case "GET", ["partners"]:
                return 200, self._page(self.partners.find(), stuut_json.encode_partner, query)
            case "GET", ["payments", raw_id]:
                payment = self._get(self.payments.get, "payment", raw_id)
                return 200, stuut_json.encode_payment(payment)
            case "POST", ["payments", raw_id, "approve-allocations"]:
                return 200, stuut_json.encode_payment(self._approve(raw_id))
            case "GET", ["bank-transactions"] if self.bank_transactions is not None:
                bank_query = BankTransactionQuery(partner_id=query.get("partner"))
                return 200, self._page(
                    self.bank_transactions.find(bank_query), stuut_json.encode, query
                )
            case "GET", ["bank-transactions", raw_id] if self.bank_transactions is not None:
                found = self._get(self.bank_transactions.get, "bank_transaction", raw_id)
                return 200, stuut_json.encode(found)
            case "POST", ["bank-transactions", raw_id, "mark-payment"] if (
                self.bank_transactions is not None
            ):
                payment = self._mark_payment(self.bank_transactions, raw_id, body)
                return 200, b'{"payment": ' + stuut_json.encode_payment(payment) + b"}"
            case "GET", ["remittances"] if self.remittances is not None:
                remittance_query = RemittanceQuery(partner_id=query.get("partner"))
                return 200, self._page(
                    self.remittances.find(remittance_query), stuut_json.encode, query
                )
        raise _not_found(f"no such endpoint {method} {path}")

    def _get(self, get: Callable[[str], Any], kind: str, raw_id: str) -> Any:
        try:
            return get(check_id(kind, urllib.parse.unquote(raw_id)))
        except (NotFound, InvalidId):
            raise _not_found(f"{kind.capitalize()} {raw_id!r} not found") from None

    def _sync(self, raw_id: str) -> Invoice:
        current = self._get(self.invoices.get_versioned, "invoice", raw_id)
        synced: Invoice = attrs.evolve(
            current.entity, last_synced_at=self._clock.now(), sync_status="synced"
        )
        self.invoices.save(synced, expected_version=current.version)
        return synced

    def _approve(self, raw_id: str) -> Payment:
        current = self._get(self.payments.get_versioned, "payment", raw_id)
        now = self._clock.now()
        payment: Payment = current.entity
        approved = attrs.evolve(
            payment,
            allocations=tuple(
                a if a.approved else attrs.evolve(a, approved=True, approved_at=now)
                for a in payment.allocations
            ),
        )
        self.payments.save(approved, expected_version=current.version)
        return approved

    def _mark_payment(
        self, transactions: BankTransactionRepository, raw_id: str, body: bytes
    ) -> Payment:
        """Flag the transaction a payment of the body's ``partner`` and record its payment."""
        partner_id = _partner_of(body)
        partner: Partner = self._get(self.partners.get, "partner", partner_id)
        with self._mark_lock:
            current = self._get(transactions.get_versioned, "bank_transaction", raw_id)
            tx: BankTransaction = current.entity
            marked_for = None if tx.partner is None else tx.partner.id
            if marked_for not in (None, partner_id):
                state = "a payment" if tx.is_payment is True else "filed under"
                raise _Reply(
                    409,
                    {
                        "error": "conflict",
                        "message": f"bank transaction {tx.id!r} is already {state} "
                        f"partner {marked_for!r}",
                    },
                )
            payment_id = f"pay_{tx.id}"
            try:  # checked before anything is written: a refusal leaves the transaction as it was
                check_id("payment", payment_id)
            except InvalidId as exc:
                raise _Reply(422, {"error": "unprocessable", "message": str(exc)}) from None
            if tx.is_payment is not True or marked_for != partner_id:
                tx = attrs.evolve(tx, is_payment=True, partner=partner, non_payment_reason=None)
                transactions.save(tx, expected_version=current.version)
            payment = Payment(
                id=payment_id,
                object="payment",
                amount=tx.amount,
                currency=tx.currency,
                partner_id=partner_id,
                status="pending_match",
                timestamp=tx.timestamp,
                bank_transaction_id=tx.id,
            )
            try:
                self.payments.add(payment)
            except AlreadyExists:
                return self.payments.get(str(payment.id))
            return payment

    def _page(
        self, entities: Iterator[Any], encode: Callable[[Any], bytes], query: dict[str, str]
    ) -> bytes:
        page = _int_param(query, "page", default=0, low=0, high=None)
        limit = _int_param(query, "limit", default=50, low=1, high=200)
        start, stop = page * limit, page * limit + limit
        chosen: list[bytes] = []
        total = 0
        for entity in entities:
            if start <= total < stop:
                chosen.append(encode(entity))
            total += 1
        next_page = page + 1 if total > stop else None
        tail = json.dumps(
            {"current_page": page, "total_records": total, "next_page": next_page}
        ).encode()
        return b'{"data": [' + b", ".join(chosen) + b"], " + tail[1:]


def _int_param(
    query: dict[str, str], name: str, *, default: int, low: int, high: int | None
) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise _Reply(
            422,
            {
                "detail": [
                    {"loc": ["query", name], "msg": f"must be an integer {bound}", "input": raw}
                ]
            },
        )
    return value


def _partner_of(body: bytes) -> str:
    """The ``partner`` id of a mark-payment body, else a 422 naming what is wrong."""
    try:
        data = json.loads(body or b"null")
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
        data = None
    partner = data.get("partner") if isinstance(data, dict) else None
    if not isinstance(partner, str) or not partner:
        raise _Reply(
            422,
            {"detail": [{"loc": ["body", "partner"], "msg": "a partner id (string) is required"}]},
        )
    return partner


def _not_found(message: str) -> _Reply:
    return _Reply(404, {"error": "not_found", "message": message})


#: The largest request body the fake API reads; the real API's POSTs carry none.
MAX_REQUEST_BODY: Final = 1024 * 1024


def _body_refusal(headers: Any) -> tuple[int, str] | None:
    """Why a request's body framing is refused (status, message), or ``None`` when it is fine.

    Only a plain ``Content-Length`` of ASCII digits up to :data:`MAX_REQUEST_BODY` is read;
    ``abc``, ``-1``, ``10**12``, a repeated header and chunked bodies are answered at once.
    """
    if headers.get("Transfer-Encoding") is not None:
        return 411, "chunked or encoded request bodies are not accepted; send Content-Length"
    values = headers.get_all("Content-Length") or []
    if len(values) > 1:
        return 400, "more than one Content-Length"
    if not values:
        return None
    text = values[0].strip()
    if not (text.isascii() and text.isdigit()):
        return 400, f"Content-Length must be a number of bytes, got {text[:20]!r}"
    if len(text) > 12 or int(text) > MAX_REQUEST_BODY:
        return 413, f"request bodies are limited to {MAX_REQUEST_BODY} bytes"
    return None


class _Server(ThreadingHTTPServer):
    """The fake API's server: a listen queue deep enough for bursts of clients."""

    request_queue_size = 128
    daemon_threads = True


def _handler_for(api: FakeStuutApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes; without this, Nagle's algorithm and
        # delayed ACKs add ~40 ms to every keep-alive response.
        disable_nagle_algorithm = True
        server_version = "FakeStuutApi/1"
        sys_version = ""

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PUT(self) -> None:
            self._handle("PUT")

        def do_DELETE(self) -> None:
            self._handle("DELETE")

        def _handle(self, method: str) -> None:
            refusal = _body_refusal(self.headers)
            if refusal is not None:
                # The body's end is unknown: answer, then close, so the connection cannot
                # desynchronise (the next "request" would be the rest of this body).
                self.close_connection = True
                status, message = refusal
                body = json.dumps({"error": "bad_request", "message": message}).encode()
                self._send(status, body, {"Connection": "close"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            authorized = api._authorized(self.headers.get("Authorization"))
            api._record(
                RecordedRequest(method=method, path=url.path, query=query, authorized=authorized)
            )
            fault = api.faults.take(method, url.path)
            if fault is not None and fault.delay:
                time.sleep(fault.delay)
            if fault is not None and fault.disconnect:
                self.close_connection = True
                self.connection.close()
                return
            if fault is not None and (fault.status is not None or fault.malformed or fault.body):
                self._send_fault(fault)
                return
            try:
                if not authorized:
                    raise _Reply(
                        401,
                        {"error": "unauthorized", "message": "Missing or invalid bearer token"},
                        {"WWW-Authenticate": "Bearer"},
                    )
                status, body = api._route(method, url.path, query, body)
            except _Reply as reply:
                self._send(reply.status, json.dumps(reply.body).encode(), reply.headers)
                return
            except Exception:
                log.exception("fake Stuut API failed on %s %s", method, url.path)
                body = json.dumps({"error": "internal", "message": "fake API error"}).encode()
                self._send(500, body, {})
                return
            self._send(status, body, {})

        def _send_fault(self, fault: Fault) -> None:
            headers = {} if fault.retry_after is None else {"Retry-After": fault.retry_after}
            if fault.status is not None:
                try:
                    phrase = HTTPStatus(fault.status).phrase
                except ValueError:
                    phrase = "error"
                body = json.dumps({"error": phrase.lower(), "message": "injected fault"})
                self._send(fault.status, body.encode(), headers)
            elif fault.malformed:
                self._send(200, MALFORMED_BODY, headers)
            else:
                self._send(200, fault.body or b"", headers)

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("fake Stuut API: " + format, *args)

    return Handler
