"""Specifications of each outreach rule function: it blocks when its fact holds, else not.

One row per rule in :mod:`stuut_domain.outreach.rules`: the facts under which the rule
produces its code (with the instant it clears), and the nearest facts under which it does not.
Rules are called directly on facts built by :mod:`stuut_domain.outreach.facts`, so each row
checks one rule alone; ``test_engine`` checks the same codes through a whole decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from outreach_builders import (
    UTC,
    WED_NOON_BERLIN,
    acme,
    inv_2024_0042,
    net30_reminders,
    pending_allocation,
)
from stuut_domain.cadence import ConsentEvent, ExplicitCalendar, FrequencyCap
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.outreach import rules
from stuut_domain.outreach.decision import BLOCKER_CODES, Blocker
from stuut_domain.outreach.facts import (
    InvoiceFacts,
    Moment,
    PartnerFacts,
    WallFacts,
    WorkflowFacts,
    choose_zone,
    invoice_facts,
    partner_facts,
    wall_facts,
    workflow_facts,
)
from stuut_domain.outreach.policy import DEFAULT_POLICY, OutreachPolicy
from stuut_domain.outreach.reach import contact_keys, reach
from stuut_domain.outreach.schedule import Schedule
from stuut_domain.outreach.state import OutreachState
from stuut_domain.receivables import balance
from stuut_domain.types import OutreachChannel
from stuut_domain.validators import zone_named

BERLIN = zone_named("Europe/Berlin")
#: Saturday 6 July 2024, 12:00 in Berlin.
SATURDAY_NOON_BERLIN = dt.datetime(2024, 7, 6, 10, tzinfo=UTC)
#: Monday 8 July 2024, 09:00 in Berlin: the next opening after the weekend.
MONDAY_0900_BERLIN = dt.datetime(2024, 7, 8, 7, tzinfo=UTC)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def partner(
    channel: OutreachChannel = "email", policy: OutreachPolicy = DEFAULT_POLICY, **overrides: Any
) -> PartnerFacts:
    return partner_facts(acme(**overrides), channel, policy)


def workflow(
    channel: OutreachChannel = "email",
    partner_overrides: dict[str, Any] | None = None,
    **overrides: Any,
) -> WorkflowFacts:
    flow = net30_reminders(**overrides)
    zone = choose_zone(acme(**(partner_overrides or {})), flow, DEFAULT_POLICY)
    return workflow_facts(flow, channel, zone)


def invoice(
    policy: OutreachPolicy = DEFAULT_POLICY, channel: OutreachChannel = "email", **overrides: Any
) -> InvoiceFacts:
    return invoice_facts(inv_2024_0042(**overrides), policy, BERLIN, channel)


def moment(
    at: dt.datetime = WED_NOON_BERLIN,
    state: OutreachState | None = None,
    invoices: tuple[Invoice, ...] = (),
) -> Moment:
    items = invoices or (inv_2024_0042(),)
    return Moment(at, state or OutreachState(), items, balance(items) if len(items) > 1 else None)


def wall(
    at: dt.datetime = WED_NOON_BERLIN, channel: OutreachChannel = "email", **overrides: Any
) -> WallFacts:
    """The wall facts at ``at`` of the workflow's schedule (built as the engine builds it)."""
    facts = workflow(channel, **overrides)
    assert facts.window is not None
    assert facts.zone.zone is not None
    schedule = Schedule.of(facts.zone.zone, *facts.window, facts.allowed_days)
    return wall_facts(schedule, facts, at)


def found(result: Blocker | tuple[Blocker, ...] | None) -> list[Blocker]:
    """A rule's answer as a list: ``None`` and ``()`` are no blocker."""
    if result is None:
        return []
    return [result] if isinstance(result, Blocker) else list(result)


PAUSED = OutreachState().pause("ptn_acme", until=utc(2024, 7, 10), reason="insolvency check")
CREDIT = inv_2024_0042(id="cn_2024_0007", number="CN-2024-0007", amount_due=Money(-10_000, "EUR"))
SMALL_CREDIT = inv_2024_0042(
    id="cn_2024_0008", number="CN-2024-0008", amount_due=Money(-100, "EUR")
)
NO_GAP = OutreachPolicy(min_gap_per_partner=dt.timedelta(0), min_gap_per_invoice=dt.timedelta(0))
Call = Callable[[], Blocker | tuple[Blocker, ...] | None]

