"""Specifications of the invoice lifecycle: derived status, overdue days, the transition table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules_builders import (
    DUE_AT,
    ISSUED_AT,
    PAID_AT,
    acme,
    allocation,
    draft,
    issued,
    listing,
    with_status,
)
from stuut_domain.errors import InvalidAllocation, InvalidTransition
from stuut_domain.invariants import check_invoice
from stuut_domain.invoice import Invoice
from stuut_domain.lifecycle import (
    TRANSITIONS,
    InvoiceStatus,
    apply_allocation,
    approve_allocation,
    break_promise,
    days_past_due,
    is_overdue,
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
from stuut_domain.money import Money
from stuut_domain.payment import PaymentAllocation
from stuut_domain.strategies import invoices

S = InvoiceStatus
UTC = dt.UTC
LATER = dt.datetime(2026, 12, 1, 12, tzinfo=UTC)
PROMISED = dt.date(2026, 11, 20)


def _prepared(transition: str, status: InvoiceStatus) -> Invoice:
    """An invoice in ``status`` that meets the transition's non-status conditions."""
    invoice = with_status(status)
    if transition == "resolve_dispute":
        return attrs.evolve(invoice, in_dispute=True)
    if transition in ("keep_promise", "break_promise"):
        return attrs.evolve(invoice, promised_to_pay_date=PROMISED)
    needs_pending = transition == "approve_allocation"
    if needs_pending or (transition == "unapply_allocation" and not invoice.payments):
        return listing(invoice, allocation(invoice, 1, allocation_id="alloc_p", approved=False))
    return invoice


def _call(transition: str) -> Callable[[Invoice], Invoice]:
    calls: dict[str, Callable[[Invoice], Invoice]] = {
        "issue": lambda inv: issue(inv, at=ISSUED_AT),
        "void": lambda inv: void(inv, at=LATER),
        "mark_uncollectible": lambda inv: mark_uncollectible(inv, at=LATER),
        "apply_allocation": lambda inv: apply_allocation(
            inv, allocation(inv, 1, allocation_id="alloc_new"), at=LATER
        ),
        "approve_allocation": lambda inv: approve_allocation(
            inv, str(inv.payments[-1].id), at=LATER
        ),
        "unapply_allocation": lambda inv: unapply_allocation(inv, str(inv.payments[-1].id)),
        "open_dispute": open_dispute,
        "resolve_dispute": resolve_dispute,
        "record_promise": lambda inv: record_promise(inv, PROMISED),
        "keep_promise": keep_promise,
        "break_promise": lambda inv: break_promise(inv, at=LATER),
    }
    return calls[transition]


#: The table, written out: (transition, status it may start from).
ALLOWED = {
    ("issue", S.DRAFT),
    ("void", S.OPEN),
    ("void", S.UNCOLLECTIBLE),
    ("mark_uncollectible", S.OPEN),
    ("mark_uncollectible", S.PARTIALLY_PAID),
    ("apply_allocation", S.OPEN),
    ("apply_allocation", S.PARTIALLY_PAID),
    ("apply_allocation", S.UNCOLLECTIBLE),
    ("approve_allocation", S.OPEN),
    ("approve_allocation", S.PARTIALLY_PAID),
    ("approve_allocation", S.UNCOLLECTIBLE),
    ("unapply_allocation", S.OPEN),
    ("unapply_allocation", S.PARTIALLY_PAID),
    ("unapply_allocation", S.PAID),
    ("unapply_allocation", S.UNCOLLECTIBLE),
    ("open_dispute", S.OPEN),
    ("open_dispute", S.PARTIALLY_PAID),
    *(("resolve_dispute", s) for s in S),
    ("record_promise", S.OPEN),
    ("record_promise", S.PARTIALLY_PAID),
    ("keep_promise", S.PARTIALLY_PAID),
    ("keep_promise", S.PAID),
    ("break_promise", S.OPEN),
    ("break_promise", S.PARTIALLY_PAID),
    ("break_promise", S.UNCOLLECTIBLE),
}
REFUSED = sorted({(t, s) for t in TRANSITIONS for s in S} - ALLOWED)


