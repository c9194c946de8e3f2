"""Ports: what the core needs from the outside world, as structural ``typing.Protocol``s.

Repositories for invoices, partners, payments and workflows, split into a read side
(:class:`Getter`, :class:`Finder`) and a write side (:class:`Writer`), a :class:`Clock`, and
the :class:`BusinessCalendar` outreach reads a recipient's working days from.
Adapters (``adapters.memory``, ``adapters.json_store``, ``adapters.http_api``) satisfy them
without inheriting from them (ADR 0003); one contract suite proves they behave alike. The
queries and repository aliases of the cash and owed kinds (bank transactions, remittances,
credit notes, customer credits, disputes, promises) live in :mod:`stuut_domain.fact_ports`
(ADR 0056), which builds on this module.

The rules every adapter keeps:

* A missing id raises :class:`~stuut_domain.errors.NotFound` (the same class everywhere).
* Listing streams: :meth:`Finder.find` returns an iterator and never materialises the whole
  store; the order is the adapter's own (stable while nothing is written), so callers that
  need an order sort what they keep.
* Writes are optimistic (ADR 0021): every stored entity has an opaque :data:`Version` token,
  assigned by the store and changed by every write. :meth:`Writer.save` takes the version the
  caller read; when the stored version differs, it raises
  :class:`~stuut_domain.errors.ConcurrencyConflict` and writes nothing.
* A bulk write is all or nothing: :meth:`Writer.add_many` refuses a batch exactly where
  adding its entities one by one would first fail, and then stores none of them (ADR 0075).
* Entities are stored exactly as given: a store never stamps or rewrites fields
  (``modified_at`` is the remote system's fact, not the store's version).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Generic, Protocol, TypeAlias, TypeVar

import attrs

from stuut_domain.cadence.calendars import ClosedDay
from stuut_domain.invoice import Invoice
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment
from stuut_domain.receivables import is_open_receivable
from stuut_domain.validators import aware, currency_code
from stuut_domain.workflow import Workflow

__all__ = [
    "BusinessCalendar",
    "Clock",
    "Finder",
    "Getter",
    "Identified",
    "InvoiceQuery",
    "InvoiceReader",
    "InvoiceRepository",
    "PartnerQuery",
    "PartnerReader",
    "PartnerRepository",
    "PaymentQuery",
    "PaymentReader",
    "PaymentRepository",
    "Query",
    "Reader",
    "Repository",
    "Version",
    "Versioned",
    "WorkflowQuery",
    "WorkflowReader",
    "WorkflowRepository",
    "Writer",
]

#: An opaque token naming one stored revision of an entity. Stores assign it; callers only
#: pass back what they read. Equal tokens for the same id mean the same stored content.
Version: TypeAlias = str

E = TypeVar("E")
E_co = TypeVar("E_co", covariant=True)
E_contra = TypeVar("E_contra", contravariant=True)
Q_contra = TypeVar("Q_contra", contravariant=True)


@attrs.frozen(kw_only=True, weakref_slot=False)
class Versioned(Generic[E_co]):
    """An entity as read from a store, with the version a later :meth:`Writer.save` must name."""

    entity: E_co
    version: Version


class Identified(Protocol):
    """An entity with an ``id``: the key every repository files it under."""

    @property
    def id(self) -> str | None:
        """The entity's id (``None`` only for entities not yet stored)."""


class Query(Protocol[E_contra]):
    """A filter over one kind of entity: stores may use their indexes, but ``matches`` decides."""

    def matches(self, entity: E_contra, /) -> bool:
        """Whether ``entity`` belongs in the result."""
        ...


@attrs.frozen(kw_only=True, weakref_slot=False)
class InvoiceQuery:
    """The invoice filters a collections service needs; unset filters match everything.

    * ``partner_id``: only that partner's invoices (stores answer from a per-partner index,
      never by scanning other partners' invoices).
    * ``open_only``: only open receivables
      (:func:`stuut_domain.receivables.is_open_receivable`: the rule the analytics use, so a
      store's filter and a report never disagree about which invoices are open).
    * ``due_before``: only invoices with a ``due_date`` strictly before this instant (an
      invoice without a due date never matches). Must be timezone-aware.
    * ``currency``: only invoices in this currency (a code from the API's list).
    """

    partner_id: str | None = None
    open_only: bool = False
    due_before: dt.datetime | None = attrs.field(default=None, validator=aware)
    currency: str | None = attrs.field(default=None, validator=currency_code)

    def matches(self, invoice: Invoice, /) -> bool:
        """Whether ``invoice`` passes every filter that is set."""
        if self.partner_id is not None and invoice.partner_id != self.partner_id:
            return False
        if self.currency is not None and invoice.currency != self.currency:
            return False
        if self.due_before is not None and (
            invoice.due_date is None or not invoice.due_date < self.due_before
        ):
            return False
        return not self.open_only or is_open_receivable(invoice)


@attrs.frozen(kw_only=True, weakref_slot=False)
class PartnerQuery:
    """Partner filters: by default ``currency`` (unset filters match everything)."""

    currency: str | None = attrs.field(default=None, validator=currency_code)

    def matches(self, partner: Partner, /) -> bool:
        """Whether ``partner`` passes every filter that is set."""
        return self.currency is None or partner.currency == self.currency


