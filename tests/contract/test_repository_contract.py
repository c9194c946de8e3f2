"""The repository contract: every adapter reads, filters, streams and writes alike.

``store`` runs a test against every adapter (memory, the JSON store and, read-side, the HTTP
client talking to the fake API); ``writable`` against those that also write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import attrs
import pytest
from contract_support import Harness, invoice, partner, payment, workflow

from adapters.errors import InvalidId, UnwritableEntity
from cash_builders import transaction
from stuut_domain.errors import AlreadyExists, ConcurrencyConflict, NotFound
from stuut_domain.owed import Dispute
from stuut_domain.ports import InvoiceQuery, PartnerQuery, PaymentQuery, WorkflowQuery

UTC = dt.UTC
JUNE = dt.datetime(2024, 6, 1, tzinfo=UTC)


def _portfolio(h: Harness) -> None:
    """Three partners, nine invoices across them, in two currencies, some closed."""
    for p in (
        partner("ptn_acme"),
        partner("ptn_globex", name="Globex Corporation", currency="USD"),
        partner("ptn_initech", name="Initech LLC", currency="USD"),
    ):
        h.seed.partners.add(p)
    for inv in (
        invoice("inv_2024_0040", due=dt.datetime(2024, 5, 15, tzinfo=UTC)),
        invoice("inv_2024_0041", paid=1_250_00),  # fully paid
        invoice("inv_2024_0042", paid=250_00),
        invoice("inv_2024_0043", voided=True),
        invoice("inv_2024_0050", partner_id="ptn_globex", currency="USD"),
        invoice("inv_2024_0051", partner_id="ptn_globex", currency="USD", uncollectible=True),
        invoice("inv_2024_0052", partner_id="ptn_globex", currency="USD", due=None),
        invoice("inv_2024_0060", partner_id="ptn_initech", currency="USD"),
        invoice("inv_2024_0061", partner_id="ptn_initech", currency="EUR"),
    ):
        h.seed.invoices.add(inv)


def _ids(entities: Iterator[object]) -> list[str]:
    return sorted(e.id for e in entities)  # type: ignore[attr-defined]


class TestGet:
    def test_get_returns_the_stored_invoice_unchanged(self, store: Harness) -> None:
        """An invoice read back by id equals the one stored, field for field."""
        expected = invoice("inv_2024_0042", paid=250_00, memo="Q2 tooling")
        store.seed.invoices.add(expected)
        assert expected == store.read.invoices.get("inv_2024_0042")

    def test_get_returns_the_stored_partner_and_payment(self, store: Harness) -> None:
        """Partners and payments read back by id equal what was stored."""
        acme, pay = partner("ptn_acme"), payment("pay_0007")
        store.seed.partners.add(acme)
        store.seed.payments.add(pay)
        assert (acme, pay) == (
            store.read.partners.get("ptn_acme"),
            store.read.payments.get("pay_0007"),
        )

    def test_a_missing_id_raises_the_same_not_found_everywhere(self, store: Harness) -> None:
        """Every adapter raises NotFound naming the kind and the id."""
        with pytest.raises(NotFound) as caught:
            store.read.invoices.get("inv_missing")
        assert ("invoice", "inv_missing") == (caught.value.kind, caught.value.entity_id)

    def test_missing_partner_and_payment_raise_not_found(self, store: Harness) -> None:
        """A missing partner or payment is NotFound too, with its kind."""
        kinds = []
        for repo in (store.read.partners, store.read.payments):
            with pytest.raises(NotFound) as caught:
                repo.get("nobody_0000")
            kinds.append(caught.value.kind)
        assert ["partner", "payment"] == kinds

    @pytest.mark.parametrize(
        "bad_id", ["../inv_1", "/etc/passwd", "inv\x00x", "a/b", "a\\b", "..", "", "x" * 129]
    )
    def test_unsafe_ids_are_refused_before_use(self, store: Harness, bad_id: str) -> None:
        """Traversal, absolute paths, NUL, separators, empty and over-long ids are InvalidId."""
        with pytest.raises(InvalidId):
            store.read.invoices.get(bad_id)

    def test_get_versioned_pairs_the_entity_with_a_version(self, store: Harness) -> None:
        """get_versioned returns the entity and a non-empty version token."""
        expected = invoice("inv_2024_0042")
        store.seed.invoices.add(expected)
        got = store.read.invoices.get_versioned("inv_2024_0042")
        assert (expected, True) == (got.entity, bool(got.version))


class TestFind:
    def test_find_without_a_query_lists_every_invoice(self, store: Harness) -> None:
        """No query: every invoice, each once."""
        _portfolio(store)
        assert 9 == len(_ids(store.read.invoices.find()))

    def test_find_streams(self, store: Harness) -> None:
        """find returns a lazy iterator, not a list."""
        _portfolio(store)
        result = store.read.invoices.find(InvoiceQuery(partner_id="ptn_acme"))
        assert (True, False) == (iter(result) is result, isinstance(result, list))

    def test_partner_filter_keeps_only_that_partners_invoices(self, store: Harness) -> None:
        """partner_id: only invoices billed to that partner."""
        _portfolio(store)
        expected = ["inv_2024_0050", "inv_2024_0051", "inv_2024_0052"]
        assert expected == _ids(store.read.invoices.find(InvoiceQuery(partner_id="ptn_globex")))

    def test_open_only_drops_paid_voided_and_uncollectible(self, store: Harness) -> None:
        """open_only: money due, not voided, not written off."""
        _portfolio(store)
        expected = ["inv_2024_0040", "inv_2024_0042"]
        got = store.read.invoices.find(InvoiceQuery(partner_id="ptn_acme", open_only=True))
        assert expected == _ids(got)

    def test_due_before_is_strict_and_skips_undated(self, store: Harness) -> None:
        """due_before: due strictly earlier; invoices without a due date never match."""
        _portfolio(store)
        query = InvoiceQuery(due_before=dt.datetime(2024, 7, 1, tzinfo=UTC))
        assert ["inv_2024_0040"] == _ids(store.read.invoices.find(query))

    def test_currency_filter(self, store: Harness) -> None:
        """currency: only invoices in that currency."""
        _portfolio(store)
        got = store.read.invoices.find(InvoiceQuery(currency="EUR", open_only=True))
        assert ["inv_2024_0040", "inv_2024_0042", "inv_2024_0061"] == _ids(got)

    def test_unknown_partner_yields_nothing(self, store: Harness) -> None:
        """A partner with no invoices lists none."""
        _portfolio(store)
        assert [] == _ids(store.read.invoices.find(InvoiceQuery(partner_id="ptn_nobody")))

    def test_partners_filter_by_currency(self, store: Harness) -> None:
        """Partners listed by default currency."""
        _portfolio(store)
        got = store.read.partners.find(PartnerQuery(currency="USD"))
        assert ["ptn_globex", "ptn_initech"] == _ids(got)

    def test_find_yields_whole_entities(self, store: Harness) -> None:
        """What find yields equals what get returns for the same id."""
        _portfolio(store)
        listed = {i.id: i for i in store.read.invoices.find(InvoiceQuery(partner_id="ptn_acme"))}
        assert {k: store.read.invoices.get(k) for k in listed} == listed


class TestWrite:
    @pytest.mark.parametrize("expected", [None, 1, b"1"])
    def test_a_save_without_a_version_read_never_writes(
        self, writable: Harness, expected: object
    ) -> None:
        """Outside review (helper-60, bug 4): the JSON store created a missing entity on
        ``save(expected_version=None)`` and said AlreadyExists for a stored one; every store
        now says NotFound and ConcurrencyConflict, and writes nothing."""
        repo = writable.read.invoices
        with pytest.raises(NotFound):
            repo.save(invoice("inv_new"), expected_version=expected)  # type: ignore[arg-type]
        assert list(repo.ids()) == []
        version = repo.add(invoice("inv_old"))
        with pytest.raises(ConcurrencyConflict):
            repo.save(invoice("inv_old"), expected_version=expected)  # type: ignore[arg-type]
        assert repo.get_versioned("inv_old").version == version

    def test_add_then_get_versioned(self, writable: Harness) -> None:
        """add returns the version that get_versioned then reports."""
        version = writable.read.invoices.add(invoice("inv_2024_0042"))
        assert version == writable.read.invoices.get_versioned("inv_2024_0042").version

    def test_add_of_an_existing_id_conflicts_and_keeps_the_original(
        self, writable: Harness
    ) -> None:
        """A second add of the same id is AlreadyExists (a conflict); the first invoice stays."""
        repo = writable.read.invoices
        first = invoice("inv_2024_0042", memo="original")
        version = repo.add(first)
        with pytest.raises(AlreadyExists, match="already exists") as caught:
            repo.add(invoice("inv_2024_0042", memo="impostor"))
        assert (None, version, first) == (
            caught.value.expected,
            caught.value.actual,
            repo.get("inv_2024_0042"),
        )

    def test_save_with_the_current_version_replaces(self, writable: Harness) -> None:
        """save at the version read stores the change and returns a new version."""
        repo = writable.read.invoices
        version = repo.add(invoice("inv_2024_0042"))
        changed = invoice("inv_2024_0042", paid=250_00)
        new_version = repo.save(changed, expected_version=version)
        assert (changed, True) == (repo.get("inv_2024_0042"), new_version != version)

    def test_a_stale_save_is_refused_and_overwrites_nothing(self, writable: Harness) -> None:
        """Two clerks read the same version; the second save conflicts, the first one stays."""
        repo = writable.read.invoices
        read_version = repo.add(invoice("inv_2024_0042"))
        anna = invoice("inv_2024_0042", paid=250_00, memo="Anna: cheque received")
        ben = invoice("inv_2024_0042", memo="Ben: promised for Friday")
        anna_version = repo.save(anna, expected_version=read_version)
        with pytest.raises(ConcurrencyConflict) as caught:
            repo.save(ben, expected_version=read_version)
        assert (read_version, anna_version, anna) == (
            caught.value.expected,
            caught.value.actual,
            repo.get("inv_2024_0042"),
        )

    def test_save_of_a_missing_id_is_not_found(self, writable: Harness) -> None:
        """save never creates: a missing id is NotFound."""
        with pytest.raises(NotFound):
            writable.read.invoices.save(invoice("inv_2024_0099"), expected_version="1")

    def test_an_entity_without_id_is_refused(self, writable: Harness) -> None:
        """An invoice without an id cannot be stored."""
        with pytest.raises(InvalidId):
            writable.read.invoices.add(attrs.evolve(invoice("inv_x"), id=None))

    def test_moving_an_invoice_to_another_partner_updates_listings(self, writable: Harness) -> None:
        """After a save changes partner_id, the invoice lists under the new partner only."""
        repo = writable.read.invoices
        version = repo.add(invoice("inv_2024_0042"))
        repo.save(invoice("inv_2024_0042", partner_id="ptn_globex"), expected_version=version)
        acme = _ids(repo.find(InvoiceQuery(partner_id="ptn_acme")))
        globex = _ids(repo.find(InvoiceQuery(partner_id="ptn_globex")))
        assert ([], ["inv_2024_0042"]) == (acme, globex)

    def test_payments_and_workflows_are_stored_and_filtered(self, writable: Harness) -> None:
        """Payments filter by partner and currency; workflows by is_active."""
        writable.read.payments.add(payment("pay_0001"))
        writable.read.payments.add(payment("pay_0002", partner_id="ptn_globex", currency="USD"))
        writable.read.workflows.add(workflow("wf_standard"))
        writable.read.workflows.add(workflow("wf_paused", active=False))
        pays = _ids(writable.read.payments.find(PaymentQuery(partner_id="ptn_globex")))
        flows = _ids(writable.read.workflows.find(WorkflowQuery(active_only=True)))
        assert (["pay_0002"], ["wf_standard"]) == (pays, flows)


class TestAddMany:
    """``add_many``: all or nothing, refused where adding one by one would first fail."""

    def test_versions_come_back_in_order_and_match_get_versioned(self, writable: Harness) -> None:
        """Each returned version is the one get_versioned reports; the entities read back."""
        repo = writable.read.invoices
        batch = [invoice(f"inv_{n:04d}", memo=f"m{n}") for n in range(5)]
        versions = repo.add_many(batch)
        stored = [repo.get_versioned(f"inv_{n:04d}") for n in range(5)]
        assert (versions, batch) == ([v.version for v in stored], [v.entity for v in stored])

    def test_a_generator_is_accepted_and_an_empty_batch_stores_nothing(
        self, writable: Harness
    ) -> None:
        """Any iterable serves; an empty one returns [] and stores nothing."""
        repo = writable.read.partners
        added = repo.add_many(partner(f"ptn_{n}") for n in range(3))
        assert (3, [], 3) == (len(added), repo.add_many([]), len(_ids(repo.find())))

    def test_the_returned_version_is_the_one_save_expects(self, writable: Harness) -> None:
        """save at the version add_many returned replaces the entity."""
        repo = writable.read.invoices
        [version] = repo.add_many([invoice("inv_2024_0042")])
        changed = invoice("inv_2024_0042", paid=250_00)
        repo.save(changed, expected_version=version)
        assert changed == repo.get("inv_2024_0042")

    def test_an_id_already_stored_refuses_the_whole_batch(self, writable: Harness) -> None:
        """AlreadyExists naming the stored version; nothing of the batch is stored, and the
        stored entity is unchanged."""
        repo = writable.read.invoices
        original = invoice("inv_2024_0042", memo="original")
        version = repo.add(original)
        batch = [
            invoice("inv_0001"),
            invoice("inv_2024_0042", memo="impostor"),
            invoice("inv_0002"),
        ]
        with pytest.raises(AlreadyExists) as caught:
            repo.add_many(batch)
        assert (None, version, "inv_2024_0042", ["inv_2024_0042"], original) == (
            caught.value.expected,
            caught.value.actual,
            caught.value.entity_id,
            _ids(repo.find()),
            repo.get("inv_2024_0042"),
        )

    def test_an_id_repeated_within_the_batch_refuses_it(self, writable: Harness) -> None:
        """The second occurrence is AlreadyExists; the first is not stored either."""
        repo = writable.read.invoices
        batch = [invoice("inv_0001"), invoice("inv_0002"), invoice("inv_0001", memo="again")]
        with pytest.raises(AlreadyExists) as caught:
            repo.add_many(batch)
        assert ("inv_0001", None, []) == (
            caught.value.entity_id,
            caught.value.expected,
            _ids(repo.find()),
        )

    def test_an_unwritable_entity_refuses_the_whole_batch(self, writable: Harness) -> None:
        """An entity of another kind is UnwritableEntity, as add says; nothing is stored."""
        dispute = Dispute(id="dsp_1", partner_id="ptn_acme", lines=(), opened_at=JUNE)
        repo = writable.read.disputes
        with pytest.raises(UnwritableEntity, match="btx_9") as caught:
            repo.add_many([dispute, transaction(1_000, tx_id="btx_9")])
        assert ("dispute", []) == (caught.value.kind, list(repo.ids()))

    def test_an_entity_without_an_id_refuses_the_whole_batch(self, writable: Harness) -> None:
        """InvalidId, as add raises it; the valid entities before it are not stored."""
        repo = writable.read.invoices
        with pytest.raises(InvalidId):
            repo.add_many([invoice("inv_0001"), attrs.evolve(invoice("inv_x"), id=None)])
        assert [] == _ids(repo.find())

    @pytest.mark.parametrize("order", ["stored_first", "bad_id_first"])
    def test_the_first_refusal_in_order_is_the_one_raised(
        self, writable: Harness, order: str
    ) -> None:
        """Two faults in one batch: the error is the one adding one by one meets first."""
        repo = writable.read.invoices
        repo.add(invoice("inv_2024_0042"))
        stored, bad = invoice("inv_2024_0042"), attrs.evolve(invoice("inv_x"), id="bad/id")
        batch = [stored, bad] if order == "stored_first" else [bad, stored]
        expected = AlreadyExists if order == "stored_first" else InvalidId
        with pytest.raises((AlreadyExists, InvalidId, UnwritableEntity)) as caught:
            repo.add_many([invoice("inv_0001"), *batch])
        assert (expected, ["inv_2024_0042"]) == (type(caught.value), _ids(repo.find()))
