"""The codec's promises for the cash and owed kinds (issues 14 and 15): lossless both ways,
the fast path equal to the reference, strict refusing exactly unknown keys, only
DecodeError on malformed input, and the named functions' strict rules."""

from __future__ import annotations

import datetime as dt
import enum
import json
import typing
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import adapters.stuut_json as codec_module
from adapters.stuut_json import DecodeError, StuutJsonCodec
from stuut_domain import strategies
from stuut_domain.cash.entities import BankTransaction, Remittance, RemittanceLine
from stuut_domain.errors import InvariantViolation
from stuut_domain.money import Money
from stuut_domain.owed import (
    CreditNote,
    CustomerCredit,
    Dispute,
    Promise,
    apply_credit_note,
)
from stuut_domain.strategies import CreditScenario
from stuut_wire import parsed, payloads, perturbed, to_bytes, typed, typed_json
from test_stuut_json_properties import (
    ODD_LEAVES,
    _delete,
    _has_unknown_keys,
    _instances,
    _paths,
    _replace,
    fast,
    reference_model,
    slow,
)

CODEC = StuutJsonCodec()
STRICT = StuutJsonCodec(forbid_unknown_keys=True)
HEAVY = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
KINDS = (BankTransaction, Remittance, CreditNote, CustomerCredit, Dispute, Promise)


def _applied(scenario: CreditScenario) -> tuple[CreditNote | CustomerCredit, ...]:
    """The scenario's notes applied in order, and the customer credits they created."""
    invoice, done, found = scenario.invoice, [], []
    for index, (note, split) in enumerate(zip(scenario.notes, scenario.splits, strict=True)):
        application = apply_credit_note(
            invoice,
            note,
            disposition=split,
            at=scenario.at,
            earlier=tuple(done),
            credit_id=f"credit_{index}",
        )
        invoice = application.invoice
        done.append(application.note)
        found.append(application.note)
        if application.customer_credit is not None:
            found.append(application.customer_credit)
    return tuple(found)


def _remittances() -> st.SearchStrategy[Remittance]:
    cases = strategies.cash_cases().filter(lambda case: case.remittance is not None)
    return cases.map(lambda case: case.remittance)


def _spent_like(payment: Any) -> CustomerCredit:
    """A credit spent as ``payment`` was allocated (the engine's allocations, ADR 0046)."""
    return CustomerCredit(
        id=f"credit_{payment.id}",
        currency=payment.currency,
        amount=payment.amount,
        created_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        partner_id=payment.partner_id,
        allocations=payment.allocations,
    )


def _customer_credits() -> st.SearchStrategy[CustomerCredit]:
    """Credits applying notes created, and credits spent on invoices (allocations embedded)."""
    found = strategies.credit_scenarios().map(_applied)
    credits = found.map(lambda values: [v for v in values if isinstance(v, CustomerCredit)])
    spent = strategies.payments(min_allocations=1).map(_spent_like)
    return st.one_of(credits.filter(bool).flatmap(st.sampled_from), spent)


#: Model values of each new kind, from the public strategies: transactions (valid ones and
#: those of cash-application cases) and remittances, notes as drawn and as applied, the
#: credits applying them created, disputes over part of an invoice, promises kept, partly
#: kept or broken.
KIND_MODELS: dict[type, st.SearchStrategy[Any]] = {
    BankTransaction: st.one_of(
        strategies.bank_transactions(), strategies.cash_cases().map(lambda c: c.transaction)
    ),
    Remittance: _remittances(),
    CreditNote: st.one_of(
        strategies.credit_scenarios().flatmap(lambda s: st.sampled_from(s.notes)),
        strategies.credit_scenarios()
        .map(_applied)
        .map(lambda found: [v for v in found if isinstance(v, CreditNote)])
        .flatmap(st.sampled_from),
        strategies.credit_scenarios(foreign=True)
        .map(_applied)
        .map(lambda found: [v for v in found if isinstance(v, CreditNote)])
        .flatmap(st.sampled_from),
    ),
    CustomerCredit: _customer_credits(),
    Dispute: strategies.dispute_scenarios().map(lambda s: s.dispute),
    Promise: strategies.promise_scenarios().map(lambda s: s.promise),
}


@st.composite
def models(draw: st.DrawFn) -> Any:
    """A model value of one of the new kinds, each kind as likely as the others."""
    return draw(KIND_MODELS[draw(st.sampled_from(KINDS))])


MODELS = models()


