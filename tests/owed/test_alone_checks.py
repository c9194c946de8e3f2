"""The rules of one owed entity that need no invoice (ADR 0072): what ``check`` runs on a
single credit note, customer credit, dispute or promise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from owed_builders import days, invoice, note, usd
from stuut_domain import strategies
from stuut_domain.allocation import AllocationRule, ApprovalPolicy
from stuut_domain.errors import OwedRefused
from stuut_domain.owed import (
    CustomerCredit,
    Dispute,
    DisputeLine,
    Promise,
    PromisedInvoice,
    apply_credit_note,
    check_dispute,
    check_promise,
    spend_credit,
    void_credit_note,
)
from stuut_domain.owed.checks import (
    OWED_RULES,
    check_alone,
    check_customer_credit,
    check_dispute_alone,
    check_note,
    check_promise_alone,
    violation_of,
)
from stuut_domain.strategies import CreditScenario

HEAVY = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _applied(scenario: CreditScenario) -> list[Any]:
    """The scenario's notes applied in order, and the customer credits they created."""
    current, done, found = scenario.invoice, [], []
    for index, (item, split) in enumerate(zip(scenario.notes, scenario.splits, strict=True)):
        application = apply_credit_note(
            current,
            item,
            disposition=split,
            at=scenario.at,
            earlier=tuple(done),
            credit_id=f"credit_{index}",
        )
        current = application.invoice
        done.append(application.note)
        found.append(application.note)
        if application.customer_credit is not None:
            found.append(application.customer_credit)
    return found


def _dispute(*lines: DisputeLine) -> Dispute:
    return Dispute(id="dsp_1", partner_id="ptn_acme", lines=lines, opened_at=days(3))


def _line(units: int = 500, **overrides: Any) -> DisputeLine:
    values: dict[str, Any] = {"invoice_id": "inv_1", "amount": usd(units), "reason": "other"}
    values.update(overrides)
    return DisputeLine(**values)


def _promise(**overrides: Any) -> Promise:
    values: dict[str, Any] = {
        "id": "prm_1",
        "partner_id": "ptn_acme",
        "invoices": (PromisedInvoice(invoice_id="inv_1", amount=usd(500)),),
        "promised_date": dt.date(2026, 11, 10),
        "made_at": days(3),
    }
    values.update(overrides)
    return Promise(**values)


def _codes(found: tuple[Any, ...]) -> list[tuple[str, str]]:
    return [(v.code, v.path) for v in found]


class TestEntitiesValidByConstructionPass:
    """Every entity the public strategies draw keeps every rule that needs no invoice."""

    @pytest.mark.slow
    @HEAVY
    @given(
        st.one_of(
            strategies.credit_scenarios().map(_applied),
            strategies.credit_scenarios(foreign=True).map(_applied),
            strategies.credit_scenarios().map(lambda s: list(s.notes)),
            strategies.dispute_scenarios().map(lambda s: [s.dispute]),
            strategies.promise_scenarios().map(lambda s: [s.promise]),
        )
    )
    def test_no_alone_rule_fires_on_generated_entities(self, entities: list[Any]) -> None:
        """Notes drawn and applied (in any currency), their credits, disputes, promises."""
        for entity in entities:
            assert check_alone(entity) == ()


class TestNoteAlone:
    """A note's parts are checked against what it credits in its parts' currency."""

    def test_parts_that_miss_what_the_note_credits_are_reported(self) -> None:
        """pre + post must be what the note credits: note_parts_mismatch at the root."""
        applied = apply_credit_note(
            invoice(), note(1_000), disposition=None, at=days(2), earlier=()
        ).note
        assert check_note(applied) == ()
        broken = attrs.evolve(applied, pre_payment_amount=usd(900))
        [found] = check_note(broken)
        assert (found.code, found.path) == ("note_parts_mismatch", "$")
        assert found.values == {
            "pre_payment": usd(900),
            "post_payment": usd(0),
            "credited": usd(1_000),
        }

    def test_a_split_that_misses_the_post_payment_part_is_reported(self) -> None:
        """post = refund + credit + out of band, to the minor unit."""
        applied = apply_credit_note(
            invoice(), note(1_000), disposition=None, at=days(2), earlier=()
        ).note
        broken = attrs.evolve(
            applied, pre_payment_amount=usd(990), post_payment_amount=usd(10), refund_amount=usd(9)
        )
        assert _codes(check_note(broken)) == [("post_payment_split_mismatch", "$")]

    def test_a_negative_part_is_reported_at_its_field(self) -> None:
        """An applied note's parts are zero or more (note_part_negative)."""
        applied = apply_credit_note(
            invoice(), note(1_000), disposition=None, at=days(2), earlier=()
        ).note
        broken = attrs.evolve(applied, pre_payment_amount=usd(1_010), post_payment_amount=usd(-10))
        assert _codes(check_note(broken)) == [
            ("note_part_negative", "post_payment_amount"),
            ("post_payment_split_mismatch", "$"),
        ]

    def test_a_foreign_note_is_checked_in_its_invoices_currency(self) -> None:
        """A EUR note on a USD invoice: its USD parts against floor(total × rate)."""
        eur = note(1_000, currency="EUR", exchange_rate=Decimal("1.08333"))
        applied = apply_credit_note(invoice(), eur, disposition=None, at=days(2), earlier=()).note
        assert check_note(applied) == ()
        assert _codes(check_note(attrs.evolve(applied, pre_payment_amount=usd(1_084)))) == [
            ("note_parts_mismatch", "$")
        ]

    def test_a_void_note_takes_nothing_and_breaks_no_rule(self) -> None:
        """Voided, a note's recorded parts are history: no rule reads them."""
        applied = apply_credit_note(
            invoice(), note(1_000), disposition=None, at=days(2), earlier=()
        )
        voided = void_credit_note(applied.invoice, applied.note, at=days(3), others=()).note
        assert check_note(attrs.evolve(voided, pre_payment_amount=usd(1))) == ()

    def test_every_code_is_a_published_rule(self) -> None:
        """The note's codes are in OWED_RULES."""
        assert {"note_part_negative", "note_parts_mismatch", "post_payment_split_mismatch"} <= set(
            OWED_RULES
        )


