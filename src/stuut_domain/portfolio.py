"""Portfolio analytics for notebooks: aging, days sales outstanding, expected collections.

Pure functions over invoices (and, for names, partners) that return report values. Every
report gives plain rows through ``records()`` (a ``list`` of ``dict``, so
``pandas.DataFrame(report.records())`` works without this library depending on pandas),
prints as a readable table and renders as HTML in Jupyter.

Rules every report keeps:

* Amounts are never summed across currencies. Each row is one currency; a single figure in
  one currency exists only through an explicit rate table (:meth:`AgingReport.total_in`,
  which uses :meth:`~stuut_domain.money.MoneyBag.total_in` and refuses a missing rate).
* Only open receivables are aged or forecast: not payable, not void, not written off
  (``marked_uncollectible_at``), with a positive ``amount_due``.
* Dates are calendar dates. A due date is read in the offset the API wrote it in; the report
  date ``as_of`` is the day the analyst asks about. The balances are those recorded on the
  invoices (``amount_due``): a report at a past date ages today's balances against that date,
  it does not replay payments (ADR 0028).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar, Final, Literal, TypeAlias

import attrs

from stuut_domain.display import Report, short_repr, to_tenth
from stuut_domain.errors import InvalidReportInput
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money, MoneyBag
from stuut_domain.partner import Partner, Partners, partners_by_id
from stuut_domain.receivables import days_from_due, due_day, is_open_receivable, issue_date_of

__all__ = [
    "AGING_BUCKETS",
    "NO_DUE_DATE",
    "AgedInvoice",
    "AgingReport",
    "CollectionsForecast",
    "DsoFigure",
    "DsoReport",
    "ExpectedCollection",
    "aging_bucket",
    "aging_report",
    "aging_row",
    "days_sales_outstanding",
    "expected_collections",
    "period_order",
    "week_monday",
]

#: The aging buckets, in order: not yet past due, then days past due.
AGING_BUCKETS: Final[tuple[str, ...]] = ("current", "1-30", "31-60", "61-90", "90+")
#: The bucket of an open invoice that has no due date (it cannot be aged; it is shown apart).
NO_DUE_DATE: Final = "no due date"


def aging_bucket(days_past_due: int | None) -> str:
    """The aging bucket of an invoice ``days_past_due`` days late.

    Not yet late (0 or fewer days: due today or later) is ``current``; 1-30, 31-60 and 61-90
    days are their buckets; 91 days and more is ``90+``. No due date is :data:`NO_DUE_DATE`.
    """
    if days_past_due is None:
        return NO_DUE_DATE
    if days_past_due <= 0:
        return "current"
    if days_past_due <= 30:
        return "1-30"
    if days_past_due <= 60:
        return "31-60"
    if days_past_due <= 90:
        return "61-90"
    return "90+"


def _as_date(value: dt.date, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if not isinstance(value, dt.date):
        raise InvalidReportInput(
            "not_a_date", name, f"must be a date, not {type(value).__name__}", value=value
        )
    return value


def _positive_int(value: object, name: str, what: str) -> int:
    """``value`` when it is a positive ``int`` (a bool, a float or text is refused)."""
    if type(value) is not int or value <= 0:
        raise InvalidReportInput(
            f"{name}_not_positive", name, f"must be a positive whole number of {what}", value=value
        )
    return value


def _partner_name(invoice: Invoice, index: Mapping[str, Partner]) -> str | None:
    partner = invoice.partner
    if partner is None and invoice.partner_id is not None:
        partner = index.get(invoice.partner_id)
    if partner is None:
        return None
    return partner.name or partner.legal_name


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


# -- aging ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class AgedInvoice:
    """One open invoice in an aging report: what is due, since when, and its bucket."""

    invoice_id: str | None
    number: str | None
    partner_id: str | None
    partner_name: str | None
    amount_due: Money
    due_date: dt.date | None
    days_past_due: int | None
    bucket: str

    def as_record(self) -> dict[str, object]:
        """A plain row: ids, currency, the amount as a Decimal, due date, days and bucket."""
        return {
            "invoice_id": self.invoice_id,
            "number": self.number,
            "partner_id": self.partner_id,
            "partner": self.partner_name,
            "currency": self.amount_due.code,
            "amount_due": self.amount_due.amount,
            "due_date": self.due_date,
            "days_past_due": self.days_past_due,
            "bucket": self.bucket,
        }

    def __repr__(self) -> str:
        return short_repr(
            "AgedInvoice",
            invoice_id=self.invoice_id,
            number=self.number,
            amount_due=self.amount_due,
            due_date=self.due_date,
            bucket=self.bucket,
        )


_BUCKET_COLUMNS: Final = (*AGING_BUCKETS, NO_DUE_DATE)

#: One aged line: invoice id, number, partner id, partner name, amount due, due day, days
#: past due, bucket (the fields of AgedInvoice, in order).
_Line: TypeAlias = tuple[
    str | None, str | None, str | None, str | None, Money, dt.date | None, int | None, str
]


@attrs.frozen(weakref_slot=False)
class _AgedColumns:
    """The aged lines of a report as one tuple per field, in the order the book gave them.

    Columns, not one tuple per line: a million lines then add eight containers for the cyclic
    collector to walk, not a million (the collector's passes over new tuples were most of the
    cost of a large book).
    """

    invoice_ids: tuple[str | None, ...]
    numbers: tuple[str | None, ...]
    partner_ids: tuple[str | None, ...]
    partner_names: tuple[str | None, ...]
    amounts: tuple[Money, ...]
    due_days: tuple[dt.date | None, ...]
    days: tuple[int | None, ...]
    buckets: tuple[str, ...]

    def lines(self) -> Iterable[_Line]:
        return zip(
            self.invoice_ids,
            self.numbers,
            self.partner_ids,
            self.partner_names,
            self.amounts,
            self.due_days,
            self.days,
            self.buckets,
            strict=True,
        )


def _aged(line: _Line) -> AgedInvoice:
    return AgedInvoice(
        invoice_id=line[0],
        number=line[1],
        partner_id=line[2],
        partner_name=line[3],
        amount_due=line[4],
        due_date=line[5],
        days_past_due=line[6],
        bucket=line[7],
    )


def _line_order(line: _Line) -> tuple[int, str]:
    """Most days past due first (no due date last), then by invoice id."""
    days = line[6]
    return (-days if days is not None else _UNDATED_RANK, line[0] or "")


def _bucket_rows(
    amounts: Iterable[Money], buckets: Iterable[str]
) -> dict[str, tuple[int, dict[str, int]]]:
    """Per currency code, the invoice count and the minor units per bucket, in one pass."""
    groups: dict[str, tuple[list[int], dict[str, int]]] = {}
    for amount, bucket in zip(amounts, buckets, strict=True):
        code = amount.currency.code
        group = groups.get(code)
        if group is None:
            group = groups[code] = ([0], dict.fromkeys(_BUCKET_COLUMNS, 0))
        group[0][0] += 1
        group[1][bucket] += amount.minor_units
    return {code: (count[0], units) for code, (count, units) in groups.items()}


def aging_row(code: str, count: int, units: Mapping[str, int]) -> dict[str, object]:
    """A currency's aging row from its invoice count and minor units per bucket: the row of
    :meth:`AgingReport.records` (amounts as exact Decimals, the total their sum). Any engine
    that computes the counts and units (the columnar analytics) shapes its rows with this."""
    row: dict[str, object] = {"currency": code, "invoices": count}
    row.update({b: Money(u, code).amount for b, u in units.items()})
    row["total"] = Money(sum(units.values()), code).amount
    return row


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False, eq=False)
class AgingReport(Report):
    """Open receivables at ``as_of`` by aging bucket, one row per currency.

    ``records()`` gives one row per currency (never a cross-currency sum);
    ``partner_records()`` one row per partner and currency; ``invoice_records()`` one row per
    invoice. :meth:`total_in` is the only way to one currency, with an explicit rate table.

    Built by :func:`aging_report`. The report keeps its lines as plain tuples and builds the
    :class:`AgedInvoice` objects of :attr:`invoices` (sorted, most days past due first) only
    when asked, so a report over a million invoices costs one pass and no sort until then.
    Two reports are equal when their dates and their aged invoices are.
    """

    columns: ClassVar[tuple[str, ...]] = ("currency", "invoices", *_BUCKET_COLUMNS, "total")
    amount_columns: ClassVar[tuple[str, ...]] = (*_BUCKET_COLUMNS, "total", "amount_due")
    partner_columns: ClassVar[tuple[str, ...]] = ("partner_id", "partner", *columns)

    as_of: dt.date
    _columns: _AgedColumns = attrs.field(alias="columns")

    @functools.cached_property
    def invoices(self) -> tuple[AgedInvoice, ...]:
        """The open invoices, most days past due first (no due date last), then by id."""
        return tuple([_aged(line) for line in sorted(self._columns.lines(), key=_line_order)])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AgingReport):
            return NotImplemented
        return self.as_of == other.as_of and self.invoices == other.invoices

    def __hash__(self) -> int:
        return hash((self.as_of, self.invoices))

    def title(self) -> str:
        """``Aging at 2026-11-26: 12 open invoices in 2 currencies``."""
        count = _count(len(self._columns.amounts), "open invoice")
        return (
            f"Aging at {self.as_of.isoformat()}: {count} "
            f"in {_count(len(self.currencies()), 'currency', 'currencies')}"
        )

    def currencies(self) -> tuple[str, ...]:
        """The currencies with open receivables, sorted by code."""
        return tuple(sorted({amount.currency.code for amount in self._columns.amounts}))

    def bucket_totals(self) -> dict[str, MoneyBag]:
        """Per bucket (and ``"total"``), the amounts due per currency, as a MoneyBag each."""
        totals = {b: MoneyBag() for b in (*_BUCKET_COLUMNS, "total")}
        for code, (_, units) in _bucket_rows(self._columns.amounts, self._columns.buckets).items():
            for bucket, minor in units.items():
                if minor:
                    totals[bucket] += Money(minor, code)
            totals["total"] += Money(sum(units.values()), code)
        return totals

    def total_in(
        self, currency: str, rates: Mapping[str, Decimal | Fraction | str | int]
    ) -> dict[str, Money]:
        """Per bucket (and ``"total"``), everything converted to ``currency`` at ``rates``.

        ``rates[code]`` is the price of one major unit of ``code`` in ``currency``; every
        currency held needs one, else :class:`~stuut_domain.errors.CurrencyMismatch`. Each
        bucket converts each currency once and rounds once (half even), so ``"total"`` can
        differ from the sum of the converted buckets by rounding.
        """
        return {b: bag.total_in(currency, rates) for b, bag in self.bucket_totals().items()}

    def records(self) -> list[dict[str, object]]:
        """One row per currency: invoice count, each bucket's amount (Decimal) and the total."""
        groups = _bucket_rows(self._columns.amounts, self._columns.buckets)
        return [aging_row(code, *groups[code]) for code in sorted(groups)]

    def partner_records(self) -> list[dict[str, object]]:
        """One row per partner and currency, ordered by partner id then currency."""
        amounts: dict[str, list[Money]] = {}
        buckets: dict[str, list[str]] = {}
        names: dict[str, str | None] = {}
        columns = self._columns
        for partner, name, amount, bucket in zip(
            columns.partner_ids,
            columns.partner_names,
            columns.amounts,
            columns.buckets,
            strict=True,
        ):
            partner_id = partner or ""
            if partner_id not in names:
                names[partner_id] = name
                amounts[partner_id], buckets[partner_id] = [], []
            amounts[partner_id].append(amount)
            buckets[partner_id].append(bucket)
        rows = []
        for partner_id in sorted(names):
            per_code = _bucket_rows(amounts[partner_id], buckets[partner_id])
            for code in sorted(per_code):
                row: dict[str, object] = {
                    "partner_id": partner_id or None,
                    "partner": names[partner_id],
                }
                row.update(aging_row(code, *per_code[code]))
                rows.append(row)
        return rows

    def invoice_records(self) -> list[dict[str, object]]:
        """One row per open invoice, most days past due first."""
        return [line.as_record() for line in self.invoices]


