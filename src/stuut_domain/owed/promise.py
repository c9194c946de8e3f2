"""Promises to pay: a partner's word about invoices, amounts and a date, read against payments.

A :class:`Promise` names the partner, the invoices with the amounts promised on each, the
promised date and how the money will come (``method``). Its status is never stored:
:func:`promise_status` derives it at an instant from the payments' approved allocations,
appropriated to active promises first-in-first-out (Oracle Collections' promise tracking,
ADR 0049): ``pending``, ``kept``, ``partially_kept``, ``broken``, ``cancelled`` or
``superseded``, with the allocations that fulfilled it. A withdrawn or refunded allocation is
gone from its payment, so it is un-appropriated by construction.

The deadline is the promised date, padded by the method's transit days
(:data:`METHOD_PADDING_DAYS`, Stuut's figures, replaceable in :class:`PromisePolicy`), plus
grace days: calendar days, or business days of the policy's ``calendar`` (ADR 0050) when it
has one.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import attrs

from stuut_domain.display import compact
from stuut_domain.errors import OwedRefused
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.owed.credit_note import unissued_refusal
from stuut_domain.payment import Payment, PaymentAllocation, is_approved
from stuut_domain.types import Sourced
from stuut_domain.validators import aware, currency_code, require_aware

if TYPE_CHECKING:
    from stuut_domain.ports import BusinessCalendar

__all__ = [
    "DEFAULT_PROMISE_POLICY",
    "EARLIEST_PROMISED_DATE",
    "LATEST_PROMISED_DATE",
    "MAX_POLICY_DAYS",
    "METHOD_PADDING_DAYS",
    "Appropriated",
    "Promise",
    "PromisePolicy",
    "PromiseReading",
    "PromiseStatus",
    "PromisedInvoice",
    "appropriate",
    "cancel_promise",
    "check_promise",
    "deadline_of",
    "promise_status",
    "promise_statuses",
    "supersede_promise",
]

#: Transit days a payment method adds to a promised date before the money can be seen
#: (Stuut's help centre: ACH +3, check +14, wire +2–3 (the upper end is taken), other +14).
#: A named, replaceable table: pass another mapping as ``PromisePolicy.padding``.
METHOD_PADDING_DAYS: Final[Mapping[str, int]] = MappingProxyType(
    {"ach": 3, "check": 14, "wire": 3, "other": 14}
)


class PromiseStatus(enum.StrEnum):
    """Where a promise stands at an instant (derived, never stored).

    ``pending``: its deadline has not passed and it is not kept yet. ``kept``: the
    appropriated money reached the kept threshold. ``partially_kept``: the deadline passed
    with money in the partial band. ``broken``: the deadline passed below it.
    ``cancelled``/``superseded``: withdrawn, or replaced by another promise.
    """

    PENDING = "pending"
    KEPT = "kept"
    PARTIALLY_KEPT = "partially_kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"
    SUPERSEDED = "superseded"


#: The statuses in which a promise still takes money.
ACTIVE: Final = frozenset({PromiseStatus.PENDING})


def _share(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, Fraction) or not 0 <= value <= 1:
        raise OwedRefused(
            "promise_policy_share",
            attribute.name,
            f"a share is an exact Fraction from 0 to 1, not {value!r}",
            value=value,
        )


#: The most days a policy may pad or grant (ten years): a bound that keeps every deadline a
#: real date, and far above any payment method's transit time.
MAX_POLICY_DAYS: Final = 3_660

#: The first and last promised dates accepted: deadlines and holds stay real dates.
EARLIEST_PROMISED_DATE: Final = dt.date.min + dt.timedelta(days=2 * MAX_POLICY_DAYS)
LATEST_PROMISED_DATE: Final = dt.date.max - dt.timedelta(days=2 * MAX_POLICY_DAYS)


def _check_days(path: str, value: Any) -> None:
    if type(value) is not int or not 0 <= value <= MAX_POLICY_DAYS:
        raise OwedRefused(
            "promise_policy_days",
            path,
            f"days are an int from 0 to {MAX_POLICY_DAYS}, not {value!r}",
            value=value,
        )


def _days(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    _check_days(attribute.name, value)


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class PromisePolicy:
    """How promises are judged.

    ``kept_threshold``: the share of the promised amount that keeps the promise (default all of
    it; above 0, or nothing paid would keep it). ``partial_threshold``: from this share (and
    above zero) a lapsed promise is ``partially_kept`` rather than ``broken`` (default: any
    money). ``grace_days`` after the padded date (default 2, Stuut's 1–2). ``padding``: transit
    days by payment method, with ``"other"`` for unknown methods (default
    :data:`METHOD_PADDING_DAYS`). ``calendar``: when set, the grace days are that calendar's
    business days after the padded date, so the deadline is a business day (a promise padded to
    a Saturday with 2 days of grace runs to Tuesday); without one they are calendar days.
    """

    kept_threshold: Fraction = attrs.field(default=Fraction(1), validator=_share)
    partial_threshold: Fraction = attrs.field(default=Fraction(0), validator=_share)
    grace_days: int = attrs.field(default=2, validator=_days)
    padding: Mapping[str, int] = METHOD_PADDING_DAYS
    calendar: BusinessCalendar | None = None

    def __attrs_post_init__(self) -> None:
        if not self.kept_threshold:
            raise OwedRefused(
                "promise_policy_share",
                "kept_threshold",
                "a kept threshold of 0 would keep a promise with nothing paid; it is above 0",
                value=self.kept_threshold,
            )
        if self.partial_threshold > self.kept_threshold:
            raise OwedRefused(
                "promise_policy_share",
                "partial_threshold",
                f"the partial band starts at {self.partial_threshold}, above the kept "
                f"threshold {self.kept_threshold}",
            )
        padding: object = self.padding
        if not isinstance(padding, Mapping):
            raise OwedRefused(
                "promise_policy_days",
                "padding",
                f"padding is a mapping of method to days, not {padding!r}",
            )
        for method, days in padding.items():
            if not isinstance(method, str):
                raise OwedRefused(
                    "promise_policy_method",
                    "padding",
                    f"a padding key is a payment method name, not {method!r}",
                    method=method,
                )
            _check_days(f"padding[{method!r}]", days)

    def padding_for(self, method: str | None) -> int:
        """Transit days for ``method``, then for it lower-cased (``"ACH"`` reads ``"ach"``);
        ``"other"``'s for an unknown or missing one; 0 if the table has no ``"other"``."""
        if isinstance(method, str):
            for key in (method, method.lower()):
                if key in self.padding:
                    return self.padding[key]
        return self.padding.get("other", 0)


DEFAULT_PROMISE_POLICY: Final = PromisePolicy()


def _amount_code(item: Any) -> str | None:
    """The item's currency when none is given: its amount's (None for a refused amount)."""
    amount = item.amount
    return amount.code if isinstance(amount, Money) else None


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class PromisedInvoice(Sourced):
    """One invoice in a promise and the amount promised on it (invoice currency).

    Rule: the amount is :class:`Money` above zero (``promise_amount``): a promise of nothing
    or of less than nothing cannot be kept or broken. ``currency`` is the amount's when not
    given: it is the field that says, on the wire, what currency the integer amount is in
    (ADR 0055); another currency is refused (``promise_amount``).
    """

    invoice_id: str
    amount: Money
    currency: str | None = attrs.field(
        default=attrs.Factory(_amount_code, takes_self=True), validator=currency_code
    )

    def __attrs_post_init__(self) -> None:
        amount: object = self.amount
        if not isinstance(amount, Money) or not amount.is_positive():
            raise OwedRefused(
                "promise_amount",
                "amount",
                f"a promised amount is Money above zero, not {amount!r}",
                amount=amount,
            )
        if self.currency is not None and amount.code != self.currency:
            raise OwedRefused(
                "promise_amount",
                "amount",
                f"the promised invoice is in {self.currency}, its amount is {amount}",
                amount=amount,
                currency=self.currency,
            )
        if not isinstance(self.invoice_id, str):
            raise OwedRefused(
                "promise_invoice_id",
                "invoice_id",
                f"a promised invoice id is a str, not {self.invoice_id!r}",
                invoice_id=self.invoice_id,
            )


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Promise(Sourced):
    """A partner's promise to pay ``invoices`` by ``promised_date`` (a day, partner's zone).

    ``made_at`` is when it was made; ``acknowledged_at``/``acknowledged_by`` when a person
    accepted it (only an acknowledged promise holds outreach, as at Stuut); ``source`` says
    where it came from (``email``, ``call``…), ``source_task_id`` the task. ``cancelled_at`` and
    ``superseded_at``/``superseded_by`` end it. Check it with :func:`check_promise`.
    """

    id: str
    partner_id: str
    invoices: tuple[PromisedInvoice, ...]
    promised_date: dt.date
    made_at: dt.datetime = attrs.field(validator=aware)
    method: str | None = None
    acknowledged_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    acknowledged_by: str | None = None
    source: str | None = None
    source_task_id: str | None = None
    cancelled_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    superseded_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    superseded_by: str | None = None

    def __attrs_post_init__(self) -> None:
        if isinstance(self.promised_date, dt.datetime) or not isinstance(
            self.promised_date, dt.date
        ):
            raise OwedRefused(
                "promise_date_type",
                "promised_date",
                f"a promised date is a date, not {self.promised_date!r}",
            )
        if not (EARLIEST_PROMISED_DATE <= self.promised_date <= LATEST_PROMISED_DATE):
            raise OwedRefused(
                "promise_date_range",
                "promised_date",
                f"a promised date is from {EARLIEST_PROMISED_DATE.isoformat()} to "
                f"{LATEST_PROMISED_DATE.isoformat()}, not {self.promised_date.isoformat()}",
                promised_date=self.promised_date,
            )
        if self.method is not None and not isinstance(self.method, str):
            raise OwedRefused(
                "promise_method",
                "method",
                f"a payment method is a name (str) or None, not {self.method!r}",
                method=self.method,
            )
        items: object = self.invoices
        if not isinstance(items, tuple):
            raise OwedRefused(
                "promise_invoices_type",
                "invoices",
                f"a promise's invoices are a tuple of PromisedInvoice, not {items!r}",
            )
        if not items:
            raise OwedRefused(
                "promise_without_invoices", "invoices", f"promise {self.id!r} names no invoice"
            )
        seen: set[str] = set()
        for index, item in enumerate(items):
            if not isinstance(item, PromisedInvoice):
                raise OwedRefused(
                    "promise_invoices_type",
                    f"invoices[{index}]",
                    f"a promise's invoices are PromisedInvoice, not {item!r}",
                )
            if item.invoice_id in seen:
                raise OwedRefused(
                    "promise_duplicate_invoice",
                    f"invoices[{index}].invoice_id",
                    f"invoice {item.invoice_id!r} is listed twice; promise its sum once",
                    invoice_id=item.invoice_id,
                )
            seen.add(item.invoice_id)
        currencies = {p.amount.code for p in self.invoices}
        if len(currencies) > 1:
            raise OwedRefused(
                "promise_currency_mixed",
                "invoices",
                f"promise {self.id!r} mixes {', '.join(sorted(currencies))}; one currency each",
                currencies=tuple(sorted(currencies)),
            )

    @property
    def currency(self) -> str:
        """The one currency of the promised amounts."""
        return self.invoices[0].amount.code

    @property
    def amount(self) -> Money:
        """The total promised."""
        return sum((p.amount for p in self.invoices), Money.zero(self.currency))


def check_promise(
    promise: Promise, invoices: Sequence[Invoice], *, zone: dt.tzinfo = dt.UTC
) -> Promise:
    """The promise as given, or :class:`~stuut_domain.errors.OwedRefused` for its first fault.

    Rules: each invoice is given (``promise_invoice_missing``), issued and not void
    (``promise_on_unissued_invoice``) and the promise partner's
    (``promise_partner_mismatch``) — listed once (``promise_duplicate_invoice``) is refused when
    the promise is built;
    each amount is above zero, in the invoice's currency and at most what it owes
    (``promise_amount``); the promised day is not before the day it was made in ``zone``
    (``promise_dated_before_made``); it is not acknowledged before it was made
    (``promise_acknowledged_before_made``).
    """
    by_id = {i.id: i for i in invoices}
    for index, item in enumerate(promise.invoices):
        path = f"invoices[{index}]"
        invoice = by_id.get(item.invoice_id)
        if invoice is None:
            raise OwedRefused(
                "promise_invoice_missing",
                f"{path}.invoice_id",
                f"invoice {item.invoice_id!r} was not given",
                invoice_id=item.invoice_id,
            )
        unissued = unissued_refusal(
            invoice, "promise_on_unissued_invoice", f"{path}.invoice_id", "promises to pay"
        )
        if unissued is not None:
            raise unissued
        if invoice.partner_id != promise.partner_id:
            raise OwedRefused(
                "promise_partner_mismatch",
                f"{path}.invoice_id",
                f"invoice {invoice.id!r} belongs to {invoice.partner_id!r}, the promise to "
                f"{promise.partner_id!r}",
                invoice_partner_id=invoice.partner_id,
                partner_id=promise.partner_id,
            )
        owed = max(invoice.amount_due, invoice.money(0))
        if (
            item.amount.code != invoice.currency
            or not item.amount.is_positive()
            or item.amount > owed
        ):
            raise OwedRefused(
                "promise_amount",
                f"{path}.amount",
                f"a promised amount is above zero and at most the {owed} owed, not {item.amount}",
                amount=item.amount,
                amount_due=owed,
            )
    for refusal in date_refusals(promise, zone=zone):
        raise refusal
    return promise


def date_refusals(promise: Promise, *, zone: dt.tzinfo = dt.UTC) -> tuple[OwedRefused, ...]:
    """The rules of a promise's own instants, which need no invoice: the promised day is not
    before the day it was made in ``zone`` (``promise_dated_before_made``), and it is not
    acknowledged before it was made (``promise_acknowledged_before_made``)."""
    found = []
    made_day = promise.made_at.astimezone(zone).date()
    if promise.promised_date < made_day:
        found.append(
            OwedRefused(
                "promise_dated_before_made",
                "promised_date",
                f"the promised day {promise.promised_date.isoformat()} is before the promise "
                f"was made ({made_day.isoformat()})",
                promised_date=promise.promised_date,
                made_at=promise.made_at,
            )
        )
    if promise.acknowledged_at is not None and promise.acknowledged_at < promise.made_at:
        found.append(
            OwedRefused(
                "promise_acknowledged_before_made",
                "acknowledged_at",
                "a promise is acknowledged after it is made",
                acknowledged_at=promise.acknowledged_at,
                made_at=promise.made_at,
            )
        )
    return tuple(found)


def deadline_of(promise: Promise, policy: PromisePolicy = DEFAULT_PROMISE_POLICY) -> dt.date:
    """The last day money may arrive: promised date + method padding + grace days.

    The padding is transit time, in calendar days; the grace days are business days of the
    policy's ``calendar`` when it has one (ADR 0050), else calendar days.
    """
    padded = promise.promised_date + dt.timedelta(days=policy.padding_for(promise.method))
    if policy.calendar is None:
        return padded + dt.timedelta(days=policy.grace_days)
    return policy.calendar.add_business_days(padded, policy.grace_days)


def _ended(promise: Promise, at: dt.datetime) -> PromiseStatus | None:
    if promise.cancelled_at is not None and promise.cancelled_at <= at:
        return PromiseStatus.CANCELLED
    if promise.superseded_at is not None and promise.superseded_at <= at:
        return PromiseStatus.SUPERSEDED
    return None


def cancel_promise(promise: Promise, *, at: dt.datetime) -> Promise:
    """Cancel a promise at ``at`` (the partner withdrew it, new debt cancelled it by rule).

    Refused when it already ended (``promise_not_active``) or ``at`` is before it was made.
    """
    _check_can_end(promise, at)
    return attrs.evolve(promise, cancelled_at=at)


def supersede_promise(old: Promise, new: Promise) -> tuple[Promise, Promise]:
    """Replace ``old`` by ``new`` (a renegotiated date): ``old`` ends when ``new`` is made.

    Refused when ``new`` is ``old`` itself (``promise_supersedes_itself``), ``old`` already
    ended, the partners differ or ``new`` was made first.
    """
    if new.id == old.id:
        raise OwedRefused(
            "promise_supersedes_itself",
            "id",
            f"promise {old.id!r} cannot replace itself",
            promise_id=old.id,
        )
    _check_can_end(old, new.made_at)
    if new.partner_id != old.partner_id:
        raise OwedRefused(
            "promise_partner_mismatch",
            "partner_id",
            f"promise {new.id!r} is {new.partner_id!r}'s, promise {old.id!r} {old.partner_id!r}'s",
            partner_id=new.partner_id,
            superseded_partner_id=old.partner_id,
        )
    return attrs.evolve(old, superseded_at=new.made_at, superseded_by=new.id), new


def _check_can_end(promise: Promise, at: dt.datetime) -> None:
    require_aware("at", at)
    ended = _ended(promise, dt.datetime.max.replace(tzinfo=dt.UTC))
    if ended is not None:
        raise OwedRefused(
            "promise_not_active",
            "status",
            f"promise {promise.id!r} is already {ended}",
            promise_id=promise.id,
            status=str(ended),
        )
    if at < promise.made_at:
        raise OwedRefused(
            "promise_ended_before_made",
            "at",
            f"{at.isoformat()} is before promise {promise.id!r} was made",
            at=at,
            made_at=promise.made_at,
        )


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Appropriated:
    """Part of one allocation counted towards a promise (invoice currency)."""

    promise_id: str
    allocation_id: str
    payment_id: str
    invoice_id: str
    amount: Money
    at: dt.datetime


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class PromiseReading:
    """A promise's status at an instant, the money that fulfilled it, and why."""

    promise_id: str
    partner_id: str
    status: PromiseStatus
    promised: Money
    fulfilled: Money
    fulfilling: tuple[Appropriated, ...]
    deadline: dt.date
    reason: str

    @property
    def outstanding(self) -> Money:
        """What is still promised and not yet received (never negative)."""
        left = self.promised - self.fulfilled
        return left if left.is_positive() else Money.zero(left.code)


def _instant(payment: Payment, allocation: PaymentAllocation) -> dt.datetime | None:
    return allocation.approved_at or allocation.created_at or payment.timestamp


def _counted(
    payments: Iterable[Payment], at: dt.datetime
) -> list[tuple[dt.datetime, Payment, PaymentAllocation]]:
    """The approved allocations up to ``at``, each once: the same payment (or allocation)
    given twice counts once, by allocation id, as customer credits do (ADR 0046); two
    different allocations under one id are refused (``promise_allocation_conflict``)."""
    found = []
    seen: dict[str, PaymentAllocation] = {}
    for payment in payments:
        for allocation in payment.allocations:
            when = _instant(payment, allocation)
            if allocation.id is None or when is None or when > at or not is_approved(allocation):
                continue
            earlier = seen.get(allocation.id)
            if earlier is not None:
                if earlier != allocation:
                    raise OwedRefused(
                        "promise_allocation_conflict",
                        "payments",
                        f"two different allocations carry the id {allocation.id!r}",
                        allocation_id=allocation.id,
                    )
                continue
            seen[allocation.id] = allocation
            found.append((when, payment, allocation))
    found.sort(key=lambda t: (t[0], str(t[1].id), str(t[2].id)))
    return found


def _takes(promise: Promise, when: dt.datetime, policy: PromisePolicy, zone: dt.tzinfo) -> bool:
    """Whether the promise is active at ``when`` and money then counts towards it."""
    if when < promise.made_at or _ended(promise, when) is not None:
        return False
    return when.astimezone(zone).date() <= deadline_of(promise, policy)


def appropriate(
    promises: Sequence[Promise],
    payments: Iterable[Payment],
    policy: PromisePolicy = DEFAULT_PROMISE_POLICY,
    *,
    at: dt.datetime,
    zone: dt.tzinfo = dt.UTC,
    explicit: Mapping[str, str] | None = None,
) -> dict[str, tuple[Appropriated, ...]]:
    """Each promise's appropriated allocations at ``at`` (promise id -> parts, in order).

    Approved allocations up to ``at`` are taken oldest first (approval instant, else creation,
    else the payment's timestamp); each goes to the active promises that cover its invoice,
    oldest promise first, up to what each still expects on that invoice (FIFO, ADR 0049).
    ``explicit`` (allocation id -> promise id) sends an allocation to one promise first; it is
    refused when that promise is not active then or does not cover the invoice
    (``promise_not_active``, ``promise_invoice_missing``).
    """
    require_aware("at", at)
    ordered = sorted(promises, key=lambda p: (p.made_at, p.id))
    by_id = {p.id: p for p in ordered}
    expected: dict[tuple[str, str], Money] = {
        (p.id, item.invoice_id): item.amount for p in ordered for item in p.invoices
    }
    taken: dict[str, list[Appropriated]] = {p.id: [] for p in ordered}
    for when, _payment, allocation in _counted(payments, at):
        left = allocation.amount
        first = (explicit or {}).get(str(allocation.id))
        queue = ordered
        if first is not None:
            _check_explicit(by_id, first, allocation, when=when, policy=policy, zone=zone)
            queue = [by_id[first], *(p for p in ordered if p.id != first)]
        for promise in queue:
            if not left.is_positive():
                break
            key = (promise.id, allocation.invoice_id)
            want = expected.get(key)
            if want is None or want.code != left.code or not want.is_positive():
                continue
            if not _takes(promise, when, policy, zone):
                continue
            part = min(want, left)
            expected[key] = want - part
            left -= part
            taken[promise.id].append(
                Appropriated(
                    promise_id=promise.id,
                    allocation_id=str(allocation.id),
                    payment_id=allocation.payment_id,
                    invoice_id=allocation.invoice_id,
                    amount=part,
                    at=when,
                )
            )
    return {pid: tuple(parts) for pid, parts in taken.items()}


def _check_explicit(
    by_id: Mapping[str, Promise],
    promise_id: str,
    allocation: PaymentAllocation,
    *,
    when: dt.datetime,
    policy: PromisePolicy,
    zone: dt.tzinfo,
) -> None:
    promise = by_id.get(promise_id)
    if promise is None or all(i.invoice_id != allocation.invoice_id for i in promise.invoices):
        raise OwedRefused(
            "promise_invoice_missing",
            "explicit",
            f"allocation {allocation.id!r} pays invoice {allocation.invoice_id!r}, which "
            f"promise {promise_id!r} does not cover",
            allocation_id=allocation.id,
            promise_id=promise_id,
        )
    if not _takes(promise, when, policy, zone):
        ended = _ended(promise, when)
        raise OwedRefused(
            "promise_not_active",
            "explicit",
            f"allocation {allocation.id!r} cannot go to promise {promise_id!r}: it is "
            f"{ended or 'not active'} at {when.isoformat()}",
            allocation_id=allocation.id,
            promise_id=promise_id,
            status=str(ended) if ended else None,
        )


def _read(
    promise: Promise,
    parts: tuple[Appropriated, ...],
    policy: PromisePolicy,
    at: dt.datetime,
    zone: dt.tzinfo,
) -> PromiseReading:
    promised = promise.amount
    fulfilled = sum((p.amount for p in parts), Money.zero(promise.currency))
    deadline = deadline_of(promise, policy)
    share = Fraction(fulfilled.minor_units, promised.minor_units)
    ended = _ended(promise, at)
    today = at.astimezone(zone).date()
    if ended is not None:
        status, reason = ended, f"the promise was {ended} before {at.isoformat()}"
    elif share >= policy.kept_threshold:
        status = PromiseStatus.KEPT
        reason = f"{fulfilled} of {promised} arrived, at least the kept threshold"
    elif today <= deadline:
        status = PromiseStatus.PENDING
        reason = f"{fulfilled} of {promised} arrived; money may come until {deadline.isoformat()}"
    elif fulfilled.is_positive() and share >= policy.partial_threshold:
        status = PromiseStatus.PARTIALLY_KEPT
        reason = f"only {fulfilled} of {promised} arrived by {deadline.isoformat()}"
    else:
        status = PromiseStatus.BROKEN
        reason = f"{fulfilled} of {promised} arrived by {deadline.isoformat()}"
    return PromiseReading(
        promise_id=promise.id,
        partner_id=promise.partner_id,
        status=status,
        promised=promised,
        fulfilled=fulfilled,
        fulfilling=parts,
        deadline=deadline,
        reason=reason,
    )


def promise_statuses(
    promises: Sequence[Promise],
    payments: Iterable[Payment],
    policy: PromisePolicy = DEFAULT_PROMISE_POLICY,
    *,
    at: dt.datetime,
    zone: dt.tzinfo = dt.UTC,
    explicit: Mapping[str, str] | None = None,
) -> tuple[PromiseReading, ...]:
    """Every promise's reading at ``at``, in the order given, from one FIFO appropriation."""
    taken = appropriate(promises, payments, policy, at=at, zone=zone, explicit=explicit)
    return tuple(_read(p, taken[p.id], policy, at, zone) for p in promises)


def promise_status(
    promise: Promise,
    payments: Iterable[Payment],
    policy: PromisePolicy,
    at: dt.datetime,
    *,
    others: Sequence[Promise] = (),
    zone: dt.tzinfo = dt.UTC,
    explicit: Mapping[str, str] | None = None,
) -> PromiseReading:
    """The promise's status at ``at``: pending, kept, partially kept, broken, cancelled or
    superseded, with the allocations that fulfilled it.

    ``others`` are the partner's other promises: earlier ones take money first (FIFO).
    """
    everyone = [promise, *(p for p in others if p.id != promise.id)]
    readings = promise_statuses(everyone, payments, policy, at=at, zone=zone, explicit=explicit)
    return readings[0]
