"""Reading references out of bank text: invoice and PO numbers, RF references, amounts.

:func:`extract_references` turns free text (a bank memo, a reference field) into
:class:`Reference` tokens, each with its kind, the text as written, a normalised value and its
position. Invoice numbers are normalised by :func:`normalise_invoice_number` (case,
separators, leading zeros, ``INV-``/``#`` prefixes, the O/0 and I/1 confusions of OCR and
typing), so that ``inv-0O42`` and ``INV 42`` are one key. :class:`InvoiceNumberIndex` resolves
a normalised number to open invoices exactly, or as a *truncated* reference: a prefix or suffix
of at least ``min_truncated`` characters that only one number has.

Bounded time on hostile input: only the first ``max_text`` characters are read, a token
longer than ``max_token`` is skipped (no invoice number is that long), and at most
``max_references`` tokens are returned. Every pattern is linear (no nested repetition).
"""

from __future__ import annotations

import bisect
import enum
import functools
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Final

import attrs

from stuut_domain.display import compact
from stuut_domain.errors import InvalidMatchInput

__all__ = [
    "DEFAULT_FORMATS",
    "InvoiceNumberIndex",
    "Reference",
    "ReferenceFormats",
    "ReferenceKind",
    "extract_references",
    "normalise_invoice_number",
    "rf_reference_is_valid",
]


class ReferenceKind(enum.StrEnum):
    """What a token of bank text is taken to be."""

    INVOICE_NUMBER = "invoice_number"
    PO_NUMBER = "po_number"
    RF_REFERENCE = "rf_reference"
    AMOUNT = "amount"


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class ReferenceFormats:
    """How references are recognised (the defaults suit English and EU bank memos).

    ``invoice_prefixes`` / ``po_prefixes``: words that mark the next token (or glued digits)
    as an invoice or purchase-order number, compared upper-case without dots.
    ``min_digits``: a bare token is an invoice-number candidate when it has at least this
    many digits (Odoo's baseline is 4). ``min_truncated``: the fewest characters a truncated
    reference must keep. ``max_text``, ``max_token``, ``max_references``: the bounds that keep
    extraction linear and small on hostile input. Refused (``reference_formats``): a bound
    or minimum that is not a whole number >= 1, prefixes that are not a tuple of words.
    """

    invoice_prefixes: tuple[str, ...] = ("INVOICE", "INVOICES", "INV", "INVS", "INVNO", "NO", "NR")
    po_prefixes: tuple[str, ...] = ("PO", "PONO", "PURCHASEORDER", "ORDER")
    min_digits: int = 4
    min_truncated: int = 5
    max_text: int = 4096
    max_token: int = 40
    max_references: int = 200

    def __attrs_post_init__(self) -> None:
        for field in ("min_digits", "min_truncated", "max_text", "max_token", "max_references"):
            value = getattr(self, field)
            if type(value) is not int or value < 1:
                raise InvalidMatchInput(
                    "reference_formats",
                    f"ReferenceFormats.{field} is a whole number >= 1, got {value!r}",
                    field=field,
                )
        for field in ("invoice_prefixes", "po_prefixes"):
            words = getattr(self, field)
            if not isinstance(words, tuple) or not all(isinstance(w, str) and w for w in words):
                raise InvalidMatchInput(
                    "reference_formats",
                    f"ReferenceFormats.{field} is a tuple of words, got {words!r}",
                    field=field,
                )


DEFAULT_FORMATS: Final = ReferenceFormats()


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Reference:
    """One token read from text: ``kind``, ``text`` as written, normalised ``value``, position.

    ``start``/``end`` index the text read (``text[start:end] == self.text``). For an amount,
    ``value`` is the decimal in plain form (``"1234.50"``); for an RF reference, the 25-or-
    fewer characters without spaces, check digits verified; for invoice and PO numbers, the
    normalised key (:func:`normalise_invoice_number`).
    """

    kind: ReferenceKind
    text: str
    value: str
    start: int
    end: int


