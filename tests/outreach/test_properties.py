"""Properties of outreach eligibility over zones, windows, days, instants and holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from outreach_builders import acme, anna, inv_2024_0042, net30_reminders
from stuut_domain.invoice import Invoice
from stuut_domain.outreach.decision import OutreachDecision
from stuut_domain.outreach.engine import OutreachContext, decide_outreach
from stuut_domain.outreach.policy import GAP_SCOPES, GapScope, OutreachPolicy
from stuut_domain.outreach.state import OutreachState
from stuut_domain.partner import Partner
from stuut_domain.workflow import Workflow

UTC = dt.UTC
ZONE_NAMES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Santiago",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "Pacific/Chatham",
]
INSTANTS = st.datetimes(
    min_value=dt.datetime(2011, 1, 1), max_value=dt.datetime(2030, 12, 31), timezones=st.just(UTC)
)
HOURS = st.integers(-24 * 20, 24 * 20).map(lambda h: dt.timedelta(hours=h))
CLOCK = st.none() | st.times().map(lambda t: f"{t:%H:%M}")
CHANNELS = st.sampled_from(["email", "call"])


@attrs.frozen
class Scenario:
    partner: Partner
    workflow: Workflow
    invoices: tuple[Invoice, ...]
    channel: Any
    at: dt.datetime
    policy: OutreachPolicy
    state: OutreachState

    def decide(self, at: dt.datetime | None = None) -> OutreachDecision:
        return decide_outreach(
            self.invoices,
            partner=self.partner,
            workflow=self.workflow,
            channel=self.channel,
            at=self.at if at is None else at,
            policy=self.policy,
            state=self.state,
        )


@st.composite
def invoices_of_acme(draw: st.DrawFn, now: dt.datetime, n: int) -> Invoice:
    return inv_2024_0042(
        id=f"inv_2024_{n:04d}",
        number=f"INV-2024-{n:04d}",
        issued_at=now - dt.timedelta(days=60),
        due_date=now + draw(HOURS),
        in_dispute=draw(st.sampled_from([None, None, None, False, True])),
        promised_to_pay_date=draw(st.none() | HOURS.map(lambda h: (now + h).date())),
        last_outreach_at=draw(st.none() | HOURS.map(lambda h: now - abs(h))),
        last_outreach_channel=draw(st.none() | CHANNELS),
    )


@st.composite
def scenarios(draw: st.DrawFn, scope: GapScope | None = None) -> Scenario:
    """A partner's invoices, workflow, policy and history; both gaps in ``scope`` if given."""
    now = draw(INSTANTS)
    partner = acme(
        timezone=draw(st.none() | st.sampled_from(ZONE_NAMES)),
        last_outreach_at=draw(st.none() | HOURS.map(lambda h: now - abs(h))),
        last_outreach_channel=draw(st.none() | CHANNELS),
        is_email_outreach_manually_paused=draw(st.sampled_from([None, False, False, True])),
    )
    workflow = net30_reminders(
        timezone=draw(st.sampled_from(ZONE_NAMES)),
        outreach_window_start=draw(CLOCK),
        outreach_window_end=draw(CLOCK),
        active_days=tuple(draw(st.lists(st.integers(0, 6), unique=True, max_size=7))),
        is_call_on_weekend_enabled=draw(st.booleans()),
    )
    count = draw(st.integers(1, 3))
    invoices = tuple(draw(invoices_of_acme(now, n)) for n in range(count))
    state = OutreachState()
    for _ in range(draw(st.integers(0, 3))):
        state = state.record(
            partner_id="ptn_acme",
            channel=draw(CHANNELS),
            sent_at=now - abs(draw(HOURS)),
            invoice_ids=draw(st.lists(st.sampled_from([i.id for i in invoices if i.id]))),
        )
    if draw(st.booleans()):
        state = state.pause(
            "ptn_acme", until=now + draw(HOURS), channel=draw(st.none() | st.just("call"))
        )
    policy = OutreachPolicy(
        min_gap_per_invoice=dt.timedelta(hours=draw(st.integers(0, 24 * 7))),
        min_gap_per_partner=dt.timedelta(hours=draw(st.integers(0, 48))),
        promise_grace_days=draw(st.integers(0, 3)),
        first_reminder_offset_days=draw(st.integers(-20, 20)),
        partner_gap_scope=scope or draw(st.sampled_from(GAP_SCOPES)),
        invoice_gap_scope=scope or draw(st.sampled_from(GAP_SCOPES)),
    )
    return Scenario(
        partner=partner,
        workflow=workflow,
        invoices=invoices,
        channel=draw(CHANNELS),
        at=now,
        policy=policy,
        state=state,
    )


