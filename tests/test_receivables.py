"""Specifications of what is owed: balances, open invoices and a partner figures, per currency."""

from __future__ import annotations

import datetime as dt

import pytest

from outreach_builders import acme, inv_2024_0042, utc
from stuut_domain.errors import NaiveDatetime
from stuut_domain.money import Money, MoneyBag
from stuut_domain.receivables import balance, open_invoices, partner_figures, total_overdue


class TestPartnerFigures:
    def invoices(self) -> list:  # type: ignore[type-arg]
        return [
            inv_2024_0042(),  # 80.00 EUR, due 1 July
            inv_2024_0042(id="inv_2024_0050", number="INV-2024-0050", due_date=utc(2024, 8, 1)),
            inv_2024_0042(
                id="inv_2024_0051",
                currency="USD",
                amount_due=Money(5_000, "USD"),
                total_amount=Money(5_000, "USD"),
                amount_paid=None,
                due_date=utc(2024, 6, 15),
            ),
            inv_2024_0042(
                id="cn_2024_0007", number="CN-2024-0007", amount_due=Money(-2_000, "EUR")
            ),
            inv_2024_0042(id="inv_2024_0052", voided_at=utc(2024, 6, 2)),
            inv_2024_0042(id="inv_2024_0099", partner_id="ptn_globex"),
        ]

    def test_open_invoices_oldest_due_first(self) -> None:
        """Owed, issued, not void: oldest due first; credits and other partners left out."""
        ids = [i.id for i in open_invoices(self.invoices(), "ptn_acme")]
        assert ["inv_2024_0051", "inv_2024_0042", "inv_2024_0050"] == ids

    def test_balance_per_currency_net_of_credits(self) -> None:
        """140.00 EUR owed less a 20.00 EUR credit, and 50.00 USD, never mixed."""
        assert MoneyBag.of([Money(14_000, "EUR"), Money(5_000, "USD")]) == balance(
            self.invoices(), "ptn_acme"
        )

    def test_total_overdue_at_an_instant(self) -> None:
        """On 3 July the June and 1 July invoices are overdue, the August one is not."""
        expected = MoneyBag.of([Money(8_000, "EUR"), Money(5_000, "USD")])
        assert expected == total_overdue(self.invoices(), utc(2024, 7, 3), "ptn_acme")

    def test_figures_record(self) -> None:
        """The figures for Acme at an instant, as one row."""
        figures = partner_figures(acme(), self.invoices(), utc(2024, 7, 3))
        assert {
            "partner_id": "ptn_acme",
            "at": "2024-07-03T00:00:00+00:00",
            "num_open_invoices": 3,
            "balance": "140.00 EUR, 50.00 USD",
            "total_overdue": "80.00 EUR, 50.00 USD",
        } == figures.as_record()

    def test_naive_instant_refused(self) -> None:
        """Overdue needs an instant, not a naive clock reading."""
        with pytest.raises(NaiveDatetime):
            total_overdue(self.invoices(), dt.datetime(2024, 7, 3))