def _remittance_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """A schema-drawn remittance whose lines' embedded invoices share its currency."""
    lines = [
        {**line, "invoice": {**line["invoice"], "currency": payload["currency"]}}
        if line.get("invoice") is not None
        else line
        for line in payload["allocations"]
    ]
    return {**payload, "allocations": lines}


#: Schema-drawn payloads, every key present: the cash kinds build from any typed values.
CASH_PAYLOADS: dict[type, st.SearchStrategy[dict[str, Any]]] = {
    BankTransaction: payloads(BankTransaction),
    Remittance: payloads(Remittance).map(_remittance_payload),
}


@st.composite
def documents(draw: st.DrawFn, cls: type) -> dict[str, Any]:
    """Documents of ``cls`` as a changing API sends them: a model's document with keys
    dropped, unknown keys and other number forms, or (cash kinds) a schema-drawn payload.

    (A composite: Hypothesis may show a strategy's repr, some 30 kB for the parts.)
    """
    if cls in CASH_PAYLOADS and draw(st.booleans()):
        return draw(CASH_PAYLOADS[cls])
    model = draw(KIND_MODELS[cls])
    return draw(perturbed(cls, CODEC.to_json(model)))


PER_KIND = pytest.mark.parametrize("cls", KINDS, ids=[c.__name__ for c in KINDS])


@pytest.mark.slow
class TestModelValuesRoundTrip:
    @HEAVY
    @given(MODELS)
    def test_decode_of_encode_is_the_value(self, model: Any) -> None:
        """decode(encode(m)) == m through bytes, plain JSON values and the module functions."""
        cls = type(model)
        event(cls.__name__)
        data = CODEC.encode(model)
        assert model == CODEC.decode(cls, data)
        assert model == CODEC.from_json(cls, CODEC.to_json(model))
        assert model == codec_module.decode(cls, codec_module.encode(model))
        assert typed_json(data) == typed_json(CODEC.encode(CODEC.decode(cls, data)))

    @HEAVY
    @given(st.lists(strategies.dispute_scenarios().map(lambda s: s.dispute), max_size=3))
    def test_lists_and_envelopes_decode_to_the_values(self, models: list[Dispute]) -> None:
        """A bare array and a v1 envelope of encoded values give the values back."""
        items = [json.loads(CODEC.encode(m)) for m in models]
        assert models == codec_module.decode_disputes(json.dumps(items))
        envelope = {"data": items, "current_page": 0, "total_records": len(items)}
        assert models == codec_module.decode_disputes(json.dumps(envelope).encode())


@pytest.mark.slow
class TestLosslessDocuments:
    @PER_KIND
    @HEAVY
    @given(draws=st.data())
    def test_the_fast_path_writes_the_document_back(self, cls: type, draws: st.DataObject) -> None:
        """Absent keys stay absent, nulls stay null, unknown keys and number forms come back."""
        payload = draws.draw(documents(cls))
        data = to_bytes(payload)
        assert typed_json(data) == typed_json(CODEC.encode(CODEC.decode(cls, data)))

    @PER_KIND
    @HEAVY
    @given(draws=st.data())
    def test_the_reference_path_agrees_with_the_fast_path(
        self, cls: type, draws: st.DataObject
    ) -> None:
        """Both paths build equal models that write the same document."""
        payload = draws.draw(documents(cls))
        data = to_bytes(payload)
        slow_model = reference_model(cls, data)
        kind, fast_model = fast(cls, data)
        assert ("ok", slow_model) == (kind, fast_model)
        assert typed_json(data) == typed_json(CODEC.encode(slow_model))
        for instance in _instances(fast_model):
            attrs.validate(instance)

    @PER_KIND
    @HEAVY
    @given(draws=st.data())
    def test_parsed_mappings_write_the_document_back(self, cls: type, draws: st.DataObject) -> None:
        """A document given as parsed values is written back as those values write."""
        payload = draws.draw(documents(cls))
        mapping = parsed(to_bytes(payload))
        assert typed_json(to_bytes(mapping)) == typed_json(CODEC.encode(CODEC.decode(cls, mapping)))

    @PER_KIND
    @HEAVY
    @given(draws=st.data())
    def test_a_document_decodes_to_a_model_equal_to_its_bare_copy(
        self, cls: type, draws: st.DataObject
    ) -> None:
        """decode(encode(m)) == m, and m equals (and reads as) the value without a document."""
        payload = draws.draw(documents(cls))
        model = CODEC.decode(cls, to_bytes(payload))
        assert model == CODEC.decode(cls, CODEC.encode(model))
        bare = attrs.evolve(model, _source=None)
        assert model == bare
        assert repr(model) == repr(bare)
        assert typed_json(to_bytes(payload)) == typed_json(CODEC.encode(attrs.evolve(model)))

    @PER_KIND
    @HEAVY
    @given(draws=st.data())
    def test_strict_refuses_exactly_the_documents_with_unknown_keys(
        self, cls: type, draws: st.DataObject
    ) -> None:
        """forbid_unknown_keys refuses an unknown key at any depth, and nothing else."""
        payload = draws.draw(documents(cls))
        messages: list[str] = []
        try:
            STRICT.decode(cls, to_bytes(payload))
        except DecodeError as error:
            messages = [problem.message for problem in error.problems]
        assert _has_unknown_keys(cls, payload) == bool(messages)
        assert all("unknown key" in message for message in messages)


