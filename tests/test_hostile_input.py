"""Issue 12 §2: every bad input gets the project's own error, in bounded time and memory.

Each test here names one hole found from outside the project and fails without its fix.
"""

from __future__ import annotations

import gc
import json
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest

from adapters import stuut_json
from adapters.errors import CorruptRecord
from adapters.json_store import JsonStore
from adapters.stuut_json import DecodeError, StuutJsonCodec
from adapters.stuut_json.fast import _TRACKING_TELLS_FLAT, TooDeep
from adapters.stuut_json.reference import PROBLEM_LIMIT
from adapters.stuut_json.schema import NESTING_LIMIT
from stuut_domain.errors import InvariantViolation, UnknownTimeZone, join_path
from stuut_domain.invariants import check_partner, check_workflow
from stuut_domain.invoice import Invoice
from stuut_domain.payment import Payment
from stuut_domain.validators import zone_named
from stuut_wire import typed_json

#: Zone names that are no zone: a directory of the tz database, a name the file system
#: refuses as too long, a path, an empty name, a NUL byte.
BAD_ZONES = ["America", "Europe/", "x" * 300, "../../etc/passwd", "", "Europe/\x00"]


class TestZonesThatAreNoZone:
    @pytest.mark.parametrize("name", BAD_ZONES)
    def test_zone_named_raises_unknown_time_zone(self, name: str) -> None:
        """Never IsADirectoryError, OSError or ValueError: always UnknownTimeZone."""
        with pytest.raises(UnknownTimeZone) as caught:
            zone_named(name)
        assert caught.value.name == name

    @pytest.mark.parametrize("name", [n for n in BAD_ZONES if n])
    def test_check_workflow_reports_a_violation(self, name: str) -> None:
        workflow = stuut_json.decode_workflow(stuut_json_object(id="w", timezone=name))
        assert [v.code for v in check_workflow(workflow)] == ["unknown_time_zone"]

    @pytest.mark.parametrize("name", [n for n in BAD_ZONES if n])
    def test_check_partner_reports_a_violation(self, name: str) -> None:
        partner = stuut_json.decode_partner(stuut_json_object(id="p", timezone=name))
        assert [v.code for v in check_partner(partner)] == ["unknown_time_zone"]

    @pytest.mark.parametrize("name", [n for n in BAD_ZONES if n])
    def test_strict_decoding_refuses_with_the_violation(self, name: str) -> None:
        for decode in (stuut_json.decode_workflow, stuut_json.decode_partner):
            with pytest.raises(InvariantViolation) as caught:
                decode(stuut_json_object(id="x", timezone=name), strict=True)
            assert [v.code for v in caught.value.violations] == ["unknown_time_zone"]


def stuut_json_object(**fields: object) -> bytes:
    """A JSON object with ``fields`` (text values escaped as JSON)."""
    return json.dumps(fields).encode()


CODEC = StuutJsonCodec()
REFERENCE = StuutJsonCodec(forbid_unknown_keys=True)  # the reference path alone

INVOICE = {
    "id": "inv_1",
    "object": "invoice",
    "remote_id": "INV-1",
    "currency": "EUR",
    "amount_due": 150000,
    "total_amount": 150000,
}
LINE = {"object": "line_item", "invoice_id": "inv_1", "remote_id": "L-1", "quantity": 2}
PAYMENT = {"id": "pay_1", "amount": 100, "currency": "EUR", "currency_rate": 1}


def with_number(document: dict[str, Any], path: tuple[str | int, ...], text: str) -> bytes:
    """``document`` as JSON with the number at ``path`` written as ``text``, verbatim."""
    marker = "__NUMBER__"
    changed = json.loads(json.dumps(document))
    target = changed
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = marker
    return json.dumps(changed).replace(f'"{marker}"', text).encode()


