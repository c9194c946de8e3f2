"""Specifications of the ports' query rules: what "open", "due before" and the filters mean."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from contract_support import invoice, invoice_queries, invoices, partner, payment, workflow
from hypothesis import given

from stuut_domain.errors import UnknownCurrency
from stuut_domain.ports import (
    InvoiceQuery,
    PartnerQuery,
    PaymentQuery,
    WorkflowQuery,
)
from stuut_domain.receivables import is_open_receivable

UTC = dt.UTC


class TestInvoiceIsOpen:
    def test_an_unpaid_issued_invoice_is_open(self) -> None:
        """Money due and not written off: open."""
        assert is_open_receivable(invoice("inv_2024_0042"))

    def test_a_fully_paid_invoice_is_not_open(self) -> None:
        """Nothing due: not open."""
        assert not is_open_receivable(invoice("inv_2024_0042", paid=1_250_00))

    def test_a_partly_paid_is_open_receivable(self) -> None:
        """Part paid, the rest still due: open."""
        assert is_open_receivable(invoice("inv_2024_0042", paid=1_00))

    def test_drafts_and_payables_are_not_open(self) -> None:
        """Not issued yet, or owed by us rather than to us: not chased, so not open."""
        draft = attrs.evolve(invoice("inv_2024_0042"), issued_at=None)
        payable = attrs.evolve(invoice("inv_2024_0043"), type="payable")
        assert (False, False) == (is_open_receivable(draft), is_open_receivable(payable))

    def test_voided_and_uncollectible_invoices_are_not_open(self) -> None:
        """Voided or marked uncollectible: not chased, so not open."""
        voided = invoice("inv_2024_0042", voided=True)
        written_off = invoice("inv_2024_0043", uncollectible=True)
        assert (False, False) == (is_open_receivable(voided), is_open_receivable(written_off))


class TestInvoiceQuery:
    def test_the_empty_query_matches_everything(self) -> None:
        """No filter set: every invoice matches."""
        assert InvoiceQuery().matches(invoice("inv_2024_0042", voided=True, due=None))

    def test_due_before_must_be_timezone_aware(self) -> None:
        """A naive instant is ambiguous and refused."""
        with pytest.raises(ValueError, match="timezone-aware"):
            InvoiceQuery(due_before=dt.datetime(2024, 7, 1))

    def test_currency_must_be_a_known_code(self) -> None:
        """An unknown currency code is refused when the query is built."""
        with pytest.raises(UnknownCurrency):
            InvoiceQuery(currency="EURO")

    def test_an_invoice_due_exactly_at_the_bound_is_not_due_before_it(self) -> None:
        """due_before is strict."""
        bound = dt.datetime(2024, 7, 1, tzinfo=UTC)
        assert not InvoiceQuery(due_before=bound).matches(invoice("inv_1", due=bound))

    @given(query=invoice_queries(), inv=invoices())
    def test_a_query_matches_iff_every_set_filter_does(
        self, query: InvoiceQuery, inv: object
    ) -> None:
        """Filters combine by AND: the query matches exactly when each single filter does."""
        singles = [
            InvoiceQuery(partner_id=query.partner_id),
            InvoiceQuery(open_only=query.open_only),
            InvoiceQuery(due_before=query.due_before),
            InvoiceQuery(currency=query.currency),
        ]
        assert all(q.matches(inv) for q in singles) == query.matches(inv)  # type: ignore[arg-type]


class TestOtherQueries:
    def test_partner_query_filters_by_default_currency(self) -> None:
        """PartnerQuery(currency) keeps partners billing in that currency."""
        q = PartnerQuery(currency="USD")
        assert (False, True) == (
            q.matches(partner("ptn_acme")),
            q.matches(partner("p", currency="USD")),
        )

    def test_payment_query_filters_by_partner_and_currency(self) -> None:
        """PaymentQuery keeps payments from that partner in that currency."""
        q = PaymentQuery(partner_id="ptn_acme", currency="EUR")
        got = (q.matches(payment("pay_1")), q.matches(payment("pay_2", partner_id="ptn_globex")))
        assert (True, False) == got

    def test_workflow_query_active_only(self) -> None:
        """active_only keeps workflows whose is_active is true."""
        q = WorkflowQuery(active_only=True)
        assert (True, False) == (
            q.matches(workflow("wf_1")),
            q.matches(workflow("wf_2", active=False)),
        )
