"""The errors of the domain: one root, subclasses that also inherit the fitting builtin.

Every error carries data (codes, ids, paths, values) and computes its message from it, so
callers can branch on attributes instead of parsing text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

__all__ = [
    "AlreadyExists",
    "ConcurrencyConflict",
    "CurrencyMismatch",
    "InexactAmount",
    "InstantOutOfRange",
    "InvalidAllocation",
    "InvalidCadence",
    "InvalidMatchInput",
    "InvalidRate",
    "InvalidScenario",
    "InvalidTransition",
    "InvariantViolation",
    "MissingExtra",
    "MissingRate",
    "NaiveDatetime",
    "NoBusinessDay",
    "NotFound",
    "OwedRefused",
    "PartnerMismatch",
    "StuutDomainError",
    "UnknownCurrency",
    "UnknownRegion",
    "UnknownTimeZone",
    "Violation",
    "join_path",
    "under_path",
]


@attrs.frozen(kw_only=True, weakref_slot=False)
class Violation:
    """One broken rule: its stable ``code``, the ``path`` of the field, a message and values.

    ``code`` never changes once published (services branch on it); ``message`` is for people;
    ``values`` holds the facts involved (Money, datetimes, ids) as they are in the model.
    """

    code: str
    path: str
    message: str
    values: Mapping[str, Any] = attrs.field(factory=dict)

    def __str__(self) -> str:
        return f"[{self.code}] {self.path}: {self.message}"

    def as_record(self) -> dict[str, Any]:
        """A plain, JSON-ready row: code, path, message and each value as text or number."""
        return {
            "code": self.code,
            "path": self.path,
            "message": self.message,
            "values": {k: _plain(v) for k, v in self.values.items()},
        }


def _plain(value: Any) -> Any:
    """A JSON-ready form of a violation's value: scalars as they are, dates in ISO form,
    sequences as lists, anything else (Money, Decimal) as its text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return str(value)


class StuutDomainError(Exception):
    """Root of every error this library raises on purpose.

    Every error survives a process boundary: pickling keeps its class, its message and every
    attribute it carries (a ``NotFound`` raised in a ``ProcessPoolExecutor`` worker arrives
    whole), whatever its constructor's signature.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_error, (type(self), self.args, dict(self.__dict__)))


def _rebuild_error(
    cls: type[StuutDomainError], args: tuple[Any, ...], state: dict[str, Any]
) -> StuutDomainError:
    """An error as pickled: built without its constructor, then given its args and data."""
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class UnknownCurrency(StuutDomainError, ValueError):
    """A currency code that is not in the Stuut API's 306-code list."""

    def __init__(self, code: object) -> None:
        self.code = code
        super().__init__(f"unknown currency code {code!r}")


class InvalidRate(StuutDomainError, ValueError):
    """An exchange rate no real figure has: not an exact number, not above zero, or out of range.

    Rates are exact (a ``Decimal``, a ``Fraction``, an ``int`` or decimal text): a float or a
    bool is refused, as everywhere money is concerned (ADR 0004).
    """

    def __init__(self, rate: object, reason: str) -> None:
        self.rate = rate
        self.reason = reason
        super().__init__(f"invalid rate {rate!r}: {reason}")


class UnknownTimeZone(StuutDomainError, ValueError):
    """A time-zone name that is not in the IANA database this machine has."""

    def __init__(self, name: object) -> None:
        self.name = name
        super().__init__(f"unknown time zone {name!r} (not an IANA zone name known here)")


class UnknownRegion(StuutDomainError, ValueError):
    """A country or subdivision code no business calendar knows (ISO 3166-1 / 3166-2)."""

    def __init__(self, country: object, subdivision: object = None, why: str = "") -> None:
        self.country = country
        self.subdivision = subdivision
        self.why = why
        where = repr(country) if subdivision is None else f"{country!r} subdivision {subdivision!r}"
        super().__init__(f"unknown region {where}" + (f": {why}" if why else ""))


class NoBusinessDay(StuutDomainError, ValueError):
    """A business calendar has no working day within the search bound (366 days).

    A calendar closed every weekday, or a closure a year long, cannot schedule anything; it
    is refused rather than searched for ever.
    """

    def __init__(self, calendar: object, start: object, days: int) -> None:
        self.calendar = calendar
        self.start = start
        self.days = days
        super().__init__(f"calendar {calendar} has no business day in the {days} days from {start}")


class InvalidCadence(StuutDomainError, ValueError):
    """A cadence setting (a cap, a level, a consent event, a calendar) that cannot hold.

    ``field`` names the setting, ``value`` the value refused and ``why`` the rule it breaks.
    """

    def __init__(self, field: str, value: object, why: str) -> None:
        self.field = field
        self.value = value
        self.why = why
        super().__init__(f"{field}: {why} (got {value!r})")