def decoders() -> list[tuple[str, Callable[[bytes], object]]]:
    """Every way to decode one invoice: module functions, both paths, lists and pages."""
    return [
        ("decode_invoice", stuut_json.decode_invoice),
        ("strict", lambda data: stuut_json.decode_invoice(data, strict=True)),
        ("reference", lambda data: REFERENCE.decode(Invoice, data)),
        ("text", lambda data: CODEC.decode(Invoice, data.decode())),
        ("mapping", lambda data: CODEC.decode(Invoice, stuut_json_parse(data))),
        ("decode_invoices", lambda data: stuut_json.decode_invoices(b"[" + data + b"]")),
        ("page", lambda data: CODEC.decode_page(Invoice, b'{"data": [' + data + b"]}")),
    ]


def stuut_json_parse(data: bytes) -> Any:
    """``data`` parsed by the standard library (numbers exact), as a caller might give it."""
    return json.loads(data, parse_float=Decimal)


HUGE = ["1e9999999999999999999999", "1e-999999999999999999999", "-1E+99999999999999999999"]
INVOICE_NUMBERS = [
    ("amount_due",),
    ("total_amount",),
    ("custom_fields",),
    ("remote_metadata",),
    ("line_items", 0, "quantity"),
    ("payments", 0, "payment", "currency_rate"),
]


def _invoice_with_everything() -> dict[str, Any]:
    allocation = {
        "id": "pal_1",
        "object": "payment_allocation",
        "amount": 100,
        "payment": dict(PAYMENT),
    }
    return {**INVOICE, "line_items": [LINE], "payments": [allocation]}


class TestNumbersBeyondADecimal:
    """``1e9999999999999999999999`` raised decimal.InvalidOperation from every decoder."""

    @pytest.mark.parametrize("path", INVOICE_NUMBERS, ids=lambda p: ".".join(map(str, p)))
    @pytest.mark.parametrize("text", HUGE)
    def test_every_decoder_raises_decode_error_naming_the_path(
        self, path: tuple[str | int, ...], text: str
    ) -> None:
        data = with_number(_invoice_with_everything(), path, text)
        expected = join_path(path)
        for name, decode in decoders():
            if name == "mapping":
                continue  # no parser builds a mapping with such a number
            with pytest.raises(DecodeError) as caught:
                decode(data)
            paths = [problem.path for problem in caught.value.problems]
            assert any(p.endswith(expected) for p in paths), (name, paths)

    def test_the_json_store_reports_a_corrupt_record(self, tmp_path: Path) -> None:
        store = JsonStore(tmp_path, create=True)
        folder = tmp_path / "invoices"
        folder.mkdir()
        (folder / "inv_1.json").write_bytes(with_number(INVOICE, ("amount_due",), HUGE[0]))
        with pytest.raises(CorruptRecord) as caught:
            store.invoices.get("inv_1")
        assert [p.path for p in caught.value.problems] == ["amount_due"]
        assert [type(p) for p in store.problems()] == [CorruptRecord]


