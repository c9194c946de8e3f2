"""Specifications of outreach eligibility: one row per rule, then the decision's shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

import stuut_domain
from outreach_builders import (
    UTC,
    WED_NOON_BERLIN,
    acme,
    anna,
    bruno,
    inv_2024_0042,
    net30_reminders,
    pending_allocation,
)
from stuut_domain.cadence import CalendarBook, ConsentEvent, ExplicitCalendar, FrequencyCap
from stuut_domain.errors import NaiveDatetime, PartnerMismatch
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.outreach.decision import BLOCKER_CODES, OutreachDecision
from stuut_domain.outreach.engine import (
    OutreachContext,
    decide_for_portfolio,
    decide_outreach,
    invoices_by_partner,
)
from stuut_domain.outreach.policy import OutreachPolicy
from stuut_domain.outreach.simulation import simulate_outreach
from stuut_domain.outreach.state import OutreachState
from stuut_domain.types import OutreachChannel


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def decide(
    invoices: Invoice | list[Invoice] | None = None,
    *,
    invoice: dict[str, Any] | None = None,
    partner: dict[str, Any] | None = None,
    workflow: dict[str, Any] | None = None,
    channel: OutreachChannel = "email",
    at: dt.datetime = WED_NOON_BERLIN,
    policy: OutreachPolicy | None = None,
    state: OutreachState | None = None,
) -> OutreachDecision:
    subject: Invoice | list[Invoice] = (
        inv_2024_0042(**(invoice or {})) if invoices is None else invoices
    )
    return decide_outreach(
        subject,
        partner=acme(**(partner or {})),
        workflow=net30_reminders(**(workflow or {})),
        channel=channel,
        at=at,
        policy=policy or OutreachPolicy(),
        state=state or OutreachState(),
    )


SATURDAY_NOON_BERLIN = utc(2024, 7, 6, 10)
#: The organisation (Germany) closes on Wednesday 3 July 2024 (the partner names no address).
COMPANY_DAY_BOOK = CalendarBook(
    organisation=("DE", None),
    factory=lambda country, subdivision: ExplicitCalendar(
        holidays={dt.date(2024, 7, 3): "Company day"}, label=f"{country} explicit"
    ),
)
MONDAY_0900_BERLIN = utc(2024, 7, 8, 7)
NO_CONTACTS: dict[str, Any] = {"contacts": (), "email": None, "phone": None}

#: (rule, decide() arguments, expected code, expected clearing instant or None)
RULES: list[tuple[str, dict[str, Any], str, dt.datetime | None]] = [
    ("payable invoices are not chased", {"invoice": {"type": "payable"}}, "not_receivable", None),
    ("a draft is not chased", {"invoice": {"issued_at": None}}, "draft", None),
    ("a voided invoice is not chased", {"invoice": {"voided_at": utc(2024, 6, 20)}}, "void", None),
    (
        "an uncollectible invoice is not chased",
        {"invoice": {"marked_uncollectible_at": utc(2024, 6, 25)}},
        "uncollectible",
        None,
    ),
    (
        "a fully paid invoice owes nothing",
        {"invoice": {"amount_due": Money(0, "EUR"), "amount_paid": Money(11_900, "EUR")}},
        "nothing_owed",
        None,
    ),
    ("a disputed invoice is excluded", {"invoice": {"in_dispute": True}}, "in_dispute", None),
    (
        "a promise for 2 July holds through 4 July (2 grace days), Berlin time",
        {"invoice": {"promised_to_pay_date": dt.date(2024, 7, 2)}},
        "promise_to_pay",
        utc(2024, 7, 4, 22),
    ),
    (
        "unapproved allocations covering the amount due are a payment in flight",
        {"invoice": {"payments": (pending_allocation(5_000), pending_allocation(3_000))}},
        "payment_in_flight",
        None,
    ),
    (
        "a payment the portal reports as processing holds outreach",
        {"invoice": {"remote_payment_status": "processing"}},
        "payment_processing",
        None,
    ),
    (
        "reminders start three days before the 10 July due day, Berlin time",
        {
            "invoice": {"due_date": utc(2024, 7, 10)},
            "policy": OutreachPolicy(first_reminder_offset_days=-3),
        },
        "before_first_reminder",
        utc(2024, 7, 6, 22),  # midnight starting 7 July in Berlin
    ),
    (
        "three days must pass after the last outreach about the invoice",
        {
            "invoice": {"last_outreach_at": utc(2024, 7, 2, 9)},
            "policy": OutreachPolicy(min_gap_per_partner=dt.timedelta(0)),
        },
        "invoice_gap",
        utc(2024, 7, 5, 9),
    ),
    (
        "a day must pass after the last outreach to the partner",
        {"partner": {"last_outreach_at": utc(2024, 7, 3, 8)}},
        "partner_gap",
        utc(2024, 7, 4, 8),
    ),
    (
        "per channel, three days must pass after the last call about the invoice",
        {
            "invoice": {"last_outreach_at": utc(2024, 7, 2, 9), "last_outreach_channel": "call"},
            "channel": "call",
            "policy": OutreachPolicy(
                min_gap_per_partner=dt.timedelta(0), invoice_gap_scope="per_channel"
            ),
        },
        "invoice_gap",
        utc(2024, 7, 5, 9),
    ),
    (
        "per channel, a day must pass after the last email to the partner",
        {
            "partner": {"last_outreach_at": utc(2024, 7, 3, 8), "last_outreach_channel": "email"},
            "policy": OutreachPolicy(partner_gap_scope="per_channel"),
        },
        "partner_gap",
        utc(2024, 7, 4, 8),
    ),
    (
        "an inactive partner is not chased",
        {"partner": {"is_active": False}},
        "partner_inactive",
        None,
    ),
    (
        "email disabled for the partner",
        {"partner": {"is_email_disabled": True}},
        "channel_disabled",
        None,
    ),
    (
        "email outreach manually paused",
        {"partner": {"is_email_outreach_manually_paused": True}},
        "channel_paused",
        None,
    ),
    (
        "a pause until 10 July holds until then",
        {
            "state": OutreachState().pause(
                "ptn_acme", until=utc(2024, 7, 10), reason="insolvency check"
            )
        },
        "paused_until",
        utc(2024, 7, 10),
    ),
    ("nobody to email", {"partner": NO_CONTACTS}, "no_reachable_contact", None),
    (
        "an inactive workflow sends nothing",
        {"workflow": {"is_active": False}},
        "workflow_inactive",
        None,
    ),
    (
        "18:00 in Berlin is after the 09:00-17:00 window",
        {"at": utc(2024, 7, 3, 16)},
        "outside_window",
        utc(2024, 7, 4, 7),
    ),
    (
        "Saturday is not an active day",
        {"at": SATURDAY_NOON_BERLIN},
        "inactive_day",
        MONDAY_0900_BERLIN,
    ),
    (
        "calls on a Saturday need weekend calls enabled",
        {"at": SATURDAY_NOON_BERLIN, "channel": "call", "workflow": {"active_days": ()}},
        "weekend_call",
        MONDAY_0900_BERLIN,
    ),
    (
        "a weekend-only workflow never calls when weekend calls are off",
        {"channel": "call", "workflow": {"active_days": (5, 6)}},
        "no_outreach_day",
        None,
    ),
    (
        "a window that is not an ISO time cannot be evaluated",
        {"workflow": {"outreach_window_start": "9am"}},
        "invalid_window",
        None,
    ),
    (
        "an unknown partner time zone cannot be evaluated",
        {"partner": {"timezone": "Mars/Olympus_Mons"}},
        "unknown_time_zone",
        None,
    ),
    ("no invoice, nothing to chase", {"invoices": []}, "no_open_invoices", None),
    (
        "a 100 EUR credit covers an 80 EUR invoice",
        {
            "invoices": [
                inv_2024_0042(),
                inv_2024_0042(
                    id="cn_2024_0007", number="CN-2024-0007", amount_due=Money(-10_000, "EUR")
                ),
            ]
        },
        "credit_covers_balance",
        None,
    ),
    (
        "the organisation's calendar closes Wednesday 3 July",
        {"policy": OutreachPolicy(calendars=COMPANY_DAY_BOOK)},
        "holiday",
        utc(2024, 7, 4, 7),  # Thursday 09:00 in Berlin
    ),
    (
        "one email per partner in two days, one sent yesterday",
        {
            "policy": OutreachPolicy(
                frequency_caps=(
                    FrequencyCap(
                        channels={"email"},
                        max_attempts=1,
                        window=dt.timedelta(days=2),
                        scope="partner",
                    ),
                )
            ),
            "state": OutreachState().record(
                partner_id="ptn_acme", channel="email", sent_at=utc(2024, 7, 2, 10)
            ),
        },
        "frequency_cap",
        utc(2024, 7, 4, 10),
    ),
    (
        "two emails per invoice in a week, two sent about it",
        {
            "policy": OutreachPolicy(
                frequency_caps=(
                    FrequencyCap(
                        channels={"email"},
                        max_attempts=2,
                        window=dt.timedelta(days=7),
                        scope="invoice",
                    ),
                )
            ),
            "state": OutreachState()
            .record(
                partner_id="ptn_acme",
                channel="email",
                sent_at=utc(2024, 6, 27, 10),
                invoice_ids=("inv_2024_0042",),
            )
            .record(
                partner_id="ptn_acme",
                channel="email",
                sent_at=utc(2024, 6, 28, 10),
                invoice_ids=("inv_2024_0042",),
            ),
        },
        "invoice_frequency_cap",
        utc(2024, 7, 4, 10),
    ),
    (
        "the only email recipient opted out",
        {
            "state": OutreachState().record_consent(
                ConsentEvent(
                    channel="email",
                    kind="opt_out",
                    address="Anna.Becker@acme-tooling.de",
                    received_at=utc(2024, 7, 1, 8),
                ),
                now=utc(2024, 7, 1, 8),
            )
        },
        "no_consent",
        None,
    ),
]


class TestEachRule:
    def test_the_table_covers_every_blocker_code(self) -> None:
        """Every published blocker code has a row in the rule table."""
        assert sorted(BLOCKER_CODES) == sorted({code for _, _, code, _ in RULES})

    @pytest.mark.parametrize(
        ("rule", "arguments", "code", "clears_at"), RULES, ids=[r[0] for r in RULES]
    )
    def test_rule_blocks_with_its_code_and_clearing_instant(
        self, rule: str, arguments: dict[str, Any], code: str, clears_at: dt.datetime | None
    ) -> None:
        """Each rule alone blocks the otherwise eligible outreach, says why and when it clears."""
        decision = decide(**arguments)
        found = [b for b in decision.blockers if b.code == code]
        assert (False, 1) == (decision.eligible, len(found))
        assert clears_at == found[0].clears_at
        assert found[0].message  # rendered from the template without a missing fact

    def test_baseline_is_eligible(self) -> None:
        """An owed, issued receivable, a reachable billing contact, inside the window: eligible."""
        decision = decide()
        assert (True, (), WED_NOON_BERLIN) == (
            decision.eligible,
            decision.blockers,
            decision.next_eligible_at,
        )
        assert ("inv_2024_0042",) == decision.invoice_ids

    def test_every_failing_rule_is_reported_not_just_the_first(self) -> None:
        """A disputed invoice, a paused partner and a Saturday: all three reasons are listed."""
        decision = decide(
            invoice={"in_dispute": True},
            partner={"is_email_outreach_manually_paused": True},
            at=SATURDAY_NOON_BERLIN,
        )
        assert ("channel_paused", "inactive_day", "in_dispute") == decision.codes
        assert None is decision.next_eligible_at


YESTERDAY_EMAIL = OutreachState().record(
    partner_id="ptn_acme",
    channel="email",
    sent_at=utc(2024, 7, 2, 9),
    invoice_ids=["inv_2024_0042"],
)
PER_CHANNEL = OutreachPolicy(partner_gap_scope="per_channel", invoice_gap_scope="per_channel")


class TestGapScope:
    def test_across_channels_an_email_holds_the_next_call(self) -> None:
        """By default an email yesterday holds a call today on both gaps."""
        decision = decide(channel="call", state=YESTERDAY_EMAIL)
        assert (False, ("invoice_gap",), utc(2024, 7, 5, 9)) == (
            decision.eligible,
            decision.codes,
            decision.next_eligible_at,
        )

    def test_per_channel_an_email_does_not_hold_a_call(self) -> None:
        """Per channel, a call may follow yesterday's email: each channel keeps its cadence."""
        decision = decide(channel="call", state=YESTERDAY_EMAIL, policy=PER_CHANNEL)
        assert (True, ()) == (decision.eligible, decision.codes)

    def test_per_channel_an_email_still_holds_the_next_email(self) -> None:
        """Per channel, yesterday's email holds today's email for the invoice gap."""
        decision = decide(state=YESTERDAY_EMAIL, policy=PER_CHANNEL)
        assert (("invoice_gap",), utc(2024, 7, 5, 9)) == (
            decision.codes,
            decision.next_eligible_at,
        )

    def test_scopes_are_independent(self) -> None:
        """Partner gap per channel, invoice gap across channels: the email holds the call."""
        decision = decide(
            channel="call",
            state=YESTERDAY_EMAIL,
            policy=OutreachPolicy(partner_gap_scope="per_channel"),
        )
        assert ("invoice_gap",) == decision.codes

    def test_an_outreach_without_a_channel_counts_as_an_email(self) -> None:
        """The invoice's last outreach with no recorded channel is read as an email."""
        invoice = {"last_outreach_at": utc(2024, 7, 3, 8)}
        email = decide(invoice=invoice, policy=PER_CHANNEL)
        call = decide(invoice=invoice, channel="call", policy=PER_CHANNEL)
        assert (("invoice_gap", "partner_gap"), ()) == (tuple(sorted(email.codes)), call.codes)

    def test_the_message_names_the_scope(self) -> None:
        """The gap's reason says whether it counted every channel or one."""
        across = decide(state=YESTERDAY_EMAIL).blockers[0].message
        per = decide(state=YESTERDAY_EMAIL, policy=PER_CHANNEL).blockers[0].message
        assert ("on any channel", "on email") == (
            across[across.index("on ") : across.index(" last")],
            per[per.index("on ") : per.index(" last")],
        )


