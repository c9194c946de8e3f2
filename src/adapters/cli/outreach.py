"""``stuut-domain outreach``: one outreach decision, with its reasons, per partner and channel."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

from adapters.cli._output import Outcome, limited
from adapters.cli._store import StorePortfolio, load_store, pick_workflow, store_outcome
from stuut_domain.outreach.decision import Blocker, OutreachDecision
from stuut_domain.outreach.engine import decide_for_portfolio
from stuut_domain.outreach.policy import OutreachPolicy
from stuut_domain.types import OutreachChannel
from stuut_domain.workflow import Workflow

__all__ = ["outreach_view", "run"]


def _decisions(
    portfolio: StorePortfolio,
    *,
    at: dt.datetime,
    channels: Sequence[OutreachChannel],
    workflow: Workflow,
    policy: OutreachPolicy,
) -> tuple[OutreachDecision, ...]:
    """One decision per partner with open receivables and channel, at ``at``."""
    return decide_for_portfolio(
        portfolio.invoices,
        partners=portfolio.partners,
        workflow=workflow,
        at=at,
        channels=channels,
        policy=policy,
    )


_DECISION_COLUMNS: Final = ("partner", "channel", "eligible", "invoices", "blocked_by", "next")


def _decision_row(decision: OutreachDecision) -> dict[str, object]:
    return {
        "partner": decision.partner_name or decision.partner_id,
        "channel": decision.channel,
        "eligible": decision.eligible,
        "invoices": len(decision.invoice_ids),
        "blocked_by": ", ".join(dict.fromkeys(decision.codes)),
        "next": None if decision.next_eligible_at is None else decision.next_eligible_at,
    }


def _blocker_data(blocker: Blocker) -> dict[str, object]:
    return {
        "code": blocker.code,
        "invoice_id": blocker.invoice_id,
        "message": blocker.message,
        "clears_at": blocker.clears_at,
    }


def _decision_data(decision: OutreachDecision) -> dict[str, object]:
    """One decision for ``--json``: its record with codes, invoices and recipients as arrays."""
    return {
        **decision.as_record(),
        "codes": list(decision.codes),
        "invoice_ids": list(decision.invoice_ids),
        "recipients": [r.address for r in decision.recipients],
        "blockers": [_blocker_data(b) for b in decision.blockers],
        "excluded": [_blocker_data(b) for b in decision.excluded],
        "notes": [{"code": n.code, "message": n.message} for n in decision.notes],
    }


def outreach_view(
    portfolio: StorePortfolio,
    *,
    at: dt.datetime,
    channels: Sequence[OutreachChannel],
    workflow: Workflow,
    policy: OutreachPolicy,
    limit: int | None = None,
) -> tuple[str, dict[str, Any]]:
    """The decisions at ``at`` as a table (at most ``limit`` rows) and as data with reasons."""
    decisions = _decisions(portfolio, at=at, channels=channels, workflow=workflow, policy=policy)
    eligible = sum(1 for d in decisions if d.eligible)
    title = (
        f"Outreach at {at.isoformat()} with workflow {workflow.name or workflow.id}: "
        f"{eligible} of {len(decisions)} partner decision(s) eligible"
    )
    rows = [_decision_row(d) for d in decisions]
    text = f"{title}\n{limited(_DECISION_COLUMNS, rows, limit)}"
    data = {
        "at": at,
        "workflow": workflow.id,
        "decisions": [_decision_data(d) for d in decisions],
    }
    return text, data


def run(args: argparse.Namespace) -> Outcome:
    """Decide outreach for the store at ``args.store`` at ``args.at`` (default channel email)."""
    portfolio = load_store(args.store)
    text, data = outreach_view(
        portfolio,
        at=args.at,
        channels=tuple(dict.fromkeys(args.channel or ("email",))),
        workflow=pick_workflow(portfolio, args.workflow),
        policy=args.policy,
        limit=args.limit or None,
    )
    return store_outcome(portfolio, text, data)
