"""Issue 12 §2: every bad input gets the project's own error, in bounded time and memory.

Each test here names one hole found from outside the project and fails without its fix.
"""

from __future__ import annotations

import json

import pytest

from adapters import stuut_json
from stuut_domain.errors import InvariantViolation, UnknownTimeZone
from stuut_domain.invariants import check_partner, check_workflow
from stuut_domain.validators import zone_named

#: Zone names that are no zone: a directory of the tz database, a name the file system
#: refuses as too long, a path, an empty name, a NUL byte.
BAD_ZONES = ["America", "Europe/", "x" * 300, "../../etc/passwd", "", "Europe/\x00"]


class TestZonesThatAreNoZone:
    @pytest.mark.parametrize("name", BAD_ZONES)
    def test_zone_named_raises_unknown_time_zone(self, name: str) -> None:
        """Never IsADirectoryError, OSError or ValueError: always UnknownTimeZone."""
        with pytest.raises(UnknownTimeZone) as caught:
            zone_named(name)
        assert caught.value.name == name

    @pytest.mark.parametrize("name", [n for n in BAD_ZONES if n])
    def test_check_workflow_reports_a_violation(self, name: str) -> None:
        workflow = stuut_json.decode_workflow(stuut_json_object(id="w", timezone=name))
        assert [v.code for v in check_workflow(workflow)] == ["unknown_time_zone"]

    @pytest.mark.parametrize("name", [n for n in BAD_ZONES if n])
    def test_check_partner_reports_a_violation(self, name: str) -> None:
        partner = stuut_json.decode_partner(stuut_json_object(id="p", timezone=name))
        assert [v.code for v in check_partner(partner)] == ["unknown_time_zone"]

    @pytest.mark.parametrize("name", [n for n in BAD_ZONES if n])
    def test_strict_decoding_refuses_with_the_violation(self, name: str) -> None:
        for decode in (stuut_json.decode_workflow, stuut_json.decode_partner):
            with pytest.raises(InvariantViolation) as caught:
                decode(stuut_json_object(id="x", timezone=name), strict=True)
            assert [v.code for v in caught.value.violations] == ["unknown_time_zone"]


def stuut_json_object(**fields: object) -> bytes:
    """A JSON object with ``fields`` (text values escaped as JSON)."""
    return json.dumps(fields).encode()
