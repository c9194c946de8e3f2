"""Specifications of the decision's parts: how an invoice is named and a duration worded."""

from __future__ import annotations

import datetime as dt

import pytest

from outreach_builders import inv_2024_0042
from stuut_domain.outreach.decision import duration_text, invoice_key
from stuut_domain.outreach.state import CHANNELS_TEXT
from stuut_domain.types import OUTREACH_CHANNELS


class TestInvoiceKey:
    def test_the_id_else_the_number_else_the_remote_id(self) -> None:
        """A decision names an invoice by its id, else its number, else its remote id."""
        assert ["inv_2024_0042", "INV-2024-0042", "erp-42"] == [
            invoice_key(inv_2024_0042()),
            invoice_key(inv_2024_0042(id=None)),
            invoice_key(inv_2024_0042(id=None, number=None)),
        ]


class TestDurationText:
    @pytest.mark.parametrize(
        ("duration", "text"),
        [
            (dt.timedelta(0), "0 days"),
            (dt.timedelta(days=1), "1 day"),
            (dt.timedelta(days=3), "3 days"),
            (dt.timedelta(hours=36), "1 day 12h"),
            (dt.timedelta(hours=2, minutes=30), "2h30"),
            (dt.timedelta(hours=-1), "-1h"),
        ],
    )
    def test_whole_days_then_hours_on_a_clock(self, duration: dt.timedelta, text: str) -> None:
        """Days in words, the rest as hours and minutes, one wording everywhere."""
        assert text == duration_text(duration)


class TestChannels:
    def test_the_channels_come_from_the_outreach_channel_type(self) -> None:
        """The channel list is the OutreachChannel literal's values, named in errors so."""
        assert (("email", "call"), "'email' or 'call'") == (OUTREACH_CHANNELS, CHANNELS_TEXT)
