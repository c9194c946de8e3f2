"""The shared validators: one check for "an instant must be timezone-aware"."""

from __future__ import annotations

import datetime as dt

import pytest

from stuut_domain.errors import NaiveDatetime
from stuut_domain.validators import require_aware


def test_an_aware_instant_passes_unchanged() -> None:
    at = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
    assert require_aware("at", at) is at


def test_a_naive_instant_is_refused_with_its_name() -> None:
    with pytest.raises(NaiveDatetime, match=r"^at must be timezone-aware") as caught:
        require_aware("at", dt.datetime(2026, 1, 2))
    assert caught.value.field == "at"


def test_a_bare_date_is_refused_as_having_no_instant() -> None:
    with pytest.raises(NaiveDatetime, match=r"got the date .*no instant"):
        require_aware("at", dt.date(2026, 1, 2))


def test_anything_else_is_a_type_error_naming_the_argument() -> None:
    with pytest.raises(TypeError, match=r"^start must be a timezone-aware datetime, got str"):
        require_aware("start", "2026-01-02")


def test_naive_datetime_is_still_a_value_error_for_existing_callers() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        require_aware("at", dt.datetime(2026, 1, 2))