def aging_report(
    invoices: Iterable[Invoice], *, as_of: dt.date, partners: Partners = None
) -> AgingReport:
    """Age every open receivable at ``as_of`` into :data:`AGING_BUCKETS` per currency.

    ``partners`` (by id, or an iterable) only supplies names when invoices do not embed
    their partner. A ``datetime`` for ``as_of`` is taken as its calendar date. One pass over
    the invoices, linear in their number: the per-invoice objects and their order are built
    only when :attr:`AgingReport.invoices` is read.
    """
    on = _as_date(as_of, "as_of")
    index = partners_by_id(partners)
    columns: tuple[list[Any], ...] = ([], [], [], [], [], [], [], [])
    ids, numbers, partner_ids, names, amounts, dues, late, buckets = (c.append for c in columns)
    for invoice in invoices:
        if not is_open_receivable(invoice):
            continue
        days = days_from_due(invoice, on)
        ids(invoice.id)
        numbers(invoice.number)
        partner_ids(invoice.partner_id)
        names(_partner_name(invoice, index))
        amounts(invoice.amount_due)
        dues(due_day(invoice))
        late(days)
        buckets(aging_bucket(days))
    return AgingReport(as_of=on, columns=_AgedColumns(*(tuple(c) for c in columns)))


#: The sort rank of an invoice without a due date: after every dated one.
_UNDATED_RANK: Final = 10**9


