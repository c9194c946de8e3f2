"""Issue 12 §2: a hostile response body gets the clients' own BadResponse, never a foreign error.

A number beyond a decimal's range (``1e9999999999999999999999``) raised
``decimal.InvalidOperation`` from both clients; nesting ~990 levels deep raised
``RecursionError``. A mock transport plays the server.
"""

from __future__ import annotations

import httpx
import pytest
from http_support import FLAVOURS, Flavour

from adapters.errors import BadResponse

INVOICE = (
    b'{"id": "inv_2024_0001", "object": "invoice", "remote_id": "INV-1", "currency": "EUR", '
    b'"total_amount": 100, "amount_due": %s}'
)
BODIES = {
    "huge exponent": INVOICE % b"1e9999999999999999999999",
    "tiny exponent": INVOICE % b"1e-999999999999999999999",
    "deep nesting": INVOICE % (b"[" * 990 + b"]" * 990),
    "far too deep": INVOICE % (b"[" * 50_000 + b"]" * 50_000),
}


@pytest.mark.parametrize("flavour", FLAVOURS, ids=lambda f: f.name)
@pytest.mark.parametrize("body", sorted(BODIES))
def test_a_hostile_body_is_a_bad_response(flavour: Flavour, body: str) -> None:
    transport = httpx.MockTransport(
        lambda _request: httpx.Response(
            200, content=BODIES[body], headers={"content-type": "application/json"}
        )
    )
    with pytest.raises(BadResponse):
        flavour.call("http://api.test/v1", "get_invoice", "inv_2024_0001", transport=transport)
