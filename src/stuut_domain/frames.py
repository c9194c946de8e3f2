"""Report rows as DataFrame columns: exact minor units beside plottable numbers (ADR 0067).

Every report gives ``records()`` with exact amounts (``Decimal`` or :class:`Money`), which
pandas stores as objects and cannot plot. :class:`Framed` (the base of every report) turns a
report's rows into columns a DataFrame holds as numbers:

- each **amount column** the report names in ``amount_columns`` becomes two columns:
  ``<name>`` a ``float64`` of major units, derived once from the exact minor units
  (``minor / 10**exponent``, correctly rounded), for plotting only; and ``<name>_minor`` an
  ``int64`` of the exact minor units, for any sum that must be right. The row's ``currency``
  column says which currency both are in. A ``<name>_float`` key a report already carries
  is left out (it would repeat ``<name>``);
- other exact figures that are not money (days as a ``Decimal``) become ``float64``;
- dates become ``datetime64`` in pandas (instants in UTC), native temporal types in polars.

With ``currency`` and ``rates``, each row's amounts are converted to that one currency with
:func:`~stuut_domain.money.convert` (``rates[code]`` is the price of one major unit of
``code`` in ``currency``; rounded once per amount, half even); the row's own currency moves
to ``from_currency``. A missing rate raises :class:`~stuut_domain.errors.MissingRate`,
naming the row and the column: nothing is guessed.

pandas and polars are optional: the core imports neither until a frame is asked for, and a
missing one raises :class:`~stuut_domain.errors.MissingExtra` naming the extra to install.
"""

from __future__ import annotations

import abc
import datetime as dt
import importlib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar, Final

from stuut_domain.errors import (
    InexactAmount,
    InvalidRate,
    InvalidReportInput,
    MissingExtra,
    MissingRate,
    UnknownCurrency,
)
from stuut_domain.money import Money, convert

__all__ = ["FRAME_EXTRAS", "Framed", "conversion_target", "frame_columns", "optional_import"]

#: The extra of this distribution that installs each optional library.
FRAME_EXTRAS: Final[Mapping[str, str]] = {
    "pandas": "pandas",
    "polars": "polars",
    "matplotlib": "plot",
}

#: The widest exact minor-unit figure an ``int64`` column holds.
_INT64_MAX: Final = 2**63 - 1

Rates = Mapping[str, Decimal | Fraction | str | int]


def optional_import(module: str, *, feature: str) -> Any:
    """Import an optional library (``pandas``, ``polars``, ``matplotlib``) when a feature needs
    it; when it is not installed, :class:`~stuut_domain.errors.MissingExtra` names the extra
    of this distribution that brings it (``pip install 'stuut-domain[plot]'``)."""
    top = module.split(".", maxsplit=1)[0]
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtra(top, FRAME_EXTRAS.get(top, top), feature) from exc


def _row_currency(
    row: Mapping[str, object], column: str, path: str, amounts: Sequence[str]
) -> str | None:
    code = row.get(column)
    if code is None:
        for name in amounts:
            value = row.get(name)
            if isinstance(value, Money):
                return value.code
        return None
    if not isinstance(code, str):
        raise InvalidReportInput(
            "currency_not_text", f"{path}.{column}", "a currency is a code", value=code
        )
    return code


def _exact(value: object, code: str | None, path: str) -> Money | None:
    """An amount cell as Money: Money as it is, a Decimal or int in the row's currency."""
    if value is None:
        return None
    if isinstance(value, Money):
        if code is not None and value.code != code:
            raise InvalidReportInput(
                "currency_differs", path, f"the row's currency is {code}", value=str(value)
            )
        return value
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InvalidReportInput(
            "amount_not_exact", path, "an amount is a Decimal, an int or Money", value=value
        )
    if code is None:
        raise InvalidReportInput(
            "no_currency", path, "an amount needs the row's currency column", value=value
        )
    try:
        return Money.of(value, code)
    except (InexactAmount, UnknownCurrency) as exc:
        raise InvalidReportInput("amount_not_exact", path, str(exc), value=value) from exc


def conversion_target(currency: str | None, rates: Rates | None) -> str | None:
    """The currency every amount converts to, or None when nothing converts.

    Rule: a conversion needs both the target ``currency`` and a ``rates`` table
    (``rates_need_currency`` names the one missing); ``rates`` is a ``{code: rate}``
    mapping (``rates_not_mapping``); an unknown code raises ``UnknownCurrency``.
    """
    if currency is None and rates is None:
        return None
    if currency is None or rates is None:
        raise InvalidReportInput(
            "rates_need_currency",
            "rates" if currency is None else "currency",
            "a conversion needs both the target currency and a rate table",
            value=currency if rates is None else rates,
        )
    if not isinstance(rates, Mapping):
        raise InvalidReportInput(
            "rates_not_mapping", "rates", "rates are {currency code: rate}", value=rates
        )
    return Money(0, currency).code  # an unknown code raises UnknownCurrency


