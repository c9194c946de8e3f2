"""Generate the bundled sample portfolio: a deterministic, realistic accounts-receivable book.

Run ``make sample`` (or ``python scripts/generate_sample.py [OUT_DIR]``). The output is a JSON
store directory, one Stuut-format JSON entity per file, as ``GET /v1/<resource>/{id}`` would
return it::

    invoices/<id>.json   partners/<id>.json   payments/<id>.json   workflows/<id>.json

Everything is drawn from ``random.Random(SEED)`` and dated relative to the fixed anchor
``AS_OF`` (2026-11-26T12:00:00Z, ADR 0026), so two runs give byte-identical files; no clock
and no hypothesis are involved. The book: 40 partners on every continent (time zones with
30- and 45-minute offsets included) with contacts, 400 invoices in 0-, 2- and 3-decimal
currencies in every lifecycle status (draft, open and overdue as of ``AS_OF``, disputed,
promised, partially paid, paid, void, uncollectible), the payments that settle them (some
covering several invoices, some leaving unapplied credit, a few awaiting approval with a low
agent confidence) and three outreach workflows in different time zones. Every invoice
satisfies the invariant checker: derived figures come from ``stuut_domain._assembly``.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import unicodedata
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from adapters.samples import SAMPLE_AS_OF
from adapters.stuut_json import encode_invoice, encode_partner, encode_payment, encode_workflow
from stuut_domain._assembly import InvoiceTotals, priced_line_item, settled_invoice
from stuut_domain.address import Address
from stuut_domain.invoice import Invoice, LineItem
from stuut_domain.money import Money, exponent
from stuut_domain.partner import Contact, Partner
from stuut_domain.payment import AllocatedInvoice, Payment, PaymentAllocation
from stuut_domain.workflow import Workflow

#: The fixed "now" of the sample: every date is relative to it; invoices due before it and
#: not settled are overdue "as of" it.
AS_OF = SAMPLE_AS_OF
SEED = 20261126
INVOICE_COUNT = 400
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "src/adapters/samples/portfolio"
ORG = "org_3f9a2c41d8e7b605"

#: (name, currency, IANA zone, country, city, industry) — 40 customers on every continent.
PARTNERS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("Acme Tooling GmbH", "EUR", "Europe/Berlin", "DE", "Stuttgart", "industrial"),
    ("Globex Logistics Ltd", "GBP", "Europe/London", "GB", "Manchester", "logistics"),
    ("Initech Software Inc.", "USD", "America/New_York", "US", "New York", "software"),
    ("Kobayashi Seimitsu K.K.", "JPY", "Asia/Tokyo", "JP", "Osaka", "industrial"),
    ("Al Noor Trading W.L.L.", "BHD", "Asia/Bahrain", "BH", "Manama", "wholesale"),
    ("Gulf Petrochem K.S.C.", "KWD", "Asia/Kuwait", "KW", "Kuwait City", "industrial"),
    ("Himalaya Handicrafts Pvt Ltd", "USD", "Asia/Kathmandu", "NP", "Kathmandu", "wholesale"),
    ("Mumbai Textiles Pvt Ltd", "INR", "Asia/Kolkata", "IN", "Mumbai", "wholesale"),
    ("Chatham Seafoods Ltd", "NZD", "Pacific/Chatham", "NZ", "Waitangi", "food"),
    ("Adelaide Wines Pty Ltd", "AUD", "Australia/Adelaide", "AU", "Adelaide", "food"),
    ("Newfoundland Fisheries Inc.", "CAD", "America/St_Johns", "CA", "St. John's", "food"),
    ("Persepolis Carpets Co.", "EUR", "Asia/Tehran", "IR", "Tehran", "wholesale"),
    ("Hangang Semiconductors Co., Ltd.", "KRW", "Asia/Seoul", "KR", "Seoul", "industrial"),
    ("Muscat Marine Logistics LLC", "OMR", "Asia/Muscat", "OM", "Muscat", "logistics"),
    ("Huilerie de Sfax SARL", "TND", "Africa/Tunis", "TN", "Sfax", "food"),
    ("Lagos Freight Ltd", "NGN", "Africa/Lagos", "NG", "Lagos", "logistics"),
    ("Nairobi Agritech Ltd", "KES", "Africa/Nairobi", "KE", "Nairobi", "software"),
    ("Cape Town Solar (Pty) Ltd", "ZAR", "Africa/Johannesburg", "ZA", "Cape Town", "energy"),
    ("Pampas Agro S.A.", "BRL", "America/Sao_Paulo", "BR", "São Paulo", "food"),
    ("Minera Atacama SpA", "CLP", "America/Santiago", "CL", "Santiago", "industrial"),
    (
        "Componentes del Bajío S.A. de C.V.",
        "MXN",
        "America/Mexico_City",
        "MX",
        "León",
        "industrial",
    ),
    ("Pacific Coast Brewing Co.", "USD", "America/Los_Angeles", "US", "Portland", "food"),
    ("Lakeshore Steel Works LLC", "USD", "America/Chicago", "US", "Chicago", "industrial"),
    ("Front Range Outdoor Gear Inc.", "USD", "America/Denver", "US", "Denver", "wholesale"),
    ("Aloha Resorts LLC", "USD", "Pacific/Honolulu", "US", "Honolulu", "hospitality"),
    ("Nordlicht Energie AG", "CHF", "Europe/Zurich", "CH", "Zürich", "energy"),
    ("Skärgård Design AB", "SEK", "Europe/Stockholm", "SE", "Stockholm", "wholesale"),
    ("Maison Lumière Cosmétiques SAS", "EUR", "Europe/Paris", "FR", "Lyon", "wholesale"),
    ("Milano Moda S.p.A.", "EUR", "Europe/Rome", "IT", "Milan", "wholesale"),
    ("Wisła Software Sp. z o.o.", "PLN", "Europe/Warsaw", "PL", "Kraków", "software"),
    ("Boğaziçi Tekstil A.Ş.", "TRY", "Europe/Istanbul", "TR", "Istanbul", "wholesale"),
    ("Creek Trading FZE", "AED", "Asia/Dubai", "AE", "Dubai", "wholesale"),
    ("Lion City Electronics Pte Ltd", "SGD", "Asia/Singapore", "SG", "Singapore", "industrial"),
    ("Song Hong Garments JSC", "VND", "Asia/Ho_Chi_Minh", "VN", "Hanoi", "wholesale"),
    ("Pudong Precision Co., Ltd.", "CNY", "Asia/Shanghai", "CN", "Shanghai", "industrial"),
    ("Waikato Dairy Ltd", "NZD", "Pacific/Auckland", "NZ", "Hamilton", "food"),
    ("Faxaflói Fish hf.", "ISK", "Atlantic/Reykjavik", "IS", "Reykjavík", "food"),
    ("Irrawaddy Teak Co.", "USD", "Asia/Yangon", "MM", "Yangon", "wholesale"),
    ("Nullarbor Roadhouse Pty Ltd", "AUD", "Australia/Eucla", "AU", "Eucla", "hospitality"),
    ("Kabul Dry Fruits Co.", "USD", "Asia/Kabul", "AF", "Kabul", "food"),
)

#: (name, product type, unit price in major units (low, high), unit) per industry.
CATALOGUE: dict[str, tuple[tuple[str, str, int, int], ...]] = {
    "industrial": (
        ("Steel brackets M8 (box of 100)", "goods", 40, 90),
        ("CNC machining hours", "service", 60, 140),
        ("Hydraulic pump HP-220", "goods", 900, 2400),
    ),
    "logistics": (
        ("Container freight 40ft", "service", 1800, 4200),
        ("Warehousing (pallet-month)", "service", 12, 30),
        ("Customs clearance", "fee", 150, 400),
    ),
    "software": (
        ("Annual licence, per seat", "subscription", 120, 600),
        ("Implementation consulting hours", "service", 90, 220),
        ("Premium support plan", "subscription", 500, 3000),
    ),
    "wholesale": (
        ("Assorted stock (carton)", "goods", 25, 120),
        ("Seasonal collection", "goods", 400, 2500),
        ("Display fixtures", "goods", 150, 600),
    ),
    "food": (
        ("Pallet of product", "goods", 300, 1500),
        ("Cold-chain surcharge", "fee", 40, 160),
        ("Sample crate", "goods", 20, 60),
    ),
    "energy": (
        ("Solar panel 410W", "goods", 110, 260),
        ("Installation days", "service", 500, 1400),
        ("Monitoring subscription", "subscription", 30, 90),
    ),
    "hospitality": (
        ("Linen service (week)", "service", 200, 700),
        ("Amenity kits (case)", "goods", 60, 180),
        ("Conference package", "service", 900, 4000),
    ),
}

#: Rough price level of each currency against one US dollar (whole units), for realistic
#: amounts; not an exchange rate table (nothing is converted).
PRICE_LEVEL: dict[str, int] = {
    "JPY": 150, "KRW": 1350, "CLP": 900, "VND": 25000, "ISK": 140, "INR": 83, "NGN": 1500,
    "KES": 130, "ZAR": 18, "BRL": 5, "MXN": 17, "SEK": 10, "TRY": 32, "AED": 4, "CNY": 7,
    "PLN": 4, "CHF": 1, "EUR": 1, "GBP": 1, "USD": 1, "CAD": 1, "AUD": 1, "NZD": 1, "SGD": 1,
}  # fmt: skip
#: Three-decimal currencies are worth more than a dollar; prices are divided by this.
PRICE_DIVISOR: dict[str, int] = {"BHD": 3, "KWD": 3, "OMR": 3, "TND": 1}

TAX_RATES_BP = (0, 500, 700, 1000, 1900, 2000)  # basis points
# fmt: off
GIVEN = ("Ana", "Ben", "Chen", "Dara", "Émile", "Fatima", "Giulia", "Hiro", "Ines", "Jon",
         "Kwame", "Lena", "Mateo", "Noor", "Olga", "Priya", "Quinn", "Rafael", "Sofia", "Tariq")
FAMILY = ("Okafor", "Müller", "Tanaka", "Silva", "Nguyen", "O'Brien", "Haddad", "Kowalski",
          "Sato", "García", "Rossi", "Johansson", "Yılmaz", "Chen", "Mensah", "Sharma")
# fmt: on
STATUS_WEIGHTS = {
    "draft": 5,
    "open": 38,
    "partially_paid": 12,
    "paid": 36,
    "void": 5,
    "uncollectible": 4,
}


class Ids:
    """Deterministic Stuut-style ids: a resource prefix and 16 hex digits from the seed."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._seen: set[str] = set()

    def new(self, prefix: str) -> str:
        """A fresh id with ``prefix`` (``inv``, ``ptn``, ``pay`` ...), never repeated."""
        while True:
            candidate = f"{prefix}_{self._rng.getrandbits(64):016x}"
            if candidate not in self._seen:
                self._seen.add(candidate)
                return candidate


