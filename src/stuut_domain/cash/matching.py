"""Matching one bank transaction to open invoices: a proposal that explains itself.

:func:`match_transaction` reads the transaction's references, infers its partner, builds the
candidate *plans* (which invoices it would settle, with how much cash and which non-cash
settlements), scores each by the named signals of :mod:`stuut_domain.cash.signals`, and
returns a :class:`MatchProposal`: the chosen plan as an
:class:`~stuut_domain.allocation.AllocationResult` (rule ``matched``; so approval,
apply-once allocation ids and unapplied credit work as for any allocation), the settlements
that are not cash, the on-account remainder, a rationale per line, the confidence, the
ambiguity (how many other plans are equally good) and the rejected alternatives with why.

Plans, in the order they are built:

1. **remittance** — the remittance's lines, resolved to invoices (by id, else number);
2. **reference** — the invoices the references name, paid exactly, within tolerance, in
   part (oldest due first) or in full with the rest on account;
3. **amount** — each single invoice whose open amount the payment hits exactly or within
   tolerance; when there is none, the exact groups of 2..k invoices among a bounded pool
   (referenced invoices first, then by nearness of the due date).

Decision: ``auto_apply`` only when the confidence reaches the policy's threshold, the
ambiguity is 0 and no blocker stands (an ambiguous or conflicting partner, a truncated
search behind an amount-only plan, a remittance that breaks its rules); ``review`` when
there is a plan but it may not auto-apply; ``no_match`` when there is no plan (not a payment,
nothing to apply, no open invoice it could pay). Nothing is auto-applied on a guess.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from stuut_domain.allocation import (
    AllocationResult,
    AllocationRule,
    ApprovalPolicy,
    allocate_payment,
    invoice_amount,
    oldest_due_order,
    payment_cost,
)
from stuut_domain.cash.book import OpenBook
from stuut_domain.cash.entities import BankTransaction, Remittance
from stuut_domain.cash.invariants import check_remittance
from stuut_domain.cash.partners import (
    PartnerDirectory,
    PartnerInference,
    PartnerMethod,
    infer_partner,
)
from stuut_domain.cash.policy import DEFAULT_MATCH_POLICY, MatchPolicy
from stuut_domain.cash.references import (
    Reference,
    ReferenceKind,
    extract_references,
    normalise_invoice_number,
    written_key,
)
from stuut_domain.cash.search import exact_groups
from stuut_domain.cash.signals import AMOUNT_PARTS, REFERENCE_PARTS, SIGNAL_NAMES, Signal
from stuut_domain.display import compact, html_table
from stuut_domain.errors import InvalidAllocation, InvalidMatchInput
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.payment import Payment
from stuut_domain.validators import require_aware

__all__ = [
    "MATCH_BLOCKER_CODES",
    "Alternative",
    "MatchBlocker",
    "MatchDecision",
    "MatchProposal",
    "ProposedLine",
    "Settlement",
    "SettlementKind",
    "match_transaction",
    "match_with_book",
]

_EPSILON = 1e-9


class MatchDecision(enum.StrEnum):
    """What should happen to a proposal: applied without a person, reviewed, or nothing."""

    AUTO_APPLY = "auto_apply"
    REVIEW = "review"
    NO_MATCH = "no_match"


class SettlementKind(enum.StrEnum):
    """A way an invoice is settled without cash (ADR 0042)."""

    EARLY_PAYMENT_DISCOUNT = "early_payment_discount"
    WITHHOLDING = "withholding"
    SHORT_PAY_WRITE_OFF = "short_pay_write_off"


#: Every reason a proposal does not auto-apply: code -> the rule, in words. Codes never
#: change once published (services branch on them); the blocker's message gives the facts.
MATCH_BLOCKER_CODES: Final[Mapping[str, str]] = {
    "not_a_payment": "the transaction is not a customer payment (is_payment is false, or its "
    "type is one of OUTGOING_TYPES: money going out)",
    "unknown_transaction_type": "the transaction's type is neither a known incoming nor a "
    "known outgoing one (INCOMING_TYPES, OUTGOING_TYPES)",
    "not_posted": "the transaction is a draft or not yet posted: the money has not settled",
    "amount_not_positive": "the amount is zero or negative: nothing was received",
    "nothing_left": "everything is already allocated or handled outside",
    "negative_part": "total_allocated or amount_handled_outside is negative (money would be "
    "created: see the cash rule transaction_amount_negative_part)",
    "currency_unpayable": "no open invoice is in the currency and there is no currency_rate",
    "no_candidates": "no reference, remittance line or amount reaches an open invoice",
    "ambiguous": "other plans are as good on every signal but the date",
    "partner_ambiguous": "the payer fits several partners, or pays for several",
    "partner_conflict": "the account names one partner and the invoice numbers another",
    "reference_amount_conflict": "the references name one invoice, the amount fits another",
    "search_truncated": "a search bound cut the group search behind an amount-only plan",
    "unsupported_guess": "neither a reference nor the partner supports the plan",
    "below_threshold": "the confidence is below the policy's auto-apply threshold",
    "remittance_line_unresolved": "a remittance line names no open invoice of the partner",
    "remittance_rule": "the remittance breaks one of its rules (see CASH_RULES)",
    "remittance_discount_excessive": "a remittance states an early-payment discount above "
    "the policy's max_discount_percent of the invoice's open amount",
    "remittance_over_open": "the remittance settles more than an invoice has open",
    "remittance_over_payment": "the remittance pays more than the transaction received",
    "batch_overclaim": "several transactions of the batch claim one invoice beyond its open amount",
    "on_account_remainder": "the payment exceeds what the plan settles and the policy does not "
    "auto-apply a remainder on account (MatchPolicy.auto_on_account)",
    "references_truncated": "the text holds more references than the policy reads "
    "(ReferenceFormats.max_references): invoices it names may be missing",
}

#: Bank transaction ``type`` values that are money coming in (the API's example: ``deposit``).
#: A transaction without a type is read as incoming; matching is for customer payments.
INCOMING_TYPES: Final[frozenset[str]] = frozenset(
    {"deposit", "credit", "incoming", "incoming_transfer", "payment", "transfer_in"}
)
#: ``type`` values that are money going out: never matched to a customer invoice.
OUTGOING_TYPES: Final[frozenset[str]] = frozenset(
    {"withdrawal", "debit", "outgoing", "outgoing_transfer", "transfer_out", "payout", "fee"}
)


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class MatchBlocker:
    """One reason a proposal does not auto-apply: a stable ``code`` (one of
    :data:`MATCH_BLOCKER_CODES`) and the ``message`` with the facts, for people."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


