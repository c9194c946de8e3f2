"""Postal addresses of customers and their contacts, where invoices are billed and goods shipped.

:class:`Address` is an invoice's or partner's ``billing_address``/``shipping_address`` and a
contact's main ``address``; :class:`ContactAddress` is one of a contact's ``addresses``, which
carries ``is_primary`` instead of a phone number and an ERP ``remote_id``.
"""

from __future__ import annotations

import datetime as dt

import attrs

from stuut_domain.display import compact
from stuut_domain.types import JSON, Sourced
from stuut_domain.validators import aware

__all__ = ["Address", "ContactAddress"]


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Address(Sourced):
    """A billing or shipping address synced from the ERP; only ``object`` is required.

    ``coordinates`` is free-form JSON (the API shows ``{}``); ``type`` is a free string.
    """

    object: str
    city: str | None = None
    coordinates: JSON = None
    country: str | None = None
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    description: str | None = None
    line1: str | None = None
    line2: str | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    name: str | None = None
    phone: str | None = None
    postal_code: str | None = None
    remote_id: str | None = None
    state: str | None = None
    type: str | None = None


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class ContactAddress(Sourced):
    """One of a customer contact's addresses; ``is_primary`` marks the one outreach uses.

    Unlike :class:`Address` it has an ``id`` and no ``phone`` or ``remote_id``.
    """

    object: str
    id: str | None = None
    city: str | None = None
    coordinates: JSON = None
    country: str | None = None
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    description: str | None = None
    is_primary: bool | None = None
    line1: str | None = None
    line2: str | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    name: str | None = None
    postal_code: str | None = None
    state: str | None = None
    type: str | None = None
