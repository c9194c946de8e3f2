"""Whose business calendar an outreach reads: the recipient's, else the partner's, else the
organisation's (ADR 0050).

A :class:`CalendarBook` turns a region (ISO 3166-1 country, optional ISO 3166-2 subdivision)
into a :class:`~stuut_domain.ports.BusinessCalendar`, by default a
:class:`~stuut_domain.cadence.calendars.HolidaysCalendar`, once per region. It resolves one
per recipient, in this order, and says which it took (:class:`CalendarChoice`):

1. the contact's own address (``address``, else its primary, else its first ``addresses``);
2. the partner's ``billing_address``, else its ``shipping_address``;
3. the organisation's region (``organisation``).

A region the factory does not know (remote data writes ``"United States"`` or ``"<string>"``)
is never a silent default: the resolution moves on to the next level and the choice carries a
note naming the value refused and the fallback taken. ``closures`` (the organisation's own
shutdown days) are added to every calendar resolved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeAlias

import attrs

from stuut_domain.address import Address, ContactAddress
from stuut_domain.cadence.calendars import ExplicitCalendar, HolidaysCalendar, UnionCalendar
from stuut_domain.errors import InvalidCadence, UnknownRegion
from stuut_domain.partner import Contact, Partner

__all__ = ["CalendarBook", "CalendarChoice", "CalendarSource", "Region"]

#: Where a calendar came from.
CalendarSource: TypeAlias = Literal["contact", "partner", "organisation", "none"]
#: A region: an ISO 3166-1 country and an optional subdivision code.
Region: TypeAlias = tuple[str, str | None]


@attrs.frozen(kw_only=True, weakref_slot=False)
class CalendarChoice:
    """The calendar resolved for a recipient, where it came from, and the notes of fallbacks.

    ``calendar`` is ``None`` (with ``source`` ``"none"``) when no level names a region the
    book knows and the organisation has none: then no calendar applies.
    """

    calendar: Any
    source: CalendarSource
    region: Region | None
    notes: tuple[str, ...] = ()


def _holidays_factory(country: str, subdivision: str | None) -> Any:
    return HolidaysCalendar(country, subdivision)


def _address_region(address: Address | ContactAddress | None) -> Region | None:
    if address is None or not address.country:
        return None
    return (address.country, address.state or None)


def _contact_region(contact: Contact) -> Region | None:
    own = _address_region(contact.address)
    if own is not None:
        return own
    ordered = sorted(contact.addresses, key=lambda a: not a.is_primary)
    for item in ordered:
        found = _address_region(item)
        if found is not None:
            return found
    return None


def _partner_region(partner: Partner) -> Region | None:
    return _address_region(partner.billing_address) or _address_region(partner.shipping_address)


class CalendarBook:
    """Calendars by region, resolved per recipient (see the module docs for the order).

    ``factory(country, subdivision)`` builds a calendar (default: the ``holidays`` package);
    it raises :class:`~stuut_domain.errors.UnknownRegion` for a region it does not know.
    ``organisation`` is the last fallback; ``closures`` an explicit calendar of shutdown days
    added to every calendar. A region's subdivision the factory refuses falls back to the
    country alone, with a note. Calendars are built once per region and reused.
    """

    __slots__ = ("_cache", "closures", "factory", "organisation")

    def __init__(
        self,
        *,
        organisation: Region | None = None,
        factory: Callable[[str, str | None], Any] = _holidays_factory,
        closures: ExplicitCalendar | None = None,
    ) -> None:
        if closures is not None and not isinstance(closures, ExplicitCalendar):
            raise InvalidCadence(
                "closures",
                closures,
                "an ExplicitCalendar of closures (ExplicitCalendar(closures=...))",
            )
        region: object = organisation
        if region is not None and not (
            isinstance(region, tuple)
            and len(region) == 2
            and isinstance(region[0], str)
            and (region[1] is None or isinstance(region[1], str))
        ):
            raise InvalidCadence(
                "organisation", organisation, "a region (country, subdivision or None)"
            )
        self.factory = factory
        self.closures = closures
        self._cache: dict[Region, Any] = {}
        self.organisation = organisation
        if organisation is not None:
            self.calendar(*organisation)  # an unknown organisation region is a setup error

    def calendar(self, country: str, subdivision: str | None = None) -> Any:
        """The calendar of a region (cached), with the closures added.

        Raises :class:`~stuut_domain.errors.UnknownRegion` when the factory does not know it.
        """
        key = (country.strip().upper(), subdivision.strip().upper() if subdivision else None)
        found = self._cache.get(key)
        if found is None:
            found = self.factory(*key)
            if self.closures is not None:
                found = UnionCalendar(calendars=(found, self.closures))
            self._cache[key] = found
        return found

    def _try(self, region: Region, notes: list[str], what: str) -> Any | None:
        country, subdivision = region
        try:
            return self.calendar(country, subdivision)
        except UnknownRegion as exc:
            if subdivision is not None:
                try:
                    found = self.calendar(country, None)
                except UnknownRegion:
                    pass
                else:
                    notes.append(
                        f"{what} subdivision {subdivision!r} of {country!r} is not known "
                        f"({exc.why or 'unknown'}); the calendar of {country!r} is used"
                    )
                    return found
            notes.append(f"{what} region {country!r} is not known; it is skipped")
            return None

    def for_recipient(self, partner: Partner, contact: Contact | None = None) -> CalendarChoice:
        """The calendar for outreach to ``contact`` at ``partner`` (see the module docs)."""
        notes: list[str] = []
        levels: list[tuple[CalendarSource, Region | None, str]] = []
        if contact is not None:
            levels.append(("contact", _contact_region(contact), "the contact's"))
        levels.append(("partner", _partner_region(partner), "the partner's"))
        levels.append(("organisation", self.organisation, "the organisation's"))
        for source, region, what in levels:
            if region is None:
                continue
            found = self._try(region, notes, what)
            if found is not None:
                if source != "contact":
                    notes.append(_fallback_note(source, region, contact is not None))
                return CalendarChoice(
                    calendar=found, source=source, region=region, notes=tuple(notes)
                )
        notes.append("no recipient, partner or organisation region is known; no calendar applies")
        return CalendarChoice(calendar=None, source="none", region=None, notes=tuple(notes))


def _fallback_note(source: CalendarSource, region: Region, had_contact: bool) -> str:
    where = region[0] if region[1] is None else f"{region[0]}-{region[1]}"
    first = "the contact names no known region; " if had_contact else ""
    if source == "partner":
        return f"{first}the partner's region {where} decides the business days"
    return (
        f"{first}neither contact nor partner names a known region; "
        f"the organisation's {where} is used"
    )
