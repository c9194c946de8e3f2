"""stuut-domain: the domain model and rules of accounts-receivable automation on Stuut's API.

The pure core: entities and value objects, invariants, rules and ports. It imports only the
standard library, attrs, py-moneyed and python-dateutil (ADR 0002).
"""

from stuut_domain.errors import (
    ConcurrencyConflict,
    CurrencyMismatch,
    InexactAmount,
    InvalidAllocation,
    InvalidTransition,
    InvariantViolation,
    NotFound,
    StuutDomainError,
    UnknownCurrency,
)
from stuut_domain.money import Money, MoneyBag, allocate, currency, exponent

__all__ = [
    "ConcurrencyConflict",
    "CurrencyMismatch",
    "InexactAmount",
    "InvalidAllocation",
    "InvalidTransition",
    "InvariantViolation",
    "Money",
    "MoneyBag",
    "NotFound",
    "StuutDomainError",
    "UnknownCurrency",
    "allocate",
    "currency",
    "exponent",
]
