"""Bank transactions and remittances: the money that arrives and what the payer says it pays.

Field names and order follow the Stuut API (``stuut-api.md`` §6): the v1 ``BankTransaction``
fields first, then the fields only the v2 detail shows; the ``Remittance`` and its
``allocations[]`` (the wire's ``RemittanceAllocation``, here :class:`RemittanceLine`).
Amounts are :class:`~stuut_domain.money.Money` in the entity's own ``currency`` (refused
otherwise). Cross-field rules (money conserved, lines summing to the transaction) are *not*
enforced on construction: remote data may break them and must still load;
:mod:`stuut_domain.cash.invariants` reports them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from stuut_domain.display import compact, short_repr
from stuut_domain.email import Attachment, Email
from stuut_domain.money import Money
from stuut_domain.partner import Partner
from stuut_domain.payment import AllocatedInvoice
from stuut_domain.types import JSON, Sourced
from stuut_domain.validators import aware, currency_code, money_in, own_currency

__all__ = [
    "AgentExtractions",
    "AgentMetrics",
    "BankTransaction",
    "CounterpartyInfo",
    "Payout",
    "Remittance",
    "RemittanceLine",
]


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class AgentExtractions(Sourced):
    """What Stuut's agent read from a bank transaction: the payer and the invoice numbers."""

    counterparty_name: str | None = None
    counterparty_raw: str | None = None
    invoice_numbers: tuple[str, ...] = ()


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class AgentMetrics(Sourced):
    """The agent's confidence in its reading, why, and what it was unsure of.

    ``confidence_score``'s scale is not documented by the API; the matcher reads it on the
    scale :class:`~stuut_domain.cash.matching.MatchPolicy` states and refuses a score outside
    it (ADR 0040).
    """

    confidence_reason: str | None = None
    confidence_score: float | None = None
    uncertainties: tuple[str, ...] = ()


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class CounterpartyInfo(Sourced):
    """The payer as the bank knows it; ``partner_count`` > 1 means it pays for several partners."""

    display: str | None = None
    id: str | None = None
    partner_count: int | None = None


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Payout(Sourced):
    """The processor payout a transaction belongs to (card or ACH settlements)."""

    id: str | None = None
    remote_id: str | None = None
    url: str | None = None


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class BankTransaction(Sourced):
    """One line of a bank statement: money in (``type`` e.g. ``deposit``) or out.

    Money rule (checked by :func:`~stuut_domain.cash.invariants.check_bank_transaction`):
    ``amount = total_allocated + amount_handled_outside + on-account remainder`` — the
    on-account remainder is derived (:attr:`on_account`), ``has_on_account`` says whether the
    API sees one. ``currency_rate`` is kept exactly as sent (a :class:`~decimal.Decimal`,
    never rounded) and read as :class:`~stuut_domain.payment.Payment` reads it.
    ``invoice_numbers`` are what the bank (v1) extracted; ``agent_extractions`` what Stuut's
    agent read (v2). ``partner`` is set once a person marked the transaction as a payment of
    that partner (``mark-payment``).
    """

    account_id: str | None = None
    amount: Money | None = attrs.field(default=None, validator=own_currency)
    object: str | None = None
    posted: bool | None = None
    reference_number: str | None = None
    timestamp: dt.datetime | None = attrs.field(default=None, validator=aware)
    type: str | None = None
    id: str | None = None
    account_mask: JSON = None
    authorized_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    check_number: str | None = None
    counterparty_email: str | None = None
    counterparty_logo: str | None = None
    counterparty_name: str | None = None
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    currency: str | None = attrs.field(default=None, validator=currency_code)
    currency_rate: Decimal | None = None
    custom_fields: JSON = None
    description: str | None = None
    description_details: JSON = None
    invoice_numbers: tuple[str, ...] = ()
    is_draft: bool | None = None
    last_synced_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    partner: Partner | None = None
    # v2 detail only, in its order
    agent_extractions: AgentExtractions | None = None
    agent_metrics: AgentMetrics | None = None
    is_agent_processing: bool | None = None
    is_payment: bool | None = None
    non_payment_reason: str | None = None
    total_allocated: Money | None = attrs.field(default=None, validator=own_currency)
    amount_handled_outside: Money | None = attrs.field(default=None, validator=own_currency)
    handled_outside_reason: str | None = None
    counterparty_info: CounterpartyInfo | None = None
    has_remittance: bool | None = None
    has_on_account: bool | None = None
    has_fx_payments: bool | None = None
    has_posting_errors: bool | None = None
    payout: Payout | None = None

    @property
    def allocated_or_zero(self) -> Money | None:
        """``total_allocated``, zero in the transaction's currency when absent (None without
        a currency)."""
        if self.total_allocated is not None:
            return self.total_allocated
        return None if self.currency is None else Money.zero(self.currency)

    @property
    def handled_outside_or_zero(self) -> Money | None:
        """``amount_handled_outside``, zero when absent (None without a currency)."""
        if self.amount_handled_outside is not None:
            return self.amount_handled_outside
        return None if self.currency is None else Money.zero(self.currency)

    @property
    def on_account(self) -> Money | None:
        """What is neither allocated nor handled outside: ``amount − allocated − outside``.

        None when the transaction has no amount. Negative only when the transaction is
        over-allocated (which the checker reports as ``transaction_overallocated``).
        """
        allocated, outside = self.allocated_or_zero, self.handled_outside_or_zero
        if self.amount is None or allocated is None or outside is None:
            return None
        return self.amount - allocated - outside

    @property
    def all_invoice_numbers(self) -> tuple[str, ...]:
        """The invoice numbers the bank and the agent extracted, each once, bank's first."""
        agent = self.agent_extractions.invoice_numbers if self.agent_extractions else ()
        return tuple(dict.fromkeys((*self.invoice_numbers, *agent)))

    @property
    def payer_name(self) -> str | None:
        """The payer's name: the bank's ``counterparty_name``, else the agent's reading."""
        if self.counterparty_name:
            return self.counterparty_name
        if self.agent_extractions is not None:
            return (
                self.agent_extractions.counterparty_name or self.agent_extractions.counterparty_raw
            )
        return None

    def __repr__(self) -> str:
        return short_repr(
            "BankTransaction",
            id=self.id,
            amount=self.amount,
            counterparty_name=self.counterparty_name,
            reference_number=self.reference_number,
            timestamp=self.timestamp,
        )