@st.composite
def broken_documents(draw: st.DrawFn, cls: type) -> bytes:
    """A valid document with one thing changed: a value replaced, a key dropped, bytes cut."""
    payload = draw(documents(cls))
    kind = draw(st.sampled_from(["replace", "delete", "truncate", "garble"]))
    paths = _paths(payload)
    if kind == "replace":
        payload = _replace(payload, draw(st.sampled_from(paths)), draw(ODD_LEAVES))
    elif kind == "delete" and len(paths) > 1:
        payload = _delete(payload, draw(st.sampled_from(paths[1:])))
    data = to_bytes(payload)
    if kind == "truncate":
        data = data[: draw(st.integers(min_value=0, max_value=len(data) - 1))]
    elif kind == "garble":
        index = draw(st.integers(min_value=0, max_value=len(data) - 1))
        data = data[:index] + draw(st.binary(min_size=1, max_size=3)) + data[index + 1 :]
    return data


@pytest.mark.slow
class TestMalformedInput:
    @PER_KIND
    @HEAVY
    @given(draws=st.data())
    def test_both_paths_accept_or_refuse_the_same_input(
        self, cls: type, draws: st.DataObject
    ) -> None:
        """The fast path accepts exactly what the reference accepts, with equal models."""
        data = draws.draw(broken_documents(cls))
        fast_kind, fast_value = fast(cls, data)
        slow_kind, slow_value = slow(cls, data)
        assert slow_kind == fast_kind, (fast_value, slow_value)
        if fast_kind == "ok":
            assert slow_value == fast_value

    @PER_KIND
    @HEAVY
    @given(draws=st.data())
    def test_the_codec_raises_only_decode_errors(self, cls: type, draws: st.DataObject) -> None:
        """Whatever the input, decoding gives a model or a DecodeError listing problems
        (an owed entity's construction refusal, OwedRefused, included)."""
        data = draws.draw(broken_documents(cls))
        problems: tuple[object, ...] = ("decoded",)
        try:
            CODEC.decode(cls, data)
        except DecodeError as error:
            problems = error.problems
        assert problems


# -- realistic documents, byte for byte ------------------------------------------------

#: A v1 bank transaction in the docs' key order (stuut-api.md §6), with the v2 detail
#: fields after it, as the entity holds them; unknown ``x-bank-code`` kept.
BANK_TRANSACTION = (
    b'{"account_id":"acct_01","amount":125000,"object":"bank_transaction","posted":true,'
    b'"reference_number":"RF18539007547034","timestamp":"2024-07-02T09:15:00Z",'
    b'"type":"deposit","id":"btx_0042","account_mask":"****1234",'
    b'"authorized_at":"2024-07-01T17:40:12.250000+02:00","check_number":null,'
    b'"counterparty_name":"ACME GMBH","created_at":"2024-07-02T09:16:00Z","currency":"EUR",'
    b'"currency_rate":1.0825,"custom_fields":{"batch":7},'
    b'"description":"INV-2024-0042 INV-2024-0043",'
    b'"invoice_numbers":["INV-2024-0042","INV-2024-0043"],"is_draft":false,'
    b'"agent_extractions":{"counterparty_name":"Acme GmbH","counterparty_raw":"ACME GMBH",'
    b'"invoice_numbers":["INV-2024-0042"]},'
    b'"agent_metrics":{"confidence_reason":"reference and amount match","confidence_score":0.92,'
    b'"uncertainties":[]},"is_payment":true,"total_allocated":100000,'
    b'"amount_handled_outside":5000,"handled_outside_reason":"bank fee",'
    b'"counterparty_info":{"display":"Acme GmbH","id":"cp_9","partner_count":1},'
    b'"has_on_account":true,"payout":null,"x-bank-code":"DEUTDEFF"}'
)

