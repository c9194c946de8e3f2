"""The collections simulation (issue 19): 200 runs over 26 weeks of the sample portfolio.

Target: 200 runs x 26 weeks of the bundled sample (400 invoices, 40 partners) in at most
30 s on one core. The behaviour is fitted from the sample's own history as the ``forecast``
command does, the first active workflow drives e-mail outreach. Times are the process's CPU
seconds (``time.process_time``: one core, whatever else the machine is doing), one call each
(a call this long times itself); the wall-clock seconds are shown as the peer. The growth
rows run the same simulation (fewer runs) on books of 100, 400 and 1,600 invoices: the first
10 partners of the sample, the sample, and the sample four times over (each copy a new
partner with its own invoice ids). Their figure is CPU microseconds per invoice and run
(flat when the cost grows linearly with the book), the peer column the milliseconds per
run. The first runs make most of the outreach decisions, later runs reuse them until their
payments differ, so a run's mean cost falls as runs are added. Run alone with
``python -m bench.bench_scenarios``; ``bench/run.py`` collects :func:`rows`.
"""

from __future__ import annotations

import time

import attrs

from adapters.json_store import JsonStore
from adapters.samples import SAMPLE_AS_OF, sample_portfolio_path
from bench.timing import Row
from stuut_domain.invoice import Invoice
from stuut_domain.outreach.state import OutreachState
from stuut_domain.partner import Partner
from stuut_domain.scenarios import BehaviourBook, fit_behaviour, simulate_collections
from stuut_domain.workflow import Workflow

#: The issue's target for 200 runs x 26 weeks of the sample, CPU seconds on one core.
TARGET_SECONDS = 30.0


def sample() -> tuple[list[Invoice], list[Partner], Workflow, BehaviourBook]:
    """The sample's invoices, partners, first active workflow and fitted behaviour."""
    store = JsonStore(sample_portfolio_path())
    invoices = sorted(store.invoices.find(), key=lambda i: i.id or "")
    partners = sorted(store.partners.find(), key=lambda p: p.id or "")
    active = [w for w in store.workflows.find() if w.is_active is not False]
    workflow = sorted(active, key=lambda w: w.id or "")[0]
    behaviour = fit_behaviour(
        invoices, as_of=SAMPLE_AS_OF, contacts=OutreachState.from_invoices(invoices).sent
    )
    return invoices, partners, workflow, behaviour


def scaled(
    invoices: list[Invoice], partners: list[Partner], factor: float
) -> tuple[list[Invoice], list[Partner]]:
    """The book with ``factor`` times the partners: a fraction keeps the first partners,
    a whole multiple adds copies (partner and invoice ids suffixed ``~k``)."""
    if factor <= 1:
        kept = partners[: max(1, round(len(partners) * factor))]
        ids = {p.id for p in kept}
        return [i for i in invoices if i.partner_id in ids], kept
    more_invoices, more_partners = list(invoices), list(partners)
    for k in range(1, int(factor)):
        more_partners += [attrs.evolve(p, id=f"{p.id}~{k}") for p in partners]
        more_invoices += [
            attrs.evolve(
                i,
                id=f"{i.id}~{k}",
                number=f"{i.number}~{k}",
                partner_id=None if i.partner_id is None else f"{i.partner_id}~{k}",
            )
            for i in invoices
        ]
    return more_invoices, more_partners


def _timed(
    invoices: list[Invoice],
    partners: list[Partner],
    workflow: Workflow,
    behaviour: BehaviourBook,
    runs: int,
) -> tuple[float, float, int]:
    """CPU and wall seconds of one simulation, and its median contacts."""
    cpu, wall = time.process_time(), time.perf_counter()
    simulation = simulate_collections(
        invoices,
        partners=partners,
        workflow=workflow,
        behaviour=behaviour,
        start=SAMPLE_AS_OF,
        weeks=26,
        runs=runs,
    )
    contacts = simulation.summary()["contacts_p50"]
    assert isinstance(contacts, int)
    return time.process_time() - cpu, time.perf_counter() - wall, contacts


def rows(quick: bool) -> list[Row]:
    """The headline (200 runs; 40 with ``--quick``, no target then) and the growth rows."""
    invoices, partners, workflow, behaviour = sample()
    runs = 40 if quick else 200
    cpu, wall, contacts = _timed(invoices, partners, workflow, behaviour, runs)
    headline: Row = {
        "figure": f"{runs} runs x 26 weeks, sample ({len(invoices)} invoices, "
        f"{len(partners)} partners, {contacts} contacts per run)",
        "value": cpu,
        "unit": "s CPU",
        "peer": "wall clock",
        "peer_value": wall,
        "ratio": None,
        "target": None if quick else f"<= {TARGET_SECONDS:.0f} s",
        "ok": None if quick else cpu <= TARGET_SECONDS,
    }
    out = [headline]
    growth_runs = 5 if quick else 20
    for factor in (0.25, 1, 4):
        book, people = scaled(invoices, partners, factor)
        cpu, wall, _ = _timed(book, people, workflow, behaviour, growth_runs)
        out.append(
            {
                "figure": f"{growth_runs} runs x 26 weeks, {len(book)} invoices, "
                f"{len(people)} partners",
                "value": cpu / growth_runs / len(book) * 1e6,
                "unit": "µs CPU per invoice-run",
                "peer": "ms CPU per run",
                "peer_value": cpu / growth_runs * 1e3,
                "ratio": None,
                "target": None,
                "ok": None,
            }
        )
    return out


if __name__ == "__main__":
    import sys

    for line in rows(quick="--quick" in sys.argv):
        print(f"{line['figure']:80} {line['value']:10.2f} {line['unit']}  ({line['peer_value']})")
