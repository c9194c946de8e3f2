"""Specifications of the table rendering shared by the reports and the CLI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stuut_domain.display import cell, html_table, text_table, to_tenth

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
