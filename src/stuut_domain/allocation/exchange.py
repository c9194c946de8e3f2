"""The payment's ``currency_rate``: its direction, and the rounding order of an allocation.

Direction (the :class:`~stuut_domain.payment.Payment` docstring): one major unit of the
payment's currency = ``currency_rate`` major units of the invoice's currency. A EUR payment
with ``currency_rate = 1.08`` pays 1.08 USD of a USD invoice per euro. The rate applies only
to invoices in a currency other than the payment's; an invoice in the payment's own currency
is always paid at 1, whatever ``currency_rate`` says.

Rounding order (ADR 0012): an allocation's amount is decided in the *invoice* currency (the
figure the invoice's balance moves by), and its cost to the payment is derived from it, so no
figure is rounded twice:

* :func:`payment_cost` of an invoice amount ``a`` is ``ceil(a / rate)`` payment minor units:
  the least payment money that buys ``a``. An invoice covered by the payment therefore
  reaches exactly zero, and the payer's side absorbs at most one minor unit.
* :func:`invoice_amount` of payment money ``p`` is ``floor(p × rate)`` invoice minor units:
  money never buys more than it is worth. ``payment_cost(invoice_amount(p)) <= p``; what is
  left of ``p`` stays unapplied credit.

Both go through :func:`stuut_domain.money.convert` (exact fraction, one rounding at the end)
with a directed rounding mode instead of its banker's default; nothing is a float.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR
from fractions import Fraction

from stuut_domain.errors import InvalidAllocation, InvalidRate
from stuut_domain.money import Money, convert, exact_rate
from stuut_domain.payment import Payment

__all__ = ["invoice_amount", "payment_cost", "rate_to"]


def rate_to(payment: Payment, invoice_currency: str) -> Fraction:
    """The exact rate from the payment's currency to ``invoice_currency``.

    1 for the payment's own currency. Otherwise ``currency_rate``, which must be present
    (``missing_rate``), above zero and a real figure (``invalid_rate``, see
    :func:`~stuut_domain.money.exact_rate`); :class:`InvalidAllocation` names the
    payment, the currencies and the rate.
    """
    if payment.currency is None:
        raise InvalidAllocation(
            "payment_currency_missing", f"payment {payment.id!r} has no currency"
        )
    if invoice_currency == payment.currency:
        return Fraction(1)
    rate = payment.currency_rate
    if rate is None:
        raise InvalidAllocation(
            "missing_rate",
            f"payment {payment.id!r} is in {payment.currency} and has no currency_rate to "
            f"pay {invoice_currency}",
            payment_id=payment.id,
            payment_currency=payment.currency,
            invoice_currency=invoice_currency,
        )
    try:
        return exact_rate(rate)
    except InvalidRate as error:
        raise InvalidAllocation(
            "invalid_rate",
            f"payment {payment.id!r} has currency_rate {rate!r}: {error.reason}",
            payment_id=payment.id,
            currency_rate=rate,
        ) from None


def payment_cost(payment: Payment, amount: Money) -> Money:
    """The payment money an allocation of ``amount`` (invoice currency) consumes.

    ``ceil(amount / rate)`` in the payment's minor units: the least payment money that buys
    ``amount`` (:func:`~stuut_domain.money.convert` at ``1 / rate``, rounded up once). Same
    currency: ``amount`` itself. Negative amounts are refused.
    """
    if amount.is_negative():
        raise ValueError(f"an allocation cost is asked of a negative amount ({amount})")
    rate = rate_to(payment, amount.code)
    return convert(amount, 1 / rate, str(payment.currency), rounding=ROUND_CEILING)


def invoice_amount(payment: Payment, money: Money, invoice_currency: str) -> Money:
    """What payment ``money`` buys of ``invoice_currency``: ``floor(money × rate)``.

    :func:`~stuut_domain.money.convert` at ``rate``, rounded down once. ``money`` must be in
    the payment's currency and not negative.
    """
    if money.code != payment.currency:
        raise InvalidAllocation(
            "allocation_currency",
            f"{money} is not in payment {payment.id!r}'s currency {payment.currency}",
        )
    if money.is_negative():
        raise ValueError(f"negative payment money cannot buy an invoice amount ({money})")
    return convert(
        money, rate_to(payment, invoice_currency), invoice_currency, rounding=ROUND_FLOOR
    )
