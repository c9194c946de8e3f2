"""Properties of the Stuut JSON codec: lossless both ways; the fast path equals the reference."""

from __future__ import annotations

from typing import Any

import attrs
import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.stuut_json import DecodeError, StuutJsonCodec, reference
from adapters.stuut_json.fast import IntegerNegativeZero, TooDeep
from adapters.stuut_json.schema import wire_fields
from stuut_domain import strategies
from stuut_domain.call import Call
from stuut_domain.email import Email
from stuut_domain.invoice import Invoice, LineItem
from stuut_domain.money import Money
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment, PaymentAllocation
from stuut_domain.workflow import Workflow
from stuut_wire import (
    JSON_VALUES,
    lossless_payloads,
    parsed,
    payloads,
    to_bytes,
    typed,
    typed_json,
)

CODEC = StuutJsonCodec()
STRICT = StuutJsonCodec(forbid_unknown_keys=True)
ROOTS = (Invoice, Partner, Payment, Workflow, Call, Email)
HEAVY = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def allocation_payloads() -> st.SearchStrategy[dict[str, Any]]:
    """Standalone allocations always embed their invoice (it gives their amount a currency)."""
    return payloads(PaymentAllocation).filter(lambda p: p["invoice"] is not None)


ROOT_PAYLOADS = st.one_of(
    *[payloads(cls).map(lambda p, cls=cls: (cls, p)) for cls in ROOTS],
    allocation_payloads().map(lambda p: (PaymentAllocation, p)),
)


def _instances(value: Any) -> list[Any]:
    """Every attrs instance inside ``value`` (itself included)."""
    found: list[Any] = []
    if attrs.has(type(value)):
        found.append(value)
        for field in attrs.fields(type(value)):
            found.extend(_instances(getattr(value, field.name)))
    elif isinstance(value, tuple):
        for item in value:
            found.extend(_instances(item))
    return found


#: What the fast path hands to the reference path on purpose (ADR 0038): an integer ``-0`` in
#: a float or Decimal field, a document that may nest deeper than the limit.
HANDED_OVER = (IntegerNegativeZero, TooDeep)


def fast(cls: type, data: bytes) -> tuple[str, Any]:
    """The fast path's outcome alone: ("ok", value) or ("error", exception type).

    Where the fast path hands the document over on purpose, the codec's answer counts.
    """
    assert CODEC._fast is not None
    try:
        return ("ok", CODEC._fast.decode(cls, data))
    except HANDED_OVER:
        try:
            return ("ok", CODEC.decode(cls, data))
        except DecodeError:
            return ("error", "DecodeError")
    except Exception as exc:  # noqa: BLE001 - any failure is a refusal
        return ("error", type(exc).__name__)


def slow(cls: type, data: bytes) -> tuple[str, Any]:
    """The reference path's outcome alone."""
    try:
        return ("ok", reference.structure(CODEC._converter, reference.parse(data), cls))
    except reference.ReferenceProblems as exc:
        return ("error", exc.problems)


@pytest.mark.slow
class TestLossless:
    @HEAVY
    @given(ROOT_PAYLOADS)
    def test_a_payload_with_every_key_encodes_back_to_itself(self, case: tuple[type, Any]) -> None:
        """encode(decode(x)) == x as JSON values (exact numbers) for every entity class."""
        cls, payload = case
        data = to_bytes(payload)
        assert parsed(data) == parsed(CODEC.encode(CODEC.decode(cls, data)))

    @HEAVY
    @given(ROOT_PAYLOADS)
    def test_a_model_value_decodes_back_to_itself(self, case: tuple[type, Any]) -> None:
        """decode(encode(m)) == m, through bytes and through plain JSON values alike."""
        cls, payload = case
        model = CODEC.decode(cls, to_bytes(payload))
        assert model == CODEC.decode(cls, CODEC.encode(model))
        assert model == CODEC.from_json(cls, CODEC.to_json(model))


MODEL_VALUES = st.one_of(
    strategies.invoices(), strategies.partners(), strategies.payments(), strategies.workflows()
)


@pytest.mark.slow
class TestModelValuesFromTheStrategies:
    @HEAVY
    @given(MODEL_VALUES)
    def test_every_generated_model_value_round_trips(self, model: Any) -> None:
        """decode(encode(m)) == m for model values built by stuut_domain.strategies."""
        cls = type(model)
        assert model == CODEC.decode(cls, CODEC.encode(model))
        assert model == CODEC.from_json(cls, CODEC.to_json(model))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_paths(item, (*prefix, index)))
    return found


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    copy = list(value)
    copy[head] = _replace(value[head], rest, new)
    return copy


def _delete(value: Any, path: tuple[Any, ...]) -> Any:
    if len(path) == 1 and isinstance(value, dict):
        return {k: v for k, v in value.items() if k != path[0]}
    if len(path) == 1:
        return [v for i, v in enumerate(value) if i != path[0]]
    head = path[0]
    return _replace(value, (head,), _delete(value[head], path[1:]))


