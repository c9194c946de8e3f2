"""Who may still be reached at an instant: consent and contact-level caps, per address.

The recipients a context chose (:mod:`stuut_domain.outreach.recipients`) are filtered at each
decision: an address whose consent is withdrawn (the state's
:class:`~stuut_domain.cadence.ConsentLedger`) or that a ``scope="contact"``
:class:`~stuut_domain.cadence.FrequencyCap` has reached is left out, with the reason; the
others still receive the outreach. Only when no recipient remains does the partner block
(``no_consent`` or ``frequency_cap``, in :mod:`stuut_domain.outreach.rules`).

A contact-scope cap counts the attempts that reached any address of the recipient's contact
(its e-mail address and its phone number, compared normalised by
:func:`~stuut_domain.cadence.normalise_address`), so a cap over e-mail and calls together
counts both; the partner's own address, used as a fallback, counts alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from stuut_domain.cadence.caps import CapHit, FrequencyCap
from stuut_domain.cadence.consent import ConsentState, normalise_address
from stuut_domain.outreach.recipients import Recipient
from stuut_domain.outreach.state import OutreachState, SentOutreach
from stuut_domain.partner import Partner
from stuut_domain.types import OutreachChannel

__all__ = ["Reach", "contact_keys", "reach"]


class Reach(NamedTuple):
    """The recipients still reachable, and those left out with why."""

    recipients: tuple[Recipient, ...]
    capped: tuple[tuple[Recipient, CapHit], ...] = ()
    withdrawn: tuple[tuple[Recipient, ConsentState], ...] = ()

    def notes(self) -> tuple[str, ...]:
        """One line per recipient left out, for people."""
        lines = [f"{r.address}: consent withdrawn ({s.reason})" for r, s in self.withdrawn]
        lines += [f"{r.address}: {hit.describe()}" for r, hit in self.capped]
        return tuple(lines)


def contact_keys(partner: Partner, recipients: Sequence[Recipient]) -> dict[str, tuple[str, ...]]:
    """For each recipient address, the normalised addresses of its contact (e-mail, phone)."""
    contacts = {c.id: c for c in partner.contacts if c.id is not None}
    out: dict[str, tuple[str, ...]] = {}
    for recipient in recipients:
        keys = {normalise_address(recipient.channel, recipient.address)}
        contact = contacts.get(recipient.contact_id) if recipient.contact_id else None
        if contact is not None:
            if contact.email:
                keys.add(normalise_address("email", contact.email))
            if contact.phone:
                keys.add(normalise_address("call", contact.phone))
        out[recipient.address] = tuple(sorted(keys))
    return out


def _attempts(state: OutreachState, keys: tuple[str, ...]) -> Sequence[SentOutreach]:
    if len(keys) == 1:
        return state.attempts_to_address(keys[0])
    seen: dict[int, SentOutreach] = {}
    for key in keys:
        for attempt in state.attempts_to_address(key):
            seen.setdefault(id(attempt), attempt)
    return tuple(seen.values())


def reach(
    recipients: tuple[Recipient, ...],
    *,
    channel: OutreachChannel,
    state: OutreachState,
    caps: Sequence[FrequencyCap],
    now: dt.datetime,
    keys: Mapping[str, tuple[str, ...]],
) -> Reach:
    """The recipients reachable at ``now`` under the state's consents and the contact caps
    (``keys``: each recipient's contact addresses, from :func:`contact_keys`)."""
    ledger = state.consents
    if not recipients or (not ledger and not caps):
        return Reach(recipients)
    kept: list[Recipient] = []
    capped: list[tuple[Recipient, CapHit]] = []
    withdrawn: list[tuple[Recipient, ConsentState]] = []
    for recipient in recipients:
        if ledger:
            consent = ledger.state(channel, recipient.address, now, contact_id=recipient.contact_id)
            if not consent.allowed:
                withdrawn.append((recipient, consent))
                continue
        if caps:
            own = (normalise_address(channel, recipient.address),)
            attempts = _attempts(state, keys.get(recipient.address, own))
            hits = [
                hit
                for cap in caps
                if (hit := cap.hit(attempts, at=now, subject=recipient.address)) is not None
            ]
            if hits:
                capped.append((recipient, max(hits, key=lambda h: h.clears_at)))
                continue
        kept.append(recipient)
    if not capped and not withdrawn:
        return Reach(recipients)  # the same tuple: nobody was left out
    return Reach(tuple(kept), tuple(capped), tuple(withdrawn))
