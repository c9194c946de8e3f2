"""Specifications of the Stuut JSON codec: decoding, encoding, errors, strictness."""

from __future__ import annotations

import copy
import datetime as dt
import doctest
import json
import pickle
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import msgspec
import pytest

import adapters.samples
from adapters import stuut_json
from adapters.stuut_json import (
    DecodeError,
    Page,
    Problem,
    StuutJsonCodec,
    decode_invoice,
    decode_invoices,
    decode_partner,
    decode_payment,
    decode_workflow,
    encode_invoice,
    encode_partner,
    encode_payment,
    encode_workflow,
    reference,
)
from adapters.stuut_json.fast import FastPath
from stuut_domain.address import Address
from stuut_domain.errors import InvariantViolation, StuutDomainError
from stuut_domain.invoice import Invoice, LineItem
from stuut_domain.money import Money
from stuut_domain.partner import Contact, Partner
from stuut_domain.payment import AllocatedInvoice, Payment, PaymentAllocation
from stuut_domain.types import SOURCE_FIELDS
from stuut_domain.user import User
from stuut_domain.validators import currency_code, own_currency
from stuut_domain.workflow import Workflow
from stuut_wire import typed_json

SEED_PATH = Path(adapters.samples.__file__).with_name("retrieve_an_invoice.json")
SEED = SEED_PATH.read_bytes()

CODEC = StuutJsonCodec()


def seed() -> dict[str, Any]:
    value: dict[str, Any] = json.loads(SEED)
    return value


def inv_2024_0042(**overrides: Any) -> dict[str, Any]:
    """A small EUR invoice to Acme Tooling GmbH, as the API sends it."""
    payload: dict[str, Any] = {
        "amount_due": 50_000,
        "currency": "EUR",
        "object": "invoice",
        "remote_id": "INV-2024-0042",
        "total_amount": 150_000,
        "id": "inv_2024_0042",
        "amount_paid": 100_000,
        "due_date": "2024-07-01T00:00:00Z",
        "issued_at": "2024-06-01T09:00:00+02:00",
        "number": "2024-0042",
        "partner_id": "ptn_acme",
        "line_items": [
            {
                "invoice_id": "inv_2024_0042",
                "object": "line_item",
                "remote_id": "LI-1",
                "currency": "EUR",
                "quantity": 3,
                "unit_amount": 50_000,
                "total_amount": 150_000,
            }
        ],
    }
    payload.update(overrides)
    return payload


def problems_of(cls: type, data: Any, codec: StuutJsonCodec = CODEC) -> list[tuple[str, str]]:
    with pytest.raises(DecodeError) as caught:
        codec.decode(cls, data)
    return [(p.path, p.message) for p in caught.value.problems]


def paths_of(cls: type, data: Any, codec: StuutJsonCodec = CODEC) -> list[str]:
    return [path for path, _ in problems_of(cls, data, codec)]


def dump(value: Any) -> bytes:
    return json.dumps(value).encode()


class TestTheSeedExample:
    def test_the_full_api_example_loads_although_it_breaks_invariants(self) -> None:
        """Tolerant decoding loads the API's own example: placeholders, broken sums and all."""
        invoice = CODEC.decode(Invoice, SEED)
        assert Money(123, "ADP") == invoice.amount_due
        assert "payment_inquiry" == invoice.calls[0].classifications[0].classification
        assert (123,) == invoice.calls[0].workflow.active_days  # type: ignore[union-attr]

    def test_the_example_round_trips_to_the_same_json_types_compared(self) -> None:
        """encode(decode(seed)) is the seed as JSON values: no key added, none lost, 123 an int."""
        assert typed_json(SEED) == typed_json(CODEC.encode(CODEC.decode(Invoice, SEED)))
        assert typed_json(SEED) == typed_json(encode_invoice(decode_invoice(SEED)))

    def test_the_reference_path_writes_the_example_back_too(self) -> None:
        """The reference path (bytes, text or a parsed mapping) gives the same JSON back."""
        model = reference.structure(CODEC._converter, reference.parse(SEED), Invoice)
        assert typed_json(SEED) == typed_json(CODEC.encode(model))
        assert typed_json(SEED) == typed_json(CODEC.encode(CODEC.decode(Invoice, seed())))

    def test_the_keys_the_example_omits_stay_omitted(self) -> None:
        """The 14 keys the old codec added (partner's nulls, an allocation's invoice) stay out."""
        written = json.loads(CODEC.encode(CODEC.decode(Invoice, SEED)))
        assert "invoice_balance" not in written["calls"][0]["partner"]
        assert "type" not in written["calls"][0]["partner"]
        assert {"invoice", "allocations"}.isdisjoint(written["payments"][0])
        score = written["calls"][0]["classifications"][0]["agent_confidence_score"]
        assert (int, 123) == (type(score), score)

    def test_unknown_keys_at_every_depth_come_back_with_their_values(self) -> None:
        """A key the API adds tomorrow, at the top, in a nested object or a list item, is kept."""
        document = seed()
        document["x_new_top"] = {"a": [1, 1.50, None, True]}
        document["partner"]["x_new_partner"] = -0.0
        document["payments"][0]["payment"]["x_new_payment"] = "kept"
        document["calls"][0]["classifications"][0]["tasks"][0]["x_new_task"] = [1e2]
        data = json.dumps(document).encode().replace(b"1.5,", b"1.50,")
        invoice = CODEC.decode(Invoice, data)
        assert CODEC.decode(Invoice, SEED) == invoice  # unknown keys are not part of the value
        assert typed_json(data) == typed_json(CODEC.encode(invoice))
        assert typed_json(data) == typed_json(encode_invoice(decode_invoice(data)))

    def test_strict_decoding_still_refuses_unknown_keys_at_depth(self) -> None:
        """forbid_unknown_keys names the unknown key's path; tolerant decoding keeps it."""
        document = seed()
        document["payments"][0]["payment"]["x_new_payment"] = 1
        strict = StuutJsonCodec(forbid_unknown_keys=True)
        assert [("payments[0].payment.x_new_payment", "unknown key (forbid_unknown_keys)")] == (
            problems_of(Invoice, dump(document), strict)
        )

    def test_the_example_decodes_again_to_the_same_model(self) -> None:
        """decode(encode(m)) == m for the example's model."""
        invoice = CODEC.decode(Invoice, SEED)
        assert invoice == CODEC.decode(Invoice, CODEC.encode(invoice))

    def test_bytes_text_and_mapping_give_the_same_invoice(self) -> None:
        """The same JSON as bytes, str or an already parsed mapping decodes to equal invoices."""
        from_bytes = CODEC.decode(Invoice, SEED)
        assert from_bytes == CODEC.decode(Invoice, SEED.decode())
        assert from_bytes == CODEC.decode(Invoice, seed())

    def test_strict_decoding_refuses_the_example_naming_every_broken_rule(self) -> None:
        """strict=True raises InvariantViolation with the example's amount_due mismatch in it."""
        with pytest.raises(InvariantViolation) as caught:
            decode_invoice(SEED, strict=True)
        assert "amount_due_mismatch" in caught.value.codes