@attrs.frozen
class Portfolio:
    """The generated book: partners, invoices, payments and workflows."""

    partners: tuple[Partner, ...]
    invoices: tuple[Invoice, ...]
    payments: tuple[Payment, ...]
    workflows: tuple[Workflow, ...]


def _ago(rng: random.Random, low_days: float, high_days: float) -> dt.datetime:
    """An instant between ``high_days`` and ``low_days`` before AS_OF, to the second."""
    seconds = rng.randint(int(low_days * 86_400), int(high_days * 86_400))
    return AS_OF - dt.timedelta(seconds=seconds)


def _later(
    rng: random.Random, instant: dt.datetime, low_hours: float, high_hours: float
) -> dt.datetime:
    """An instant ``low_hours``..``high_hours`` after ``instant``, never after AS_OF."""
    seconds = rng.randint(int(low_hours * 3600), int(high_hours * 3600))
    return min(instant + dt.timedelta(seconds=seconds), AS_OF)


def _price(rng: random.Random, code: str, low: int, high: int) -> int:
    """A unit price in minor units of ``code`` for a product priced ``low``..``high`` USD."""
    major = rng.randint(low, high) * PRICE_LEVEL.get(code, 1)
    scale: int = 10 ** exponent(code)
    minor = major * scale // PRICE_DIVISOR.get(code, 1)
    if exponent(code) >= 2:
        minor += rng.choice((0, 0, 50, 99, 95)) * 10 ** (exponent(code) - 2)
    return max(minor, 1)


