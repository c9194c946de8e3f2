"""The allocations ledger: one row per identified allocation an invoice lists (ADR 0058).

The invoice's wire document stays the source of truth (it embeds its allocations); the
ledger mirrors them in a normalised table whose primary key is the allocation id, written in
the same transaction as the invoice's new version. The database therefore refuses one
allocation id on two invoices, and :meth:`adapters.sql.SqlStore.post_allocation` applies a
repeated posting once. Allocations without an id (the API allows them on read) stay in the
document only: they have no key to be applied once by.
"""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa

from adapters.sql.direct import DirectStatement, DirectTransaction
from adapters.sql.specs import utc
from stuut_domain.errors import InvalidAllocation
from stuut_domain.invoice import Invoice

__all__ = ["DirectLedger", "allocation_rows", "sync_allocations", "sync_allocations_direct"]


def allocation_rows(invoice_id: str, invoice: Invoice) -> list[dict[str, Any]]:
    """The ledger rows of ``invoice``: its allocations that have an id, in listed order."""
    return [
        {
            "id": a.id,
            "invoice_id": invoice_id,
            "payment_id": a.payment_id,
            "amount_minor": a.amount.minor_units,
            "currency": a.amount.code,
            "strategy": a.strategy,
            "approved": a.approved,
            "approved_at": utc(a.approved_at),
        }
        for a in invoice.payments
        if a.id is not None
    ]


def sync_allocations(
    conn: sa.Connection, ledger: sa.Table, invoice_id: str, invoice: Invoice, *, new: bool = False
) -> None:
    """Make the ledger rows of ``invoice_id`` those ``invoice`` lists (inside the caller's
    transaction). An allocation id another invoice holds is refused (``allocation_conflict``)
    and nothing is written (the savepoint is rolled back; the caller's transaction aborts).
    ``new``: the invoice was just inserted, so it has no rows to replace."""
    if not new:
        conn.execute(_delete_of(ledger), {"b_invoice": invoice_id})
    rows = allocation_rows(invoice_id, invoice)
    if not rows:
        return
    ids = [r["id"] for r in rows]
    taken = conn.execute(
        sa.select(ledger.c.id, ledger.c.invoice_id).where(ledger.c.id.in_(ids))
    ).first()
    _refuse_held(invoice_id, ids, None if taken is None else (taken[0], taken[1]))
    try:
        with conn.begin_nested():
            conn.execute(sa.insert(ledger), rows)
    except sa.exc.IntegrityError as exc:  # a concurrent writer took an id meanwhile
        raise _taken_meanwhile(invoice_id) from exc


class DirectLedger:
    """The ledger's statements for :func:`sync_allocations_direct`, compiled once per store."""

    def __init__(self, ledger: sa.Table, dialect: sa.Dialect) -> None:
        self.name = ledger.name
        self.delete = DirectStatement(_delete_of(ledger), dialect)
        self.insert = DirectStatement(sa.insert(ledger), dialect)


def sync_allocations_direct(
    tx: DirectTransaction, ledger: DirectLedger, invoice_id: str, invoice: Invoice
) -> None:
    """:func:`sync_allocations` on a direct transaction (a save outside a unit of work, ADR
    0076), once the caller has run ``ledger.delete`` for ``invoice_id`` in it: the same
    statements, the same refusals; the caller's transaction rolls back on any of them, so
    nothing is written."""
    rows = allocation_rows(invoice_id, invoice)
    if not rows:
        return
    ids = [r["id"] for r in rows]
    marks = ", ".join([tx.placeholder] * len(ids))
    taken = tx.run(
        f'SELECT id, invoice_id FROM "{ledger.name}" WHERE id IN ({marks}) LIMIT 1',  # noqa: S608
        ids,
    ).fetchone()
    _refuse_held(invoice_id, ids, None if taken is None else (taken[0], taken[1]))
    try:
        tx.execute_many(ledger.insert, rows)
    except sa.exc.IntegrityError as exc:  # a concurrent writer took an id meanwhile
        raise _taken_meanwhile(invoice_id) from exc


def _refuse_held(invoice_id: str, ids: list[str], taken: tuple[str, str] | None) -> None:
    """``allocation_conflict`` when an id of ``ids`` is ``taken`` (id, holder) or repeated."""
    if taken is None and len(set(ids)) == len(ids):
        return
    allocation_id = taken[0] if taken is not None else _first_repeat(ids)
    holder = taken[1] if taken is not None else invoice_id
    message = (
        f"allocation {allocation_id!r} is already held by invoice {holder!r}; "
        f"invoice {invoice_id!r} cannot list it too"
        if holder != invoice_id
        else f"invoice {invoice_id!r} lists allocation {allocation_id!r} twice"
    )
    raise InvalidAllocation(
        "allocation_conflict",
        message,
        allocation_id=allocation_id,
        invoice_id=invoice_id,
        held_by=holder,
    )


def _taken_meanwhile(invoice_id: str) -> InvalidAllocation:
    return InvalidAllocation(
        "allocation_conflict",
        f"an allocation of invoice {invoice_id!r} was stored on another invoice meanwhile",
        invoice_id=invoice_id,
    )


@functools.cache
def _delete_of(ledger: sa.Table) -> sa.Delete:
    """The ledger's delete-by-invoice statement, built once per table."""
    return sa.delete(ledger).where(ledger.c.invoice_id == sa.bindparam("b_invoice"))


def _first_repeat(ids: list[str]) -> str:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            return i
        seen.add(i)
    return ids[0]
