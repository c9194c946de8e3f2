"""The outreach decision as a value: blockers with stable codes, notes, and the verdict.

:class:`OutreachDecision` is what :func:`~stuut_domain.outreach.decide_outreach` returns. Every
blocker code and its message template is published in :data:`BLOCKER_CODES` (codes never change
once published; services branch on them), every note code in :data:`NOTE_CODES`. Messages are
rendered from a blocker's facts on demand; :meth:`OutreachDecision.explain` renders the whole
decision for people and :meth:`OutreachDecision.as_record` as one flat row.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from typing import Final

import attrs

from stuut_domain.display import duration_text, html_table
from stuut_domain.invoice import Invoice
from stuut_domain.outreach.recipients import Recipient
from stuut_domain.outreach.schedule import UTC, WEEKDAY_NAMES
from stuut_domain.types import OutreachChannel
from stuut_domain.validators import zone_named

__all__ = [
    "BLOCKER_CODES",
    "NOTE_CODES",
    "Blocker",
    "Note",
    "OutreachDecision",
    "duration_text",
    "invoice_key",
]

#: Every blocker code with the template of its message (filled from the blocker's facts).
BLOCKER_CODES: Final[Mapping[str, str]] = {
    "not_receivable": "invoice {invoice} is a payable invoice; only receivables are chased",
    "draft": "invoice {invoice} is a draft: it has not been issued",
    "void": "invoice {invoice} was voided at {voided_at}",
    "uncollectible": "invoice {invoice} was marked uncollectible at {marked_at}",
    "nothing_owed": (
        "nothing is owed on invoice {invoice} (amount due {amount_due}, status {status})"
    ),
    "credit_covers_balance": (
        "credits cover the partner's {currency} balance (net {net} over the invoices given)"
    ),
    "in_dispute": "invoice {invoice} is in dispute and excluded from outreach",
    "promise_to_pay": (
        "payment on invoice {invoice} is promised for {promised} "
        "(plus {grace} grace days): outreach holds until {until}"
    ),
    "payment_in_flight": (
        "pending payment allocations of {pending} cover the amount due {amount_due} "
        "on invoice {invoice}"
    ),
    "payment_processing": "the payment portal reports a payment processing for invoice {invoice}",
    "before_first_reminder": (
        "reminders for invoice {invoice} start {offset} from its due day {due}"
    ),
    "invoice_gap": (
        "outreach about invoice {invoice} on {scope} last went out at {last}; "
        "the minimum gap is {gap}"
    ),
    "no_open_invoices": "no invoice was given: there is nothing to chase",
    "partner_inactive": "partner {partner} is inactive",
    "channel_disabled": "{channel} is disabled for partner {partner}",
    "channel_paused": "{channel} outreach to partner {partner} is manually paused",
    "paused_until": "outreach to partner {partner} is paused until {until}{reason}",
    "no_reachable_contact": "no contact of partner {partner} can be reached by {channel}: {why}",
    "partner_gap": (
        "outreach to partner {partner} on {scope} last went out at {last}; the minimum gap is {gap}"
    ),
    "workflow_inactive": "workflow {workflow} is inactive",
    "invalid_window": "workflow {workflow} has an unusable outreach window: {error}",
    "unknown_time_zone": "the {source}'s time zone {name!r} is not known here",
    "no_outreach_day": "workflow {workflow} allows {channel} on no day: {why}",
    "outside_window": "local time {local} is outside the outreach window {window}",
    "inactive_day": "{day} is not an active day of workflow {workflow}",
    "weekend_call": "calls on weekends ({day}) are not enabled in workflow {workflow}",
    "holiday": "{closed}: the recipient's business calendar is closed that day",
    "frequency_cap": "{why}",
    "invoice_frequency_cap": "invoice {invoice}: {why}",
    "no_consent": "no recipient of partner {partner} may be reached by {channel}: {why}",
}

#: Every note code (information that does not block) with what it means.
NOTE_CODES: Final[Mapping[str, str]] = {
    "recipient_fallback": "no contact qualifies; the partner's own address is used",
    "promise_broken": "a promise to pay lapsed (date plus grace passed); outreach resumed",
    "zone_fallback": "the partner names no time zone; another zone is used",
    "calendar_fallback": (
        "the recipient's region is unknown or absent; another business calendar (or none) is used"
    ),
    "batched": (
        "invoices held only by their own gap go in a contact that goes out anyway "
        "(batching='partner')"
    ),
    "recipient_excluded": (
        "a recipient is left out (consent withdrawn or a frequency cap reached); others remain"
    ),
}

_NO_FACTS: Mapping[str, object] = {}


def _human(value: object) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is UTC:
            return value.strftime("%Y-%m-%d %H:%M UTC")
        zone = value.tzinfo
        name = zone.key if isinstance(zone, zoneinfo.ZoneInfo) else value.strftime("%z")
        return f"{value:%Y-%m-%d %H:%M} {name}"
    if isinstance(value, dt.timedelta):
        return duration_text(value)
    return str(value)


def invoice_key(invoice: Invoice) -> str:
    """How a decision names an invoice (``invoice_ids``, ``Blocker.invoice_id``): its id,
    else its number, else its remote id."""
    return invoice.id or invoice.number or invoice.remote_id


@attrs.frozen(kw_only=True, weakref_slot=False)
class Blocker:
    """One reason outreach may not happen: a stable ``code``, its facts and when it clears.

    ``clears_at`` (UTC) is set when the blocker is time-based: the rule stops blocking at that
    instant if nothing else changes (for ``outside_window``, ``inactive_day`` and
    ``weekend_call``: the next opening of the weekly schedule). ``None`` means it clears only
    when the facts change. ``invoice_id`` names the invoice an invoice-level rule is about.
    ``message`` is rendered from :data:`BLOCKER_CODES` and ``facts`` on demand.
    """

    code: str
    clears_at: dt.datetime | None = None
    invoice_id: str | None = None
    facts: Mapping[str, object] = attrs.field(default=_NO_FACTS, hash=False)

    @property
    def is_time_based(self) -> bool:
        """Whether the blocker clears by itself at ``clears_at``."""
        return self.clears_at is not None

    @property
    def message(self) -> str:
        """The reason for people, e.g. ``invoice INV-7 is in dispute and excluded …``."""
        facts = {key: _human(value) for key, value in self.facts.items()}
        return BLOCKER_CODES[self.code].format_map(facts)

    def __str__(self) -> str:
        text = f"[{self.code}] {self.message}"
        if self.clears_at is not None:
            text += f"; clears {_human(self.clears_at)}"
        return text


@attrs.frozen(kw_only=True, weakref_slot=False)
class Note:
    """Information about a decision that does not block it (a stable ``code`` and a message)."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class OutreachDecision:
    """The answer to "may we reach this partner on this channel at this instant?", explained.

    ``eligible`` is true exactly when ``blockers`` is empty. ``invoice_ids`` are the invoices
    the outreach may be about; ``excluded`` the blockers of invoices left out of it.
    ``next_eligible_at`` is ``at`` when eligible, else the earliest instant at which every
    time-based blocker clears together (inside the window of an allowed day), or ``None`` when
    a blocker remains that only a change of facts clears. Instants are UTC; ``zone`` names the
    time zone whose wall clock the window and dates were read on.
    """

    eligible: bool
    channel: OutreachChannel
    at: dt.datetime
    partner_id: str | None
    partner_name: str | None
    invoice_ids: tuple[str, ...]
    blockers: tuple[Blocker, ...]
    excluded: tuple[Blocker, ...]
    recipients: tuple[Recipient, ...]
    next_eligible_at: dt.datetime | None
    zone: str | None
    notes: tuple[Note, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of the blockers, in evaluation order (empty when eligible)."""
        return tuple(b.code for b in self.blockers)

    def _local(self, instant: dt.datetime) -> str:
        text = _human(instant)
        if self.zone is None or self.zone == "UTC":
            return text
        local = instant.astimezone(zone_named(self.zone))
        return f"{text} ({WEEKDAY_NAMES[local.weekday()]} {local:%H:%M} {self.zone})"

    def _blocker_line(self, blocker: Blocker) -> str:
        line = f"[{blocker.code}] {blocker.message}"
        if blocker.clears_at is not None:
            line += f"; clears {self._local(blocker.clears_at)}"
        return line

    def explain(self) -> str:
        """Plain text for people: the verdict, every reason, when it may go, to whom."""
        who = self.partner_name or self.partner_id or "the partner"
        if self.partner_name and self.partner_id:
            who = f"{self.partner_name} ({self.partner_id})"
        verdict = "eligible" if self.eligible else "not eligible"
        lines = [f"Outreach by {self.channel} to {who} at {self._local(self.at)}: {verdict}."]
        if self.invoice_ids:
            lines.append("About invoices: " + ", ".join(self.invoice_ids) + ".")
        if self.blockers:
            lines.append("Blocked by:")
            lines.extend(f"  - {self._blocker_line(b)}" for b in self.blockers)
        if self.excluded:
            lines.append("Invoices left out:")
            lines.extend(f"  - {self._blocker_line(b)}" for b in self.excluded)
        if not self.eligible:
            if self.next_eligible_at is None:
                lines.append("Next eligible: not by time alone; the facts above must change.")
            else:
                lines.append(f"Next eligible: {self._local(self.next_eligible_at)}.")
        if self.recipients:
            lines.append("Recipients: " + "; ".join(str(r) for r in self.recipients) + ".")
        if self.notes:
            lines.append("Notes:")
            lines.extend(f"  - {n}" for n in self.notes)
        return "\n".join(lines)

    def as_record(self) -> dict[str, object]:
        """A plain row for a DataFrame or JSON output."""
        return {
            "partner_id": self.partner_id,
            "channel": self.channel,
            "at": self.at.isoformat(),
            "eligible": self.eligible,
            "codes": ",".join(self.codes),
            "invoice_ids": ",".join(self.invoice_ids),
            "recipients": ",".join(r.address for r in self.recipients),
            "next_eligible_at": (
                None if self.next_eligible_at is None else self.next_eligible_at.isoformat()
            ),
            "zone": self.zone,
        }

    def _repr_html_(self) -> str:
        """The explanation as a notebook cell: verdict, then one row per reason or note."""
        rows: list[dict[str, object]] = [
            {"kind": "blocker", "code": b.code, "message": b.message, "clears_at": b.clears_at}
            for b in (*self.blockers, *self.excluded)
        ]
        rows += [{"kind": "recipient", "message": str(r)} for r in self.recipients]
        rows += [{"kind": "note", "message": str(n)} for n in self.notes]
        verdict = "eligible" if self.eligible else "not eligible"
        caption = f"{self.channel} to {self.partner_name or self.partner_id}: {verdict}"
        if not self.eligible and self.next_eligible_at is not None:
            caption += f" (next eligible {self.next_eligible_at.isoformat()})"
        return html_table(["kind", "code", "message", "clears_at"], rows, caption=caption)

    def __repr__(self) -> str:
        state = "eligible" if self.eligible else f"blocked by {', '.join(self.codes)}"
        return f"OutreachDecision({self.channel} to {self.partner_id!r} at {self.at}: {state})"
