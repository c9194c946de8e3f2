"""Hypothesis strategies for stuut-domain values, valid by construction.

For property-based test suites of services that use this library. House style follows
Hypothesis: plural nouns, keyword-only arguments with sensible defaults, arguments that accept
either a value or a strategy, and no subclassing. Every value satisfies the rules of
:mod:`stuut_domain.invariants` by construction (ADR 0025):

>>> from hypothesis import given
>>> from stuut_domain.strategies import invoices
>>> @given(invoices(currency="JPY", status="partially_paid"))
... def test_amount_due(invoice):
...     assert invoice.amount_due == invoice.total_amount - invoice.amount_paid

For cash application, :func:`bank_transactions` gives valid transactions and
:func:`cash_cases` transactions generated from a small book with the true answer attached.
For one customer's consistent book (a partner, its contacts, its invoices and the payments
that allocate to them) use :func:`portfolios`; ``invoices(partner_id=...)`` and
``payments(partner_id=...)`` give one partner's invoices and payments. Every strategy is built
once at import with explicit alphabets, so a first run (no ``.hypothesis/`` directory, the
default profile) passes Hypothesis's health checks (ADR 0037).

After ``pip install stuut-domain[hypothesis]`` the strategies are registered for
``st.from_type`` through Hypothesis's entry point (``from_type(Invoice)`` uses
:func:`invoices`); :class:`Portfolio`, defined here, is registered when this package is
imported. This is the one package of :mod:`stuut_domain` that imports hypothesis; importing
:mod:`stuut_domain` itself never does.
"""

from __future__ import annotations

# Hypothesis runs its entry points while `import hypothesis` executes, which may be in the
# middle of importing this package (when it is imported before hypothesis). So the hook is
# imported first, from a module that does not import hypothesis, before any module that does
# (ADR 0025); the block below stays after `__all__` so that import sorting keeps this order.
from stuut_domain.strategies._registration import (
    _hypothesis_setup_hook as _hypothesis_setup_hook,
)

__all__ = [
    "CASE_KINDS",
    "INVOICE_STATUSES",
    "TIME_ZONES",
    "CashCase",
    "CreditScenario",
    "DisputeScenario",
    "Portfolio",
    "PromiseScenario",
    "aware_datetimes",
    "bank_transactions",
    "cash_cases",
    "contacts",
    "credit_notes",
    "credit_scenarios",
    "currencies",
    "customer_credits",
    "dispute_scenarios",
    "disputes",
    "invoices",
    "line_items",
    "moneys",
    "partners",
    "payments",
    "portfolios",
    "promise_scenarios",
    "promises",
    "stuut_json_invoices",
    "workflows",
]

from stuut_domain.strategies._cash import CASE_KINDS, CashCase, bank_transactions, cash_cases
from stuut_domain.strategies._invoices import INVOICE_STATUSES, invoices
from stuut_domain.strategies._line_items import line_items
from stuut_domain.strategies._money import (
    MAX_SAFE_MINOR_UNITS as MAX_SAFE_MINOR_UNITS,
)
from stuut_domain.strategies._money import currencies, moneys
from stuut_domain.strategies._owed import (
    CreditScenario,
    DisputeScenario,
    PromiseScenario,
    credit_notes,
    credit_scenarios,
    customer_credits,
    dispute_scenarios,
    disputes,
    promise_scenarios,
    promises,
)
from stuut_domain.strategies._parties import contacts, partners
from stuut_domain.strategies._payloads import stuut_json_invoices
from stuut_domain.strategies._payments import payments
from stuut_domain.strategies._portfolios import Portfolio, portfolios
from stuut_domain.strategies._time import TIME_ZONES, aware_datetimes
from stuut_domain.strategies._workflows import workflows
