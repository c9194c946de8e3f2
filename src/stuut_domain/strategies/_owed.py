"""Strategies for what changes what is owed: credit notes, disputes, promises (issue 15).

Valid by construction (ADR 0025): notes never exceed their invoice's total after per-line tax
rounding (and often hit it exactly), each with the post-payment split the rule needs; disputes
over part of what an invoice owes; promises kept, partly kept and broken by generated
payments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Final

import attrs
from hypothesis import strategies as st

from stuut_domain.invoice import Invoice
from stuut_domain.lifecycle import pending_amount
from stuut_domain.money import Money, allocate, exponent
from stuut_domain.owed.application import apply_credit_note, void_credit_note
from stuut_domain.owed.credit_note import (
    CreditNote,
    CreditNoteLine,
    PostPaymentSplit,
    credited_in_invoice_currency,
)
from stuut_domain.owed.customer_credit import CreditSource, CustomerCredit
from stuut_domain.owed.dispute import (
    DISPUTE_REASONS,
    Dispute,
    DisputeLine,
    DisputeResolution,
    resolve_dispute,
)
from stuut_domain.owed.promise import (
    DEFAULT_PROMISE_POLICY,
    Promise,
    PromisedInvoice,
    PromiseStatus,
    cancel_promise,
    deadline_of,
    supersede_promise,
)
from stuut_domain.payment import Payment, PaymentAllocation
from stuut_domain.strategies._fields import _ids, _maybe
from stuut_domain.strategies._invoices import invoices
from stuut_domain.strategies._money import MAX_SAFE_MINOR_UNITS, _check_currency, currencies
from stuut_domain.strategies._time import _after, aware_datetimes

__all__ = [
    "CreditScenario",
    "DisputeScenario",
    "PromiseScenario",
    "credit_notes",
    "credit_scenarios",
    "customer_credits",
    "dispute_scenarios",
    "disputes",
    "promise_scenarios",
    "promises",
]

#: Tax rates a credited line is drawn with (exact decimals; zero is "no tax").
_TAX_RATES: Final = st.sampled_from(
    (Decimal(0), Decimal("0.05"), Decimal("0.0825"), Decimal("0.1"), Decimal("0.2"))
)
_QUANTITIES: Final = st.sampled_from((1, 2, 3, 4, 12))
_NOTE_COUNTS: Final = st.integers(1, 3)
_LINE_COUNTS: Final = st.integers(1, 4)
_CREDITABLE: Final = st.sampled_from(("open", "partially_paid", "paid"))
_DISPUTABLE: Final = st.sampled_from(("open", "partially_paid"))
_OUTCOMES: Final = (
    PromiseStatus.KEPT,
    PromiseStatus.PARTIALLY_KEPT,
    PromiseStatus.BROKEN,
    PromiseStatus.PENDING,
)
_METHODS: Final = st.sampled_from(("ach", "check", "wire", None))
#: Exchange rates a note in another currency is drawn with (one major unit of the note's
#: currency in the invoice's), exact decimals.
_RATES: Final = st.sampled_from(
    (Decimal("0.92"), Decimal("1.0875"), Decimal("0.5"), Decimal("2"), Decimal("1.3333"))
)


@attrs.frozen(kw_only=True, weakref_slot=False)
class CreditScenario:
    """An issued invoice, credit notes for it in application order, and each note's split
    (``None`` when the note has no post-payment part). Applied in order, every note passes."""

    invoice: Invoice
    notes: tuple[CreditNote, ...]
    splits: tuple[PostPaymentSplit | None, ...]
    at: dt.datetime


def _line_for(draw: st.DrawFn, code: str, target: int) -> CreditNoteLine:
    """A line whose net plus its own rounded tax is exactly ``target`` minor units."""
    rate = draw(_TAX_RATES)
    net = target
    if rate:
        guess = int(Fraction(target) / (1 + Fraction(rate)))
        for candidate in range(max(guess - 2, 1), guess + 3):
            if candidate + round(candidate * Fraction(rate)) == target:
                net = candidate
                break
        else:
            rate = Decimal(0)
    quantity = draw(_QUANTITIES)
    if quantity > 1 and net % quantity == 0:
        return CreditNoteLine(
            currency=code,
            quantity=Decimal(quantity),
            unit_amount=Money(net // quantity, code),
            tax_rate=rate or None,
        )
    return CreditNoteLine(currency=code, amount=Money(net, code), tax_rate=rate or None)


def _note_for(
    draw: st.DrawFn,
    invoice: Invoice,
    target: int,
    number: int,
    at: dt.datetime,
    *,
    foreign: tuple[str, Decimal] | None = None,
) -> CreditNote:
    code, rate = (invoice.currency, None) if foreign is None else foreign
    count = min(draw(_LINE_COUNTS), target)
    ratios = draw(st.lists(st.integers(1, 9), min_size=count, max_size=count))
    parts = [m.minor_units for m in allocate(Money(target, code), ratios)]
    lines = tuple(_line_for(draw, code, p) for p in parts if p > 0)
    return CreditNote(
        id=f"cn_{invoice.id}_{number}",
        invoice_id=str(invoice.id),
        currency=code,
        lines=lines,
        effective_at=at,
        exchange_rate=rate,
        partner_id=invoice.partner_id,
        reason=draw(st.sampled_from(("order_change", "duplicate", "product_unsatisfactory"))),
    )


def _split(draw: st.DrawFn, code: str, post: int) -> PostPaymentSplit | None:
    if post == 0:
        return None
    ratios = draw(st.lists(st.integers(0, 5), min_size=3, max_size=3).filter(any))
    refund, credit, outside = (m.minor_units for m in allocate(Money(post, code), ratios))
    return PostPaymentSplit.of(code, refund=refund, customer_credit=credit, out_of_band=outside)


def _foreign_note(
    draw: st.DrawFn, invoice: Invoice, room: int, number: int, at: dt.datetime
) -> tuple[CreditNote, int] | None:
    """A note in another currency worth 1..``room`` of the invoice's, and what it credits.

    Its total in its own currency is what ``room`` buys back at the drawn rate, at most; the
    note then credits ``floor(total × rate)`` of the invoice's currency (ADR 0012). ``None``
    when no such note credits anything (a rate and exponents that round it to nothing).
    """
    code = draw(currencies().filter(lambda c: c != invoice.currency))
    rate = draw(_RATES)
    # what one minor unit of the note's currency buys of the invoice's, exactly
    per_unit = Fraction(rate) * Fraction(10) ** (exponent(invoice.currency) - exponent(code))
    most = int(Fraction(room) / per_unit)
    if most < 1:
        return None
    target = draw(st.integers(1, min(most, 10**9)))
    note = _note_for(draw, invoice, target, number, at, foreign=(code, rate))
    credited = credited_in_invoice_currency(note, invoice.currency).minor_units
    if not 1 <= credited <= room:
        return None
    return note, credited


@st.composite
def _credit_scenarios(
    draw: st.DrawFn, codes: st.SearchStrategy[str], foreign: bool = False
) -> CreditScenario:
    # Some room for a note: pending allocations may not wait to take all that is owed.
    invoice = draw(
        invoices(currency=codes, status=_CREDITABLE).filter(
            lambda i: not pending_amount(i).is_positive() or _undecided(i) > 0
        )
    )
    assert invoice.issued_at is not None  # every creditable status is issued
    at = _after(draw, invoice.modified_at or invoice.issued_at, 30)
    total = invoice.total_amount.minor_units
    room = total
    due = invoice.amount_due.minor_units
    exact = draw(st.booleans())
    count = min(draw(_NOTE_COUNTS), room)
    notes: list[CreditNote] = []
    splits: list[PostPaymentSplit | None] = []
    pending = pending_amount(invoice).minor_units
    for number in range(1, count + 1):
        last = number == count
        # A note never lowers what is owed below what pending allocations wait to take
        # (note_over_pending): with allocations pending, it credits at most the rest.
        cap = room if pending == 0 else min(room, due - pending)
        if cap <= 0:
            break
        drawn = _foreign_note(draw, invoice, cap, number, at) if foreign else None
        if drawn is not None:
            note, target = drawn
        else:
            target = cap if (exact and last) else draw(st.integers(1, cap))
            note = _note_for(draw, invoice, target, number, at)
        pre = min(target, due)
        due -= pre
        room -= target
        notes.append(note)
        splits.append(_split(draw, invoice.currency, target - pre))
    return CreditScenario(invoice=invoice, notes=tuple(notes), splits=tuple(splits), at=at)


def credit_scenarios(
    *, currency: str | st.SearchStrategy[str] | None = None, foreign: bool = False
) -> st.SearchStrategy[CreditScenario]:
    """An open, partially paid or paid invoice and 1–3 notes that fit its total.

    Lines are by amount or by quantity with a tax rate rounded per line; about half the
    scenarios hit the invoice total exactly; notes after a partial payment have a post-payment
    part, split at random into refund, customer credit and out of band, to the minor unit.
    ``foreign=True``: the notes are in another currency than the invoice (``currency`` is the
    invoice's), each with an ``exchange_rate``, crediting ``floor(total × rate)`` of the
    invoice's currency (a note the rate would round to nothing is drawn in the invoice's
    currency instead); applied, their parts are in the invoice's (ADR 0072).
    """
    return _credit_scenarios(_codes(currency), foreign)


@attrs.frozen(kw_only=True, weakref_slot=False)
class DisputeScenario:
    """One partner's issued invoices and an open dispute over part of what they owe."""

    invoices: tuple[Invoice, ...]
    dispute: Dispute