#: A remittance in the docs' key order with two lines (stuut-api.md §6).
REMITTANCE = (
    b'{"object":"remittance","id":"rem_7","agent_confidence_reason":"two invoices named",'
    b'"agent_confidence_score":87,"agent_error_code":null,"agent_uncertainties":["line 2 total"],'
    b'"allocations":[{"invoice_number":"inv 2024/0042","object":"remittance_allocation",'
    b'"remittance_id":"rem_7","amount_discount":1500,"amount_paid":73500,"amount_withheld":0,'
    b'"created_at":"2024-07-02T09:20:00Z","invoice":{"amount_due":75000,"currency":"EUR",'
    b'"id":"inv_42","amount_paid":0,"due_date":"2024-07-15T00:00:00Z"},"invoice_id":"inv_42",'
    b'"modified_at":"2024-07-02T09:20:00Z"},{"invoice_number":"0043","object":"remittance_allocation",'
    b'"remittance_id":"rem_7","amount_paid":51500,"invoice_id":null}],'
    b'"created_at":"2024-07-02T09:19:00Z","currency":"EUR","partner":"par_acme",'
    b'"transaction_amount":125000,"transaction_date":"2024-07-02","transaction_number":"RF18"}'
)

CREDIT_NOTE = (
    b'{"id":"cn_1","invoice_id":"inv_42","currency":"EUR","lines":[{"currency":"EUR",'
    b'"amount":10000,"tax_rate":0.19,"line_item_remote_id":"li_1"},{"currency":"EUR",'
    b'"quantity":2.50,"unit_amount":1999,"description":"returned"}],'
    b'"effective_at":"2024-07-03T00:00:00Z","status":"issued","reason":"order_change",'
    b'"pre_payment_amount":16898,"post_payment_amount":0,"x-erp":{"doc":"GS-17"}}'
)

CUSTOMER_CREDIT = (
    b'{"id":"credit_cn_2","currency":"USD","amount":2500,"created_at":"2024-07-04T12:00:00-05:00",'
    b'"source":"credit_note","source_id":"cn_2","partner_id":"par_9","allocations":[]}'
)

DISPUTE = (
    b'{"id":"dsp_1","partner_id":"par_acme","lines":[{"invoice_id":"inv_42","amount":20000,'
    b'"reason":"incorrect_quantity","line_item_remote_id":"li_1","currency":"EUR"}],'
    b'"opened_at":"2024-07-05T08:00:00Z","status":"open","source":"email"}'
)

PROMISE = (
    b'{"id":"prm_1","partner_id":"par_acme","invoices":[{"invoice_id":"inv_42","amount":50000,'
    b'"currency":"EUR"}],"promised_date":"2024-07-20","made_at":"2024-07-06T10:30:00Z",'
    b'"method":"ach","acknowledged_at":"2024-07-06T11:00:00Z","acknowledged_by":"usr_3",'
    b'"source":"call"}'
)

EXAMPLES = [
    (BankTransaction, BANK_TRANSACTION),
    (Remittance, REMITTANCE),
    (CreditNote, CREDIT_NOTE),
    (CustomerCredit, CUSTOMER_CREDIT),
    (Dispute, DISPUTE),
    (Promise, PROMISE),
]


@pytest.mark.parametrize(("cls", "data"), EXAMPLES, ids=[c.__name__ for c, _ in EXAMPLES])
def test_a_realistic_document_comes_back_byte_for_byte(cls: type, data: bytes) -> None:
    """Key order, absent keys, nulls, unknown keys and number texts: the same bytes."""
    model = CODEC.decode(cls, data)
    assert data == CODEC.encode(model)
    assert data == CODEC.encode(reference_model(cls, data))
    assert model == CODEC.decode(cls, CODEC.encode(attrs.evolve(model, _source=None)))


def test_the_realistic_documents_read_as_the_business_means_them() -> None:
    """Amounts take their owner's currency; dispute and promise lines carry their own."""
    tx = codec_module.decode_bank_transaction(BANK_TRANSACTION)
    assert tx.on_account == Money(20000, "EUR")
    remittance = codec_module.decode_remittance(REMITTANCE)
    assert remittance.allocations[1].amount_paid == Money(51500, "EUR")
    dispute = codec_module.decode_dispute(DISPUTE)
    assert dispute.lines[0].amount == Money(20000, "EUR")
    promise = codec_module.decode_promise(PROMISE)
    assert promise.amount == Money(50000, "EUR")
    note = codec_module.decode_credit_note(CREDIT_NOTE)
    assert len(note.lines) == 2


# -- the named functions: strict rules ------------------------------------------------


