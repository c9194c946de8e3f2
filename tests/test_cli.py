"""Specifications of the ``stuut-domain`` command: exit codes, output shapes and bad input."""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import io
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

import adapters.samples
from adapters.cli import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_UNUSABLE,
    Progress,
    main,
)
from adapters.samples import sample_portfolio_path

SAMPLE = sample_portfolio_path()
#: The command as a subprocess runs it.
CLI = (sys.executable, "-m", "adapters.cli")
SEED = pathlib.Path(adapters.samples.__file__).with_name("retrieve_an_invoice.json")


def first_invoice() -> dict[str, Any]:
    path = sorted((SAMPLE / "invoices").glob("*.json"))[0]
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(capsys, *argv, "--json")
    document: dict[str, Any] = json.loads(out)
    return code, document


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert 1 == len(lines), text
    return lines[0]


@pytest.fixture
def small_store(tmp_path: pathlib.Path) -> pathlib.Path:
    """A copy of the sample's workflows, partners and ten invoices."""
    root = tmp_path / "store"
    for kind in ("workflows", "partners", "payments"):
        shutil.copytree(SAMPLE / kind, root / kind)
    (root / "invoices").mkdir()
    for path in sorted((SAMPLE / "invoices").glob("*.json"))[:10]:
        shutil.copy(path, root / "invoices" / path.name)
    return root


class TestMain:
    def test_help_exits_clean(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--help prints the usage and exits 0."""
        code, out, _ = run(capsys, "--help")
        assert (EXIT_CLEAN, True) == (code, "check" in out and "simulate" in out)

    @pytest.mark.parametrize(
        "argv",
        [
            [],
            ["nonsense"],
            ["aging", "--store", "x"],
            ["check"],
            ["serve", "--port", "x"],
            ["forecast", "--store", "x", "--at", "2026-11-26", "--plot", __file__],
        ],
    )
    def test_usage_errors_are_one_line_and_exit_2(
        self, capsys: pytest.CaptureFixture[str], argv: list[str]
    ) -> None:
        """A usage error is one line on stderr, exit 2, never a traceback."""
        code, out, err = run(capsys, *argv)
        assert (EXIT_UNUSABLE, "") == (code, out)
        assert one_line(err).startswith("stuut-domain")

    def test_an_unexpected_error_is_still_one_line(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Even a bug surfaces as one named line and exit 2, never a traceback."""

        def broken(*_args: object, **_kwargs: object) -> None:
            raise RuntimeError("boom")

        monkeypatch.setattr("adapters.cli.aging.aging_report", broken)
        code, out, err = run(capsys, "aging", "--store", str(SAMPLE), "--at", "2026-11-26")
        assert (EXIT_UNUSABLE, "") == (code, out)
        assert "stuut-domain: internal error (please report): RuntimeError: boom" == one_line(err)


def all_actions(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.Action]]:
    """Every action of a parser and of its subcommands' parsers, with the parser's name."""
    for action in parser._actions:
        yield parser.prog, action
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                yield parser.prog, choice
            for sub in action.choices.values():
                yield from all_actions(sub)


