"""Builders, hypothesis strategies and harnesses shared by the adapter contract suite.

A :class:`Harness` gives the contract tests two views of one adapter: ``seed`` (where test
data is written: the adapter itself, or for the HTTP client the store behind the fake API)
and ``read`` (the adapter under test). ``writable`` says whether ``read`` also writes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import strategies as st

import postgres_server
from adapters.fake_api import FakeStuutApi
from adapters.http_api import StuutApiClient
from adapters.json_store import JsonStore
from adapters.memory import MemoryStore
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment, PaymentAllocation
from stuut_domain.workflow import Workflow

UTC = dt.UTC
JUNE_1 = dt.datetime(2024, 6, 1, 9, 0, tzinfo=UTC)


def allocation(
    alloc_id: str,
    *,
    invoice_id: str,
    amount: int = 100_00,
    approved: bool = True,
    approved_at: dt.datetime | None = None,
) -> PaymentAllocation:
    """A EUR allocation of payment ``pay_0007`` to ``invoice_id`` (the SQL tests' ledger rows)."""
    return PaymentAllocation(
        amount=Money(amount, "EUR"),
        invoice_id=invoice_id,
        object="payment_allocation",
        payment_id="pay_0007",
        strategy="automatic",
        id=alloc_id,
        approved=approved,
        approved_at=approved_at,
    )


def invoice(
    invoice_id: str,
    *,
    partner_id: str | None = "ptn_acme",
    currency: str = "EUR",
    total: int = 1_250_00,
    paid: int = 0,
    due: dt.datetime | None = dt.datetime(2024, 7, 1, tzinfo=UTC),
    voided: bool = False,
    uncollectible: bool = False,
    memo: str | None = None,
) -> Invoice:
    """A slim receivable invoice with consistent amounts (amount_due = total - paid)."""
    return Invoice(
        amount_due=Money(total - paid, currency),
        currency=currency,
        object="invoice",
        remote_id=f"erp-{invoice_id}",
        total_amount=Money(total, currency),
        id=invoice_id,
        amount_paid=Money(paid, currency),
        due_date=due,
        issued_at=JUNE_1,
        number=invoice_id.upper().replace("_", "-"),
        partner_id=partner_id,
        memo=memo,
        type="receivable",
        voided_at=JUNE_1 if voided else None,
        marked_uncollectible_at=JUNE_1 if uncollectible else None,
    )


def partner(partner_id: str, *, name: str = "Acme Tooling GmbH", currency: str = "EUR") -> Partner:
    """A customer with a default currency and time zone."""
    return Partner(
        id=partner_id,
        name=name,
        currency=currency,
        timezone="Europe/Berlin",
        object="partner",
        type="customer",
    )


def payment(
    payment_id: str,
    *,
    partner_id: str = "ptn_acme",
    currency: str = "EUR",
    amount: int = 500_00,
    approved: bool = False,
    invoice_id: str = "inv_2024_0042",
) -> Payment:
    """A payment with one proposed allocation to ``invoice_id``."""
    return Payment(
        id=payment_id,
        object="payment",
        partner_id=partner_id,
        currency=currency,
        amount=Money(amount, currency),
        status="pending_match",
        timestamp=JUNE_1,
        allocations=(
            PaymentAllocation(
                amount=Money(amount, currency),
                invoice_id=invoice_id,
                object="payment_allocation",
                payment_id=payment_id,
                strategy="automatic",
                id=f"alloc_{payment_id}",
                approved=approved,
            ),
        ),
    )


def workflow(workflow_id: str, *, active: bool = True) -> Workflow:
    """A weekday outreach workflow, 09:00-17:00 in Berlin."""
    return Workflow(
        id=workflow_id,
        name="Standard dunning",
        object="workflow",
        is_active=active,
        active_days=(0, 1, 2, 3, 4),
        outreach_window_start="09:00",
        outreach_window_end="17:00",
        timezone="Europe/Berlin",
    )


# -- hypothesis -----------------------------------------------------------------------------

INVOICE_IDS = tuple(f"inv_{n:04d}" for n in range(8))
PARTNER_IDS = ("ptn_acme", "ptn_globex", "ptn_initech")
CURRENCIES = ("EUR", "USD", "JPY")
DUE_DATES = tuple(dt.datetime(2024, m, 1, tzinfo=UTC) for m in (5, 6, 7, 8))


@st.composite
def invoices(draw: st.DrawFn, *, ids: st.SearchStrategy[str] | None = None) -> Invoice:
    """Slim invoices over a small space of ids, partners, currencies and due dates."""
    total = draw(st.integers(0, 10_000_00))
    return invoice(
        draw(ids if ids is not None else st.sampled_from(INVOICE_IDS)),
        partner_id=draw(st.sampled_from((*PARTNER_IDS, None))),
        currency=draw(st.sampled_from(CURRENCIES)),
        total=total,
        paid=draw(st.integers(0, total)),
        due=draw(st.sampled_from((*DUE_DATES, None))),
        voided=draw(st.booleans()),
        uncollectible=draw(st.booleans()),
        memo=draw(st.none() | st.text(max_size=12)),
    )


def invoice_queries() -> st.SearchStrategy[Any]:
    """Invoice queries combining the four filters."""
    from stuut_domain.ports import InvoiceQuery

    return st.builds(
        InvoiceQuery,
        partner_id=st.none() | st.sampled_from(PARTNER_IDS),
        open_only=st.booleans(),
        due_before=st.none() | st.sampled_from(DUE_DATES),
        currency=st.none() | st.sampled_from(CURRENCIES),
    )


# -- harnesses ------------------------------------------------------------------------------


@attrs.define
class Harness:
    """One adapter under contract: where to seed data, what to read through, and cleanup."""

    name: str
    seed: Any
    read: Any
    writable: bool


@contextlib.contextmanager
def memory_harness(_tmp: Path) -> Iterator[Harness]:
    """The in-memory store: seeded and read directly."""
    store = MemoryStore()
    yield Harness("memory", seed=store, read=store, writable=True)


@contextlib.contextmanager
def json_harness(tmp: Path) -> Iterator[Harness]:
    """The JSON file store in a fresh directory: seeded and read directly."""
    store = JsonStore(tmp / "store", create=True)
    yield Harness("json", seed=store, read=store, writable=True)


#: The token the HTTP harness's fake API accepts.
TOKEN = "sk_test_c0ntract-Suite-T0ken"


@contextlib.contextmanager
def http_harness(_tmp: Path) -> Iterator[Harness]:
    """The HTTP client over loopback to the fake API, which serves a memory store (seed).

    Pages of 3 make every listing cross page boundaries.
    """
    backing = MemoryStore()
    with (
        FakeStuutApi.serving(backing, token=TOKEN) as api,
        StuutApiClient(TOKEN, base_url=api.base_url, page_size=3, timeout=5.0) as client,
    ):
        yield Harness("http", seed=backing, read=client, writable=False)


@contextlib.contextmanager
def sqlite_harness(tmp: Path) -> Iterator[Harness]:
    """The SQL store on a SQLite file (WAL, BEGIN IMMEDIATE writers)."""
    pytest.importorskip("sqlalchemy", reason="the SQL store needs the [sql] extra")
    from adapters.sql import SqlStore

    store = SqlStore(f"sqlite:///{tmp / 'book.db'}", create=True)
    try:
        yield Harness("sqlite", seed=store, read=store, writable=True)
    finally:
        store.close()


@contextlib.contextmanager
def sqlite_memory_harness(_tmp: Path) -> Iterator[Harness]:
    """The SQL store on an in-memory SQLite database."""
    pytest.importorskip("sqlalchemy", reason="the SQL store needs the [sql] extra")
    from adapters.sql import SqlStore

    store = SqlStore("sqlite://", create=True)
    try:
        yield Harness("sqlite_memory", seed=store, read=store, writable=True)
    finally:
        store.close()


@contextlib.contextmanager
def postgresql_harness(_tmp: Path) -> Iterator[Harness]:
    """The SQL store on the session's PostgreSQL server, in a fresh schema per test."""
    pytest.importorskip("psycopg", reason="PostgreSQL needs the [postgresql] extra")
    from adapters.sql import SqlStore

    server, why = postgres_server.server_url()
    if server is None:
        pytest.skip(why or "no PostgreSQL server")
    url, schema = postgres_server.fresh_schema_url(server)
    store = SqlStore(url, create=True)
    try:
        yield Harness("postgresql", seed=store, read=store, writable=True)
    finally:
        store.close()
        postgres_server.drop_schema(server, schema)


#: Every adapter under contract, by name: a context manager building it in a temp directory.
HARNESSES: dict[str, Callable[[Path], contextlib.AbstractContextManager[Harness]]] = {
    "memory": memory_harness,
    "json": json_harness,
    "http": http_harness,
    "sqlite": sqlite_harness,
    "sqlite_memory": sqlite_memory_harness,
    "postgresql": postgresql_harness,
}
#: The adapters whose ``read`` side also writes.
WRITABLE = ("json", "memory", "postgresql", "sqlite", "sqlite_memory")