def _with(data: bytes, **changes: Any) -> bytes:
    return json.dumps({**json.loads(data), **changes}).encode()


class TestStrictDecoding:
    def test_a_transaction_that_does_not_conserve_money_is_refused(self) -> None:
        clean = {k: v for k, v in json.loads(BANK_TRANSACTION).items() if not k.startswith("x-")}
        data = _with(json.dumps(clean).encode(), total_allocated=130000)
        assert codec_module.decode_bank_transaction(data).total_allocated == Money(130000, "EUR")
        with pytest.raises(InvariantViolation) as caught:
            codec_module.decode_bank_transaction(data, strict=True)
        assert "transaction_overallocated" in caught.value.codes
        with pytest.raises(InvariantViolation):
            codec_module.decode(BankTransaction, data, strict=True)

    def test_a_remittance_whose_lines_do_not_sum_is_refused(self) -> None:
        data = _with(REMITTANCE, transaction_amount=125001)
        codec_module.decode_remittance(data)
        with pytest.raises(InvariantViolation) as caught:
            codec_module.decode(Remittance, data, strict=True)
        assert caught.value.codes == ("remittance_lines_sum",)

    @pytest.mark.parametrize(("cls", "data"), EXAMPLES, ids=[c.__name__ for c, _ in EXAMPLES])
    def test_strict_refuses_an_unknown_key_of_every_kind(self, cls: type, data: bytes) -> None:
        with pytest.raises(DecodeError, match="unknown key"):
            codec_module.decode(cls, _with(data, **{"x-new": 1}), strict=True)

    def test_the_clean_examples_pass_strict_decoding(self) -> None:
        for cls, data in EXAMPLES:
            clean = json.loads(data)
            clean.pop("x-bank-code", None)
            clean.pop("x-erp", None)
            if cls is BankTransaction:
                clean["has_on_account"] = True
            assert codec_module.decode(cls, json.dumps(clean), strict=True) == CODEC.decode(
                cls, json.dumps(clean)
            )

    def test_a_dispute_above_what_its_invoice_owes_is_refused_given_the_invoice(self) -> None:
        invoice = _invoice(amount_due=15000, line_items=True)
        assert codec_module.decode_dispute(DISPUTE, strict=True).id == "dsp_1"
        with pytest.raises(InvariantViolation) as caught:
            codec_module.decode_dispute(DISPUTE, strict=True, invoices=[invoice])
        assert caught.value.codes == ("dispute_exceeds_invoice",)
        assert caught.value.violations[0].path == "lines[0].amount"
        fine = codec_module.decode_dispute(
            DISPUTE, strict=True, invoices=[_invoice(amount_due=20000, line_items=True)]
        )
        assert fine == CODEC.decode(Dispute, DISPUTE)

    def test_a_promise_over_another_partners_invoice_is_refused_given_the_invoice(self) -> None:
        other = attrs.evolve(_invoice(amount_due=60000), partner_id="par_other")
        with pytest.raises(InvariantViolation) as caught:
            codec_module.decode_promise(PROMISE, strict=True, invoices=[other])
        assert caught.value.codes == ("promise_partner_mismatch",)
        assert codec_module.decode_promise(
            PROMISE, strict=True, invoices=[_invoice(amount_due=60000)]
        ) == CODEC.decode(Promise, PROMISE)

    @pytest.mark.parametrize(
        ("cls", "data", "change"),
        [
            (Dispute, DISPUTE, {"lines": [{"invoice_id": "i", "amount": 5, "reason": "other"}]}),
            (Promise, PROMISE, {"invoices": []}),
            (CreditNote, CREDIT_NOTE, {"lines": []}),
            (CustomerCredit, CUSTOMER_CREDIT, {"amount": 0}),
            (Promise, PROMISE, {"promised_date": "0001-01-02"}),
            (Dispute, DISPUTE, {"status": "pending"}),
        ],
    )
    def test_a_document_the_entity_refuses_is_a_decode_error_naming_the_rule(
        self, cls: type, data: bytes, change: dict[str, Any]
    ) -> None:
        """Construction rules hold in tolerant decoding too: DecodeError, never OwedRefused."""
        for strict in (False, True):
            with pytest.raises(DecodeError) as caught:
                codec_module.decode(cls, _with(data, **change), strict=strict)
            assert caught.value.problems

    def test_lists_and_envelopes_of_every_kind(self) -> None:
        functions = {
            BankTransaction: codec_module.decode_bank_transactions,
            Remittance: codec_module.decode_remittances,
            CreditNote: codec_module.decode_credit_notes,
            CustomerCredit: codec_module.decode_customer_credits,
            Dispute: codec_module.decode_disputes,
            Promise: codec_module.decode_promises,
        }
        for cls, data in EXAMPLES:
            one = CODEC.decode(cls, data)
            assert functions[cls](b"[" + data + b"," + data + b"]") == [one, one]
            assert functions[cls](b'{"data":[' + data + b'],"next_page":null}') == [one]

    def test_the_encode_functions_write_what_encode_writes(self) -> None:
        encoders = {
            BankTransaction: codec_module.encode_bank_transaction,
            Remittance: codec_module.encode_remittance,
            CreditNote: codec_module.encode_credit_note,
            CustomerCredit: codec_module.encode_customer_credit,
            Dispute: codec_module.encode_dispute,
            Promise: codec_module.encode_promise,
        }
        for cls, data in EXAMPLES:
            assert encoders[cls](CODEC.decode(cls, data)) == data


