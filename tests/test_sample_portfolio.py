"""Specifications of the bundled sample portfolio and of the script that generates it."""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import random
import re
from collections import Counter
from pathlib import Path
from types import ModuleType

import phonenumbers
import pytest

from adapters.samples import SAMPLE_AS_OF, sample_portfolio_path
from adapters.stuut_json import decode_invoice, decode_partner, decode_payment, decode_workflow
from stuut_domain.invariants import check_invoice, check_partner, check_workflow
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money, exponent
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment
from stuut_domain.workflow import Workflow

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "generate_sample.py"
KINDS = ("invoices", "partners", "payments", "workflows")


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_sample", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _files(root: Path) -> dict[str, bytes]:
    return {
        f"{kind}/{path.name}": path.read_bytes()
        for kind in KINDS
        for path in sorted((root / kind).glob("*.json"))
    }


@functools.cache
def _invoices() -> tuple[Invoice, ...]:
    return tuple(
        decode_invoice(p.read_bytes()) for p in (sample_portfolio_path() / "invoices").iterdir()
    )


@functools.cache
def _partners() -> tuple[Partner, ...]:
    return tuple(
        decode_partner(p.read_bytes()) for p in (sample_portfolio_path() / "partners").iterdir()
    )


@functools.cache
def _payments() -> tuple[Payment, ...]:
    return tuple(
        decode_payment(p.read_bytes()) for p in (sample_portfolio_path() / "payments").iterdir()
    )


@functools.cache
def _workflows() -> tuple[Workflow, ...]:
    return tuple(
        decode_workflow(p.read_bytes()) for p in (sample_portfolio_path() / "workflows").iterdir()
    )


class TestGenerator:
    @pytest.mark.slow
    def test_regenerating_gives_the_bundled_files_byte_for_byte(self, tmp_path: Path) -> None:
        """The generator is deterministic: a fresh run equals the bundled portfolio exactly."""
        generator = _generator()
        generator.write_portfolio(generator.build_portfolio(), tmp_path)
        assert _files(sample_portfolio_path()) == _files(tmp_path)

    def test_the_anchor_is_the_documented_as_of_instant(self) -> None:
        """Every date is relative to 2026-11-26T12:00:00Z, the sample's "as of"."""
        assert dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC) == _generator().AS_OF == SAMPLE_AS_OF

    def test_the_loader_points_at_a_json_store_directory(self) -> None:
        """sample_portfolio_path() holds one folder per entity kind, one file per entity."""
        root = sample_portfolio_path()
        counts = {kind: len(list((root / kind).glob("*.json"))) for kind in KINDS}
        assert (400, 40, 3) == (counts["invoices"], counts["partners"], counts["workflows"])


class TestSampleInvariants:
    def test_every_sample_invoice_passes_the_checker(self) -> None:
        """No sample invoice breaks an invariant."""
        assert [] == [(i.id, v.code) for i in _invoices() for v in check_invoice(i)]

    def test_every_sample_partner_and_workflow_checks_clean(self) -> None:
        """Partners' and workflows' time zones, days and windows are all valid."""
        assert [] == [
            *(v for p in _partners() for v in check_partner(p)),
            *(v for w in _workflows() for v in check_workflow(w)),
        ]

    def test_a_file_is_named_after_its_entity_id(self) -> None:
        """invoices/<id>.json holds the invoice <id> (and likewise for every kind)."""
        root = sample_portfolio_path()
        mismatched = [
            path.name
            for path in (root / "invoices").iterdir()
            if decode_invoice(path.read_bytes()).id != path.stem
        ]
        assert [] == mismatched

    def test_invoices_name_a_bundled_partner(self) -> None:
        """Every invoice names a bundled partner by partner_id; the partner is not embedded."""
        partner_ids = {p.id for p in _partners()}
        assert (set(), {None}) == (
            {i.partner_id for i in _invoices()} - partner_ids,
            {i.partner for i in _invoices()},
        )

    def test_payments_conserve_money_and_match_the_invoices(self) -> None:
        """Allocations never exceed a payment's amount, and each is the one its invoice lists."""
        on_invoices = {a.id: a.amount for i in _invoices() for a in i.payments}
        over = []
        listed = {}
        for payment in _payments():
            assert payment.amount is not None
            allocated = sum(
                (a.amount for a in payment.allocations), Money.zero(payment.amount.code)
            )
            if allocated > payment.amount:
                over.append(payment.id)
            listed.update({a.id: a.amount for a in payment.allocations})
        assert ([], on_invoices) == (over, listed)


