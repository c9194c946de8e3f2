"""The simulation counts calendar weeks (Monday to Sunday) as expected_collections does, and a
model that pays on the expected day reproduces that forecast on the bundled sample book."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest

from adapters.cli._store import load_store, pick_workflow
from adapters.samples import sample_portfolio_path
from outreach_builders import acme, net30_reminders
from scenario_builders import day, invoice
from stuut_domain.lifecycle import approve_allocation
from stuut_domain.money import Money
from stuut_domain.portfolio import LATER, OVERDUE, UNDATED, expected_collections
from stuut_domain.scenarios import PaymentBehaviour, collections, simulate_collections

THURSDAY_NOON = day(2026, 11, 26, 12)


def test_week_zero_is_the_starts_calendar_week_and_the_run_ends_on_a_sunday() -> None:
    """A Thursday start: week 0 is Monday 23 Nov (four days simulated), week 1 the 30th, and
    the run ends on Sunday 6 Dec; a payment due on Sunday the 29th falls in week 0, one due
    on Monday the 30th in week 1, each dated on its due day although days start at noon."""
    items = [
        invoice("inv_sun", due=day(2026, 11, 29, 9), units=100),
        invoice("inv_mon", due=day(2026, 11, 30, 9), units=300),
    ]
    simulation = simulate_collections(
        items,
        partners=(acme(),),
        workflow=net30_reminders(),
        behaviour=PaymentBehaviour.on_due_date(),
        start=THURSDAY_NOON,
        weeks=2,
        runs=1,
    )
    assert [simulation.week_start(w) for w in range(3)] == [
        dt.date(2026, 11, 23),
        dt.date(2026, 11, 30),
        dt.date(2026, 12, 7),
    ]
    assert simulation.days == 11  # Thursday 26 Nov to Sunday 6 Dec
    (only,) = simulation.runs
    assert dict(only.cash) == {(0, "EUR"): 100, (1, "EUR"): 300}
    assert sorted(at.date() for at, _, _ in only.payments) == [
        dt.date(2026, 11, 29),
        dt.date(2026, 11, 30),
    ]
    assert [r["week_start"] for r in simulation.records()] == [
        dt.date(2026, 11, 23),
        dt.date(2026, 11, 30),
    ]
    # DSO is read at the end of each week's Sunday: both weeks have a figure.
    assert sorted(week for week, _ in only.dso) == [0, 1]


@pytest.mark.parametrize("start", [THURSDAY_NOON, day(2026, 11, 23), day(2026, 11, 29, 23)])
def test_paying_on_the_expected_day_reproduces_the_samples_expected_collections(
    start: dt.datetime,
) -> None:
    """The sample book (400 invoices, 40 partners, overdue and promised invoices, 15 pending
    allocations): paying on the due day and keeping every promise collects per week and
    currency exactly expected_collections' dated weeks for the book with its pending
    allocations approved; nothing of what it forecasts as overdue or later."""
    portfolio = load_store(sample_portfolio_path())
    simulation = simulate_collections(
        portfolio.invoices,
        partners=portfolio.partners,
        workflow=pick_workflow(portfolio, None),
        behaviour=PaymentBehaviour.on_due_date(),
        start=start,
        weeks=26,
        runs=1,
        promise_kept=1.0,
    )
    approved = []
    pending = 0
    for item in portfolio.invoices:
        now = item
        for allocation in item.payments:
            if not allocation.approved and allocation.id is not None:
                pending += 1
                now = approve_allocation(now, allocation.id, at=start)
        approved.append(now)
    assert pending == 15
    expected: dict[tuple[dt.date, str], int] = {}
    for row in expected_collections(approved, as_of=start.date(), weeks=26).records():
        if str(row["period"]) not in (OVERDUE, LATER, UNDATED):
            units = Money.of(row["amount"], str(row["currency"])).minor_units  # type: ignore[arg-type]
            if units:
                expected[(dt.date.fromisoformat(str(row["period"])), str(row["currency"]))] = units
    (only,) = simulation.runs
    got = {(simulation.week_start(w), c): u for (w, c), u in only.cash.items() if u}
    assert len(expected) > 20
    assert got == expected


def test_open_invoices_without_a_due_date_are_counted_and_never_pay() -> None:
    """A curve runs from the due date: an invoice without one never pays, and the summary
    says how many there were and how much they hold, so the cash shortfall is explained."""
    undated = invoice("inv_nodue", due=day(2026, 12, 1), units=12_345)
    undated = attrs.evolve(undated, due_date=None)
    items = [undated, invoice("inv_due", due=day(2026, 12, 1), units=500)]
    simulation = simulate_collections(
        items,
        partners=(acme(),),
        workflow=net30_reminders(),
        behaviour=PaymentBehaviour.constant(1.0, from_day=-400, days=800),
        start=THURSDAY_NOON,
        weeks=3,
        runs=2,
    )
    assert simulation.summary()["open_without_due_date"] == {
        "EUR": {"invoices": 1, "amount": Decimal("123.45")}
    }
    for each in simulation.runs:
        assert sum(each.cash.values()) == 500
        assert each.final_due["inv_nodue"] == 12_345


def test_bounded_caches_change_no_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The caches shared by the runs are pure: trimmed after every run (no history kept
    beyond the first run's) and the decisions emptied at every second entry, the sample's
    runs are the same, contact for contact and unit for unit."""
    portfolio = load_store(sample_portfolio_path())
    common = {
        "partners": portfolio.partners,
        "workflow": pick_workflow(portfolio, None),
        "behaviour": PaymentBehaviour.constant(0.05, from_day=-5, days=60, lifts={"email": 3.0}),
        "start": THURSDAY_NOON,
        "weeks": 6,
        "runs": 4,
        "seed": 3,
    }
    roomy = simulate_collections(portfolio.invoices, **common)  # type: ignore[arg-type]
    monkeypatch.setattr(collections, "_STATES_KEPT", 0)
    monkeypatch.setattr(collections, "_DECISIONS_KEPT", 2)
    tight = simulate_collections(portfolio.invoices, **common)  # type: ignore[arg-type]
    assert sum(len(r.contacts) for r in roomy.runs) > 100
    assert tight.runs == roomy.runs
