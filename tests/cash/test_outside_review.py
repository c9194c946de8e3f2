"""Regressions of the outside review of the cash core (report outsider14): each test names
the bug it pins down; each failed before its fix."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from cash_builders import AT, directory, invoice, transaction
from stuut_domain.allocation import apply_result
from stuut_domain.cash import (
    MatchDecision,
    MatchPolicy,
    extract_references,
    match_transaction,
    normalise_invoice_number,
)
from stuut_domain.cash.matching import _Plan
from stuut_domain.money import Money


def usd(units: int) -> Money:
    return Money(units, "USD")


def codes(proposal) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.code for b in proposal.blockers]


class TestBug1PrefixOnlyAsItsOwnWord:
    @pytest.mark.parametrize(
        ("longer", "shorter", "prefixes"),
        [("NOVA-1234", "VA-1234", ("NO",)), ("NRG-1", "G-1", ("NR",)), ("INVAR-77", "AR-77", ())],
    )
    def test_a_prefix_inside_a_word_is_kept(
        self, longer: str, shorter: str, prefixes: tuple[str, ...]
    ) -> None:
        assert normalise_invoice_number(longer, prefixes=prefixes) != normalise_invoice_number(
            shorter, prefixes=prefixes
        )

    @pytest.mark.parametrize("written", ["Invoice 42", "INVOICE-42", "inv42", "No. 42", "NR:42"])
    def test_a_prefix_word_is_dropped(self, written: str) -> None:
        assert normalise_invoice_number(written, prefixes=("NO", "NR")) == "42"

    def test_a_memo_naming_va_1234_never_auto_applies_nova_1234(self) -> None:
        invoices = [
            invoice("inv_nova", 10000, number="NOVA-1234"),
            invoice("inv_va", 5000, number="VA-1234"),
        ]
        proposal = match_transaction(
            transaction(10000, reference="VA-1234", account="ACC1"),
            invoices,
            partners=directory(ACC1="ptn_a"),
            at=AT,
        )
        assert proposal.decision is not MatchDecision.AUTO_APPLY
        assert [line.invoice_id for line in proposal.lines] == ["inv_va"]


class TestBug2NegativePartsCreateNoMoney:
    @pytest.mark.parametrize("field", ["total_allocated", "amount_handled_outside"])
    def test_a_negative_part_is_no_match_with_its_blocker(self, field: str) -> None:
        tx = attrs.evolve(
            transaction(10000, reference="INV-1001", account="ACC1"), **{field: usd(-20000)}
        )
        proposal = match_transaction(
            tx,
            [invoice("inv_1", 10000, number="INV-1001")],
            partners=directory(ACC1="ptn_a"),
            at=AT,
        )
        assert proposal.decision is MatchDecision.NO_MATCH
        assert codes(proposal) == ["negative_part"]
        assert field in proposal.blockers[0].message
        assert proposal.result is None
        assert proposal.on_account <= usd(10000)


class TestBug5RematchPostsOnce:
    def test_the_same_transaction_matched_later_has_the_same_allocation_ids(self) -> None:
        invoices = [invoice("i1", 10000, number="INV-1001")]
        tx = transaction(4000, reference="INV-1001", account="ACC1")
        policy = MatchPolicy(auto_threshold=0.75)
        first, second = (
            match_transaction(tx, invoices, partners=directory(ACC1="ptn_a"), at=at, policy=policy)
            for at in (AT, AT + dt.timedelta(minutes=5))
        )
        assert first.result is not None
        assert second.result is not None
        ids = [[ln.allocation.id for ln in r.lines] for r in (first.result, second.result)]
        assert ids[0] == ids[1]
        once = apply_result(first.result, invoices, at=AT)
        twice = apply_result(second.result, list(once), at=AT)
        assert twice[0].amount_paid == usd(4000)


class TestBug7DatesAreNotInvoiceNumbers:
    @pytest.mark.parametrize("memo", ["paid 2026-12-01", "paid 01.12.2026", "on 12/01/2026"])
    def test_a_date_is_not_a_reference(self, memo: str) -> None:
        assert extract_references(memo) == ()

    def test_a_long_number_is_still_a_reference(self) -> None:
        assert [r.value for r in extract_references("paid 20261201-7")] == ["202612017"]

    def test_a_date_memo_does_not_auto_apply_an_invoice_it_begins(self) -> None:
        proposal = match_transaction(
            transaction(10000, reference="paid 2026-12-01"),
            [invoice("i1", 10000, number="20261201-7")],
            partners=directory(),
            at=AT,
        )
        assert proposal.decision is not MatchDecision.AUTO_APPLY

    def test_a_truncated_reference_of_an_unknown_payer_is_not_used(self) -> None:
        proposal = match_transaction(
            transaction(10000, reference="884211"),
            [invoice("i1", 10000, number="INV-8842117")],
            partners=directory(),
            at=AT,
        )
        assert proposal.decision is not MatchDecision.AUTO_APPLY
        assert any("truncated reference counts only" in note for note in proposal.notes)

    def test_a_truncated_reference_among_the_partners_invoices_counts(self) -> None:
        proposal = match_transaction(
            transaction(10000, reference="884211", account="ACC1"),
            [invoice("i1", 10000, number="INV-8842117")],
            partners=directory(ACC1="ptn_a"),
            at=AT,
        )
        assert [line.invoice_id for line in proposal.lines] == ["i1"]
        assert proposal.signals[0].part == pytest.approx(0.6)


class TestBug4TwinsAreLinear:
    def test_ties_are_not_compared_plan_by_plan(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """n same-amount twins: the alternatives are listed without comparing every plan
        with every tie (n²/2 ``_Plan.__eq__`` calls before the fix)."""
        calls = 0
        original = _Plan.__eq__

        def counting(self: _Plan, other: object) -> bool:
            nonlocal calls
            calls += 1
            return bool(original(self, other))

        monkeypatch.setattr(_Plan, "__eq__", counting)
        twins = [invoice(f"inv_{i:04d}", 10000, number=f"INV-{10000 + i}") for i in range(300)]
        proposal = match_transaction(
            transaction(10000, account="ACC1"), twins, partners=directory(ACC1="ptn_a"), at=AT
        )
        assert proposal.ambiguity == 299
        assert proposal.decision is MatchDecision.REVIEW
        assert calls <= len(twins)
