"""Specifications of the errors module's shared helpers: JSON paths in one spelling."""

from __future__ import annotations

import pytest

from stuut_domain.errors import join_path, under_path


class TestJsonPaths:
    @pytest.mark.parametrize(
        ("prefix", "path", "expected"),
        [
            ("data[3]", "line_items[0].amount", "data[3].line_items[0].amount"),
            ("data", "[3]", "data[3]"),
            ("", "amount", "amount"),
            ("$", "amount", "amount"),
            ("data[1]", "", "data[1]"),
            ("data[1]", "$", "data[1]"),
            ("", "", "$"),
        ],
    )
    def test_a_path_reads_inside_its_prefix(self, prefix: str, path: str, expected: str) -> None:
        """One rule joins a prefix and a path: a dot before a name, none before an index."""
        assert expected == under_path(prefix, path)

    def test_parts_render_as_one_path(self) -> None:
        """Names joined by dots, indexes in brackets; no leading dot."""
        assert "line_items[2].total_amount" == join_path(["line_items", 2, "total_amount"])
