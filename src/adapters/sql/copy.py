"""Opening a store by name and copying one store into another, streaming (issue 17).

A store is named by a path (a JSON store directory, ADR 0020) or a URL (``sqlite:///book.db``,
``sqlite://`` for memory, ``postgresql://...``). :func:`copy_store` streams every kind from
one to the other, in either direction, one entity at a time on the read side and in batches
written with ``add_many`` (one transaction each on a SQL write side): memory stays flat
whatever the store's size.

A copy is **complete with a report** (ADR 0071), never stopped half-way by one bad record:
every record the source can read and the target accepts is copied; every record the source
cannot read (a corrupt file or row) and every entity the target refuses (an allocation id
another invoice already holds, a document the target could not read back) is left out and
named in :attr:`CopyReport.skipped` with its kind, file or id, and reason. Failures of the
stores themselves (a database gone, a locked file) still stop the copy: what was committed
stays, and running the copy again finishes it (ids already there are counted, not rewritten).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from adapters.errors import CorruptRecord, InvalidId, UnwritableEntity
from adapters.json_store import JsonStore
from adapters.sql.store import SqlStore
from stuut_domain.errors import AlreadyExists, InvalidAllocation

__all__ = ["KINDS", "CopyReport", "SkippedRecord", "copy_store", "is_url", "open_store"]

#: The repositories a copy moves, in order (partners before the invoices that name them).
KINDS = (
    "partners",
    "workflows",
    "invoices",
    "payments",
    "bank_transactions",
    "remittances",
    "credit_notes",
    "customer_credits",
    "disputes",
    "promises",
)
#: Entities written per transaction when the destination is a SQL store.
BATCH = 1000


def is_url(name: str) -> bool:
    """Whether a store name is a database URL (else it is a JSON store directory)."""
    return "://" in name


def open_store(name: str, *, create: bool = False) -> Any:
    """The store ``name`` names: :class:`SqlStore` for a URL, :class:`JsonStore` for a path."""
    if is_url(name):
        return SqlStore(name, create=create)
    return JsonStore(Path(name), create=create)


@attrs.frozen(kw_only=True, weakref_slot=False)
class SkippedRecord:
    """One record a copy left out: ``unreadable`` in the source (``where`` is its file, or
    ``URL#table/id``) or ``refused`` by the target (``where`` is the entity's id), and why."""

    kind: str
    where: str
    cause: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        """The record as plain data (the CLI's ``--json``)."""
        return {"kind": self.kind, "where": self.where, "cause": self.cause, "reason": self.reason}


@attrs.frozen(kw_only=True, weakref_slot=False)
class CopyReport:
    """What a copy did per kind: entities written, ids the destination already held (left as
    they were, never overwritten), and every record left out (:class:`SkippedRecord`)."""

    copied: dict[str, int]
    already_there: dict[str, int]
    skipped: tuple[SkippedRecord, ...] = ()

    @property
    def complete(self) -> bool:
        """Whether every record of the source is now in the destination (nothing skipped)."""
        return not self.skipped


#: What a target refuses for one entity (its own rules); the copy names it and goes on.
_REFUSALS = (InvalidAllocation, UnwritableEntity, InvalidId)


@contextlib.contextmanager
def _writer(dst: Any) -> Iterator[Any]:
    """Where a batch is written: a unit of work for SQL, the store itself for JSON files."""
    if isinstance(dst, SqlStore):
        with dst.unit_of_work() as uow:
            yield uow
            uow.commit()
    else:
        yield dst


def copy_store(src: Any, dst: Any) -> CopyReport:
    """Copy every entity of ``src`` into ``dst``, streaming, ``BATCH`` entities at a time.

    Each batch is first written with one ``add_many`` (one transaction on SQL, ADR 0075).
    When the target refuses it (an id already there, an entity it will not take), nothing of
    it was written, and the batch is added entity by entity instead, so that each refusal is
    counted or reported on its own, as a copy always did.

    An id ``dst`` already holds is counted in ``already_there`` and left unchanged. The
    entities go through the lossless codec, so what ``dst`` returns equals what ``src`` did.
    A record ``src`` cannot read, or an entity ``dst`` refuses, is skipped and named in the
    report's ``skipped``; everything else is still copied (``report.complete`` is then false).
    """
    copied = dict.fromkeys(KINDS, 0)
    present = dict.fromkeys(KINDS, 0)
    skipped: list[SkippedRecord] = []
    for kind in KINDS:

        def unreadable(exc: CorruptRecord, kind: str = kind) -> None:
            reason = "; ".join(str(p) for p in exc.problems) or "unreadable"
            skipped.append(
                SkippedRecord(kind=kind, where=exc.file, cause="unreadable", reason=reason)
            )

        entities = getattr(src, kind).find(on_corrupt=unreadable)
        while batch := list(itertools.islice(entities, BATCH)):
            with _writer(dst) as target:
                repo = getattr(target, kind)
                try:  # the whole batch at once: all or nothing (a savepoint on SQL)
                    repo.add_many(batch)
                    copied[kind] += len(batch)
                    continue
                except (AlreadyExists, *_REFUSALS):
                    pass  # nothing of it was written: add one by one and report each
                for entity in batch:
                    try:
                        repo.add(entity)
                        copied[kind] += 1
                    except AlreadyExists:
                        present[kind] += 1
                    except _REFUSALS as exc:  # the add undid itself (a savepoint, or no file)
                        skipped.append(
                            SkippedRecord(
                                kind=kind, where=str(entity.id), cause="refused", reason=str(exc)
                            )
                        )
    return CopyReport(copied=copied, already_there=present, skipped=tuple(skipped))
