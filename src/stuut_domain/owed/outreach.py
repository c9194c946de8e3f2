"""What outreach reads once disputes, promises and customer credit are facts (ADR 0048, 0049).

The outreach engine reads invoices, their wire flags and the partner's credit.
:func:`outreach_view` turns the facts of this package into exactly that, so the engine's rules
stay as they are:

* **Disputes** block only the disputed part. An invoice whose open dispute lines cover what it
  owes reads ``in_dispute=True``; one disputed in part reads ``in_dispute=False`` with
  ``amount_due`` the *undisputed* amount, so it may still be chased and the message's amount
  (:attr:`OutreachView.amounts`) excludes the disputed part; one whose disputes are all
  resolved reads ``in_dispute=False``. When no dispute names an invoice, the wire flag
  ``in_dispute`` is read as it is.
* **Promises**: an acknowledged ``pending`` promise holds the invoice through its deadline
  (promised date + method padding + grace); a ``broken`` or ``partially_kept`` one resumes
  outreach with the engine's ``promise_broken`` note and the reading's reason in
  :attr:`OutreachView.notes`; a kept, cancelled or superseded promise holds nothing. The
  engine's hold is ``promised_to_pay_date`` + its own grace days, so the view writes the
  deadline less the outreach policy's grace days there. Invoices no promise covers keep the
  wire's ``promised_to_pay_date``.
* **Customer credit**: :attr:`OutreachView.credit` is the partners' unspent credit as it stood
  at ``at`` (created by then, not void by then, its later spending not yet made); give it to
  the engine as ``credit=`` and ``credit_covers_balance`` reads it. Each credit counts once,
  and a negative invoice given with the credit made from it is left out of the invoices (it
  *is* that credit; counting both would count it twice).

The view's invoices are for the engine only: their ``amount_due`` is what may be chased, not
the book's figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import attrs

from stuut_domain.display import compact
from stuut_domain.invoice import Invoice
from stuut_domain.money import Money, MoneyBag
from stuut_domain.outreach import DEFAULT_POLICY, OutreachDecision, OutreachPolicy, decide_outreach
from stuut_domain.outreach.decision import invoice_key
from stuut_domain.outreach.state import EMPTY_STATE, OutreachState
from stuut_domain.owed.customer_credit import (
    CustomerCredit,
    available_credit,
    credit_at,
    distinct_credits,
    not_read_as_credit,
)
from stuut_domain.owed.dispute import (
    Dispute,
    disputed_amount_due,
    names_invoice,
    undisputed_amount_due,
)
from stuut_domain.owed.promise import (
    DEFAULT_PROMISE_POLICY,
    Promise,
    PromisePolicy,
    PromiseReading,
    PromiseStatus,
    promise_statuses,
)
from stuut_domain.partner import Partner
from stuut_domain.payment import Payment
from stuut_domain.types import OutreachChannel
from stuut_domain.validators import require_aware
from stuut_domain.workflow import Workflow

__all__ = ["OutreachView", "decide_owed_outreach", "outreach_view"]

_RESUMES = frozenset({PromiseStatus.BROKEN, PromiseStatus.PARTIALLY_KEPT})


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class OutreachView:
    """The invoices as outreach reads them, what a message may ask for, and why.

    ``amounts``: invoice key -> the undisputed amount due (what a reminder names).
    ``credit``: the partners' unspent customer credit per currency. ``readings``: every
    promise's status at the instant. ``notes``: one sentence per broken or partly kept promise.
    """

    invoices: tuple[Invoice, ...]
    amounts: Mapping[str, Money]
    credit: MoneyBag
    readings: tuple[PromiseReading, ...]
    notes: tuple[str, ...]


def _disputed(invoice: Invoice, disputes: Sequence[Dispute]) -> Invoice:
    if not names_invoice(disputes, invoice.id):
        return invoice
    disputed = disputed_amount_due(invoice, disputes)
    if not disputed.is_positive():
        return attrs.evolve(invoice, in_dispute=False)
    if not undisputed_amount_due(invoice, disputes).is_positive():
        return attrs.evolve(invoice, in_dispute=True)
    return attrs.evolve(invoice, in_dispute=False, amount_due=invoice.amount_due - disputed)


def _promised(
    invoice: Invoice,
    promises: Sequence[Promise],
    readings: Mapping[str, PromiseReading],
    *,
    at: dt.datetime,
    grace: int,
    notes: list[str],
) -> Invoice:
    covering = [
        p
        for p in promises
        if any(item.invoice_id == invoice.id for item in p.invoices)
        and p.acknowledged_at is not None
        and p.acknowledged_at <= at
    ]
    if not covering:
        return invoice
    pending = [readings[p.id] for p in covering if readings[p.id].status is PromiseStatus.PENDING]
    lapsed = [readings[p.id] for p in covering if readings[p.id].status in _RESUMES]
    if pending:
        chosen: PromiseReading | None = max(pending, key=lambda r: r.deadline)
    elif lapsed:
        chosen = max(lapsed, key=lambda r: r.deadline)
        notes.append(
            f"promise {chosen.promise_id} on invoice {invoice.number or invoice.id}: "
            f"{chosen.status}, {chosen.reason}"
        )
    else:
        chosen = None
    if chosen is None:
        return attrs.evolve(invoice, promised_to_pay_date=None)
    hold_from = chosen.deadline - dt.timedelta(days=grace)
    return attrs.evolve(invoice, promised_to_pay_date=hold_from)


def outreach_view(
    invoices: Iterable[Invoice],
    *,
    at: dt.datetime,
    disputes: Sequence[Dispute] = (),
    promises: Sequence[Promise] = (),
    payments: Iterable[Payment] = (),
    credits: Iterable[CustomerCredit] = (),
    promise_policy: PromisePolicy = DEFAULT_PROMISE_POLICY,
    outreach_policy: OutreachPolicy = DEFAULT_POLICY,
    zone: dt.tzinfo = dt.UTC,
) -> OutreachView:
    """The invoices, amounts and credit outreach reads at ``at`` (see the module docstring).

    ``zone`` is the zone promise days are read in: give the decision's zone (the partner's).
    """
    require_aware("at", at)
    credits = tuple(
        c for c in (credit_at(c, at) for c in distinct_credits(credits)) if c is not None
    )
    # A negative invoice given with the credit made from it is that credit: counted once.
    items = not_read_as_credit(invoices, credits)
    readings = promise_statuses(promises, payments, promise_policy, at=at, zone=zone)
    by_id = {r.promise_id: r for r in readings}
    notes: list[str] = []
    viewed = []
    for invoice in items:
        seen = _disputed(invoice, disputes)
        seen = _promised(
            seen, promises, by_id, at=at, grace=outreach_policy.promise_grace_days, notes=notes
        )
        viewed.append(seen)
    partners = {i.partner_id for i in items if i.partner_id is not None}
    credit = MoneyBag.of(
        m for pid in sorted(partners) for m in available_credit(credits, pid).values()
    )
    return OutreachView(
        invoices=tuple(viewed),
        amounts={invoice_key(i): undisputed_amount_due(i, disputes) for i in items},
        credit=credit,
        readings=readings,
        notes=tuple(notes),
    )


def decide_owed_outreach(
    invoices: Iterable[Invoice],
    *,
    partner: Partner,
    workflow: Workflow,
    channel: OutreachChannel,
    at: dt.datetime,
    disputes: Sequence[Dispute] = (),
    promises: Sequence[Promise] = (),
    payments: Iterable[Payment] = (),
    credits: Iterable[CustomerCredit] = (),
    promise_policy: PromisePolicy = DEFAULT_PROMISE_POLICY,
    policy: OutreachPolicy = DEFAULT_POLICY,
    state: OutreachState = EMPTY_STATE,
    zone: dt.tzinfo = dt.UTC,
) -> tuple[OutreachDecision, OutreachView]:
    """:func:`~stuut_domain.outreach.decide_outreach` on :func:`outreach_view`'s invoices and
    credit: the decision, and the view it read (its amounts are what a message may ask)."""
    view = outreach_view(
        invoices,
        at=at,
        disputes=disputes,
        promises=promises,
        payments=payments,
        credits=credits,
        promise_policy=promise_policy,
        outreach_policy=policy,
        zone=zone,
    )
    decision = decide_outreach(
        view.invoices,
        partner=partner,
        workflow=workflow,
        channel=channel,
        at=at,
        policy=policy,
        state=state,
        credit=view.credit or None,
    )
    return decision, view