class TestTimeBlockersTogether:
    def test_next_eligible_waits_for_every_time_blocker_and_the_window(self) -> None:
        """A gap ending Thursday 18:00 Berlin pushes the next outreach to Friday 09:00."""
        decision = decide(invoice={"last_outreach_at": utc(2024, 7, 1, 16)})  # +3 days: Thu 18:00
        assert utc(2024, 7, 5, 7) == decision.next_eligible_at

    def test_a_promise_resumes_outreach_and_notes_the_broken_promise(self) -> None:
        """Once promised date plus grace has passed unpaid, outreach resumes with a note."""
        decision = decide(invoice={"promised_to_pay_date": dt.date(2024, 6, 28)})
        assert True is decision.eligible
        assert ("promise_broken",) == tuple(n.code for n in decision.notes)

    def test_no_time_blocker_gives_a_next_instant_when_a_fact_must_change(self) -> None:
        """A dispute outside the window: no instant fixes it."""
        assert (
            None is decide(invoice={"in_dispute": True}, at=SATURDAY_NOON_BERLIN).next_eligible_at
        )


class TestPartnerDecision:
    def test_disputed_invoice_is_left_out_while_others_go(self) -> None:
        """Of a partner's two invoices, the undisputed one may still be chased."""
        disputed = inv_2024_0042(id="inv_2024_0043", number="INV-2024-0043", in_dispute=True)
        decision = decide([inv_2024_0042(), disputed])
        assert (True, ("inv_2024_0042",)) == (decision.eligible, decision.invoice_ids)
        assert [("in_dispute", "inv_2024_0043")] == [
            (b.code, b.invoice_id) for b in decision.excluded
        ]

    def test_all_invoices_held_lists_each_and_waits_for_the_first_to_clear(self) -> None:
        """Two invoices in their gap: blocked, and eligible when the earlier gap ends."""
        first = inv_2024_0042(last_outreach_at=utc(2024, 7, 1, 8))
        second = inv_2024_0042(id="inv_2024_0043", last_outreach_at=utc(2024, 7, 2, 8))
        decision = decide(
            [first, second], policy=OutreachPolicy(min_gap_per_partner=dt.timedelta(0))
        )
        assert ["inv_2024_0042", "inv_2024_0043"] == [b.invoice_id for b in decision.blockers]
        assert utc(2024, 7, 4, 8) == decision.next_eligible_at

    def test_invoice_of_another_partner_is_refused(self) -> None:
        """Deciding for Acme about Globex's invoice is a caller error naming both partners."""
        with pytest.raises(PartnerMismatch, match="ptn_globex"):
            decide(invoice={"partner_id": "ptn_globex"})