#: (rule, its answer when the fact holds, its answer when not, the code, its clearing instant)
ROWS: list[tuple[Callable[..., object], Call, Call, str, dt.datetime | None]] = [
    (
        rules.partner_inactive,
        lambda: rules.partner_inactive(partner(is_active=False)),
        lambda: rules.partner_inactive(partner(is_active=None)),
        "partner_inactive",
        None,
    ),
    (
        rules.channel_disabled,
        lambda: rules.channel_disabled(partner(is_email_disabled=True)),
        lambda: rules.channel_disabled(partner("call", is_email_disabled=True)),
        "channel_disabled",
        None,
    ),
    (
        rules.channel_paused,
        lambda: rules.channel_paused(partner("call", is_call_outreach_manually_paused=True)),
        lambda: rules.channel_paused(partner(is_call_outreach_manually_paused=True)),
        "channel_paused",
        None,
    ),
    (
        rules.no_reachable_contact,
        lambda: rules.no_reachable_contact(partner(contacts=(), email=None)),
        lambda: rules.no_reachable_contact(partner(contacts=())),  # the partner's own address
        "no_reachable_contact",
        None,
    ),
    (
        rules.workflow_inactive,
        lambda: rules.workflow_inactive(workflow(is_active=False)),
        lambda: rules.workflow_inactive(workflow(is_active=None)),
        "workflow_inactive",
        None,
    ),
    (
        rules.unknown_time_zone,
        lambda: rules.unknown_time_zone(workflow(partner_overrides={"timezone": "Mars/Olympus"})),
        lambda: rules.unknown_time_zone(workflow(partner_overrides={"timezone": None})),
        "unknown_time_zone",
        None,
    ),
    (
        rules.invalid_window,
        lambda: rules.invalid_window(workflow(outreach_window_start="9am")),
        lambda: rules.invalid_window(workflow(outreach_window_start=None)),
        "invalid_window",
        None,
    ),
    (
        rules.no_outreach_day,
        lambda: rules.no_outreach_day(workflow("call", active_days=(5, 6))),
        lambda: rules.no_outreach_day(workflow("email", active_days=(5, 6))),
        "no_outreach_day",
        None,
    ),
    (
        rules.paused_until,
        lambda: rules.paused_until(partner(), moment(state=PAUSED)),
        lambda: rules.paused_until(partner(), moment(utc(2024, 7, 10), state=PAUSED)),
        "paused_until",
        utc(2024, 7, 10),
    ),
    (
        rules.partner_gap,
        lambda: rules.partner_gap(partner(last_outreach_at=utc(2024, 7, 3, 8)), moment()),
        lambda: rules.partner_gap(partner(last_outreach_at=utc(2024, 7, 2, 10)), moment()),
        "partner_gap",
        utc(2024, 7, 4, 8),
    ),
    (
        rules.outside_window,
        lambda: rules.outside_window(wall(utc(2024, 7, 3, 16))),
        lambda: rules.outside_window(wall()),
        "outside_window",
        utc(2024, 7, 4, 7),
    ),
    (
        rules.inactive_day,
        lambda: rules.inactive_day(wall(SATURDAY_NOON_BERLIN)),
        lambda: rules.inactive_day(wall(SATURDAY_NOON_BERLIN, active_days=())),
        "inactive_day",
        MONDAY_0900_BERLIN,
    ),
    (
        rules.weekend_call,
        lambda: rules.weekend_call(wall(SATURDAY_NOON_BERLIN, "call", active_days=())),
        lambda: rules.weekend_call(
            wall(SATURDAY_NOON_BERLIN, "call", active_days=(), is_call_on_weekend_enabled=True)
        ),
        "weekend_call",
        MONDAY_0900_BERLIN,
    ),
    (
        rules.no_open_invoices,
        lambda: rules.no_open_invoices(Moment(WED_NOON_BERLIN, OutreachState(), (), None)),
        lambda: rules.no_open_invoices(moment()),
        "no_open_invoices",
        None,
    ),
    (
        rules.not_receivable,
        lambda: rules.not_receivable(invoice(type="payable")),
        lambda: rules.not_receivable(
            invoice(OutreachPolicy(receivables_only=False), type="payable")
        ),
        "not_receivable",
        None,
    ),
    (
        rules.draft,
        lambda: rules.draft(invoice(issued_at=None)),
        lambda: rules.draft(invoice()),
        "draft",
        None,
    ),
    (
        rules.void,
        lambda: rules.void(invoice(voided_at=utc(2024, 6, 20))),
        lambda: rules.void(invoice()),
        "void",
        None,
    ),
    (
        rules.uncollectible,
        lambda: rules.uncollectible(invoice(marked_uncollectible_at=utc(2024, 6, 25))),
        lambda: rules.uncollectible(
            # paid after the write-off: money arrived, the status is paid
            invoice(marked_uncollectible_at=utc(2024, 6, 25), amount_paid=Money(11_900, "EUR"))
        ),
        "uncollectible",
        None,
    ),
    (
        rules.nothing_owed,
        lambda: rules.nothing_owed(invoice(amount_due=Money(0, "EUR"))),
        lambda: rules.nothing_owed(invoice(amount_due=Money(1, "EUR"))),
        "nothing_owed",
        None,
    ),
    (
        rules.in_dispute,
        lambda: rules.in_dispute(invoice(in_dispute=True)),
        lambda: rules.in_dispute(invoice(in_dispute=False)),
        "in_dispute",
        None,
    ),
    (
        rules.payment_processing,
        lambda: rules.payment_processing(invoice(remote_payment_status="processing")),
        lambda: rules.payment_processing(invoice(remote_payment_status="succeeded")),
        "payment_processing",
        None,
    ),
    (
        rules.payment_in_flight,
        lambda: rules.payment_in_flight(invoice(payments=(pending_allocation(8_000),))),
        lambda: rules.payment_in_flight(invoice(payments=(pending_allocation(7_999),))),
        "payment_in_flight",
        None,
    ),
    (
        rules.credit_covers_balance,
        lambda: rules.credit_covers_balance(invoice(), moment(invoices=(inv_2024_0042(), CREDIT))),
        lambda: rules.credit_covers_balance(
            invoice(), moment(invoices=(inv_2024_0042(), SMALL_CREDIT))
        ),
        "credit_covers_balance",
        None,
    ),
    (
        rules.promise_to_pay,
        lambda: rules.promise_to_pay(invoice(promised_to_pay_date=dt.date(2024, 7, 2)), moment()),
        lambda: rules.promise_to_pay(invoice(promised_to_pay_date=dt.date(2024, 6, 30)), moment()),
        "promise_to_pay",
        utc(2024, 7, 4, 22),  # 2 July plus 2 grace days, through midnight in Berlin
    ),
    (
        rules.before_first_reminder,
        lambda: rules.before_first_reminder(
            invoice(OutreachPolicy(first_reminder_offset_days=3)), moment()
        ),
        lambda: rules.before_first_reminder(
            invoice(OutreachPolicy(first_reminder_offset_days=2)), moment()
        ),
        "before_first_reminder",
        utc(2024, 7, 3, 22),  # 1 July plus 3 days, midnight in Berlin
    ),
    (
        rules.invoice_gap,
        lambda: rules.invoice_gap(invoice(last_outreach_at=utc(2024, 7, 2, 9)), moment()),
        lambda: rules.invoice_gap(invoice(last_outreach_at=utc(2024, 6, 30, 9)), moment()),
        "invoice_gap",
        utc(2024, 7, 5, 9),
    ),
]


