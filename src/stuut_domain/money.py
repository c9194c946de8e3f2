"""Money per currency, exact: an integer number of minor units and a currency.

The Stuut API carries every amount as an integer in the currency's smallest unit
("10.00 USD -> 1000") beside a ``currency`` code. :class:`Money` keeps exactly that pair, so
nothing is ever rounded, truncated or turned into a float on the way in or out. Currency
metadata (code, numeric code, name) comes from py-moneyed; the minor-unit exponent follows
ISO 4217 (ADR 0004).

Rules:

* Amounts of different currencies never mix: ``+``, ``-`` and comparisons raise
  :class:`~stuut_domain.errors.CurrencyMismatch`. :class:`MoneyBag` keeps totals per currency.
* Multiplication is by integers only; anything that could produce a fraction of a minor unit
  goes through :func:`allocate` (split without loss) or :func:`convert` (explicit rate and
  rounding mode).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Final, SupportsIndex, TypeAlias, TypeVar, final, overload

import moneyed

from stuut_domain._currency_data import (
    ISO_EXPONENT_OVERRIDES,
    MISSING_FROM_MONEYED,
    NO_MINOR_UNIT,
    STUUT_CURRENCY_CODES,
)
from stuut_domain.errors import CurrencyMismatch, InexactAmount, InvalidRate, UnknownCurrency

__all__ = [
    "CURRENCY_CODES",
    "RATE_EXPONENT_LIMIT",
    "Money",
    "MoneyBag",
    "allocate",
    "convert",
    "currency",
    "exact_rate",
    "exponent",
    "from_minor_units",
    "to_minor_units",
]

#: Every code :func:`currency` accepts: the Stuut API's list.
CURRENCY_CODES: Final[tuple[str, ...]] = STUUT_CURRENCY_CODES
_CODE_SET: Final[frozenset[str]] = frozenset(STUUT_CURRENCY_CODES)


def _build_registry() -> tuple[dict[str, moneyed.Currency], dict[str, int]]:
    currencies: dict[str, moneyed.Currency] = {}
    exponents: dict[str, int] = {}
    for code in STUUT_CURRENCY_CODES:
        if code in MISSING_FROM_MONEYED:
            numeric, exp, name = MISSING_FROM_MONEYED[code]
            # Built, not registered: we never mutate py-moneyed's global registry.
            cur = moneyed.Currency(code=code, numeric=numeric, sub_unit=10**exp, name=name)
        else:
            cur = moneyed.CURRENCIES[code]
            exp = len(str(cur.sub_unit)) - 1
        if code in ISO_EXPONENT_OVERRIDES:
            exp = ISO_EXPONENT_OVERRIDES[code]
        elif code in NO_MINOR_UNIT:
            exp = 0
        currencies[code] = cur
        exponents[code] = exp
    return currencies, exponents


_CURRENCIES, _EXPONENTS = _build_registry()


def _code_of(code_or_currency: str | moneyed.Currency) -> str:
    if isinstance(code_or_currency, moneyed.Currency):
        code: object = code_or_currency.code
    else:
        code = code_or_currency
    if not isinstance(code, str) or code not in _CODE_SET:
        raise UnknownCurrency(code)
    return code


def currency(code: str) -> moneyed.Currency:
    """The py-moneyed :class:`~moneyed.Currency` for one of the Stuut API's 306 codes.

    Raises :class:`~stuut_domain.errors.UnknownCurrency` for any other code (codes are
    case-sensitive, as on the wire).
    """
    try:
        return _CURRENCIES[code]
    except (KeyError, TypeError):
        raise UnknownCurrency(code) from None


def exponent(code: str | moneyed.Currency) -> int:
    """ISO 4217 minor-unit digits of a currency: JPY 0, USD 2, BHD 3, CLF 4.

    Codes for which ISO 4217 defines no minor unit (gold, SDR, test codes) give 0: the API's
    integer is then a whole unit.
    """
    return _EXPONENTS[_code_of(code)]


@final
class Money:
    """An exact amount of one currency: ``minor_units`` of ``currency``'s smallest unit.

    ``Money(1000, "USD")`` is 10.00 USD. Values are immutable and hashable; equality is by
    amount *and* currency (0 USD != 0 EUR). Arithmetic between two currencies raises
    :class:`~stuut_domain.errors.CurrencyMismatch`.

    >>> Money(1050, "USD") + Money(25, "USD")
    Money.of('10.75', 'USD')
    >>> str(Money(1075, "USD")), str(Money(5, "BHD")), str(Money(-300, "JPY"))
    ('10.75 USD', '0.005 BHD', '-300 JPY')
    """

    __slots__ = ("currency", "minor_units")
    minor_units: int
    currency: moneyed.Currency

    def __init__(self, minor_units: int, currency: str | moneyed.Currency) -> None:
        if type(minor_units) is not int:
            if isinstance(minor_units, bool) or not isinstance(minor_units, int):
                raise TypeError(
                    f"minor_units must be an int, not {type(minor_units).__name__} "
                    f"({minor_units!r}); use Money.of() for decimal amounts"
                )
            minor_units = int(minor_units)
        code = currency if type(currency) is str else _code_of(currency)
        try:
            cur = _CURRENCIES[code]
        except KeyError:
            raise UnknownCurrency(code) from None
        object.__setattr__(self, "minor_units", minor_units)
        object.__setattr__(self, "currency", cur)

    @classmethod
    def of(cls, amount: Decimal | str | int, currency: str | moneyed.Currency) -> Money:
        """Money from a decimal amount in major units, refusing sub-minor-unit precision.

        ``Money.of("10.50", "USD") == Money(1050, "USD")``; ``Money.of("0.005", "USD")``
        raises :class:`~stuut_domain.errors.InexactAmount`. Floats are refused: they are
        not exact.
        """
        if isinstance(amount, float | bool):
            raise TypeError(f"amount must be Decimal, str or int, not {type(amount).__name__}")
        code = _code_of(currency)
        try:
            dec = Decimal(amount)
        except InvalidOperation:
            raise ValueError(f"not a decimal amount: {amount!r}") from None
        if not dec.is_finite():
            raise ValueError(f"not a finite amount: {amount!r}")
        units = _exact_minor_units(dec, _EXPONENTS[code])
        if units is None:
            raise InexactAmount(amount, code, _EXPONENTS[code])
        return cls(units, code)

    @classmethod
    def zero(cls, currency: str | moneyed.Currency) -> Money:
        """Zero of a currency."""
        return cls(0, currency)

    # -- views ---------------------------------------------------------------------------

    @property
    def code(self) -> str:
        """The ISO 4217 code of the currency, e.g. ``"USD"``."""
        return str(self.currency.code)

    @property
    def exponent(self) -> int:
        """Minor-unit digits of the currency."""
        return _EXPONENTS[self.currency.code]

    @property
    def amount(self) -> Decimal:
        """The amount in major units as an exact :class:`~decimal.Decimal` (10.50 for 1050 USD)."""
        sign, digits, exp = Decimal(self.minor_units).as_tuple()
        return Decimal((sign, digits, int(exp) - self.exponent))

    def to_moneyed(self) -> moneyed.Money:
        """The same amount as a py-moneyed :class:`~moneyed.Money` (for formatting, Babel)."""
        return moneyed.Money(self.amount, self.currency)

    @classmethod
    def from_moneyed(cls, money: moneyed.Money) -> Money:
        """Exact conversion from py-moneyed; raises :class:`InexactAmount` rather than truncate."""
        return cls(to_minor_units(money), money.currency.code)

    # -- immutability, equality, hashing ------------------------------------------------

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Money is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Money is immutable; cannot delete {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Money, (self.minor_units, self.currency.code))

    def __copy__(self) -> Money:
        return self

    def __deepcopy__(self, memo: object) -> Money:
        return self

    def __eq__(self, other: object) -> bool:
        if type(other) is Money:
            return self.minor_units == other.minor_units and self.currency is other.currency
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.minor_units, self.currency.code))

    def __repr__(self) -> str:
        """Reads as the amount and evaluates back: ``Money.of('5286342.35', 'EUR')``."""
        return f"Money.of({format(self.amount, 'f')!r}, {self.currency.code!r})"

    def __str__(self) -> str:
        return f"{format(self.amount, 'f')} {self.currency.code}"

    def __format__(self, spec: str) -> str:
        """``format(money, ",.2f")`` formats the exact amount, then names the currency.

        ``f"{Money(528634235, 'EUR'):,.2f}"`` is ``'5,286,342.35 EUR'``; an empty spec is
        :func:`str`. The spec is a :class:`~decimal.Decimal` format spec applied to the exact
        amount (a precision below the currency's decimals rounds half to even, for display).
        """
        if not spec:
            return str(self)
        return f"{format(self.amount, spec)} {self.currency.code}"

    def __bool__(self) -> bool:
        return self.minor_units != 0

    # -- arithmetic within one currency --------------------------------------------------

    def _same(self, other: Money, operation: str) -> None:
        if self.currency is not other.currency:
            raise CurrencyMismatch(self.currency.code, other.currency.code, operation)

    def _new(self, units: int) -> Money:
        new = object.__new__(Money)
        object.__setattr__(new, "minor_units", units)
        object.__setattr__(new, "currency", self.currency)
        return new

    def __add__(self, other: Money) -> Money:
        if type(other) is not Money:
            return NotImplemented
        self._same(other, "add")
        return self._new(self.minor_units + other.minor_units)

    def __radd__(self, other: int) -> Money:
        # Only so that sum() works: 0 + money == money.
        if type(other) is int and other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        if type(other) is not Money:
            return NotImplemented
        self._same(other, "subtract")
        return self._new(self.minor_units - other.minor_units)

    def __neg__(self) -> Money:
        return self._new(-self.minor_units)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return self._new(abs(self.minor_units))

    def __mul__(self, factor: SupportsIndex) -> Money:
        if isinstance(factor, bool) or not hasattr(factor, "__index__"):
            return NotImplemented
        return self._new(self.minor_units * factor.__index__())

    __rmul__ = __mul__

    def _cmp(self, other: object, operation: str) -> int:
        if type(other) is not Money:
            raise TypeError(f"cannot compare Money with {type(other).__name__}")
        self._same(other, operation)
        return self.minor_units - other.minor_units

    def __lt__(self, other: Money) -> bool:
        return self._cmp(other, "compare") < 0

    def __le__(self, other: Money) -> bool:
        return self._cmp(other, "compare") <= 0

    def __gt__(self, other: Money) -> bool:
        return self._cmp(other, "compare") > 0

    def __ge__(self, other: Money) -> bool:
        return self._cmp(other, "compare") >= 0

    def is_zero(self) -> bool:
        """True for zero of any currency."""
        return self.minor_units == 0

    def is_positive(self) -> bool:
        """True when strictly above zero."""
        return self.minor_units > 0

    def is_negative(self) -> bool:
        """True when strictly below zero."""
        return self.minor_units < 0

    def allocate(self, ratios: Sequence[int]) -> list[Money]:
        """Split by integer ratios without losing a unit; see :func:`allocate`."""
        return allocate(self, ratios)


def from_minor_units(units: int, code: str | moneyed.Currency) -> Money:
    """The Money that the API means by ``units`` of ``code`` (``1000, "USD"`` is 10.00 USD)."""
    return Money(units, code)


def to_minor_units(money: Money | moneyed.Money) -> int:
    """The exact integer of minor units the API expects for ``money``.

    Accepts this library's :class:`Money` (always exact) and py-moneyed's ``Money``, for
    which an amount that is not a whole number of minor units raises
    :class:`~stuut_domain.errors.InexactAmount`. Never truncates (py-moneyed's own
    ``get_amount_in_sub_unit()`` does: 1.005 USD would become 100).
    """
    if type(money) is Money:
        return money.minor_units
    if isinstance(money, moneyed.Money):
        code = _code_of(money.currency.code)
        units = _exact_minor_units(money.amount, _EXPONENTS[code])
        if units is None:
            raise InexactAmount(money.amount, code, _EXPONENTS[code])
        return units
    raise TypeError(f"expected Money, got {type(money).__name__}")


def _exact_minor_units(amount: Decimal, exp: int) -> int | None:
    """``amount`` × 10**exp as an int, exactly (no context rounding), or None if fractional."""
    if not amount.is_finite():
        return None
    sign, digits, dexp = amount.as_tuple()
    shift = int(dexp) + exp
    if shift >= 0:
        magnitude: int = int("".join(map(str, digits)) or "0") * 10**shift
    else:
        kept, dropped = digits[:shift], digits[shift:]
        if any(dropped):
            return None
        magnitude = int("".join(map(str, kept)) or "0")
    return -magnitude if sign else magnitude


def allocate(total: Money, ratios: Sequence[int]) -> list[Money]:
    """Split ``total`` into parts proportional to integer ``ratios``; parts sum to ``total``.

    Rule (**largest remainder, ties to the earlier part**): each part first gets the floor of
    its exact share of ``abs(total)``; the units left over go, one each, to the parts with the
    largest fractional remainders, and among equal remainders to the part that comes first.
    A zero ratio always gets zero. A negative total is split as its absolute value and every
    part negated, so the parts keep the total's sign. The result is deterministic.

    Ratios must be non-negative integers, not all zero (``bool`` is refused).

    >>> [str(m) for m in allocate(Money(5, "USD"), [70, 30])]
    ['0.04 USD', '0.01 USD']
    >>> [m.minor_units for m in allocate(Money(100, "USD"), [1, 1, 1])]
    [34, 33, 33]
    """
    if type(total) is not Money:
        raise TypeError(f"total must be Money, not {type(total).__name__}")
    ratio_list = list(ratios)
    if not ratio_list:
        raise ValueError("allocate needs at least one ratio")
    for index, ratio in enumerate(ratio_list):
        if type(ratio) is not int:
            raise TypeError(f"ratios[{index}] must be an int, not {type(ratio).__name__}")
        if ratio < 0:
            raise ValueError(f"ratios[{index}] is negative ({ratio})")
    ratio_sum = sum(ratio_list)
    if ratio_sum == 0:
        raise ValueError("allocate needs at least one non-zero ratio")
    sign = -1 if total.minor_units < 0 else 1
    units = abs(total.minor_units)
    shares = [divmod(units * r, ratio_sum) for r in ratio_list]
    parts = [q for q, _ in shares]
    leftover = units - sum(parts)
    # Largest remainder first; on equal remainders the earlier index wins.
    order = sorted(range(len(shares)), key=lambda i: (-shares[i][1], i))
    for i in order[:leftover]:
        parts[i] += 1
    return [total._new(sign * p) for p in parts]


#: A rate's decimal exponent lies within ±this: 1e-30 to 1e30 holds every real rate between
#: two of the API's currencies, and refuses figures such as ``1e10000000`` whose arithmetic
#: alone would take seconds.
RATE_EXPONENT_LIMIT: Final = 30
_RATE_DIGITS_LIMIT: Final = 50
_RATE_BITS_LIMIT: Final = 200  # about 60 decimal digits in a Fraction's numerator or denominator

Rate: TypeAlias = Decimal | Fraction | str | int


def exact_rate(rate: Rate) -> Fraction:
    """An exchange rate as an exact fraction, refused unless a real figure could have it.

    Accepted: a ``Decimal``, ``Fraction`` or ``int``, or decimal text such as ``"1.08"``. Refused
    with :class:`~stuut_domain.errors.InvalidRate`: floats and bools (ADR 0004: never a float
    where money is concerned), text that is not a decimal, NaN and infinities, zero and
    negative rates, and rates beyond 10^±:data:`RATE_EXPONENT_LIMIT` or with more than 50
    significant digits.
    """
    if isinstance(rate, bool | float) or not isinstance(rate, Decimal | Fraction | str | int):
        raise InvalidRate(
            rate,
            "a rate is exact: pass a Decimal, a Fraction, an int or decimal text such as '1.08'",
        )
    if isinstance(rate, str):
        try:
            rate = Decimal(rate.strip()) if len(rate) <= 100 else Decimal("NaN")
        except InvalidOperation:
            raise InvalidRate(rate, "not a decimal number") from None
    if isinstance(rate, Decimal):
        if not rate.is_finite():
            raise InvalidRate(rate, "not a finite number")
        if rate and (
            abs(rate.adjusted()) > RATE_EXPONENT_LIMIT
            or len(rate.as_tuple().digits) > _RATE_DIGITS_LIMIT
        ):
            raise InvalidRate(rate, f"beyond 1e±{RATE_EXPONENT_LIMIT} or 50 digits")
        rate = Fraction(rate)
    value = Fraction(rate)
    if value <= 0:
        raise InvalidRate(rate, "must be above zero")
    if value.numerator.bit_length() > _RATE_BITS_LIMIT or value.denominator.bit_length() > (
        _RATE_BITS_LIMIT
    ):
        raise InvalidRate(rate, "too many digits for an exchange rate")
    return value


_UNSET: Final[Any] = object()
_T = TypeVar("_T")


@overload
def convert(
    money: Money, rate: Rate, to: str | moneyed.Currency, /, *, rounding: str = ...
) -> Money: ...
@overload
def convert(
    money: Money, /, *, rate: Rate, to: str | moneyed.Currency, rounding: str = ...
) -> Money: ...
def convert(
    money: Money,
    /,
    *args: Any,
    rate: Any = _UNSET,
    to: Any = _UNSET,
    rounding: str = ROUND_HALF_EVEN,
) -> Money:
    """Convert with an explicit ``rate``: one major unit of ``money`` buys ``rate`` of ``to``.

    ``convert(money, rate, to)``, or with both named: ``convert(money, rate=..., to=...)``.
    The exact product is computed first (as a fraction, in minor units of ``to``) and rounded
    once, at the end, with ``rounding`` (a :mod:`decimal` mode; banker's rounding by default).
    The rate is checked by :func:`exact_rate` (exact, above zero, a real figure). Converting
    to the same currency requires rate 1.
    """
    rate, to = _rate_and_target(args, rate, to)
    target = _code_of(to)
    value = exact_rate(rate)
    if target == money.code and value != 1:
        raise InvalidRate(rate, f"converting {target} to itself needs rate 1")
    scale = Fraction(10) ** (_EXPONENTS[target] - money.exponent)
    exact = money.minor_units * value * scale
    return Money(_round_fraction(exact, rounding), target)


def _rate_and_target(args: tuple[Any, ...], rate: Any, to: Any) -> tuple[Any, Any]:
    """``(rate, to)`` from a call of :func:`convert`, or a TypeError that shows the two forms."""
    if len(args) == 2 and rate is _UNSET and to is _UNSET:
        return args[0], args[1]
    if not args and rate is not _UNSET and to is not _UNSET:
        return rate, to
    raise TypeError(
        "convert takes the rate, then the currency: convert(money, rate, to), e.g. "
        "convert(Money(1000, 'EUR'), Decimal('1.08'), 'USD'), or both by name: "
        "convert(money, rate=Decimal('1.08'), to='USD')"
    )


def _round_fraction(value: Fraction, rounding: str) -> int:
    """Round a fraction to an integer with a :mod:`decimal` rounding mode, exactly."""
    floor, rem = divmod(value.numerator, value.denominator)
    if rem == 0:
        return floor
    frac = Fraction(rem, value.denominator)  # 0 < frac < 1
    up = floor + 1
    half = Fraction(1, 2)
    negative = value < 0
    match rounding:
        case "ROUND_FLOOR":
            return floor
        case "ROUND_CEILING":
            return up
        case "ROUND_DOWN":
            return up if negative else floor
        case "ROUND_UP":
            return floor if negative else up
        case "ROUND_HALF_UP":
            if frac == half:
                return floor if negative else up
            return up if frac > half else floor
        case "ROUND_HALF_DOWN":
            if frac == half:
                return up if negative else floor
            return up if frac > half else floor
        case "ROUND_HALF_EVEN":
            if frac == half:
                return floor if floor % 2 == 0 else up
            return up if frac > half else floor
        case _:
            raise ValueError(f"unsupported rounding mode {rounding!r}")


@final
class MoneyBag(Mapping[str, Money]):
    """Totals per currency: adding never mixes currencies; conversion needs explicit rates.

    A bag maps currency codes to :class:`Money`; zero totals are kept out, so an empty bag is
    zero in every currency. Bags are immutable; ``+`` and ``-`` return new bags.

    >>> bag = MoneyBag.of([Money(100, "USD"), Money(5, "JPY"), Money(50, "USD")])
    >>> bag["USD"], bag["JPY"]
    (Money.of('1.50', 'USD'), Money.of('5', 'JPY'))
    """

    __slots__ = ("_totals",)

    def __init__(self, totals: Mapping[str, int] | None = None) -> None:
        if totals is not None and not isinstance(totals, Mapping):
            raise TypeError(
                "MoneyBag takes {currency code: minor units}; for amounts, use "
                f"MoneyBag.of([Money(...), ...]) (got {type(totals).__name__})"
            )
        clean: dict[str, int] = {}
        for code, units in (totals or {}).items():
            _code_of(code)
            if isinstance(units, bool) or not isinstance(units, int):
                raise TypeError(f"MoneyBag totals are integer minor units; {code} has {units!r}")
            if units:
                clean[code] = units
        self._totals = dict(sorted(clean.items()))

    @classmethod
    def of(cls, moneys: Iterable[Money]) -> MoneyBag:
        """The per-currency totals of ``moneys`` (an iterable of Money; one amount is ``[m]``)."""
        given: object = moneys  # typed as an iterable; a caller may still pass one Money
        if isinstance(given, Money):
            raise TypeError("MoneyBag.of takes an iterable of Money: MoneyBag.of([money])")
        totals: dict[str, int] = {}
        for m in moneys:
            totals[m.code] = totals.get(m.code, 0) + m.minor_units
        return cls(totals)

    def __getitem__(self, code: str) -> Money:
        """The total in ``code``: zero for a currency the bag does not hold;
        :class:`~stuut_domain.errors.UnknownCurrency` for a code that is no currency."""
        return Money(self._totals.get(code, 0), code) if code in _CODE_SET else _raise(code)

    @overload
    def get(self, code: str, /) -> Money | None: ...
    @overload
    def get(self, code: str, default: Money, /) -> Money: ...
    @overload
    def get(self, code: str, default: _T, /) -> Money | _T: ...
    def get(self, code: str, default: object = None, /) -> Money | object:
        """The total in ``code`` if the bag holds that currency, else ``default``.

        As for any mapping, a code the bag does not hold (a currency at zero, or no currency
        at all) gives ``default``; ``bag[code]`` reads a held-nothing currency as zero.
        """
        units = self._totals.get(code)
        return default if units is None else Money(units, code)

    def __contains__(self, code: object) -> bool:
        return code in self._totals

    def __iter__(self) -> Iterator[str]:
        return iter(self._totals)

    def __len__(self) -> int:
        return len(self._totals)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MoneyBag):
            return self._totals == other._totals
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self._totals.items()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{m}" for m in self.values())
        return f"MoneyBag({inner})"

    @overload
    def __add__(self, other: Money) -> MoneyBag: ...
    @overload
    def __add__(self, other: MoneyBag) -> MoneyBag: ...
    def __add__(self, other: Money | MoneyBag) -> MoneyBag:
        if not isinstance(other, Money | MoneyBag):
            return NotImplemented
        totals = dict(self._totals)
        items = [other] if isinstance(other, Money) else list(other.values())
        for m in items:
            totals[m.code] = totals.get(m.code, 0) + m.minor_units
        return MoneyBag(totals)

    def __sub__(self, other: Money | MoneyBag) -> MoneyBag:
        if isinstance(other, Money):
            return self + (-other)
        if isinstance(other, MoneyBag):
            return self + MoneyBag({c: -u for c, u in other._totals.items()})
        return NotImplemented

    def __neg__(self) -> MoneyBag:
        return MoneyBag({c: -u for c, u in self._totals.items()})

    def is_zero(self) -> bool:
        """True when every currency's total is zero."""
        return not self._totals

    def total_in(
        self,
        to: str,
        rates: Mapping[str, Decimal | Fraction | str | int],
        *,
        rounding: str = ROUND_HALF_EVEN,
    ) -> Money:
        """One total in currency ``to``, with an explicit rate for every other currency held.

        ``rates[code]`` is the price of one major unit of ``code`` in ``to``. Each currency is
        converted with :func:`convert` (rounded once per currency), then summed. A missing
        rate raises :class:`~stuut_domain.errors.CurrencyMismatch`: nothing is guessed.
        """
        result = Money(0, to)
        for code, units in self._totals.items():
            if code == to:
                result += Money(units, code)
                continue
            if code not in rates:
                raise CurrencyMismatch(code, to, "convert without a rate")
            result += convert(Money(units, code), rates[code], to, rounding=rounding)
        return result

    def as_records(self) -> list[dict[str, object]]:
        """Rows for a DataFrame: currency, minor units and the decimal amount."""
        return [
            {"currency": code, "minor_units": units, "amount": Money(units, code).amount}
            for code, units in self._totals.items()
        ]


def _raise(code: str) -> Money:
    raise UnknownCurrency(code)
