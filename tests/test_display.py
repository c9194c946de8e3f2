"""Specifications of the table rendering shared by the reports and the CLI."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.samples import api_invoice_example
from adapters.stuut_json import decode_invoice
from rules_builders import AT, payment, three_invoices
from stuut_domain.allocation.proposals import AllocationRule, allocate_payment
from stuut_domain.display import cell, compact_repr, html_table, text_table, to_tenth
from stuut_domain.money import Money
from stuut_domain.payment import PaymentAllocation

ROWS = [
    {"partner": "Globex <Corp> & Co", "currency": "USD", "total": Decimal("1234567.50")},
    {"partner": "Acme Tooling GmbH", "currency": "JPY", "total": Decimal("980")},
]


class TestCell:
    def test_values_as_table_text(self) -> None:
        """Decimals get thousands separators, dates ISO, booleans yes/no, None a blank."""
        assert ["1,234,567.50", "2026-11-26", "yes", "", "a, b"] == [
            cell(Decimal("1234567.50")),
            cell(dt.date(2026, 11, 26)),
            cell(True),
            cell(None),
            cell(("a", "b")),
        ]

    def test_floats_read_to_four_significant_digits(self) -> None:
        """A ratio printed whole (``-0.7656273719379092``) was unreadable in the forecast
        table; floats are never money, so rounding them for reading loses nothing."""
        assert ["-0.7656", "-364.4", "-1,235", "0.04566", "nan", "inf"] == [
            cell(v) for v in (-0.7656273719379092, -364.4174, -1234.6, 0.045663, math.nan, math.inf)
        ]


class TestTextTable:
    def test_numbers_align_right_text_left(self) -> None:
        """A header, a rule, then rows; numeric columns are right-aligned."""
        expected = (
            "partner             currency         total\n"
            "------------------  --------  ------------\n"
            "Globex <Corp> & Co  USD       1,234,567.50\n"
            "Acme Tooling GmbH   JPY                980"
        )
        assert expected == text_table(("partner", "currency", "total"), ROWS)

    def test_no_rows(self) -> None:
        """An empty table says so instead of printing a bare header."""
        assert "(none)" == text_table(("partner",), [])


class TestHtmlTable:
    def test_escapes_every_value(self) -> None:
        """Names with markup are escaped, never injected into a notebook."""
        rendered = html_table(("partner", "total"), ROWS, caption="Aging <b>")
        assert "Globex &lt;Corp&gt; &amp; Co" in rendered
        assert "<caption>Aging &lt;b&gt;</caption>" in rendered
        assert '<td style="text-align:right">1,234,567.50</td>' in rendered


class TestToTenth:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (Fraction(1, 20), "0.0"),
            (Fraction(3, 20), "0.2"),
            (Fraction(2, 3), "0.7"),
            (Fraction(-3, 20), "-0.2"),
            (Decimal("12.25"), "12.2"),
            (7, "7.0"),
        ],
    )
    def test_exact_figures_round_once_half_to_even(
        self, value: Fraction | Decimal | int, expected: str
    ) -> None:
        """Half goes to the even tenth; the result is an exact Decimal with one place."""
        assert Decimal(expected) == to_tenth(value)
        assert -1 == to_tenth(value).as_tuple().exponent

    @given(st.fractions(max_denominator=10**30))
    def test_the_tenth_is_the_nearest(self, value: Fraction) -> None:
        """No tenth is nearer to the exact value than the one chosen."""
        chosen = Fraction(to_tenth(value))
        assert abs(chosen - value) <= Fraction(1, 20)


class TestCompactRepr:
    def test_every_entity_of_the_api_example_reads_in_one_short_line(self) -> None:
        """Each entity nested in the docs' example (every field filled) reprs in ≤ 320
        characters, one line, naming its class; what does not fit is counted."""
        invoice = decode_invoice(api_invoice_example())
        found: list[object] = []

        def walk(value: object) -> None:
            if attrs.has(type(value)):
                found.append(value)
                for field in attrs.fields(type(value)):
                    if not field.name.startswith("_"):
                        walk(getattr(value, field.name))
            elif isinstance(value, tuple | list):
                for item in value:
                    walk(item)

        walk(invoice)
        too_long = {type(v).__name__: len(repr(v)) for v in found if len(repr(v)) > 320}
        assert ({}, True) == (too_long, len({type(v) for v in found}) >= 15)
        assert all("\n" not in repr(v) and repr(v).startswith(type(v).__name__) for v in found)

    def test_an_allocation_result_reads_in_a_few_hundred_characters(self) -> None:
        """Three allocations of 600.00 USD: a few hundred characters, not 3 KB."""
        result = allocate_payment(
            payment(60_000), three_invoices(), rule=AllocationRule.OLDEST_DUE_FIRST, at=AT
        )
        text = repr(result)
        assert (True, True, True) == (
            len(text) < 400,
            "rule='oldest_due_first'" in text,
            "unapplied=0.00 USD" in text,
        )

    def test_fields_that_say_nothing_are_left_out(self) -> None:
        """None, empty tuples and defaults are omitted; Money reads as text; many items count."""
        allocation = PaymentAllocation(
            amount=Money(30_000, "USD"),
            invoice_id="inv_1",
            object="payment_allocation",
            payment_id="pay_1",
            strategy="manual",
        )
        assert (
            "PaymentAllocation(amount=300.00 USD, invoice_id='inv_1', "
            "object='payment_allocation', payment_id='pay_1', strategy='manual')"
        ) == repr(allocation)
        four = attrs.evolve(payment(100), allocations=(allocation,) * 4)
        assert "allocations=<4 PaymentAllocation>" in compact_repr(four)
