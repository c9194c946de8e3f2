"""Specifications of the entity id rule every adapter applies before a path or URL is built."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters._ids import MAX_ID_LENGTH, check_id
from adapters.errors import InvalidId


class TestCheckId:
    @pytest.mark.parametrize("good", ["inv_2024_0042", "ptn_acme", "eml_tmpl_1", "a", "v1.2-x"])
    def test_stuut_style_ids_are_accepted(self, good: str) -> None:
        """Prefixed Stuut ids (letters, digits, _, -, .) pass unchanged."""
        assert good == check_id("invoice", good)

    @pytest.mark.parametrize(
        ("bad", "reason"),
        [
            ("../x", "separator"),
            ("/etc/passwd", "separator"),
            ("C:\\x", "separator"),
            ("inv\x00", "NUL"),
            ("..", "starts with '.'"),
            (".hidden", "starts with '.'"),
            ("", "empty"),
            ("x" * (MAX_ID_LENGTH + 1), "longer"),
            ("inv 42", "only ASCII"),
            ("inv\n42", "only ASCII"),
            ("ïnv", "only ASCII"),
        ],
    )
    def test_unsafe_ids_are_refused_with_the_reason(self, bad: str, reason: str) -> None:
        """Each unsafe shape is refused, naming why."""
        with pytest.raises(InvalidId, match=reason):
            check_id("invoice", bad)

    def test_a_non_string_id_is_refused(self) -> None:
        """None (an entity never stored) and numbers are not ids."""
        with pytest.raises(InvalidId, match="must be a string"):
            check_id("invoice", None)

    @given(st.text(max_size=200))
    def test_an_accepted_id_always_names_a_file_inside_the_directory(self, text: str) -> None:
        """Whatever text comes in, an accepted id resolves to a direct child of the store dir."""
        root = Path("/srv/store/invoices")
        try:
            entity_id = check_id("invoice", text)
        except InvalidId:
            return
        assert root == (root / f"{entity_id}.json").resolve().parent
