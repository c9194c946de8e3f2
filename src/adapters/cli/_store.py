"""Reading a store for the store commands: its portfolio, skipped files, and the workflow to use.

Files that cannot be read are skipped and reported (exit 1), never fatal; a path that is not a
store, or a store without the wanted workflow, is unusable input (exit 2).
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar

import attrs

from adapters.cli._output import EXIT_CLEAN, EXIT_FINDINGS, Outcome, Progress, UnusableInput
from adapters.errors import (
    CorruptRecord,
    SchemaOutOfDate,
    SqlStoreNotFound,
    UnsupportedStoreUrl,
)
from adapters.json_store import JsonStore
from stuut_domain.invoice import Invoice
from stuut_domain.partner import Partner
from stuut_domain.workflow import Workflow

__all__ = [
    "StoreName",
    "StorePortfolio",
    "load_store",
    "open_named_store",
    "pick_workflow",
    "require_store",
    "store_outcome",
]

#: What ``--store`` names: a JSON store directory, or a SQL store's URL (``sqlite:///b.db``).
StoreName = pathlib.Path | str

E_co = TypeVar("E_co", covariant=True)


class _Listing(Protocol[E_co]):
    """What the CLI reads from a store repository: its ids, and every entity it can read."""

    def ids(self) -> Iterator[str]: ...

    def find(
        self, query: None = None, /, *, on_corrupt: Callable[[CorruptRecord], None] | None = None
    ) -> Iterator[E_co]: ...


@attrs.frozen(kw_only=True, weakref_slot=False)
class StorePortfolio:
    """The invoices, partners and workflows a store holds, and the files that could not be read.

    Payments are not read: every command works from the invoices, which embed their
    allocations.
    """

    invoices: tuple[Invoice, ...]
    partners: tuple[Partner, ...]
    workflows: tuple[Workflow, ...]
    skipped: tuple[CorruptRecord, ...]

    def skipped_records(self) -> list[dict[str, object]]:
        """One record per skipped file: the file and why it could not be read."""
        return [{"file": s.file, "error": str(s)} for s in self.skipped]


def _read_all(
    repository: _Listing[E_co], label: str, skipped: list[CorruptRecord]
) -> tuple[E_co, ...]:
    """Every readable entity, by id; each file that cannot be read (bad JSON, a bad file name,
    a link to nothing) goes to ``skipped`` and the rest are still read."""
    progress = Progress(f"reading {label}", total=sum(1 for _ in repository.ids()))
    before = len(skipped)
    found: list[E_co] = []
    for entity in repository.find(on_corrupt=skipped.append):
        found.append(entity)
        progress.step(len(found) + len(skipped) - before)
    progress.done()
    return tuple(sorted(found, key=_id_of))


def _id_of(entity: object) -> str:
    return str(getattr(entity, "id", ""))


def open_named_store(name: StoreName, *, create: bool = False, migrate: bool = False) -> Any:
    """The store ``name`` names: a :class:`~adapters.sql.SqlStore` for a URL (refused, exit 2,
    when it is missing, out of date or its driver is not installed), else a JSON store."""
    if isinstance(name, pathlib.Path):
        if not create:
            require_store(name)
        return JsonStore(name, create=create)
    try:
        from adapters.sql import SqlStore  # noqa: PLC0415 - an optional extra, imported when used
    except ImportError as exc:
        raise UnusableInput(
            f"a SQL store needs the sql extra (pip install 'stuut-domain[sql]'): {exc}"
        ) from None

    try:
        return SqlStore(name, create=create, migrate=migrate)
    except (SchemaOutOfDate, SqlStoreNotFound, UnsupportedStoreUrl) as exc:
        raise UnusableInput(str(exc)) from None
    except ImportError as exc:  # only psycopg can be missing: the scheme was checked
        raise UnusableInput(
            f"the database driver is not installed (pip install 'stuut-domain[postgresql]'): {exc}"
        ) from None
    except Exception as exc:  # noqa: BLE001 - the driver's: a bad URL, no server, no access
        raise UnusableInput(f"cannot open the SQL store {name}: {exc}") from None


def require_store(root: StoreName) -> None:
    """Refuse (exit 2) a path that is not a store: not a directory, or without ``invoices/``.

    Every store command (``aging``, ``outreach``, ``simulate``, ``serve``) applies the same
    test, so an empty or mistyped directory is never served or reported on as an empty book.
    A URL is checked when it is opened (:func:`open_named_store`).
    """
    if isinstance(root, str):
        return
    if not root.is_dir():
        raise UnusableInput(f"store {str(root)!r} is not a directory")
    if not (root / "invoices").is_dir():
        raise UnusableInput(f"store {str(root)!r} has no invoices/ folder")


def load_store(root: StoreName) -> StorePortfolio:
    """Every readable invoice, partner and workflow in the store; unreadable records skipped."""
    store = open_named_store(root)
    skipped: list[CorruptRecord] = []
    try:
        return StorePortfolio(
            invoices=_read_all(store.invoices, "invoices", skipped),
            partners=_read_all(store.partners, "partners", skipped),
            workflows=_read_all(store.workflows, "workflows", skipped),
            skipped=tuple(skipped),
        )
    finally:
        close = getattr(store, "close", None)
        if close is not None:
            close()


def store_outcome(portfolio: StorePortfolio, text: str, data: dict[str, Any]) -> Outcome:
    """Append the skipped files (exit 1) to a store command's text and data."""
    data["skipped"] = portfolio.skipped_records()
    if portfolio.skipped:
        lines = "\n".join(f"  {s}" for s in portfolio.skipped)
        text += f"\n\nSkipped {len(portfolio.skipped)} unreadable file(s):\n{lines}"
        return Outcome(exit_code=EXIT_FINDINGS, text=text, data=data)
    return Outcome(exit_code=EXIT_CLEAN, text=text, data=data)


def pick_workflow(portfolio: StorePortfolio, wanted: str | None) -> Workflow:
    """The workflow with id ``wanted``, or by default the first active one by id."""
    if wanted is not None:
        for workflow in portfolio.workflows:
            if workflow.id == wanted:
                return workflow
        raise UnusableInput(f"no workflow {wanted!r} in the store")
    active = sorted(
        (w for w in portfolio.workflows if w.is_active is not False), key=lambda w: w.id or ""
    )
    if not active:
        raise UnusableInput("the store has no active workflow; outreach needs one (--workflow)")
    return active[0]
