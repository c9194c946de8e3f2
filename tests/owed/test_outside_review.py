"""Regressions from the outside review of the owed core (outsider 15): each test failed before
its fix. Bugs are named by the review's numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import pytest

from outreach_builders import WED_NOON_BERLIN, acme, inv_2024_0042, net30_reminders, utc
from owed_builders import ISSUED, allocation, days, invoice, note, payment, usd
from stuut_domain.allocation import AllocationRule
from stuut_domain.errors import OwedRefused
from stuut_domain.invoice import LineItem
from stuut_domain.money import Money
from stuut_domain.owed import (
    DEFAULT_PROMISE_POLICY,
    CreditNote,
    CreditNoteLine,
    CreditNoteStatus,
    CustomerCredit,
    Dispute,
    DisputeLine,
    DisputeResolution,
    DisputeStatus,
    PostPaymentSplit,
    Promise,
    PromisedInvoice,
    PromisePolicy,
    apply_credit_note,
    available_credit,
    check_credited_invoice,
    check_dispute,
    credit_from_negative_invoice,
    deadline_of,
    decide_owed_outreach,
    resolve_dispute,
    spend_credit,
    void_credit_note,
)


def refused(code: str) -> pytest.RaisesExc[OwedRefused]:
    return pytest.raises(OwedRefused, match=rf"^\[{code}\]")


class TestBug1And2NotesAgreeWithTheInvoice:
    def test_earlier_notes_left_out_are_refused_not_over_credited(self) -> None:
        first = apply_credit_note(
            invoice(10_000, paid=5_000),
            note(5_000, note_id="A"),
            disposition=None,
            at=days(3),
            earlier=(),
        )
        with refused("invoice_notes_disagree") as caught:
            apply_credit_note(
                first.invoice,
                note(5_000, note_id="B"),
                disposition=PostPaymentSplit.of("USD", refund=5_000),
                at=days(3),
                earlier=(),
            )
        assert caught.value.values["credited"] == usd(0)
        assert caught.value.values["amount_due"] == usd(0)

    def test_with_earlier_given_the_second_note_is_still_capped_by_the_total(self) -> None:
        first = apply_credit_note(
            invoice(10_000, paid=5_000),
            note(5_000, note_id="A"),
            disposition=None,
            at=days(3),
            earlier=(),
        )
        second = apply_credit_note(
            first.invoice,
            note(5_000, note_id="B"),
            disposition=PostPaymentSplit.of("USD", refund=5_000),
            at=days(3),
            earlier=(first.note,),
        )
        with refused("note_exceeds_total"):
            apply_credit_note(
                second.invoice,
                note(5_000, note_id="C"),
                disposition=PostPaymentSplit.of("USD", refund=5_000),
                at=days(3),
                earlier=(first.note, second.note),
            )

    def test_a_stale_invoice_with_earlier_is_refused(self) -> None:
        original = invoice(10_000)
        first = apply_credit_note(
            original, note(6_000, note_id="A"), disposition=None, at=days(3), earlier=()
        )
        with refused("invoice_notes_disagree"):
            apply_credit_note(
                original,
                note(4_000, note_id="B"),
                disposition=None,
                at=days(3),
                earlier=(first.note,),
            )

    def test_a_void_on_a_stale_invoice_cannot_owe_above_the_total(self) -> None:
        original = invoice(10_000)
        first = apply_credit_note(
            original, note(6_000, note_id="A"), disposition=None, at=days(3), earlier=()
        )
        with refused("invoice_notes_disagree") as caught:
            void_credit_note(original, first.note, at=days(4), others=())
        assert caught.value.values["credited"] == usd(6_000)
        back = void_credit_note(first.invoice, first.note, at=days(4), others=())
        assert back.invoice.amount_due == usd(10_000)


class TestBug3NoteWorthNothing:
    def test_a_note_that_converts_to_zero_is_refused(self) -> None:
        tiny = note(1_000, currency="EUR", exchange_rate=Decimal("1e-18"))
        with refused("note_credits_nothing") as caught:
            apply_credit_note(invoice(10_000), tiny, disposition=None, at=days(3), earlier=())
        assert caught.value.values["credited"] == usd(0)


class TestBug4NegativeInvoiceCountedOnce:
    def test_a_negative_invoice_with_its_own_credit_counts_once(self) -> None:
        eur = lambda units: Money(units, "EUR")  # noqa: E731
        owed = inv_2024_0042(amount_due=eur(12_000), total_amount=eur(15_900))
        negative = inv_2024_0042(
            id="inv_neg",
            number="NEG",
            remote_id="erp-neg",
            amount_due=eur(-8_000),
            total_amount=eur(-8_000),
            amount_paid=eur(0),
        )
        credit = credit_from_negative_invoice(negative, at=utc(2024, 6, 5))

        def blockers(**kw: Any) -> list[str]:
            decision, _ = decide_owed_outreach(
                partner=acme(),
                workflow=net30_reminders(),
                channel="email",
                at=WED_NOON_BERLIN,
                **kw,
            )
            return [b.code for b in decision.blockers]

        alone = blockers(invoices=(owed, negative))
        assert blockers(invoices=(owed, negative), credits=(credit,)) == alone
        assert blockers(invoices=(owed,), credits=(credit,)) == alone

    def test_the_credit_id_comes_from_the_invoice_and_counts_once(self) -> None:
        negative = invoice(-5_000, invoice_id="inv_neg")
        one = credit_from_negative_invoice(negative, at=days(1))
        two = credit_from_negative_invoice(negative, at=days(1))
        assert one == two
        assert one.id == "credit_inv_neg"
        assert available_credit([one, two]).get("USD") == usd(5_000)

    def test_two_credits_from_one_negative_invoice_are_refused(self) -> None:
        negative = invoice(-5_000, invoice_id="inv_neg")
        one = credit_from_negative_invoice(negative, credit_id="c1", at=days(1))
        two = credit_from_negative_invoice(negative, credit_id="c2", at=days(1))
        with refused("credit_source_twice"):
            available_credit([one, two])


class TestBug5NegativeInvoiceChecks:
    def test_a_negative_invoice_without_notes_breaks_no_rule(self) -> None:
        codes = [v.code for v in check_credited_invoice(invoice(-5_000, invoice_id="n"), [])]
        assert "notes_exceed_total" not in codes


def _line_item_invoice() -> Any:
    item = LineItem(
        invoice_id="inv_1",
        object="line_item",
        remote_id="li_1",
        currency="USD",
        total_amount=usd(2_000),
    )
    return attrs.evolve(invoice(10_000), line_items=(item,))


def _line(units: int) -> DisputeLine:
    return DisputeLine(
        invoice_id="inv_1", amount=usd(units), reason="incorrect_price", line_item_remote_id="li_1"
    )


class TestBug6And7And8Disputes:
    def test_lines_on_one_line_item_are_summed(self) -> None:
        dispute = Dispute(
            id="d1", partner_id="ptn_acme", lines=(_line(1_500), _line(1_500)), opened_at=days(1)
        )
        with refused("dispute_exceeds_line") as caught:
            check_dispute(dispute, [_line_item_invoice()])
        assert caught.value.values["disputed"] == usd(3_000)

    def test_a_resolution_given_as_its_value_credits(self) -> None:
        dispute = Dispute(id="d1", partner_id="ptn_acme", lines=(_line(1_000),), opened_at=days(1))
        closed, notes = resolve_dispute(dispute, resolution="credited", at=days(2))  # type: ignore[arg-type]
        assert closed.resolution is DisputeResolution.CREDITED
        assert len(notes) == 1

    def test_an_unknown_resolution_is_refused(self) -> None:
        dispute = Dispute(id="d1", partner_id="ptn_acme", lines=(_line(1_000),), opened_at=days(1))
        with refused("dispute_resolution"):
            resolve_dispute(dispute, resolution="settled", at=days(2))  # type: ignore[arg-type]

    def test_string_statuses_are_converted(self) -> None:
        dispute = Dispute(
            id="d1",
            partner_id="ptn_acme",
            lines=(_line(1_000),),
            opened_at=days(1),
            status="open",  # type: ignore[arg-type]
        )
        assert dispute.is_open
        assert dispute.status is DisputeStatus.OPEN
        assert note(100, status="issued").is_issued
        assert note(100).status is CreditNoteStatus.ISSUED
        with refused("note_status"):
            note(100, status="cancelled")
        with refused("dispute_status"):
            attrs.evolve(dispute, status="closed")


def _promise(units: int = 10_000, **overrides: Any) -> Promise:
    values: dict[str, Any] = {
        "id": "p",
        "partner_id": "ptn_acme",
        "invoices": (PromisedInvoice(invoice_id="inv_1", amount=usd(units)),),
        "promised_date": ISSUED.date() + dt.timedelta(days=5),
        "made_at": days(0),
    }
    values.update(overrides)
    return Promise(**values)


class TestBug9And10And11Promises:
    @pytest.mark.parametrize("units", [0, -100])
    def test_a_promise_of_nothing_is_refused_at_construction(self, units: int) -> None:
        with refused("promise_amount"):
            PromisedInvoice(invoice_id="inv_1", amount=usd(units))

    def test_a_date_without_a_deadline_is_refused(self) -> None:
        with refused("promise_date_range"):
            _promise(promised_date=dt.date.max)

    def test_grace_days_are_bounded(self) -> None:
        with refused("promise_policy_days"):
            PromisePolicy(grace_days=10**9)
        wide = PromisePolicy(grace_days=3_660, padding={"other": 3_660})
        assert deadline_of(_promise(promised_date=dt.date(9000, 1, 1)), wide) > dt.date(9000, 1, 1)

    def test_an_invoice_listed_twice_is_refused(self) -> None:
        item = PromisedInvoice(invoice_id="inv_1", amount=usd(3_000))
        with refused("promise_duplicate_invoice"):
            _promise(invoices=(item, item))

    def test_bad_padding_names_padding(self) -> None:
        with refused("promise_policy_days") as caught:
            PromisePolicy(padding={"ach": "3"})  # type: ignore[dict-item]
        assert caught.value.path == "padding['ach']"

    def test_padding_is_read_case_insensitively(self) -> None:
        assert DEFAULT_PROMISE_POLICY.padding_for("ACH") == 3

    def test_a_kept_promise_still_reads_kept(self) -> None:
        from stuut_domain.owed import promise_status

        reading = promise_status(
            _promise(6_000),
            [payment(allocation(6_000, at=days(0.5)))],
            DEFAULT_PROMISE_POLICY,
            days(30),
        )
        assert reading.status == "kept"
        assert reading.fulfilled == usd(6_000)


class TestBug12HostileInput:
    def test_a_disposition_that_is_not_a_split(self) -> None:
        with refused("post_payment_split_type"):
            apply_credit_note(
                invoice(10_000, paid=10_000),
                note(3_000),
                disposition={"refund": 3_000},  # type: ignore[arg-type]
                at=days(3),
                earlier=(),
            )

    def test_a_dispute_amount_that_is_not_money(self) -> None:
        with refused("dispute_amount"):
            DisputeLine(invoice_id="inv_1", amount=100, reason="other")  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        "approved", [{"a": usd(1), 7: usd(1)}, {0: 100}, {"0": usd(1)}, [usd(1)]]
    )
    def test_bad_approved_amounts(self, approved: Any) -> None:
        dispute = Dispute(id="d1", partner_id="ptn_acme", lines=(_line(1_000),), opened_at=days(1))
        with refused("dispute_approved"):
            resolve_dispute(
                dispute, resolution=DisputeResolution.CREDITED, at=days(2), approved=approved
            )

    def test_promise_invoices_as_strings(self) -> None:
        with refused("promise_invoices_type"):
            _promise(invoices=("inv_1",))

    @pytest.mark.parametrize("lines", [("x",), [CreditNoteLine(currency="USD", amount=usd(1))]])
    def test_note_lines_that_are_not_a_tuple_of_lines(self, lines: Any) -> None:
        with refused("note_lines_type"):
            note(1, lines=lines)

    def test_int_amounts_on_credits_and_lines(self) -> None:
        with refused("money_type"):
            CustomerCredit(id="c", currency="USD", amount=100, created_at=days(1))  # type: ignore[arg-type]
        with refused("money_type"):
            CreditNoteLine(currency="USD", amount=100)  # type: ignore[arg-type]


class TestBug13Bounds:
    @pytest.mark.parametrize("rate", ["1e100000", "11", "0.1234567890123456789"])
    def test_tax_rates_are_bounded(self, rate: str) -> None:
        with refused("note_tax_rate"):
            CreditNoteLine(currency="USD", amount=usd(100), tax_rate=Decimal(rate))

    @pytest.mark.parametrize("quantity", ["1e400", "1e-400", "0"])
    def test_quantities_are_bounded(self, quantity: str) -> None:
        with refused("note_line_quantity"):
            CreditNoteLine(currency="USD", quantity=Decimal(quantity), unit_amount=usd(100))

    def test_a_real_rate_and_quantity_still_work(self) -> None:
        line = CreditNoteLine(
            currency="USD",
            quantity=Decimal("2.5"),
            unit_amount=usd(1_000),
            tax_rate=Decimal("0.19"),
        )
        assert line.net == usd(2_500)
        assert line.tax == usd(475)
        assert isinstance(
            CreditNote(id="n", invoice_id="i", currency="USD", lines=(line,), effective_at=days(1)),
            CreditNote,
        )


class TestDesignDoubts:
    def test_a_credit_without_a_partner_is_not_spent_on_another_partners_invoice(self) -> None:
        unowned = CustomerCredit(id="c", currency="USD", amount=usd(1_000), created_at=days(1))
        other = invoice(5_000, invoice_id="inv_other", partner_id="ptn_other")
        with refused("credit_partner_missing"):
            spend_credit(unowned, [other], rule=AllocationRule.OLDEST_DUE_FIRST, at=days(2))

    def test_a_note_is_not_applied_before_it_takes_effect(self) -> None:
        later = note(1_000, effective_at=days(5))
        with refused("note_before_effective"):
            apply_credit_note(invoice(), later, disposition=None, at=days(4), earlier=())
        assert apply_credit_note(
            invoice(), later, disposition=None, at=days(5), earlier=()
        ).pre_payment == usd(1_000)


class TestMoreHostileInput:
    def test_credit_allocations_that_are_not_allocations(self) -> None:
        with refused("credit_allocations_type"):
            CustomerCredit(
                id="c",
                currency="USD",
                amount=usd(100),
                created_at=days(1),
                allocations=("x",),  # type: ignore[arg-type]
            )

    def test_a_split_of_something_else_than_minor_units(self) -> None:
        with refused("post_payment_split_type"):
            PostPaymentSplit.of("USD", refund="x")  # type: ignore[arg-type]

    def test_earlier_that_are_not_notes(self) -> None:
        with refused("note_earlier_type"):
            apply_credit_note(
                invoice(),
                note(100),
                disposition=None,
                at=days(3),
                earlier=("x",),  # type: ignore[arg-type]
            )

    def test_a_promise_method_that_is_not_a_name(self) -> None:
        with refused("promise_method"):
            _promise(method=3)

    def test_a_void_given_something_else_than_its_credit(self) -> None:
        paid = invoice(10_000, paid=10_000)
        applied = apply_credit_note(
            paid,
            note(1_000),
            disposition=PostPaymentSplit.of("USD", customer_credit=1_000),
            at=days(3),
            earlier=(),
        )
        with refused("credit_missing"):
            void_credit_note(
                applied.invoice,
                applied.note,
                at=days(4),
                customer_credit="credit_cn_1",
                others=(),  # type: ignore[arg-type]
            )


class TestSecondReviewEarlierAndOthersAreRequired:
    """Outsider 47: a refunded note leaves no trace on the invoice, and a void never saw the
    invoice's other notes. Both lists are now required, and a void checks the invoice agrees."""

    def test_both_lists_have_no_default(self) -> None:
        with pytest.raises(TypeError, match="earlier"):
            apply_credit_note(invoice(), note(1_000), disposition=None, at=days(3))  # type: ignore[call-arg]
        applied = apply_credit_note(
            invoice(), note(1_000), disposition=None, at=days(3), earlier=()
        )
        with pytest.raises(TypeError, match="others"):
            void_credit_note(applied.invoice, applied.note, at=days(4))  # type: ignore[call-arg]

    def test_voiding_the_same_note_twice_is_refused(self) -> None:
        first = apply_credit_note(
            invoice(10_000), note(3_000, note_id="A"), disposition=None, at=days(3), earlier=()
        )
        second = apply_credit_note(
            first.invoice,
            note(3_000, note_id="B"),
            disposition=None,
            at=days(3),
            earlier=[first.note],
        )
        voided = void_credit_note(second.invoice, first.note, at=days(4), others=[second.note])
        assert voided.invoice.amount_due == usd(7_000)
        before = voided.invoice
        with refused("invoice_notes_disagree"):
            void_credit_note(voided.invoice, first.note, at=days(5), others=[second.note])
        with refused("note_already_void"):
            void_credit_note(
                voided.invoice, first.note, at=days(5), others=[voided.note, second.note]
            )
        assert voided.invoice == before
        assert check_credited_invoice(voided.invoice, [voided.note, second.note]) == ()

    def test_a_refunded_note_counts_against_the_total_when_listed(self) -> None:
        paid = invoice(10_000, paid=10_000)
        refund = PostPaymentSplit.of("USD", refund=10_000)
        first = apply_credit_note(
            paid, note(10_000, note_id="A"), disposition=refund, at=days(3), earlier=()
        )
        assert first.invoice == paid  # nothing on the invoice shows the refunded note
        with refused("note_exceeds_total"):
            apply_credit_note(
                first.invoice,
                note(10_000, note_id="B"),
                disposition=refund,
                at=days(3),
                earlier=[first.note],
            )
        with refused("note_already_applied"):
            apply_credit_note(
                first.invoice,
                note(10_000, note_id="A"),
                disposition=refund,
                at=days(3),
                earlier=[first.note],
            )