# -- days sales outstanding ------------------------------------------------------------------


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class DsoFigure:
    """Days sales outstanding in one currency: receivables ÷ sales of the period × its days.

    ``days`` is rounded half even to one decimal; ``None`` when the period had no sales (the
    ratio is undefined, not infinite).
    """

    currency: str
    receivables: Money
    sales: Money
    period_days: int
    days: Decimal | None

    def as_record(self) -> dict[str, object]:
        """A plain row: currency, receivables and sales as Decimals, the period and DSO."""
        return {
            "currency": self.currency,
            "receivables": self.receivables.amount,
            "sales": self.sales.amount,
            "period_days": self.period_days,
            "dso_days": self.days,
        }

    def __repr__(self) -> str:
        return short_repr(
            "DsoFigure",
            currency=self.currency,
            days=self.days,
            receivables=self.receivables,
            sales=self.sales,
        )


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class DsoReport(Report):
    """DSO per currency at ``as_of`` over the ``period_days`` that end on it."""

    columns: ClassVar[tuple[str, ...]] = (
        "currency",
        "receivables",
        "sales",
        "period_days",
        "dso_days",
    )
    amount_columns: ClassVar[tuple[str, ...]] = ("receivables", "sales")

    as_of: dt.date
    period_days: int
    figures: tuple[DsoFigure, ...]

    def title(self) -> str:
        """``DSO at 2026-11-26 over 90 days``."""
        return f"DSO at {self.as_of.isoformat()} over {self.period_days} days"

    def records(self) -> list[dict[str, object]]:
        """One row per currency."""
        return [f.as_record() for f in self.figures]

    def __getitem__(self, currency: str) -> DsoFigure:
        for figure in self.figures:
            if figure.currency == currency:
                return figure
        raise KeyError(currency)


