"""A directory of Stuut-format JSON files, one entity per file, as repositories (ADR 0020).

Layout, fixed so fixtures captured from the API (and the bundled sample portfolio) drop in
as they are::

    <root>/invoices/<id>.json     one Invoice, exactly the API's JSON object
    <root>/partners/<id>.json     one Partner
    <root>/payments/<id>.json     one Payment
    <root>/workflows/<id>.json    one Workflow
    <root>/bank_transactions/<id>.json, remittances/, credit_notes/, customer_credits/,
    disputes/, promises/          the cash and owed kinds (ADR 0056), one entity each

A store written before those kinds existed has none of their folders: it still opens
(read-only too) and lists them as empty.

The file name is the entity's ``id`` (validated by :func:`adapters._ids.check_id` before any
path is built) and must match the ``id`` inside. Names starting with ``.`` are the store's
own (``.lock``, temporary files) and never listed.

Reads take no lock: a file is only ever replaced by an atomic rename, so a reader sees a
whole old file or a whole new one. Writes (ADR 0021) hold an exclusive ``flock`` on
``<root>/<kind>/.lock``, compare the caller's version with the file's current one (a digest
of its bytes), then replace the file atomically (temporary file, fsync, rename, fsync of the
directory). Concurrent writers in several processes therefore never lose an update silently:
the loser gets :class:`~stuut_domain.errors.ConcurrencyConflict`.

A file that is not JSON, or not a valid entity, raises :class:`~adapters.errors.CorruptRecord`
naming the file and every JSON path at fault; the other files stay readable.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Final, Generic, TypeVar

from adapters import stuut_json
from adapters._files import atomic_write, exclusive_lock
from adapters._ids import check_id
from adapters._writable import checked_document
from adapters._writable import entity_id as checked_entity_id
from adapters.errors import CorruptRecord, InvalidId, Problem, ReadOnlyStore, StoreNotFound
from adapters.samples import bundled_sample_root
from stuut_domain.cash.entities import BankTransaction, Remittance
from stuut_domain.errors import AlreadyExists, ConcurrencyConflict, NotFound
from stuut_domain.fact_ports import (
    BankTransactionQuery,
    CreditNoteQuery,
    CustomerCreditQuery,
    DisputeQuery,
    PromiseQuery,
    RemittanceQuery,
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

__all__ = ["FOLDERS", "JsonRepository", "JsonStore", "content_version"]

#: The folder of each entity kind under the store's root.
FOLDERS = {
    "invoice": "invoices",
    "partner": "partners",
    "payment": "payments",
    "workflow": "workflows",
    "bank_transaction": "bank_transactions",
    "remittance": "remittances",
    "credit_note": "credit_notes",
    "customer_credit": "customer_credits",
    "dispute": "disputes",
    "promise": "promises",
}

_SUFFIX = ".json"
#: The expected version of a save that names none: no file's content hashes to it.
_NO_VERSION: Final = "<none>"
_LOCK = ".lock"


E = TypeVar("E", bound=Identified)
Q = TypeVar("Q", bound=Query[Any])


def content_version(data: bytes) -> Version:
    """The version of a stored file: a digest of its exact bytes (ADR 0021).

    Any change to the file changes it; a file dropped in by hand has one without any sidecar.
    """
    return "sha256:" + hashlib.sha256(data).hexdigest()[:32]


class JsonRepository(Generic[E, Q]):
    """One kind of entity stored as ``<folder>/<id>.json`` files (port ``Repository``)."""

    def __init__(
        self,
        folder: Path,
        kind: str,
        decode: Callable[[bytes], E],
        encode: Callable[[E], bytes],
        *,
        read_only: bool = False,
    ) -> None:
        self.folder = folder
        self.read_only = read_only
        # Hot paths build str paths with os.path: pathlib (3.11) interns every path part,
        # which grows the interpreter's intern table by one entry per file listed.
        self._dir = os.fspath(folder)
        self.kind = kind
        self._decode = decode
        self._encode = encode

    def __repr__(self) -> str:
        return f"JsonRepository(kind={self.kind!r}, folder={str(self.folder)!r})"

    def path_of(self, entity_id: str) -> Path:
        """The file that holds (or would hold) this id; refuses unsafe ids with InvalidId."""
        return self.folder / f"{check_id(self.kind, entity_id)}{_SUFFIX}"

    # -- read side -------------------------------------------------------------------------

    def get(self, entity_id: str, /) -> E:
        """The entity in ``<id>.json``; NotFound if there is no such file, CorruptRecord if bad."""
        return self.get_versioned(entity_id).entity

    def get_versioned(self, entity_id: str, /) -> Versioned[E]:
        """The entity and its version (the digest of the file's bytes)."""
        path = self._file(check_id(self.kind, entity_id))
        data = self._read(path, entity_id)
        return Versioned(entity=self._load(path, data, entity_id), version=content_version(data))

    def find(
        self,
        query: Q | None = None,
        /,
        *,
        on_corrupt: Callable[[CorruptRecord], None] | None = None,
    ) -> Iterator[E]:
        """Stream every matching entity: one file is read and decoded at a time.

        Memory stays flat however many files there are. A corrupt file raises
        :class:`CorruptRecord` when the listing reaches it; with ``on_corrupt`` (for example
        ``skipped.append``) it is handed over instead and the listing goes on, so one bad
        file never hides the others (:meth:`problems` surveys them all).
        """
        return self._stream(query, on_corrupt)

    def ids(self) -> Iterator[str]:
        """The ids of the stored files, streamed from the directory (unordered)."""
        for entity_id, _path in self._entries():
            yield entity_id

    def _entries(self) -> Iterator[tuple[str, str]]:
        """(id, file path) of every ``<id>.json`` in the folder, streamed from the directory."""
        try:
            entries = os.scandir(self._dir)
        except (FileNotFoundError, NotADirectoryError):
            return
        with entries:
            for entry in entries:
                name = entry.name
                if name.endswith(_SUFFIX) and not name.startswith("."):
                    yield name[: -len(_SUFFIX)], entry.path

    def problems(self) -> Iterator[CorruptRecord]:
        """Every unreadable file of this kind, one error each (nothing raised)."""
        for entity_id, path in self._entries():
            try:
                self._load(path, self._read(path, check_id(self.kind, entity_id)), entity_id)
            except CorruptRecord as exc:
                yield exc
            except InvalidId as exc:
                yield CorruptRecord(
                    path, [Problem(path="", message=f"file name is not a valid id: {exc.reason}")]
                )
            except NotFound:
                continue  # removed while we looked

    # -- write side ------------------------------------------------------------------------

    def add(self, entity: E, /) -> Version:
        """Write ``<id>.json`` for a new entity; an existing file is :class:`AlreadyExists`."""
        return self._write(entity, None)

    def add_many(self, entities: Iterable[E], /) -> list[Version]:
        """Write ``<id>.json`` for each new entity, all or nothing (port ``Writer.add_many``).

        Under the folder's write lock, every entity is checked in order as :meth:`add` would
        check it (a read-only store, its id, its document reading back, an existing file or an
        id earlier in the batch: :class:`AlreadyExists` with that one's version) before any
        file is written. If writing a file then fails (a full disk), the files this call
        already wrote are removed and the error is raised: the folder is as it was. A process
        killed mid-batch can leave some of the batch written (files have no transaction
        across them); each file is still whole.
        """
        batch = list(entities)
        if not batch:
            return []
        if self.read_only:  # add refuses the first entity so, once its id is checked
            first = checked_entity_id(self.kind, batch[0])
            raise ReadOnlyStore(str(self.folder.parent), self.kind, first)
        staged: dict[str, tuple[Path, bytes]] = {}
        self.folder.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(self.folder / _LOCK):
            for entity in batch:
                entity_id = checked_entity_id(self.kind, entity)
                path = self.path_of(entity_id)
                data = checked_document(self.kind, entity, self._encode, self._decode)
                try:
                    stored: bytes | None = path.read_bytes()
                except FileNotFoundError:
                    stored = None
                if stored is not None:
                    raise AlreadyExists(self.kind, entity_id, content_version(stored))
                if entity_id in staged:
                    raise AlreadyExists(self.kind, entity_id, content_version(staged[entity_id][1]))
                staged[entity_id] = (path, data)
            written: list[Path] = []
            try:
                for path, data in staged.values():
                    atomic_write(path, data)
                    written.append(path)
            except BaseException:
                for path in written:
                    path.unlink(missing_ok=True)
                raise
        return [content_version(data) for _path, data in staged.values()]

    def save(self, entity: E, /, *, expected_version: Version) -> Version:
        """Replace ``<id>.json`` if its bytes are still the version read; else conflict.

        A version no read could have given (``None``, a non-string) matches no file: the
        missing id is :class:`NotFound`, a stored one :class:`ConcurrencyConflict`, as on
        every other store (it used to create the entity, as ``add`` does)."""
        expected: object = expected_version
        return self._write(entity, expected if isinstance(expected, str) else _NO_VERSION)

    # -- machinery -------------------------------------------------------------------------

    def _write(self, entity: E, expected: Version | None) -> Version:
        entity_id = checked_entity_id(self.kind, entity)
        if self.read_only:
            raise ReadOnlyStore(str(self.folder.parent), self.kind, entity_id)
        path = self.path_of(entity_id)
        data = checked_document(self.kind, entity, self._encode, self._decode)
        self.folder.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(self.folder / _LOCK):
            try:
                current: Version | None = content_version(path.read_bytes())
            except FileNotFoundError:
                current = None
            if expected is None and current is not None:
                raise AlreadyExists(self.kind, entity_id, current)
            if expected is not None and current is None:
                raise NotFound(self.kind, entity_id)
            if expected is not None and current != expected:
                raise ConcurrencyConflict(self.kind, entity_id, expected, current)
            atomic_write(path, data)
        return content_version(data)

    def _file(self, entity_id: str) -> str:
        return os.path.join(self._dir, entity_id + _SUFFIX)

    def _read(self, path: str, entity_id: str) -> bytes:
        """The file's bytes; NotFound if there is no such entry, CorruptRecord if there is one
        that cannot be read (a dangling link, a directory, no permission)."""
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except (FileNotFoundError, NotADirectoryError):
            if not os.path.lexists(path):
                raise NotFound(self.kind, entity_id) from None
            reason = "cannot read the file: it is a link to nothing"
        except OSError as exc:
            reason = f"cannot read the file: {exc.strerror or type(exc).__name__}"
        raise CorruptRecord(path, [Problem(path="", message=reason)])

    def _load(self, path: str, data: bytes, entity_id: str) -> E:
        try:
            entity = self._decode(data)
        except stuut_json.DecodeError as exc:
            problems = list(exc.problems)
            raise CorruptRecord(path, problems or [Problem(path="", message=str(exc))]) from exc
        if entity.id != entity_id:
            raise CorruptRecord(
                path,
                [
                    Problem(
                        path="id",
                        message=f"does not match the file name {entity_id!r}",
                        value=entity.id,
                    )
                ],
            )
        return entity

    def _stream(
        self, query: Q | None, on_corrupt: Callable[[CorruptRecord], None] | None
    ) -> Iterator[E]:
        for entity_id, path in self._entries():
            try:
                entity = self._entry(entity_id, path)
            except CorruptRecord as exc:
                if on_corrupt is None:
                    raise
                on_corrupt(exc)
                continue
            if entity is not None and (query is None or query.matches(entity)):
                yield entity

    def _entry(self, entity_id: str, path: str) -> E | None:
        """The entity of one listed file; ``None`` if it vanished since the listing."""
        try:
            check_id(self.kind, entity_id)
        except InvalidId as exc:
            raise CorruptRecord(
                path, [Problem(path="", message=f"file name is not a valid id: {exc.reason}")]
            ) from exc
        try:
            data = self._read(path, entity_id)
        except NotFound:
            return None  # replaced or removed since the directory was read
        return self._load(path, data, entity_id)


class JsonStore:
    """Invoices, partners, payments, workflows and the cash and owed kinds under one root
    directory (ADR 0020, ADR 0056).

    ``JsonStore(root)`` opens an existing directory (for example fixtures captured from the
    API); a directory that does not exist is :class:`~adapters.errors.StoreNotFound` (a typo
    must not read as an empty book) unless ``create=True``, which makes it. The kind folders
    are created on first write.

    ``read_only=True`` refuses every write (:class:`~adapters.errors.ReadOnlyStore`); the
    bundled sample portfolio is always opened read-only, so no one edits the installed
    package (copy it with :func:`adapters.samples.copy_sample_portfolio` to change it).
    """

    def __init__(self, root: Path | str, *, create: bool = False, read_only: bool = False) -> None:
        self.root = Path(root)
        if create:
            self.root.mkdir(parents=True, exist_ok=True)
        if not self.root.is_dir():
            raise StoreNotFound(str(self.root), exists=self.root.exists())
        if not create and not _looks_like_a_store(self.root):
            raise StoreNotFound(str(self.root), exists=True, foreign=True)
        self.read_only = read_only or _is_bundled_sample(self.root)
        read_only = self.read_only
        self.invoices: JsonRepository[Invoice, InvoiceQuery] = JsonRepository(
            self.root / FOLDERS["invoice"],
            "invoice",
            stuut_json.decode_invoice,
            stuut_json.encode_invoice,
            read_only=read_only,
        )
        self.partners: JsonRepository[Partner, PartnerQuery] = JsonRepository(
            self.root / FOLDERS["partner"],
            "partner",
            stuut_json.decode_partner,
            stuut_json.encode_partner,
            read_only=read_only,
        )
        self.payments: JsonRepository[Payment, PaymentQuery] = JsonRepository(
            self.root / FOLDERS["payment"],
            "payment",
            stuut_json.decode_payment,
            stuut_json.encode_payment,
            read_only=read_only,
        )
        self.workflows: JsonRepository[Workflow, WorkflowQuery] = JsonRepository(
            self.root / FOLDERS["workflow"],
            "workflow",
            stuut_json.decode_workflow,
            stuut_json.encode_workflow,
            read_only=read_only,
        )
        self.bank_transactions: JsonRepository[BankTransaction, BankTransactionQuery] = (
            self._generic("bank_transaction", BankTransaction)
        )
        self.remittances: JsonRepository[Remittance, RemittanceQuery] = self._generic(
            "remittance", Remittance
        )
        self.credit_notes: JsonRepository[CreditNote, CreditNoteQuery] = self._generic(
            "credit_note", CreditNote
        )
        self.customer_credits: JsonRepository[CustomerCredit, CustomerCreditQuery] = self._generic(
            "customer_credit", CustomerCredit
        )
        self.disputes: JsonRepository[Dispute, DisputeQuery] = self._generic("dispute", Dispute)
        self.promises: JsonRepository[Promise, PromiseQuery] = self._generic("promise", Promise)

    def _generic(self, kind: str, cls: type[E]) -> JsonRepository[E, Any]:
        """A repository for a kind the codec reads generically (``stuut_json.decode(cls, …)``)."""

        def decode(data: bytes) -> E:
            return stuut_json.decode(cls, data)

        return JsonRepository(
            self.root / FOLDERS[kind], kind, decode, stuut_json.encode, read_only=self.read_only
        )

    def repositories(self) -> tuple[JsonRepository[Any, Any], ...]:
        """Every kind's repository, in :data:`FOLDERS` order."""
        return (
            self.invoices,
            self.partners,
            self.payments,
            self.workflows,
            self.bank_transactions,
            self.remittances,
            self.credit_notes,
            self.customer_credits,
            self.disputes,
            self.promises,
        )

    def __repr__(self) -> str:
        flag = ", read_only=True" if self.read_only else ""
        return f"JsonStore({str(self.root)!r}{flag})"

    def problems(self) -> Iterator[CorruptRecord]:
        """Every unreadable file in the store, across all kinds, one error each."""
        for repo in self.repositories():
            yield from repo.problems()


def _looks_like_a_store(root: Path) -> bool:
    """A store's root holds a kind folder, or nothing but the store's own dot-files.

    So ``JsonStore("/usr")`` or one level too deep (``.../store/invoices``) is refused
    rather than read as an empty book; a new, empty directory is a new store.
    """
    with os.scandir(root) as entries:
        names = [entry.name for entry in entries if not entry.name.startswith(".")]
    return not names or any(name in FOLDERS.values() for name in names)


def _is_bundled_sample(root: Path) -> bool:
    """Whether ``root`` is the package's own sample portfolio (or inside it)."""
    sample = bundled_sample_root()
    resolved = root.resolve()
    return resolved == sample or sample in resolved.parents