#: Phone numbering per country (and per city where the area code differs): the country
#: calling code, a national prefix valid for any digits after it (a mobile range, or an area
#: code and exchange digit), and the national number's length. Each plan was chosen from the
#: country's numbering plan and checked with the ``phonenumbers`` package;
#: tests/test_sample_portfolio.py checks every generated number with it.
PHONE_PLANS: dict[str, tuple[int, str, int]] = {
    "AE": (971, "50", 9), "AF": (93, "70", 9), "AU": (61, "41", 9), "BH": (973, "36", 8),
    "BR": (55, "119", 11), "CA": (1, "7097", 10), "CH": (41, "79", 9), "CL": (56, "98", 9),
    "CN": (86, "139", 11), "DE": (49, "1511", 11), "FR": (33, "61", 9), "GB": (44, "771", 10),
    "IN": (91, "98", 10), "IR": (98, "912", 10), "IS": (354, "69", 7), "IT": (39, "33", 10),
    "JP": (81, "80", 10), "KE": (254, "71", 9),
    "KR": (82, "102", 10), "KW": (965, "50", 8), "MM": (95, "96", 10), "MX": (52, "477", 10),
    "NG": (234, "803", 10), "NP": (977, "984", 10), "NZ": (64, "21", 9), "OM": (968, "92", 8),
    "PL": (48, "50", 9), "SE": (46, "70", 9), "SG": (65, "8", 8), "TN": (216, "20", 8),
    "TR": (90, "53", 10), "VN": (84, "91", 9), "ZA": (27, "82", 9),
    "US/New York": (1, "2125", 10), "US/Portland": (1, "5034", 10),
    "US/Chicago": (1, "3124", 10), "US/Denver": (1, "3034", 10),
    "US/Honolulu": (1, "8084", 10),
}  # fmt: skip