class TestAmountsAndTheirCurrency:
    def test_amounts_are_money_in_the_owner_currency(self) -> None:
        """An invoice's and a line item's integers are minor units of their own currency."""
        invoice = CODEC.decode(Invoice, dump(inv_2024_0042()))
        assert Money(150_000, "EUR") == invoice.total_amount
        assert Money(50_000, "EUR") == invoice.line_items[0].unit_amount

    def test_a_line_item_in_another_currency_keeps_its_own(self) -> None:
        """A line item's amounts follow the line item's currency, not the invoice's."""
        payload = inv_2024_0042()
        payload["line_items"][0]["currency"] = "CHF"
        invoice = CODEC.decode(Invoice, dump(payload))
        assert Money(150_000, "CHF") == invoice.line_items[0].total_amount

    def test_an_allocation_in_an_invoice_is_in_the_invoice_currency(self) -> None:
        """invoice.payments[].amount is in the invoice's currency even when the payment is USD."""
        payload = inv_2024_0042(
            payments=[
                {
                    "amount": 100_000,
                    "invoice_id": "inv_2024_0042",
                    "object": "payment_allocation",
                    "payment_id": "pay_1",
                    "strategy": "automatic",
                    "payment": {"currency": "USD", "amount": 108_000, "currency_rate": "0.9259"},
                }
            ]
        )
        payload["payments"][0]["payment"]["currency_rate"] = 0.9259
        invoice = CODEC.decode(Invoice, dump(payload))
        assert Money(100_000, "EUR") == invoice.payments[0].amount
        assert Money(108_000, "USD") == invoice.payments[0].payment.amount  # type: ignore[union-attr]

    def test_an_allocation_in_a_payment_is_in_the_payment_currency(self) -> None:
        """payment.allocations[].amount without an embedded invoice is in the payment's currency."""
        payment = CODEC.decode(
            Payment,
            dump(
                {
                    "currency": "JPY",
                    "amount": 5000,
                    "allocations": [
                        {
                            "amount": 5000,
                            "invoice_id": "inv_1",
                            "object": "payment_allocation",
                            "payment_id": "pay_1",
                            "strategy": "manual",
                        }
                    ],
                }
            ),
        )
        assert Money(5000, "JPY") == payment.allocations[0].amount

    def test_an_embedded_invoice_decides_the_allocation_currency(self) -> None:
        """An allocation embedding its invoice is in that invoice's currency, wherever it is."""
        allocation = {
            "amount": 700,
            "invoice_id": "inv_9",
            "object": "payment_allocation",
            "payment_id": "pay_1",
            "strategy": "manual",
            "invoice": {"amount_due": 0, "currency": "GBP", "id": "inv_9"},
        }
        payment = CODEC.decode(
            Payment, dump({"currency": "JPY", "amount": 5000, "allocations": [allocation]})
        )
        assert Money(700, "GBP") == payment.allocations[0].amount
        assert Money(700, "GBP") == CODEC.decode(PaymentAllocation, dump(allocation)).amount

    def test_a_lone_allocation_without_its_invoice_has_no_currency(self) -> None:
        """A bare allocation without an embedded invoice cannot say its currency: refused."""
        allocation = {
            "amount": 700,
            "invoice_id": "inv_9",
            "object": "payment_allocation",
            "payment_id": "pay_1",
            "strategy": "manual",
        }
        assert ["amount"] == paths_of(PaymentAllocation, dump(allocation))

    def test_an_amount_whose_owner_has_no_currency_is_refused(self) -> None:
        """A partner balance with a null currency has no currency: refused, naming the amount."""
        assert ["invoice_balance"] == paths_of(
            Partner, dump({"currency": None, "invoice_balance": 100})
        )

    def test_an_unknown_currency_is_one_problem_not_one_per_amount(self) -> None:
        """An unknown currency code is reported once, at `currency`, with the code."""
        with pytest.raises(DecodeError) as caught:
            CODEC.decode(Invoice, dump(inv_2024_0042(currency="EUX")))
        assert [
            Problem(path="currency", message="unknown currency code 'EUX'", value="EUX")
        ] == list(caught.value.problems)

    def test_three_decimal_and_zero_decimal_currencies_keep_their_units(self) -> None:
        """1234 BHD minor units is 1.234 BHD; 1234 JPY is 1234 yen: integers are never scaled."""
        bhd = CODEC.decode(Invoice, dump(inv_2024_0042(currency="BHD", line_items=[])))
        jpy = CODEC.decode(Invoice, dump(inv_2024_0042(currency="JPY", line_items=[])))
        assert Decimal("150.000") == bhd.total_amount.amount
        assert Decimal("150000") == jpy.total_amount.amount


