"""Specifications of payment allocation: rules, leftovers, approval, currencies, refunds."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules_builders import (
    AT,
    ISSUED_AT,
    PAID_AT,
    draft,
    due,
    eur,
    issued,
    payment,
    three_invoices,
    usd,
    with_status,
)
from stuut_domain.allocation.balance import unapplied_credit
from stuut_domain.allocation.proposals import (
    AllocationRule,
    ApprovalPolicy,
    allocate_payment,
    apply_result,
    approve_allocations,
    oldest_due_order,
    withdraw_allocation,
)
from stuut_domain.errors import InvalidAllocation
from stuut_domain.invariants import check_invoice
from stuut_domain.invoice import Invoice
from stuut_domain.lifecycle import InvoiceStatus, pending_amount_remaining, status_of
from stuut_domain.money import Money

R = AllocationRule


class TestOldestDueFirst:
    def test_covers_the_oldest_due_first_and_leaves_the_rest_partial(self) -> None:
        """600.00 pays 0041 (300.00) and 0042 (200.00) in full and 100.00 of 0043."""
        result = allocate_payment(payment(60_000), three_invoices(), rule=R.OLDEST_DUE_FIRST, at=AT)
        amounts = [(ln.invoice_id, ln.amount) for ln in result.lines]
        assert [
            ("inv_2026_0041", usd(30_000)),
            ("inv_2026_0042", usd(20_000)),
            ("inv_2026_0043", usd(10_000)),
        ] == amounts

    def test_what_no_invoice_can_take_is_unapplied_credit(self) -> None:
        """1,200.00 against 1,000.00 due leaves 200.00 unapplied, reported."""
        result = allocate_payment(
            payment(120_000), three_invoices(), rule=R.OLDEST_DUE_FIRST, at=AT
        )
        assert (usd(20_000), "unapplied credit left on payment pay_0001: 200.00 USD") == (
            result.unapplied,
            result.explanation[-1],
        )

    def test_ties_on_due_date_go_to_the_earlier_issue_then_number_then_id(self) -> None:
        """Same due date: earlier issued_at first, then number, then id, whatever the order."""
        a = attrs.evolve(issued("inv_b", number="N-2"), issued_at=ISSUED_AT)
        b = attrs.evolve(issued("inv_a", number="N-2"), issued_at=ISSUED_AT)
        c = attrs.evolve(issued("inv_c", number="N-1"), issued_at=ISSUED_AT)
        d = attrs.evolve(issued("inv_d"), issued_at=ISSUED_AT - dt.timedelta(days=1))
        e = issued("inv_e", due_date=None)
        assert ["inv_d", "inv_c", "inv_a", "inv_b", "inv_e"] == [
            i.id for i in oldest_due_order([e, a, b, c, d])
        ]

    def test_a_pending_allocation_limits_what_an_invoice_can_take(self) -> None:
        """An invoice with 200.00 pending of 300.00 due takes at most 100.00 more."""
        invoices = three_invoices()
        first = allocate_payment(
            payment(20_000, payment_id="pay_0001"),
            [invoices[1]],
            rule=R.OLDEST_DUE_FIRST,
            at=AT,
        )
        (with_pending,) = apply_result(first, [invoices[1]], at=AT)
        second = allocate_payment(
            payment(50_000, payment_id="pay_0002"), [with_pending], rule=R.OLDEST_DUE_FIRST, at=AT
        )
        assert (usd(10_000), usd(40_000)) == (second.lines[0].amount, second.unapplied)


class TestResultReadings:
    def test_amount_for_reads_what_one_invoice_received(self) -> None:
        """600.00 oldest due first: 0043 gets 100.00; an invoice not given gets None."""
        result = allocate_payment(payment(60_000), three_invoices(), rule=R.OLDEST_DUE_FIRST, at=AT)
        assert (usd(10_000), usd(30_000), None) == (
            result.amount_for("inv_2026_0043"),
            result.amount_for("inv_2026_0041"),
            result.amount_for("inv_elsewhere"),
        )


class TestOldestDueFirstAcrossCurrencies:
    def test_no_later_invoice_is_paid_after_an_older_one_got_only_part(self) -> None:
        """50.01 EUR at 0.93 USD per EUR buys 46.50 USD of the older USD invoice for 50.00 EUR;
        the 0.01 EUR crumb stays unapplied, not paid to the later EUR invoice (ADR 0010)."""
        older = issued("inv_usd", 10_000, due_date=due(5))
        later = issued("inv_eur", 5_000, "EUR", due_date=due(10))
        result = allocate_payment(
            payment(5_001, "EUR", rate="0.93"), [later, older], rule=R.OLDEST_DUE_FIRST, at=AT
        )
        assert ([("inv_usd", usd(4_650))], eur(1)) == (
            [(ln.invoice_id, ln.amount) for ln in result.lines],
            result.unapplied,
        )


class TestProportional:
    def test_splits_by_what_each_invoice_can_take(self) -> None:
        """500.00 over 300.00 / 200.00 / 500.00 due gives 150.00 / 100.00 / 250.00."""
        result = allocate_payment(payment(50_000), three_invoices(), rule=R.PROPORTIONAL, at=AT)
        assert {
            "inv_2026_0043": usd(25_000),
            "inv_2026_0041": usd(15_000),
            "inv_2026_0042": usd(10_000),
        } == {ln.invoice_id: ln.amount for ln in result.lines}

    def test_leftover_cents_follow_the_largest_remainder(self) -> None:
        """1.00 over three equal invoices: 0.34 to the first listed, 0.33 to the others."""
        invoices = [issued(f"inv_{n}", 10_000) for n in (1, 2, 3)]
        result = allocate_payment(payment(100), invoices, rule=R.PROPORTIONAL, at=AT)
        assert [usd(34), usd(33), usd(33)] == [ln.amount for ln in result.lines]

    def test_a_payment_covering_everything_pays_everything(self) -> None:
        """With enough money every invoice is paid in full and the rest is unapplied."""
        result = allocate_payment(payment(150_000), three_invoices(), rule=R.PROPORTIONAL, at=AT)
        assert (usd(100_000), usd(50_000)) == (
            sum((ln.amount for ln in result.lines), usd(0)),
            result.unapplied,
        )


class TestExplicit:
    def test_pays_the_amounts_given(self) -> None:
        """A person's amounts are applied as given, approved and marked manual."""
        invoices = three_invoices()
        result = allocate_payment(
            payment(40_000),
            invoices,
            rule=R.EXPLICIT,
            amounts={"inv_2026_0043": usd(35_000)},
            at=AT,
        )
        line = result.lines[0]
        assert (usd(35_000), "manual", True, usd(5_000)) == (
            line.amount,
            line.allocation.strategy,
            line.approved,
            result.unapplied,
        )

    def test_never_above_an_invoices_amount_due(self) -> None:
        """An explicit amount above what is due is refused."""
        with pytest.raises(InvalidAllocation) as caught:
            allocate_payment(
                payment(40_000),
                three_invoices(),
                rule=R.EXPLICIT,
                amounts={"inv_2026_0042": usd(20_001)},
                at=AT,
            )
        assert "exceeds_amount_due" == caught.value.code

    @pytest.mark.parametrize(
        ("amount", "code"),
        [
            (usd(0), "allocation_not_positive"),
            (usd(-100), "allocation_not_positive"),
            (eur(100), "allocation_currency"),
            (usd(20_001), "exceeds_amount_due"),
        ],
    )
    def test_each_bad_amount_is_refused_by_its_own_code(self, amount: Money, code: str) -> None:
        """Zero or less, another currency and too much are three different mistakes."""
        with pytest.raises(InvalidAllocation) as caught:
            allocate_payment(
                payment(40_000),
                three_invoices(),
                rule=R.EXPLICIT,
                amounts={"inv_2026_0042": amount},
                at=AT,
            )
        assert code == caught.value.code

    def test_never_above_the_payments_unapplied_credit(self) -> None:
        """Explicit amounts costing more than the payment has are refused."""
        with pytest.raises(InvalidAllocation) as caught:
            allocate_payment(
                payment(10_000),
                three_invoices(),
                rule=R.EXPLICIT,
                amounts={"inv_2026_0042": usd(20_000)},
                at=AT,
            )
        assert "exceeds_payment" == caught.value.code


