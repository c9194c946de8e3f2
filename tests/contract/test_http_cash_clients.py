"""The sync and async clients read bank transactions and remittances and mark payments."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import attrs
import pytest
from contract_support import TOKEN, partner

from adapters.errors import InvalidId
from adapters.fake_api import FakeStuutApi
from adapters.http_api import StuutApiClient
from adapters.http_api_async import AsyncStuutApiClient
from adapters.memory import MemoryStore
from cash_builders import transaction
from stuut_domain.cash import Remittance
from stuut_domain.errors import NotFound
from stuut_domain.fact_ports import BankTransactionQuery, RemittanceQuery
from stuut_domain.partner import Partner


@pytest.fixture
def served() -> Iterator[tuple[MemoryStore, str]]:
    """Two partners, four transactions (one of globex), two remittances; pages of 3."""
    store = MemoryStore()
    store.partners.add(partner("ptn_acme"))
    store.partners.add(partner("ptn_globex", name="Globex", currency="USD"))
    for n in range(4):
        tx = transaction(1_000 + n, tx_id=f"btx_{n}")
        if n == 3:
            tx = attrs.evolve(tx, partner=Partner(id="ptn_globex"), is_payment=True)
        store.bank_transactions.add(tx)
    store.remittances.add(Remittance(id="rem_1", partner="ptn_acme", currency="USD"))
    store.remittances.add(Remittance(id="rem_2", partner="ptn_globex", currency="USD"))
    with FakeStuutApi.serving(store, token=TOKEN) as api:
        yield store, api.base_url


def test_sync_client_reads_and_marks(served: tuple[MemoryStore, str]) -> None:
    """Listings cross pages and filter; get equals the stored; mark_payment flags it."""
    store, url = served
    with StuutApiClient(TOKEN, base_url=url, page_size=3, timeout=5.0) as client:
        listed = sorted(str(t.id) for t in client.list_bank_transactions())
        payments = [
            t.id for t in client.list_bank_transactions(BankTransactionQuery(is_payment=True))
        ]
        remits = [r.id for r in client.list_remittances(RemittanceQuery(partner_id="ptn_globex"))]
        one = client.get_bank_transaction("btx_0")
        paid = client.mark_payment("btx_0", "ptn_acme")
        with pytest.raises(NotFound):
            client.get_bank_transaction("btx_missing")
        with pytest.raises(InvalidId):
            client.mark_payment("../x", "ptn_acme")
        with pytest.raises(InvalidId):
            client.mark_payment("btx_1", "a/b")
    assert (["btx_0", "btx_1", "btx_2", "btx_3"], ["btx_3"], ["rem_2"]) == (
        listed,
        payments,
        remits,
    )
    assert (store.bank_transactions.get("btx_0"), True) == (
        attrs.evolve(one, is_payment=True, partner=store.partners.get("ptn_acme")),
        store.bank_transactions.get("btx_0").is_payment,
    )
    assert ("pay_btx_0", "ptn_acme") == (paid.id, paid.partner_id)


def test_async_client_reads_and_marks(served: tuple[MemoryStore, str]) -> None:
    """The async client gives the same answers."""
    store, url = served

    async def run() -> tuple[list[str], str | None, str | None, list[str]]:
        async with AsyncStuutApiClient(TOKEN, base_url=url, page_size=3, timeout=5.0) as c:
            listed = sorted([str(t.id) async for t in c.list_bank_transactions()])
            one = await c.get_bank_transaction("btx_2")
            paid = await c.mark_payment("btx_2", "ptn_globex")
            remits = [str(r.id) async for r in c.list_remittances()]
            return listed, one.id, paid.partner_id, sorted(remits)

    got = asyncio.run(run())
    assert (["btx_0", "btx_1", "btx_2", "btx_3"], "btx_2", "ptn_globex", ["rem_1", "rem_2"]) == got
    assert "ptn_globex" == getattr(store.bank_transactions.get("btx_2").partner, "id", None)
