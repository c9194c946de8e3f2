"""Specifications of partner inference: the method, the reason, refusals on ties."""

from __future__ import annotations

import attrs
import pytest

from cash_builders import directory, transaction
from stuut_domain.cash import (
    PartnerDirectory,
    PartnerMethod,
    PartnerRule,
    infer_partner,
    name_similarity,
    normalise_name,
)
from stuut_domain.errors import InvalidMatchInput
from stuut_domain.partner import Partner


class TestMethods:
    def test_a_marked_partner_is_taken_as_given(self) -> None:
        tx = attrs.evolve(transaction(1), partner=Partner(id="ptn_b"))
        found = infer_partner(tx, directory())
        assert (found.partner_id, found.method) == ("ptn_b", PartnerMethod.GIVEN)

    def test_a_known_payer_account(self) -> None:
        found = infer_partner(
            transaction(1, account="DE44 5001 0517"), directory(DE4450010517="ptn_c")
        )
        assert (found.partner_id, found.method, found.score) == (
            "ptn_c",
            PartnerMethod.ACCOUNT,
            1.0,
        )

    def test_a_customer_number_in_the_memo(self) -> None:
        found = infer_partner(transaction(1, description="cust-2002 march"), directory())
        assert (found.partner_id, found.method) == ("ptn_b", PartnerMethod.ACCOUNT)

    def test_a_printed_iban_in_the_memo(self) -> None:
        d = directory(DE44500105175407324931="ptn_c")
        found = infer_partner(transaction(1, description="from DE44 5001 0517 5407 3249 31"), d)
        assert (found.partner_id, found.method) == ("ptn_c", PartnerMethod.ACCOUNT)

    def test_a_mapping_rule(self) -> None:
        rules = [PartnerRule(pattern=r"\bINITECH\b", partner_id="ptn_c", name="initech")]
        d = attrs.evolve(directory(), rules=tuple(rules))
        found = infer_partner(transaction(1, name="INITECH PAYROLL"), d)
        assert (found.partner_id, found.method) == ("ptn_c", PartnerMethod.RULE)
        assert "initech" in found.reason

    def test_rules_naming_two_partners_are_refused(self) -> None:
        rules = (
            PartnerRule(pattern="GROUP", partner_id="ptn_a"),
            PartnerRule(pattern="GROUP", partner_id="ptn_b"),
        )
        found = infer_partner(transaction(1, name="GROUP"), attrs.evolve(directory(), rules=rules))
        assert found.partner_id is None
        assert found.ambiguous
        assert found.candidates == ("ptn_a", "ptn_b")

    def test_a_fuzzy_name(self) -> None:
        found = infer_partner(transaction(1, name="GLOBEX G.M.B.H."), directory())
        assert (found.partner_id, found.method) == ("ptn_b", PartnerMethod.NAME)

    def test_two_names_scoring_the_same_are_refused(self) -> None:
        d = PartnerDirectory.of(
            [Partner(id="p1", name="Acme Inc"), Partner(id="p2", name="Acme GmbH")]
        )
        found = infer_partner(transaction(1, name="ACME"), d)
        assert found.partner_id is None
        assert found.ambiguous
        assert found.candidates == ("p1", "p2")

    def test_the_partner_of_the_invoice_numbers(self) -> None:
        found = infer_partner(transaction(1), directory(), invoice_owners=["ptn_c"])
        assert (found.partner_id, found.method) == ("ptn_c", PartnerMethod.INVOICE)

    def test_invoice_numbers_of_several_partners_are_ambiguous(self) -> None:
        found = infer_partner(transaction(1), directory(), invoice_owners=["ptn_a", "ptn_c"])
        assert found.partner_id is None
        assert found.ambiguous

    def test_nobody(self) -> None:
        found = infer_partner(transaction(1, name="Zyx Qwv"), directory())
        assert (found.partner_id, found.method) == (None, PartnerMethod.NONE)


class TestSharedPayers:
    def test_a_counterparty_of_several_partners_is_ambiguous(self) -> None:
        tx = transaction(1, account="ACC", partner_count=2)
        found = infer_partner(tx, directory(ACC="ptn_a"))
        assert found.partner_id == "ptn_a"
        assert found.ambiguous
        assert "2 partners" in found.reason

    def test_unless_the_invoice_numbers_settle_which(self) -> None:
        tx = transaction(1, account="ACC", partner_count=2)
        found = infer_partner(tx, directory(ACC="ptn_a"), invoice_owners=["ptn_a"])
        assert not found.ambiguous

    def test_a_conflict_between_account_and_invoice_numbers_is_named(self) -> None:
        found = infer_partner(
            transaction(1, account="ACC"), directory(ACC="ptn_a"), invoice_owners=["ptn_b"]
        )
        assert found.partner_id == "ptn_a"
        assert found.conflict is not None
        assert "ptn_b" in found.conflict


class TestNames:
    def test_legal_forms_and_punctuation_are_not_the_name(self) -> None:
        assert normalise_name("The ACME, Inc.") == ("acme",)

    def test_similarity(self) -> None:
        assert name_similarity(("acme",), ("acme",)) == 1
        assert name_similarity((), ("acme",)) == 0
        assert 0 < name_similarity(("acme", "west"), ("acme",)) <= 1


class TestBadInput:
    def test_a_rule_that_is_no_regular_expression(self) -> None:
        with pytest.raises(InvalidMatchInput) as caught:
            PartnerRule(pattern="(", partner_id="p")
        assert caught.value.code == "partner_rule_pattern"

    def test_a_name_cutoff_outside_0_1(self) -> None:
        with pytest.raises(InvalidMatchInput):
            PartnerDirectory.of([], name_cutoff=80)