class TestNumbers:
    def test_a_float_where_minor_units_belong_is_refused(self) -> None:
        """`total_amount: 1500.0` is a float, not an integer of minor units: refused, with path."""
        payload = inv_2024_0042()
        payload["line_items"][0]["total_amount"] = 1500.0
        assert [
            (
                "line_items[0].total_amount",
                "expected an integer, got 1500.0 (a number with a fraction or exponent)",
            )
        ] == problems_of(Invoice, dump(payload))

    @pytest.mark.parametrize("units", [2**63, -(2**63) - 1, 10**30])
    def test_integers_beyond_64_bits_are_refused(self, units: int) -> None:
        """The wire's integers are signed 64-bit; anything larger is refused, not kept."""
        assert [
            ("amount_due", "integer out of range: the wire carries signed 64-bit integers")
        ] == problems_of(Invoice, dump(inv_2024_0042(amount_due=units)))

    def test_the_64_bit_extremes_are_accepted(self) -> None:
        """-2**63 and 2**63 - 1 minor units load exactly."""
        invoice = CODEC.decode(
            Invoice, dump(inv_2024_0042(amount_due=-(2**63), total_amount=2**63 - 1))
        )
        assert (-(2**63), 2**63 - 1) == (
            invoice.amount_due.minor_units,
            invoice.total_amount.minor_units,
        )

    def test_quantity_is_read_exactly_as_written(self) -> None:
        """A quantity of 0.1000000000000000000001 keeps every digit, and is written back so."""
        text = dump(inv_2024_0042()).replace(
            b'"quantity": 3', b'"quantity": 0.1000000000000000000001'
        )
        invoice = CODEC.decode(Invoice, text)
        assert Decimal("0.1000000000000000000001") == invoice.line_items[0].quantity
        assert b'"quantity":0.1000000000000000000001' in CODEC.encode(invoice)

    def test_a_quantity_given_as_a_string_is_refused(self) -> None:
        """Decimals are JSON numbers on the wire; "3" is a string."""
        payload = inv_2024_0042()
        payload["line_items"][0]["quantity"] = "3"
        assert ["line_items[0].quantity"] == paths_of(Invoice, dump(payload))

    def test_true_is_not_an_integer_and_1_is_not_a_boolean(self) -> None:
        """JSON types are exact: booleans and integers do not stand in for each other."""
        assert ["billing_address_id", "in_dispute"] == paths_of(
            Invoice, dump(inv_2024_0042(billing_address_id=True, in_dispute=1))
        )


class TestDatetimeText:
    def test_utc_is_written_z_and_other_offsets_are_kept(self) -> None:
        """`Z` stays `Z`; `+02:00` stays `+02:00`: the instant and the offset survive."""
        invoice = CODEC.decode(Invoice, dump(inv_2024_0042()))
        written = json.loads(CODEC.encode(invoice))
        assert ("2024-07-01T00:00:00Z", "2024-06-01T09:00:00+02:00") == (
            written["due_date"],
            written["issued_at"],
        )

    def test_microseconds_are_kept(self) -> None:
        """`05:31:56.120000Z` keeps its microseconds (written with six digits)."""
        invoice = CODEC.decode(Invoice, dump(inv_2024_0042(due_date="2024-07-01T05:31:56.120000Z")))
        assert 120_000 == invoice.due_date.microsecond  # type: ignore[union-attr]
        assert "2024-07-01T05:31:56.120000Z" == json.loads(CODEC.encode(invoice))["due_date"]

    def test_a_naive_datetime_is_refused(self) -> None:
        """A datetime without an offset is ambiguous: refused, naming the field."""
        assert [("due_date", "naive datetime: an offset is required (Z or +02:00)")] == problems_of(
            Invoice, dump(inv_2024_0042(due_date="2024-07-01T00:00:00"))
        )

    def test_text_that_is_not_a_datetime_is_refused(self) -> None:
        """`next tuesday` is not RFC 3339."""
        assert ["due_date"] == paths_of(Invoice, dump(inv_2024_0042(due_date="next tuesday")))

    def test_promised_to_pay_date_is_a_date(self) -> None:
        """`promised_to_pay_date` reads as a calendar date and is written back as one."""
        invoice = CODEC.decode(Invoice, dump(inv_2024_0042(promised_to_pay_date="2024-07-15")))
        assert dt.date(2024, 7, 15) == invoice.promised_to_pay_date
        assert "2024-07-15" == json.loads(CODEC.encode(invoice))["promised_to_pay_date"]