def assert_next_eligible_is_exact(scenario: Scenario, fractions: list[float]) -> None:
    """If next_eligible_at is T: eligible at T and at no sampled instant before it (the last
    microsecond and second before T included); if None, not eligible now."""
    decision = scenario.decide()
    target = decision.next_eligible_at
    if target is None:
        assert False is decision.eligible
        return
    assert True is scenario.decide(target).eligible
    now = decision.at
    samples = [now + (target - now) * f for f in fractions]
    samples += [target - dt.timedelta(microseconds=1), target - dt.timedelta(seconds=1)]
    early = [s for s in samples if now <= s < target and scenario.decide(s).eligible]
    assert [] == early


class TestNextEligible:
    @pytest.mark.slow
    @pytest.mark.parametrize("scope", GAP_SCOPES)
    @given(data=st.data(), fractions=st.lists(st.floats(0, 1), max_size=12))
    def test_eligible_at_next_eligible_and_at_no_sampled_instant_before(
        self, scope: GapScope, data: st.DataObject, fractions: list[float]
    ) -> None:
        """If next_eligible_at is T, eligible at T and at no sampled instant before it, with
        gaps counted across channels or per channel."""
        assert_next_eligible_is_exact(data.draw(scenarios(scope)), fractions)

    @pytest.mark.slow
    @given(scenario=scenarios())
    def test_eligible_exactly_when_nothing_blocks(self, scenario: Scenario) -> None:
        """Eligible iff there are no blockers; then next_eligible_at is now."""
        decision = scenario.decide()
        assert (decision.eligible, decision.eligible) == (
            decision.blockers == (),
            decision.next_eligible_at == decision.at,
        )


MUTATIONS: list[tuple[str, Callable[[Scenario], Scenario]]] = [
    (
        "dispute every invoice",
        lambda s: attrs.evolve(
            s, invoices=tuple(attrs.evolve(i, in_dispute=True) for i in s.invoices)
        ),
    ),
    (
        "deactivate the partner",
        lambda s: attrs.evolve(s, partner=attrs.evolve(s.partner, is_active=False)),
    ),
    (
        "pause both channels by hand",
        lambda s: attrs.evolve(
            s,
            partner=attrs.evolve(
                s.partner,
                is_email_outreach_manually_paused=True,
                is_call_outreach_manually_paused=True,
            ),
        ),
    ),
    (
        "pause until lifted by hand",
        lambda s: attrs.evolve(
            s, state=s.state.pause("ptn_acme", until=None, reason="third-party collections")
        ),
    ),
    (
        "record an outreach just now",
        lambda s: attrs.evolve(
            s,
            state=s.state.record(
                partner_id="ptn_acme",
                channel="email",
                sent_at=s.at - dt.timedelta(minutes=5),
                invoice_ids=[i.id for i in s.invoices if i.id],
            ),
        ),
    ),
    (
        "deactivate the workflow",
        lambda s: attrs.evolve(s, workflow=attrs.evolve(s.workflow, is_active=False)),
    ),
    (
        "disable both channels",
        lambda s: attrs.evolve(
            s, partner=attrs.evolve(s.partner, is_email_disabled=True, is_phone_disabled=True)
        ),
    ),
    (
        "remove every contact",
        lambda s: attrs.evolve(
            s, partner=attrs.evolve(s.partner, contacts=(), email=None, phone=None)
        ),
    ),
    (
        "turn weekend calls off",
        lambda s: attrs.evolve(
            s, workflow=attrs.evolve(s.workflow, is_call_on_weekend_enabled=False)
        ),
    ),
    (
        "promise payment in ten days (or keep a later promise)",
        lambda s: attrs.evolve(
            s,
            invoices=tuple(
                attrs.evolve(
                    i,
                    promised_to_pay_date=max(
                        (s.at + dt.timedelta(days=10)).date(),
                        i.promised_to_pay_date or dt.date.min,
                    ),
                )
                for i in s.invoices
            ),
        ),
    ),
    (
        "record a call just now",
        lambda s: attrs.evolve(
            s,
            state=s.state.record(
                partner_id="ptn_acme",
                channel="call",
                sent_at=s.at - dt.timedelta(minutes=5),
                invoice_ids=[i.id for i in s.invoices if i.id],
            ),
        ),
    ),
    (
        "count both gaps across channels",
        lambda s: attrs.evolve(
            s,
            policy=attrs.evolve(
                s.policy, partner_gap_scope="across_channels", invoice_gap_scope="across_channels"
            ),
        ),
    ),
    (
        "lengthen both gaps",
        lambda s: attrs.evolve(
            s,
            policy=attrs.evolve(
                s.policy,
                min_gap_per_invoice=s.policy.min_gap_per_invoice + dt.timedelta(days=2),
                min_gap_per_partner=s.policy.min_gap_per_partner + dt.timedelta(days=2),
            ),
        ),
    ),
]


