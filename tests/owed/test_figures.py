"""Portfolio figures of promises: kept rate, broken streaks, amount promised by week."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from owed_builders import allocation, days, payment, usd
from stuut_domain.money import MoneyBag
from stuut_domain.owed import (
    Promise,
    PromisedInvoice,
    PromiseStatus,
    broken_streak,
    broken_streaks,
    promise_kept_rate,
    promise_statuses,
    promised_beside_expected,
    promised_by_week,
)
from stuut_domain.payment import Payment

#: Read long after every deadline below, except the pending one.
LATER = dt.datetime(2026, 12, 20, 12, tzinfo=dt.UTC)


def promise(pid: str, promised: dt.date, units: int = 1_000, partner: str = "ptn_acme") -> Promise:
    return Promise(
        id=pid,
        partner_id=partner,
        invoices=(PromisedInvoice(invoice_id=f"inv_{pid}", amount=usd(units)),),
        promised_date=promised,
        made_at=days(1),
        method="wire",
    )


def kept_by(pid: str, when: dt.datetime) -> Payment:
    return payment(
        allocation(1_000, invoice_id=f"inv_{pid}", payment_id=f"pay_{pid}", at=when),
        payment_id=f"pay_{pid}",
    )


def test_kept_rate_streaks_and_weeks_read_one_appropriation() -> None:
    promises = [
        promise("a", dt.date(2026, 11, 5)),  # kept
        promise("b", dt.date(2026, 11, 10)),  # broken
        promise("c", dt.date(2026, 11, 12)),  # broken
        promise("d", dt.date(2026, 12, 21)),  # pending: wire +3 -> arrives Thu 24 Dec
        promise("e", dt.date(2026, 11, 6), partner="ptn_other"),  # kept
    ]
    payments = [kept_by("a", days(4)), kept_by("e", days(4))]
    readings = promise_statuses(promises, payments, at=LATER)
    assert [r.status for r in readings] == [
        PromiseStatus.KEPT,
        PromiseStatus.BROKEN,
        PromiseStatus.BROKEN,
        PromiseStatus.PENDING,
        PromiseStatus.KEPT,
    ]
    assert promise_kept_rate(readings) == Fraction(2, 4)
    assert broken_streak(promises, readings, "ptn_acme") == 2
    assert broken_streaks(promises, readings) == {"ptn_acme": 2, "ptn_other": 0}
    assert promised_by_week(promises, readings) == {
        dt.date(2026, 12, 21): MoneyBag.of([usd(1_000)])
    }


def test_a_kept_promise_ends_a_streak_and_nothing_decided_has_no_rate() -> None:
    promises = [promise("b", dt.date(2026, 11, 10)), promise("a", dt.date(2026, 11, 20))]
    readings = promise_statuses(promises, [kept_by("a", days(18))], at=LATER)
    assert broken_streak(promises, readings, "ptn_acme") == 0
    assert promise_kept_rate(()) is None


def test_promised_money_stands_beside_the_expected_collections() -> None:
    from decimal import Decimal

    from owed_builders import invoice
    from stuut_domain.portfolio import expected_collections

    promises = [promise("d", dt.date(2026, 12, 21)), promise("f", dt.date(2027, 6, 1))]
    readings = promise_statuses(promises, [], at=LATER)
    forecast = expected_collections([invoice(2_000)], as_of=LATER.date(), weeks=4)
    rows = promised_beside_expected(forecast, promises, readings)
    assert [(r["period"], r["amount"], r["promise_facts"]) for r in rows] == [
        ("overdue", Decimal("20.00"), Decimal("0.00")),  # the invoice was due 2 December
        ("2026-12-21", Decimal("0.00"), Decimal("10.00")),  # wire +3: Thursday 24 December
        ("later", Decimal("0.00"), Decimal("10.00")),
    ]