class NaiveDatetime(StuutDomainError, ValueError):
    """A datetime without a time zone where an instant is required: it is ambiguous."""

    def __init__(self, field: str, value: object) -> None:
        self.field = field
        self.value = value
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            example = f"datetime({value.year}, {value.month}, {value.day}, 9, 0, tzinfo=UTC)"
            super().__init__(
                f"{field} must be a timezone-aware datetime, got the date {value!r} (no "
                f"instant); pass e.g. {example} or one in the partner's zone"
            )
        else:
            super().__init__(
                f"{field} must be timezone-aware, got naive {value!r}; attach a zone, e.g. "
                f"{field}.replace(tzinfo=UTC) or ZoneInfo('Europe/Berlin')"
            )


class InstantOutOfRange(StuutDomainError, ValueError):
    """An instant too near the ends of the calendar to reason about (``datetime.max``).

    The outreach engine looks days ahead and behind the instant it decides at; it refuses an
    ``at`` outside ``earliest``..``latest`` rather than overflow the calendar.
    """

    def __init__(self, field: str, value: object, earliest: object, latest: object) -> None:
        self.field = field
        self.value = value
        self.earliest = earliest
        self.latest = latest
        super().__init__(f"{field} {value!r} is outside {earliest!r} .. {latest!r}")


class PartnerMismatch(StuutDomainError, ValueError):
    """An invoice handed to a rule for one partner names another partner."""

    def __init__(self, invoice_id: object, invoice_partner_id: object, partner_id: object) -> None:
        self.invoice_id = invoice_id
        self.invoice_partner_id = invoice_partner_id
        self.partner_id = partner_id
        super().__init__(
            f"invoice {invoice_id!r} belongs to partner {invoice_partner_id!r}, "
            f"not to {partner_id!r}"
        )


class CurrencyMismatch(StuutDomainError, TypeError):
    """Two amounts of different currencies were combined without an explicit rate."""

    def __init__(self, left: str, right: str, operation: str) -> None:
        self.left = left
        self.right = right
        self.operation = operation
        super().__init__(f"cannot {operation} {left} and {right}: currencies differ")


class MissingRate(CurrencyMismatch):
    """A conversion to one currency met a row in a currency the rate table has no rate for.

    Names the currency, the target, and the ``row`` and ``column`` of the report table it
    met (ADR 0067). Nothing is guessed: a rate is never assumed to be one.
    """

    def __init__(self, currency: str, to: str, *, row: int, column: str) -> None:
        super().__init__(currency, to, "convert without a rate")
        self.row = row
        self.column = column
        self.args = (f"row {row}, column {column!r}: no rate from {currency} to {to}",)

    def __str__(self) -> str:
        return str(self.args[0])


class MissingExtra(StuutDomainError, ImportError):
    """An optional library a feature needs is not installed: names the library, the
    feature and the extra of this distribution that installs it (``stuut-domain[plot]``)."""

    def __init__(self, package: str, extra: str, feature: str) -> None:
        self.package = package
        self.extra = extra
        self.feature = feature
        super().__init__(
            f"{feature} needs {package}, which is not installed: "
            f"pip install 'stuut-domain[{extra}]'"
        )


class InexactAmount(StuutDomainError, ValueError):
    """An amount that is not a whole number of the currency's minor units.

    Raised instead of truncating or rounding silently.
    """

    def __init__(self, amount: object, currency: str, exponent: int) -> None:
        self.amount = amount
        self.currency = currency
        self.exponent = exponent
        super().__init__(
            f"{amount!r} {currency} is not a whole number of minor units "
            f"({currency} has {exponent} decimal places)"
        )


class InvariantViolation(StuutDomainError, ValueError):
    """One or more business invariants are broken; ``violations`` lists every one."""

    def __init__(self, violations: Iterable[Violation], subject: str = "") -> None:
        self.violations: tuple[Violation, ...] = tuple(violations)
        self.subject = subject
        lines = "; ".join(str(v) for v in self.violations)
        prefix = f"{subject}: " if subject else ""
        super().__init__(f"{prefix}{len(self.violations)} invariant violation(s): {lines}")

    @property
    def codes(self) -> tuple[str, ...]:
        """The stable codes of the violated rules, in report order."""
        return tuple(v.code for v in self.violations)


class InvalidTransition(StuutDomainError, ValueError):
    """A lifecycle transition the transition table forbids from the current status."""

    def __init__(self, transition: str, status: str, reason: str) -> None:
        self.transition = transition
        self.status = status
        self.reason = reason
        super().__init__(f"cannot {transition} an invoice that is {status}: {reason}")


