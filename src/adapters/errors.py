"""Errors the adapters raise beyond the core's: bad ids, corrupt files, HTTP API failures.

All derive from :class:`stuut_domain.errors.StuutDomainError` and from the fitting builtin;
each carries its data (kind, id, file, endpoint, status) and computes its message from it.
None of them ever holds or prints an API token.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from stuut_domain.errors import NotFound, StuutDomainError, under_path

__all__ = [
    "ApiNotFound",
    "ApiUnavailable",
    "BadResponse",
    "ColumnarMismatch",
    "CorruptRecord",
    "Forbidden",
    "InvalidId",
    "Problem",
    "ReadOnlyStore",
    "SchemaOutOfDate",
    "SqlStoreNotFound",
    "SqlStoreUnavailable",
    "StoreNotFound",
    "StuutApiError",
    "Unauthorized",
    "UnexpectedStatus",
    "UnitOfWorkMisuse",
    "Unprocessable",
    "UnsupportedStoreUrl",
    "UnwritableEntity",
]


class InvalidId(StuutDomainError, ValueError):
    """An entity id that cannot be used as a file name or URL segment, refused before use.

    Ids are 1-128 characters of ASCII letters, digits, ``_``, ``-`` and ``.``, and do not
    start with ``.`` (so ``.``, ``..``, ``../x``, ``/etc/passwd``, NUL bytes and separators are
    all refused).
    """

    def __init__(self, kind: str, value: object, reason: str) -> None:
        self.kind = kind
        self.value = value
        self.reason = reason
        shown = value[:60] + "…" if isinstance(value, str) and len(value) > 60 else value
        super().__init__(f"invalid {kind} id {shown!r}: {reason}")


_VALUE_REPR_LIMIT = 60


@attrs.frozen(kw_only=True, weakref_slot=False)
class Problem:
    """One thing wrong in an input or a stored record: where (``path``), why, and the value.

    The one problem record of the adapters: the codec's :class:`DecodeError` and the stores'
    :class:`CorruptRecord` both list these.

    ``path`` is a JSON path such as ``line_items[2].total_amount`` (``$`` for the root,
    ``[3].amount_due`` for an item of a bare array); ``value`` is the offending JSON value
    (``None`` when the key is missing).

    When the entity at ``path`` was refused by one of its construction rules (an
    :class:`~stuut_domain.errors.OwedRefused`), ``code`` is that rule's stable code, ``field``
    the field path it names inside the value at ``path`` and ``values`` the values it names
    (name, value pairs); otherwise ``None``, ``None`` and ``()``.
    """

    path: str
    message: str
    value: Any = None
    code: str | None = None
    field: str | None = None
    values: tuple[tuple[str, Any], ...] = ()

    @property
    def rule_path(self) -> str:
        """Where the refused rule points: ``field`` read inside ``path`` (``path`` without one)."""
        if self.field is None:
            return self.path
        return under_path(self.path, self.field)

    def __str__(self) -> str:
        if self.value is None:
            return f"{self.path}: {self.message}"
        shown = repr(self.value)
        if len(shown) > _VALUE_REPR_LIMIT:
            shown = shown[: _VALUE_REPR_LIMIT - 3] + "..."
        return f"{self.path}: {self.message} (got {shown})"


class StoreNotFound(StuutDomainError, FileNotFoundError):
    """A store opened where there is none: a missing directory (a typo would read as empty),
    a file, or a directory that holds other things but no kind folder."""

    def __init__(self, root: str, *, exists: bool = False, foreign: bool = False) -> None:
        self.root = root
        self.exists = exists
        self.foreign = foreign
        if foreign:
            what = (
                "the directory holds files but no invoices/, partners/, payments/ or "
                "workflows/ (JsonStore(path, create=True) starts a store there anyway)"
            )
        elif exists:
            what = "it is not a directory"
        else:
            what = (
                "the directory does not exist "
                "(JsonStore(path, create=True) starts a new store there)"
            )
        super().__init__(f"no store at {root!r}: {what}")


class ReadOnlyStore(StuutDomainError, PermissionError):
    """A write to a store opened read-only (the bundled sample is always read-only)."""

    def __init__(self, root: str, kind: str, entity_id: str) -> None:
        self.root = root
        self.kind = kind
        self.entity_id = entity_id
        super().__init__(
            f"cannot write {kind} {entity_id!r}: the store at {root!r} is read-only "
            "(copy it first, e.g. adapters.samples.copy_sample_portfolio(path))"
        )


class SchemaOutOfDate(StuutDomainError, RuntimeError):
    """A SQL store whose recorded schema revision is not the one this library's code expects.

    Names the store, the recorded and expected revisions, and exactly what to run: an older
    store is brought up to date by ``stuut-domain store migrate URL`` (or opened with
    ``SqlStore(url, migrate=True)``); a store newer than this library needs a newer library.
    Nothing was read or written.
    """

    def __init__(self, url: str, found: str | None, expected: str, *, newer: bool) -> None:
        self.url = url
        self.found = found
        self.expected = expected
        self.newer = newer
        if newer:
            todo = "it was written by a newer stuut-domain; upgrade the library to open it"
        else:
            todo = f"run `stuut-domain store migrate {url}` (or open it with migrate=True)"
        super().__init__(
            f"SQL store {url} is at schema revision {found!r}, this library expects "
            f"{expected!r}: {todo}"
        )


class SqlStoreNotFound(StuutDomainError, FileNotFoundError):
    """A SQL store opened where there is none: no database file, or a database without the
    store's tables (a typo must not read as an empty book). ``create=True`` makes one."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(
            f"no SQL store at {url}: {reason} (SqlStore(url, create=True) or "
            "`stuut-domain store copy SRC URL` starts one)"
        )


