"""Domain-flavoured builders shared by the outreach specifications (not a test module)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.partner import Contact, Partner
from stuut_domain.payment import PaymentAllocation
from stuut_domain.workflow import Workflow

UTC = dt.UTC
#: Wednesday 3 July 2024, 12:00 in Berlin (CEST, UTC+2): inside a 09:00-17:00 window.
WED_NOON_BERLIN = dt.datetime(2024, 7, 3, 10, 0, tzinfo=UTC)


def utc(*args: int) -> dt.datetime:
    """A UTC instant from its parts: ``utc(2024, 7, 3, 10)``."""
    return dt.datetime(*args, tzinfo=UTC)


def anna(**overrides: Any) -> Contact:
    values: dict[str, Any] = {
        "email": "anna.becker@acme-tooling.de",
        "object": "contact",
        "partner_id": "ptn_acme",
        "id": "con_anna",
        "given_name": "Anna",
        "family_name": "Becker",
        "external_role": "billing_contact",
        "phone": "+49 711 555 0142",
        "is_primary_email": True,
    }
    values.update(overrides)
    return Contact(**values)


def bruno(**overrides: Any) -> Contact:
    values: dict[str, Any] = {
        "email": "bruno.klein@acme-tooling.de",
        "object": "contact",
        "partner_id": "ptn_acme",
        "id": "con_bruno",
        "given_name": "Bruno",
        "family_name": "Klein",
        "external_role": "purchasing",
        "phone": "+49 711 555 0199",
    }
    values.update(overrides)
    return Contact(**values)


def acme(**overrides: Any) -> Partner:
    values: dict[str, Any] = {
        "id": "ptn_acme",
        "name": "Acme Tooling GmbH",
        "currency": "EUR",
        "timezone": "Europe/Berlin",
        "email": "accounts@acme-tooling.de",
        "phone": "+49 711 555 0100",
        "is_active": True,
        "contacts": (anna(), bruno()),
    }
    values.update(overrides)
    return Partner(**values)


def net30_reminders(**overrides: Any) -> Workflow:
    values: dict[str, Any] = {
        "id": "wf_net30",
        "name": "Net-30 reminders",
        "active_days": (0, 1, 2, 3, 4),
        "outreach_window_start": "09:00",
        "outreach_window_end": "17:00",
        "timezone": "Europe/Berlin",
        "is_active": True,
        "is_call_on_weekend_enabled": False,
    }
    values.update(overrides)
    return Workflow(**values)


def inv_2024_0042(**overrides: Any) -> Invoice:
    """80.00 EUR still owed, issued 1 June, due 1 July 2024 (UTC)."""
    values: dict[str, Any] = {
        "amount_due": Money(8_000, "EUR"),
        "currency": "EUR",
        "object": "invoice",
        "remote_id": "erp-42",
        "total_amount": Money(11_900, "EUR"),
        "id": "inv_2024_0042",
        "number": "INV-2024-0042",
        "partner_id": "ptn_acme",
        "amount_paid": Money(3_900, "EUR"),
        "issued_at": dt.datetime(2024, 6, 1, 9, 0, tzinfo=UTC),
        "due_date": dt.datetime(2024, 7, 1, 0, 0, tzinfo=UTC),
        "type": "receivable",
    }
    values.update(overrides)
    return Invoice(**values)


def pending_allocation(units: int, *, approved: bool | None = False) -> PaymentAllocation:
    return PaymentAllocation(
        amount=Money(units, "EUR"),
        invoice_id="inv_2024_0042",
        object="payment_allocation",
        payment_id="pay_ach_7",
        strategy="automatic",
        approved=approved,
    )
