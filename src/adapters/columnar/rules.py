"""The library's per-invoice rules on record batches: status, overdue days, outreach (ADR 0074).

:func:`evaluate_batch` takes a record batch of
:data:`~adapters.columnar.schema.INVOICES` and gives one row of :data:`EVALUATION` per
invoice. It runs no rule of its own: each row becomes the
:class:`~stuut_domain.invoice.Invoice` its columns describe, and the answers are the core's
:func:`~stuut_domain.invoice.status_of`, :func:`~stuut_domain.lifecycle.days_past_due` and
:meth:`~stuut_domain.outreach.OutreachContext.decide` (what
:func:`~stuut_domain.outreach.decide_outreach` runs), one context per partner. It holds one
batch, so it runs wherever batches are handed to Python: a local loop over
:func:`~adapters.columnar.iter_table`, Spark's ``mapInArrow``, Ray's ``map_batches`` or,
through :func:`evaluate_frame`, Dask's ``map_partitions`` (``docs/scale.md``).

Imports pyarrow and the core; pandas only inside :func:`evaluate_frame`. The columns carry
no allocation, payment-portal status or last outreach of an invoice, so the rules that read
those facts cannot fire here (ADR 0074 lists them).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, cast

import pyarrow as pa

from adapters.columnar.schema import EVALUATION, INVOICES, TABLE_KEY, VERSION_KEY, check_schema
from adapters.columnar.tables import check_batch
from adapters.errors import ColumnarMismatch
from stuut_domain.invoice import Invoice, status_of
from stuut_domain.lifecycle import days_past_due
from stuut_domain.money import Money, MoneyBag
from stuut_domain.outreach import OutreachContext
from stuut_domain.outreach.policy import DEFAULT_POLICY, OutreachPolicy
from stuut_domain.outreach.state import EMPTY_STATE, OutreachState
from stuut_domain.partner import Partner, partners_by_id
from stuut_domain.types import OutreachChannel
from stuut_domain.validators import require_aware
from stuut_domain.workflow import Workflow

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["evaluate_batch", "evaluate_frame"]

_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EPOCH_DAY: Final = dt.date(1970, 1, 1)
_ONE_DAY: Final = dt.timedelta(days=1)
_MICROSECOND: Final = dt.timedelta(microseconds=1)
_INSTANTS: Final = ("issued_at", "due_date", "paid_at", "voided_at", "marked_uncollectible_at")
_DAYS: Final = ("issue_day", "due_day", "promised_to_pay_date")
#: An instant and the column holding the calendar day it was written on.
_WRITTEN_DAYS: Final = {"issued_at": "issue_day", "due_date": "due_day"}


def _instants(column: pa.Array, name: str, first_row: int) -> list[dt.datetime | None]:
    """A ``timestamp[us, UTC]`` column as aware datetimes (exact integer microseconds); one
    beyond Python's years 1..9999 is refused naming its row."""
    instants: list[dt.datetime | None] = []
    for row, micros in enumerate(column.cast(pa.int64()).to_pylist()):
        try:
            instants.append(None if micros is None else _EPOCH + micros * _MICROSECOND)
        except OverflowError:
            expected = "an instant within the years 1 to 9999"
            raise ColumnarMismatch("invoices", name, expected, micros, first_row + row) from None
    return instants


def _days(column: pa.Array, name: str, first_row: int) -> list[dt.date | None]:
    """A ``date32`` column as dates; a day beyond Python's years 1..9999 is refused."""
    days: list[dt.date | None] = []
    for row, number in enumerate(column.cast(pa.int32()).to_pylist()):
        try:
            days.append(None if number is None else _EPOCH_DAY + number * _ONE_DAY)
        except OverflowError:
            expected = "a day within the years 1 to 9999"
            raise ColumnarMismatch("invoices", name, expected, number, first_row + row) from None
    return days


def _as_written(
    instant: dt.datetime | None, day: dt.date | None, column: str, row: int
) -> dt.datetime | None:
    """``instant`` in a fixed offset whose calendar date is ``day``.

    The columns keep a due date or issue instant in UTC beside the day the API wrote it on
    (``due_day``, ``issue_day``); the rules read that day (``due_day()``, ``issue_date_of``).
    The offset chosen puts the same instant on that day: local midnight when the day is after
    the UTC one, the last microsecond of the day when it is before. A day that no UTC offset
    (strictly within a day) can give for the instant is refused, naming the row, and so is a
    day without its instant or an instant without its day.
    """
    if instant is None or day is None or instant.date() == day:
        if instant is None and day is not None:
            raise ColumnarMismatch("invoices", column, "null (the instant is null)", day, row)
        if instant is not None and day is None:
            expected = "the day the instant was written on (the instant is set)"
            raise ColumnarMismatch("invoices", column, expected, None, row)
        return instant
    shift = dt.datetime.combine(day, dt.time(), dt.UTC) - instant
    if day < instant.date():
        shift += _ONE_DAY - _MICROSECOND
    if not -_ONE_DAY < shift < _ONE_DAY:
        expected = f"the day of {instant.isoformat()} in some UTC offset"
        raise ColumnarMismatch("invoices", column, expected, day, row)
    return instant.astimezone(dt.timezone(shift))