def _undecided(invoice: Invoice) -> int:
    """Minor units owed that no pending allocation waits to take."""
    return invoice.amount_due.minor_units - pending_amount(invoice).minor_units


@st.composite
def _dispute_scenarios(draw: st.DrawFn, codes: st.SearchStrategy[str]) -> DisputeScenario:
    code = draw(codes)
    owned = draw(
        st.lists(
            invoices(currency=code, status=_DISPUTABLE, partner_id="prt_disputes"),
            min_size=1,
            max_size=3,
            unique_by=lambda i: i.id,
        ).filter(lambda found: any(_undecided(i) > 0 for i in found))
    )
    open_to_dispute = [i for i in owned if _undecided(i) > 0]
    chosen = draw(st.lists(st.sampled_from(open_to_dispute), min_size=1, unique_by=lambda i: i.id))
    lines = []
    for invoice in chosen:
        # What pending allocations do not already wait to take: credited when the dispute
        # resolves, it never leaves them more than is due (note_over_pending).
        amount = draw(st.integers(1, _undecided(invoice)))
        halves = (
            [amount] if amount < 2 or draw(st.booleans()) else [amount // 2, amount - amount // 2]
        )
        for part in halves:
            lines.append(
                DisputeLine(
                    invoice_id=str(invoice.id),
                    amount=Money(part, code),
                    reason=draw(st.sampled_from(sorted(DISPUTE_REASONS))),
                )
            )
    issued = max(i.issued_at for i in owned if i.issued_at is not None)
    dispute = Dispute(
        id="dsp_1",
        partner_id="prt_disputes",
        lines=tuple(lines),
        opened_at=_after(draw, issued, 20),
    )
    return DisputeScenario(invoices=tuple(owned), dispute=dispute)


def dispute_scenarios(
    *, currency: str | st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[DisputeScenario]:
    """1–3 open or partially paid invoices of one partner and a dispute over part of some
    of them (never more than an invoice owes less what pending allocations wait to take, so
    crediting it passes; some lines split in two)."""
    return _dispute_scenarios(_codes(currency))


@attrs.frozen(kw_only=True, weakref_slot=False)
class PromiseScenario:
    """An invoice, a promise over it, payments that keep, partly keep or break it, the
    instant to read at and the outcome the payments were drawn for."""

    invoice: Invoice
    promise: Promise
    payments: tuple[Payment, ...]
    at: dt.datetime
    outcome: PromiseStatus


def _approved(
    amount: Money, invoice_id: str, payment_id: str, allocation_id: str, when: dt.datetime
) -> PaymentAllocation:
    """A manual allocation approved when it was made."""
    return PaymentAllocation(
        amount=amount,
        invoice_id=invoice_id,
        object="payment_allocation",
        payment_id=payment_id,
        strategy="manual",
        id=allocation_id,
        approved=True,
        approved_at=when,
        created_at=when,
    )


def _paid_in(
    invoice: Invoice, amounts: Sequence[int], instants: Sequence[dt.datetime]
) -> tuple[Payment, ...]:
    code = invoice.currency
    payments = []
    for index, (units, when) in enumerate(zip(amounts, instants, strict=True)):
        pid = f"pay_{invoice.id}_{index}"
        allocation = _approved(Money(units, code), str(invoice.id), pid, f"alloc_{pid}", when)
        payments.append(
            Payment(
                id=pid,
                amount=Money(units, code),
                currency=code,
                partner_id=invoice.partner_id,
                timestamp=when,
                allocations=(allocation,),
                payment_method="ach",
            )
        )
    return tuple(payments)


@st.composite
def _promise_scenarios(
    draw: st.DrawFn, outcomes: st.SearchStrategy[PromiseStatus]
) -> PromiseScenario:
    outcome = draw(outcomes)
    invoice = draw(invoices(status="open", partner_id="prt_promises", currency="USD"))
    assert invoice.issued_at is not None
    made = _after(draw, invoice.issued_at, 10)
    promised_date = made.date() + dt.timedelta(days=draw(st.integers(0, 20)))
    method = draw(_METHODS)
    due = invoice.amount_due.minor_units
    amount = draw(st.integers(1, due))
    promise = Promise(
        id="prm_1",
        partner_id="prt_promises",
        invoices=(PromisedInvoice(invoice_id=str(invoice.id), amount=Money(amount, "USD")),),
        promised_date=promised_date,
        made_at=made,
        method=method,
        acknowledged_at=made,
    )
    deadline = deadline_of(promise, DEFAULT_PROMISE_POLICY)
    last = dt.datetime.combine(deadline, dt.time(23, 0), tzinfo=dt.UTC)
    window = max(int((last - made).total_seconds()), 0)
    if outcome is PromiseStatus.KEPT:
        paid = amount
    elif outcome is PromiseStatus.PARTIALLY_KEPT:
        if amount < 2:
            outcome, paid = PromiseStatus.KEPT, amount
        else:
            paid = draw(st.integers(1, amount - 1))
    else:
        paid = 0
    parts = [paid] if paid < 2 or draw(st.booleans()) else [paid // 2, paid - paid // 2]
    parts = [p for p in parts if p > 0]
    instants = sorted(made + dt.timedelta(seconds=draw(st.integers(0, window))) for _ in parts)
    payments = _paid_in(invoice, parts, instants)
    if outcome is PromiseStatus.PENDING:
        at = made + dt.timedelta(seconds=draw(st.integers(0, window)))
    else:
        at = last + dt.timedelta(days=draw(st.integers(1, 30)))
    if outcome is PromiseStatus.BROKEN and draw(st.booleans()):
        late = last + dt.timedelta(hours=2)
        payments = _paid_in(invoice, [amount], [late])  # money after the deadline counts not
    return PromiseScenario(
        invoice=invoice, promise=promise, payments=payments, at=at, outcome=outcome
    )


def promise_scenarios(
    *, outcome: PromiseStatus | st.SearchStrategy[PromiseStatus] | None = None
) -> st.SearchStrategy[PromiseScenario]:
    """An open invoice, an acknowledged promise over part or all of it, and payments drawn
    to keep it, keep part of it, break it (nothing, or money after the deadline) or leave it
    pending, read at an instant after the deadline (before it for ``pending``)."""
    if outcome is None:
        outcomes: st.SearchStrategy[PromiseStatus] = st.sampled_from(_OUTCOMES)
    elif isinstance(outcome, PromiseStatus):
        outcomes = st.just(outcome)
    else:
        outcomes = outcome
    return _promise_scenarios(outcomes)


def _codes(currency: str | st.SearchStrategy[str] | None) -> st.SearchStrategy[str]:
    _check_currency(currency)
    if currency is None:
        return currencies()
    return st.just(currency) if isinstance(currency, str) else currency


_LIVES: Final = st.sampled_from(("as drawn", "applied", "voided"))
_DISPUTE_ENDS: Final = st.sampled_from((None, *DisputeResolution))
_PROMISE_ENDS: Final = st.sampled_from(("active", "cancelled", "superseded"))
_LATER: Final = st.integers(1, 30 * 24 * 3600)


@st.composite
def _noted(draw: st.DrawFn, scenarios: st.SearchStrategy[CreditScenario]) -> CreditNote:
    scenario = draw(scenarios.filter(lambda s: bool(s.notes)))
    note = scenario.notes[0]
    life = draw(_LIVES)
    if life == "as drawn":
        return note
    applied = apply_credit_note(
        scenario.invoice, note, disposition=scenario.splits[0], at=scenario.at, earlier=()
    )
    split = scenario.splits[0]
    settled_outside = split is not None and not (
        split.refund.is_zero() and split.out_of_band.is_zero()
    )
    if life == "applied" or settled_outside:  # money refunded or paid out is not taken back
        return applied.note
    later = scenario.at + dt.timedelta(seconds=draw(_LATER))
    return void_credit_note(
        applied.invoice,
        applied.note,
        at=later,
        others=(),
        customer_credit=applied.customer_credit,
    ).note


def credit_notes(
    *, currency: str | st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[CreditNote]:
    """The first note of a :func:`credit_scenarios` scenario as drawn, applied to its invoice
    (its parts and split recorded) or applied then voided (unless its money was refunded or
    settled out of band, which a void cannot take back), each through the library's own
    transitions, so it fits its invoice's total after per-line tax rounding
    (``st.from_type(CreditNote)`` draws from here)."""
    return _noted(credit_scenarios(currency=currency))


@st.composite
def _disputed(draw: st.DrawFn, scenarios: st.SearchStrategy[DisputeScenario]) -> Dispute:
    dispute = draw(scenarios).dispute
    resolution = draw(_DISPUTE_ENDS)
    if resolution is None:
        return dispute
    later = dispute.opened_at + dt.timedelta(seconds=draw(_LATER))
    resolved, _notes = resolve_dispute(dispute, resolution=resolution, at=later)
    return resolved


def disputes(*, currency: str | st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Dispute]:
    """The dispute of a :func:`dispute_scenarios` scenario, open or resolved (credited,
    rejected or withdrawn) through :func:`~stuut_domain.owed.resolve_dispute`: never more than
    its invoices owe (``st.from_type(Dispute)`` draws from here)."""
    return _disputed(dispute_scenarios(currency=currency))


@st.composite
def _promised(draw: st.DrawFn, scenarios: st.SearchStrategy[PromiseScenario]) -> Promise:
    promise = draw(scenarios).promise
    end = draw(_PROMISE_ENDS)
    if end == "active":
        return promise
    later = promise.made_at + dt.timedelta(seconds=draw(_LATER))
    if end == "cancelled":
        return cancel_promise(promise, at=later)
    renewed = attrs.evolve(
        promise, id=f"{promise.id}_renewed", made_at=later, acknowledged_at=later
    )
    return supersede_promise(promise, renewed)[0]


def promises(
    *, outcome: PromiseStatus | st.SearchStrategy[PromiseStatus] | None = None
) -> st.SearchStrategy[Promise]:
    """The promise of a :func:`promise_scenarios` scenario, active, cancelled or superseded
    through the library's transitions: acknowledged when made, dated on or after that day
    (``st.from_type(Promise)`` draws from here)."""
    return _promised(promise_scenarios(outcome=outcome))


_CREDIT_IDS: Final = _ids("cc")
_PARTNER_IDS: Final = _ids("prt")
_INVOICE_IDS: Final = _ids("inv")
_SOURCES: Final = st.sampled_from(tuple(CreditSource))


@st.composite
def _customer_credits(draw: st.DrawFn, codes: st.SearchStrategy[str]) -> CustomerCredit:
    code = draw(codes)
    units = draw(st.integers(1, MAX_SAFE_MINOR_UNITS))
    # UTC, as the other owed strategies: an instant in a repeated hour (fold=1) of a zone
    # never compares equal to its own wire form (PEP 495), so a store would refuse it.
    created = draw(aware_datetimes(timezones=st.just(dt.UTC)))
    credit_id = draw(_CREDIT_IDS)
    left = units
    allocations = []
    for index in range(draw(st.integers(0, 3))):
        if left == 0:
            break
        spent = draw(st.integers(1, left))
        left -= spent
        when = _after(draw, created, 60)
        allocations.append(
            _approved(
                Money(spent, code),
                draw(_INVOICE_IDS),
                credit_id,
                f"alloc_{credit_id}_{index}",
                when,
            )
        )
    return CustomerCredit(
        id=credit_id,
        currency=code,
        amount=Money(units, code),
        created_at=created,
        source=draw(_SOURCES),
        partner_id=_maybe(draw, _PARTNER_IDS),
        allocations=tuple(allocations),
    )


def customer_credits(
    *, currency: str | st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[CustomerCredit]:
    """Customer credit above zero with 0–3 approved allocations that together never spend
    more than the credit, each in its currency with its own apply-once id (ADR 0046;
    ``st.from_type(CustomerCredit)`` draws from here)."""
    return _customer_credits(_codes(currency))
