"""Business calendars: which days a recipient works, and why a day is closed (ADR 0050).

A :class:`~stuut_domain.ports.BusinessCalendar` answers four questions about calendar dates:
``is_business_day``, ``next_business_day``, ``add_business_days`` and ``reason`` (the
:class:`ClosedDay` that closes a date, or ``None``). Three calendars ship here:

* :class:`ExplicitCalendar`: a weekend, named holidays and closures (company shutdowns), all
  given by the caller; always available, deterministic, no data package needed;
* :class:`HolidaysCalendar`: the public holidays of a country (and subdivision) from the
  optional ``holidays`` package (``pip install stuut-domain[calendars]``), with that
  country's own weekend (Friday–Saturday in SA and IL, Friday only in IR), observed days on;
* :class:`UnionCalendar`: closed whenever any member is closed (a recipient's public holidays
  plus the organisation's shutdown).

Every search is bounded: a calendar with no business day in :data:`SEARCH_DAYS` days raises
:class:`~stuut_domain.errors.NoBusinessDay` instead of looping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal, TypeAlias

import attrs

from stuut_domain.errors import InvalidCadence, NoBusinessDay, UnknownRegion

__all__ = [
    "SATURDAY_SUNDAY",
    "SEARCH_DAYS",
    "WEEKDAY_NAMES",
    "WEEKENDS",
    "AnyOpenCalendar",
    "ClosedDay",
    "ClosedKind",
    "Closure",
    "ExplicitCalendar",
    "HolidaysCalendar",
    "UnionCalendar",
    "weekend_of",
]

#: Weekday names by Python's numbers (0 = Monday ... 6 = Sunday).
WEEKDAY_NAMES: Final = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
#: The most common weekend.
SATURDAY_SUNDAY: Final = frozenset({5, 6})
#: How far a search for a business day looks before it refuses the calendar (a leap year).
SEARCH_DAYS: Final = 366

#: Countries whose weekend is not Saturday–Sunday (ISO 3166-1 alpha-2), as the ``holidays``
#: package (0.109) defines them; a test checks this table against the package. Used by
#: :func:`weekend_of` for explicit calendars; :class:`HolidaysCalendar` reads the package.
WEEKENDS: Final[Mapping[str, frozenset[int]]] = {
    "AF": frozenset({4, 5}),
    "AI": frozenset({6}),
    "BD": frozenset({4, 5}),
    "BH": frozenset({4, 5}),
    "BN": frozenset({4, 6}),
    "CD": frozenset({6}),
    "DJ": frozenset({4, 5}),
    "DZ": frozenset({4, 5}),
    "EG": frozenset({4, 5}),
    "HK": frozenset({6}),
    "IL": frozenset({4, 5}),
    "IQ": frozenset({4, 5}),
    "IR": frozenset({4}),
    "JO": frozenset({4, 5}),
    "KN": frozenset({6}),
    "KW": frozenset({4, 5}),
    "MR": frozenset({4, 5}),
    "MV": frozenset({4, 5}),
    "NE": frozenset({6}),
    "OM": frozenset({4, 5}),
    "PY": frozenset({6}),
    "QA": frozenset({4, 5}),
    "SA": frozenset({4, 5}),
    "SD": frozenset({4, 5}),
    "SY": frozenset({4, 5}),
    "TK": frozenset({6}),
    "VE": frozenset({6}),
    "YE": frozenset({4, 5}),
}

#: Why a day is closed: its weekend, a public holiday, or a closure the organisation named.
ClosedKind: TypeAlias = Literal["weekend", "holiday", "closure"]


def _alpha2(country: object, subdivision: object = None) -> str:
    """An ISO 3166-1 alpha-2 code, upper-cased; anything else is an unknown region."""
    if not isinstance(country, str) or len(country.strip()) != 2 or not country.strip().isalpha():
        raise UnknownRegion(country, subdivision, "a country is an ISO 3166-1 alpha-2 code")
    return country.strip().upper()


def weekend_of(country: str | None) -> frozenset[int]:
    """The weekend of ``country`` (ISO alpha-2, any case): :data:`WEEKENDS`, else Sat–Sun.

    ``None`` gives Saturday–Sunday; a code that is not alpha-2 raises
    :class:`~stuut_domain.errors.UnknownRegion` (``"SAU"`` would silently read as Sat–Sun).
    """
    if country is None:
        return SATURDAY_SUNDAY
    return WEEKENDS.get(_alpha2(country), SATURDAY_SUNDAY)


def check_day(day: object) -> dt.date:
    """A calendar question takes a date: a datetime (whose date depends on a zone) or text is
    refused (:class:`~stuut_domain.errors.InvalidCadence` naming ``day``)."""
    if type(day) is not dt.date:
        raise InvalidCadence("day", day, "a calendar date (datetime.date), not a datetime or text")
    return day


@attrs.frozen(kw_only=True, weakref_slot=False)
class ClosedDay:
    """Why ``day`` is not a business day: its ``kind``, its ``name`` and the calendar's label.

    ``name`` is the holiday's name (``"New Year's Day (observed)"``), the closure's, or the
    weekday for a weekend day (``"Saturday"``).
    """

    day: dt.date
    kind: ClosedKind
    name: str
    calendar: str

    def __str__(self) -> str:
        what = f"{self.name} (weekend)" if self.kind == "weekend" else self.name
        return f"{self.day.isoformat()} is {what} in {self.calendar}"


def _weekend(_instance: Any, attribute: attrs.Attribute[Any], value: frozenset[int]) -> None:
    if any(type(d) is not int or not 0 <= d <= 6 for d in value):
        raise InvalidCadence(attribute.name, sorted(value, key=str), "weekdays are 0..6")
    if len(value) == 7:
        raise InvalidCadence(
            attribute.name, sorted(value), "a calendar needs at least one working weekday"
        )


def _days(value: Iterable[int]) -> frozenset[int]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidCadence("weekend", value, "a set of weekday numbers 0..6")
    return frozenset(value)


class _Searching:
    """The searches every calendar shares, written once over ``reason`` (a mixin)."""

    __slots__ = ()

    label: str

    def reason(self, day: dt.date) -> ClosedDay | None:  # pragma: no cover - overridden
        raise NotImplementedError

    def is_business_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day: not a weekend day, holiday or closure."""
        return self.reason(day) is None

    def next_business_day(self, day: dt.date, *, inclusive: bool = False) -> dt.date:
        """The first business day after ``day`` (``day`` itself too when ``inclusive``).

        Raises :class:`~stuut_domain.errors.NoBusinessDay` when none comes within
        :data:`SEARCH_DAYS` days.
        """
        probe = day if inclusive else _step(day, 1, self)
        for _ in range(SEARCH_DAYS):
            if self.is_business_day(probe):
                return probe
            probe = _step(probe, 1, self)
        raise NoBusinessDay(self.label, day, SEARCH_DAYS)

    def add_business_days(self, day: dt.date, days: int) -> dt.date:
        """``day`` moved by ``days`` business days.

        ``0``: ``day`` when it is a business day, else the next one (roll forward);
        ``n > 0``: the n-th business day after ``day``; ``n < 0``: the n-th before it. Each step
        is bounded as :meth:`next_business_day` is.
        """
        if type(days) is not int:
            raise InvalidCadence("days", days, "business days are counted in whole days")
        if days == 0:
            return self.next_business_day(day, inclusive=True)
        step = 1 if days > 0 else -1
        probe = day
        for _ in range(abs(days)):
            probe = _step(probe, step, self)
            for _ in range(SEARCH_DAYS):
                if self.is_business_day(probe):
                    break
                probe = _step(probe, step, self)
            else:
                raise NoBusinessDay(self.label, day, SEARCH_DAYS)
        return probe


