"""Specifications of paying another currency: the rate, cost rounded up, amount down."""

from __future__ import annotations

from rules_builders import (
    AT,
    eur,
    issued,
    payment,
    usd,
)
from stuut_domain.allocation.exchange import invoice_amount, payment_cost
from stuut_domain.allocation.proposals import (
    AllocationRule,
    allocate_payment,
    apply_result,
)
from stuut_domain.invariants import check_invoice
from stuut_domain.money import Money

R = AllocationRule


class TestCrossCurrency:
    def test_a_covering_payment_brings_the_invoice_to_exactly_zero(self) -> None:
        """EUR at 1.08 USD per EUR: 333.34 USD due costs ceil(333.34/1.08) = 308.65 EUR."""
        invoice = issued("inv_usd", 33_334)
        eur_payment = payment(50_000, "EUR", rate="1.08")
        result = allocate_payment(
            eur_payment, [invoice], rule=R.EXPLICIT, amounts={"inv_usd": usd(33_334)}, at=AT
        )
        (paid,) = apply_result(result, [invoice], at=AT)
        assert (usd(0), eur(30_865), eur(50_000 - 30_865), ()) == (
            paid.amount_due,
            result.lines[0].cost,
            result.unapplied,
            check_invoice(paid),
        )

    def test_partial_payment_never_buys_more_than_it_is_worth(self) -> None:
        """100.01 EUR at 1.08 buys floor(108.0108) = 108.01 USD."""
        assert usd(10_801) == invoice_amount(
            payment(10_001, "EUR", rate="1.08"), eur(10_001), "USD"
        )

    def test_cost_rounds_up_to_the_least_payment_that_buys_the_amount(self) -> None:
        """1.00 USD at 1.08 USD per EUR costs 0.93 EUR (0.92 EUR would buy only 0.99 USD)."""
        assert eur(93) == payment_cost(payment(10_000, "EUR", rate="1.08"), usd(100))

    def test_exponents_differ_between_currencies(self) -> None:
        """JPY (0 decimals) paying USD: ¥1 = 0.0067 USD; ¥10,000 buys 67.00 USD."""
        yen = payment(10_000, "JPY", rate="0.0067")
        assert (usd(6_700), Money(10_000, "JPY")) == (
            invoice_amount(yen, Money(10_000, "JPY"), "USD"),
            payment_cost(yen, usd(6_700)),
        )

    def test_the_rate_is_ignored_for_the_payments_own_currency(self) -> None:
        """A EUR invoice is paid by a EUR payment at 1, whatever currency_rate says."""
        assert eur(500) == payment_cost(payment(10_000, "EUR", rate="1.08"), eur(500))
