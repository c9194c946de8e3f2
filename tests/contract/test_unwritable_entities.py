"""A store that writes wire documents never accepts one it cannot read back (outsider32
findings 2 and 3): the write is refused with UnwritableEntity and nothing is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from contract_support import HARNESSES, Harness

from adapters.errors import UnwritableEntity
from cash_builders import transaction
from stuut_domain.money import Money
from stuut_domain.owed import Dispute


@pytest.fixture(params=["json", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    with HARNESSES[request.param](tmp_path) as harness:
        yield harness


def test_an_amount_beyond_the_wire_is_refused_and_the_listing_stays_whole(store: Harness) -> None:
    repo = store.read.bank_transactions
    repo.add(transaction(1_000, tx_id="btx_ok"))
    big = attrs.evolve(transaction(1, tx_id="btx_big"), amount=Money(2**70, "USD"))
    with pytest.raises(UnwritableEntity, match="btx_big"):
        repo.add(big)
    assert [t.id for t in repo.find()] == ["btx_ok"]


def test_an_instant_with_seconds_in_its_offset_is_refused(store: Harness) -> None:
    repo = store.read.bank_transactions
    odd = dt.timezone(dt.timedelta(minutes=19, seconds=32))
    tx = attrs.evolve(
        transaction(1, tx_id="btx_1"), timestamp=dt.datetime(1900, 1, 1, 12, tzinfo=odd)
    )
    with pytest.raises(UnwritableEntity, match="timestamp"):
        repo.add(tx)
    assert list(repo.ids()) == []


def test_an_entity_of_another_kind_is_refused(store: Harness) -> None:
    dispute = Dispute(
        id="dsp_1",
        partner_id="ptn_a",
        lines=(),
        opened_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    )
    with pytest.raises(UnwritableEntity):
        store.read.promises.add(dispute)
    assert list(store.read.promises.ids()) == []
