"""Promises to pay: status derived from payments, FIFO appropriation, padding and grace."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest

from owed_builders import ISSUED, allocation, days, invoice, payment, usd
from stuut_domain.allocation import withdraw_allocation
from stuut_domain.errors import OwedRefused
from stuut_domain.owed import (
    DEFAULT_PROMISE_POLICY,
    METHOD_PADDING_DAYS,
    Promise,
    PromisedInvoice,
    PromisePolicy,
    PromiseStatus,
    appropriate,
    cancel_promise,
    check_promise,
    deadline_of,
    promise_status,
    promise_statuses,
    supersede_promise,
)
from stuut_domain.payment import Payment

#: Promised for Friday 13 November 2026 (issued Monday 2 November).
FRIDAY = dt.date(2026, 11, 13)


def promise(units: int = 10_000, **overrides: Any) -> Promise:
    values: dict[str, Any] = {
        "id": "prm_1",
        "partner_id": "ptn_acme",
        "invoices": (PromisedInvoice(invoice_id="inv_1", amount=usd(units)),),
        "promised_date": FRIDAY,
        "made_at": days(3),
        "method": "ach",
        "acknowledged_at": days(3),
        "acknowledged_by": "usr_lena",
    }
    values.update(overrides)
    return Promise(**values)


def on(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def paid(units: int, when: dt.datetime, n: int = 1) -> list[Payment]:
    return [payment(allocation(units, at=when, payment_id=f"pay_{n}"), payment_id=f"pay_{n}")]


class TestPadding:
    def test_the_table_is_stuuts(self) -> None:
        assert dict(METHOD_PADDING_DAYS) == {"ach": 3, "check": 14, "wire": 3, "other": 14}

    def test_the_deadline_is_date_plus_padding_plus_grace(self) -> None:
        assert deadline_of(promise()) == FRIDAY + dt.timedelta(days=3 + 2)
        assert deadline_of(promise(method="check")) == FRIDAY + dt.timedelta(days=16)
        assert deadline_of(promise(method="carrier pigeon")) == FRIDAY + dt.timedelta(days=16)

    def test_the_table_is_replaceable(self) -> None:
        policy = PromisePolicy(padding={"ach": 1}, grace_days=0)
        assert deadline_of(promise(), policy) == FRIDAY + dt.timedelta(days=1)
        assert policy.padding_for("wire") == 0


class TestGraceInBusinessDays:
    """With a business calendar on the policy, grace counts its business days (ADR 0050)."""

    def _policy(self, **holidays: dt.date) -> PromisePolicy:
        from stuut_domain.cadence.calendars import ExplicitCalendar

        calendar = ExplicitCalendar(holidays={day: name for name, day in holidays.items()})
        return PromisePolicy(calendar=calendar)

    def test_a_deadline_padded_to_a_weekend_runs_on_business_days(self) -> None:
        """ACH pads Friday to Monday; 2 business days of grace end on Wednesday, as without."""
        assert deadline_of(promise(), self._policy()) == dt.date(2026, 11, 18)
        assert deadline_of(promise()) == dt.date(2026, 11, 18)

    def test_a_weekend_inside_the_grace_is_not_counted(self) -> None:
        """A check pads Friday to Sunday 29 November; grace is then Monday and Tuesday."""
        assert deadline_of(promise(method="check")) == dt.date(2026, 11, 29)
        assert deadline_of(promise(method="check"), self._policy()) == dt.date(2026, 12, 1)

    def test_a_holiday_inside_the_grace_is_not_counted(self) -> None:
        """Thanksgiving (26 November) is skipped: an ACH promise of the 20th runs to the 30th."""
        thursday = self._policy(thanksgiving=dt.date(2026, 11, 26))
        late = promise(promised_date=dt.date(2026, 11, 20))
        # padded to Monday 23rd; grace: Tue 24, Wed 25 without the calendar, the same with it
        assert deadline_of(late, thursday) == dt.date(2026, 11, 25)
        later = promise(promised_date=dt.date(2026, 11, 21))
        # padded to Tuesday 24th; grace: Wed 25, (Thu 26 holiday) Fri 27
        assert deadline_of(later) == dt.date(2026, 11, 26)
        assert deadline_of(later, thursday) == dt.date(2026, 11, 27)

    def test_a_payment_on_the_business_day_deadline_keeps_the_promise(self) -> None:
        """The status reads the same deadline: money on Tuesday 1 December is in time with the
        calendar, and late (broken) on calendar days, whose deadline was Sunday."""
        check = promise(method="check")
        money = paid(10_000, on(dt.date(2026, 12, 1)))
        at = on(dt.date(2026, 12, 2))
        assert promise_status(check, money, self._policy(), at).status is PromiseStatus.KEPT
        assert promise_status(check, money, DEFAULT_PROMISE_POLICY, at).status is (
            PromiseStatus.BROKEN
        )


class TestStatus:
    def test_pending_until_the_deadline(self) -> None:
        reading = promise_status(promise(), [], DEFAULT_PROMISE_POLICY, on(FRIDAY))
        assert reading.status is PromiseStatus.PENDING
        last = deadline_of(promise())
        assert promise_status(promise(), [], DEFAULT_PROMISE_POLICY, on(last, 23)).status is (
            PromiseStatus.PENDING
        )
        after = on(last + dt.timedelta(days=1), 0)
        assert promise_status(promise(), [], DEFAULT_PROMISE_POLICY, after).status is (
            PromiseStatus.BROKEN
        )

    def test_kept_by_money_within_the_deadline_with_the_fulfilling_allocation(self) -> None:
        payments = paid(10_000, on(FRIDAY + dt.timedelta(days=4)))
        reading = promise_status(promise(), payments, DEFAULT_PROMISE_POLICY, on(FRIDAY, 13))
        assert reading.status is PromiseStatus.PENDING  # not arrived yet at that instant
        later = on(FRIDAY + dt.timedelta(days=30))
        reading = promise_status(promise(), payments, DEFAULT_PROMISE_POLICY, later)
        assert reading.status is PromiseStatus.KEPT
        assert [a.allocation_id for a in reading.fulfilling] == ["alloc_pay_1_inv_1"]
        assert reading.fulfilled == usd(10_000)

    def test_partly_kept_within_the_band_and_broken_below_it(self) -> None:
        payments = paid(4_000, on(FRIDAY))
        later = on(FRIDAY + dt.timedelta(days=30))
        assert promise_status(promise(), payments, DEFAULT_PROMISE_POLICY, later).status is (
            PromiseStatus.PARTIALLY_KEPT
        )
        strict = PromisePolicy(partial_threshold=Fraction(1, 2))
        assert promise_status(promise(), payments, strict, later).status is PromiseStatus.BROKEN
        lenient = PromisePolicy(kept_threshold=Fraction(2, 5))
        assert promise_status(promise(), payments, lenient, later).status is PromiseStatus.KEPT

    def test_money_after_the_deadline_does_not_keep_it(self) -> None:
        late = on(deadline_of(promise()) + dt.timedelta(days=1))
        payments = paid(10_000, late)
        reading = promise_status(promise(), payments, DEFAULT_PROMISE_POLICY, late)
        assert reading.status is PromiseStatus.BROKEN

    def test_cancelled_and_superseded(self) -> None:
        cancelled = cancel_promise(promise(), at=days(4))
        assert promise_status(cancelled, [], DEFAULT_PROMISE_POLICY, days(5)).status is (
            PromiseStatus.CANCELLED
        )
        renegotiated = promise(
            id="prm_2", made_at=days(6), promised_date=FRIDAY + dt.timedelta(days=7)
        )
        old, new = supersede_promise(promise(), renegotiated)
        assert promise_status(old, [], DEFAULT_PROMISE_POLICY, days(7)).status is (
            PromiseStatus.SUPERSEDED
        )
        assert promise_status(old, [], DEFAULT_PROMISE_POLICY, days(5)).status is (
            PromiseStatus.PENDING
        )
        assert old.superseded_by == new.id
        with pytest.raises(OwedRefused, match=r"^\[promise_not_active\]"):
            cancel_promise(cancelled, at=days(6))


class TestAppropriation:
    def test_payments_go_to_the_oldest_active_promise_first(self) -> None:
        first = promise(6_000)
        second = promise(4_000, id="prm_2", made_at=days(4))
        payments = paid(7_000, on(FRIDAY))
        taken = appropriate([second, first], payments, at=on(FRIDAY, 13))
        assert [a.amount for a in taken["prm_1"]] == [usd(6_000)]
        assert [a.amount for a in taken["prm_2"]] == [usd(1_000)]
        readings = promise_statuses([first, second], payments, at=on(FRIDAY, 13))
        assert [r.status for r in readings] == [PromiseStatus.KEPT, PromiseStatus.PENDING]

    def test_a_withdrawn_allocation_is_un_appropriated(self) -> None:
        inv = invoice(10_000)
        alloc = allocation(10_000, at=on(FRIDAY))
        pay = payment(alloc)
        from stuut_domain.lifecycle import apply_allocation

        applied = apply_allocation(inv, alloc, at=on(FRIDAY))
        later = on(FRIDAY + dt.timedelta(days=30))
        assert promise_status(promise(), [pay], DEFAULT_PROMISE_POLICY, later).status is (
            PromiseStatus.KEPT
        )
        assert alloc.id is not None
        withdrawn, _ = withdraw_allocation(pay, applied, alloc.id)
        assert promise_status(promise(), [withdrawn], DEFAULT_PROMISE_POLICY, later).status is (
            PromiseStatus.BROKEN
        )

    def test_a_payment_appropriated_to_a_cancelled_promise_is_refused(self) -> None:
        cancelled = cancel_promise(promise(), at=days(4))
        payments = paid(1_000, on(FRIDAY))
        with pytest.raises(OwedRefused, match=r"^\[promise_not_active\]") as caught:
            appropriate(
                [cancelled], payments, at=on(FRIDAY, 13), explicit={"alloc_pay_1_inv_1": "prm_1"}
            )
        assert caught.value.values["status"] == "cancelled"

    def test_unapproved_allocations_do_not_count(self) -> None:
        import attrs

        pending = attrs.evolve(allocation(10_000, at=on(FRIDAY)), approved=False)
        later = on(FRIDAY + dt.timedelta(days=30))
        reading = promise_status(promise(), [payment(pending)], DEFAULT_PROMISE_POLICY, later)
        assert reading.status is PromiseStatus.BROKEN


class TestBadInput:
    def test_a_promise_over_another_partners_invoice_is_refused(self) -> None:
        with pytest.raises(OwedRefused, match=r"^\[promise_partner_mismatch\]") as caught:
            check_promise(promise(), [invoice(partner_id="ptn_other")])
        assert caught.value.values == {"invoice_partner_id": "ptn_other", "partner_id": "ptn_acme"}

    def test_a_promise_dated_before_it_was_made_is_refused(self) -> None:
        early = promise(promised_date=(ISSUED + dt.timedelta(days=2)).date())
        with pytest.raises(OwedRefused, match=r"^\[promise_dated_before_made\]"):
            check_promise(early, [invoice()])

    def test_a_promise_above_what_is_owed_is_refused(self) -> None:
        with pytest.raises(OwedRefused, match=r"^\[promise_amount\]"):
            check_promise(promise(10_001), [invoice(10_000)])

    def test_a_valid_promise_passes(self) -> None:
        good = promise()
        assert check_promise(good, [invoice()]) is good

    def test_shares_are_exact(self) -> None:
        with pytest.raises(OwedRefused, match=r"^\[promise_policy_share\]"):
            PromisePolicy(kept_threshold=0.9)  # type: ignore[arg-type]
        with pytest.raises(OwedRefused, match=r"^\[promise_policy_share\]"):
            PromisePolicy(kept_threshold=Fraction(1, 2), partial_threshold=Fraction(3, 4))
