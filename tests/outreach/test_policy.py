"""Specifications of the outreach policy: documented defaults and refused settings."""

from __future__ import annotations

import datetime as dt

import pytest

from stuut_domain.errors import UnknownTimeZone
from stuut_domain.outreach.policy import DEFAULT_POLICY, GAP_SCOPES, OutreachPolicy


class TestPolicy:
    def test_documented_defaults(self) -> None:
        """3 days per invoice, 1 per partner, 2 grace days, reminders from the due date."""
        assert (dt.timedelta(days=3), dt.timedelta(days=1), 2, 0, True, "UTC") == (
            DEFAULT_POLICY.min_gap_per_invoice,
            DEFAULT_POLICY.min_gap_per_partner,
            DEFAULT_POLICY.promise_grace_days,
            DEFAULT_POLICY.first_reminder_offset_days,
            DEFAULT_POLICY.receivables_only,
            DEFAULT_POLICY.default_timezone,
        )

    def test_gaps_count_every_channel_by_default(self) -> None:
        """Both gaps count outreach on any channel unless the policy says per channel."""
        assert (("across_channels", "per_channel"), "across_channels", "across_channels") == (
            GAP_SCOPES,
            DEFAULT_POLICY.partner_gap_scope,
            DEFAULT_POLICY.invoice_gap_scope,
        )

    @pytest.mark.parametrize("field", ["partner_gap_scope", "invoice_gap_scope"])
    def test_unknown_gap_scope_refused(self, field: str) -> None:
        """A gap scope is across_channels or per_channel; anything else is refused by name."""
        with pytest.raises(ValueError, match=f"{field} must be one of"):
            OutreachPolicy(**{field: "per_invoice"})

    def test_negative_gap_refused(self) -> None:
        """A negative minimum gap makes no sense and is refused, naming the field."""
        with pytest.raises(ValueError, match="min_gap_per_partner"):
            OutreachPolicy(min_gap_per_partner=-dt.timedelta(hours=1))

    def test_negative_grace_refused(self) -> None:
        """Grace days are a whole number of days, at least zero."""
        with pytest.raises(ValueError, match="promise_grace_days"):
            OutreachPolicy(promise_grace_days=-1)

    def test_unknown_default_zone_refused(self) -> None:
        """The fallback zone must be a known IANA name."""
        with pytest.raises(UnknownTimeZone):
            OutreachPolicy(default_timezone="Europe/Atlantis")

    def test_negative_first_reminder_offset_allowed(self) -> None:
        """Reminders may start before the due day; the offset is whole days."""
        assert -5 == OutreachPolicy(first_reminder_offset_days=-5).first_reminder_offset_days
        with pytest.raises(TypeError, match="first_reminder_offset_days"):
            OutreachPolicy(first_reminder_offset_days=1.5)  # type: ignore[arg-type]
