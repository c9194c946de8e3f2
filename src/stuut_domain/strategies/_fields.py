"""Small field values shared by the entity strategies: ids, emails, phones, text, JSON blobs.

Every strategy here is built once, at import, with an explicit alphabet (ADR 0037). Hypothesis
builds its Unicode tables the first time a text strategy with the default alphabet draws, and
that one-off setup (about 3 s without a ``.hypothesis/`` directory) is timed as data
generation: a user's first ``@given(invoices())`` would fail ``HealthCheck.too_slow``.
"""

from __future__ import annotations

import functools
from typing import Any, Final, TypeVar

from hypothesis import strategies as st

T = TypeVar("T")

_BOOLEANS: Final = st.booleans()

#: The characters free text (memos, descriptions, JSON strings) is drawn from: ASCII letters,
#: digits and punctuation, accented Latin (Émile, Łódź, Müller), Greek, Cyrillic, Japanese and
#: Chinese, the euro sign and an em dash, a combining accent, a newline and an emoji outside the
#: Basic Multilingual Plane. Explicit, so no Unicode table is built (see the module docstring).
_TEXT_ALPHABET: Final = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    " .,:;-/#&'()\"%+"
    "ÀÉÈÖÜäéèçñøåßÆŁłŚśŻżź"
    "ΩΣαβЖжДд"
    "あカ日本中文"
    "€—\u0301\n\U0001f642"
)
_CHARACTERS: Final = st.sampled_from(_TEXT_ALPHABET)


def _text(max_size: int) -> st.SearchStrategy[str]:
    """Strings of up to ``max_size`` characters of ``_TEXT_ALPHABET`` (shrinks to ``""``)."""
    return st.lists(_CHARACTERS, max_size=max_size).map("".join)


@functools.cache
def _distinct(strategy: st.SearchStrategy[T], count: int) -> st.SearchStrategy[list[T]]:
    """``count`` distinct values of ``strategy`` (ids that must not repeat), built once."""
    return st.lists(strategy, min_size=count, max_size=count, unique=True)


def _maybe(draw: st.DrawFn, strategy: st.SearchStrategy[T]) -> T | None:
    """``None`` or a value of ``strategy`` (shrinks towards ``None``)."""
    return draw(strategy) if draw(_BOOLEANS) else None


def _ids(prefix: str) -> st.SearchStrategy[str]:
    """Stuut-style ids: a resource prefix and 16 hex digits (``inv_00000000000004d2``).

    Call it at import (module level) and keep the result: the strategies draw from constants.
    """
    return _ID_NUMBERS.map(f"{prefix}_{{:016x}}".format)


_ID_NUMBERS: Final = st.integers(0, 2**64 - 1)

_WORDS: Final = st.sampled_from(("Net 30", "PO attached", "Q3 retainer", "")) | _text(24)

_JSON_SCALARS: Final = st.none() | st.booleans() | st.integers(-(2**31), 2**31) | _text(12)
#: Free-form JSON objects as the API's ``custom_fields``/``remote_metadata`` hold them.
_JSON_BLOBS: Final[st.SearchStrategy[Any]] = st.none() | st.dictionaries(
    st.sampled_from(("erp", "region", "cost_center")), _JSON_SCALARS
)

_EMAILS: Final = st.builds(
    "{}@{}".format,
    st.sampled_from(("ap", "billing", "finance", "ana.silva", "hiro.tanaka", "j.okafor")),
    st.sampled_from(("acme.example", "globex.example", "initech.example", "kk.example")),
)

_PHONES: Final = st.integers(2_000_000, 9_999_999).map(
    lambda n: f"+1 415 {n // 10_000:03d} {n % 10_000:04d}"
)

#: Ids of every resource the strategies generate, built once.
_INVOICE_IDS: Final = _ids("inv")
_PARTNER_IDS: Final = _ids("ptn")
_PAYMENT_IDS: Final = _ids("pay")
_ALLOCATION_IDS: Final = _ids("pal")
_CONTACT_IDS: Final = _ids("ctc")
_USER_IDS: Final = _ids("usr")
_ORGANIZATION_IDS: Final = _ids("org")
_WORKFLOW_IDS: Final = _ids("wfl")
_SENDER_IDS: Final = _ids("sndr")
_REMOTE_IDS: Final = _ids("erp")
