"""What changes what is owed: credit notes, customer credit, disputes and promises to pay.

These are facts with rules, not flags (issue 15). ``credit_note`` and ``application`` credit
an invoice, pre-payment first, the rest split exactly into refund, customer credit and out of
band (ADR 0045); ``customer_credit`` is a source the allocation engine spends like a payment
(ADR 0046); ``dispute`` holds part of what is owed (ADR 0048); ``promise`` reads promises to
pay against payments, first-in-first-out (ADR 0049); ``checks`` holds the invariants once
credit counts, ``figures`` the portfolio figures of promises, and ``outreach`` what the
outreach engine reads of all of it. Every refusal is an
:class:`~stuut_domain.errors.OwedRefused` with a stable code; nothing is ever changed in place.
"""

from __future__ import annotations

from stuut_domain.owed.application import (
    CreditApplication,
    CreditVoid,
    apply_credit_note,
    void_credit_note,
)
from stuut_domain.owed.checks import (
    OWED_RULES,
    OwedStatus,
    check_alone,
    check_credited_invoice,
    owed_status,
)
from stuut_domain.owed.credit_note import (
    CreditNote,
    CreditNoteLine,
    CreditNoteReason,
    CreditNoteStatus,
    PostPaymentSplit,
    credited_amount,
    credited_in_invoice_currency,
    line_total,
    note_total,
)
from stuut_domain.owed.customer_credit import (
    CREDIT_PAYMENT_METHOD,
    CreditSource,
    CreditSpend,
    CustomerCredit,
    as_payment,
    available_credit,
    credit_from_negative_invoice,
    distinct_credits,
    negative_invoice_credit,
    spend_credit,
    unspend_credit,
)
from stuut_domain.owed.dispute import (
    DISPUTE_REASONS,
    Dispute,
    DisputeLine,
    DisputeResolution,
    DisputeStatus,
    check_dispute,
    dispute_from_flag,
    disputed_amount_due,
    disputed_by_partner,
    names_invoice,
    resolve_dispute,
    undisputed_amount_due,
)
from stuut_domain.owed.figures import (
    broken_streak,
    broken_streaks,
    promise_kept_rate,
    promised_beside_expected,
    promised_by_week,
)
from stuut_domain.owed.outreach import OutreachView, decide_owed_outreach, outreach_view
from stuut_domain.owed.promise import (
    DEFAULT_PROMISE_POLICY,
    EARLIEST_PROMISED_DATE,
    LATEST_PROMISED_DATE,
    MAX_POLICY_DAYS,
    METHOD_PADDING_DAYS,
    Appropriated,
    Promise,
    PromisedInvoice,
    PromisePolicy,
    PromiseReading,
    PromiseStatus,
    appropriate,
    cancel_promise,
    check_promise,
    deadline_of,
    promise_status,
    promise_statuses,
    supersede_promise,
)

__all__ = [
    "CREDIT_PAYMENT_METHOD",
    "DEFAULT_PROMISE_POLICY",
    "DISPUTE_REASONS",
    "EARLIEST_PROMISED_DATE",
    "LATEST_PROMISED_DATE",
    "MAX_POLICY_DAYS",
    "METHOD_PADDING_DAYS",
    "OWED_RULES",
    "Appropriated",
    "CreditApplication",
    "CreditNote",
    "CreditNoteLine",
    "CreditNoteReason",
    "CreditNoteStatus",
    "CreditSource",
    "CreditSpend",
    "CreditVoid",
    "CustomerCredit",
    "Dispute",
    "DisputeLine",
    "DisputeResolution",
    "DisputeStatus",
    "OutreachView",
    "OwedStatus",
    "PostPaymentSplit",
    "Promise",
    "PromisePolicy",
    "PromiseReading",
    "PromiseStatus",
    "PromisedInvoice",
    "apply_credit_note",
    "appropriate",
    "as_payment",
    "available_credit",
    "broken_streak",
    "broken_streaks",
    "cancel_promise",
    "check_alone",
    "check_credited_invoice",
    "check_dispute",
    "check_promise",
    "credit_from_negative_invoice",
    "credited_amount",
    "credited_in_invoice_currency",
    "deadline_of",
    "decide_owed_outreach",
    "dispute_from_flag",
    "disputed_amount_due",
    "disputed_by_partner",
    "distinct_credits",
    "line_total",
    "names_invoice",
    "negative_invoice_credit",
    "note_total",
    "outreach_view",
    "owed_status",
    "promise_kept_rate",
    "promise_status",
    "promise_statuses",
    "promised_beside_expected",
    "promised_by_week",
    "resolve_dispute",
    "spend_credit",
    "supersede_promise",
    "undisputed_amount_due",
    "unspend_credit",
    "void_credit_note",
]
