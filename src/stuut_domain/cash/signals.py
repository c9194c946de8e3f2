"""The named signals a match is scored by, their weights, and the confidence scale (ADR 0040).

Each candidate plan (the invoices a payment would settle, and how) is scored by five
signals, each a *part* in [0, 1] with a sentence that explains it:

============  ======  ===================================================================
signal        weight  part
============  ======  ===================================================================
reference     0.35    1 every invoice named exactly (number, PO, RF, remittance line);
                      0.6 named by a unique truncated number; 0 none
amount        0.30    1 exact (one invoice, or a remittance whose lines sum); 0.8 exact
                      group of 2 (−0.05 per extra invoice); 0.7 within tolerance; 0.6
                      overpaid (the rest on account); 0.3 part paid
partner       0.25    the partner inference's score when every invoice is that partner's
                      (1 given or account, 0.9 rule, the similarity for a name, 0.8 an
                      invoice number); 0 unknown, ambiguous or another partner
date          0.05    1 − |days from due date to payment| / horizon (default 120), ≥ 0
currency      0.05    1 the payment's currency; 0.5 through its currency_rate
============  ======  ===================================================================

``confidence = Σ weight × part`` lies in [0, 1]; with ``ambiguity`` equally good
alternatives it is divided by ``1 + ambiguity``. The date signal ranks plans but never
makes two plans "not equally good": ambiguity compares the other four signals only.
The scale of confidence is [0, 1]; a Stuut ``agent_confidence_score`` is read on the scale
the policy states (1 or 100) and refused outside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import attrs

from stuut_domain.display import compact

__all__ = [
    "AMOUNT_PARTS",
    "DEFAULT_WEIGHTS",
    "REFERENCE_PARTS",
    "SIGNAL_NAMES",
    "Signal",
]

#: The signals, in the order they are reported.
SIGNAL_NAMES: Final = ("reference", "amount", "partner", "date", "currency")

#: The default weight of each signal (they sum to 1).
DEFAULT_WEIGHTS: Final[Mapping[str, float]] = {
    "reference": 0.35,
    "amount": 0.30,
    "partner": 0.25,
    "date": 0.05,
    "currency": 0.05,
}

#: The reference signal's part per kind of evidence.
REFERENCE_PARTS: Final[Mapping[str, float]] = {"exact": 1.0, "partial": 0.6, "none": 0.0}

#: The amount signal's part per kind of amount match (a group loses 0.05 per extra invoice).
AMOUNT_PARTS: Final[Mapping[str, float]] = {
    "exact": 1.0,
    "group": 0.8,
    "tolerance": 0.7,
    "over": 0.6,
    "partial": 0.3,
}


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Signal:
    """One named signal of a plan: its ``part`` in [0, 1], its ``weight``, and why."""

    name: str
    part: float
    weight: float
    explanation: str

    @property
    def contribution(self) -> float:
        """What the signal adds to the confidence: ``weight × part``."""
        return self.weight * self.part

    def __str__(self) -> str:
        return f"{self.name} {self.part:.2f} × {self.weight:.2f}: {self.explanation}"
