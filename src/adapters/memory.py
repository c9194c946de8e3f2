"""The in-memory store: a real, thread-safe adapter for the repository ports, with indexes.

Each repository keeps its entities in a dict by id plus secondary indexes (invoices by
partner and by currency, payments by partner), so listing one partner's open invoices reads
that partner's invoices only, never the rest of the store. Every operation holds the
repository's lock; :meth:`MemoryRepository.find` takes a consistent snapshot of the
candidates under the lock and filters it lazily outside it, so a long listing never blocks
writers and never sees half a write.

Versions (ADR 0021) are decimal strings of a counter shared by the store's repositories:
every write gets a number never used before, so a stale version can never match again.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from adapters import stuut_json
from adapters._ids import check_id
from adapters._writable import checked_document, entity_id, kind_refusal
from stuut_domain.cash.entities import BankTransaction, Remittance
from stuut_domain.errors import AlreadyExists, ConcurrencyConflict, NotFound
from stuut_domain.fact_ports import (
    BankTransactionQuery,
    CreditNoteQuery,
    CustomerCreditQuery,
    DisputeQuery,
    PromiseQuery,
    RemittanceQuery,
    bank_transaction_partner,
)
from stuut_domain.invoice import Invoice
from stuut_domain.owed.credit_note import CreditNote
from stuut_domain.owed.customer_credit import CustomerCredit
from stuut_domain.owed.dispute import Dispute
from stuut_domain.owed.promise import Promise
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment
from stuut_domain.ports import (
    Identified,
    InvoiceQuery,
    PartnerQuery,
    PaymentQuery,
    Query,
    Version,
    Versioned,
    WorkflowQuery,
)
from stuut_domain.workflow import Workflow

__all__ = ["MemoryRepository", "MemoryStore"]


E = TypeVar("E", bound=Identified)
Q = TypeVar("Q", bound=Query[Any])

#: An index: a name and the key it files each entity under (``None``: not indexed).
IndexKey = Callable[[Any], str | None]
#: A query planner: which index (name, key) narrows a query, or ``None`` for a full scan.
Planner = Callable[[Any], tuple[str, str] | None]


class _Counter:
    """A store-wide version counter: every write takes the next number (under a repo lock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value = 0

    def next(self) -> int:
        with self._lock:
            self._value += 1
            return self._value


class MemoryRepository(Generic[E, Q]):
    """One kind of entity held in memory: get, find, add and save (with optimistic checks).

    Satisfies :class:`stuut_domain.ports.Repository` for its entity and query types. Safe to
    share between threads. Ids are checked with the same rule as every other adapter.
    """

    def __init__(
        self,
        kind: str,
        *,
        holds: type[E] | None = None,
        counter: _Counter | None = None,
        indexes: Mapping[str, IndexKey] | None = None,
        planner: Planner | None = None,
    ) -> None:
        self.kind = kind
        self._holds = holds
        #: The wire reading of ``holds``, built once: writes are checked to read back equal.
        self._decode: Callable[[bytes], Any] | None = (
            None if holds is None else functools.partial(stuut_json.decode, holds)
        )
        self._lock = threading.RLock()
        self._counter = counter or _Counter()
        self._rows: dict[str, E] = {}
        self._versions: dict[str, int] = {}
        self._index_keys: dict[str, IndexKey] = dict(indexes or {})
        self._indexes: dict[str, dict[str, dict[str, None]]] = {n: {} for n in self._index_keys}
        self._planner = planner

    def __len__(self) -> int:
        """How many entities are stored."""
        with self._lock:
            return len(self._rows)

    def __repr__(self) -> str:
        return f"MemoryRepository(kind={self.kind!r}, size={len(self)})"

    # -- read side -------------------------------------------------------------------------

    def get(self, entity_id: str, /) -> E:
        """The entity with this id, else :class:`NotFound`."""
        return self.get_versioned(entity_id).entity

    def get_versioned(self, entity_id: str, /) -> Versioned[E]:
        """The entity with this id and its current version, else :class:`NotFound`."""
        check_id(self.kind, entity_id)
        with self._lock:
            try:
                return Versioned(
                    entity=self._rows[entity_id], version=str(self._versions[entity_id])
                )
            except KeyError:
                raise NotFound(self.kind, entity_id) from None

    def find(self, query: Q | None = None, /) -> Iterator[E]:
        """Entities matching ``query``, from a snapshot taken now; narrowed by an index if one fits.

        Invoices of one partner (or one currency) come from that index alone: the cost is the
        size of the answer's candidate set, not of the store.
        """
        with self._lock:
            plan = None if query is None or self._planner is None else self._planner(query)
            if plan is None:
                snapshot = list(self._rows.values())
            else:
                name, key = plan
                ids = self._indexes[name].get(key, {})
                snapshot = [self._rows[i] for i in ids]
        return _filtered(snapshot, query)

    def ids(self) -> list[str]:
        """Every stored id (a snapshot), in insertion order."""
        with self._lock:
            return list(self._rows)

    # -- write side ------------------------------------------------------------------------

    def add(self, entity: E, /) -> Version:
        """Store a new entity; an id already present raises :class:`AlreadyExists`, an entity
        of another kind :class:`~adapters.errors.UnwritableEntity` (nothing is stored)."""
        entity_id = check_id(self.kind, self._checked(entity).id)
        with self._lock:
            if entity_id in self._rows:
                raise AlreadyExists(self.kind, entity_id, str(self._versions[entity_id]))
            return self._put(entity_id, entity, None)

    def add_many(self, entities: Iterable[E], /) -> list[Version]:
        """Store new entities, all or nothing (port ``Writer.add_many``).

        Under the lock, every entity is checked in order as :meth:`add` would check it (its
        kind, its id, an id already stored or earlier in the batch: :class:`AlreadyExists`,
        whose ``actual`` is the version that earlier one would have had). The first refusal
        is raised before anything is stored; only then are all of them stored. Versions
        drawn for a refused batch are never used (a version is still never reused).
        """
        batch = list(entities)
        with self._lock:
            staged: dict[str, tuple[E, int]] = {}
            for entity in batch:
                entity_id = check_id(self.kind, self._checked(entity).id)
                if entity_id in self._rows:
                    raise AlreadyExists(self.kind, entity_id, str(self._versions[entity_id]))
                if entity_id in staged:
                    raise AlreadyExists(self.kind, entity_id, str(staged[entity_id][1]))
                staged[entity_id] = (entity, self._counter.next())
            return [
                self._put(entity_id, entity, None, version=version)
                for entity_id, (entity, version) in staged.items()
            ]

    def save(self, entity: E, /, *, expected_version: Version) -> Version:
        """Replace the entity if still at ``expected_version``; else conflict, nothing written."""
        entity_id = check_id(self.kind, self._checked(entity).id)
        with self._lock:
            if entity_id not in self._rows:
                raise NotFound(self.kind, entity_id)
            current = str(self._versions[entity_id])
            if current != expected_version:
                raise ConcurrencyConflict(self.kind, entity_id, expected_version, current)
            return self._put(entity_id, entity, self._rows[entity_id])

    def _checked(self, entity: E) -> E:
        """The entity, once it is of the kind this repository holds and its wire document
        reads back equal: the fake refuses what the JSON and SQL stores refuse (an amount
        beyond 64 bits, an offset with seconds), so a test on it cannot pass where they fail."""
        entity_id(self.kind, entity)
        if self._decode is not None and self._holds is not None:
            refusal = kind_refusal(self.kind, entity, self._holds)
            if refusal is not None:
                raise refusal
            checked_document(self.kind, entity, stuut_json.encode, self._decode)
        return entity

    def _put(
        self, entity_id: str, entity: E, old: E | None, *, version: int | None = None
    ) -> Version:
        for name, key_of in self._index_keys.items():
            index = self._indexes[name]
            new_key = key_of(entity)
            old_key = None if old is None else key_of(old)
            if old is not None and old_key != new_key and old_key is not None:
                bucket = index[old_key]
                del bucket[entity_id]
                if not bucket:
                    del index[old_key]
            if new_key is not None:
                index.setdefault(new_key, {})[entity_id] = None
        if version is None:
            version = self._counter.next()
        self._rows[entity_id] = entity
        self._versions[entity_id] = version
        return str(version)


def _filtered(snapshot: list[E], query: Query[Any] | None) -> Iterator[E]:
    if query is None:
        yield from snapshot
        return
    matches = query.matches
    for entity in snapshot:
        if matches(entity):
            yield entity


def _plan_invoices(query: InvoiceQuery) -> tuple[str, str] | None:
    if query.partner_id is not None:
        return ("partner", query.partner_id)
    if query.currency is not None:
        return ("currency", query.currency)
    return None


def _plan_payments(query: PaymentQuery) -> tuple[str, str] | None:
    return None if query.partner_id is None else ("partner", query.partner_id)


def _invoice_partner(invoice: Invoice) -> str | None:
    return invoice.partner_id


def _invoice_currency(invoice: Invoice) -> str | None:
    return invoice.currency


def _payment_partner(payment: Payment) -> str | None:
    return payment.partner_id


def _plan_by_partner(query: Any) -> tuple[str, str] | None:
    """Every new kind's query has ``partner_id``: answered from the partner index."""
    partner_id: str | None = query.partner_id
    return None if partner_id is None else ("partner", partner_id)


def _plan_credit_notes(query: CreditNoteQuery) -> tuple[str, str] | None:
    if query.invoice_id is not None:
        return ("invoice", query.invoice_id)
    return _plan_by_partner(query)


def _partner_id(entity: Any) -> str | None:
    """``partner_id`` of a credit note, customer credit, dispute or promise."""
    value: str | None = entity.partner_id
    return value


def _remittance_partner(remittance: Remittance) -> str | None:
    return remittance.partner


def _note_invoice(note: CreditNote) -> str | None:
    return note.invoice_id


class MemoryStore:
    """Invoices, partners, payments and workflows in memory: one repository per kind.

    ``store.invoices`` is indexed by partner and currency, ``store.payments`` by partner.
    The cash and owed kinds (``bank_transactions``, ``remittances``, ``credit_notes``,
    ``customer_credits``, ``disputes``, ``promises``) are indexed by partner, credit notes by
    invoice too (ADR 0056). Versions come from one counter for the whole store. Build it
    empty, then ``add``.
    """

    def __init__(self) -> None:
        counter = _Counter()
        self.invoices: MemoryRepository[Invoice, InvoiceQuery] = MemoryRepository(
            "invoice",
            holds=Invoice,
            counter=counter,
            indexes={"partner": _invoice_partner, "currency": _invoice_currency},
            planner=_plan_invoices,
        )
        self.partners: MemoryRepository[Partner, PartnerQuery] = MemoryRepository(
            "partner", holds=Partner, counter=counter
        )
        self.payments: MemoryRepository[Payment, PaymentQuery] = MemoryRepository(
            "payment",
            holds=Payment,
            counter=counter,
            indexes={"partner": _payment_partner},
            planner=_plan_payments,
        )
        self.workflows: MemoryRepository[Workflow, WorkflowQuery] = MemoryRepository(
            "workflow", holds=Workflow, counter=counter
        )
        by_partner = {"partner": _partner_id}
        self.bank_transactions: MemoryRepository[BankTransaction, BankTransactionQuery] = (
            MemoryRepository(
                "bank_transaction",
                holds=BankTransaction,
                counter=counter,
                indexes={"partner": bank_transaction_partner},
                planner=_plan_by_partner,
            )
        )
        self.remittances: MemoryRepository[Remittance, RemittanceQuery] = MemoryRepository(
            "remittance",
            holds=Remittance,
            counter=counter,
            indexes={"partner": _remittance_partner},
            planner=_plan_by_partner,
        )
        self.credit_notes: MemoryRepository[CreditNote, CreditNoteQuery] = MemoryRepository(
            "credit_note",
            holds=CreditNote,
            counter=counter,
            indexes={"partner": _partner_id, "invoice": _note_invoice},
            planner=_plan_credit_notes,
        )
        self.customer_credits: MemoryRepository[CustomerCredit, CustomerCreditQuery] = (
            MemoryRepository(
                "customer_credit",
                holds=CustomerCredit,
                counter=counter,
                indexes=by_partner,
                planner=_plan_by_partner,
            )
        )
        self.disputes: MemoryRepository[Dispute, DisputeQuery] = MemoryRepository(
            "dispute", holds=Dispute, counter=counter, indexes=by_partner, planner=_plan_by_partner
        )
        self.promises: MemoryRepository[Promise, PromiseQuery] = MemoryRepository(
            "promise", holds=Promise, counter=counter, indexes=by_partner, planner=_plan_by_partner
        )

    def __repr__(self) -> str:
        return (
            f"MemoryStore(invoices={len(self.invoices)}, partners={len(self.partners)}, "
            f"payments={len(self.payments)}, workflows={len(self.workflows)}, "
            f"bank_transactions={len(self.bank_transactions)}, "
            f"remittances={len(self.remittances)}, credit_notes={len(self.credit_notes)}, "
            f"customer_credits={len(self.customer_credits)}, disputes={len(self.disputes)}, "
            f"promises={len(self.promises)})"
        )