class TestEveryProblemIsListed:
    def test_truncated_json_is_one_problem_at_the_root(self) -> None:
        """Cut-off input is reported at `$` as invalid JSON, never a raw JSONDecodeError."""
        problems = problems_of(Invoice, SEED[:500])
        assert ["$"] == [path for path, _ in problems]
        assert problems[0][1].startswith("not valid JSON")

    def test_all_problems_come_at_once_with_their_paths(self) -> None:
        """Wrong types, a naive datetime, a float amount and a missing key: four problems."""
        payload = inv_2024_0042(number=42, due_date="2024-07-01T00:00:00")
        del payload["remote_id"]
        payload["line_items"][0]["unit_amount"] = 1.5
        assert ["due_date", "line_items[0].unit_amount", "number", "remote_id"] == sorted(
            paths_of(Invoice, dump(payload))
        )

    def test_a_problem_carries_the_offending_value(self) -> None:
        """The value found at the path is kept on the problem."""
        with pytest.raises(DecodeError) as caught:
            CODEC.decode(Invoice, dump(inv_2024_0042(number=42)))
        assert [
            Problem(path="number", message="expected a string, got an integer", value=42)
        ] == list(caught.value.problems)

    def test_a_list_where_an_object_belongs_is_a_problem(self) -> None:
        """`partner: []` is refused at `partner`."""
        assert [("partner", "expected an object (Partner), got an array")] == problems_of(
            Invoice, dump(inv_2024_0042(partner=[]))
        )

    def test_a_string_where_an_array_belongs_is_a_problem(self) -> None:
        """A string is not a list of line items (it is not iterated character by character)."""
        assert [("line_items", "expected an array, got a string")] == problems_of(
            Invoice, dump(inv_2024_0042(line_items="none"))
        )

    def test_an_unknown_literal_value_is_a_problem(self) -> None:
        """`type` is closed: `receivables` is refused."""
        assert ["type"] == paths_of(Invoice, dump(inv_2024_0042(type="receivables")))

    def test_the_root_must_be_an_object(self) -> None:
        """A JSON array is not an invoice."""
        assert ["$"] == paths_of(Invoice, b"[1, 2]")

    def test_decode_error_is_a_domain_error_and_a_value_error(self) -> None:
        """Callers catch it as StuutDomainError or ValueError."""
        with pytest.raises(DecodeError) as caught:
            CODEC.decode(Invoice, b"{")
        assert isinstance(caught.value, StuutDomainError)
        assert isinstance(caught.value, ValueError)

    def test_the_source_is_named_in_the_message(self) -> None:
        """A file name given by the caller prefixes the message."""
        with pytest.raises(DecodeError) as caught:
            CODEC.decode(Invoice, b"{", source="invoices/inv_2024_0042.json")
        assert "invoices/inv_2024_0042.json" == caught.value.source
        assert str(caught.value).startswith("invoices/inv_2024_0042.json: 1 problem(s)")
        renamed = caught.value.with_source("GET /v1/invoices/inv_2024_0042")
        assert str(renamed).startswith("GET /v1/invoices/inv_2024_0042: ")

    def test_a_decode_error_survives_pickling(self) -> None:
        """Errors cross process boundaries (multiprocessing) with their problems."""
        with pytest.raises(DecodeError) as caught:
            CODEC.decode(Invoice, b"{}", source="x.json")
        copy_ = pickle.loads(pickle.dumps(caught.value))
        assert (caught.value.problems, "x.json") == (copy_.problems, copy_.source)

    def test_invalid_utf8_is_a_problem_at_the_root(self) -> None:
        """Bytes that are not UTF-8 inside a string are reported, not raised raw."""
        assert ["$"] == paths_of(Invoice, b'{"memo": "\xff"}')

    @pytest.mark.parametrize(
        ("key", "text"),
        [
            (b"memo", b'"a\xffb"'),
            (b"currency", b'"EU\xc3"'),
            (b"due_date", b'"2024-07-01T00:\xff0:00Z"'),
            (b"custom_fields", b'{"k\xff": 1}'),
            (b"custom_fields", b'{"k": ["\xed\xa0\x80"]}'),
            (b"new_api_field", b'"\xff"'),
            (b"new_api_\xff", b"1"),
            (b"line_items", b'[{"object": "line_item", "quantity": "\xff"}]'),
        ],
        ids=[
            "text",
            "currency",
            "datetime",
            "json key",
            "json text",
            "unknown value",
            "unknown key",
            "decimal",
        ],
    )
    def test_bytes_that_are_not_utf8_are_refused_wherever_they_stand(
        self, key: bytes, text: bytes
    ) -> None:
        """Whether msgspec reads them (the plain views, which refuse every key they do not
        hold), a converter does (a decimal kept as raw text) or the keeping path's own check
        does (it skips unknown keys unread): the fast path refuses them, and every decoder
        reports one problem at the root, as for any text that is not UTF-8."""
        body = json.dumps(inv_2024_0042()).encode()[:-1]
        data = body + b', "' + key + b'": ' + text + b"}"
        fast = FastPath(Page)
        with pytest.raises(Exception):  # noqa: B017, PT011 - any refusal hands it on
            fast.decode(Invoice, data)
        with pytest.raises(Exception):  # noqa: B017, PT011
            fast.decode_many(Invoice, b"[" + data + b"]")
        assert ["$"] == paths_of(Invoice, data)
        with pytest.raises(DecodeError) as caught:
            CODEC.decode_many(Invoice, b'{"data": [' + data + b"]}")
        assert ["$"] == [p.path for p in caught.value.problems]

    def test_a_learned_key_that_is_not_utf8_is_refused(self) -> None:
        """A learned key is a field of the view: msgspec reads, and checks, its text."""
        fast = FastPath(Page)
        known = dump(inv_2024_0042(new_api_field="ok"))
        for _ in range(3):
            fast.decode(Invoice, known)  # learned on its second sight (ADR 0039)
        data = known.replace(b'"ok"', b'"o\xffk"')
        with pytest.raises(UnicodeDecodeError):
            data.decode()
        with pytest.raises(msgspec.DecodeError):
            fast.decode(Invoice, data)
        assert ["$"] == paths_of(Invoice, data)