def _line_currency(line: RemittanceLine) -> str | None:
    return None if line.invoice is None else line.invoice.currency


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class RemittanceLine(Sourced):
    """One line of a remittance advice (the wire's ``RemittanceAllocation``).

    ``invoice_number`` is the number *as the payer wrote it*; ``invoice_id`` is the invoice it
    was resolved to (None until resolved). The line settles ``amount_paid + amount_discount +
    amount_withheld`` of the invoice, but only ``amount_paid`` is cash from the transaction:
    discount and withholding are non-cash settlements (ADR 0042). The amounts are in the
    remittance's currency (the :class:`Remittance` refuses others) and, when the short
    ``invoice`` is embedded, in its currency.
    """

    invoice_number: str | None = None
    object: str | None = None
    remittance_id: str | None = None
    amount_discount: Money | None = attrs.field(default=None, validator=money_in(_line_currency))
    amount_paid: Money | None = attrs.field(default=None, validator=money_in(_line_currency))
    amount_withheld: Money | None = attrs.field(default=None, validator=money_in(_line_currency))
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    invoice: AllocatedInvoice | None = None
    invoice_id: str | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)

    def settles(self, code: str) -> Money:
        """What the line takes off the invoice: paid + discount + withheld, in ``code``."""
        parts = (self.amount_paid, self.amount_discount, self.amount_withheld)
        return sum((p for p in parts if p is not None), Money.zero(code))

    def paid(self, code: str) -> Money:
        """The cash part of the line, zero in ``code`` when absent."""
        return self.amount_paid if self.amount_paid is not None else Money.zero(code)


def _lines_in_currency(
    instance: Remittance,
    _attribute: attrs.Attribute[tuple[RemittanceLine, ...]],
    lines: tuple[RemittanceLine, ...],
) -> None:
    """Every line's amounts are in the remittance's currency (CurrencyMismatch otherwise)."""
    code = instance.currency
    if code is None:
        return
    check = money_in(lambda _line: code)
    for line in lines:
        for field in ("amount_discount", "amount_paid", "amount_withheld"):
            check(line, attrs.fields_dict(RemittanceLine)[field], getattr(line, field))


def _remittance_currency(remittance: Remittance) -> str | None:
    return remittance.currency


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class Remittance(Sourced):
    """A payer's advice of what a payment settles, line by line (``GET /v1/remittances``).

    Rule (checked by :func:`~stuut_domain.cash.invariants.check_remittance`): the lines'
    ``amount_paid`` sum to ``transaction_amount`` (the bank amount); discounts and
    withholdings are not cash and are not in that sum. ``partner``, ``transaction_amount``,
    ``transaction_date`` and ``transaction_number`` are named as in the update body
    (``POST /v1/remittances/{id}``); the response shape is cut in the docs after ``email``.
    ``agent_confidence_score`` is read on the policy's stated scale (ADR 0040).
    """

    object: str | None = None
    id: str | None = None
    agent_confidence_reason: str | None = None
    agent_confidence_score: float | None = None
    agent_error_code: str | None = None
    agent_uncertainties: tuple[str, ...] = ()
    allocations: tuple[RemittanceLine, ...] = attrs.field(default=(), validator=_lines_in_currency)
    attachment: Attachment | None = None
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    currency: str | None = attrs.field(default=None, validator=currency_code)
    email: Email | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    partner: str | None = None
    transaction_amount: Money | None = attrs.field(
        default=None, validator=money_in(_remittance_currency)
    )
    transaction_date: dt.date | None = None
    transaction_number: str | None = None

    @property
    def lines(self) -> tuple[RemittanceLine, ...]:
        """The remittance's lines (the wire calls them ``allocations``)."""
        return self.allocations

    def __repr__(self) -> str:
        return short_repr(
            "Remittance",
            id=self.id,
            partner=self.partner,
            transaction_amount=self.transaction_amount,
            lines=len(self.allocations),
        )
