"""Plain records (a list of dicts) as a text table or an HTML table, and the report base.

Reports give notebooks and terminals the same rows their ``records()`` give DataFrames;
this module only turns those rows into text (pure: it returns strings, it prints nothing).
Decimal amounts get thousands separators, dates their ISO form, ``None`` an empty cell.
The CLI renders its tables with the same functions.
"""

from __future__ import annotations

import abc
import datetime as dt
import enum
import html
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar, TypeVar

import attrs

from stuut_domain.frames import Framed
from stuut_domain.money import Money

__all__ = [
    "Report",
    "cell",
    "compact",
    "compact_repr",
    "duration_text",
    "html_table",
    "short_repr",
    "text_table",
    "to_tenth",
]


def to_tenth(value: Fraction | Decimal | int) -> Decimal:
    """An exact figure (days, say) to one decimal, half to even: how reports show durations.

    Rounded once, from the exact value (``Fraction(1, 20)`` is ``0.0``, ``Fraction(3, 20)``
    is ``0.2``): never through a float, never rounded twice.
    """
    tenths = round(Fraction(value) * 10)
    sign, digits, _ = Decimal(tenths).as_tuple()
    return Decimal((sign, digits, -1))  # built exactly: scaleb would round to 28 digits


def _float_text(value: float) -> str:
    """A float (a ratio or a share, never money) to four significant digits for reading,
    whole with thousands separators from 1,000 up; ``nan``/``inf`` as Python writes them."""
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def cell(value: object) -> str:
    """One value as table text: ``1,234.50`` for a Decimal, ISO for dates, blank for None,
    a float (a ratio, never money) to four significant digits."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value:,}"
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(cell(v) for v in value)
    return str(value)


def _right_aligned(rows: Sequence[Mapping[str, object]], column: str) -> bool:
    values = [row.get(column) for row in rows if row.get(column) is not None]
    return bool(values) and all(
        isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in values
    )


def text_table(
    columns: Sequence[str], rows: Sequence[Mapping[str, object]], *, empty: str = "(none)"
) -> str:
    """A fixed-width table: a header, a rule, one line per row; numbers right-aligned."""
    if not rows:
        return empty
    texts = [[cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(t[i]) for t in texts)) for i, c in enumerate(columns)]
    right = [_right_aligned(rows, c) for c in columns]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(columns), rule, *(line(t) for t in texts)])


def html_table(
    columns: Sequence[str], rows: Sequence[Mapping[str, object]], *, caption: str = ""
) -> str:
    """An HTML ``<table>`` of the rows, every value escaped; numbers right-aligned."""
    right = [_right_aligned(rows, c) for c in columns]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td style="text-align:right">{html.escape(cell(row.get(c)))}</td>'
            if r
            else f"<td>{html.escape(cell(row.get(c)))}</td>"
            for c, r in zip(columns, right, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class Report(Framed):
    """A report value: a title, fixed columns and ``records()`` give its ``repr`` and HTML.

    ``repr`` is the title over a text table (what a terminal and a notebook's plain output
    show); ``_repr_html_`` the same rows as an HTML table (what Jupyter renders);
    ``to_pandas()`` / ``to_polars()`` the same rows as a DataFrame whose ``amount_columns``
    are numbers beside their exact minor units (:class:`~stuut_domain.frames.Framed`).
    """

    __slots__ = ()
    columns: ClassVar[tuple[str, ...]]

    @abc.abstractmethod
    def title(self) -> str:
        """The one-line caption of the report."""

    @abc.abstractmethod
    def records(self) -> list[dict[str, object]]:
        """The report's rows: plain dicts with one key set, ready for ``pandas.DataFrame``."""

    def __repr__(self) -> str:
        return f"{self.title()}\n{text_table(self.columns, self.records())}"

    def _repr_html_(self) -> str:
        return html_table(self.columns, self.records(), caption=self.title())


def short_repr(class_name: str, /, **fields: object) -> str:
    """A one-line repr for notebooks: ``None`` fields left out, Money as ``"123.45 USD"``.

    Datetimes show their calendar date (as the API wrote it, in its own offset).
    """
    parts = []
    for key, value in fields.items():
        if value is None:
            continue
        if isinstance(value, dt.datetime):
            text = value.date().isoformat()
        elif isinstance(value, Money | dt.date):
            text = str(value)
        else:
            text = repr(value)
        parts.append(f"{key}={text}")
    return f"{class_name}({', '.join(parts)})"


