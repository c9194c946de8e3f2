"""Specifications of match_transaction: every rule, explained, and the bad-input list."""

from __future__ import annotations

import datetime as dt
import pathlib
import re
from decimal import Decimal

import attrs
import pytest

import stuut_domain.cash
from cash_builders import AT, directory, invoice, transaction
from stuut_domain.allocation import apply_result
from stuut_domain.cash import (
    MATCH_BLOCKER_CODES,
    AgentMetrics,
    MatchDecision,
    MatchPolicy,
    Remittance,
    RemittanceLine,
    SettlementKind,
    Tolerance,
    match_transaction,
)
from stuut_domain.errors import InvalidMatchInput, NaiveDatetime
from stuut_domain.money import Money

ROOT = pathlib.Path(stuut_domain.cash.__file__).parent

BOOK = [
    invoice("inv_1", 10000, number="INV-1001", due_days_ago=5),
    invoice("inv_2", 25000, number="INV-1002"),
    invoice("inv_3", 10000, number="INV-1003", due_days_ago=40),
    invoice("inv_4", 33000, number="INV-1004", po="PO-778"),
    invoice("inv_9", 5000, number="INV-2001", partner_id="ptn_b"),
]
ACME = directory(ACC1="ptn_a", ACC2="ptn_b")


def usd(units: int) -> Money:
    return Money(units, "USD")


def match(tx, invoices=BOOK, **kwargs):  # type: ignore[no-untyped-def]
    return match_transaction(tx, invoices, partners=ACME, at=AT, **kwargs)


def codes(proposal) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.code for b in proposal.blockers]


def cash(proposal) -> dict[str, Money]:  # type: ignore[no-untyped-def]
    return {line.invoice_id: line.cash for line in proposal.lines}


class TestExactReference:
    def test_an_exact_reference_and_amount_auto_apply(self) -> None:
        proposal = match(transaction(25000, reference="inv 1002", account="ACC1"))
        assert proposal.decision is MatchDecision.AUTO_APPLY
        assert proposal.ambiguity == 0
        assert 0.8 <= proposal.confidence <= 1
        assert cash(proposal) == {"inv_2": usd(25000)}
        assert proposal.on_account == usd(0)
        assert proposal.blockers == ()
        assert proposal.result is not None
        assert all(ln.approved for ln in proposal.result.lines)
        assert proposal.result.lines[0].allocation.strategy == "automatic"

    def test_every_signal_is_named_and_explained(self) -> None:
        proposal = match(transaction(25000, reference="INV-1002", account="ACC1"))
        assert [s.name for s in proposal.signals] == [
            "reference",
            "amount",
            "partner",
            "date",
            "currency",
        ]
        assert all(s.explanation for s in proposal.signals)
        assert "INV-1002" in proposal.lines[0].rationale
        assert any("ACC1" in line for line in proposal.rationale)

    def test_the_result_applies_once(self) -> None:
        proposal = match(transaction(25000, reference="INV-1002", account="ACC1"))
        assert proposal.result is not None
        once = apply_result(proposal.result, BOOK, at=AT)
        twice = apply_result(proposal.result, once, at=AT)
        assert once == twice
        assert once[1].amount_due == usd(0)

    def test_the_same_proposal_gets_the_same_allocation_ids(self) -> None:
        tx = transaction(25000, reference="INV-1002", account="ACC1")
        first, second = match(tx), match(tx)
        assert first.result is not None
        assert second.result is not None
        assert [ln.allocation.id for ln in first.result.lines] == [
            ln.allocation.id for ln in second.result.lines
        ]

    def test_a_po_number_names_the_invoice(self) -> None:
        proposal = match(transaction(33000, description="PO 778", account="ACC1"))
        assert cash(proposal) == {"inv_4": usd(33000)}
        assert proposal.decision is MatchDecision.AUTO_APPLY

    def test_a_truncated_reference_is_partial_evidence(self) -> None:
        book = [invoice("inv_x", 7000, number="INV-884211"), *BOOK]
        proposal = match(transaction(7000, reference="84211", account="ACC1"), book)
        assert cash(proposal) == {"inv_x": usd(7000)}
        assert proposal.signals[0].part == pytest.approx(0.6)

    def test_an_rf_creditor_reference_names_its_invoice(self) -> None:
        body = "INV1002"
        digits = "".join(str(int(c, 36)) for c in body + "RF00")
        rf = f"RF{98 - int(digits) % 97:02d}{body}"
        proposal = match(transaction(25000, reference=rf, account="ACC1"))
        assert cash(proposal) == {"inv_2": usd(25000)}
        assert "RF reference" in proposal.lines[0].rationale
        assert proposal.decision is MatchDecision.AUTO_APPLY

    def test_the_partner_of_an_invoice_number(self) -> None:
        proposal = match(transaction(5000, description="payment INV-2001"))
        assert proposal.partner.partner_id == "ptn_b"
        assert proposal.decision is MatchDecision.AUTO_APPLY