def days_sales_outstanding(
    invoices: Iterable[Invoice], *, as_of: dt.date, period_days: int = 90
) -> DsoReport:
    """DSO per currency: open receivables at ``as_of`` ÷ sales of the period × ``period_days``.

    Sales are the ``total_amount`` of receivable, non-void invoices issued in the
    ``period_days`` ending on ``as_of`` (written-off invoices were sales and count).
    Receivables are the ``amount_due`` of open receivables issued on or before ``as_of``
    (or with no issue date). Computed exactly, then rounded half even to 0.1 day.
    """
    on = _as_date(as_of, "as_of")
    _positive_int(period_days, "period_days", "days")
    start = on - dt.timedelta(days=period_days)
    receivables: dict[str, int] = {}
    sales: dict[str, int] = {}
    for invoice in invoices:
        if invoice.type == "payable" or invoice.voided_at is not None:
            continue
        issued = issue_date_of(invoice)
        code = invoice.currency
        receivables.setdefault(code, 0)
        sales.setdefault(code, 0)
        if is_open_receivable(invoice) and (issued is None or issued <= on):
            receivables[code] += invoice.amount_due.minor_units
        if issued is not None and start < issued <= on:
            sales[code] += invoice.total_amount.minor_units
    figures = []
    for code in sorted(receivables):
        if not receivables[code] and not sales[code]:
            continue
        days = None
        if sales[code] > 0:
            exact = Fraction(receivables[code] * period_days, sales[code])
            days = to_tenth(exact)
        figures.append(
            DsoFigure(
                currency=code,
                receivables=Money(receivables[code], code),
                sales=Money(sales[code], code),
                period_days=period_days,
                days=days,
            )
        )
    return DsoReport(as_of=on, period_days=period_days, figures=tuple(figures))


