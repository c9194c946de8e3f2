"""``stuut-domain match``: proposals with reasons, the report, exit codes and bad input.

The oracle for the bundled statement is built here from the store's own files, not from the
matcher: a transaction whose reference is an invoice's number written another way, for
exactly that invoice's open amount, must auto-apply to that invoice; short pays and payers
named only must wait for a person; a payer nobody resembles is no match.
"""

from __future__ import annotations

import importlib.util
import io
import json
import pathlib
import re
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest

from adapters.cli import EXIT_CLEAN, EXIT_FINDINGS, EXIT_UNUSABLE, main
from adapters.samples import sample_bank_transactions_path, sample_portfolio_path
from adapters.stuut_json import decode_invoices
from stuut_domain.lifecycle import pending_amount_remaining
from stuut_domain.money import exponent

SAMPLE = sample_portfolio_path()
STATEMENT = sample_bank_transactions_path()
SCRIPT = (
    pathlib.Path(__file__).resolve().parent.parent / "scripts" / "generate_sample_transactions.py"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def statement() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(STATEMENT.read_bytes())
    return data


def as_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(capsys, "match", "--json", *argv)
    document: dict[str, Any] = json.loads(out)
    return code, document


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _open_invoices() -> dict[str, tuple[str, int, str]]:
    """invoice number's digits -> (invoice id, open minor units, currency), from the files."""
    files = sorted((SAMPLE / "invoices").glob("*.json"))
    body = b"[" + b",".join(p.read_bytes() for p in files) + b"]"
    found = {}
    for invoice in decode_invoices(body):
        remaining = pending_amount_remaining(invoice)
        if invoice.number and remaining.is_positive():
            found[_digits(invoice.number)] = (
                str(invoice.id),
                remaining.minor_units,
                remaining.code,
            )
    return found


class TestTheBundledStatement:
    def test_every_case_gets_the_answer_the_files_give(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, document = as_json(capsys, "--store", str(SAMPLE), str(STATEMENT))
        assert code == EXIT_FINDINGS  # short pays and payers named only wait for a person
        proposals = {p["transaction_id"]: p for p in document["proposals"]}
        assert len(proposals) == len(statement())
        book = _open_invoices()
        kinds = {tx["custom_fields"]["sample_case"] for tx in statement()}
        assert kinds == {
            "exact",
            "exact_styled",
            "several",
            "short_pay",
            "name_only",
            "unknown_payer",
        }
        for tx in statement():
            kind = tx["custom_fields"]["sample_case"]
            proposal = proposals[tx["id"]]
            if kind in ("exact", "exact_styled"):
                invoice_id, open_minor, currency = book[_digits(tx["reference_number"])]
                assert (open_minor, currency) == (tx["amount"], tx["currency"])
                assert proposal["decision"] == "auto_apply", proposal["rationale"]
                assert [line["invoice_id"] for line in proposal["lines"]] == [invoice_id]
            elif kind == "several":
                numbers = re.findall(r"INV-\d{4}-\d{5}", tx["description"])
                expected = sorted(book[_digits(n)][0] for n in numbers)
                assert sum(book[_digits(n)][1] for n in numbers) == tx["amount"]
                assert proposal["decision"] == "auto_apply", proposal["rationale"]
                assert sorted(line["invoice_id"] for line in proposal["lines"]) == expected
            elif kind == "unknown_payer":
                assert proposal["decision"] == "no_match"
                assert proposal["lines"] == []
            else:  # a short pay, or an amount with nothing but the payer's name: a guess
                assert proposal["decision"] == "review", proposal["rationale"]
                assert proposal["blocker_codes"]

    def test_each_proposal_conserves_the_payment(self, capsys: pytest.CaptureFixture[str]) -> None:
        _, document = as_json(capsys, "--store", str(SAMPLE), str(STATEMENT))
        amounts = {tx["id"]: tx for tx in statement()}
        for proposal in document["proposals"]:
            tx = amounts[proposal["transaction_id"]]
            placed = Decimal(proposal["allocated"]) + Decimal(proposal["on_account"])
            assert proposal["currency"] == tx["currency"]
            assert placed.scaleb(exponent(tx["currency"])) == tx["amount"]

    def test_the_report_and_review_queue_agree_with_the_proposals(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        _, document = as_json(capsys, "--store", str(SAMPLE), str(STATEMENT))
        decisions = [p["decision"] for p in document["proposals"]]
        report = document["report"]
        assert report["transactions"] == len(decisions)
        assert report["auto_applied"] == decisions.count("auto_apply")
        assert report["review"] == decisions.count("review")
        assert report["no_match"] == decisions.count("no_match")
        reviewed = {p["transaction_id"] for p in document["proposals"] if p["decision"] == "review"}
        assert set(document["review_queue"]) == reviewed
        assert document["at"] == max(tx["timestamp"] for tx in statement()).replace("Z", "+00:00")

    def test_text_output_explains_what_waits(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, err = run(capsys, "match", "--store", str(SAMPLE), str(STATEMENT))
        assert code == EXIT_FINDINGS
        assert err == ""
        assert "Needs a person" in out
        assert "not auto-applied: [" in out
        assert "no match:" in out
        assert re.search(r"auto-applied: \d+ \(", out)

    def test_the_statement_is_regenerated_byte_for_byte(self, tmp_path: pathlib.Path) -> None:
        spec = importlib.util.spec_from_file_location("generate_sample_transactions", SCRIPT)
        assert spec is not None
        assert spec.loader is not None
        module: ModuleType = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        target = tmp_path / "out.json"
        assert module.main([str(SAMPLE), str(target)]) == 0
        assert target.read_bytes() == STATEMENT.read_bytes()


class TestExitCodes:
    def test_all_auto_applied_exits_0(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        exact = [tx for tx in statement() if tx["custom_fields"]["sample_case"] == "exact"]
        path = tmp_path / "exact.json"
        path.write_text(json.dumps({"data": exact}))  # a v1 list envelope is read too
        code, document = as_json(capsys, "--store", str(SAMPLE), str(path))
        assert code == EXIT_CLEAN
        assert {p["decision"] for p in document["proposals"]} == {"auto_apply"}

    def test_reads_standard_input_and_takes_at(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(STATEMENT.read_bytes())))
        code, document = as_json(
            capsys, "--store", str(SAMPLE), "-", "--at", "2026-11-27T08:00:00Z"
        )
        assert code == EXIT_FINDINGS
        assert document["at"] == "2026-11-27T08:00:00+00:00"
        assert len(document["proposals"]) == len(statement())


class TestBadInput:
    @pytest.mark.parametrize(
        ("body", "needle"),
        [
            (b"not json", "TRANSACTIONS"),
            (b'[{"amount": 1.5, "currency": "USD", "id": "btx_1"}]', "[0].amount"),
            (b'{"amount": 100}', "data: required key is missing"),
        ],
    )
    def test_an_undecodable_statement_exits_2_naming_the_problem(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, body: bytes, needle: str
    ) -> None:
        path = tmp_path / "TRANSACTIONS.json"
        path.write_bytes(body)
        code, out, err = run(capsys, "match", "--store", str(SAMPLE), str(path))
        assert code == EXIT_UNUSABLE
        assert out == ""
        assert err.count("\n") == 1
        assert needle in err or (needle == "TRANSACTIONS" and "TRANSACTIONS.json" in err)

    def test_a_missing_file_and_a_store_that_is_not_one_exit_2(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        code, _, err = run(capsys, "match", "--store", str(SAMPLE), str(tmp_path / "nope.json"))
        assert (code, "no such file" in err) == (EXIT_UNUSABLE, True)
        code, _, err = run(capsys, "match", "--store", str(tmp_path), str(STATEMENT))
        assert (code, "no invoices/ folder" in err) == (EXIT_UNUSABLE, True)

    def test_no_timestamp_and_no_at_is_refused(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        tx = {k: v for k, v in statement()[0].items() if k not in ("timestamp",)}
        path = tmp_path / "t.json"
        path.write_text(json.dumps([tx]))
        code, document = as_json(capsys, "--store", str(SAMPLE), str(path))
        assert code == EXIT_UNUSABLE
        assert "--at" in document["error"]["message"]

    def test_a_transaction_given_twice_is_refused_by_its_rule(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        path = tmp_path / "t.json"
        path.write_text(json.dumps([statement()[0], statement()[0]]))
        code, document = as_json(capsys, "--store", str(SAMPLE), str(path))
        assert code == EXIT_UNUSABLE
        assert "given twice" in document["error"]["message"]
