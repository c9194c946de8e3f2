"""Regressions from the third outside review of the owed core (outsider 53): each test
failed before its fix. Findings are named by the review's numbers."""

from __future__ import annotations

import datetime as dt
import functools

import attrs
import pytest
from hypothesis import given, settings

from adapters import stuut_json
from owed_builders import allocation, days, invoice, note, usd
from stuut_domain.allocation import AllocationRule, apply_result
from stuut_domain.errors import InvalidTransition, OwedRefused
from stuut_domain.lifecycle import apply_allocation, void
from stuut_domain.owed import (
    DEFAULT_PROMISE_POLICY,
    CreditNote,
    CustomerCredit,
    Promise,
    PromisedInvoice,
    apply_credit_note,
    available_credit,
    check_credited_invoice,
    promise_status,
    spend_credit,
    unspend_credit,
)
from stuut_domain.payment import Payment
from stuut_domain.strategies import customer_credits


def refused(code: str) -> pytest.RaisesExc[OwedRefused]:
    return pytest.raises(OwedRefused, match=rf"^\[{code}\]")


FOREIGN_PARTS = (
    '{"id":"cn","invoice_id":"inv_1","currency":"EUR","lines":[{"currency":"EUR","amount":100}],'
    '"effective_at":"2026-01-01T00:00:00Z","exchange_rate":1.1,"pre_payment_amount":100,'
    '"post_payment_amount":0,"refund_amount":0,"credit_amount":0,"out_of_band_amount":0}'
)


class TestFinding1PartsInAnotherCurrency:
    def test_the_checker_reports_it_and_raises_nothing(self) -> None:
        wire = stuut_json.decode(CreditNote, FOREIGN_PARTS)
        found = check_credited_invoice(invoice(10_000), [wire])
        assert [(v.code, v.path, v.values["parts_currency"]) for v in found] == [
            ("note_parts_currency", "credit_notes[0].pre_payment_amount", "EUR")
        ]

    def test_applying_beside_it_is_refused_with_a_code(self) -> None:
        wire = stuut_json.decode(CreditNote, FOREIGN_PARTS)
        with refused("note_parts_currency"):
            apply_credit_note(
                invoice(10_000),
                note(100, note_id="B"),
                disposition=None,
                at=days(2),
                earlier=[wire],
            )


class TestFinding2APaymentGivenTwiceCountsOnce:
    def test_the_same_payment_twice_keeps_nothing_more(self) -> None:
        promise = Promise(
            id="p1",
            partner_id="ptn_acme",
            invoices=(PromisedInvoice(invoice_id="inv_1", amount=usd(10_000)),),
            promised_date=(days(10)).date(),
            made_at=days(1),
        )
        paid = allocation(5_000, invoice_id="inv_1")
        pay = Payment(
            id=str(paid.payment_id),
            amount=usd(5_000),
            currency="USD",
            partner_id="ptn_acme",
            timestamp=days(3),
            allocations=(attrs.evolve(paid, approved_at=days(3), created_at=days(3)),),
        )
        once = promise_status(promise, [pay], DEFAULT_PROMISE_POLICY, days(30))
        twice = promise_status(promise, [pay, pay], DEFAULT_PROMISE_POLICY, days(30))
        assert (
            (twice.status, twice.fulfilled)
            == (once.status, once.fulfilled)
            == (
                "partially_kept",
                usd(5_000),
            )
        )
        assert len(twice.fulfilling) == 1
        other = attrs.evolve(pay.allocations[0], amount=usd(4_000))
        with refused("promise_allocation_conflict"):
            promise_status(
                promise,
                [pay, attrs.evolve(pay, id="pay_2", allocations=(other,))],
                DEFAULT_PROMISE_POLICY,
                days(30),
            )


class TestFinding3RespendAfterUnspend:
    def test_every_allocation_id_stays_unique_and_no_money_is_lost(self) -> None:
        target = invoice(10_000, invoice_id="inv_X")
        credit = CustomerCredit(
            id="cc1", currency="USD", amount=usd(5_000), created_at=days(0), partner_id="ptn_acme"
        )
        spend = functools.partial(
            spend_credit, rule=AllocationRule.EXPLICIT, amounts={"inv_X": usd(2_500)}, at=days(1)
        )
        first = spend(credit, [target])
        (target,) = apply_result(first.result, [target], at=days(1))
        second = spend(first.credit, [target])
        (target,) = apply_result(second.result, [target], at=days(1))
        back, target = unspend_credit(second.credit, target, second.credit.allocations[0].id)
        third = spend(back, [target])
        (target,) = apply_result(third.result, [target], at=days(1))
        ids = [a.id for a in third.credit.allocations]
        assert len(set(ids)) == len(ids) == 2
        assert available_credit([third.credit]).get("USD") is None  # all 50.00 spent
        assert target.amount_due == usd(5_000)  # and the invoice received all 50.00