@attrs.frozen(kw_only=True, weakref_slot=False)
class PaymentQuery:
    """Payment filters: the paying ``partner_id`` and the payment ``currency``."""

    partner_id: str | None = None
    currency: str | None = attrs.field(default=None, validator=currency_code)

    def matches(self, payment: Payment, /) -> bool:
        """Whether ``payment`` passes every filter that is set."""
        if self.partner_id is not None and payment.partner_id != self.partner_id:
            return False
        return self.currency is None or payment.currency == self.currency


@attrs.frozen(kw_only=True, weakref_slot=False)
class WorkflowQuery:
    """Workflow filters: ``active_only`` keeps workflows whose ``is_active`` is true."""

    active_only: bool = False

    def matches(self, workflow: Workflow, /) -> bool:
        """Whether ``workflow`` passes every filter that is set."""
        return not self.active_only or workflow.is_active is True


class Getter(Protocol[E_co]):
    """Read one entity by id."""

    def get(self, entity_id: str, /) -> E_co:
        """The entity with this id; :class:`~stuut_domain.errors.NotFound` when there is none."""
        ...

    def get_versioned(self, entity_id: str, /) -> Versioned[E_co]:
        """The entity and its current version (pass the version to :meth:`Writer.save`)."""
        ...


class Finder(Protocol[E_co, Q_contra]):
    """List entities matching a query, streaming."""

    def find(self, query: Q_contra | None = None, /) -> Iterator[E_co]:
        """Every entity the query matches (all when ``None``), yielded one at a time.

        The iterator reads lazily: a large store is never loaded whole. What it yields reflects
        the store at or after the call; entities written meanwhile may or may not appear.
        """
        ...


class Reader(Getter[E_co], Finder[E_co, Q_contra], Protocol[E_co, Q_contra]):
    """The whole read side: get by id and find by query."""


class Writer(Protocol[E_contra]):
    """The write side, with optimistic concurrency (ADR 0021)."""

    def add(self, entity: E_contra, /) -> Version:
        """Store a new entity; its id must be set and unused.

        An id that is already stored raises :class:`~stuut_domain.errors.ConcurrencyConflict`
        (expected version ``None``, the stored one as actual); nothing is overwritten.
        Returns the new version.
        """
        ...

    def add_many(self, entities: Iterable[E_contra], /) -> list[Version]:
        """Store many new entities, all or nothing; returns their versions, in order.

        The batch is judged as if its entities were added one after another with :meth:`add`:
        the first entity that ``add`` would refuse raises what ``add`` would raise (an id
        already stored, or repeated within the batch, is
        :class:`~stuut_domain.errors.AlreadyExists`; a bad id, an entity the store cannot
        write back, ...), and then *nothing* of the batch is stored. A batch that is accepted
        is stored whole, each entity exactly as :meth:`add` would have stored it, and each
        returned version is the one :meth:`Getter.get_versioned` then reports. An empty batch
        stores nothing and returns ``[]``. Stores use it to load in bulk (one transaction and
        a few statements per thousand entities on SQL, instead of several per entity).
        """
        ...

    def save(self, entity: E_contra, /, *, expected_version: Version) -> Version:
        """Replace the stored entity with the same id, if it is still at ``expected_version``.

        A different stored version raises :class:`~stuut_domain.errors.ConcurrencyConflict`
        and writes nothing; a missing id raises :class:`~stuut_domain.errors.NotFound`.
        Returns the new version.
        """
        ...


class Repository(Reader[E, Q_contra], Writer[E], Protocol[E, Q_contra]):
    """Read and write side together."""


InvoiceReader: TypeAlias = Reader[Invoice, InvoiceQuery]
InvoiceRepository: TypeAlias = Repository[Invoice, InvoiceQuery]
PartnerReader: TypeAlias = Reader[Partner, PartnerQuery]
PartnerRepository: TypeAlias = Repository[Partner, PartnerQuery]
PaymentReader: TypeAlias = Reader[Payment, PaymentQuery]
PaymentRepository: TypeAlias = Repository[Payment, PaymentQuery]
WorkflowReader: TypeAlias = Reader[Workflow, WorkflowQuery]
WorkflowRepository: TypeAlias = Repository[Workflow, WorkflowQuery]


class Clock(Protocol):
    """The current instant: rules take it as an argument, services get it from this port."""

    def now(self) -> dt.datetime:
        """The current instant, timezone-aware."""
        ...


class BusinessCalendar(Protocol):
    """Which calendar dates a recipient works, and why a date is closed (ADR 0050).

    ``stuut_domain.cadence`` ships explicit, ``holidays``-backed and union calendars; any
    object with these members serves. Searches are bounded and raise
    :class:`~stuut_domain.errors.NoBusinessDay` rather than loop.
    """

    @property
    def label(self) -> str:
        """The calendar for people, named in reasons (``"US-NY public holidays"``)."""
        ...

    def is_business_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day."""
        ...

    def next_business_day(self, day: dt.date, *, inclusive: bool = False) -> dt.date:
        """The first business day after ``day`` (``day`` itself too when ``inclusive``)."""
        ...

    def add_business_days(self, day: dt.date, days: int) -> dt.date:
        """``day`` moved by ``days`` business days (``0`` rolls forward to a business day)."""
        ...

    def reason(self, day: dt.date) -> ClosedDay | None:
        """Why ``day`` is closed (weekend, holiday or closure, named), ``None`` if it is open."""
        ...
