"""Dunning levels derived at an instant from facts, never from a scheduled state (ADR 0051).

A :class:`DunningPolicy` lists :class:`DunningLevel` s in escalating order, each entered when
the partner's **anchor** invoice is at least ``days_overdue`` days past its due day (negative:
before it). The anchor is the oldest unpaid, undisputed invoice (open or partially paid, not
``in_dispute``; the earliest due day, then the earliest issue, then the id). Because the level
is recomputed from the invoices and the levels already reached each time it is asked, a
partial payment cannot move a schedule and silently skip a level (Kill Bill's open bug): a
level passed over is reported in ``skipped`` by name.

Two named progressions: ``"may_skip"`` (the level the anchor's age calls for, with the levels
below it that were never reached reported as skipped) and ``"one_per_contact"`` (one level per
contact: the level after the highest one reached, once the anchor is old enough for it).
``per_partner`` (default true) covers every owed, undisputed invoice of the partner in one
reminder at the partner's level (OCA credit_control's most requested change); false covers
the anchor alone.
"""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from collections.abc import Iterable, Sequence
from typing import Any, Final, Literal, TypeAlias

import attrs

from stuut_domain.cadence._checks import one_of
from stuut_domain.errors import InvalidCadence
from stuut_domain.invoice import OWED, Invoice, status_of
from stuut_domain.lifecycle import due_day
from stuut_domain.types import OUTREACH_CHANNELS, OutreachChannel
from stuut_domain.validators import require_aware, zone_named

__all__ = [
    "LEVEL_KINDS",
    "MAX_LEVEL_DAYS",
    "PROGRESSIONS",
    "DunningLevel",
    "DunningPolicy",
    "DunningStatus",
    "LevelKind",
    "Progression",
    "dunning_level",
]

#: What a level does: a reminder on its channels, a call task for a person, a letter, or a
#: hand-off to a collection agency.
LevelKind: TypeAlias = Literal["reminder", "call_task", "letter", "agency"]
LEVEL_KINDS: Final[tuple[LevelKind, ...]] = ("reminder", "call_task", "letter", "agency")
#: How levels follow each other (see the module docs).
Progression: TypeAlias = Literal["may_skip", "one_per_contact"]
PROGRESSIONS: Final[tuple[Progression, ...]] = ("may_skip", "one_per_contact")


def _level_channels(value: Iterable[str]) -> tuple[OutreachChannel, ...]:
    if not isinstance(value, (str, Iterable)):
        raise InvalidCadence("channels", value, f"channels are {list(OUTREACH_CHANNELS)}")
    chosen = (value,) if isinstance(value, str) else tuple(value)
    unknown = [c for c in chosen if c not in OUTREACH_CHANNELS]
    if unknown:
        raise InvalidCadence("channels", list(chosen), f"channels are {list(OUTREACH_CHANNELS)}")
    return chosen  # type: ignore[return-value]


#: The furthest a level may sit from the due day (a century either side).
MAX_LEVEL_DAYS: Final = 36_525


