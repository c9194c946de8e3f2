"""Strategies for currency codes and :class:`~stuut_domain.money.Money` amounts."""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from stuut_domain.money import CURRENCY_CODES, Money, exponent
from stuut_domain.strategies._arguments import _strategy

#: The largest magnitude :func:`moneys` produces by default: 2**53 − 1 minor units, the
#: largest integer every JSON reader (JavaScript included) keeps exactly.
MAX_SAFE_MINOR_UNITS: Final = 2**53 - 1


def _check_currency(code: object) -> None:
    if isinstance(code, str) and code not in CURRENCY_CODES:
        raise InvalidArgument(f"currency {code!r} is not one of the Stuut API's currency codes")


def currencies(*, exponent: int | Collection[int] | None = None) -> st.SearchStrategy[str]:
    """Currency codes of the Stuut API's list, optionally only of some exponent classes.

    ``currencies(exponent=0)`` gives zero-decimal codes (JPY, KRW, ...), ``exponent=3``
    three-decimal ones (BHD, KWD, ...), ``exponent=(0, 3)`` both. Shrinks towards the first
    code of the list.
    """
    wanted = None if exponent is None else {exponent} if isinstance(exponent, int) else exponent
    codes = [c for c in CURRENCY_CODES if wanted is None or _exponent_of(c) in wanted]
    if not codes:
        raise InvalidArgument(f"no currency has exponent {exponent!r}")
    return st.sampled_from(codes)


def _exponent_of(code: str) -> int:
    return exponent(code)


def moneys(
    *,
    currency: str | st.SearchStrategy[str] | None = None,
    min_value: int | None = None,
    max_value: int | None = None,
) -> st.SearchStrategy[Money]:
    """:class:`~stuut_domain.money.Money` in ``currency`` (default: any code) between bounds.

    ``min_value`` and ``max_value`` are in minor units and default to ∓(2**53 − 1), the range
    every JSON reader keeps exactly. Zero and negative amounts are included unless excluded by
    the bounds.
    """
    _check_currency(currency)
    low = -MAX_SAFE_MINOR_UNITS if min_value is None else min_value
    high = MAX_SAFE_MINOR_UNITS if max_value is None else max_value
    if low > high:
        raise InvalidArgument(f"min_value={low} is greater than max_value={high}")
    codes = _strategy(currency, currencies())
    return st.builds(Money, st.integers(low, high), codes)


def _major(code: str, units: int) -> int:
    """``units`` major units of ``code`` in minor units (the scale amounts are drawn at)."""
    scale: int = 10 ** _exponent_of(code)
    return units * scale