class TestAmounts:
    def test_two_invoices_of_the_same_amount_never_auto_apply(self) -> None:
        """Even with a threshold so low the confidence clears it."""
        policy = MatchPolicy(auto_threshold=0.05)
        proposal = match(transaction(10000, account="ACC1"), policy=policy)
        assert proposal.decision is MatchDecision.REVIEW
        assert proposal.ambiguity == 1
        assert "ambiguous" in codes(proposal)
        (alternative,) = proposal.alternatives
        assert "ambiguous" in alternative.why
        # the date orders them: the invoice due nearer the payment comes first
        assert cash(proposal) == {"inv_1": usd(10000)}

    def test_a_unique_exact_group(self) -> None:
        policy = MatchPolicy(auto_threshold=0.5)
        proposal = match(transaction(58000, account="ACC1"), policy=policy)
        assert set(cash(proposal)) == {"inv_2", "inv_4"}
        assert proposal.signals[1].explanation.startswith("exact group of 2")
        assert proposal.decision is MatchDecision.AUTO_APPLY

    def test_an_amount_alone_is_reviewed_by_default(self) -> None:
        proposal = match(transaction(33000, account="ACC1"))
        assert cash(proposal) == {"inv_4": usd(33000)}
        assert proposal.decision is MatchDecision.REVIEW
        assert proposal.confidence < 0.8

    def test_a_short_pay_within_tolerance_is_written_off_as_its_own_line(self) -> None:
        policy = MatchPolicy(tolerance=Tolerance(fixed={"USD": 500}))
        proposal = match(transaction(24600, reference="INV-1002", account="ACC1"), policy=policy)
        assert proposal.decision is MatchDecision.AUTO_APPLY
        assert cash(proposal) == {"inv_2": usd(24600)}
        (settlement,) = proposal.settlements
        assert settlement.kind is SettlementKind.SHORT_PAY_WRITE_OFF
        assert settlement.amount == usd(400)
        assert proposal.lines[0].settled == usd(25000)
        assert proposal.allocated == usd(24600)

    def test_a_short_pay_beyond_tolerance_pays_in_part_and_is_reviewed(self) -> None:
        proposal = match(transaction(20000, reference="INV-1002", account="ACC1"))
        assert cash(proposal) == {"inv_2": usd(20000)}
        assert proposal.settlements == ()
        assert proposal.decision is MatchDecision.REVIEW
        assert "50.00 USD stays open" in proposal.lines[0].rationale

    def test_named_invoices_paid_short_are_paid_oldest_due_first(self) -> None:
        """The allocation engine's rule: the older due invoice in full, the next in part."""
        proposal = match(transaction(30000, description="INV-1001 INV-1002", account="ACC1"))
        assert cash(proposal) == {"inv_2": usd(25000), "inv_1": usd(5000)}
        assert proposal.decision is MatchDecision.REVIEW

    def test_a_group_short_within_tolerance_writes_off_what_each_lacks(self) -> None:
        policy = MatchPolicy(tolerance=Tolerance(fixed={"USD": 300}))
        tx = transaction(34800, description="INV-1001 INV-1002", account="ACC1")
        proposal = match(tx, policy=policy)
        assert cash(proposal) == {"inv_2": usd(25000), "inv_1": usd(9800)}
        assert [(s.invoice_id, s.amount) for s in proposal.settlements] == [("inv_1", usd(200))]
        assert proposal.decision is MatchDecision.AUTO_APPLY

    def test_an_overpayment_leaves_the_rest_on_account(self) -> None:
        proposal = match(transaction(26000, reference="INV-1002", account="ACC1"))
        assert cash(proposal) == {"inv_2": usd(25000)}
        assert proposal.on_account == usd(1000)
        assert any("on account" in line for line in proposal.rationale)

    def test_a_reference_that_the_amount_contradicts_is_reviewed(self) -> None:
        proposal = match(transaction(33000, reference="INV-1001", account="ACC1"))
        assert proposal.decision is MatchDecision.REVIEW
        assert "reference_amount_conflict" in codes(proposal)

    def test_a_short_pay_on_the_reference_while_another_invoice_fits_exactly(self) -> None:
        """Within tolerance is not enough when the amount names another invoice exactly."""
        policy = MatchPolicy(tolerance=Tolerance(fixed={"USD": 5000}))
        proposal = match(transaction(25000, reference="INV-1004", account="ACC1"), policy=policy)
        assert proposal.decision is MatchDecision.REVIEW
        assert any("fits inv_2 exactly" in b.message for b in proposal.blockers)

    def test_foreign_currency_through_the_rate(self) -> None:
        book = [invoice("inv_e", 9200, number="INV-3001", currency="EUR")]
        tx = transaction(10000, reference="INV-3001", account="ACC1", rate=Decimal("0.92"))
        proposal = match(tx, book)
        assert cash(proposal) == {"inv_e": Money(9200, "EUR")}
        assert proposal.lines[0].cost == usd(10000)
        assert proposal.signals[4].part == 0.5


