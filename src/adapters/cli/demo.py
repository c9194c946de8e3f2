"""``stuut-domain demo``: check, aging, outreach, cash matching and simulation on the bundled
sample portfolio (and its sample bank statement)."""

from __future__ import annotations

import argparse
import datetime as dt
import functools

from adapters.cli import check
from adapters.cli._output import Outcome, UnusableInput, section
from adapters.cli._store import load_store, pick_workflow, store_outcome
from adapters.cli.aging import aging_view
from adapters.cli.match import match_view, propose, read_transactions
from adapters.cli.outreach import outreach_view
from adapters.cli.simulate import simulate_view
from adapters.samples import SAMPLE_AS_OF, sample_bank_transactions_path, sample_portfolio_path
from stuut_domain.outreach.policy import OutreachPolicy
from stuut_domain.types import OUTREACH_CHANNELS

__all__ = ["run"]


def run(args: argparse.Namespace) -> Outcome:
    """Run check, aging, outreach, matching and two simulations on the sample, in sections."""
    try:
        root = sample_portfolio_path()
        statement = sample_bank_transactions_path()
    except FileNotFoundError as exc:
        raise UnusableInput(str(exc)) from None
    checked = check.run(argparse.Namespace(paths=[str(root)], kind="auto"))
    portfolio = load_store(root)
    as_of = SAMPLE_AS_OF.date()
    workflow = pick_workflow(portfolio, None)
    aging_text, aging_data = aging_view(portfolio, as_of, limit=12)
    outreach_text, outreach_data = outreach_view(
        portfolio,
        at=SAMPLE_AS_OF,
        channels=OUTREACH_CHANNELS,
        workflow=workflow,
        policy=OutreachPolicy(),
        limit=12,
    )
    at_text = SAMPLE_AS_OF.isoformat().replace("+00:00", "Z")
    transactions = read_transactions(str(statement))
    proposals = propose(
        transactions,
        portfolio.invoices,
        portfolio.partners,
        at=SAMPLE_AS_OF,
        source=str(statement),
    )
    match_text, match_data = match_view(proposals, transactions, at=SAMPLE_AS_OF, limit=12)
    weekly = OutreachPolicy(min_gap_per_invoice=dt.timedelta(days=7))
    fortnight = functools.partial(
        simulate_view,
        portfolio,
        start=as_of,
        end=as_of + dt.timedelta(days=13),
        channels=("email",),
        workflow=workflow,
        policy=OutreachPolicy(),
    )
    simulate_text, simulate_data = fortnight(compare=None, limit=12)
    compare_text, compare_data = fortnight(compare=weekly, labels=("every 3 days", "weekly"))
    check_summary = checked.text.splitlines()[-1]
    text = "\n\n".join(
        [
            f"stuut-domain demo: the bundled sample portfolio ({root})",
            section("Check", f"{check_summary} (stuut-domain check {root})"),
            section(f"Aging at {as_of}", aging_text),
            section("Outreach decisions", outreach_text),
            section(
                "Cash application: the morning's bank statement",
                f"{match_text}\n(stuut-domain match --store {root} {statement} --at {at_text})",
            ),
            section("Simulation, two weeks", simulate_text),
            section("What if reminders were weekly?", compare_text),
        ]
    )
    data = {
        "portfolio": str(root),
        "check": checked.data,
        "aging": aging_data,
        "outreach": outreach_data,
        "matching": match_data,
        "simulation": simulate_data,
        "comparison": compare_data,
    }
    return store_outcome(portfolio, text, data)
