"""Every transition keeps every invariant: payments, credit notes and voids in any order."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from stuut_domain.errors import OwedRefused
from stuut_domain.invoice import Invoice
from stuut_domain.lifecycle import apply_allocation, pending_amount
from stuut_domain.money import Money, allocate
from stuut_domain.owed import (
    CreditNote,
    CreditNoteLine,
    CustomerCredit,
    PostPaymentSplit,
    apply_credit_note,
    check_credited_invoice,
    credited_amount,
    void_credit_note,
)
from stuut_domain.owed.credit_note import issued_total
from stuut_domain.payment import PaymentAllocation
from stuut_domain.strategies import invoices

_RATIOS = st.lists(st.integers(0, 3), min_size=3, max_size=3).filter(any)


class OwedMachine(RuleBasedStateMachine):
    """One invoice moved by payments, credit notes (with every kind of split) and voids."""

    invoice: Invoice
    notes: list[CreditNote]
    credits: dict[str, CustomerCredit | None]

    @initialize(
        start=invoices(status=st.sampled_from(("open", "partially_paid", "paid")), currency="USD")
    )
    def begin(self, start: Invoice) -> None:
        self.invoice = start
        self.notes = []
        self.credits = {}
        self.count = 0
        base = start.modified_at or start.issued_at
        assert base is not None
        self.at = max([base, *(p.approved_at or base for p in start.payments)])

    def _tick(self) -> dt.datetime:
        self.count += 1
        self.at += dt.timedelta(hours=1)
        return self.at

    def _money(self, units: int) -> Money:
        return Money(units, "USD")

    @rule(units=st.integers(1, 10**7), ratios=_RATIOS)
    def credit(self, units: int, ratios: list[int]) -> None:
        room = self.invoice.total_amount - issued_total(self.notes, self.invoice)
        if not room.is_positive():
            return
        target = min(self._money(units), room)
        waiting = pending_amount(self.invoice)
        if waiting.is_positive():  # a note never strands a pending allocation
            target = min(target, self.invoice.amount_due - waiting)
            if not target.is_positive():
                return
        at = self._tick()
        note = CreditNote(
            id=f"cn_{self.count}",
            invoice_id=str(self.invoice.id),
            currency="USD",
            lines=(CreditNoteLine(currency="USD", amount=target),),
            effective_at=at,
        )
        pre = min(target, max(self.invoice.amount_due, self._money(0)))
        post = target - pre
        split = None
        if post.is_positive():
            refund, kept, outside = allocate(post, ratios)
            split = PostPaymentSplit(
                currency="USD", refund=refund, customer_credit=kept, out_of_band=outside
            )
        paid_before = self.invoice.amount_paid_or_zero
        result = apply_credit_note(self.invoice, note, disposition=split, at=at, earlier=self.notes)
        assert result.pre_payment + result.post_payment == target
        assert result.invoice.amount_paid_or_zero == paid_before
        self.invoice = result.invoice
        self.notes.append(result.note)
        self.credits[note.id] = result.customer_credit

    @rule(extra=st.integers(1, 10**4), off=st.sampled_from((-1, 1)))
    def refused(self, extra: int, off: int) -> None:
        """A note above what is left of the total, or a split off by one minor unit, is
        refused with its code, and the invoice and its notes stay as they were."""
        room = self.invoice.total_amount - issued_total(self.notes, self.invoice)
        due = max(self.invoice.amount_due, self._money(0))
        at = self._tick()
        over = room + self._money(extra)
        note = CreditNote(
            id=f"cn_{self.count}",
            invoice_id=str(self.invoice.id),
            currency="USD",
            lines=(CreditNoteLine(currency="USD", amount=over),),
            effective_at=at,
        )
        before = (self.invoice, list(self.notes))
        with pytest.raises(OwedRefused) as caught:
            apply_credit_note(self.invoice, note, disposition=None, at=at, earlier=self.notes)
        assert caught.value.code == "note_exceeds_total"
        if room > due:  # a note with a post-payment part, and a split that misses it by one
            fits = attrs.evolve(note, lines=(CreditNoteLine(currency="USD", amount=room),))
            split = PostPaymentSplit(
                currency="USD",
                refund=room - due + self._money(off),
                customer_credit=self._money(0),
                out_of_band=self._money(0),
            )
            with pytest.raises(OwedRefused) as caught:
                apply_credit_note(self.invoice, fits, disposition=split, at=at, earlier=self.notes)
            stranding = pending_amount(self.invoice).is_positive() and due.is_positive()
            assert caught.value.code in {
                "post_payment_split_mismatch",
                "post_payment_split_negative",
                *(("note_over_pending",) if stranding else ()),
            }
        assert (self.invoice, self.notes) == before

    @rule(units=st.integers(1, 10**7))
    def pay(self, units: int) -> None:
        amount = min(self._money(units), self.invoice.amount_due)
        if not amount.is_positive():
            return
        at = self._tick()
        allocation = PaymentAllocation(
            amount=amount,
            invoice_id=str(self.invoice.id),
            object="payment_allocation",
            payment_id=f"pay_{self.count}",
            strategy="manual",
            id=f"alloc_{self.count}",
            approved=True,
            approved_at=at,
        )
        self.invoice = apply_allocation(self.invoice, allocation, at=at)

    @rule(pick=st.integers(0, 10**6))
    def void(self, pick: int) -> None:
        zero = self._money(0)
        voidable = [
            i
            for i, n in enumerate(self.notes)
            if n.is_issued
            and (n.refund_amount or zero).is_zero()
            and (n.out_of_band_amount or zero).is_zero()
        ]
        if not voidable:
            return
        index = voidable[pick % len(voidable)]
        note = self.notes[index]
        due_before = self.invoice.amount_due
        result = void_credit_note(
            self.invoice,
            note,
            at=self._tick(),
            customer_credit=self.credits[note.id],
            others=self.notes,
        )
        assert result.invoice.amount_due - due_before == note.pre_payment_amount
        self.invoice = result.invoice
        self.notes[index] = result.note

    @invariant()
    def every_rule_holds(self) -> None:
        assert check_credited_invoice(self.invoice, self.notes) == ()
        assert not self.invoice.amount_due.is_negative()
        inv = self.invoice
        assert inv.total_amount == (
            inv.amount_paid_or_zero + credited_amount(self.notes, inv) + inv.amount_due
        )


TestOwedMachine = pytest.mark.slow(OwedMachine.TestCase)
