"""``store copy`` is complete with a report (ADR 0071), and the small refusals of the last review.

Every record the source can read and the target accepts is copied; each unreadable record and
each refused entity is named (kind, file or id, reason) and the command exits 1. A memory
target, an unsupported scheme and a non-canonical expected version are refused, typed.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa
from contract_support import invoice, partner

from adapters.cli import main
from adapters.errors import UnsupportedStoreUrl
from adapters.json_store import JsonStore
from adapters.sql import SqlStore, copy_store
from adapters.sql.store import engine_url
from stuut_domain.errors import ConcurrencyConflict
from stuut_domain.money import Money
from stuut_domain.payment import PaymentAllocation


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out + err


def _json_store(root: Path, count: int = 5) -> JsonStore:
    store = JsonStore(root, create=True)
    store.partners.add(partner("ptn_acme"))
    for n in range(count):
        store.invoices.add(invoice(f"inv_2024_{n:04d}"))
    return store


def _allocated(invoice_id: str, allocation_id: str) -> object:
    return attrs.evolve(
        invoice(invoice_id, paid=100_00),
        payments=(
            PaymentAllocation(
                amount=Money(100_00, "EUR"),
                invoice_id=invoice_id,
                object="payment_allocation",
                payment_id="pay_0007",
                strategy="manual",
                id=allocation_id,
                approved=True,
            ),
        ),
    )


def test_json_to_sql_copies_every_readable_file_and_names_the_bad_one(
    db_url: str, tmp_path: Path
) -> None:
    """One corrupt invoice file: the other four and the partner are copied; the file is named."""
    _json_store(tmp_path / "src")
    bad = tmp_path / "src" / "invoices" / "inv_2024_0002.json"
    bad.write_text("{ not json", encoding="utf-8")
    target = SqlStore(db_url, create=True)
    try:
        report = copy_store(JsonStore(tmp_path / "src"), target)
        stored = sorted(target.invoices.ids())
    finally:
        target.close()
    assert (
        4,
        1,
        ["inv_2024_0000", "inv_2024_0001", "inv_2024_0003", "inv_2024_0004"],
        [("invoices", str(bad), "unreadable", True)],
        False,
    ) == (
        report.copied["invoices"],
        report.copied["partners"],
        stored,
        [(s.kind, s.where, s.cause, "not valid JSON" in s.reason) for s in report.skipped],
        report.complete,
    )


def test_sql_to_json_copies_every_readable_row_and_names_the_bad_one(
    db_url: str, tmp_path: Path
) -> None:
    """One row whose document no longer decodes: every other row reaches the JSON store."""
    source = SqlStore(db_url, create=True)
    copy_store(_json_store(tmp_path / "seed"), source)
    source.close()
    engine = sa.create_engine(engine_url(db_url))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE invoices SET doc = '[]' WHERE id = 'inv_2024_0003'"))
    engine.dispose()
    source = SqlStore(db_url)
    try:
        report = copy_store(source, JsonStore(tmp_path / "back", create=True))
    finally:
        source.close()
    assert (
        4,
        ["inv_2024_0000", "inv_2024_0001", "inv_2024_0002", "inv_2024_0004"],
        [("invoices", f"{db_url}#invoices/inv_2024_0003", "unreadable")],
    ) == (
        report.copied["invoices"],
        sorted(JsonStore(tmp_path / "back").invoices.ids()),
        [(s.kind, s.where, s.cause) for s in report.skipped],
    )


def test_one_allocation_on_two_invoices_is_refused_naming_both(db_url: str, tmp_path: Path) -> None:
    """A JSON store listing allocation 'alloc_twice' on two invoices: the SQL ledger takes it
    once (ADR 0013: applied once per id); the other invoice is refused, naming both invoices
    and the id, and everything else is copied."""
    src = _json_store(tmp_path / "src", count=2)
    src.invoices.add(_allocated("inv_2024_0100", "alloc_twice"))  # type: ignore[arg-type]
    src.invoices.add(_allocated("inv_2024_0101", "alloc_twice"))  # type: ignore[arg-type]
    target = SqlStore(db_url, create=True)
    try:
        report = copy_store(src, target)
        holders = [i for i in ("inv_2024_0100", "inv_2024_0101") if target.allocation_ids(i)]
        stored = sorted(target.invoices.ids())
    finally:
        target.close()
    (skipped,) = report.skipped
    refused = skipped.where
    assert (
        3,
        ("invoices", "refused"),
        True,
        1,
        [refused],
        sorted({"inv_2024_0000", "inv_2024_0001", *holders}),
    ) == (
        report.copied["invoices"],
        (skipped.kind, skipped.cause),
        all(n in skipped.reason for n in ("alloc_twice", "inv_2024_0100", "inv_2024_0101")),
        len(holders),
        sorted({"inv_2024_0100", "inv_2024_0101"} - set(holders)),
        stored,
    )


def test_the_cli_exits_1_and_lists_what_was_not_copied(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``store copy`` with one bad file: exit 1, the text and --json name it, the rest copied."""
    _json_store(tmp_path / "src")
    bad = tmp_path / "src" / "invoices" / "inv_2024_0001.json"
    bad.write_text("{ not json", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'book.db'}"
    code, out = _run(capsys, "store", "copy", str(tmp_path / "src"), url, "--json")
    text_code, text = _run(capsys, "store", "copy", str(tmp_path / "src"), url)
    data = json.loads(out)
    assert (1, 4, [str(bad)], 1, True) == (
        code,
        data["copied"]["invoices"],
        [s["where"] for s in data["skipped"]],
        text_code,
        f"invoices {bad} (unreadable)" in text,
    )