class TestDeepNesting:
    """About 990 levels raised RecursionError; JsonStore.problems() raised it too."""

    @pytest.mark.parametrize("field", ["custom_fields", "remote_metadata"])
    @pytest.mark.parametrize("levels", [NESTING_LIMIT, 200, 990, 5000, 100_000])
    def test_every_decoder_refuses_nesting_beyond_the_limit(self, field: str, levels: int) -> None:
        deep = "[" * levels + "]" * levels
        data = json.dumps(INVOICE)[:-1].encode() + f', "{field}": {deep}}}'.encode()
        for name, decode in decoders():
            if name == "mapping" and levels > 500:
                continue  # no parser builds that mapping
            with pytest.raises(DecodeError) as caught:
                decode(data)
            assert "nested" in str(caught.value), name

    def test_nesting_at_the_limit_is_accepted_by_both_paths(self) -> None:
        """The whole document may nest NESTING_LIMIT levels: the invoice is level 1."""
        levels = NESTING_LIMIT - 1
        deep = "[" * levels + "]" * levels
        data = json.dumps(INVOICE)[:-1].encode() + f', "custom_fields": {deep}}}'.encode()
        assert CODEC.decode(Invoice, data) == REFERENCE.decode(Invoice, data)
        fast, slow = CODEC.decode(Invoice, data), REFERENCE.decode(Invoice, data)
        assert json.loads(CODEC.encode(fast)) == json.loads(CODEC.encode(slow)) == json.loads(data)

    @pytest.mark.parametrize(
        ("where", "above"),
        [("invoice", 1), ("line item", 3)],
        ids=["invoice", "line item"],
    )
    @pytest.mark.parametrize("past", [False, True], ids=["at the limit", "past it"])
    def test_objects_nested_in_a_json_field_are_judged_as_arrays_are(
        self, where: str, above: int, past: bool
    ) -> None:
        """Objects in objects (``{"a": {"a": ...}}``), not only arrays, are measured.

        The fast path tells a flat object by the collector's tracking in one C call and reads
        every other one; the entity holding the field is ``above`` levels deep (the invoice,
        or a line item in its list), so the value may nest ``NESTING_LIMIT - above`` levels.
        """
        levels = NESTING_LIMIT - above + past
        deep = '{"a": ' * levels + "1" + "}" * levels
        line = json.dumps(LINE)
        if where == "invoice":
            body = f', "custom_fields": {deep}, "line_items": [{line}]}}'
        else:
            body = f', "line_items": [{line[:-1]}, "custom_fields": {deep}}}]}}'
        data = json.dumps(INVOICE)[:-1].encode() + body.encode()
        fast_path = stuut_json.StuutJsonCodec()._fast
        assert fast_path is not None
        if past:
            with pytest.raises(TooDeep):
                fast_path.decode(Invoice, data)
            for name, decode in decoders():
                with pytest.raises(DecodeError, match="nested") as caught:
                    decode(data)
                assert len(caught.value.problems) == 1, name
            return
        fast, slow = fast_path.decode(Invoice, data), REFERENCE.decode(Invoice, data)
        assert fast == slow
        assert typed_json(CODEC.encode(fast)) == typed_json(CODEC.encode(slow)) == typed_json(data)

    def test_the_collector_tracks_every_decoded_object_that_holds_a_container(self) -> None:
        """What the fast path's flat test rests on, on this interpreter (fast.py probes it at
        import and reads the values' types instead where it fails): a decoded object stays
        tracked while it holds an object or an array, through collections too, and one that
        holds only scalars (an empty one too) is not; an array always is."""
        assert _TRACKING_TELLS_FLAT
        nested = msgspec.json.decode(b'{"x": 1, "y": {}, "z": [], "w": {"v": 2}}')
        flat = msgspec.json.decode('{"x": 1, "y": "α", "z": null, "w": true, "v": 1.5}')
        gc.collect()
        assert gc.is_tracked(nested)
        assert [gc.is_tracked(value) for value in nested.values()] == [False, False, True, False]
        assert not gc.is_tracked(flat)

    def test_a_mapping_that_contains_itself_is_refused(self) -> None:
        document: dict[str, Any] = dict(INVOICE)
        looped: dict[str, Any] = {}
        looped["again"] = looped
        document["custom_fields"] = looped
        with pytest.raises(DecodeError, match="nested deeper than"):
            CODEC.decode(Invoice, document)

    def test_json_store_problems_yields_a_corrupt_record(self, tmp_path: Path) -> None:
        """problems() is documented to raise nothing: a too-deep file is one CorruptRecord."""
        store = JsonStore(tmp_path, create=True)
        (tmp_path / "invoices").mkdir()
        deep = b"[" * 990 + b"]" * 990
        body = json.dumps(INVOICE)[:-1].encode() + b', "custom_fields": ' + deep + b"}"
        (tmp_path / "invoices" / "inv_1.json").write_bytes(body)
        problems = list(store.problems())
        assert [type(p) for p in problems] == [CorruptRecord]
        assert "nested deeper than" in str(problems[0])


