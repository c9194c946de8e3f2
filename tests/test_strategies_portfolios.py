"""Specifications of coherent scenarios: portfolios(), and invoices/payments for one partner."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from stuut_domain.invariants import check_invoice, check_partner, check_payment
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment
from stuut_domain.receivables import is_open_receivable
from stuut_domain.strategies import Portfolio, invoices, partners, payments, portfolios

ACME = Partner(id="ptn_acme_tooling", name="Acme Tooling GmbH", currency="EUR")


def _allocation_facts(portfolio: Portfolio, side: str) -> set[tuple[object, ...]]:
    """(id, invoice, payment, amount, approved) of every allocation listed on one side."""
    if side == "invoices":
        listed = [a for i in portfolio.invoices for a in i.payments]
    else:
        listed = [a for p in portfolio.payments for a in p.allocations]
    return {(a.id, a.invoice_id, a.payment_id, a.amount, a.approved) for a in listed}


class TestPortfolios:
    @pytest.mark.slow
    @given(portfolios())
    def test_every_portfolio_passes_every_checker(self, portfolio: Portfolio) -> None:
        """The partner, each invoice and each payment break no rule of the checkers."""
        assert ((), [], []) == (
            check_partner(portfolio.partner),
            [v for i in portfolio.invoices for v in check_invoice(i)],
            [v for p in portfolio.payments for v in check_payment(p)],
        )

    @given(portfolios())
    def test_invoices_and_payments_belong_to_the_partner(self, portfolio: Portfolio) -> None:
        """Every invoice and payment names the partner and is in the partner's currency."""
        partner = portfolio.partner
        assert ({partner.id}, {partner.currency}, {partner.id}, {partner.currency}) == (
            {i.partner_id for i in portfolio.invoices} or {partner.id},
            {i.currency for i in portfolio.invoices} or {partner.currency},
            {p.partner_id for p in portfolio.payments} or {partner.id},
            {p.currency for p in portfolio.payments} or {partner.currency},
        )

    @given(portfolios())
    def test_both_sides_list_the_same_allocations(self, portfolio: Portfolio) -> None:
        """Invoices and payments list the same allocations: same id, ends, amount, approval."""
        assert _allocation_facts(portfolio, "invoices") == _allocation_facts(portfolio, "payments")

    @given(portfolios())
    def test_payments_allocate_only_to_the_portfolios_invoices(self, portfolio: Portfolio) -> None:
        """A payment's allocations point at invoices of the portfolio, once per invoice each,
        and embed the invoice as it states itself; an invoice's allocations embed their payment."""
        by_id = {i.id: i for i in portfolio.invoices}
        payment_ids = {p.id for p in portfolio.payments}
        for payment in portfolio.payments:
            targets = [a.invoice_id for a in payment.allocations]
            assert len(set(targets)) == len(targets)
            for allocation in payment.allocations:
                invoice = by_id[allocation.invoice_id]
                assert allocation.invoice is not None
                assert (invoice.amount_due, invoice.amount_paid, invoice.number) == (
                    allocation.invoice.amount_due,
                    allocation.invoice.amount_paid,
                    allocation.invoice.number,
                )
        for invoice in portfolio.invoices:
            for allocation in invoice.payments:
                assert allocation.payment is not None
                assert allocation.payment_id in payment_ids
                assert allocation.payment.id == allocation.payment_id

    @given(portfolios(min_invoices=2, max_invoices=5))
    def test_ids_are_distinct(self, portfolio: Portfolio) -> None:
        """No two invoices, payments or allocations of a portfolio share an id."""
        ids = [
            *(i.id for i in portfolio.invoices),
            *(p.id for p in portfolio.payments),
            *(a.id for p in portfolio.payments for a in p.allocations),
            *(c.id for c in portfolio.contacts),
        ]
        assert len(ids) == len(set(ids))

    @given(portfolios())
    def test_a_payment_is_received_before_its_allocations(self, portfolio: Portfolio) -> None:
        """A payment's timestamp is no later than the creation of any allocation it holds."""
        for payment in portfolio.payments:
            assert payment.timestamp is not None
            assert all(
                a.created_at is not None and payment.timestamp <= a.created_at
                for a in payment.allocations
            )

    @given(portfolios())
    def test_the_partners_figures_are_its_invoices(self, portfolio: Portfolio) -> None:
        """invoice_balance and num_open_invoices are those of the partner's open receivables."""
        partner = portfolio.partner
        assert partner.currency is not None
        owed = [i for i in portfolio.invoices if is_open_receivable(i)]
        balance = sum((i.amount_due for i in owed), Money.zero(partner.currency))
        assert partner.total_overdue is not None
        assert (balance, len(owed), True) == (
            partner.invoice_balance,
            partner.num_open_invoices,
            Money.zero(partner.currency) <= partner.total_overdue <= balance,
        )

    @given(portfolios(currency="JPY", min_invoices=3, max_invoices=3, max_contacts=1))
    def test_options_are_honoured(self, portfolio: Portfolio) -> None:
        """currency, the invoice count and the contact count are those asked for."""
        assert ("JPY", 3, True) == (
            portfolio.partner.currency,
            len(portfolio.invoices),
            1 <= len(portfolio.contacts) <= 1,
        )

    @given(portfolios(max_invoices=2))
    def test_the_repr_is_one_short_line(self, portfolio: Portfolio) -> None:
        """repr(portfolio) names the partner and counts the rest, on one line."""
        assert (
            f"Portfolio(partner={portfolio.partner.id!r}, contacts={len(portfolio.contacts)}, "
            f"invoices={len(portfolio.invoices)}, payments={len(portfolio.payments)})"
        ) == repr(portfolio)

    @given(st.from_type(Portfolio))
    def test_from_type_draws_portfolios(self, portfolio: Portfolio) -> None:
        """st.from_type(Portfolio) is registered and draws checked portfolios."""
        assert [] == [v for i in portfolio.invoices for v in check_invoice(i)]

    def test_contradictory_options_are_refused(self) -> None:
        """Bad bounds or an unknown currency raise InvalidArgument at once."""
        with pytest.raises(InvalidArgument, match="min_invoices"):
            portfolios(min_invoices=3, max_invoices=2)
        with pytest.raises(InvalidArgument, match="min_contacts"):
            portfolios(min_contacts=2, max_contacts=1)
        with pytest.raises(InvalidArgument, match="XYZ"):
            portfolios(currency="XYZ")