EMAIL_CAP = FrequencyCap(channels={"email"}, max_attempts=1, window=dt.timedelta(days=2))
SENT_YESTERDAY = OutreachState().record(
    partner_id="ptn_acme",
    channel="email",
    sent_at=utc(2024, 7, 2, 10),
    to=("anna.becker@acme-tooling.de",),
    invoice_ids=("inv_2024_0042",),
)
OPTED_OUT = OutreachState().record_consent(
    ConsentEvent(
        channel="email",
        kind="opt_out",
        address="anna.becker@acme-tooling.de",
        received_at=utc(2024, 7, 1),
    ),
    now=utc(2024, 7, 1),
)


def reached(state: OutreachState, caps: tuple[FrequencyCap, ...] = ()) -> Moment:
    """The moment with its recipients filtered as the engine filters them."""
    facts = partner()
    found = reach(
        facts.choice.recipients,
        channel="email",
        state=state,
        caps=caps,
        now=WED_NOON_BERLIN,
        keys=contact_keys(facts.partner, facts.choice.recipients),
    )
    return moment(state=state)._replace(reach=found)


def calendar_wall(at: dt.datetime, closed: dict[dt.date, str]) -> WallFacts:
    facts = workflow()
    assert facts.window is not None
    assert facts.zone.zone is not None
    calendar = ExplicitCalendar(holidays=closed)
    schedule = Schedule.of(facts.zone.zone, *facts.window, facts.allowed_days, calendar)
    return wall_facts(schedule, facts, at)


