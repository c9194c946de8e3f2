"""Strategies for cash application: bank transactions, and cases with the true answer attached.

:func:`cash_cases` draws a small book (a few partners, their open invoices, a directory that
knows their accounts and names) and one bank transaction paying part of it in one of
:data:`CASE_KINDS` ways, with the answer: the partner, the cash per invoice and the non-cash
settlements, and whether two answers are equally good by construction (``ambiguous``).
The same builder runs on a seeded :class:`random.Random` (:func:`sample_cash_cases`), so a
ground-truth set of thousands of cases is made without Hypothesis for reports and benchmarks.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final, Protocol, TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from stuut_domain.allocation.exchange import payment_cost
from stuut_domain.cash.entities import (
    BankTransaction,
    CounterpartyInfo,
    Remittance,
    RemittanceLine,
)
from stuut_domain.cash.partners import PartnerDirectory
from stuut_domain.cash.references import normalise_invoice_number
from stuut_domain.display import short_repr
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment
from stuut_domain.strategies._arguments import _strategy
from stuut_domain.strategies._fields import _PARTNER_IDS
from stuut_domain.strategies._money import _major
from stuut_domain.strategies._time import _UTC_INSTANTS

__all__ = ["CASE_KINDS", "CashCase", "bank_transactions", "cash_cases", "sample_cash_cases"]

T = TypeVar("T")

#: The ways a generated transaction pays its book (each with its true answer).
CASE_KINDS: Final = (
    "exact_single",
    "multi_invoice",
    "short_pay",
    "discount",
    "withholding",
    "fx",
    "wrong_reference",
    "missing_reference",
    "typo",
    "truncated",
    "shared_payer",
    "same_amount",
)

_NAMES: Final = (
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Vandelay",
    "Pied Piper",
    "Massive Dynamic",
    "Aperture",
    "Black Mesa",
    "Oscorp",
    "Gringotts",
    "Monsters",
    "Duff",
    "Krusty",
    "Nakatomi",
    "Vehement",
    "Sirius",
    "Blue Sun",
    "Weyland",
    "Gekko",
    "Dunder Mifflin",
    "Prestige",
    "Bluth",
)
_WORDS: Final = (
    "North",
    "South",
    "Alpine",
    "Harbor",
    "Granite",
    "Cedar",
    "Falcon",
    "Summit",
    "Orchid",
    "Copper",
    "Meadow",
    "Beacon",
    "Atlas",
    "Juniper",
    "Quartz",
    "Willow",
    "Ember",
    "Nimbus",
)
_FORMS: Final = ("Inc", "GmbH", "Ltd", "LLC", "SA", "BV", "Corp")
_AT: Final = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)


class _Chooser(Protocol):
    def integer(self, low: int, high: int) -> int: ...
    def choice(self, options: Sequence[T]) -> T: ...


class _DrawChooser:
    """Choices drawn by Hypothesis (they shrink)."""

    def __init__(self, draw: st.DrawFn) -> None:
        self._draw = draw

    def integer(self, low: int, high: int) -> int:
        return self._draw(st.integers(low, high))

    def choice(self, options: Sequence[T]) -> T:
        return options[self._draw(st.integers(0, len(options) - 1))]


class _RandomChooser:
    """Choices made by a seeded :class:`random.Random` (reproducible, no Hypothesis)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def integer(self, low: int, high: int) -> int:
        return self._rng.randint(low, high)

    def choice(self, options: Sequence[T]) -> T:
        return options[self._rng.randrange(len(options))]


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class CashCase:
    """One generated transaction, its book, and the true answer.

    ``cash``: invoice id -> the cash the transaction truly pays it (invoice currency);
    ``settlements``: invoice id -> the non-cash part (discount, withholding) the remittance
    states; ``partner_id``: the true payer; ``ambiguous``: two answers are equally good by
    construction (the matcher must not auto-apply). ``invoices`` are every partner's open
    invoices, ``directory`` what partner inference may know.
    """

    kind: str
    transaction: BankTransaction
    invoices: tuple[Invoice, ...]
    directory: PartnerDirectory
    remittance: Remittance | None
    partner_id: str
    cash: Mapping[str, Money]
    settlements: Mapping[str, Money]
    ambiguous: bool

    def __repr__(self) -> str:
        return short_repr(
            "CashCase",
            kind=self.kind,
            transaction=self.transaction,
            invoices=len(self.invoices),
            cash=dict(self.cash),
            ambiguous=self.ambiguous,
        )