class TestTransitionTable:
    def test_the_published_table_is_the_one_specified(self) -> None:
        """TRANSITIONS holds exactly the allowed (transition, status) pairs written out here."""
        actual = {(t, s) for t, statuses in TRANSITIONS.items() for s in statuses}
        assert ALLOWED == actual

    @pytest.mark.parametrize(("transition", "status"), sorted(ALLOWED))
    def test_allowed_transitions_succeed_and_keep_every_invariant(
        self, transition: str, status: InvoiceStatus
    ) -> None:
        """An allowed transition returns a new invoice the checker finds nothing wrong with."""
        before = _prepared(transition, status)
        after = _call(transition)(before)
        assert () == check_invoice(after)

    @pytest.mark.parametrize(("transition", "status"), REFUSED)
    def test_forbidden_transitions_are_refused_naming_transition_and_status(
        self, transition: str, status: InvoiceStatus
    ) -> None:
        """A pair outside the table raises InvalidTransition carrying both names."""
        with pytest.raises(InvalidTransition) as caught:
            _call(transition)(_prepared(transition, status))
        assert (transition, str(status)) == (caught.value.transition, caught.value.status)


class TestStatusOf:
    @pytest.mark.parametrize("status", list(S))
    def test_status_is_derived_from_facts(self, status: InvoiceStatus) -> None:
        """Each status follows from the invoice's dates and amounts alone."""
        assert status == status_of(with_status(status))

    def test_a_written_off_invoice_paid_in_full_is_paid(self) -> None:
        """Money covering an uncollectible invoice makes it paid; the write-off stays history."""
        written_off = with_status(S.UNCOLLECTIBLE)
        paid = apply_allocation(written_off, allocation(written_off, 100_000), at=LATER)
        assert (S.PAID, LATER, written_off.marked_uncollectible_at) == (
            status_of(paid),
            paid.paid_at,
            paid.marked_uncollectible_at,
        )

    def test_a_zero_total_invoice_is_open_with_nothing_due(self) -> None:
        """Fully paid needs a positive total, as the checker's paid_at rule does."""
        assert S.OPEN == status_of(issued(total=0))


class TestOverdue:
    def test_not_overdue_during_the_due_day_in_the_partners_zone(self) -> None:
        """Due on the 10th: at 23:30 on the 10th in Los Angeles (07:30 UTC the 11th) not overdue."""
        invoice = issued(partner=acme("America/Los_Angeles"))
        at = dt.datetime(2026, 11, 11, 7, 30, tzinfo=UTC)
        assert (False, 0) == (is_overdue(invoice, at), days_past_due(invoice, at))

    def test_overdue_from_midnight_after_the_due_day_in_the_partners_zone(self) -> None:
        """Due on the 10th: at 00:00 on the 11th in Auckland (11:00 UTC the 10th) overdue."""
        invoice = issued(partner=acme("Pacific/Auckland"))
        at = dt.datetime(2026, 11, 10, 11, 0, tzinfo=UTC)
        assert (True, 1) == (is_overdue(invoice, at), days_past_due(invoice, at))

    def test_utc_is_the_zone_without_a_partner_time_zone(self) -> None:
        """Without a partner zone the day turns at midnight UTC."""
        invoice = issued()
        assert (0, 1, 21) == (
            days_past_due(invoice, dt.datetime(2026, 11, 10, 23, 59, tzinfo=UTC)),
            days_past_due(invoice, dt.datetime(2026, 11, 11, 0, 0, tzinfo=UTC)),
            days_past_due(invoice, LATER),
        )

    def test_the_due_day_is_the_date_the_api_wrote(self) -> None:
        """A midnight-UTC due date is the 10th in Los Angeles too, not the 9th."""
        invoice = issued(partner=acme("America/Los_Angeles"))
        at = dt.datetime(2026, 11, 10, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=-8)))
        assert 0 == days_past_due(invoice, at)

    @pytest.mark.parametrize("status", [S.DRAFT, S.PAID, S.VOID, S.UNCOLLECTIBLE])
    def test_only_open_or_partially_paid_invoices_are_overdue(self, status: S) -> None:
        """Drafts, paid, void and written-off invoices are never overdue."""
        assert False is is_overdue(with_status(status), LATER)

    def test_a_naive_instant_is_refused(self) -> None:
        """A naive instant has no day in any zone."""
        with pytest.raises(ValueError, match="timezone-aware"):
            is_overdue(issued(), dt.datetime(2026, 12, 1))


