"""Properties of the lifecycle, allocation and refund rules, and a state machine over them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from rules_builders import ISSUED_AT, draft, issued, payment
from stuut_domain.allocation.balance import allocated_cost, unapplied_credit
from stuut_domain.allocation.exchange import invoice_amount, payment_cost
from stuut_domain.allocation.proposals import (
    AllocationResult,
    AllocationRule,
    ApprovalPolicy,
    allocate_payment,
    apply_result,
    approve_allocations,
    withdraw_allocation,
)
from stuut_domain.allocation.refund import RefundRule, refund_payment
from stuut_domain.errors import InvalidAllocation, InvalidTransition
from stuut_domain.invariants import check_invoice, check_payment
from stuut_domain.invoice import Invoice
from stuut_domain.lifecycle import (
    TRANSITIONS,
    apply_allocation,
    break_promise,
    is_approved,
    issue,
    keep_promise,
    mark_uncollectible,
    open_dispute,
    pending_amount_remaining,
    record_promise,
    resolve_dispute,
    status_of,
    unapply_allocation,
    void,
)
from stuut_domain.money import Money, MoneyBag
from stuut_domain.payment import Payment, PaymentAllocation

UTC = dt.UTC
CURRENCIES = ("USD", "EUR", "JPY", "BHD")
rates = st.decimals(
    min_value=Decimal("0.0001"), max_value=Decimal("500"), places=4, allow_nan=False
)
units = st.integers(min_value=1, max_value=10**9)
rules = st.sampled_from(AllocationRule)


def _allocation(invoice: Invoice, amount: int, alloc_id: str, approved: bool) -> PaymentAllocation:
    return PaymentAllocation(
        amount=invoice.money(amount),
        invoice_id=str(invoice.id),
        object="payment_allocation",
        payment_id="pay_prop",
        strategy="manual",
        id=alloc_id,
        approved=approved,
    )


@st.composite
def open_invoices(draw: st.DrawFn) -> Invoice:
    """An issued invoice with some earlier approved and pending allocations."""
    total = draw(units)
    currency = draw(st.sampled_from(CURRENCIES))
    invoice = issued(draw(st.sampled_from(["inv_a", "inv_b"])), total, currency)
    for n in range(draw(st.integers(0, 3))):
        room = pending_amount_remaining(invoice).minor_units
        if room <= 0:
            break
        amount = draw(st.integers(1, room))
        alloc = _allocation(invoice, amount, f"alloc_prior_{n}", draw(st.booleans()))
        invoice = apply_allocation(invoice, alloc, at=ISSUED_AT)
    return invoice


class TestExchangeProperties:
    @given(
        rate=rates, amount=units, pay=st.sampled_from(CURRENCIES), inv=st.sampled_from(CURRENCIES)
    )
    def test_cost_is_the_least_payment_that_buys_the_amount(
        self, rate: Decimal, amount: int, pay: str, inv: str
    ) -> None:
        """payment_cost(a) buys at least a; one payment unit less buys less than a."""
        p = payment(1, pay, rate=str(rate))
        cost = payment_cost(p, Money(amount, inv))
        bought = invoice_amount(p, cost, inv)
        less = invoice_amount(p, cost - Money(1, pay), inv) if cost.is_positive() else None
        assert (True, True) == (
            bought.minor_units >= amount,
            less is None or less.minor_units < amount,
        )

    @given(
        rate=rates, money=units, pay=st.sampled_from(CURRENCIES), inv=st.sampled_from(CURRENCIES)
    )
    def test_what_money_buys_never_costs_more_than_the_money(
        self, rate: Decimal, money: int, pay: str, inv: str
    ) -> None:
        """payment_cost(invoice_amount(p)) <= p: rounding never creates money."""
        p = payment(1, pay, rate=str(rate))
        bought = invoice_amount(p, Money(money, pay), inv)
        assert payment_cost(p, bought) <= Money(money, pay)


class TestAllocationProperties:
    @given(invoice=open_invoices(), data=st.data())
    def test_apply_then_unapply_restores_the_invoice_exactly(
        self, invoice: Invoice, data: st.DataObject
    ) -> None:
        """Un-applying an allocation just applied gives back the very same invoice."""
        approved = data.draw(st.booleans())
        room = (invoice.amount_due if approved else pending_amount_remaining(invoice)).minor_units
        assume(room > 0)
        alloc = _allocation(invoice, data.draw(st.integers(1, room)), "alloc_new", approved)
        applied = apply_allocation(invoice, alloc, at=ISSUED_AT + dt.timedelta(days=3))
        assert invoice == unapply_allocation(applied, "alloc_new")

    @given(invoice=open_invoices(), data=st.data())
    def test_the_same_allocation_applied_twice_is_applied_once(
        self, invoice: Invoice, data: st.DataObject
    ) -> None:
        """A second application of an id the invoice lists changes nothing."""
        room = pending_amount_remaining(invoice).minor_units
        assume(room > 0)
        alloc = _allocation(invoice, data.draw(st.integers(1, room)), "alloc_new", False)
        once = apply_allocation(invoice, alloc, at=ISSUED_AT)
        assert once == apply_allocation(once, alloc, at=ISSUED_AT + dt.timedelta(days=1))

    @given(
        totals=st.lists(units, min_size=1, max_size=5),
        inv_currency=st.sampled_from(CURRENCIES),
        pay_currency=st.sampled_from(CURRENCIES),
        rate=rates,
        amount=units,
        allocation_rule=st.sampled_from(
            [AllocationRule.OLDEST_DUE_FIRST, AllocationRule.PROPORTIONAL]
        ),
    )
    def test_money_is_conserved_and_no_invoice_is_overpaid(
        self,
        *,
        totals: list[int],
        inv_currency: str,
        pay_currency: str,
        rate: Decimal,
        amount: int,
        allocation_rule: AllocationRule,
    ) -> None:
        """amount = allocations at cost + refunded + unapplied; each line within what is due."""
        invoices = [issued(f"inv_{n}", t, inv_currency) for n, t in enumerate(totals)]
        pay = payment(amount, pay_currency, rate=str(rate))
        result = allocate_payment(
            pay,
            invoices,
            rule=allocation_rule,
            at=ISSUED_AT,
            confidence=1.0,
            approval=ApprovalPolicy(threshold=0.5),
        )
        after = apply_result(result, invoices, at=ISSUED_AT)
        assert (pay.amount, [], []) == (
            allocated_cost(result.payment) + result.unapplied,
            [i.id for i in after if i.amount_paid_or_zero > i.total_amount],
            [i.id for i in after if check_invoice(i)],
        )

    @given(total=units, rate=rates, pay_currency=st.sampled_from(CURRENCIES))
    def test_a_covering_foreign_payment_brings_the_invoice_to_exactly_zero(
        self, total: int, rate: Decimal, pay_currency: str
    ) -> None:
        """Whatever the rate, a payment of at least the cost leaves nothing due."""
        invoice = issued("inv_fx", total, "USD")
        probe = payment(1, pay_currency, rate=str(rate))
        cost = payment_cost(probe, invoice.amount_due)
        pay = payment(cost.minor_units, pay_currency, rate=str(rate))
        result = allocate_payment(
            pay,
            [invoice],
            rule=AllocationRule.OLDEST_DUE_FIRST,
            at=ISSUED_AT,
            confidence=1.0,
            approval=ApprovalPolicy(threshold=0.5),
        )
        (paid,) = apply_result(result, [invoice], at=ISSUED_AT)
        assert (Money(0, "USD"), Money(0, pay_currency)) == (paid.amount_due, result.unapplied)


# -- the state machine --------------------------------------------------------------------

T0 = dt.datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


class InvoiceAndPaymentMachine(RuleBasedStateMachine):
    """Random sequences of transitions, allocations, approvals, withdrawals and refunds.

    After every step: every invoice passes ``check_invoice``, every payment ``check_payment``,
    no amount_paid exceeds its total or goes negative, and the payments' allocations and the
    invoices' allocations are the same money (per currency, and per allocation id).
    """

    payment_ids = Bundle("payment_ids")

    def __init__(self) -> None:
        super().__init__()
        self.invoices: dict[str, Invoice] = {}
        self.payments: dict[str, Payment] = {}
        self.now = T0
        self.last: tuple[AllocationResult, tuple[Invoice, ...]] | None = None

    # -- set-up -------------------------------------------------------------------------

    @initialize(
        totals=st.lists(units, min_size=2, max_size=4),
        currencies=st.lists(st.sampled_from(CURRENCIES), min_size=4, max_size=4),
        issued_now=st.lists(st.booleans(), min_size=4, max_size=4),
    )
    def make_invoices(
        self, totals: list[int], currencies: list[str], issued_now: list[bool]
    ) -> None:
        for n, total in enumerate(totals):
            due = T0 + dt.timedelta(days=10 * (n + 1))
            inv = draft(f"inv_{n}", total, currencies[n], due_date=due)
            self.invoices[str(inv.id)] = issue(inv, at=T0) if issued_now[n] else inv

    @rule(target=payment_ids, amount=units, currency=st.sampled_from(CURRENCIES), rate=rates)
    def receive_payment(self, amount: int, currency: str, rate: Decimal) -> str:
        pay_id = f"pay_{len(self.payments)}"
        self.payments[pay_id] = payment(amount, currency, payment_id=pay_id, rate=str(rate))
        return pay_id

    @rule(hours=st.integers(1, 24 * 20))
    def time_passes(self, hours: int) -> None:
        self.now += dt.timedelta(hours=hours)

    # -- lifecycle transitions ----------------------------------------------------------

    def _transition(self, name: str, inv_id: str, call: object) -> None:
        before = self.invoices[inv_id]
        status = status_of(before)
        refused: InvalidTransition | None = None
        try:
            after = call(before)  # type: ignore[operator]
        except InvalidTransition as error:
            refused = error
        if refused is not None:
            event(f"{name} refused")
            assert (name, str(status)) == (refused.transition, refused.status)
            return
        event(f"{name} done")
        assert status in TRANSITIONS[name], f"{name} succeeded from {status}"
        self.invoices[inv_id] = after

    @rule(index=st.integers(0, 3))
    def issue_one(self, index: int) -> None:
        inv_id = f"inv_{index}"
        if inv_id in self.invoices:
            self._transition("issue", inv_id, lambda inv: issue(inv, at=self.now))

    @rule(
        index=st.integers(0, 3),
        name=st.sampled_from(
            [
                "void",
                "mark_uncollectible",
                "open_dispute",
                "resolve_dispute",
                "record_promise",
                "keep_promise",
                "break_promise",
            ]
        ),
        days=st.integers(0, 30),
    )
    def lifecycle_step(self, index: int, name: str, days: int) -> None:
        inv_id = f"inv_{index}"
        if inv_id not in self.invoices:
            return
        promised = (self.now + dt.timedelta(days=days)).date()
        calls = {
            "void": lambda inv: void(inv, at=self.now),
            "mark_uncollectible": lambda inv: mark_uncollectible(inv, at=self.now),
            "open_dispute": open_dispute,
            "resolve_dispute": resolve_dispute,
            "record_promise": lambda inv: record_promise(inv, promised),
            "keep_promise": keep_promise,
            "break_promise": lambda inv: break_promise(inv, at=self.now),
        }
        self._transition(name, inv_id, calls[name])

    # -- money --------------------------------------------------------------------------

    def _related(self, pay: Payment) -> list[Invoice]:
        ids = sorted({a.invoice_id for a in pay.allocations})
        return [self.invoices[i] for i in ids]

    def _store(self, invoices: tuple[Invoice, ...] | list[Invoice]) -> None:
        for inv in invoices:
            self.invoices[str(inv.id)] = inv

    @rule(
        pay_id=payment_ids,
        allocation_rule=rules,
        picks=st.lists(st.integers(0, 3), min_size=1, max_size=4, unique=True),
        confidence=st.floats(0, 1),
        share=st.integers(1, 100),
    )
    def allocate(
        self,
        pay_id: str,
        allocation_rule: AllocationRule,
        picks: list[int],
        confidence: float,
        share: int,
    ) -> None:
        pay = self.payments[pay_id]
        chosen = [self.invoices[f"inv_{i}"] for i in picks if f"inv_{i}" in self.invoices]
        amounts = None
        if allocation_rule is AllocationRule.EXPLICIT:
            amounts = {
                str(i.id): i.money(max(1, pending_amount_remaining(i).minor_units * share // 100))
                for i in chosen
            }
        try:
            result = allocate_payment(
                pay,
                chosen,
                rule=allocation_rule,
                at=self.now,
                amounts=amounts,
                confidence=confidence,
                approval=ApprovalPolicy(threshold=0.7),
            )
            after = apply_result(result, chosen, at=self.now)
        except (InvalidAllocation, InvalidTransition) as error:
            event(f"allocate refused: {getattr(error, 'code', 'transition')}")
            return
        event(f"allocate {allocation_rule}: {len(result.lines)} line(s)")
        self.payments[pay_id] = result.payment
        self._store(after)
        self.last = (result, after)

    @precondition(lambda self: self.last is not None)
    @rule()
    def the_same_result_applied_again_changes_nothing(self) -> None:
        assert self.last is not None
        result, after = self.last
        current = tuple(self.invoices[str(i.id)] for i in after)
        if current == after:
            assert after == apply_result(result, after, at=self.now)

    @rule(pay_id=payment_ids)
    def approve(self, pay_id: str) -> None:
        pay = self.payments[pay_id]
        try:
            new_pay, after = approve_allocations(
                pay, self._related(pay), at=self.now, approver_id="usr_ines"
            )
        except (InvalidAllocation, InvalidTransition) as error:
            event(f"approve refused: {getattr(error, 'code', 'transition')}")
            return
        event("approve done")
        self.payments[pay_id] = new_pay
        self._store(after)

    @rule(pay_id=payment_ids, which=st.integers(0, 10))
    def withdraw(self, pay_id: str, which: int) -> None:
        pay = self.payments[pay_id]
        if not pay.allocations:
            return
        alloc = pay.allocations[which % len(pay.allocations)]
        new_pay, inv = withdraw_allocation(pay, self.invoices[alloc.invoice_id], str(alloc.id))
        self.payments[pay_id] = new_pay
        self.invoices[str(inv.id)] = inv

    @rule(pay_id=payment_ids, refund_rule=st.sampled_from(RefundRule), share=st.integers(1, 100))
    def refund(self, pay_id: str, refund_rule: RefundRule, share: int) -> None:
        pay = self.payments[pay_id]
        assert pay.amount is not None
        refundable = pay.amount - (pay.amount_refunded or pay.amount * 0)
        if not refundable.is_positive():
            return
        amount = Money(max(1, refundable.minor_units * share // 100), refundable.code)
        result = refund_payment(pay, self._related(pay), amount, rule=refund_rule)
        assert result.unapplied == unapplied_credit(result.payment)
        event(f"refund {refund_rule}: {len(result.reversals)} reversal(s)")
        self.payments[pay_id] = result.payment
        self._store(result.invoices)

    # -- invariants ---------------------------------------------------------------------

    @invariant()
    def every_invoice_keeps_every_invariant(self) -> None:
        for inv in self.invoices.values():
            assert () == check_invoice(inv), inv
            assert Money(0, inv.currency) <= inv.amount_paid_or_zero
            assert inv.amount_paid_or_zero <= inv.total_amount

    @invariant()
    def every_payment_conserves_its_money(self) -> None:
        for pay in self.payments.values():
            assert () == check_payment(pay)
            assert pay.amount == allocated_cost(pay) + (
                pay.amount_refunded or Money(0, str(pay.currency))
            ) + unapplied_credit(pay)

    @invariant()
    def payments_and_invoices_hold_the_same_allocations(self) -> None:
        on_payments = sorted(
            (str(a.id), a.invoice_id, a.amount.minor_units, a.amount.code, is_approved(a))
            for p in self.payments.values()
            for a in p.allocations
        )
        on_invoices = sorted(
            (str(a.id), a.invoice_id, a.amount.minor_units, a.amount.code, is_approved(a))
            for i in self.invoices.values()
            for a in i.payments
        )
        assert on_payments == on_invoices
        approved = MoneyBag.of(
            a.amount for p in self.payments.values() for a in p.allocations if is_approved(a)
        )
        paid = MoneyBag.of(i.amount_paid_or_zero for i in self.invoices.values())
        assert approved == paid


# The loaded profile decides max_examples; runs are 40 steps long.
InvoiceAndPaymentMachine.TestCase.settings = settings(stateful_step_count=40)
TestInvoiceAndPaymentMachine = pytest.mark.slow(InvoiceAndPaymentMachine.TestCase)
