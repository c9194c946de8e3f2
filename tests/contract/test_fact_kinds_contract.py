"""The repository contract over the cash and owed kinds (ADR 0056).

Every kind (bank transactions, remittances, credit notes, customer credits, disputes,
promises) on every store that holds it (memory, JSON files) reads, filters, streams and
writes alike, with the same errors and optimistic versions as invoices. Entities come from
the builders the cash and owed specifications use and from the public strategies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from contract_support import HARNESSES, WRITABLE, Harness
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.errors import InvalidId, ReadOnlyStore
from adapters.json_store import FOLDERS, JsonStore
from cash_builders import transaction
from owed_builders import days, note, usd
from stuut_domain.cash import Remittance, RemittanceLine
from stuut_domain.errors import AlreadyExists, ConcurrencyConflict, NotFound
from stuut_domain.fact_ports import (
    BankTransactionQuery,
    CreditNoteQuery,
    CustomerCreditQuery,
    DisputeQuery,
    PromiseQuery,
    RemittanceQuery,
)
from stuut_domain.money import Money
from stuut_domain.owed import (
    CreditNoteStatus,
    CustomerCredit,
    Dispute,
    DisputeLine,
    DisputeResolution,
    DisputeStatus,
    Promise,
    PromisedInvoice,
)
from stuut_domain.partner import Partner
from stuut_domain.payment import AllocatedInvoice
from stuut_domain.strategies import (
    bank_transactions,
    credit_scenarios,
    dispute_scenarios,
    promise_scenarios,
)

UTC = dt.UTC
STORES = WRITABLE  # every store that writes: JSON, memory, SQLite (file, :memory:), PostgreSQL


def _bank_transaction(entity_id: str, partner_id: str | None, variant: int) -> Any:
    """A USD deposit; variant 1 is fully allocated and flagged a payment, else all on account."""
    tx = transaction(10_000, tx_id=entity_id, reference=f"INV-{variant}")
    allocated = 10_000 if variant == 1 else 0
    return attrs.evolve(
        tx,
        partner=None if partner_id is None else Partner(id=partner_id, name=partner_id),
        is_payment=variant == 1,
        total_allocated=usd(allocated),
    )


def _remittance(entity_id: str, partner_id: str | None, variant: int) -> Any:
    currency = "EUR" if variant == 1 else "USD"
    line = RemittanceLine(
        invoice_number=f"INV-{variant}",
        invoice=AllocatedInvoice(id="inv_1", currency=currency, amount_due=Money(5_000, currency)),
        invoice_id="inv_1",
        amount_paid=Money(5_000, currency),
        remittance_id=entity_id,
    )
    return Remittance(
        id=entity_id,
        partner=partner_id,
        currency=currency,
        allocations=(line,),
        transaction_amount=Money(5_000, currency),
        transaction_number=f"T{variant}",
    )


def _credit_note(entity_id: str, partner_id: str | None, variant: int) -> Any:
    """Variant 1 credits inv_2 and is void; the others credit inv_1 and are issued."""
    if variant == 1:
        return note(
            1_000,
            note_id=entity_id,
            invoice_id="inv_2",
            partner_id=partner_id,
            status=CreditNoteStatus.VOID,
            voided_at=days(3),
        )
    return note(2_000 + variant, note_id=entity_id, partner_id=partner_id)


def _customer_credit(entity_id: str, partner_id: str | None, variant: int) -> Any:
    """Variant 1 is void."""
    return CustomerCredit(
        id=entity_id,
        currency="USD",
        amount=usd(1_500 + variant),
        created_at=days(2),
        partner_id=partner_id,
        voided_at=days(3) if variant == 1 else None,
    )


def _dispute(entity_id: str, partner_id: str | None, variant: int) -> Any:
    """Variant 1 is withdrawn (closed); the others are open."""
    line = DisputeLine(invoice_id="inv_1", amount=usd(500 + variant), reason="incorrect_price")
    closed = variant == 1
    return Dispute(
        id=entity_id,
        partner_id=partner_id,
        lines=(line,),
        opened_at=days(1),
        status=DisputeStatus.RESOLVED if closed else DisputeStatus.OPEN,
        resolution=DisputeResolution.WITHDRAWN if closed else None,
        resolved_at=days(4) if closed else None,
    )


def _promise(entity_id: str, partner_id: str | None, variant: int) -> Any:
    """Variant 1 is cancelled; the others are live."""
    return Promise(
        id=entity_id,
        partner_id=partner_id or "ptn_nobody",
        invoices=(PromisedInvoice(invoice_id="inv_1", amount=usd(4_000 + variant)),),
        promised_date=dt.date(2026, 11, 20),
        made_at=days(1),
        method="ach",
        cancelled_at=days(3) if variant == 1 else None,
    )


@attrs.frozen
class Kind:
    """One kind under contract: its repository attribute, builder, queries and the
    kind-specific filter with the ids it must keep from the standard seed."""

    repo: str
    kind: str
    build: Callable[[str, str | None, int], Any]
    query: Callable[..., Any]
    special: Any
    special_ids: tuple[str, ...]
    other_field: str


KINDS = {
    "bank_transaction": Kind(
        "bank_transactions",
        "bank_transaction",
        _bank_transaction,
        BankTransactionQuery,
        BankTransactionQuery(unallocated_only=True, is_payment=False),
        ("x_0", "x_2", "x_3"),
        "reference_number",
    ),
    "remittance": Kind(
        "remittances",
        "remittance",
        _remittance,
        RemittanceQuery,
        RemittanceQuery(currency="EUR"),
        ("x_1",),
        "transaction_number",
    ),
    "credit_note": Kind(
        "credit_notes",
        "credit_note",
        _credit_note,
        CreditNoteQuery,
        CreditNoteQuery(invoice_id="inv_1", issued_only=True),
        ("x_0", "x_2", "x_3"),
        "memo",
    ),
    "customer_credit": Kind(
        "customer_credits",
        "customer_credit",
        _customer_credit,
        CustomerCreditQuery,
        CustomerCreditQuery(unvoided_only=True, currency="USD"),
        ("x_0", "x_2", "x_3"),
        "source_id",
    ),
    "dispute": Kind(
        "disputes",
        "dispute",
        _dispute,
        DisputeQuery,
        DisputeQuery(open_only=True),
        ("x_0", "x_2", "x_3"),
        "note",
    ),
    "promise": Kind(
        "promises",
        "promise",
        _promise,
        PromiseQuery,
        PromiseQuery(live_only=True),
        ("x_0", "x_2", "x_3"),
        "acknowledged_by",
    ),
}

#: The standard seed: (id, partner, variant).
SEED = (("x_0", "ptn_a", 0), ("x_1", "ptn_a", 1), ("x_2", "ptn_b", 2), ("x_3", None, 3))


@pytest.fixture(params=STORES)
def adapter(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    """Each store that holds the cash and owed kinds, in turn."""
    with HARNESSES[request.param](tmp_path) as harness:
        yield harness


#: The kinds the API reference has endpoints for, so the HTTP client reads them too.
HTTP_KINDS = frozenset({"bank_transaction", "remittance"})


@pytest.fixture(params=sorted(HARNESSES))
def reader(request: pytest.FixtureRequest, tmp_path: Path, kind: Kind) -> Iterator[Harness]:
    """Each adapter's read side, the HTTP client included for the kinds the API serves."""
    if request.param == "http" and kind.kind not in HTTP_KINDS:
        pytest.skip("the API reference documents no endpoint for this kind (none is invented)")
    with HARNESSES[request.param](tmp_path) as harness:
        yield harness


