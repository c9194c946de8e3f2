"""Specifications of business calendars: explicit, holidays-backed, unions, and resolution."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outreach_builders import acme, anna
from stuut_domain.address import Address, ContactAddress
from stuut_domain.cadence import (
    SEARCH_DAYS,
    WEEKENDS,
    CalendarBook,
    Closure,
    ExplicitCalendar,
    HolidaysCalendar,
    UnionCalendar,
    weekend_of,
)
from stuut_domain.errors import InvalidCadence, NoBusinessDay, UnknownRegion
from stuut_domain.ports import BusinessCalendar

#: The tests of the ``holidays`` adapter (an optional extra) run only where it is installed;
#: everything else here is deterministic without it.
needs_holidays = pytest.mark.skipif(
    importlib.util.find_spec("holidays") is None, reason="the optional 'holidays' extra"
)

#: Christmas week 2026: Thursday 24 to Friday 1 January closed.
SHUTDOWN = Closure(start=dt.date(2026, 12, 24), end=dt.date(2027, 1, 1), name="year-end shutdown")


def address(country: str | None, state: str | None = None) -> Address:
    return Address(object="address", country=country, state=state)


class TestExplicitCalendar:
    def test_weekend_holiday_and_closure_each_name_their_reason(self) -> None:
        cal = ExplicitCalendar(
            holidays={dt.date(2026, 12, 8): "Feast"}, closures=(SHUTDOWN,), label="ours"
        )
        saturday = cal.reason(dt.date(2026, 12, 5))
        assert saturday is not None
        assert (saturday.kind, saturday.name) == ("weekend", "Saturday")
        feast = cal.reason(dt.date(2026, 12, 8))
        assert feast is not None
        assert (feast.kind, feast.name) == ("holiday", "Feast")
        shut = cal.reason(dt.date(2026, 12, 28))
        assert shut is not None
        assert (shut.kind, shut.name) == ("closure", "year-end shutdown")
        assert "2026-12-28 is year-end shutdown in ours" == str(shut)
        assert cal.reason(dt.date(2026, 12, 9)) is None

    def test_next_and_add_business_days_skip_closed_days(self) -> None:
        cal = ExplicitCalendar(closures=(SHUTDOWN,))
        # Wednesday 23 December: the next business day is Monday 4 January.
        assert dt.date(2027, 1, 4) == cal.next_business_day(dt.date(2026, 12, 23))
        assert dt.date(2026, 12, 23) == cal.next_business_day(dt.date(2026, 12, 23), inclusive=True)
        assert dt.date(2027, 1, 5) == cal.add_business_days(dt.date(2026, 12, 23), 2)
        assert dt.date(2026, 12, 22) == cal.add_business_days(dt.date(2027, 1, 4), -2)
        # 0 rolls a closed day forward, keeps a business day.
        assert dt.date(2027, 1, 4) == cal.add_business_days(dt.date(2026, 12, 26), 0)
        assert dt.date(2026, 12, 23) == cal.add_business_days(dt.date(2026, 12, 23), 0)

    def test_country_weekends(self) -> None:
        """Friday-Saturday in SA and IL, Friday only in IR, Saturday-Sunday elsewhere."""
        assert frozenset({4, 5}) == weekend_of("sa") == weekend_of("IL")
        assert frozenset({4}) == weekend_of("IR")
        assert frozenset({5, 6}) == weekend_of("DE") == weekend_of(None)
        friday = dt.date(2026, 12, 4)
        assert not ExplicitCalendar(weekend=weekend_of("SA")).is_business_day(friday)
        assert ExplicitCalendar(weekend=weekend_of("SA")).is_business_day(dt.date(2026, 12, 6))

    @needs_holidays
    def test_the_weekend_table_agrees_with_the_holidays_package(self) -> None:
        """An independent oracle: every country the package defines, with its own weekend."""
        holidays = importlib.import_module("holidays")
        for country in holidays.list_supported_countries():
            if len(country) != 2:
                continue
            expected = frozenset(holidays.country_holidays(country).weekend)
            assert expected == weekend_of(country), country
        assert set(WEEKENDS) <= set(holidays.list_supported_countries())

    @pytest.mark.parametrize(
        ("arguments", "field"),
        [
            ({"weekend": range(7)}, "weekend"),
            ({"weekend": {7}}, "weekend"),
            ({"holidays": {"2026-12-25": "Christmas"}}, "holidays"),
        ],
    )
    def test_impossible_calendars_are_refused_naming_the_field(
        self, arguments: dict[str, object], field: str
    ) -> None:
        with pytest.raises(InvalidCadence) as raised:
            ExplicitCalendar(**arguments)  # type: ignore[arg-type]
        assert field == raised.value.field

    def test_a_closure_that_ends_before_it_starts_is_refused(self) -> None:
        with pytest.raises(InvalidCadence, match="end"):
            Closure(start=dt.date(2026, 12, 2), end=dt.date(2026, 12, 1))

    def test_a_year_without_business_day_raises_instead_of_looping(self) -> None:
        year = Closure(start=dt.date(2026, 1, 1), end=dt.date(2027, 12, 31), name="closed")
        cal = ExplicitCalendar(closures=(year,))
        with pytest.raises(NoBusinessDay) as raised:
            cal.next_business_day(dt.date(2026, 3, 1))
        assert SEARCH_DAYS == raised.value.days
        with pytest.raises(NoBusinessDay):
            cal.add_business_days(dt.date(2026, 3, 1), 3)

    def test_the_end_of_the_calendar_is_an_error_not_an_overflow(self) -> None:
        with pytest.raises(NoBusinessDay):
            ExplicitCalendar(weekend={5, 6}).next_business_day(dt.date(9999, 12, 31))

    @needs_holidays
    def test_it_satisfies_the_port(self) -> None:
        calendars: list[BusinessCalendar] = [
            ExplicitCalendar(),
            UnionCalendar(calendars=(ExplicitCalendar(),)),
            HolidaysCalendar("DE"),
        ]
        assert all(c.is_business_day(dt.date(2026, 12, 2)) for c in calendars)


@needs_holidays
class TestHolidaysCalendar:
    def test_observed_day_in_the_previous_year(self) -> None:
        """New York 2021-12-31 is New Year's Day 2022 observed: closed, with its name."""
        ny = HolidaysCalendar("US", "NY")
        reason = ny.reason(dt.date(2021, 12, 31))
        assert reason is not None
        assert ("holiday", "New Year's Day (observed)") == (reason.kind, reason.name)
        assert dt.date(2022, 1, 3) == ny.next_business_day(dt.date(2021, 12, 30))

    def test_observed_days_can_be_turned_off(self) -> None:
        assert HolidaysCalendar("US", "NY", observed=False).is_business_day(dt.date(2021, 12, 31))

    def test_the_country_weekend_comes_from_the_package(self) -> None:
        friday = dt.date(2026, 12, 4)
        assert not HolidaysCalendar("SA").is_business_day(friday)
        assert not HolidaysCalendar("IR").is_business_day(friday)
        assert HolidaysCalendar("IR").is_business_day(dt.date(2026, 12, 5))

    def test_subdivisions_differ(self) -> None:
        """Epiphany (6 January) is a holiday in Bavaria, not in Berlin."""
        epiphany = dt.date(2027, 1, 6)
        assert not HolidaysCalendar("DE", "BY").is_business_day(epiphany)
        assert HolidaysCalendar("DE", "BE").is_business_day(epiphany)

    @pytest.mark.parametrize(("country", "subdivision"), [("XX", None), ("US", "ZZ"), ("", None)])
    def test_unknown_regions_are_refused(self, country: str, subdivision: str | None) -> None:
        with pytest.raises(UnknownRegion) as raised:
            HolidaysCalendar(country, subdivision)
        assert country == raised.value.country

    def test_unknown_categories_are_refused(self) -> None:
        with pytest.raises(InvalidCadence) as raised:
            HolidaysCalendar("US", categories=("nonsense",))
        assert "categories" == raised.value.field

    def test_equal_by_value(self) -> None:
        assert HolidaysCalendar("us") == HolidaysCalendar("US")
        assert hash(HolidaysCalendar("us")) == hash(HolidaysCalendar("US"))


