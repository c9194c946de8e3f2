"""Strategies for the parties: users, addresses, contacts and partners (customers)."""

from __future__ import annotations

from typing import Final

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from stuut_domain.address import Address
from stuut_domain.money import Money
from stuut_domain.partner import Contact, Partner
from stuut_domain.strategies._arguments import _strategy
from stuut_domain.strategies._fields import (
    _BOOLEANS,
    _CONTACT_IDS,
    _EMAILS,
    _JSON_BLOBS,
    _ORGANIZATION_IDS,
    _PARTNER_IDS,
    _PHONES,
    _REMOTE_IDS,
    _USER_IDS,
    _maybe,
)
from stuut_domain.strategies._money import _check_currency, _exponent_of, currencies
from stuut_domain.strategies._time import _UTC_INSTANTS, TIME_ZONES, _after
from stuut_domain.types import OUTREACH_CHANNELS, OutreachChannel
from stuut_domain.user import User

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

_ACCOUNT_NUMBERS: Final = st.integers(1000, 99999).map(str)
_GIVEN_NAMES: Final = st.sampled_from(_GIVEN)
_FAMILY_NAMES: Final = st.sampled_from(_FAMILY)
_COMPANY_NAMES: Final = st.sampled_from(_COMPANIES)
_CITIES: Final = st.sampled_from(("Rotterdam", "Osaka", "Manama", "Austin", "Kathmandu"))
_COUNTRIES: Final = st.sampled_from(("NL", "JP", "BH", "US", "NP"))
_STREETS: Final = st.sampled_from(("1 Harbour Way", "2-3-1 Umeda", "Road 3803"))
_POSTAL_CODES: Final = st.sampled_from(("3011 AA", "530-0001", "78701", None))
_ADDRESS_TYPES: Final = st.sampled_from(("billing", "shipping", None))
_EXTERNAL_ROLES: Final = st.sampled_from(
    ("billing_contact", "primary_contact", "accounts_payable", None)
)
_INTERNAL_ROLES: Final = st.sampled_from(("account_manager", None))
_JOB_TITLES: Final = st.sampled_from(("AP clerk", "Controller", "CFO", None))
_INVOICE_PREFIXES: Final = st.sampled_from(("INV", "AC", "GLX", None))
_CHANNELS: Final[st.SearchStrategy[OutreachChannel]] = st.sampled_from(OUTREACH_CHANNELS)
_SYNC_STATUSES: Final = st.sampled_from(("synced", "partial", "syncing", "failed", None))
_OPEN_INVOICE_COUNTS: Final = st.integers(0, 50)
_MAYBE_ZONES: Final = st.none() | st.sampled_from(TIME_ZONES)


@st.composite
def _users(draw: st.DrawFn) -> User:
    created = draw(_UTC_INSTANTS)
    given, family = draw(_GIVEN_NAMES), draw(_FAMILY_NAMES)
    return User(
        email=draw(_EMAILS),
        family_name=family,
        given_name=given,
        object="user",
        organization_id=draw(_ORGANIZATION_IDS),
        id=draw(_USER_IDS),
        created_at=created,
        modified_at=_after(draw, created, 400),
        name=f"{given} {family}",
        is_org_admin=draw(_BOOLEANS),
    )


@st.composite
def _addresses(draw: st.DrawFn) -> Address:
    created = draw(_UTC_INSTANTS)
    return Address(
        object="address",
        city=draw(_CITIES),
        country=draw(_COUNTRIES),
        created_at=created,
        line1=draw(_STREETS),
        modified_at=_after(draw, created, 400),
        postal_code=draw(_POSTAL_CODES),
        type=draw(_ADDRESS_TYPES),
    )


_USERS: Final = _users()
_ADDRESSES: Final = _addresses()


def contacts(
    *,
    partner_id: str | st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Contact]:
    """Contacts of a partner (``partner_id`` defaults to a generated id).

    Roles are drawn from ``billing_contact``, ``primary_contact``, ``accounts_payable`` and
    none; email or phone outreach is disabled for some. Dates are in order
    (``created_at <= modified_at``).
    """
    return _contacts(_strategy(partner_id, _PARTNER_IDS))


@st.composite
def _contacts(draw: st.DrawFn, partner_ids: st.SearchStrategy[str]) -> Contact:
    return _contact(draw, draw(partner_ids))


def _contact(draw: st.DrawFn, partner_id: str) -> Contact:
    created = draw(_UTC_INSTANTS)
    given, family = draw(_GIVEN_NAMES), draw(_FAMILY_NAMES)
    return Contact(
        email=draw(_EMAILS),
        object="contact",
        partner_id=partner_id,
        id=draw(_CONTACT_IDS),
        created_at=created,
        external_role=draw(_EXTERNAL_ROLES),
        family_name=family,
        given_name=given,
        internal_role=draw(_INTERNAL_ROLES),
        is_email_disabled=draw(_BOOLEANS),
        is_phone_disabled=draw(_BOOLEANS),
        is_primary=False,
        job_title=draw(_JOB_TITLES),
        modified_at=_after(draw, created, 400),
        name=f"{given} {family}",
        phone=_maybe(draw, _PHONES),
        remote_id=_maybe(draw, _REMOTE_IDS),
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
        _strategy(timezone, _MAYBE_ZONES),
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
    partner_id = draw(_PARTNER_IDS)
    code = draw(codes)
    created = draw(_UTC_INSTANTS)
    count = draw(st.integers(min_contacts, max_contacts))
    # Distinct ids: a partner's contacts are told apart by id (consent, caps, recipients).
    ids = draw(st.lists(_CONTACT_IDS, min_size=count, max_size=count, unique=True))
    people = [attrs.evolve(_contact(draw, partner_id), id=contact_id) for contact_id in ids]
    if people:
        people[0] = attrs.evolve(people[0], is_primary=True, is_primary_email=True)
    balance = draw(st.integers(0, 10**7 * 10 ** _exponent_of(code)))
    name = draw(_COMPANY_NAMES)
    last_outreach = _after(draw, created, 300) if draw(_BOOLEANS) else None
    return Partner(
        id=partner_id,
        account_number=_maybe(draw, _ACCOUNT_NUMBERS),
        assignee=_maybe(draw, _USERS),
        billing_address=_maybe(draw, _ADDRESSES),
        contacts=tuple(people),
        created_at=created,
        currency=code,
        custom_fields=draw(_JSON_BLOBS),
        email=draw(_EMAILS),
        invoice_prefix=draw(_INVOICE_PREFIXES),
        is_active=draw(_BOOLEANS),
        is_call_outreach_manually_paused=draw(_BOOLEANS),
        is_company=True,
        is_email_outreach_manually_paused=draw(_BOOLEANS),
        last_outreach_at=last_outreach,
        last_outreach_channel=None if last_outreach is None else draw(_CHANNELS),
        legal_name=name,
        modified_at=_after(draw, last_outreach or created, 200),
        name=name,
        object="partner",
        phone=_maybe(draw, _PHONES),
        remote_id=_maybe(draw, _REMOTE_IDS),
        sync_status=draw(_SYNC_STATUSES),
        timezone=draw(zones),
        invoice_balance=Money(balance, code),
        num_open_invoices=draw(_OPEN_INVOICE_COUNTS),
        total_overdue=Money(draw(st.integers(0, balance)), code),
        type="customer",
    )