class TestRefusals:
    @pytest.mark.parametrize(
        ("invoice", "code"),
        [
            (draft(), "invoice_not_payable"),
            (with_status(InvoiceStatus.VOID), "invoice_not_payable"),
            (issued(partner_id="ptn_globex"), "cross_partner"),
            (issued(currency="GBP"), "missing_rate"),
        ],
    )
    def test_refused_invoices(self, invoice: Invoice, code: str) -> None:
        """Drafts, voids, another partner's and unconvertible invoices are refused."""
        with pytest.raises(InvalidAllocation) as caught:
            allocate_payment(payment(10_000), [invoice], rule=R.OLDEST_DUE_FIRST, at=AT)
        assert code == caught.value.code

    def test_another_partner_is_allowed_when_asked(self) -> None:
        """allow_cross_partner=True lets a parent company pay a subsidiary's invoice."""
        result = allocate_payment(
            payment(10_000),
            [issued(partner_id="ptn_globex")],
            rule=R.OLDEST_DUE_FIRST,
            at=AT,
            allow_cross_partner=True,
        )
        assert usd(10_000) == result.lines[0].amount

    def test_two_foreign_currencies_are_refused(self) -> None:
        """One payment has one rate, so it cannot pay invoices in two other currencies."""
        with pytest.raises(InvalidAllocation) as caught:
            allocate_payment(
                payment(10_000, "EUR", rate="1.08"),
                [issued("inv_usd"), issued("inv_gbp", currency="GBP")],
                rule=R.OLDEST_DUE_FIRST,
                at=AT,
            )
        assert "mixed_currencies" == caught.value.code


