"""The fake API serves bank transactions, remittances and mark-payment (issue 14, ADR 0056).

Read over plain HTTP: the API clients do not have methods for these routes yet.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import attrs
import httpx
import pytest
from contract_support import TOKEN, partner

from adapters import stuut_json
from adapters.fake_api import FakeStuutApi
from adapters.json_store import JsonStore
from adapters.memory import MemoryStore
from cash_builders import transaction
from stuut_domain.cash import BankTransaction, Remittance
from stuut_domain.partner import Partner

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def served() -> Iterator[tuple[MemoryStore, httpx.Client]]:
    """A memory store with two partners, three transactions and two remittances, served."""
    store = MemoryStore()
    store.partners.add(partner("ptn_acme"))
    store.partners.add(partner("ptn_globex", name="Globex", currency="USD"))
    for n in range(3):
        tx = transaction(1_000 + n, tx_id=f"btx_{n}")
        if n == 2:
            tx = attrs.evolve(tx, partner=Partner(id="ptn_globex"))
        store.bank_transactions.add(tx)
    store.remittances.add(Remittance(id="rem_1", partner="ptn_acme", currency="USD"))
    store.remittances.add(Remittance(id="rem_2", partner="ptn_globex", currency="USD"))
    with (
        FakeStuutApi.serving(store, token=TOKEN) as api,
        httpx.Client(base_url=api.base_url, headers=AUTH, timeout=5.0) as http,
    ):
        yield store, http


def _ids(body: bytes) -> list[str]:
    return sorted(str(row["id"]) for row in json.loads(body)["data"])


def test_lists_page_and_filter_by_partner(served: tuple[MemoryStore, httpx.Client]) -> None:
    """Bank transactions and remittances list in the v1 envelope, paged and by partner."""
    _store, http = served
    first = http.get("/bank-transactions", params={"limit": 2})
    got = (
        json.loads(first.content)["next_page"],
        json.loads(first.content)["total_records"],
        _ids(http.get("/bank-transactions", params={"partner": "ptn_globex"}).content),
        _ids(http.get("/remittances", params={"partner": "ptn_acme"}).content),
    )
    assert (1, 3, ["btx_2"], ["rem_1"]) == got


def test_one_transaction_decodes_to_what_is_stored(
    served: tuple[MemoryStore, httpx.Client],
) -> None:
    """GET one bank transaction answers the stored entity; a missing one is 404."""
    store, http = served
    one = stuut_json.decode(BankTransaction, http.get("/bank-transactions/btx_0").content)
    assert (store.bank_transactions.get("btx_0"), 404) == (
        one,
        http.get("/bank-transactions/btx_missing").status_code,
    )


def test_mark_payment_flags_saves_and_is_idempotent(
    served: tuple[MemoryStore, httpx.Client],
) -> None:
    """The transaction becomes a payment of the partner; marking twice writes once and gives
    the same payment back."""
    store, http = served
    first = http.post("/bank-transactions/btx_0/mark-payment", json={"partner": "ptn_acme"})
    version = store.bank_transactions.get_versioned("btx_0").version
    again = http.post("/bank-transactions/btx_0/mark-payment", json={"partner": "ptn_acme"})
    tx = store.bank_transactions.get("btx_0")
    payment = json.loads(first.content)["payment"]
    assert (200, True, "ptn_acme", version, first.content) == (
        first.status_code,
        tx.is_payment,
        tx.partner.id if tx.partner else None,
        store.bank_transactions.get_versioned("btx_0").version,
        again.content,
    )
    assert ("pay_btx_0", "ptn_acme", "btx_0") == (
        payment["id"],
        payment["partner_id"],
        store.payments.get("pay_btx_0").bank_transaction_id,
    )


def test_mark_payment_refusals(served: tuple[MemoryStore, httpx.Client]) -> None:
    """No partner in the body is 422, an unknown partner or transaction 404, a transaction
    already a payment of another partner 409; nothing is written."""
    store, http = served
    http.post("/bank-transactions/btx_1/mark-payment", json={"partner": "ptn_acme"})
    before = store.bank_transactions.get_versioned("btx_1").version
    statuses = [
        http.post("/bank-transactions/btx_0/mark-payment", json={}).status_code,
        http.post("/bank-transactions/btx_0/mark-payment", content=b"{not json").status_code,
        http.post("/bank-transactions/btx_0/mark-payment", json={"partner": "ptn_x"}).status_code,
        http.post(
            "/bank-transactions/btx_9/mark-payment", json={"partner": "ptn_acme"}
        ).status_code,
        http.post(
            "/bank-transactions/btx_1/mark-payment", json={"partner": "ptn_globex"}
        ).status_code,
    ]
    assert ([422, 422, 404, 404, 409], before, None) == (
        statuses,
        store.bank_transactions.get_versioned("btx_1").version,
        store.bank_transactions.get("btx_0").is_payment,
    )


def test_no_remittance_by_id_and_no_owed_routes(served: tuple[MemoryStore, httpx.Client]) -> None:
    """Routes the API reference does not document are 404 (none is invented)."""
    _store, http = served
    paths = ["/remittances/rem_1", "/credit-notes", "/disputes", "/promises"]
    assert [404] * 4 == [http.get(p).status_code for p in paths]


def test_a_json_store_served_as_serve_does_exposes_its_bank_transactions(
    tmp_path: Path,
) -> None:
    """``stuut-domain serve`` hands its JsonStore to ``FakeStuutApi.serving``: the store's
    bank transactions and remittances are served, and mark-payment writes the file."""
    store = JsonStore(tmp_path / "store", create=True)
    store.partners.add(partner("ptn_acme"))
    store.bank_transactions.add(transaction(1_000, tx_id="btx_json"))
    store.remittances.add(Remittance(id="rem_json", partner="ptn_acme", currency="USD"))
    with (
        FakeStuutApi.serving(store, token=TOKEN) as api,
        httpx.Client(base_url=api.base_url, headers=AUTH, timeout=5.0) as http,
    ):
        listed = (
            _ids(http.get("/bank-transactions").content),
            _ids(http.get("/remittances").content),
        )
        http.post("/bank-transactions/btx_json/mark-payment", json={"partner": "ptn_acme"})
    assert ((["btx_json"], ["rem_json"]), True) == (
        listed,
        store.bank_transactions.get("btx_json").is_payment,
    )


class TestOutsideReview:
    """Regressions of the outside review of the cash edges (report outsider32)."""

    def test_a_payment_id_too_long_is_refused_before_anything_is_written(
        self, served: tuple[MemoryStore, httpx.Client]
    ) -> None:
        store, http = served
        long_id = "b" * 128  # pay_<id> would be 132 characters
        store.bank_transactions.add(transaction(500, tx_id=long_id))
        before = store.bank_transactions.get_versioned(long_id)
        reply = http.post(
            f"/bank-transactions/{long_id}/mark-payment", json={"partner": "ptn_acme"}
        )
        assert reply.status_code == 422
        assert store.bank_transactions.get_versioned(long_id) == before

    def test_a_body_nested_past_the_parser_is_422(
        self, served: tuple[MemoryStore, httpx.Client]
    ) -> None:
        _, http = served
        reply = http.post("/bank-transactions/btx_0/mark-payment", content=b"[" * 500_000)
        assert reply.status_code == 422

    def test_a_transaction_filed_under_another_partner_is_not_reassigned(
        self, served: tuple[MemoryStore, httpx.Client]
    ) -> None:
        store, http = served  # btx_2 is filed under ptn_globex, not yet a payment
        before = store.bank_transactions.get_versioned("btx_2")
        reply = http.post("/bank-transactions/btx_2/mark-payment", json={"partner": "ptn_acme"})
        assert reply.status_code == 409
        assert store.bank_transactions.get_versioned("btx_2") == before


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 200_000,
        b'{"payment":' + b'{"a":' * 5000 + b"1" + b"}" * 5001,
        b'{"payment":{"id":"p\\ud800"}}',
    ],
)
def test_a_hostile_mark_payment_answer_is_a_decode_error(body: bytes) -> None:
    from adapters._http_core import decode_marked_payment

    with pytest.raises(stuut_json.DecodeError):
        decode_marked_payment(body)
