"""Column builders and money checks shared by every table on columns (private).

One spelling of the rules every table keeps (ADR 0060, ADR 0069): an amount goes over as its
exact integer minor units and one beyond int64 is refused naming its row; instants go over as
integer microseconds since the epoch; enumerations are dictionary encoded; and on reading, a
row's ``exponent`` must be its ``currency``'s.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from adapters.errors import ColumnarMismatch
from stuut_domain.errors import UnknownCurrency
from stuut_domain.money import exponent as exponent_of

__all__ = ["INT64_MAX", "INT64_MIN", "array", "check_exponents", "checked"]

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def checked(table: str, column: str, units: list[Any], first_row: int) -> list[Any]:
    """``units`` as they are, or the first one beyond int64 refused with its row."""
    present = [u for u in units if u is not None]
    if present and (max(present) > INT64_MAX or min(present) < INT64_MIN):
        for offset, u in enumerate(units):
            if u is not None and not INT64_MIN <= u <= INT64_MAX:
                raise ColumnarMismatch(
                    table, column, "minor units within int64", u, first_row + offset
                )
    return units


def array(values: list[Any], type_: pa.DataType) -> pa.Array:
    """One column. Instants go over as exact integer microseconds since the epoch (ten
    times faster than pyarrow reading each aware datetime's offset), dictionaries encoded."""
    if pa.types.is_dictionary(type_):
        return pa.array(values, type=pa.string()).dictionary_encode()
    if pa.types.is_timestamp(type_):
        micros = [None if v is None else (v - _EPOCH) // _MICROSECOND for v in values]
        return pa.array(micros, type=pa.int64()).cast(type_)
    return pa.array(values, type=type_)


def _wanted(table: str, dictionary: list[str | None], indices: pa.Array, offset: int) -> pa.Array:
    """Each dictionary entry's exponent; an unknown code refused at its first row."""
    wanted: list[int | None] = []
    for position, code in enumerate(dictionary):
        try:
            wanted.append(None if code is None else exponent_of(code))
        except UnknownCurrency:
            row = pc.index(indices, position).as_py()
            if row < 0:  # an entry no row uses
                wanted.append(None)
                continue
            raise ColumnarMismatch(
                table, "currency", "an ISO 4217 code", code, offset + row
            ) from None
    return pa.array(wanted, type=pa.int8())


def check_exponents(table: str, data: pa.Table, first_row: int = 0) -> None:
    """Every row's ``exponent`` is its ``currency``'s (the money rules), else the first bad
    row is refused: an unknown currency, an exponent that is not the currency's, or one
    given without a currency (or missing beside one)."""
    offset = first_row
    for batch in data.select(["currency", "exponent"]).to_batches():
        currency, exponent = batch.column(0), batch.column(1)
        indices = currency.indices
        wanted = pc.take(_wanted(table, currency.dictionary.to_pylist(), indices, offset), indices)
        same = pc.fill_null(pc.equal(wanted, exponent), False)
        both_null = pc.and_(pc.is_null(wanted), pc.is_null(exponent))
        bad = pc.indices_nonzero(pc.invert(pc.or_(same, both_null)))
        if len(bad):
            row = bad[0].as_py()
            code = currency[row].as_py()
            expected = (
                "null (no currency)" if code is None else f"{wanted[row]} (the exponent of {code})"
            )
            raise ColumnarMismatch(table, "exponent", expected, exponent[row].as_py(), offset + row)
        offset += len(currency)