def _is_text(type_: pa.DataType) -> bool:
    """Strings, plain or dictionary-encoded with any index type (what engines hand back)."""
    if pa.types.is_dictionary(type_):
        type_ = type_.value_type
    return bool(pa.types.is_string(type_) or pa.types.is_large_string(type_))


#: Names engines give the UTC zone of a timestamp column (DuckDB's default is Etc/UTC).
_UTC_NAMES: Final = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Z", "+00:00"})


def _same_values(wanted: pa.DataType, column: pa.Array) -> pa.Array | None:
    """``column`` in the ``wanted`` type when the cast cannot change a value, else ``None``:
    text (plain, large — Polars' — or dictionary with any index type) where the schema has a
    string or a dictionary string, and a timestamp of the same unit in another name of UTC."""
    if pa.types.is_dictionary(wanted) and _is_text(column.type):
        return column.cast(pa.string()).dictionary_encode()
    if pa.types.is_string(wanted) and _is_text(column.type):
        return column.cast(pa.string())
    if (
        pa.types.is_timestamp(wanted)
        and pa.types.is_timestamp(column.type)
        and column.type.unit == wanted.unit
        and column.type.tz in _UTC_NAMES
    ):
        return column.cast(wanted)
    return None


def _conformed(batch: pa.RecordBatch) -> pa.RecordBatch:
    """``batch`` as :data:`INVOICES` exactly, or refused naming the first difference.

    A batch that names its table must be the invoices at this schema version. Engines drop
    schema metadata (Spark, Ray) or decode dictionaries to plain strings (Spark), so a batch
    without the metadata is checked column by column, by name and type, and a column whose
    values a cast cannot change is taken (:func:`_same_values`: plain, large or otherwise
    encoded strings; a timestamp in another name of UTC). Anything else (another table,
    a missing or extra column, another type) is :class:`~adapters.errors.ColumnarMismatch`.
    """
    if not isinstance(batch, pa.RecordBatch):
        raise ColumnarMismatch("invoices", "<batch>", "a pyarrow.RecordBatch", type(batch).__name__)
    meta = batch.schema.metadata or {}
    if TABLE_KEY in meta or VERSION_KEY in meta:
        check_schema(batch.schema, INVOICES)
        return batch
    arrays = []
    names = set(batch.schema.names)
    for field in INVOICES:
        if field.name not in names:
            raise ColumnarMismatch("invoices", field.name, f"a column of {field.type}", None)
        column = batch.column(field.name)
        if column.type != field.type:
            same = _same_values(field.type, column)
            if same is None:
                raise ColumnarMismatch("invoices", field.name, str(field.type), str(column.type))
            column = same
        arrays.append(column)
    for name in batch.schema.names:
        if name not in INVOICES.names:
            raise ColumnarMismatch("invoices", name, "no such column", name)
    return pa.RecordBatch.from_arrays(arrays, schema=INVOICES)


def _values(column: pa.Array) -> list[Any]:
    """A column as Python values; a dictionary column through its (short) dictionary."""
    if pa.types.is_dictionary(column.type):
        words = column.dictionary.to_pylist()
        return [None if i is None else words[i] for i in column.indices.to_pylist()]
    values: list[Any] = column.to_pylist()
    return values


