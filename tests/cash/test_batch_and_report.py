"""Specifications of batch matching and the match report (rates defined in code)."""

from __future__ import annotations

import pytest

from cash_builders import AT, directory, invoice, transaction
from stuut_domain.cash import MatchDecision, match_report, match_transactions
from stuut_domain.errors import InvalidMatchInput
from stuut_domain.money import Money

BOOK = [
    invoice("inv_1", 10000, number="INV-1001"),
    invoice("inv_2", 25000, number="INV-1002"),
    invoice("inv_3", 7000, number="INV-1003"),
    invoice("inv_4", 30000, number="INV-1004"),
]
ACME = directory(ACC1="ptn_a")


def usd(units: int) -> Money:
    return Money(units, "USD")


class TestBatch:
    def test_each_transaction_gets_its_proposal_in_order(self) -> None:
        txs = [
            transaction(25000, tx_id="t1", reference="INV-1002", account="ACC1"),
            transaction(10000, tx_id="t2", reference="INV-1001", account="ACC1"),
            transaction(0, tx_id="t3"),
        ]
        proposals = match_transactions(txs, BOOK, partners=ACME, at=AT)
        assert [p.transaction_id for p in proposals] == ["t1", "t2", "t3"]
        assert [p.decision for p in proposals] == [
            MatchDecision.AUTO_APPLY,
            MatchDecision.AUTO_APPLY,
            MatchDecision.NO_MATCH,
        ]

    def test_two_payments_claiming_one_invoice_are_both_reviewed(self) -> None:
        txs = [
            transaction(25000, tx_id="t1", reference="INV-1002", account="ACC1"),
            transaction(25000, tx_id="t2", reference="INV-1002", account="ACC1"),
        ]
        proposals = match_transactions(txs, BOOK, partners=ACME, at=AT)
        assert all(p.decision is MatchDecision.REVIEW for p in proposals)
        assert all("batch_overclaim" in [b.code for b in p.blockers] for p in proposals)
        assert all(any("claimed by several" in b.message for b in p.blockers) for p in proposals)

    def test_the_order_of_transactions_does_not_change_a_proposal(self) -> None:
        txs = [
            transaction(25000, tx_id="t1", reference="INV-1002", account="ACC1"),
            transaction(7000, tx_id="t2", reference="INV-1003", account="ACC1"),
        ]
        forward = match_transactions(txs, BOOK, partners=ACME, at=AT)
        backward = match_transactions(txs[::-1], BOOK[::-1], partners=ACME, at=AT)
        assert forward == backward[::-1]

    def test_a_transaction_given_twice_is_refused(self) -> None:
        tx = transaction(1)
        with pytest.raises(InvalidMatchInput):
            match_transactions([tx, tx], BOOK, partners=ACME, at=AT)


class TestReport:
    def proposals(self):  # type: ignore[no-untyped-def]
        txs = [
            transaction(25000, tx_id="t1", reference="INV-1002", account="ACC1"),
            transaction(17000, tx_id="t2", reference="INV-1001 INV-1003", account="ACC1"),
            transaction(30000, tx_id="t3", account="ACC1"),
            transaction(5, tx_id="t4", currency="JPY"),
        ]
        return match_transactions(txs, BOOK, partners=ACME, at=AT)

    def test_rates_queue_and_unapplied(self) -> None:
        report = match_report(self.proposals())
        assert (report.transactions, report.auto_applied, report.review, report.no_match) == (
            4,
            2,
            1,
            1,
        )
        assert report.envelope_auto_rate == 0.5
        assert report.line_item_auto_rate == 3 / report.lines
        assert report.review_rate == 0.25
        assert [item.transaction_id for item in report.review_queue] == ["t3"]
        assert report.unapplied["JPY"] == Money(5, "JPY")
        assert report.line_precision is None

    def test_precision_and_recall_against_the_truth(self) -> None:
        truth = {
            "t1": {"inv_2": usd(25000)},
            "t2": {"inv_1": usd(10000), "inv_3": usd(7000)},
            "t3": {"inv_4": usd(30000)},
            "t4": {},
        }
        report = match_report(self.proposals(), truth)
        assert report.line_precision == 1.0
        assert report.envelope_precision == 1.0
        assert report.line_recall == 3 / 4  # t3 is right but waits for review

    def test_a_wrong_auto_applied_line_lowers_precision(self) -> None:
        truth = {"t1": {"inv_1": usd(25000)}, "t2": {"inv_1": usd(10000), "inv_3": usd(7000)}}
        report = match_report(self.proposals(), truth)
        assert report.line_precision == pytest.approx(2 / 3)

    def test_records_for_dataframes(self) -> None:
        rows = match_report(self.proposals(), {"t1": {"inv_2": usd(25000)}}).records()
        assert [r["transaction_id"] for r in rows] == ["t1", "t2", "t3", "t4"]
        assert rows[0]["correct"] is True
        assert {"decision", "confidence", "ambiguity", "on_account"} <= set(rows[0])

    def test_notebook_views_are_escaped_html_tables(self) -> None:
        proposals = self.proposals()
        rendered = proposals[0]._repr_html_()
        assert rendered.startswith("<table>")
        assert "INV-1002" in rendered
        report_html = match_report(proposals)._repr_html_()
        assert ">envelope_auto_rate<" in report_html

    def test_an_empty_batch_has_no_rates(self) -> None:
        report = match_report([])
        assert report.envelope_auto_rate is None
        assert "n/a" in repr(report)
