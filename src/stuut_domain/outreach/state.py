"""Outreach state: what was sent when, on which channel, to whom, and which pauses hold.

The eligibility rules for cadence (minimum gap per invoice and per partner, counted across
channels or per channel as the policy says) and for pauses with a resume instant read this
state. It is an immutable value: recording an outreach or a pause
returns a new state, so a simulator can branch scenarios freely.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, Final

import attrs

from stuut_domain.cadence.caps import ATTEMPT_OUTCOMES, AttemptOutcome
from stuut_domain.cadence.consent import ConsentEvent, ConsentLedger, normalise_address
from stuut_domain.errors import InvalidCadence
from stuut_domain.invoice import Invoice
from stuut_domain.outreach.schedule import utc
from stuut_domain.types import OUTREACH_CHANNELS, OutreachChannel
from stuut_domain.validators import aware

__all__ = [
    "CHANNELS_TEXT",
    "EMPTY_STATE",
    "OutreachPause",
    "OutreachState",
    "SentOutreach",
]

#: The channels as error messages name them: ``'email' or 'call'``.
CHANNELS_TEXT: Final = " or ".join(repr(c) for c in OUTREACH_CHANNELS)


def _channel(_instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and value not in OUTREACH_CHANNELS:
        raise ValueError(f"{attribute.name} must be {CHANNELS_TEXT}, got {value!r}")


def _texts(value: Iterable[str] | str) -> tuple[str, ...]:
    """Addresses or ids: one text is one item (``to="a@x.com"``), never its characters."""
    return (value,) if isinstance(value, str) else tuple(value)


def _ledger(_instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, ConsentLedger):
        raise InvalidCadence(attribute.name, value, "a ConsentLedger (its events, indexed)")


def _outcome(_instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in ATTEMPT_OUTCOMES:
        raise ValueError(f"{attribute.name} must be one of {list(ATTEMPT_OUTCOMES)}, got {value!r}")


@attrs.frozen(kw_only=True, weakref_slot=False)
class SentOutreach:
    """One outreach that went out: an email sent or a call placed.

    ``to`` holds the addresses or phone numbers reached; ``invoice_ids`` the invoices it was
    about (it counts toward each invoice's gap and toward the partner's gap).
    ``sent_at`` must be timezone-aware. ``outcome`` is what the attempt achieved
    (``"placed"``, ``"delivered"``, ``"conversation"``), which frequency caps may count
    (:class:`~stuut_domain.cadence.FrequencyCap`).
    """

    partner_id: str | None
    channel: OutreachChannel = attrs.field(validator=_channel)
    sent_at: dt.datetime = attrs.field(validator=aware)
    to: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    invoice_ids: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    outcome: AttemptOutcome = attrs.field(default="placed", validator=_outcome)


@attrs.frozen(kw_only=True, weakref_slot=False)
class OutreachPause:
    """Outreach to a partner paused until an instant (``None``: until lifted by hand).

    ``channel`` ``None`` pauses every channel. The pause holds for instants before ``until``
    and ends exactly at ``until`` (compare in UTC; to resume "on a date", pass the local
    midnight of that date in the partner's zone). ``reason`` is free text for people.
    """

    partner_id: str
    until: dt.datetime | None = attrs.field(validator=aware)
    channel: OutreachChannel | None = attrs.field(default=None, validator=_channel)
    reason: str | None = None

    def holds_at(self, at: dt.datetime) -> bool:
        """Whether the pause still holds at the instant ``at``."""
        return self.until is None or at < self.until


def _latest(index: dict[str, dt.datetime], key: str, when: dt.datetime) -> None:
    current = index.get(key)
    if current is None or when > current:
        index[key] = when


@attrs.frozen(kw_only=True, weakref_slot=False)
class OutreachState:
    """The outreach history and the pauses in force; every change returns a new state.

    ``sent`` is the history in recording order; the last outreach per invoice and per partner
    is the latest ``sent_at`` (in UTC), whatever the recording order. ``consents`` is the
    consent ledger (:class:`~stuut_domain.cadence.ConsentLedger`) the eligibility reads per
    recipient address.
    """

    sent: tuple[SentOutreach, ...] = ()
    pauses: tuple[OutreachPause, ...] = ()
    consents: ConsentLedger = attrs.field(factory=ConsentLedger, validator=_ledger)
    _last_by_invoice: dict[str, dt.datetime] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )
    _last_by_partner: dict[str, dt.datetime] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )
    _last_by_channel: dict[
        OutreachChannel, tuple[dict[str, dt.datetime], dict[str, dt.datetime]]
    ] = attrs.field(init=False, eq=False, repr=False, hash=False)
    _attempts_by_partner: dict[str, list[SentOutreach]] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )
    _attempts_by_invoice: dict[str, list[SentOutreach]] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )
    _attempts_by_address: dict[str, list[SentOutreach]] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        attempts_by_partner: dict[str, list[SentOutreach]] = {}
        attempts_by_invoice: dict[str, list[SentOutreach]] = {}
        attempts_by_address: dict[str, list[SentOutreach]] = {}
        by_invoice: dict[str, dt.datetime] = {}
        by_partner: dict[str, dt.datetime] = {}
        by_channel: dict[OutreachChannel, tuple[dict[str, dt.datetime], dict[str, dt.datetime]]] = {
            channel: ({}, {}) for channel in OUTREACH_CHANNELS
        }
        for item in self.sent:
            when = utc(item.sent_at)
            channel_invoices, channel_partners = by_channel[item.channel]
            for invoice_id in item.invoice_ids:
                _latest(by_invoice, invoice_id, when)
                _latest(channel_invoices, invoice_id, when)
                attempts_by_invoice.setdefault(invoice_id, []).append(item)
            if item.partner_id is not None:
                _latest(by_partner, item.partner_id, when)
                _latest(channel_partners, item.partner_id, when)
                attempts_by_partner.setdefault(item.partner_id, []).append(item)
            for key in {normalise_address(item.channel, to) for to in item.to}:
                attempts_by_address.setdefault(key, []).append(item)
        self._set_indexes(
            attempts_by_partner=attempts_by_partner,
            attempts_by_invoice=attempts_by_invoice,
            attempts_by_address=attempts_by_address,
            by_invoice=by_invoice,
            by_partner=by_partner,
            by_channel=by_channel,
        )

    def _set_indexes(
        self,
        *,
        attempts_by_partner: dict[str, list[SentOutreach]],
        attempts_by_invoice: dict[str, list[SentOutreach]],
        attempts_by_address: dict[str, list[SentOutreach]],
        by_invoice: dict[str, dt.datetime],
        by_partner: dict[str, dt.datetime],
        by_channel: dict[OutreachChannel, tuple[dict[str, dt.datetime], dict[str, dt.datetime]]],
    ) -> None:
        object.__setattr__(self, "_attempts_by_partner", attempts_by_partner)
        object.__setattr__(self, "_attempts_by_invoice", attempts_by_invoice)
        object.__setattr__(self, "_attempts_by_address", attempts_by_address)
        object.__setattr__(self, "_last_by_invoice", by_invoice)
        object.__setattr__(self, "_last_by_partner", by_partner)
        object.__setattr__(self, "_last_by_channel", by_channel)

    @classmethod
    def from_invoices(cls, invoices: Iterable[Invoice]) -> OutreachState:
        """The state the API already knows: each invoice's ``last_outreach_at/_channel/_to``.

        An invoice whose last outreach time is absent contributes nothing; a missing channel
        is read as email (the API's default outreach).
        """
        sent: list[SentOutreach] = []
        for invoice in invoices:
            if invoice.last_outreach_at is None:
                continue
            sent.append(
                SentOutreach(
                    partner_id=invoice.partner_id,
                    channel=invoice.last_outreach_channel or "email",
                    sent_at=invoice.last_outreach_at,
                    to=() if invoice.last_outreach_to is None else (invoice.last_outreach_to,),
                    invoice_ids=() if invoice.id is None else (invoice.id,),
                )
            )
        return cls(sent=tuple(sent))

    def record(
        self,
        *,
        partner_id: str | None,
        channel: OutreachChannel,
        sent_at: dt.datetime,
        to: Iterable[str] = (),
        invoice_ids: Iterable[str] = (),
        outcome: AttemptOutcome = "placed",
    ) -> OutreachState:
        """The state after one more outreach (``sent_at`` must be timezone-aware)."""
        item = SentOutreach(
            partner_id=partner_id,
            channel=channel,
            sent_at=sent_at,
            to=_texts(to),
            invoice_ids=_texts(invoice_ids),
            outcome=outcome,
        )
        return self._extended(item)

    def _extended(self, item: SentOutreach) -> OutreachState:
        """This state with ``item`` appended to ``sent``, its indexes extended by that one
        item instead of rebuilt from the whole history (the same indexes a rebuild gives:
        every index is a fold of ``sent`` in order). Neither state's lists are shared where
        the item lands, so the older state is unchanged."""
        new = object.__new__(OutreachState)
        object.__setattr__(new, "sent", (*self.sent, item))
        object.__setattr__(new, "pauses", self.pauses)
        object.__setattr__(new, "consents", self.consents)
        attempts_by_invoice = dict(self._attempts_by_invoice)
        attempts_by_partner = dict(self._attempts_by_partner)
        attempts_by_address = dict(self._attempts_by_address)
        by_invoice = dict(self._last_by_invoice)
        by_partner = dict(self._last_by_partner)
        by_channel = {
            channel: (
                (dict(invoices), dict(partners))
                if channel == item.channel
                else (invoices, partners)
            )
            for channel, (invoices, partners) in self._last_by_channel.items()
        }
        when = utc(item.sent_at)
        channel_invoices, channel_partners = by_channel[item.channel]
        for invoice_id in item.invoice_ids:
            _latest(by_invoice, invoice_id, when)
            _latest(channel_invoices, invoice_id, when)
            attempts_by_invoice[invoice_id] = [*attempts_by_invoice.get(invoice_id, ()), item]
        if item.partner_id is not None:
            _latest(by_partner, item.partner_id, when)
            _latest(channel_partners, item.partner_id, when)
            attempts_by_partner[item.partner_id] = [
                *attempts_by_partner.get(item.partner_id, ()),
                item,
            ]
        for key in {normalise_address(item.channel, to) for to in item.to}:
            attempts_by_address[key] = [*attempts_by_address.get(key, ()), item]
        new._set_indexes(
            attempts_by_partner=attempts_by_partner,
            attempts_by_invoice=attempts_by_invoice,
            attempts_by_address=attempts_by_address,
            by_invoice=by_invoice,
            by_partner=by_partner,
            by_channel=by_channel,
        )
        return new

    def record_consent(self, event: ConsentEvent, *, now: dt.datetime) -> OutreachState:
        """The state with one more consent event (refused when received after ``now``)."""
        return attrs.evolve(self, consents=self.consents.record(event, now=now))

    def attempts_to_partner(self, partner_id: str | None) -> Sequence[SentOutreach]:
        """Every recorded attempt to the partner, in recording order (do not mutate)."""
        if partner_id is None:
            return ()
        return self._attempts_by_partner.get(partner_id, ())

    def attempts_to_address(self, key: str) -> Sequence[SentOutreach]:
        """Every recorded attempt that reached the address (normalised, as
        :func:`~stuut_domain.cadence.normalise_address` gives it), in recording order."""
        return self._attempts_by_address.get(key, ())

    def attempts_about_invoice(self, invoice_id: str | None) -> Sequence[SentOutreach]:
        """Every recorded attempt about the invoice, in recording order (do not mutate)."""
        if invoice_id is None:
            return ()
        return self._attempts_by_invoice.get(invoice_id, ())

    def pause(
        self,
        partner_id: str,
        *,
        until: dt.datetime | None,
        channel: OutreachChannel | None = None,
        reason: str | None = None,
    ) -> OutreachState:
        """The state with outreach to the partner paused until ``until`` (replacing a pause
        of the same partner and channel)."""
        new = OutreachPause(partner_id=partner_id, until=until, channel=channel, reason=reason)
        kept = tuple(p for p in self.pauses if (p.partner_id, p.channel) != (partner_id, channel))
        return attrs.evolve(self, pauses=(*kept, new))

    def lift_pause(
        self, partner_id: str, *, channel: OutreachChannel | None = None
    ) -> OutreachState:
        """The state without the partner's pause on ``channel`` (``None``: the all-channel one)."""
        kept = tuple(p for p in self.pauses if (p.partner_id, p.channel) != (partner_id, channel))
        return attrs.evolve(self, pauses=kept)

    def last_about_invoice(
        self, invoice_id: str | None, channel: OutreachChannel | None = None
    ) -> dt.datetime | None:
        """When outreach about the invoice last went out (UTC): on ``channel``, or on any
        channel when ``channel`` is ``None``."""
        if invoice_id is None:
            return None
        if channel is None:
            return self._last_by_invoice.get(invoice_id)
        return self._last_by_channel[channel][0].get(invoice_id)

    def last_to_partner(
        self, partner_id: str | None, channel: OutreachChannel | None = None
    ) -> dt.datetime | None:
        """When outreach to the partner last went out (UTC): on ``channel``, or on any
        channel when ``channel`` is ``None``."""
        if partner_id is None:
            return None
        if channel is None:
            return self._last_by_partner.get(partner_id)
        return self._last_by_channel[channel][1].get(partner_id)

    def pauses_holding(
        self, partner_id: str | None, channel: OutreachChannel, at: dt.datetime
    ) -> tuple[OutreachPause, ...]:
        """The pauses that stop outreach to the partner on ``channel`` at the instant ``at``."""
        if not self.pauses or partner_id is None:
            return ()
        return tuple(
            p
            for p in self.pauses
            if p.partner_id == partner_id
            and (p.channel is None or p.channel == channel)
            and p.holds_at(at)
        )


#: The state with no outreach recorded and no pause.
EMPTY_STATE = OutreachState()
