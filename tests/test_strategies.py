"""Specifications of the public hypothesis strategies: valid by construction, options honoured."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import zoneinfo
from decimal import Decimal
from typing import Any

import attrs
import msgspec
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from adapters.stuut_json import (
    decode_invoice,
    decode_partner,
    decode_payment,
    decode_workflow,
    encode_invoice,
    encode_partner,
    encode_payment,
    encode_workflow,
)
from stuut_domain.invariants import check_invoice, check_partner, check_workflow
from stuut_domain.invoice import Invoice, LineItem
from stuut_domain.lifecycle import status_of
from stuut_domain.money import Money, exponent
from stuut_domain.owed import (
    CreditNote,
    CustomerCredit,
    Dispute,
    Promise,
    check_alone,
)
from stuut_domain.partner import Contact, Partner
from stuut_domain.payment import Payment
from stuut_domain.strategies import (
    INVOICE_STATUSES,
    TIME_ZONES,
    aware_datetimes,
    contacts,
    currencies,
    customer_credits,
    invoices,
    line_items,
    moneys,
    partners,
    payments,
    stuut_json_invoices,
    workflows,
)
from stuut_domain.types import SOURCE_FIELDS
from stuut_domain.workflow import Workflow

#: Writes Decimal values as JSON numbers, as the codec does (ADR 0031).
EXACT_JSON = msgspec.json.Encoder(decimal_format="number")

ACME = Partner(id="ptn_acme_tooling", name="Acme Tooling GmbH", currency="EUR")


class TestInvoices:
    @pytest.mark.slow
    @given(invoices())
    def test_every_generated_invoice_passes_the_invariant_checker(self, invoice: Invoice) -> None:
        """An invoice from the strategy breaks no rule of the invariant checker."""
        assert () == check_invoice(invoice)

    @pytest.mark.slow
    @given(st.data())
    def test_every_status_and_currency_class_is_valid(self, data: st.DataObject) -> None:
        """Each lifecycle status, in 0-, 2-, 3- and 4-decimal currencies, passes the checker."""
        status = data.draw(st.sampled_from(INVOICE_STATUSES))
        code = data.draw(currencies(exponent=data.draw(st.sampled_from((0, 2, 3, 4)))))
        invoice = data.draw(invoices(currency=code, status=status, partner=st.none()))
        assert (status, code, ()) == (
            str(status_of(invoice)),
            invoice.currency,
            check_invoice(invoice),
        )

    @given(st.data())
    def test_the_status_asked_for_is_the_status_the_facts_give(self, data: st.DataObject) -> None:
        """invoices(status=s) draws invoices whose lifecycle status_of is s."""
        status = data.draw(st.sampled_from(INVOICE_STATUSES))
        assert status == str(status_of(data.draw(invoices(status=status))))

    @given(invoices(status="paid"))
    def test_a_paid_invoice_owes_nothing_and_has_paid_at(self, invoice: Invoice) -> None:
        """A paid invoice has amount due zero, its approved allocations as amount paid, paid_at."""
        approved = sum((p.amount for p in invoice.payments if p.approved), invoice.money(0))
        assert (invoice.money(0), invoice.total_amount, True) == (
            invoice.amount_due,
            approved,
            invoice.paid_at is not None,
        )

    @given(invoices(status="partially_paid", with_payments=True))
    def test_pending_allocations_do_not_reduce_the_amount_due(self, invoice: Invoice) -> None:
        """Only approved allocations count as paid; pending ones stay within the amount due."""
        pending = sum((p.amount for p in invoice.payments if not p.approved), invoice.money(0))
        assert (True, True) == (
            invoice.amount_due == invoice.total_amount - invoice.amount_paid_or_zero,
            pending <= invoice.amount_due,
        )

    @given(invoices(status=st.sampled_from(("void", "draft"))))
    def test_void_and_draft_invoices_carry_no_payments(self, invoice: Invoice) -> None:
        """Void and draft invoices have no allocations and nothing paid."""
        assert ((), invoice.money(0)) == (invoice.payments, invoice.amount_paid)

    @given(invoices(with_line_items=True))
    def test_line_items_add_up_to_the_invoice_totals(self, invoice: Invoice) -> None:
        """With line items, the subtotal, discount and tax are the sums over the lines."""
        zero = invoice.money(0)
        gross = sum(
            (
                invoice.money(int(li.quantity * li.unit_amount.minor_units))
                for li in invoice.line_items
                if li.quantity is not None and li.unit_amount is not None
            ),
            zero,
        )
        discount = sum((li.total_discount or zero for li in invoice.line_items), zero)
        tax = sum((li.total_tax or zero for li in invoice.line_items), zero)
        assert (gross, discount, tax) == (
            invoice.subtotal,
            invoice.total_discount,
            invoice.total_tax,
        )

    @given(invoices(with_payments=False, with_line_items=False))
    def test_false_options_leave_payments_and_lines_out(self, invoice: Invoice) -> None:
        """with_payments=False and with_line_items=False give neither allocations nor lines."""
        assert ((), ()) == (invoice.payments, invoice.line_items)

    @given(invoices(with_payments=True))
    def test_with_payments_gives_at_least_one_allocation(self, invoice: Invoice) -> None:
        """with_payments=True gives allocations, each pointing at the invoice, in its currency."""
        assert (True, {invoice.id}, {invoice.currency}) == (
            bool(invoice.payments),
            {p.invoice_id for p in invoice.payments},
            {p.amount.code for p in invoice.payments},
        )

    @given(invoices(partner=partners(currency="EUR")))
    def test_an_embedded_partner_is_the_invoice_partner(self, invoice: Invoice) -> None:
        """The embedded partner's id is the invoice's partner_id."""
        assert invoice.partner is not None
        assert invoice.partner.id == invoice.partner_id

    @given(invoices(partner=ACME, currency="EUR"))
    def test_a_given_partner_is_embedded_as_is(self, invoice: Invoice) -> None:
        """A Partner value passed in is embedded unchanged."""
        assert (ACME, "ptn_acme_tooling") == (invoice.partner, invoice.partner_id)

    @pytest.mark.parametrize(
        ("status", "with_payments"),
        [("void", True), ("draft", True), ("paid", False), ("partially_paid", False)],
    )
    def test_contradictory_options_are_refused(self, status: str, with_payments: bool) -> None:
        """A status that contradicts with_payments raises InvalidArgument at once."""
        with pytest.raises(InvalidArgument, match=status):
            invoices(status=status, with_payments=with_payments)

    def test_unknown_status_and_currency_are_refused(self) -> None:
        """An unknown status or currency code raises InvalidArgument naming it."""
        with pytest.raises(InvalidArgument, match="overdue"):
            invoices(status="overdue")
        with pytest.raises(InvalidArgument, match="XYZ"):
            invoices(currency="XYZ")

    @given(st.from_type(Invoice))
    def test_from_type_uses_the_registered_strategy(self, invoice: Invoice) -> None:
        """st.from_type(Invoice) (registered by the entry point) draws valid invoices."""
        assert () == check_invoice(invoice)


class TestScalars:
    @given(currencies(exponent=(0, 3)))
    def test_currencies_by_exponent_class(self, code: str) -> None:
        """currencies(exponent=...) only draws codes of those exponent classes."""
        assert exponent(code) in (0, 3)

    def test_an_exponent_no_currency_has_is_refused(self) -> None:
        """No currency has 7 decimals: InvalidArgument."""
        with pytest.raises(InvalidArgument, match="7"):
            currencies(exponent=7)

    @given(moneys(currency="KWD", min_value=0, max_value=1_000))
    def test_moneys_respect_currency_and_bounds(self, money: Money) -> None:
        """moneys() draws in the given currency between the bounds (minor units)."""
        assert ("KWD", True) == (money.code, 0 <= money.minor_units <= 1_000)

    @given(st.from_type(Money))
    def test_money_from_type_stays_within_safe_json_integers(self, money: Money) -> None:
        """Registered moneys stay within ±(2**53 − 1) minor units."""
        assert abs(money.minor_units) <= 2**53 - 1

    @given(aware_datetimes())
    def test_aware_datetimes_are_aware_and_real(self, value: dt.datetime) -> None:
        """Every value is timezone-aware and survives a round trip through UTC unchanged."""
        assert value.utcoffset() is not None
        assert value.replace(tzinfo=None) == value.astimezone(dt.UTC).astimezone(
            value.tzinfo
        ).replace(tzinfo=None)

    def test_aware_datetimes_reach_the_repeated_hour_of_a_fall_back(self) -> None:
        """The second 01:30 of New York's November fall-back (fold=1) is found."""
        new_york = zoneinfo.ZoneInfo("America/New_York")
        found = find(
            aware_datetimes(timezones=st.just(new_york)),
            lambda d: d.fold == 1 and d.hour == 1 and d.utcoffset() == dt.timedelta(hours=-5),
        )
        assert (1, new_york) == (found.fold, found.tzinfo)

    def test_aware_datetimes_refuse_aware_bounds(self) -> None:
        """Bounds are naive wall times, as in hypothesis's datetimes()."""
        with pytest.raises(InvalidArgument):
            aware_datetimes(min_value=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


class TestPartnersAndContacts:
    @given(partners())
    def test_contacts_belong_to_the_partner_and_one_is_primary(self, partner: Partner) -> None:
        """Every contact names its partner; exactly one is primary; the partner checks clean."""
        assert (
            {partner.id},
            1,
            (),
        ) == (
            {c.partner_id for c in partner.contacts},
            sum(1 for c in partner.contacts if c.is_primary),
            check_partner(partner),
        )

    @given(partners(timezone=st.sampled_from(("Asia/Kathmandu", "Australia/Lord_Howe"))))
    def test_partner_time_zones_include_odd_offsets(self, partner: Partner) -> None:
        """A partner's time zone is the one asked for and resolves."""
        assert partner.zone is not None
        assert partner.timezone in TIME_ZONES

    @given(partners())
    def test_overdue_never_exceeds_the_balance(self, partner: Partner) -> None:
        """0 <= total_overdue <= invoice_balance, both in the partner's currency."""
        assert partner.total_overdue is not None
        assert partner.invoice_balance is not None
        assert Money.zero(partner.total_overdue.code) <= partner.total_overdue
        assert partner.total_overdue <= partner.invoice_balance

    @given(contacts(partner_id="ptn_globex"))
    def test_contacts_take_the_partner_id_given(self, contact: Contact) -> None:
        """contacts(partner_id=...) sets that partner id."""
        assert "ptn_globex" == contact.partner_id


class TestPayments:
    @given(payments(min_allocations=1))
    def test_allocations_conserve_the_payment(self, payment: Payment) -> None:
        """Allocations never exceed amount − amount_refunded; the rest is unapplied credit."""
        assert payment.amount is not None
        assert payment.amount_refunded is not None
        allocated = sum((a.amount for a in payment.allocations), Money.zero(payment.amount.code))
        unapplied = payment.amount - payment.amount_refunded - allocated
        assert (False, True) == (unapplied.is_negative(), bool(payment.allocations))

    @settings(max_examples=300)
    @given(payments(currency="JPY", min_allocations=4, max_allocations=4))
    def test_a_refund_never_leaves_too_little_for_the_allocations(self, payment: Payment) -> None:
        """A payment of few minor units and many allocations may still carry a refund: it is
        drawn from what the allocations leave (one unit each), never a strategy error."""
        assert payment.amount is not None
        assert payment.amount_refunded is not None
        assert payment.amount.minor_units - payment.amount_refunded.minor_units >= 4

    @given(payments(currency="BHD"))
    def test_allocations_are_in_the_currency_of_their_invoice(self, payment: Payment) -> None:
        """Each allocation is in its embedded invoice's currency, here the payment's."""
        assert {"BHD"} >= {a.amount.code for a in payment.allocations}
        assert all(
            a.invoice is not None and a.invoice.id == a.invoice_id for a in payment.allocations
        )

    @given(st.from_type(Payment))
    def test_pending_allocations_have_lower_confidence(self, payment: Payment) -> None:
        """Allocations awaiting approval carry a confidence below the approved ones'."""
        for allocation in payment.allocations:
            score = allocation.agent_confidence_score
            assert score is not None
            assert (score >= 0.9) == bool(allocation.approved)


class TestWorkflowsAndLineItems:
    @given(workflows())
    def test_workflows_check_clean(self, workflow: Workflow) -> None:
        """Active days are distinct sorted weekdays and the window opens before it closes."""
        assert workflow.window_start is not None
        assert workflow.window_end is not None
        assert ((), sorted(set(workflow.active_days)), True) == (
            check_workflow(workflow),
            list(workflow.active_days),
            workflow.window_start < workflow.window_end,
        )

    @given(line_items(currency="JPY"))
    def test_a_line_total_is_gross_less_discount_plus_tax(self, item: LineItem) -> None:
        """total_amount = quantity × unit_amount − total_discount + total_tax, exactly."""
        assert item.quantity is not None
        assert item.unit_amount is not None
        assert item.total_discount is not None
        assert item.total_tax is not None
        gross = item.quantity * item.unit_amount.minor_units
        assert item.total_amount == Money(int(gross), "JPY") - item.total_discount + item.total_tax


class TestStuutJsonInvoices:
    @given(stuut_json_invoices())
    def test_payloads_are_json_with_every_invoice_key(self, payload: dict[str, object]) -> None:
        """A payload is plain JSON that carries every invoice key, amounts as integers."""
        keys = [f.name for f in attrs.fields(Invoice) if f.name not in SOURCE_FIELDS]
        assert (keys, int, int) == (
            list(json.loads(EXACT_JSON.encode(payload))),
            type(payload["amount_due"]),
            type(payload["total_amount"]),
        )

    @given(stuut_json_invoices(with_line_items=True, with_payments=True))
    def test_decimals_are_exact_numbers_never_floats(self, payload: dict[str, Any]) -> None:
        """quantity and currency_rate are Decimal, equal to the model's (ADR 0031), no float."""
        invoice = decode_invoice(payload)
        rates = [a["payment"]["currency_rate"] for a in payload["payments"]]
        assert (
            [li.quantity for li in invoice.line_items],
            {Decimal},
            [a.payment.currency_rate for a in invoice.payments if a.payment],
            {Decimal},
        ) == (
            [li["quantity"] for li in payload["line_items"]],
            {type(li["quantity"]) for li in payload["line_items"]},
            rates,
            {type(rate) for rate in rates},
        )

    @given(stuut_json_invoices(status="paid"))
    def test_timestamps_are_utc_with_z(self, payload: dict[str, object]) -> None:
        """Timestamps are written in UTC with a Z, as the API writes them."""
        for key in ("created_at", "issued_at", "paid_at"):
            text = payload[key]
            assert isinstance(text, str)
            assert text.endswith("Z")


class TestCodecRoundTrip:
    @pytest.mark.slow
    @given(invoices())
    def test_generated_invoices_survive_the_codec(self, invoice: Invoice) -> None:
        """decode(encode(invoice)) == invoice for every generated invoice."""
        assert invoice == decode_invoice(encode_invoice(invoice))

    @pytest.mark.slow
    @given(stuut_json_invoices())
    def test_generated_payloads_survive_the_codec(self, payload: dict[str, object]) -> None:
        """encode(decode(payload)) is the payload again, as JSON numbers read exactly."""
        assert json.loads(EXACT_JSON.encode(payload), parse_float=Decimal) == json.loads(
            encode_invoice(decode_invoice(payload)), parse_float=Decimal
        )

    @given(partners())
    def test_generated_partners_survive_the_codec(self, partner: Partner) -> None:
        """decode(encode(partner)) == partner."""
        assert partner == decode_partner(encode_partner(partner))

    @given(payments())
    def test_generated_payments_survive_the_codec(self, payment: Payment) -> None:
        """decode(encode(payment)) == payment, allocations included."""
        assert payment == decode_payment(encode_payment(payment))

    @given(workflows())
    def test_generated_workflows_survive_the_codec(self, workflow: Workflow) -> None:
        """decode(encode(workflow)) == workflow."""
        assert workflow == decode_workflow(encode_workflow(workflow))


class TestImportBoundary:
    def test_the_strategies_load_hypothesis_and_no_edge_library(self) -> None:
        """`import stuut_domain.strategies` loads no adapter, cattrs, msgspec, httpx or pydantic."""
        code = (
            "import json, sys\nimport stuut_domain.strategies\n"
            "print(json.dumps(sorted(sys.modules)))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        loaded = {name.split(".")[0] for name in json.loads(out)}
        forbidden = {"adapters", "cattrs", "msgspec", "httpx", "pydantic"}
        assert (set(), True) == (loaded & forbidden, "hypothesis" in loaded)


class TestRegistrationInAFreshInterpreter:
    @pytest.mark.parametrize(
        "imports",
        [
            "import hypothesis\nimport stuut_domain.strategies",
            "import stuut_domain.strategies\nimport hypothesis",
            "import hypothesis",
            "import stuut_domain.strategies._invoices",
        ],
        ids=["hypothesis-first", "strategies-first", "entry-point-only", "submodule-first"],
    )
    def test_from_type_draws_valid_invoices_whatever_is_imported_first(self, imports: str) -> None:
        """st.from_type(Invoice) draws valid invoices in a new interpreter, in any import order."""
        code = (
            f"{imports}\n"
            "from hypothesis import Phase, given, settings, strategies as st\n"
            "from stuut_domain.invariants import check_invoice\n"
            "from stuut_domain.invoice import Invoice\n"
            "seen = set()\n"
            "@settings(database=None, max_examples=5, phases=[Phase.generate])\n"
            "@given(st.from_type(Invoice))\n"
            "def draw(invoice): seen.add((type(invoice).__name__, check_invoice(invoice)))\n"
            "draw()\n"
            "print(sorted(seen))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        assert "[('Invoice', ())]\n" == out


@given(partners(min_contacts=2, max_contacts=6))
def test_a_partners_contacts_have_distinct_ids(partner: Partner) -> None:
    """Contacts are told apart by id (recipients, consent, caps): never two with one id. A full
    run once drew three contacts all named ``ctc_0000000000000000``."""
    ids = [c.id for c in partner.contacts]
    assert len(ids) == len(set(ids))


class TestOwedFromType:
    """st.from_type of the owed entities draws from the package's strategies (it failed,
    outsider 47), and each draw keeps every rule that needs no invoice."""

    @given(
        st.one_of(
            st.from_type(CreditNote),
            st.from_type(CustomerCredit),
            st.from_type(Dispute),
            st.from_type(Promise),
        )
    )
    def test_each_owed_entity_checks_clean_alone(
        self, entity: CreditNote | CustomerCredit | Dispute | Promise
    ) -> None:
        assert check_alone(entity) == ()

    @given(customer_credits(currency="JPY"))
    def test_customer_credits_never_spend_more_than_they_hold(self, credit: CustomerCredit) -> None:
        spent = sum(a.amount.minor_units for a in credit.allocations)
        assert (credit.currency, spent <= credit.amount.minor_units) == ("JPY", True)
        assert len({a.id for a in credit.allocations}) == len(credit.allocations)

    @pytest.mark.parametrize(
        ("strategy", "life"),
        [
            ("credit_notes", lambda n: not n.is_applied),
            ("credit_notes", lambda n: n.is_applied and n.is_issued),
            ("credit_notes", lambda n: n.voided_at is not None),
            ("disputes", lambda d: d.is_open),
            ("disputes", lambda d: str(d.resolution) == "credited"),
            ("disputes", lambda d: str(d.resolution) == "rejected"),
            ("disputes", lambda d: str(d.resolution) == "withdrawn"),
            ("promises", lambda p: p.cancelled_at is None and p.superseded_at is None),
            ("promises", lambda p: p.cancelled_at is not None),
            ("promises", lambda p: p.superseded_by is not None),
        ],
    )
    def test_the_owed_strategies_reach_every_life(self, strategy: str, life: Any) -> None:
        """Notes as drawn, applied and voided; disputes open and resolved each way; promises
        active, cancelled and superseded (outsider 53: every draw was issued, open, active)."""
        from stuut_domain import strategies

        found = find(getattr(strategies, strategy)(), life, settings=settings(database=None))
        assert check_alone(found) == ()
