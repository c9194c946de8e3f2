"""``stuut-domain match``: bank transactions matched to a store's open invoices, explained.

Reads a file of Stuut bank transactions (a JSON array or a v1 list envelope; ``-`` is stdin)
and the store's invoices and partners, proposes one match per transaction with
:func:`stuut_domain.cash.match_transactions` under the default
:class:`~stuut_domain.cash.MatchPolicy`, and prints each proposal with its rationale and the
batch's :func:`~stuut_domain.cash.match_report`. Nothing is written: a proposal is advice.

``--remittances FILE`` gives the payers' remittance advices (Stuut remittances, an array or a
list envelope): each is linked to the transaction whose ``id``, ``reference_number`` or
``check_number`` is its ``transaction_number``; one that names no transaction, or several, is
unusable input, as is a transaction two remittances name.

Exit 0 when every transaction auto-applies; 1 when any needs a person (``review`` or
``no_match``: money nobody can place is a finding too) or a store file was unreadable; 2 when
the transactions cannot be read (every problem named, with its file and position), when a
document is of another kind (its ``object`` is not ``bank_transaction``), or when the matcher
refuses a transaction (named by its position in the file).
"""

from __future__ import annotations

import argparse
import datetime as dt
import pathlib
import sys
from collections.abc import Sequence
from typing import Any, Final, TypeVar

from adapters.cli._output import EXIT_FINDINGS, Outcome, UnusableInput, limited, section
from adapters.cli._store import load_store, store_outcome
from adapters.stuut_json.codec import StuutJsonCodec
from stuut_domain.cash import (
    BankTransaction,
    MatchDecision,
    MatchProposal,
    MatchReport,
    PartnerDirectory,
    Remittance,
    match_report,
    match_transactions,
)
from stuut_domain.errors import StuutDomainError
from stuut_domain.invoice import Invoice
from stuut_domain.partner import Partner

__all__ = ["match_view", "propose", "read_remittances", "read_transactions", "run"]

T = TypeVar("T", BankTransaction, Remittance)


def _read(text: str) -> tuple[bytes, str]:
    """The bytes of the file ``text`` names (``-``: stdin) and the name to report it by."""
    if text == "-":
        if sys.stdin is None:
            raise UnusableInput("standard input is closed")
        return sys.stdin.buffer.read(), "<stdin>"
    path = pathlib.Path(text)
    if path.is_dir():
        raise UnusableInput(f"{text}: is a directory, not a JSON file")
    if not path.exists():
        raise UnusableInput(f"{text}: no such file")
    return path.read_bytes(), text


def _documents(text: str, cls: type[T], kind: str) -> tuple[T, ...]:
    """Every ``cls`` in the file, decoded tolerantly; each one's ``object`` must be ``kind``."""
    data, source = _read(text)
    found = tuple(StuutJsonCodec().decode_many(cls, data, source=source))
    for index, document in enumerate(found):
        if document.object not in (None, kind):
            raise UnusableInput(
                f"{source}: [{index}].object is {document.object!r}, not {kind!r}: "
                f"this is not a {kind.replace('_', ' ')}"
            )
    return found


def read_transactions(text: str) -> tuple[BankTransaction, ...]:
    """The bank transactions in the file ``text`` names (``-``: stdin), decoded tolerantly.

    A missing file, or a document whose ``object`` is another kind, is unusable input; a
    document that is not a list of bank transactions raises
    :class:`~adapters.stuut_json.DecodeError` naming every problem and the file.
    """
    return _documents(text, BankTransaction, "bank_transaction")


def read_remittances(text: str, transactions: Sequence[BankTransaction]) -> dict[str, Remittance]:
    """Transaction id -> its remittance, from the file ``text`` names (module docstring)."""
    keys: dict[str, set[str]] = {}
    for tx in transactions:
        for key in (tx.id, tx.reference_number, tx.check_number):
            if key:
                keys.setdefault(key, set()).add(str(tx.id))
    linked: dict[str, Remittance] = {}
    for index, remittance in enumerate(_documents(text, Remittance, "remittance")):
        number = remittance.transaction_number
        owners = sorted(keys.get(number or "", ()))
        if len(owners) != 1:
            said = "no transaction" if not owners else f"{len(owners)} transactions"
            raise UnusableInput(
                f"{text}: [{index}].transaction_number {number!r} names {said} of the "
                "statement (by id, reference_number or check_number)"
            )
        if owners[0] in linked:
            raise UnusableInput(f"{text}: [{index}] is a second remittance for {owners[0]!r}")
        linked[owners[0]] = remittance
    return linked


