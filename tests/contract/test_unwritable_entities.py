"""A store that writes wire documents never accepts one it cannot read back (outsider32
findings 2 and 3): the write is refused with UnwritableEntity and nothing is written."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from contract_support import HARNESSES, WRITABLE, Harness

from adapters.errors import UnwritableEntity
from cash_builders import transaction
from scenario_builders import invoice
from stuut_domain.money import Money
from stuut_domain.owed import Dispute
from stuut_domain.ports import InvoiceQuery


@pytest.fixture(params=WRITABLE)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    """Every writable store, the memory fake too: it must refuse what the others refuse,
    or a test written against it passes where production fails."""
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


@pytest.fixture(params=WRITABLE)
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    with HARNESSES[request.param](tmp_path) as harness:
        yield harness


@pytest.mark.parametrize("method", ["add", "save"])
def test_an_entity_of_another_kind_is_refused(any_store: Harness, method: str) -> None:
    """Every store, the memory one too (it gave a bare AttributeError, outsider 47): the
    same typed refusal naming the kind and the id, and nothing is stored."""
    dispute = Dispute(
        id="dsp_1",
        partner_id="ptn_a",
        lines=(),
        opened_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    )
    repo = any_store.read.promises
    write = repo.add if method == "add" else functools.partial(repo.save, expected_version="1")
    with pytest.raises(UnwritableEntity, match="dsp_1") as caught:
        write(dispute)
    assert caught.value.kind == "promise"
    assert list(repo.ids()) == []


@pytest.mark.parametrize("method", ["add", "add_many"])
def test_an_invoice_amount_beyond_64_bits_is_refused_everywhere(
    store: Harness, method: str
) -> None:
    """The memory store accepted 2**63 minor units that every other store refuses."""
    big = attrs.evolve(
        invoice("inv_big", due=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
        amount_due=Money(2**63, "EUR"),
        total_amount=Money(2**63, "EUR"),
    )
    repo = store.read.invoices
    with pytest.raises(UnwritableEntity, match="inv_big"):
        repo.add(big) if method == "add" else repo.add_many([big])
    assert list(repo.ids()) == []


@pytest.mark.parametrize("junk", [None, 7, "inv_1"])
def test_something_that_is_no_entity_in_a_batch_is_a_typed_refusal(
    store: Harness, junk: object
) -> None:
    """``None`` in an add_many batch gave a bare AttributeError on the JSON and SQL stores."""
    good = invoice("inv_ok", due=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    repo = store.read.invoices
    with pytest.raises(UnwritableEntity, match=type(junk).__name__):
        repo.add_many([good, junk])  # type: ignore[list-item]
    with pytest.raises(UnwritableEntity):
        repo.add(junk)  # type: ignore[arg-type]
    assert list(repo.ids()) == []


def test_awkward_but_valid_invoices_are_stored_and_found_alike_everywhere(
    store: Harness,
) -> None:
    """Outside review (helper-60, bug 3): valid wire values the SQL stores refused with
    foreign errors — a due date past year 9999 in UTC (OverflowError), a NUL in a partner id
    (PostgreSQL DataError), an 8,000-character partner id (PostgreSQL's index limit, reported
    as the store being down). Every store now stores them and answers the same queries."""
    base = invoice("inv_base", due=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    far = dt.datetime(9999, 12, 31, 23, tzinfo=dt.timezone(dt.timedelta(hours=-12)))
    awkward = [
        attrs.evolve(base, id="inv_nul", partner_id="p\x00"),
        attrs.evolve(base, id="inv_long", partner_id="x" * 8000),
        attrs.evolve(base, id="inv_far", due_date=far),
    ]
    repo = store.read.invoices
    for item in awkward:
        repo.add(item)
    assert {i.id: i for i in repo.find()} == {i.id: i for i in awkward}

    def found(**query: Any) -> list[str]:
        return sorted(str(i.id) for i in repo.find(InvoiceQuery(**query)))

    assert found(partner_id="p\x00") == ["inv_nul"]
    assert found(partner_id="x" * 8000) == ["inv_long"]
    assert found(partner_id="x" * 512) == []  # the key's length, not a match
    assert found(due_before=far) == ["inv_long", "inv_nul"]
    assert found(due_before=far + dt.timedelta(microseconds=1)) == sorted(
        ["inv_far", "inv_long", "inv_nul"]
    )
