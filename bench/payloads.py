"""Deterministic Stuut invoice payloads for the benchmarks: slim, typical and full.

* ``full``: everything nested, as in the API's own example (``adapters.samples``), filled with
  realistic values and with its lists lengthened to about 55 KB of compact JSON and 1,900
  JSON values (six line items, four payments, three emails, one call, two contacts per
  partner), the size of the first measurement in the performance issue.
* ``typical``: the invoice's own fields, addresses and assignee, the partner embedded with
  three contacts (no integration), three line items and two payments with their payment.
* ``slim``: the invoice's top-level scalar fields only.

Text is drawn from words of several languages, a third of them beyond ASCII (accents, Polish,
Czech, Turkish, Greek, Cyrillic, Japanese), as real partners' names and addresses are.

The same ``(kind, index)`` always gives the same bytes; different indexes give different ids,
amounts and instants, so a batch is not one object repeated.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any, Final

import adapters.samples

KINDS: Final = ("slim", "typical", "full")

_SEED: Final = Path(adapters.samples.__file__).with_name("retrieve_an_invoice.json")

_WORDS: Final = [
    "acme",
    "tooling",
    "gmbh",
    "invoice",
    "reminder",
    "payment",
    "overdue",
    "balance",
    "net30",
    "quarterly",
    "license",
    "support",
    "hardware",
    "freight",
    "discount",
    "remittance",
    "ledger",
    "statement",
    "approval",
    "billing",
    "contact",
    "portal",
    "coupa",
    "ariba",
    "euro",
    "berlin",
    "stuttgart",
    "munich",
    "shipping",
    "warehouse",
    "pallet",
    "consulting",
    # real partners' names and addresses carry letters beyond ASCII
    "müller",
    "łódź",
    "société",
    "générale",
    "kraków",
    "zürich",
    "são",
    "paulo",
    "dvořák",
    "ørsted",
    "çağrı",
    "žilina",
    "señor",
    "niño",
    "café",
    "åre",
    "straße",
    "møller",
    "ελλάδα",
    "москва",
    "東京",
]

#: How many copies of each list the full payload carries.
_FULL_LENGTHS: Final = {"line_items": 6, "payments": 4, "emails": 3, "calls": 1, "contacts": 2}

_KIND_OF_KEY: Final = {
    "assignee": "user",
    "approver": "user",
    "author": "user",
    "billing_address": "address",
    "shipping_address": "address",
    "address": "address",
    "addresses": "contact_address",
    "calls": "call",
    "classifications": "classification",
    "tasks": "task",
    "data": "task_data",
    "trigger_event": "event",
    "emails": "email",
    "attachments": "attachment",
    "email_sender": "email_sender",
    "remote_links": "remote_link",
    "line_items": "line_item",
    "linked_integration": "linked_integration",
    "integration": "integration",
    "models": "linked_model",
    "last_sync": "sync",
    "run": "sync_run",
    "partner": "partner",
    "ap_portals": "ap_portal",
    "account": "ap_portal_account",
    "contacts": "contact",
    "tags": "partner_tag",
    "tag": "tag",
    "payments": "payment_allocation",
    "payment": "payment",
    "workflow": "workflow",
}


def _seed() -> dict[str, Any]:
    value: dict[str, Any] = json.loads(_SEED.read_bytes())
    return value


class _Filler:
    """Replaces the example's placeholders with realistic values, deterministically."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def words(self, n: int) -> str:
        return " ".join(self.rng.choice(_WORDS) for _ in range(n))

    def ident(self, prefix: str) -> str:
        return f"{prefix}_{self.rng.getrandbits(64):016x}"

    def instant(self) -> str:
        start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        moment = start + dt.timedelta(seconds=self.rng.randrange(0, 365 * 86400))
        if self.rng.random() < 0.3:
            moment = moment.replace(microsecond=self.rng.randrange(1, 10**6))
        return moment.isoformat().replace("+00:00", "Z")

    def string(self, key: str, kind: str) -> Any:
        if key == "id":
            return self.ident(kind[:3])
        if key.endswith("_id"):
            return self.ident(key[:3])
        if key == "object":
            return kind
        if "email" in key or key in {"reply_to", "last_outreach_to"}:
            return f"{self.rng.choice(_WORDS)}@acme-tooling.de"
        if "phone" in key or (key.endswith("_number") and "phone" in key):
            return f"+49 711 {self.rng.randrange(10**6, 10**7)}"
        if "url" in key or key in {"logo", "logo_square", "profile_picture", "src"}:
            return f"https://files.example.com/{self.ident('f')}"
        if key in {"body", "signature_html", "transcript_str", "summary", "generated_body"}:
            return self.words(16)
        if key in {"description", "memo", "private_note", "message", "reason", "snippet"}:
            return self.words(8)
        return self.words(2)

    def number(self, key: str) -> Any:
        if key == "quantity":
            return float(self.rng.choice(["1", "2.5", "12", "0.75"]))
        if key == "currency_rate":
            return 1.0842
        if key == "agent_confidence_score":
            return round(self.rng.random(), 3)
        if key in {"line_number", "billing_address_id", "shipping_address_id", "address_id"}:
            return self.rng.randrange(1, 1000)
        if key == "size":
            return self.rng.randrange(10_000, 2_000_000)
        return self.rng.randrange(0, 5_000_000)

    def fill(self, value: Any, key: str = "", kind: str = "invoice") -> Any:
        if isinstance(value, dict):
            own = _KIND_OF_KEY.get(key, kind)
            return {k: self.fill(v, k, own) for k, v in value.items()}
        if isinstance(value, list):
            own = _KIND_OF_KEY.get(key, kind)
            if key == "active_days":
                return [0, 1, 2, 3, 4]
            return [self.fill(v, key, own) for v in value]
        if value == "<string>":
            return self.string(key, kind)
        if value in ("<unknown>", "<array>"):
            return {"source": "erp", "sequence": self.rng.randrange(1000)}
        if value == "2023-11-07T05:31:56Z":
            return self.instant()
        if value == "2023-12-25":
            return "2024-08-15"
        if value == "ADP":
            return "EUR"
        if value == "Africa/Abidjan":
            return "Europe/Berlin"
        if type(value) is int:
            return self.number(key)
        return value