ROWS += [
    (
        rules.frequency_cap,
        lambda: rules.frequency_cap(
            partner(
                policy=OutreachPolicy(frequency_caps=(attrs.evolve(EMAIL_CAP, scope="partner"),))
            ),
            moment(state=SENT_YESTERDAY),
        ),
        lambda: rules.frequency_cap(
            partner(
                policy=OutreachPolicy(frequency_caps=(attrs.evolve(EMAIL_CAP, scope="partner"),))
            ),
            moment(at=utc(2024, 7, 4, 10), state=SENT_YESTERDAY),
        ),
        "frequency_cap",
        utc(2024, 7, 4, 10),
    ),
    (
        rules.no_consent,
        lambda: rules.no_consent(partner(), reached(OPTED_OUT)),
        lambda: rules.no_consent(partner(), reached(OutreachState())),
        "no_consent",
        None,
    ),
    (
        rules.holiday,
        lambda: rules.holiday(calendar_wall(WED_NOON_BERLIN, {dt.date(2024, 7, 3): "Fest"})),
        lambda: rules.holiday(calendar_wall(WED_NOON_BERLIN, {dt.date(2024, 7, 4): "Fest"})),
        "holiday",
        utc(2024, 7, 4, 7),
    ),
    (
        rules.invoice_frequency_cap,
        lambda: rules.invoice_frequency_cap(
            invoice(OutreachPolicy(frequency_caps=(attrs.evolve(EMAIL_CAP, scope="invoice"),))),
            moment(state=SENT_YESTERDAY),
        ),
        lambda: rules.invoice_frequency_cap(
            invoice(OutreachPolicy(frequency_caps=(attrs.evolve(EMAIL_CAP, scope="invoice"),))),
            moment(state=OutreachState()),
        ),
        "invoice_frequency_cap",
        utc(2024, 7, 4, 10),
    ),
]


class TestEachRule:
    def test_one_rule_per_code_named_after_it_in_the_order(self) -> None:
        """Every published code has exactly one rule function of its name in RULE_ORDER."""
        names = [rule.__name__ for rule in rules.RULE_ORDER]  # type: ignore[attr-defined]
        assert sorted(BLOCKER_CODES) == sorted(names)
        assert sorted(names) == sorted(rule.__name__ for rule, *_ in ROWS)  # type: ignore[attr-defined]

    @pytest.mark.parametrize(
        ("rule", "holds", "fails", "code", "clears_at"),
        ROWS,
        ids=[row[3] for row in ROWS],
    )
    def test_rule_blocks_when_its_fact_holds_and_not_otherwise(
        self,
        rule: Callable[..., object],
        holds: Call,
        fails: Call,
        code: str,
        clears_at: dt.datetime | None,
    ) -> None:
        """The rule gives one blocker of its own code (clearing when the table says) when its
        fact holds, with a message rendered from its template, and none when it does not."""
        blockers = found(holds())
        assert [(code, clears_at)] == [(b.code, b.clears_at) for b in blockers]
        assert blockers[0].message
        assert [] == found(fails())

    def test_the_groups_are_the_rule_order(self) -> None:
        """The groups, concatenated in evaluation order, are RULE_ORDER."""
        assert rules.RULE_ORDER == (
            *rules.PARTNER_RULES,
            *rules.WORKFLOW_RULES,
            *rules.PARTNER_TIME_RULES,
            *rules.SCHEDULE_RULES,
            *rules.INVOICE_SET_RULES,
            *rules.INVOICE_RULES,
            *rules.INVOICE_TIME_RULES,
        )
        assert frozenset({"outside_window", "inactive_day", "weekend_call", "holiday"}) == (
            rules.SCHEDULE_CODES
        )