# -- expected collections ------------------------------------------------------------------

Basis: TypeAlias = Literal["promise", "due_date", "broken_promise", "past_due", "no_due_date"]

#: Period labels besides week starts: late with no future date, beyond the horizon, undated.
OVERDUE: Final = "overdue"
LATER: Final = "later"
UNDATED: Final = "undated"


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class ExpectedCollection:
    """When one open invoice's ``amount_due`` is expected, and on what ``basis``.

    ``basis``: ``promise`` (a promise to pay on or after ``as_of``), ``due_date`` (due on or
    after ``as_of``), ``broken_promise`` (promised before ``as_of``, still open),
    ``past_due`` (due before ``as_of``, no promise) or ``no_due_date``. ``period`` is the
    Monday of the expected week, or ``overdue`` / ``later`` / ``undated``.
    """

    invoice_id: str | None
    partner_id: str | None
    amount: Money
    expected_on: dt.date | None
    basis: Basis
    period: str

    def as_record(self) -> dict[str, object]:
        """A plain row: ids, currency, Decimal amount, expected date, basis, period."""
        return {
            "invoice_id": self.invoice_id,
            "partner_id": self.partner_id,
            "currency": self.amount.code,
            "amount": self.amount.amount,
            "expected_on": self.expected_on,
            "basis": self.basis,
            "period": self.period,
        }

    def __repr__(self) -> str:
        return short_repr(
            "ExpectedCollection",
            invoice_id=self.invoice_id,
            amount=self.amount,
            expected_on=self.expected_on,
            basis=self.basis,
        )


