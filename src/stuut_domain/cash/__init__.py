"""Cash application: bank transactions and remittances matched to open invoices, explained.

``entities`` holds :class:`BankTransaction`, :class:`Remittance` and :class:`RemittanceLine`
(wire-shaped); ``invariants`` their rules; ``references`` reads invoice/PO numbers, RF
references and amounts out of bank text; ``partners`` infers who paid, and why;
``tolerance`` says how short a payment may fall; ``search`` finds exact groups of invoices;
``signals`` and ``policy`` score and decide; ``matching`` builds one
:class:`MatchProposal`, ``batch`` many, and ``report`` measures them (ADRs 0040-0042).
"""

from __future__ import annotations

from stuut_domain.cash.batch import match_transactions
from stuut_domain.cash.book import OpenBook
from stuut_domain.cash.entities import (
    AgentExtractions,
    AgentMetrics,
    BankTransaction,
    CounterpartyInfo,
    Payout,
    Remittance,
    RemittanceLine,
)
from stuut_domain.cash.invariants import CASH_RULES, check_bank_transaction, check_remittance
from stuut_domain.cash.matching import (
    MATCH_BLOCKER_CODES,
    Alternative,
    MatchBlocker,
    MatchDecision,
    MatchProposal,
    ProposedLine,
    Settlement,
    SettlementKind,
    match_transaction,
    match_with_book,
)
from stuut_domain.cash.partners import (
    PartnerDirectory,
    PartnerInference,
    PartnerMethod,
    PartnerRule,
    infer_partner,
    name_similarity,
    normalise_name,
)
from stuut_domain.cash.policy import DEFAULT_MATCH_POLICY, MatchPolicy
from stuut_domain.cash.references import (
    DEFAULT_FORMATS,
    InvoiceNumberIndex,
    Reference,
    ReferenceFormats,
    ReferenceKind,
    extract_references,
    normalise_invoice_number,
    rf_reference_is_valid,
)
from stuut_domain.cash.report import MatchReport, ReviewItem, match_report
from stuut_domain.cash.search import GroupSearch, exact_groups
from stuut_domain.cash.signals import DEFAULT_WEIGHTS, SIGNAL_NAMES, Signal
from stuut_domain.cash.tolerance import NO_TOLERANCE, Tolerance

__all__ = [
    "CASH_RULES",
    "DEFAULT_FORMATS",
    "DEFAULT_MATCH_POLICY",
    "DEFAULT_WEIGHTS",
    "MATCH_BLOCKER_CODES",
    "NO_TOLERANCE",
    "SIGNAL_NAMES",
    "AgentExtractions",
    "AgentMetrics",
    "Alternative",
    "BankTransaction",
    "CounterpartyInfo",
    "GroupSearch",
    "InvoiceNumberIndex",
    "MatchBlocker",
    "MatchDecision",
    "MatchPolicy",
    "MatchProposal",
    "MatchReport",
    "OpenBook",
    "PartnerDirectory",
    "PartnerInference",
    "PartnerMethod",
    "PartnerRule",
    "Payout",
    "ProposedLine",
    "Reference",
    "ReferenceFormats",
    "ReferenceKind",
    "Remittance",
    "RemittanceLine",
    "ReviewItem",
    "Settlement",
    "SettlementKind",
    "Signal",
    "Tolerance",
    "check_bank_transaction",
    "check_remittance",
    "exact_groups",
    "extract_references",
    "infer_partner",
    "match_report",
    "match_transaction",
    "match_transactions",
    "match_with_book",
    "name_similarity",
    "normalise_invoice_number",
    "normalise_name",
    "rf_reference_is_valid",
]