def _invoices(batch: pa.RecordBatch, first_row: int) -> list[tuple[Invoice, str]]:
    """The invoice each row describes, with every fact the columns carry and no other, and
    its :func:`~stuut_domain.invoice.status_of`, which must be the row's ``status``."""
    columns: dict[str, list[Any]] = {}
    for name in INVOICES.names:
        column = batch.column(name)
        if name in _INSTANTS:
            columns[name] = _instants(column, name, first_row)
        elif name in _DAYS:
            columns[name] = _days(column, name, first_row)
        else:
            columns[name] = _values(column)
    for instant, day in _WRITTEN_DAYS.items():
        columns[instant] = [
            _as_written(moment, on, day, first_row + row)
            for row, (moment, on) in enumerate(zip(columns[instant], columns[day], strict=True))
        ]
    built = []
    for row in range(batch.num_rows):
        code = columns["currency"][row]
        paid = columns["amount_paid_minor"][row]
        invoice = Invoice(
            object="invoice",
            remote_id="",
            id=columns["id"][row],
            number=columns["number"][row],
            partner_id=columns["partner_id"][row],
            type=columns["type"][row],
            currency=code,
            total_amount=Money(columns["total_amount_minor"][row], code),
            amount_paid=None if paid is None else Money(paid, code),
            amount_due=Money(columns["amount_due_minor"][row], code),
            issued_at=columns["issued_at"][row],
            due_date=columns["due_date"][row],
            paid_at=columns["paid_at"][row],
            voided_at=columns["voided_at"][row],
            marked_uncollectible_at=columns["marked_uncollectible_at"][row],
            promised_to_pay_date=columns["promised_to_pay_date"][row],
            in_dispute=columns["in_dispute"][row],
        )
        status = status_of(invoice).value
        if status != columns["status"][row]:
            expected = f"{status!r} (status_of of the row's facts)"
            raise ColumnarMismatch(
                "invoices", "status", expected, columns["status"][row], first_row + row
            )
        built.append((invoice, status))
    return built


def evaluate_batch(
    batch: pa.RecordBatch,
    *,
    at: dt.datetime,
    partners: Mapping[str, Partner] | Iterable[Partner],
    workflow: Workflow,
    channel: OutreachChannel = "email",
    policy: OutreachPolicy = DEFAULT_POLICY,
    state: OutreachState = EMPTY_STATE,
    credits: Mapping[str, MoneyBag] | None = None,
    first_row: int = 0,
) -> pa.RecordBatch:
    """The library's per-invoice answers for a batch of invoices at the instant ``at``.

    One :data:`EVALUATION` row per row of ``batch`` (a record batch of
    :data:`~adapters.columnar.schema.INVOICES`), in the same order. The business rules are the
    core's, run on the invoice each row describes:

    * ``status`` is :func:`~stuut_domain.invoice.status_of`, and must equal the batch's own
      ``status`` column (a row whose facts give another status is refused);
    * ``overdue_days`` is :func:`~stuut_domain.lifecycle.days_past_due` at ``at``: whole days
      after the due day, 0 unless ``open`` or ``partially_paid``; the columns embed no
      partner, so the day of ``at`` is read in UTC;
    * ``eligible`` and ``blockers`` are the decision of
      :func:`~stuut_domain.outreach.decide_outreach` for that one invoice, with the partner its
      ``partner_id`` names in ``partners``, ``workflow``, ``channel``, ``policy``, ``state``
      and the partner's entry of ``credits``; ``blockers`` are the decision's codes in
      evaluation order. An invoice of no partner in ``partners`` (or none named) is not
      decided: both are null, as :func:`~stuut_domain.outreach.decide_for_portfolio` leaves
      such an invoice out.

    A batch of another table or version, a missing, extra or mistyped column, a null where
    the schema has none, an exponent that is not its currency's or a day that disagrees
    with its instant is refused with :class:`~adapters.errors.ColumnarMismatch`, naming the
    column and the row counted from ``first_row``. ``at`` must be timezone-aware.
    """
    require_aware("at", at)
    if type(first_row) is not int or first_row < 0:
        raise ColumnarMismatch("invoices", "<first_row>", "a non-negative int", first_row)
    batch = _conformed(batch)
    check_batch("invoices", INVOICES, batch, first_row)
    invoices = _invoices(batch, first_row)
    index = partners_by_id(partners)
    contexts: dict[str, OutreachContext] = {}
    statuses: list[str] = []
    overdue: list[int] = []
    eligible: list[bool | None] = []
    blockers: list[list[str] | None] = []
    for invoice, status in invoices:
        statuses.append(status)
        overdue.append(days_past_due(invoice, at))
        pid = invoice.partner_id
        partner = None if pid is None else index.get(pid)
        if pid is None or partner is None:
            eligible.append(None)
            blockers.append(None)
            continue
        context = contexts.get(pid)
        if context is None:
            context = OutreachContext(
                partner=partner, workflow=workflow, channel=channel, policy=policy
            )
            contexts[pid] = context
        credit = None if credits is None else credits.get(pid)
        decision = context.decide(invoice, at=at, state=state, credit=credit)
        eligible.append(decision.eligible)
        blockers.append(list(decision.codes))
    columns: dict[str, list[Any]] = {
        "id": [i.id for i, _ in invoices],
        "partner_id": [i.partner_id for i, _ in invoices],
        "channel": [channel] * len(invoices),
        "status": statuses,
        "overdue_days": overdue,
        "eligible": eligible,
        "blockers": blockers,
    }
    arrays = [
        pa.array(columns[f.name], type=pa.string()).dictionary_encode()
        if pa.types.is_dictionary(f.type)
        else pa.array(columns[f.name], type=f.type)
        for f in EVALUATION
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=EVALUATION)