def test_copy_help_states_the_rule(capsys: pytest.CaptureFixture[str]) -> None:
    """``store copy --help`` says the copy is complete with a report and exits 1."""
    with contextlib.suppress(SystemExit):  # argparse's own exit after printing the help
        main(["store", "copy", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert (True, True) == ("Complete with a report" in out, "exit code is 1" in out)


def test_a_memory_target_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """``store copy SRC sqlite://`` would copy into a database that vanishes: exit 2, said."""
    _json_store(tmp_path / "src")
    code, out = _run(capsys, "store", "copy", str(tmp_path / "src"), "sqlite://")
    memory = _run(capsys, "store", "copy", str(tmp_path / "src"), "sqlite:///:memory:")
    assert (2, True, 2) == (code, "in-memory database vanishes" in out, memory[0])


@pytest.mark.parametrize("url", ["mysql://u@h/db", "postgresql+asyncpg://h/db", "http://[::1"])
def test_an_unsupported_url_names_the_supported_schemes(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """No driver hint for a scheme the store does not run on: the supported ones are named."""
    with pytest.raises(UnsupportedStoreUrl) as caught:
        SqlStore(url)
    code, out = _run(capsys, "aging", "--store", url, "--at", "2026-11-26")
    assert (True, 2, True, False) == (
        "postgresql://" in str(caught.value),
        code,
        "supported: sqlite:///PATH" in out,
        "pip install" in out,
    )


@pytest.mark.parametrize("expected", ["01", "001", "0"])
def test_a_non_canonical_expected_version_is_a_conflict(db_url: str, expected: str) -> None:
    """Versions are canonical: '001' is not '1'; refused, nothing written."""
    store = SqlStore(db_url, create=True)
    try:
        store.invoices.add(invoice("inv_2024_0042"))
        with pytest.raises(ConcurrencyConflict) as caught:
            store.invoices.save(invoice("inv_2024_0042", paid=1_00), expected_version=expected)
        after = store.invoices.get_versioned("inv_2024_0042")
    finally:
        store.close()
    assert (expected, "1", "1", invoice("inv_2024_0042")) == (
        caught.value.expected,
        caught.value.actual,
        after.version,
        after.entity,
    )
