"""What the HTTP client tests share: the fake API's data, a recording sleep, both clients.

:class:`Flavour` runs one endpoint call on a fresh client of either kind, so a table of
behaviours is written once and parametrized over :class:`StuutApiClient` and
:class:`AsyncStuutApiClient` (each async call runs under its own ``asyncio.run``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections.abc import AsyncIterator, Iterator
from typing import Any

import attrs
from contract_support import TOKEN, invoice, partner, payment

from adapters.clock import FixedClock
from adapters.http_api import StuutApiClient
from adapters.http_api_async import AsyncStuutApiClient
from adapters.memory import MemoryStore

#: The instant both the fake API's clock and the clients' clocks read.
NOW = dt.datetime(2024, 7, 1, 9, 0, tzinfo=dt.UTC)


def http_store() -> MemoryStore:
    """Acme with five invoices, Globex with one, and a payment awaiting approval."""
    s = MemoryStore()
    s.partners.add(partner("ptn_acme"))
    s.partners.add(partner("ptn_globex", name="Globex Corporation", currency="USD"))
    for n in range(5):
        s.invoices.add(invoice(f"inv_2024_{n:04d}"))
    s.invoices.add(invoice("inv_2024_0100", partner_id="ptn_globex", currency="USD"))
    s.payments.add(payment("pay_0007", invoice_id="inv_2024_0001"))
    return s


class Sleeps:
    """Records the waits a client asks for instead of waiting (sync call or async ``wait``)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)

    async def wait(self, seconds: float) -> None:
        """The async client's sleep: records, yields to the loop once, never waits."""
        self.waits.append(seconds)
        await asyncio.sleep(0)


def client_options(sleeps: Sleeps) -> dict[str, Any]:
    """The tests' usual options: pages of 2, a 2 s timeout, seeded jitter, the fixed clock."""
    return {
        "page_size": 2,
        "timeout": 2.0,
        "rng": random.Random(7),
        "clock": FixedClock(NOW),
        "sleep": sleeps,
    }


@attrs.frozen
class Flavour:
    """One kind of client: ``call`` runs one endpoint on a fresh client and closes it.

    List endpoints are drained into a list; ``sleep`` in ``options`` is a :class:`Sleeps`.
    """

    name: str

    def call(self, base_url: str, method: str, *args: Any, **options: Any) -> Any:
        """``client.method(*args)`` on a new client of ``base_url`` built with ``options``."""
        token = options.pop("token", TOKEN)
        if self.name == "sync":
            with StuutApiClient(token, base_url=base_url, **options) as client:
                result = getattr(client, method)(*args)
                return list(result) if isinstance(result, Iterator) else result
        sleeps = options.pop("sleep", None)
        if sleeps is not None:
            options["sleep"] = sleeps.wait

        async def scenario() -> Any:
            async with AsyncStuutApiClient(token, base_url=base_url, **options) as client:
                result = getattr(client, method)(*args)
                if isinstance(result, AsyncIterator):
                    return [item async for item in result]
                return await result

        return asyncio.run(scenario())


#: Both clients, for ``pytest.mark.parametrize``.
FLAVOURS = (Flavour("sync"), Flavour("async"))
