"""What is owed, from remote-shaped data: wire payloads decoded by the codec, and invoices
whose figures already break a rule (ADR 0007: they load, and a note must not make them worse)."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters import stuut_json
from stuut_domain.errors import OwedRefused
from stuut_domain.invariants import check_invoice
from stuut_domain.invoice import Invoice
from stuut_domain.lifecycle import pending_amount
from stuut_domain.money import Money
from stuut_domain.owed import (
    CreditNote,
    CreditNoteLine,
    PostPaymentSplit,
    apply_credit_note,
    check_credited_invoice,
)
from stuut_domain.strategies import invoices, stuut_json_invoices

_CREDITABLE = st.sampled_from(("open", "partially_paid", "paid"))


def _note_for(invoice: Invoice, units: int) -> CreditNote:
    assert invoice.issued_at is not None  # every creditable status is issued
    return CreditNote(
        id="cn_remote",
        invoice_id=str(invoice.id),
        currency=invoice.currency,
        lines=(CreditNoteLine(currency=invoice.currency, amount=Money(units, invoice.currency)),),
        effective_at=invoice.issued_at,
    )


def _refund_all(invoice: Invoice, units: int) -> PostPaymentSplit:
    room = max(invoice.amount_due.minor_units, 0)
    return PostPaymentSplit.of(invoice.currency, refund=max(units - room, 0))


@pytest.mark.slow
@given(stuut_json_invoices(status=_CREDITABLE), st.data())
def test_a_decoded_wire_invoice_takes_a_note_and_keeps_every_rule(
    payload: dict[str, object], data: st.DataObject
) -> None:
    invoice = stuut_json.decode(Invoice, payload)
    assert check_invoice(invoice) == ()
    at = invoice.modified_at or invoice.issued_at
    assert at is not None
    most = invoice.total_amount.minor_units
    waiting = pending_amount(invoice).minor_units
    if waiting:  # a note never lowers what is owed below the pending allocations
        most = min(most, invoice.amount_due.minor_units - waiting)
        if most < 1:
            with pytest.raises(OwedRefused, match=r"^\[note_over_pending\]"):
                apply_credit_note(
                    invoice, _note_for(invoice, 1), disposition=None, at=at, earlier=()
                )
            return
    units = data.draw(st.integers(1, most))
    result = apply_credit_note(
        invoice,
        _note_for(invoice, units),
        disposition=_refund_all(invoice, units),
        at=at,
        earlier=(),
    )
    assert check_credited_invoice(result.invoice, [result.note]) == ()
    assert not result.invoice.amount_due.is_negative()


def _comparable(codes: set[str]) -> set[str]:
    """The plain checker's codes as the credited checker names them."""
    return {"credited_amount_due_mismatch" if c == "amount_due_mismatch" else c for c in codes}


@pytest.mark.slow
@given(invoices(status=_CREDITABLE), st.integers(-500, 500), st.integers(1, 10**6))
def test_a_note_on_data_that_already_breaks_a_rule_breaks_nothing_new(
    invoice: Invoice, skew: int, units: int
) -> None:
    """Remote data may carry an amount_due that is not total − paid; a note either is refused
    with a code (nothing changed) or breaks no rule that held before it."""
    remote = attrs.evolve(invoice, amount_due=invoice.amount_due + Money(skew, invoice.currency))
    before = _comparable({v.code for v in check_invoice(remote)})
    units = min(units, max(remote.total_amount.minor_units, 1))
    at = remote.modified_at or remote.issued_at
    assert at is not None
    try:
        result = apply_credit_note(
            remote,
            _note_for(remote, units),
            disposition=_refund_all(remote, units),
            at=at,
            earlier=(),
        )
    except OwedRefused:
        return
    after = {v.code for v in check_credited_invoice(result.invoice, [result.note])}
    assert after <= before | {"amount_due_negative"}
    assert "amount_due_negative" not in after or remote.amount_due.is_negative()
