"""The collections simulation: reproducible, money conserved, outreach reads the payments,
policies compared on common random numbers, and the deterministic special case."""

from __future__ import annotations

import datetime as dt
import pathlib
from decimal import Decimal

import attrs
import pytest

from outreach_builders import acme, net30_reminders
from scenario_builders import day, invoice
from stuut_domain.allocation import AllocationRule
from stuut_domain.errors import InvalidScenario
from stuut_domain.money import Money
from stuut_domain.outreach.policy import OutreachPolicy
from stuut_domain.portfolio import days_sales_outstanding, expected_collections
from stuut_domain.scenarios import (
    BehaviourBook,
    CollectionsSimulation,
    PaymentBehaviour,
    compare_collections,
    percentile,
    simulate_collections,
)

START = day(2024, 7, 1)  # a Monday, 00:00 UTC
PARTNERS = (
    acme(),
    acme(id="ptn_beta", name="Beta AG", email="ap@beta.example", contacts=()),
)


def book() -> list:  # type: ignore[type-arg]
    """Seven invoices of two partners in EUR and USD, overdue and not yet due; the disputed
    one is past the curve (it never pays)."""
    return [
        invoice("inv_a1", due=day(2024, 6, 1), units=12_345),
        invoice("inv_a2", due=day(2024, 6, 20), units=50_000, paid=((day(2024, 6, 25), 10_000),)),
        invoice("inv_a3", due=day(2024, 7, 10), units=7_777, currency="USD"),
        invoice("inv_a4", due=day(2024, 1, 1), units=3_000, in_dispute=True),
        invoice("inv_b1", due=day(2024, 6, 10), units=99_999, partner_id="ptn_beta"),
        invoice("inv_b2", due=day(2024, 7, 20), units=1_001, partner_id="ptn_beta"),
        invoice(
            "inv_b3", due=day(2024, 6, 15), units=20_000, partner_id="ptn_beta", currency="USD"
        ),
    ]


BEHAVIOUR = PaymentBehaviour.constant(
    0.03, from_day=-10, days=120, full_share=0.6, lifts={"email": 3.0, "call": 4.0}
)


def run(**overrides: object) -> CollectionsSimulation:
    values: dict[str, object] = {
        "partners": PARTNERS,
        "workflow": net30_reminders(),
        "behaviour": BEHAVIOUR,
        "start": START,
        "weeks": 12,
        "runs": 12,
        "seed": 7,
        "channels": ("email", "call"),
    }
    values.update(overrides)
    invoices = values.pop("invoices", book())
    return simulate_collections(invoices, **values)  # type: ignore[arg-type]


def test_the_same_seed_gives_the_same_runs_whatever_the_input_order() -> None:
    first = run()
    again = run(invoices=list(reversed(book())), partners=tuple(reversed(PARTNERS)))
    assert first.runs == again.runs
    assert first.records() == again.records()
    other = run(seed=8)
    assert other.runs != first.runs


@pytest.mark.parametrize(
    "rule", [AllocationRule.MATCHED, AllocationRule.OLDEST_DUE_FIRST, AllocationRule.PROPORTIONAL]
)
def test_money_is_conserved_per_currency(rule: AllocationRule) -> None:
    """Cash collected equals the payments drawn and never exceeds what was open, exactly."""
    simulation = run(rule=rule)
    assert simulation.opening == {"EUR": 12_345 + 40_000 + 3_000 + 99_999 + 1_001, "USD": 27_777}
    for each in simulation.runs:
        for code, opening in simulation.opening.items():
            drawn = sum(m.minor_units for _, _, m in each.payments if m.code == code)
            assert each.collected(code).minor_units == drawn <= opening
        assert all(v >= 0 for v in each.unapplied.values())
    assert any(each.payments for each in simulation.runs)


def test_a_paid_invoice_is_never_contacted_after_it_is_paid() -> None:
    simulation = run(runs=20)
    opening = {i.id: i.amount_due.minor_units for i in book()}
    checked = 0
    for each in simulation.runs:
        paid: dict[str, int] = {}
        settled_at: dict[str, dt.datetime] = {}
        for at, key, amount in each.payments:
            paid[key] = paid.get(key, 0) + amount.minor_units
            if paid[key] == opening[key]:
                settled_at[key] = at
        for at, _, _, ids in each.contacts:
            for key in ids:
                assert key not in settled_at or at < settled_at[key]
        checked += len(settled_at)
    assert checked > 0


def test_a_disputed_invoice_is_never_reached_and_says_why() -> None:
    simulation = run()
    for each in simulation.runs:
        assert each.never_reached.get("inv_a4") == "in_dispute"
    rows = {r["invoice_id"]: r for r in simulation.never_records()}
    assert rows["inv_a4"]["share_of_runs"] == 1.0


