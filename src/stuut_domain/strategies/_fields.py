"""Small field values shared by the entity strategies: ids, emails, phones, text, JSON blobs."""

from __future__ import annotations

import functools
from typing import Any, Final, TypeVar

from hypothesis import strategies as st

T = TypeVar("T")

_BOOLEANS: Final = st.booleans()


def _maybe(draw: st.DrawFn, strategy: st.SearchStrategy[T]) -> T | None:
    """``None`` or a value of ``strategy`` (shrinks towards ``None``)."""
    return draw(strategy) if draw(_BOOLEANS) else None


@functools.cache
def _ids(prefix: str) -> st.SearchStrategy[str]:
    """Stuut-style ids: a resource prefix and 16 hex digits (``inv_00000000000004d2``)."""
    return st.integers(0, 2**64 - 1).map(lambda n: f"{prefix}_{n:016x}")


@functools.cache
def _words() -> st.SearchStrategy[str]:
    return st.sampled_from(("Net 30", "PO attached", "Q3 retainer", "")) | st.text(max_size=24)


@functools.cache
def _json_blobs() -> st.SearchStrategy[Any]:
    """Free-form JSON objects as the API's ``custom_fields``/``remote_metadata`` hold them."""
    scalars = st.none() | st.booleans() | st.integers(-(2**31), 2**31) | st.text(max_size=12)
    return st.none() | st.dictionaries(st.sampled_from(("erp", "region", "cost_center")), scalars)


@functools.cache
def _emails() -> st.SearchStrategy[str]:
    local = st.sampled_from(("ap", "billing", "finance", "ana.silva", "hiro.tanaka", "j.okafor"))
    domain = st.sampled_from(("acme.example", "globex.example", "initech.example", "kk.example"))
    return st.builds("{}@{}".format, local, domain)


@functools.cache
def _phones() -> st.SearchStrategy[str]:
    return st.integers(2_000_000, 9_999_999).map(
        lambda n: f"+1 415 {n // 10_000:03d} {n % 10_000:04d}"
    )
