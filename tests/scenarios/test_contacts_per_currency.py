"""A comparison's cost per currency counts the contacts about that currency's invoices, not
the whole book's contacts once per currency (outside review, helper-59)."""

from __future__ import annotations

import datetime as dt

import attrs

from outreach_builders import acme, net30_reminders
from scenario_builders import day, invoice
from stuut_domain.outreach.policy import OutreachPolicy
from stuut_domain.scenarios import PaymentBehaviour, compare_collections
from stuut_domain.scenarios.collections import percentile

START = day(2024, 7, 1)


def test_each_currency_pays_for_its_own_contacts() -> None:
    book = [
        invoice("inv_eur", due=day(2024, 6, 1), units=50_000, partner_id="ptn_acme"),
        invoice("inv_jpy", due=day(2024, 6, 1), units=9_000, partner_id="ptn_beta", currency="JPY"),
        invoice("inv_jp2", due=day(2024, 6, 3), units=7_000, partner_id="ptn_beta", currency="JPY"),
    ]
    comparison = compare_collections(
        book,
        partners=(acme(), acme(id="ptn_beta", name="Beta KK")),
        workflow=net30_reminders(),
        behaviour=PaymentBehaviour.constant(0.0, days=10),
        start=START,
        a=OutreachPolicy(min_gap_per_invoice=dt.timedelta(days=14)),
        b=OutreachPolicy(),
        weeks=6,
        runs=2,
    )
    for sim in (comparison.a, comparison.b):
        for run in sim.runs:
            # each contact is about one partner's invoices, so about one currency here
            assert sum(run.contact_currencies.values()) == len(run.contacts)
    rows = {r["currency"]: r for r in comparison.summary_records()}
    for code in ("EUR", "JPY"):
        assert rows[code]["delta_contacts_p50"] == percentile(comparison.delta_contacts(code), 50)
    total = comparison.delta_contacts()
    assert [
        e + j
        for e, j in zip(
            comparison.delta_contacts("EUR"), comparison.delta_contacts("JPY"), strict=True
        )
    ] == total
    assert all(d > 0 for d in comparison.delta_contacts("EUR"))


def test_a_comparison_keeps_promises_as_a_simulation_does() -> None:
    promised = invoice("inv_p", due=day(2024, 6, 1), units=4_000)
    promised = attrs.evolve(promised, promised_to_pay_date=dt.date(2024, 7, 10))
    comparison = compare_collections(
        [promised],
        partners=(acme(),),
        workflow=net30_reminders(),
        behaviour=PaymentBehaviour.on_due_date(),
        start=START,
        a=OutreachPolicy(),
        b=OutreachPolicy(min_gap_per_invoice=dt.timedelta(days=7)),
        weeks=3,
        runs=1,
        promise_kept=1.0,
    )
    for sim in (comparison.a, comparison.b):
        assert dict(sim.runs[0].cash) == {(1, "EUR"): 4_000}
        assert sim.runs[0].promises == {"inv_p": "kept"}