class InvalidAllocation(StuutDomainError, ValueError):
    """A payment allocation that the allocation rules refuse (names the rule and the values)."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        self.code = code
        self.details = details
        super().__init__(f"[{code}] {message}")


class InvalidMatchInput(StuutDomainError, ValueError):
    """Input cash application cannot judge (names the rule, the field and the values).

    A transaction without an amount or currency, a naive instant, a confidence score off the
    stated scale, a tolerance that is not a figure: refused with a stable ``code``. Inputs it
    *can* judge but not match (zero amounts, unknown currencies) give a ``no_match`` or
    ``review`` proposal instead, which says why.
    """

    def __init__(self, code: str, message: str, **details: Any) -> None:
        self.code = code
        self.details = details
        super().__init__(f"[{code}] {message}")


class InvalidScenario(StuutDomainError, ValueError):
    """A scenario setting or input the payment-behaviour model or the collections simulation
    refuses: its stable ``code``, the ``path`` of the field and the ``values`` involved.

    Nothing was changed or run: every function of :mod:`stuut_domain.scenarios` checks its
    inputs before it builds anything.
    """

    def __init__(self, code: str, path: str, message: str, **values: Any) -> None:
        self.code = code
        self.path = path
        self.values = values
        super().__init__(f"[{code}] {path}: {message}")


class InvalidReportInput(StuutDomainError, ValueError, TypeError):
    """A report setting the portfolio analytics refuse: its stable ``code``, the ``path`` of
    the argument and the ``value`` given (``weeks=0``, ``period_days=1.5``, ``as_of`` not a date).

    Nothing was computed. It is both a ``ValueError`` and a ``TypeError``, so code written
    against either keeps catching it.
    """

    def __init__(self, code: str, path: str, message: str, *, value: Any) -> None:
        self.code = code
        self.path = path
        self.value = value
        super().__init__(f"[{code}] {path}: {message} (got {value!r})")


class OwedRefused(StuutDomainError, ValueError):
    """A change to what is owed (credit note, customer credit, dispute, promise) that a rule
    refuses: its stable ``code``, the ``path`` of the field and the ``values`` involved.

    Nothing was changed: every operation of :mod:`stuut_domain.owed` is pure and raises this
    before it builds anything.
    """

    def __init__(self, code: str, path: str, message: str, **values: Any) -> None:
        self.code = code
        self.path = path
        self.values = values
        super().__init__(f"[{code}] {path}: {message}")


class NotFound(StuutDomainError, LookupError):
    """No entity of that kind with that id; every adapter raises this same error."""

    def __init__(self, kind: str, entity_id: str) -> None:
        self.kind = kind
        self.entity_id = entity_id
        super().__init__(f"{kind} {entity_id!r} not found")


class ConcurrencyConflict(StuutDomainError, RuntimeError):
    """A save based on a stale version: someone else saved first; nothing was overwritten."""

    def __init__(self, kind: str, entity_id: str, expected: object, actual: object) -> None:
        self.kind = kind
        self.entity_id = entity_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"{kind} {entity_id!r} changed since it was read "
            f"(expected version {expected!r}, found {actual!r}); nothing was written"
        )


def join_path(parts: Sequence[str | int]) -> str:
    """Render a JSON path like ``line_items[2].total_amount`` from its parts."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif out:
            out.append(f".{part}")
        else:
            out.append(part)
    return "".join(out)


def under_path(prefix: str, path: str) -> str:
    """A rendered JSON ``path`` read inside the value at ``prefix``.

    ``under_path("data[3]", "line_items[0].amount")`` is ``data[3].line_items[0].amount``;
    an index joins without a dot (``data`` + ``[3]`` is ``data[3]``); the root (``""`` or
    ``"$"``) of either side leaves the other as it is, and the root of both is ``"$"``.
    """
    if path in ("", "$"):
        return prefix or "$"
    if prefix in ("", "$"):
        return path
    return f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}"


class AlreadyExists(ConcurrencyConflict):
    """``add`` of an id the store already holds: nothing was written.

    A :class:`ConcurrencyConflict` (the caller's "this is new" was stale), so code that
    retries on conflicts keeps working; ``actual`` is the stored version.
    """

    def __init__(self, kind: str, entity_id: str, actual: object) -> None:
        self.kind = kind
        self.entity_id = entity_id
        self.expected = None
        self.actual = actual
        StuutDomainError.__init__(
            self,
            f"{kind} {entity_id!r} already exists (version {actual}); read it and save() "
            "with its version to change it",
        )
