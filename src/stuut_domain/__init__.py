"""stuut-domain: the domain model and rules of accounts-receivable automation on Stuut's API.

The pure core: entities and value objects, invariants, rules (lifecycle, allocation, outreach),
analytics and ports. It imports only the standard library, attrs, py-moneyed and
python-dateutil (ADR 0002); the edges live in the ``adapters`` package and hypothesis
strategies in ``stuut_domain.strategies`` (an optional extra).
"""

from stuut_domain.allocation import (
    AllocationResult,
    AllocationRule,
    ApprovalPolicy,
    allocate_payment,
    apply_result,
    approve_allocations,
    withdraw_allocation,
)
from stuut_domain.contacts import (
    Recipient,
    choose_recipients,
)
from stuut_domain.errors import (
    ConcurrencyConflict,
    CurrencyMismatch,
    InexactAmount,
    InvalidAllocation,
    InvalidTransition,
    InvariantViolation,
    NaiveDatetime,
    NotFound,
    PartnerMismatch,
    StuutDomainError,
    UnknownCurrency,
    UnknownTimeZone,
)
from stuut_domain.invariants import (
    RULES,
    Violation,
    check_invoice,
    check_partner,
    check_workflow,
    ensure_valid,
)
from stuut_domain.invoice import (
    Invoice,
    LineItem,
)
from stuut_domain.lifecycle import (
    InvoiceStatus,
    days_past_due,
    is_overdue,
    status_of,
)
from stuut_domain.money import (
    Money,
    MoneyBag,
    allocate,
    convert,
    currency,
    exponent,
    from_minor_units,
    to_minor_units,
)
from stuut_domain.outreach import (
    OutreachContext,
    decide_outreach,
)
from stuut_domain.outreach_decision import (
    BLOCKER_CODES,
    Blocker,
    OutreachDecision,
)
from stuut_domain.outreach_policy import (
    DEFAULT_POLICY,
    GAP_SCOPES,
    GapScope,
    OutreachPolicy,
)
from stuut_domain.outreach_state import (
    OutreachState,
)
from stuut_domain.partner import (
    Contact,
    Partner,
)
from stuut_domain.partner_figures import (
    PartnerFigures,
    partner_figures,
)
from stuut_domain.payment import (
    Payment,
    PaymentAllocation,
)
from stuut_domain.payment_balance import (
    check_payment,
    unapplied_credit,
)
from stuut_domain.portfolio import (
    AgingReport,
    CollectionsForecast,
    DsoReport,
    aging_report,
    days_sales_outstanding,
    expected_collections,
)
from stuut_domain.ports import (
    Clock,
    InvoiceQuery,
    InvoiceRepository,
    PartnerQuery,
    PartnerRepository,
    PaymentQuery,
    PaymentRepository,
    Versioned,
    WorkflowQuery,
    WorkflowRepository,
)
from stuut_domain.refund import (
    RefundResult,
    RefundRule,
    refund_payment,
)
from stuut_domain.simulation import (
    OutreachSimulation,
    PolicyComparison,
    compare_policies,
    simulate_outreach,
)
from stuut_domain.workflow import (
    Workflow,
)

__all__ = [
    "BLOCKER_CODES",
    "DEFAULT_POLICY",
    "GAP_SCOPES",
    "RULES",
    "AgingReport",
    "AllocationResult",
    "AllocationRule",
    "ApprovalPolicy",
    "Blocker",
    "Clock",
    "CollectionsForecast",
    "ConcurrencyConflict",
    "Contact",
    "CurrencyMismatch",
    "DsoReport",
    "GapScope",
    "InexactAmount",
    "InvalidAllocation",
    "InvalidTransition",
    "InvariantViolation",
    "Invoice",
    "InvoiceQuery",
    "InvoiceRepository",
    "InvoiceStatus",
    "LineItem",
    "Money",
    "MoneyBag",
    "NaiveDatetime",
    "NotFound",
    "OutreachContext",
    "OutreachDecision",
    "OutreachPolicy",
    "OutreachSimulation",
    "OutreachState",
    "Partner",
    "PartnerFigures",
    "PartnerMismatch",
    "PartnerQuery",
    "PartnerRepository",
    "Payment",
    "PaymentAllocation",
    "PaymentQuery",
    "PaymentRepository",
    "PolicyComparison",
    "Recipient",
    "RefundResult",
    "RefundRule",
    "StuutDomainError",
    "UnknownCurrency",
    "UnknownTimeZone",
    "Versioned",
    "Violation",
    "Workflow",
    "WorkflowQuery",
    "WorkflowRepository",
    "aging_report",
    "allocate",
    "allocate_payment",
    "apply_result",
    "approve_allocations",
    "check_invoice",
    "check_partner",
    "check_payment",
    "check_workflow",
    "choose_recipients",
    "compare_policies",
    "convert",
    "currency",
    "days_past_due",
    "days_sales_outstanding",
    "decide_outreach",
    "ensure_valid",
    "expected_collections",
    "exponent",
    "from_minor_units",
    "is_overdue",
    "partner_figures",
    "refund_payment",
    "simulate_outreach",
    "status_of",
    "to_minor_units",
    "unapplied_credit",
    "withdraw_allocation",
]