#: Longest text a field shows in a compact repr before it is cut with an ellipsis.
_FIELD_TEXT_LIMIT = 80
#: Past this many characters a compact repr names how many more fields it holds.
_REPR_LIMIT = 240
#: A sequence of more items than this shows as a count.
_ITEMS_SHOWN = 3

_C = TypeVar("_C", bound=type)


def compact_repr(value: object) -> str:
    """A one-line repr of an attrs value that says what matters, in a few hundred characters.

    Only fields that say something are shown: ``None``, empty collections, private fields and
    values equal to their default are left out. Money reads as text (``300.00 USD``),
    datetimes as their calendar date, enumerations as their value; nested values show their
    own repr, cut at 80 characters; a sequence of more than three items shows as a count
    (``lines=<4 AllocationLine>``); past about 240 characters the rest is counted
    (``… 12 more fields``). The whole value is still in its fields and ``attrs.asdict``.
    """
    cls = type(value)
    parts: list[str] = []
    length, hidden = 0, 0
    for field in attrs.fields(cls):  # type: ignore[arg-type]
        if field.name.startswith("_") or not field.repr:
            continue
        item = getattr(value, field.name)
        if _says_nothing(item, field):
            continue
        if length > _REPR_LIMIT:
            hidden += 1
            continue
        part = f"{field.name}={_field_text(item)}"
        parts.append(part)
        length += len(part) + 2
    if hidden:
        parts.append(f"… {hidden} more field{'s' if hidden != 1 else ''}")
    return f"{cls.__name__}({', '.join(parts)})"


def compact(cls: _C) -> _C:
    """Class decorator: give an attrs class :func:`compact_repr` as its repr."""
    cls.__repr__ = compact_repr  # type: ignore[method-assign,assignment]
    return cls


def _says_nothing(item: object, field: attrs.Attribute[Any]) -> bool:
    if item is None:
        return True
    if isinstance(item, tuple | list | dict | frozenset | set) and not item:
        return True
    default = field.default
    if default is attrs.NOTHING or isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return False
    try:
        return bool(item == default) and type(item) is type(default)
    except Exception:  # noqa: BLE001 - an odd __eq__ only means "show it"
        return False


def _field_text(item: object) -> str:
    if isinstance(item, Money):
        return str(item)
    if isinstance(item, dt.datetime):
        return item.date().isoformat()
    if isinstance(item, dt.date):
        return item.isoformat()
    if isinstance(item, enum.Enum):
        return repr(item.value)
    if isinstance(item, tuple | list) and len(item) > _ITEMS_SHOWN:
        return f"<{len(item)} {type(item[0]).__name__}>"
    if isinstance(item, tuple | list):
        inner = ", ".join(_field_text(i) for i in item)
        text = (
            f"({inner},)"
            if isinstance(item, tuple) and len(item) == 1
            else (f"({inner})" if isinstance(item, tuple) else f"[{inner}]")
        )
    else:
        text = repr(item)
    if len(text) > _FIELD_TEXT_LIMIT:
        # cut after a whole field where one ends in reach, so no number is cut in two
        cut = text.rfind(", ", 0, _FIELD_TEXT_LIMIT)
        kept = text[:cut] if cut > _FIELD_TEXT_LIMIT // 2 else text[: _FIELD_TEXT_LIMIT - 1]
        text = kept.rstrip("…") + "…"
    return text


def duration_text(value: dt.timedelta) -> str:
    """A duration for people: whole days, then hours and minutes on a clock.

    ``3 days``, ``1 day``, ``1 day 12h``, ``2h30``, ``-1h``; zero is ``0 days``. Seconds
    below a minute are not shown. One wording for blocker messages and policy comparisons.
    """
    sign = "-" if value < dt.timedelta(0) else ""
    value = abs(value)
    days, seconds = value.days, value.seconds
    if not days and not seconds:
        return "0 days"
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    if seconds:
        hours, rest = divmod(seconds, 3600)
        parts.append(f"{hours}h{rest // 60:02d}" if rest else f"{hours}h")
    return sign + " ".join(parts)
