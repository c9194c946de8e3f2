"""The exact-group search: which few open amounts sum exactly to a payment.

Integer minor units only. A meet-in-the-middle search: the pair sums of the pool are hashed
once; a group of 2 is one look-up, of 3 a single plus a pair, of 4 a pair plus a pair, of 5 a
triple plus a pair, each group found once (its members in increasing index order). The pool
is bounded *before* the search (``max_pool`` candidates, chosen by the caller by reference and
date), and so is the number of groups reported (``max_groups``): when a bound cuts, the result
says ``truncated`` and why, it never gives up silently. Cost: about ``max_pool²`` for the pair
table and ``max_pool³ / 6`` look-ups for groups of 5 (40 candidates: under 10,000 look-ups).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import attrs

from stuut_domain.display import compact

__all__ = ["GroupSearch", "exact_groups"]


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class GroupSearch:
    """The groups found (each a sorted tuple of pool indexes), smallest groups first.

    ``truncated`` is the reason a bound cut the search (None when it was complete):
    the pool was cut to ``max_pool`` of ``pool_size`` candidates, or ``max_groups`` were found.
    """

    groups: tuple[tuple[int, ...], ...]
    truncated: str | None
    pool_size: int


def exact_groups(
    amounts: Sequence[int],
    target: int,
    *,
    min_size: int = 2,
    max_size: int = 5,
    max_groups: int = 50,
    eligible: int | None = None,
) -> GroupSearch:
    """Every group of ``min_size``..``max_size`` distinct ``amounts`` summing to ``target``.

    ``amounts`` is the pool (already bounded by the caller); ``eligible`` is how many
    candidates there were before it was bounded (a larger number marks the search truncated).
    Groups come smallest first, then by their indexes. Amounts must be positive.
    """
    size = len(amounts)
    truncated = None
    if eligible is not None and eligible > size:
        truncated = f"group search looked at {size} of {eligible} candidates"
    pairs: dict[int, list[tuple[int, int]]] = {}
    for i, j in combinations(range(size), 2):
        pairs.setdefault(amounts[i] + amounts[j], []).append((i, j))
    found: list[tuple[int, ...]] = []

    def add(group: tuple[int, ...]) -> bool:
        """Keep the group; True once one group *beyond* ``max_groups`` exists (a search that
        finds exactly ``max_groups`` and no more was complete, not truncated)."""
        found.append(group)
        return len(found) > max_groups

    full = False
    for k in range(max(2, min_size), max_size + 1):
        if full:
            break
        for group in _groups_of(k, amounts, target, pairs):
            if add(group):
                full = True
                break
    if full:
        del found[max_groups:]
        truncated = (truncated + "; " if truncated else "") + f"stopped at {max_groups} groups"
    return GroupSearch(groups=tuple(found), truncated=truncated, pool_size=size)


def _groups_of(
    k: int, amounts: Sequence[int], target: int, pairs: dict[int, list[tuple[int, int]]]
) -> list[tuple[int, ...]]:
    """The groups of exactly ``k`` members, each once (members increasing), in index order."""
    size = len(amounts)
    out: list[tuple[int, ...]] = []
    if k == 2:
        for i, j in pairs.get(target, ()):
            out.append((i, j))
    elif k == 3:
        for i in range(size):
            for j, m in pairs.get(target - amounts[i], ()):
                if i < j:
                    out.append((i, j, m))
    elif k == 4:
        for (i, j), rest in ((p, target - s) for s, ps in pairs.items() for p in ps):
            for m, n in pairs.get(rest, ()):
                if j < m:
                    out.append((i, j, m, n))
    elif k == 5:
        for i, j, m in combinations(range(size), 3):
            for n, o in pairs.get(target - amounts[i] - amounts[j] - amounts[m], ()):
                if m < n:
                    out.append((i, j, m, n, o))
    return sorted(out)
