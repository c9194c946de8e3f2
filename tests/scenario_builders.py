"""Small books for the scenario specifications (not a test module)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

from stuut_domain.invoice import Invoice
from stuut_domain.money import Money
from stuut_domain.outreach.state import SentOutreach
from stuut_domain.payment import Payment, PaymentAllocation
from stuut_domain.scenarios import PaymentBehaviour, fit_behaviour

UTC = dt.UTC


def day(y: int, m: int, d: int, h: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=UTC)


def invoice(
    key: str,
    *,
    due: dt.datetime,
    units: int = 10_000,
    partner_id: str = "ptn_acme",
    currency: str = "EUR",
    paid: tuple[tuple[dt.datetime, int], ...] = (),
    **overrides: Any,
) -> Invoice:
    """An issued receivable due ``due``, with the payments ``paid`` (instant, units) applied."""
    allocations = tuple(
        PaymentAllocation(
            amount=Money(amount, currency),
            invoice_id=key,
            object="payment_allocation",
            payment_id=f"pay_{key}_{n}",
            strategy="manual",
            id=f"alloc_{key}_{n}",
            approved=True,
            approved_at=when,
            payment=Payment(id=f"pay_{key}_{n}", timestamp=when, currency=currency),
        )
        for n, (when, amount) in enumerate(paid)
    )
    settled = sum(a for _, a in paid)
    values: dict[str, Any] = {
        "amount_due": Money(units - settled, currency),
        "currency": currency,
        "object": "invoice",
        "remote_id": f"erp-{key}",
        "total_amount": Money(units, currency),
        "amount_paid": Money(settled, currency),
        "id": key,
        "number": key.upper(),
        "partner_id": partner_id,
        "issued_at": due - dt.timedelta(days=30),
        "due_date": due,
        "type": "receivable",
        "payments": allocations,
        "paid_at": paid[-1][0] if paid and settled >= units else None,
    }
    values.update(overrides)
    return Invoice(**values)


def generated_book(
    seed: int, *, n: int, hazard: float, lift: float, full: float
) -> tuple[list[Invoice], list[SentOutreach], dt.datetime]:
    """A book drawn from known parameters by an independent generator (not the model's code):
    each invoice is due ``c`` days before as-of (c in 5..90); each day from due it gets an
    email with probability 0.1; it pays with the daily hazard (lifted for 3 days after an
    email), at most until day 59; the first payment is in full with probability ``full``
    (else 40 % of the total)."""
    # Seeded test data, not cryptography.
    rng = random.Random(seed)
    as_of = day(2025, 6, 1, 12)
    invoices, contacts = [], []
    for k in range(n):
        c = rng.randint(5, 90)
        due = day(2025, 6, 1) - dt.timedelta(days=c)
        key = f"inv_{k:05d}"
        last_email = None
        paid: tuple[tuple[dt.datetime, int], ...] = ()
        for d in range(c + 1):
            if rng.random() < 0.1:
                last_email = d
                contacts.append(
                    SentOutreach(
                        partner_id="ptn_acme",
                        channel="email",
                        sent_at=due + dt.timedelta(days=d, hours=8),
                        invoice_ids=(key,),
                    )
                )
            h = hazard if d <= 59 else 0.0
            if last_email is not None and d - last_email < 3:
                h = 1 - (1 - h) ** lift
            if rng.random() < h:
                units = 10_000 if rng.random() < full else 4_000
                paid = ((due + dt.timedelta(days=d, hours=18), units),)
                break
        invoices.append(invoice(key, due=due, paid=paid))
    return invoices, contacts, as_of


@dataclasses.dataclass(frozen=True)
class Recovered:
    """One parameter fitted back from a generated book: the true value, the recovered one
    and the tolerance the recovery test allows (``ok`` when within it)."""

    name: str
    true: float
    recovered: float
    tolerance: float

    @property
    def ok(self) -> bool:
        return abs(self.recovered - self.true) <= self.tolerance

    def line(self) -> str:
        return (
            f"{self.name} recovered {self.recovered:.4f} vs true {self.true:.4f} "
            f"(error {self.recovered - self.true:+.4f}, tolerance {self.tolerance})"
        )


#: The generator's true parameters and the recovery tolerances: (true, tolerance).
RECOVERY_TRUTH = {
    "mean daily hazard, days 0..59": (0.04, 0.006),
    "email lift": (2.5, 0.5),
    "full share": (0.7, 0.06),
    "part fraction": (0.4, 0.0),
}


def recover(seed: int, *, n: int = 1200) -> tuple[list[Recovered], PaymentBehaviour]:
    """Generate a book with :data:`RECOVERY_TRUTH`'s parameters and fit it back
    (``fit_behaviour``, pooled, a 3-day contact window): each figure, and the model."""
    truth = RECOVERY_TRUTH
    invoices, contacts, as_of = generated_book(
        seed,
        n=n,
        hazard=truth["mean daily hazard, days 0..59"][0],
        lift=truth["email lift"][0],
        full=truth["full share"][0],
    )
    model = fit_behaviour(invoices, as_of=as_of, contacts=contacts, window_days=3).pooled
    got = {
        "mean daily hazard, days 0..59": sum(model.hazard(d) for d in range(60)) / 60,
        "email lift": float(model.lifts.get("email", 1.0)),
        "full share": model.full_share,
        "part fraction": float(model.partial_fraction),
    }
    figures = [
        Recovered(name=name, true=true, recovered=got[name], tolerance=tolerance)
        for name, (true, tolerance) in truth.items()
    ]
    return figures, model