def frame_columns(
    rows: Sequence[Mapping[str, object]],
    *,
    amounts: Sequence[str],
    columns: Sequence[str] = (),
    currency: str | None = None,
    rates: Rates | None = None,
    table: str = "records",
    currency_column: str = "currency",
) -> dict[str, list[object]]:
    """The rows as columns (module docstring): each amount as ``<name>`` (float of major
    units) and ``<name>_minor`` (exact int), beside the row's ``currency``.

    The columns follow the keys in the order the rows give them; ``columns`` names them when
    there are no rows. ``currency`` with ``rates`` converts
    every amount to that currency. Refused with a typed error naming ``table[row].column``
    and the value: an amount that is not exact (a float, text), an amount without a
    currency, a missing rate (:class:`~stuut_domain.errors.MissingRate`), a figure beyond
    ``int64``.
    """
    to = conversion_target(currency, rates)
    amount_set = set(amounts)
    keys: dict[str, None] = {} if rows else dict.fromkeys(columns)
    for row in rows:
        keys.update(dict.fromkeys(row))
    for name in amounts:
        if name in keys:
            keys.pop(f"{name}_float", None)
    has_amounts = any(k in amount_set for k in keys)
    out: dict[str, list[object]] = {}
    if has_amounts and currency_column not in keys:
        out[currency_column] = []
    for key in keys:
        if key in amount_set:
            out[key], out[f"{key}_minor"] = [], []
        else:
            out[key] = []
        if key == currency_column and to is not None:
            out["from_currency"] = []
    if to is not None and "from_currency" not in out and has_amounts:
        out["from_currency"] = []
    for index, row in enumerate(rows):
        path = f"{table}[{index}]"
        code = _row_currency(row, currency_column, path, amounts) if has_amounts else None
        for key in keys:
            if key not in amount_set:
                if key != currency_column or not has_amounts:
                    out[key].append(row.get(key))
                continue
            money = _exact(row.get(key), code, f"{path}.{key}")
            if money is not None and to is not None and money.code != to:
                if money.code not in rates:  # type: ignore[operator]  # checked by _target
                    raise MissingRate(money.code, to, row=index, column=key)
                try:
                    money = convert(money, rates[money.code], to)  # type: ignore[index]
                except InvalidRate as exc:
                    raise InvalidReportInput(
                        "rate", f"rates.{money.code}", exc.reason, value=exc.rate
                    ) from exc
            if money is None:
                out[key].append(None)
                out[f"{key}_minor"].append(None)
                continue
            if abs(money.minor_units) > _INT64_MAX:
                raise InvalidReportInput(
                    "beyond_int64", f"{path}.{key}", "minor units beyond int64", value=money
                )
            out[key].append(money.minor_units / 10**money.exponent)
            out[f"{key}_minor"].append(money.minor_units)
        if has_amounts:
            out[currency_column].append(to if to is not None else code)
            if to is not None:
                out["from_currency"].append(code)
    return out


def _kind(values: Sequence[object]) -> str:
    """What a non-amount column holds: ``instant``, ``date``, ``exact``, or ``other``."""
    present = [v for v in values if v is not None]
    if not present:
        return "other"
    if all(isinstance(v, dt.datetime) for v in present):
        return "instant"
    if all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in present):
        return "date"
    if all(isinstance(v, Decimal | Fraction) for v in present):
        return "exact"
    return "other"


def _amount_names(columns: Mapping[str, list[object]], amounts: Sequence[str]) -> set[str]:
    return {name for name in amounts if f"{name}_minor" in columns}


