"""How well a batch of proposals did: match rates defined in code, the review queue, money
left unapplied, and — with the true answers — the precision and recall of what auto-applied.

Definitions (Billtrust notes that vendors rarely give theirs):

* **envelope auto-match rate** = transactions whose proposal auto-applies / transactions.
* **line-item auto-match rate** = invoice lines with cash in auto-applied proposals / invoice
  lines with cash in all proposals (no_match proposals have no line; a line settled only by a
  discount or withholding is counted on neither side).
* **review rate** = proposals decided ``review`` / transactions; **no-match rate** likewise.
* **unapplied** = the on-account money of every proposal, per currency.
* With ``truth`` (transaction id -> {invoice id: cash in the invoice's currency}):
  **line precision** = auto-applied lines whose invoice and cash are the truth's / auto-applied
  lines; **line recall** = those correct lines / all true lines; **envelope precision** =
  auto-applied proposals whose lines equal the truth exactly / auto-applied proposals. A
  transaction whose truth is empty (not a payment of any open invoice) counts an auto-applied
  line as wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import attrs

from stuut_domain.cash.matching import MatchBlocker, MatchDecision, MatchProposal
from stuut_domain.display import compact, html_table
from stuut_domain.frames import Framed
from stuut_domain.money import Money, MoneyBag

__all__ = ["MatchReport", "ReviewItem", "match_report"]


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class ReviewItem:
    """One proposal waiting for a person: its transaction, confidence, money and why."""

    transaction_id: str
    confidence: float
    amount: Money
    blockers: tuple[MatchBlocker, ...]


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class MatchReport(Framed):
    """The figures of a batch (module docstring); rates are None when undefined (0 / 0).

    ``to_pandas()`` / ``to_polars()`` give ``records()`` with the allocated, settled and
    on-account amounts as numbers beside their exact minor units (ADR 0067).
    """

    amount_columns: ClassVar[tuple[str, ...]] = ("allocated", "settled_outside_cash", "on_account")

    transactions: int
    auto_applied: int
    review: int
    no_match: int
    lines: int
    auto_lines: int
    envelope_auto_rate: float | None
    line_item_auto_rate: float | None
    review_rate: float | None
    no_match_rate: float | None
    unapplied: MoneyBag
    review_queue: tuple[ReviewItem, ...]
    line_precision: float | None = None
    line_recall: float | None = None
    envelope_precision: float | None = None
    _rows: tuple[dict[str, Any], ...] = ()

    def records(self) -> list[dict[str, Any]]:
        """One plain row per proposal (for a DataFrame); with truth, a ``correct`` column."""
        return [dict(row) for row in self._rows]

    def summary(self) -> dict[str, Any]:
        """The headline figures as one plain row."""
        return {
            "transactions": self.transactions,
            "auto_applied": self.auto_applied,
            "review": self.review,
            "no_match": self.no_match,
            "envelope_auto_rate": self.envelope_auto_rate,
            "line_item_auto_rate": self.line_item_auto_rate,
            "review_rate": self.review_rate,
            "no_match_rate": self.no_match_rate,
            "line_precision": self.line_precision,
            "line_recall": self.line_recall,
            "envelope_precision": self.envelope_precision,
            "unapplied": {code: str(m) for code, m in self.unapplied.items()},
        }

    def _repr_html_(self) -> str:
        """The headline figures as an HTML table for notebooks."""
        rows = [{"figure": k, "value": v} for k, v in self.summary().items()]
        return html_table(["figure", "value"], rows, caption="Match report")

    def __repr__(self) -> str:
        def pct(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.1%}"

        return (
            f"MatchReport({self.transactions} transactions: auto {pct(self.envelope_auto_rate)}, "
            f"review {pct(self.review_rate)}, no match {pct(self.no_match_rate)}, "
            f"line precision {pct(self.line_precision)})"
        )


def _cash_of(proposal: MatchProposal) -> dict[str, Money]:
    return {line.invoice_id: line.cash for line in proposal.lines if line.cash.is_positive()}


def match_report(
    proposals: Sequence[MatchProposal],
    truth: Mapping[str, Mapping[str, Money]] | None = None,
) -> MatchReport:
    """The report of ``proposals`` (module docstring), scored against ``truth`` if given.

    The review queue lists every ``review`` proposal, the largest amount first (then by
    transaction id).
    """
    auto = [p for p in proposals if p.decision is MatchDecision.AUTO_APPLY]
    review = [p for p in proposals if p.decision is MatchDecision.REVIEW]
    lines = sum(len(_cash_of(p)) for p in proposals)  # cash lines, as auto_lines counts
    auto_lines = sum(len(_cash_of(p)) for p in auto)
    queue = sorted(
        (
            ReviewItem(
                transaction_id=p.transaction_id,
                confidence=p.confidence,
                amount=p.allocated + p.on_account,
                blockers=p.blockers,
            )
            for p in review
        ),
        key=lambda item: (-item.amount.minor_units, item.transaction_id),
    )
    rows: list[dict[str, Any]] = []
    correct_lines = correct_envelopes = true_lines = 0
    for p in proposals:
        row = p.as_record()
        if truth is not None:
            expected = dict(truth.get(p.transaction_id, {}))
            got = _cash_of(p)
            right = sum(1 for i, cash in got.items() if expected.get(i) == cash)
            row["correct"] = got == expected
            if p.decision is MatchDecision.AUTO_APPLY:
                correct_lines += right
                correct_envelopes += got == expected
            true_lines += len(expected)
        rows.append(row)
    total = len(proposals)
    return MatchReport(
        transactions=total,
        auto_applied=len(auto),
        review=len(review),
        no_match=total - len(auto) - len(review),
        lines=lines,
        auto_lines=auto_lines,
        envelope_auto_rate=_rate(len(auto), total),
        line_item_auto_rate=_rate(auto_lines, lines),
        review_rate=_rate(len(review), total),
        no_match_rate=_rate(total - len(auto) - len(review), total),
        unapplied=MoneyBag.of(p.on_account for p in proposals),
        review_queue=tuple(queue),
        line_precision=None if truth is None else _rate(correct_lines, auto_lines),
        line_recall=None if truth is None else _rate(correct_lines, true_lines),
        envelope_precision=None if truth is None else _rate(correct_envelopes, len(auto)),
        rows=tuple(rows),
    )
