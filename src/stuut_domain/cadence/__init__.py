"""Cadence: when and how often a partner may be reached, on whose working days.

``calendars`` holds the business calendars (explicit, ``holidays``-backed, unions) behind the
:class:`~stuut_domain.ports.BusinessCalendar` port; ``resolution`` whose calendar an outreach
reads (the recipient's, the partner's, the organisation's); ``caps`` the frequency caps
(:func:`reg_f_calls`); ``consent`` the consent ledger per contact, channel and address;
``dunning`` the dunning levels derived at an instant. The outreach engine reads them through
:class:`~stuut_domain.outreach.OutreachPolicy` and
:class:`~stuut_domain.outreach.OutreachState` (ADRs 0050-0053).
"""

from __future__ import annotations

from stuut_domain.cadence.calendars import (
    SATURDAY_SUNDAY,
    SEARCH_DAYS,
    WEEKENDS,
    AnyOpenCalendar,
    ClosedDay,
    Closure,
    ExplicitCalendar,
    HolidaysCalendar,
    UnionCalendar,
    weekend_of,
)
from stuut_domain.cadence.caps import (
    ATTEMPT_OUTCOMES,
    CAP_COUNTS,
    CAP_SCOPES,
    AttemptOutcome,
    CapCount,
    CapHit,
    CapScope,
    FrequencyCap,
    reg_f_calls,
)
from stuut_domain.cadence.consent import (
    CONSENT_KINDS,
    ConsentEvent,
    ConsentKind,
    ConsentLedger,
    ConsentState,
    consent_state,
    honour_by,
    normalise_address,
)
from stuut_domain.cadence.dunning import (
    LEVEL_KINDS,
    PROGRESSIONS,
    DunningLevel,
    DunningPolicy,
    DunningStatus,
    LevelKind,
    Progression,
    dunning_level,
)
from stuut_domain.cadence.resolution import CalendarBook, CalendarChoice, CalendarSource, Region

__all__ = [
    "ATTEMPT_OUTCOMES",
    "CAP_COUNTS",
    "CAP_SCOPES",
    "CONSENT_KINDS",
    "LEVEL_KINDS",
    "PROGRESSIONS",
    "SATURDAY_SUNDAY",
    "SEARCH_DAYS",
    "WEEKENDS",
    "AnyOpenCalendar",
    "AttemptOutcome",
    "CalendarBook",
    "CalendarChoice",
    "CalendarSource",
    "CapCount",
    "CapHit",
    "CapScope",
    "ClosedDay",
    "Closure",
    "ConsentEvent",
    "ConsentKind",
    "ConsentLedger",
    "ConsentState",
    "DunningLevel",
    "DunningPolicy",
    "DunningStatus",
    "ExplicitCalendar",
    "FrequencyCap",
    "HolidaysCalendar",
    "LevelKind",
    "Progression",
    "Region",
    "UnionCalendar",
    "consent_state",
    "dunning_level",
    "honour_by",
    "normalise_address",
    "reg_f_calls",
    "weekend_of",
]
