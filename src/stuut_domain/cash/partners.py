"""Who paid: the partner behind a bank transaction, and why it is believed (or not).

:func:`infer_partner` tries, in order, and stops at the first method that names a partner:

1. ``given`` — the transaction's ``partner`` (a person marked it with ``mark-payment``);
2. ``account`` — the payer's account/IBAN or counterparty id, known in
   :attr:`PartnerDirectory.accounts`, or a partner's ``account_number`` written in the text;
3. ``rule`` — a mapping rule (a regular expression on the payer name and memo, Odoo-style);
4. ``name`` — a fuzzy match of the payer's name on partner names (stdlib only: a normalised
   token-set similarity built on :class:`difflib.SequenceMatcher`, ADR 0040);
5. ``invoice`` — the partner that owns the invoice numbers extracted from the text.

It **refuses on ties**: two rules naming different partners, two names scoring the same best,
invoice numbers of several partners — the inference says ``ambiguous`` and names the
candidates, it never picks one. A counterparty the bank says pays for several partners
(``counterparty_info.partner_count > 1``) is reported as ambiguous whatever the method.
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

import attrs

from stuut_domain.cash.entities import BankTransaction
from stuut_domain.display import compact
from stuut_domain.errors import InvalidMatchInput
from stuut_domain.partner import Partner

__all__ = [
    "PartnerDirectory",
    "PartnerInference",
    "PartnerMethod",
    "PartnerRule",
    "infer_partner",
    "name_similarity",
    "normalise_name",
]

#: Words that say what kind of company a name is, not which one: left out of name matching.
_LEGAL_WORDS: Final = frozenset(
    (
        *("inc", "incorporated", "llc", "ltd", "limited", "gmbh", "ag", "sa", "sas", "sarl"),
        *("bv", "nv", "plc", "corp", "corporation", "co", "company", "kg", "oy", "ab", "spa"),
        *("srl", "pty", "lp", "llp", "the", "and"),
    )
)
_WORD: Final = re.compile(r"[0-9a-zà-ÿ]+")
_MAX_NAME: Final = 200
#: Initials written with dots (``G.M.B.H.``, ``S.A.``, ``B.V.``): read as one word.
_DOTTED: Final = re.compile(r"(?<![0-9a-zà-ÿ])(?:[0-9a-zà-ÿ]\.){2,}")
#: An IBAN as printed: country, check digits, then groups of up to four (spaces optional).
_IBAN: Final = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")


class PartnerMethod(enum.StrEnum):
    """How the partner was found (the strongest first)."""

    GIVEN = "given"
    ACCOUNT = "account"
    RULE = "rule"
    NAME = "name"
    INVOICE = "invoice"
    NONE = "none"


#: A group with a quantifier inside, itself quantified (``(a+)+``, ``(\w*x)*``, ``(a+){2,}``):
#: the classic catastrophic-backtracking form, refused in a rule (a guard, not a proof).
_NESTED_QUANTIFIER: Final = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]")


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class PartnerRule:
    """A mapping rule: when ``pattern`` (a regular expression, case-insensitive) matches the
    payer's name or the memo, the payment is ``partner_id``'s. ``name`` says which rule it is.
    Refused (``partner_rule_pattern``): a pattern that does not compile, or one that repeats a
    repeating group (``(a+)+``), which can backtrack exponentially on a hostile payer name.
    """

    pattern: str
    partner_id: str
    name: str = ""
    _compiled: re.Pattern[str] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        try:
            compiled = re.compile(self.pattern, re.IGNORECASE)
        except re.error as error:
            raise InvalidMatchInput(
                "partner_rule_pattern",
                f"partner rule {self.name or self.pattern!r} is no regular expression: {error}",
                pattern=self.pattern,
            ) from None
        if _NESTED_QUANTIFIER.search(self.pattern):
            raise InvalidMatchInput(
                "partner_rule_pattern",
                f"partner rule {self.name or self.pattern!r} repeats a group that itself "
                "repeats (such as '(a+)+'): it can take exponential time on a payer name",
                pattern=self.pattern,
            )
        object.__setattr__(self, "_compiled", compiled)

    def matches(self, text: str) -> bool:
        """Whether the rule's pattern occurs in ``text``."""
        return self._compiled.search(text) is not None