_SEPARATORS: Final = re.compile(r"[\s\-_/.:#]+")
_CONFUSIONS: Final = str.maketrans({"O": "0", "I": "1", "L": "1"})
_TOKEN: Final = re.compile(r"[A-Za-z0-9#][A-Za-z0-9#\-_/.]*")
_RF: Final = re.compile(r"\bRF\d\d(?:[ ]?[A-Z0-9]{1,4}){1,6}", re.IGNORECASE)
_AMOUNT: Final = re.compile(
    r"(?<![\w.,#/-])(?:\d{1,3}(?:,\d{3})+(?:\.\d{2,3})?|\d{1,3}(?:\.\d{3})+,\d{2,3}"
    r"|\d{1,12}\.\d{2,3}|\d{1,12},\d{2})(?![\w,#/-]|\.\d)"
)


def written_key(text: str, *, prefixes: Iterable[str] = ()) -> str:
    """:func:`normalise_invoice_number` with the leading zeros kept (``05001``): how long a
    truncated reference really is, as written."""
    return _normalised(text, tuple(prefixes), keep_zeros=True)


def normalise_invoice_number(text: str, *, prefixes: Iterable[str] = ()) -> str:
    """The comparison key of an invoice number as a person or a bank may have written it.

    Upper case; a leading prefix of ``prefixes`` (and ``INV``, ``INVOICE``) dropped when it
    stands as its own word (``INV-42``, ``INV42``, ``Invoice 42``; not the ``NO`` of
    ``NOVA-1234``); separators (space, ``-``, ``_``, ``/``, ``.``, ``:``, ``#``) removed;
    the letters O, I and L read as the digits 0, 1 and 1; leading zeros dropped. Both sides
    of a comparison go through the same function, so ``INV-00042``, ``inv 42``, ``#0042``
    and ``INV-OO42`` are all ``"42"``.
    Pure, so the keys of recently seen numbers are remembered (a bounded cache).
    """
    if not isinstance(text, str):
        raise InvalidMatchInput(
            "reference_text", f"an invoice number is text, got {type(text).__name__}"
        )
    return _normalised(text, tuple(prefixes))


@functools.lru_cache(maxsize=1 << 16)
def _normalised(text: str, prefixes: tuple[str, ...], *, keep_zeros: bool = False) -> str:
    upper = text.upper()
    match = _prefix_pattern(prefixes).match(upper)
    if match is not None:
        upper = upper[match.end() :]
    squashed = _SEPARATORS.sub("", upper).translate(_CONFUSIONS)
    if keep_zeros:
        return squashed
    return squashed.lstrip("0") or ("0" if squashed else "")


@functools.cache
def _prefix_pattern(prefixes: tuple[str, ...]) -> re.Pattern[str]:
    """A leading prefix (longest first) standing as its own word — followed by a separator
    or a digit, never by another letter (``NOVA-1234`` keeps its ``NO``, ``Invoice 42``
    loses its ``INVOICE``) — and then something with a digit in it."""
    words = "|".join(re.escape(p) for p in _longest_first(prefixes))
    return re.compile(f"[\\s\\-_/.:#]*(?:{words})(?![A-Z])(?=[^0-9]*[0-9])")


@functools.cache
def _longest_first(prefixes: tuple[str, ...]) -> tuple[str, ...]:
    """``INV``, ``INVOICE`` and ``prefixes``, longest first (a longer prefix is tried before
    its start)."""
    return tuple(sorted({"INV", "INVOICE", *prefixes}, key=lambda p: (-len(p), p)))


def rf_reference_is_valid(reference: str) -> bool:
    """ISO 11649: ``RF`` + 2 check digits (02-98) + 1-21 alphanumerics, mod 97 of the rearranged
    number (letters as 10-35, the first four characters moved to the end) equal to 1."""
    ref = reference.replace(" ", "").upper()
    if not 5 <= len(ref) <= 25 or not ref.startswith("RF") or not ref[2:4].isdigit():
        return False
    if not 2 <= int(ref[2:4]) <= 98:  # check digits are 98 - (n mod 97): 02..98
        return False
    body = ref[4:] + ref[:4]
    if not body.isalnum() or not body.isascii():
        return False
    digits = "".join(str(int(ch, 36)) for ch in body)
    return int(digits) % 97 == 1


def _rf_spans(read: str) -> list[tuple[int, int]]:
    """The spans of valid RF references: for each ``RF`` + two digits, the longest run of
    groups (printed in fours, or unbroken) that passes the mod-97 check."""
    spans: list[tuple[int, int]] = []
    for match in _RF.finditer(read):
        start = match.start()
        ends = [m.end() + start for m in re.finditer(r"[A-Za-z0-9]+", match.group())]
        for end in reversed(ends):
            if rf_reference_is_valid(read[start:end]):
                spans.append((start, end))
                break
    return spans


