"""Specifications of reference extraction: kinds, positions, normalisation, bounds."""

from __future__ import annotations

import pytest

from stuut_domain.cash import (
    InvoiceNumberIndex,
    ReferenceFormats,
    ReferenceKind,
    extract_references,
    normalise_invoice_number,
    rf_reference_is_valid,
)


def kinds_and_values(text: str) -> list[tuple[str, str]]:
    return [(r.kind.value, r.value) for r in extract_references(text)]


class TestNormalisation:
    @pytest.mark.parametrize(
        "written",
        ["INV-00042", "inv 42", "#0042", "INV-OO42", "Inv.42", "42", "INV_0042"],
    )
    def test_every_way_of_writing_42_is_one_key(self, written: str) -> None:
        """Case, separators, leading zeros, INV-/# prefixes and O/0 confusions."""
        assert normalise_invoice_number(written) == "42"

    def test_i_and_l_read_as_one(self) -> None:
        assert normalise_invoice_number("INV-I0l5") == normalise_invoice_number("1015")

    def test_a_prefix_is_dropped_only_before_digits(self) -> None:
        assert normalise_invoice_number("INVOICE") == "1NV01CE"


class TestExtraction:
    def test_kinds_values_and_positions(self) -> None:
        text = "Payment INV-00042 and inv 1043, total 1,234.50 USD"
        refs = extract_references(text)
        assert [(r.kind.value, r.value) for r in refs] == [
            ("invoice_number", "42"),
            ("invoice_number", "1043"),
            ("amount", "1234.50"),
        ]
        assert all(text[r.start : r.end] == r.text for r in refs)

    def test_po_numbers(self) -> None:
        assert kinds_and_values("PO#4500123 and PO 77881") == [
            ("po_number", "4500123"),
            ("po_number", "77881"),
        ]

    def test_a_list_of_invoice_numbers(self) -> None:
        assert kinds_and_values("invoices 10042,10043") == [
            ("invoice_number", "10042"),
            ("invoice_number", "10043"),
        ]

    def test_european_amounts(self) -> None:
        assert ("amount", "1234.56") in kinds_and_values("Betrag 1.234,56 EUR")

    def test_short_bare_numbers_are_not_invoice_numbers(self) -> None:
        """Odoo's baseline: fewer than 4 digits and no invoice mark is no reference."""
        assert kinds_and_values("paid 3 items on 12 Dec") == []

    def test_a_valid_rf_reference_spaced_or_not(self) -> None:
        assert kinds_and_values("RF18 5390 0754 7034 thanks") == [
            ("rf_reference", "RF18539007547034")
        ]
        assert kinds_and_values("ref rf18539007547034") == [("rf_reference", "RF18539007547034")]

    def test_an_rf_reference_with_wrong_check_digits_is_not_one(self) -> None:
        kinds = {k for k, _ in kinds_and_values("RF19 5390 0754 7034")}
        assert ReferenceKind.RF_REFERENCE.value not in kinds

    def test_nothing_in_no_text(self) -> None:
        assert extract_references(None) == ()
        assert extract_references("") == ()


class TestRf:
    @pytest.mark.parametrize("ref", ["RF18539007547034", "RF18 5390 0754 7034", "RF71INV1042"])
    def test_valid(self, ref: str) -> None:
        if ref == "RF71INV1042":
            # built here: the check digits of INV1042
            body = "INV1042RF00"
            check = 98 - int("".join(str(int(c, 36)) for c in body)) % 97
            ref = f"RF{check:02d}INV1042"
        assert rf_reference_is_valid(ref)

    @pytest.mark.parametrize("ref", ["RF19539007547034", "RF1", "XX18539007547034", "RF18É"])
    def test_invalid(self, ref: str) -> None:
        assert not rf_reference_is_valid(ref)


class TestHostileInput:
    def test_long_text_is_read_only_up_to_the_bound(self) -> None:
        formats = ReferenceFormats(max_text=100)
        refs = extract_references("x " * 60 + "INV-1234", formats=formats)
        assert refs == ()

    def test_a_huge_token_is_skipped(self) -> None:
        """A token longer than any invoice number is no reference; what follows still is."""
        assert kinds_and_values("1" * 3000 + " INV-4242") == [("invoice_number", "4242")]
        assert extract_references("1" * 100_000 + " INV-4242") == ()

    def test_the_number_of_references_is_bounded(self) -> None:
        refs = extract_references(" ".join(f"{n:05d}" for n in range(10_000)))
        assert len(refs) == ReferenceFormats().max_references

    def test_pathological_separators_and_rf_runs_finish(self) -> None:
        text = "RF12 " * 2000 + "1," * 3000 + "-" * 5000
        assert isinstance(extract_references(text), tuple)


class TestTruncated:
    INDEX = InvoiceNumberIndex.of([("a", "INV-104233"), ("b", "INV-104299"), ("c", "INV-555017")])

    def test_a_unique_prefix_or_suffix(self) -> None:
        assert self.INDEX.truncated("10423", min_length=5) == ("104233", "prefix")
        assert self.INDEX.truncated("55017", min_length=5) == ("555017", "suffix")

    def test_a_fragment_two_numbers_share_is_refused(self) -> None:
        assert self.INDEX.truncated("1042", min_length=4) is None

    def test_too_short_or_whole_numbers_are_not_truncations(self) -> None:
        assert self.INDEX.truncated("104", min_length=5) is None
        assert self.INDEX.truncated("104233", min_length=5) is None

    def test_exact_look_up(self) -> None:
        assert self.INDEX.exact(normalise_invoice_number("inv 104233")) == ("a",)
        assert len(self.INDEX) == 3
