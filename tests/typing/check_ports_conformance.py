"""Type-level checks: every adapter satisfies the ports it claims (mypy --strict must pass)."""

from __future__ import annotations

from adapters.memory import MemoryStore
from stuut_domain.ports import (
    InvoiceReader,
    InvoiceRepository,
    PartnerRepository,
    PaymentRepository,
    WorkflowRepository,
)

_store = MemoryStore()
_invoices: InvoiceRepository = _store.invoices
_invoice_reader: InvoiceReader = _store.invoices
_partners: PartnerRepository = _store.partners
_payments: PaymentRepository = _store.payments
_workflows: WorkflowRepository = _store.workflows