@pytest.fixture(params=sorted(KINDS))
def kind(request: pytest.FixtureRequest) -> Kind:
    """Each cash and owed kind, in turn."""
    return KINDS[request.param]


def _repo(h: Harness, k: Kind) -> Any:
    return getattr(h.read, k.repo)


def _seed(h: Harness, k: Kind) -> dict[str, Any]:
    built = {i: k.build(i, p, v) for i, p, v in SEED}
    for entity in built.values():
        getattr(h.seed, k.repo).add(entity)
    return built


def _ids(entities: Iterator[Any]) -> list[str]:
    return sorted(e.id for e in entities)


class TestRead:
    def test_get_returns_the_stored_entity_unchanged(self, reader: Harness, kind: Kind) -> None:
        """Every entity read back by id equals the one stored, field for field."""
        built = _seed(reader, kind)
        assert built == {i: _repo(reader, kind).get(i) for i in built}

    def test_a_missing_id_is_not_found_naming_the_kind(self, reader: Harness, kind: Kind) -> None:
        """NotFound carries the kind and the id, as for invoices."""
        with pytest.raises(NotFound) as caught:
            _repo(reader, kind).get("missing_1")
        assert (kind.kind, "missing_1") == (caught.value.kind, caught.value.entity_id)

    @pytest.mark.parametrize("bad_id", ["../x", "/etc/passwd", "a\x00b", "a/b", "", "x" * 129])
    def test_unsafe_ids_are_refused(self, reader: Harness, kind: Kind, bad_id: str) -> None:
        """Ids are validated as for every other kind, before any path is built."""
        with pytest.raises(InvalidId):
            _repo(reader, kind).get(bad_id)

    def test_find_lists_everything_and_streams(self, reader: Harness, kind: Kind) -> None:
        """No query: every entity once; find returns a lazy iterator."""
        _seed(reader, kind)
        result = _repo(reader, kind).find()
        assert (True, ["x_0", "x_1", "x_2", "x_3"]) == (iter(result) is result, _ids(result))

    def test_partner_filter(self, reader: Harness, kind: Kind) -> None:
        """partner_id keeps that partner's entities only; an unknown partner has none."""
        _seed(reader, kind)
        repo = _repo(reader, kind)
        got = (
            _ids(repo.find(kind.query(partner_id="ptn_a"))),
            _ids(repo.find(kind.query(partner_id="ptn_b"))),
            _ids(repo.find(kind.query(partner_id="ptn_zzz"))),
        )
        assert (["x_0", "x_1"], ["x_2"], []) == got

    def test_the_kinds_own_filter_agrees_with_matches(self, reader: Harness, kind: Kind) -> None:
        """The kind's status-like filter keeps what the query's ``matches`` (the core's own
        predicate) keeps, and the ids expected from the seed."""
        built = _seed(reader, kind)
        by_model = sorted(i for i, e in built.items() if kind.special.matches(e))
        found = _ids(_repo(reader, kind).find(kind.special))
        assert (list(kind.special_ids), list(kind.special_ids)) == (by_model, found)