class TestUnknownKeys:
    def test_unknown_keys_are_kept_outside_the_value_by_default(self) -> None:
        """The API adds fields: a tolerant codec loads the invoice and writes them back."""
        invoice = CODEC.decode(Invoice, dump(inv_2024_0042(new_api_field={"x": 1})))
        assert CODEC.decode(Invoice, dump(inv_2024_0042())) == invoice
        assert {"x": 1} == json.loads(CODEC.encode(invoice))["new_api_field"]

    def test_forbid_unknown_keys_lists_each_with_its_path(self) -> None:
        """A strict codec refuses every unknown key, nested ones included."""
        payload = inv_2024_0042(new_api_field=1)
        payload["line_items"][0]["colour"] = "red"
        strict = StuutJsonCodec(forbid_unknown_keys=True)
        assert [
            ("line_items[0].colour", "unknown key (forbid_unknown_keys)"),
            ("new_api_field", "unknown key (forbid_unknown_keys)"),
        ] == sorted(problems_of(Invoice, dump(payload), strict))

    def test_strict_module_decoding_refuses_unknown_keys(self) -> None:
        """decode_invoice(strict=True) refuses unknown keys before checking invariants."""
        with pytest.raises(DecodeError):
            decode_invoice(dump(inv_2024_0042(surprise=True)), strict=True)

    def test_strict_module_decoding_accepts_a_consistent_invoice(self) -> None:
        """An invoice that keeps every rule loads in strict mode."""
        invoice = decode_invoice(dump(inv_2024_0042()), strict=True)
        assert Money(50_000, "EUR") == invoice.amount_due

    def test_strict_payment_decoding_checks_the_payments_rules(self) -> None:
        """decode_payment(strict=True) refuses a negative payment by its rule code; the
        tolerant read loads it, as remote data may be imperfect."""
        payload = {
            "object": "payment",
            "id": "pay_1",
            "amount": -100,
            "currency": "USD",
            "allocations": [],
        }
        with pytest.raises(InvariantViolation) as caught:
            decode_payment(dump(payload), strict=True)
        assert (("payment_amount_negative",), Money(-100, "USD")) == (
            caught.value.codes,
            decode_payment(dump(payload)).amount,
        )


def _only_required() -> bytes:
    return (
        b'{"amount_due": 1500, "currency": "EUR", "object": "invoice", "remote_id": "R-1",'
        b' "total_amount": 2500, "memo": null, "x_erp": {"batch": 7},'
        b' "payments": [{"amount": 1500, "invoice_id": "i", "object": "payment_allocation",'
        b' "payment_id": "p", "strategy": "manual", "agent_confidence_score": 1}]}'
    )


