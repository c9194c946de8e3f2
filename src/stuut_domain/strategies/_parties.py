"""Strategies for the parties: users, addresses, contacts and partners (customers)."""

from __future__ import annotations

import functools
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
    _emails,
    _ids,
    _json_blobs,
    _maybe,
    _phones,
)
from stuut_domain.strategies._money import _check_currency, _exponent_of, currencies
from stuut_domain.strategies._time import TIME_ZONES, _after, _utc_instants
from stuut_domain.types import OUTREACH_CHANNELS
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
        else draw(st.sampled_from(OUTREACH_CHANNELS)),
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