def test_without_a_contact_effect_two_policies_collect_the_same_cash() -> None:
    flat = attrs.evolve(BEHAVIOUR, lifts={})
    comparison = compare_collections(
        book(),
        partners=PARTNERS,
        workflow=net30_reminders(),
        behaviour=flat,
        start=START,
        a=OutreachPolicy(),
        b=OutreachPolicy(min_gap_per_invoice=dt.timedelta(days=14)),
        labels=("baseline", "fortnightly"),
        weeks=12,
        runs=10,
        seed=3,
        channels=("email",),
    )
    assert all(r["delta_p50"] == 0 and r["delta_high"] == 0 for r in comparison.records())
    assert [r.cash for r in comparison.a.runs] == [r.cash for r in comparison.b.runs]
    assert sum(comparison.delta_contacts()) < 0  # fewer contacts, same cash
    row = comparison.summary_records()[0]
    assert row["contacts_per_1000_forward"] is None
    # outsider 56: a ratio column of only None became objects, which do not plot
    frame = comparison.to_pandas("summary_records")
    assert str(frame["contacts_per_1000_forward"].dtype) == "float64"


def test_contacts_with_an_effect_bring_cash_forward() -> None:
    comparison = compare_collections(
        book(),
        partners=PARTNERS,
        workflow=net30_reminders(),
        behaviour=PaymentBehaviour.constant(0.01, from_day=-10, days=200, lifts={"email": 8.0}),
        start=START,
        a=OutreachPolicy(min_gap_per_invoice=dt.timedelta(days=21)),
        b=OutreachPolicy(min_gap_per_invoice=dt.timedelta(days=3)),
        weeks=12,
        runs=40,
        seed=1,
    )
    eur = next(r for r in comparison.summary_records() if r["currency"] == "EUR")
    assert eur["cash_weeks_forward_p50_float"] > 0
    assert sum(comparison.delta_contacts()) > 0
    assert eur["contacts_per_1000_forward"] is not None


def test_paying_on_the_due_date_reproduces_the_expected_collections() -> None:
    """Invoices not yet due at the start, a model that pays everything on the due day: the
    cash by week equals portfolio.expected_collections by week, in every run."""
    invoices = [i for i in book() if i.due_date is not None and i.due_date >= START]
    simulation = run(invoices=invoices, behaviour=PaymentBehaviour.on_due_date(), runs=3)
    expected = {
        (str(r["period"]), str(r["currency"])): r["amount"]
        for r in expected_collections(invoices, as_of=START.date(), weeks=12).records()
    }
    got = {
        (str(r["week_start"]), str(r["currency"])): r["cash_p50"]
        for r in simulation.records()
        if r["cash_p50"]
    }
    assert got == expected
    assert all(each.cash == simulation.runs[0].cash for each in simulation.runs)


def test_records_carry_exact_and_float_amounts() -> None:
    simulation = run()
    row = simulation.records()[-1]
    assert {"cumulative_p50", "cumulative_p50_float", "opening_float"} <= set(row)
    assert row["cumulative_p50_float"] == float(str(row["cumulative_p50"]))
    assert row["cumulative_low"] <= row["cumulative_p50"] <= row["cumulative_high"]
    assert simulation.partner_records()[0]["partner_id"] == "ptn_acme"
    assert simulation.summary()["runs"] == 12
    assert simulation.title().startswith("Collections 2024-07-01 + 12 weeks, 12 runs")
    assert repr(simulation).startswith("CollectionsSimulation(")


def test_percentile_is_nearest_rank() -> None:
    values = [5, 1, 4, 2, 3]
    assert [percentile(values, q) for q in (0, 20, 21, 50, 95, 100)] == [1, 1, 2, 3, 5, 5]
    with pytest.raises(InvalidScenario):
        percentile([], 50)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"runs": 0}, "runs_not_positive"),
        ({"weeks": 0}, "weeks_not_positive"),
        ({"weeks": 521}, "weeks_too_many"),  # outsider 56: 10**12 weeks ran without end
        ({"runs": 100_001}, "runs_too_many"),
        ({"seed": "x"}, "seed"),
        ({"channels": ("email", "email")}, "channels"),
        ({"rule": AllocationRule.EXPLICIT}, "rule"),
        ({"bands": (50, 50)}, "bands"),
    ],
)
def test_bad_settings_are_refused(overrides: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidScenario) as caught:
        run(**overrides)
    assert caught.value.code == code