def _step(day: dt.date, by: int, calendar: _Searching) -> dt.date:
    try:
        return day + dt.timedelta(days=by)
    except OverflowError:
        raise NoBusinessDay(calendar.label, day, SEARCH_DAYS) from None


@attrs.frozen(kw_only=True, weakref_slot=False)
class Closure:
    """Days the organisation does not work, ``start`` to ``end`` inclusive (a shutdown)."""

    start: dt.date
    end: dt.date
    name: str = "closure"

    def __attrs_post_init__(self) -> None:
        for field in ("start", "end"):
            if type(getattr(self, field)) is not dt.date:
                raise InvalidCadence(
                    field, getattr(self, field), "a closure is dated by datetime.date"
                )
        if self.end < self.start:
            raise InvalidCadence(
                "end", self.end, f"a closure ends on or after its start {self.start}"
            )

    def covers(self, day: dt.date) -> bool:
        """Whether ``day`` falls inside the closure."""
        return self.start <= day <= self.end


def _closures(value: Iterable[Closure]) -> tuple[Closure, ...]:
    closures = (value,) if isinstance(value, Closure) else tuple(value)
    for closure in closures:
        if not isinstance(closure, Closure):
            raise InvalidCadence("closures", closure, "each closure is a Closure")
    return closures


def _holidays(value: Mapping[dt.date, str]) -> Mapping[dt.date, str]:
    if not isinstance(value, Mapping):
        raise InvalidCadence("holidays", value, "a mapping of datetime.date to a name")
    out: dict[dt.date, str] = {}
    for day, name in value.items():
        if type(day) is not dt.date:
            raise InvalidCadence("holidays", day, "holidays are keyed by datetime.date")
        out[day] = str(name)
    return out