class TestSignedZero:
    """``quantity: -0`` was Decimal('-0') on the fast path and Decimal('0') on the reference."""

    @pytest.mark.parametrize(
        ("document", "path"),
        [
            ({**INVOICE, "line_items": [LINE]}, ("line_items", 0, "quantity")),
            ({**INVOICE, "line_items": [LINE]}, ("custom_fields",)),
        ],
    )
    def test_both_paths_read_and_write_an_integer_minus_zero_alike(
        self, document: dict[str, Any], path: tuple[str | int, ...]
    ) -> None:
        data = with_number(document, path, "-0")
        fast, slow = CODEC.decode(Invoice, data), REFERENCE.decode(Invoice, data)
        assert repr(fast.line_items[0].quantity) == repr(slow.line_items[0].quantity)
        assert repr(fast.custom_fields) == repr(slow.custom_fields)
        assert typed_json(CODEC.encode(fast)) == typed_json(CODEC.encode(slow))
        assert b"-0" not in CODEC.encode(fast) + CODEC.encode(slow)  # the integer 0 (ADR 0034)

    def test_a_payment_rate_of_minus_zero_is_the_same_on_both_paths(self) -> None:
        data = with_number(PAYMENT, ("currency_rate",), "-0")
        fast, slow = CODEC.decode(Payment, data), REFERENCE.decode(Payment, data)
        assert (repr(fast.currency_rate), typed_json(CODEC.encode(fast))) == (
            repr(slow.currency_rate),
            typed_json(CODEC.encode(slow)),
        )


class TestFiguresNoRealFigureHas:
    """A 14-byte ``currency_rate`` of ``1e10000000`` was accepted; payment_cost took ~15 s."""

    @pytest.mark.parametrize(
        "text", ["1e10000000", "1e31", "1e-31", "-1e40", "1." + "1" * 60, "1e999999999999999999"]
    )
    def test_a_rate_beyond_a_real_figure_is_refused_at_its_path(self, text: str) -> None:
        data = with_number(PAYMENT, ("currency_rate",), text)
        for codec in (CODEC, REFERENCE):
            with pytest.raises(DecodeError) as caught:
                codec.decode(Payment, data)
            assert [p.path for p in caught.value.problems] == ["currency_rate"]

    @pytest.mark.parametrize("text", ["1e10000000", "1e-40"])
    def test_a_quantity_beyond_a_real_figure_is_refused(self, text: str) -> None:
        data = with_number({**INVOICE, "line_items": [LINE]}, ("line_items", 0, "quantity"), text)
        for codec in (CODEC, REFERENCE):
            with pytest.raises(DecodeError) as caught:
                codec.decode(Invoice, data)
            assert [p.path for p in caught.value.problems] == ["line_items[0].quantity"]

    @pytest.mark.parametrize("text", ["1.0825", "1e30", "0", "-1.5", "0.000001", "1E+2"])
    def test_real_rates_still_load(self, text: str) -> None:
        """Zero and negative rates load (a business rule, ADR 0007); only the figure is judged."""
        data = with_number(PAYMENT, ("currency_rate",), text)
        assert CODEC.decode(Payment, data) == REFERENCE.decode(Payment, data)

    @pytest.mark.parametrize(
        ("text", "figure"),
        [
            ("1e19", True),
            ("9.5e19", True),
            ("1e20", True),
            ("1.5e-19", True),
            ("1e-30", True),
            ("1e-31", False),
            ("12345678901234567.89", True),
            ("0.0000000000000000001", True),
            ("0." + "0" * 29 + "1", True),
            ("0." + "0" * 30 + "1", False),
            ("1" * 32 + ".5", False),
            ("1" * 31 + ".5", True),
            ("1" * 25 + ".5", True),
            ("1." + "1" * 49, True),
            ("1." + "1" * 50, False),
        ],
    )
    def test_the_fast_path_judges_a_figure_as_the_reference_does(
        self, text: str, figure: bool
    ) -> None:
        """The fast path skips the figure check only for a short text of modest magnitude
        (its raw length and the decimal's adjusted exponent); these stand on either side."""
        data = with_number(PAYMENT, ("currency_rate",), text)
        fast_path = stuut_json.StuutJsonCodec()._fast
        assert fast_path is not None
        if figure:
            decoded = fast_path.decode(Payment, data)
            assert decoded == REFERENCE.decode(Payment, data)
            assert repr(decoded.currency_rate) == repr(Decimal(text))
            return
        with pytest.raises(ValueError, match="no figure"):
            fast_path.decode(Payment, data)
        for codec in (CODEC, REFERENCE):
            with pytest.raises(DecodeError) as caught:
                codec.decode(Payment, data)
            assert [p.path for p in caught.value.problems] == ["currency_rate"]

    @pytest.mark.parametrize("units", [2**63, -(2**63) - 1, 10**30])
    def test_amounts_beyond_int64_are_refused(self, units: int) -> None:
        data = with_number(INVOICE, ("amount_due",), str(units))
        for codec in (CODEC, REFERENCE):
            with pytest.raises(DecodeError) as caught:
                codec.decode(Invoice, data)
            assert [p.path for p in caught.value.problems] == ["amount_due"]