class TestDisputeAlone:
    """A dispute's reasons and amounts are checked without its invoices."""

    def test_a_dispute_without_lines_is_reported(self) -> None:
        """dispute_without_lines at lines, as check_dispute refuses it."""
        assert _codes(check_dispute_alone(_dispute())) == [("dispute_without_lines", "lines")]
        with pytest.raises(OwedRefused, match="dispute_without_lines"):
            check_dispute(_dispute(), [invoice()])

    def test_every_unknown_reason_is_reported_not_only_the_first(self) -> None:
        """Each line's reason is checked; check_dispute would stop at the first."""
        found = check_dispute_alone(_dispute(_line(reason="bogus"), _line(reason="nope")))
        assert _codes(found) == [
            ("dispute_reason_unknown", "lines[0].reason"),
            ("dispute_reason_unknown", "lines[1].reason"),
        ]
        assert found[0].values == {"reason": "bogus"}

    def test_a_custom_reason_set_is_honoured(self) -> None:
        """An extended reason set makes a new code valid."""
        reasons = {"late_delivery": "delivered after the agreed day"}
        assert check_dispute_alone(_dispute(_line(reason="late_delivery")), reasons=reasons) == ()

    def test_amounts_not_above_zero_and_approvals_above_the_amount_are_reported(self) -> None:
        """dispute_amount for zero, dispute_approved_exceeds beyond the disputed amount."""
        found = check_dispute_alone(_dispute(_line(0), _line(500, approved_amount=usd(501))))
        assert _codes(found) == [
            ("dispute_amount", "lines[0].amount"),
            ("dispute_approved_exceeds", "lines[1].approved_amount"),
        ]

    def test_a_dispute_check_dispute_accepts_passes_alone(self) -> None:
        """What passes with its invoices passes without them."""
        dispute = _dispute(_line(500))
        assert check_dispute(dispute, [invoice()]) is dispute
        assert check_dispute_alone(dispute) == ()


class TestPromiseAlone:
    """A promise's own instants are checked without its invoices."""

    def test_a_promise_dated_before_it_was_made_is_reported(self) -> None:
        """promise_dated_before_made at promised_date, the same as check_promise's."""
        early = _promise(promised_date=dt.date(2026, 11, 1))
        [found] = check_promise_alone(early)
        assert (found.code, found.path) == ("promise_dated_before_made", "promised_date")
        with pytest.raises(OwedRefused) as caught:
            check_promise(early, [invoice(partner_id="ptn_acme")])
        assert violation_of(caught.value) == found

    def test_both_instant_rules_are_reported_together(self) -> None:
        """Dated and acknowledged before made: two findings, in rule order."""
        broken = _promise(promised_date=dt.date(2026, 11, 1), acknowledged_at=days(1))
        assert _codes(check_promise_alone(broken)) == [
            ("promise_dated_before_made", "promised_date"),
            ("promise_acknowledged_before_made", "acknowledged_at"),
        ]

    def test_the_day_is_read_in_the_given_zone(self) -> None:
        """Made late on 2 November UTC is 3 November in Tokyo: a promise for the 2nd is early."""
        made = dt.datetime(2026, 11, 2, 20, 0, tzinfo=dt.UTC)
        promise = _promise(promised_date=dt.date(2026, 11, 2), made_at=made)
        assert check_promise_alone(promise) == ()
        tokyo = dt.timezone(dt.timedelta(hours=9))
        assert _codes(check_promise_alone(promise, zone=tokyo)) == [
            ("promise_dated_before_made", "promised_date")
        ]


class TestCustomerCreditAlone:
    """A credit's allocations keep the allocation engine's rules."""

    def _credit(self, **overrides: Any) -> CustomerCredit:
        values: dict[str, Any] = {
            "id": "credit_1",
            "currency": "USD",
            "amount": usd(1_500),
            "created_at": days(2),
            "partner_id": "ptn_acme",
        }
        values.update(overrides)
        return CustomerCredit(**values)

    def test_a_credit_the_engine_spent_passes(self) -> None:
        """Allocations made by spend_credit point at the credit and fit its amount."""
        spent = spend_credit(
            self._credit(),
            [invoice(1_000)],
            rule=AllocationRule.OLDEST_DUE_FIRST,
            at=days(3),
            confidence=1.0,
            approval=ApprovalPolicy(threshold=0.9),
        ).credit
        assert spent.allocations
        assert check_customer_credit(spent) == ()

    def test_an_allocation_of_another_source_is_reported(self) -> None:
        """An allocation pointing at another payment: allocation_payment_mismatch."""
        spent = spend_credit(
            self._credit(),
            [invoice(1_000)],
            rule=AllocationRule.OLDEST_DUE_FIRST,
            at=days(3),
            confidence=1.0,
            approval=ApprovalPolicy(threshold=0.9),
        ).credit
        stray = attrs.evolve(spent.allocations[0], payment_id="pay_9")
        found = check_customer_credit(attrs.evolve(spent, allocations=(stray,)))
        assert _codes(found) == [("allocation_payment_mismatch", "allocations[0].payment_id")]
