"""Specifications of the invariant checker: every broken rule reported, with path and values."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stuut_domain.errors import InvariantViolation
from stuut_domain.invariants import (
    RULES,
    check_invoice,
    check_partner,
    check_payment,
    check_workflow,
    ensure_valid,
)
from stuut_domain.invoice import Invoice, LineItem
from stuut_domain.money import Money
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment, PaymentAllocation
from stuut_domain.workflow import Workflow

UTC = dt.UTC
ISSUED = dt.datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
DUE = dt.datetime(2026, 10, 31, tzinfo=UTC)


def eur(units: int) -> Money:
    return Money(units, "EUR")


def allocation(
    units: int, *, approved: bool | None = True, alloc_id: str = "pa_1"
) -> PaymentAllocation:
    return PaymentAllocation(
        amount=eur(units),
        invoice_id="inv_2026_0042",
        object="payment_allocation",
        payment_id="pay_77",
        strategy="automatic",
        id=alloc_id,
        approved=approved,
    )


def invoice(**changes: Any) -> Invoice:
    """A consistent, partially paid EUR invoice of Acme Tooling GmbH: 1190.00, 390.00 paid."""
    base = Invoice(
        amount_due=eur(80000),
        currency="EUR",
        object="invoice",
        remote_id="erp-42",
        total_amount=eur(119000),
        id="inv_2026_0042",
        amount_paid=eur(39000),
        subtotal=eur(100000),
        total_discount=eur(0),
        total_tax=eur(19000),
        issued_at=ISSUED,
        due_date=DUE,
        created_at=ISSUED,
        modified_at=ISSUED + dt.timedelta(days=3),
        partner_id="ptn_acme",
        payments=(allocation(39000),),
        type="receivable",
    )
    return attrs.evolve(base, **changes)


def codes(inv: Invoice) -> list[str]:
    return [v.code for v in check_invoice(inv)]


class TestConsistentInvoices:
    def test_a_consistent_invoice_has_no_violations(self) -> None:
        """An invoice whose facts agree breaks no rule."""
        assert () == check_invoice(invoice())

    def test_ensure_valid_returns_a_valid_invoice_unchanged(self) -> None:
        """ensure_valid passes a valid invoice through."""
        inv = invoice()
        assert inv is ensure_valid(inv)

    @given(
        subtotal=st.integers(0, 10**12),
        discount_share=st.integers(0, 100),
        tax=st.integers(0, 10**11),
        paid_share=st.integers(0, 100),
    )
    def test_any_consistent_combination_passes(
        self, subtotal: int, discount_share: int, tax: int, paid_share: int
    ) -> None:
        """Amounts built from the rules themselves never trip the checker."""
        discount = subtotal * discount_share // 100
        total = subtotal - discount + tax
        paid = total * paid_share // 100
        fully_paid = total > 0 and paid >= total
        inv = invoice(
            subtotal=eur(subtotal),
            total_discount=eur(discount),
            total_tax=eur(tax),
            total_amount=eur(total),
            amount_paid=eur(paid),
            amount_due=eur(total - paid),
            payments=(allocation(paid),) if paid else (),
            paid_at=DUE if fully_paid else None,
        )
        assert () == check_invoice(inv)

    @given(delta=st.integers(-(10**9), 10**9).filter(bool))
    def test_any_wrong_amount_due_is_reported_with_its_values(self, delta: int) -> None:
        """amount_due off by any amount is reported once, naming the field and the values."""
        inv = invoice(amount_due=eur(80000 + delta))
        violations = check_invoice(inv)
        assert ["amount_due_mismatch"] == [v.code for v in violations]
        assert "amount_due" == violations[0].path
        assert eur(80000 + delta) == violations[0].values["amount_due"]


class TestEveryRule:
    def test_the_docs_example_amounts_break_amount_due(self) -> None:
        """The API example's 123 everywhere: amount_due 123 is not 123 − 123, and it says so."""
        adp = Money(123, "ADP")
        docs = Invoice(
            amount_due=adp,
            currency="ADP",
            object="<string>",
            remote_id="<string>",
            total_amount=adp,
            amount_paid=adp,
            subtotal=adp,
            total_discount=adp,
            total_tax=adp,
        )
        assert ["amount_due_mismatch", "paid_at_missing"] == codes(docs)

    @pytest.mark.parametrize(
        ("changes", "expected"),
        [
            ({"total_amount": eur(120000), "amount_due": eur(81000)}, ["total_mismatch"]),
            (
                {
                    "amount_paid": eur(-100),
                    "amount_due": eur(119100),
                    "payments": (allocation(-100),),
                },
                ["amount_paid_negative"],
            ),
            (
                {
                    "amount_paid": eur(120000),
                    "amount_due": eur(-1000),
                    "payments": (allocation(120000),),
                    "paid_at": DUE,
                },
                ["overpaid"],
            ),
            ({"payments": (allocation(30000),)}, ["approved_allocations_sum"]),
            (
                {"payments": (allocation(39000), allocation(500, approved=False, alloc_id="pa_2"))},
                [],
            ),
            (
                {
                    "amount_paid": eur(119000),
                    "amount_due": eur(0),
                    "payments": (allocation(119000),),
                },
                ["paid_at_missing"],
            ),
            ({"paid_at": DUE}, ["paid_at_unpaid"]),
            ({"voided_at": DUE}, ["void_with_payments"]),
            ({"due_date": ISSUED - dt.timedelta(days=1)}, ["date_order"]),
            ({"modified_at": ISSUED - dt.timedelta(seconds=1)}, ["date_order"]),
        ],
    )
    def test_each_rule_is_reported_by_its_code(
        self, changes: dict[str, Any], expected: list[str]
    ) -> None:
        """Breaking one rule reports exactly that rule's code."""
        assert expected == codes(invoice(**changes))

    def test_line_items_and_allocations_in_another_currency_are_reported(self) -> None:
        """A USD line item or allocation on a EUR invoice is reported at its path."""
        usd_line = LineItem(
            invoice_id="inv_2026_0042", object="line_item", remote_id="l1", currency="USD"
        )
        usd_alloc = attrs.evolve(allocation(39000), amount=Money(39000, "USD"))
        violations = check_invoice(invoice(line_items=(usd_line,), payments=(usd_alloc,)))
        assert [
            ("line_item_currency", "line_items[0].currency"),
            ("allocation_currency", "payments[0].amount"),
        ] == [(v.code, v.path) for v in violations]

    def test_an_allocation_for_another_invoice_is_reported(self) -> None:
        """An allocation listed on this invoice but naming another is reported."""
        stray = attrs.evolve(allocation(39000), invoice_id="inv_other")
        assert ["allocation_invoice_mismatch"] == codes(invoice(payments=(stray,)))

    def test_every_violation_is_reported_not_just_the_first(self) -> None:
        """Several broken rules give several violations, in a stable order."""
        inv = invoice(amount_due=eur(1), paid_at=DUE, due_date=ISSUED - dt.timedelta(days=2))
        assert ["amount_due_mismatch", "paid_at_unpaid", "date_order"] == codes(inv)

    def test_ensure_valid_raises_with_every_violation(self) -> None:
        """ensure_valid refuses a bad invoice, naming each rule it breaks."""
        with pytest.raises(InvariantViolation) as info:
            ensure_valid(invoice(amount_due=eur(1), paid_at=DUE))
        assert ("amount_due_mismatch", "paid_at_unpaid") == info.value.codes
        assert "inv_2026_0042" in str(info.value)

    def test_every_code_is_in_the_rule_catalogue(self) -> None:
        """Each code the checker can emit is documented in RULES."""
        inv = invoice(amount_due=eur(1), paid_at=DUE, voided_at=DUE)
        assert {v.code for v in check_invoice(inv)} <= set(RULES)

    def test_violations_render_as_plain_records(self) -> None:
        """as_record() gives JSON-ready rows: Money as text, datetimes as ISO strings."""
        record = check_invoice(invoice(paid_at=DUE))[0].as_record()
        assert {
            "code": "paid_at_unpaid",
            "path": "paid_at",
            "message": "paid_at is set but only 390.00 EUR of 1190.00 EUR is paid",
            "values": {
                "paid_at": "2026-10-31T00:00:00+00:00",
                "amount_paid": "390.00 EUR",
                "total_amount": "1190.00 EUR",
            },
        } == record
        json.dumps(record)