class TestMonotonicity:
    @pytest.mark.slow
    @pytest.mark.parametrize("scope", GAP_SCOPES)
    @given(data=st.data(), mutation=st.sampled_from(MUTATIONS))
    def test_adding_a_blocker_never_makes_outreach_eligible(
        self,
        scope: GapScope,
        data: st.DataObject,
        mutation: tuple[str, Callable[[Scenario], Scenario]],
    ) -> None:
        """An ineligible decision stays ineligible when another hold is added, with gaps
        counted across channels or per channel."""
        scenario = data.draw(scenarios(scope))
        before = scenario.decide()
        after = mutation[1](scenario).decide()
        assert (False, True) != (before.eligible, after.eligible)
        if after.next_eligible_at is not None and before.next_eligible_at is not None:
            assert after.next_eligible_at >= before.next_eligible_at

    @pytest.mark.slow
    @given(
        now=INSTANTS,
        zone=st.sampled_from(ZONE_NAMES),
        start=CLOCK,
        end=CLOCK,
        days=st.lists(st.integers(0, 6), unique=True, min_size=1),
        channel=st.sampled_from(["email", "call"]),
    )
    def test_without_blockers_an_owed_issued_receivable_is_eligible_inside_its_window(
        self,
        *,
        now: dt.datetime,
        zone: str,
        start: str | None,
        end: str | None,
        days: list[int],
        channel: Any,
    ) -> None:
        """Owed, issued, due, no hold, reachable, active workflow: eligible in the window."""
        partner = acme(timezone=zone, contacts=(anna(),))
        workflow = net30_reminders(
            outreach_window_start=start,
            outreach_window_end=end,
            active_days=tuple(days),
            is_call_on_weekend_enabled=True,
        )
        context = OutreachContext(partner=partner, workflow=workflow, channel=channel)
        assert context.schedule is not None
        inside = context.schedule.next_opening(now)
        assert inside is not None
        invoice = inv_2024_0042(
            issued_at=inside - dt.timedelta(days=40), due_date=inside - dt.timedelta(days=10)
        )
        decision = context.decide(invoice, at=inside)
        assert ((), True) == (decision.blockers, decision.eligible)


class TestPurity:
    @pytest.mark.slow
    @given(scenario=scenarios(), other=INSTANTS)
    def test_same_inputs_same_decision_whatever_was_decided_before(
        self, scenario: Scenario, other: dt.datetime
    ) -> None:
        """Deciding is deterministic; a reused context answers as a fresh evaluation does."""
        fresh = scenario.decide()
        context = OutreachContext(
            partner=scenario.partner,
            workflow=scenario.workflow,
            channel=scenario.channel,
            policy=scenario.policy,
        )
        context.decide(scenario.invoices, at=other, state=scenario.state)
        reused = context.decide(scenario.invoices, at=scenario.at, state=scenario.state)
        assert (fresh, fresh.explain()) == (reused, scenario.decide().explain())
