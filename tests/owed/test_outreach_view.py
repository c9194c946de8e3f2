"""Outreach reads disputes, promises and customer credit as facts (ADR 0046, 0048, 0049)."""

from __future__ import annotations

import datetime as dt

import attrs

from outreach_builders import WED_NOON_BERLIN, acme, inv_2024_0042, net30_reminders, utc
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money, MoneyBag
from stuut_domain.outreach import decide_outreach
from stuut_domain.owed import (
    CustomerCredit,
    Dispute,
    DisputeLine,
    Promise,
    PromisedInvoice,
    PromiseStatus,
    decide_owed_outreach,
    outreach_view,
)
from stuut_domain.payment import Payment, PaymentAllocation


def eur(units: int) -> Money:
    return Money(units, "EUR")


def second_invoice() -> Invoice:
    return inv_2024_0042(
        id="inv_2024_0043",
        number="INV-2024-0043",
        amount_due=eur(5_000),
        amount_paid=eur(0),
        total_amount=eur(5_000),
        remote_id="erp-43",
    )


def dispute_over(invoice_id: str, units: int) -> Dispute:
    return Dispute(
        id="dsp_1",
        partner_id="ptn_acme",
        lines=(DisputeLine(invoice_id=invoice_id, amount=eur(units), reason="incorrect_quantity"),),
        opened_at=utc(2024, 7, 2, 9),
    )


def promise_for(promised: dt.date, *, acknowledged: bool = True) -> Promise:
    made = utc(2024, 6, 10, 9)
    return Promise(
        id="prm_1",
        partner_id="ptn_acme",
        invoices=(PromisedInvoice(invoice_id="inv_2024_0042", amount=eur(8_000)),),
        promised_date=promised,
        made_at=made,
        method="ach",
        acknowledged_at=made if acknowledged else None,
    )


def decide(**facts: object):  # type: ignore[no-untyped-def]
    return decide_owed_outreach(
        facts.pop("invoices", (inv_2024_0042(),)),  # type: ignore[arg-type]
        partner=acme(),
        workflow=net30_reminders(),
        channel="email",
        at=WED_NOON_BERLIN,
        zone=acme().zone or dt.UTC,
        **facts,  # type: ignore[arg-type]
    )


class TestDisputeScope:
    def test_a_partner_with_a_disputed_and_an_undisputed_invoice_is_reminded_of_the_other(
        self,
    ) -> None:
        both = (inv_2024_0042(), second_invoice())
        decision, _ = decide(invoices=both, disputes=(dispute_over("inv_2024_0042", 8_000),))
        assert decision.eligible
        assert decision.invoice_ids == ("inv_2024_0043",)
        assert [b.code for b in decision.excluded] == ["in_dispute"]

    def test_a_partial_dispute_is_chased_for_the_undisputed_part_only(self) -> None:
        decision, view = decide(disputes=(dispute_over("inv_2024_0042", 3_000),))
        assert decision.eligible
        assert view.amounts == {"inv_2024_0042": eur(5_000)}
        assert view.invoices[0].amount_due == eur(5_000)
        assert view.invoices[0].in_dispute is False

    def test_the_wire_flag_still_blocks_without_dispute_lines(self) -> None:
        flagged = attrs.evolve(inv_2024_0042(), in_dispute=True)
        decision, view = decide(invoices=(flagged,))
        assert [b.code for b in decision.blockers] == ["in_dispute"]
        assert view.amounts == {"inv_2024_0042": eur(0)}