def test_a_hand_set_book_and_the_sample_portfolio() -> None:
    """Smoke: two runs over the bundled sample, fitted from its own history."""
    from adapters.cli._store import load_store
    from adapters.samples import SAMPLE_AS_OF, sample_portfolio_path
    from stuut_domain.outreach.state import OutreachState
    from stuut_domain.scenarios import fit_behaviour

    sample = load_store(pathlib.Path(sample_portfolio_path()))
    fitted = fit_behaviour(
        sample.invoices,
        as_of=SAMPLE_AS_OF,
        contacts=OutreachState.from_invoices(sample.invoices).sent,
    )
    assert isinstance(BehaviourBook.of(BEHAVIOUR).for_invoice(book()[0]), PaymentBehaviour)
    workflow = next(w for w in sample.workflows if w.is_active is not False)
    simulation = simulate_collections(
        sample.invoices,
        partners=sample.partners,
        workflow=workflow,
        behaviour=fitted,
        start=SAMPLE_AS_OF,
        weeks=4,
        runs=2,
    )
    for each in simulation.runs:
        for code, opening in simulation.opening.items():
            assert each.collected(code).minor_units <= opening


def test_the_scenario_names_are_public_at_the_root() -> None:
    import stuut_domain

    names = ("BehaviourBook", "CollectionsSimulation", "compare_collections", "fit_behaviour")
    assert all(name in stuut_domain.__all__ and hasattr(stuut_domain, name) for name in names)
    assert stuut_domain.simulate_collections is simulate_collections


class TestDsoOverTime:
    """The simulated book's DSO per week is portfolio.days_sales_outstanding on that book."""

    def test_paying_on_the_due_date_gives_the_hand_computed_dso(self) -> None:
        """Sales 40,000 in the 90 days; 30,000 open after the first week, none after the third:
        DSO 90.0 at the start, 67.5 for two weeks, then 0.0, in every run and band."""
        invoices = [
            invoice("inv_x", due=day(2024, 7, 3), units=10_000),
            invoice("inv_y", due=day(2024, 7, 20), units=30_000),
        ]
        simulation = run(invoices=invoices, behaviour=PaymentBehaviour.on_due_date(), weeks=4)
        assert simulation.dso_opening == {"EUR": Decimal("90.0")}
        for each in simulation.runs:
            assert [each.dso[(w, "EUR")] for w in range(4)] == [
                Decimal("67.5"),
                Decimal("67.5"),
                Decimal("0.0"),
                Decimal("0.0"),
            ]
        rows = simulation.records()
        assert [r["dso_p50"] for r in rows] == [Decimal(v) for v in ("67.5", "67.5", "0.0", "0.0")]
        assert all(r["dso_low"] == r["dso_p50"] == r["dso_high"] for r in rows)
        assert rows[0]["dso_p50_float"] == 67.5
        summary = simulation.summary()
        assert summary["dso_opening"] == {"EUR": Decimal("90.0")}
        assert summary["dso_p50_final"] == {"EUR": Decimal("0.0")}

    def test_the_last_week_matches_the_final_book(self) -> None:
        """Rebuilt from the run's final amounts due, the book's DSO on the last day is the
        run's last DSO figure, per currency; the bands are ordered."""
        simulation = run(runs=6)
        last = (simulation.start + dt.timedelta(days=7 * simulation.weeks - 1)).date()
        for each in simulation.runs:
            final = [
                attrs.evolve(
                    i,
                    amount_due=Money(each.final_due[str(i.id)], i.currency),
                    amount_paid=i.total_amount - Money(each.final_due[str(i.id)], i.currency),
                )
                for i in book()
            ]
            report = days_sales_outstanding(final, as_of=last)
            for figure in report.figures:
                assert each.dso[(simulation.weeks - 1, figure.currency)] == figure.days
        for row in simulation.records():
            if row["dso_p50"] is not None:
                assert row["dso_low"] <= row["dso_p50"] <= row["dso_high"]

    def test_a_bad_sales_period_is_refused(self) -> None:
        """The DSO's sales period must be a positive number of days."""
        with pytest.raises(InvalidScenario) as caught:
            run(dso_period_days=0)
        assert caught.value.code == "dso_period_days_not_positive"


def promised_book() -> list:  # type: ignore[type-arg]
    """Three overdue invoices of Acme with promises: one due in the range (10 July), one whose
    deadline passed before the start, one beyond the twelve weeks."""
    return [
        invoice(
            "inv_p1", due=day(2024, 6, 1), units=20_000, promised_to_pay_date=dt.date(2024, 7, 10)
        ),
        invoice(
            "inv_p2", due=day(2024, 6, 5), units=5_000, promised_to_pay_date=dt.date(2024, 6, 20)
        ),
        invoice(
            "inv_p3", due=day(2024, 6, 9), units=7_000, promised_to_pay_date=dt.date(2024, 12, 1)
        ),
    ]


