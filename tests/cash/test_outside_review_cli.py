"""Regressions of the second outside review (report outsider30, against ``stuut-domain match``):
each test names the finding it pins down; each failed before its fix."""

from __future__ import annotations

import attrs
import pytest

from cash_builders import AT, directory, invoice, transaction
from stuut_domain.cash import MatchDecision, MatchPolicy, ReferenceFormats, match_transaction
from stuut_domain.cash.matching import INCOMING_TYPES, MATCH_BLOCKER_CODES, OUTGOING_TYPES
from stuut_domain.money import Money

BOOK = (invoice("inv_1", 25000, number="INV-1001"), invoice("inv_2", 40000, number="INV-1002"))


def match(tx, **kwargs):  # type: ignore[no-untyped-def]
    return match_transaction(tx, BOOK, partners=directory(), at=AT, **kwargs)


def codes(proposal) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.code for b in proposal.blockers]


EXACT = transaction(25000, reference="INV-1001", name="Acme Corp")


def test_the_exact_case_still_auto_applies() -> None:
    assert match(EXACT).decision is MatchDecision.AUTO_APPLY


class TestFinding1MoneyGoingOutIsNeverAPayment:
    @pytest.mark.parametrize("kind", [*sorted(OUTGOING_TYPES), "Withdrawal", " DEBIT "])
    def test_an_outgoing_type_is_no_match(self, kind: str) -> None:
        proposal = match(attrs.evolve(EXACT, type=kind, is_payment=None))
        assert proposal.decision is MatchDecision.NO_MATCH
        assert codes(proposal) == ["not_a_payment"]
        assert proposal.on_account == Money(25000, "USD")

    def test_an_unknown_type_waits_for_a_person(self) -> None:
        proposal = match(attrs.evolve(EXACT, type="reversal"))
        assert proposal.decision is MatchDecision.REVIEW
        assert "unknown_transaction_type" in codes(proposal)

    @pytest.mark.parametrize("kind", [None, *sorted(INCOMING_TYPES)])
    def test_incoming_types_and_no_type_are_payments(self, kind: str | None) -> None:
        assert match(attrs.evolve(EXACT, type=kind)).decision is MatchDecision.AUTO_APPLY


class TestFinding2UnsettledMoneyIsNotAutoApplied:
    @pytest.mark.parametrize("change", [{"is_draft": True}, {"posted": False}])
    def test_a_draft_or_unposted_transaction_waits(self, change: dict[str, bool]) -> None:
        proposal = match(attrs.evolve(EXACT, **change))
        assert proposal.decision is MatchDecision.REVIEW
        assert codes(proposal) == ["not_posted"]
        assert [line.invoice_id for line in proposal.lines] == ["inv_1"]  # still proposed


class TestFinding3AnOverpaymentWaits:
    @pytest.mark.parametrize("units", [25001, 35000, 75000, 2_500_000])
    def test_more_than_the_invoice_is_reviewed(self, units: int) -> None:
        proposal = match(attrs.evolve(EXACT, amount=Money(units, "USD")))
        assert proposal.decision is MatchDecision.REVIEW
        assert "on_account_remainder" in codes(proposal)
        assert proposal.on_account == Money(units - 25000, "USD")
        assert proposal.allocated + proposal.on_account == Money(units, "USD")

    def test_the_policy_may_allow_a_remainder_on_account(self) -> None:
        policy = MatchPolicy(auto_on_account=True)
        proposal = match(attrs.evolve(EXACT, amount=Money(35000, "USD")), policy=policy)
        assert proposal.decision is MatchDecision.AUTO_APPLY
        assert proposal.on_account == Money(10000, "USD")

    def test_the_policy_refuses_a_flag_that_is_not_a_bool(self) -> None:
        from stuut_domain.errors import InvalidMatchInput

        with pytest.raises(InvalidMatchInput) as caught:
            MatchPolicy(auto_on_account="yes")  # type: ignore[arg-type]
        assert caught.value.code == "policy_type"


class TestFinding4CutReferencesAreSaid:
    def test_more_references_than_read_block_and_are_noted(self) -> None:
        policy = MatchPolicy(formats=ReferenceFormats(max_references=1))
        tx = attrs.evolve(EXACT, description="also INV-1002")
        proposal = match(tx, policy=policy)
        assert proposal.decision is MatchDecision.REVIEW
        assert "references_truncated" in codes(proposal)
        assert any("references truncated: 2 found, the first 1 read" in n for n in proposal.notes)


def test_every_new_code_is_published() -> None:
    for code in ("unknown_transaction_type", "not_posted", "on_account_remainder"):
        assert code in MATCH_BLOCKER_CODES
    assert "references_truncated" in MATCH_BLOCKER_CODES
    assert not INCOMING_TYPES & OUTGOING_TYPES


def test_an_overclaim_names_five_claimants_and_counts_the_rest() -> None:
    from stuut_domain.cash import match_transactions

    txs = [attrs.evolve(EXACT, id=f"btx_{n:03d}") for n in range(12)]
    proposals = match_transactions(txs, BOOK, partners=directory(), at=AT)
    for proposal in proposals:
        assert proposal.decision is MatchDecision.REVIEW
        (blocker,) = [b for b in proposal.blockers if b.code == "batch_overclaim"]
        assert "btx_000, btx_001, btx_002, btx_003, btx_004 and 7 more" in blocker.message


def test_a_payment_in_another_currency_says_the_rate_in_its_rationale() -> None:
    from decimal import Decimal

    tx = attrs.evolve(EXACT, amount=Money(25000, "SEK"), currency="SEK", currency_rate=Decimal(1))
    proposal = match(tx)
    assert any(
        "paid in SEK and applied to USD at the transaction's currency_rate 1" in line
        for line in proposal.rationale
    )


def test_a_reference_to_another_partners_invoice_is_the_reason_given() -> None:
    book = (*BOOK, invoice("inv_b", 99900, number="INV-2001", partner_id="ptn_b"))
    tx = transaction(12345, reference="INV-2001", name="Acme Corp")
    proposal = match_transaction(tx, book, partners=directory(), at=AT)
    assert proposal.decision is MatchDecision.NO_MATCH
    text = " ".join(proposal.rationale)
    assert "no reference names an invoice" not in text
    assert "the references name inv_b, which cannot take it" in text