class TestIssueAndVoid:
    def test_issuing_sets_issued_at(self) -> None:
        """A draft issued at an instant becomes open with that issued_at."""
        invoice = issue(draft(), at=ISSUED_AT)
        assert (S.OPEN, ISSUED_AT) == (status_of(invoice), invoice.issued_at)

    def test_issuing_after_the_due_day_is_refused(self) -> None:
        """An invoice is issued no later than the day it is due."""
        with pytest.raises(InvalidTransition, match="after the due date"):
            issue(draft(), at=DUE_AT + dt.timedelta(days=1))

    def test_issuing_during_the_due_day_is_allowed(self) -> None:
        """A due date is a whole day: issuing later that same day is allowed and consistent."""
        invoice = issue(draft(), at=DUE_AT + dt.timedelta(hours=1))
        assert (S.OPEN, ()) == (status_of(invoice), check_invoice(invoice))

    def test_paid_to_void_is_refused(self) -> None:
        """A paid invoice cannot be voided: refund it first."""
        with pytest.raises(InvalidTransition) as caught:
            void(with_status(S.PAID), at=LATER)
        assert ("void", "paid") == (caught.value.transition, caught.value.status)

    def test_voiding_with_net_payments_is_refused(self) -> None:
        """A partially paid invoice carries net payments and cannot be voided."""
        with pytest.raises(InvalidTransition, match="partially_paid"):
            void(with_status(S.PARTIALLY_PAID), at=LATER)

    def test_voiding_with_a_pending_allocation_is_refused(self) -> None:
        """A pending allocation must be withdrawn before the invoice is voided."""
        invoice = issued()
        pending = apply_allocation(invoice, allocation(invoice, 500, approved=False), at=LATER)
        with pytest.raises(InvalidTransition, match="un-apply them first"):
            void(pending, at=LATER)

    def test_voiding_before_the_issue_is_refused(self) -> None:
        """Dates keep their business order: voided after issued."""
        with pytest.raises(InvalidTransition, match="before the invoice was issued"):
            void(issued(), at=ISSUED_AT - dt.timedelta(days=1))


class TestDisputeAndPromise:
    def test_a_dispute_opens_and_resolves(self) -> None:
        """Opening then resolving a dispute flips in_dispute and nothing else."""
        invoice = issued()
        disputed = open_dispute(invoice)
        assert (True, False) == (disputed.in_dispute, resolve_dispute(disputed).in_dispute)

    def test_opening_a_second_dispute_is_refused(self) -> None:
        """An invoice already in dispute cannot be put in dispute again."""
        with pytest.raises(InvalidTransition, match="already in dispute"):
            open_dispute(open_dispute(issued()))

    def test_a_new_promise_replaces_the_old_one(self) -> None:
        """A renegotiated promise keeps only the latest date."""
        later = dt.date(2026, 11, 30)
        assert (
            later == record_promise(record_promise(issued(), PROMISED), later).promised_to_pay_date
        )

    def test_keeping_a_promise_needs_money(self) -> None:
        """An open invoice (nothing paid) cannot have kept its promise."""
        with pytest.raises(InvalidTransition, match="open"):
            keep_promise(record_promise(issued(), PROMISED))

    def test_a_promise_is_broken_only_after_the_promised_day_in_the_partners_zone(self) -> None:
        """Promised for the 20th: still the 20th in Los Angeles at 06:00 UTC on the 21st."""
        invoice = record_promise(issued(partner=acme("America/Los_Angeles")), PROMISED)
        with pytest.raises(InvalidTransition, match="has not passed"):
            break_promise(invoice, at=dt.datetime(2026, 11, 21, 6, 0, tzinfo=UTC))
        broken = break_promise(invoice, at=dt.datetime(2026, 11, 21, 8, 0, tzinfo=UTC))
        assert None is broken.promised_to_pay_date

    def test_breaking_without_a_promise_is_refused(self) -> None:
        """There is nothing to break when no promise is recorded."""
        with pytest.raises(InvalidTransition, match="no promise"):
            break_promise(issued(), at=LATER)


