"""Specifications of exact money per currency."""

from __future__ import annotations

import pickle
from decimal import Decimal
from fractions import Fraction

import moneyed
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stuut_domain.errors import CurrencyMismatch, InexactAmount, InvalidRate, UnknownCurrency
from stuut_domain.money import (
    CURRENCY_CODES,
    Money,
    MoneyBag,
    allocate,
    convert,
    currency,
    exponent,
    from_minor_units,
    to_minor_units,
)

#: ISO 4217 minor units for current codes, as published (list one).
ISO_SAMPLE = {
    "USD": 2, "EUR": 2, "JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "UGX": 0, "VND": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "CLF": 4, "UYW": 4, "UYI": 0, "MGA": 2, "MRU": 2, "HUF": 2, "XCG": 2, "XOF": 0,
}  # fmt: skip
CODES_BY_EXPONENT = {e: [c for c in CURRENCY_CODES if exponent(c) == e] for e in (0, 2, 3, 4)}


class TestCurrencyList:
    def test_the_list_is_the_apis_306_codes(self) -> None:
        """The codec accepts exactly the API's 306 currency codes."""
        assert 306 == len(CURRENCY_CODES) == len(set(CURRENCY_CODES))

    @pytest.mark.parametrize("code", CURRENCY_CODES)
    def test_every_code_has_a_currency_and_an_iso_exponent(self, code: str) -> None:
        """Every listed code resolves to a py-moneyed Currency and a known exponent."""
        assert code == currency(code).code
        assert exponent(code) in (0, 2, 3, 4)

    @pytest.mark.parametrize(("code", "expected"), sorted(ISO_SAMPLE.items()))
    def test_exponents_follow_iso_4217(self, code: str, expected: int) -> None:
        """Minor-unit digits are ISO 4217's, including XCG which py-moneyed lacks."""
        assert expected == exponent(code)

    def test_withdrawn_codes_use_the_iso_exponent_not_py_moneyeds(self) -> None:
        """Where py-moneyed disagrees with ISO for a withdrawn code, ISO wins (ADR 0004)."""
        assert {"BEF": 0, "BYB": 0, "GRD": 0, "LUF": 0, "ROL": 2} == {
            c: exponent(c) for c in ("BEF", "BYB", "GRD", "LUF", "ROL")
        }

    def test_codes_without_a_minor_unit_count_whole_units(self) -> None:
        """Gold and test codes have no ISO minor unit: the API's integer is a whole unit."""
        assert (0, 0, 0) == (exponent("XAU"), exponent("XDR"), exponent("XXX"))

    @pytest.mark.parametrize("code", ["usd", "ZZZ", "", "US"])
    def test_unknown_codes_raise_unknown_currency(self, code: str) -> None:
        """Codes outside the API's list are refused, case-sensitively."""
        with pytest.raises(UnknownCurrency) as info:
            currency(code)
        assert code == info.value.code

    def test_registering_xcg_leaves_py_moneyeds_registry_alone(self) -> None:
        """We build XCG ourselves instead of mutating py-moneyed's global registry."""
        assert "XCG" not in moneyed.CURRENCIES
        assert "532" == currency("XCG").numeric


class TestMinorUnits:
    def test_the_api_example(self) -> None:
        """10.00 USD is 1000 minor units, and back."""
        assert Money.of("10.00", "USD") == from_minor_units(1000, "USD")
        assert 1000 == to_minor_units(from_minor_units(1000, "USD"))

    @pytest.mark.parametrize(
        ("amount", "code"), [("0.005", "USD"), ("1.5", "JPY"), ("0.0001", "BHD")]
    )
    def test_sub_minor_amounts_raise_instead_of_truncating(self, amount: str, code: str) -> None:
        """An amount finer than the currency's minor unit is refused, never truncated."""
        with pytest.raises(InexactAmount):
            Money.of(amount, code)
        with pytest.raises(InexactAmount):
            to_minor_units(moneyed.Money(amount, code))

    def test_py_moneyed_values_convert_exactly(self) -> None:
        """A whole number of minor units converts from py-moneyed without loss."""
        assert -1234 == to_minor_units(moneyed.Money("-12.34", "EUR"))
        assert Money(1234, "EUR") == Money.from_moneyed(moneyed.Money("12.340", "EUR"))
        assert moneyed.Money("12.34", "EUR") == Money(1234, "EUR").to_moneyed()

    def test_floats_and_bools_are_refused(self) -> None:
        """Floats are never money; bool is not a count of minor units."""
        with pytest.raises(TypeError):
            Money(1.0, "USD")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            Money(True, "USD")
        with pytest.raises(TypeError):
            Money.of(0.1, "USD")  # type: ignore[arg-type]

    @pytest.mark.parametrize("exp", [0, 2, 3, 4])
    @given(data=st.data(), units=st.integers(min_value=-(10**30), max_value=10**30))
    def test_minor_units_round_trip_for_every_exponent_class(
        self, exp: int, data: st.DataObject, units: int
    ) -> None:
        """Minor units -> Money -> decimal amount -> Money -> minor units is the identity."""
        code = data.draw(st.sampled_from(CODES_BY_EXPONENT[exp]))
        money = from_minor_units(units, code)
        assert units == to_minor_units(money)
        assert money == Money.of(money.amount, code)
        assert units == to_minor_units(money.to_moneyed())


