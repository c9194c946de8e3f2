"""Issue 12 §7 (ADR 0039): unknown keys are learned, then kept in the same parse.

A document with an unknown key takes the keeping path; when the same unknown keys come twice
in a row they are learned, and the next document with them is decoded in one msgspec parse,
its unknown keys captured as raw text. Every test compares with the reference path: learning
must change the speed only.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import msgspec
import pytest

from adapters.samples import api_invoice_example
from adapters.stuut_json import DecodeError, Page, StuutJsonCodec
from adapters.stuut_json.fast import EXTRAS_PER_CLASS, LEARNINGS, FastPath, TooDeep
from adapters.stuut_json.schema import NESTING_LIMIT
from stuut_domain.invoice import Invoice
from stuut_wire import typed_json

CODEC = StuutJsonCodec()


def with_unknown_keys(value: Any, key: str = "x_added_later", item: Any = "α") -> Any:
    """``value`` with the unknown ``key`` in every object, at every depth."""
    if isinstance(value, dict):
        return {**{k: with_unknown_keys(v, key, item) for k, v in value.items()}, key: item}
    if isinstance(value, list):
        return [with_unknown_keys(v, key, item) for v in value]
    return value


def seed() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(api_invoice_example())
    return document


def reference(data: bytes) -> Invoice:
    value = CODEC._parsed(Invoice, data, None)
    invoice: Invoice = CODEC._structure(value, Invoice, Invoice, None, data)
    return invoice


def learned(fast: FastPath, data: bytes) -> Invoice:
    """``data`` decoded three times by ``fast``: the third decode uses the learned views."""
    fast.decode(Invoice, data)
    fast.decode(Invoice, data)
    invoice: Invoice = fast.decode(Invoice, data)
    return invoice


class TestLearnedViews:
    def test_keys_seen_twice_are_kept_in_the_frame_from_then_on(self) -> None:
        fast = FastPath(Page)
        data = json.dumps(with_unknown_keys(seed())).encode()
        first, second = fast.decode(Invoice, data), fast.decode(Invoice, data)
        assert type(first._wire) is dict  # the keeping path
        assert type(second._wire) is dict
        third = fast.decode(Invoice, data)
        assert isinstance(third._wire, msgspec.Struct)  # one parse, a learned view
        assert third == first == reference(data)
        written = typed_json(CODEC.encode(third))
        assert written == typed_json(data) == typed_json(CODEC.encode(reference(data)))

    @pytest.mark.parametrize(
        "item",
        [-0, 1.50, "1e400", 12345678901234567890, [1, {"a": [None, True]}], {"b": "é\\n"}],
        ids=["minus-zero", "fraction", "text", "big-int", "nested", "escaped"],
    )
    def test_any_json_value_is_written_as_the_reference_path_writes_it(self, item: Any) -> None:
        fast = FastPath(Page)
        data = json.dumps(with_unknown_keys(seed(), item=item)).encode()
        invoice = learned(fast, data)
        assert isinstance(invoice._wire, msgspec.Struct)
        assert typed_json(CODEC.encode(invoice)) == typed_json(CODEC.encode(reference(data)))

    def test_a_changed_value_writes_its_unknown_keys_back(self) -> None:
        fast = FastPath(Page)
        data = json.dumps(with_unknown_keys(seed())).encode()
        changed = attrs.evolve(learned(fast, data), remote_id="INV-CHANGED")
        written = json.loads(CODEC.encode(changed))
        assert written["x_added_later"] == "α"
        assert written["remote_id"] == "INV-CHANGED"
        assert written["partner"]["x_added_later"] == "α"

    def test_a_key_not_learned_still_takes_the_keeping_path(self) -> None:
        fast = FastPath(Page)
        learned(fast, json.dumps(with_unknown_keys(seed())).encode())
        other = json.dumps(with_unknown_keys(seed(), key="y_other")).encode()
        invoice = fast.decode(Invoice, other)
        assert json.loads(CODEC.encode(invoice))["y_other"] == "α"
        assert typed_json(CODEC.encode(invoice)) == typed_json(other)

    def test_a_number_beyond_a_decimal_in_a_learned_key_is_refused(self) -> None:
        fast = FastPath(Page)
        learned(fast, json.dumps(with_unknown_keys(seed())).encode())
        text = json.dumps(with_unknown_keys(seed(), item="MARK"))
        data = text.replace('"MARK"', "1e9999999999999999999999").encode()
        with pytest.raises(ValueError, match=r"out of range|beyond the range"):
            fast.decode(Invoice, data)
        with pytest.raises(DecodeError):
            CODEC.decode(Invoice, data)

    def test_a_learned_key_nesting_past_the_limit_is_left_to_the_reference_path(self) -> None:
        fast = FastPath(Page)
        learned(fast, json.dumps(with_unknown_keys(seed())).encode())
        deep: Any = 1
        for _ in range(NESTING_LIMIT):
            deep = [deep]
        document = seed()
        document["x_added_later"] = deep
        data = json.dumps(document).encode()
        with pytest.raises(TooDeep):
            fast.decode(Invoice, data)
        with pytest.raises(DecodeError) as caught:
            CODEC.decode(Invoice, data)
        assert caught.value.problems[0].path.startswith("x_added_later")

    def test_converters_judge_learned_keys_from_the_first_wide_one_on(self) -> None:
        """No object pays the learned-key test until a learned key may hold an object, an
        array or a fraction; then every converter is rebuilt with it, before any frame of
        such a view is converted, and a learned key nesting past the limit is refused."""
        fast = FastPath(Page)
        learned(fast, json.dumps(with_unknown_keys(seed())).encode())
        assert not fast._extras_checked  # a scalar key: msgspec proves it
        learned(fast, json.dumps(with_unknown_keys(seed(), item={"now": [1, 2]})).encode())
        assert fast._extras_checked
        deep: Any = 1
        for _ in range(NESTING_LIMIT):
            deep = [deep]
        data = json.dumps(with_unknown_keys(seed(), item={"now": deep})).encode()
        with pytest.raises(TooDeep):
            fast.decode(Invoice, data)
        with pytest.raises(DecodeError) as caught:
            CODEC.decode(Invoice, data)
        assert "nested" in str(caught.value)
        fits = json.dumps(with_unknown_keys(seed(), item={"now": [[1]]})).encode()
        assert typed_json(CODEC.encode(fast.decode(Invoice, fits))) == typed_json(fits)

    def test_a_key_learned_as_a_scalar_widens_when_it_holds_more(self) -> None:
        fast = FastPath(Page)
        learned(fast, json.dumps(with_unknown_keys(seed(), item="text")).encode())
        data = json.dumps(with_unknown_keys(seed(), item={"now": [1, 2.5]})).encode()
        first = fast.decode(Invoice, data)
        assert type(first._wire) is dict  # refused by the scalar view: the keeping path
        again = fast.decode(Invoice, data)
        assert isinstance(again._wire, msgspec.Struct)  # widened at once: the key was known
        for invoice in (first, again):
            assert typed_json(CODEC.encode(invoice)) == typed_json(data)
        assert fast._learned[("one", Invoice)][0] == 2

    def test_a_document_refused_for_another_reason_costs_no_rebuild(self) -> None:
        fast = FastPath(Page)
        learned(fast, json.dumps(with_unknown_keys(seed(), item=[1])).encode())
        text = json.dumps(with_unknown_keys(seed(), item=["MARK"]))
        data = text.replace('"MARK"', "1.50").encode()  # a float would write 1.5
        for _ in range(LEARNINGS + 1):
            invoice = fast.decode(Invoice, data)
            assert typed_json(CODEC.encode(invoice)) == typed_json(data)
        assert fast._learned[("one", Invoice)][0] == 1

    def test_keys_seen_once_are_not_learned(self) -> None:
        fast = FastPath(Page)
        for round_ in range(LEARNINGS + 3):
            data = json.dumps(with_unknown_keys(seed(), key=f"once{round_}")).encode()
            invoice = fast.decode(Invoice, data)
            assert type(invoice._wire) is dict
            assert typed_json(CODEC.encode(invoice)) == typed_json(data)
        assert ("one", Invoice) not in fast._learned

    def test_learning_is_bounded(self) -> None:
        fast = FastPath(Page)
        for round_ in range(LEARNINGS + 3):
            data = json.dumps(with_unknown_keys(seed(), key=f"k{round_}")).encode()
            for _ in range(3):
                invoice = fast.decode(Invoice, data)
                assert typed_json(CODEC.encode(invoice)) == typed_json(data)
        count, extras = fast._learned[("one", Invoice)]
        assert count == LEARNINGS
        assert all(len(keys) <= EXTRAS_PER_CLASS for keys in extras.values())

    def test_lists_and_pages_learn_too(self) -> None:
        fast = FastPath(Page)
        item = with_unknown_keys(seed())
        data = json.dumps({"data": [item, item], "total_records": 2}).encode()
        fast.decode_many(Invoice, data)
        fast.decode_many(Invoice, data)
        invoices = fast.decode_many(Invoice, data)
        assert all(isinstance(invoice._wire, msgspec.Struct) for invoice in invoices)
        assert [typed_json(CODEC.encode(i)) for i in invoices] == [typed_json(data)["data"][0]] * 2
