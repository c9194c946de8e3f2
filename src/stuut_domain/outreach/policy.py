"""The outreach policy: the organisation's tunable rules for when dunning may go out.

A policy is an explicit, immutable value handed to every eligibility decision; nothing is read
from globals. Its defaults follow what collections products do and what Stuut documents (a
1–2 day grace after a promised payment date, reminders from the due date on).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final, Literal, TypeAlias, get_args

import attrs

from stuut_domain.cadence.caps import FrequencyCap
from stuut_domain.cadence.resolution import CalendarBook
from stuut_domain.errors import InvalidCadence
from stuut_domain.validators import zone_named

__all__ = ["BATCHINGS", "DEFAULT_POLICY", "GAP_SCOPES", "Batching", "GapScope", "OutreachPolicy"]

#: Which earlier outreach a minimum gap counts (ADR 0018): ``"across_channels"``, every
#: outreach whatever its channel (an email spaces the next call); ``"per_channel"``, only
#: outreach on the channel being decided (email and call keep separate cadences).
GapScope: TypeAlias = Literal["across_channels", "per_channel"]
#: The gap scopes, in documentation order.
GAP_SCOPES: Final[tuple[GapScope, ...]] = get_args(GapScope)
#: What one contact mentions (ADR 0054): ``"partner"``, every due invoice of the partner (one
#: held only by its own gap rides along); ``"invoice"``, only the invoices whose gap passed.
Batching: TypeAlias = Literal["partner", "invoice"]
BATCHINGS: Final[tuple[Batching, ...]] = get_args(Batching)


def _non_negative(_instance: Any, attribute: attrs.Attribute[Any], value: dt.timedelta) -> None:
    if type(value) is not dt.timedelta:
        raise TypeError(f"{attribute.name} must be a datetime.timedelta, got {value!r}")
    if value < dt.timedelta(0):
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


def _whole_days(_instance: Any, attribute: attrs.Attribute[Any], value: int) -> None:
    if type(value) is not int:
        raise TypeError(f"{attribute.name} must be a whole number of days, got {value!r}")


def _grace_days(_instance: Any, attribute: attrs.Attribute[Any], value: int) -> None:
    if type(value) is not int or value < 0:
        raise ValueError(f"{attribute.name} must be a whole number of days >= 0, got {value!r}")


def _gap_scope(_instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in GAP_SCOPES:
        raise ValueError(f"{attribute.name} must be one of {', '.join(GAP_SCOPES)}, got {value!r}")


def _caps(value: object) -> tuple[FrequencyCap, ...]:
    if isinstance(value, FrequencyCap):
        return (value,)
    if not isinstance(value, (tuple, list)):
        raise InvalidCadence("frequency_caps", value, "a tuple of FrequencyCap")
    caps = tuple(value)
    for cap in caps:
        if not isinstance(cap, FrequencyCap):
            raise InvalidCadence("frequency_caps", cap, "each cap is a FrequencyCap")
    return caps


def _calendar_book(_instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, CalendarBook):
        raise InvalidCadence(attribute.name, value, "calendars is a CalendarBook or None")


def _batching(_instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in BATCHINGS:
        raise ValueError(f"{attribute.name} must be one of {', '.join(BATCHINGS)}, got {value!r}")


def _known_zone(_instance: Any, _attribute: attrs.Attribute[Any], value: str) -> None:
    zone_named(value)  # raises UnknownTimeZone naming the value


@attrs.frozen(kw_only=True, weakref_slot=False)
class OutreachPolicy:
    """How often and from when outreach may go out; one explicit value per organisation.

    * ``min_gap_per_invoice`` (default 3 days): no outreach about an invoice sooner than this
      after the last outreach about it (on any channel, or on the same channel: see
      ``invoice_gap_scope``).
    * ``min_gap_per_partner`` (default 1 day): no outreach to a partner sooner than this after
      the last outreach to it about any invoice (on any channel, or on the same channel: see
      ``partner_gap_scope``).
    * ``partner_gap_scope`` and ``invoice_gap_scope`` (default ``"across_channels"`` both):
      which earlier outreach each gap counts. ``"across_channels"``: every outreach, so an
      email spaces the next call and a call the next email. ``"per_channel"``: only outreach
      on the channel being decided, so email and call each keep their own cadence and may go
      out at the same instant. An earlier outreach whose channel is not recorded is read as an
      email (the API's default outreach). See ADR 0018.
    * ``promise_grace_days`` (default 2): a promise to pay holds outreach on the invoice
      through the promised date and this many more days, in the decision's local time zone;
      outreach resumes at the local midnight after that (the promise is then broken).
    * ``first_reminder_offset_days`` (default 0): outreach about an invoice starts at the
      local midnight that begins its due day plus this many days; negative means before the
      due day (``-3``: three days before). The due day is the calendar date of ``due_date``
      (:func:`stuut_domain.lifecycle.due_day`); an invoice without a due date is due on issue.
    * ``receivables_only`` (default true): payable invoices are never chased. An invoice
      whose ``type`` is absent is read as a receivable (the API is accounts receivable).
    * ``default_timezone`` (default ``"UTC"``): the zone of windows and dates when neither
      the partner nor the workflow names one.
    * ``batching`` (default ``"partner"``): when a contact goes out, it mentions every due
      invoice of the partner, and an invoice held only by its own ``min_gap_per_invoice``
      rides along (its gap restarts with the others), so a partner's invoices share one
      cadence; ``"invoice"`` mentions only the invoices whose own gap passed (ADR 0054).
    * ``calendars`` (default none): a :class:`~stuut_domain.cadence.CalendarBook`; outreach
      then goes out only on the recipients' business days (ADR 0050): a closed day blocks
      with ``holiday`` until the next business day's window opens.
    * ``frequency_caps`` (default none): :class:`~stuut_domain.cadence.FrequencyCap` s
      counted over the outreach state's attempts (ADR 0052), e.g.
      :func:`~stuut_domain.cadence.reg_f_calls`.

    Every gap is measured between instants in UTC. Invalid values (a negative gap, negative
    grace days, an unknown gap scope, an unknown zone) are refused on construction, naming
    the field.
    """

    min_gap_per_invoice: dt.timedelta = attrs.field(
        default=dt.timedelta(days=3), validator=_non_negative
    )
    min_gap_per_partner: dt.timedelta = attrs.field(
        default=dt.timedelta(days=1), validator=_non_negative
    )
    partner_gap_scope: GapScope = attrs.field(default="across_channels", validator=_gap_scope)
    invoice_gap_scope: GapScope = attrs.field(default="across_channels", validator=_gap_scope)
    promise_grace_days: int = attrs.field(default=2, validator=_grace_days)
    first_reminder_offset_days: int = attrs.field(default=0, validator=_whole_days)
    receivables_only: bool = True
    default_timezone: str = attrs.field(default="UTC", validator=_known_zone)
    batching: Batching = attrs.field(default="partner", validator=_batching)
    calendars: CalendarBook | None = attrs.field(default=None, validator=_calendar_book)
    frequency_caps: tuple[FrequencyCap, ...] = attrs.field(default=(), converter=_caps)


#: The documented defaults, for callers that have no policy of their own.
DEFAULT_POLICY = OutreachPolicy()
