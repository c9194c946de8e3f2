"""The match report on a generated ground-truth set of bank transactions (issue 14).

Usage: ``python scripts/cash_match_report.py [--count 6000] [--seed 2026] [--tolerance 0]
[--partners 4] [--invoices 20] [--json]``. Generates ``count`` cases with
:func:`stuut_domain.strategies._cash.sample_cash_cases` (every kind in turn; each case its own
book of 4 partners × 20 open invoices by default), matches each transaction with
:func:`stuut_domain.cash.match_transaction` under the default policy (``--tolerance N``: a
fixed tolerance of N minor units in USD and EUR), and prints
:func:`stuut_domain.cash.match_report` against the true answers, overall and per kind.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Sequence

from stuut_domain.cash import MatchPolicy, MatchProposal, Tolerance, match_report, match_transaction
from stuut_domain.strategies._cash import CashCase, sample_cash_cases


def propose(cases: Sequence[CashCase], policy: MatchPolicy) -> list[MatchProposal]:
    """One proposal per case, each against its own book."""
    return [
        match_transaction(
            case.transaction,
            case.invoices,
            partners=case.directory,
            remittance=case.remittance,
            policy=policy,
            at=case.transaction.timestamp,  # type: ignore[arg-type]
        )
        for case in cases
    ]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the report; exit 0."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--tolerance", type=int, default=0, help="USD/EUR minor units")
    parser.add_argument("--partners", type=int, default=4, help="partners per case's book")
    parser.add_argument("--invoices", type=int, default=20, help="open invoices per partner")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    tolerance = Tolerance(fixed={"USD": args.tolerance, "EUR": args.tolerance})
    policy = MatchPolicy(tolerance=tolerance)
    cases = sample_cash_cases(
        args.count, seed=args.seed, partners=args.partners, invoices_per_partner=args.invoices
    )
    started = time.perf_counter()
    proposals = propose(cases, policy)
    took = time.perf_counter() - started
    truth = {str(c.transaction.id): dict(c.cash) for c in cases}
    report = match_report(proposals, truth)
    by_kind: dict[str, list[int]] = defaultdict(list)
    for index, case in enumerate(cases):
        by_kind[case.kind].append(index)
    kinds = {}
    for kind, indexes in sorted(by_kind.items()):
        sub = match_report([proposals[i] for i in indexes], truth)
        kinds[kind] = {
            "transactions": sub.transactions,
            "auto_rate": sub.envelope_auto_rate,
            "review_rate": sub.review_rate,
            "no_match_rate": sub.no_match_rate,
            "auto_line_precision": sub.line_precision,
            "ambiguous_by_construction": sum(cases[i].ambiguous for i in indexes),
        }
    rows = report.records()
    reviewed = [r for r in rows if r["decision"] == "review"]
    review_right = sum(bool(r["correct"]) for r in reviewed) / len(reviewed) if reviewed else None
    summary = report.summary() | {
        "review_proposals_already_right": review_right,
        "seconds": round(took, 2),
        "ms_per_transaction": round(took / max(1, len(cases)) * 1e3, 3),
        "by_kind": kinds,
    }
    if args.json:
        json.dump(summary, sys.stdout, indent=2, default=str)
        print()
        return 0
    print(
        f"{report.transactions} transactions (seed {args.seed}, tolerance {args.tolerance}) "
        f"matched in {took:.1f} s ({summary['ms_per_transaction']} ms each)"
    )
    print(
        f"auto-applied {_pct(report.envelope_auto_rate)} of transactions, "
        f"{_pct(report.line_item_auto_rate)} of lines; review {_pct(report.review_rate)}; "
        f"no match {_pct(report.no_match_rate)}"
    )
    print(
        f"auto-applied lines: precision {_pct(report.line_precision)}, recall of all true "
        f"lines {_pct(report.line_recall)}; auto-applied envelopes exactly right "
        f"{_pct(report.envelope_precision)}"
    )
    print(
        f"review queue: {len(report.review_queue)} (their proposal already right: "
        f"{_pct(review_right)}); unapplied: {report.summary()['unapplied']}"
    )
    print(f"{'kind':20} {'n':>5} {'auto':>7} {'review':>7} {'none':>7} {'precision':>9}")
    for kind, row in kinds.items():
        print(
            f"{kind:20} {row['transactions']:5} {_pct(row['auto_rate']):>7} "
            f"{_pct(row['review_rate']):>7} {_pct(row['no_match_rate']):>7} "
            f"{_pct(row['auto_line_precision']):>9}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
