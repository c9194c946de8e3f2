"""What the matcher may do on its own: thresholds, tolerance, search bounds, confidence scale."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Final

import attrs

from stuut_domain.cash.references import DEFAULT_FORMATS, ReferenceFormats
from stuut_domain.cash.signals import DEFAULT_WEIGHTS, SIGNAL_NAMES
from stuut_domain.cash.tolerance import NO_TOLERANCE, Tolerance
from stuut_domain.display import compact
from stuut_domain.errors import InvalidMatchInput

__all__ = ["DEFAULT_MATCH_POLICY", "MatchPolicy"]

#: The largest group the exact-group search supports.
MAX_GROUP_SIZE: Final = 5


def _is_number(value: object) -> bool:
    """A finite int or float (never a bool, a string or NaN)."""
    return type(value) in (int, float) and math.isfinite(value)  # type: ignore[arg-type]


def _check_types(policy: MatchPolicy) -> None:
    """Numbers where numbers are due, so a string or NaN is refused by name, never compared."""
    numbers = {"auto_threshold": policy.auto_threshold}
    numbers.update({f"weights[{k!r}]": w for k, w in dict(policy.weights).items()})
    for field, value in numbers.items():
        if not _is_number(value):
            raise InvalidMatchInput(
                "policy_type", f"{field} is a finite number, got {value!r}", field=field
            )
    counts = {
        "max_group_size": policy.max_group_size,
        "max_group_candidates": policy.max_group_candidates,
        "max_groups": policy.max_groups,
        "max_alternatives": policy.max_alternatives,
        "agent_score_scale": policy.agent_score_scale,
        "date_horizon_days": policy.date_horizon_days,
    }
    for field, value in counts.items():
        if type(value) is not int:
            raise InvalidMatchInput(
                "policy_type", f"{field} is an integer, got {value!r}", field=field
            )
    if type(policy.auto_on_account) is not bool:
        raise InvalidMatchInput(
            "policy_type",
            f"auto_on_account is true or false, got {policy.auto_on_account!r}",
            field="auto_on_account",
        )


def _check(policy: MatchPolicy) -> None:
    if not isinstance(policy.weights, Mapping):
        raise InvalidMatchInput(
            "weights", f"weights map signal names to numbers, got {policy.weights!r}"
        )
    _check_types(policy)
    if not 0 < policy.auto_threshold <= 1:
        raise InvalidMatchInput(
            "auto_threshold",
            f"auto_threshold is a confidence in (0, 1], got {policy.auto_threshold!r}",
            auto_threshold=policy.auto_threshold,
        )
    if set(policy.weights) != set(SIGNAL_NAMES) or any(w < 0 for w in policy.weights.values()):
        raise InvalidMatchInput(
            "weights",
            f"weights name each of {', '.join(SIGNAL_NAMES)} once, none negative",
            weights=dict(policy.weights),
        )
    if abs(sum(policy.weights.values()) - 1) > 1e-9:
        raise InvalidMatchInput(
            "weights",
            f"weights sum to 1 (confidence stays in [0, 1]), got {sum(policy.weights.values())}",
            weights=dict(policy.weights),
        )
    if not 1 <= policy.max_group_size <= MAX_GROUP_SIZE:
        raise InvalidMatchInput(
            "max_group_size",
            f"max_group_size lies in 1..{MAX_GROUP_SIZE}, got {policy.max_group_size!r}",
            max_group_size=policy.max_group_size,
        )
    if policy.max_group_candidates < 2 or policy.max_groups < 1 or policy.max_alternatives < 0:
        raise InvalidMatchInput(
            "search_bounds",
            "max_group_candidates >= 2, max_groups >= 1 and max_alternatives >= 0",
            max_group_candidates=policy.max_group_candidates,
            max_groups=policy.max_groups,
        )
    if policy.agent_score_scale not in (1, 100):
        raise InvalidMatchInput(
            "agent_score_scale",
            f"agent_score_scale is 1 (scores in [0, 1]) or 100 (percent), got "
            f"{policy.agent_score_scale!r}",
            agent_score_scale=policy.agent_score_scale,
        )
    limit = policy.max_discount_percent
    if type(limit) not in (int, Decimal) or not Decimal(limit).is_finite() or not 0 <= limit <= 100:
        raise InvalidMatchInput(
            "max_discount_percent",
            f"max_discount_percent is an int or Decimal in 0..100, got {limit!r}",
            max_discount_percent=str(limit),
        )
    if policy.date_horizon_days <= 0:
        raise InvalidMatchInput(
            "date_horizon_days",
            f"date_horizon_days is above zero, got {policy.date_horizon_days!r}",
        )


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class MatchPolicy:
    """The rules a proposal is decided by.

    * ``auto_threshold``: a proposal auto-applies only when its confidence (scale [0, 1])
      reaches it *and* its ambiguity is 0 *and* nothing blocks it (ambiguous partner,
      conflicting evidence, a truncated search behind an amount-only match, a remittance that
      breaks its rules). Also the :class:`~stuut_domain.allocation.ApprovalPolicy` threshold
      of the allocations it proposes.
    * ``tolerance``: accepted short pays per currency (ADR 0041).
    * ``max_group_size`` (k, at most 5), ``max_group_candidates`` (the pool of the group
      search), ``max_groups``: the search bounds; a bound that cuts says "search truncated".
    * ``agent_score_scale``: the scale Stuut's ``agent_confidence_score`` is read on, 1 (the
      default: [0, 1]) or 100 (percent); a score outside [0, scale] is refused.
    * ``weights``: the signal weights (summing to 1), ``date_horizon_days`` the date signal's
      horizon, ``formats`` how references are read, ``max_alternatives`` how many rejected
      alternatives a proposal lists.
    * ``max_discount_percent``: the largest early-payment discount a remittance may state,
      as a percent of the invoice's open amount (default 5); a larger one keeps the proposal
      in review (``remittance_discount_excessive``).
    * ``auto_on_account``: whether a payment larger than the invoices it settles may still
      auto-apply, the excess left on account. Off by default: an overpayment is most often a
      payment meant for more invoices than the evidence found, so a person looks
      (``on_account_remainder``).
    """

    auto_threshold: float = 0.8
    tolerance: Tolerance = NO_TOLERANCE
    max_group_size: int = MAX_GROUP_SIZE
    max_group_candidates: int = 40
    max_groups: int = 50
    agent_score_scale: int = 1
    weights: Mapping[str, float] = attrs.field(factory=lambda: dict(DEFAULT_WEIGHTS))
    date_horizon_days: int = 120
    formats: ReferenceFormats = DEFAULT_FORMATS
    max_alternatives: int = 10
    max_discount_percent: int | Decimal = Decimal(5)
    auto_on_account: bool = False

    def __attrs_post_init__(self) -> None:
        _check(self)

    def agent_score(self, score: float | None, *, field: str) -> float | None:
        """An ``agent_confidence_score`` on [0, 1], read on :attr:`agent_score_scale`.

        Refused (``confidence_scale``) when outside [0, scale], not a number, or a bool: a 90
        is never compared with 0.9 by accident.
        """
        if score is None:
            return None
        if type(score) not in (int, float) or math.isnan(score):
            raise InvalidMatchInput(
                "confidence_scale", f"{field} is not a number: {score!r}", field=field
            )
        if not 0 <= score <= self.agent_score_scale:
            raise InvalidMatchInput(
                "confidence_scale",
                f"{field} is {score}, outside the stated scale 0..{self.agent_score_scale} "
                "(set MatchPolicy.agent_score_scale=100 for percent scores)",
                field=field,
                score=score,
                scale=self.agent_score_scale,
            )
        return float(score) / self.agent_score_scale


#: The default policy: auto-apply at 0.80, no tolerance, groups of up to 5 among 40.
DEFAULT_MATCH_POLICY: Final = MatchPolicy()