class TestArithmetic:
    def test_mixing_currencies_raises_currency_mismatch(self) -> None:
        """Adding, subtracting or comparing two currencies raises CurrencyMismatch."""
        usd, eur = Money(100, "USD"), Money(100, "EUR")
        for operation in (lambda: usd + eur, lambda: usd - eur, lambda: usd < eur):
            with pytest.raises(CurrencyMismatch):
                operation()

    def test_equal_amounts_of_different_currencies_are_not_equal(self) -> None:
        """Equality is by amount and currency, zero included."""
        assert Money(0, "USD") != Money(0, "EUR")

    def test_sum_works_within_one_currency(self) -> None:
        """sum() of Money of one currency is that currency's total."""
        assert Money(6, "JPY") == sum([Money(1, "JPY"), Money(2, "JPY"), Money(3, "JPY")])

    def test_money_is_immutable_picklable_and_hashable(self) -> None:
        """Values cannot change, survive pickling and can key a dict."""
        m = Money(250, "KWD")
        with pytest.raises(AttributeError):
            m.minor_units = 1  # type: ignore[misc]
        assert m == pickle.loads(pickle.dumps(m))
        assert {m: 1}[Money(250, "KWD")] == 1

    @given(
        a=st.integers(-(10**20), 10**20),
        b=st.integers(-(10**20), 10**20),
        c=st.integers(-(10**20), 10**20),
        code=st.sampled_from(CURRENCY_CODES),
    )
    def test_addition_is_associative_and_commutative(
        self, a: int, b: int, c: int, code: str
    ) -> None:
        """Within one currency, (a+b)+c == a+(b+c) and a+b == b+a, exactly."""
        x, y, z = Money(a, code), Money(b, code), Money(c, code)
        assert (x + y) + z == x + (y + z)
        assert x + y == y + x

    @given(
        a=st.integers(-(10**12), 10**12),
        b=st.integers(-(10**12), 10**12),
        codes=st.lists(st.sampled_from(CURRENCY_CODES), min_size=2, max_size=2, unique=True),
    )
    def test_cross_currency_arithmetic_always_raises(
        self, a: int, b: int, codes: list[str]
    ) -> None:
        """Any two distinct currencies refuse +, - and ordering, whatever the amounts."""
        x, y = Money(a, codes[0]), Money(b, codes[1])
        for operation in (lambda: x + y, lambda: x - y, lambda: x <= y, lambda: x > y):
            with pytest.raises(CurrencyMismatch):
                operation()


class TestAllocate:
    def test_the_foemmel_conundrum(self) -> None:
        """5 cents split 70/30 is 4 and 1: the leftover cent goes to the larger remainder."""
        assert [Money(4, "USD"), Money(1, "USD")] == allocate(Money(5, "USD"), [70, 30])

    def test_ties_go_to_the_earlier_part(self) -> None:
        """Equal remainders: leftover units go to earlier parts first."""
        assert [34, 33, 33] == [m.minor_units for m in allocate(Money(100, "EUR"), [1, 1, 1])]

    def test_zero_ratios_get_zero(self) -> None:
        """A zero ratio never receives a leftover unit."""
        assert [0, 1, 0] == [m.minor_units for m in allocate(Money(1, "JPY"), [0, 5, 0])]

    def test_negative_totals_keep_their_sign(self) -> None:
        """A refund split by ratios gives negative parts that sum to the refund."""
        assert [-4, -1] == [m.minor_units for m in allocate(Money(-5, "USD"), [70, 30])]

    @pytest.mark.parametrize("ratios", [[], [0, 0], [1, -1], [1.5, 1], [True, 1]])
    def test_invalid_ratios_raise(self, ratios: list[object]) -> None:
        """Empty, all-zero, negative, non-integer and boolean ratios are refused."""
        with pytest.raises((ValueError, TypeError)):
            allocate(Money(100, "USD"), ratios)  # type: ignore[arg-type]

    @given(
        units=st.integers(-(10**15), 10**15),
        ratios=st.lists(st.integers(0, 10**6), min_size=1, max_size=20).filter(any),
        code=st.sampled_from(CURRENCY_CODES),
    )
    def test_parts_always_sum_to_the_total(self, units: int, ratios: list[int], code: str) -> None:
        """Allocation conserves money exactly, keeps the sign and gives zero ratios zero."""
        total = Money(units, code)
        parts = allocate(total, ratios)
        assert total == sum(parts, Money.zero(code))
        assert len(ratios) == len(parts)
        for part, ratio in zip(parts, ratios, strict=True):
            assert part.currency is total.currency
            if ratio == 0:
                assert part.is_zero()
            assert not (part.minor_units and (part.minor_units > 0) != (units > 0))
            exact = abs(units) * ratio / sum(ratios)
            assert abs(abs(part.minor_units) - exact) < 1


