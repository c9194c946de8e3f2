"""Entity id validation, applied by every adapter before an id touches a path or a URL."""

from __future__ import annotations

import re

from adapters.errors import InvalidId

__all__ = ["MAX_ID_LENGTH", "check_id"]

#: Longest id accepted. Stuut ids seen are at most 32 characters; 128 leaves room for
#: prefixed UUIDs while staying far below every file system's 255-byte name limit.
MAX_ID_LENGTH = 128

_SAFE = re.compile(r"[A-Za-z0-9_\-][A-Za-z0-9_.\-]*")


def check_id(kind: str, value: object) -> str:
    """Return ``value`` if it is a safe entity id, else raise :class:`InvalidId` saying why.

    Safe: a ``str`` of 1-128 ASCII letters, digits, ``_``, ``-`` or ``.``, not starting with
    ``.``. This refuses path traversal (``..``, ``../x``), absolute paths, separators of any
    platform, NUL and other control bytes, and over-long names, before any file is opened.
    """
    if not isinstance(value, str):
        raise InvalidId(kind, value, f"must be a string, not {type(value).__name__}")
    if not value:
        raise InvalidId(kind, value, "must not be empty")
    if len(value) > MAX_ID_LENGTH:
        raise InvalidId(kind, value, f"longer than {MAX_ID_LENGTH} characters ({len(value)})")
    if "\x00" in value:
        raise InvalidId(kind, value, "contains a NUL byte")
    if "/" in value or "\\" in value:
        raise InvalidId(kind, value, "contains a path separator")
    if value.startswith("."):
        raise InvalidId(kind, value, "starts with '.' (hidden or relative path)")
    if _SAFE.fullmatch(value) is None:
        raise InvalidId(kind, value, "only ASCII letters, digits, '_', '-' and '.' are allowed")
    return value