class TestWorkflowChecks:
    def test_placeholders_are_reported_not_refused(self) -> None:
        """The docs' placeholders (day 123, "<string>" windows, unknown zone) are each reported."""
        wf = Workflow(
            active_days=(0, 123),
            outreach_window_start="<string>",
            outreach_window_end="17:00",
            timezone="Mars/Olympus_Mons",
        )
        assert [
            ("workflow_active_day", "active_days[1]"),
            ("workflow_window_format", "outreach_window_start"),
            ("unknown_time_zone", "timezone"),
        ] == [(v.code, v.path) for v in check_workflow(wf)]

    def test_a_sound_workflow_passes(self) -> None:
        """Weekdays 0-4, 09:00-17:30 in Europe/Berlin breaks nothing."""
        wf = Workflow(
            active_days=(0, 1, 2, 3, 4),
            outreach_window_start="09:00",
            outreach_window_end="17:30:00",
            timezone="Europe/Berlin",
        )
        assert () == check_workflow(wf)


def usd_payment(units: int | None = 50000, **changes: Any) -> Payment:
    """A USD payment of Acme (pay_77) with no allocations: every payment rule holds."""
    base = Payment(
        id="pay_77",
        amount=None if units is None else Money(units, "USD"),
        amount_refunded=None if units is None else Money(0, "USD"),
        currency=None if units is None else "USD",
        object="payment",
        payment_method="ach",
        status="pending_match",
    )
    return attrs.evolve(base, **changes)


def usd_allocation(units: int, *, alloc_id: str = "pa_1", **changes: Any) -> PaymentAllocation:
    """A USD allocation of pay_77 to a USD invoice."""
    base = PaymentAllocation(
        amount=Money(units, "USD"),
        invoice_id="inv_usd_1",
        object="payment_allocation",
        payment_id="pay_77",
        strategy="manual",
        id=alloc_id,
        approved=True,
    )
    return attrs.evolve(base, **changes)


