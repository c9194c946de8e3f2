"""Errors the adapters raise beyond the core's: bad ids, corrupt files, HTTP API failures.

All derive from :class:`stuut_domain.errors.StuutDomainError` and from the fitting builtin;
each carries its data (kind, id, file, endpoint, status) and computes its message from it.
None of them ever holds or prints an API token.
"""

from __future__ import annotations

from collections.abc import Sequence

from stuut_domain.errors import StuutDomainError

__all__ = [
    "ApiUnavailable",
    "BadResponse",
    "CorruptRecord",
    "Forbidden",
    "InvalidId",
    "RecordProblem",
    "StuutApiError",
    "Unauthorized",
    "UnexpectedStatus",
    "Unprocessable",
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


class RecordProblem:
    """One thing wrong inside a stored record: the JSON ``path``, a message, the bad value."""

    __slots__ = ("message", "path", "value")

    def __init__(self, path: str, message: str, value: object = None) -> None:
        self.path = path
        self.message = message
        self.value = value

    def __repr__(self) -> str:
        return f"RecordProblem(path={self.path!r}, message={self.message!r})"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class CorruptRecord(StuutDomainError, ValueError):
    """A stored file that is not valid JSON or not a valid entity; names the file and paths.

    Only this file is unusable: every other file in the store stays readable.
    """

    def __init__(self, file: str, problems: Sequence[RecordProblem]) -> None:
        self.file = file
        self.problems: tuple[RecordProblem, ...] = tuple(problems)
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


class ApiUnavailable(StuutApiError, ConnectionError):
    """The request still failed after the retry budget (``attempts`` tries) was spent."""

    def __init__(self, endpoint: str, message: str, status: int | None, attempts: int) -> None:
        self.attempts = attempts
        super().__init__(endpoint, f"{message}; gave up after {attempts} attempt(s)", status)
