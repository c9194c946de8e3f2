"""Registration of the strategies for ``st.from_type`` (Hypothesis's entry point, ADR 0025).

Hypothesis runs its entry points while ``import hypothesis`` executes, and that may happen in
the middle of importing :mod:`stuut_domain.strategies` (when it is imported before hypothesis).
So this module does not import hypothesis at module level, the package imports it before any
module that does, and the hook resolves each strategy lazily, by name, from the package once it
is complete.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, Final

from stuut_domain.cash.entities import BankTransaction
from stuut_domain.invoice import Invoice, LineItem
from stuut_domain.money import Money
from stuut_domain.owed.credit_note import CreditNote
from stuut_domain.owed.customer_credit import CustomerCredit
from stuut_domain.owed.dispute import Dispute
from stuut_domain.owed.promise import Promise
from stuut_domain.partner import Contact, Partner
from stuut_domain.payment import Payment
from stuut_domain.workflow import Workflow

#: The package whose strategies the hook registers (looked up by name when first used).
_PACKAGE: Final = __name__.rpartition(".")[0]

#: The types ``st.from_type`` resolves to the package's strategies, and the strategy's name.
_REGISTERED: Final[tuple[tuple[type, str], ...]] = (
    (Money, "moneys"),
    (Invoice, "invoices"),
    (LineItem, "line_items"),
    (Partner, "partners"),
    (Contact, "contacts"),
    (Payment, "payments"),
    (Workflow, "workflows"),
    (BankTransaction, "bank_transactions"),
    (CreditNote, "credit_notes"),
    (CustomerCredit, "customer_credits"),
    (Dispute, "disputes"),
    (Promise, "promises"),
)


def _hypothesis_setup_hook() -> None:
    """Register the strategies for ``st.from_type`` (run by Hypothesis's entry point).

    ``st.from_type(Invoice)`` then draws from :func:`invoices` with its defaults, and likewise
    for Money, LineItem, Partner, Contact, Payment, Workflow, BankTransaction, CreditNote,
    CustomerCredit, Dispute and Promise.
    """
    from hypothesis import strategies as hst  # noqa: PLC0415 - see the module docstring

    for kind, name in _REGISTERED:
        hst.register_type_strategy(kind, hst.deferred(_strategy_named(name)))


def _strategy_named(name: str) -> Callable[[], Any]:
    """A function that calls the package's strategy ``name`` (looked up when called)."""

    def strategy() -> Any:
        return getattr(sys.modules[_PACKAGE], name)()

    return strategy
