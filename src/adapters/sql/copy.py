"""Opening a store by name and copying one store into another, streaming (issue 17).

A store is named by a path (a JSON store directory, ADR 0020) or a URL (``sqlite:///book.db``,
``sqlite://`` for memory, ``postgresql://...``). :func:`copy_store` streams every kind from
one to the other, in either direction, one entity at a time on the read side and in batches of
one transaction each on a SQL write side: memory stays flat whatever the store's size.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from adapters.json_store import JsonStore
from adapters.sql.store import SqlStore
from stuut_domain.errors import AlreadyExists

__all__ = ["KINDS", "CopyReport", "copy_store", "is_url", "open_store"]

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
class CopyReport:
    """What a copy did per kind: entities written, and ids the destination already held
    (left as they were, never overwritten)."""

    copied: dict[str, int]
    already_there: dict[str, int]


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
    """Copy every entity of ``src`` into ``dst`` (each added with ``add``), streaming.

    An id ``dst`` already holds is counted in ``already_there`` and left unchanged. The
    entities go through the lossless codec, so what ``dst`` returns equals what ``src`` did.
    """
    copied = dict.fromkeys(KINDS, 0)
    present = dict.fromkeys(KINDS, 0)
    for kind in KINDS:
        entities = getattr(src, kind).find()
        done = False
        while not done:
            done = True
            with _writer(dst) as target:
                repo = getattr(target, kind)
                for n, entity in enumerate(entities, start=1):
                    try:
                        repo.add(entity)
                        copied[kind] += 1
                    except AlreadyExists:
                        present[kind] += 1
                    if n == BATCH:
                        done = False
                        break
    return CopyReport(copied=copied, already_there=present)
