"""The Stuut JSON codec against json, pydantic v2 and msgspec on slim, typical and full invoices.

Decode means JSON bytes to validated domain objects with Money amounts (ours), to pydantic
models (``model_validate_json``), to msgspec Structs (typed decode) or to plain dicts
(``json.loads``). Encode means the decoded value back to JSON bytes. Targets (issue 12 §7,
with the lossless reading of ADR 0034): decode at most 1.6x msgspec Structs on typical and
full invoices and 2.2x on slim ones; encode at most 1.3x msgspec on typical and full; on
payloads with an unknown key in every object, decode at most 0.7x pydantic v2 with
``extra="allow"`` (the way a pydantic user keeps unknown keys); and everywhere no slower than
pydantic, a decoded typical invoice at most 1.5x the bytes of msgspec Structs.

Where the time goes (ADR 0030, ADR 0032, ADR 0039 and its amendment; profile with
``python -m cProfile``): msgspec fills Struct *frames* in C (validators proven by the wire
types), in about the time of its own typed decode. Generated Python then writes each
entity's slots with direct slot stores (about 10 ns a field, most of what is left), nested
objects inline in their holder's converter, attaching currencies to amounts, and re-classes
it. A ``JSON`` value is proven flat by one ``gc.is_tracked`` call. Unknown keys are kept in
the same parse once they have come twice (ADR 0039); each figure checks its answer against
the reference path before it is timed. The peers attach no currency and build no Money.
"""

from __future__ import annotations

import gc
import json
import tracemalloc
from collections.abc import Callable
from typing import Any

import msgspec
import pydantic

from adapters.stuut_json import StuutJsonCodec
from adapters.stuut_json.schema import WrittenNumber
from bench.payloads import KINDS, envelope_bytes, invoice_bytes
from bench.peers import msgspec_invoice, pydantic_invoice
from bench.timing import Row, median_seconds, row
from stuut_domain.cash.entities import BankTransaction
from stuut_domain.invoice import Invoice

US = 1e6
#: Issue 12 §7: decode within these multiples of msgspec Structs, per payload kind.
_DECODE_VS_MSGSPEC = {"slim": 2.2, "typical": 1.6, "full": 1.6}
#: ... and encode within these (slim has no target).
_ENCODE_VS_MSGSPEC: dict[str, float] = {"typical": 1.3, "full": 1.3}


def _with_unknown_keys(value: Any) -> Any:
    """The payload with one unknown key in every object, at every depth."""
    if isinstance(value, dict):
        return {**{k: _with_unknown_keys(v) for k, v in value.items()}, "x_added_later": "α"}
    if isinstance(value, list):
        return [_with_unknown_keys(v) for v in value]
    return value


def _unknown_key_rows(codec: StuutJsonCodec, repeat: int, budget: float) -> list[Row]:
    rows_: list[Row] = []
    keeping = pydantic_invoice("allow")
    for kind in ("typical", "full"):
        data = json.dumps(_with_unknown_keys(json.loads(invoice_bytes(kind)))).encode()
        decoded = codec.decode(Invoice, data)
        if json.loads(codec.encode(decoded)).get("x_added_later") != "α":
            raise RuntimeError("the unknown key was not kept: the figure would measure loss")
        _check_answer(codec, data)
        times = median_seconds(
            {
                "ours": lambda data=data: codec.decode(Invoice, data),
                "pydantic": lambda data=data: keeping.model_validate_json(data),
            },
            repeat=repeat,
            budget=budget,
        )
        rows_.append(
            row(
                f"decode {kind} invoice, an unknown key in every object (kept)",
                times["ours"] * US,
                "µs",
                peer='pydantic v2 extra="allow"',
                peer_value=times["pydantic"] * US,
                target=0.7,
            )
        )
    return rows_