#: Floats hold every integer below this magnitude exactly; at or above it, a float column
#: (pandas' int64 column with a null) may already have rounded the minor units.
_EXACT_FLOAT_INTEGERS = 2**53


def _check_exact_integers(field: pa.Field, series: Any) -> None:
    """Refuse an integer column whose values are not exact integers within the field's type:
    a float that is not whole, or at or beyond 2**53 in magnitude (pandas stores an int64
    column with a null as float64, which rounds 2**53 + 1 to 2**53; read with
    ``dtype_backend="pyarrow"`` to keep them exact), or a Python int beyond int64 in an
    object column. Names the first such row; never a rounded or wrapped number."""
    kind = getattr(series.dtype, "kind", "O")
    if kind not in "fO":
        return
    bits = field.type.bit_width
    lowest, highest = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    for row, value in enumerate(series.tolist()):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if isinstance(value, float):
            if not value.is_integer() or abs(value) >= _EXACT_FLOAT_INTEGERS:
                raise ColumnarMismatch(
                    "invoices",
                    field.name,
                    f"{field.type}: exact integers (a float column holds them exactly only "
                    "below 2**53; read with dtype_backend='pyarrow')",
                    value,
                    row,
                )
        elif (
            isinstance(value, int)
            and not isinstance(value, bool)
            and not lowest <= value <= highest
        ):
            raise ColumnarMismatch("invoices", field.name, f"{field.type}", value, row)


def evaluate_frame(
    frame: pd.DataFrame,
    *,
    at: dt.datetime,
    partners: Mapping[str, Partner] | Iterable[Partner],
    workflow: Workflow,
    channel: OutreachChannel = "email",
    policy: OutreachPolicy = DEFAULT_POLICY,
    state: OutreachState = EMPTY_STATE,
    credits: Mapping[str, MoneyBag] | None = None,
) -> pd.DataFrame:
    """:func:`evaluate_batch` for a pandas frame of the invoices' columns (Dask's
    ``map_partitions``): the frame goes to Arrow with the :data:`INVOICES` types, and the
    :data:`EVALUATION` rows come back as a frame, in the same order, with a fresh index.

    The rules and refusals are :func:`evaluate_batch`'s, with rows counted within the frame
    (a Dask partition counts from 0); a column that cannot take its schema type is refused
    with :class:`~adapters.errors.ColumnarMismatch` naming it. An
    empty frame gives an empty frame with the evaluation's columns (Dask's ``meta``).
    """
    import pandas as pd  # noqa: PLC0415 -- only this entry point needs pandas

    if not isinstance(frame, pd.DataFrame):
        found = type(frame).__name__
        raise ColumnarMismatch("invoices", "<frame>", "a pandas.DataFrame", found)
    for name in frame.columns:
        if name not in INVOICES.names:
            raise ColumnarMismatch("invoices", str(name), "no such column", name)
    missing = [f for f in INVOICES if f.name not in frame.columns]
    if missing:
        field = missing[0]
        raise ColumnarMismatch("invoices", field.name, f"a column of {field.type}", None)
    arrays = []
    for field in INVOICES:
        if pa.types.is_integer(field.type):
            _check_exact_integers(field, frame[field.name])
        dtype = frame[field.name].dtype
        naive = getattr(dtype, "kind", "") == "M" and getattr(dtype, "tz", None) is None
        if pa.types.is_timestamp(field.type) and naive:  # a wall time, no instant
            raise ColumnarMismatch(
                "invoices", field.name, f"{field.type} (aware instants)", str(dtype)
            )
        try:
            column = pa.array(frame[field.name], type=field.type, from_pandas=True)
        except (
            pa.ArrowInvalid,
            pa.ArrowTypeError,
            pa.ArrowNotImplementedError,
            OverflowError,
        ) as error:
            found = str(frame[field.name].dtype)
            raise ColumnarMismatch(
                "invoices", field.name, f"{field.type} ({error})", found
            ) from None
        # a column backed by Arrow (pandas' ArrowDtype, as dd.read_parquet gives) comes chunked
        arrays.append(column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column)
    batch = pa.RecordBatch.from_arrays(arrays, schema=INVOICES)
    result = evaluate_batch(
        batch,
        at=at,
        partners=partners,
        workflow=workflow,
        channel=channel,
        policy=policy,
        state=state,
        credits=credits,
    )
    return cast("pd.DataFrame", result.to_pandas())