@needs_holidays
class TestUnion:
    def test_closed_when_any_member_is_closed(self) -> None:
        union = UnionCalendar(
            calendars=(HolidaysCalendar("US"), ExplicitCalendar(closures=(SHUTDOWN,)))
        )
        assert not union.is_business_day(dt.date(2026, 12, 28))  # the shutdown
        assert not union.is_business_day(dt.date(2026, 11, 26))  # Thanksgiving
        assert union.is_business_day(dt.date(2026, 12, 2))
        assert "US public holidays + explicit calendar" == union.label

    def test_an_empty_union_is_refused(self) -> None:
        with pytest.raises(InvalidCadence):
            UnionCalendar(calendars=())


@needs_holidays
class TestResolution:
    def test_the_contacts_region_comes_first(self) -> None:
        book = CalendarBook(organisation=("DE", None))
        partner = acme(billing_address=address("US", "NY"))
        contact = anna(address=address("GB", "SCT"))
        choice = book.for_recipient(partner, contact)
        assert ("contact", ("GB", "SCT")) == (choice.source, choice.region)
        assert () == choice.notes

    def test_the_contacts_primary_address_when_it_has_no_own(self) -> None:
        book = CalendarBook()
        contact = anna(
            addresses=(
                ContactAddress(object="address", country="FR"),
                ContactAddress(object="address", country="ES", is_primary=True),
            )
        )
        assert ("ES", None) == book.for_recipient(acme(), contact).region

    def test_then_the_partners_then_the_organisations_each_with_a_note(self) -> None:
        book = CalendarBook(organisation=("DE", None))
        partner = acme(billing_address=address("US", "NY"))
        by_partner = book.for_recipient(partner, anna())
        assert ("partner", ("US", "NY")) == (by_partner.source, by_partner.region)
        expected = (
            "the contact names no known region; the partner's region US-NY decides the "
            "business days"
        )
        assert [expected] == list(by_partner.notes)
        by_org = book.for_recipient(acme(), anna())
        assert "organisation" == by_org.source
        assert "organisation's DE" in by_org.notes[0]

    def test_an_unknown_remote_region_falls_back_with_a_note_never_silently(self) -> None:
        book = CalendarBook(organisation=("DE", None))
        choice = book.for_recipient(acme(billing_address=address("<string>")), None)
        assert "organisation" == choice.source
        assert any("'<string>' is not known" in n for n in choice.notes)

    def test_an_unknown_subdivision_falls_back_to_the_country(self) -> None:
        choice = CalendarBook().for_recipient(acme(billing_address=address("US", "Nowhere")))
        assert isinstance(choice.calendar, HolidaysCalendar)
        assert (choice.calendar.country, choice.calendar.subdivision) == ("US", None)
        assert any("subdivision 'Nowhere'" in n for n in choice.notes)

    def test_no_region_anywhere_means_no_calendar_and_says_so(self) -> None:
        choice = CalendarBook().for_recipient(acme())
        assert (None, "none") == (choice.calendar, choice.source)
        assert choice.notes

    def test_an_unknown_organisation_region_is_a_setup_error(self) -> None:
        with pytest.raises(UnknownRegion):
            CalendarBook(organisation=("Germany", None))

    def test_closures_join_every_calendar_and_calendars_are_built_once(self) -> None:
        built: list[tuple[str, str | None]] = []

        def factory(country: str, subdivision: str | None) -> ExplicitCalendar:
            built.append((country, subdivision))
            return ExplicitCalendar(label=country)

        book = CalendarBook(factory=factory, closures=ExplicitCalendar(closures=(SHUTDOWN,)))
        first = book.calendar("de")
        assert first is book.calendar("DE")
        assert [("DE", None)] == built
        assert not first.is_business_day(dt.date(2026, 12, 28))


@given(
    day=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)),
    n=st.integers(min_value=-40, max_value=40),
    closed=st.sets(
        st.dates(min_value=dt.date(2019, 11, 1), max_value=dt.date(2031, 3, 1)), max_size=60
    ),
    weekend=st.sets(st.integers(0, 6), max_size=6),
)
def test_add_business_days_agrees_with_counting_day_by_day(
    day: dt.date, n: int, closed: set[dt.date], weekend: set[int]
) -> None:
    """Brute force: stepping one day at a time and counting open days gives the same answer."""
    cal = ExplicitCalendar(weekend=weekend, holidays=dict.fromkeys(closed, "closed"))
    result = cal.add_business_days(day, n)
    assert cal.is_business_day(result)
    if n == 0:
        probe = day
        while not (probe.weekday() not in weekend and probe not in closed):
            probe += dt.timedelta(days=1)
        assert probe == result
        return
    step = dt.timedelta(days=1 if n > 0 else -1)
    probe, counted = day, 0
    while counted < abs(n):
        probe += step
        if probe.weekday() not in weekend and probe not in closed:
            counted += 1
    assert probe == result
