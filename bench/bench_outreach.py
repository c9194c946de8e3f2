"""Outreach decisions over the sample portfolio, beside ``json.loads`` of a slim invoice.

Issue 3, target 3: at least 100,000 decisions per second on one core. Each decision is one
invoice, one channel, one instant, over the bundled sample portfolio (40 partners, 400
invoices, 3 workflows), at instants spread over a week. Run alone with
``python -m bench.bench_outreach``; ``bench/run.py`` collects :func:`rows`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json

from adapters.samples import SAMPLE_AS_OF, sample_portfolio_path
from adapters.stuut_json import decode_invoice, decode_partner, decode_workflow
from bench.timing import median_seconds
from stuut_domain.cadence import CalendarBook, ConsentEvent, FrequencyCap, reg_f_calls
from stuut_domain.invoice import Invoice
from stuut_domain.outreach.engine import OutreachContext, decide_outreach
from stuut_domain.outreach.policy import OutreachPolicy
from stuut_domain.outreach.state import OutreachState
from stuut_domain.partner import Partner
from stuut_domain.types import OUTREACH_CHANNELS
from stuut_domain.workflow import Workflow

#: At most 10 µs per decision: at least 100,000 decisions per second on one core.
TARGET_US = 10.0
#: The sample's three workflows cover the Americas, EMEA and APAC; partners join by region.
REGIONS = {"America": "Americas", "Europe": "EMEA", "Africa": "EMEA", "Atlantic": "EMEA"}

Portfolio = list[tuple[Partner, Workflow, tuple[Invoice, ...]]]


def portfolio() -> Portfolio:
    """The bundled sample portfolio: each partner with its region's workflow and its invoices."""
    root = sample_portfolio_path()
    partners = [decode_partner(p.read_bytes()) for p in sorted((root / "partners").iterdir())]
    workflows = [decode_workflow(p.read_bytes()) for p in sorted((root / "workflows").iterdir())]
    invoices = [decode_invoice(p.read_bytes()) for p in sorted((root / "invoices").iterdir())]
    by_region = {
        next(r for r in ("Americas", "EMEA", "APAC") if r in (w.name or "")): w for w in workflows
    }
    out: Portfolio = []
    for partner in partners:
        region = REGIONS.get((partner.timezone or "").split("/")[0], "APAC")
        mine = tuple(i for i in invoices if i.partner_id == partner.id)
        out.append((partner, by_region[region], mine))
    return out


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


def cadence_policy() -> OutreachPolicy:
    """A policy with every cadence rule in force (issue 16): the recipients' public holidays
    (the ``holidays`` package, by each partner's billing country, the organisation in the US),
    Regulation F's call cap, a contact cap of 3 e-mails a week and a partner cap of 5 contacts
    in 3 days."""
    return OutreachPolicy(
        calendars=CalendarBook(organisation=("US", None)),
        frequency_caps=(
            reg_f_calls(),
            FrequencyCap(channels={"email"}, max_attempts=3, window=dt.timedelta(days=7)),
            FrequencyCap(
                channels={"email", "call"},
                max_attempts=5,
                window=dt.timedelta(days=3),
                scope="partner",
            ),
        ),
    )


def cadence_state(data: Portfolio) -> OutreachState:
    """The sample's outreach history plus a consent ledger: every fifth partner's first
    contact opted out of e-mail a month before the sample's instant."""
    state = OutreachState.from_invoices(i for _, _, invoices in data for i in invoices)
    when = SAMPLE_AS_OF - dt.timedelta(days=30)
    for partner, _, _ in data[::5]:
        contact = next((c for c in partner.contacts if c.email), None)
        if contact is not None and contact.email is not None:
            event = ConsentEvent(
                channel="email",
                kind="opt_out",
                address=contact.email,
                contact_id=contact.id,
                received_at=when,
            )
            state = state.record_consent(event, now=SAMPLE_AS_OF)
    return state


CADENCE_CODES = frozenset({"holiday", "frequency_cap", "invoice_frequency_cap", "no_consent"})