def _invoice(*, amount_due: int, line_items: bool = False) -> Any:
    from stuut_domain.invoice import Invoice, LineItem

    items = (
        (
            LineItem(
                invoice_id="inv_42",
                object="line_item",
                remote_id="li_1",
                currency="EUR",
                total_amount=Money(50000, "EUR"),
            ),
        )
        if line_items
        else ()
    )
    return Invoice(
        id="inv_42",
        object="invoice",
        remote_id="INV-2024-0042",
        currency="EUR",
        total_amount=Money(75000, "EUR"),
        amount_due=Money(amount_due, "EUR"),
        partner_id="par_acme",
        status="open",
        issued_at=dt.datetime(2024, 6, 1, tzinfo=dt.UTC),
        line_items=items,
    )


def test_dispute_and_promise_lines_refuse_an_amount_in_another_currency() -> None:
    """The line's currency is the wire's word for its amounts (ADR 0055)."""
    usd = CODEC.decode(Dispute, DISPUTE.replace(b'"currency":"EUR"', b'"currency":"USD"'))
    assert usd.lines[0].amount == Money(20000, "USD")
    line = CODEC.decode(Dispute, DISPUTE).lines[0]
    assert attrs.evolve(line, currency="EUR") == line
    from stuut_domain.errors import OwedRefused

    with pytest.raises(OwedRefused, match="dispute_amount"):
        attrs.evolve(line, currency="USD")
    item = CODEC.decode(Promise, PROMISE).invoices[0]
    with pytest.raises(OwedRefused, match="promise_amount"):
        attrs.evolve(item, currency="USD")


def test_a_remittance_line_decodes_on_its_own_given_its_invoice() -> None:
    """RemittanceLine decodes on its own when its short invoice gives the currency."""
    line_doc = json.loads(REMITTANCE)["allocations"][0]
    line = CODEC.decode(RemittanceLine, json.dumps(line_doc))
    assert line.amount_paid == Money(73500, "EUR")
    assert typed(json.loads(CODEC.encode(line))) == typed(line_doc)


# -- hostile input (issue 12) for the new kinds -------------------------------------------

HUGE = ["1e9999999999999999999999", "1e-999999999999999999999", "1e10000000", "9" * 5000]

#: Per kind, the paths of numbers in its realistic document: amounts, rates, quantities.
NUMBER_PATHS: list[tuple[type, bytes, tuple[str | int, ...]]] = [
    (BankTransaction, BANK_TRANSACTION, ("amount",)),
    (BankTransaction, BANK_TRANSACTION, ("currency_rate",)),
    (BankTransaction, BANK_TRANSACTION, ("agent_metrics", "confidence_score")),
    (Remittance, REMITTANCE, ("allocations", 0, "amount_paid")),
    (Remittance, REMITTANCE, ("allocations", 0, "invoice", "amount_due")),
    (CreditNote, CREDIT_NOTE, ("lines", 0, "tax_rate")),
    (CreditNote, CREDIT_NOTE, ("lines", 1, "quantity")),
    (CreditNote, CREDIT_NOTE, ("pre_payment_amount",)),
    (CustomerCredit, CUSTOMER_CREDIT, ("amount",)),
    (Dispute, DISPUTE, ("lines", 0, "amount")),
    (Promise, PROMISE, ("invoices", 0, "amount")),
]


def _with_number(data: bytes, path: tuple[str | int, ...], text: str) -> bytes:
    """``data`` with the number at ``path`` replaced by the JSON number ``text``."""
    marker = "__NUMBER__"
    document = json.loads(data)
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = marker
    return json.dumps(document).replace(f'"{marker}"', text).encode()


_BOTH_PATHS = (CODEC, STRICT)  # STRICT decodes by the reference path alone