class TestBoundary:
    def test_naive_instant_refused(self) -> None:
        """A naive 'now' is ambiguous and refused, naming the argument."""
        with pytest.raises(NaiveDatetime, match="at"):
            decide(at=dt.datetime(2024, 7, 3, 12))

    def test_instant_in_any_offset_means_the_same_moment(self) -> None:
        """12:00+02:00 and 10:00Z are the same instant and give the same decision."""
        plus_two = dt.datetime(2024, 7, 3, 12, tzinfo=dt.timezone(dt.timedelta(hours=2)))
        assert decide() == decide(at=plus_two)

    def test_unknown_channel_refused(self) -> None:
        """Only email and call are channels."""
        with pytest.raises(ValueError, match="channel"):
            OutreachContext(partner=acme(), workflow=net30_reminders(), channel="sms")  # type: ignore[arg-type]


class TestZoneAndRecipients:
    def test_partner_zone_wins_over_the_workflow_zone(self) -> None:
        """A New York partner of a Berlin workflow is reached in New York hours."""
        decision = decide(partner={"timezone": "America/New_York"})  # 06:00 in New York
        assert (("outside_window",), "America/New_York") == (decision.codes, decision.zone)

    def test_workflow_zone_when_the_partner_names_none(self) -> None:
        """Without a partner zone the workflow's is used, and a note says so."""
        decision = decide(partner={"timezone": None})
        assert ("Europe/Berlin", ("zone_fallback",)) == (
            decision.zone,
            tuple(n.code for n in decision.notes),
        )

    def test_billing_contact_is_the_recipient(self) -> None:
        """Email goes to the billing contact Anna, not to Bruno from purchasing."""
        assert ("anna.becker@acme-tooling.de",) == tuple(r.address for r in decide().recipients)

    def test_partner_address_is_a_fallback_and_says_so(self) -> None:
        """With every contact email-disabled, the partner's own address is used, with a note."""
        decision = decide(
            partner={"contacts": (anna(is_email_disabled=True), bruno(is_email_disabled=True))}
        )
        assert ("accounts@acme-tooling.de",) == tuple(r.address for r in decision.recipients)
        assert ("recipient_fallback",) == tuple(n.code for n in decision.notes)

    def test_disabled_channel_has_no_recipient(self) -> None:
        """A partner with email disabled gets no recipient at all, not even the fallback."""
        assert () == decide(partner={"is_email_disabled": True}).recipients