def _phone(rng: random.Random, country: str, city: str) -> str:
    """A phone number valid in ``country`` (``+49 1511 234 5678``): the plan's prefix, then
    digits drawn from ``rng`` (three draws, as the generator has always made)."""
    drawn = f"{rng.randint(10, 99):02d}{rng.randint(100, 999):03d}{rng.randint(1000, 9999):04d}"
    code, prefix, length = PHONE_PLANS.get(f"{country}/{city}") or PHONE_PLANS[country]
    national = prefix + drawn[len(drawn) - (length - len(prefix)) :]
    groups = (
        (national[:-7], national[-7:-4], national[-4:])
        if length > 8
        else (
            national[:-4],
            national[-4:],
        )
    )
    return f"+{code} " + " ".join(groups)


#: Letters that Unicode does not decompose into a base letter and a mark.
_SPELLED_OUT = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae"})


def ascii_slug(text: str, keep: str = "") -> str:
    """``text`` in lower-case ASCII letters and digits (and the characters in ``keep``), accents
    transliterated, not dropped: ``Émile`` is ``emile``, ``Wisła`` is ``wisla``, ``O'Brien``
    is ``obrien``."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_SPELLED_OUT))
    return "".join(ch for ch in decomposed if ch.isascii() and (ch.isalnum() or ch in keep))


# -- partners and workflows ---------------------------------------------------------------------


def build_partners(rng: random.Random, ids: Ids) -> list[Partner]:
    """40 partners with 1–4 contacts each (one primary billing contact), some paused."""
    partners = []
    for index, (name, code, zone, country, city, _industry) in enumerate(PARTNERS):
        partner_id = ids.new("ptn")
        created = _ago(rng, 600, 1500)
        contacts = []
        domain = ascii_slug(name.split()[0])
        for n in range(rng.choice((1, 2, 2, 3, 3, 4))):
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            role = (
                "billing_contact"
                if n == 0
                else rng.choice(("primary_contact", "accounts_payable", "billing_contact", None))
            )
            local = ascii_slug(f"{given}.{family}", keep=".")
            c_created = _later(rng, created, 0, 24 * 200)
            contacts.append(
                Contact(
                    email=f"{local}@{domain}.example",
                    object="contact",
                    partner_id=partner_id,
                    id=ids.new("ctc"),
                    created_at=c_created,
                    external_role=role,
                    family_name=family,
                    given_name=given,
                    internal_role="account_manager" if n == 0 and rng.random() < 0.3 else None,
                    is_email_disabled=n > 0 and rng.random() < 0.2,
                    is_phone_disabled=rng.random() < 0.25,
                    is_primary=n == 0,
                    is_primary_email=n == 0,
                    is_primary_phone=n == 0,
                    job_title=rng.choice(("AP clerk", "Controller", "Finance manager", "CFO")),
                    modified_at=_later(rng, c_created, 0, 24 * 300),
                    name=f"{given} {family}",
                    phone=_phone(rng, country, city),
                )
            )
        partners.append(
            Partner(
                id=partner_id,
                account_number=f"C{10000 + index * 37}",
                billing_address=Address(
                    object="address", city=city, country=country, type="billing"
                ),
                contacts=tuple(contacts),
                created_at=created,
                currency=code,
                email=f"ap@{domain}.example",
                invoice_prefix=None,
                is_active=index % 13 != 12,
                is_call_outreach_manually_paused=index % 9 == 4,
                is_company=True,
                is_email_outreach_manually_paused=index % 17 == 6,
                legal_name=name,
                modified_at=_later(rng, created, 24, 24 * 500),
                name=name,
                object="partner",
                organization_id=ORG,
                remote_id=f"CUST-{1000 + index}",
                sync_status="synced",
                timezone=zone,
                type="customer",
            )
        )
    return partners


def build_workflows(ids: Ids) -> list[Workflow]:
    """Three outreach workflows in three time zones (Americas, EMEA, APAC)."""
    created = AS_OF - dt.timedelta(days=400)
    specs = (
        ("Standard dunning — Americas", "America/New_York", (0, 1, 2, 3, 4), "09:00", "17:00"),
        ("Gentle reminders — EMEA", "Europe/Berlin", (0, 1, 2, 3), "08:30", "16:30"),
        ("APAC follow-up", "Asia/Kolkata", (0, 1, 2, 3, 4, 5), "10:00", "18:30"),
    )
    return [
        Workflow(
            id=ids.new("wfl"),
            active_days=days,
            created_at=created,
            email_sender_id=ids.new("sndr"),
            is_active=True,
            is_call_on_weekend_enabled=False,
            modified_at=created + dt.timedelta(days=30 * (n + 1)),
            name=name,
            object="workflow",
            outreach_window_end=end,
            outreach_window_start=start,
            timezone=zone,
        )
        for n, (name, zone, days, start, end) in enumerate(specs)
    ]


# -- invoices -----------------------------------------------------------------------------------


@attrs.define
class _Draft:
    """An invoice's facts before payments are attached."""

    fields: dict[str, object]
    code: str
    partner: Partner
    status: str
    totals: InvoiceTotals
    lines: list[LineItem]
    approved: int  # minor units approved-paid
    pending: int  # minor units awaiting approval
    pay_after: dt.datetime | None
    allocations: list[PaymentAllocation] = attrs.field(factory=list)


