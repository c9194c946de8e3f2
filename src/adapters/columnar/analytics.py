"""Aging and DSO written once as Ibis expressions over the invoices schema (ADR 0061).

The expressions (:func:`aging_expr`, :func:`dso_expr`) are plain Ibis over a table of
:data:`~adapters.columnar.schema.INVOICES`; they run on any Ibis backend: DuckDB by
default (``ibis.duckdb.connect()``, embedded, built-in Parquet only), Polars here, and
Spark, Trino, BigQuery or Postgres beyond one machine. :func:`aging_records` and
:func:`dso_records` execute them and give the same rows as the library's
:meth:`~stuut_domain.portfolio.AgingReport.records` and
:meth:`~stuut_domain.portfolio.DsoReport.records`, exactly (tests/columnar prove it on
generated books).

The rules are the library's, read off the columns: an open receivable is not ``payable``,
``open`` or ``partially_paid`` (the ``status`` column is :func:`~stuut_domain.invoice.status_of`)
with a positive ``amount_due``; days past due are ``as_of`` minus the ``due_day``, bucketed
as :func:`~stuut_domain.portfolio.aging_bucket` does. Engines add integers without a check
(Polars wraps on overflow), so every sum is guarded: a group whose rows could overflow
int64 is refused with :class:`~adapters.errors.ColumnarMismatch`, never wrapped.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from adapters.errors import ColumnarMismatch
from stuut_domain.display import to_tenth
from stuut_domain.money import Money

# the report's own row builder: one spelling of a currency's aging row
from stuut_domain.portfolio import (
    AGING_BUCKETS,
    LATER,
    NO_DUE_DATE,
    OVERDUE,
    UNDATED,
    aging_row,
    period_order,
)

__all__ = [
    "aging_expr",
    "aging_records",
    "collections_expr",
    "collections_records",
    "dso_expr",
    "dso_records",
]

_OWED = ("open", "partially_paid")
_INT64_MAX = 2**63 - 1
_COLUMNS = (*AGING_BUCKETS, NO_DUE_DATE)


def _receivable(t: ir.Table) -> ir.BooleanValue:
    return t.type.isnull() | (t.type != "payable")


def _open(t: ir.Table) -> ir.BooleanValue:
    return _receivable(t) & (t.amount_due_minor > 0) & t.status.isin(_OWED)


def _days_before(day: dt.date, days: int) -> dt.date:
    """``days`` days before ``day``, or the first date there is (every date is on or after
    it, as every date is on or after a day further back)."""
    try:
        return day - dt.timedelta(days=days)
    except OverflowError:
        return dt.date.min


def aging_expr(invoices: ir.Table, *, as_of: dt.date) -> ir.Table:
    """Open receivables at ``as_of`` summed per currency and bucket (Ibis, any backend).

    Columns: ``currency``, ``bucket``, ``invoices`` (count), ``amount_minor`` (sum of
    ``amount_due_minor``) and ``largest_minor`` (the largest, for the overflow guard).

    The buckets are :func:`~stuut_domain.portfolio.aging_bucket`'s, written as the due day
    against the day each one starts (``days past due <= 30`` is ``due_day >= as_of - 30
    days``, exactly, for dates): no date difference per row, and an expression Ibis
    compiles in about half the time.
    """
    t = invoices.filter(_open(invoices))
    due = t.due_day

    def since(days: int) -> ir.BooleanValue:
        return due >= ibis.literal(_days_before(as_of, days))

    bucket = ibis.cases(
        (due.isnull(), NO_DUE_DATE),
        (since(0), "current"),
        (since(30), "1-30"),
        (since(60), "31-60"),
        (since(90), "61-90"),
        else_="90+",
    )
    return t.group_by(currency=t.currency.cast("string"), bucket=bucket).aggregate(
        invoices=ibis._.count(),
        amount_minor=ibis._.amount_due_minor.sum(),
        largest_minor=ibis._.amount_due_minor.max(),
    )


def _guard(column: str, count: int, largest: int) -> None:
    """Refuse a sum of ``count`` values none above ``largest`` that could leave int64."""
    if count * largest > _INT64_MAX:
        raise ColumnarMismatch(
            "invoices",
            column,
            "sums within int64 (split the table and add exactly in Python)",
            f"{count} rows up to {largest}",
        )


def _rows(con: Any, expr: ir.Table, column: str) -> list[dict[str, Any]]:
    """The rows of ``expr``; a sum the engine itself found beyond int64 (DuckDB's exact
    HUGEINT does not fit the int64 result) is refused like one the guard finds."""
    try:
        rows: list[dict[str, Any]] = con.to_pyarrow(expr).to_pylist()
    except pa.ArrowInvalid as error:
        raise ColumnarMismatch("invoices", column, "sums within int64", str(error)) from None
    return rows


def aging_records(con: Any, invoices: ir.Table, *, as_of: dt.date) -> list[dict[str, object]]:
    """:meth:`AgingReport.records` computed by the engine behind ``con``: one row per
    currency, amounts as exact Decimals."""
    units: dict[str, dict[str, int]] = {}
    counts: dict[str, int] = {}
    for r in _rows(con, aging_expr(invoices, as_of=as_of), "amount_due_minor"):
        _guard("amount_due_minor", r["invoices"], r["largest_minor"])
        code = r["currency"]
        units.setdefault(code, dict.fromkeys(_COLUMNS, 0))[r["bucket"]] += r["amount_minor"]
        counts[code] = counts.get(code, 0) + r["invoices"]
    return [aging_row(code, counts[code], units[code]) for code in sorted(units)]


def dso_expr(invoices: ir.Table, *, as_of: dt.date, period_days: int = 90) -> ir.Table:
    """Receivables and sales per currency for DSO at ``as_of`` (Ibis, any backend).

    Payables and void invoices are left out; receivables are open ones issued on or before
    ``as_of`` (or undated); sales are totals issued in the ``period_days`` ending on it.
    """
    start = as_of - dt.timedelta(days=period_days)
    t = invoices.filter(_receivable(invoices) & (invoices.status != "void"))
    on = ibis.literal(as_of)
    counted = _open(t) & (t.issue_day.isnull() | (t.issue_day <= on))
    in_period = t.issue_day.notnull() & (t.issue_day > ibis.literal(start)) & (t.issue_day <= on)
    zero = ibis.literal(0, type="int64")
    return (
        t.mutate(
            currency=t.currency.cast("string"),
            r=ibis.ifelse(counted, t.amount_due_minor, zero),
            s=ibis.ifelse(in_period, t.total_amount_minor, zero),
        )
        .group_by("currency")
        .aggregate(
            rows=ibis._.count(),
            receivables_minor=ibis._.r.sum(),
            sales_minor=ibis._.s.sum(),
            largest_minor=ibis.greatest(ibis._.r.abs().max(), ibis._.s.abs().max()),
        )
    )


def dso_records(
    con: Any, invoices: ir.Table, *, as_of: dt.date, period_days: int = 90
) -> list[dict[str, object]]:
    """:meth:`DsoReport.records` computed by the engine behind ``con``; the ratio is the
    library's (exact, then half even to 0.1 day)."""
    if type(period_days) is not int or period_days <= 0:
        raise ColumnarMismatch("invoices", "<period_days>", "a positive int", period_days)
    out = []
    expr = dso_expr(invoices, as_of=as_of, period_days=period_days)
    rows = _rows(con, expr, "amount_due_minor, total_amount_minor")
    for r in sorted(rows, key=lambda r: str(r["currency"])):
        _guard("amount_due_minor, total_amount_minor", r["rows"], r["largest_minor"])
        code, rec, sales = r["currency"], r["receivables_minor"], r["sales_minor"]
        if not rec and not sales:
            continue
        days = to_tenth(Fraction(rec * period_days, sales)) if sales > 0 else None
        out.append(
            {
                "currency": code,
                "receivables": Money(rec, code).amount,
                "sales": Money(sales, code).amount,
                "period_days": period_days,
                "dso_days": days,
            }
        )
    return out


