"""Disputes: lines over part of what is owed, derived amounts, resolution into credit notes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from owed_builders import days, invoice, usd
from stuut_domain.errors import OwedRefused
from stuut_domain.invoice import LineItem
from stuut_domain.money import MoneyBag
from stuut_domain.owed import (
    DISPUTE_REASONS,
    Dispute,
    DisputeLine,
    DisputeResolution,
    DisputeStatus,
    apply_credit_note,
    check_dispute,
    dispute_from_flag,
    disputed_amount_due,
    disputed_by_partner,
    resolve_dispute,
    undisputed_amount_due,
)


def dispute(*lines: DisputeLine, **overrides: Any) -> Dispute:
    values: dict[str, Any] = {
        "id": "dsp_1",
        "partner_id": "ptn_acme",
        "lines": lines,
        "opened_at": days(5),
    }
    values.update(overrides)
    return Dispute(**values)


def line(units: int, invoice_id: str = "inv_1", **overrides: Any) -> DisputeLine:
    values: dict[str, Any] = {
        "invoice_id": invoice_id,
        "amount": usd(units),
        "reason": "incorrect_price",
    }
    values.update(overrides)
    return DisputeLine(**values)


def refused(code: str) -> pytest.RaisesExc[OwedRefused]:
    return pytest.raises(OwedRefused, match=rf"^\[{code}\]")


def test_the_seeded_reasons_are_the_issues_list() -> None:
    assert set(DISPUTE_REASONS) == {
        "incorrect_price",
        "incorrect_quantity",
        "incorrect_product_or_service",
        "incorrect_customer_details",
        "short_payment",
        "disallowed_discount",
        "other",
    }


class TestAmounts:
    def test_an_open_dispute_holds_only_its_lines(self) -> None:
        inv = invoice(10_000)
        open_dispute = dispute(line(2_500), line(500, reason="short_payment"))
        assert disputed_amount_due(inv, [open_dispute]) == usd(3_000)
        assert undisputed_amount_due(inv, [open_dispute]) == usd(7_000)

    def test_the_wire_flag_without_lines_disputes_all_of_it(self) -> None:
        flagged = attrs.evolve(invoice(10_000), in_dispute=True)
        assert disputed_amount_due(flagged, []) == usd(10_000)
        assert undisputed_amount_due(flagged, []) == usd(0)

    def test_the_flag_maps_onto_a_dispute_that_reads_the_same(self) -> None:
        flagged = attrs.evolve(invoice(10_000, paid=2_500), in_dispute=True)
        made = dispute_from_flag(flagged, dispute_id="dsp_wire", at=days(5))
        assert made.lines == (
            DisputeLine(
                invoice_id="inv_1",
                amount=usd(7_500),
                reason="other",
                note="from the in_dispute flag",
            ),
        )
        assert check_dispute(made, [flagged]) is made
        assert disputed_amount_due(flagged, [made]) == disputed_amount_due(flagged, [])
        narrowed = attrs.evolve(made, lines=(line(1_000),))
        assert undisputed_amount_due(flagged, [narrowed]) == usd(6_500)
        with refused("dispute_flag_missing"):
            dispute_from_flag(invoice(), dispute_id="x", at=days(5))

    def test_a_resolved_dispute_holds_nothing(self) -> None:
        closed = dispute(line(2_500), status=DisputeStatus.RESOLVED)
        assert disputed_amount_due(invoice(), [closed]) == usd(0)

    def test_per_partner(self) -> None:
        a = invoice(1_000, invoice_id="inv_a")
        b = invoice(2_000, invoice_id="inv_b")
        disputed, undisputed = disputed_by_partner(
            [a, b], [dispute(line(1_000, "inv_a"))], "ptn_acme"
        )
        assert disputed == MoneyBag.of([usd(1_000)])
        assert undisputed == MoneyBag.of([usd(2_000)])


class TestBadInput:
    def test_a_line_above_what_the_invoice_owes_is_refused(self) -> None:
        inv = invoice(10_000, paid=6_000)
        with refused("dispute_exceeds_invoice") as caught:
            check_dispute(dispute(line(3_000), line(1_001)), [inv])
        assert caught.value.values == {"disputed": usd(4_001), "amount_due": usd(4_000)}
        assert caught.value.path == "lines[1].amount"

    def test_a_line_above_what_its_line_item_carries_is_refused(self) -> None:
        item = LineItem(
            invoice_id="inv_1", object="line_item", remote_id="li_7", total_amount=usd(1_200)
        )
        inv = invoice(10_000, line_items=(item,))
        check_dispute(dispute(line(1_200, line_item_remote_id="li_7")), [inv])
        with refused("dispute_exceeds_line"):
            check_dispute(dispute(line(1_201, line_item_remote_id="li_7")), [inv])
        with refused("dispute_line_item_missing"):
            check_dispute(dispute(line(1, line_item_remote_id="li_8")), [inv])

    def test_an_unknown_reason_is_refused_and_the_set_extends(self) -> None:
        odd = dispute(line(100, reason="late_delivery"))
        with refused("dispute_reason_unknown"):
            check_dispute(odd, [invoice()])
        more = {**DISPUTE_REASONS, "late_delivery": "delivered after the agreed date"}
        assert check_dispute(odd, [invoice()], reasons=more) is odd

    def test_another_partners_invoice_is_refused(self) -> None:
        with refused("dispute_partner_mismatch"):
            check_dispute(dispute(line(100)), [invoice(partner_id="ptn_other")])


class TestResolution:
    def test_credited_issues_a_note_for_the_approved_amount(self) -> None:
        inv = invoice(10_000)
        open_dispute = dispute(line(2_500), line(500))
        closed, notes = resolve_dispute(
            open_dispute,
            resolution=DisputeResolution.CREDITED,
            at=days(9),
            approved={0: usd(2_000)},
        )
        assert closed.status is DisputeStatus.RESOLVED
        assert [ln.approved_amount for ln in closed.lines] == [usd(2_000), usd(0)]
        (credit_note,) = notes
        assert closed.credit_note_ids == (credit_note.id,)
        applied = apply_credit_note(inv, credit_note, disposition=None, at=days(9), earlier=())
        assert applied.invoice.amount_due == usd(8_000)
        assert disputed_amount_due(applied.invoice, [closed]) == usd(0)

    def test_rejected_and_withdrawn_close_without_a_note(self) -> None:
        for resolution in (DisputeResolution.REJECTED, DisputeResolution.WITHDRAWN):
            closed, notes = resolve_dispute(dispute(line(1)), resolution=resolution, at=days(9))
            assert (closed.resolution, notes) == (resolution, ())

    def test_an_approved_amount_above_the_dispute_is_refused(self) -> None:
        with refused("dispute_approved"):
            resolve_dispute(
                dispute(line(500)),
                resolution=DisputeResolution.CREDITED,
                at=days(9),
                approved={0: usd(501)},
            )

    def test_a_dispute_closes_once_and_not_before_it_opened(self) -> None:
        closed, _ = resolve_dispute(
            dispute(line(1)), resolution=DisputeResolution.REJECTED, at=days(9)
        )
        with refused("dispute_not_open"):
            resolve_dispute(closed, resolution=DisputeResolution.WITHDRAWN, at=days(10))
        with refused("dispute_resolved_before_opened"):
            resolve_dispute(
                dispute(line(1)),
                resolution=DisputeResolution.REJECTED,
                at=days(5) - dt.timedelta(1),
            )