ODD_LEAVES = st.one_of(
    JSON_VALUES,
    st.integers(min_value=2**63 - 2, max_value=2**64 + 2),
    st.integers(max_value=-(2**63) + 2, min_value=-(2**63) - 2),
    st.sampled_from(
        [
            "2024-07-01T00:00:00",
            "2024-07-01t00:00:00z",
            "2024-07-01 00:00:00+02:00",
            "2024-07-01T00:00:00.123456789Z",
            "2024-07-01",
            "XXX",
            "EUR",
            1.0,
            1e400,
            True,
            "1.5",
            # hostile numbers (issue 12 §2): beyond a decimal, no real figure, signed zero
            msgspec.Raw(b"1e9999999999999999999999"),
            msgspec.Raw(b"1e-999999999999999999999"),
            msgspec.Raw(b"1e10000000"),
            msgspec.Raw(b"-0"),
            msgspec.Raw(b"9" * 4300),
            msgspec.Raw(b"[" * 70 + b"]" * 70),
        ]
    ),
)


@st.composite
def broken_payloads(draw: st.DrawFn) -> tuple[type, bytes]:
    """A valid payload with one thing changed: a value replaced, a key dropped, bytes cut."""
    cls, payload = draw(ROOT_PAYLOADS)
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
    return cls, data


@pytest.mark.slow
class TestFastPathAgreesWithTheReference:
    @HEAVY
    @given(ROOT_PAYLOADS)
    def test_both_paths_decode_valid_input_to_equal_models(self, case: tuple[type, Any]) -> None:
        """On valid payloads both paths succeed with equal models."""
        cls, payload = case
        data = to_bytes(payload)
        outcome = fast(cls, data)
        assert ("ok", slow(cls, data)[1]) == outcome

    @HEAVY
    @given(ROOT_PAYLOADS)
    def test_every_object_the_fast_path_builds_passes_its_own_validators(
        self, case: tuple[type, Any]
    ) -> None:
        """Objects built through their slots satisfy every validator and are entity classes."""
        cls, payload = case
        kind, model = fast(cls, to_bytes(payload))
        assert "ok" == kind
        for instance in _instances(model):
            attrs.validate(instance)
            assert type(instance).__module__.startswith("stuut_domain.")

    @HEAVY
    @given(broken_payloads())
    def test_both_paths_accept_or_refuse_the_same_input(self, case: tuple[type, bytes]) -> None:
        """On mangled input, the fast path accepts exactly what the reference accepts, equally."""
        cls, data = case
        fast_kind, fast_value = fast(cls, data)
        slow_kind, slow_value = slow(cls, data)
        assert slow_kind == fast_kind, (fast_value, slow_value)
        if fast_kind == "ok":
            assert slow_value == fast_value
            assert typed_json(CODEC.encode(slow_value)) == typed_json(CODEC.encode(fast_value))

    @HEAVY
    @given(broken_payloads())
    def test_the_codec_raises_only_decode_errors(self, case: tuple[type, bytes]) -> None:
        """Whatever the input, decoding returns a model or raises DecodeError with problems."""
        cls, data = case
        problems: tuple[object, ...] = ("decoded",)
        try:
            CODEC.decode(cls, data)
        except DecodeError as error:
            problems = error.problems
        assert problems


def _lossless_allocations() -> st.SearchStrategy[dict[str, Any]]:
    return lossless_payloads(PaymentAllocation).filter(lambda p: p.get("invoice") is not None)


#: Documents as a changing API sends them: keys dropped, unknown keys added, number forms mixed.
DOCUMENTS = st.one_of(
    *[lossless_payloads(cls).map(lambda p, cls=cls: (cls, p)) for cls in ROOTS],
    _lossless_allocations().map(lambda p: (PaymentAllocation, p)),
)


def _has_unknown_keys(cls: type, value: Any) -> bool:
    """Whether a document of ``cls`` has a key its class does not know, at any depth."""
    if not isinstance(value, dict):
        return False
    fields = {field.name: field for field in wire_fields(cls)}
    if set(value) - set(fields):
        return True
    for name, item in value.items():
        for inner in _nested_classes(cls, name):
            items = item if isinstance(item, list) else [item]
            if any(_has_unknown_keys(inner, x) for x in items):
                return True
    return False


def _nested_classes(cls: type, name: str) -> list[type]:
    from adapters.stuut_json.fast import _leaves
    from adapters.stuut_json.schema import field_hints

    return [leaf for leaf in _leaves(field_hints(cls)[name]) if attrs.has(leaf)]


def reference_model(cls: type, data: bytes) -> Any:
    """The reference path's model alone (it must accept every generated document)."""
    return reference.structure(CODEC._converter, reference.parse(data), cls)