class TestConvert:
    def test_rate_direction_and_single_rounding(self) -> None:
        """1 EUR = 1.0825 USD: 10.00 EUR is 10.825 USD, rounded half-even once to 10.82."""
        assert Money(1082, "USD") == convert(Money(1000, "EUR"), "1.0825", "USD")

    def test_exponents_are_respected(self) -> None:
        """Converting between 2- and 0-decimal currencies scales minor units correctly."""
        assert Money(15012, "JPY") == convert(Money(10000, "USD"), Decimal("150.12"), "JPY")
        assert Money(377, "BHD") == convert(Money(100, "USD"), "0.377", "BHD")

    def test_rounding_mode_is_explicit(self) -> None:
        """The caller chooses the rounding mode; half-up rounds 10.825 to 10.83."""
        assert Money(1083, "USD") == convert(
            Money(1000, "EUR"), "1.0825", "USD", rounding="ROUND_HALF_UP"
        )

    def test_non_positive_rates_are_refused(self) -> None:
        """A zero or negative rate is a data error, not a conversion."""
        with pytest.raises(InvalidRate, match="must be above zero"):
            convert(Money(1, "EUR"), 0, "USD")

    @pytest.mark.parametrize(
        "rate",
        [
            1.08,
            True,
            "1,08",
            "abc",
            Decimal("NaN"),
            Decimal("Infinity"),
            Decimal("1e10000000"),
            Decimal("1e-999999999999999999"),
            "1" * 60,
            Fraction(1, 10**80),
            None,
        ],
        ids=repr,
    )
    def test_rates_no_real_figure_has_are_refused_by_type(self, rate: object) -> None:
        """Floats, bools, text that is no decimal, NaN, infinities and absurd exponents all
        raise InvalidRate (a ValueError), quickly: never a foreign error, never a slow sum."""
        with pytest.raises(InvalidRate):
            convert(Money(1, "EUR"), rate, "USD")  # type: ignore[call-overload]

    def test_a_rate_at_the_edge_of_the_range_converts(self) -> None:
        """1e30 is a rate a figure could have: accepted, and exact."""
        assert Money(10**30, "KRW") == convert(Money(1, "JPY"), Decimal("1e30"), "KRW")

    def test_both_names_are_accepted(self) -> None:
        """convert(money, rate=..., to=...) is the named form of convert(money, rate, to)."""
        assert convert(Money(1000, "EUR"), "1.0825", "USD") == convert(
            Money(1000, "EUR"), rate="1.0825", to="USD"
        )

    def test_the_currency_first_says_how_to_call_it(self) -> None:
        """convert(m, "EUR", rate=...) is refused with both right forms in the message."""
        with pytest.raises(TypeError, match=r"convert\(money, rate, to\)"):
            convert(Money(1000, "USD"), "EUR", rate=Decimal("0.92"))  # type: ignore[call-overload]

    def test_converting_to_itself_needs_rate_one(self) -> None:
        """USD to USD at 1.1 is a mistake, refused as an invalid rate."""
        with pytest.raises(InvalidRate, match="itself"):
            convert(Money(100, "USD"), "1.1", "USD")