@attrs.frozen(kw_only=True, weakref_slot=False)
class ExplicitCalendar(_Searching):
    """A calendar from explicit facts: a ``weekend``, named ``holidays`` and ``closures``.

    Deterministic and always available. ``weekend`` defaults to Saturday–Sunday (use
    :func:`weekend_of` for a country's); a weekend of all seven days is refused
    (:class:`~stuut_domain.errors.InvalidCadence`). ``label`` names it in reasons.
    """

    weekend: frozenset[int] = attrs.field(
        default=SATURDAY_SUNDAY, converter=_days, validator=_weekend
    )
    holidays: Mapping[dt.date, str] = attrs.field(factory=dict, converter=_holidays)
    closures: tuple[Closure, ...] = attrs.field(default=(), converter=_closures)
    label: str = "explicit calendar"

    def reason(self, day: dt.date) -> ClosedDay | None:
        """Why ``day`` is closed: a holiday first, then a closure, then the weekend."""
        name = self.holidays.get(check_day(day))
        if name is not None:
            return ClosedDay(day=day, kind="holiday", name=name, calendar=self.label)
        for closure in self.closures:
            if closure.covers(day):
                return ClosedDay(day=day, kind="closure", name=closure.name, calendar=self.label)
        weekday = day.weekday()
        if weekday in self.weekend:
            return ClosedDay(
                day=day, kind="weekend", name=WEEKDAY_NAMES[weekday], calendar=self.label
            )
        return None


def _members(value: Iterable[Any]) -> tuple[Any, ...]:
    members = tuple(value)
    if not members:
        raise InvalidCadence("calendars", members, "a union needs at least one calendar")
    for member in members:
        if not callable(getattr(member, "reason", None)) or not hasattr(member, "label"):
            raise InvalidCadence("calendars", member, "each member is a BusinessCalendar")
    return members


@attrs.frozen(kw_only=True, weakref_slot=False)
class UnionCalendar(_Searching):
    """Closed on a day when any member calendar is; the first member's reason is given."""

    calendars: tuple[Any, ...] = attrs.field(converter=_members)

    @property
    def label(self) -> str:  # type: ignore[override]
        """The members' labels joined by ``+``."""
        return " + ".join(str(c.label) for c in self.calendars)

    def reason(self, day: dt.date) -> ClosedDay | None:
        """The first member's reason for ``day``, ``None`` when every member works."""
        check_day(day)
        for calendar in self.calendars:
            found: ClosedDay | None = calendar.reason(day)
            if found is not None:
                return found
        return None


@attrs.frozen(kw_only=True, weakref_slot=False)
class AnyOpenCalendar(_Searching):
    """Open on a day when any member calendar is; closed only when every member is.

    The calendar of a contact that goes to several recipients: it goes out on a day that is
    a business day for at least one of them (the others are left out that day). The reason
    for a closed day is the first member's.
    """

    calendars: tuple[Any, ...] = attrs.field(converter=_members)

    @property
    def label(self) -> str:  # type: ignore[override]
        """The members' labels joined by ``|``."""
        return " | ".join(str(c.label) for c in self.calendars)

    def reason(self, day: dt.date) -> ClosedDay | None:
        """``None`` when any member works on ``day``, else the first member's reason."""
        check_day(day)
        first: ClosedDay | None = None
        for calendar in self.calendars:
            found: ClosedDay | None = calendar.reason(day)
            if found is None:
                return None
            first = first or found
        return first


