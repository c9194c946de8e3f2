"""Type-level checks: every adapter satisfies the ports it claims (mypy --strict must pass)."""

from __future__ import annotations

from adapters.http_api import StuutApiClient
from adapters.json_store import JsonStore
from adapters.memory import MemoryStore
from adapters.sql import SqlStore
from stuut_domain.invoice import Invoice
from stuut_domain.payment import Payment
from stuut_domain.ports import (
    Getter,
    InvoiceReader,
    InvoiceRepository,
    PartnerReader,
    PartnerRepository,
    PaymentRepository,
    WorkflowRepository,
)

_store = MemoryStore()
_invoices: InvoiceRepository = _store.invoices
_partners: PartnerRepository = _store.partners
_payments: PaymentRepository = _store.payments
_workflows: WorkflowRepository = _store.workflows

_files = JsonStore("/tmp/stuut-typing-check")
_file_invoices: InvoiceRepository = _files.invoices
_file_partners: PartnerRepository = _files.partners
_file_payments: PaymentRepository = _files.payments
_file_workflows: WorkflowRepository = _files.workflows

_sql = SqlStore("sqlite://", create=True)
_sql_invoices: InvoiceRepository = _sql.invoices
_sql_partners: PartnerRepository = _sql.partners
_sql_payments: PaymentRepository = _sql.payments
_sql_workflows: WorkflowRepository = _sql.workflows

_api = StuutApiClient("sk_typing_only", base_url="http://127.0.0.1:9/v1")
_api_invoices: InvoiceReader = _api.invoices
_api_partners: PartnerReader = _api.partners
_api_payments: Getter[Payment] = _api.payments
_api_invoice_getter: Getter[Invoice] = _api.invoices