class TestWritingBack:
    """ADR 0034: what a decoded, a changed and a code-built value write."""

    def test_a_changed_value_writes_its_changes_and_keeps_the_rest_of_its_document(self) -> None:
        """attrs.evolve keeps the document: unknown keys, absences, nulls, number forms."""
        invoice = CODEC.decode(Invoice, _only_required())
        changed = attrs.evolve(invoice, number="2024-0042", amount_due=Money(0, "EUR"))
        written = json.loads(CODEC.encode(changed))
        assert ("2024-0042", 0) == (written["number"], written["amount_due"])
        assert {"batch": 7} == written["x_erp"]
        assert None is written["memo"]
        assert "due_date" not in written
        assert "calls" not in written
        score = written["payments"][0]["agent_confidence_score"]
        assert (int, 1) == (type(score), score)

    def test_a_field_given_a_value_is_written_although_its_key_was_absent(self) -> None:
        """An absent key stays absent only while the field keeps its default."""
        invoice = CODEC.decode(Invoice, _only_required())
        instant = dt.datetime(2024, 7, 1, tzinfo=dt.UTC)
        written = json.loads(CODEC.encode(attrs.evolve(invoice, due_date=instant)))
        assert "2024-07-01T00:00:00Z" == written["due_date"]

    def test_a_changed_number_is_written_from_its_new_value(self) -> None:
        """A float field keeps its text only while it still reads as the same number."""
        invoice = CODEC.decode(Invoice, _only_required())
        allocation = attrs.evolve(invoice.payments[0], agent_confidence_score=0.5)
        written = json.loads(CODEC.encode(attrs.evolve(invoice, payments=(allocation,))))
        assert 0.5 == written["payments"][0]["agent_confidence_score"]
        assert {"batch": 7} == written["x_erp"]

    def test_a_value_built_in_code_writes_every_field(self) -> None:
        """No document: every field is written, absent ones as null or []."""
        invoice = Invoice(
            amount_due=Money(1500, "EUR"),
            currency="EUR",
            object="invoice",
            remote_id="R-1",
            total_amount=Money(2500, "EUR"),
        )
        written = json.loads(CODEC.encode(invoice))
        assert {f.name for f in attrs.fields(Invoice) if f.name not in SOURCE_FIELDS} == set(
            written
        )
        assert (None, []) == (written["due_date"], written["calls"])

    def test_a_decoded_value_inside_a_value_built_in_code_keeps_its_document(self) -> None:
        """A decoded partner embedded in a new invoice writes its unknown keys back."""
        partner = CODEC.decode(Partner, b'{"currency": "EUR", "x_erp": "kept"}')
        invoice = Invoice(
            amount_due=Money(1500, "EUR"),
            currency="EUR",
            object="invoice",
            remote_id="R-1",
            total_amount=Money(2500, "EUR"),
            partner=partner,
        )
        written = json.loads(CODEC.encode(invoice))
        assert {"currency": "EUR", "x_erp": "kept"} == written["partner"]
        assert None is written["due_date"]

    def test_the_document_takes_no_part_in_equality_hashing_or_repr(self) -> None:
        """A decoded value equals, hashes and prints as the same value built in code."""
        data = b'{"remote_id": "R", "object": "address", "x": 1, "city": null}'
        decoded = CODEC.decode(Address, data)
        built = Address(remote_id="R", object="address")
        assert (built, hash(built), repr(built)) == (decoded, hash(decoded), repr(decoded))
        assert decoded._source is not None
        assert built._source is None

    def test_a_pickled_value_keeps_its_document_in_another_process(self) -> None:
        """A decoded value sent to a fresh process equals itself and writes its document."""
        invoice = CODEC.decode(Invoice, _only_required())
        script = (
            "import pickle, sys; from adapters import stuut_json; "
            "sys.stdout.buffer.write(stuut_json.encode_invoice(pickle.load(sys.stdin.buffer)))"
        )
        written = subprocess.run(
            [sys.executable, "-c", script],
            input=pickle.dumps(invoice),
            capture_output=True,
            check=True,
        ).stdout
        assert typed_json(_only_required()) == typed_json(written)
        copy_ = pickle.loads(pickle.dumps(invoice))
        assert (invoice, written) == (copy_, CODEC.encode(copy_))

    def test_plain_json_values_follow_the_document(self) -> None:
        """to_json omits absent keys and keeps unknown ones; exact numbers stay exact."""
        value = CODEC.to_json(CODEC.decode(Invoice, _only_required()))
        assert {"batch": 7} == value["x_erp"]
        assert "due_date" not in value
        assert 1 == value["payments"][0]["agent_confidence_score"]


class TestLists:
    def test_a_bare_array_and_an_envelope_give_the_same_list(self) -> None:
        """decode_many accepts `[...]` and `{"data": [...]}` alike."""
        one, two = inv_2024_0042(), inv_2024_0042(id="inv_2024_0043")
        bare = CODEC.decode_many(Invoice, dump([one, two]))
        enveloped = CODEC.decode_many(Invoice, dump({"data": [one, two], "next_page": None}))
        assert bare == enveloped
        assert ["inv_2024_0042", "inv_2024_0043"] == [i.id for i in bare]

    def test_a_page_keeps_its_numbers_and_round_trips(self) -> None:
        """decode_page reads current_page, total_records and next_page; encode_page writes them."""
        envelope = {
            "data": [inv_2024_0042()],
            "current_page": 2,
            "total_records": 301,
            "next_page": 3,
        }
        page = CODEC.decode_page(Invoice, dump(envelope))
        assert (2, 301, 3) == (page.current_page, page.total_records, page.next_page)
        assert page == CODEC.decode_page(Invoice, CODEC.encode_page(page))
        assert isinstance(page, Page)

    def test_absent_page_numbers_take_the_api_defaults(self) -> None:
        """`{"data": []}` is page 0 of 0 records with no next page."""
        assert Page(data=(), current_page=0, total_records=0, next_page=None) == CODEC.decode_page(
            Invoice, b'{"data": []}'
        )

    def test_problems_in_a_list_name_the_item(self) -> None:
        """A bad item is reported as `data[1].amount_due` or `[1].amount_due`."""
        bad = inv_2024_0042(amount_due="lots")
        with pytest.raises(DecodeError) as caught:
            CODEC.decode_many(Invoice, dump({"data": [inv_2024_0042(), bad]}))
        assert ["data[1].amount_due"] == [p.path for p in caught.value.problems]
        with pytest.raises(DecodeError) as caught:
            CODEC.decode_many(Invoice, dump([inv_2024_0042(), bad]))
        assert ["[1].amount_due"] == [p.path for p in caught.value.problems]

    def test_module_list_decoding(self) -> None:
        """decode_invoices reads a list endpoint's response."""
        assert 1 == len(decode_invoices(dump({"data": [inv_2024_0042()]})))