def _blocker(code: str, message: str) -> MatchBlocker:
    """A blocker of a published code (a test checks every code used here is published)."""
    return MatchBlocker(code=code, message=message)


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Settlement:
    """A non-cash settlement line: ``amount`` (invoice currency) off ``invoice_id``, and why.

    Never part of the payment's allocations: it needs its own ledger line (a discount
    allowed, tax withheld, a short pay written off), so cash stays what the bank received.
    """

    invoice_id: str
    kind: SettlementKind
    amount: Money
    reason: str


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class ProposedLine:
    """One invoice of the chosen plan: its cash (invoice currency), cost to the payment
    (payment currency), non-cash settlements and the rationale in plain words."""

    invoice_id: str
    number: str | None
    cash: Money
    cost: Money
    settlements: tuple[Settlement, ...]
    rationale: str

    @property
    def settled(self) -> Money:
        """What the invoice's balance goes down by in all: cash plus settlements."""
        return sum((s.amount for s in self.settlements), self.cash)


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Alternative:
    """A plan the matcher did not choose: its invoices, its score, and why not."""

    invoice_ids: tuple[str, ...]
    score: float
    why: str


@attrs.frozen(kw_only=True, weakref_slot=False)
class _Plan:
    """A candidate: the invoices, cash per invoice, settlements, evidence and signals."""

    source: str
    invoice_ids: tuple[str, ...]
    cash: Mapping[str, Money]
    settlements: tuple[Settlement, ...]
    amount_kind: str
    amount_text: str
    reference: Mapping[str, str]
    signals: tuple[Signal, ...] = ()
    blockers: tuple[MatchBlocker, ...] = ()

    @property
    def score(self) -> float:
        return min(1.0, max(0.0, sum(s.contribution for s in self.signals)))

    @property
    def evidence(self) -> float:
        """The score without the date signal: what "equally good" compares."""
        return round(sum(s.contribution for s in self.signals if s.name != "date"), 9)

    def part(self, name: str) -> float:
        return next((s.part for s in self.signals if s.name == name), 0.0)


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class MatchProposal:
    """What to do with one bank transaction, and why (see the module docstring).

    * ``decision``: auto_apply / review / no_match; ``blockers`` say what kept it from
      auto-applying (empty when it auto-applies).
    * ``confidence`` in [0, 1]; ``ambiguity``: how many other plans are equally good.
    * ``partner``: the partner inference (who, how, why).
    * ``result``: the chosen allocations (None for no_match); its lines are approved when
      the decision is auto_apply and pending otherwise. ``lines``: the same invoices with
      settlements and a rationale each; ``settlements``: every non-cash line.
    * ``on_account``: the money left unapplied (payment currency).
    * ``signals``: the chosen plan's named signals; ``alternatives``: rejected plans, why.
    * ``references``: what was read from the text; ``notes``: other facts (e.g. "search
      truncated: …"); ``search_truncated`` is that reason or None.
    """

    transaction_id: str
    decision: MatchDecision
    confidence: float
    ambiguity: int
    partner: PartnerInference
    result: AllocationResult | None
    lines: tuple[ProposedLine, ...]
    settlements: tuple[Settlement, ...]
    on_account: Money
    signals: tuple[Signal, ...]
    alternatives: tuple[Alternative, ...]
    references: tuple[Reference, ...]
    notes: tuple[str, ...]
    blockers: tuple[MatchBlocker, ...]
    search_truncated: str | None = None

    @property
    def allocated(self) -> Money:
        """The cash the proposal allocates (payment currency, pending and approved)."""
        zero = Money.zero(self.on_account.code)
        return sum((line.cost for line in self.lines), zero)

    @property
    def rationale(self) -> tuple[str, ...]:
        """The proposal in plain words: the decision, the partner, one sentence per line,
        the on-account remainder, the notes and the rejected alternatives."""
        head = f"{self.transaction_id}: {self.decision} (confidence {self.confidence:.2f}"
        head += f", ambiguity {self.ambiguity})" if self.ambiguity else ")"
        out = [head, f"partner: {self.partner.partner_id or 'unknown'} — {self.partner.reason}"]
        out.extend(line.rationale for line in self.lines)
        if self.on_account.is_positive():
            out.append(f"on account: {self.on_account} left unapplied on the payment")
        out.extend(f"not auto-applied: {b}" for b in self.blockers)
        out.extend(self.notes)
        out.extend(
            f"rejected {', '.join(a.invoice_ids) or 'nothing'} ({a.score:.2f}): {a.why}"
            for a in self.alternatives
        )
        return tuple(out)

    def as_record(self) -> dict[str, Any]:
        """The proposal's headline facts as one plain row (for a DataFrame or JSON)."""
        return {
            "transaction_id": self.transaction_id,
            "decision": self.decision.value,
            "confidence": round(self.confidence, 4),
            "ambiguity": self.ambiguity,
            "partner_id": self.partner.partner_id,
            "partner_method": self.partner.method.value,
            "invoices": len(self.lines),
            "allocated": self.allocated.amount,
            "settled_outside_cash": sum((s.amount.amount for s in self.settlements), start=0),
            "on_account": self.on_account.amount,
            "currency": self.on_account.code,
            "search_truncated": self.search_truncated is not None,
            "blockers": "; ".join(b.code for b in self.blockers),
        }

    def _repr_html_(self) -> str:
        """The rationale as an HTML table for notebooks (every value escaped)."""
        rows = [{"rationale": line} for line in self.rationale]
        return html_table(["rationale"], rows, caption=f"Match of {self.transaction_id}")

    def __repr__(self) -> str:
        return (
            f"MatchProposal({self.transaction_id!r}, {self.decision.value}, "
            f"confidence={self.confidence:.2f}, ambiguity={self.ambiguity}, "
            f"lines={len(self.lines)}, on_account={self.on_account})"
        )


def match_transaction(
    transaction: BankTransaction,
    open_invoices: Iterable[Invoice],
    *,
    partners: PartnerDirectory,
    remittance: Remittance | None = None,
    policy: MatchPolicy = DEFAULT_MATCH_POLICY,
    at: dt.datetime,
) -> MatchProposal:
    """The proposal for ``transaction`` against ``open_invoices`` (module docstring).

    ``partners``: what partner inference knows; ``remittance``: the payer's advice for this
    transaction, if any; ``policy``: thresholds, tolerance, bounds and confidence scale;
    ``at``: when the proposal is made (allocation ids and times). Nothing is written: apply
    an auto-applied proposal's ``result`` with :func:`~stuut_domain.allocation.apply_result`.

    Refused (:class:`~stuut_domain.errors.InvalidMatchInput`): an argument of the wrong type
    (``partners=[]``, ``None`` among the invoices), a transaction without an id, amount or
    currency, a naive ``at``, an ``agent_confidence_score`` off the policy's
    scale, invoices without ids or given twice.
    """
    book = OpenBook.of(open_invoices, formats=policy.formats)
    return match_with_book(
        transaction, book, partners=partners, remittance=remittance, policy=policy, at=at
    )