def _check_answer(codec: StuutJsonCodec, data: bytes) -> None:
    """Refuse to time a decode whose answer is wrong: the figure must measure a real one.

    Checked after warming up (unknown keys are learned on their second sight, ADR 0039): the
    decoded invoice equals the reference path's and writes the payload back.
    """
    for _ in range(3):
        decoded = codec.decode(Invoice, data)
    if json.loads(codec.encode(decoded)) != json.loads(data):
        raise RuntimeError("the decoded invoice does not write the payload back")
    if decoded != codec.from_json(Invoice, _REFERENCE_VALUES.decode(data)):
        raise RuntimeError("the decoded invoice differs from the reference path's")


#: Parses as the reference parser does, for ``from_json`` (the reference path alone).
_REFERENCE_VALUES = msgspec.json.Decoder(float_hook=WrittenNumber)


def _decode_rows(kind: str, codec: StuutJsonCodec, repeat: int, budget: float) -> list[Row]:
    data = invoice_bytes(kind)
    _check_answer(codec, data)
    model = pydantic_invoice()
    structs = msgspec.json.Decoder(msgspec_invoice())
    times = median_seconds(
        {
            "ours": lambda: codec.decode(Invoice, data),
            "json": lambda: json.loads(data),
            "pydantic": lambda: model.model_validate_json(data),
            "msgspec": lambda: structs.decode(data),
        },
        repeat=repeat,
        budget=budget,
    )
    ours = times["ours"] * US
    figure = f"decode {kind} invoice ({len(data):,} bytes)"
    return [
        row(
            figure,
            ours,
            "µs",
            peer="pydantic v2 model_validate_json",
            peer_value=times["pydantic"] * US,
            target=1.0,
        ),
        row(
            figure,
            ours,
            "µs",
            peer="msgspec typed decode (Structs)",
            peer_value=times["msgspec"] * US,
            target=_DECODE_VS_MSGSPEC[kind],
        ),
        row(figure, ours, "µs", peer="json.loads", peer_value=times["json"] * US),
    ]


def _encode_rows(kind: str, codec: StuutJsonCodec, repeat: int, budget: float) -> list[Row]:
    data = invoice_bytes(kind)
    invoice = codec.decode(Invoice, data)
    plain = json.loads(data)
    model = pydantic_invoice().model_validate_json(data)
    struct = msgspec.json.decode(data, type=msgspec_invoice())
    encoder = msgspec.json.Encoder()
    times = median_seconds(
        {
            "ours": lambda: codec.encode(invoice),
            "json": lambda: json.dumps(plain),
            "pydantic": model.model_dump_json,
            "msgspec": lambda: encoder.encode(struct),
        },
        repeat=repeat,
        budget=budget,
    )
    ours = times["ours"] * US
    figure = f"encode {kind} invoice"
    return [
        row(
            figure,
            ours,
            "µs",
            peer="pydantic v2 model_dump_json",
            peer_value=times["pydantic"] * US,
            target=1.0,
        ),
        row(
            figure,
            ours,
            "µs",
            peer="msgspec encode (Structs)",
            peer_value=times["msgspec"] * US,
            target=_ENCODE_VS_MSGSPEC.get(kind),
        ),
        row(figure, ours, "µs", peer="json.dumps", peer_value=times["json"] * US),
    ]


def _list_rows(codec: StuutJsonCodec, count: int, repeat: int, budget: float) -> list[Row]:
    data = envelope_bytes("typical", count)
    page_model = pydantic.create_model(
        "PInvoicePage",
        data=(list[pydantic_invoice()], ...),  # type: ignore[misc]
        current_page=(int, 0),
        total_records=(int, 0),
        next_page=(int | None, None),
    )
    times = median_seconds(
        {
            "ours": lambda: codec.decode_many(Invoice, data),
            "pydantic": lambda: page_model.model_validate_json(data),
        },
        repeat=repeat,
        budget=budget,
    )
    return [
        row(
            f"decode a list envelope of {count} typical invoices, per invoice",
            times["ours"] * US / count,
            "µs",
            peer="pydantic v2 model_validate_json",
            peer_value=times["pydantic"] * US / count,
            target=1.0,
        ),
    ]