class TestRemittances:
    def test_discounts_and_withholdings_are_settlements_not_cash(self) -> None:
        rem = Remittance(
            currency="USD",
            agent_confidence_score=0.97,
            allocations=(
                RemittanceLine(
                    invoice_number="INV-1002",
                    amount_paid=usd(24000),
                    amount_discount=usd(500),
                    amount_withheld=usd(500),
                ),
            ),
        )
        proposal = match(transaction(24000, account="ACC1"), remittance=rem)
        assert cash(proposal) == {"inv_2": usd(24000)}
        assert {s.kind for s in proposal.settlements} == {
            SettlementKind.EARLY_PAYMENT_DISCOUNT,
            SettlementKind.WITHHOLDING,
        }
        assert proposal.lines[0].settled == usd(25000)
        assert proposal.decision is MatchDecision.AUTO_APPLY
        assert proposal.confidence <= 0.97

    def test_a_line_number_as_written_is_resolved_like_a_reference(self) -> None:
        rem = Remittance(
            currency="USD",
            allocations=(
                RemittanceLine(invoice_number="inv lOO2", amount_paid=usd(25000)),
                RemittanceLine(invoice_number="1003", amount_paid=usd(10000)),
            ),
        )
        proposal = match(transaction(35000, account="ACC1"), remittance=rem)
        assert cash(proposal) == {"inv_2": usd(25000), "inv_3": usd(10000)}
        assert proposal.decision is MatchDecision.AUTO_APPLY

    def test_a_line_naming_no_open_invoice_is_reviewed(self) -> None:
        rem = Remittance(
            currency="USD",
            allocations=(
                RemittanceLine(invoice_number="INV-1002", amount_paid=usd(25000)),
                RemittanceLine(invoice_number="INV-7777", amount_paid=usd(1000)),
            ),
        )
        proposal = match(transaction(26000, account="ACC1"), remittance=rem)
        assert proposal.decision is MatchDecision.REVIEW
        assert "remittance_line_unresolved" in codes(proposal)
        assert any("INV-7777" in b.message for b in proposal.blockers)
        assert proposal.on_account == usd(1000)

    def test_the_agent_score_caps_the_confidence(self) -> None:
        rem = Remittance(
            currency="USD",
            agent_confidence_score=0.4,
            allocations=(RemittanceLine(invoice_number="INV-1002", amount_paid=usd(25000)),),
        )
        proposal = match(transaction(25000, account="ACC1"), remittance=rem)
        assert proposal.confidence == pytest.approx(0.4)
        assert proposal.decision is MatchDecision.REVIEW

    def test_a_remittance_settling_more_than_is_open_is_cut_and_reviewed(self) -> None:
        rem = Remittance(
            currency="USD",
            allocations=(
                RemittanceLine(
                    invoice_number="INV-1002", amount_paid=usd(25500), amount_discount=usd(300)
                ),
            ),
        )
        proposal = match(transaction(25500, account="ACC1"), remittance=rem)
        assert proposal.decision is MatchDecision.REVIEW
        assert cash(proposal) == {"inv_2": usd(25000)}
        assert proposal.settlements == ()
        assert proposal.on_account == usd(500)
        assert any("remittance_line_exceeds_open" in b.message for b in proposal.blockers)

    def test_a_remittance_whose_lines_do_not_sum_is_reviewed(self) -> None:
        rem = Remittance(
            currency="USD",
            allocations=(RemittanceLine(invoice_number="INV-1002", amount_paid=usd(20000)),),
        )
        proposal = match(transaction(25000, account="ACC1"), remittance=rem)
        assert proposal.decision is MatchDecision.REVIEW
        assert any("remittance_lines_sum" in b.message for b in proposal.blockers)