class TestApproval:
    def test_confident_automatic_proposals_are_approved(self) -> None:
        """Confidence at the threshold is enough for automatic approval."""
        result = allocate_payment(
            payment(10_000),
            [issued()],
            rule=R.OLDEST_DUE_FIRST,
            at=AT,
            confidence=0.9,
            approval=ApprovalPolicy(threshold=0.9),
        )
        assert (True, 0.9, "automatic") == (
            result.lines[0].approved,
            result.lines[0].allocation.agent_confidence_score,
            result.lines[0].allocation.strategy,
        )

    def test_unsure_proposals_are_pending_and_leave_amount_due_alone(self) -> None:
        """Below the threshold: pending; amount_due unchanged; the pending figure drops."""
        invoice = issued()
        result = allocate_payment(
            payment(10_000),
            [invoice],
            rule=R.OLDEST_DUE_FIRST,
            at=AT,
            confidence=0.6,
            approval=ApprovalPolicy(threshold=0.9),
        )
        (after,) = apply_result(result, [invoice], at=AT)
        assert (usd(100_000), usd(90_000), usd(10_000)) == (
            after.amount_due,
            pending_amount_remaining(after),
            result.pending,
        )

    def test_approving_applies_pending_allocations_on_both_sides(self) -> None:
        """Approval updates the payment's allocation and moves the invoice's money."""
        invoice = issued()
        result = allocate_payment(payment(10_000), [invoice], rule=R.OLDEST_DUE_FIRST, at=AT)
        (pending,) = apply_result(result, [invoice], at=AT)
        paid_payment, (paid,) = approve_allocations(
            result.payment, [pending], at=PAID_AT + dt.timedelta(days=20), approver_id="usr_ines"
        )
        assert (True, usd(10_000), usd(90_000)) == (
            paid_payment.allocations[0].approved,
            paid.amount_paid,
            paid.amount_due,
        )


class TestApplyResult:
    def test_applying_a_result_twice_applies_it_once(self) -> None:
        """Re-posting the same result (a retried request) changes nothing."""
        invoices = three_invoices()
        result = allocate_payment(payment(60_000), invoices, rule=R.OLDEST_DUE_FIRST, at=AT)
        once = apply_result(result, invoices, at=AT)
        assert once == apply_result(result, once, at=AT)

    @given(st.integers(min_value=-14 * 60, max_value=14 * 60))
    def test_a_retry_written_with_another_offset_applies_once(self, minutes: int) -> None:
        """The same instant with any UTC offset proposes the same ids: 40 EUR is paid once."""
        invoice = issued("inv_eur", 4_000, currency="EUR")
        offset = dt.timezone(dt.timedelta(minutes=minutes))
        amounts = {"inv_eur": eur(4_000)}
        first = allocate_payment(
            payment(4_000, "EUR"), [invoice], rule=R.EXPLICIT, amounts=amounts, at=AT
        )
        retry = allocate_payment(
            payment(4_000, "EUR"),
            [invoice],
            rule=R.EXPLICIT,
            amounts=amounts,
            at=AT.astimezone(offset),
        )
        (once,) = apply_result(first, [invoice], at=AT)
        (twice,) = apply_result(retry, [once], at=AT)
        assert (
            [ln.allocation.id for ln in first.lines],
            eur(4_000),
            eur(0),
            (),
        ) == (
            [ln.allocation.id for ln in retry.lines],
            twice.amount_paid,
            twice.amount_due,
            check_invoice(twice),
        )

    def test_withdrawing_gives_the_money_back_to_the_payment(self) -> None:
        """A withdrawn allocation is unapplied credit again and its invoice reopens."""
        invoice = issued("inv_2026_0041", 30_000)
        result = allocate_payment(
            payment(30_000),
            [invoice],
            rule=R.EXPLICIT,
            amounts={"inv_2026_0041": usd(30_000)},
            at=AT,
        )
        (paid,) = apply_result(result, [invoice], at=AT)
        new_payment, reopened = withdraw_allocation(
            result.payment, paid, str(result.lines[0].allocation.id)
        )
        assert (InvoiceStatus.PAID, InvoiceStatus.OPEN, usd(30_000)) == (
            status_of(paid),
            status_of(reopened),
            unapplied_credit(new_payment),
        )
