"""Hypothesis strategies for stuut-domain values, valid by construction.

For property-based test suites of services that use this library. House style follows
Hypothesis: plural nouns, keyword-only arguments with sensible defaults, arguments that accept
either a value or a strategy, and no subclassing. Every value satisfies the invariants of
DESIGN §4 by construction (ADR 0025):

>>> from hypothesis import given
>>> from stuut_domain.strategies import invoices
>>> @given(invoices(currency="JPY", status="partially_paid"))
... def test_amount_due(invoice):
...     assert invoice.amount_due == invoice.total_amount - invoice.amount_paid

After ``pip install stuut-domain[hypothesis]`` the strategies are registered for
``st.from_type`` through Hypothesis's entry point (``from_type(Invoice)`` uses
:func:`invoices`). This is the one module of :mod:`stuut_domain` that imports hypothesis;
importing :mod:`stuut_domain` itself never does.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
import zoneinfo
from collections.abc import Callable, Collection
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs

from stuut_domain._assembly import InvoiceTotals, latest, priced_line_item, settled_invoice
from stuut_domain.address import Address
from stuut_domain.invoice import Invoice, LineItem
from stuut_domain.money import CURRENCY_CODES, Money, allocate, exponent
from stuut_domain.partner import Contact, Partner
from stuut_domain.payment import AllocatedInvoice, Payment, PaymentAllocation
from stuut_domain.user import User
from stuut_domain.workflow import Workflow

# -- registration ------------------------------------------------------------------------------
# Hypothesis runs its entry points while `import hypothesis` executes, and that may happen in
# the middle of importing this very module (when it is imported before hypothesis). So the hook
# is defined before hypothesis is imported, and it resolves each strategy lazily, by name, once
# the module is complete (ADR 0025).

#: The types ``st.from_type`` resolves to this module's strategies, and the strategy's name.
_REGISTERED: Final[tuple[tuple[type, str], ...]] = (
    (Money, "moneys"),
    (Invoice, "invoices"),
    (LineItem, "line_items"),
    (Partner, "partners"),
    (Contact, "contacts"),
    (Payment, "payments"),
    (Workflow, "workflows"),
)


def _hypothesis_setup_hook() -> None:
    """Register the strategies for ``st.from_type`` (run by Hypothesis's entry point).

    ``st.from_type(Invoice)`` then draws from :func:`invoices` with its defaults, and likewise
    for Money, LineItem, Partner, Contact, Payment and Workflow.
    """
    from hypothesis import strategies as hst  # noqa: PLC0415 - see the comment above

    for kind, name in _REGISTERED:
        hst.register_type_strategy(kind, hst.deferred(_strategy_named(name)))


def _strategy_named(name: str) -> Callable[[], Any]:
    """A function that calls this module's strategy ``name`` (looked up when called)."""

    def strategy() -> Any:
        return getattr(sys.modules[__name__], name)()

    return strategy


from hypothesis import reject  # noqa: E402 - after the hook, see above
from hypothesis import strategies as st  # noqa: E402
from hypothesis.errors import InvalidArgument  # noqa: E402

__all__ = [
    "INVOICE_STATUSES",
    "TIME_ZONES",
    "aware_datetimes",
    "contacts",
    "currencies",
    "invoices",
    "line_items",
    "moneys",
    "partners",
    "payments",
    "stuut_json_invoices",
    "workflows",
]

T = TypeVar("T")

#: The lifecycle statuses :func:`invoices` can produce, each derived from the invoice's facts:
#: ``draft`` (not issued), ``open`` (issued, nothing approved paid), ``partially_paid``,
#: ``paid`` (amount due zero, ``paid_at`` set), ``void`` (``voided_at`` set, no payments) and
#: ``uncollectible`` (``marked_uncollectible_at`` set, something still due).
INVOICE_STATUSES: Final[tuple[str, ...]] = (
    "draft",
    "open",
    "partially_paid",
    "paid",
    "void",
    "uncollectible",
)
_NEED_PAYMENTS: Final = frozenset({"partially_paid", "paid"})
_NO_PAYMENTS: Final = frozenset({"draft", "void"})

#: Time zones the strategies draw from: every continent, whole-hour, half-hour and
#: 45-minute offsets, zones with and without daylight saving time (Lord Howe shifts by 30
#: minutes; Chatham sits at +12:45/+13:45).
TIME_ZONES: Final[tuple[str, ...]] = (
    "UTC",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "America/St_Johns",
    "Europe/London",
    "Europe/Berlin",
    "Africa/Lagos",
    "Asia/Tehran",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tokyo",
    "Australia/Adelaide",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Pacific/Chatham",
    "Pacific/Marquesas",
)

#: The largest magnitude :func:`moneys` produces by default: 2**53 − 1 minor units, the
#: largest integer every JSON reader (JavaScript included) keeps exactly.
MAX_SAFE_MINOR_UNITS: Final = 2**53 - 1

#: Entity timestamps are UTC instants in this window (the API writes UTC as ``Z``).
_UTC = dt.UTC
_FIRST_INSTANT: Final = dt.datetime(2018, 1, 1, tzinfo=_UTC)
_WINDOW_SECONDS: Final = int(
    (dt.datetime(2033, 1, 1, tzinfo=_UTC) - _FIRST_INSTANT).total_seconds()
)
_DAY: Final = 86_400
#: Default wall-clock bounds of :func:`aware_datetimes`.
_MIN_WALL_TIME: Final = dt.datetime(2000, 1, 1)  # noqa: DTZ001 - naive by design (wall time)
_MAX_WALL_TIME: Final = dt.datetime(2099, 12, 31, 23, 59, 59, 999_999)  # noqa: DTZ001

_COMPANIES: Final = (
    "Acme Tooling GmbH",
    "Globex Logistics Ltd",
    "Initech Software Inc.",
    "Umbrella Pharma S.A.",
    "Stark Components LLC",
    "Wayne Freight Co.",
    "Kobayashi Seimitsu K.K.",
    "Al Noor Trading W.L.L.",
    "Nordlicht Energie AG",
    "Pampas Agro S.R.L.",
)
_GIVEN: Final = ("Ana", "Ben", "Chen", "Dara", "Émile", "Fatima", "Giulia", "Hiro", "Ines", "Jon")
_FAMILY: Final = ("Okafor", "Müller", "Tanaka", "Silva", "Nguyen", "O'Brien", "Haddad", "Kowalski")
_PRODUCTS: Final = (
    ("Consulting hours", "service"),
    ("Annual licence", "subscription"),
    ("Steel brackets M8", "goods"),
    ("Freight surcharge", "fee"),
    ("Support plan", "subscription"),
)


# -- argument handling -------------------------------------------------------------------------


def _strategy(value: object, default: st.SearchStrategy[Any]) -> Any:
    """A strategy for an argument given as ``None`` (default), a value, or a strategy."""
    if value is None:
        return default
    if isinstance(value, st.SearchStrategy):
        return value
    return st.just(value)


def _check_bool(name: str, value: object) -> None:
    if value is not None and not isinstance(value, bool):
        raise InvalidArgument(f"{name} must be True, False or None, got {value!r}")


def _check_status(status: object) -> None:
    if isinstance(status, str) and status not in INVOICE_STATUSES:
        raise InvalidArgument(f"status must be one of {INVOICE_STATUSES}, got {status!r}")


def _check_currency(code: object) -> None:
    if isinstance(code, str) and code not in CURRENCY_CODES:
        raise InvalidArgument(f"currency {code!r} is not one of the Stuut API's currency codes")


# -- scalars -----------------------------------------------------------------------------------


def currencies(*, exponent: int | Collection[int] | None = None) -> st.SearchStrategy[str]:
    """Currency codes of the Stuut API's list, optionally only of some exponent classes.

    ``currencies(exponent=0)`` gives zero-decimal codes (JPY, KRW, ...), ``exponent=3``
    three-decimal ones (BHD, KWD, ...), ``exponent=(0, 3)`` both. Shrinks towards the first
    code of the list.
    """
    wanted = None if exponent is None else {exponent} if isinstance(exponent, int) else exponent
    codes = [c for c in CURRENCY_CODES if wanted is None or _exponent_of(c) in wanted]
    if not codes:
        raise InvalidArgument(f"no currency has exponent {exponent!r}")
    return st.sampled_from(codes)


def _exponent_of(code: str) -> int:
    return exponent(code)


def moneys(
    *,
    currency: str | st.SearchStrategy[str] | None = None,
    min_value: int | None = None,
    max_value: int | None = None,
) -> st.SearchStrategy[Money]:
    """:class:`~stuut_domain.money.Money` in ``currency`` (default: any code) between bounds.

    ``min_value`` and ``max_value`` are in minor units and default to ∓(2**53 − 1), the range
    every JSON reader keeps exactly. Zero and negative amounts are included unless excluded by
    the bounds.
    """
    _check_currency(currency)
    low = -MAX_SAFE_MINOR_UNITS if min_value is None else min_value
    high = MAX_SAFE_MINOR_UNITS if max_value is None else max_value
    if low > high:
        raise InvalidArgument(f"min_value={low} is greater than max_value={high}")
    codes = _strategy(currency, currencies())
    return st.builds(Money, st.integers(low, high), codes)


@functools.cache
def _utc_instants() -> st.SearchStrategy[dt.datetime]:
    """UTC instants in 2018..2032, with microseconds half the time (the API keeps them)."""
    return st.builds(
        lambda s, us: _FIRST_INSTANT + dt.timedelta(seconds=s, microseconds=us),
        st.integers(0, _WINDOW_SECONDS),
        st.sampled_from((0,)) | st.integers(0, 999_999),
    )


def _after(draw: st.DrawFn, instant: dt.datetime, max_days: int) -> dt.datetime:
    """An instant at or after ``instant``, at most ``max_days`` later."""
    return instant + dt.timedelta(seconds=draw(st.integers(0, max_days * _DAY)))


def _zone(name: str) -> dt.tzinfo:
    return dt.UTC if name == "UTC" else zoneinfo.ZoneInfo(name)


@functools.lru_cache(maxsize=128)
def _transitions(zone: dt.tzinfo, first_year: int, last_year: int) -> tuple[dt.datetime, ...]:
    """UTC instants in the years given at which ``zone``'s UTC offset changes (to the second).

    Scans in six-day steps (no zone changes offset twice within a week) and bisects each change.
    """

    def offset(at: dt.datetime) -> dt.timedelta | None:
        return at.astimezone(zone).utcoffset()

    found: list[dt.datetime] = []
    at = dt.datetime(first_year, 1, 1, tzinfo=_UTC)
    end = dt.datetime(last_year, 12, 31, tzinfo=_UTC)
    step = dt.timedelta(days=6)
    while at < end:
        probe = min(at + step, end)
        if offset(probe) == offset(at):
            at = probe
            continue
        low, high = at, probe
        while high - low > dt.timedelta(seconds=1):
            mid = (low + (high - low) / 2).replace(microsecond=0)
            if offset(mid) == offset(low):
                low = mid
            else:
                high = mid
        found.append(high)
        at = high
    return tuple(found)


_DST_NUDGES: Final = tuple(
    dt.timedelta(microseconds=us)
    for us in (0, -1, 1, -1_000_000, 1_000_000, -1_800_000_000, 1_800_000_000, 3_600_000_000)
)


def aware_datetimes(
    *,
    min_value: dt.datetime = _MIN_WALL_TIME,
    max_value: dt.datetime = _MAX_WALL_TIME,
    timezones: st.SearchStrategy[dt.tzinfo] | None = None,
) -> st.SearchStrategy[dt.datetime]:
    """Timezone-aware datetimes that like daylight-saving edges.

    ``min_value`` and ``max_value`` are naive wall-clock bounds, as in
    :func:`hypothesis.strategies.datetimes`. ``timezones`` defaults to the zones of
    :data:`TIME_ZONES`. About half the values sit at or near an instant at which the zone's
    UTC offset changes (exactly on it, a microsecond, a second, half an hour or an hour
    either side), so the repeated hour of a fall-back (``fold=1``) and the instants around a
    spring-forward gap come up often; the rest come from Hypothesis's own ``datetimes``.
    Every value is a real instant (no wall time inside a gap).
    """
    if min_value.tzinfo is not None or max_value.tzinfo is not None:
        raise InvalidArgument("min_value and max_value are naive wall-clock bounds")
    if min_value > max_value:
        raise InvalidArgument(f"min_value={min_value} is after max_value={max_value}")
    zones = (
        st.sampled_from([_zone(name) for name in TIME_ZONES]) if timezones is None else timezones
    )
    anywhere = st.datetimes(min_value, max_value, timezones=zones, allow_imaginary=False)
    return st.one_of(_near_offset_changes(min_value, max_value, zones, anywhere), anywhere)


@st.composite
def _near_offset_changes(
    draw: st.DrawFn,
    min_value: dt.datetime,
    max_value: dt.datetime,
    zones: st.SearchStrategy[dt.tzinfo],
    fallback: st.SearchStrategy[dt.datetime],
) -> dt.datetime:
    zone = draw(zones)
    changes = _transitions(zone, min_value.year, max_value.year)
    if not changes:
        return draw(fallback)
    change = draw(st.sampled_from(changes))
    nudge = draw(st.sampled_from(_DST_NUDGES) | st.integers(-7200, 7200).map(_seconds))
    value = (change + nudge).astimezone(zone)
    if not min_value <= value.replace(tzinfo=None) <= max_value:
        return draw(fallback)
    return value


def _seconds(n: int) -> dt.timedelta:
    return dt.timedelta(seconds=n)


_BOOLEANS: Final = st.booleans()
_ACCOUNT_NUMBERS: Final = st.integers(1000, 99999).map(str)
_PO_NUMBERS: Final = st.integers(1, 10**6).map("PO-{}".format)
_REFERENCES: Final = st.integers(10**5, 10**9).map(str)


def _maybe(draw: st.DrawFn, strategy: st.SearchStrategy[T]) -> T | None:
    """``None`` or a value of ``strategy`` (shrinks towards ``None``)."""
    return draw(strategy) if draw(_BOOLEANS) else None


@functools.cache
def _ids(prefix: str) -> st.SearchStrategy[str]:
    """Stuut-style ids: a resource prefix and 16 hex digits (``inv_00000000000004d2``)."""
    return st.integers(0, 2**64 - 1).map(lambda n: f"{prefix}_{n:016x}")


@functools.cache
def _words() -> st.SearchStrategy[str]:
    return st.sampled_from(("Net 30", "PO attached", "Q3 retainer", "")) | st.text(max_size=24)


@functools.cache
def _json_blobs() -> st.SearchStrategy[Any]:
    """Free-form JSON objects as the API's ``custom_fields``/``remote_metadata`` hold them."""
    scalars = st.none() | st.booleans() | st.integers(-(2**31), 2**31) | st.text(max_size=12)
    return st.none() | st.dictionaries(st.sampled_from(("erp", "region", "cost_center")), scalars)


@functools.cache
def _emails() -> st.SearchStrategy[str]:
    local = st.sampled_from(("ap", "billing", "finance", "ana.silva", "hiro.tanaka", "j.okafor"))
    domain = st.sampled_from(("acme.example", "globex.example", "initech.example", "kk.example"))
    return st.builds("{}@{}".format, local, domain)


@functools.cache
def _phones() -> st.SearchStrategy[str]:
    return st.integers(2_000_000, 9_999_999).map(
        lambda n: f"+1 415 {n // 10_000:03d} {n % 10_000:04d}"
    )


# -- nested values -----------------------------------------------------------------------------


@functools.cache
@st.composite
def _users(draw: st.DrawFn) -> User:
    created = draw(_utc_instants())
    given, family = draw(st.sampled_from(_GIVEN)), draw(st.sampled_from(_FAMILY))
    return User(
        email=draw(_emails()),
        family_name=family,
        given_name=given,
        object="user",
        organization_id=draw(_ids("org")),
        id=draw(_ids("usr")),
        created_at=created,
        modified_at=_after(draw, created, 400),
        name=f"{given} {family}",
        is_org_admin=draw(st.booleans()),
    )


@functools.cache
@st.composite
def _addresses(draw: st.DrawFn) -> Address:
    created = draw(_utc_instants())
    return Address(
        object="address",
        city=draw(st.sampled_from(("Rotterdam", "Osaka", "Manama", "Austin", "Kathmandu"))),
        country=draw(st.sampled_from(("NL", "JP", "BH", "US", "NP"))),
        created_at=created,
        line1=draw(st.sampled_from(("1 Harbour Way", "2-3-1 Umeda", "Road 3803"))),
        modified_at=_after(draw, created, 400),
        postal_code=draw(st.sampled_from(("3011 AA", "530-0001", "78701", None))),
        type=draw(st.sampled_from(("billing", "shipping", None))),
    )


def contacts(
    *,
    partner_id: str | st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Contact]:
    """Contacts of a partner (``partner_id`` defaults to a generated id).

    Roles are drawn from ``billing_contact``, ``primary_contact``, ``accounts_payable`` and
    none; email or phone outreach is disabled for some. Dates are in order
    (``created_at <= modified_at``).
    """
    return _contacts(_strategy(partner_id, _ids("ptn")))


@st.composite
def _contacts(draw: st.DrawFn, partner_ids: st.SearchStrategy[str]) -> Contact:
    return _contact(draw, draw(partner_ids))


def _contact(draw: st.DrawFn, partner_id: str) -> Contact:
    created = draw(_utc_instants())
    given, family = draw(st.sampled_from(_GIVEN)), draw(st.sampled_from(_FAMILY))
    return Contact(
        email=draw(_emails()),
        object="contact",
        partner_id=partner_id,
        id=draw(_ids("ctc")),
        created_at=created,
        external_role=draw(
            st.sampled_from(("billing_contact", "primary_contact", "accounts_payable", None))
        ),
        family_name=family,
        given_name=given,
        internal_role=draw(st.sampled_from(("account_manager", None))),
        is_email_disabled=draw(st.booleans()),
        is_phone_disabled=draw(st.booleans()),
        is_primary=False,
        job_title=draw(st.sampled_from(("AP clerk", "Controller", "CFO", None))),
        modified_at=_after(draw, created, 400),
        name=f"{given} {family}",
        phone=_maybe(draw, _phones()),
        remote_id=_maybe(draw, _ids("erp")),
    )


def partners(
    *,
    currency: str | st.SearchStrategy[str] | None = None,
    timezone: str | st.SearchStrategy[str | None] | None = None,
    min_contacts: int = 1,
    max_contacts: int = 4,
) -> st.SearchStrategy[Partner]:
    """Partners (customers) with between ``min_contacts`` and ``max_contacts`` contacts.

    Every contact's ``partner_id`` is the partner's ``id`` and exactly one contact is primary
    (when there is any). ``timezone`` defaults to one of :data:`TIME_ZONES` or none;
    ``invoice_balance`` and ``total_overdue`` are in the partner's ``currency`` with
    ``0 <= total_overdue <= invoice_balance``.
    """
    _check_currency(currency)
    if not 0 <= min_contacts <= max_contacts:
        raise InvalidArgument(
            f"need 0 <= min_contacts <= max_contacts, got {min_contacts}..{max_contacts}"
        )
    return _partners(
        _strategy(currency, currencies()),
        _strategy(timezone, st.none() | st.sampled_from(TIME_ZONES)),
        min_contacts,
        max_contacts,
    )


@st.composite
def _partners(
    draw: st.DrawFn,
    codes: st.SearchStrategy[str],
    zones: st.SearchStrategy[str | None],
    min_contacts: int,
    max_contacts: int,
) -> Partner:
    partner_id = draw(_ids("ptn"))
    code = draw(codes)
    created = draw(_utc_instants())
    people = [
        _contact(draw, partner_id) for _ in range(draw(st.integers(min_contacts, max_contacts)))
    ]
    if people:
        people[0] = attrs.evolve(people[0], is_primary=True, is_primary_email=True)
    balance = draw(st.integers(0, 10**7 * 10 ** _exponent_of(code)))
    name = draw(st.sampled_from(_COMPANIES))
    last_outreach = _after(draw, created, 300) if draw(_BOOLEANS) else None
    return Partner(
        id=partner_id,
        account_number=_maybe(draw, _ACCOUNT_NUMBERS),
        assignee=_maybe(draw, _users()),
        billing_address=_maybe(draw, _addresses()),
        contacts=tuple(people),
        created_at=created,
        currency=code,
        custom_fields=draw(_json_blobs()),
        email=draw(_emails()),
        invoice_prefix=draw(st.sampled_from(("INV", "AC", "GLX", None))),
        is_active=draw(st.booleans()),
        is_call_outreach_manually_paused=draw(st.booleans()),
        is_company=True,
        is_email_outreach_manually_paused=draw(st.booleans()),
        last_outreach_at=last_outreach,
        last_outreach_channel=None
        if last_outreach is None
        else draw(st.sampled_from(("email", "call"))),
        legal_name=name,
        modified_at=_after(draw, last_outreach or created, 200),
        name=name,
        object="partner",
        phone=_maybe(draw, _phones()),
        remote_id=_maybe(draw, _ids("erp")),
        sync_status=draw(st.sampled_from(("synced", "partial", "syncing", "failed", None))),
        timezone=draw(zones),
        invoice_balance=Money(balance, code),
        num_open_invoices=draw(st.integers(0, 50)),
        total_overdue=Money(draw(st.integers(0, balance)), code),
        type="customer",
    )


def workflows(
    *,
    timezone: str | st.SearchStrategy[str | None] | None = None,
) -> st.SearchStrategy[Workflow]:
    """Outreach workflows: a non-empty set of active weekdays and a window start < end.

    ``active_days`` are Python weekday numbers (0 = Monday), sorted and distinct; the window
    bounds are ``"HH:MM"`` on the quarter hour; ``timezone`` defaults to one of
    :data:`TIME_ZONES`.
    """
    return _workflows(_strategy(timezone, st.sampled_from(TIME_ZONES)))


@st.composite
def _workflows(draw: st.DrawFn, zones: st.SearchStrategy[str | None]) -> Workflow:
    created = draw(_utc_instants())
    days = draw(st.sets(st.integers(0, 6), min_size=1))
    start = draw(st.integers(0, 94))
    end = draw(st.integers(start + 1, 95))
    return Workflow(
        id=draw(_ids("wfl")),
        active_days=tuple(sorted(days)),
        created_at=created,
        email_sender_id=_maybe(draw, _ids("sndr")),
        is_active=draw(st.booleans()),
        is_call_on_weekend_enabled=draw(st.booleans()),
        modified_at=_after(draw, created, 400),
        name=draw(st.sampled_from(("Standard dunning", "Key accounts", "APAC gentle"))),
        object="workflow",
        outreach_window_end=_quarter(end),
        outreach_window_start=_quarter(start),
        pending_run_strategy=draw(st.sampled_from(("immediate", "next_window", None))),
        test_email=_maybe(draw, _emails()),
        test_phone_number=_maybe(draw, _phones()),
        timezone=draw(zones),
    )


def _quarter(n: int) -> str:
    return f"{n // 4:02d}:{n % 4 * 15:02d}"


# -- money-bearing aggregates ------------------------------------------------------------------


def _major(code: str, units: int) -> int:
    """``units`` major units of ``code`` in minor units (the scale amounts are drawn at)."""
    scale: int = 10 ** _exponent_of(code)
    return units * scale


def line_items(
    *,
    currency: str | st.SearchStrategy[str] | None = None,
    invoice_id: str | st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[LineItem]:
    """Priced line items: ``total_amount = quantity × unit_amount − total_discount + total_tax``.

    Quantities are exact decimals (whole, halves, quarters, tenths) and the unit amount is
    chosen so that the product is a whole number of minor units; the discount never exceeds
    half the gross amount. Everything is in ``currency``.
    """
    _check_currency(currency)
    return _line_items(_strategy(currency, currencies()), _strategy(invoice_id, _ids("inv")))


@st.composite
def _line_items(
    draw: st.DrawFn, codes: st.SearchStrategy[str], invoice_ids: st.SearchStrategy[str]
) -> LineItem:
    return _line_item(draw, code=draw(codes), invoice_id=draw(invoice_ids), number=1, created=None)


_DENOMINATORS: Final = st.sampled_from((1, 1, 2, 4, 10))


def _line_item(
    draw: st.DrawFn, *, code: str, invoice_id: str, number: int, created: dt.datetime | None
) -> LineItem:
    created_at = draw(_utc_instants()) if created is None else created
    denominator = draw(_DENOMINATORS)
    quantity = Decimal(draw(st.integers(1, 400))) / denominator
    unit = denominator * draw(st.integers(1, max(1, _major(code, 100_000) // denominator)))
    gross = int(quantity * unit)
    name, product_type = draw(st.sampled_from(_PRODUCTS))
    period_start = (
        created_at - dt.timedelta(days=draw(st.integers(0, 60))) if draw(_BOOLEANS) else None
    )
    return priced_line_item(
        invoice_id=invoice_id,
        currency=code,
        quantity=quantity,
        unit_amount=unit,
        discount=draw(st.integers(0, gross // 2)),
        tax=draw(st.integers(0, gross // 4)),
        object="line_item",
        remote_id=draw(_ids("erp")),
        created_at=created_at,
        description=_maybe(draw, _words()),
        line_number=number,
        modified_at=_after(draw, created_at, 30),
        name=name,
        period_start_date=period_start,
        period_end_date=None if period_start is None else _after(draw, period_start, 60),
        product_type=product_type,
    )


def invoices(
    *,
    currency: str | st.SearchStrategy[str] | None = None,
    status: str | st.SearchStrategy[str] | None = None,
    with_payments: bool | None = None,
    with_line_items: bool | None = None,
    partner: Partner | st.SearchStrategy[Partner | None] | None = None,
) -> st.SearchStrategy[Invoice]:
    """Invoices that satisfy every invariant of DESIGN §4 by construction.

    * ``currency``: a code or a strategy of codes (default :func:`currencies`).
    * ``status``: one of :data:`INVOICE_STATUSES` or a strategy of them (default any).
    * ``with_payments``: ``True`` for at least one allocation in ``payments``, ``False`` for
      none, ``None`` for either. ``paid`` and ``partially_paid`` need payments; ``draft`` and
      ``void`` never have any (a contradiction raises ``InvalidArgument``).
    * ``with_line_items``: the same for ``line_items``; with lines, the invoice's subtotal,
      discount and tax are the sums over its lines.
    * ``partner``: a :class:`~stuut_domain.partner.Partner` to embed, or a strategy of
      partners or ``None`` (default: a generated partner or none); ``partner_id`` matches.

    Guarantees: ``total_amount = subtotal − total_discount + total_tax > 0``; ``amount_paid``
    is the sum of the approved allocations and ``amount_due = total_amount − amount_paid``;
    pending (unapproved) allocations never exceed the amount due; every amount is in the
    invoice's currency; ``paid_at`` is set exactly when the invoice is fully paid; a void or
    draft invoice has no payments; timestamps are UTC and in order (created ≤ issued ≤ due,
    issued ≤ every payment ≤ paid_at ≤ modified_at, period start ≤ end).
    """
    _check_currency(currency)
    _check_status(status)
    _check_bool("with_payments", with_payments)
    _check_bool("with_line_items", with_line_items)
    if isinstance(status, str):
        if with_payments is True and status in _NO_PAYMENTS:
            raise InvalidArgument(
                f"a {status} invoice has no payments; with_payments=True contradicts it"
            )
        if with_payments is False and status in _NEED_PAYMENTS:
            raise InvalidArgument(
                f"a {status} invoice needs payments; with_payments=False contradicts it"
            )
    if status is None:
        statuses: Collection[str] = INVOICE_STATUSES
        if with_payments is True:
            statuses = [s for s in INVOICE_STATUSES if s not in _NO_PAYMENTS]
        elif with_payments is False:
            statuses = [s for s in INVOICE_STATUSES if s not in _NEED_PAYMENTS]
        status_strategy: st.SearchStrategy[str] = st.sampled_from(list(statuses))
    else:
        status_strategy = _strategy(status, st.nothing())
    if partner is None:
        partner_strategy: st.SearchStrategy[Partner | None] = st.none() | partners()
    else:
        partner_strategy = _strategy(partner, st.none())
    return _invoices(
        codes=_strategy(currency, currencies()),
        statuses=status_strategy,
        with_payments=with_payments,
        with_line_items=with_line_items,
        partners_=partner_strategy,
    )


@st.composite
def _invoices(
    draw: st.DrawFn,
    *,
    codes: st.SearchStrategy[str],
    statuses: st.SearchStrategy[str],
    with_payments: bool | None,
    with_line_items: bool | None,
    partners_: st.SearchStrategy[Partner | None],
) -> Invoice:
    code = draw(codes)
    status = draw(statuses)
    if status not in INVOICE_STATUSES:
        raise InvalidArgument(f"the status strategy drew {status!r}, not one of {INVOICE_STATUSES}")
    if (with_payments is True and status in _NO_PAYMENTS) or (
        with_payments is False and status in _NEED_PAYMENTS
    ):
        reject()
    invoice_id = draw(_ids("inv"))
    partner = draw(partners_)
    partner_id = draw(_ids("ptn")) if partner is None or partner.id is None else partner.id
    created = draw(_utc_instants())
    issued = None if status == "draft" else _after(draw, created, 20)
    due = (
        None
        if issued is None
        else issued + dt.timedelta(days=draw(st.sampled_from((0, 14, 30, 45, 60, 90))))
    )

    lines: list[LineItem] = []
    if with_line_items or (with_line_items is None and draw(st.booleans())):
        count = draw(st.integers(1, 5))
        lines = [
            _line_item(draw, code=code, invoice_id=invoice_id, number=n, created=created)
            for n in range(1, count + 1)
        ]
        totals = InvoiceTotals.of_lines(code, lines)
    else:
        subtotal = draw(st.integers(1, _major(code, 1_000_000)))
        totals = InvoiceTotals(
            subtotal=Money(subtotal, code),
            discount=Money(draw(st.integers(0, subtotal // 2)), code),
            tax=Money(draw(st.integers(0, subtotal // 4)), code),
        )
    total = totals.total.minor_units

    approved_total, pending_total = _payment_plan(draw, status, total, with_payments)
    allocations = [
        *_allocations(
            draw,
            invoice_id=invoice_id,
            partner_id=partner_id,
            code=code,
            amount=approved_total,
            after=issued,
            approved=True,
        ),
        *_allocations(
            draw,
            invoice_id=invoice_id,
            partner_id=partner_id,
            code=code,
            amount=pending_total,
            after=issued,
            approved=False,
        ),
    ]
    voided = _after(draw, issued, 60) if status == "void" and issued else None
    uncollectible = _after(draw, due, 180) if status == "uncollectible" and due else None
    open_ = status in ("open", "partially_paid", "uncollectible")
    promised = None
    if status in ("open", "partially_paid") and due is not None and draw(st.booleans()):
        promised = (due + dt.timedelta(days=draw(st.integers(-10, 45)))).date()
        promised = max(promised, issued.date()) if issued else promised
    last_outreach = _after(draw, issued, 120) if issued and draw(st.booleans()) else None
    remote_created = created - dt.timedelta(seconds=draw(st.integers(0, 30 * _DAY)))
    period_start = (
        created - dt.timedelta(days=draw(st.integers(0, 90))) if draw(_BOOLEANS) else None
    )
    prefix = draw(st.sampled_from(("INV", "AC", "GLX")))
    number = f"{prefix}-{created.year}-{draw(st.integers(1, 99999)):05d}"
    return settled_invoice(
        currency=code,
        totals=totals,
        line_items=lines,
        payments=allocations,
        object="invoice",
        remote_id=draw(_ids("erp")),
        id=invoice_id,
        assignee=_maybe(draw, _users()),
        billing_address=_maybe(draw, _addresses()),
        billing_email=_maybe(draw, _emails()),
        created_at=created,
        custom_fields=draw(_json_blobs()),
        due_date=due,
        in_dispute=open_ and draw(st.booleans()),
        is_issued_email_sent=issued is not None and draw(st.booleans()),
        issued_at=issued,
        last_outreach_at=last_outreach,
        last_outreach_channel=None
        if last_outreach is None
        else draw(st.sampled_from(("email", "call"))),
        last_outreach_to=None if last_outreach is None else draw(_emails()),
        last_synced_at=_after(draw, created, 30),
        marked_uncollectible_at=uncollectible,
        memo=_maybe(draw, _words()),
        modified_at=_after(draw, created, 30),
        number=number,
        partner=partner,
        partner_id=partner_id,
        period_end_date=None if period_start is None else _after(draw, period_start, 31),
        period_start_date=period_start,
        promised_to_pay_date=promised,
        purchase_order_number=_maybe(draw, _PO_NUMBERS),
        remote_created_at=remote_created,
        remote_metadata=draw(_json_blobs()),
        remote_modified_at=_after(draw, remote_created, 60),
        remote_partner_id=_maybe(draw, _ids("erp")),
        remote_payment_status=_remote_payment_status(status, pending_total),
        status=status,
        sync_status=draw(st.sampled_from(("synced", "partial", "syncing", "failed", None))),
        type=draw(st.sampled_from(("receivable", "receivable", "payable"))),
        voided_at=voided,
    )


def _remote_payment_status(status: str, pending_total: int) -> str | None:
    if status == "paid":
        return "completed"
    return "processing" if pending_total else None


def _payment_plan(
    draw: st.DrawFn, status: str, total: int, with_payments: bool | None
) -> tuple[int, int]:
    """(approved total, pending total) in minor units for an invoice of ``status``."""
    if status in _NO_PAYMENTS or with_payments is False:
        return 0, 0
    if status == "paid":
        return total, 0
    if status == "partially_paid":
        if total < 2:
            reject()
        approved = draw(st.integers(1, total - 1))
    elif status == "uncollectible":
        approved = draw(st.integers(0, total - 1))
    else:  # open
        approved = 0
    room = total - approved
    if with_payments and approved == 0:
        return 0, draw(st.integers(1, room))
    pending = draw(st.integers(0, room)) if draw(st.booleans()) else 0
    return approved, pending


def _allocations(
    draw: st.DrawFn,
    *,
    invoice_id: str,
    partner_id: str,
    code: str,
    amount: int,
    after: dt.datetime | None,
    approved: bool,
) -> list[PaymentAllocation]:
    """Allocations of payments to one invoice summing exactly to ``amount`` minor units."""
    if amount == 0 or after is None:
        return []
    count = draw(st.integers(1, min(3, amount)))
    ratios = draw(st.lists(st.integers(1, 9), min_size=count, max_size=count))
    parts = [p for p in allocate(Money(amount, code), ratios) if p.is_positive()]
    result = []
    for part in parts:
        payment = _embedded_payment(draw, code, partner_id, part, after)
        created = _after(draw, payment.timestamp or after, 5)
        approved_at = _after(draw, created, 5) if approved else None
        result.append(
            PaymentAllocation(
                amount=part,
                invoice_id=invoice_id,
                object="payment_allocation",
                payment_id=payment.id or "",
                strategy=draw(st.sampled_from(("automatic", "manual"))),
                id=draw(_ids("pal")),
                agent_confidence_score=draw(st.sampled_from((0.97, 0.85, 0.42, None))),
                approved=approved,
                approved_at=approved_at,
                approver_id=draw(_ids("usr")) if approved else None,
                created_at=created,
                modified_at=approved_at or created,
                payment=payment,
                remote_id=draw(st.none() | _ids("erp")) if approved else None,
            )
        )
    return result


def _embedded_payment(
    draw: st.DrawFn, code: str, partner_id: str, covers: Money, after: dt.datetime
) -> Payment:
    """The payment an allocation embeds: in the invoice's currency, at least ``covers``."""
    at = _after(draw, after, 120)
    return Payment(
        id=draw(_ids("pay")),
        amount=covers + Money(draw(st.integers(0, covers.minor_units)), code),
        amount_refunded=Money.zero(code),
        created_at=at,
        currency=code,
        currency_rate=Decimal(1),
        modified_at=_after(draw, at, 5),
        object="payment",
        partner_id=partner_id,
        payment_method=draw(st.sampled_from(("ach", "wire", "check", "card"))),
        reference_number=_maybe(draw, _REFERENCES),
        status=draw(st.sampled_from(("matched", "pending_match"))),
        timestamp=at,
    )


def payments(
    *,
    currency: str | st.SearchStrategy[str] | None = None,
    min_allocations: int = 0,
    max_allocations: int = 3,
) -> st.SearchStrategy[Payment]:
    """Payments whose allocations conserve money.

    The allocations (each to a distinct invoice in the payment's ``currency``, with the short
    invoice embedded) sum to at most ``amount − amount_refunded``; the rest is unapplied
    credit. Amounts are positive; ``0 <= amount_refunded <= amount / 4``. Some allocations
    are approved, others pending with a lower agent confidence.
    """
    _check_currency(currency)
    if not 0 <= min_allocations <= max_allocations:
        raise InvalidArgument(
            "need 0 <= min_allocations <= max_allocations, "
            f"got {min_allocations}..{max_allocations}"
        )
    return _payments(_strategy(currency, currencies()), min_allocations, max_allocations)


@st.composite
def _payments(
    draw: st.DrawFn, codes: st.SearchStrategy[str], min_allocations: int, max_allocations: int
) -> Payment:
    code = draw(codes)
    count = draw(st.integers(min_allocations, max_allocations))
    amount = draw(st.integers(max(1, count), _major(code, 1_000_000)))
    refunded = draw(st.integers(0, amount // 4))
    applied = draw(st.integers(count, amount - refunded)) if count else 0
    payment_id = draw(_ids("pay"))
    partner_id = draw(_ids("ptn"))
    at = draw(_utc_instants())
    allocations = []
    if count:
        ratios = draw(st.lists(st.integers(1, 9), min_size=count, max_size=count))
        for part in allocate(Money(applied, code), ratios):
            invoice_id = draw(_ids("inv"))
            approved = draw(st.booleans())
            created = _after(draw, at, 5)
            approved_at = _after(draw, created, 5) if approved else None
            allocations.append(
                PaymentAllocation(
                    amount=part,
                    invoice_id=invoice_id,
                    object="payment_allocation",
                    payment_id=payment_id,
                    strategy=draw(st.sampled_from(("automatic", "manual"))),
                    id=draw(_ids("pal")),
                    agent_confidence_score=0.95 if approved else draw(st.sampled_from((0.35, 0.6))),
                    agent_uncertainties=() if approved else ("remittance names two invoices",),
                    approved=approved,
                    approved_at=approved_at,
                    approver_id=draw(_ids("usr")) if approved else None,
                    created_at=created,
                    invoice=AllocatedInvoice(
                        amount_due=Money(draw(st.integers(0, _major(code, 100_000))), code),
                        currency=code,
                        id=invoice_id,
                        amount_paid=part if approved else Money.zero(code),
                        due_date=at - dt.timedelta(days=draw(st.integers(-30, 90))),
                        number=f"INV-{draw(st.integers(1, 99999)):05d}",
                    ),
                    modified_at=approved_at or created,
                )
            )
    return Payment(
        id=payment_id,
        allocations=tuple(allocations),
        amount=Money(amount, code),
        amount_refunded=Money(refunded, code),
        created_at=at,
        currency=code,
        currency_rate=Decimal(1),
        modified_at=latest(at, *(a.modified_at for a in allocations)),
        object="payment",
        partner_id=partner_id,
        payment_method=draw(st.sampled_from(("ach", "wire", "check", "card"))),
        reference_number=_maybe(draw, _REFERENCES),
        status="pending_match" if any(not a.approved for a in allocations) else "matched",
        timestamp=at,
    )


# -- wire payloads -----------------------------------------------------------------------------


def stuut_json_invoices(**invoice_options: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Raw invoice payloads as ``GET /v1/invoices/{id}`` returns them (parsed JSON objects).

    Built from :func:`invoices` (the keyword arguments are passed on) and rendered to the wire
    independently of the codec: amounts as integer minor units, UTC timestamps as ISO 8601 with
    ``Z`` (microseconds only when non-zero), dates as ``YYYY-MM-DD``, every key present (absent
    values as ``null``).
    """
    return invoices(**invoice_options).map(_wire)


def _wire(value: Any) -> Any:
    """The Stuut JSON value of a model value (see :func:`stuut_json_invoices`)."""
    if attrs.has(type(value)):
        return {f.name: _wire(getattr(value, f.name)) for f in attrs.fields(type(value))}
    if isinstance(value, Money):
        return value.minor_units
    if isinstance(value, dt.datetime):
        text = value.astimezone(_UTC).isoformat()
        return text.removesuffix("+00:00") + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, tuple):
        return [_wire(v) for v in value]
    return value
