"""Outreach decisions per second over a portfolio, beside ``json.loads`` of a slim invoice.

Issue 3, target 3: at least 100,000 decisions per second on one core. The portfolio is a
deterministic synthetic one (40 partners, 400 invoices, mixed zones, windows and holds) built
from the entity classes until the bundled sample portfolio lands. Run alone with
``python -m bench.bench_outreach``; ``bench/run.py`` collects :func:`rows`.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import time
from collections.abc import Callable

from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.outreach import OutreachContext, decide_outreach
from stuut_domain.outreach_policy import DEFAULT_POLICY
from stuut_domain.outreach_state import OutreachState
from stuut_domain.partner import Contact, Partner
from stuut_domain.payment import PaymentAllocation
from stuut_domain.workflow import Workflow

UTC = dt.UTC
TARGET = 100_000
ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Adelaide",
    "Pacific/Apia",
    None,
)
CURRENCIES = ("EUR", "USD", "GBP", "JPY")
AT = dt.datetime(2024, 7, 3, 13, 30, tzinfo=UTC)  # a Wednesday

Portfolio = list[tuple[Partner, Workflow, tuple[Invoice, ...]]]


def _workflows() -> list[Workflow]:
    return [
        Workflow(
            id="wf_weekdays",
            name="Weekday reminders",
            active_days=(0, 1, 2, 3, 4),
            outreach_window_start="08:00",
            outreach_window_end="18:00",
            timezone="Europe/Berlin",
            is_active=True,
        ),
        Workflow(
            id="wf_night_desk",
            name="Night desk",
            active_days=(0, 1, 2, 3, 4, 5),
            outreach_window_start="20:00",
            outreach_window_end="02:00",
            timezone="America/Chicago",
            is_active=True,
            is_call_on_weekend_enabled=True,
        ),
        Workflow(
            id="wf_always",
            name="Always on",
            is_active=True,
            timezone="UTC",
        ),
    ]


def portfolio(partners: int = 40, per_partner: int = 10, seed: int = 20261126) -> Portfolio:
    """A deterministic portfolio: each partner with its workflow and open invoices."""
    rng = random.Random(seed)
    workflows = _workflows()
    out: Portfolio = []
    for p in range(partners):
        pid = f"ptn_{p:03d}"
        currency = CURRENCIES[p % len(CURRENCIES)]
        contacts = tuple(
            Contact(
                email=f"ap{c}@customer-{p:03d}.example" if rng.random() > 0.1 else "<string>",
                object="contact",
                partner_id=pid,
                id=f"con_{p:03d}_{c}",
                given_name=f"Contact {c}",
                phone=f"+49 30 {rng.randrange(1_000_000, 9_999_999)}"
                if rng.random() > 0.3
                else None,
                external_role="billing_contact" if c == 0 else "buyer",
                is_primary=c == 1,
                is_email_disabled=rng.random() < 0.1,
            )
            for c in range(rng.randrange(0, 4))
        )
        partner = Partner(
            id=pid,
            name=f"Customer {p:03d} Ltd",
            timezone=ZONES[p % len(ZONES)],
            contacts=contacts,
            email=f"accounts@customer-{p:03d}.example",
            phone="+1 212 555 0100",
            is_active=rng.random() > 0.05,
            is_email_outreach_manually_paused=rng.random() < 0.05,
            last_outreach_at=AT - dt.timedelta(hours=rng.randrange(0, 200)),
        )
        invoices = []
        for n in range(per_partner):
            total = rng.randrange(10_000, 5_000_000)
            paid = total if rng.random() < 0.15 else rng.choice((0, 0, total // 2))
            issued = AT - dt.timedelta(days=rng.randrange(1, 120))
            iid = f"inv_{p:03d}_{n:02d}"
            pending = ()
            if rng.random() < 0.05:
                pending = (
                    PaymentAllocation(
                        amount=Money(total - paid, currency),
                        invoice_id=iid,
                        object="payment_allocation",
                        payment_id=f"pay_{p:03d}_{n:02d}",
                        strategy="automatic",
                        approved=False,
                    ),
                )
            invoices.append(
                Invoice(
                    amount_due=Money(total - paid, currency),
                    currency=currency,
                    object="invoice",
                    remote_id=f"erp-{p}-{n}",
                    total_amount=Money(total, currency),
                    id=iid,
                    number=f"INV-2024-{p:03d}{n:02d}",
                    partner_id=pid,
                    amount_paid=Money(paid, currency),
                    issued_at=issued,
                    due_date=issued + dt.timedelta(days=30),
                    in_dispute=rng.random() < 0.05,
                    promised_to_pay_date=(
                        (AT + dt.timedelta(days=rng.randrange(-10, 10))).date()
                        if rng.random() < 0.1
                        else None
                    ),
                    last_outreach_at=(
                        AT - dt.timedelta(hours=rng.randrange(1, 400))
                        if rng.random() < 0.5
                        else None
                    ),
                    voided_at=issued if rng.random() < 0.03 else None,
                    payments=pending,
                    type="receivable",
                )
            )
        out.append((partner, workflows[p % len(workflows)], tuple(invoices)))
    return out


def _per_second(run: Callable[[], int], repeats: int) -> float:
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        count = run()
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates)


SLIM_INVOICE = json.dumps(
    {
        "amount_due": 80000,
        "currency": "EUR",
        "object": "invoice",
        "remote_id": "erp-42",
        "total_amount": 119000,
        "id": "inv_2024_0042",
        "amount_paid": 39000,
        "due_date": "2024-07-01T00:00:00Z",
        "issued_at": "2024-06-01T09:00:00Z",
        "number": "INV-2024-0042",
        "partner_id": "ptn_acme",
        "in_dispute": False,
        "type": "receivable",
    }
).encode()


def measure(quick: bool) -> dict[str, float]:
    """Decisions per second (context reused, one-shot) and ``json.loads`` per second."""
    data = portfolio()
    state = OutreachState()
    contexts = [
        (OutreachContext(partner=p, workflow=w, channel=ch, policy=DEFAULT_POLICY), invoices)
        for p, w, invoices in data
        for ch in ("email", "call")
    ]
    instants = [AT + dt.timedelta(hours=h) for h in range(0, 168, 7)]
    rounds = 2 if quick else 6
    repeats = 3 if quick else 7

    def with_context() -> int:
        n = 0
        for at in instants[:rounds]:
            for context, invoices in contexts:
                for invoice in invoices:
                    context.decide(invoice, at=at, state=state)
                    n += 1
        return n

    def one_shot() -> int:
        n = 0
        for at in instants[:1]:
            for p, w, invoices in data:
                for invoice in invoices:
                    decide_outreach(invoice, partner=p, workflow=w, channel="email", at=at)
                    n += 1
        return n

    def loads() -> int:
        payload, decode = SLIM_INVOICE, json.loads
        for _ in range(20_000):
            decode(payload)
        return 20_000

    with_context()  # warm the per-day window memo, as a long-running service would have it
    return {
        "context": _per_second(with_context, repeats),
        "one_shot": _per_second(one_shot, repeats),
        "loads": _per_second(loads, repeats),
    }


def rows(quick: bool) -> list[dict[str, object]]:
    """The benchmark rows: decisions per second against ``json.loads`` of a slim invoice."""
    m = measure(quick)
    peer = "json.loads slim invoice"
    return [
        {
            "figure": "outreach decisions, context per partner reused",
            "value": round(m["context"]),
            "unit": "decisions/s",
            "peer": peer,
            "peer_value": round(m["loads"]),
            "ratio": round(m["loads"] / m["context"], 2),
            "target": f">= {TARGET:,} decisions/s",
            "ok": m["context"] >= TARGET,
        },
        {
            "figure": "outreach decisions, decide_outreach one-shot",
            "value": round(m["one_shot"]),
            "unit": "decisions/s",
            "peer": peer,
            "peer_value": round(m["loads"]),
            "ratio": round(m["loads"] / m["one_shot"], 2),
            "target": "none (reported)",
            "ok": True,
        },
    ]


if __name__ == "__main__":
    for row in rows(quick=False):
        print(row)