class TestExplanation:
    def test_explain_reads_as_a_sentence_per_fact(self) -> None:
        """The explanation names the verdict, each reason with its local clearing time, and whom."""
        expected = "\n".join(
            [
                "Outreach by email to Acme Tooling GmbH (ptn_acme) at 2024-07-06 10:00 UTC"
                " (Saturday 12:00 Europe/Berlin): not eligible.",
                "About invoices: inv_2024_0042.",
                "Blocked by:",
                "  - [inactive_day] Saturday is not an active day of workflow Net-30 reminders;"
                " clears 2024-07-08 07:00 UTC (Monday 09:00 Europe/Berlin)",
                "Next eligible: 2024-07-08 07:00 UTC (Monday 09:00 Europe/Berlin).",
                "Recipients: anna.becker@acme-tooling.de (Anna Becker, billing, primary).",
            ]
        )
        assert expected == decide(at=SATURDAY_NOON_BERLIN).explain()

    def test_record_is_flat(self) -> None:
        """A decision becomes one flat row for a DataFrame."""
        record = decide(at=SATURDAY_NOON_BERLIN).as_record()
        assert ("inactive_day", "2024-07-08T07:00:00+00:00") == (
            record["codes"],
            record["next_eligible_at"],
        )


class TestContextReuse:
    def test_a_context_decides_like_a_fresh_one_in_any_order(self) -> None:
        """Reusing one context across instants gives the same answers as fresh evaluation."""
        context = OutreachContext(partner=acme(), workflow=net30_reminders(), channel="email")
        instants = [WED_NOON_BERLIN, SATURDAY_NOON_BERLIN, WED_NOON_BERLIN, utc(2024, 7, 3, 16)]
        reused = [context.decide(inv_2024_0042(), at=t) for t in instants]
        fresh = [decide(at=t) for t in instants]
        assert fresh == reused

    def test_a_changed_invoice_is_read_afresh(self) -> None:
        """An invoice evolved into dispute is a new value: the reused context sees the dispute."""
        context = OutreachContext(partner=acme(), workflow=net30_reminders(), channel="email")
        invoice = inv_2024_0042()
        before = context.decide(invoice, at=WED_NOON_BERLIN)
        after = context.decide(attrs.evolve(invoice, in_dispute=True), at=WED_NOON_BERLIN)
        assert ((), ("in_dispute",)) == (before.codes, after.codes)

    def test_decision_is_immutable(self) -> None:
        """A decision is a value: it cannot be changed after the fact."""
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            decide().eligible = False  # type: ignore[misc]

    def test_the_invoice_cache_is_bounded_and_never_changes_an_answer(self) -> None:
        """Past the cache's size (a portfolio's worth) it is emptied; answers stay the same."""
        context = OutreachContext(partner=acme(), workflow=net30_reminders(), channel="email")
        first = inv_2024_0042(in_dispute=True)
        before = context.decide(first, at=WED_NOON_BERLIN)
        for n in range(5_000):
            context.decide(inv_2024_0042(id=f"inv_{n}"), at=WED_NOON_BERLIN)
        assert (before, ("in_dispute",)) == (
            context.decide(first, at=WED_NOON_BERLIN),
            before.codes,
        )