class Framed(abc.ABC):
    """A report that gives its rows as a pandas or polars DataFrame with numeric amounts.

    A report names its money columns in ``amount_columns`` (every table of the report: a
    name a table lacks is skipped). :meth:`to_pandas` and :meth:`to_polars` give
    ``records()`` (or another ``*_records`` table of the report) as a frame whose amounts
    are a ``float64`` of major units for plotting and an exact ``<name>_minor`` ``int64``,
    with a ``currency`` column; see :mod:`stuut_domain.frames`.
    """

    __slots__ = ()
    #: The money columns of the report's tables (Decimal or Money values in ``records()``).
    amount_columns: ClassVar[tuple[str, ...]] = ()
    #: Columns of ratios that are ``float64`` even when every row is empty (a ratio with no
    #: denominator is ``None``; a column of only ``None`` would otherwise be objects).
    float_columns: ClassVar[tuple[str, ...]] = ()

    @abc.abstractmethod
    def records(self) -> list[dict[str, object]]:
        """The report's rows: plain dicts, amounts exact (Decimal or Money)."""

    def _table(self, table: str) -> tuple[list[dict[str, object]], tuple[str, ...]]:
        method = getattr(self, table, None) if table.endswith("records") else None
        if not callable(method) or table.startswith("_"):
            raise InvalidReportInput(
                "unknown_table",
                "table",
                f"{type(self).__name__} has no such table (records, or a *_records method)",
                value=table,
            )
        declared = getattr(self, table.removesuffix("records") + "columns", ())
        return list(method()), tuple(declared)

    def frame_columns(
        self,
        table: str = "records",
        *,
        currency: str | None = None,
        rates: Rates | None = None,
    ) -> dict[str, list[object]]:
        """The table as plain columns (lists), amounts as float and exact minor units."""
        rows, declared = self._table(table)
        return frame_columns(
            rows,
            amounts=self.amount_columns,
            columns=declared,
            currency=currency,
            rates=rates,
            table=table,
        )

    def to_pandas(
        self,
        table: str = "records",
        *,
        currency: str | None = None,
        rates: Rates | None = None,
    ) -> Any:
        """The table as a ``pandas.DataFrame``: amounts ``float64`` plus exact ``<name>_minor``
        ``int64`` (nullable ``Int64`` where a row has none), dates ``datetime64`` (instants
        in UTC), other exact figures ``float64``. ``currency`` with ``rates`` converts every
        row's amounts to that currency. Needs the ``pandas`` extra."""
        pd = optional_import("pandas", feature=f"{type(self).__name__}.to_pandas")
        columns = self.frame_columns(table, currency=currency, rates=rates)
        amounts = _amount_names(columns, self.amount_columns)
        data: dict[str, Any] = {}
        for name, values in columns.items():
            if name in amounts:
                data[name] = pd.array(
                    [float("nan") if v is None else v for v in values], dtype="float64"
                )
            elif name.removesuffix("_minor") in amounts and name.endswith("_minor"):
                nullable = any(v is None for v in values)
                data[name] = pd.array(values, dtype="Int64" if nullable else "int64")
            else:
                kind = "exact" if name in self.float_columns else _kind(values)
                if kind == "instant":
                    data[name] = pd.to_datetime(pd.Series(values, dtype=object), utc=True)
                elif kind == "date":
                    data[name] = pd.to_datetime(pd.Series(values, dtype=object))
                elif kind == "exact":
                    data[name] = pd.array(
                        [float("nan") if v is None else float(v) for v in values],  # type: ignore[arg-type]
                        dtype="float64",
                    )
                else:
                    data[name] = values if values else pd.Series(values, dtype=object)
        return pd.DataFrame(data)

    def to_polars(
        self,
        table: str = "records",
        *,
        currency: str | None = None,
        rates: Rates | None = None,
    ) -> Any:
        """The table as a ``polars.DataFrame``: amounts ``Float64`` plus exact ``<name>_minor``
        ``Int64``, dates ``Date``, instants ``Datetime`` (UTC), other exact figures
        ``Float64``. ``currency`` with ``rates`` converts every row's amounts to that
        currency. Needs the ``polars`` extra."""
        pl = optional_import("polars", feature=f"{type(self).__name__}.to_polars")
        columns = self.frame_columns(table, currency=currency, rates=rates)
        amounts = _amount_names(columns, self.amount_columns)
        series = []
        for name, values in columns.items():
            if name in amounts:
                series.append(pl.Series(name, values, dtype=pl.Float64))
            elif name.removesuffix("_minor") in amounts and name.endswith("_minor"):
                series.append(pl.Series(name, values, dtype=pl.Int64))
            else:
                kind = "exact" if name in self.float_columns else _kind(values)
                if kind == "instant":
                    utc = [None if v is None else v.astimezone(dt.UTC) for v in values]  # type: ignore[attr-defined]
                    series.append(pl.Series(name, utc, dtype=pl.Datetime("us", "UTC")))
                elif kind == "date":
                    series.append(pl.Series(name, values, dtype=pl.Date))
                elif kind == "exact":
                    floats = [None if v is None else float(v) for v in values]  # type: ignore[arg-type]
                    series.append(pl.Series(name, floats, dtype=pl.Float64))
                else:
                    series.append(_polars_series(pl, name, values))
        return pl.DataFrame(series)


def _polars_series(pl: Any, name: str, values: list[object]) -> Any:
    """A column polars infers; one it cannot type (mixed values) is kept as objects."""
    try:
        return pl.Series(name, values, strict=False)
    except Exception:  # noqa: BLE001 - polars raises several types for values it cannot type
        return pl.Series(name, values, dtype=pl.Object)