class TestSecondReviewRoughEdges:
    """Outsider 47's rough edges: a dispute or promise on a draft or void invoice, a dispute
    with no partner over two partners' invoices, an entity of another kind in a MemoryStore,
    ``st.from_type`` of the owed entities, ``check_alone`` missing from the package."""

    def _draft(self) -> Any:
        from stuut_domain.invoice import Invoice

        return Invoice(
            id="inv_d",
            object="invoice",
            remote_id="erp-d",
            currency="USD",
            total_amount=usd(10_000),
            amount_due=usd(10_000),
            partner_id="ptn_acme",
        )

    def test_a_dispute_on_a_draft_or_void_invoice_is_refused(self) -> None:
        from stuut_domain.lifecycle import void

        voided = void(invoice(invoice_id="inv_v"), at=days(2))
        for target in (self._draft(), voided):
            dispute = Dispute(
                id="d",
                partner_id="ptn_acme",
                lines=(DisputeLine(invoice_id=target.id, amount=usd(100), reason="other"),),
                opened_at=days(3),
            )
            with refused("dispute_on_unissued_invoice") as caught:
                check_dispute(dispute, [target])
            assert (caught.value.path, caught.value.values["invoice_id"]) == (
                "lines[0].invoice_id",
                target.id,
            )

    def test_a_promise_on_a_draft_or_void_invoice_is_refused(self) -> None:
        from stuut_domain.lifecycle import void
        from stuut_domain.owed import check_promise

        voided = void(invoice(invoice_id="inv_v"), at=days(2))
        for target in (self._draft(), voided):
            promise = _promise(
                100, invoices=(PromisedInvoice(invoice_id=target.id, amount=usd(100)),)
            )
            with refused("promise_on_unissued_invoice") as caught:
                check_promise(promise, [target])
            assert caught.value.path == "invoices[0].invoice_id"
        assert check_promise(_promise(100), [invoice()]) == _promise(100)

    def test_a_dispute_without_a_partner_stays_on_one_partner(self) -> None:
        mine = invoice(invoice_id="inv_a")
        theirs = invoice(invoice_id="inv_b", partner_id="ptn_other")
        dispute = Dispute(
            id="d",
            partner_id=None,
            lines=(
                DisputeLine(invoice_id="inv_a", amount=usd(100), reason="other"),
                DisputeLine(invoice_id="inv_b", amount=usd(100), reason="other"),
            ),
            opened_at=days(3),
        )
        with refused("dispute_partner_mismatch") as caught:
            check_dispute(dispute, [mine, theirs])
        assert caught.value.values == {
            "invoice_partner_id": "ptn_other",
            "partner_id": "ptn_acme",
        }
        alone = attrs.evolve(dispute, lines=dispute.lines[:1])
        assert check_dispute(alone, [mine, theirs]) is alone

    def test_check_alone_is_exported(self) -> None:
        from stuut_domain import owed

        assert "check_alone" in owed.__all__
        assert owed.check_alone(_promise(100)) == ()
