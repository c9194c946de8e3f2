"""Generate the bundled sample bank transactions: a statement to match against the sample book.

Run ``make sample`` (or ``python scripts/generate_sample_transactions.py [STORE] [OUT]``). Reads
the bundled sample portfolio and writes ``src/adapters/samples/bank_transactions.json``: a bare
JSON array of Stuut bank transactions, dated on the sample's anchor day (``SAMPLE_AS_OF``), as
``GET /v1/bank-transactions`` would list them. Everything is drawn from ``random.Random(SEED)``
over the store's open invoices in id order, so two runs give byte-identical files.

The statement holds the cases a collections team meets every morning, one kind per line,
the kind named in ``custom_fields.sample_case`` (the matcher never reads it):

* ``exact``: the open amount of one invoice, its number in the bank reference;
* ``exact_styled``: the same, the number written another way (``inv2025-00123``,
  ``#INV202500123``);
* ``several``: one payment for two invoices of one partner, both numbers in the description;
* ``short_pay``: 97% of one invoice, its number given (short pays are never closed as paid);
* ``name_only``: the exact open amount, no reference, the payer's name only;
* ``unknown_payer``: a payer no partner resembles, an amount no invoice has.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

from adapters.json_store import JsonStore
from adapters.samples import SAMPLE_AS_OF, sample_portfolio_path
from adapters.stuut_json import encode
from stuut_domain.cash import BankTransaction
from stuut_domain.invoice import OWED, Invoice, status_of
from stuut_domain.lifecycle import pending_amount_remaining
from stuut_domain.money import Money, from_minor_units
from stuut_domain.partner import Partner

SEED = 20261203
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "src/adapters/samples/bank_transactions.json"
#: How many transactions of each kind (in this order).
CASES = (
    ("exact", 6),
    ("exact_styled", 2),
    ("several", 2),
    ("short_pay", 2),
    ("name_only", 2),
    ("unknown_payer", 1),
)


def _open(invoices: list[Invoice]) -> list[tuple[Invoice, Money]]:
    """The owed invoices with money still open, with that amount, in id order."""
    found = []
    for invoice in sorted(invoices, key=lambda i: i.id or ""):
        remaining = pending_amount_remaining(invoice)
        if status_of(invoice) in OWED and remaining.is_positive() and invoice.number:
            found.append((invoice, remaining))
    return found


def _styled(number: str, serial: int) -> str:
    """``INV-2025-00289`` as a payer might type it: ``inv2025-00289`` or ``#INV202500289``."""
    if serial % 2:
        return number.lower().replace("-", "", 1)
    return "#" + number.replace("-", "")


def _transaction(
    serial: int,
    kind: str,
    amount: Money,
    *,
    payer: str,
    reference: str | None = None,
    description: str | None = None,
) -> BankTransaction:
    at = SAMPLE_AS_OF - dt.timedelta(hours=2, minutes=serial * 7)
    return BankTransaction(
        id=f"btx_sample_{serial:04d}",
        object="bank_transaction",
        account_id="acct_sample_operating",
        amount=amount,
        currency=amount.code,
        counterparty_name=payer,
        reference_number=reference,
        description=description or f"INCOMING TRANSFER {payer.upper()}",
        timestamp=at,
        created_at=at,
        posted=True,
        type="deposit",
        is_payment=True,
        custom_fields={"sample_case": kind},
    )


def generate(store_root: Path) -> list[BankTransaction]:
    """The sample statement for the store at ``store_root`` (see the module docstring)."""
    store = JsonStore(store_root, read_only=True)
    partners: dict[str, Partner] = {p.id or "": p for p in store.partners.find()}
    candidates = _open(list(store.invoices.find()))
    rng = random.Random(SEED)
    rng.shuffle(candidates)
    used: set[str] = set()
    out: list[BankTransaction] = []

    def take(predicate: object = None) -> tuple[Invoice, Money]:
        for invoice, remaining in candidates:
            if invoice.id not in used and (predicate is None or predicate(invoice)):  # type: ignore[operator]
                used.add(invoice.id or "")
                return invoice, remaining
        raise SystemExit("the store has too few open invoices for the sample statement")

    def payer(invoice: Invoice) -> str:
        partner = partners.get(invoice.partner_id or "")
        return (partner.legal_name or partner.name or "") if partner else "UNKNOWN"

    def with_sibling(invoice: Invoice) -> bool:
        return any(
            other.partner_id == invoice.partner_id
            and other.currency == invoice.currency
            and other.id not in used
            and other.id != invoice.id
            for other, _ in candidates
        )

    for kind, count in CASES:
        for _ in range(count):
            serial = len(out) + 1
            if kind in ("exact", "exact_styled"):
                invoice, remaining = take()
                number = invoice.number or ""
                ref = number if kind == "exact" else _styled(number, serial)
                out.append(
                    _transaction(serial, kind, remaining, payer=payer(invoice), reference=ref)
                )
            elif kind == "several":
                first, first_open = take(with_sibling)
                second, second_open = take(
                    lambda i, f=first: i.partner_id == f.partner_id and i.currency == f.currency
                )
                text = f"PAYMENT {first.number} AND {second.number}"
                out.append(
                    _transaction(
                        serial, kind, first_open + second_open, payer=payer(first), description=text
                    )
                )
            elif kind == "short_pay":
                invoice, remaining = take(lambda i: pending_amount_remaining(i).minor_units >= 1000)
                paid = from_minor_units(remaining.minor_units * 97 // 100, remaining.code)
                out.append(
                    _transaction(serial, kind, paid, payer=payer(invoice), reference=invoice.number)
                )
            elif kind == "name_only":
                invoice, remaining = take()
                out.append(_transaction(serial, kind, remaining, payer=payer(invoice)))
            else:
                amount = from_minor_units(rng.randrange(10_000, 99_999) * 100 + 37, "USD")
                out.append(_transaction(serial, kind, amount, payer="Zyxwv Quux Holdings"))
    return out


def main(argv: list[str]) -> int:
    """Write the statement; print where."""
    store = Path(argv[0]) if argv else sample_portfolio_path()
    target = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    transactions = generate(store)
    target.write_bytes(encode(transactions) + b"\n")
    print(f"wrote {len(transactions)} bank transactions to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