class TestPartners:
    def test_an_ambiguous_payer_is_reviewed(self) -> None:
        tx = transaction(25000, reference="INV-9999", account="ACC1", partner_count=3)
        proposal = match(tx)
        assert proposal.decision is MatchDecision.REVIEW
        assert proposal.partner.ambiguous

    def test_another_partners_invoice_named_in_the_text_is_rejected_with_why(self) -> None:
        proposal = match(transaction(25000, description="INV-2001 INV-1002", account="ACC1"))
        assert any("ptn_b" in a.why and a.invoice_ids == ("inv_9",) for a in proposal.alternatives)
        assert proposal.decision is MatchDecision.REVIEW


class TestBlockerCodes:
    def test_every_code_the_matcher_uses_is_published(self) -> None:
        """Services branch on the codes: each one used is in MATCH_BLOCKER_CODES."""
        source = (ROOT / "matching.py").read_text(encoding="utf-8")
        batch = (ROOT / "batch.py").read_text(encoding="utf-8")
        used = set(re.findall(r'_blocker\(\s*"([a-z_]+)"', source))
        used |= set(re.findall(r'code="([a-z_]+)"', batch))
        assert used
        assert used <= set(MATCH_BLOCKER_CODES)

    def test_a_blocker_reads_with_its_code(self) -> None:
        proposal = match(transaction(0))
        assert str(proposal.blockers[0]).startswith("[amount_not_positive] ")
        assert proposal.as_record()["blockers"] == "amount_not_positive"