def _partner_names(ch: _Chooser, count: int, serial: int) -> list[str]:
    """``count`` distinct company names (distinct by construction: no redraw loop)."""
    start = ch.integer(0, len(_NAMES) - 1)
    names = []
    for i in range(count):
        base = _NAMES[(start + i) % len(_NAMES)]
        if count > len(_NAMES):
            base = f"{_WORDS[(start + i) % len(_WORDS)]} {base} {serial}-{i}"
        names.append(f"{base} {ch.choice(_FORMS)}")
    return names


def _number_style(ch: _Chooser, number: str) -> str:
    """The number as a payer may write it: as is, lower case, without the dash, with '#'."""
    digits = number.removeprefix("INV-")
    return ch.choice((number, number.lower(), f"INV{digits}", f"#{digits}", f"inv {digits}"))


def _typo(ch: _Chooser, number: str) -> str:
    """An OCR/typing confusion the normalisation undoes: 0 as O, 1 as I or l."""
    digits = number.removeprefix("INV-")
    swaps = [(i, c) for i, c in enumerate(digits) if c in "01"]
    if not swaps:
        return f"INV {digits}"
    index, char = ch.choice(swaps)
    letter = "O" if char == "0" else ch.choice(("I", "l"))
    return "INV-" + digits[:index] + letter + digits[index + 1 :]


@attrs.define(kw_only=True)
class _Draft:
    """A case being built: the book, the payer, the target invoice and the transaction's
    facts, changed by the kind's function before the case is frozen."""

    serial: int
    code: str
    names: list[str]
    partners: list[Partner]
    invoices: list[Invoice]
    payer_index: int
    target: Invoice
    reference: str | None
    description: str | None = None
    rate: Decimal | None = None
    tx_code: str
    cash: dict[str, Money]
    amount: Money
    settlements: dict[str, Money] = attrs.Factory(dict)
    remittance: Remittance | None = None
    account: str | None = None
    payer_name: str | None = None
    partner_count: int | None = None
    ambiguous: bool = False

    @property
    def own(self) -> list[Invoice]:
        """The payer's invoices."""
        payer = self.partners[self.payer_index].id
        return [inv for inv in self.invoices if inv.partner_id == payer]


def _book(
    ch: _Chooser, code: str, serial: int, partners: int, per_partner: int
) -> tuple[list[str], list[Partner], list[Invoice]]:
    """Partners with distinct names and ``per_partner`` open invoices each, unique numbers."""
    names = _partner_names(ch, partners, serial)
    partner_list = [
        Partner(id=f"ptn_{serial:06d}_{i:03d}", name=name) for i, name in enumerate(names)
    ]
    invoices: list[Invoice] = []
    start = ch.integer(0, 899_999)
    for partner in partner_list:
        for _ in range(per_partner):
            # distinct by construction: 7919 is prime to 900,000, so no two indexes collide
            number = f"INV-{100_000 + (start + len(invoices) * 7919) % 900_000}"
            invoices.append(
                _invoice(
                    inv_id=f"inv_{serial:06d}_{len(invoices):05d}",
                    number=number,
                    amount=Money(ch.integer(_major(code, 100), _major(code, 20_000)), code),
                    partner_id=str(partner.id),
                    due=_AT - dt.timedelta(days=ch.integer(-20, 90)),
                )
            )
    return names, partner_list, invoices


