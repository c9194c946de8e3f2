"""How far a payment may fall short of what it settles and still settle it (ADR 0041).

A :class:`Tolerance` is set per currency, in that currency's minor units (``fixed``) or as a
percentage of the open amount (``percent``), never both for one currency. It applies to
**underpayment only** unless ``overpayment=True`` (Odoo's rule): an overpayment is never
written off, its excess stays on account. A short pay within tolerance is settled in full,
the shortfall becoming a ``short_pay_write_off`` settlement line (not cash, ADR 0042); beyond
tolerance the invoice is paid in part and stays open.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Final

import attrs

from stuut_domain.display import compact
from stuut_domain.errors import InvalidMatchInput
from stuut_domain.money import CURRENCY_CODES, Money

__all__ = ["NO_TOLERANCE", "Tolerance"]

_CODES: Final = frozenset(CURRENCY_CODES)


def _check(instance: Tolerance, _attribute: object, _value: object) -> None:
    del _attribute, _value
    for code, units in instance.fixed.items():
        if code not in _CODES:
            raise InvalidMatchInput("tolerance_currency", f"{code!r} is no currency", currency=code)
        if type(units) is not int or units < 0:
            raise InvalidMatchInput(
                "tolerance_fixed",
                f"the fixed tolerance of {code} is a whole number of minor units >= 0, "
                f"got {units!r}",
                currency=code,
                value=units,
            )
    for code, percent in instance.percent.items():
        if code not in _CODES:
            raise InvalidMatchInput("tolerance_currency", f"{code!r} is no currency", currency=code)
        if type(percent) not in (Decimal, int):
            raise InvalidMatchInput(
                "tolerance_percent",
                f"the percent tolerance of {code} is a Decimal, got {percent!r}",
                currency=code,
                value=percent,
            )
        if not Decimal(percent).is_finite() or not 0 <= Decimal(percent) <= 100:
            raise InvalidMatchInput(
                "tolerance_percent",
                f"the percent tolerance of {code} lies in 0..100, got {percent}",
                currency=code,
                value=percent,
            )
        if code in instance.fixed:
            raise InvalidMatchInput(
                "tolerance_both",
                f"{code} has both a fixed and a percent tolerance: choose one",
                currency=code,
            )


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Tolerance:
    """Per currency: ``fixed`` minor units or ``percent`` of the open amount; 0 elsewhere.

    ``Tolerance(fixed={"USD": 500}, percent={"EUR": Decimal("0.5")})`` lets a USD payment
    fall 5.00 USD short and a EUR payment 0.5 % short. A percent allowance is rounded *down*
    to whole minor units (never more than the stated share). ``overpayment=True`` also
    accepts a payment that exceeds the open amount by the same allowance as settling it
    exactly (the excess still goes on account, never to the invoice).
    """

    fixed: Mapping[str, int] = attrs.field(factory=dict, validator=_check)
    percent: Mapping[str, Decimal] = attrs.field(factory=dict)
    overpayment: bool = False

    def allowance(self, open_amount: Money) -> Money:
        """The shortfall accepted on ``open_amount``, in its currency."""
        code = open_amount.code
        if code in self.fixed:
            return Money(self.fixed[code], code)
        if code in self.percent and open_amount.is_positive():
            share = Fraction(Decimal(self.percent[code])) / 100 * open_amount.minor_units
            return Money(share.numerator // share.denominator, code)
        return Money.zero(code)

    def accepts(self, paid: Money, open_amount: Money) -> bool:
        """Whether ``paid`` settles ``open_amount``: exact, short within the allowance, or (with
        ``overpayment``) over within it."""
        gap = open_amount - paid
        if gap.is_zero():
            return True
        if gap.is_positive():
            return gap <= self.allowance(open_amount)
        return self.overpayment and -gap <= self.allowance(open_amount)

    def describe(self, code: str) -> str:
        """The tolerance of ``code`` in words."""
        if code in self.fixed:
            return f"{Money(self.fixed[code], code)} short"
        if code in self.percent:
            return f"{self.percent[code]}% short"
        return "none"


#: No shortfall accepted in any currency.
NO_TOLERANCE: Final = Tolerance()
