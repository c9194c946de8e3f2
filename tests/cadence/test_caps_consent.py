"""Specifications of frequency caps and the consent ledger."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outreach_builders import utc
from stuut_domain.cadence import (
    ConsentEvent,
    ConsentLedger,
    ExplicitCalendar,
    FrequencyCap,
    consent_state,
    honour_by,
    normalise_address,
    reg_f_calls,
)
from stuut_domain.errors import InvalidCadence
from stuut_domain.outreach.state import SentOutreach

DAY = dt.timedelta(days=1)


def call(at: dt.datetime, outcome: str = "placed", invoice: str = "inv_1") -> SentOutreach:
    return SentOutreach(
        partner_id="ptn_1",
        channel="call",
        sent_at=at,
        to=("+1 555 0100",),
        invoice_ids=(invoice,),
        outcome=outcome,  # type: ignore[arg-type]
    )


class TestFrequencyCap:
    def test_reg_f_seven_calls_in_seven_days(self) -> None:
        """Seven calls in the window block the eighth until the first leaves the window."""
        cap = reg_f_calls()
        calls = [call(utc(2026, 12, 1, 15) + i * DAY) for i in range(7)]
        hit = cap.hit(calls, at=utc(2026, 12, 7, 18), subject="invoice inv_1")
        assert hit is not None
        assert (7, utc(2026, 12, 8, 15)) == (hit.counted, hit.clears_at)
        assert cap.hit(calls, at=utc(2026, 12, 8, 15), subject="x") is None
        assert cap.hit(calls[:6], at=utc(2026, 12, 7, 18), subject="x") is None

    def test_reg_f_quiet_week_after_a_conversation(self) -> None:
        cap = reg_f_calls()
        talk = [call(utc(2026, 12, 1, 15), outcome="conversation")]
        hit = cap.hit(talk, at=utc(2026, 12, 3, 9), subject="invoice inv_1")
        assert hit is not None
        assert hit.quiet
        assert utc(2026, 12, 8, 15) == hit.clears_at
        assert "conversation" in hit.describe()
        assert cap.hit(talk, at=utc(2026, 12, 8, 15), subject="x") is None

    def test_count_delivered_or_conversations_only(self) -> None:
        attempts = [call(utc(2026, 12, 1, 9)), call(utc(2026, 12, 1, 10), outcome="delivered")]
        delivered = FrequencyCap(channels="call", max_attempts=2, window=DAY * 3, count="delivered")
        assert delivered.hit(attempts, at=utc(2026, 12, 1, 12), subject="x") is None
        placed = FrequencyCap(channels="call", max_attempts=2, window=DAY * 3)
        assert placed.hit(attempts, at=utc(2026, 12, 1, 12), subject="x") is not None

    def test_other_channels_and_future_attempts_do_not_count(self) -> None:
        email = SentOutreach(partner_id="ptn_1", channel="email", sent_at=utc(2026, 12, 1))
        later = call(utc(2026, 12, 5))
        cap = FrequencyCap(channels={"call"}, max_attempts=1, window=DAY * 7)
        assert cap.hit([email, later], at=utc(2026, 12, 2), subject="x") is None

    @pytest.mark.parametrize(
        ("arguments", "field"),
        [
            ({"max_attempts": 0}, "max_attempts"),
            ({"window": dt.timedelta(0)}, "window"),
            ({"window": 7}, "window"),
            ({"channels": ()}, "channels"),
            ({"channels": {"sms"}}, "channels"),
            ({"scope": "household"}, "scope"),
            ({"count": "opened"}, "count"),
            ({"quiet_after_conversation": -DAY}, "quiet_after_conversation"),
        ],
    )
    def test_impossible_caps_are_refused_naming_the_field(
        self, arguments: dict[str, object], field: str
    ) -> None:
        values: dict[str, object] = {"channels": {"call"}, "max_attempts": 3, "window": DAY}
        values.update(arguments)
        with pytest.raises(InvalidCadence) as raised:
            FrequencyCap(**values)  # type: ignore[arg-type]
        assert field == raised.value.field


@given(
    offsets=st.lists(st.integers(min_value=0, max_value=30 * 24 * 60), max_size=25),
    max_attempts=st.integers(min_value=1, max_value=6),
    window_minutes=st.integers(min_value=1, max_value=10 * 24 * 60),
    probe=st.integers(min_value=0, max_value=40 * 24 * 60),
)
def test_a_cap_clears_exactly_when_brute_force_says(
    offsets: list[int], max_attempts: int, window_minutes: int, probe: int
) -> None:
    """Oracle: count attempts in (t - window, t] minute by minute; the hit's clearing instant
    is the first minute at or after the probe where the count is below the cap. The history
    holds what happened up to the probe (later attempts are not history yet)."""
    start = utc(2026, 11, 1)
    minute = dt.timedelta(minutes=1)
    attempts = [call(start + o * minute) for o in offsets if o <= probe]
    window = window_minutes * minute
    cap = FrequencyCap(channels={"call"}, max_attempts=max_attempts, window=window)
    at = start + probe * minute

    def count(t: dt.datetime) -> int:
        return sum(1 for a in attempts if t - window < a.sent_at <= t)

    hit = cap.hit(attempts, at=at, subject="x")
    assert (hit is not None) == (count(at) >= max_attempts)
    if hit is not None:
        clears = hit.clears_at
        assert count(clears) < max_attempts
        assert count(clears - minute) >= max_attempts or clears - minute < at


class TestConsent:
    def test_opt_out_decides_from_receipt_and_names_the_event(self) -> None:
        ledger = ConsentLedger(
            events=(
                ConsentEvent(
                    channel="email",
                    kind="opt_out",
                    address="Anna@Example.com ",
                    received_at=utc(2026, 12, 1, 9),
                    source="reply STOP",
                ),
            )
        )
        before = consent_state(
            None, "email", "anna@example.com", utc(2026, 12, 1, 8), ledger=ledger
        )
        after = consent_state(
            "con_1", "email", "anna@example.com", utc(2026, 12, 1, 9), ledger=ledger
        )
        assert (True, None) == (before.allowed, before.deciding)
        assert not after.allowed
        assert after.deciding is ledger.events[0]
        assert "reply STOP" in after.reason

    def test_per_address_not_per_contact(self) -> None:
        ledger = ConsentLedger(
            events=(
                ConsentEvent(
                    channel="call",
                    kind="revoke",
                    address="+1 (555) 010-0100",
                    contact_id="con_1",
                    received_at=utc(2026, 12, 1),
                ),
            )
        )
        at = utc(2026, 12, 2)
        assert not ledger.state("call", "+1 555.010.0100", at, contact_id="con_1").allowed
        assert ledger.state("call", "+1 555 010 0199", at, contact_id="con_1").allowed
        assert ledger.state("email", "+1 555 010 0100", at).allowed

    def test_contact_wide_events_cover_every_address(self) -> None:
        ledger = ConsentLedger(
            events=(
                ConsentEvent(
                    channel="email",
                    kind="opt_out",
                    contact_id="con_1",
                    received_at=utc(2026, 12, 1),
                ),
            )
        )
        assert not ledger.state("email", "a@x.com", utc(2026, 12, 2), contact_id="con_1").allowed
        assert ledger.state("email", "a@x.com", utc(2026, 12, 2), contact_id="con_2").allowed

    def test_latest_event_wins_and_a_tie_goes_to_the_withdrawal(self) -> None:
        at = utc(2026, 12, 1)
        both = ConsentLedger(
            events=(
                ConsentEvent(channel="email", kind="opt_in", address="a@x.com", received_at=at),
                ConsentEvent(channel="email", kind="opt_out", address="a@x.com", received_at=at),
            )
        )
        assert not both.state("email", "a@x.com", at).allowed
        again = both.record(
            ConsentEvent(channel="email", kind="opt_in", address="a@x.com", received_at=at + DAY),
            now=at + DAY,
        )
        assert again.state("email", "a@x.com", at + DAY).allowed

    def test_opt_in_required_channels(self) -> None:
        ledger = ConsentLedger(opt_in_required={"call"})
        assert not ledger.state("call", "+15550100", utc(2026, 12, 1)).allowed
        assert ledger.state("email", "a@x.com", utc(2026, 12, 1)).allowed

    def test_an_event_dated_in_the_future_is_refused(self) -> None:
        event = ConsentEvent(
            channel="email", kind="opt_out", address="a@x.com", received_at=utc(2026, 12, 9)
        )
        with pytest.raises(InvalidCadence) as raised:
            ConsentLedger().record(event, now=utc(2026, 12, 2))
        assert "received_at" == raised.value.field

    @pytest.mark.parametrize(
        ("arguments", "field"),
        [
            ({"channel": "sms"}, "channel"),
            ({"kind": "maybe"}, "kind"),
            ({"address": None}, "address"),
            ({"effective_by": utc(2026, 11, 1)}, "effective_by"),
        ],
    )
    def test_bad_events_are_refused_naming_the_field(
        self, arguments: dict[str, object], field: str
    ) -> None:
        values: dict[str, object] = {
            "channel": "email",
            "kind": "opt_out",
            "address": "a@x.com",
            "received_at": utc(2026, 12, 1),
        }
        values.update(arguments)
        with pytest.raises(InvalidCadence) as raised:
            ConsentEvent(**values)  # type: ignore[arg-type]
        assert field == raised.value.field

    def test_honour_by_ten_business_days(self) -> None:
        """FCC 2024: a revocation received Tuesday 22 Dec 2026, with 25-26 Dec closed."""
        calendar = ExplicitCalendar(holidays={dt.date(2026, 12, 25): "Christmas"})
        deadline = honour_by(utc(2026, 12, 22, 15), calendar)
        assert dt.date(2027, 1, 6) == deadline.date()
        assert deadline.tzinfo is dt.UTC

    def test_addresses_normalise(self) -> None:
        assert "a@x.com" == normalise_address("email", " A@X.com")
        assert "15550100" == normalise_address("call", " +1 (555) 0100 ")  # short: every digit

    @pytest.mark.parametrize(
        ("stored", "written"),
        [
            ("0711 5550142", "+49 711 5550142"),  # national and international forms
            ("1-555-010-9999", "+1 555 010 9999"),
            ("+49 711 555 0142", "+49 (0)711 555 0142"),  # a trunk (0)
            ("+49 711 555 0142 ext. 2", "+49 711 555 0142"),  # an extension is the same line
            ("0049 711 5550142", "+49 711 5550142"),
        ],
    )
    def test_one_number_written_differently_is_one_address(self, stored: str, written: str) -> None:
        """Found by an outside review: an opt-out must match however the number is written."""
        assert normalise_address("call", stored) == normalise_address("call", written)
        assert normalise_address("call", "+49 711 555 01422") != normalise_address(
            "call", "+49 711 555 0142 ext. 2"
        )
