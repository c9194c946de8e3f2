"""The rules bank transactions and remittances must satisfy, and the checkers that report them.

Like :mod:`stuut_domain.invariants`, a checker returns *every* violation (stable code, field
path, values), never only the first, and raises nothing: remote data that breaks a rule still
loads, and this says what is wrong with it. :data:`CASH_RULES` is the catalogue.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Final

from stuut_domain.cash.entities import BankTransaction, Remittance, RemittanceLine
from stuut_domain.errors import Violation
from stuut_domain.invoice import Invoice
from stuut_domain.lifecycle import pending_amount_remaining
from stuut_domain.money import Money

__all__ = ["CASH_RULES", "check_bank_transaction", "check_remittance"]

#: Every rule the cash checkers enforce: code -> the business rule, in words.
CASH_RULES: Final[Mapping[str, str]] = {
    "transaction_amount_missing": "a transaction with allocations or money handled outside "
    "states its amount",
    "transaction_amount_negative_part": "total_allocated and amount_handled_outside are "
    "never negative",
    "transaction_overallocated": "total_allocated + amount_handled_outside never exceed the "
    "amount (money conserved: allocated + handled outside + on account = amount)",
    "on_account_flag": "has_on_account is true exactly when an on-account remainder is left",
    "handled_outside_reason_missing": "money handled outside the platform says why",
    "non_payment_allocated": "a transaction marked is_payment=false has nothing allocated",
    "remittance_lines_sum": "the remittance lines' amount_paid sum to transaction_amount "
    "(discounts and withholdings are not cash)",
    "remittance_line_negative": "a remittance line's amounts are never negative",
    "remittance_line_exceeds_open": "a remittance line never settles (paid + discount + "
    "withheld) more than its invoice has open (amount due less pending allocations)",
    "remittance_currency": "the remittance is in the transaction's currency",
}


def _v(code: str, path: str, message: str, **values: object) -> Violation:
    return Violation(code=code, path=path, message=message, values=values)


def check_bank_transaction(transaction: BankTransaction) -> tuple[Violation, ...]:
    """Every cash rule the transaction breaks, in a stable order (see :data:`CASH_RULES`)."""
    return tuple(found for rule in _TRANSACTION_RULES for found in rule(transaction))


def _amount_missing(tx: BankTransaction) -> Iterator[Violation]:
    """A transaction with allocations or money handled outside states its amount."""
    parts = (tx.total_allocated, tx.amount_handled_outside)
    if tx.amount is None and any(p is not None and p.is_positive() for p in parts):
        yield _v(
            "transaction_amount_missing",
            "amount",
            "the transaction has allocations or money handled outside but no amount",
        )


def _negative_parts(tx: BankTransaction) -> Iterator[Violation]:
    """total_allocated and amount_handled_outside are never negative."""
    for field in ("total_allocated", "amount_handled_outside"):
        value: Money | None = getattr(tx, field)
        if value is not None and value.is_negative():
            yield _v(
                "transaction_amount_negative_part",
                field,
                f"{field} is negative ({value})",
                **{field: value},
            )


def _overallocated(tx: BankTransaction) -> Iterator[Violation]:
    """Allocated + handled outside never exceed the amount."""
    remainder = tx.on_account
    positive = tx.amount is not None and tx.amount.is_positive()
    if remainder is not None and positive and remainder.is_negative():
        yield _v(
            "transaction_overallocated",
            "total_allocated",
            f"allocated {tx.allocated_or_zero} + handled outside "
            f"{tx.handled_outside_or_zero} exceed the amount {tx.amount}",
            amount=tx.amount,
            total_allocated=tx.allocated_or_zero,
            amount_handled_outside=tx.handled_outside_or_zero,
        )


def _on_account_flag(tx: BankTransaction) -> Iterator[Violation]:
    """has_on_account agrees with the derived remainder, when both are known."""
    remainder = tx.on_account
    if tx.has_on_account is None or remainder is None or tx.total_allocated is None:
        return
    if tx.has_on_account != remainder.is_positive():
        yield _v(
            "on_account_flag",
            "has_on_account",
            f"has_on_account is {tx.has_on_account} but the remainder on account is {remainder}",
            has_on_account=tx.has_on_account,
            on_account=remainder,
        )


def _outside_reason(tx: BankTransaction) -> Iterator[Violation]:
    """Money handled outside says why."""
    outside = tx.amount_handled_outside
    if outside is not None and outside.is_positive() and not tx.handled_outside_reason:
        yield _v(
            "handled_outside_reason_missing",
            "handled_outside_reason",
            f"{outside} is handled outside but no handled_outside_reason is given",
            amount_handled_outside=outside,
        )


def _non_payment(tx: BankTransaction) -> Iterator[Violation]:
    """A transaction that is not a payment has nothing allocated."""
    allocated = tx.total_allocated
    if tx.is_payment is False and allocated is not None and allocated.is_positive():
        yield _v(
            "non_payment_allocated",
            "total_allocated",
            f"is_payment is false but {tx.total_allocated} is allocated",
            total_allocated=tx.total_allocated,
            non_payment_reason=tx.non_payment_reason,
        )


_TRANSACTION_RULES: Final = (
    _amount_missing,
    _negative_parts,
    _overallocated,
    _on_account_flag,
    _outside_reason,
    _non_payment,
)


def check_remittance(
    remittance: Remittance,
    *,
    transaction: BankTransaction | None = None,
    invoices: Sequence[Invoice] = (),
) -> tuple[Violation, ...]:
    """Every rule the remittance breaks, alone and against its transaction and invoices.

    ``transaction``: the bank transaction the remittance explains (its amount is the one the
    lines must sum to; else ``transaction_amount``). ``invoices``: the open invoices the lines
    may name (by ``invoice_id``, else by exact ``number``), for the "never more than open"
    rule; a line whose invoice is not given is not judged by it.
    """
    found: list[Violation] = []
    other = transaction.currency if transaction is not None else None
    stated = {remittance.currency} if remittance.currency else _line_currencies(remittance)
    expected = {other} if other is not None else set()
    if len(stated | expected) > 1:
        written = remittance.currency or ", ".join(sorted(stated))
        return (
            _v(
                "remittance_currency",
                "currency",
                f"the remittance is in {written}, the transaction in {other}",
                remittance_currency=written,
                transaction_currency=other,
            ),
        )
    code = remittance.currency or other or next(iter(stated), None)
    if code is None:
        return ()
    target = transaction.amount if transaction is not None else remittance.transaction_amount
    paid = sum((line.paid(code) for line in remittance.allocations), Money.zero(code))
    if target is not None and paid != target:
        found.append(
            _v(
                "remittance_lines_sum",
                "allocations",
                f"the lines pay {paid} but the transaction amount is {target}",
                lines_paid=paid,
                transaction_amount=target,
            )
        )
    by_id = {inv.id: inv for inv in invoices if inv.id is not None}
    by_number = {inv.number: inv for inv in invoices if inv.number is not None}
    for index, line in enumerate(remittance.allocations):
        found.extend(_line_rules(index, line, code, by_id, by_number))
    return tuple(found)


def _line_currencies(remittance: Remittance) -> set[str]:
    """The currencies the remittance's line amounts are written in."""
    return {
        value.code
        for line in remittance.allocations
        for value in (line.amount_paid, line.amount_discount, line.amount_withheld)
        if value is not None
    }


def _line_rules(
    index: int,
    line: RemittanceLine,
    code: str,
    by_id: Mapping[str, Invoice],
    by_number: Mapping[str, Invoice],
) -> Iterator[Violation]:
    path = f"allocations[{index}]"
    for field in ("amount_paid", "amount_discount", "amount_withheld"):
        value: Money | None = getattr(line, field)
        if value is not None and value.is_negative():
            yield _v(
                "remittance_line_negative",
                f"{path}.{field}",
                f"{field} is negative ({value})",
                **{field: value},
            )
    invoice = by_id.get(line.invoice_id) if line.invoice_id is not None else None
    if invoice is None and line.invoice_number is not None:
        invoice = by_number.get(line.invoice_number)
    if invoice is None or invoice.currency != code:
        return
    cap = pending_amount_remaining(invoice)
    settles = line.settles(code)
    if settles > cap:
        yield _v(
            "remittance_line_exceeds_open",
            path,
            f"the line settles {settles} of invoice {invoice.id!r}, which has {cap} open",
            settles=settles,
            open=cap,
            invoice_id=invoice.id,
        )
