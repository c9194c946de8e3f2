"""Invariants: the rules an invoice's facts must satisfy, and the record of a broken one.

A checker returns *every* violation (a stable code, the field path and the values involved),
never just the first, so a service can load imperfect ERP data and see all that is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["Violation"]


@attrs.frozen(kw_only=True, weakref_slot=False)
class Violation:
    """One broken rule: its stable ``code``, the ``path`` of the field, a message and values.

    ``code`` never changes once published (services branch on it); ``message`` is for people.
    """

    code: str
    path: str
    message: str
    values: Mapping[str, Any] = attrs.field(factory=dict)

    def __str__(self) -> str:
        return f"[{self.code}] {self.path}: {self.message}"

    def as_record(self) -> dict[str, Any]:
        """A plain row (for JSON output and DataFrames)."""
        return {
            "code": self.code,
            "path": self.path,
            "message": self.message,
            **{f"value.{k}": v for k, v in self.values.items()},
        }
