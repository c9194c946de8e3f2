"""Specifications of the table rendering shared by the reports and the CLI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from stuut_domain.display import cell, html_table, text_table

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