class TestSampleContent:
    def test_invoices_span_zero_two_and_three_decimal_currencies(self) -> None:
        """JPY-like, cent and BHD/KWD-like currencies all appear."""
        assert {0, 2, 3} <= {exponent(i.currency) for i in _invoices()}

    def test_the_readme_counts_what_the_sample_holds(self) -> None:
        """ "40 partners ... (in 28 currencies), 400 invoices in 27 currencies": counted here."""
        readme = " ".join((SCRIPT.parent.parent / "README.md").read_text().split())
        invoices = _invoices()
        partners = _partners()
        claim = (
            f"{len(partners)} partners on every continent (in "
            f"{len({p.currency for p in partners})} currencies), {len(invoices)} invoices in "
            f"{len({i.currency for i in invoices})} currencies"
        )
        assert claim in readme

    def test_every_lifecycle_status_appears(self) -> None:
        """Draft, open, partially paid, paid, void and uncollectible invoices all appear."""
        counts = Counter(i.status for i in _invoices())
        assert {"draft", "open", "partially_paid", "paid", "void", "uncollectible"} == set(counts)

    def test_the_open_book_has_overdue_disputed_and_promised_invoices(self) -> None:
        """As of the anchor some invoices are overdue, some disputed, some promised to pay."""
        overdue = [
            i
            for i in _invoices()
            if i.due_date is not None
            and i.due_date < SAMPLE_AS_OF
            and i.amount_due.is_positive()
            and i.voided_at is None
        ]
        disputed = [i for i in _invoices() if i.in_dispute]
        promised = [i for i in _invoices() if i.promised_to_pay_date is not None]
        assert (True, True, True) == (len(overdue) > 50, len(disputed) > 3, len(promised) > 3)

    def test_a_few_allocations_await_approval_with_low_confidence(self) -> None:
        """Some allocations are unapproved, every one with an agent confidence below 0.7."""
        pending = [a for p in _payments() for a in p.allocations if not a.approved]
        scores = {
            a.agent_confidence_score is not None and a.agent_confidence_score < 0.7 for a in pending
        }
        assert (True, {True}) == (len(pending) >= 3, scores)

    def test_partners_live_in_zones_with_half_and_quarter_hour_offsets(self) -> None:
        """Partner time zones include 30- and 45-minute offsets (e.g. Kolkata, Kathmandu)."""
        minutes = set()
        for partner in _partners():
            zone = partner.zone
            assert zone is not None
            offset = SAMPLE_AS_OF.astimezone(zone).utcoffset()
            assert offset is not None
            minutes.add(int(offset.total_seconds() // 60) % 60)
        assert {0, 30, 45} <= minutes

    def test_contacts_include_disabled_and_billing_roles(self) -> None:
        """Every partner has a primary billing contact; some contacts have email disabled."""
        contacts = [c for p in _partners() for c in p.contacts]
        primaries = Counter(c.partner_id for c in contacts if c.is_primary)
        assert (True, True, {1}) == (
            any(c.is_email_disabled for c in contacts),
            all(
                p.contacts and p.contacts[0].external_role == "billing_contact" for p in _partners()
            ),
            set(primaries.values()),
        )

    def test_email_addresses_transliterate_accented_names(self) -> None:
        """Émile Mensah is emile.mensah@..., Wisła Software is @wisla.example: every letter of
        the name is in the address, accents transliterated, never dropped."""
        slug = _generator().ascii_slug
        contacts = [(p, c) for p in _partners() for c in p.contacts]
        expected = [
            f"{slug(f'{c.given_name}.{c.family_name}', keep='.')}@{slug(p.name.split()[0])}.example"
            for p, c in contacts
        ]
        assert expected == [c.email for _, c in contacts]
        emails = {c.email for _, c in contacts} | {p.email for p in _partners()}
        assert all(e is not None and e.isascii() for e in emails)
        assert {"emile", "wisla", "yilmaz", "skargard", "bogazici", "muller"} <= {
            part for e in emails if e is not None for part in re.split(r"[.@]", e)
        }

    def test_phone_numbers_are_valid_for_their_country(self) -> None:
        """Every contact's phone is a valid number of its partner's billing country
        (checked with Google's libphonenumber metadata, the phonenumbers package)."""
        invalid = []
        for partner in _partners():
            assert partner.billing_address is not None
            country = partner.billing_address.country
            for contact in partner.contacts:
                assert contact.phone is not None
                number = phonenumbers.parse(contact.phone)
                if not (
                    phonenumbers.is_valid_number(number)
                    and phonenumbers.region_code_for_number(number) == country
                ):
                    invalid.append((country, contact.phone))
        assert [] == invalid

    def test_every_phone_plan_is_valid_for_any_digits(self) -> None:
        """Each country's plan gives valid numbers whatever the digits drawn after its prefix
        (so a different seed or more contacts stay valid)."""
        generator = _generator()
        rng = random.Random(7)
        invalid = []
        for key in generator.PHONE_PLANS:
            country, _, city = key.partition("/")
            for _ in range(200):
                phone = generator._phone(rng, country, city)
                number = phonenumbers.parse(phone)
                if not (
                    phonenumbers.is_valid_number(number)
                    and phonenumbers.region_code_for_number(number) == country
                ):
                    invalid.append(phone)
        assert [] == invalid

    def test_workflows_run_in_different_time_zones(self) -> None:
        """The three workflows are in three time zones."""
        assert 3 == len({w.timezone for w in _workflows()})