class TestFinding5VoidingACreditedInvoice:
    def test_is_refused_until_its_notes_are_voided(self) -> None:
        applied = apply_credit_note(
            invoice(10_000), note(4_000), disposition=None, at=days(3), earlier=()
        )
        with pytest.raises(InvalidTransition, match="credit notes lowered it"):
            void(applied.invoice, at=days(4))
        assert void(invoice(10_000), at=days(4)).voided_at == days(4)


class TestFinding6PendingAllocations:
    def test_a_note_that_would_strand_a_pending_allocation_is_refused(self) -> None:
        pending = attrs.evolve(allocation(8_000), approved=False, approved_at=None)
        waiting = apply_allocation(invoice(10_000), pending, at=days(1))
        with refused("note_over_pending") as caught:
            apply_credit_note(waiting, note(5_000), disposition=None, at=days(3), earlier=())
        assert caught.value.values["pending"] == usd(8_000)
        fits = apply_credit_note(waiting, note(2_000), disposition=None, at=days(3), earlier=())
        assert fits.invoice.amount_due == usd(8_000)


class TestFinding7CustomerCreditsRoundTrip:
    @settings(max_examples=300)
    @given(customer_credits())
    def test_every_drawn_credit_reads_back_equal_from_the_wire(
        self, credit: CustomerCredit
    ) -> None:
        assert stuut_json.decode(CustomerCredit, stuut_json.encode(credit)) == credit
        assert credit.created_at.utcoffset() == dt.timedelta(0)


class TestFindings11And12:
    def test_a_promise_never_supersedes_itself(self) -> None:
        from stuut_domain.owed import supersede_promise

        promise = Promise(
            id="p1",
            partner_id="ptn_acme",
            invoices=(PromisedInvoice(invoice_id="inv_1", amount=usd(100)),),
            promised_date=days(10).date(),
            made_at=days(1),
        )
        with refused("promise_supersedes_itself"):
            supersede_promise(promise, promise)

    def test_a_kept_threshold_of_zero_is_refused(self) -> None:
        from fractions import Fraction

        from stuut_domain.owed import PromisePolicy

        with refused("promise_policy_share") as caught:
            PromisePolicy(kept_threshold=Fraction(0))
        assert caught.value.path == "kept_threshold"

    def test_a_negative_invoice_read_twice_is_one_credit(self) -> None:
        from stuut_domain.owed import credit_from_negative_invoice, distinct_credits

        credit_invoice = invoice(-5_000, invoice_id="inv_N")
        first = credit_from_negative_invoice(credit_invoice, at=days(1))
        again = credit_from_negative_invoice(credit_invoice, at=days(9))
        assert first == again
        assert distinct_credits([first, again]) == (first,)