class TestWrite:
    def test_add_then_get_versioned(self, adapter: Harness, kind: Kind) -> None:
        """add returns the version get_versioned reports."""
        repo = _repo(adapter, kind)
        version = repo.add(kind.build("x_9", "ptn_a", 0))
        assert version == repo.get_versioned("x_9").version

    def test_a_second_add_conflicts_and_keeps_the_first(self, adapter: Harness, kind: Kind) -> None:
        """AlreadyExists (expected None, actual the stored version); the first one stays."""
        repo = _repo(adapter, kind)
        first = kind.build("x_9", "ptn_a", 0)
        version = repo.add(first)
        with pytest.raises(AlreadyExists) as caught:
            repo.add(kind.build("x_9", "ptn_b", 2))
        assert (None, version, first) == (
            caught.value.expected,
            caught.value.actual,
            repo.get("x_9"),
        )

    def test_stale_save_conflicts_and_writes_nothing(self, adapter: Harness, kind: Kind) -> None:
        """Two writers read one version; the second save conflicts, the first change stays."""
        repo = _repo(adapter, kind)
        read = repo.add(kind.build("x_9", "ptn_a", 0))
        anna = attrs.evolve(kind.build("x_9", "ptn_a", 0), **{kind.other_field: "Anna"})
        ben = attrs.evolve(kind.build("x_9", "ptn_a", 0), **{kind.other_field: "Ben"})
        anna_version = repo.save(anna, expected_version=read)
        with pytest.raises(ConcurrencyConflict) as caught:
            repo.save(ben, expected_version=read)
        assert (read, anna_version, anna) == (
            caught.value.expected,
            caught.value.actual,
            repo.get("x_9"),
        )

    def test_save_of_a_missing_id_is_not_found(self, adapter: Harness, kind: Kind) -> None:
        """save never creates."""
        with pytest.raises(NotFound):
            _repo(adapter, kind).save(kind.build("x_9", "ptn_a", 0), expected_version="1")

    def test_an_unsafe_id_is_refused_on_write(self, adapter: Harness, kind: Kind) -> None:
        """An entity whose id is not a safe id cannot be stored."""
        with pytest.raises(InvalidId):
            _repo(adapter, kind).add(kind.build("../escape", "ptn_a", 0))

    def test_moving_to_another_partner_updates_listings(self, adapter: Harness, kind: Kind) -> None:
        """After a save changes the partner, the entity lists under the new partner only."""
        repo = _repo(adapter, kind)
        version = repo.add(kind.build("x_9", "ptn_a", 0))
        repo.save(kind.build("x_9", "ptn_b", 0), expected_version=version)
        got = (
            _ids(repo.find(kind.query(partner_id="ptn_a"))),
            _ids(repo.find(kind.query(partner_id="ptn_b"))),
        )
        assert ([], ["x_9"]) == got


_STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "bank_transaction": bank_transactions(),
    "credit_note": credit_scenarios().map(lambda s: s.notes[0]),
    "dispute": dispute_scenarios().map(lambda s: s.dispute),
    "promise": promise_scenarios().map(lambda s: s.promise),
}


@pytest.mark.parametrize("store_name", STORES)
@pytest.mark.parametrize("kind_name", sorted(_STRATEGIES))
@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_entities_read_back_equal_on_every_store(
    tmp_path_factory: pytest.TempPathFactory, store_name: str, kind_name: str, data: st.DataObject
) -> None:
    """Entities from the public strategies come back from every store exactly as stored,
    and the stores agree with each other (no drift)."""
    entity = data.draw(_STRATEGIES[kind_name])
    k = KINDS[kind_name]
    with HARNESSES[store_name](tmp_path_factory.mktemp("gen")) as h:
        _repo(h, k).add(entity)
        assert entity == _repo(h, k).get(entity.id)


class TestOlderJsonStores:
    def test_a_store_without_the_new_folders_opens_and_lists_them_empty(
        self, tmp_path: Path
    ) -> None:
        """A store written before these kinds existed opens (also read-only): empty lists."""
        root = tmp_path / "old"
        (root / "invoices").mkdir(parents=True)
        listed = []
        for read_only in (False, True):
            store = JsonStore(root, read_only=read_only)
            listed.append([len(list(getattr(store, k.repo).find())) for k in KINDS.values()])
            assert [] == list(store.problems())
        assert [[0] * len(KINDS)] * 2 == listed

    def test_read_only_refuses_writes_of_the_new_kinds(self, tmp_path: Path, kind: Kind) -> None:
        """A read-only store refuses a new kind's write and creates no folder."""
        root = tmp_path / "ro"
        (root / "invoices").mkdir(parents=True)
        store = JsonStore(root, read_only=True)
        with pytest.raises(ReadOnlyStore):
            getattr(store, kind.repo).add(kind.build("x_0", "ptn_a", 0))
        assert not (root / FOLDERS[kind.kind]).exists()

    def test_problems_cover_the_new_kinds(self, tmp_path: Path, kind: Kind) -> None:
        """A corrupt file in a new kind's folder is reported by problems(), the rest read."""
        store = JsonStore(tmp_path / "s", create=True)
        repo = getattr(store, kind.repo)
        repo.add(kind.build("x_0", "ptn_a", 0))
        (store.root / FOLDERS[kind.kind] / "x_bad.json").write_text('{"id": 12')
        problems = list(store.problems())
        assert (1, "x_bad.json", ["x_0"]) == (
            len(problems),
            Path(problems[0].file).name,
            _ids(repo.find(on_corrupt=lambda _e: None)),
        )

    def test_a_folder_of_a_new_kind_alone_is_a_store(self, tmp_path: Path) -> None:
        """A root holding only ``disputes/`` is recognised as a store."""
        root = tmp_path / "d"
        (root / "disputes").mkdir(parents=True)
        assert [] == list(JsonStore(root).disputes.find())