# -- a portfolio: one decision per partner chased and channel ---------------------------------

GLOBEX = acme(id="ptn_globex", name="Globex AG", email="ap@globex.example", contacts=())
ACME_INVOICES = (
    inv_2024_0042(),
    inv_2024_0042(id="inv_2024_0043", number="INV-2024-0043", in_dispute=True),
)
#: Globex owes nothing: its only invoice is paid.
GLOBEX_PAID = inv_2024_0042(
    id="inv_2024_0050",
    number="INV-2024-0050",
    partner_id="ptn_globex",
    amount_due=Money(0, "EUR"),
    amount_paid=Money(11_900, "EUR"),
)
ORPHAN = inv_2024_0042(id="inv_2024_0099", number="INV-2024-0099", partner_id="ptn_nobody")


class TestGrouping:
    def test_invoices_belong_to_the_named_partner_else_the_embedded_one(self) -> None:
        """By partner id in id order; an embedded partner stands in for an unknown id; an
        invoice of no known partner is left out."""
        embedded = inv_2024_0042(
            id="inv_2024_0060", partner_id=None, partner=acme(id="ptn_initech", name="Initech")
        )
        groups = invoices_by_partner(
            (GLOBEX_PAID, *ACME_INVOICES, ORPHAN, embedded), [acme(), GLOBEX]
        )
        assert [
            ("ptn_acme", ("inv_2024_0042", "inv_2024_0043")),
            ("ptn_globex", ("inv_2024_0050",)),
            ("ptn_initech", ("inv_2024_0060",)),
        ] == [(pid, tuple(i.id for i in g.invoices)) for pid, g in groups.items()]
        assert "Initech" == groups["ptn_initech"].partner.name

    def test_an_invoice_naming_one_partner_and_embedding_another_is_left_out(self) -> None:
        """partner_id 'ptn_q' (not given) with Acme embedded: no group, not a PartnerMismatch
        that would stop the whole portfolio (the reviewer's reproduction)."""
        confused = inv_2024_0042(id="inv_2024_0070", partner_id="ptn_q", partner=acme())
        groups = invoices_by_partner((confused, *ACME_INVOICES), [acme()])
        decisions = decide_for_portfolio(
            (confused, *ACME_INVOICES),
            partners=[acme()],
            workflow=net30_reminders(),
            at=WED_NOON_BERLIN,
        )
        assert (["ptn_acme"], ["ptn_acme"]) == (
            list(groups),
            [d.partner_id for d in decisions],
        )