def _check_transaction(tx: BankTransaction, policy: MatchPolicy) -> tuple[str, Money]:
    if tx.id is None or tx.amount is None or tx.currency is None:
        raise InvalidMatchInput(
            "transaction_incomplete",
            f"bank transaction {tx.id!r} needs an id, an amount and a currency to be matched",
            transaction_id=tx.id,
        )
    if tx.agent_metrics is not None:
        policy.agent_score(
            tx.agent_metrics.confidence_score, field="agent_metrics.confidence_score"
        )
    return tx.id, tx.amount


def _check_types(
    transaction: object, book: object, partners: object, remittance: object, policy: object
) -> None:
    """Each argument of the kind it must be (a typed refusal, never an AttributeError)."""
    expected: tuple[tuple[str, object, type], ...] = (
        ("transaction", transaction, BankTransaction),
        ("book", book, OpenBook),
        ("partners", partners, PartnerDirectory),
        ("policy", policy, MatchPolicy),
    )
    for field, value, kind in expected:
        if not isinstance(value, kind):
            raise InvalidMatchInput(
                "argument_type",
                f"{field} is a {kind.__name__}, got {type(value).__name__}",
                field=field,
            )
    if remittance is not None and not isinstance(remittance, Remittance):
        raise InvalidMatchInput(
            "argument_type",
            f"remittance is a Remittance or None, got {type(remittance).__name__}",
            field="remittance",
        )


def match_with_book(
    transaction: BankTransaction,
    book: OpenBook,
    *,
    partners: PartnerDirectory,
    remittance: Remittance | None = None,
    policy: MatchPolicy = DEFAULT_MATCH_POLICY,
    at: dt.datetime,
    blockers: Sequence[MatchBlocker] = (),
) -> MatchProposal:
    """:func:`match_transaction` against an :class:`~stuut_domain.cash.book.OpenBook` built
    once (batches). ``blockers`` are reasons from outside (a batch's over-claimed invoice)
    that keep the proposal from auto-applying."""
    require_aware("at", at)
    _check_types(transaction, book, partners, remittance, policy)
    tx_id, amount = _check_transaction(transaction, policy)
    agent = None
    if remittance is not None:
        agent = policy.agent_score(
            remittance.agent_confidence_score, field="remittance.agent_confidence_score"
        )
    matcher = _Matcher(
        transaction, book, partners, remittance=remittance, policy=policy, at=at, agent=agent
    )
    return matcher.run(tx_id, amount, tuple(blockers))


