"""The in-memory store beyond the contract: indexes and sharing between threads."""

from __future__ import annotations

import threading

import attrs
from contract_support import invoice, partner

from adapters.memory import MemoryStore
from stuut_domain.errors import ConcurrencyConflict
from stuut_domain.invoice import Invoice
from stuut_domain.ports import InvoiceQuery


@attrs.frozen
class CountingQuery(InvoiceQuery):
    """An InvoiceQuery that records every invoice it was asked about."""

    seen: list[str] = attrs.field(factory=list, eq=False)

    def matches(self, invoice: Invoice, /) -> bool:
        self.seen.append(str(invoice.id))
        return super().matches(invoice)


class TestIndexes:
    def test_listing_one_partner_never_looks_at_other_partners_invoices(self) -> None:
        """A partner query reads that partner's index bucket only."""
        store = MemoryStore()
        for n in range(50):
            store.invoices.add(invoice(f"inv_g{n}", partner_id="ptn_globex"))
        store.invoices.add(invoice("inv_a1"))
        store.invoices.add(invoice("inv_a2", paid=1_250_00))
        query = CountingQuery(partner_id="ptn_acme", open_only=True)
        found = [i.id for i in store.invoices.find(query)]
        assert (["inv_a1"], ["inv_a1", "inv_a2"]) == (found, sorted(query.seen))

    def test_a_currency_query_reads_the_currency_index(self) -> None:
        """Without a partner, a currency query reads that currency's bucket only."""
        store = MemoryStore()
        store.invoices.add(invoice("inv_e1"))
        store.invoices.add(invoice("inv_u1", currency="USD"))
        query = CountingQuery(currency="USD")
        list(store.invoices.find(query))
        assert ["inv_u1"] == query.seen

    def test_a_listing_is_a_snapshot_unaffected_by_later_writes(self) -> None:
        """Writes after find() was called do not change what that listing yields."""
        store = MemoryStore()
        store.invoices.add(invoice("inv_1"))
        listing = store.invoices.find(InvoiceQuery(partner_id="ptn_acme"))
        store.invoices.add(invoice("inv_2"))
        assert ["inv_1"] == [i.id for i in listing]


class TestThreads:
    def test_concurrent_read_modify_write_loses_no_update(self) -> None:
        """Eight threads each add 25 cents 25 times, retrying on conflict: all 200 land."""
        store = MemoryStore()
        store.invoices.add(invoice("inv_2024_0042", total=1_000_00))

        def pay_in_instalments() -> None:
            for _ in range(25):
                while True:
                    current = store.invoices.get_versioned("inv_2024_0042")
                    paid = current.entity.amount_paid_or_zero.minor_units + 25
                    try:
                        store.invoices.save(
                            invoice("inv_2024_0042", total=1_000_00, paid=paid),
                            expected_version=current.version,
                        )
                        break
                    except ConcurrencyConflict:
                        continue

        threads = [threading.Thread(target=pay_in_instalments) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert 8 * 25 * 25 == store.invoices.get("inv_2024_0042").amount_paid_or_zero.minor_units

    def test_versions_are_never_reused_across_a_store(self) -> None:
        """Every write in a store gets a version no earlier write had."""
        store = MemoryStore()
        versions = [store.invoices.add(invoice(f"inv_{n}")) for n in range(5)]
        versions.append(store.partners.add(partner("ptn_acme")))
        assert len(versions) == len(set(versions))
