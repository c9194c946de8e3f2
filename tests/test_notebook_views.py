"""Notebook views of the main values: plain records and HTML tables for Jupyter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from outreach_builders import acme, inv_2024_0042, net30_reminders
from stuut_domain.outreach.engine import decide_outreach


class TestInvoiceViews:
    def test_an_invoice_is_one_plain_row_with_exact_amounts(self) -> None:
        """as_record() gives the headline facts, amounts as exact decimals, status derived."""
        record = inv_2024_0042().as_record()
        assert isinstance(record["amount_due"], Decimal)
        assert record["amount_due"] == inv_2024_0042().amount_due.amount
        assert record["status"] in {"open", "partially_paid"}
        assert record["id"] == inv_2024_0042().id

    def test_an_invoice_renders_as_an_escaped_html_table(self) -> None:
        """_repr_html_ shows every headline field, with text escaped."""
        rendered = inv_2024_0042(number="<INV-42>")._repr_html_()
        assert rendered.startswith("<table>")
        assert "&lt;INV-42&gt;" in rendered
        assert "<INV-42>" not in rendered
        assert ">amount_due<" in rendered


class TestDecisionViews:
    def test_a_blocked_decision_lists_each_reason_in_html(self) -> None:
        """A disputed invoice's decision shows the in_dispute blocker as a table row."""
        decision = decide_outreach(
            inv_2024_0042(in_dispute=True),
            partner=acme(),
            workflow=net30_reminders(),
            channel="email",
            at=dt.datetime(2024, 7, 10, 10, 0, tzinfo=dt.UTC),
        )
        rendered = decision._repr_html_()
        assert not decision.eligible
        assert "not eligible" in rendered
        assert ">in_dispute<" in rendered
