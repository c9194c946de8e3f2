"""Argument handling shared by the strategies: a value or a strategy, and flag checks."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument


def _strategy(value: object, default: st.SearchStrategy[Any]) -> Any:
    """A strategy for an argument given as ``None`` (default), a value, or a strategy."""
    if value is None:
        return default
    if isinstance(value, st.SearchStrategy):
        return value
    return st.just(value)


def _check_bool(name: str, value: object) -> None:
    if value is not None and not isinstance(value, bool):
        raise InvalidArgument(f"{name} must be True, False or None, got {value!r}")
