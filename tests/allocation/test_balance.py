"""Specifications of a payment balance: what allocations cost and leave unapplied."""

from __future__ import annotations

import attrs

from rules_builders import (
    AT,
    allocation,
    eur,
    issued,
    payment,
    usd,
)
from stuut_domain.allocation.balance import allocated_by_currency
from stuut_domain.allocation.proposals import (
    AllocationRule,
    allocate_payment,
)
from stuut_domain.invariants import check_payment
from stuut_domain.money import Money

R = AllocationRule


class TestCheckPayment:
    def test_a_balanced_payment_has_no_violations(self) -> None:
        """Allocations within the amount break no rule."""
        invoice = issued()
        alloc = allocation(invoice, 5_000)
        assert () == check_payment(attrs.evolve(payment(10_000), allocations=(alloc,)))

    def test_an_overallocated_payment_is_reported(self) -> None:
        """Allocations at cost plus refunds above the amount break conservation."""
        invoice = issued()
        alloc = allocation(invoice, 9_000)
        broken = attrs.evolve(payment(10_000), allocations=(alloc,), amount_refunded=usd(2_000))
        assert ["overallocated"] == [v.code for v in check_payment(broken)]

    def test_every_broken_rule_is_reported(self) -> None:
        """Foreign allocation without a rate, duplicate ids and a wrong payment id together."""
        invoice = issued()
        gbp = attrs.evolve(allocation(invoice, 100), amount=Money(100, "GBP"))
        other = allocation(invoice, 100, payment_id="pay_9999")
        broken = attrs.evolve(payment(10_000), allocations=(gbp, other))
        assert [
            "duplicate_allocation_id",
            "allocation_rate",
            "allocation_payment_mismatch",
            "duplicate_allocation_id",
        ] == [v.code for v in check_payment(broken)]


class TestAllocatedByCurrency:
    def test_allocated_by_currency_sums_what_each_invoice_currency_received(self) -> None:
        """A EUR payment paying a USD and a EUR invoice: the bag holds each invoice's currency."""
        usd_invoice = issued("inv_usd", 10_000)
        eur_invoice = issued("inv_eur", 5_000, currency="EUR")
        result = allocate_payment(
            payment(50_000, "EUR", rate="1.08"),
            [usd_invoice, eur_invoice],
            rule=R.EXPLICIT,
            amounts={"inv_usd": usd(10_000), "inv_eur": eur(5_000)},
            at=AT,
        )
        bag = allocated_by_currency(result.payment)
        assert (usd(10_000), eur(5_000)) == (bag.get("USD"), bag.get("EUR"))