class TestPlainJsonValues:
    def test_to_json_and_from_json_round_trip(self) -> None:
        """to_json gives plain values that from_json reads back to the same invoice."""
        invoice = CODEC.decode(Invoice, SEED)
        assert invoice == CODEC.from_json(Invoice, CODEC.to_json(invoice))

    def test_to_json_writes_amounts_as_integers_and_keeps_decimals_exact(self) -> None:
        """Money becomes its integer of minor units; quantity stays a Decimal."""
        value = CODEC.to_json(CODEC.decode(Invoice, dump(inv_2024_0042())))
        assert 150_000 == value["total_amount"]
        assert Decimal(3) == value["line_items"][0]["quantity"]

    def test_to_json_has_the_shape_of_json_loads(self) -> None:
        """Arrays are lists, as json.loads gives them (and as the docstring says), for a decoded
        document and for a value built in code; the values equal the encoded document's."""
        decoded = CODEC.decode(Invoice, SEED)
        built = attrs.evolve(decoded, line_items=tuple(decoded.line_items))

        def containers(value: object) -> set[type]:
            if isinstance(value, dict):
                return {dict}.union(*(containers(v) for v in value.values()))
            if isinstance(value, (list, tuple)):
                return {type(value)}.union(*(containers(v) for v in value))
            return set()

        for value in (decoded, built):
            plain = CODEC.to_json(value)
            assert tuple not in containers(plain)
            assert json.loads(CODEC.encode(value), parse_float=Decimal) == plain

    def test_from_json_accepts_floats_for_decimals(self) -> None:
        """json.loads gives floats; a quantity of 2.5 reads as Decimal('2.5')."""
        payload = inv_2024_0042()
        payload["line_items"][0]["quantity"] = 2.5
        assert Decimal("2.5") == CODEC.from_json(Invoice, payload).line_items[0].quantity


class TestOtherEntities:
    def test_a_partner_round_trips_with_its_balance(self) -> None:
        """A full v1 partner's balances are Money in its currency."""
        partner = decode_partner(
            dump(
                {
                    "id": "ptn_acme",
                    "name": "Acme Tooling GmbH",
                    "currency": "EUR",
                    "invoice_balance": 1_234_550,
                    "contacts": [
                        {
                            "email": "ap@acme-tooling.de",
                            "object": "contact",
                            "partner_id": "ptn_acme",
                        }
                    ],
                }
            )
        )
        assert Money(1_234_550, "EUR") == partner.invoice_balance
        assert isinstance(partner.contacts[0], Contact)
        assert partner == decode_partner(encode_partner(partner))

    def test_a_payment_round_trips(self) -> None:
        """A payment with its exact currency_rate survives encode and decode."""
        payment = decode_payment(b'{"currency": "USD", "amount": 108000, "currency_rate": 0.9259}')
        assert Decimal("0.9259") == payment.currency_rate
        assert payment == decode_payment(encode_payment(payment))

    def test_a_workflow_with_placeholder_days_loads_tolerantly_and_fails_strictly(self) -> None:
        """The API example's `active_days: [123]` loads; strict decoding reports it."""
        data = b'{"id": "wf_1", "active_days": [123], "timezone": "Europe/Berlin"}'
        workflow = decode_workflow(data)
        assert workflow == decode_workflow(encode_workflow(workflow))
        with pytest.raises(InvariantViolation) as caught:
            decode_workflow(data, strict=True)
        assert ("workflow_active_day",) == caught.value.codes

    def test_a_user_is_decoded_directly(self) -> None:
        """Entities without amounts decode too (any entity class is supported)."""
        user = CODEC.decode(
            User,
            b'{"email": "anna@acme-tooling.de", "family_name": "Becker", "given_name": "Anna",'
            b' "object": "user", "organization_id": "org_1"}',
        )
        assert "Becker" == user.family_name

    def test_a_line_item_and_an_allocated_invoice_decode_alone(self) -> None:
        """Classes that own a currency decode standalone."""
        item = CODEC.decode(
            LineItem,
            b'{"invoice_id": "i", "object": "line_item", "remote_id": "r", "currency": "USD",'
            b' "total_amount": 5}',
        )
        short = CODEC.decode(AllocatedInvoice, b'{"amount_due": 7, "currency": "KWD"}')
        assert (Money(5, "USD"), Money(7, "KWD")) == (item.total_amount, short.amount_due)


def _positive(_instance: Any, attribute: Any, value: Money) -> None:
    if value.minor_units <= 0:
        raise ValueError(f"{attribute.name} must be positive")


@attrs.frozen(kw_only=True, weakref_slot=False)
class Refund:
    """A test-only entity with a validator the codec does not know (it must still run)."""

    currency: str = attrs.field(validator=currency_code)
    amount: Money = attrs.field(validator=[own_currency, _positive])


@attrs.frozen(kw_only=True, weakref_slot=False)
class Counted:
    """A test-only entity with a post-init check and a 64-bit integer."""

    count: int

    def __attrs_post_init__(self) -> None:
        if self.count == 13:
            raise ValueError("unlucky")


class TestAnyEntityClass:
    def test_an_unknown_validator_still_runs(self) -> None:
        """A class whose validators the codec cannot prove is built by calling it."""
        assert Money(500, "EUR") == CODEC.decode(Refund, b'{"currency":"EUR","amount":500}').amount
        assert [("$", "amount must be positive")] == problems_of(
            Refund, b'{"currency":"EUR","amount":-5}'
        )

    def test_post_init_still_runs(self) -> None:
        """__attrs_post_init__ runs on the fast path too."""
        assert 12 == CODEC.decode(Counted, b'{"count": 12}').count
        assert ["$"] == paths_of(Counted, b'{"count": 13}')


