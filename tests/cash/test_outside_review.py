"""Regressions of the outside review of the cash core (report outsider14): each test names
the bug it pins down; each failed before its fix."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest

from cash_builders import AT, directory, invoice, transaction
from stuut_domain.allocation import apply_result
from stuut_domain.cash import (
    MatchDecision,
    MatchPolicy,
    PartnerDirectory,
    PartnerMethod,
    PartnerRule,
    ReferenceFormats,
    Remittance,
    RemittanceLine,
    check_remittance,
    exact_groups,
    extract_references,
    infer_partner,
    match_report,
    match_transaction,
    name_similarity,
    normalise_invoice_number,
    normalise_name,
    rf_reference_is_valid,
)
from stuut_domain.cash.matching import _Plan
from stuut_domain.errors import InvalidMatchInput
from stuut_domain.money import Money
from stuut_domain.partner import Partner


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


class TestBug3RemittanceInAnotherCurrency:
    @pytest.mark.parametrize("currency", ["EUR", None])
    def test_a_foreign_remittance_is_review_with_remittance_currency(
        self, currency: str | None
    ) -> None:
        line = RemittanceLine(invoice_number="INV-1001", amount_paid=Money(10000, "EUR"))
        rem = Remittance(currency=currency, allocations=(line,))
        proposal = match_transaction(
            transaction(10000, reference="INV-1001", account="ACC1"),
            [invoice("inv_1", 10000, number="INV-1001")],
            partners=directory(ACC1="ptn_a"),
            at=AT,
            remittance=rem,
        )
        assert proposal.decision is MatchDecision.REVIEW
        assert "remittance_rule" in codes(proposal)
        assert any("remittance_currency" in b.message for b in proposal.blockers)

    def test_check_remittance_names_the_lines_currency(self) -> None:
        line = RemittanceLine(invoice_number="INV-1001", amount_paid=Money(10000, "EUR"))
        found = check_remittance(
            Remittance(allocations=(line,)), transaction=transaction(10000, account="ACC1")
        )
        assert [v.code for v in found] == ["remittance_currency"]


class TestBug6ANameThatContainsAnotherIsNotPerfect:
    @pytest.mark.parametrize(
        ("partner", "payer"),
        [("Global Inc", "GLOBAL PAYMENTS PROCESSING LLC"), ("America Corp", "Bank of America")],
    )
    def test_a_subset_of_words_is_no_name_match(self, partner: str, payer: str) -> None:
        assert name_similarity(normalise_name(partner), normalise_name(payer)) < 0.85
        found = infer_partner(
            transaction(1, name=payer), PartnerDirectory.of([Partner(id="ptn_g", name=partner)])
        )
        assert found.partner_id is None

    def test_a_subset_name_does_not_auto_apply(self) -> None:
        partners = PartnerDirectory.of([Partner(id="ptn_g", name="Global Inc")])
        proposal = match_transaction(
            transaction(10000, name="GLOBAL PAYMENTS PROCESSING LLC", reference="Ref 45678"),
            [invoice("i1", 10000, number="INV-2026-45678", partner_id="ptn_g")],
            partners=partners,
            at=AT,
        )
        assert proposal.decision is not MatchDecision.AUTO_APPLY

    def test_an_identical_name_scores_below_an_account(self) -> None:
        found = infer_partner(transaction(1, name="Globex GmbH"), directory())
        assert found.method is PartnerMethod.NAME
        assert found.partner_id == "ptn_b"
        assert found.score < 0.9

    def test_a_huge_payer_name_is_cut_in_the_reason(self) -> None:
        found = infer_partner(transaction(1, name="Globex " + "x" * 25000), directory())
        assert len(found.reason) < 400


class TestBug8PayerStatedDiscountsAndPartner:
    def _match(self, rem: Remittance, policy: MatchPolicy | None = None):  # type: ignore[no-untyped-def]
        invoices = [
            invoice("inv_1", 10000, number="INV-1001"),
            invoice("inv_2", 5000, number="INV-1002"),
        ]
        return match_transaction(
            transaction(10000, account="ACC1"),
            invoices,
            partners=directory(ACC1="ptn_a"),
            at=AT,
            remittance=rem,
            **({"policy": policy} if policy else {}),
        )

    def test_a_whole_invoice_discounted_is_review(self) -> None:
        rem = Remittance(
            currency="USD",
            allocations=(
                RemittanceLine(invoice_number="INV-1001", amount_paid=usd(10000)),
                RemittanceLine(invoice_number="INV-1002", amount_discount=usd(5000)),
            ),
        )
        proposal = self._match(rem)
        assert proposal.decision is MatchDecision.REVIEW
        assert "remittance_discount_excessive" in codes(proposal)

    def test_a_discount_within_the_limit_still_auto_applies(self) -> None:
        rem = Remittance(
            currency="USD",
            allocations=(
                RemittanceLine(
                    invoice_number="INV-1002", amount_paid=usd(4850), amount_discount=usd(150)
                ),
                RemittanceLine(invoice_number="INV-1001", amount_paid=usd(5150)),
            ),
        )
        proposal = self._match(rem)
        assert "remittance_discount_excessive" not in codes(proposal)

    def test_the_remittances_partner_against_the_account(self) -> None:
        rem = Remittance(
            currency="USD",
            partner="ptn_b",
            allocations=(RemittanceLine(invoice_number="INV-1001", amount_paid=usd(10000)),),
        )
        proposal = self._match(rem)
        assert proposal.decision is MatchDecision.REVIEW
        assert "partner_conflict" in codes(proposal)

    @pytest.mark.parametrize("limit", [-1, 101, 5.0, "5", True, Decimal("NaN")])
    def test_the_discount_limit_is_checked(self, limit: object) -> None:
        with pytest.raises(InvalidMatchInput):
            MatchPolicy(max_discount_percent=limit)  # type: ignore[arg-type]


class TestSmallerFindings:
    def test_a_suffix_with_its_leading_zero_is_long_enough(self) -> None:
        proposal = match_transaction(
            transaction(10000, reference="05001", account="ACC1"),
            [invoice("i1", 10000, number="INV-2026-05001")],
            partners=directory(ACC1="ptn_a"),
            at=AT,
        )
        assert [line.invoice_id for line in proposal.lines] == ["i1"]
        assert "suffix" in proposal.signals[0].explanation

    def test_a_complete_group_search_is_not_truncated(self) -> None:
        assert exact_groups([5, 5], 10, max_groups=1).truncated is None
        assert exact_groups([5, 5, 5], 10, max_groups=1).truncated == "stopped at 1 groups"

    @pytest.mark.parametrize(("rf", "valid"), [("RF0154", False), ("RF9854", True)])
    def test_rf_check_digits_run_02_to_98(self, rf: str, valid: bool) -> None:
        assert rf_reference_is_valid(rf) is valid

    @pytest.mark.parametrize(
        "field",
        [
            {"auto_threshold": "0.8"},
            {"max_group_size": "3"},
            {"date_horizon_days": float("nan")},
            {
                "weights": {
                    "reference": float("nan"),
                    "amount": 0.3,
                    "partner": 0.25,
                    "date": 0.05,
                    "currency": 0.05,
                }
            },
        ],
    )
    def test_a_policy_of_the_wrong_type_is_refused(self, field: dict[str, object]) -> None:
        with pytest.raises(InvalidMatchInput):
            MatchPolicy(**field)  # type: ignore[arg-type]

    def test_wrong_arguments_are_typed_refusals(self) -> None:
        d = directory(ACC1="ptn_a")
        with pytest.raises(InvalidMatchInput, match="invoice_type"):
            match_transaction(transaction(1), [None], partners=d, at=AT)  # type: ignore[list-item]
        with pytest.raises(InvalidMatchInput, match="argument_type"):
            match_transaction(transaction(1), [], partners=[], at=AT)  # type: ignore[arg-type]
        with pytest.raises(InvalidMatchInput, match="reference_text"):
            normalise_invoice_number(None)  # type: ignore[arg-type]
        with pytest.raises(InvalidMatchInput, match="reference_text"):
            extract_references(b"INV-1")  # type: ignore[arg-type]

    def test_the_line_item_rate_counts_cash_lines_on_both_sides(self) -> None:
        invoices = [
            invoice("inv_1", 10000, number="INV-1001"),
            invoice("inv_2", 5000, number="INV-1002"),
        ]
        rem = Remittance(
            currency="USD",
            allocations=(
                RemittanceLine(invoice_number="INV-1001", amount_paid=usd(10000)),
                RemittanceLine(invoice_number="INV-1002", amount_discount=usd(150)),
            ),
        )
        proposal = match_transaction(
            transaction(10000, account="ACC1"),
            invoices,
            partners=directory(ACC1="ptn_a"),
            at=AT,
            remittance=rem,
        )
        report = match_report([proposal])
        assert report.lines == 1

    def test_a_huge_counterparty_is_cut_in_the_reason(self) -> None:
        tx = transaction(1, name="x" * 25000, account="ACC9", partner_count=3)
        found = infer_partner(tx, directory())
        assert found.ambiguous
        assert len(found.reason) < 400

    @pytest.mark.parametrize("pattern", ["(a+)+$", r"(\w*x)*", "(a+){2,}"])
    def test_a_catastrophic_rule_pattern_is_refused(self, pattern: str) -> None:
        with pytest.raises(InvalidMatchInput, match="partner_rule_pattern"):
            PartnerRule(pattern=pattern, partner_id="ptn_a")

    @pytest.mark.parametrize("pattern", [r"acme\s+(corp|inc)", "(ab)+", r"(x\+)+"])
    def test_an_ordinary_rule_pattern_is_kept(self, pattern: str) -> None:
        assert PartnerRule(pattern=pattern, partner_id="ptn_a").partner_id == "ptn_a"

    @pytest.mark.parametrize(
        "bad", [{"max_text": -1}, {"min_truncated": 0}, {"max_token": "40"}, {"po_prefixes": "PO"}]
    )
    def test_reference_formats_out_of_range_are_refused(self, bad: dict[str, object]) -> None:
        with pytest.raises(InvalidMatchInput, match="reference_formats"):
            ReferenceFormats(**bad)  # type: ignore[arg-type]