class TestDecideForPortfolio:
    def test_one_decision_per_partner_with_open_receivables_and_channel(self) -> None:
        """Acme is decided on each channel, in the order given; Globex owes nothing and the
        orphan invoice has no partner, so neither is decided."""
        decisions = decide_for_portfolio(
            (*ACME_INVOICES, GLOBEX_PAID, ORPHAN),
            partners={"ptn_acme": acme(), "ptn_globex": GLOBEX},
            workflow=net30_reminders(),
            at=WED_NOON_BERLIN,
            channels=("call", "email"),
        )
        assert [("ptn_acme", "call"), ("ptn_acme", "email")] == [
            (d.partner_id, d.channel) for d in decisions
        ]

    def test_each_decision_is_the_partner_decision_about_all_its_invoices(self) -> None:
        """The decision is decide_outreach over all the partner's invoices: the disputed one
        is excluded with its reason, the other may be chased."""
        (decision,) = decide_for_portfolio(
            ACME_INVOICES, partners=[acme()], workflow=net30_reminders(), at=WED_NOON_BERLIN
        )
        alone = decide_outreach(
            ACME_INVOICES,
            partner=acme(),
            workflow=net30_reminders(),
            channel="email",
            at=WED_NOON_BERLIN,
        )
        assert alone == decision
        assert (True, ("inv_2024_0042",), ("in_dispute",)) == (
            decision.eligible,
            decision.invoice_ids,
            tuple(b.code for b in decision.excluded),
        )

    def test_the_state_given_is_read(self) -> None:
        """A pause in the state given holds every partner decision it names."""
        state = OutreachState().pause("ptn_acme", until=WED_NOON_BERLIN + dt.timedelta(days=1))
        (decision,) = decide_for_portfolio(
            ACME_INVOICES,
            partners=[acme()],
            workflow=net30_reminders(),
            at=WED_NOON_BERLIN,
            state=state,
        )
        assert ("paused_until",) == decision.codes

    def test_it_is_public_at_the_root(self) -> None:
        """The portfolio use case is part of the package's public surface."""
        assert (True, decide_for_portfolio) == (
            "decide_for_portfolio" in stuut_domain.__all__,
            stuut_domain.decide_for_portfolio,
        )

    def test_the_simulator_groups_the_same_way(self) -> None:
        """The simulator replays the partners decide_for_portfolio decides: at the first
        instant it sends exactly to the eligible ones."""
        invoices = (*ACME_INVOICES, GLOBEX_PAID, ORPHAN)
        partners = [acme(), GLOBEX]
        decided = decide_for_portfolio(
            invoices, partners=partners, workflow=net30_reminders(), at=WED_NOON_BERLIN
        )
        simulated = simulate_outreach(
            invoices,
            partners=partners,
            workflow=net30_reminders(),
            start=WED_NOON_BERLIN,
            end=WED_NOON_BERLIN + dt.timedelta(minutes=1),
        )
        assert [(d.partner_id, d.invoice_ids) for d in decided if d.eligible] == [
            (o.partner_id, o.invoice_ids) for o in simulated.outreach
        ]


class TestClearErrors:
    def test_a_date_for_at_says_to_pass_an_instant(self) -> None:
        """decide_outreach(at=date): NaiveDatetime naming `at` and showing an aware datetime,
        not an AttributeError from deep inside."""
        with pytest.raises(NaiveDatetime, match=r"at must be a timezone-aware datetime.*tzinfo="):
            decide_outreach(
                inv_2024_0042(),
                partner=acme(),
                workflow=net30_reminders(),
                channel="email",
                at=dt.date(2024, 7, 3),  # type: ignore[arg-type]
            )
