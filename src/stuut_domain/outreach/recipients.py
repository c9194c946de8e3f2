"""Whom outreach reaches: choosing a partner's recipients for a channel.

Rules, per channel (``email`` uses email addresses, ``call`` phone numbers):

* a partner whose channel is disabled (``is_email_disabled`` / ``is_phone_disabled``) gets no
  recipient on it at all, not even a fallback;
* a contact disabled for the channel is never chosen, nor one whose address is missing or not
  plausibly valid (an email needs ``local@domain.tld``; a phone 7–15 digits, an optional
  leading ``+``, and spaces, dots, dashes or parentheses between);
* billing contacts (``external_role`` containing "billing") and primaries
  (``is_primary_email`` / ``is_primary_phone`` or ``is_primary``) come first, billing before
  primary, then in the partner's order;
* email goes to every billing or primary contact (else to the first qualifying contact); a
  call goes to the single best-ranked number;
* only when no contact qualifies, the partner's own ``email`` / ``phone`` is the fallback, and
  the choice says so.
"""

from __future__ import annotations

import re
from typing import Literal

import attrs

from stuut_domain.partner import Contact, Partner
from stuut_domain.types import OutreachChannel

__all__ = ["Recipient", "RecipientChoice", "choose_recipients", "is_valid_email", "is_valid_phone"]

_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>.]+")
_PHONE = re.compile(r"\+?\d{7,15}")
_PHONE_PUNCTUATION = str.maketrans("", "", " ()-./")


def is_valid_email(value: str | None) -> bool:
    """Whether ``value`` looks like a deliverable address: ``local@domain.tld``, no spaces."""
    return value is not None and _EMAIL.fullmatch(value.strip()) is not None


def is_valid_phone(value: str | None) -> bool:
    """Whether ``value`` looks like a dialable number: 7–15 digits, optional leading ``+``."""
    return value is not None and _PHONE.fullmatch(value.translate(_PHONE_PUNCTUATION)) is not None


@attrs.frozen(kw_only=True, weakref_slot=False)
class Recipient:
    """One recipient of outreach: an email address or a phone number and where it came from.

    ``source`` is ``"contact"`` for a partner contact, ``"partner"`` for the partner's own
    address used as a fallback.
    """

    address: str
    channel: OutreachChannel
    source: Literal["contact", "partner"]
    contact_id: str | None = None
    name: str | None = None
    is_billing: bool = False
    is_primary: bool = False

    def __str__(self) -> str:
        tags = [
            t
            for t in (self.name, self.is_billing and "billing", self.is_primary and "primary")
            if t
        ]
        if self.source == "partner":
            tags.append("partner's own, fallback")
        return f"{self.address} ({', '.join(str(t) for t in tags)})" if tags else self.address


@attrs.frozen(kw_only=True, weakref_slot=False)
class RecipientChoice:
    """The recipients chosen for a channel, whether the partner fallback was used, and why
    each contact left out was skipped (``skipped``: one line per contact, for people)."""

    channel: OutreachChannel
    recipients: tuple[Recipient, ...]
    fallback: bool
    channel_disabled: bool
    skipped: tuple[str, ...] = ()


def _contact_name(contact: Contact) -> str | None:
    if contact.name:
        return contact.name
    parts = [p for p in (contact.given_name, contact.family_name) if p]
    return " ".join(parts) or None


def _is_billing(contact: Contact) -> bool:
    return contact.external_role is not None and "billing" in contact.external_role.lower()


def _contact_recipient(contact: Contact, order: int, channel: OutreachChannel) -> Recipient | str:
    """The contact as a recipient of ``channel``, or the reason it is skipped (for people)."""
    email = channel == "email"
    label = contact.id or contact.email or f"contact #{order + 1}"
    address = contact.email if email else contact.phone
    if contact.is_email_disabled if email else contact.is_phone_disabled:
        return f"{label}: {'email' if email else 'phone'} disabled for this contact"
    if not (is_valid_email(address) if email else is_valid_phone(address)):
        what = "email address" if email else "phone number"
        return f"{label}: no valid {what} ({address!r})"
    primary = bool(
        (contact.is_primary_email if email else contact.is_primary_phone) or contact.is_primary
    )
    return Recipient(
        address=str(address).strip(),
        channel=channel,
        source="contact",
        contact_id=contact.id,
        name=_contact_name(contact),
        is_billing=_is_billing(contact),
        is_primary=primary,
    )


def _tier(recipient: Recipient) -> int:
    """Billing contacts first, then primary ones, then the rest."""
    return 0 if recipient.is_billing else 1 if recipient.is_primary else 2


def choose_recipients(partner: Partner, channel: OutreachChannel) -> RecipientChoice:
    """The recipients of ``channel`` outreach to ``partner`` under the module's rules."""
    email = channel == "email"
    if partner.is_email_disabled if email else partner.is_phone_disabled:
        return RecipientChoice(
            channel=channel, recipients=(), fallback=False, channel_disabled=True
        )
    ranked: list[tuple[int, int, Recipient]] = []
    skipped: list[str] = []
    for order, contact in enumerate(partner.contacts):
        found = _contact_recipient(contact, order, channel)
        if isinstance(found, str):
            skipped.append(found)
        else:
            ranked.append((_tier(found), order, found))
    ranked.sort(key=lambda r: (r[0], r[1]))
    chosen: tuple[Recipient, ...] = ()
    fallback = False
    if ranked:
        # An email goes to every billing or primary contact; a call to the best-ranked one.
        preferred = tuple(r for tier, _, r in ranked if tier < 2) if email else ()
        chosen = preferred or (ranked[0][2],)
    else:
        own = partner.email if email else partner.phone
        if is_valid_email(own) if email else is_valid_phone(own):
            own_address = str(own).strip()
            chosen = (
                Recipient(
                    address=own_address, channel=channel, source="partner", name=partner.name
                ),
            )
            fallback = True
    return RecipientChoice(
        channel=channel,
        recipients=chosen,
        fallback=fallback,
        channel_disabled=False,
        skipped=tuple(skipped),
    )