class TestApplyAllocation:
    def test_an_approved_allocation_moves_due_to_paid(self) -> None:
        """Applying 400.00 of 1,000.00 leaves 600.00 due and 400.00 paid."""
        invoice = issued()
        paid = apply_allocation(invoice, allocation(invoice, 40_000), at=PAID_AT)
        assert (Money(60_000, "USD"), Money(40_000, "USD"), None) == (
            paid.amount_due,
            paid.amount_paid,
            paid.paid_at,
        )

    def test_paying_in_full_sets_paid_at(self) -> None:
        """The allocation that pays the invoice in full stamps paid_at."""
        invoice = issued()
        paid = apply_allocation(invoice, allocation(invoice, 100_000), at=PAID_AT)
        assert (S.PAID, PAID_AT) == (status_of(paid), paid.paid_at)

    def test_never_above_amount_due(self) -> None:
        """An allocation above what is due is refused."""
        invoice = issued()
        with pytest.raises(InvalidAllocation) as caught:
            apply_allocation(invoice, allocation(invoice, 100_001), at=PAID_AT)
        assert "exceeds_amount_due" == caught.value.code

    def test_the_same_allocation_applied_twice_is_applied_once(self) -> None:
        """Re-applying an allocation id the invoice lists changes nothing."""
        invoice = issued()
        once = apply_allocation(invoice, allocation(invoice, 40_000), at=PAID_AT)
        assert once == apply_allocation(once, allocation(once, 40_000), at=LATER)

    def test_the_same_id_with_another_amount_is_a_conflict(self) -> None:
        """One id cannot stand for two different allocations."""
        invoice = issued()
        once = apply_allocation(invoice, allocation(invoice, 40_000), at=PAID_AT)
        with pytest.raises(InvalidAllocation) as caught:
            apply_allocation(once, allocation(once, 30_000), at=PAID_AT)
        assert "allocation_conflict" == caught.value.code

    def test_a_pending_allocation_changes_no_amount_but_shows_in_the_pending_figure(self) -> None:
        """Pending 250.00 leaves amount_due at 1,000.00 and 750.00 pending remaining."""
        invoice = issued()
        pending = apply_allocation(invoice, allocation(invoice, 25_000, approved=False), at=LATER)
        assert (invoice.amount_due, Money(75_000, "USD")) == (
            pending.amount_due,
            pending_amount_remaining(pending),
        )

    def test_approving_applies_a_pending_allocation(self) -> None:
        """Approval moves the pending amount to paid and records who approved it when."""
        invoice = issued()
        pending = apply_allocation(invoice, allocation(invoice, 25_000, approved=False), at=LATER)
        approved = approve_allocation(pending, "alloc_0001", at=LATER, approver_id="usr_ines")
        assert (Money(25_000, "USD"), True, "usr_ines", LATER) == (
            approved.amount_paid,
            approved.payments[0].approved,
            approved.payments[0].approver_id,
            approved.payments[0].approved_at,
        )

    def test_unapplying_reopens_a_paid_invoice_and_clears_paid_at(self) -> None:
        """Taking a payment back off a paid invoice reopens it."""
        invoice = with_status(S.PAID)
        reopened = unapply_allocation(invoice, "alloc_0001")
        assert (S.OPEN, None, Money(100_000, "USD")) == (
            status_of(reopened),
            reopened.paid_at,
            reopened.amount_due,
        )

    def test_apply_then_unapply_restores_the_invoice_exactly(self) -> None:
        """Un-applying an allocation undoes its application to the last field."""
        invoice = with_status(S.PARTIALLY_PAID)
        applied = apply_allocation(
            invoice, allocation(invoice, 60_000, allocation_id="alloc_0002"), at=LATER
        )
        assert invoice == unapply_allocation(applied, "alloc_0002")

    def test_partial_unapply_reduces_the_allocation(self) -> None:
        """Un-applying 100.00 of a 400.00 allocation leaves 300.00 applied."""
        invoice = with_status(S.PARTIALLY_PAID)
        reduced = unapply_allocation(invoice, "alloc_0001", amount=Money(10_000, "USD"))
        assert (Money(30_000, "USD"), Money(30_000, "USD")) == (
            reduced.payments[0].amount,
            reduced.amount_paid,
        )

    def test_amount_paid_never_goes_negative(self) -> None:
        """Imperfect data where amount_paid is below an allocation cannot go negative."""
        invoice = with_status(S.PARTIALLY_PAID)
        broken = attrs.evolve(
            invoice, amount_paid=Money(10_000, "USD"), amount_due=Money(90_000, "USD")
        )
        with pytest.raises(InvalidAllocation) as caught:
            unapply_allocation(broken, "alloc_0001")
        assert "amount_paid_negative" == caught.value.code