def week_monday(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week: forecasts and simulations count calendar weeks from it."""
    return day - dt.timedelta(days=day.weekday())


#: One expected collection as the forecast keeps it until asked for objects: invoice id,
#: partner id, amount, expected date, basis, period (the fields of ExpectedCollection).
_Expected: TypeAlias = tuple[str | None, str | None, Money, dt.date | None, Basis, str]

#: The order of the period labels: overdue first, then the weeks, then later and undated.
_PERIOD_RANK: Final = {OVERDUE: 0, LATER: 2, UNDATED: 3}


def _expected(line: _Expected) -> ExpectedCollection:
    return ExpectedCollection(
        invoice_id=line[0],
        partner_id=line[1],
        amount=line[2],
        expected_on=line[3],
        basis=line[4],
        period=line[5],
    )


def period_order(period: str) -> tuple[int, str]:
    """Where a forecast period sorts: ``overdue`` first, then the weeks (their Mondays, in
    date order), then ``later`` and ``undated`` — the order of :meth:`CollectionsForecast.records`.
    """
    return _PERIOD_RANK.get(period, 1), period


def _expected_order(line: _Expected) -> tuple[dt.date, str]:
    """Soonest expected first (undated and overdue first of all), then by invoice id."""
    return (line[3] or dt.date.min, line[0] or "")


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False, eq=False)
class CollectionsForecast(Report):
    """Expected collections by week from ``as_of``, per currency, from due dates and promises.

    ``records()`` has one row per period and currency: ``overdue`` first (late, no future
    date: the uncertain part), then each week (its Monday) over ``weeks`` weeks starting with
    the week of ``as_of``, then ``later`` and ``undated``. ``promised`` is the part backed
    by a promise to pay.

    Built by :func:`expected_collections`; the :class:`ExpectedCollection` objects of
    :attr:`items` are built (and sorted) only when read. Two forecasts are equal when their
    dates, horizons and items are.
    """

    columns: ClassVar[tuple[str, ...]] = ("period", "currency", "invoices", "amount", "promised")
    amount_columns: ClassVar[tuple[str, ...]] = ("amount", "promised")

    as_of: dt.date
    weeks: int
    _lines: tuple[_Expected, ...] = attrs.field(alias="lines")

    @functools.cached_property
    def items(self) -> tuple[ExpectedCollection, ...]:
        """One item per open invoice, soonest expected first, then by invoice id."""
        return tuple([_expected(line) for line in sorted(self._lines, key=_expected_order)])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CollectionsForecast):
            return NotImplemented
        return (self.as_of, self.weeks, self.items) == (other.as_of, other.weeks, other.items)

    def __hash__(self) -> int:
        return hash((self.as_of, self.weeks, self.items))

    def title(self) -> str:
        """``Expected collections from 2026-11-26, 13 weeks``."""
        return f"Expected collections from {self.as_of.isoformat()}, {self.weeks} weeks"

    def records(self) -> list[dict[str, object]]:
        """One row per period and currency, in period order then currency."""
        groups: dict[tuple[str, str], list[int]] = {}
        for line in self._lines:
            amount = line[2]
            key = (line[5], amount.currency.code)
            group = groups.get(key)
            if group is None:
                group = groups[key] = [0, 0, 0]
            group[0] += 1
            group[1] += amount.minor_units
            if line[4] == "promise":
                group[2] += amount.minor_units
        return [
            {
                "period": period,
                "currency": code,
                "invoices": count,
                "amount": Money(units, code).amount,
                "promised": Money(promised, code).amount,
            }
            for (period, code), (count, units, promised) in sorted(
                groups.items(),
                key=lambda kv: (period_order(kv[0][0]), kv[0][1]),
            )
        ]

    def invoice_records(self) -> list[dict[str, object]]:
        """One row per open invoice with its expected date and basis."""
        return [item.as_record() for item in self.items]


def expected_collections(
    invoices: Iterable[Invoice], *, as_of: dt.date, weeks: int = 13
) -> CollectionsForecast:
    """When each open receivable's balance is expected in, grouped by week and currency.

    The expected date is the promise to pay when it is on or after ``as_of``, else the due
    date when it is on or after ``as_of``; an invoice whose dates have both passed is
    ``overdue`` (its basis says whether a promise was broken). Weeks start on Monday; the
    horizon is ``weeks`` weeks from the Monday of ``as_of``'s week; beyond it, ``later``.
    """
    on = _as_date(as_of, "as_of")
    _positive_int(weeks, "weeks", "weeks")
    horizon = week_monday(on) + dt.timedelta(weeks=weeks)
    lines: list[_Expected] = []
    for invoice in invoices:
        if not is_open_receivable(invoice):
            continue
        promise = invoice.promised_to_pay_date
        due = due_day(invoice)
        expected: dt.date | None = None
        basis: Basis
        if promise is not None and promise >= on:
            expected, basis = promise, "promise"
        elif due is not None and due >= on:
            expected, basis = due, "due_date"
        elif promise is not None:
            basis = "broken_promise"
        elif due is not None:
            basis = "past_due"
        else:
            basis = "no_due_date"
        if expected is None:
            period = UNDATED if basis == "no_due_date" else OVERDUE
        elif expected >= horizon:
            period = LATER
        else:
            period = week_monday(expected).isoformat()
        lines.append((invoice.id, invoice.partner_id, invoice.amount_due, expected, basis, period))
    return CollectionsForecast(as_of=on, weeks=weeks, lines=tuple(lines))