class TestFrames:
    def test_classes_whose_rules_the_wire_proves_are_built_through_frames(self) -> None:
        """Entities with only proven validators are written slot by slot from a Struct frame."""
        fast = FastPath(Page)
        fast.decode(Invoice, SEED)
        frames = {Invoice, Partner, Contact, LineItem, Payment, PaymentAllocation, User}
        assert {"frame"} == {fast._mode[cls] for cls in frames}
        fast._analyse(Refund)
        fast._analyse(Counted)
        assert ("twin", "twin") == (fast._mode[Refund], fast._mode[Counted])

    def test_a_framed_entity_is_of_the_entity_class_and_frozen(self) -> None:
        """The builder never escapes: the decoded invoice is an Invoice and refuses writes."""
        invoice = CODEC.decode(Invoice, SEED)
        assert (Invoice, Partner) == (type(invoice), type(invoice.partner))
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            invoice.memo = "paid in cash"  # type: ignore[misc]

    def test_a_frame_fills_every_slot_absent_keys_with_their_defaults(self) -> None:
        """An invoice with only its required keys equals the one built by calling the class."""
        data = (
            b'{"amount_due": 1500, "currency": "EUR", "object": "invoice",'
            b' "remote_id": "INV-2024-0042", "total_amount": 2500}'
        )
        expected = Invoice(
            amount_due=Money(1500, "EUR"),
            currency="EUR",
            object="invoice",
            remote_id="INV-2024-0042",
            total_amount=Money(2500, "EUR"),
        )
        assert expected == CODEC.decode(Invoice, data)
        fields = attrs.filters.exclude(
            *(f for f in attrs.fields(Invoice) if f.name in SOURCE_FIELDS)
        )
        assert attrs.astuple(expected, filter=fields) == attrs.astuple(
            CODEC.decode(Invoice, data), filter=fields
        )


class TestModule:
    def test_the_module_examples_run(self) -> None:
        """The docstring examples of adapters.stuut_json are correct."""
        assert 0 == doctest.testmod(stuut_json).failed

    def test_nothing_is_built_at_import_time(self) -> None:
        """Importing the codec module builds no codec (construction is explicit or lazy)."""
        code = (
            "import adapters.stuut_json.codec as m, sys\n"
            "print(m._codec.cache_info().currsize, 'cattrs' in sys.modules)\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
        assert "0" == out[0]

    def test_module_functions_share_one_default_codec(self) -> None:
        """encode_invoice and decode_invoice round trip the example."""
        invoice = decode_invoice(SEED)
        assert invoice == decode_invoice(encode_invoice(invoice))

    def test_a_fresh_fast_path_shared_by_threads_builds_its_decoders_once(self) -> None:
        """Threads decoding at first use all get the same invoice, equal to the reference's."""
        fast = FastPath(Page)
        with ThreadPoolExecutor(max_workers=8) as pool:
            invoices = list(pool.map(lambda _: fast.decode(Invoice, SEED), range(16)))
        assert all(invoice == invoices[0] for invoice in invoices)
        assert CODEC.decode(Invoice, seed()) == invoices[0]

    def test_codecs_share_one_fast_path(self) -> None:
        """Building many codecs does not multiply the generated wire classes."""
        assert StuutJsonCodec()._fast is StuutJsonCodec()._fast

    def test_decoding_does_not_mutate_a_given_mapping(self) -> None:
        """A mapping passed in is read, never changed."""
        payload = inv_2024_0042()
        before = copy.deepcopy(payload)
        CODEC.decode(Invoice, payload)
        assert before == payload

    def test_a_workflow_is_not_a_partner(self) -> None:
        """Module functions decode their own class."""
        assert isinstance(decode_workflow(b"{}"), Workflow)


class TestTheOneObviousWay:
    def test_encode_and_decode_take_any_domain_value(self) -> None:
        """stuut_json.encode / decode(cls, data) round-trip an invoice, a line item, a contact."""
        invoice = decode_invoice(SEED_PATH.read_bytes())
        contact = invoice.partner.contacts[0] if invoice.partner else None
        assert contact is not None
        for cls, value in (
            (Invoice, invoice),
            (LineItem, invoice.line_items[0]),
            (Contact, contact),
        ):
            assert value == stuut_json.decode(cls, stuut_json.encode(value))

    def test_decode_is_the_per_kind_function_for_aggregates(self) -> None:
        """decode(Invoice, raw, strict=True) refuses what decode_invoice(strict=True) refuses."""
        with pytest.raises(InvariantViolation) as generic:
            stuut_json.decode(Invoice, SEED_PATH.read_bytes(), strict=True)
        with pytest.raises(InvariantViolation) as specific:
            decode_invoice(SEED_PATH.read_bytes(), strict=True)
        assert generic.value.codes == specific.value.codes

    def test_a_bare_amount_has_no_json_of_its_own(self) -> None:
        """encode(Money) is refused (its currency would be lost), pointing at its owner."""
        with pytest.raises(TypeError, match="encode the entity that holds it"):
            stuut_json.encode(Money(150, "EUR"))

    def test_an_allocation_reads_back_inside_its_owner(self) -> None:
        """Alone, an allocation has no currency to read its amount in; inside its invoice it
        round-trips (the documented scope of decode)."""
        invoice = decode_invoice(SEED_PATH.read_bytes())
        allocation = attrs.evolve(invoice.payments[0], invoice=None)
        with pytest.raises(DecodeError, match="needs a currency"):
            stuut_json.decode(PaymentAllocation, stuut_json.encode(allocation))
        owner = attrs.evolve(invoice, payments=(allocation,))
        assert owner.payments == stuut_json.decode(Invoice, stuut_json.encode(owner)).payments