class TestProblemsAreCapped:
    """300,000 bad items took seconds and hundreds of MB: one exception chain per item."""

    def test_a_long_array_of_bad_items_lists_100_problems_and_counts_the_rest(self) -> None:
        data = b"[" + b",".join([b"1"] * 300_000) + b"]"
        tracemalloc.start()
        started = time.perf_counter()
        try:
            with pytest.raises(DecodeError) as caught:
                stuut_json.decode_invoices(data)
            elapsed = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        problems = caught.value.problems
        assert len(problems) == PROBLEM_LIMIT + 1
        assert problems[0].path == "[0]"
        assert problems[-1].message == f"and {300_000 - PROBLEM_LIMIT} more problems"
        assert len(str(caught.value)) < 20_000
        assert elapsed < 5.0  # 25 s before, under tracemalloc about 2 s on 2 loaded cores
        assert peak < 40 * len(data)  # 553 MB before (over 900x the input)

    def test_items_that_are_objects_are_still_counted_past_the_limit(self) -> None:
        bad = json.dumps({**INVOICE, "amount_due": "x"}).encode()
        data = b"[" + b",".join([bad] * 150 + [b"2"] * 10) + b"]"
        with pytest.raises(DecodeError) as caught:
            stuut_json.decode_invoices(data)
        assert caught.value.problems[-1].message == (
            "and 10 more problems; 50 more items not checked (stopped after 100)"
        )
        assert caught.value.problems[PROBLEM_LIMIT - 1].path == "[99].amount_due"


class TestDuplicateKeys:
    """Found by the fuzz: a key written twice, its first value beyond a decimal's range."""

    def test_the_last_value_wins_on_both_paths(self) -> None:
        body = json.dumps(PAYMENT)[1:].encode()
        data = b'{"currency_rate": -1E+99999999999999999999, ' + body
        fast, slow = CODEC.decode(Payment, data), REFERENCE.decode(Payment, data)
        assert fast == slow
        assert fast.currency_rate == 1

    def test_a_surviving_number_beyond_a_decimal_is_still_refused(self) -> None:
        body = json.dumps(PAYMENT)[1:-1].encode()
        data = b"{" + body + b', "currency_rate": 1e9999999999999999999999}'
        for codec in (CODEC, REFERENCE):
            with pytest.raises(DecodeError) as caught:
                codec.decode(Payment, data)
            assert [p.path for p in caught.value.problems] == ["currency_rate"]
