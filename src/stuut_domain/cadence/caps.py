"""Frequency caps: how often one person, partner or invoice may be contacted (ADR 0052).

A :class:`FrequencyCap` counts the attempts the outreach state already records
(:class:`~stuut_domain.outreach.state.SentOutreach`) across the channels it names, in a rolling
window that ends at the decision's instant; at ``max_attempts`` counted attempts it blocks
until the oldest of the ones that put it at the cap leaves the window. ``count`` says which
attempts count: every one ``placed``, only those ``delivered`` (a delivered e-mail, an answered
call, a conversation), or only ``conversations``. ``quiet_after_conversation`` blocks the scope
for that long after its last conversation. Contact-level gaps are the same mechanism
(``max_attempts=1``, ``window=gap``, ``scope="contact"``).

:func:`reg_f_calls` is US Regulation F's call-frequency presumption (12 CFR 1006.14(b)(2)):
no more than 7 calls about a debt within 7 consecutive days, and none within 7 days after a
telephone conversation about it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, Final, Literal, TypeAlias

import attrs

from stuut_domain.cadence._checks import one_of
from stuut_domain.display import duration_text
from stuut_domain.errors import InvalidCadence
from stuut_domain.types import OUTREACH_CHANNELS, OutreachChannel

__all__ = [
    "ATTEMPT_OUTCOMES",
    "CAP_COUNTS",
    "CAP_SCOPES",
    "MAX_SPAN",
    "AttemptOutcome",
    "CapCount",
    "CapHit",
    "CapScope",
    "FrequencyCap",
    "reg_f_calls",
]

#: What an attempt achieved: ``placed`` (sent or dialled), ``delivered`` (reached the inbox,
#: the call was answered or a voicemail left), ``conversation`` (a person spoke with us).
AttemptOutcome: TypeAlias = Literal["placed", "delivered", "conversation"]
ATTEMPT_OUTCOMES: Final[tuple[AttemptOutcome, ...]] = ("placed", "delivered", "conversation")
#: Whose attempts a cap counts: one contact (by address), the partner, or one invoice.
CapScope: TypeAlias = Literal["contact", "partner", "invoice"]
CAP_SCOPES: Final[tuple[CapScope, ...]] = ("contact", "partner", "invoice")
#: Which attempts a cap counts.
CapCount: TypeAlias = Literal["placed", "delivered", "conversations"]
CAP_COUNTS: Final[tuple[CapCount, ...]] = ("placed", "delivered", "conversations")

_COUNTED: Final[dict[CapCount, frozenset[str]]] = {
    "placed": frozenset(ATTEMPT_OUTCOMES),
    "delivered": frozenset({"delivered", "conversation"}),
    "conversations": frozenset({"conversation"}),
}


def _channels(value: Iterable[str]) -> frozenset[OutreachChannel]:
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, Iterable):
        raise InvalidCadence("channels", value, f"one or more of {list(OUTREACH_CHANNELS)}")
    try:
        chosen = frozenset(value)
    except TypeError:
        raise InvalidCadence(
            "channels", value, f"channel names from {list(OUTREACH_CHANNELS)}"
        ) from None
    unknown = sorted(c for c in chosen if c not in OUTREACH_CHANNELS)
    if unknown or not chosen:
        raise InvalidCadence(
            "channels", sorted(chosen), f"a cap names one or more of {list(OUTREACH_CHANNELS)}"
        )
    return chosen  # type: ignore[return-value]


def _positive_count(_instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or value < 1:
        raise InvalidCadence(attribute.name, value, "a cap allows at least one attempt")


#: The longest window or quiet period a cap may hold (ten years): beyond it, nothing would
#: ever clear inside the calendar the engine reasons about.
MAX_SPAN: Final = dt.timedelta(days=3_653)


def _positive_span(_instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not dt.timedelta or value <= dt.timedelta(0):
        raise InvalidCadence(attribute.name, value, "a window is a positive datetime.timedelta")
    if value > MAX_SPAN:
        raise InvalidCadence(attribute.name, value, f"at most {MAX_SPAN.days} days")


def _optional_span(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _positive_span(instance, attribute, value)


@attrs.frozen(kw_only=True, weakref_slot=False)
class CapHit:
    """A cap in force: which cap, how many attempts it counted, and when it clears.

    ``quiet`` is true when the block is the quiet period after a conversation rather than
    the count. ``subject`` names the contact address, partner or invoice counted.
    """

    cap: FrequencyCap
    subject: str
    counted: int
    clears_at: dt.datetime
    quiet: bool = False

    def describe(self) -> str:
        """The hit for people."""
        if self.quiet:
            return (
                f"{self.cap.label}: a conversation with {self.subject} was held less than "
                f"{duration_text(self.cap.quiet_after_conversation or dt.timedelta(0))} ago"
            )
        return (
            f"{self.cap.label}: {self.counted} {self.cap.count} attempts with {self.subject} "
            f"in {duration_text(self.cap.window)} (at most {self.cap.max_attempts})"
        )


@attrs.frozen(kw_only=True, weakref_slot=False)
class FrequencyCap:
    """At most ``max_attempts`` counted attempts on ``channels`` per ``scope`` in ``window``.

    * ``channels``: the channels counted together (``{"email", "call"}`` caps them jointly),
      and the channels the cap blocks;
    * ``scope``: ``"contact"`` counts the attempts that reached a recipient's address,
      ``"partner"`` every attempt to the partner, ``"invoice"`` the attempts about one invoice;
    * ``count``: ``"placed"`` (every attempt), ``"delivered"`` or ``"conversations"``;
    * ``quiet_after_conversation``: none within this span after a conversation in the scope.

    The window is rolling and ends at the decision's instant: an attempt at ``t`` counts until
    ``t + window``. A zero or negative cap or window is refused
    (:class:`~stuut_domain.errors.InvalidCadence`). ``name`` labels it in reasons.
    """

    channels: frozenset[OutreachChannel] = attrs.field(converter=_channels)
    max_attempts: int = attrs.field(validator=_positive_count)
    window: dt.timedelta = attrs.field(validator=_positive_span)
    scope: CapScope = attrs.field(default="contact", validator=one_of(CAP_SCOPES))
    count: CapCount = attrs.field(default="placed", validator=one_of(CAP_COUNTS))
    quiet_after_conversation: dt.timedelta | None = attrs.field(
        default=None, validator=_optional_span
    )
    name: str | None = None

    @property
    def label(self) -> str:
        """The cap for people: its name, else its terms."""
        if self.name:
            return self.name
        channels = "+".join(sorted(self.channels))
        return f"{self.max_attempts} {channels} per {self.scope} in {duration_text(self.window)}"

    def applies_to(self, channel: OutreachChannel) -> bool:
        """Whether the cap blocks outreach on ``channel``."""
        return channel in self.channels

    def hit(self, attempts: Sequence[Any], *, at: dt.datetime, subject: str) -> CapHit | None:
        """The hit at ``at`` over ``attempts`` already in this cap's scope, else ``None``.

        ``attempts`` are the scope's recorded attempts (any order, any channel: the cap keeps
        those on its channels, counted as ``count`` says, sent before ``at``).
        """
        counted_outcomes = _COUNTED[self.count]
        times: list[dt.datetime] = []
        last_talk: dt.datetime | None = None
        try:
            since = at - self.window
        except OverflowError:
            since = dt.datetime.min.replace(tzinfo=dt.UTC)
        quiet = self.quiet_after_conversation
        for attempt in attempts:
            if attempt.channel not in self.channels:
                continue
            sent = attempt.sent_at
            if sent > at:
                continue
            outcome = getattr(attempt, "outcome", "placed")
            if (
                quiet is not None
                and outcome == "conversation"
                and (last_talk is None or sent > last_talk)
            ):
                last_talk = sent
            if sent > since and outcome in counted_outcomes:
                times.append(sent)
        hits: list[CapHit] = []
        if len(times) >= self.max_attempts:
            times.sort()
            clears = _plus(times[len(times) - self.max_attempts], self.window)
            hits.append(CapHit(cap=self, subject=subject, counted=len(times), clears_at=clears))
        if quiet is not None and last_talk is not None and at < _plus(last_talk, quiet):
            hits.append(
                CapHit(
                    cap=self,
                    subject=subject,
                    counted=len(times),
                    clears_at=_plus(last_talk, quiet),
                    quiet=True,
                )
            )
        if not hits:
            return None
        return max(hits, key=lambda h: h.clears_at)


def _plus(value: dt.datetime, span: dt.timedelta) -> dt.datetime:
    """``value + span``, saturated at the end of the calendar (never an overflow)."""
    try:
        return value + span
    except OverflowError:
        return dt.datetime.max.replace(tzinfo=dt.UTC)


def reg_f_calls() -> FrequencyCap:
    """Regulation F's call cap: 7 calls per debt in 7 days, none for 7 days after a talk.

    12 CFR 1006.14(b)(2): a debt collector is presumed to harass when it calls about a debt
    more than seven times within seven consecutive days, or within seven days after a
    telephone conversation about it. Counted per invoice (the debt), every call placed.
    """
    week = dt.timedelta(days=7)
    return FrequencyCap(
        channels={"call"},
        max_attempts=7,
        window=week,
        scope="invoice",
        count="placed",
        quiet_after_conversation=week,
        name="Regulation F: 7 calls per debt in 7 days",
    )
