"""Type-level checks: mypy --strict must accept this file (it runs as part of `make test`).

Each `# type: ignore[...]` marks a line mypy must reject; with `warn_unused_ignores` (strict),
an ignore that is not needed fails the type check, so these prove the errors exist.
"""

from __future__ import annotations

from stuut_domain.money import Money, MoneyBag

usd = Money(1000, "USD")
total: Money = usd + Money(5, "USD")
doubled: Money = usd * 2
bag: MoneyBag = MoneyBag.of([usd]) + usd

usd + 1.5  # type: ignore[operator]
usd + 1  # type: ignore[operator]
usd * 1.5  # type: ignore[operator]