class TestOnePartnersInvoicesAndPayments:
    @given(invoices(partner_id="ptn_globex"))
    def test_invoices_take_the_partner_id_given(self, invoice: Invoice) -> None:
        """invoices(partner_id=...) bills that partner and embeds no other."""
        assert ("ptn_globex", None) == (invoice.partner_id, invoice.partner)

    @given(invoices(partner=ACME, partner_id="ptn_acme_tooling", currency="EUR"))
    def test_a_partner_and_its_own_id_agree(self, invoice: Invoice) -> None:
        """partner= and a matching partner_id= embed the partner and bill it."""
        assert (ACME, "ptn_acme_tooling") == (invoice.partner, invoice.partner_id)

    def test_a_partner_and_another_id_are_refused(self) -> None:
        """partner= with a different partner_id= raises InvalidArgument naming both."""
        with pytest.raises(InvalidArgument, match=r"ptn_acme_tooling.*ptn_other"):
            invoices(partner=ACME, partner_id="ptn_other")

    def test_a_drawn_partner_with_another_id_is_refused(self) -> None:
        """A partner strategy that draws another partner than partner_id names is an error."""

        @given(invoices(partner=partners(), partner_id="ptn_other"))
        def draw(invoice: Invoice) -> None:
            raise AssertionError(f"drew {invoice.id}")

        with pytest.raises(InvalidArgument, match="ptn_other"):
            draw()

    @given(st.data())
    def test_invoices_and_payments_for_one_partner(self, data: st.DataObject) -> None:
        """A partner's id given to invoices() and payments() is the id both carry."""
        partner = data.draw(partners())
        invoice = data.draw(invoices(partner_id=partner.id, currency=partner.currency))
        payment = data.draw(payments(partner_id=partner.id, currency=partner.currency))
        assert (partner.id, partner.id, partner.currency, partner.currency) == (
            invoice.partner_id,
            payment.partner_id,
            invoice.currency,
            payment.currency,
        )

    @given(payments(min_allocations=1, max_allocations=6))
    def test_every_payment_passes_the_payment_checker(self, payment: Payment) -> None:
        """payments() breaks no rule of check_payment: distinct ids, allocations above zero."""
        assert () == check_payment(payment)