def rows(quick: bool) -> list[dict[str, object]]:
    """µs per outreach decision (lower is better) beside µs per ``json.loads`` of a slim invoice.

    Two figures: deciding with one :class:`OutreachContext` per partner and channel, reused
    across instants as a service or simulator would (the target: at most 10 µs, i.e. at least
    100,000 decisions per second), and :func:`decide_outreach` building a context every call.
    """
    data = portfolio()
    state = OutreachState.from_invoices(i for _, _, invoices in data for i in invoices)
    contexts = [
        (OutreachContext(partner=p, workflow=w, channel=channel), invoices)
        for p, w, invoices in data
        for channel in OUTREACH_CHANNELS
    ]
    work = [(context, invoice) for context, invoices in contexts for invoice in invoices]
    # A week of instants from the sample's "now", 7 hours apart: windows open and closed.
    instants = itertools.cycle([SAMPLE_AS_OF + dt.timedelta(hours=h) for h in range(0, 168, 7)])

    def with_context() -> None:
        at = next(instants)
        for context, invoice in work:
            context.decide(invoice, at=at, state=state)

    policy = cadence_policy()
    cadence = cadence_state(data)
    cadence_contexts = [
        (OutreachContext(partner=p, workflow=w, channel=channel, policy=policy), invoices)
        for p, w, invoices in data
        for channel in OUTREACH_CHANNELS
    ]
    cadence_work = [(c, invoice) for c, invoices in cadence_contexts for invoice in invoices]
    cadence_instants = itertools.cycle(
        [SAMPLE_AS_OF + dt.timedelta(hours=h) for h in range(0, 168, 7)]
    )

    def with_cadence() -> None:
        at = next(cadence_instants)
        for context, invoice in cadence_work:
            context.decide(invoice, at=at, state=cadence)

    # The benchmark must measure real answers: count the cadence blockers over the week.
    held = sum(
        1
        for h in range(0, 168, 7)
        for context, invoice in cadence_work
        if any(
            b.code in CADENCE_CODES
            for b in context.decide(
                invoice, at=SAMPLE_AS_OF + dt.timedelta(hours=h), state=cadence
            ).blockers
        )
    )

    def one_shot() -> None:
        for p, w, invoices in data:
            for invoice in invoices:
                decide_outreach(invoice, partner=p, workflow=w, channel="email", at=SAMPLE_AS_OF)

    one_shot_count = sum(len(invoices) for _, _, invoices in data)
    seconds = median_seconds(
        {
            "context": with_context,
            "cadence": with_cadence,
            "one_shot": one_shot,
            "loads": lambda: json.loads(SLIM_INVOICE),
        },
        repeat=3 if quick else 7,
        budget=0.05 if quick else 0.3,
    )
    context_us = seconds["context"] / len(work) * 1e6
    one_shot_us = seconds["one_shot"] / one_shot_count * 1e6
    cadence_us = seconds["cadence"] / len(cadence_work) * 1e6
    loads_us = seconds["loads"] * 1e6
    peer = "json.loads slim invoice"
    return [
        {
            "figure": f"outreach decision, context reused ({1e6 / context_us:,.0f} per s)",
            "value": context_us,
            "unit": "µs",
            "peer": peer,
            "peer_value": loads_us,
            "ratio": context_us / loads_us,
            "target": f"<= {TARGET_US:g} µs (>= 100,000 per s)",
            "ok": context_us <= TARGET_US,
        },
        {
            "figure": (
                f"outreach decision, context reused, calendar + caps + consent in force "
                f"({1e6 / cadence_us:,.0f} per s; {held} of {len(cadence_work) * 24} "
                f"held by a cadence rule over the week)"
            ),
            "value": cadence_us,
            "unit": "µs",
            "peer": "the same without cadence rules",
            "peer_value": context_us,
            "ratio": cadence_us / context_us,
            "target": f"<= {TARGET_US:g} µs (>= 100,000 per s)",
            "ok": cadence_us <= TARGET_US,
        },
        {
            "figure": f"outreach decision, one-shot ({1e6 / one_shot_us:,.0f} per s)",
            "value": one_shot_us,
            "unit": "µs",
            "peer": peer,
            "peer_value": loads_us,
            "ratio": one_shot_us / loads_us,
            "target": None,
            "ok": None,
        },
    ]


if __name__ == "__main__":
    for line in rows(quick=False):
        print(line)