# -- every transition keeps every rule, from remote-shaped invoices too -------------------


def _remote_allocation(invoice: Invoice, step: int, approved: bool) -> PaymentAllocation:
    return PaymentAllocation(
        amount=invoice.money(max(1, invoice.amount_due.minor_units // 2)),
        invoice_id=str(invoice.id),
        object="payment_allocation",
        payment_id="pay_remote",
        strategy="manual",
        id=f"alloc_remote_{step}",
        approved=approved,
    )


def _step(invoice: Invoice, name: str, step: int, at: dt.datetime) -> Invoice:
    """One transition by name, with arguments a caller would plausibly pass."""
    listed = invoice.payments[0].id if invoice.payments else "alloc_none"
    moves: dict[str, Callable[[], Invoice]] = {
        "issue": lambda: issue(invoice, at=at),
        "void": lambda: void(invoice, at=at),
        "mark_uncollectible": lambda: mark_uncollectible(invoice, at=at),
        "open_dispute": lambda: open_dispute(invoice),
        "resolve_dispute": lambda: resolve_dispute(invoice),
        "record_promise": lambda: record_promise(invoice, at.date()),
        "keep_promise": lambda: keep_promise(invoice),
        "break_promise": lambda: break_promise(invoice, at=at + dt.timedelta(days=30)),
        "apply_approved": lambda: apply_allocation(
            invoice, _remote_allocation(invoice, step, True), at=at
        ),
        "apply_pending": lambda: apply_allocation(
            invoice, _remote_allocation(invoice, step, False), at=at
        ),
        "approve_allocation": lambda: approve_allocation(invoice, str(listed), at=at),
        "unapply_allocation": lambda: unapply_allocation(invoice, str(listed)),
    }
    return moves[name]()


TRANSITION_NAMES = (
    "issue",
    "void",
    "mark_uncollectible",
    "open_dispute",
    "resolve_dispute",
    "record_promise",
    "keep_promise",
    "break_promise",
    "apply_approved",
    "apply_pending",
    "approve_allocation",
    "unapply_allocation",
)


class TestTransitionsKeepEveryRule:
    @pytest.mark.parametrize("first", TRANSITION_NAMES)
    @given(
        invoice=invoices(),
        remote=st.booleans(),
        then=st.lists(st.sampled_from(TRANSITION_NAMES), max_size=5),
    )
    def test_no_transition_breaks_a_rule_that_held(
        self, first: str, invoice: Invoice, remote: bool, then: list[str]
    ) -> None:
        """From a valid invoice, or its remote shape (amount_paid without the allocations,
        ADR 0007), every transition that succeeds breaks no rule that held before it."""
        names = [first, *then]
        if remote:
            invoice = attrs.evolve(invoice, payments=())
        at = (invoice.modified_at or invoice.issued_at or LATER) + dt.timedelta(days=1)
        for step, name in enumerate(names):
            before = {v.code for v in check_invoice(invoice)}
            try:
                after = _step(invoice, name, step, at)
            except (InvalidTransition, InvalidAllocation):
                continue
            broken = {v.code for v in check_invoice(after)} - before
            assert not broken, (name, broken, check_invoice(after))
            invoice = after
            at += dt.timedelta(hours=1)

    def test_an_uncollectible_invoice_with_unlisted_payments_is_not_voided(self) -> None:
        """Written off after 300.00 of 1,000.00 was paid, allocations not listed: void is
        refused, since it would leave a voided invoice carrying payments."""
        paid = apply_allocation(issued(), allocation(issued(), 30_000), at=LATER)
        remote = attrs.evolve(mark_uncollectible(paid, at=LATER), payments=())
        with pytest.raises(InvalidTransition) as caught:
            void(remote, at=LATER)
        assert "net payments of 300.00 USD" in str(caught.value)

    def test_an_allocation_beside_unlisted_payments_is_refused(self) -> None:
        """amount_paid 300.00 with no allocations listed: a new one is refused, by code."""
        paid = apply_allocation(issued(), allocation(issued(), 30_000), at=LATER)
        remote = attrs.evolve(paid, payments=())
        with pytest.raises(InvalidAllocation) as caught:
            apply_allocation(remote, allocation(remote, 100, allocation_id="alloc_2"), at=LATER)
        assert "allocations_unlisted" == caught.value.code