def _monday(day: ir.DateValue) -> ir.DateValue:
    return day - day.day_of_week.index().as_interval("D")


def collections_expr(invoices: ir.Table, *, as_of: dt.date, weeks: int = 13) -> ir.Table:
    """Open receivables per expected period and currency (Ibis, any backend).

    The expected day is the promise when it is on or after ``as_of``, else the due day when
    it is; a period is that day's Monday (ISO text), ``overdue`` (both dates passed),
    ``later`` (beyond ``weeks`` weeks from the Monday of ``as_of``) or ``undated``.
    Columns: ``label`` (a period that is not a week, else null), ``week`` (the Monday,
    else null), ``currency``, ``invoices``, ``amount_minor``, ``promised_minor``
    and ``largest_minor`` (for the overflow guard).
    """
    t = invoices.filter(_open(invoices))
    on = ibis.literal(as_of)
    horizon = ibis.literal(as_of - dt.timedelta(days=as_of.weekday()) + dt.timedelta(weeks=weeks))
    promised = t.promised_to_pay_date.notnull() & (t.promised_to_pay_date >= on)
    by_due = t.due_day.notnull() & (t.due_day >= on)
    expected = ibis.cases((promised, t.promised_to_pay_date), (by_due, t.due_day), else_=None)
    dated = t.promised_to_pay_date.notnull() | t.due_day.notnull()
    # a label for the periods that are not a week; a week is its Monday, a date (engines
    # disagree on how a date prints, so the ISO text is written in Python)
    label = ibis.cases(
        (expected.isnull() & dated, OVERDUE),
        (expected.isnull(), UNDATED),
        (expected >= horizon, LATER),
        else_=ibis.null("string"),
    )
    week = ibis.ifelse(label.isnull(), _monday(expected), ibis.null("date"))
    zero = ibis.literal(0, type="int64")
    return (
        t.mutate(
            currency=t.currency.cast("string"),
            label=label,
            week=week,
            p=ibis.ifelse(promised, t.amount_due_minor, zero),
        )
        .group_by(["label", "week", "currency"])
        .aggregate(
            invoices=ibis._.count(),
            amount_minor=ibis._.amount_due_minor.sum(),
            promised_minor=ibis._.p.sum(),
            largest_minor=ibis._.amount_due_minor.max(),
        )
    )


def collections_records(
    con: Any, invoices: ir.Table, *, as_of: dt.date, weeks: int = 13
) -> list[dict[str, object]]:
    """:meth:`CollectionsForecast.records` computed by the engine behind ``con``: one row
    per period and currency, in the report's order, amounts as exact Decimals."""
    if type(weeks) is not int or weeks <= 0:
        raise ColumnarMismatch("invoices", "<weeks>", "a positive int", weeks)
    rows = _rows(con, collections_expr(invoices, as_of=as_of, weeks=weeks), "amount_due_minor")
    for r in rows:
        r["period"] = r["label"] if r["label"] is not None else r["week"].isoformat()
    out = []
    for r in sorted(rows, key=lambda r: (period_order(r["period"]), r["currency"])):
        _guard("amount_due_minor", r["invoices"], r["largest_minor"])
        code = r["currency"]
        out.append(
            {
                "period": r["period"],
                "currency": code,
                "invoices": r["invoices"],
                "amount": Money(r["amount_minor"], code).amount,
                "promised": Money(r["promised_minor"], code).amount,
            }
        )
    return out