def _load_holidays() -> Any:
    try:
        import holidays  # noqa: PLC0415 - an optional extra, imported when first used
    except ImportError as exc:  # pragma: no cover - exercised without the extra installed
        raise ImportError(
            "HolidaysCalendar needs the optional 'holidays' package: "
            "pip install 'stuut-domain[calendars]' (or use ExplicitCalendar)"
        ) from exc
    return holidays


class HolidaysCalendar(_Searching):
    """The public holidays of ``country`` (and ``subdivision``) from the ``holidays`` package.

    ``categories`` picks the holiday categories (default ``("public",)``; the package also
    knows e.g. ``"government"``, ``"bank"`` per country); ``observed`` (default true) counts a
    holiday's observed day (New York's 2021-12-31 is New Year's Day 2022 observed, and is
    closed). The weekend is the package's for that country unless ``weekend`` is given. An
    unknown country or subdivision raises :class:`~stuut_domain.errors.UnknownRegion`, an
    unknown category :class:`~stuut_domain.errors.InvalidCadence`.
    """

    __slots__ = ("_entity", "categories", "country", "label", "observed", "subdivision", "weekend")

    def __init__(
        self,
        country: str,
        subdivision: str | None = None,
        *,
        categories: Iterable[str] = ("public",),
        observed: bool = True,
        weekend: Iterable[int] | None = None,
    ) -> None:
        holidays = _load_holidays()
        self.country = _alpha2(country, subdivision)
        if subdivision is not None and not isinstance(subdivision, str):
            raise UnknownRegion(country, subdivision, "a subdivision is an ISO 3166-2 code")
        sub = subdivision.strip().upper() if subdivision else None
        # ISO 3166-2 writes "US-NY"; the package takes "NY".
        if sub is not None and sub.startswith(f"{self.country}-"):
            sub = sub[len(self.country) + 1 :]
        self.subdivision = sub
        self.categories = tuple(categories)
        self.observed = bool(observed)
        try:
            entity = holidays.country_holidays(
                self.country, subdiv=self.subdivision, observed=self.observed
            )
        except NotImplementedError as exc:
            raise UnknownRegion(country, subdivision, str(exc)) from None
        supported = set(getattr(entity, "supported_categories", ()))
        unknown = [c for c in self.categories if c not in supported]
        if unknown or not self.categories:
            raise InvalidCadence(
                "categories", self.categories, f"{self.country} knows {sorted(supported)}"
            )
        if self.categories != ("public",):
            entity = holidays.country_holidays(
                self.country,
                subdiv=self.subdivision,
                observed=self.observed,
                categories=self.categories,
            )
        chosen = frozenset(entity.weekend) if weekend is None else frozenset(weekend)
        _weekend(None, attrs.fields(ExplicitCalendar).weekend, chosen)
        self.weekend = chosen
        self._entity = entity
        where = self.country if self.subdivision is None else f"{self.country}-{self.subdivision}"
        self.label = f"{where} public holidays"

    def reason(self, day: dt.date) -> ClosedDay | None:
        """Why ``day`` is closed here: a holiday (with its name), else the weekend."""
        name = self._entity.get(check_day(day))
        if name is not None:
            return ClosedDay(day=day, kind="holiday", name=str(name), calendar=self.label)
        weekday = day.weekday()
        if weekday in self.weekend:
            return ClosedDay(
                day=day, kind="weekend", name=WEEKDAY_NAMES[weekday], calendar=self.label
            )
        return None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HolidaysCalendar):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[object, ...]:
        return (self.country, self.subdivision, self.categories, self.observed, self.weekend)

    def __repr__(self) -> str:
        return (
            f"HolidaysCalendar({self.country!r}, {self.subdivision!r}, "
            f"categories={self.categories!r}, observed={self.observed})"
        )