def normalise_name(name: str) -> tuple[str, ...]:
    """A company name as its distinctive words: lower case, accents kept, punctuation and
    legal-form words (Inc, GmbH, Ltd, ...; also dotted, G.M.B.H.) dropped, each word once,
    sorted."""
    lowered = _DOTTED.sub(lambda m: m.group().replace(".", ""), name[:_MAX_NAME].lower())
    words = _WORD.findall(lowered)
    kept = {w for w in words if w not in _LEGAL_WORDS}
    return tuple(sorted(kept or set(words)))


def name_similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """Token-set similarity of two normalised names in [0, 1] (rapidfuzz's token_set_ratio
    idea, on :class:`difflib.SequenceMatcher`): the common words compared with each side's
    words, the best of the three ratios. Equal word sets score 1.

    When the word sets differ, that best is averaged with the ratio of the two whole names
    (token-sort): a name that only *contains* the other ("Global" in "Global Payments
    Processing", "America" in "Bank of America") is not a perfect match and, with the
    default cutoff, no match at all."""
    if not a or not b:
        return 0.0
    common = sorted(set(a) & set(b))
    rest_a = sorted(set(a) - set(b))
    rest_b = sorted(set(b) - set(a))
    base = " ".join(common)
    left = " ".join([*common, *rest_a])
    right = " ".join([*common, *rest_b])

    def ratio(x: str, y: str) -> float:
        return difflib.SequenceMatcher(None, x, y, autojunk=False).ratio() if x and y else 0.0

    best = max(ratio(base, left), ratio(base, right), ratio(left, right))
    if rest_a or rest_b:
        return (best + ratio(left, right)) / 2
    return best


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class PartnerDirectory:
    """What partner inference knows: the partners, the payer accounts, the mapping rules.

    ``accounts``: payer account number, IBAN or bank counterparty id -> partner id (spaces
    and case ignored). ``rules``: :class:`PartnerRule` list. ``name_cutoff``: the least
    :func:`name_similarity` a fuzzy name must reach (ERPNext's 80, as 0.8).
    """

    partners: tuple[Partner, ...] = ()
    accounts: Mapping[str, str] = attrs.field(factory=dict)
    rules: tuple[PartnerRule, ...] = ()
    name_cutoff: float = 0.85
    _by_words: Mapping[str, tuple[int, ...]] = attrs.field(init=False, eq=False)
    _names: tuple[tuple[str, ...], ...] = attrs.field(init=False, eq=False)
    _accounts: Mapping[str, str] = attrs.field(init=False, eq=False)
    _account_numbers: Mapping[str, str] = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if not 0 < self.name_cutoff <= 1:
            raise InvalidMatchInput(
                "name_cutoff",
                f"name_cutoff is a similarity in (0, 1], got {self.name_cutoff!r}",
                name_cutoff=self.name_cutoff,
            )
        names = tuple(
            normalise_name(" ".join(n for n in (p.name, p.legal_name) if n)) for p in self.partners
        )
        by_words: dict[str, list[int]] = {}
        for index, words in enumerate(names):
            for word in words:
                by_words.setdefault(word, []).append(index)
        object.__setattr__(self, "_names", names)
        object.__setattr__(self, "_by_words", {w: tuple(i) for w, i in by_words.items()})
        object.__setattr__(
            self, "_accounts", {_account_key(k): v for k, v in self.accounts.items()}
        )
        object.__setattr__(
            self,
            "_account_numbers",
            {
                _account_key(p.account_number): p.id
                for p in self.partners
                if p.account_number and p.id and len(_account_key(p.account_number)) >= 4
            },
        )

    @classmethod
    def of(
        cls,
        partners: Iterable[Partner],
        *,
        accounts: Mapping[str, str] | None = None,
        rules: Iterable[PartnerRule] = (),
        name_cutoff: float = 0.85,
    ) -> PartnerDirectory:
        """A directory of ``partners`` with the given accounts and rules."""
        return cls(
            partners=tuple(partners),
            accounts=dict(accounts or {}),
            rules=tuple(rules),
            name_cutoff=name_cutoff,
        )

    def account_owner(self, key: str) -> str | None:
        """The partner a payer account/IBAN/counterparty id belongs to, if known."""
        return self._accounts.get(_account_key(key))

    def account_number_owner(self, token: str) -> str | None:
        """The partner whose ``account_number`` is ``token`` (customer numbers in memos)."""
        return self._account_numbers.get(_account_key(token))

    def best_names(self, name: str) -> tuple[float, tuple[str, ...]]:
        """The best name similarity and the ids of every partner reaching it (ties kept).

        Only partners sharing a word with ``name`` are compared (an inverted word index), so
        the cost grows with the partners that could match, not with the directory.
        """
        words = normalise_name(name)
        shortlist = sorted({i for w in words for i in self._by_words.get(w, ())})
        best, ids = 0.0, []
        for index in shortlist:
            score = name_similarity(words, self._names[index])
            partner_id = self.partners[index].id
            if partner_id is None:
                continue
            if score > best + 1e-9:
                best, ids = score, [partner_id]
            elif abs(score - best) <= 1e-9:
                ids.append(partner_id)
        return best, tuple(sorted(set(ids)))

    def __repr__(self) -> str:
        return (
            f"PartnerDirectory({len(self.partners)} partners, {len(self.accounts)} accounts, "
            f"{len(self.rules)} rules)"
        )


