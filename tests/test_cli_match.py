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
                assert proposal["blockers"]

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


class TestAmounts:
    def test_the_table_shows_what_was_received_and_json_what_was_placed(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        tx = {**statement()[0], "amount_handled_outside": 1000000, "handled_outside_reason": "fee"}
        path = tmp_path / "t.json"
        path.write_text(json.dumps([tx]))
        _, out, _ = run(capsys, "match", "--store", str(SAMPLE), str(path))
        assert "51977.10 USD" in out  # the amount received, not what the proposal placed
        _, document = as_json(capsys, "--store", str(SAMPLE), str(path))
        (proposal,) = document["proposals"]
        placed = Decimal(proposal["allocated"]) + Decimal(proposal["on_account"])
        outside = Decimal(proposal["transaction"]["amount_handled_outside"])
        assert placed + outside == Decimal(proposal["transaction"]["amount"])
        assert all(isinstance(line["cash"], str) for line in proposal["lines"])
        assert all(line["currency"] == "USD" for line in proposal["lines"])


class TestRemittances:
    def test_a_remittance_is_linked_by_its_transaction_number(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        short = next(tx for tx in statement() if tx["custom_fields"]["sample_case"] == "short_pay")
        book = _open_invoices()
        invoice_id, open_minor, currency = book[_digits(short["reference_number"])]
        remittance = {
            "object": "remittance",
            "id": "rem_1",
            "currency": currency,
            "transaction_number": short["id"],
            "transaction_amount": short["amount"],
            "allocations": [
                {
                    "invoice_id": invoice_id,
                    "invoice_number": short["reference_number"],
                    "amount_paid": short["amount"],
                    "amount_discount": open_minor - short["amount"],
                }
            ],
        }
        rem = tmp_path / "rem.json"
        rem.write_text(json.dumps([remittance]))
        stmt = tmp_path / "t.json"
        stmt.write_text(json.dumps([short]))
        base = ("--store", str(SAMPLE), str(stmt))
        _, without = as_json(capsys, *base)
        _, with_it = as_json(capsys, *base, "--remittances", str(rem))
        (plain,) = without["proposals"]
        (advised,) = with_it["proposals"]
        assert plain["settled_outside_cash"] == 0
        assert advised["lines"][0]["settlements"], advised["rationale"]

    def test_a_remittance_naming_no_transaction_is_refused(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        rem = tmp_path / "rem.json"
        rem.write_text(json.dumps([{"object": "remittance", "transaction_number": "nope"}]))
        code, document = as_json(
            capsys, "--store", str(SAMPLE), str(STATEMENT), "--remittances", str(rem)
        )
        assert code == EXIT_UNUSABLE
        assert "[0].transaction_number 'nope' names no transaction" in document["error"]["message"]


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

    def test_a_document_of_another_kind_is_refused(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        payments = sorted((SAMPLE / "payments").glob("*.json"))[:3]
        path = tmp_path / "t.json"
        path.write_bytes(b"[" + b",".join(p.read_bytes() for p in payments) + b"]")
        code, document = as_json(capsys, "--store", str(SAMPLE), str(path))
        assert code == EXIT_UNUSABLE
        assert "[0].object is 'payment', not 'bank_transaction'" in document["error"]["message"]

    def test_a_refusal_of_the_matcher_names_the_file_and_position(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        good = statement()[0]
        bad = {k: v for k, v in statement()[1].items() if k != "id"}
        path = tmp_path / "t.json"
        path.write_text(json.dumps([good, bad]))
        code, document = as_json(capsys, "--store", str(SAMPLE), str(path))
        assert code == EXIT_UNUSABLE
        message = document["error"]["message"]
        assert message.startswith(f"{path}:")

    @pytest.mark.parametrize("at", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+01:00"])
    def test_an_instant_at_the_edge_of_time_is_a_usage_error(
        self, capsys: pytest.CaptureFixture[str], at: str
    ) -> None:
        code, _, err = run(capsys, "match", "--store", str(SAMPLE), str(STATEMENT), "--at", at)
        assert code == EXIT_UNUSABLE
        assert "outside the years 2 to 9998" in err
        assert "internal error" not in err

    def test_a_directory_is_not_a_statement(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        code, _, err = run(capsys, "match", "--store", str(SAMPLE), str(tmp_path))
        assert code == EXIT_UNUSABLE
        assert "is a directory" in err

    def test_an_empty_statement_is_clean(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        path = tmp_path / "t.json"
        path.write_text("[]")
        code, document = as_json(capsys, "--store", str(SAMPLE), str(path))
        assert code == EXIT_CLEAN
        assert document["proposals"] == []
        assert document["report"]["transactions"] == 0

    def test_a_transaction_given_twice_is_refused_by_its_rule(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        path = tmp_path / "t.json"
        path.write_text(json.dumps([statement()[0], statement()[0]]))
        code, document = as_json(capsys, "--store", str(SAMPLE), str(path))
        assert code == EXIT_UNUSABLE
        assert "given twice" in document["error"]["message"]


def test_a_closed_standard_output_is_no_traceback() -> None:
    """Started with stdout closed (``>&-``), a command writes nothing and keeps its exit code."""
    import os
    import subprocess
    import sys

    command = f"{sys.executable} -m adapters.cli match --json --store {SAMPLE} {STATEMENT} >&-"
    done = subprocess.run(
        ["/bin/sh", "-c", command],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(pathlib.Path(__file__).parent.parent / "src")},
        check=False,
    )
    assert "Traceback" not in done.stderr
    assert done.returncode == EXIT_FINDINGS