def _multi_invoice(ch: _Chooser, d: _Draft) -> None:
    own = d.own
    chosen = sorted({ch.integer(0, len(own) - 1) for _ in range(ch.integer(2, 3))})
    group = [own[i] for i in chosen]
    d.cash = {str(i.id): i.amount_due for i in group}
    d.amount = sum((i.amount_due for i in group), Money.zero(d.code))
    d.reference = None
    d.description = "Payment " + ", ".join(_number_style(ch, str(i.number)) for i in group)


def _short_pay(ch: _Chooser, d: _Draft) -> None:
    short = ch.integer(1, max(1, d.target.amount_due.minor_units // 50))
    d.amount = d.target.amount_due - Money(short, d.code)
    d.cash = {str(d.target.id): d.amount}


def _remitted(ch: _Chooser, d: _Draft, *, discount: bool) -> None:
    off = Money(max(1, d.target.amount_due.minor_units * ch.integer(1, 3) // 100), d.code)
    zero = Money.zero(d.code)
    d.amount = d.target.amount_due - off
    d.cash = {str(d.target.id): d.amount}
    d.settlements = {str(d.target.id): off}
    d.reference = None
    d.remittance = Remittance(
        id=f"rmt_{d.serial:06d}",
        currency=d.code,
        transaction_amount=d.amount,
        allocations=(
            RemittanceLine(
                invoice_number=str(d.target.number),
                amount_paid=d.amount,
                amount_discount=off if discount else zero,
                amount_withheld=zero if discount else off,
            ),
        ),
    )


def _discount(ch: _Chooser, d: _Draft) -> None:
    _remitted(ch, d, discount=True)


def _withholding(ch: _Chooser, d: _Draft) -> None:
    _remitted(ch, d, discount=False)


def _fx(ch: _Chooser, d: _Draft) -> None:
    d.tx_code = "USD"
    d.rate = Decimal(ch.choice(("0.92", "0.9350", "1.05")))
    payment = Payment(id="p", amount=Money(1, "USD"), currency="USD", currency_rate=d.rate)
    d.amount = payment_cost(payment, d.target.amount_due)


def _wrong_reference(ch: _Chooser, d: _Draft) -> None:
    others = [i for i in d.own if i.id != d.target.id]
    d.reference = _number_style(ch, str(others[0].number)) if others else "INV-000000"
    d.ambiguous = not others or _amount_is_ambiguous(d)


def _missing_reference(ch: _Chooser, d: _Draft) -> None:
    del ch
    d.reference = None
    d.ambiguous = _amount_is_ambiguous(d)


def _typo_reference(ch: _Chooser, d: _Draft) -> None:
    d.reference = _typo(ch, str(d.target.number))


def _truncated(ch: _Chooser, d: _Draft) -> None:
    digits = str(d.target.number).removeprefix("INV-")
    d.reference = digits[-5:] if ch.integer(0, 1) else digits[:5]
    d.ambiguous = _truncation_is_ambiguous(d.invoices, d.reference)


def _shared_payer(ch: _Chooser, d: _Draft) -> None:
    del ch
    d.account = f"ACCT-GROUP-{d.serial:06d}"
    d.payer_name = "GROUP HOLDINGS"
    d.partner_count = 2
    d.reference = str(d.target.number)


def _same_amount(ch: _Chooser, d: _Draft) -> None:
    del ch
    twins = [i for i in d.own if i.id != d.target.id]
    if twins:
        twin = twins[0]
        d.invoices[d.invoices.index(twin)] = attrs.evolve(
            twin, amount_due=d.target.amount_due, total_amount=d.target.amount_due
        )
    d.reference = None
    d.ambiguous = bool(twins) or _amount_is_ambiguous(d)


_KINDS: Final = {
    "exact_single": lambda ch, d: None,
    "multi_invoice": _multi_invoice,
    "short_pay": _short_pay,
    "discount": _discount,
    "withholding": _withholding,
    "fx": _fx,
    "wrong_reference": _wrong_reference,
    "missing_reference": _missing_reference,
    "typo": _typo_reference,
    "truncated": _truncated,
    "shared_payer": _shared_payer,
    "same_amount": _same_amount,
}


def _build(
    ch: _Chooser,
    kind: str,
    *,
    partners: int,
    invoices_per_partner: int,
    serial: int,
    tx_id: str,
) -> CashCase:
    """One case of ``kind`` (see :data:`CASE_KINDS`), every choice made by ``ch``: a book,
    a payer found by its account or its name, a target invoice, then the kind's changes."""
    code = "EUR" if kind == "fx" else "USD"
    names, partner_list, invoices = _book(ch, code, serial, partners, invoices_per_partner)
    payer_index = ch.integer(0, partners - 1)
    own = [inv for inv in invoices if inv.partner_id == partner_list[payer_index].id]
    target = own[ch.integer(0, len(own) - 1)]
    by_account = bool(ch.integer(0, 1))
    d = _Draft(
        serial=serial,
        code=code,
        names=names,
        partners=partner_list,
        invoices=invoices,
        payer_index=payer_index,
        target=target,
        reference=_number_style(ch, str(target.number)),
        tx_code=code,
        cash={str(target.id): target.amount_due},
        amount=target.amount_due,
        account=f"ACCT-{serial:06d}-{payer_index:03d}" if by_account else None,
        payer_name=None if by_account else names[payer_index].upper(),
    )
    _KINDS[kind](ch, d)
    return _case(kind, d, tx_id)


def _case(kind: str, d: _Draft, tx_id: str) -> CashCase:
    info = None
    if d.account is not None:
        info = CounterpartyInfo(display=d.payer_name, id=d.account, partner_count=d.partner_count)
    tx = BankTransaction(
        id=tx_id,
        amount=Money(d.amount.minor_units, d.tx_code),
        currency=d.tx_code,
        currency_rate=d.rate,
        reference_number=d.reference,
        description=d.description,
        counterparty_name=d.payer_name,
        counterparty_info=info,
        timestamp=_AT,
        type="deposit",
        posted=True,
        is_payment=True,
    )
    accounts = {f"ACCT-{d.serial:06d}-{i:03d}": str(p.id) for i, p in enumerate(d.partners)}
    return CashCase(
        kind=kind,
        transaction=tx,
        invoices=tuple(d.invoices),
        directory=PartnerDirectory.of(d.partners, accounts=accounts),
        remittance=d.remittance,
        partner_id=str(d.partners[d.payer_index].id),
        cash=d.cash,
        settlements=d.settlements,
        ambiguous=d.ambiguous,
    )


def _invoice(
    *, inv_id: str, number: str, amount: Money, partner_id: str, due: dt.datetime
) -> Invoice:
    """An issued invoice, nothing paid, of ``amount``, due ``due``."""
    return Invoice(
        amount_due=amount,
        currency=amount.code,
        object="invoice",
        remote_id=f"erp_{inv_id}",
        total_amount=amount,
        id=inv_id,
        amount_paid=Money.zero(amount.code),
        issued_at=due - dt.timedelta(days=30),
        due_date=due,
        number=number,
        partner_id=partner_id,
    )


def _amount_is_ambiguous(d: _Draft) -> bool:
    """Whether another invoice of the payer has the same open amount as the answer (then an
    amount-only answer cannot be told apart)."""
    return (
        any(inv.id not in d.cash and inv.amount_due == d.amount for inv in d.own) or len(d.cash) > 1
    )


def _truncation_is_ambiguous(invoices: Sequence[Invoice], fragment: str) -> bool:
    key = normalise_invoice_number(fragment)
    keys = [normalise_invoice_number(str(inv.number)) for inv in invoices]
    return sum(k.startswith(key) or k.endswith(key) for k in keys) != 1


def _check_kinds(kinds: Sequence[str]) -> tuple[str, ...]:
    unknown = sorted(set(kinds) - set(CASE_KINDS))
    if unknown or not kinds:
        raise InvalidArgument(f"kinds are some of {', '.join(CASE_KINDS)}; got {unknown or kinds}")
    return tuple(kinds)


def cash_cases(
    *,
    kinds: Sequence[str] = CASE_KINDS,
    partners: int = 2,
    invoices_per_partner: int | st.SearchStrategy[int] | None = None,
) -> st.SearchStrategy[CashCase]:
    """Cases of bank transactions with their true answer (:class:`CashCase`).

    ``kinds``: some of :data:`CASE_KINDS` (default all); ``partners``: how many partners the
    book has (2 to 30); ``invoices_per_partner``: a number or strategy (default 2 to 6).
    """
    chosen = _check_kinds(kinds)
    if not 2 <= partners <= 30:
        raise InvalidArgument(f"partners lies in 2..30, got {partners}")
    if isinstance(invoices_per_partner, int) and not 1 <= invoices_per_partner <= 10_000:
        raise InvalidArgument(f"invoices_per_partner lies in 1..10000, got {invoices_per_partner}")
    counts = _strategy(invoices_per_partner, st.integers(2, 6))
    return _cash_cases(chosen, partners, counts)


@st.composite
def _cash_cases(
    draw: st.DrawFn, kinds: tuple[str, ...], partners: int, counts: st.SearchStrategy[int]
) -> CashCase:
    kind = draw(st.sampled_from(kinds))
    return _build(
        _DrawChooser(draw),
        kind,
        partners=partners,
        invoices_per_partner=draw(counts),
        serial=0,
        tx_id="btx_case",
    )


def sample_cash_cases(
    count: int,
    *,
    seed: int = 0,
    kinds: Sequence[str] = CASE_KINDS,
    partners: int = 4,
    invoices_per_partner: int = 20,
) -> list[CashCase]:
    """``count`` cases from a seeded generator (no Hypothesis), kinds in turn.

    Each case has its own small book (ids are unique across the cases), so the cases can be
    matched one by one or pooled into one batch.
    """
    rng = random.Random(seed)  # noqa: S311 - test data, not crypto
    chooser = _RandomChooser(rng)
    chosen = _check_kinds(kinds)
    return [
        _build(
            chooser,
            chosen[i % len(chosen)],
            partners=partners,
            invoices_per_partner=invoices_per_partner,
            serial=i,
            tx_id=f"btx_{i:06d}",
        )
        for i in range(count)
    ]


_TYPES: Final = ("deposit", "credit", "transfer")


def bank_transactions(
    *,
    currency: str | st.SearchStrategy[str] | None = None,
    partner_id: str | st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[BankTransaction]:
    """Bank transactions that conserve money: ``check_bank_transaction`` finds nothing.

    ``amount`` is positive; ``total_allocated + amount_handled_outside <= amount`` (handled
    outside with a reason), ``has_on_account`` says whether a remainder is left; references
    are invoice-number-like text. ``currency`` and ``partner_id`` are a value or a strategy.
    """
    codes = _strategy(currency, st.sampled_from(("USD", "EUR", "GBP", "JPY", "BHD")))
    return _bank_transactions(codes, _strategy(partner_id, _PARTNER_IDS))


@st.composite
def _bank_transactions(
    draw: st.DrawFn, codes: st.SearchStrategy[str], partner_ids: st.SearchStrategy[str]
) -> BankTransaction:
    code = draw(codes)
    amount = draw(st.integers(1, _major(code, 1_000_000)))
    allocated = draw(st.integers(0, amount))
    outside = draw(st.integers(0, amount - allocated))
    at = draw(_UTC_INSTANTS)
    ch = _DrawChooser(draw)
    number = f"INV-{ch.integer(1000, 999_999)}"
    return BankTransaction(
        id=f"btx_{ch.integer(0, 2**32):08x}",
        amount=Money(amount, code),
        currency=code,
        reference_number=_number_style(ch, number),
        timestamp=at,
        type=ch.choice(_TYPES),
        posted=True,
        description=f"Payment {draw(partner_ids)}",
        invoice_numbers=(number,),
        is_payment=True,
        total_allocated=Money(allocated, code),
        amount_handled_outside=Money(outside, code),
        handled_outside_reason="bank fee" if outside else None,
        has_on_account=amount - allocated - outside > 0,
    )