def _retained_bytes(build: Callable[[bytes], Any], payloads: list[bytes]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [build(data) for data in payloads]
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del kept
    return (after - before) / len(payloads)


def _memory_rows(codec: StuutJsonCodec, count: int) -> list[Row]:
    payloads = [invoice_bytes("typical", index) for index in range(count)]
    structs = msgspec.json.Decoder(msgspec_invoice())
    model = pydantic_invoice()
    codec.decode(Invoice, payloads[0])  # build the decoders before measuring
    structs.decode(payloads[0])
    ours = _retained_bytes(lambda data: codec.decode(Invoice, data), payloads)
    peer = _retained_bytes(structs.decode, payloads)
    pyd = _retained_bytes(model.model_validate_json, payloads)
    figure = "memory of a decoded typical invoice (tracemalloc)"
    return [
        row(figure, ours, "bytes", peer="msgspec Structs", peer_value=peer, target=1.5),
        row(figure, ours, "bytes", peer="pydantic v2 models", peer_value=pyd),
    ]


#: A v2-detail bank transaction with its nested agent readings, in the docs' key order.
_BANK_TRANSACTION: dict[str, Any] = {
    "account_id": "acct_01",
    "amount": 125000,
    "object": "bank_transaction",
    "posted": True,
    "reference_number": "RF18539007547034",
    "timestamp": "2024-07-02T09:15:00Z",
    "type": "deposit",
    "id": "btx_0042",
    "account_mask": "****1234",
    "counterparty_name": "ACME GMBH",
    "created_at": "2024-07-02T09:16:00Z",
    "currency": "EUR",
    "currency_rate": 1,
    "description": "INV-2024-0042 INV-2024-0043",
    "invoice_numbers": ["INV-2024-0042", "INV-2024-0043"],
    "modified_at": "2024-07-02T09:16:00Z",
    "agent_extractions": {
        "counterparty_name": "Acme GmbH",
        "counterparty_raw": "ACME GMBH",
        "invoice_numbers": ["INV-2024-0042"],
    },
    "agent_metrics": {"confidence_reason": "reference and amount match", "uncertainties": []},
    "is_payment": True,
    "total_allocated": 100000,
    "amount_handled_outside": 5000,
    "handled_outside_reason": "bank fee",
    "counterparty_info": {"display": "Acme GmbH", "id": "cp_9", "partner_count": 1},
    "has_on_account": True,
}


def _bank_transaction_rows(codec: StuutJsonCodec, repeat: int, budget: float) -> list[Row]:
    """Decoding one bank transaction (issue 14), beside json.loads of the same bytes."""
    data = json.dumps(_BANK_TRANSACTION).encode()
    decoded = codec.decode(BankTransaction, data)
    if json.loads(codec.encode(decoded)) != _BANK_TRANSACTION:
        raise RuntimeError("the decoded bank transaction does not write the payload back")
    if decoded != codec.from_json(BankTransaction, _REFERENCE_VALUES.decode(data)):
        raise RuntimeError("the decoded bank transaction differs from the reference path's")
    times = median_seconds(
        {
            "ours": lambda: codec.decode(BankTransaction, data),
            "json": lambda: json.loads(data),
        },
        repeat=repeat,
        budget=budget,
    )
    figure = f"decode a bank transaction ({len(data):,} bytes)"
    return [row(figure, times["ours"] * US, "µs", peer="json.loads", peer_value=times["json"] * US)]


def rows(quick: bool) -> list[Row]:
    """Decode, encode and memory rows for slim, typical and full invoices."""
    repeat, budget = (9, 0.01) if quick else (45, 0.04)
    codec = StuutJsonCodec()
    out: list[Row] = []
    for kind in KINDS:
        out += _decode_rows(kind, codec, repeat, budget)
    for kind in KINDS:
        out += _encode_rows(kind, codec, repeat, budget)
    out += _unknown_key_rows(codec, repeat, budget)
    out += _list_rows(codec, 20 if quick else 100, repeat, budget)
    out += _bank_transaction_rows(codec, repeat, budget)
    out += _memory_rows(codec, 20 if quick else 200)
    return out