def _account_key(text: str) -> str:
    return re.sub(r"[\s\-]", "", text[:64]).upper()


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class PartnerInference:
    """The partner believed to have paid, how, and why — or why none is named.

    ``partner_id`` is None when no method named exactly one partner. ``ambiguous`` is True
    when a method found several (``candidates`` lists them) or the bank says the payer pays
    for several partners; an ambiguous inference never auto-applies. ``score`` is the
    partner signal's strength in [0, 1] (1 for given or account, the similarity for a name).
    ``conflict`` names a disagreement between methods (e.g. the account says one partner and
    the invoice numbers another).
    """

    partner_id: str | None
    method: PartnerMethod
    reason: str
    score: float
    ambiguous: bool = False
    candidates: tuple[str, ...] = ()
    conflict: str | None = None


def infer_partner(
    transaction: BankTransaction,
    directory: PartnerDirectory,
    *,
    invoice_owners: Iterable[str] = (),
    text: str = "",
) -> PartnerInference:
    """The partner of ``transaction`` by the first method that names one (module docstring).

    ``invoice_owners``: the partner of each invoice the text's references resolved to (the
    matcher passes them). ``text``: the memo to apply rules and account numbers to (default:
    the transaction's reference, check number and description).
    """
    memo = text or " ".join(
        t
        for t in (transaction.reference_number, transaction.check_number, transaction.description)
        if t
    )
    owners = tuple(sorted(set(invoice_owners)))
    shared = _shared_payer(transaction)
    found = _first_method(transaction, directory, memo, owners)
    settled = found.partner_id is not None and owners == (found.partner_id,)
    if shared and found.partner_id is not None and found.method is not PartnerMethod.GIVEN:
        if settled:
            found = attrs.evolve(
                found, reason=f"{found.reason}; {shared}, and the invoice numbers settle which"
            )
        else:
            found = attrs.evolve(found, ambiguous=True, reason=f"{found.reason}; but {shared}")
    if found.partner_id is not None and owners and owners != (found.partner_id,):
        others = ", ".join(o for o in owners if o != found.partner_id)
        if others:
            found = attrs.evolve(
                found,
                conflict=f"the invoice numbers in the text belong to {others}",
            )
    return found


def _shared_payer(tx: BankTransaction) -> str | None:
    info = tx.counterparty_info
    if info is not None and info.partner_count is not None and info.partner_count > 1:
        return (
            f"the bank's counterparty {_shown(str(info.display or info.id))} pays for "
            f"{info.partner_count} partners"
        )
    return None