class TestMoneyBagRefusals:
    def test_a_list_of_amounts_points_at_of(self) -> None:
        """MoneyBag([...]) is a TypeError that names MoneyBag.of."""
        with pytest.raises(TypeError, match=r"MoneyBag\.of"):
            MoneyBag([Money(1, "USD")])  # type: ignore[arg-type]

    def test_totals_are_integer_minor_units(self) -> None:
        """A Decimal or float total is refused, never truncated."""
        with pytest.raises(TypeError, match="integer minor units"):
            MoneyBag({"USD": Decimal("1.5")})  # type: ignore[dict-item]

    def test_adding_a_number_is_a_type_error(self) -> None:
        """MoneyBag() + 1 is Python's TypeError for unsupported operands, not AttributeError."""
        with pytest.raises(TypeError, match="unsupported operand"):
            MoneyBag() + 1  # type: ignore[operator]

    def test_get_follows_the_mapping_contract(self) -> None:
        """get gives the default for a currency not held and for a code that is no currency;
        indexing reads a currency not held as zero and refuses a code that is no currency."""
        bag = MoneyBag.of([Money(5, "USD")])
        assert (Money(5, "USD"), None, None, Money(0, "EUR")) == (
            bag.get("USD"),
            bag.get("EUR"),
            bag.get("FOO"),
            bag["EUR"],
        )
        with pytest.raises(UnknownCurrency):
            bag["FOO"]

    @pytest.mark.parametrize("code", [None, 7, "usd", ""], ids=repr)
    def test_exponent_of_no_currency_is_unknown_currency(self, code: object) -> None:
        """exponent(None) and friends raise UnknownCurrency, not AttributeError."""
        with pytest.raises(UnknownCurrency):
            exponent(code)  # type: ignore[arg-type]


class TestMoneyBag:
    def test_totals_stay_per_currency(self) -> None:
        """A bag adds within each currency and never across."""
        bag = MoneyBag.of([Money(100, "USD"), Money(7, "JPY")]) + Money(50, "USD")
        assert {"JPY": Money(7, "JPY"), "USD": Money(150, "USD")} == dict(bag)

    def test_zero_totals_disappear(self) -> None:
        """A currency whose total returns to zero leaves the bag."""
        assert MoneyBag() == MoneyBag.of([Money(5, "EUR")]) - Money(5, "EUR")

    def test_one_total_needs_an_explicit_rate_for_every_currency(self) -> None:
        """Summing across currencies needs a rate per currency; a missing one raises."""
        bag = MoneyBag.of([Money(1000, "USD"), Money(1000, "EUR")])
        assert Money(2100, "USD") == bag.total_in("USD", {"EUR": "1.1"})
        with pytest.raises(CurrencyMismatch):
            bag.total_in("USD", {})

    def test_records_drop_into_a_dataframe(self) -> None:
        """as_records() gives one plain row per currency."""
        assert [{"currency": "BHD", "minor_units": 1500, "amount": Decimal("1.500")}] == (
            MoneyBag.of([Money(1500, "BHD")]).as_records()
        )


class TestReadingAmounts:
    @pytest.mark.parametrize(
        ("money", "shown"),
        [
            (Money(528634235, "EUR"), "Money.of('5286342.35', 'EUR')"),
            (Money(-300, "JPY"), "Money.of('-300', 'JPY')"),
            (Money(5, "BHD"), "Money.of('0.005', 'BHD')"),
            (Money(0, "USD"), "Money.of('0.00', 'USD')"),
            (Money(10**30, "KRW"), f"Money.of('{10**30}', 'KRW')"),
        ],
    )
    def test_the_repr_reads_as_the_amount(self, money: Money, shown: str) -> None:
        """5,286,342.35 EUR reads as 5286342.35, not as 528 million minor units."""
        assert shown == repr(money)

    @given(
        money=st.builds(
            Money, st.integers(-(10**20), 10**20), st.sampled_from(["USD", "JPY", "BHD", "CLF"])
        )
    )
    def test_the_repr_evaluates_back_to_the_same_money(self, money: Money) -> None:
        """eval(repr(m)) == m: the repr is the amount, exactly."""
        assert money == eval(repr(money), {"Money": Money})

    @pytest.mark.parametrize(
        ("spec", "shown"),
        [
            (",.2f", "5,286,342.35 EUR"),
            (",", "5,286,342.35 EUR"),
            (".0f", "5286342 EUR"),
            ("", "5286342.35 EUR"),
            (">15,.2f", "   5,286,342.35 EUR"),
        ],
    )
    def test_format_formats_the_exact_amount_and_names_the_currency(
        self, spec: str, shown: str
    ) -> None:
        """format(money, ",.2f") works as for a Decimal, with the currency after it."""
        assert shown == format(Money(528634235, "EUR"), spec)
        assert shown == f"{Money(528634235, 'EUR'):{spec}}"


def test_money_bag_of_one_amount_says_to_pass_a_list() -> None:
    """MoneyBag.of(money) is a TypeError that shows the list form."""
    with pytest.raises(TypeError, match=r"MoneyBag\.of\(\[money\]\)"):
        MoneyBag.of(Money(1, "USD"))  # type: ignore[arg-type]
