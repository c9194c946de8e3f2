"""Outreach: may this partner be reached now, by which channel, and if not, when?

``engine`` holds :func:`decide_outreach`, the reusable :class:`OutreachContext` and
:func:`decide_for_portfolio` (one decision per partner of a portfolio); ``rules`` one pure
function per blocker code, ``facts`` what they read; ``decision`` the value types a decision
is made of (blockers, notes); ``policy`` the knobs; ``state`` what was sent and paused;
``recipients`` who receives it; ``schedule`` the weekly windows on the recipient's wall clock
(DST included); ``simulation`` the replay over a range of days and the comparison of two
policies.
"""

from __future__ import annotations

from stuut_domain.outreach.decision import (
    BLOCKER_CODES,
    NOTE_CODES,
    Blocker,
    Note,
    OutreachDecision,
)
from stuut_domain.outreach.engine import (
    OutreachContext,
    PartnerInvoices,
    decide_for_portfolio,
    decide_outreach,
    invoices_by_partner,
)
from stuut_domain.outreach.policy import (
    DEFAULT_POLICY,
    GAP_SCOPES,
    GapScope,
    OutreachPolicy,
)
from stuut_domain.outreach.recipients import (
    Recipient,
    RecipientChoice,
    choose_recipients,
    is_valid_email,
    is_valid_phone,
)
from stuut_domain.outreach.schedule import (
    UTC,
    Schedule,
    WallPosition,
    local_midnight,
    utc,
)
from stuut_domain.outreach.simulation import (
    SIMULATION_CODES,
    OutreachSimulation,
    PolicyComparison,
    SimulatedOutreach,
    Uncontacted,
    compare_policies,
    simulate_outreach,
)
from stuut_domain.outreach.state import (
    EMPTY_STATE,
    OutreachPause,
    OutreachState,
    SentOutreach,
)

__all__ = [
    "BLOCKER_CODES",
    "DEFAULT_POLICY",
    "EMPTY_STATE",
    "GAP_SCOPES",
    "NOTE_CODES",
    "SIMULATION_CODES",
    "UTC",
    "Blocker",
    "GapScope",
    "Note",
    "OutreachContext",
    "OutreachDecision",
    "OutreachPause",
    "OutreachPolicy",
    "OutreachSimulation",
    "OutreachState",
    "PartnerInvoices",
    "PolicyComparison",
    "Recipient",
    "RecipientChoice",
    "Schedule",
    "SentOutreach",
    "SimulatedOutreach",
    "Uncontacted",
    "WallPosition",
    "choose_recipients",
    "compare_policies",
    "decide_for_portfolio",
    "decide_outreach",
    "invoices_by_partner",
    "is_valid_email",
    "is_valid_phone",
    "local_midnight",
    "simulate_outreach",
    "utc",
]
