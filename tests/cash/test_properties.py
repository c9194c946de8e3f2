"""Properties of cash application over generated cases with their true answer."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from stuut_domain.allocation import apply_result
from stuut_domain.cash import (
    MatchDecision,
    MatchProposal,
    check_bank_transaction,
    match_transaction,
)
from stuut_domain.cash.entities import BankTransaction
from stuut_domain.invariants import check_invoice, check_payment
from stuut_domain.lifecycle import pending_amount_remaining
from stuut_domain.money import Money
from stuut_domain.strategies import CASE_KINDS, CashCase, bank_transactions, cash_cases


def propose(case: CashCase, invoices=None) -> MatchProposal:  # type: ignore[no-untyped-def]
    return match_transaction(
        case.transaction,
        case.invoices if invoices is None else invoices,
        partners=case.directory,
        remittance=case.remittance,
        at=case.transaction.timestamp,  # type: ignore[arg-type]
    )


def cash_of(proposal: MatchProposal) -> dict[str, Money]:
    return {ln.invoice_id: ln.cash for ln in proposal.lines if ln.cash.is_positive()}


class TestProperties:
    @given(cash_cases())
    def test_money_is_conserved(self, case: CashCase) -> None:
        """Allocated cash + on account = what the transaction had to apply."""
        proposal = propose(case)
        assert proposal.allocated + proposal.on_account == case.transaction.on_account

    @given(cash_cases())
    def test_nothing_exceeds_what_is_open(self, case: CashCase) -> None:
        """No invoice is settled (cash + non-cash) beyond its open amount."""
        proposal = propose(case)
        by_id = {inv.id: inv for inv in case.invoices}
        for line in proposal.lines:
            assert line.settled <= pending_amount_remaining(by_id[line.invoice_id])

    @pytest.mark.slow
    @given(cash_cases(), st.randoms(use_true_random=False))
    def test_the_order_of_the_candidates_does_not_matter(
        self, case: CashCase, rnd: random.Random
    ) -> None:
        shuffled = list(case.invoices)
        rnd.shuffle(shuffled)
        assert propose(case, shuffled) == propose(case)

    @given(cash_cases())
    def test_an_auto_applied_proposal_is_right_on_unambiguous_cases(self, case: CashCase) -> None:
        proposal = propose(case)
        if not case.ambiguous and proposal.decision is MatchDecision.AUTO_APPLY:
            assert cash_of(proposal) == dict(case.cash)
            assert proposal.partner.partner_id == case.partner_id

    @given(cash_cases(kinds=("same_amount",)))
    def test_two_equally_good_answers_never_auto_apply(self, case: CashCase) -> None:
        proposal = propose(case)
        if case.ambiguous:
            assert proposal.decision is not MatchDecision.AUTO_APPLY

    @given(cash_cases())
    def test_confidence_lies_in_0_1_and_auto_needs_no_ambiguity(self, case: CashCase) -> None:
        proposal = propose(case)
        assert 0 <= proposal.confidence <= 1
        if proposal.decision is MatchDecision.AUTO_APPLY:
            assert proposal.ambiguity == 0
            assert proposal.blockers == ()
            assert proposal.result is not None
            assert all(line.approved for line in proposal.result.lines)
        elif proposal.result is not None:
            assert not any(line.approved for line in proposal.result.lines)

    @given(cash_cases())
    def test_applying_an_auto_applied_proposal_keeps_every_invariant(self, case: CashCase) -> None:
        """The proposal's result posts through apply_result like any allocation: the
        invoices and the payment still pass their checkers, and a second post changes
        nothing (apply-once ids)."""
        proposal = propose(case)
        if proposal.decision is not MatchDecision.AUTO_APPLY or proposal.result is None:
            return
        at = case.transaction.timestamp
        posted = apply_result(proposal.result, case.invoices, at=at)  # type: ignore[arg-type]
        assert all(check_invoice(inv) == () for inv in posted)
        assert check_payment(proposal.result.payment) == ()
        assert apply_result(proposal.result, posted, at=at) == posted  # type: ignore[arg-type]

    @given(bank_transactions())
    def test_generated_transactions_break_no_rule(self, tx: BankTransaction) -> None:
        assert check_bank_transaction(tx) == ()

    def test_every_kind_is_generated(self) -> None:
        from stuut_domain.strategies._cash import sample_cash_cases

        assert {c.kind for c in sample_cash_cases(len(CASE_KINDS))} == set(CASE_KINDS)


class TestStrategyArguments:
    @pytest.mark.parametrize(
        "kwargs",
        [{"kinds": ("nope",)}, {"kinds": ()}, {"partners": 1}, {"invoices_per_partner": 0}],
    )
    def test_bad_arguments_are_refused_eagerly(self, kwargs: dict) -> None:  # type: ignore[type-arg]
        with pytest.raises(InvalidArgument):
            cash_cases(**kwargs)

    @given(cash_cases(kinds=("fx",), invoices_per_partner=3))
    def test_one_kind_and_a_fixed_book_size(self, case: CashCase) -> None:
        assert case.kind == "fx"
        assert len(case.invoices) == 2 * 3
        assert case.transaction.currency == "USD"
        assert {inv.currency for inv in case.invoices} == {"EUR"}