def _first_method(
    tx: BankTransaction, directory: PartnerDirectory, memo: str, owners: tuple[str, ...]
) -> PartnerInference:
    if tx.partner is not None and tx.partner.id:
        return PartnerInference(
            partner_id=tx.partner.id,
            method=PartnerMethod.GIVEN,
            reason=f"marked as a payment of {tx.partner.id} (mark-payment)",
            score=1.0,
        )
    by_account = _by_account(tx, directory, memo)
    if by_account is not None:
        return by_account
    by_rule = _by_rule(tx, directory, memo)
    if by_rule is not None:
        return by_rule
    by_name = _by_name(tx, directory)
    if by_name is not None and (by_name.partner_id is not None or not owners):
        return by_name
    if owners:
        return _one_or_refused(
            tuple(owners),
            PartnerMethod.INVOICE,
            f"the invoice numbers in the text are {owners[0]}'s",
            f"the invoice numbers in the text belong to {len(owners)} partners",
            0.8,
        )
    if by_name is not None:
        return by_name
    return PartnerInference(
        partner_id=None,
        method=PartnerMethod.NONE,
        reason="no known account, rule, name or invoice number names the payer",
        score=0.0,
        ambiguous=_shared_payer(tx) is not None,
    )


def _by_account(
    tx: BankTransaction, directory: PartnerDirectory, memo: str
) -> PartnerInference | None:
    keys = [k for k in (tx.counterparty_info.id if tx.counterparty_info else None,) if k]
    for key in keys:
        owner = directory.account_owner(key)
        if owner is not None:
            return PartnerInference(
                partner_id=owner,
                method=PartnerMethod.ACCOUNT,
                reason=f"the payer's account {_shown(key)} is {owner}'s",
                score=1.0,
            )
    read = memo[:4096]
    tokens = [*re.findall(r"[A-Za-z0-9\-]{4,34}", read), *_IBAN.findall(read.upper())]
    owners = sorted(
        {
            owner
            for token in tokens
            for owner in (directory.account_owner(token), directory.account_number_owner(token))
            if owner
        }
    )
    if not owners:
        return None
    return _one_or_refused(
        tuple(owners),
        PartnerMethod.ACCOUNT,
        f"the memo names {owners[0]}'s account number",
        f"the memo names the accounts of {len(owners)} partners",
        1.0,
    )


def _one_or_refused(
    candidates: tuple[str, ...], method: PartnerMethod, one: str, several: str, score: float
) -> PartnerInference:
    """One candidate partner is the answer, with ``score``; several are refused as ambiguous
    (a tie is never broken by a guess)."""
    if len(candidates) == 1:
        return PartnerInference(partner_id=candidates[0], method=method, reason=one, score=score)
    return PartnerInference(
        partner_id=None,
        method=method,
        reason=several,
        score=0.0,
        ambiguous=True,
        candidates=candidates,
    )


def _by_rule(
    tx: BankTransaction, directory: PartnerDirectory, memo: str
) -> PartnerInference | None:
    text = " ".join(t for t in (tx.payer_name, memo) if t)[:4096]
    hits = [rule for rule in directory.rules if rule.matches(text)]
    named = sorted({rule.partner_id for rule in hits})
    if not named:
        return None
    return _one_or_refused(
        tuple(named),
        PartnerMethod.RULE,
        f"mapping rule {hits[0].name or hits[0].pattern!r} names {named[0]}",
        f"mapping rules name {len(named)} partners ({', '.join(named)}): refused",
        0.9,
    )


#: A fuzzy name is weaker evidence than an account: its partner part is this times the
#: similarity, so even an identical name (0.85) stays below a rule (0.9) and an account (1).
NAME_WEIGHT: Final = 0.85
_SHOWN_NAME: Final = 80


def _shown(name: str) -> str:
    """The payer name quoted for a reason, cut to 80 characters (a hostile name stays short)."""
    return repr(name if len(name) <= _SHOWN_NAME else name[:_SHOWN_NAME] + "…")


def _by_name(tx: BankTransaction, directory: PartnerDirectory) -> PartnerInference | None:
    name = tx.payer_name
    if not name:
        return None
    best, ids = directory.best_names(name)
    if best < directory.name_cutoff or not ids:
        return None
    if len(ids) > 1:
        return PartnerInference(
            partner_id=None,
            method=PartnerMethod.NAME,
            reason=f"the payer name {_shown(name)} fits {len(ids)} partners equally "
            f"({best:.2f}): refused",
            score=0.0,
            ambiguous=True,
            candidates=ids,
        )
    return PartnerInference(
        partner_id=ids[0],
        method=PartnerMethod.NAME,
        reason=f"the payer name {_shown(name)} is {ids[0]}'s name (similarity {best:.2f})",
        score=round(NAME_WEIGHT * best, 4),
    )