#: One payment per payment rule, breaking that rule and no other.
PAYMENT_CASES: dict[str, Payment] = {
    "payment_amount_missing": usd_payment(None, allocations=(usd_allocation(100),)),
    "payment_amount_negative": usd_payment(-100),
    "refund_negative": usd_payment(amount_refunded=Money(-1, "USD")),
    "refund_exceeds_amount": usd_payment(100, amount_refunded=Money(101, "USD")),
    "allocation_payment_mismatch": usd_payment(
        allocations=(usd_allocation(100, payment_id="pay_other"),)
    ),
    "duplicate_allocation_id": usd_payment(allocations=(usd_allocation(100), usd_allocation(200))),
    "allocation_not_positive": usd_payment(allocations=(usd_allocation(0),)),
    "allocation_rate": usd_payment(allocations=(usd_allocation(100, amount=Money(100, "EUR")),)),
    "overallocated": usd_payment(100, allocations=(usd_allocation(101),)),
}


class TestPaymentRules:
    def test_a_balanced_payment_has_no_violations(self) -> None:
        """Allocations and refund within the amount: nothing to report."""
        pay = usd_payment(
            50000,
            amount_refunded=Money(1000, "USD"),
            allocations=(usd_allocation(30000), usd_allocation(19000, alloc_id="pa_2")),
        )
        assert () == check_payment(pay)

    def test_a_payment_without_amount_or_allocations_is_clean(self) -> None:
        """Nothing stated, nothing to balance: a bare remote payment passes."""
        assert () == check_payment(usd_payment(None))

    @pytest.mark.parametrize("code", sorted(PAYMENT_CASES))
    def test_each_payment_rule_is_reported_alone_by_its_code(self, code: str) -> None:
        """Breaking one payment rule reports that rule's code (and only what it implies)."""
        found = {v.code for v in check_payment(PAYMENT_CASES[code])}
        # a refund above the amount leaves less than nothing unapplied: both rules hold it
        also = {"overallocated"} if code == "refund_exceeds_amount" else set()
        assert {code} | also == found

    def test_a_duplicate_id_is_reported_at_each_place_it_stands(self) -> None:
        """Both allocations that share an id are named, by their paths."""
        paths = [v.path for v in check_payment(PAYMENT_CASES["duplicate_allocation_id"])]
        assert ["allocations[0].id", "allocations[1].id"] == paths

    def test_an_uncosted_allocation_silences_the_overallocation_sum(self) -> None:
        """A sum over an allocation that cannot be costed would mislead: only its rule speaks."""
        pay = usd_payment(100, allocations=(usd_allocation(500), usd_allocation(0, alloc_id="x")))
        assert ["allocation_not_positive"] == [v.code for v in check_payment(pay)]

    def test_payment_violations_come_in_rule_order(self) -> None:
        """Amount rules first, then allocations in list order, then the balance."""
        pay = usd_payment(
            100,
            amount_refunded=Money(200, "USD"),
            allocations=(usd_allocation(50, payment_id="pay_other"),),
        )
        assert [
            "refund_exceeds_amount",
            "allocation_payment_mismatch",
            "overallocated",
        ] == [v.code for v in check_payment(pay)]


class TestRuleCatalogue:
    def test_every_rule_in_the_catalogue_has_a_case_here(self) -> None:
        """Each documented code is triggered by some specification in this module."""
        triggered: set[str] = set()
        for pay in PAYMENT_CASES.values():
            triggered |= {v.code for v in check_payment(pay)}
        triggered |= {
            v.code
            for inv in (
                invoice(amount_due=eur(1), total_amount=eur(120000)),
                invoice(amount_paid=eur(-100), payments=(allocation(-100),)),
                invoice(amount_paid=eur(120000), amount_due=eur(-1000)),
                invoice(paid_at=DUE, voided_at=DUE, modified_at=ISSUED - dt.timedelta(1)),
                invoice(
                    amount_paid=eur(119000),
                    amount_due=eur(0),
                    payments=(attrs.evolve(allocation(119000), invoice_id="x"),),
                    line_items=(
                        LineItem(invoice_id="x", object="line_item", remote_id="l", currency="USD"),
                    ),
                ),
                invoice(payments=(attrs.evolve(allocation(1), amount=Money(1, "USD")),)),
                invoice(payments=(allocation(1),)),
            )
            for v in check_invoice(inv)
        }
        triggered |= {
            v.code
            for v in check_workflow(
                Workflow(
                    id="wf",
                    object="workflow",
                    active_days=(9,),
                    outreach_window_start="9am",
                    timezone="Mars/Olympus",
                )
            )
        }
        assert set(RULES) == triggered

    def test_check_partner_reports_an_unknown_zone(self) -> None:
        """A partner's zone is checked by name against the system's IANA database."""
        found = check_partner(Partner(id="p", object="partner", timezone="Mars/Olympus"))
        assert [("unknown_time_zone", "timezone")] == [(v.code, v.path) for v in found]
