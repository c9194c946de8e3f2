"""Consent as dated events per contact, channel and address (ADR 0053).

A :class:`ConsentEvent` records an ``opt_in``, an ``opt_out`` or a ``revoke`` (a revocation of
an earlier consent) for one channel, one address (an e-mail address or a phone number) and,
when known, one contact; ``address=None`` applies to every address of the contact on the
channel. It is dated by when it was ``received``; ``effective_by`` is the latest instant the
law allows for honouring it (the FCC's 2024 rule: a revocation honoured within 10 business
days of receipt, see :func:`honour_by`). This library honours every opt-out and revocation
**from receipt**, the safe reading: ``effective_by`` is reported, never waited for.

:func:`consent_state` answers "may we use this address on this channel now?" with the event
that decides it: the latest event received at or before the instant that matches the
channel and the address (or the contact, for contact-wide events); at equal instants a
withdrawal wins over an opt-in. Without any event the channel's default applies: allowed,
unless the ledger lists the channel in ``opt_in_required``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from typing import Any, Final, Literal, TypeAlias

import attrs

from stuut_domain.cadence._checks import one_of
from stuut_domain.errors import InvalidCadence
from stuut_domain.types import OUTREACH_CHANNELS, OutreachChannel
from stuut_domain.validators import aware, require_aware

__all__ = [
    "CONSENT_KINDS",
    "PHONE_DIGITS",
    "ConsentEvent",
    "ConsentKind",
    "ConsentLedger",
    "ConsentState",
    "consent_state",
    "honour_by",
    "normalise_address",
]

#: An opt-in grants consent; an opt-out refuses it; a revoke withdraws an earlier consent.
ConsentKind: TypeAlias = Literal["opt_in", "opt_out", "revoke"]
CONSENT_KINDS: Final[tuple[ConsentKind, ...]] = ("opt_in", "opt_out", "revoke")
_WITHDRAWALS: Final = frozenset({"opt_out", "revoke"})


#: How many trailing digits identify a phone number (its national significant number).
PHONE_DIGITS: Final = 9
_EXTENSION = re.compile(r"\s*(?:ext\.?|extension|x|#)\s*\d+\s*$", re.IGNORECASE)


@functools.lru_cache(maxsize=65_536)
def normalise_address(channel: str, address: str) -> str:
    """The form addresses are compared in.

    An e-mail address is lower-cased and trimmed. A phone number is reduced to the last
    :data:`PHONE_DIGITS` digits of its number, after dropping an extension (``ext. 2``, ``x2``,
    ``#2``) and a trunk ``(0)``: the national and the international form of one number
    (``0711 5550142``, ``+49 (0)711 555 0142``) are the same, and ``1-555-010-9999`` is
    ``+1 555 010 9999``. Two numbers of different countries sharing their last nine digits
    compare equal: for consent and caps that errs toward honouring an opt-out. A shorter
    number keeps every digit.
    """
    text = address.strip()
    if channel == "email":
        return text.lower()
    text = _EXTENSION.sub("", text).replace("(0)", "")
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits[-PHONE_DIGITS:]


_channel = one_of(OUTREACH_CHANNELS)
_kind = one_of(CONSENT_KINDS)


@attrs.frozen(kw_only=True, weakref_slot=False)
class ConsentEvent:
    """One consent fact: ``kind`` for ``channel`` and ``address`` (or the whole ``contact_id``).

    ``received_at`` (aware) is when it reached us; ``source`` how (``"reply STOP"``, ``"web
    form"``, ``"call"``); ``effective_by`` the legal deadline to honour a withdrawal (reported,
    not waited for). An event names an address, a contact, or both.
    """

    channel: OutreachChannel = attrs.field(validator=_channel)
    kind: ConsentKind = attrs.field(validator=_kind)
    received_at: dt.datetime = attrs.field(validator=aware)
    address: str | None = None
    contact_id: str | None = None
    source: str | None = None
    effective_by: dt.datetime | None = attrs.field(default=None, validator=aware)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.received_at, dt.datetime):
            raise InvalidCadence("received_at", self.received_at, "an aware datetime")
        address: object = self.address
        if address is not None and (not isinstance(address, str) or not address.strip()):
            raise InvalidCadence("address", address, "a non-empty e-mail address or number")
        if self.contact_id is not None and not isinstance(self.contact_id, str):
            raise InvalidCadence("contact_id", self.contact_id, "a contact id (text)")
        if self.address is None and self.contact_id is None:
            raise InvalidCadence(
                "address", None, "a consent event names an address, a contact, or both"
            )
        if self.effective_by is not None and self.effective_by < self.received_at:
            raise InvalidCadence(
                "effective_by", self.effective_by, f"is before received_at {self.received_at}"
            )

    @property
    def key(self) -> str | None:
        """The normalised address, ``None`` for a contact-wide event."""
        return None if self.address is None else normalise_address(self.channel, self.address)

    @property
    def withdraws(self) -> bool:
        """Whether the event withdraws consent (an opt-out or a revoke)."""
        return self.kind in _WITHDRAWALS

    def describe(self) -> str:
        """The event for people."""
        who = self.address or f"contact {self.contact_id}"
        via = f" via {self.source}" if self.source else ""
        return (
            f"{self.kind} for {self.channel} to {who}, received {self.received_at.isoformat()}{via}"
        )


def honour_by(received_at: dt.datetime, calendar: Any, *, business_days: int = 10) -> dt.datetime:
    """The deadline to honour a withdrawal: ``business_days`` business days after receipt.

    Counted on ``calendar`` (a :class:`~stuut_domain.ports.BusinessCalendar`) from the receipt's
    calendar date; the deadline is the end of that day in the receipt's own offset. The FCC's
    2024 rule allows 10 business days for a revocation of consent to calls and texts.
    """
    require_aware("received_at", received_at)
    if type(business_days) is not int or business_days < 0:
        raise InvalidCadence("business_days", business_days, "a whole number of days >= 0")
    day = calendar.add_business_days(received_at.date(), business_days)
    end = dt.datetime.combine(day, dt.time.max)
    return end.replace(tzinfo=received_at.tzinfo)


@attrs.frozen(kw_only=True, weakref_slot=False)
class ConsentState:
    """Whether an address may be used on a channel at an instant, and what decides it.

    ``deciding`` is the event that decides, ``None`` when the channel's default does.
    """

    allowed: bool
    channel: OutreachChannel
    address: str
    deciding: ConsentEvent | None
    reason: str


def _events(value: Iterable[ConsentEvent]) -> tuple[ConsentEvent, ...]:
    events = tuple(value)
    for event in events:
        if not isinstance(event, ConsentEvent):
            raise InvalidCadence("events", event, "each event is a ConsentEvent")
    return events


def _rank(event: ConsentEvent) -> tuple[dt.datetime, int]:
    # Latest first; at equal instants a withdrawal wins (decides over an opt-in).
    return (event.received_at, 1 if event.withdraws else 0)


@attrs.frozen(kw_only=True, weakref_slot=False)
class ConsentLedger:
    """Every consent event recorded, indexed by channel and address and by contact.

    ``opt_in_required``: the channels no address may use without an opt-in (default none:
    outreach is allowed until withdrawn). :meth:`record` refuses an event received after the
    instant the caller says it is now (a consent dated in the future).
    """

    events: tuple[ConsentEvent, ...] = attrs.field(default=(), converter=_events)
    opt_in_required: frozenset[OutreachChannel] = attrs.field(
        default=frozenset(), converter=frozenset
    )
    _by_address: dict[tuple[str, str], list[ConsentEvent]] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )
    _by_contact: dict[tuple[str, str], list[ConsentEvent]] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )
    _latest: ConsentEvent | None = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        for channel in self.opt_in_required:
            _channel(None, attrs.fields(ConsentEvent).channel, channel)
        by_address: dict[tuple[str, str], list[ConsentEvent]] = {}
        by_contact: dict[tuple[str, str], list[ConsentEvent]] = {}
        for event in self.events:
            key = event.key
            if key is not None:
                by_address.setdefault((event.channel, key), []).append(event)
            elif event.contact_id is not None:
                by_contact.setdefault((event.channel, event.contact_id), []).append(event)
        object.__setattr__(self, "_by_address", by_address)
        object.__setattr__(self, "_by_contact", by_contact)
        latest = max(self.events, key=lambda e: e.received_at, default=None)
        object.__setattr__(self, "_latest", latest)

    def __bool__(self) -> bool:
        return bool(self.events) or bool(self.opt_in_required)

    @property
    def latest(self) -> ConsentEvent | None:
        """The event received last (``None`` for an empty ledger)."""
        return self._latest

    def check_not_after(self, now: dt.datetime) -> None:
        """Refuse a ledger holding an event received after ``now``: a decision at ``now``
        cannot know it, and its ``next_eligible_at`` would be wrong
        (:class:`~stuut_domain.errors.InvalidCadence` naming ``received_at``)."""
        latest = self._latest
        if latest is not None and latest.received_at > now:
            raise InvalidCadence(
                "received_at",
                latest.received_at,
                f"a consent event is dated after the decision's instant {now.isoformat()}",
            )

    def record(self, event: ConsentEvent, *, now: dt.datetime) -> ConsentLedger:
        """The ledger with ``event`` added; refused when it is received after ``now``."""
        if not isinstance(event, ConsentEvent):
            raise InvalidCadence("event", event, "a ConsentEvent")
        require_aware("now", now)
        if event.received_at > now:
            raise InvalidCadence(
                "received_at",
                event.received_at,
                f"a consent event cannot be dated after now ({now})",
            )
        return attrs.evolve(self, events=(*self.events, event))

    def state(
        self,
        channel: OutreachChannel,
        address: str,
        at: dt.datetime,
        *,
        contact_id: str | None = None,
    ) -> ConsentState:
        """Whether ``address`` may be used on ``channel`` at ``at`` (see the module docs)."""
        _channel(None, attrs.fields(ConsentEvent).channel, channel)
        require_aware("at", at)
        if not isinstance(address, str):
            raise InvalidCadence("address", address, "an e-mail address or number (text)")
        key = normalise_address(channel, address)
        candidates: list[ConsentEvent] = [
            e for e in self._by_address.get((channel, key), ()) if e.received_at <= at
        ]
        if contact_id is not None:
            candidates += [
                e for e in self._by_contact.get((channel, contact_id), ()) if e.received_at <= at
            ]
        if not candidates:
            if channel in self.opt_in_required:
                return ConsentState(
                    allowed=False,
                    channel=channel,
                    address=address,
                    deciding=None,
                    reason=f"{channel} needs an opt-in and {address} has none",
                )
            return ConsentState(
                allowed=True,
                channel=channel,
                address=address,
                deciding=None,
                reason=f"no consent event for {address} on {channel}: allowed by default",
            )
        deciding = max(candidates, key=_rank)
        return ConsentState(
            allowed=not deciding.withdraws,
            channel=channel,
            address=address,
            deciding=deciding,
            reason=deciding.describe(),
        )


def consent_state(
    contact: Any,
    channel: OutreachChannel,
    address: str,
    at: dt.datetime,
    *,
    ledger: ConsentLedger,
) -> ConsentState:
    """Whether ``address`` of ``contact`` (a Contact, its id, or ``None``) may be used on
    ``channel`` at ``at``, from the events of ``ledger`` (see the module docs)."""
    if not isinstance(ledger, ConsentLedger):
        raise InvalidCadence("ledger", ledger, "a ConsentLedger")
    if contact is None or isinstance(contact, str):
        contact_id = contact
    elif isinstance(getattr(contact, "id", None), (str, type(None))):
        contact_id = contact.id
    else:
        raise InvalidCadence("contact", contact, "a Contact, a contact id or None")
    return ledger.state(channel, address, at, contact_id=contact_id)
