"""Who may still be reached at an instant: consent and contact-level caps, per address.

The recipients a context chose (:mod:`stuut_domain.outreach.recipients`) are filtered at each
decision: an address whose consent is withdrawn (the state's
:class:`~stuut_domain.cadence.ConsentLedger`) or that a ``scope="contact"``
:class:`~stuut_domain.cadence.FrequencyCap` has reached is left out, with the reason; the
others still receive the outreach. Only when no recipient remains does the partner block
(``no_consent`` or ``frequency_cap``, in :mod:`stuut_domain.outreach.rules`). Attempts count
toward a contact when one of their ``to`` addresses is the recipient's (compared normalised,
:func:`~stuut_domain.cadence.normalise_address`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from stuut_domain.cadence.caps import CapHit, FrequencyCap
from stuut_domain.cadence.consent import ConsentState, normalise_address
from stuut_domain.outreach.recipients import Recipient
from stuut_domain.outreach.state import OutreachState, SentOutreach
from stuut_domain.types import OutreachChannel

__all__ = ["Reach", "reach"]


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


def _to_contact(
    attempts: Sequence[SentOutreach], channel: OutreachChannel, address: str
) -> list[SentOutreach]:
    key = normalise_address(channel, address)
    return [a for a in attempts if any(normalise_address(a.channel, to) == key for to in a.to)]


def reach(
    recipients: tuple[Recipient, ...],
    *,
    partner_id: str | None,
    channel: OutreachChannel,
    state: OutreachState,
    caps: Sequence[FrequencyCap],
    now: dt.datetime,
) -> Reach:
    """The recipients reachable at ``now`` under the state's consents and the contact caps."""
    ledger = state.consents
    if not recipients or (not ledger and not caps):
        return Reach(recipients)
    attempts = state.attempts_to_partner(partner_id) if caps else ()
    kept: list[Recipient] = []
    capped: list[tuple[Recipient, CapHit]] = []
    withdrawn: list[tuple[Recipient, ConsentState]] = []
    for recipient in recipients:
        if ledger:
            consent = ledger.state(channel, recipient.address, now, contact_id=recipient.contact_id)
            if not consent.allowed:
                withdrawn.append((recipient, consent))
                continue
        hits = [
            hit
            for cap in caps
            if (
                hit := cap.hit(
                    _to_contact(attempts, channel, recipient.address),
                    at=now,
                    subject=recipient.address,
                )
            )
            is not None
        ]
        if hits:
            capped.append((recipient, max(hits, key=lambda h: h.clears_at)))
            continue
        kept.append(recipient)
    return Reach(tuple(kept), tuple(capped), tuple(withdrawn))
