"""Properties of the Stuut JSON codec: lossless both ways; the fast path equals the reference."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.stuut_json import DecodeError, StuutJsonCodec, reference
from stuut_domain import strategies
from stuut_domain.call import Call
from stuut_domain.email import Email
from stuut_domain.invoice import Invoice
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment, PaymentAllocation
from stuut_domain.workflow import Workflow
from stuut_wire import JSON_VALUES, parsed, payloads, to_bytes

CODEC = StuutJsonCodec()
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


def fast(cls: type, data: bytes) -> tuple[str, Any]:
    """The fast path's outcome alone: ("ok", value) or ("error", exception type)."""
    assert CODEC._fast is not None
    try:
        return ("ok", CODEC._fast.decode(cls, data))
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
