"""The partner: the customer an invoice is issued to, with its contacts, AP portals and tags.

A partner is whom accounts receivable collects from. Outreach goes to its contacts unless it is
paused (``is_email_outreach_manually_paused``, ``is_call_outreach_manually_paused``) or the
channel is disabled; invoices may have to be submitted through the partner's AP portals.
Field names and order follow the partner embedded in an invoice (``GET /v1/invoices/{id}``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping
from typing import TypeAlias

import attrs

from stuut_domain.address import Address, ContactAddress
from stuut_domain.display import compact, short_repr
from stuut_domain.integration import LinkedIntegration
from stuut_domain.money import Money
from stuut_domain.types import JSON, OutreachChannel, Sourced, SyncStatus
from stuut_domain.user import User
from stuut_domain.validators import aware, currency_code, own_currency, zone_named

__all__ = [
    "ApPortal",
    "ApPortalAccount",
    "Contact",
    "Partner",
    "PartnerTag",
    "Partners",
    "Tag",
    "partners_by_id",
]


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class ApPortalAccount(Sourced):
    """The organisation's login on an AP portal provider (e.g. Coupa), shared by its portals.

    ``available_operations`` is what the login may do on the provider (free-form JSON).
    """

    object: str
    organization_id: str
    provider: str
    id: str | None = None
    available_operations: JSON = None
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class ApPortal(Sourced):
    """A partner's accounts-payable portal: where invoices are submitted and reports fetched.

    Submission happens only when ``is_enabled`` and ``is_invoice_submission_enabled``; the
    partner's ``invoice_submission_guidelines`` say how.
    """

    object: str
    partner_id: str
    id: str | None = None
    account: ApPortalAccount | None = None
    account_id: str | None = None
    account_key: str | None = None
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    customer_identifier: str | None = None
    customer_name: str | None = None
    invoice_submission_guidelines: str | None = None
    is_enabled: bool | None = None
    is_invoice_submission_enabled: bool | None = None
    is_report_download_enabled: bool | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    name: str | None = None
    provider: str | None = None
    report_email: str | None = None
    report_frequency: str | None = None


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Tag(Sourced):
    """A label the organisation puts on partners, by hand or by its ``rule_condition``."""

    name: str
    object: str
    id: str | None = None
    color: str | None = None
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    rule_condition: JSON = None


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class PartnerTag(Sourced):
    """A tag on one partner; ``is_manual`` tells a hand-set tag from one a rule applied.

    The link has no ``id`` of its own: it is identified by ``(partner_id, tag_id)``.
    """

    object: str
    partner_id: str
    tag_id: str
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    is_manual: bool | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    tag: Tag | None = None


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Contact(Sourced):
    """A person at the partner whom outreach may address.

    A contact is skipped for email (phone) outreach when ``is_email_disabled``
    (``is_phone_disabled``); ``is_primary*`` pick the default recipient. ``external_role`` is
    the role at the partner (e.g. ``billing_contact``), ``internal_role`` the organisation-side
    role (e.g. ``account_manager``): both stay ``str``, the API shows one example each.
    """

    email: str
    object: str
    partner_id: str
    id: str | None = None
    address: Address | None = None
    address_id: int | None = None
    addresses: tuple[ContactAddress, ...] = ()
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    custom_fields: JSON = None
    external_role: str | None = None
    family_name: str | None = None
    given_name: str | None = None
    internal_role: str | None = None
    is_email_disabled: bool | None = None
    is_phone_disabled: bool | None = None
    is_primary: bool | None = None
    is_primary_email: bool | None = None
    is_primary_phone: bool | None = None
    job_title: str | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    name: str | None = None
    phone: str | None = None
    remote_created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    remote_id: str | None = None
    remote_metadata: JSON = None
    remote_modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    status_metadata: JSON = None


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class Partner(Sourced):
    """A customer of the organisation: the party that owes the invoices issued to it.

    Every field may be absent (the embedded partner lists no required key). ``currency`` is
    the partner's default currency; ``invoice_balance`` and ``total_overdue`` are in it
    (refused with :class:`~stuut_domain.errors.CurrencyMismatch` otherwise). Outreach to the
    partner stops while ``is_email_outreach_manually_paused`` / ``is_call_outreach_manually_paused``
    is set. The last six fields come from the full v1 Partner and are absent when embedded.
    """

    id: str | None = None
    account_number: str | None = None
    ap_portals: tuple[ApPortal, ...] = ()
    assignee: User | None = None
    assignee_id: str | None = None
    billing_address: Address | None = None
    billing_address_id: int | None = None
    contacts: tuple[Contact, ...] = ()
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    currency: str | None = attrs.field(default=None, validator=currency_code)
    custom_fields: JSON = None
    description: str | None = None
    email: str | None = None
    family_name: str | None = None
    finix_identity_id: str | None = None
    given_name: str | None = None
    invoice_prefix: str | None = None
    is_active: bool | None = None
    is_call_outreach_manually_paused: bool | None = None
    is_company: bool | None = None
    is_email_disabled: bool | None = None
    is_email_outreach_manually_paused: bool | None = None
    is_phone_disabled: bool | None = None
    is_primary_email: bool | None = None
    is_primary_phone: bool | None = None
    last_outreach_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    last_outreach_channel: OutreachChannel | None = None
    last_outreach_to: str | None = None
    last_synced_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    legal_name: str | None = None
    linked_integration: LinkedIntegration | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    name: str | None = None
    object: str | None = None
    on_behalf_of: str | None = None
    on_behalf_of_phone: str | None = None
    organization_id: str | None = None
    parent_id: str | None = None
    phone: str | None = None
    remote_created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    remote_id: str | None = None
    remote_metadata: JSON = None
    remote_modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    remote_parent_id: str | None = None
    remote_payment_portal_url: str | None = None
    shipping_address: Address | None = None
    status_metadata: JSON = None
    sync_status: SyncStatus | None = None
    tags: tuple[PartnerTag, ...] = ()
    tax_number: str | None = None
    timezone: str | None = None
    # Full v1 Partner only (not in the embedded example), in the v1 docs' order.
    invoice_balance: Money | None = attrs.field(default=None, validator=own_currency)
    is_contact_enrichment_enabled: bool | None = None
    last_inbound_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    num_open_invoices: int | None = None
    total_overdue: Money | None = attrs.field(default=None, validator=own_currency)
    type: str | None = None

    @property
    def zone(self) -> zoneinfo.ZoneInfo | None:
        """The partner's IANA time zone, for outreach windows and local due dates.

        ``None`` when ``timezone`` is absent or empty; raises
        :class:`~stuut_domain.errors.UnknownTimeZone` when the name is not known here (the
        wire value is kept as sent and never refused at decoding).
        """
        return zone_named(self.timezone or None)

    def __repr__(self) -> str:
        return short_repr(
            "Partner",
            id=self.id,
            name=self.name,
            currency=self.currency,
            invoice_balance=self.invoice_balance,
            total_overdue=self.total_overdue,
        )


#: Partners as a caller holds them: by id, as any iterable, or not at all.
Partners: TypeAlias = Mapping[str, Partner] | Iterable[Partner] | None


def partners_by_id(partners: Partners) -> dict[str, Partner]:
    """The partners keyed by id: a mapping is taken as is, partners without an id are left out.

    Reports and the simulator look a partner up by ``invoice.partner_id``; an unknown id is
    simply absent (the invoice then reads without its partner), never an error.
    """
    if partners is None:
        return {}
    if isinstance(partners, Mapping):
        return dict(partners)
    return {p.id: p for p in partners if p.id is not None}