@pytest.mark.slow
class TestLosslessDocuments:
    """ADR 0034: encode(decode(x)) is x as JSON values, types compared, for every document."""

    @HEAVY
    @given(DOCUMENTS)
    def test_the_fast_path_writes_the_document_back(self, case: tuple[type, Any]) -> None:
        """Absent keys stay absent, nulls stay null, unknown keys and number forms come back."""
        cls, payload = case
        data = to_bytes(payload)
        assert typed_json(data) == typed_json(CODEC.encode(CODEC.decode(cls, data)))

    @HEAVY
    @given(DOCUMENTS)
    def test_the_reference_path_writes_the_same_document_back(self, case: tuple[type, Any]) -> None:
        """The reference path's model writes the same JSON and equals the fast path's.

        Documents with unknown keys or with fractions a float would write differently take
        the fast path's keeping decoders (ADR 0034): they keep exactly what the reference
        path keeps.
        """
        cls, payload = case
        data = to_bytes(payload)
        slow_model = reference_model(cls, data)
        fast_kind, fast_model = fast(cls, data)
        assert typed_json(data) == typed_json(CODEC.encode(slow_model))
        assert ("ok", slow_model) == (fast_kind, fast_model)
        assert typed_json(CODEC.encode(fast_model)) == typed_json(CODEC.encode(slow_model))

    @HEAVY
    @given(DOCUMENTS)
    def test_parsed_mappings_write_the_document_back(self, case: tuple[type, Any]) -> None:
        """A document given as parsed values (not bytes) is written back as those values write.

        (A mapping holds numbers, not their texts: ``Decimal("1.5e1")`` is written ``15``.)
        """
        cls, payload = case
        mapping = parsed(to_bytes(payload))
        assert typed_json(to_bytes(mapping)) == typed_json(CODEC.encode(CODEC.decode(cls, mapping)))

    @HEAVY
    @given(DOCUMENTS)
    def test_an_unchanged_evolve_writes_the_same_document(self, case: tuple[type, Any]) -> None:
        """attrs.evolve without changes takes the merge path and still writes the document."""
        cls, payload = case
        data = to_bytes(payload)
        for model in (CODEC.decode(cls, data), reference_model(cls, data)):
            copy = attrs.evolve(model)
            assert copy._wire is None
            assert typed_json(data) == typed_json(CODEC.encode(copy))

    @HEAVY
    @given(DOCUMENTS)
    def test_a_document_decodes_back_to_an_equal_model(self, case: tuple[type, Any]) -> None:
        """decode(encode(m)) == m, and m equals the same values built without a document."""
        cls, payload = case
        model = CODEC.decode(cls, to_bytes(payload))
        assert model == CODEC.decode(cls, CODEC.encode(model))
        assert model == CODEC.from_json(cls, CODEC.to_json(model))
        bare = attrs.evolve(model, _source=None)
        assert model == bare
        assert repr(model) == repr(bare)
        try:
            expected = hash(bare)
        except TypeError:  # a JSON field holds a list or an object, document or not
            return
        assert expected == hash(model)

    @HEAVY
    @given(DOCUMENTS)
    def test_strict_decoding_refuses_exactly_the_documents_with_unknown_keys(
        self, case: tuple[type, Any]
    ) -> None:
        """forbid_unknown_keys still refuses an unknown key at any depth, and only that."""
        cls, payload = case
        data = to_bytes(payload)
        messages: list[str] = []
        try:
            STRICT.decode(cls, data)
        except DecodeError as error:
            messages = [problem.message for problem in error.problems]
        assert _has_unknown_keys(cls, payload) == bool(messages)
        assert all("unknown key" in message for message in messages)


_CODE_BUILT = Invoice(
    amount_due=Money(1500, "EUR"),
    currency="EUR",
    object="invoice",
    remote_id="INV-1",
    total_amount=Money(1500, "EUR"),
)


@pytest.mark.slow
class TestDocumentsInsideValuesBuiltInCode:
    @HEAVY
    @given(lossless_payloads(Partner), lossless_payloads(LineItem))
    def test_a_decoded_value_placed_in_a_new_one_writes_its_own_document(
        self, partner: dict[str, Any], line_item: dict[str, Any]
    ) -> None:
        """The new invoice writes every field; the decoded partner and line item their documents."""
        partner_data, item_data = to_bytes(partner), to_bytes(line_item)
        invoice = attrs.evolve(
            _CODE_BUILT,
            partner=CODEC.decode(Partner, partner_data),
            line_items=(CODEC.decode(LineItem, item_data),),
        )
        written = parsed(CODEC.encode(invoice))
        assert typed_json(partner_data) == typed(written["partner"])
        assert typed_json(item_data) == typed(written["line_items"][0])
        assert {f.name for f in wire_fields(Invoice)} == set(written)


def test_typed_comparison_sees_number_forms() -> None:
    """The comparison the lossless properties use tells 1 from 1.0, 1.50 from 1.5, true from 1."""
    assert typed_json(b"[1]") != typed_json(b"[1.0]")
    assert typed_json(b"[1.50]") != typed_json(b"[1.5]")
    assert typed_json(b"[true]") != typed_json(b"[1]")
    assert typed_json(b"[-0.0]") != typed_json(b"[0.0]")
    assert typed_json(b'{"a": 1, "b": 2}') == typed_json(b'{"b": 2, "a": 1}')