def _whole_days(_instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int:
        raise InvalidCadence(attribute.name, value, "a whole number of days")
    if abs(value) > MAX_LEVEL_DAYS:
        raise InvalidCadence(attribute.name, value, f"at most {MAX_LEVEL_DAYS} days either side")


def _name(_instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidCadence(attribute.name, value, "a level has a non-empty name")


@attrs.frozen(kw_only=True, weakref_slot=False)
class DunningLevel:
    """One escalation step: entered at ``days_overdue`` days past the anchor's due day.

    ``channels`` the channels it uses (none for a letter or an agency hand-off), ``template``
    the message it sends, ``sending`` ``"automatic"`` or ``"approval"`` (a person approves each
    one), ``kind`` what it is (reminder, call task, letter, agency hand-off).
    """

    name: str = attrs.field(validator=_name)
    days_overdue: int = attrs.field(validator=_whole_days)
    channels: tuple[OutreachChannel, ...] = attrs.field(
        default=("email",), converter=_level_channels
    )
    template: str | None = None
    sending: Literal["automatic", "approval"] = attrs.field(
        default="automatic", validator=one_of(("automatic", "approval"))
    )
    kind: LevelKind = attrs.field(default="reminder", validator=one_of(LEVEL_KINDS))


def _levels(value: Iterable[DunningLevel]) -> tuple[DunningLevel, ...]:
    if not isinstance(value, Iterable):
        raise InvalidCadence("levels", value, "a sequence of DunningLevel")
    levels = tuple(value)
    for level in levels:
        if not isinstance(level, DunningLevel):
            raise InvalidCadence("levels", level, "each level is a DunningLevel")
    if not levels:
        raise InvalidCadence("levels", levels, "a dunning policy has at least one level")
    names = [level.name for level in levels]
    if len(set(names)) != len(names):
        raise InvalidCadence("levels", names, "level names are unique")
    for before, after in itertools.pairwise(levels):
        if after.days_overdue <= before.days_overdue:
            raise InvalidCadence(
                "levels",
                [(level.name, level.days_overdue) for level in levels],
                f"levels are in strictly increasing days_overdue order: {after.name!r} "
                f"({after.days_overdue}) comes after {before.name!r} ({before.days_overdue})",
            )
    return levels


@attrs.frozen(kw_only=True, weakref_slot=False)
class DunningPolicy:
    """The levels in escalating order and how they follow each other (module docs).

    Levels out of order, duplicate names or no level at all are refused
    (:class:`~stuut_domain.errors.InvalidCadence`, naming ``levels``).
    """

    levels: tuple[DunningLevel, ...] = attrs.field(converter=_levels)
    progression: Progression = attrs.field(default="may_skip", validator=one_of(PROGRESSIONS))
    per_partner: bool = True

    def index(self, name: str) -> int:
        """The position of the level named ``name``; unknown names are refused."""
        for i, level in enumerate(self.levels):
            if level.name == name:
                return i
        raise InvalidCadence("reached", name, f"no level is named {name!r}")


@attrs.frozen(kw_only=True, weakref_slot=False)
class DunningStatus:
    """The level a partner is at, derived at ``at``, and why.

    ``level`` ``None``: no level yet (no anchor, or the anchor is too young). ``anchor`` the
    invoice the level is measured on, ``days_overdue`` its age in days past due (negative
    before), ``invoice_ids`` what the level's contact covers, ``next_level`` and ``next_at``
    the next escalation and the instant it becomes due (``at`` itself when it waits only for
    the current level's contact), ``skipped`` the levels passed over without being reached.
    """

    at: dt.datetime
    level: DunningLevel | None
    anchor: Invoice | None
    days_overdue: int | None
    invoice_ids: tuple[str, ...]
    next_level: DunningLevel | None
    next_at: dt.datetime | None
    skipped: tuple[DunningLevel, ...]
    reason: str


def _anchor_day(invoice: Invoice) -> dt.date:
    due = due_day(invoice)
    if due is not None:
        return due
    if invoice.issued_at is not None:
        return invoice.issued_at.date()
    return dt.date.max


def _anchor_key(invoice: Invoice) -> tuple[dt.date, dt.datetime, str]:
    issued = invoice.issued_at or dt.datetime.max.replace(tzinfo=dt.UTC)
    return (_anchor_day(invoice), issued, invoice.id or "")


def _chased(invoice: Invoice) -> bool:
    return (
        status_of(invoice) in OWED and not invoice.in_dispute and invoice.amount_due.minor_units > 0
    )


def _zone(invoice: Invoice, given: dt.tzinfo | str | None) -> tuple[dt.tzinfo, str | None]:
    """The zone days are counted in, and a note when it is a fallback."""
    if isinstance(given, str):
        found = zone_named(given)
        assert found is not None  # a non-empty name is known or raises UnknownTimeZone
        return found, None
    if given is not None:
        return given, None
    zone: zoneinfo.ZoneInfo | None = invoice.partner.zone if invoice.partner is not None else None
    if zone is not None:
        return zone, None
    return dt.UTC, "days counted in UTC: no zone given and the anchor embeds no partner zone"


def _local_midnight(day: dt.date, days: int, zone: dt.tzinfo) -> dt.datetime | None:
    """Midnight ``days`` after ``day`` on the zone's clock, ``None`` beyond the calendar."""
    try:
        moved = day + dt.timedelta(days=days)
        # fold=0 maps a midnight inside a DST gap to the instant the clock jumps past it.
        return dt.datetime.combine(moved, dt.time(), tzinfo=zone).astimezone(dt.UTC)
    except OverflowError:
        return None


def _level_at(levels: Sequence[DunningLevel], days: int) -> int:
    found = -1
    for i, level in enumerate(levels):
        if level.days_overdue <= days:
            found = i
    return found


def dunning_level(
    invoices: Iterable[Invoice],
    policy: DunningPolicy,
    at: dt.datetime,
    *,
    reached: Iterable[str] = (),
    zone: dt.tzinfo | str | None = None,
) -> DunningStatus:
    """The dunning level of one partner's ``invoices`` at ``at`` (module docs for the rules).

    ``reached`` names the levels already entered for the partner (from the outreach log);
    an unknown name is refused. Days are counted on the partner's calendar: in ``zone`` (a
    name or a tzinfo; the outreach decision's zone, say), else the zone of the partner the
    anchor embeds, else UTC, and the reason then says so. ``invoices`` may be one invoice.
    """
    require_aware("at", at)
    if not isinstance(policy, DunningPolicy):
        raise InvalidCadence("policy", policy, "a DunningPolicy")
    if isinstance(reached, str):
        reached = (reached,)
    items = (invoices,) if isinstance(invoices, Invoice) else tuple(invoices)
    for item in items:
        if not isinstance(item, Invoice):
            raise InvalidCadence("invoices", item, "each item is an Invoice")
    levels = policy.levels
    reached_idx = {policy.index(name) for name in reached}
    chased = sorted((inv for inv in items if _chased(inv)), key=_anchor_key)
    if not chased:
        return DunningStatus(
            at=at,
            level=None,
            anchor=None,
            days_overdue=None,
            invoice_ids=(),
            next_level=None,
            next_at=None,
            skipped=(),
            reason="no unpaid, undisputed invoice: nothing to dun",
        )
    anchor = chased[0]
    base = _anchor_day(anchor)
    where, fallback = _zone(anchor, zone)
    days = (at.astimezone(where).date() - base).days if base != dt.date.max else None
    label = anchor.number or anchor.id or "(unnumbered)"
    if days is None:
        return DunningStatus(
            at=at,
            level=None,
            anchor=anchor,
            days_overdue=None,
            invoice_ids=(),
            next_level=None,
            next_at=None,
            skipped=(),
            reason=f"anchor {label} has neither a due date nor an issue date",
        )
    due_idx = _level_at(levels, days)
    top_reached = max(reached_idx, default=-1)
    if policy.progression == "one_per_contact" and due_idx > top_reached:
        current = top_reached + 1
        skipped: tuple[DunningLevel, ...] = ()
    else:
        current = due_idx
        skipped = tuple(levels[i] for i in range(current) if i not in reached_idx)
    level = levels[current] if current >= 0 else None
    following = levels[current + 1] if current + 1 < len(levels) else None
    next_at: dt.datetime | None = None
    if following is not None:
        when = _local_midnight(base, following.days_overdue, where)
        next_at = None if when is None else max(when, at)
    covered = chased if policy.per_partner else [anchor]
    ids = tuple(inv.id for inv in covered if inv.id is not None)
    if level is None:
        first = levels[0].days_overdue
        reason = f"anchor {label} is {days} days past due; the first level starts at {first}"
    else:
        reason = (
            f"anchor {label} is {days} days past due: "
            f"level {level.name!r} (from {level.days_overdue})"
        )
        if skipped:
            reason += "; skipped without contact: " + ", ".join(repr(s.name) for s in skipped)
    if fallback is not None:
        reason += f" ({fallback})"
    return DunningStatus(
        at=at,
        level=level,
        anchor=anchor,
        days_overdue=days,
        invoice_ids=ids,
        next_level=following,
        next_at=next_at,
        skipped=skipped,
        reason=reason,
    )