@pytest.mark.parametrize(
    ("cls", "data", "path"),
    NUMBER_PATHS,
    ids=[f"{c.__name__}.{'.'.join(map(str, p))}" for c, _, p in NUMBER_PATHS],
)
@pytest.mark.parametrize("text", HUGE, ids=["huge", "tiny", "no-figure", "5000-digits"])
def test_a_number_no_field_can_hold_is_a_decode_error_at_its_path(
    cls: type, data: bytes, path: tuple[str | int, ...], text: str
) -> None:
    """Beyond a decimal, beyond int64, no real figure: DecodeError naming the path, on both
    paths, never another exception (an owed entity's refusal included)."""
    document = _with_number(_without_unknown_keys(data), path, text)
    expected = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[")
    for codec in _BOTH_PATHS:
        with pytest.raises(DecodeError) as caught:
            codec.decode(cls, document)
        paths = [problem.path for problem in caught.value.problems]
        assert any(p.endswith(expected) or p == "$" for p in paths), (codec, paths)


def _without_unknown_keys(data: bytes) -> bytes:
    return json.dumps(
        {k: v for k, v in json.loads(data).items() if not k.startswith("x-")}
    ).encode()


@pytest.mark.parametrize(("cls", "data"), EXAMPLES, ids=[c.__name__ for c, _ in EXAMPLES])
@pytest.mark.parametrize("levels", [70, 990, 100_000])
def test_a_document_nested_beyond_the_limit_is_a_decode_error(
    cls: type, data: bytes, levels: int
) -> None:
    """An unknown key nesting far too deep is refused by both paths, never a RecursionError."""
    deep = ("[" * levels + "]" * levels).encode()
    document = data[:-1] + b',"x-deep":' + deep + b"}"
    for codec in (CODEC, StuutJsonCodec(forbid_unknown_keys=True)):
        with pytest.raises(DecodeError, match=r"nested|unknown key"):
            codec.decode(cls, document)


def _fx_note(**changes: Any) -> CreditNote:
    """A USD note on a EUR invoice, applied: its parts in EUR (ADR 0072)."""
    from decimal import Decimal

    from stuut_domain.owed import CreditNoteLine

    fields: dict[str, Any] = {
        "id": "cn_fx",
        "invoice_id": "inv_42",
        "currency": "USD",
        "lines": (CreditNoteLine(currency="USD", amount=Money(10000, "USD")),),
        "effective_at": dt.datetime(2024, 7, 3, tzinfo=dt.UTC),
        "exchange_rate": Decimal("0.92"),
        "invoice_currency": "EUR",
        "pre_payment_amount": Money(9200, "EUR"),
        "post_payment_amount": Money(0, "EUR"),
        **changes,
    }
    return CreditNote(**fields)


def _fx_applied() -> st.SearchStrategy[CreditNote]:
    """Applied notes of foreign-currency scenarios that are in another currency."""
    notes = (
        strategies.credit_scenarios(foreign=True)
        .map(_applied)
        .map(lambda found: [v for v in found if isinstance(v, CreditNote)])
    )
    return (
        notes.map(lambda found: [n for n in found if n.invoice_currency])
        .filter(bool)
        .flatmap(st.sampled_from)
    )


class TestNotesInAnotherCurrency:
    """ADR 0072: an applied note's parts are in its ``invoice_currency``, on the wire too."""

    def test_an_applied_note_in_another_currency_round_trips(self) -> None:
        """The parts of an applied FX note come back in the invoice's currency, on both paths."""
        note = _fx_note()
        data = CODEC.encode(note)
        assert json.loads(data)["invoice_currency"] == "EUR"
        assert note == CODEC.decode(CreditNote, data)
        assert ("ok", note) == fast(CreditNote, data)
        assert note == reference_model(CreditNote, data)
        assert CODEC.decode(CreditNote, data).pre_payment_amount == Money(9200, "EUR")

    def test_a_note_without_invoice_currency_has_its_parts_in_its_own(self) -> None:
        """Absent or null, ``invoice_currency`` leaves the parts in the note's currency."""
        document = json.loads(CODEC.encode(_fx_note()))
        for changed in ({"invoice_currency": None}, {}):
            payload = {k: v for k, v in document.items() if k != "invoice_currency"} | changed
            data = json.dumps(payload).encode()
            for model in (CODEC.decode(CreditNote, data), reference_model(CreditNote, data)):
                assert model.invoice_currency is None
                assert model.pre_payment_amount == Money(9200, "USD")
            assert typed_json(data) == typed_json(CODEC.encode(CODEC.decode(CreditNote, data)))

    def test_another_invoice_currency_without_a_rate_is_refused_on_both_paths(self) -> None:
        """An invoice_currency beside no exchange_rate: note_rate_missing, a DecodeError."""
        document = json.loads(CODEC.encode(_fx_note()))
        data = json.dumps({**document, "exchange_rate": None}).encode()
        for codec in _BOTH_PATHS:
            with pytest.raises(DecodeError, match=r"\[note_rate_missing\] exchange_rate"):
                codec.decode(CreditNote, data)

    def test_an_unknown_invoice_currency_is_refused_at_its_path(self) -> None:
        """``invoice_currency`` must be a known code: refused where it stands, both paths."""
        document = json.loads(CODEC.encode(_fx_note()))
        data = json.dumps({**document, "invoice_currency": "QQQ"}).encode()
        for codec in _BOTH_PATHS:
            with pytest.raises(DecodeError) as caught:
                codec.decode(CreditNote, data)
            assert [p.path for p in caught.value.problems] == ["invoice_currency"]

    @pytest.mark.slow
    @HEAVY
    @given(_fx_applied())
    def test_applied_notes_in_another_currency_round_trip(self, note: CreditNote) -> None:
        """decode(encode(m)) == m for applied FX notes; both paths agree, parts in the
        invoice's currency, and the document comes back as written."""
        assert note.invoice_currency is not None
        assert note.invoice_currency != note.currency
        assert note.pre_payment_amount is not None
        assert note.pre_payment_amount.code == note.invoice_currency
        data = CODEC.encode(note)
        assert note == CODEC.decode(CreditNote, data)
        assert ("ok", note) == fast(CreditNote, data)
        assert note == reference_model(CreditNote, data)
        assert note == codec_module.decode(CreditNote, codec_module.encode(note))
        assert typed_json(data) == typed_json(CODEC.encode(CODEC.decode(CreditNote, data)))


def _enum_fields(cls: type) -> list[tuple[str, type[enum.Enum]]]:
    hints = typing.get_type_hints(cls)
    found = []
    for field in attrs.fields(cls):
        options = typing.get_args(hints[field.name]) or (hints[field.name],)
        for option in options:
            if isinstance(option, type) and issubclass(option, enum.Enum):
                found.append((field.name, option))
    return found


ENUM_CASES = [(cls, data, name, kind) for cls, data in EXAMPLES for name, kind in _enum_fields(cls)]


class TestEnumerations:
    """A field typed as an enumeration takes one of its values and nothing else, on both
    paths (regression: the reference path once let any string into a ``StrEnum`` field, so
    ``CustomerCredit.source == "2024-07-01T00:00:00"`` decoded while the fast path refused)."""

    def test_every_example_has_enumerations_to_try(self) -> None:
        assert {cls for cls, *_ in ENUM_CASES} >= {CreditNote, CustomerCredit, Dispute}

    @pytest.mark.parametrize(
        ("cls", "data", "name", "kind"),
        ENUM_CASES,
        ids=[f"{c.__name__}.{n}" for c, _, n, _ in ENUM_CASES],
    )
    @pytest.mark.parametrize("foreign", ["2024-07-01T00:00:00", "invoice", "", 1])
    def test_a_value_outside_the_enumeration_is_refused_at_its_path(
        self, cls: type, data: bytes, name: str, kind: type[enum.Enum], foreign: object
    ) -> None:
        document = _with(data, **{name: foreign})
        assert fast(cls, document)[0] == "error"
        assert slow(cls, document)[0] == "error"
        with pytest.raises(DecodeError) as caught:
            CODEC.decode(cls, document)
        (problem,) = caught.value.problems
        # a construction rule names its field and code; a wire-type refusal names the path
        assert (problem.field or problem.path) == name
        assert problem.value == foreign or dict(problem.values).get("value") == foreign

    @pytest.mark.parametrize(
        ("cls", "data", "name", "kind"),
        ENUM_CASES,
        ids=[f"{c.__name__}.{n}" for c, _, n, _ in ENUM_CASES],
    )
    def test_each_value_of_the_enumeration_decodes_as_its_member(
        self, cls: type, data: bytes, name: str, kind: type[enum.Enum]
    ) -> None:
        for member in kind:
            document = _with(data, **{name: member.value})
            outcomes = fast(cls, document), slow(cls, document)
            assert outcomes[0][0] == outcomes[1][0]
            if outcomes[0][0] == "ok":  # a member another rule refuses here is still refused alike
                assert getattr(outcomes[1][1], name) is member