NEVER_PAYS = PaymentBehaviour.constant(0.0, from_day=0, days=1)


class TestPromisesInARun:
    """Promises are kept or broken in a run, outreach holds and resumes, outcomes are counted."""

    def test_a_kept_promise_pays_in_full_on_its_date_and_holds_outreach_until_then(self) -> None:
        """With promise_kept=1 the promised invoice pays all it owes on 10 July in every run
        and no contact names it before its deadline (date plus two grace days)."""
        simulation = run(invoices=promised_book(), behaviour=NEVER_PAYS, promise_kept=1.0)
        for each in simulation.runs:
            paid = [(at.date(), key, m.minor_units) for at, key, m in each.payments]
            assert paid == [(dt.date(2024, 7, 10), "inv_p1", 20_000)]
            assert each.final_due["inv_p1"] == 0
            assert all("inv_p1" not in ids for _, _, _, ids in each.contacts)
            assert each.promises == {
                "inv_p1": "kept",
                "inv_p2": "broken_before_start",
                "inv_p3": "pending",
            }
            assert each.promise_counts() == {
                "kept": 1,
                "partially_kept": 0,
                "broken": 0,
                "pending": 1,
                "broken_before_start": 1,
            }
        assert simulation.summary()["promises_p50"] == {
            "kept": 1,
            "partially_kept": 0,
            "broken": 0,
            "pending": 1,
            "broken_before_start": 1,
        }

    def test_a_broken_promise_resumes_outreach_after_its_deadline(self) -> None:
        """With promise_kept=0 and no payments, the promise is broken; outreach names the
        invoice only after 12 July (10 July plus two grace days), and does name it."""
        simulation = run(invoices=promised_book(), behaviour=NEVER_PAYS, promise_kept=0.0)
        for each in simulation.runs:
            assert each.payments == ()
            assert each.promises["inv_p1"] == "broken"
            named = [at for at, _, _, ids in each.contacts if "inv_p1" in ids]
            assert named
            assert min(named).date() > dt.date(2024, 7, 12)

    def test_a_share_of_promises_is_kept_across_runs(self) -> None:
        """promise_kept=0.5 over 60 runs keeps the in-range promise in some runs and not in
        others; a run is the same whatever other runs are made (same seed, same run)."""
        simulation = run(invoices=promised_book(), behaviour=NEVER_PAYS, promise_kept=0.5, runs=60)
        outcomes = [each.promises["inv_p1"] for each in simulation.runs]
        assert 10 < outcomes.count("kept") < 50
        assert set(outcomes) == {"kept", "broken"}
        fewer = run(invoices=promised_book(), behaviour=NEVER_PAYS, promise_kept=0.5, runs=5)
        assert fewer.runs == simulation.runs[:5]

    def test_without_promise_keeping_promises_change_no_payment(self) -> None:
        """promise_kept=None (the default) draws payments from the hazard alone: with no
        contact effect, the book with its promises removed collects the same cash, though
        outreach differs (the promises hold it)."""
        flat = attrs.evolve(BEHAVIOUR, lifts={})
        plain = [attrs.evolve(i, promised_to_pay_date=None) for i in promised_book()]
        with_promises = run(invoices=promised_book(), behaviour=flat)
        without = run(invoices=plain, behaviour=flat)
        assert [r.cash for r in with_promises.runs] == [r.cash for r in without.runs]
        assert any(r.cash for r in with_promises.runs)
        assert [r.contacts for r in with_promises.runs] != [r.contacts for r in without.runs]
        assert all(not r.promises for r in without.runs)

    @pytest.mark.parametrize("value", [1.5, -0.1, True, "0.5"])
    def test_a_bad_keeping_share_is_refused(self, value: object) -> None:
        """promise_kept is a probability within 0..1, or None."""
        with pytest.raises(InvalidScenario) as caught:
            run(invoices=promised_book(), promise_kept=value)
        assert caught.value.code == "promise_kept"


class TestDisputesInARun:
    """A disputed invoice is never chased while its partner's other invoices are."""

    def test_the_disputed_invoice_is_named_in_no_contact(self) -> None:
        """Acme is contacted about its other invoices in every run, never about inv_a4."""
        simulation = run()
        for each in simulation.runs:
            acme_contacts = [ids for _, pid, _, ids in each.contacts if pid == "ptn_acme"]
            assert acme_contacts
            assert all("inv_a4" not in ids for ids in acme_contacts)
            assert each.never_reached["inv_a4"] == "in_dispute"