class TestPolish:
    @pytest.mark.parametrize(
        ("argv", "line"),
        [
            (
                ["aging", "--store", "x"],
                "stuut-domain aging: error: the following arguments are required: --at "
                "(see stuut-domain aging --help)",
            ),
            (
                ["check"],
                "stuut-domain check: error: the following arguments are required: PATH "
                "(see stuut-domain check --help)",
            ),
            (
                ["nonsense"],
                "stuut-domain: error: argument COMMAND: invalid choice: 'nonsense' (choose from "
                "'check', 'aging', 'outreach', 'simulate', 'match', 'forecast', 'serve', 'store', "
                "'demo') "
                "(see stuut-domain --help)",
            ),
        ],
    )
    def test_the_error_prefix_is_printed_once(
        self, capsys: pytest.CaptureFixture[str], argv: list[str], line: str
    ) -> None:
        """A usage error reads 'stuut-domain aging: error: ...', never the prefix twice."""
        code, _, err = run(capsys, *argv)
        assert (EXIT_UNUSABLE, line) == (code, one_line(err))

    def test_version_comes_from_the_package_metadata(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--version prints the installed distribution's version and exits 0."""
        code, out, _ = run(capsys, "--version")
        expected = f"stuut-domain {importlib.metadata.version('stuut-domain')}\n"
        assert (EXIT_CLEAN, expected) == (code, out)

    def test_every_option_has_help(self) -> None:
        """Every option, argument and subcommand of every command says what it is for."""
        from adapters.cli._arguments import build_parser

        missing = [
            (prog, action.dest)
            for prog, action in all_actions(build_parser())
            if not (action.help or "").strip()
        ]
        assert [] == missing

    @pytest.mark.parametrize("doc", ["README.md", "docs/notebook-example.md"])
    def test_the_docs_command_lines_parse(self, doc: str) -> None:
        """Every `stuut-domain ...` command line in the docs is one the parser accepts."""
        from adapters.cli._arguments import build_parser

        text = (pathlib.Path(__file__).resolve().parent.parent / doc).read_text()
        lines = re.findall(r"`stuut-domain ([^`]+)`", text)
        assert lines
        for line in lines:
            words = line.replace("DIR", str(SAMPLE)).split()
            if words == ["--version"]:
                continue
            args = build_parser().parse_args(words)
            assert args.command == words[0], line

    @pytest.mark.parametrize(
        ("at", "as_of"),
        [
            ("2026-11-26", "2026-11-26"),
            ("2026-11-26T12:00:00Z", "2026-11-26"),
            ("2026-11-26T23:30:00-05:00", "2026-11-27"),  # 04:30 UTC the next day
        ],
    )
    def test_aging_at_takes_a_date_or_an_instant(
        self, capsys: pytest.CaptureFixture[str], at: str, as_of: str
    ) -> None:
        """aging --at takes an instant too; its day is the instant's UTC date."""
        code, document = run_json(capsys, "aging", "--store", str(SAMPLE), "--at", at)
        assert (EXIT_CLEAN, as_of) == (code, document["as_of"])

    @pytest.mark.parametrize(
        ("at", "instant"),
        [
            ("2026-11-26", "2026-11-26T00:00:00+00:00"),
            ("2026-11-26T12:00:00+01:00", "2026-11-26T12:00:00+01:00"),
        ],
    )
    def test_outreach_at_takes_a_date_as_utc_midnight(
        self, capsys: pytest.CaptureFixture[str], at: str, instant: str
    ) -> None:
        """outreach --at takes a bare date, meaning 00:00 UTC that day."""
        code, document = run_json(capsys, "outreach", "--store", str(SAMPLE), "--at", at)
        assert (EXIT_CLEAN, instant) == (code, document["at"])

    def test_simulate_takes_instants_as_their_utc_days(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """simulate --from/--to take instants too, as their UTC dates."""
        code, document = run_json(
            capsys,
            "simulate",
            "--store",
            str(SAMPLE),
            "--from",
            "2026-11-26T08:00:00+01:00",
            "--to",
            "2026-11-28T00:30:00+02:00",
        )
        assert (EXIT_CLEAN, "2026-11-26", "2026-11-27") == (
            code,
            document["from"],
            document["to"],
        )

    @pytest.mark.parametrize("mode", ["text", "json"])
    def test_ctrl_c_exits_130(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, mode: str
    ) -> None:
        """Ctrl-C during a command exits 130, saying so (a JSON error under --json)."""

        def interrupted(*_args: object, **_kwargs: object) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr("adapters.cli.aging.aging_report", interrupted)
        argv = ["aging", "--store", str(SAMPLE), "--at", "2026-11-26"]
        code, out, err = run(capsys, *argv, *(["--json"] if mode == "json" else []))
        assert (EXIT_INTERRUPTED, "stuut-domain: interrupted") == (code, one_line(err))
        if mode == "json":
            assert {"code": "interrupted", "message": "interrupted"} == (json.loads(out)["error"])


class TestCheck:
    def test_violations_name_the_file_and_path(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The seed example breaks two invariants: exit 1, each with file, path and code."""
        code, document = run_json(capsys, "check", str(SEED))
        assert EXIT_FINDINGS == code
        assert {
            "command",
            "files",
            "invoices",
            "partners",
            "payments",
            "workflows",
            "bank_transactions",
            "remittances",
            "credit_notes",
            "customer_credits",
            "disputes",
            "promises",
            "undecided",
            "unreadable",
            "findings",
        } == set(document)
        assert [
            (str(SEED), "amount_due", "amount_due_mismatch"),
            (str(SEED), "voided_at", "void_with_payments"),
        ] == [(f["file"], f["path"], f["code"]) for f in document["findings"]]

    def test_a_clean_invoice_exits_0(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An invoice that satisfies every invariant: exit 0 and 'all clean'."""
        path = sorted((SAMPLE / "invoices").glob("*.json"))[0]
        code, out, _ = run(capsys, "check", str(path))
        assert (EXIT_CLEAN, "1 invoice(s) in 1 file(s): all clean") == (code, one_line(out))

    def test_envelopes_and_lists_prefix_the_path(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        """Items of a list envelope are data[i], of a bare array [i]; undecodable is a finding."""
        good, bad = first_invoice(), first_invoice()
        bad["amount_due"] = 1.5
        (tmp_path / "page.json").write_text(json.dumps({"data": [good, bad], "next_page": None}))
        (tmp_path / "list.json").write_text(json.dumps([bad]))
        code, document = run_json(capsys, "check", str(tmp_path))
        assert (EXIT_FINDINGS, 3) == (code, document["invoices"])
        assert [
            ("list.json", "[0].amount_due", "undecodable"),
            ("page.json", "data[1].amount_due", "undecodable"),
        ] == [
            (pathlib.Path(str(f["file"])).name, f["path"], f["code"]) for f in document["findings"]
        ]

    def test_reads_standard_input(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """'-' reads one document from standard input, named <stdin>."""
        stdin = io.TextIOWrapper(io.BytesIO(SEED.read_bytes()))
        monkeypatch.setattr(sys, "stdin", stdin)
        code, document = run_json(capsys, "check", "-")
        assert (EXIT_FINDINGS, {"<stdin>"}) == (code, {f["file"] for f in document["findings"]})

    @pytest.mark.parametrize(
        ("content", "fragment"),
        [("{not json", "not JSON"), ("42", "expected a document object")],
    )
    def test_unusable_documents_exit_2(
        self,
        capsys: pytest.CaptureFixture[str],
        tmp_path: pathlib.Path,
        content: str,
        fragment: str,
    ) -> None:
        """A file that is not JSON, or JSON that holds no invoice, is unusable: exit 2."""
        path = tmp_path / "broken.json"
        path.write_text(content)
        code, out, err = run(capsys, "check", str(path))
        assert (EXIT_UNUSABLE, "", True) == (code, out, fragment in one_line(err))

    def test_missing_path_and_empty_directory_exit_2(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        """A path that does not exist, or a directory without JSON files, is unusable."""
        assert EXIT_UNUSABLE == run(capsys, "check", str(tmp_path / "nope.json"))[0]
        assert "no .json files" in one_line(run(capsys, "check", str(tmp_path))[2])


class TestCheckUnreadable:
    def test_an_unreadable_file_is_a_finding_and_the_others_are_checked(
        self,
        capsys: pytest.CaptureFixture[str],
        tmp_path: pathlib.Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """Files that cannot be read (denied, a dangling link, not UTF-8, not JSON) are each
        one 'unreadable' finding; every other file is still checked: exit 1."""
        bad = {**first_invoice(), "amount_due": 1}
        (tmp_path / "a_good.json").write_text(json.dumps(first_invoice()))
        (tmp_path / "b_denied.json").write_text(json.dumps(first_invoice()))
        (tmp_path / "c_gone.json").symlink_to(tmp_path / "nowhere.json")
        (tmp_path / "d_latin1.json").write_bytes(b'{"name": "\xc9mile"}')
        (tmp_path / "e_truncated.json").write_text('{"id": "inv_1", "amou')
        (tmp_path / "f_bad.json").write_text(json.dumps(bad))
        read_bytes = pathlib.Path.read_bytes

        def denied(path: pathlib.Path) -> bytes:
            if path.name == "b_denied.json":
                raise PermissionError(13, "Permission denied", str(path))
            return read_bytes(path)

        monkeypatch.setattr(pathlib.Path, "read_bytes", denied)
        code, document = run_json(capsys, "check", str(tmp_path))
        assert (EXIT_FINDINGS, 6, 4, 2) == (
            code,
            document["files"],
            document["unreadable"],
            document["invoices"],
        )
        assert [
            ("b_denied.json", "unreadable", "Permission denied"),
            ("c_gone.json", "unreadable", "No such file"),
            ("d_latin1.json", "unreadable", "not JSON"),
            ("e_truncated.json", "unreadable", "not JSON"),
            ("f_bad.json", "amount_due_mismatch", ""),
        ] == [
            (
                pathlib.Path(str(f["file"])).name,
                f["code"],
                next(
                    w
                    for w in ("Permission denied", "No such file", "not JSON", "")
                    if w in str(f["message"])
                ),
            )
            for f in document["findings"]
        ]

    def test_one_corrupt_file_in_the_sample_leaves_630_checked(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        """The issue's case: one corrupt file among the sample's 631 is one finding, and the
        summary still counts every other document."""
        root = tmp_path / "portfolio"
        shutil.copytree(SAMPLE, root)
        victim = sorted((root / "invoices").glob("*.json"))[0]
        victim.write_bytes(victim.read_bytes()[:40])
        code, out, _ = run(capsys, "check", str(root))
        *lines, summary = out.strip().splitlines()
        assert (EXIT_FINDINGS, [f"{victim}: $: [unreadable]"]) == (
            code,
            [line.partition(" not JSON")[0] for line in lines],
        )
        assert (
            "399 invoice(s), 40 partner(s), 188 payment(s), 3 workflow(s) in 631 file(s) "
            "(1 unreadable): 1 finding(s)"
        ) == summary

    def test_nothing_readable_at_all_is_unusable(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        """When no input holds any document, there is nothing to check: exit 2, one line
        naming the first problem and how many more."""
        for name in ("a.json", "b.json"):
            (tmp_path / name).write_text("{not json")
        code, out, err = run(capsys, "check", str(tmp_path))
        assert (EXIT_UNUSABLE, "") == (code, out)
        assert "a.json: not JSON" in one_line(err)
        assert "(and 1 more unreadable file(s))" in err


class TestCheckForcedKind:
    @pytest.mark.parametrize(
        ("document", "fragment"),
        [
            ({}, "the document is empty, not a payment"),
            ("invoice", "the document's object is 'invoice', not 'payment'"),
            ({"id": "x_1", "colour": "blue"}, "none of the document's keys is a payment field"),
            (
                {"total_amount": 100, "amount_due": 100, "object": "payment"},
                "keys are those of an invoice",
            ),
        ],
        ids=["empty", "an invoice", "foreign keys", "invoice keys"],
    )
    def test_a_document_of_another_kind_is_a_kind_mismatch(
        self,
        capsys: pytest.CaptureFixture[str],
        tmp_path: pathlib.Path,
        document: dict[str, Any] | str,
        fragment: str,
    ) -> None:
        """--kind payment over {} or a real invoice is no clean payment: one kind_mismatch."""
        path = tmp_path / "doc.json"
        path.write_text(json.dumps(sample(document) if isinstance(document, str) else document))
        code, found = run_json(capsys, "check", str(path), "--kind", "payment")
        assert (EXIT_FINDINGS, ["kind_mismatch"]) == (
            code,
            [f["code"] for f in found["findings"]],
        )
        assert fragment in found["findings"][0]["message"]

    def test_the_object_key_contradicting_the_keys_is_a_mismatch_in_auto_mode(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        """Detected as an invoice by its keys but naming itself a payment: kind_mismatch."""
        path = tmp_path / "doc.json"
        path.write_text(json.dumps({**sample("invoice"), "object": "payment"}))
        code, found = run_json(capsys, "check", str(path))
        assert (EXIT_FINDINGS, ["kind_mismatch"]) == (
            code,
            [f["code"] for f in found["findings"]],
        )

    @pytest.mark.parametrize("kind", ["auto", "payment"])
    def test_a_negative_payment_is_refused_by_its_named_rule(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, kind: str
    ) -> None:
        """A payment with a negative amount breaks payment_amount_negative, at amount."""
        path = tmp_path / "payment.json"
        path.write_text(json.dumps({**sample("payment"), "amount": -100, "allocations": []}))
        code, found = run_json(capsys, "check", str(path), "--kind", kind)
        assert (EXIT_FINDINGS, [("amount", "payment_amount_negative")]) == (
            code,
            [(f["path"], f["code"]) for f in found["findings"]],
        )


def sample(kind: str) -> dict[str, Any]:
    """The first sample document of a kind (folder ``invoices``, ``partners``...)."""
    path = sorted((SAMPLE / f"{kind}s").glob("*.json"))[0]
    document: dict[str, Any] = json.loads(path.read_text())
    return document


#: (kind, a change that breaks one of its rules, the finding's path and code)
BROKEN: list[tuple[str, dict[str, Any], str, str]] = [
    ("invoice", {"amount_due": 1}, "amount_due", "amount_due_mismatch"),
    ("partner", {"timezone": "Mars/Olympus_Mons"}, "timezone", "unknown_time_zone"),
    ("payment", {"amount_refunded": -1}, "amount_refunded", "refund_negative"),
    ("workflow", {"active_days": [123]}, "active_days[0]", "workflow_active_day"),
]


class TestCheckKinds:
    def test_the_sample_portfolio_root_is_clean(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Every file of the sample portfolio, of all four kinds, keeps its rules."""
        code, out, _ = run(capsys, "check", str(SAMPLE))
        assert (
            EXIT_CLEAN,
            "400 invoice(s), 40 partner(s), 188 payment(s), 3 workflow(s) in 631 file(s): "
            "all clean",
        ) == (code, one_line(out))

    @pytest.mark.parametrize("kind", ["invoice", "partner", "payment", "workflow"])
    @pytest.mark.parametrize("option", ["auto", "kind"])
    def test_each_kind_is_read_and_counted(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, kind: str, option: str
    ) -> None:
        """A clean document of each kind is counted as that kind, named or detected."""
        path = tmp_path / f"{kind}.json"
        path.write_text(json.dumps(sample(kind)))
        code, document = run_json(
            capsys, "check", str(path), "--kind", kind if option == "kind" else "auto"
        )
        counts = {k: document[k] for k in ("invoices", "partners", "payments", "workflows")}
        assert (EXIT_CLEAN, {**dict.fromkeys(counts, 0), f"{kind}s": 1}) == (code, counts)

    @pytest.mark.parametrize(("kind", "change", "path", "rule"), BROKEN, ids=[b[0] for b in BROKEN])
    def test_each_kind_is_checked_by_its_own_rules(
        self,
        *,
        capsys: pytest.CaptureFixture[str],
        tmp_path: pathlib.Path,
        kind: str,
        change: dict[str, Any],
        path: str,
        rule: str,
    ) -> None:
        """A broken document of each kind is a finding of its checker: exit 1, path and code."""
        file = tmp_path / f"{kind}.json"
        file.write_text(json.dumps({**sample(kind), **change}))
        code, document = run_json(capsys, "check", str(file))
        assert (EXIT_FINDINGS, [(str(file), path, rule)]) == (
            code,
            [(f["file"], f["path"], f["code"]) for f in document["findings"]],
        )

    def test_a_mixed_directory_is_detected_per_document(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        """One folder with a page of partners, a workflow list and an invoice: each detected."""
        (tmp_path / "partners.json").write_text(
            json.dumps({"object": "list", "data": [sample("partner"), sample("partner")]})
        )
        (tmp_path / "workflows.json").write_text(json.dumps([sample("workflow")]))
        (tmp_path / "nested").mkdir()
        (tmp_path / "nested" / "invoice.json").write_text(json.dumps(sample("invoice")))
        code, out, _ = run(capsys, "check", str(tmp_path))
        assert (
            EXIT_CLEAN,
            "1 invoice(s), 2 partner(s), 1 workflow(s) in 3 file(s): all clean",
        ) == (
            code,
            one_line(out),
        )

    def test_an_undecidable_document_is_a_finding(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        """A document whose keys fit no kind is undecodable, named by file and path: exit 1."""
        path = tmp_path / "mystery.json"
        path.write_text(json.dumps([sample("payment"), {"id": "x_1", "name": "Acme"}]))
        code, out, _ = run(capsys, "check", str(path))
        *findings, summary = out.strip().splitlines()
        assert (EXIT_FINDINGS, 1) == (code, len(findings))
        assert findings[0].startswith(f"{path}: [1]: [undecodable] cannot tell whether")
        assert (
            "1 payment(s), 1 undecided document(s) in 1 file(s): 1 finding(s) in 1 document(s)"
            == (summary)
        )

    def test_the_object_key_decides_when_nothing_else_does(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        """A bare document naming its object ("partner") is read as that kind."""
        path = tmp_path / "bare.json"
        path.write_text(json.dumps({"id": "ptn_acme", "object": "partner", "name": "Acme"}))
        code, document = run_json(capsys, "check", str(path))
        assert (EXIT_CLEAN, 1) == (code, document["partners"])

    def test_a_named_kind_is_decoded_as_that_kind(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        """--kind workflow reads a document as a workflow whatever its keys: its rules apply."""
        path = tmp_path / "workflow.json"
        path.write_text(json.dumps({"id": "wf_eu", "timezone": "Europe/Atlantis"}))
        code, document = run_json(capsys, "check", str(path), "--kind", "workflow")
        assert (EXIT_FINDINGS, 1, ["unknown_time_zone"]) == (
            code,
            document["workflows"],
            [f["code"] for f in document["findings"]],
        )

    def test_an_undecodable_field_names_its_path(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        """A payment whose amount is not a whole number of minor units is undecodable there."""
        path = tmp_path / "payment.json"
        path.write_text(json.dumps({**sample("payment"), "amount": "lots"}))
        code, document = run_json(capsys, "check", str(path))
        assert (EXIT_FINDINGS, [("amount", "undecodable")]) == (
            code,
            [(f["path"], f["code"]) for f in document["findings"]],
        )

    def test_an_unknown_kind_is_a_usage_error(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--kind accepts auto and the four kinds only: anything else exits 2."""
        code, out, err = run(capsys, "check", str(SEED), "--kind", "contact")
        assert (EXIT_UNUSABLE, "", True) == (code, out, "invalid choice" in one_line(err))


class TestAging:
    def test_report_shape(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Aging per currency and partner, DSO and collections, as rows; exit 0."""
        code, document = run_json(capsys, "aging", "--store", str(SAMPLE), "--at", "2026-11-26")
        assert EXIT_CLEAN == code
        assert {
            "command",
            "as_of",
            "aging",
            "aging_by_partner",
            "dso",
            "expected_collections",
            "skipped",
        } == set(document)
        usd = next(r for r in document["aging"] if r["currency"] == "USD")
        assert {"currency", "invoices", "current", "1-30", "31-60", "61-90", "90+"} <= set(usd)
        assert isinstance(usd["total"], str)  # exact decimal text, never a float

    def test_text_is_a_table(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Text output starts with the aging title and lists DSO."""
        code, out, _ = run(capsys, "aging", "--store", str(SAMPLE), "--at", "2026-11-26")
        assert (EXIT_CLEAN, True) == (code, out.startswith("Aging at 2026-11-26: "))
        assert "DSO at 2026-11-26 over 90 days" in out

    def test_corrupt_files_are_skipped_and_reported(
        self, capsys: pytest.CaptureFixture[str], small_store: pathlib.Path
    ) -> None:
        """A corrupt store file is skipped, named in 'skipped', and the exit code is 1."""
        (small_store / "invoices" / "inv_broken.json").write_text("{not json")
        code, document = run_json(
            capsys, "aging", "--store", str(small_store), "--at", "2026-11-26"
        )
        assert EXIT_FINDINGS == code
        assert ["inv_broken.json"] == [pathlib.Path(s["file"]).name for s in document["skipped"]]

    @pytest.mark.parametrize("command", ["aging", "outreach"])
    def test_a_file_that_cannot_be_read_is_skipped_and_reported(
        self, capsys: pytest.CaptureFixture[str], small_store: pathlib.Path, command: str
    ) -> None:
        """A link to nothing and a file named with no valid id among the invoices: each
        skipped and named, exit 1, not exit 2 for the whole store."""
        (small_store / "invoices" / "inv_dangling.json").symlink_to(small_store / "nowhere")
        (small_store / "invoices" / "bad name!.json").write_text("{}")
        code, document = run_json(
            capsys, command, "--store", str(small_store), "--at", "2026-11-26"
        )
        assert (EXIT_FINDINGS, ["bad name!.json", "inv_dangling.json"]) == (
            code,
            sorted(pathlib.Path(s["file"]).name for s in document["skipped"]),
        )

    @pytest.mark.parametrize(
        ("argv", "fragment"),
        [
            (["--at", "26/11/2026"], "not an ISO date"),
            (["--at", "2026-11-26", "--store", "/nonexistent/store"], "not a directory"),
        ],
    )
    def test_bad_input_exits_2(
        self, capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
    ) -> None:
        """A bad date or a missing store is one line on stderr and exit 2."""
        code, _, err = run(capsys, "aging", "--store", str(SAMPLE), *argv)
        assert (EXIT_UNUSABLE, True) == (code, fragment in one_line(err))


class TestOutreach:
    def test_decisions_with_reasons(self, capsys: pytest.CaptureFixture[str]) -> None:
        """One decision per partner with open invoices and channel, each with its blockers."""
        code, document = run_json(
            capsys,
            "outreach",
            "--store",
            str(SAMPLE),
            "--at",
            "2026-11-26T12:00:00Z",
            "--channel",
            "call",
        )
        assert EXIT_CLEAN == code
        assert {"command", "at", "workflow", "decisions", "skipped"} == set(document)
        decisions = document["decisions"]
        assert {"call"} == {d["channel"] for d in decisions}
        blocked = [d for d in decisions if not d["eligible"]]
        assert all(d["blockers"] or d["excluded"] for d in blocked)
        assert {"code", "invoice_id", "message", "clears_at"} == set(blocked[0]["blockers"][0])

    def test_naive_instant_is_refused(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An instant without a UTC offset is ambiguous: exit 2, saying how to write it."""
        code, _, err = run(
            capsys, "outreach", "--store", str(SAMPLE), "--at", "2026-11-26T12:00:00"
        )
        assert (EXIT_UNUSABLE, True) == (code, "no UTC offset" in one_line(err))

    def test_unknown_workflow_and_no_workflow(
        self, capsys: pytest.CaptureFixture[str], small_store: pathlib.Path
    ) -> None:
        """Naming a workflow the store lacks, or a store without any, is unusable."""
        at = ("--at", "2026-11-26T12:00:00Z")
        code, _, err = run(
            capsys, "outreach", "--store", str(SAMPLE), *at, "--workflow", "wfl_nope"
        )
        assert (EXIT_UNUSABLE, True) == (code, "wfl_nope" in one_line(err))
        shutil.rmtree(small_store / "workflows")
        code, _, err = run(capsys, "outreach", "--store", str(small_store), *at)
        assert (EXIT_UNUSABLE, True) == (code, "no active workflow" in one_line(err))


class TestSimulate:
    def test_timeline_and_reasons(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A simulation gives a summary, the outreach timeline and the invoices never reached."""
        code, document = run_json(
            capsys, "simulate", "--store", str(SAMPLE), "--from", "2026-11-26", "--to", "2026-12-02"
        )
        assert EXIT_CLEAN == code
        assert {
            "command",
            "workflow",
            "from",
            "to",
            "summary",
            "outreach",
            "uncontacted",
            "invoices",
            "skipped",
        } == set(document)
        assert document["summary"]["sent"] == len(document["outreach"])
        assert all(u["codes"] for u in document["uncontacted"])
        assert all("2026-11-26" <= o["at"][:10] <= "2026-12-02" for o in document["outreach"])

    def test_compare_two_policies(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--compare runs a second policy and reports what differs, per policy and invoice."""
        code, document = run_json(
            capsys,
            "simulate",
            "--store",
            str(SAMPLE),
            "--from",
            "2026-11-26",
            "--to",
            "2026-12-09",
            "--compare",
            "min_gap_per_invoice=7",
        )
        assert EXIT_CLEAN == code
        assert [{"field": "min_gap_per_invoice", "policy": "3 days", "compare": "7 days"}] == (
            document["differences"]
        )
        assert ["policy", "compare"] == [r["policy"] for r in document["summary"]]
        assert len(document["invoices"]) == sum(document["changes"].values())

    def test_gap_scopes_are_policy_fields(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--policy/--compare set the gap scopes; per channel, calls go out beside emails."""
        code, document = run_json(
            capsys,
            "simulate",
            "--store",
            str(SAMPLE),
            "--from",
            "2026-11-26",
            "--to",
            "2026-12-09",
            "--channel",
            "email",
            "--channel",
            "call",
            "--compare",
            "partner_gap_scope=per_channel,invoice_gap_scope=per_channel",
        )
        assert EXIT_CLEAN == code
        assert [
            {"field": "partner_gap_scope", "policy": "across_channels", "compare": "per_channel"},
            {"field": "invoice_gap_scope", "policy": "across_channels", "compare": "per_channel"},
        ] == document["differences"]
        across, per = document["summary"]
        assert per["calls"] > across["calls"]

    @pytest.mark.parametrize(
        ("extra", "fragment"),
        [
            (["--policy", "partner_gap_scope=per_invoice"], "partner_gap_scope must be one of"),
            (["--policy", "min_gap=3"], "expected field=value"),
            (["--policy", "min_gap_per_invoice=-2"], "must not be negative"),
            (["--policy", "min_gap_per_invoice=soon"], "whole number"),
            (["--policy", "first_reminder_offset_days=x"], "not a whole number"),
            (["--policy", "receivables_only=maybe"], "true or false"),
            (["--to", "2026-11-01"], "before --from"),
        ],
    )
    def test_bad_options_exit_2(
        self, capsys: pytest.CaptureFixture[str], extra: list[str], fragment: str
    ) -> None:
        """A bad policy spec or an inverted range is one line on stderr and exit 2."""
        argv = ["simulate", "--store", str(SAMPLE), "--from", "2026-11-26", "--to", "2026-12-02"]
        code, _, err = run(capsys, *argv, *extra)
        assert (EXIT_UNUSABLE, True) == (code, fragment in one_line(err))


BOTH_CHANNELS = ("--channel", "email", "--channel", "call")


class TestSimulateText:
    RANGE = ("simulate", "--store", str(SAMPLE), "--from", "2026-11-26", "--to", "2026-12-09")

    @staticmethod
    def timeline(out: str) -> list[str]:
        """The timeline's data rows (after its header and rule, up to a blank line or note)."""
        lines = out.split("Timeline (invoices and recipients per outreach)\n", 1)[1].splitlines()
        return [line for line in lines[2:] if line[:4].isdigit()]

    def test_counts_not_id_lists_and_20_rows_by_default(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Text shows how many invoices and recipients, never the ids, and 20 rows with a note
        that --json shows all."""
        code, out, _ = run(capsys, *self.RANGE)
        _, document = run_json(capsys, *self.RANGE)
        sent = document["summary"]["sent"]
        assert (EXIT_CLEAN, 20) == (code, len(self.timeline(out)))
        assert f"... {sent - 20} more row(s); --json shows all" in out
        assert ("inv_" in out, "@" in out) == (False, False)
        assert sent == len(document["outreach"])

    @pytest.mark.parametrize(("limit", "rows"), [("5", 5), ("0", None)])
    def test_limit_sets_the_rows_and_0_shows_all(
        self, capsys: pytest.CaptureFixture[str], limit: str, rows: int | None
    ) -> None:
        """--limit N shows N timeline rows; --limit 0 every one, with no note."""
        _, document = run_json(capsys, *self.RANGE)
        code, out, _ = run(capsys, *self.RANGE, "--limit", limit)
        expected = document["summary"]["sent"] if rows is None else rows
        assert (EXIT_CLEAN, expected) == (code, len(self.timeline(out)))
        assert (rows is not None) == ("--json shows all" in out)

    def test_a_negative_limit_is_a_usage_error(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--limit -1 is refused: exit 2, one line."""
        code, _, err = run(capsys, *self.RANGE, "--limit", "-1")
        assert (EXIT_UNUSABLE, True) == (code, "must not be negative" in one_line(err))

    @pytest.mark.parametrize("compare", [False, True])
    def test_progress_is_drawn_on_a_terminal(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, compare: bool
    ) -> None:
        """On a terminal stderr, simulate draws how many partners it has simulated (per policy
        when comparing), then clears the line."""
        terminal = TestProgress.Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        extra = ("--compare", "min_gap_per_invoice=7") if compare else ()
        assert EXIT_CLEAN == run(capsys, *self.RANGE, *extra)[0]
        drawn = terminal.getvalue()
        assert ("\rsimulating partners" in drawn, drawn.endswith("\r\x1b[K")) == (True, True)
        assert ("(compare)" in drawn) == compare

    def test_no_progress_on_a_pipe(self) -> None:
        """Under a pipe, stderr stays empty: scripts read clean output."""
        result = subprocess.run([*CLI, *self.RANGE], capture_output=True, check=False)
        assert (EXIT_CLEAN, b"") == (result.returncode, result.stderr)

    @pytest.mark.parametrize(
        "argv",
        [
            ("aging", "--store", str(SAMPLE), "--at", "2026-11-26"),
            ("outreach", "--store", str(SAMPLE), "--at", "2026-11-26T12:00:00Z", *BOTH_CHANNELS),
            RANGE,
            (*RANGE, "--limit", "0"),
            (*RANGE, "--compare", "min_gap_per_invoice=7"),
            ("demo",),
            ("check", str(SAMPLE)),
        ],
        ids=["aging", "outreach", "simulate", "simulate-all", "compare", "demo", "check"],
    )
    def test_no_line_over_200_characters_on_the_sample(
        self, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
    ) -> None:
        """Text output on the sample store fits a wide terminal: no line over 200 characters."""
        code, out, _ = run(capsys, *argv)
        longest = max(out.splitlines(), key=len)
        assert (EXIT_CLEAN, True) == (code, len(longest) <= 200), longest


class TestDemo:
    def test_runs_everything_on_the_sample(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The demo checks, ages, decides, simulates and compares the bundled portfolio."""
        code, out, _ = run(capsys, "demo")
        assert EXIT_CLEAN == code
        for title in (
            "Check",
            "Aging at 2026-11-26",
            "Outreach decisions",
            "Cash application: the morning's bank statement",
            "Simulation, two weeks",
            "What if reminders were weekly?",
        ):
            assert f"\n{title}\n" in out

    def test_json_has_every_section(self, capsys: pytest.CaptureFixture[str]) -> None:
        """demo --json holds each section's data."""
        code, document = run_json(capsys, "demo")
        assert (EXIT_CLEAN, []) == (code, document["check"]["findings"])
        assert {
            "command",
            "portfolio",
            "check",
            "aging",
            "outreach",
            "matching",
            "simulation",
            "comparison",
            "skipped",
        } == set(document)
        assert document["matching"]["report"]["transactions"] == 15


def free_port() -> int:
    """A port nothing listens on right now (bound, read and released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class TestServe:
    def test_missing_store_exits_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Serving a directory that does not exist is unusable input."""
        code, _, err = run(capsys, "serve", "--store", "/nonexistent/store")
        assert (EXIT_UNUSABLE, True) == (code, "not a directory" in one_line(err))

    def test_an_empty_directory_is_refused_like_other_commands(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        """A directory without invoices/ is no store: serve refuses it as aging does (exit 2)."""
        served = run(capsys, "serve", "--store", str(tmp_path))
        aged = run(capsys, "aging", "--store", str(tmp_path), "--at", "2026-11-26")
        assert (EXIT_UNUSABLE, EXIT_UNUSABLE) == (served[0], aged[0])
        assert "has no invoices/ folder" in one_line(served[2])

    def test_a_port_in_use_exits_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Asking for a port another socket holds is one line on stderr and exit 2."""
        with socket.socket() as holder:
            holder.bind(("127.0.0.1", 0))
            holder.listen()
            port = holder.getsockname()[1]
            code, _, err = run(capsys, "serve", "--store", str(SAMPLE), "--port", str(port))
        assert (EXIT_UNUSABLE, True) == (code, f"cannot listen on 127.0.0.1:{port}" in err)

    def test_serves_on_the_port_asked_for(self) -> None:
        """--port N listens on N: the printed URL names it and the API answers there."""
        port = free_port()
        with serving("--store", str(SAMPLE), "--port", str(port), "--json") as served:
            started = json.loads(served.first)
            with api_get(f"http://127.0.0.1:{port}/v1/invoices?limit=1", started) as response:
                assert 200 == response.status
        assert (f"http://127.0.0.1:{port}", EXIT_CLEAN) == (started["url"], served.returncode)

    def test_serves_the_store_until_interrupted(self) -> None:
        """serve prints where it listens, answers the Stuut API, and stops cleanly on SIGINT."""
        with serving("--store", str(SAMPLE), "--json") as served:
            started = json.loads(served.first)
            with api_get(f"{started['base_url']}/invoices?limit=2", started) as response:
                page = json.loads(response.read())
            assert (2, 400) == (len(page["data"]), page["total_records"])
            assert started["url"].startswith("http://127.0.0.1:")
        # --json: the start document is the whole output, no text line after it
        assert (EXIT_CLEAN, "", "") == (served.returncode, served.rest, served.err)

    def test_text_mode_says_it_stopped(self) -> None:
        """Without --json, serve says where it listens and, on Ctrl-C, that it stopped."""
        with serving("--store", str(SAMPLE)) as served:
            pass
        assert (EXIT_CLEAN, "stuut-domain: stopped") == (served.returncode, served.err.strip())
        assert served.first.startswith(f"Serving {SAMPLE} (a copy")

    def test_serving_the_bundled_sample_never_writes_it(self) -> None:
        """Two POSTs to a served sample change the served copy; the package's files stay
        byte for byte, and no .lock appears among them."""
        before = {p: p.read_bytes() for p in SAMPLE.rglob("*") if p.is_file()}
        with serving("--store", str(SAMPLE), "--json") as served:
            started = json.loads(served.first)
            some = sorted((SAMPLE / "invoices").glob("*.json"))[0].stem
            for _ in range(2):
                url = f"{started['base_url']}/invoices/{some}/sync"
                with api_get(url, started, method="POST") as response:
                    assert 200 == response.status
        after = {p: p.read_bytes() for p in SAMPLE.rglob("*") if p.is_file()}
        assert (True, before) == (started["serving_a_copy"], after)


class Served:
    """A running ``stuut-domain serve``: its first line, then (once stopped) the rest."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        self.process = process
        self.first = process.stdout.readline()
        self.rest = ""
        self.err = ""

    @property
    def returncode(self) -> int | None:
        return self.process.returncode


@contextlib.contextmanager
def serving(*args: str) -> Iterator[Served]:
    """``stuut-domain serve *args`` for the ``with`` body, then Ctrl-C and its last output."""
    process = subprocess.Popen(
        [*CLI, "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    served = Served(process)
    try:
        yield served
    finally:
        process.send_signal(signal.SIGINT)
        served.rest, served.err = process.communicate(timeout=10)


def api_get(url: str, started: dict[str, Any], method: str = "GET") -> Any:
    """A request to a served API with the bearer token it announced."""
    request = urllib.request.Request(
        url, method=method, headers={"Authorization": f"Bearer {started['token']}"}
    )
    return urllib.request.urlopen(request, timeout=10)


def cp1252(*argv: str) -> subprocess.CompletedProcess[bytes]:
    """Run the command as a subprocess whose stdout and stderr are cp1252 (a Windows pipe)."""
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    return subprocess.run([*CLI, *argv], capture_output=True, env=env, check=False, timeout=120)


class TestNonUtf8Output:
    """Under a cp1252 stdout, names such as Wisła or Boğaziçi degrade, never fail."""

    AT = ("--at", "2026-11-26")
    STORE = ("--store", str(SAMPLE))

    @pytest.fixture
    def flawed(self, tmp_path: pathlib.Path) -> pathlib.Path:
        """A folder whose one invoice is flawed and whose name cp1252 cannot encode."""
        folder = tmp_path / "Boğaziçi Wisła"
        folder.mkdir()
        (folder / "faktura-ł.json").write_text(json.dumps({**first_invoice(), "amount_due": 1}))
        return folder

    @pytest.mark.parametrize(
        ("argv", "expected"),
        [
            (("aging", *STORE, *AT), EXIT_CLEAN),
            (("outreach", *STORE, "--at", "2026-11-26T12:00:00Z"), EXIT_CLEAN),
            (("simulate", *STORE, "--from", "2026-11-26", "--to", "2026-12-02"), EXIT_CLEAN),
            (("demo",), EXIT_CLEAN),
            (("aging", "--store", "/nonexistent/Wisła", *AT), EXIT_UNUSABLE),
            (("--help",), EXIT_CLEAN),
        ],
        ids=["aging", "outreach", "simulate", "demo", "error", "help"],
    )
    @pytest.mark.parametrize("mode", ["text", "json"])
    def test_every_command_prints(self, argv: tuple[str, ...], expected: int, mode: str) -> None:
        """Each command exits as under UTF-8 and prints; --json stays one exact document."""
        extra = ("--json",) if mode == "json" and argv[0] != "--help" else ()
        result = cp1252(*argv, *extra)
        assert (expected, b"") == (result.returncode, result.stderr if expected == 0 else b"")
        output = (result.stdout if expected == 0 else result.stderr).decode("cp1252")
        assert output.strip()
        assert "codec can't encode" not in output
        if extra and expected == 0:
            document = json.loads(result.stdout.decode("cp1252"))
            assert argv[0] == document["command"]
            if argv[0] == "aging":
                names = {r["partner"] for r in document["aging_by_partner"]}
                assert {"Boğaziçi Tekstil A.Ş.", "Wisła Software Sp. z o.o."} <= names

    def test_text_degrades_to_escapes(self) -> None:
        """An unencodable character reads as its escape; what cp1252 has prints as itself."""
        result = cp1252("aging", *self.STORE, *self.AT, "--limit", "0")
        assert "Bo\\u011fazi\xe7i Tekstil A.\\u015e." in result.stdout.decode("cp1252")

    @pytest.mark.parametrize("mode", ["text", "json"])
    def test_check_names_unencodable_files(self, flawed: pathlib.Path, mode: str) -> None:
        """check names a file whose path cp1252 cannot encode, in text and in JSON."""
        result = cp1252("check", str(flawed), *(("--json",) if mode == "json" else ()))
        assert (EXIT_FINDINGS, b"") == (result.returncode, result.stderr)
        if mode == "json":
            document = json.loads(result.stdout.decode("cp1252"))
            assert [str(flawed / "faktura-ł.json")] == [f["file"] for f in document["findings"]]
        else:
            assert "faktura-\\u0142.json" in result.stdout.decode("cp1252")

    @pytest.mark.parametrize("mode", ["text", "json"])
    def test_serve_prints_where_it_listens(
        self, small_store: pathlib.Path, tmp_path: pathlib.Path, mode: str
    ) -> None:
        """serve of a store named Wisła starts, prints its address and stops cleanly."""
        store = small_store.rename(tmp_path / "Wisła")
        env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
        process = subprocess.Popen(
            [*CLI, "serve", "--store", str(store), *(("--json",) if mode == "json" else ())],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        try:
            assert process.stdout is not None
            first = process.stdout.readline().decode("cp1252")
        finally:
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=10)
        assert (EXIT_CLEAN, "codec" not in err.decode("cp1252")) == (process.returncode, True)
        assert "http://127.0.0.1:" in first


#: A comma-joined list of codes, ids or addresses: what a JSON array must be instead.
JOINED = re.compile(r"[\w.@+-]+(,[\w.@+-]+)+")


def joined_strings(document: object, path: str = "$") -> list[str]:
    """The paths of every string in ``document`` that is a comma-joined list."""
    if isinstance(document, dict):
        return [p for k, v in document.items() for p in joined_strings(v, f"{path}.{k}")]
    if isinstance(document, list):
        return [p for i, v in enumerate(document) for p in joined_strings(v, f"{path}[{i}]")]
    return [path] if isinstance(document, str) and JOINED.fullmatch(document) else []


class TestJsonDocuments:
    STORE = ("--store", str(SAMPLE))

    @pytest.mark.parametrize(
        "argv",
        [
            ("outreach", *STORE, "--at", "2026-11-26T12:00:00Z", "--channel", "email"),
            ("simulate", *STORE, "--from", "2026-11-26", "--to", "2026-12-09"),
            ("demo",),
        ],
        ids=["outreach", "simulate", "demo"],
    )
    def test_lists_are_json_arrays(
        self, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
    ) -> None:
        """Codes, invoice ids, recipients, reasons and channels are arrays, never 'a,b'."""
        code, document = run_json(capsys, *argv)
        assert (EXIT_CLEAN, []) == (code, joined_strings(document))
        simulation = document.get("simulation", document)
        if "decisions" in document:
            many = next(d for d in document["decisions"] if len(d["invoice_ids"]) > 1)
            assert all(isinstance(many[k], list) for k in ("codes", "invoice_ids", "recipients"))
        if "outreach" in simulation and isinstance(simulation["outreach"], list):
            assert any(len(o["invoices"]) > 1 for o in simulation["outreach"])
            assert all(isinstance(u["codes"], list) for u in simulation["uncontacted"])
            assert all(isinstance(i["channels"], list) for i in simulation["invoices"])

    @pytest.mark.parametrize(
        ("argv", "command", "fragment"),
        [
            (("check", "/nonexistent.json"), "check", "no such file"),
            (("aging", *STORE, "--at", "26/11/2026"), "aging", "not an ISO date"),
            (("outreach", *STORE, "--at", "2026-11-26T12:00"), "outreach", "no UTC offset"),
            (
                ("simulate", *STORE, "--from", "2026-11-26", "--to", "2026-11-01"),
                "simulate",
                "before --from",
            ),
            (("serve", "--store", "/nonexistent/store"), "serve", "not a directory"),
            (("aging", "--nonsense"), "aging", "required: --store, --at"),
            (("frobnicate",), None, "invalid choice"),
        ],
        ids=["check", "aging", "outreach", "simulate", "serve", "usage", "no command"],
    )
    def test_exit_2_is_one_json_error_document(
        self,
        capsys: pytest.CaptureFixture[str],
        argv: tuple[str, ...],
        command: str | None,
        fragment: str,
    ) -> None:
        """Unusable input under --json: exit 2, one JSON document naming the error on stdout."""
        code, document = run_json(capsys, *argv)
        assert (EXIT_UNUSABLE, command, EXIT_UNUSABLE, "unusable_input") == (
            code,
            document["command"],
            document["exit_code"],
            document["error"]["code"],
        )
        assert fragment in document["error"]["message"]

    def test_demo_and_internal_errors_are_json_too(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A missing bundled sample (demo) and a bug are JSON errors under --json as well."""

        def missing() -> pathlib.Path:
            raise FileNotFoundError("the bundled sample portfolio is not installed")

        monkeypatch.setattr("adapters.cli.demo.sample_portfolio_path", missing)
        code, document = run_json(capsys, "demo")
        assert (EXIT_UNUSABLE, "demo", "unusable_input") == (
            code,
            document["command"],
            document["error"]["code"],
        )

        def broken(*_args: object, **_kwargs: object) -> None:
            raise RuntimeError("boom")

        monkeypatch.setattr("adapters.cli.aging.aging_report", broken)
        code, document = run_json(capsys, "aging", *self.STORE, "--at", "2026-11-26")
        assert (EXIT_UNUSABLE, "internal_error") == (code, document["error"]["code"])

    def test_findings_are_one_document_too(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Exit 1 (findings) under --json is one parseable document with exit-free data."""
        code, out, _ = run(capsys, "check", str(SEED), "--json")
        assert (EXIT_FINDINGS, dict) == (code, type(json.loads(out)))


class TestConsoleScript:
    def test_installed_command_runs(self) -> None:
        """The installed `stuut-domain` script runs check and reports findings with exit 1."""
        script = shutil.which("stuut-domain") or str(
            pathlib.Path(sys.executable).with_name("stuut-domain")
        )
        result = subprocess.run(
            [script, "check", str(SEED)], capture_output=True, text=True, check=False
        )
        assert (EXIT_FINDINGS, "") == (result.returncode, result.stderr)
        assert result.stdout.strip().endswith("2 finding(s) in 1 invoice(s)")


class TestProgress:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    def test_silent_unless_a_terminal(self) -> None:
        """Progress draws nothing on a pipe or file (scripts see clean stderr)."""
        stream = io.StringIO()
        progress = Progress("reading invoices", total=50, stream=stream)
        for done in range(1, 51):
            progress.step(done)
        progress.done()
        assert "" == stream.getvalue()

    def test_draws_on_a_terminal(self) -> None:
        """On a terminal it redraws one line every 25 items and clears it at the end."""
        stream = self.Terminal()
        progress = Progress("reading invoices", total=50, stream=stream)
        for done in range(1, 51):
            progress.step(done)
        progress.done()
        assert "\rreading invoices: 25/50\rreading invoices: 50/50\r\x1b[K" == stream.getvalue()


#: A clean document of each cash and owed kind, as the codec's tests write them.
def _new_kind_documents() -> dict[str, dict[str, Any]]:
    from test_codec_cash_and_owed import EXAMPLES

    names = {
        "BankTransaction": "bank_transaction",
        "Remittance": "remittance",
        "CreditNote": "credit_note",
        "CustomerCredit": "customer_credit",
        "Dispute": "dispute",
        "Promise": "promise",
    }
    documents = {names[cls.__name__]: json.loads(data) for cls, data in EXAMPLES}
    documents["bank_transaction"]["has_on_account"] = True
    return documents


NEW_KINDS = _new_kind_documents()

#: (kind, a change that breaks one of its rules, the finding's path and code): checked rules,
#: the rules of an owed kind that need no invoice, and construction refusals (ADR 0072).
NEW_BROKEN: list[tuple[str, dict[str, Any], str, str]] = [
    ("bank_transaction", {"has_on_account": False}, "has_on_account", "on_account_flag"),
    ("remittance", {"transaction_amount": 1}, "allocations", "remittance_lines_sum"),
    ("credit_note", {"lines": []}, "lines", "note_without_lines"),
    (
        "credit_note",
        {"lines": [{"currency": "EUR", "amount": 5, "quantity": 2, "unit_amount": 3}]},
        "lines[0].amount",
        "note_line_form",
    ),
    ("credit_note", {"pre_payment_amount": 16000}, "$", "note_parts_mismatch"),
    (
        "credit_note",
        {"pre_payment_amount": 16888, "post_payment_amount": 10},
        "$",
        "post_payment_split_mismatch",
    ),
    ("credit_note", {"invoice_currency": "USD"}, "exchange_rate", "note_rate_missing"),
    ("customer_credit", {"amount": -5}, "amount", "credit_not_positive"),
    ("dispute", {"status": "pending"}, "status", "dispute_status"),
    ("dispute", {"lines": []}, "lines", "dispute_without_lines"),
    (
        "dispute",
        {
            "lines": [
                {"invoice_id": "inv_42", "amount": 20000, "reason": "bogus", "currency": "EUR"}
            ]
        },
        "lines[0].reason",
        "dispute_reason_unknown",
    ),
    ("promise", {"invoices": []}, "invoices", "promise_without_invoices"),
    ("promise", {"promised_date": "2024-07-01"}, "promised_date", "promise_dated_before_made"),
    (
        "promise",
        {"acknowledged_at": "2024-07-06T09:00:00Z"},
        "acknowledged_at",
        "promise_acknowledged_before_made",
    ),
]
_BROKEN_IDS = [f"{kind}-{rule}" for kind, _, _, rule in NEW_BROKEN]


class TestCheckCashAndOwedKinds:
    @pytest.mark.parametrize("kind", sorted(NEW_KINDS))
    @pytest.mark.parametrize("option", ["auto", "kind"])
    def test_a_clean_document_of_each_kind_is_counted_as_that_kind(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, kind: str, option: str
    ) -> None:
        path = tmp_path / f"{kind}.json"
        path.write_text(json.dumps(NEW_KINDS[kind]))
        code, document = run_json(
            capsys, "check", str(path), "--kind", kind if option == "kind" else "auto"
        )
        assert (EXIT_CLEAN, 1, []) == (code, document[f"{kind}s"], document["findings"])

    @pytest.mark.parametrize(("kind", "change", "path", "rule"), NEW_BROKEN, ids=_BROKEN_IDS)
    def test_a_broken_document_reports_its_rule(
        self,
        *,
        capsys: pytest.CaptureFixture[str],
        tmp_path: pathlib.Path,
        kind: str,
        change: dict[str, Any],
        path: str,
        rule: str,
    ) -> None:
        """Checked rules and construction refusals are findings with the rule's own code at
        the field path it names, detected or read with --kind alike."""
        file = tmp_path / f"{kind}.json"
        file.write_text(json.dumps({**NEW_KINDS[kind], **change}))
        for option in ("--kind", kind), ():
            code, document = run_json(capsys, "check", str(file), *option)
            found = [(f["path"], f["code"]) for f in document["findings"]]
            assert (EXIT_FINDINGS, [(path, rule)]) == (code, found)
            assert not document["findings"][0]["message"].startswith("[")

    def test_a_construction_refusal_names_its_values_under_a_list_prefix(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        """A refused note in a list envelope: its code, path under data[i], and its values."""
        bad = {**NEW_KINDS["credit_note"], "invoice_currency": "USD"}
        file = tmp_path / "notes.json"
        file.write_text(json.dumps({"data": [NEW_KINDS["credit_note"], bad]}))
        code, document = run_json(capsys, "check", str(file), "--kind", "credit_note")
        assert EXIT_FINDINGS == code
        [finding] = document["findings"]
        assert (finding["path"], finding["code"]) == ("data[1].exchange_rate", "note_rate_missing")
        assert finding["values"] == {"note_currency": "EUR", "invoice_currency": "USD"}

    @pytest.mark.parametrize("kind", sorted(NEW_KINDS))
    def test_detection_never_takes_one_kind_for_another(self, kind: str) -> None:
        """Each document is detected as its own kind, and every other kind's reading of it
        is a mismatch."""
        from adapters.cli._kinds import KIND_TABLE, detect, mismatch

        item = NEW_KINDS[kind]
        assert kind == detect(item)
        for other in KIND_TABLE:
            assert (other == kind) == (mismatch(KIND_TABLE[other], item) is None), other

    def test_a_remittance_is_not_a_payment_though_both_have_allocations(self) -> None:
        from adapters.cli._kinds import detect

        bare = {"object": "remittance", "id": "rem_1", "allocations": []}
        assert "remittance" == detect(bare)
        assert "payment" == detect({"object": "payment", "id": "pay_1", "allocations": []})
        assert "payment" == detect(sample("payment"))
        assert "remittance" == detect({"id": "rem_2", "allocations": [], "transaction_amount": 5})

    def test_the_sample_kinds_are_still_detected_as_before(self) -> None:
        from adapters.cli._kinds import detect

        for kind in ("invoice", "partner", "payment", "workflow"):
            assert kind == detect(sample(kind))


class TestCheckDetectionOutsideReview:
    """outsider32 finding 8: a common unknown key never turns a partner into a dispute."""

    @pytest.mark.parametrize(
        "document",
        [
            {"id": "ptn_1", "name": "Acme", "currency": "USD", "note": "vip"},
            {"id": "ptn_1", "name": "Acme", "currency": "USD", "method": "ach"},
            {"id": "ptn_1", "object": "partner", "name": "Acme", "invoices": []},
        ],
    )
    def test_a_partner_with_an_unknown_common_key_is_a_partner(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path, document: dict[str, Any]
    ) -> None:
        from adapters.cli._kinds import detect

        assert detect(document) not in ("dispute", "promise", "credit_note")
        path = tmp_path / "p.json"
        path.write_text(json.dumps(document))
        _, out, _ = run(capsys, "check", str(path))
        assert "required key is missing" not in out  # never read as a broken dispute


class TestCheckOwedAgainstTheInvoicesGiven:
    """ADR 0072: owed rules that need invoices run when the input holds those invoices."""

    @staticmethod
    def _write(tmp_path: pathlib.Path, name: str, *values: object) -> str:
        from adapters import stuut_json

        path = tmp_path / name
        path.write_text(json.dumps([json.loads(stuut_json.encode(v)) for v in values]))
        return str(path)

    def _credited(self) -> tuple[Any, Any]:
        """A 10,000 invoice and a 3,000 note applied to it: 7,000 due."""
        from owed_builders import days, invoice, note
        from stuut_domain.owed import apply_credit_note

        applied = apply_credit_note(
            invoice(), note(3_000), disposition=None, at=days(2), earlier=()
        )
        return applied.invoice, applied.note

    def test_an_invoice_lowered_by_its_notes_is_clean_beside_them(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        """Net of the note, amount_due agrees; alone, the invoice reads as a mismatch."""
        credited, applied = self._credited()
        invoices = self._write(tmp_path, "invoices.json", credited)
        notes = self._write(tmp_path, "notes.json", applied)
        code, document = run_json(capsys, "check", invoices, notes)
        assert (EXIT_CLEAN, []) == (code, document["findings"])
        code, document = run_json(capsys, "check", invoices)
        found = [(f["path"], f["code"]) for f in document["findings"]]
        assert (EXIT_FINDINGS, [("[0].amount_due", "amount_due_mismatch")]) == (code, found)

    def test_notes_above_the_total_are_reported_on_the_invoice_and_the_note(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        """A second note of 9,000 beside the first 3,000 on a 10,000 invoice: the invoice
        reports both rules; a note whose parts miss what it credits reports its own."""
        import attrs

        credited, applied = self._credited()
        assert applied.pre_payment_amount is not None
        over = attrs.evolve(
            applied,
            id="cn_2",
            lines=applied.lines * 3,
            pre_payment_amount=applied.pre_payment_amount * 3,
        )
        from owed_builders import usd

        short = applied.pre_payment_amount - usd(1)
        off = attrs.evolve(applied, id="cn_3", invoice_id="inv_9", pre_payment_amount=short)
        invoices = self._write(tmp_path, "invoices.json", credited)
        notes = self._write(tmp_path, "notes.json", applied, over, off)
        code, document = run_json(capsys, "check", invoices, notes)
        found = {(f["file"].rsplit("/", 1)[-1], f["path"], f["code"]) for f in document["findings"]}
        assert code == EXIT_FINDINGS
        assert found == {
            ("invoices.json", "[0].amount_due", "credited_amount_due_mismatch"),
            ("invoices.json", "[0].credit_notes", "notes_exceed_total"),
            ("notes.json", "[2]", "note_parts_mismatch"),
        }

    def test_a_dispute_above_what_its_invoice_owes_is_reported_only_beside_it(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        """dispute_exceeds_invoice needs the invoice: reported with it, not without it."""
        from owed_builders import days, invoice, usd
        from stuut_domain.owed import Dispute, DisputeLine

        line = DisputeLine(invoice_id="inv_1", amount=usd(20_000), reason="other")
        dispute = Dispute(id="dsp_1", partner_id="ptn_acme", lines=(line,), opened_at=days(3))
        disputes = self._write(tmp_path, "disputes.json", dispute)
        code, document = run_json(capsys, "check", disputes)
        assert (EXIT_CLEAN, []) == (code, document["findings"])
        invoices = self._write(tmp_path, "invoices.json", invoice())
        code, document = run_json(capsys, "check", invoices, disputes)
        found = [(f["path"], f["code"]) for f in document["findings"]]
        assert (EXIT_FINDINGS, [("[0].lines[0].amount", "dispute_exceeds_invoice")]) == (
            code,
            found,
        )

    def test_two_disputes_that_pass_alone_but_not_together_are_reported(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        """Outsider 53 finding 13: two open 60.00 disputes on an invoice owing 100.00."""
        from owed_builders import days, invoice, usd
        from stuut_domain.owed import Dispute, DisputeLine

        line = DisputeLine(invoice_id="inv_1", amount=usd(6_000), reason="other")
        first = Dispute(id="dsp_1", partner_id="ptn_acme", lines=(line,), opened_at=days(3))
        second = Dispute(id="dsp_2", partner_id="ptn_acme", lines=(line,), opened_at=days(3))
        disputes = self._write(tmp_path, "disputes.json", first, second)
        invoices = self._write(tmp_path, "invoices.json", invoice())
        code, document = run_json(capsys, "check", invoices, disputes)
        found = [(f["path"], f["code"]) for f in document["findings"]]
        assert (EXIT_FINDINGS, [("[1].lines[0].amount", "disputes_exceed_invoice")]) == (
            code,
            found,
        )

    def test_a_promise_over_another_partners_invoice_is_reported_beside_it(
        self, capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path
    ) -> None:
        """promise_partner_mismatch at the promised invoice, once the invoice is given."""
        import datetime as dt

        from owed_builders import days, invoice, usd
        from stuut_domain.owed import Promise, PromisedInvoice

        promise = Promise(
            id="prm_1",
            partner_id="ptn_other",
            invoices=(PromisedInvoice(invoice_id="inv_1", amount=usd(500)),),
            promised_date=dt.date(2026, 11, 20),
            made_at=days(3),
        )
        promises = self._write(tmp_path, "promises.json", promise)
        invoices = self._write(tmp_path, "invoices.json", invoice())
        code, document = run_json(capsys, "check", invoices, promises)
        found = [(f["path"], f["code"]) for f in document["findings"]]
        assert (EXIT_FINDINGS, [("[0].invoices[0].invoice_id", "promise_partner_mismatch")]) == (
            code,
            found,
        )
