"""Matching many bank transactions against one book of open invoices.

Every transaction is matched on its own against the same :class:`~stuut_domain.cash.book.
OpenBook` (built once), so the result for one transaction never depends on the others or on
their order. When the proposals together would put more on an invoice than it has open (two
payments claiming one invoice), each of those proposals is made again with that fact as a
blocker: none of them auto-applies, and a person decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from stuut_domain.cash.book import OpenBook
from stuut_domain.cash.entities import BankTransaction, Remittance
from stuut_domain.cash.matching import MatchBlocker, MatchProposal, match_with_book
from stuut_domain.cash.partners import PartnerDirectory
from stuut_domain.cash.policy import DEFAULT_MATCH_POLICY, MatchPolicy
from stuut_domain.errors import InvalidMatchInput
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money

__all__ = ["match_transactions"]

#: How many claimants an over-claim blocker names (the rest are counted): a message stays a
#: sentence when hundreds of transactions claim one invoice.
_NAMED = 5


def match_transactions(
    transactions: Sequence[BankTransaction],
    open_invoices: Iterable[Invoice],
    *,
    partners: PartnerDirectory,
    remittances: Mapping[str, Remittance] | None = None,
    policy: MatchPolicy = DEFAULT_MATCH_POLICY,
    at: dt.datetime,
) -> tuple[MatchProposal, ...]:
    """One proposal per transaction, in the order given (see the module docstring).

    ``remittances``: transaction id -> its remittance. Refused
    (:class:`~stuut_domain.errors.InvalidMatchInput`): a transaction id given twice, and
    whatever :func:`~stuut_domain.cash.matching.match_transaction` refuses.
    """
    book = OpenBook.of(open_invoices, formats=policy.formats)
    given = remittances or {}
    seen: set[str | None] = set()
    for tx in transactions:
        if tx.id in seen:
            raise InvalidMatchInput(
                "duplicate_transaction",
                f"transaction {tx.id!r} is given twice",
                transaction_id=tx.id,
            )
        seen.add(tx.id)

    def one(tx: BankTransaction, blockers: Sequence[MatchBlocker] = ()) -> MatchProposal:
        return match_with_book(
            tx,
            book,
            partners=partners,
            remittance=given.get(tx.id or ""),
            policy=policy,
            at=at,
            blockers=blockers,
        )

    proposals = [one(tx) for tx in transactions]
    claimed: dict[str, Money] = {}
    claimants: dict[str, list[int]] = {}
    for index, proposal in enumerate(proposals):
        for line in proposal.lines:
            claimed[line.invoice_id] = (
                claimed.get(line.invoice_id, Money.zero(line.settled.code)) + line.settled
            )
            claimants.setdefault(line.invoice_id, []).append(index)
    over: dict[int, list[MatchBlocker]] = {}
    for inv_id, total in claimed.items():
        cap = book.open_amounts[inv_id]
        if total > cap and len(claimants[inv_id]) > 1:
            ids = [str(proposals[i].transaction_id) for i in claimants[inv_id]]
            others = ", ".join(ids[:_NAMED])
            if len(ids) > _NAMED:
                others += f" and {len(ids) - _NAMED} more"
            for index in claimants[inv_id]:
                over.setdefault(index, []).append(
                    MatchBlocker(
                        code="batch_overclaim",
                        message=f"{inv_id} is claimed by several transactions ({others}) for "
                        f"{total}, more than its {cap} open",
                    )
                )
    for index, reasons in sorted(over.items()):
        proposals[index] = one(transactions[index], sorted(reasons, key=lambda r: r.message))
    return tuple(proposals)