_DATE: Final = re.compile(
    r"(?:(?P<y1>\d{4})(?P<s1>[-/.])(?P<m1>\d{1,2})(?P=s1)(?P<d1>\d{1,2})"
    r"|(?P<a2>\d{1,2})(?P<s2>[-/.])(?P<b2>\d{1,2})(?P=s2)(?P<y2>\d{4}))"
)


def _is_date(token: str) -> bool:
    """Whether the token is a calendar date (``2026-12-01``, ``01.12.2026``, ``12/01/2026``):
    a date in a memo says when, not which invoice, so it is never a bare invoice number."""
    match = _DATE.fullmatch(token)
    if match is None:
        return False
    if match.group("y1") is not None:
        month, day = int(match.group("m1")), int(match.group("d1"))
        return 1 <= month <= 12 and 1 <= day <= 31
    first, second = int(match.group("a2")), int(match.group("b2"))
    day_month = 1 <= first <= 31 and 1 <= second <= 12
    month_day = 1 <= first <= 12 and 1 <= second <= 31
    return day_month or month_day


def _digits(token: str) -> int:
    return sum(ch.isdigit() for ch in token)


def _amount_value(token: str) -> str | None:
    """The plain decimal of an amount token (``1.234,50`` -> ``1234.50``), None if no amount."""
    if "," in token and ("." not in token or token.rfind(",") > token.rfind(".")):
        plain = token.replace(".", "").replace(",", ".")
    else:
        plain = token.replace(",", "")
    try:
        return str(Decimal(plain))
    except InvalidOperation:
        return None


def _prefix_word(token: str, prefixes: tuple[str, ...]) -> bool:
    return _SEPARATORS.sub("", token.upper()) in prefixes


def extract_references(
    text: str | None, *, formats: ReferenceFormats = DEFAULT_FORMATS
) -> tuple[Reference, ...]:
    """Every reference in ``text``, in the order they appear (see the module docstring).

    Kinds: a valid RF creditor reference (an invalid one is not returned), an amount written
    with decimals (``1,234.50``, ``1.234,50``, ``99.00``), a PO number (after a PO word or
    glued to ``PO``), and an invoice number (after an invoice word, glued to ``INV``, led by
    ``#``, or any token with ``min_digits`` digits or more that is not a calendar date such as
    ``2026-12-01``). ``None`` or empty text gives ().
    """
    if not text:
        return ()
    if not isinstance(text, str):
        raise InvalidMatchInput(
            "reference_text", f"references are read from text, got {type(text).__name__}"
        )
    read = text[: formats.max_text]
    found: list[Reference] = []
    taken: list[tuple[int, int]] = []
    for start, end in _rf_spans(read):
        found.append(
            Reference(
                kind=ReferenceKind.RF_REFERENCE,
                text=read[start:end],
                value=read[start:end].replace(" ", "").upper(),
                start=start,
                end=end,
            )
        )
        taken.append((start, end))
    for match in _AMOUNT.finditer(read):
        start, end = match.start(), match.end()
        if any(a <= start < b for a, b in taken):
            continue
        amount = _amount_value(match.group())
        if amount is not None:
            found.append(
                Reference(
                    kind=ReferenceKind.AMOUNT,
                    text=match.group(),
                    value=amount,
                    start=start,
                    end=end,
                )
            )
            taken.append((start, end))
    pending: ReferenceKind | None = None
    for match in _TOKEN.finditer(read):
        if len(found) >= formats.max_references:
            break
        start, end = match.start(), match.end()
        token = match.group().rstrip(".,-/_")
        end = start + len(token)
        if not token or any(a < end and start < b for a, b in taken):
            continue
        if len(token) > formats.max_token:
            pending = None
            continue
        kind = pending
        pending = None
        if _prefix_word(token, formats.invoice_prefixes):
            pending = ReferenceKind.INVOICE_NUMBER
            continue
        if _prefix_word(token, formats.po_prefixes):
            pending = ReferenceKind.PO_NUMBER
            continue
        reference = _number(token, start, end, kind, formats)
        if reference is not None:
            found.append(reference)
    found.sort(key=lambda ref: ref.start)
    return tuple(found[: formats.max_references])


