"""``stuut-domain simulate``: outreach simulated over a date range, or two policies compared.

Days are whole UTC days, ``--from`` to ``--to`` inclusive. Text shows counts and at most
``--limit`` timeline rows (``--json`` has every row with its ids); progress is drawn on
stderr only when stderr is a terminal.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from typing import Any

from adapters.cli._output import Outcome, Progress, UnusableInput, limited
from adapters.cli._store import StorePortfolio, load_store, pick_workflow, store_outcome
from stuut_domain.display import text_table
from stuut_domain.outreach.policy import OutreachPolicy
from stuut_domain.outreach.simulation import (
    OutreachSimulation,
    PolicyComparison,
    SimulatedOutreach,
    Uncontacted,
    simulate_outreach,
)
from stuut_domain.types import OutreachChannel
from stuut_domain.workflow import Workflow

__all__ = ["run", "simulate_view"]


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


#: The timeline's columns in text: counts, not id lists (``--json`` has the ids).
_TIMELINE_COLUMNS = ("at", "partner", "channel", "invoices", "recipients")


def _timeline_rows(simulation: OutreachSimulation) -> list[dict[str, object]]:
    """One short row per outreach sent: when, to whom, how many invoices and recipients."""
    return [
        {
            "at": o.at,
            "partner": o.partner_name or o.partner_id,
            "channel": o.channel,
            "invoices": len(o.invoice_ids),
            "recipients": len(o.recipients),
        }
        for o in simulation.outreach
    ]


def _simulation_text(simulation: OutreachSimulation, limit: int | None) -> str:
    """The headline, the reasons never reached and the timeline (at most ``limit`` rows)."""
    summary = simulation.summary()
    figures = [f"{k.replace('_', ' ')}: {v}" for k, v in summary.items() if not isinstance(v, dict)]
    half = (len(figures) + 1) // 2
    headline = ", ".join(figures[:half]) + "\n" + ", ".join(figures[half:])
    never_rows = [{"code": c, "invoices": n} for c, n in simulation.never_by_code().items()]
    return "\n\n".join(
        [
            f"{simulation.title()}\n{headline}",
            "Never reached, by the reason that kept each out (each invoice once)\n"
            + text_table(("code", "invoices"), never_rows),
            "Timeline (invoices and recipients per outreach)\n"
            + limited(_TIMELINE_COLUMNS, _timeline_rows(simulation), limit),
        ]
    )


def _invoice_data(
    row: dict[str, object],
    reached: dict[str, list[SimulatedOutreach]],
    missed: dict[str, Uncontacted],
) -> dict[str, object]:
    """One open invoice's row with its channels and never-reached codes as arrays."""
    key = str(row["invoice_id"])
    return {
        **row,
        "channels": sorted({o.channel for o in reached.get(key, [])}),
        "codes": list(missed[key].codes) if key in missed else [],
    }


def _simulation_data(simulation: OutreachSimulation) -> dict[str, Any]:
    """A simulation for ``--json``: every row in full, lists as JSON arrays (never joined)."""
    reached = simulation.reached()
    missed = {u.invoice_id: u for u in simulation.uncontacted}
    return {
        "summary": simulation.summary(),
        "outreach": [
            {**o.as_record(), "invoices": list(o.invoice_ids), "recipients": list(o.recipients)}
            for o in simulation.outreach
        ],
        "uncontacted": [
            {**u.as_record(), "codes": list(u.codes), "reasons": list(u.reasons)}
            for u in simulation.uncontacted
        ],
        "invoices": [_invoice_data(row, reached, missed) for row in simulation.invoice_records()],
    }


def _comparison_text(comparison: PolicyComparison) -> str:
    changes = comparison.changes()
    change_rows = [{"change": k, "invoices": v} for k, v in changes.items()]
    return "\n\n".join(
        [
            repr(comparison),
            "Per invoice, under the second policy\n"
            + text_table(("change", "invoices"), change_rows),
        ]
    )


def simulate_view(
    portfolio: StorePortfolio,
    *,
    start: dt.date,
    end: dt.date,
    channels: Sequence[OutreachChannel],
    workflow: Workflow,
    policy: OutreachPolicy,
    compare: OutreachPolicy | None,
    labels: tuple[str, str] = ("policy", "compare"),
    limit: int | None = None,
) -> tuple[str, dict[str, Any]]:
    """One simulation (or, with ``compare``, two policies compared) as text and as data."""
    if end < start:
        raise UnusableInput(f"--to {end} is before --from {start}")
    begin, finish = _midnight(start), _midnight(end + dt.timedelta(days=1))
    common: dict[str, Any] = {
        "partners": portfolio.partners,
        "workflow": workflow,
        "start": begin,
        "end": finish,
        "channels": channels,
    }
    header = f"Workflow {workflow.name or workflow.id}, {start} to {end} inclusive (UTC days)"
    if compare is None:
        progress = Progress("simulating partners")
        simulation = simulate_outreach(
            portfolio.invoices, policy=policy, progress=progress.step, **common
        )
        progress.done()
        return (
            f"{header}\n\n{_simulation_text(simulation, limit)}",
            {"workflow": workflow.id, "from": start, "to": end, **_simulation_data(simulation)},
        )
    if labels[0] == labels[1]:
        raise UnusableInput(f"the two policies need different labels, got {labels!r}")
    runs = []
    for label, chosen in zip(labels, (policy, compare), strict=True):
        progress = Progress(f"simulating partners ({label})")
        runs.append(
            simulate_outreach(portfolio.invoices, policy=chosen, progress=progress.step, **common)
        )
        progress.done()
    # what compare_policies does, with a progress line per policy
    comparison = PolicyComparison(labels=labels, a=runs[0], b=runs[1])
    return (
        f"{header}\n\n{_comparison_text(comparison)}",
        {
            "workflow": workflow.id,
            "from": start,
            "to": end,
            "differences": comparison.differences(),
            "summary": comparison.records(),
            "changes": comparison.changes(),
            "invoices": comparison.invoice_records(),
        },
    )


def run(args: argparse.Namespace) -> Outcome:
    """Simulate outreach for the store at ``args.store``, or compare it with ``--compare``."""
    portfolio = load_store(args.store)
    text, data = simulate_view(
        portfolio,
        start=args.start,
        end=args.end,
        channels=tuple(dict.fromkeys(args.channel or ("email",))),
        workflow=pick_workflow(portfolio, args.workflow),
        policy=args.policy,
        compare=args.compare,
        limit=args.limit or None,
    )
    return store_outcome(portfolio, text, data)