class TestCredit:
    def test_real_customer_credit_covers_the_balance(self) -> None:
        credit = CustomerCredit(
            id="credit_1",
            currency="EUR",
            amount=eur(8_000),
            created_at=utc(2024, 6, 20),
            partner_id="ptn_acme",
        )
        decision, view = decide(credits=(credit,))
        assert [b.code for b in decision.blockers] == ["credit_covers_balance"]
        assert view.credit["EUR"] == eur(8_000)
        smaller = attrs.evolve(credit, amount=eur(7_999))
        assert decide(credits=(smaller,))[0].eligible

    def test_credit_is_read_as_it_stood_at_the_decision(self) -> None:
        """Outsider 53 finding 8: a credit created after ``at`` blocked outreach, and one
        voided after ``at`` was already gone."""
        credit = CustomerCredit(
            id="credit_1",
            currency="EUR",
            amount=eur(8_000),
            created_at=WED_NOON_BERLIN + dt.timedelta(days=1),
            partner_id="ptn_acme",
        )
        decision, view = decide(credits=(credit,))
        assert (decision.eligible, view.credit.get("EUR")) == (True, None)
        earlier = attrs.evolve(
            credit,
            created_at=utc(2024, 6, 20),
            voided_at=WED_NOON_BERLIN + dt.timedelta(hours=1),
        )
        decision, view = decide(credits=(earlier,))
        assert [b.code for b in decision.blockers] == ["credit_covers_balance"]
        gone = attrs.evolve(earlier, voided_at=WED_NOON_BERLIN - dt.timedelta(hours=1))
        assert decide(credits=(gone,))[0].eligible

    def test_the_engine_takes_credit_directly_too(self) -> None:
        decision = decide_outreach(
            inv_2024_0042(),
            partner=acme(),
            workflow=net30_reminders(),
            channel="email",
            at=WED_NOON_BERLIN,
            credit=MoneyBag.of([eur(9_000)]),
        )
        assert [b.code for b in decision.blockers] == ["credit_covers_balance"]


class TestPromises:
    def test_a_pending_acknowledged_promise_holds_through_its_padded_deadline(self) -> None:
        decision, view = decide(promises=(promise_for(dt.date(2024, 7, 2)),))
        assert view.readings[0].status is PromiseStatus.PENDING
        (blocker,) = decision.blockers
        assert blocker.code == "promise_to_pay"
        # 2 July + 3 days ACH + 2 grace = 7 July; the hold ends at midnight after it, Berlin
        assert blocker.clears_at == utc(2024, 7, 7, 22)

    def test_an_unacknowledged_promise_holds_nothing(self) -> None:
        decision, _ = decide(promises=(promise_for(dt.date(2024, 7, 2), acknowledged=False),))
        assert decision.eligible

    def test_a_broken_promise_resumes_with_its_note(self) -> None:
        decision, view = decide(promises=(promise_for(dt.date(2024, 6, 20)),))
        assert decision.eligible
        assert "promise_broken" in [n.code for n in decision.notes]
        assert view.readings[0].status is PromiseStatus.BROKEN
        (note,) = view.notes
        assert "prm_1" in note

    def test_a_kept_promise_clears_the_wire_date(self) -> None:
        alloc = PaymentAllocation(
            amount=eur(8_000),
            invoice_id="inv_2024_0042",
            object="payment_allocation",
            payment_id="pay_1",
            strategy="manual",
            id="alloc_1",
            approved=True,
            approved_at=utc(2024, 6, 30),
        )
        pay = Payment(id="pay_1", amount=eur(8_000), currency="EUR", allocations=(alloc,))
        wire_dated = attrs.evolve(inv_2024_0042(), promised_to_pay_date=dt.date(2024, 7, 9))
        _, view = decide(
            invoices=(wire_dated,), promises=(promise_for(dt.date(2024, 7, 2)),), payments=(pay,)
        )
        assert view.readings[0].status is PromiseStatus.KEPT
        assert view.invoices[0].promised_to_pay_date is None


def test_invoices_no_promise_covers_keep_the_wire_date() -> None:
    dated = attrs.evolve(inv_2024_0042(), promised_to_pay_date=dt.date(2024, 7, 9))
    view = outreach_view((dated,), at=WED_NOON_BERLIN)
    assert view.invoices[0].promised_to_pay_date == dt.date(2024, 7, 9)