def _lines(
    rng: random.Random, ids: Ids, *, invoice_id: str, code: str, industry: str, created: dt.datetime
) -> list[LineItem]:
    tax_bp = rng.choice(TAX_RATES_BP)
    lines = []
    for n in range(1, rng.choice((1, 1, 2, 2, 3, 4, 5)) + 1):
        name, product_type, low, high = rng.choice(CATALOGUE[industry])
        if product_type == "service" and rng.random() < 0.5:
            quantity = Decimal(rng.randint(2, 160)) / 2  # half hours / days
            unit = _price(rng, code, low, high) // 2 * 2 or 2
        else:
            quantity = Decimal(rng.randint(1, 40))
            unit = _price(rng, code, low, high)
        gross = int(quantity * unit)
        discount = gross * rng.choice((0, 0, 0, 5, 10)) // 100
        tax = ((gross - discount) * tax_bp + 5_000) // 10_000  # half up, per line
        lines.append(
            priced_line_item(
                invoice_id=invoice_id,
                currency=code,
                quantity=quantity,
                unit_amount=unit,
                discount=discount,
                tax=tax,
                object="line_item",
                remote_id=ids.new("erpli"),
                created_at=created,
                description=f"{name} ({quantity} × {Money(unit, code)})",
                line_number=n,
                modified_at=created,
                name=name,
                product_type=product_type,
            )
        )
    return lines


