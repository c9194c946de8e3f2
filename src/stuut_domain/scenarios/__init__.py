"""Scenario modeling: how cash arrives under an outreach policy, and what a policy change buys.

``behaviour`` holds the payment-behaviour model (an empirical daily hazard from due with a
contact lift, fitted with Kaplan–Meier censoring or set by hand, ADR 0063); ``collections``
the stochastic day-by-day simulation in which outreach, payments and allocation feed each
other (ADR 0064); ``comparison`` two policies run on common random numbers (ADR 0065).
"""

from __future__ import annotations

from stuut_domain.scenarios.behaviour import (
    BEHAVIOUR_CODES,
    MAX_CURVE_DAYS,
    BehaviourBook,
    KaplanMeierStep,
    Observation,
    PaymentBehaviour,
    fit_behaviour,
    kaplan_meier,
    observations,
)
from stuut_domain.scenarios.collections import (
    COLLECTION_CODES,
    MAX_DSO_PERIOD_DAYS,
    MAX_RUNS,
    MAX_WEEKS,
    CollectionsRun,
    CollectionsSimulation,
    PaymentFate,
    percentile,
    simulate_collections,
)
from stuut_domain.scenarios.comparison import CollectionsComparison, compare_collections

__all__ = [
    "BEHAVIOUR_CODES",
    "COLLECTION_CODES",
    "MAX_CURVE_DAYS",
    "MAX_DSO_PERIOD_DAYS",
    "MAX_RUNS",
    "MAX_WEEKS",
    "BehaviourBook",
    "CollectionsComparison",
    "CollectionsRun",
    "CollectionsSimulation",
    "KaplanMeierStep",
    "Observation",
    "PaymentBehaviour",
    "PaymentFate",
    "compare_collections",
    "fit_behaviour",
    "kaplan_meier",
    "observations",
    "percentile",
    "simulate_collections",
]