def _lengthen(value: Any, lengths: dict[str, int], key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _lengthen(v, lengths, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_lengthen(v, lengths) for v in value]
        if key in lengths and items:
            template = items[0]
            items.extend(copy.deepcopy(template) for _ in range(1, lengths[key]))
        return items
    return value


def invoice_payload(kind: str, index: int = 0) -> dict[str, Any]:
    """One invoice as plain JSON values; ``kind`` is ``slim``, ``typical`` or ``full``."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    filler = _Filler(random.Random(f"{kind}-{index}"))
    seed = _seed()
    if kind == "full":
        filled = filler.fill(seed)
        lengthened: dict[str, Any] = _lengthen(filled, _FULL_LENGTHS)
        # Lengthened items reuse the filled template; give each its own ids and amounts.
        return _reidentify(lengthened, filler)
    if kind == "typical":
        typical = {
            k: v for k, v in seed.items() if k not in {"calls", "emails", "linked_integration"}
        }
        partner = dict(typical["partner"])
        partner.pop("linked_integration")
        partner["contacts"] = partner["contacts"] * 3
        typical["partner"] = partner
        typical["line_items"] = typical["line_items"] * 3
        typical["payments"] = typical["payments"] * 2
        payload: dict[str, Any] = filler.fill(typical)
        return payload
    slim = {k: v for k, v in seed.items() if not isinstance(v, dict | list)}
    return filler.fill(slim)


def _reidentify(value: Any, filler: _Filler, key: str = "", kind: str = "invoice") -> Any:
    if isinstance(value, dict):
        own = _KIND_OF_KEY.get(key, kind)
        return {
            k: (filler.ident(own[:3]) if k == "id" else _reidentify(v, filler, k, own))
            for k, v in value.items()
        }
    if isinstance(value, list):
        own = _KIND_OF_KEY.get(key, kind)
        return [_reidentify(v, filler, key, own) for v in value]
    return value


def invoice_bytes(kind: str, index: int = 0) -> bytes:
    """One invoice as compact JSON bytes."""
    return json.dumps(invoice_payload(kind, index), separators=(",", ":")).encode()


def envelope_bytes(kind: str, count: int) -> bytes:
    """A v1 list envelope of ``count`` invoices of one kind (as ``GET /v1/invoices`` returns)."""
    data = [invoice_payload(kind, index) for index in range(count)]
    envelope = {"data": data, "current_page": 0, "total_records": count, "next_page": None}
    return json.dumps(envelope, separators=(",", ":")).encode()