def _draft(rng: random.Random, ids: Ids, partner: Partner, industry: str, number: int) -> _Draft:
    status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    code = partner.currency or "USD"
    if rng.random() < 0.1 and code not in ("USD", "EUR"):
        code = rng.choice(("USD", "EUR"))  # some customers are billed in a reserve currency
    invoice_id = ids.new("inv")
    if status == "draft":
        created = _ago(rng, 0, 20)
        issued = due = None
    else:
        ages = {
            "uncollectible": ((300, 540),),
            "paid": ((20, 540),),
            "void": ((10, 400),),
        }.get(status, ((0, 60), (0, 60), (0, 60), (60, 150), (60, 150), (150, 420)))
        issued = _ago(rng, *rng.choice(ages))
        created = issued - dt.timedelta(hours=rng.randint(0, 72))
        # A due date is a day: the API writes it as midnight UTC of that day.
        due_day = issued.date() + dt.timedelta(days=rng.choice((14, 30, 30, 30, 45, 60)))
        due = dt.datetime.combine(due_day, dt.time(), tzinfo=dt.UTC)
    lines = _lines(rng, ids, invoice_id=invoice_id, code=code, industry=industry, created=created)
    totals = InvoiceTotals.of_lines(code, lines)
    total = totals.total.minor_units
    approved = pending = 0
    if status == "paid":
        approved = total
    elif status == "partially_paid":
        approved = min(max(total * rng.randint(15, 85) // 100, 1), total - 1)
    elif status == "uncollectible" and rng.random() < 0.4:
        approved = total * rng.randint(5, 40) // 100
    if status in ("open", "partially_paid") and rng.random() < 0.06:
        pending = (total - approved) * rng.choice((50, 100)) // 100
    fields: dict[str, object] = {
        "object": "invoice",
        "remote_id": f"ERP-{number:06d}",
        "id": invoice_id,
        "billing_email": partner.contacts[0].email if partner.contacts else partner.email,
        "created_at": created,
        "due_date": due,
        "is_issued_email_sent": issued is not None,
        "issued_at": issued,
        "modified_at": created,
        "number": f"INV-{(issued or created).year}-{number:05d}",
        "partner_id": partner.id,
        "purchase_order_number": f"PO-{rng.randint(10000, 99999)}" if rng.random() < 0.4 else None,
        "remote_created_at": created,
        "remote_modified_at": created,
        "status": status,
        "sync_status": "synced",
        "type": "receivable",
        "in_dispute": False,
    }
    if status == "void" and issued is not None:
        fields["voided_at"] = _later(rng, issued, 24, 24 * 30)
    if status == "uncollectible" and due is not None:
        fields["marked_uncollectible_at"] = _later(rng, due, 24 * 90, 24 * 200)
    pay_after = None
    if (approved or pending) and issued is not None and due is not None:
        latest = min(due + dt.timedelta(days=20), AS_OF - dt.timedelta(days=1))
        pay_after = _later(rng, issued, 24, max(24, (latest - issued).total_seconds() / 3600))
    return _Draft(fields, code, partner, status, totals, lines, approved, pending, pay_after)


def _outreach(rng: random.Random, draft: _Draft) -> None:
    """Disputes, promises to pay and the last outreach of the open book, as of AS_OF."""
    fields = draft.fields
    due = fields["due_date"]
    if draft.status not in ("open", "partially_paid") or not isinstance(due, dt.datetime):
        return
    overdue = due < AS_OF
    if overdue and rng.random() < 0.12:
        fields["in_dispute"] = True
    elif overdue and rng.random() < 0.2:
        fields["promised_to_pay_date"] = (AS_OF + dt.timedelta(days=rng.randint(-6, 21))).date()
    if overdue and rng.random() < 0.7:
        at = max(due, AS_OF - dt.timedelta(days=rng.randint(1, 25)))
        at = _later(rng, at, 0, 10)
        channel = rng.choice(("email", "email", "call"))
        primary = draft.partner.contacts[0]
        fields["last_outreach_at"] = at
        fields["last_outreach_channel"] = channel
        fields["last_outreach_to"] = primary.email if channel == "email" else primary.phone


# -- payments -----------------------------------------------------------------------------------


def _attach_payments(rng: random.Random, ids: Ids, drafts: Sequence[_Draft]) -> list[Payment]:
    """Create the payments that settle the drafts' approved and pending amounts.

    Pieces of the same partner and currency close in time share one payment (a remittance
    covering several invoices); some payments leave unapplied credit; pending pieces get
    their own payments, awaiting approval with a low agent confidence.
    """
    pieces: dict[tuple[str, str, bool], list[tuple[_Draft, int]]] = {}
    for draft in drafts:
        for amount, approved in ((draft.approved, True), (draft.pending, False)):
            if amount:
                key = (str(draft.partner.id), draft.code, approved)
                pieces.setdefault(key, []).append((draft, amount))
    payments: list[Payment] = []
    for (partner_id, code, approved), group in sorted(pieces.items()):
        group.sort(key=lambda piece: (piece[0].pay_after or AS_OF, str(piece[0].fields["id"])))
        batch: list[tuple[_Draft, int]] = []
        for piece in group:
            start = batch[0][0].pay_after if batch else None
            at = piece[0].pay_after
            if batch and start and at and (at - start).days <= 12 and rng.random() < 0.5:
                batch.append(piece)
                continue
            if batch:
                payments.append(
                    _payment(
                        rng, ids, partner_id=partner_id, code=code, approved=approved, batch=batch
                    )
                )
            batch = [piece]
        if batch:
            payments.append(
                _payment(rng, ids, partner_id=partner_id, code=code, approved=approved, batch=batch)
            )
    return payments


def _payment(
    rng: random.Random,
    ids: Ids,
    *,
    partner_id: str,
    code: str,
    approved: bool,
    batch: list[tuple[_Draft, int]],
) -> Payment:
    payment_id = ids.new("pay")
    timestamp = max(d.pay_after or AS_OF for d, _ in batch)
    applied = sum(amount for _, amount in batch)
    credit = applied * rng.choice((0, 0, 0, 0, 2, 5)) // 100  # unapplied credit
    method = rng.choice(("ach", "ach", "wire", "check", "card"))
    score = round(rng.uniform(0.9, 0.99), 2) if approved else round(rng.uniform(0.3, 0.6), 2)
    times = []
    for _ in batch:
        created = _later(rng, timestamp, 0.1, 6)
        times.append((created, _later(rng, created, 0.1, 30) if approved else None))
    payment = Payment(
        id=payment_id,
        amount=Money(applied + credit, code),
        amount_refunded=Money.zero(code),
        created_at=timestamp,
        currency=code,
        currency_rate=Decimal(1),
        modified_at=max(approved_at or created for created, approved_at in times),
        object="payment",
        partner_id=partner_id,
        payment_method=method,
        reference_number=f"{method.upper()}-{rng.randint(100000, 999999)}",
        status="matched" if approved else "pending_match",
        timestamp=timestamp,
    )
    for (draft, amount), (created, approved_at) in zip(batch, times, strict=True):
        draft.allocations.append(
            PaymentAllocation(
                amount=Money(amount, code),
                invoice_id=str(draft.fields["id"]),
                object="payment_allocation",
                payment_id=payment_id,
                strategy="automatic" if approved else "manual",
                id=ids.new("pal"),
                agent_confidence_reason=(
                    None if approved else "remittance amount matches two open invoices"
                ),
                agent_confidence_score=score,
                agent_uncertainties=() if approved else ("ambiguous remittance reference",),
                approved=approved,
                approved_at=approved_at,
                approver_id="usr_7c1e0b9d2a4f3e58" if approved else None,
                created_at=created,
                modified_at=approved_at or created,
                payment=payment,
                remote_id=f"ERPPAY-{rng.randint(100000, 999999)}" if approved else None,
            )
        )
    return payment


def _with_allocations(payment: Payment, invoices: dict[str, Invoice]) -> Payment:
    """The payment as ``GET /v1/payments/{id}`` shows it: its allocations, each with its invoice."""
    allocations = []
    for invoice in invoices.values():
        for allocation in invoice.payments:
            if allocation.payment_id != payment.id:
                continue
            allocations.append(
                attrs.evolve(
                    allocation,
                    payment=None,
                    invoice=AllocatedInvoice(
                        amount_due=invoice.amount_due,
                        currency=invoice.currency,
                        id=invoice.id,
                        amount_paid=invoice.amount_paid,
                        due_date=invoice.due_date,
                        number=invoice.number,
                    ),
                )
            )
    allocations.sort(key=lambda a: str(a.id))
    return attrs.evolve(payment, allocations=tuple(allocations))


# -- the whole book -----------------------------------------------------------------------------


def build_portfolio(seed: int = SEED) -> Portfolio:
    """The sample book for ``seed``: the same seed always gives the same values."""
    rng = random.Random(seed)
    ids = Ids(rng)
    partners = build_partners(rng, ids)
    workflows = build_workflows(ids)
    industries = {p.id: spec[5] for p, spec in zip(partners, PARTNERS, strict=True)}
    weights = [rng.choice((1, 2, 3, 5, 8)) for _ in partners]  # a few big accounts
    drafts = []
    for number in range(1, INVOICE_COUNT + 1):
        partner = rng.choices(partners, weights=weights)[0]
        draft = _draft(rng, ids, partner, industries[partner.id], number)
        _outreach(rng, draft)
        drafts.append(draft)
    payments = _attach_payments(rng, ids, drafts)
    invoices = {
        str(d.fields["id"]): settled_invoice(
            currency=d.code,
            totals=d.totals,
            line_items=d.lines,
            payments=sorted(d.allocations, key=lambda a: a.created_at or AS_OF),
            **d.fields,
        )
        for d in drafts
    }
    return Portfolio(
        partners=tuple(partners),
        invoices=tuple(invoices.values()),
        payments=tuple(_with_allocations(p, invoices) for p in payments),
        workflows=tuple(workflows),
    )


def write_portfolio(portfolio: Portfolio, directory: Path) -> int:
    """Write one Stuut JSON file per entity under ``directory``; return the number written.

    Existing ``*.json`` files in the four entity folders are removed first, so the folders
    hold exactly this portfolio.
    """
    kinds: tuple[tuple[str, Sequence[Any], Callable[[Any], bytes]], ...] = (
        ("partners", portfolio.partners, encode_partner),
        ("invoices", portfolio.invoices, encode_invoice),
        ("payments", portfolio.payments, encode_payment),
        ("workflows", portfolio.workflows, encode_workflow),
    )
    written = 0
    for folder, entities, encode in kinds:
        target = directory / folder
        target.mkdir(parents=True, exist_ok=True)
        for old in target.glob("*.json"):
            old.unlink()
        for entity in entities:
            (target / f"{entity.id}.json").write_bytes(encode(entity) + b"\n")
            written += 1
    return written


def main(argv: Sequence[str]) -> int:
    """Generate the portfolio into ``argv[1]`` (default: the bundled sample directory)."""
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    portfolio = build_portfolio()
    count = write_portfolio(portfolio, out)
    print(
        f"wrote {count} files to {out}: {len(portfolio.partners)} partners, "
        f"{len(portfolio.invoices)} invoices, {len(portfolio.payments)} payments, "
        f"{len(portfolio.workflows)} workflows (as of {AS_OF.isoformat()})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