class _Matcher:
    """One transaction's matching, step by step (kept as state to keep each step small)."""

    def __init__(
        self,
        tx: BankTransaction,
        book: OpenBook,
        partners: PartnerDirectory,
        *,
        remittance: Remittance | None,
        policy: MatchPolicy,
        at: dt.datetime,
        agent: float | None,
    ) -> None:
        self.tx = tx
        self.book = book
        self.directory = partners
        self.remittance = remittance
        self.policy = policy
        self.at = at
        self.agent = agent
        self.code = str(tx.currency)
        self.notes: list[str] = []
        self.truncated: str | None = None
        self.references: tuple[Reference, ...] = ()
        self.hits: dict[str, str] = {}
        self.partial: dict[str, str] = {}
        self.unresolved: list[str] = []
        self.rejected: list[Alternative] = []
        self.costs: dict[str, Money] = {}
        self.standing: list[MatchBlocker] = []

    # -- the steps ---------------------------------------------------------------------

    def run(self, tx_id: str, amount: Money, outside: tuple[MatchBlocker, ...]) -> MatchProposal:
        available = self.tx.on_account
        early = self._early_no_match(amount, available)
        if early is not None or available is None:
            why = early or _blocker("nothing_left", "nothing left to apply")
            return self._no_match(tx_id, why, self._unknown_partner(why.message))
        self._read_references()
        partner = self._partner()
        pool = self._pool(partner)
        payment = self._payment(tx_id, available, partner)
        plans = self._plans(pool, payment, partner)
        if not plans:
            why = _blocker("no_candidates", self._why_no_plan(pool, partner))
            return self._no_match(tx_id, why, partner)
        return self._decide(tx_id, plans, payment, partner, outside)

    def _early_no_match(self, amount: Money, available: Money | None) -> MatchBlocker | None:
        if self.tx.is_payment is False:
            reason = self.tx.non_payment_reason or "is_payment is false"
            return _blocker("not_a_payment", f"not a customer payment ({reason})")
        kind = (self.tx.type or "").strip().lower()
        if kind in OUTGOING_TYPES:
            return _blocker(
                "not_a_payment",
                f"not a customer payment: its type {self.tx.type!r} is money going out",
            )
        if kind and kind not in INCOMING_TYPES:
            self.standing.append(
                _blocker(
                    "unknown_transaction_type",
                    f"the type {self.tx.type!r} is not a known incoming type "
                    f"({', '.join(sorted(INCOMING_TYPES))})",
                )
            )
        if self.tx.is_draft is True or self.tx.posted is False:
            state = "a draft" if self.tx.is_draft is True else "not posted"
            self.standing.append(
                _blocker("not_posted", f"the transaction is {state}: the money has not settled")
            )
        if not amount.is_positive():
            return _blocker(
                "amount_not_positive",
                f"the amount {amount} is not above zero: nothing was received to apply",
            )
        for field in ("total_allocated", "amount_handled_outside"):
            part: Money | None = getattr(self.tx, field)
            if part is not None and part.is_negative():
                return _blocker(
                    "negative_part",
                    f"{field} is {part}, below zero: the transaction breaks "
                    "transaction_amount_negative_part and is not matched",
                )
        if available is None or not available.is_positive():
            return _blocker(
                "nothing_left",
                f"nothing left to apply: {available} after allocations and money handled outside",
            )
        if self.code not in self.book.currencies and self.tx.currency_rate is None:
            return _blocker(
                "currency_unpayable",
                f"no open invoice is in {self.code} and the transaction has no currency_rate "
                "to pay another currency",
            )
        return None

    def _unknown_partner(self, why: str) -> PartnerInference:
        return PartnerInference(
            partner_id=None, method=PartnerMethod.NONE, reason=f"not inferred: {why}", score=0.0
        )

    def _text_sources(self) -> list[str]:
        tx = self.tx
        texts = [t for t in (tx.reference_number, tx.check_number, tx.description) if t]
        texts.extend(tx.all_invoice_numbers)
        return texts

    def _read_references(self) -> None:
        formats = self.policy.formats
        found: list[Reference] = []
        for text in self._text_sources():
            if len(text) > formats.max_text:
                self.notes.append(f"text beyond {formats.max_text} characters was not read")
            found.extend(extract_references(text, formats=formats))
        self.references = tuple(found[: formats.max_references])
        if len(found) > formats.max_references:
            cut = _blocker(
                "references_truncated",
                f"references truncated: {len(found)} found, the first "
                f"{formats.max_references} read",
            )
            self.notes.append(cut.message)
            self.standing.append(cut)
        for ref in self.references:
            self._resolve(ref)

    def _resolve(self, ref: Reference) -> None:
        """Record the invoices a reference names: exactly, or by a unique truncated number."""
        book = self.book
        if ref.kind is ReferenceKind.AMOUNT:
            return
        if ref.kind is ReferenceKind.RF_REFERENCE:
            key = normalise_invoice_number(
                ref.value[4:], prefixes=self.policy.formats.invoice_prefixes
            )
            ids = book.numbers.exact(key)
            self._hit(ids, "exact", f"RF reference {ref.text!r} (check digits valid)")
            if not ids:
                self.unresolved.append(ref.text)
            return
        index = book.po_numbers if ref.kind is ReferenceKind.PO_NUMBER else book.numbers
        ids = index.exact(ref.value) or (
            book.po_numbers.exact(ref.value) if index is book.numbers else ()
        )
        if ids:
            self._hit(ids, "exact", f"{ref.kind.value.replace('_', ' ')} {ref.text!r}")
            return
        formats = self.policy.formats
        prefixes = (
            formats.po_prefixes if ref.kind is ReferenceKind.PO_NUMBER else formats.invoice_prefixes
        )
        truncated = index.truncated(
            ref.value,
            min_length=formats.min_truncated,
            written=written_key(ref.text, prefixes=prefixes),
        )
        if truncated is not None:
            key, side = truncated
            how = f"partial|{ref.text!r} as the {side} of a number"
            for inv_id in index.exact(key):
                self.partial.setdefault(inv_id, how)
            return
        self.unresolved.append(ref.text)

    def _hit(self, ids: Iterable[str], strength: str, how: str) -> None:
        for inv_id in ids:
            if self.hits.get(inv_id, "").startswith("exact"):
                continue
            self.hits[inv_id] = f"{strength}|{how}"

    def _partner(self) -> PartnerInference:
        owners = [p for i in self.hits if (p := self.book.partner_of(i))]
        found = infer_partner(
            self.tx, self.directory, invoice_owners=owners, text=" ".join(self._text_sources())
        )
        rem = self.remittance
        if found.partner_id is None and not found.ambiguous and rem is not None and rem.partner:
            found = PartnerInference(
                partner_id=rem.partner,
                method=PartnerMethod.GIVEN,
                reason=f"the remittance is {rem.partner}'s",
                score=0.95,
            )
        if rem is not None and rem.partner and found.partner_id not in (None, rem.partner):
            self.standing.append(
                _blocker(
                    "partner_conflict",
                    f"conflicting evidence: the remittance is {rem.partner}'s but the payer is "
                    f"{found.partner_id} ({found.reason})",
                )
            )
        self._keep_partial(found)
        return found

    def _keep_partial(self, partner: PartnerInference) -> None:
        """Truncated references count only among the candidates: the open invoices of a
        partner known without them (they never infer the partner themselves)."""
        for inv_id, how in self.partial.items():
            if inv_id in self.hits:
                continue
            owner = self.book.partner_of(inv_id)
            if partner.partner_id is not None and owner == partner.partner_id:
                self.hits[inv_id] = how
            else:
                shown = how.split("|", 1)[1]
                whose = partner.partner_id or "no partner known without it"
                self.notes.append(
                    f"{shown} ({inv_id}) not used: a truncated reference counts only among "
                    f"the partner's open invoices ({whose})"
                )

    def _pool(self, partner: PartnerInference) -> list[str]:
        """The candidate invoices: the partner's (or the ambiguous candidates'), plus the
        referenced ones, in a currency the payment can pay; the others are rejected."""
        if partner.partner_id is not None:
            owners: Sequence[str] = (partner.partner_id,)
        else:
            owners = partner.candidates
        ids = {i for owner in owners for i in self.book.of_partner(owner)}
        for inv_id in self.hits:
            owner = self.book.partner_of(inv_id)
            if partner.partner_id is None or owner == partner.partner_id:
                ids.add(inv_id)
            else:
                self.rejected.append(
                    Alternative(
                        invoice_ids=(inv_id,),
                        score=0.0,
                        why=f"the text names it but it is {owner}'s, not {partner.partner_id}'s",
                    )
                )
        foreign = self._foreign_currency(ids)
        pool = sorted(i for i in ids if self.book.invoices[i].currency in (self.code, foreign))
        other = len(ids) - len(pool)
        if other:
            self.notes.append(
                f"{other} open invoice(s) in another currency than {self.code} left out"
            )
        return pool

    def _foreign_currency(self, ids: Iterable[str]) -> str | None:
        """The one other currency the payment's ``currency_rate`` may pay: the referenced
        invoices' when they name one, else the only foreign currency among the candidates."""
        if self.tx.currency_rate is None:
            return None
        named = {self.book.invoices[i].currency for i in self.hits if i in self.book.invoices}
        named.discard(self.code)
        if len(named) == 1:
            return next(iter(named))
        others = {self.book.invoices[i].currency for i in ids} - {self.code}
        return next(iter(others)) if len(others) == 1 else None

    def _payment(self, tx_id: str, available: Money, partner: PartnerInference) -> Payment:
        """The payment ``mark-payment`` would create for what is left of the transaction."""
        digest = hashlib.blake2b(tx_id.encode(), digest_size=8).hexdigest()
        return Payment(
            id=f"pay_{digest}",
            amount=available,
            amount_refunded=Money.zero(self.code),
            bank_transaction_id=tx_id,
            currency=self.code,
            currency_rate=self.tx.currency_rate,
            object="payment",
            partner_id=partner.partner_id,
            reference_number=self.tx.reference_number,
            status="pending_match",
            timestamp=self.tx.timestamp,
        )

    # -- plans -------------------------------------------------------------------------

    def _cost(self, payment: Payment, inv_id: str) -> Money:
        """What covering the invoice's open amount costs the payment (computed once each):
        the amount itself in the payment's currency (as ``payment_cost`` says), else
        ``payment_cost`` through the rate."""
        cost = self.costs.get(inv_id)
        if cost is None:
            open_amount = self.book.open_amounts[inv_id]
            same = open_amount.code == self.code
            cost = open_amount if same else payment_cost(payment, open_amount)
            self.costs[inv_id] = cost
        return cost

    def _plans(self, pool: list[str], payment: Payment, partner: PartnerInference) -> list[_Plan]:
        plans: list[_Plan] = []
        if self.remittance is not None:
            plan = self._remittance_plan(pool, payment)
            if plan is not None:
                plans.append(plan)
        referenced = [i for i in pool if i in self.hits]
        if referenced:
            plans.append(self._cover(referenced, payment, source="reference"))
        plans.extend(self._amount_plans(pool, payment, skip=plans))
        scored = [self._score(plan, payment, partner) for plan in plans]
        unique: dict[tuple[str, ...], _Plan] = {}
        for plan in scored:
            key = plan.invoice_ids
            if key not in unique or plan.score > unique[key].score:
                unique[key] = plan
        return sorted(unique.values(), key=_rank)

    def _cover(self, ids: Sequence[str], payment: Payment, *, source: str) -> _Plan:
        """The invoices paid oldest due first with the payment's money: exact, within
        tolerance (the shortfall written off), in part, or in full with the rest on account."""
        invoices = oldest_due_order(self.book.invoices[i] for i in ids)
        total = sum((self._cost(payment, str(i.id)) for i in invoices), Money.zero(self.code))
        if (payment.amount or Money.zero(self.code)) >= total:
            cash = {str(i.id): self.book.open_amounts[str(i.id)] for i in invoices}
        else:
            cash = self._oldest_first(invoices, payment)
        available = payment.amount or Money.zero(self.code)
        settlements: list[Settlement] = []
        if available == total:
            kind = "exact" if len(invoices) == 1 else "group"
            text = f"the payment is exactly what the {len(invoices)} invoice(s) have open"
        elif available > total:
            kind, text = "over", f"pays all {len(invoices)} invoice(s); {available - total} over"
        elif self.policy.tolerance.accepts(available, total):
            kind = "tolerance"
            for inv in invoices:
                inv_id = str(inv.id)
                short = self.book.open_amounts[inv_id] - cash.get(inv_id, Money.zero(inv.currency))
                if short.is_positive():
                    settlements.append(
                        Settlement(
                            invoice_id=inv_id,
                            kind=SettlementKind.SHORT_PAY_WRITE_OFF,
                            amount=short,
                            reason=f"short pay of {total - available} within the tolerance "
                            f"({self.policy.tolerance.describe(self.code)})",
                        )
                    )
            text = f"{total - available} short of {total}, within tolerance: written off"
        else:
            kind = "partial"
            text = f"pays {available} of {total} open, oldest due first; the rest stays open"
        return _Plan(
            source=source,
            invoice_ids=tuple(str(i.id) for i in invoices),
            cash=cash,
            settlements=tuple(settlements),
            amount_kind=kind,
            amount_text=text,
            reference={i: self.hits[i] for i in ids if i in self.hits},
        )

    def _oldest_first(self, invoices: Sequence[Invoice], payment: Payment) -> dict[str, Money]:
        """What the allocation engine's ``oldest_due_first`` rule gives each invoice when the
        payment cannot cover them all (the first it cannot cover takes what is left)."""
        trial = allocate_payment(
            payment,
            invoices,
            rule=AllocationRule.OLDEST_DUE_FIRST,
            at=self.at,
            allow_cross_partner=payment.partner_id is None,
        )
        return {line.invoice_id: line.amount for line in trial.lines}

    def _amount_plans(self, pool: list[str], payment: Payment, *, skip: list[_Plan]) -> list[_Plan]:
        """Single invoices the amount hits exactly or within tolerance; else exact groups.

        An invoice costs exactly the payment when its open amount ``a`` has
        ``payment_cost(a) == target``, i.e. ``invoice_amount(target − 1) < a <=
        invoice_amount(target)`` (the rounding of :mod:`~stuut_domain.allocation.exchange`),
        so each currency is converted twice, not each invoice once.
        """
        target = payment.amount or Money.zero(self.code)
        below = target - Money(1, self.code)
        bounds: dict[str, tuple[Money, Money]] = {}
        for code in {self.book.open_amounts[i].code for i in pool}:
            if code == self.code:
                bounds[code] = (below, target)
            else:
                bounds[code] = (
                    invoice_amount(payment, below, code),
                    invoice_amount(payment, target, code),
                )
        tolerance = self.policy.tolerance
        lenient = tolerance.allowance(target).is_positive() or self.code in tolerance.percent
        plans: list[_Plan] = []
        eligible: list[str] = []
        units = {code: (low.minor_units, high.minor_units) for code, (low, high) in bounds.items()}
        open_amounts = self.book.open_amounts
        for inv_id in pool:
            open_amount = open_amounts[inv_id]
            low, high = units[open_amount.code]  # minor units of one currency: compared as ints
            exact = low < open_amount.minor_units <= high
            if exact or (lenient and tolerance.accepts(target, self._cost(payment, inv_id))):
                plans.append(self._cover([inv_id], payment, source="amount"))
            elif open_amount.minor_units <= low:
                eligible.append(inv_id)
        exact_known = any(p.amount_kind in ("exact", "group") for p in (*skip, *plans))
        if exact_known or self.policy.max_group_size < 2 or len(eligible) < 2:
            return plans
        due = self.tx.timestamp or self.at
        eligible.sort(key=lambda i: (i not in self.hits, _days(self.book.invoices[i], due), i))
        chosen = eligible[: self.policy.max_group_candidates]
        search = exact_groups(
            [self._cost(payment, i).minor_units for i in chosen],
            target.minor_units,
            max_size=self.policy.max_group_size,
            max_groups=self.policy.max_groups,
            eligible=len(eligible),
        )
        if search.truncated:
            self.truncated = search.truncated
            self.notes.append(f"search truncated: {search.truncated}")
        for group in search.groups:
            plans.append(self._cover([chosen[g] for g in group], payment, source="group"))
        return plans

    def _remittance_plan(self, pool: list[str], payment: Payment) -> _Plan | None:
        rem = self.remittance
        assert rem is not None
        unreadable = [
            v for v in check_remittance(rem, transaction=self.tx) if v.code == "remittance_currency"
        ]
        if unreadable:
            self.standing.extend(
                _blocker("remittance_rule", f"remittance [{v.code}] {v.message}; not used")
                for v in unreadable
            )
            return None
        in_pool = set(pool)
        cash: dict[str, Money] = {}
        settlements: list[Settlement] = []
        reference: dict[str, str] = {}
        blockers: list[MatchBlocker] = []
        for index, line in enumerate(rem.allocations):
            inv_id, how = self._line_invoice(line.invoice_id, line.invoice_number, in_pool)
            if inv_id is None:
                blockers.append(
                    _blocker(
                        "remittance_line_unresolved",
                        f"remittance line {index} ({line.invoice_number!r}) names no open "
                        "invoice of the partner",
                    )
                )
                continue
            inv = self.book.invoices[inv_id]
            if inv.currency != self.code:
                blockers.append(
                    _blocker(
                        "remittance_line_unresolved",
                        f"remittance line {index} is in {self.code}, {inv_id} in {inv.currency}",
                    )
                )
                continue
            paid = line.paid(self.code)
            if paid.is_positive():
                cash[inv_id] = cash.get(inv_id, Money.zero(self.code)) + paid
            non_cash: tuple[tuple[SettlementKind, Money | None], ...] = (
                (SettlementKind.EARLY_PAYMENT_DISCOUNT, line.amount_discount),
                (SettlementKind.WITHHOLDING, line.amount_withheld),
            )
            self._check_discount(index, inv_id, line.amount_discount, blockers)
            for settlement_kind, value in non_cash:
                if value is not None and value.is_positive():
                    settlements.append(
                        Settlement(
                            invoice_id=inv_id,
                            kind=settlement_kind,
                            amount=value,
                            reason=f"the remittance states "
                            f"{settlement_kind.value.replace('_', ' ')} "
                            f"of {value}",
                        )
                    )
            reference[inv_id] = how
        violations = check_remittance(
            rem, transaction=self.tx, invoices=[self.book.invoices[i] for i in pool]
        )
        blockers.extend(
            _blocker("remittance_rule", f"remittance [{v.code}] {v.message}") for v in violations
        )
        if not cash and not settlements:
            self.notes.extend(b.message for b in blockers)
            return None
        settlements = self._within_open(cash, settlements, blockers)
        total_cash = sum((payment_cost(payment, c) for c in cash.values()), Money.zero(self.code))
        available = payment.amount or Money.zero(self.code)
        if total_cash > available:
            blockers.append(
                _blocker(
                    "remittance_over_payment",
                    f"the remittance pays {total_cash}, more than {available} received",
                )
            )
            self.notes.extend(b.message for b in blockers)
            return None
        kind = "exact" if total_cash == available else "partial"
        return _Plan(
            source="remittance",
            invoice_ids=tuple(sorted(set(cash) | {s.invoice_id for s in settlements})),
            cash=cash,
            settlements=tuple(settlements),
            amount_kind=kind,
            amount_text="the remittance lines' cash sums to the payment"
            if kind == "exact"
            else f"the remittance lines pay {total_cash} of {available}",
            reference=reference,
            blockers=tuple(blockers),
        )

    def _check_discount(
        self, index: int, inv_id: str, discount: Money | None, blockers: list[MatchBlocker]
    ) -> None:
        """A payer-stated early-payment discount above the policy's ``max_discount_percent``
        of the invoice's open amount is a blocker: the payer may not grant itself a discount."""
        if discount is None or not discount.is_positive():
            return
        open_amount = self.book.open_amounts[inv_id]
        limit = self.policy.max_discount_percent
        if discount.minor_units * 100 > limit * open_amount.minor_units:
            blockers.append(
                _blocker(
                    "remittance_discount_excessive",
                    f"remittance line {index} states a discount of {discount} on {inv_id} "
                    f"({open_amount} open), above the {limit}% the policy accepts",
                )
            )

    def _within_open(
        self,
        cash: dict[str, Money],
        settlements: list[Settlement],
        blockers: list[MatchBlocker],
    ) -> list[Settlement]:
        """Remittance amounts cut to what each invoice has open (cash first, then the
        settlements in line order); every cut is a blocker, the cut cash stays on account."""
        for inv_id, paid in list(cash.items()):
            open_amount = self.book.open_amounts[inv_id]
            if paid > open_amount:
                blockers.append(
                    _blocker(
                        "remittance_over_open",
                        f"the remittance pays {paid} on {inv_id}, which has {open_amount} open: "
                        f"{paid - open_amount} stays on account",
                    )
                )
                cash[inv_id] = open_amount
        kept: list[Settlement] = []
        for stated in settlements:
            settlement = stated
            inv_id = settlement.invoice_id
            taken = sum(
                (s.amount for s in kept if s.invoice_id == inv_id),
                cash.get(inv_id, Money.zero(settlement.amount.code)),
            )
            room = self.book.open_amounts[inv_id] - taken
            if settlement.amount > room:
                blockers.append(
                    _blocker(
                        "remittance_over_open",
                        f"the remittance's {settlement.kind.value.replace('_', ' ')} of "
                        f"{settlement.amount} on {inv_id} exceeds what is open; cut to {room}",
                    )
                )
                settlement = attrs.evolve(settlement, amount=room)
            if settlement.amount.is_positive():
                kept.append(settlement)
        return kept

    def _line_invoice(
        self, invoice_id: str | None, number: str | None, pool: set[str]
    ) -> tuple[str | None, str]:
        """The open invoice a remittance line names: by ``invoice_id``, else by its number
        (normalised, exactly, else as a unique truncated number), within ``pool``."""
        if invoice_id is not None and invoice_id in pool:
            return invoice_id, f"exact|the remittance line names {invoice_id}"
        if not number:
            return None, ""
        formats = self.policy.formats
        key = normalise_invoice_number(
            number[: formats.max_token], prefixes=formats.invoice_prefixes
        )
        ids = [i for i in self.book.numbers.exact(key) if i in pool]
        if len(ids) == 1:
            return ids[0], f"exact|the remittance line's number {number!r}"
        found = self.book.numbers.truncated(key, min_length=formats.min_truncated)
        if found is not None:
            ids = [i for i in self.book.numbers.exact(found[0]) if i in pool]
            if len(ids) == 1:
                return ids[0], f"partial|the remittance line's {number!r} as a {found[1]}"
        return None, ""

    # -- scoring -----------------------------------------------------------------------

    def _score(self, plan: _Plan, payment: Payment, partner: PartnerInference) -> _Plan:
        weights = self.policy.weights
        parts: dict[str, tuple[float, str]] = {
            "reference": self._reference_part(plan),
            "amount": self._amount_part(plan),
            "partner": self._partner_part(plan, partner),
            "date": self._date_part(plan),
            "currency": self._currency_part(plan),
        }
        signals = tuple(
            Signal(name=name, part=parts[name][0], weight=weights[name], explanation=parts[name][1])
            for name in SIGNAL_NAMES
        )
        return attrs.evolve(plan, signals=signals)

    def _reference_part(self, plan: _Plan) -> tuple[float, str]:
        strengths = [plan.reference.get(i, "none|").split("|", 1) for i in plan.invoice_ids]
        if strengths and all(s == "exact" for s, _ in strengths):
            return REFERENCE_PARTS["exact"], "; ".join(how for _, how in strengths)
        named = [(s, how) for s, how in strengths if s != "none"]
        if named:
            share = len(named) / len(strengths)
            part = share * (
                1.0 if all(s == "exact" for s, _ in named) else REFERENCE_PARTS["partial"]
            )
            return round(part, 4), "; ".join(how for _, how in named) + (
                f" ({len(named)} of {len(strengths)} invoices named)" if share < 1 else ""
            )
        if self.hits:
            named_elsewhere = ", ".join(sorted(self.hits))
            return 0.0, f"the text names {named_elsewhere}, not these invoices"
        if self.unresolved:
            shown = ", ".join(repr(u) for u in self.unresolved[:3])
            return 0.0, f"the text's references ({shown}) name no open invoice"
        return 0.0, "no reference in the text"

    def _amount_part(self, plan: _Plan) -> tuple[float, str]:
        part = AMOUNT_PARTS.get(plan.amount_kind, 0.0)
        if plan.amount_kind == "group":
            part = max(0.5, part - 0.05 * (len(plan.invoice_ids) - 2))
            return part, f"exact group of {len(plan.invoice_ids)}: {plan.amount_text}"
        return part, plan.amount_text

    def _partner_part(self, plan: _Plan, partner: PartnerInference) -> tuple[float, str]:
        owners = {self.book.partner_of(i) for i in plan.invoice_ids}
        if partner.partner_id is None:
            return 0.0, f"partner unknown: {partner.reason}"
        if owners != {partner.partner_id}:
            return 0.0, f"the invoices are not all {partner.partner_id}'s"
        if partner.ambiguous:
            return 0.0, f"partner ambiguous: {partner.reason}"
        return partner.score, f"{partner.method.value}: {partner.reason}"

    def _date_part(self, plan: _Plan) -> tuple[float, str]:
        paid_at = self.tx.timestamp or self.at
        horizon = self.policy.date_horizon_days
        days = [_days(self.book.invoices[i], paid_at) for i in plan.invoice_ids]
        known = [d for d in days if d is not None]
        if not known:
            return 0.5, "no due date to compare"
        nearest = sum(known) / len(known)
        part = max(0.0, 1 - nearest / horizon)
        return round(part, 4), f"paid {nearest:.0f} day(s) from the due date on average"

    def _currency_part(self, plan: _Plan) -> tuple[float, str]:
        codes = {self.book.invoices[i].currency for i in plan.invoice_ids}
        if codes == {self.code}:
            return 1.0, f"all in {self.code}"
        return (
            0.5,
            f"paid through currency_rate {self.tx.currency_rate} into {', '.join(sorted(codes))}",
        )

    # -- decision ----------------------------------------------------------------------

    def _decide(
        self,
        tx_id: str,
        plans: list[_Plan],
        payment: Payment,
        partner: PartnerInference,
        outside: tuple[MatchBlocker, ...],
    ) -> MatchProposal:
        best = plans[0]
        paid_into = {self.book.invoices[i].currency for i in best.invoice_ids}
        if paid_into != {self.code}:
            self.notes.append(
                f"paid in {self.code} and applied to {', '.join(sorted(paid_into))} at the "
                f"transaction's currency_rate {self.tx.currency_rate}"
            )
        ties = [p for p in plans[1:] if abs(p.evidence - best.evidence) <= _EPSILON]
        ambiguity = len(ties)
        confidence = best.score / (1 + ambiguity)
        if self.agent is not None and best.source == "remittance":
            confidence = min(confidence, self.agent)
        blockers = list(outside) + self.standing + list(best.blockers)
        if ambiguity:
            shown = "; ".join(", ".join(p.invoice_ids) for p in ties[:3])
            blockers.append(
                _blocker("ambiguous", f"{ambiguity} other plan(s) are equally good ({shown})")
            )
        if partner.ambiguous:
            blockers.append(_blocker("partner_ambiguous", f"partner ambiguous: {partner.reason}"))
        if partner.conflict:
            blockers.append(
                _blocker("partner_conflict", f"conflicting evidence: {partner.conflict}")
            )
        fits = [
            p for p in plans[1:] if p.amount_kind in ("exact", "group") and p.source != "reference"
        ]
        if best.amount_kind not in ("exact", "group") and fits:
            blockers.append(
                _blocker(
                    "reference_amount_conflict",
                    f"conflicting evidence: the references name {', '.join(best.invoice_ids)} "
                    f"but the amount fits {', '.join(fits[0].invoice_ids)} exactly",
                )
            )
        if self.truncated and best.source in ("amount", "group"):
            blockers.append(
                _blocker(
                    "search_truncated",
                    f"search truncated ({self.truncated}): other groups may fit",
                )
            )
        strengths = {best.reference.get(i, "none|").split("|", 1)[0] for i in best.invoice_ids}
        if best.part("partner") == 0 and best.part("reference") > 0 and "exact" not in strengths:
            blockers.append(
                _blocker(
                    "unsupported_guess",
                    "only a truncated reference supports it and the partner does not: a guess",
                )
            )
        elif best.part("reference") == 0 and best.part("partner") == 0:
            blockers.append(
                _blocker(
                    "unsupported_guess", "neither a reference nor the partner supports it: a guess"
                )
            )
        confidence = round(confidence, 6)
        if confidence < self.policy.auto_threshold:
            blockers.append(
                _blocker(
                    "below_threshold",
                    f"confidence {confidence:.4f} is below the threshold "
                    f"{self.policy.auto_threshold:.2f}",
                )
            )
        auto = not blockers
        result = self._allocate(best, payment, confidence, auto)
        if result.unapplied.is_positive() and not self.policy.auto_on_account:
            blockers.append(
                _blocker(
                    "on_account_remainder",
                    f"{result.unapplied} of the payment is more than "
                    f"{', '.join(best.invoice_ids)} have open and would stay on account "
                    "(meant for more invoices?)",
                )
            )
            if auto:
                auto = False
                result = self._allocate(best, payment, confidence, auto)
        alternatives = self._alternatives(best, plans[1:], ties)
        return MatchProposal(
            transaction_id=tx_id,
            decision=MatchDecision.AUTO_APPLY if auto else MatchDecision.REVIEW,
            confidence=round(confidence, 6),
            ambiguity=ambiguity,
            partner=partner,
            result=result,
            lines=self._lines(best, result, auto),
            settlements=best.settlements,
            on_account=result.unapplied,
            signals=best.signals,
            alternatives=alternatives,
            references=self.references,
            notes=tuple(dict.fromkeys(self.notes)),
            blockers=tuple(dict.fromkeys(blockers)),
            search_truncated=self.truncated,
        )

    def _allocate(
        self, plan: _Plan, payment: Payment, confidence: float, auto: bool
    ) -> AllocationResult:
        invoices = [self.book.invoices[i] for i in plan.invoice_ids if i in plan.cash]
        owners = {inv.partner_id for inv in invoices}
        if payment.partner_id is None and len(owners) == 1:
            payment = attrs.evolve(payment, partner_id=next(iter(owners)))
        approval = ApprovalPolicy(threshold=self.policy.auto_threshold) if auto else None
        try:
            return allocate_payment(
                payment,
                invoices,
                rule=AllocationRule.MATCHED,
                amounts={i: plan.cash[i] for i in plan.invoice_ids if i in plan.cash},
                confidence=round(confidence, 6),
                approval=approval,
                at=self.at,
                allow_cross_partner=payment.partner_id is None,
            )
        except InvalidAllocation as error:
            raise InvalidMatchInput(
                "allocation_refused",
                f"the chosen plan cannot be allocated: {error}",
                allocation_code=error.code,
            ) from None

    def _lines(self, plan: _Plan, result: AllocationResult, auto: bool) -> tuple[ProposedLine, ...]:
        out: list[ProposedLine] = []
        state = "approved" if auto else "pending review"
        by_invoice = {ln.invoice_id: ln for ln in result.lines}
        for inv_id in plan.invoice_ids:
            inv = self.book.invoices[inv_id]
            line = by_invoice.get(inv_id)
            cash = line.amount if line else Money.zero(inv.currency)
            cost = line.cost if line else Money.zero(self.code)
            settles = tuple(s for s in plan.settlements if s.invoice_id == inv_id)
            open_ = self.book.open_amounts[inv_id]
            left = open_ - cash - sum((s.amount for s in settles), Money.zero(inv.currency))
            strength, how = plan.reference.get(inv_id, "none|no reference names it").split("|", 1)
            words = [f"{inv.number or inv_id}: {cash} cash"]
            words.extend(f"{s.amount} {s.kind.value.replace('_', ' ')}" for s in settles)
            covered = "settled in full" if left.is_zero() else f"{left} stays open"
            reason = how if strength != "none" else f"{plan.amount_text} (no reference names it)"
            out.append(
                ProposedLine(
                    invoice_id=inv_id,
                    number=inv.number,
                    cash=cash,
                    cost=cost,
                    settlements=settles,
                    rationale=f"{' + '.join(words)} — {reason}; {covered}; {state}",
                )
            )
        return tuple(out)

    def _alternatives(
        self, best: _Plan, others: Sequence[_Plan], ties: Sequence[_Plan]
    ) -> tuple[Alternative, ...]:
        out = list(self.rejected)
        tied = {id(plan) for plan in ties}
        for plan in others:
            if id(plan) in tied:
                why = "as good as the chosen plan on every signal but the date: ambiguous"
            else:
                weaker = [
                    f"{s.name} {s.part:.2f} < {best.part(s.name):.2f}"
                    for s in plan.signals
                    if s.part + _EPSILON < best.part(s.name)
                ]
                why = "weaker: " + ("; ".join(weaker) or "a lower score")
            out.append(
                Alternative(invoice_ids=plan.invoice_ids, score=round(plan.score, 6), why=why)
            )
        limit = self.policy.max_alternatives
        if len(out) > limit:
            self.notes.append(f"{len(out) - limit} more rejected alternative(s) not listed")
        return tuple(out[:limit])

    def _why_no_plan(self, pool: list[str], partner: PartnerInference) -> str:
        if partner.partner_id is None and not pool:
            return f"no partner and no open invoice the references name ({partner.reason})"
        if not pool:
            return f"{partner.partner_id} has no open invoice in {self.code}"
        if self.rejected:
            first = self.rejected[0]
            return (
                f"the references name {', '.join(first.invoice_ids) or 'an invoice'}, which "
                f"cannot take it ({first.why}), and no invoice or group of up to "
                f"{self.policy.max_group_size} of the {len(pool)} candidates fits the amount"
            )
        return (
            f"no reference names an invoice and no invoice or group of up to "
            f"{self.policy.max_group_size} of the {len(pool)} candidates fits the amount"
        )

    def _no_match(self, tx_id: str, why: MatchBlocker, partner: PartnerInference) -> MatchProposal:
        amount = self.tx.on_account
        code = self.code
        left = amount if amount is not None and amount.is_positive() else Money.zero(code)
        received = self.tx.amount
        if received is not None and left > received:
            left = received if received.is_positive() else Money.zero(code)  # never created
        standing = [b.message for b in self.standing]
        notes = tuple(dict.fromkeys([*self.notes, *standing, f"no match: {why.message}"]))
        return MatchProposal(
            transaction_id=tx_id,
            decision=MatchDecision.NO_MATCH,
            confidence=0.0,
            ambiguity=0,
            partner=partner,
            result=None,
            lines=(),
            settlements=(),
            on_account=left,
            signals=(),
            alternatives=tuple(self.rejected[: self.policy.max_alternatives]),
            references=self.references,
            notes=notes,
            blockers=(why,),
            search_truncated=self.truncated,
        )


def _days(invoice: Invoice, at: dt.datetime) -> float | None:
    if invoice.due_date is None:
        return None
    return abs((at - invoice.due_date).total_seconds()) / 86400


def _rank(plan: _Plan) -> tuple[float, float, int, tuple[str, ...]]:
    """Best first: more evidence, then the date (the whole score), then fewer invoices, then
    ids — so the date orders equally good plans but never outranks evidence."""
    return (-plan.evidence, -round(plan.score, 9), len(plan.invoice_ids), plan.invoice_ids)