def _number(
    token: str, start: int, end: int, kind: ReferenceKind | None, formats: ReferenceFormats
) -> Reference | None:
    """The token as an invoice or PO number, or None when it is neither."""
    upper = _SEPARATORS.sub("", token.upper())
    if kind is None:
        for prefix in sorted(formats.po_prefixes, key=len, reverse=True):
            if upper.startswith(prefix) and upper[len(prefix) :].isdigit():
                kind = ReferenceKind.PO_NUMBER
                break
    if kind is None and (token.startswith("#") or upper.startswith("INV")):
        kind = ReferenceKind.INVOICE_NUMBER
    if kind is None and _digits(token) >= formats.min_digits and not _is_date(token):
        kind = ReferenceKind.INVOICE_NUMBER
    if kind is None or _digits(token) == 0:
        return None
    prefixes = formats.po_prefixes if kind is ReferenceKind.PO_NUMBER else formats.invoice_prefixes
    value = normalise_invoice_number(token, prefixes=prefixes)
    if not value:
        return None
    return Reference(kind=kind, text=token, value=value, start=start, end=end)


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class InvoiceNumberIndex:
    """Open invoices by normalised number, for exact and truncated look-ups in O(log n).

    Build it with :meth:`of` from ``(invoice id, number)`` pairs. :meth:`exact` gives the ids
    whose number normalises to the key; :meth:`truncated` the one number a prefix or suffix
    of at least ``min_length`` characters belongs to (None when none or several have it: a
    truncated reference is used only when unique).
    """

    by_key: Mapping[str, tuple[str, ...]]
    sorted_keys: tuple[str, ...]
    sorted_reversed: tuple[str, ...]

    @classmethod
    def of(
        cls, numbers: Iterable[tuple[str, str | None]], *, prefixes: Iterable[str] = ()
    ) -> InvoiceNumberIndex:
        """The index of ``(invoice_id, number)`` pairs; invoices without a number are left out."""
        keyed: dict[str, list[str]] = {}
        words = tuple(prefixes)
        for invoice_id, number in numbers:
            if number:
                key = normalise_invoice_number(number, prefixes=words)
                if key:
                    keyed.setdefault(key, []).append(invoice_id)
        keys = sorted(keyed)
        return cls(
            by_key={k: tuple(v) if len(v) == 1 else tuple(sorted(v)) for k, v in keyed.items()},
            sorted_keys=tuple(keys),
            sorted_reversed=tuple(sorted(k[::-1] for k in keys)),
        )

    def exact(self, key: str) -> tuple[str, ...]:
        """The invoice ids whose number normalises to ``key``."""
        return self.by_key.get(key, ())

    def truncated(
        self, key: str, *, min_length: int, written: str | None = None
    ) -> tuple[str, str] | None:
        """``(number key, "prefix"|"suffix")`` when ``key`` begins or ends exactly one number.

        ``key`` must have at least ``min_length`` characters and not be a number itself; a key
        that is a prefix of one number and a suffix of another is ambiguous (None).
        ``written``: the key with its leading zeros kept (``05001`` for ``5001``), for the
        suffix look-up: the end of ``INV-2026-05001`` is ``05001``, five characters.
        """
        tail = written if written and written.lstrip("0") == key else key
        if key in self.by_key:
            return None
        hits: set[tuple[str, str]] = set()
        if len(key) >= min_length:
            for full in _starting_with(self.sorted_keys, key):
                hits.add((full, "prefix"))
        if len(tail) >= min_length:
            for full_reversed in _starting_with(self.sorted_reversed, tail[::-1]):
                hits.add((full_reversed[::-1], "suffix"))
        numbers = {number for number, _ in hits}
        if len(numbers) != 1:
            return None
        return min(hits)

    def __len__(self) -> int:
        return len(self.by_key)

    def __repr__(self) -> str:
        return f"InvoiceNumberIndex({len(self.by_key)} numbers)"


def _starting_with(ordered: tuple[str, ...], prefix: str) -> list[str]:
    """At most two entries of sorted ``ordered`` that start with ``prefix`` (two tell "not
    unique"), by bisection."""
    at = bisect.bisect_left(ordered, prefix)
    out: list[str] = []
    while at < len(ordered) and ordered[at].startswith(prefix) and len(out) < 2:
        out.append(ordered[at])
        at += 1
    return out