class TestFinding10CheckAloneReadsTheInstants:
    """Remote data with instants out of order, or a status and resolution that disagree,
    loaded and `check` found nothing."""

    def _codes(self, entity: object) -> list[str]:
        from stuut_domain.owed import check_alone

        return [v.code for v in check_alone(entity)]  # type: ignore[arg-type]

    def test_a_promise_ended_before_it_was_made_or_by_itself(self) -> None:
        promise = Promise(
            id="p1",
            partner_id="ptn_acme",
            invoices=(PromisedInvoice(invoice_id="inv_1", amount=usd(100)),),
            promised_date=days(10).date(),
            made_at=days(5),
        )
        assert self._codes(promise) == []
        assert self._codes(attrs.evolve(promise, cancelled_at=days(4))) == [
            "promise_ended_before_made"
        ]
        itself = attrs.evolve(promise, superseded_at=days(6), superseded_by="p1")
        assert self._codes(itself) == ["promise_supersedes_itself"]

    def test_a_dispute_resolved_before_it_opened_or_without_a_resolution(self) -> None:
        from stuut_domain.owed import Dispute, DisputeLine, DisputeResolution, DisputeStatus

        dispute = Dispute(
            id="d",
            partner_id="ptn_acme",
            lines=(DisputeLine(invoice_id="inv_1", amount=usd(100), reason="other"),),
            opened_at=days(5),
        )
        assert self._codes(dispute) == []
        resolved = attrs.evolve(
            dispute,
            status=DisputeStatus.RESOLVED,
            resolution=DisputeResolution.REJECTED,
            resolved_at=days(4),
        )
        assert self._codes(resolved) == ["dispute_resolved_before_opened"]
        assert self._codes(attrs.evolve(resolved, resolved_at=days(6), resolution=None)) == [
            "dispute_resolution_mismatch"
        ]
        assert self._codes(attrs.evolve(dispute, resolution=DisputeResolution.CREDITED)) == [
            "dispute_resolution_mismatch"
        ]

    def test_a_credit_voided_before_it_was_created(self) -> None:
        credit = CustomerCredit(
            id="cc1", currency="USD", amount=usd(100), created_at=days(5), partner_id="ptn_acme"
        )
        assert self._codes(credit) == []
        assert self._codes(attrs.evolve(credit, voided_at=days(4))) == [
            "credit_voided_before_created"
        ]

    def test_a_note_applied_before_it_takes_effect(self) -> None:
        applied = apply_credit_note(
            invoice(10_000), note(1_000), disposition=None, at=days(3), earlier=()
        ).note
        assert self._codes(applied) == []
        assert self._codes(attrs.evolve(applied, applied_at=days(1))) == ["note_before_effective"]


class TestFinding13DisputesTogether:
    def test_open_disputes_never_hold_more_than_an_invoice_owes(self) -> None:
        from stuut_domain.owed import (
            Dispute,
            DisputeLine,
            DisputeResolution,
            check_disputes,
            resolve_dispute,
        )

        line = DisputeLine(invoice_id="inv_1", amount=usd(6_000), reason="other")
        first = Dispute(id="dsp_1", partner_id="ptn_acme", lines=(line,), opened_at=days(3))
        second = attrs.evolve(first, id="dsp_2")
        owed = [invoice(10_000)]
        assert check_disputes([first], owed) == (first,)
        with refused("disputes_exceed_invoice") as caught:
            check_disputes([first, second], owed)
        assert (caught.value.values["dispute_id"], caught.value.values["disputed"]) == (
            "dsp_2",
            usd(12_000),
        )
        rejected, _ = resolve_dispute(first, resolution=DisputeResolution.REJECTED, at=days(4))
        assert check_disputes([rejected, second], owed) == (rejected, second)


class TestFinding4ACreditInvoiceSpentCountsOnce:
    def test_the_balance_net_of_credit_counts_the_spent_credit_once(self) -> None:
        from stuut_domain.allocation import ApprovalPolicy
        from stuut_domain.owed import balance_net_of_credit, credit_from_negative_invoice
        from stuut_domain.receivables import balance

        owed, credit_invoice = (
            invoice(10_000, invoice_id="inv_A"),
            invoice(-5_000, invoice_id="inv_N"),
        )
        credit = credit_from_negative_invoice(credit_invoice, at=days(1))
        assert balance_net_of_credit([owed, credit_invoice], [credit]) == balance(
            [owed, credit_invoice]
        )  # before spending: 50.00 either way
        spent = spend_credit(
            credit,
            [owed],
            rule=AllocationRule.OLDEST_DUE_FIRST,
            at=days(2),
            confidence=1.0,
            approval=ApprovalPolicy(threshold=0.5),
        )
        (paid,) = apply_result(spent.result, [owed], at=days(2))
        assert paid.amount_due == usd(5_000)
        assert balance([paid, credit_invoice]).get("USD") is None  # counted twice: nothing owed
        assert balance_net_of_credit([paid, credit_invoice], [spent.credit])["USD"] == usd(5_000)


class TestFinding13NotesStayOnTheirPartner:
    def test_another_partners_note_is_refused_and_an_applied_note_names_the_partner(self) -> None:
        with refused("note_partner_mismatch"):
            apply_credit_note(
                invoice(10_000),
                note(1_000, partner_id="ptn_other"),
                disposition=None,
                at=days(3),
                earlier=(),
            )
        applied = apply_credit_note(
            invoice(10_000), note(1_000), disposition=None, at=days(3), earlier=()
        )
        assert applied.note.partner_id == "ptn_acme"  # so a query by partner finds it