class TestRuleDetails:
    def test_invoice_rules_name_the_invoice(self) -> None:
        """An invoice rule's blocker carries the invoice key and its number in the message."""
        blocker = rules.in_dispute(invoice(in_dispute=True))
        assert blocker is not None
        assert ("inv_2024_0042", True) == (blocker.invoice_id, "INV-2024-0042" in blocker.message)

    def test_an_unusable_window_hides_the_day_rule(self) -> None:
        """With an unusable window, no_outreach_day is not evaluated: invalid_window says it."""
        facts = workflow("call", active_days=(5, 6), outreach_window_start="9am")
        assert (True, None) == (
            rules.invalid_window(facts) is not None,
            rules.no_outreach_day(facts),
        )

    def test_no_outreach_day_says_why(self) -> None:
        """No weekday listed, or weekend days only for a call: the reason tells which."""
        none_listed = rules.no_outreach_day(workflow(active_days=(9,)))
        weekend_only = rules.no_outreach_day(workflow("call", active_days=(5, 6)))
        assert none_listed is not None
        assert weekend_only is not None
        assert "lists no weekday 0..6 ([9])" in none_listed.message
        assert "only active days (Saturday, Sunday) are weekend days" in weekend_only.message

    def test_several_pauses_give_several_blockers(self) -> None:
        """A pause of every channel and one of email both hold: two blockers, in state order."""
        state = OutreachState().pause("ptn_acme", until=utc(2024, 7, 10))
        state = state.pause("ptn_acme", until=None, channel="email", reason="asked")
        blockers = found(rules.paused_until(partner(), moment(state=state)))
        assert [utc(2024, 7, 10), None] == [b.clears_at for b in blockers]
        assert "lifted by hand (asked)" in blockers[1].message

    def test_partner_gap_counts_the_invoices_last_outreach(self) -> None:
        """An invoice's own last outreach counts toward the partner gap too."""
        recent = inv_2024_0042(last_outreach_at=utc(2024, 7, 3, 9))
        blockers = found(rules.partner_gap(partner(), moment(invoices=(recent,))))
        assert [utc(2024, 7, 4, 9)] == [b.clears_at for b in blockers]

    def test_gaps_of_zero_never_block(self) -> None:
        """A policy without gaps: neither gap rule blocks, however recent the last outreach."""
        recent = utc(2024, 7, 3, 9, 59)
        assert ((), None) == (
            rules.partner_gap(partner(policy=NO_GAP, last_outreach_at=recent), moment()),
            rules.invoice_gap(invoice(NO_GAP, last_outreach_at=recent), moment()),
        )

    def test_per_channel_gap_ignores_the_other_channel(self) -> None:
        """Per channel, yesterday's call does not hold an email about the invoice."""
        policy = OutreachPolicy(invoice_gap_scope="per_channel")
        facts = invoice(policy, last_outreach_at=utc(2024, 7, 2, 9), last_outreach_channel="call")
        assert None is rules.invoice_gap(facts, moment())

    def test_credit_is_read_only_over_several_invoices(self) -> None:
        """One invoice alone has no partner balance to compare: the credit rule stays silent."""
        assert None is rules.credit_covers_balance(invoice(), moment())

    def test_weekend_call_and_inactive_day_exclude_each_other(self) -> None:
        """An inactive Saturday is inactive_day for a call, not also weekend_call."""
        facts = wall(SATURDAY_NOON_BERLIN, "call")
        assert ("inactive_day", None) == (
            getattr(rules.inactive_day(facts), "code", None),
            rules.weekend_call(facts),
        )


class TestNotes:
    def test_recipient_fallback_names_the_partner_address(self) -> None:
        """No qualifying contact: the note names the partner's own address."""
        note = rules.recipient_fallback(partner(contacts=()))
        assert note is not None
        assert "accounts@acme-tooling.de" in note.message
        assert None is rules.recipient_fallback(partner())

    def test_zone_fallback_says_whose_zone_is_used(self) -> None:
        """The workflow's zone, or the policy default, is noted; the partner's is not."""
        from_workflow = rules.zone_fallback(workflow(partner_overrides={"timezone": None}).zone)
        from_policy = rules.zone_fallback(
            workflow(timezone=None, partner_overrides={"timezone": None}).zone
        )
        assert from_workflow is not None
        assert from_policy is not None
        assert (True, True) == (
            "the workflow's Europe/Berlin is used" in from_workflow.message,
            "the policy default UTC is used" in from_policy.message,
        )
        assert None is rules.zone_fallback(workflow().zone)

    def test_promise_broken_once_the_promise_lapsed_unpaid(self) -> None:
        """A lapsed promise on an owed invoice is noted; a holding one, or a paid one, is not."""
        lapsed = invoice(promised_to_pay_date=dt.date(2024, 6, 28))
        holding = invoice(promised_to_pay_date=dt.date(2024, 7, 2))
        paid = invoice(promised_to_pay_date=dt.date(2024, 6, 28), amount_due=Money(0, "EUR"))
        note = rules.promise_broken(lapsed, moment())
        assert note is not None
        assert "promised for 2024-06-28 was not received within 2 grace days" in note.message
        assert (None, None) == (
            rules.promise_broken(holding, moment()),
            rules.promise_broken(paid, moment()),
        )
