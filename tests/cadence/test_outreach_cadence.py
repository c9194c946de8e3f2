"""Calendars, caps and consent inside outreach decisions, and next_eligible_at by brute force."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from outreach.test_properties import Scenario, assert_next_eligible_is_exact, scenarios
from outreach_builders import (
    WED_NOON_BERLIN,
    acme,
    anna,
    bruno,
    inv_2024_0042,
    net30_reminders,
    utc,
)
from stuut_domain.address import Address
from stuut_domain.cadence import (
    CalendarBook,
    Closure,
    ConsentEvent,
    ConsentLedger,
    DunningLevel,
    DunningPolicy,
    ExplicitCalendar,
    FrequencyCap,
    HolidaysCalendar,
    UnionCalendar,
    dunning_level,
    honour_by,
    reg_f_calls,
)
from stuut_domain.errors import InvalidCadence, NoBusinessDay, StuutDomainError
from stuut_domain.outreach.decision import OutreachDecision
from stuut_domain.outreach.engine import OutreachContext, decide_outreach
from stuut_domain.outreach.policy import OutreachPolicy
from stuut_domain.outreach.simulation import simulate_outreach
from stuut_domain.outreach.state import OutreachState

DAY = dt.timedelta(days=1)


def explicit_book(closed: dict[dt.date, str], **options: object) -> CalendarBook:
    return CalendarBook(
        organisation=("DE", None),
        factory=lambda country, sub: ExplicitCalendar(holidays=closed, label=country),
        **options,  # type: ignore[arg-type]
    )


def decide(**arguments: object) -> OutreachDecision:
    values: dict[str, object] = {
        "partner": acme(),
        "workflow": net30_reminders(),
        "channel": "email",
        "at": WED_NOON_BERLIN,
        "policy": OutreachPolicy(),
        "state": OutreachState(),
    }
    values.update(arguments)
    invoices = values.pop("invoices", inv_2024_0042())
    return decide_outreach(invoices, **values)  # type: ignore[arg-type]


class TestHolidayBlocker:
    def test_a_holiday_blocks_with_its_name_until_the_next_business_day_opens(self) -> None:
        book = explicit_book(
            {dt.date(2024, 7, 3): "Company day", dt.date(2024, 7, 4): "Bridge day"}
        )
        decision = decide(policy=OutreachPolicy(calendars=book))
        assert not decision.eligible
        [blocker] = decision.blockers
        assert ("holiday", utc(2024, 7, 5, 7)) == (blocker.code, blocker.clears_at)
        assert "Company day" in blocker.message
        assert utc(2024, 7, 5, 7) == decision.next_eligible_at
        assert any(n.code == "calendar_fallback" for n in decision.notes)

    def test_a_pause_ending_on_a_holiday_resumes_on_the_next_business_day(self) -> None:
        book = explicit_book({dt.date(2024, 7, 4): "Fest"})
        state = OutreachState().pause("ptn_acme", until=utc(2024, 7, 4, 8))
        decision = decide(policy=OutreachPolicy(calendars=book), state=state)
        assert utc(2024, 7, 5, 7) == decision.next_eligible_at

    def test_a_long_shutdown_beyond_the_usual_horizon(self) -> None:
        shutdown = ExplicitCalendar(
            closures=(Closure(start=dt.date(2024, 7, 3), end=dt.date(2024, 8, 15), name="summer"),)
        )
        book = explicit_book({}, closures=shutdown)
        decision = decide(policy=OutreachPolicy(calendars=book))
        assert utc(2024, 8, 16, 7) == decision.next_eligible_at

    def test_a_recipient_on_holiday_is_left_out_and_the_other_reached(self) -> None:
        """Anna (billing) in Bavaria, Bruno (primary too) in Berlin: each one's holiday leaves
        that one out; only a day closed for both blocks (ADR 0050)."""
        by_region = {
            "BY": ExplicitCalendar(
                holidays={dt.date(2024, 7, 3): "Bavarian day", dt.date(2024, 7, 5): "Both"},
                label="BY",
            ),
            "BE": ExplicitCalendar(
                holidays={dt.date(2024, 7, 4): "Berlin day", dt.date(2024, 7, 5): "Both"},
                label="BE",
            ),
        }
        book = CalendarBook(factory=lambda country, sub: by_region[sub or "BE"])
        partner = acme(
            contacts=(
                anna(address=Address(object="address", country="DE", state="BY")),
                bruno(
                    address=Address(object="address", country="DE", state="BE"),
                    is_primary_email=True,
                ),
            )
        )
        policy = OutreachPolicy(calendars=book, min_gap_per_partner=dt.timedelta(0))
        wednesday = decide(partner=partner, policy=policy)
        assert wednesday.eligible
        assert ["bruno.klein@acme-tooling.de"] == [r.address for r in wednesday.recipients]
        assert any("Bavarian day" in n.message for n in wednesday.notes)
        thursday = decide(partner=partner, policy=policy, at=utc(2024, 7, 4, 10))
        assert ["anna.becker@acme-tooling.de"] == [r.address for r in thursday.recipients]
        friday = decide(partner=partner, policy=policy, at=utc(2024, 7, 5, 10))
        assert ["holiday"] == [b.code for b in friday.blockers]
        assert utc(2024, 7, 8, 7) == friday.next_eligible_at

    def test_a_recipient_left_out_by_consent_does_not_close_the_day(self) -> None:
        """Found by an outside review: Bruno (New York) opted out; Anna (Berlin) works on 4 July."""
        book = CalendarBook(organisation=("DE", None))
        partner = acme(
            contacts=(
                anna(address=Address(object="address", country="DE", state="BE")),
                bruno(
                    external_role="billing_contact",
                    address=Address(object="address", country="US", state="NY"),
                ),
            )
        )
        state = OutreachState(
            consents=ConsentLedger(
                events=(
                    ConsentEvent(
                        channel="email",
                        kind="opt_out",
                        received_at=utc(2024, 7, 2),
                        contact_id="con_bruno",
                    ),
                )
            )
        )
        decision = decide(
            partner=partner,
            policy=OutreachPolicy(calendars=book),
            state=state,
            at=utc(2024, 7, 4, 10),
        )
        assert decision.eligible
        assert ["anna.becker@acme-tooling.de"] == [r.address for r in decision.recipients]


class TestCapsAndConsent:
    def test_a_recipient_at_its_cap_is_left_out_while_another_remains(self) -> None:
        partner = acme(contacts=(anna(), bruno(is_primary_email=True)))
        cap = FrequencyCap(channels={"email"}, max_attempts=1, window=DAY * 7, scope="contact")
        state = OutreachState().record(
            partner_id="ptn_acme",
            channel="email",
            sent_at=utc(2024, 6, 28, 9),
            to=("ANNA.BECKER@acme-tooling.de",),
        )
        decision = decide(
            partner=partner, policy=OutreachPolicy(frequency_caps=(cap,)), state=state
        )
        assert decision.eligible
        assert ["bruno.klein@acme-tooling.de"] == [r.address for r in decision.recipients]
        assert any(n.code == "recipient_excluded" for n in decision.notes)

    def test_every_recipient_capped_blocks_until_the_first_is_free(self) -> None:
        cap = FrequencyCap(channels={"email"}, max_attempts=1, window=DAY * 7, scope="contact")
        state = OutreachState().record(
            partner_id="ptn_acme",
            channel="email",
            sent_at=utc(2024, 6, 28, 9),
            to=("anna.becker@acme-tooling.de",),
        )
        decision = decide(policy=OutreachPolicy(frequency_caps=(cap,)), state=state)
        assert [("frequency_cap", utc(2024, 7, 5, 9))] == [
            (b.code, b.clears_at) for b in decision.blockers
        ]
        assert () == decision.recipients

    def test_reg_f_blocks_the_eighth_call_about_one_invoice_only(self) -> None:
        state = OutreachState()
        for i in range(7):
            state = state.record(
                partner_id="ptn_acme",
                channel="call",
                sent_at=utc(2024, 6, 27, 8) + i * DAY,
                invoice_ids=("inv_2024_0042",),
            )
        other = inv_2024_0042(id="inv_2024_0043", number="INV-2024-0043")
        policy = OutreachPolicy(
            frequency_caps=(reg_f_calls(),),
            min_gap_per_invoice=dt.timedelta(0),
            min_gap_per_partner=dt.timedelta(0),
        )
        decision = decide(
            invoices=[inv_2024_0042(), other], channel="call", policy=policy, state=state
        )
        assert decision.eligible
        assert ("inv_2024_0043",) == decision.invoice_ids
        [held] = decision.excluded
        assert ("invoice_frequency_cap", utc(2024, 7, 4, 8)) == (held.code, held.clears_at)

    def test_consent_is_per_address(self) -> None:
        state = OutreachState().record_consent(
            ConsentEvent(
                channel="call",
                kind="revoke",
                address="+49 711 555 0142",
                received_at=utc(2024, 7, 1),
            ),
            now=utc(2024, 7, 1),
        )
        # Anna's number is revoked; the call goes to the next qualifying number? No: a call
        # goes to the single best-ranked number, so nobody remains and it blocks.
        decision = decide(channel="call", state=state)
        assert ["no_consent"] == [b.code for b in decision.blockers]
        assert decision.next_eligible_at is None
        email = decide(channel="email", state=state)
        assert email.eligible


@st.composite
def cadence_scenarios(draw: st.DrawFn) -> Scenario:
    """The outreach scenarios of the engine's own properties, with a calendar closing random
    days near the instant, frequency caps of every scope, and attempts and consents."""
    base = draw(scenarios())
    now = base.at
    start = now.date()

    def calendar_near() -> ExplicitCalendar:
        closed = {
            start + dt.timedelta(days=d): "closed"
            for d in draw(st.sets(st.integers(-3, 25), max_size=12))
        }
        return ExplicitCalendar(
            weekend=draw(st.sets(st.integers(0, 6), max_size=3)), holidays=closed
        )

    # Each contact in its own region (or none: the organisation's), each region its calendar.
    by_region = {"AA": calendar_near(), "BB": calendar_near(), "XX": calendar_near()}
    book = CalendarBook(organisation=("XX", None), factory=lambda c, s: by_region[c])
    regions = st.sampled_from([None, "AA", "BB"])

    def placed(country: str | None) -> Address | None:
        return None if country is None else Address(object="address", country=country)

    base = attrs.evolve(
        base,
        partner=attrs.evolve(
            base.partner,
            contacts=(
                anna(address=placed(draw(regions))),
                bruno(address=placed(draw(regions)), is_primary_email=draw(st.booleans())),
            ),
        ),
    )
    caps = tuple(
        FrequencyCap(
            channels=draw(st.sampled_from([{"email"}, {"call"}, {"email", "call"}])),
            max_attempts=draw(st.integers(1, 3)),
            window=dt.timedelta(hours=draw(st.integers(1, 24 * 8))),
            scope=draw(st.sampled_from(["contact", "partner", "invoice"])),
            count=draw(st.sampled_from(["placed", "delivered", "conversations"])),
            quiet_after_conversation=draw(
                st.none() | st.integers(1, 24 * 8).map(lambda h: dt.timedelta(hours=h))
            ),
        )
        for _ in range(draw(st.integers(0, 3)))
    )
    state = base.state
    addresses = ["anna.becker@acme-tooling.de", "+49 711 555 0142", "accounts@acme-tooling.de"]
    for _ in range(draw(st.integers(0, 6))):
        state = state.record(
            partner_id="ptn_acme",
            channel=draw(st.sampled_from(["email", "call"])),
            sent_at=now - dt.timedelta(hours=draw(st.integers(0, 24 * 9))),
            to=tuple(draw(st.lists(st.sampled_from(addresses), max_size=2))),
            invoice_ids=tuple(
                draw(st.lists(st.sampled_from([i.id for i in base.invoices if i.id])))
            ),
            outcome=draw(st.sampled_from(["placed", "delivered", "conversation"])),
        )
    if draw(st.booleans()):
        state = state.record_consent(
            ConsentEvent(
                channel=draw(st.sampled_from(["email", "call"])),
                kind=draw(st.sampled_from(["opt_in", "opt_out", "revoke"])),
                address=draw(st.sampled_from(addresses)),
                received_at=now - dt.timedelta(hours=draw(st.integers(0, 48))),
            ),
            now=now,
        )
    policy = attrs.evolve(base.policy, calendars=book, frequency_caps=caps)
    return attrs.evolve(base, policy=policy, state=state)


class TestNextEligibleWithCadence:
    @pytest.mark.slow
    @given(scenario=cadence_scenarios(), fractions=st.lists(st.floats(0, 1), max_size=12))
    def test_eligible_at_next_eligible_and_at_no_sampled_instant_before(
        self, scenario: Scenario, fractions: list[float]
    ) -> None:
        """Brute force over holidays, caps and consent: eligible at next_eligible_at and at
        no sampled instant before it (the last microsecond and second before it included)."""
        assert_next_eligible_is_exact(scenario, fractions)

    @pytest.mark.slow
    @given(scenario=cadence_scenarios())
    def test_a_reused_context_decides_as_a_fresh_one(self, scenario: Scenario) -> None:
        context = OutreachContext(
            partner=scenario.partner,
            workflow=scenario.workflow,
            channel=scenario.channel,
            policy=scenario.policy,
        )
        for hours in (0, 5, 30, 200):
            at = scenario.at + dt.timedelta(hours=hours)
            assert scenario.decide(at) == context.decide(
                scenario.invoices, at=at, state=scenario.state
            )


SHUT = Closure(start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 2))
AT = utc(2024, 7, 3)


class TestOutsiderFindings:
    """Regression tests for what an outside review of issue 16 found."""

    def test_facts_dated_after_the_decision_are_refused(self) -> None:
        late = OutreachState(
            consents=ConsentLedger(
                events=(
                    ConsentEvent(
                        channel="email",
                        kind="opt_out",
                        received_at=utc(2024, 7, 4, 6),
                        contact_id="con_anna",
                    ),
                )
            )
        )
        with pytest.raises(InvalidCadence) as raised:
            decide(state=late, at=utc(2024, 7, 3, 18))
        assert "received_at" == raised.value.field
        cap = FrequencyCap(channels={"email"}, max_attempts=2, window=DAY)
        future = OutreachState().record(
            partner_id="ptn_acme", channel="email", sent_at=utc(2024, 7, 9)
        )
        with pytest.raises(InvalidCadence):
            decide(state=future, policy=OutreachPolicy(frequency_caps=(cap,)))

    def test_huge_windows_are_refused_and_late_caps_never_overflow(self) -> None:
        with pytest.raises(InvalidCadence):
            FrequencyCap(channels={"call"}, max_attempts=1, window=dt.timedelta.max)
        cap = FrequencyCap(channels={"email"}, max_attempts=1, window=dt.timedelta(days=30))
        late = dt.datetime(9999, 11, 27, 10, tzinfo=dt.UTC)
        state = OutreachState().record(partner_id="ptn_acme", channel="email", sent_at=late)
        decision = decide(
            state=state,
            at=late,
            policy=OutreachPolicy(frequency_caps=(attrs.evolve(cap, scope="partner"),)),
        )
        assert not decision.eligible

    def test_a_calendar_closed_beyond_its_bound_is_a_typed_error(self) -> None:
        closed = ExplicitCalendar(
            closures=(Closure(start=dt.date(2024, 1, 1), end=dt.date(2026, 1, 1)),)
        )
        book = CalendarBook(organisation=("DE", None), factory=lambda c, s: closed)
        with pytest.raises(NoBusinessDay):
            decide(policy=OutreachPolicy(calendars=book))

    def test_a_calendar_asked_about_a_datetime_refuses(self) -> None:
        with pytest.raises(InvalidCadence):
            ExplicitCalendar().is_business_day(utc(2026, 12, 25, 9))  # type: ignore[arg-type]

    def test_one_address_given_as_text_is_one_address(self) -> None:
        state = OutreachState().record(
            partner_id="ptn_acme",
            channel="email",
            sent_at=utc(2024, 6, 30, 9),
            to="anna.becker@acme-tooling.de",
        )
        assert ("anna.becker@acme-tooling.de",) == state.sent[0].to
        cap = FrequencyCap(channels={"email"}, max_attempts=1, window=DAY * 7)
        assert not decide(state=state, policy=OutreachPolicy(frequency_caps=(cap,))).eligible

    def test_dunning_counts_days_in_the_zone_given(self) -> None:
        levels = DunningPolicy(
            levels=(DunningLevel(name="a", days_overdue=0), DunningLevel(name="b", days_overdue=7))
        )
        at = utc(2024, 7, 8, 13)
        utc_days = dunning_level([inv_2024_0042()], levels, at)
        auckland = dunning_level([inv_2024_0042()], levels, at, zone="Pacific/Auckland")
        assert (7, 8) == (utc_days.days_overdue, auckland.days_overdue)
        assert "UTC" in utc_days.reason
        early = dunning_level(
            [inv_2024_0042()], levels, utc(2024, 7, 1, 20), zone="Pacific/Auckland"
        )
        assert utc(2024, 7, 7, 12) == early.next_at

    def test_a_simulation_held_by_the_dunning_level_says_so(self) -> None:
        levels = DunningPolicy(
            levels=(
                DunningLevel(name="friendly", days_overdue=0),
                DunningLevel(name="call", days_overdue=30, channels=("call",), kind="call_task"),
            )
        )
        run = simulate_outreach(
            [inv_2024_0042()],
            partners=[acme()],
            workflow=net30_reminders(),
            start=utc(2024, 8, 5),
            end=utc(2024, 8, 19),
            channels=("email",),
            dunning=levels,
        )
        (missed,) = run.uncontacted
        assert "dunning_level" == missed.code
        assert "sends no email" in missed.reasons[0]

    @pytest.mark.parametrize(
        "build",
        [
            lambda: HolidaysCalendar(None),
            lambda: HolidaysCalendar("USA"),
            lambda: ExplicitCalendar(weekend=5),
            lambda: ExplicitCalendar(holidays=[1, 2]),
            lambda: ExplicitCalendar(closures=[1]),
            lambda: Closure(start="a", end="b"),
            lambda: UnionCalendar(calendars=[1]),
            lambda: CalendarBook(
                closures=Closure(start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 2))
            ),
            lambda: CalendarBook(organisation="US"),
            lambda: FrequencyCap(channels=None, max_attempts=1, window=DAY),
            lambda: OutreachPolicy(frequency_caps=None),
            lambda: ConsentEvent(
                channel="email", kind="opt_out", received_at="2024-07-03", address="a@x.com"
            ),
            lambda: ConsentEvent(
                channel="email", kind="opt_out", received_at=utc(2024, 7, 3), address=" "
            ),
            lambda: ConsentLedger(events=[1]),
            lambda: ConsentLedger().state("sms", "a@x.com", utc(2024, 7, 3)),
            lambda: OutreachState(consents=[]),
            lambda: DunningPolicy(levels=None),
            lambda: DunningPolicy(levels=[1, 2]),
            lambda: DunningLevel(name="x", days_overdue=10**12),
            lambda: DunningLevel(name="x", days_overdue=1, channels=None),
            lambda: dunning_level([], None, utc(2024, 7, 3)),
            lambda: honour_by(utc(2024, 7, 3), ExplicitCalendar(), business_days=-1),
        ],
    )
    def test_bad_settings_get_the_projects_own_error(self, build: Callable[[], object]) -> None:
        with pytest.raises(StuutDomainError):
            build()

    def test_iso_3166_2_subdivisions_are_read(self) -> None:
        assert "NY" == HolidaysCalendar("US", "US-NY").subdivision
