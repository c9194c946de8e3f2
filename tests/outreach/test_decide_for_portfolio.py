"""Specifications of a portfolio's outreach: one decision per partner chased and channel."""

from __future__ import annotations

import datetime as dt

import stuut_domain
from outreach_builders import WED_NOON_BERLIN, acme, inv_2024_0042, net30_reminders
from stuut_domain.money import Money
from stuut_domain.outreach import decide_for_portfolio, decide_outreach, invoices_by_partner
from stuut_domain.outreach.simulation import simulate_outreach
from stuut_domain.outreach.state import OutreachState

GLOBEX = acme(id="ptn_globex", name="Globex AG", email="ap@globex.example", contacts=())
ACME_INVOICES = (
    inv_2024_0042(),
    inv_2024_0042(id="inv_2024_0043", number="INV-2024-0043", in_dispute=True),
)
#: Globex owes nothing: its only invoice is paid.
GLOBEX_PAID = inv_2024_0042(
    id="inv_2024_0050",
    number="INV-2024-0050",
    partner_id="ptn_globex",
    amount_due=Money(0, "EUR"),
    amount_paid=Money(11_900, "EUR"),
)
ORPHAN = inv_2024_0042(id="inv_2024_0099", number="INV-2024-0099", partner_id="ptn_nobody")


class TestGrouping:
    def test_invoices_belong_to_the_named_partner_else_the_embedded_one(self) -> None:
        """By partner id in id order; an embedded partner stands in for an unknown id; an
        invoice of no known partner is left out."""
        embedded = inv_2024_0042(
            id="inv_2024_0060", partner_id=None, partner=acme(id="ptn_initech", name="Initech")
        )
        groups = invoices_by_partner(
            (GLOBEX_PAID, *ACME_INVOICES, ORPHAN, embedded), [acme(), GLOBEX]
        )
        assert [
            ("ptn_acme", ("inv_2024_0042", "inv_2024_0043")),
            ("ptn_globex", ("inv_2024_0050",)),
            ("ptn_initech", ("inv_2024_0060",)),
        ] == [(pid, tuple(i.id for i in g.invoices)) for pid, g in groups.items()]
        assert "Initech" == groups["ptn_initech"].partner.name


class TestDecideForPortfolio:
    def test_one_decision_per_partner_with_open_receivables_and_channel(self) -> None:
        """Acme is decided on each channel, in the order given; Globex owes nothing and the
        orphan invoice has no partner, so neither is decided."""
        decisions = decide_for_portfolio(
            (*ACME_INVOICES, GLOBEX_PAID, ORPHAN),
            partners={"ptn_acme": acme(), "ptn_globex": GLOBEX},
            workflow=net30_reminders(),
            at=WED_NOON_BERLIN,
            channels=("call", "email"),
        )
        assert [("ptn_acme", "call"), ("ptn_acme", "email")] == [
            (d.partner_id, d.channel) for d in decisions
        ]

    def test_each_decision_is_the_partner_decision_about_all_its_invoices(self) -> None:
        """The decision is decide_outreach over all the partner's invoices: the disputed one
        is excluded with its reason, the other may be chased."""
        (decision,) = decide_for_portfolio(
            ACME_INVOICES, partners=[acme()], workflow=net30_reminders(), at=WED_NOON_BERLIN
        )
        alone = decide_outreach(
            ACME_INVOICES,
            partner=acme(),
            workflow=net30_reminders(),
            channel="email",
            at=WED_NOON_BERLIN,
        )
        assert alone == decision
        assert (True, ("inv_2024_0042",), ("in_dispute",)) == (
            decision.eligible,
            decision.invoice_ids,
            tuple(b.code for b in decision.excluded),
        )

    def test_the_state_given_is_read(self) -> None:
        """A pause in the state given holds every partner decision it names."""
        state = OutreachState().pause("ptn_acme", until=WED_NOON_BERLIN + dt.timedelta(days=1))
        (decision,) = decide_for_portfolio(
            ACME_INVOICES,
            partners=[acme()],
            workflow=net30_reminders(),
            at=WED_NOON_BERLIN,
            state=state,
        )
        assert ("paused_until",) == decision.codes

    def test_it_is_public_at_the_root(self) -> None:
        """The portfolio use case is part of the package's public surface."""
        assert (True, decide_for_portfolio) == (
            "decide_for_portfolio" in stuut_domain.__all__,
            stuut_domain.decide_for_portfolio,
        )

    def test_the_simulator_groups_the_same_way(self) -> None:
        """The simulator replays the partners decide_for_portfolio decides: at the first
        instant it sends exactly to the eligible ones."""
        invoices = (*ACME_INVOICES, GLOBEX_PAID, ORPHAN)
        partners = [acme(), GLOBEX]
        decided = decide_for_portfolio(
            invoices, partners=partners, workflow=net30_reminders(), at=WED_NOON_BERLIN
        )
        simulated = simulate_outreach(
            invoices,
            partners=partners,
            workflow=net30_reminders(),
            start=WED_NOON_BERLIN,
            end=WED_NOON_BERLIN + dt.timedelta(minutes=1),
        )
        assert [(d.partner_id, d.invoice_ids) for d in decided if d.eligible] == [
            (o.partner_id, o.invoice_ids) for o in simulated.outreach
        ]