class UnsupportedStoreUrl(StuutDomainError, ValueError):
    """A store URL the SQL store cannot open: a scheme (or driver) it does not support, a URL
    that does not parse, or a target a command refuses (``store copy`` into memory). Names the
    URL, the reason and the schemes that are supported. Nothing was opened or written."""

    #: The URL forms the SQL store opens.
    SUPPORTED = "sqlite:///PATH, sqlite:// (memory), postgresql://... or postgres://..."

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(
            f"cannot use {url!r} as a SQL store: {reason} (supported: {self.SUPPORTED})"
        )

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.url, self.reason))


class SqlStoreUnavailable(StuutDomainError, ConnectionError):
    """The database refused or could not serve a call (locked past the busy timeout, the
    server unreachable, the file not a database): nothing was written by the failed call."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"the SQL store at {url} is unavailable: {reason}")


class UnitOfWorkMisuse(StuutDomainError, RuntimeError):
    """A unit of work used outside its life (after ``commit()`` or ``rollback()``), or the
    store itself written (or, in memory, read) from inside an open unit on the same thread,
    where it would deadlock or commit the unit's writes. Nothing was written by the call."""

    def __init__(self, url: str, message: str) -> None:
        self.url = url
        self.reason = message
        super().__init__(f"{url}: {message}")

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.url, self.reason))


class UnwritableEntity(StuutDomainError, ValueError):
    """An entity a store refuses to write because its wire document would not read back as
    the same entity (another kind, an amount beyond 64 bits, an offset with seconds, text
    with a lone surrogate). Nothing was written."""

    def __init__(self, kind: str, entity_id: object, reason: str) -> None:
        self.kind = kind
        self.entity_id = entity_id
        self.reason = reason
        super().__init__(f"{kind} {entity_id!r} cannot be stored: {reason}")

    def __reduce__(self) -> tuple[type, tuple[str, object, str]]:
        return (type(self), (self.kind, self.entity_id, self.reason))


class CorruptRecord(StuutDomainError, ValueError):
    """A stored file that is not valid JSON or not a valid entity; names the file and paths.

    Only this file is unusable: every other file in the store stays readable.
    """

    def __init__(self, file: str, problems: Sequence[Problem]) -> None:
        self.file = file
        self.problems: tuple[Problem, ...] = tuple(problems)
        detail = "; ".join(str(p) for p in self.problems) or "unreadable"
        super().__init__(f"{file}: {detail}")


class StuutApiError(StuutDomainError):
    """The Stuut API refused or failed a request; ``endpoint`` is ``"GET /v1/invoices"``-style."""

    def __init__(self, endpoint: str, message: str, status: int | None = None) -> None:
        self.endpoint = endpoint
        self.status = status
        code = f" (HTTP {status})" if status is not None else ""
        super().__init__(f"{endpoint}{code}: {message}")


class Unauthorized(StuutApiError, PermissionError):
    """401: the bearer token is missing, wrong or expired (the token itself is never shown)."""


class Forbidden(StuutApiError, PermissionError):
    """403: the token is valid but may not use this endpoint or entity."""


class Unprocessable(StuutApiError, ValueError):
    """422: the API refused the request's content; ``detail`` holds what it said."""

    def __init__(self, endpoint: str, message: str, detail: object = None) -> None:
        self.detail = detail
        super().__init__(endpoint, message, 422)


class BadResponse(StuutApiError, ValueError):
    """A response that is not JSON or not the shape the endpoint documents."""


class UnexpectedStatus(StuutApiError):
    """A status the client has no mapping for (e.g. 400 or 500), not retried."""


class ApiNotFound(StuutApiError, NotFound):
    """404 on an entity endpoint: the API has no such entity.

    Both a :class:`StuutApiError` (it names the endpoint and the status) and the core's
    :class:`~stuut_domain.errors.NotFound` (``kind`` and ``entity_id``), so code written
    against any repository catches it as it catches a store's miss.
    """

    def __init__(self, endpoint: str, kind: str, entity_id: str) -> None:
        NotFound.__init__(self, kind, entity_id)
        self.endpoint = endpoint
        self.status = 404
        Exception.__init__(self, f"{endpoint} (HTTP 404): {kind} {entity_id!r} not found")


class ApiUnavailable(StuutApiError, ConnectionError):
    """The request still failed after the retry budget (``attempts`` tries) was spent."""

    def __init__(self, endpoint: str, message: str, status: int | None, attempts: int) -> None:
        self.attempts = attempts
        super().__init__(endpoint, f"{message}; gave up after {attempts} attempt(s)", status)


class ColumnarMismatch(StuutDomainError, ValueError):
    """A columnar table (Arrow or Parquet) that does not follow the library's schema.

    Names what is wrong and where: the ``table`` (``"invoices"``), the ``column``, the
    ``row`` when one value is at fault (``None`` for the whole column or file), what was
    ``expected`` and what was ``found``. Raised for a file of another schema version or
    written by another program, a column of the wrong type, and a currency or exponent that
    disagrees with the money rules; nothing is rounded or wrapped to make it fit.
    """

    def __init__(
        self, table: str, column: str, expected: str, found: object, row: int | None = None
    ) -> None:
        self.table = table
        self.column = column
        self.expected = expected
        self.found = found
        self.row = row
        where = f"{table}.{column}" + ("" if row is None else f" row {row}")
        super().__init__(f"{where}: expected {expected}, found {found!r}")