def propose(
    transactions: Sequence[BankTransaction],
    invoices: Sequence[Invoice],
    partners: Sequence[Partner],
    *,
    at: dt.datetime,
    remittances: dict[str, Remittance] | None = None,
    source: str,
) -> tuple[MatchProposal, ...]:
    """The batch's proposals; a refusal of the matcher names the file and the position."""
    try:
        return match_transactions(
            transactions,
            invoices,
            partners=PartnerDirectory.of(partners),
            remittances=remittances,
            at=at,
        )
    except StuutDomainError as exc:
        tx_id = getattr(exc, "details", {}).get("transaction_id")
        where = [i for i, tx in enumerate(transactions) if tx.id == tx_id] if tx_id else []
        at_index = f" [{where[0]}]" if where else ""
        raise UnusableInput(f"{source}:{at_index} {exc}") from None


def default_at(transactions: Sequence[BankTransaction]) -> dt.datetime:
    """When to match by default: the latest transaction instant (so a rerun gives the same
    answer); refused when no transaction says when it happened."""
    instants = [t.timestamp for t in transactions if t.timestamp is not None]
    if not instants:
        raise UnusableInput("no transaction has a timestamp; say when to match with --at")
    return max(instants)


_COLUMNS: Final = ("transaction", "decision", "confidence", "partner", "invoices", "amount")


def _row(proposal: MatchProposal, tx: BankTransaction | None) -> dict[str, object]:
    amount = tx.amount if tx is not None and tx.amount is not None else None
    return {
        "transaction": proposal.transaction_id,
        "decision": proposal.decision.value,
        "confidence": f"{proposal.confidence:.2f}",
        "partner": proposal.partner.partner_id or "unknown",
        "invoices": ", ".join(line.number or line.invoice_id for line in proposal.lines),
        "amount": "" if amount is None else str(amount),
    }


def _transaction_data(tx: BankTransaction | None) -> dict[str, Any]:
    """What the transaction received and had placed already (amounts in its currency)."""
    if tx is None:
        return {}

    def amount(value: Any) -> Any:
        return None if value is None else value.amount

    return {
        "amount": amount(tx.amount),
        "total_allocated": amount(tx.total_allocated),
        "amount_handled_outside": amount(tx.amount_handled_outside),
    }


def _proposal_data(proposal: MatchProposal, tx: BankTransaction | None) -> dict[str, Any]:
    """One proposal for ``--json``: its record, every line and the rationale in words.

    Amounts are decimal strings in the currency named beside them (the proposal's
    ``currency`` is the payment's; each line's is its invoice's); ``blockers`` are codes.
    """
    return {
        **proposal.as_record(),
        "transaction": _transaction_data(tx),
        "lines": [
            {
                "invoice_id": line.invoice_id,
                "number": line.number,
                "currency": line.cash.code,
                "cash": line.cash.amount,
                "cost": line.cost.amount,
                "settlements": [
                    {"kind": s.kind.value, "amount": s.amount.amount} for s in line.settlements
                ],
                "rationale": line.rationale,
            }
            for line in proposal.lines
        ],
        "blockers": [b.code for b in proposal.blockers],
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
    proposals: Sequence[MatchProposal],
    transactions: Sequence[BankTransaction],
    *,
    at: dt.datetime | None,
    limit: int | None = None,
) -> tuple[str, dict[str, Any]]:
    """The proposals as a table, the rationale of every one not auto-applied, the report;
    and the same as data."""
    report = match_report(proposals)
    by_id = {tx.id: tx for tx in transactions}
    rows = [_row(p, by_id.get(p.transaction_id)) for p in proposals]
    table = limited(_COLUMNS, rows, limit) if rows else "no bank transactions to match"
    waiting = [p for p in proposals if p.decision is not MatchDecision.AUTO_APPLY]
    shown = waiting if limit is None else waiting[:limit]
    why = "\n\n".join("\n".join(p.rationale) for p in shown) or "every transaction auto-applies"
    if len(shown) < len(waiting):
        why += f"\n\n... {len(waiting) - len(shown)} more; --json shows all"
    text = "\n\n".join(
        (
            section("Matches" if at is None else f"Matches at {at.isoformat()}", table),
            section("Needs a person", why),
            section("Report", _report_text(report)),
        )
    )
    data = {
        "at": at,
        "report": report.summary(),
        "review_queue": [item.transaction_id for item in report.review_queue],
        "proposals": [_proposal_data(p, by_id.get(p.transaction_id)) for p in proposals],
    }
    return text, data


def run(args: argparse.Namespace) -> Outcome:
    """Match the transactions in ``args.transactions`` against the store at ``args.store``."""
    portfolio = load_store(args.store)
    transactions = read_transactions(args.transactions)
    remittances = read_remittances(args.remittances, transactions) if args.remittances else None
    at = args.at or (default_at(transactions) if transactions else None)
    proposals = (
        propose(
            transactions,
            portfolio.invoices,
            portfolio.partners,
            at=at,
            remittances=remittances,
            source=args.transactions,
        )
        if at is not None
        else ()
    )
    text, data = match_view(proposals, transactions, at=at, limit=args.limit or None)
    outcome = store_outcome(portfolio, text, data)
    if any(p.decision is not MatchDecision.AUTO_APPLY for p in proposals):
        return Outcome(exit_code=EXIT_FINDINGS, text=outcome.text, data=outcome.data)
    return outcome