class TestBadInput:
    def test_a_currency_no_invoice_uses(self) -> None:
        proposal = match(transaction(100, currency="JPY"))
        assert proposal.decision is MatchDecision.NO_MATCH
        assert codes(proposal) == ["currency_unpayable"]
        assert "JPY" in proposal.blockers[0].message
        assert proposal.on_account == Money(100, "JPY")

    @pytest.mark.parametrize("units", [0, -500])
    def test_zero_or_negative_amounts(self, units: int) -> None:
        proposal = match(transaction(units, reference="INV-1002"))
        assert proposal.decision is MatchDecision.NO_MATCH
        assert codes(proposal) == ["amount_not_positive"]

    def test_not_a_payment(self) -> None:
        tx = attrs.evolve(transaction(25000), is_payment=False, non_payment_reason="loan")
        assert match(tx).decision is MatchDecision.NO_MATCH

    def test_nothing_left_to_apply(self) -> None:
        tx = attrs.evolve(transaction(25000), total_allocated=usd(25000))
        proposal = match(tx)
        assert proposal.decision is MatchDecision.NO_MATCH
        assert codes(proposal) == ["nothing_left"]

    def test_a_reference_longer_than_any_invoice_number(self) -> None:
        proposal = match(transaction(25000, reference="INV-" + "1002" * 30, account="ACC1"))
        assert proposal.decision is not MatchDecision.AUTO_APPLY

    def test_a_megabyte_of_memo_is_read_only_up_to_the_bound(self) -> None:
        memo = "INV-1002 " + "garbage " * 130_000
        proposal = match(transaction(25000, description=memo, account="ACC1"))
        assert cash(proposal) == {"inv_2": usd(25000)}
        assert any("not read" in note for note in proposal.notes)

    def test_no_partner_and_no_reference_is_no_match(self) -> None:
        proposal = match(transaction(12345))
        assert proposal.decision is MatchDecision.NO_MATCH

    def test_ten_thousand_open_invoices_of_one_partner(self) -> None:
        book = [
            invoice(f"inv_{i:05d}", 1000 + (i * 7919) % 900_000, number=f"N-{i}")
            for i in range(10_000)
        ]
        proposal = match(transaction(2_345_678, account="ACC1"), book)
        assert proposal.decision is not MatchDecision.AUTO_APPLY
        assert proposal.search_truncated is not None
        assert any(note.startswith("search truncated") for note in proposal.notes)

    def test_a_transaction_without_an_amount_is_refused(self) -> None:
        tx = attrs.evolve(transaction(1), amount=None)
        with pytest.raises(InvalidMatchInput) as caught:
            match(tx)
        assert caught.value.code == "transaction_incomplete"

    def test_a_naive_instant_is_refused(self) -> None:
        with pytest.raises(NaiveDatetime):
            match_transaction(transaction(1), BOOK, partners=ACME, at=dt.datetime(2026, 1, 1))

    def test_an_agent_score_off_the_stated_scale_is_refused(self) -> None:
        tx = attrs.evolve(transaction(25000), agent_metrics=AgentMetrics(confidence_score=90))
        with pytest.raises(InvalidMatchInput) as caught:
            match(tx)
        assert caught.value.code == "confidence_scale"
        assert match(tx, policy=MatchPolicy(agent_score_scale=100)).transaction_id == "btx_1"

    def test_an_invoice_given_twice_is_refused(self) -> None:
        with pytest.raises(InvalidMatchInput):
            match(transaction(1), [BOOK[0], BOOK[0]])

    @pytest.mark.parametrize(
        "changes",
        [
            {"auto_threshold": 0},
            {"auto_threshold": 90},
            {"max_group_size": 6},
            {"weights": {"reference": 1.0}},
            {
                "weights": {
                    "reference": 0.5,
                    "amount": 0.5,
                    "partner": 0.5,
                    "date": 0,
                    "currency": 0,
                }
            },
            {"agent_score_scale": 10},
            {"max_group_candidates": 1},
            {"date_horizon_days": 0},
        ],
    )
    def test_a_policy_that_cannot_hold_is_refused(self, changes: dict) -> None:  # type: ignore[type-arg]
        with pytest.raises(InvalidMatchInput):
            MatchPolicy(**changes)
