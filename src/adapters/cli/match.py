"""``stuut-domain match``: bank transactions matched to a store's open invoices, explained.

Reads a file of Stuut bank transactions (a JSON array or a v1 list envelope; ``-`` is stdin)
and the store's invoices and partners, proposes one match per transaction with
:func:`stuut_domain.cash.match_transactions` under the default
:class:`~stuut_domain.cash.MatchPolicy`, and prints each proposal with its rationale and the
batch's :func:`~stuut_domain.cash.match_report`. Nothing is written: a proposal is advice.

Exit 0 when every transaction auto-applies; 1 when any needs a person (``review`` or
``no_match``: money nobody can place is a finding too) or a store file was unreadable; 2 when
the transactions cannot be read (every problem named, with its path).
"""

from __future__ import annotations

import argparse
import datetime as dt
import pathlib
import sys
from collections.abc import Sequence
from typing import Any, Final

from adapters.cli._output import EXIT_FINDINGS, Outcome, UnusableInput, limited, section
from adapters.cli._store import load_store, store_outcome
from adapters.stuut_json.codec import StuutJsonCodec
from stuut_domain.cash import (
    BankTransaction,
    MatchDecision,
    MatchProposal,
    MatchReport,
    PartnerDirectory,
    match_report,
    match_transactions,
)

__all__ = ["match_view", "read_transactions", "run"]


def read_transactions(text: str) -> tuple[BankTransaction, ...]:
    """The bank transactions in the file ``text`` names (``-``: stdin), decoded tolerantly.

    A missing file is unusable input; a document that is not a list of bank transactions
    raises :class:`~adapters.stuut_json.DecodeError` naming every problem and the file.
    """
    if text == "-":
        data, source = sys.stdin.buffer.read(), "<stdin>"
    else:
        path = pathlib.Path(text)
        if not path.is_file():
            raise UnusableInput(f"{text}: no such file")
        data, source = path.read_bytes(), text
    codec = StuutJsonCodec()
    return tuple(codec.decode_many(BankTransaction, data, source=source))


def default_at(transactions: Sequence[BankTransaction]) -> dt.datetime:
    """When to match by default: the latest transaction instant (so a rerun gives the same
    answer); refused when no transaction says when it happened."""
    instants = [t.timestamp for t in transactions if t.timestamp is not None]
    if not instants:
        raise UnusableInput("no transaction has a timestamp; say when to match with --at")
    return max(instants)


_COLUMNS: Final = ("transaction", "decision", "confidence", "partner", "invoices", "amount")


def _row(proposal: MatchProposal) -> dict[str, object]:
    return {
        "transaction": proposal.transaction_id,
        "decision": proposal.decision.value,
        "confidence": f"{proposal.confidence:.2f}",
        "partner": proposal.partner.partner_id or "unknown",
        "invoices": ", ".join(line.number or line.invoice_id for line in proposal.lines),
        "amount": str(proposal.allocated + proposal.on_account),
    }


def _proposal_data(proposal: MatchProposal) -> dict[str, Any]:
    """One proposal for ``--json``: its record, every line and the rationale in words."""
    return {
        **proposal.as_record(),
        "lines": [
            {
                "invoice_id": line.invoice_id,
                "number": line.number,
                "cash": str(line.cash),
                "cost": str(line.cost),
                "settlements": [
                    {"kind": s.kind.value, "amount": str(s.amount)} for s in line.settlements
                ],
                "rationale": line.rationale,
            }
            for line in proposal.lines
        ],
        "blocker_codes": [b.code for b in proposal.blockers],
        "rationale": list(proposal.rationale),
    }


def _report_text(report: MatchReport) -> str:
    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1%}"

    unapplied = ", ".join(str(m) for _, m in sorted(report.unapplied.items())) or "nothing"
    return "\n".join(
        (
            f"transactions: {report.transactions}",
            f"auto-applied: {report.auto_applied} ({pct(report.envelope_auto_rate)}); "
            f"invoice lines auto-applied: {report.auto_lines} of {report.lines} "
            f"({pct(report.line_item_auto_rate)})",
            f"review: {report.review} ({pct(report.review_rate)}); "
            f"no match: {report.no_match} ({pct(report.no_match_rate)})",
            f"left on account: {unapplied}",
        )
    )


def match_view(
    proposals: Sequence[MatchProposal], *, at: dt.datetime, limit: int | None = None
) -> tuple[str, dict[str, Any]]:
    """The proposals as a table, the rationale of every one not auto-applied, the report;
    and the same as data."""
    report = match_report(proposals)
    table = limited(_COLUMNS, [_row(p) for p in proposals], limit)
    waiting = [p for p in proposals if p.decision is not MatchDecision.AUTO_APPLY]
    shown = waiting if limit is None else waiting[:limit]
    why = "\n\n".join("\n".join(p.rationale) for p in shown) or "every transaction auto-applies"
    if len(shown) < len(waiting):
        why += f"\n\n... {len(waiting) - len(shown)} more; --json shows all"
    text = "\n\n".join(
        (
            section(f"Matches at {at.isoformat()}", table),
            section("Needs a person", why),
            section("Report", _report_text(report)),
        )
    )
    data = {
        "at": at,
        "report": report.summary(),
        "review_queue": [item.transaction_id for item in report.review_queue],
        "proposals": [_proposal_data(p) for p in proposals],
    }
    return text, data


def run(args: argparse.Namespace) -> Outcome:
    """Match the transactions in ``args.transactions`` against the store at ``args.store``."""
    portfolio = load_store(args.store)
    transactions = read_transactions(args.transactions)
    at = args.at or default_at(transactions)
    proposals = match_transactions(
        transactions,
        portfolio.invoices,
        partners=PartnerDirectory.of(portfolio.partners),
        at=at,
    )
    text, data = match_view(proposals, at=at, limit=args.limit or None)
    outcome = store_outcome(portfolio, text, data)
    if any(p.decision is not MatchDecision.AUTO_APPLY for p in proposals):
        return Outcome(exit_code=EXIT_FINDINGS, text=outcome.text, data=outcome.data)
    return outcome
