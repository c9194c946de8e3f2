"""OutreachState.record extends its indexes by the one new item: every reading equals the
one of a state rebuilt from the whole history, and the older state is unchanged."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from stuut_domain.outreach.state import OutreachState, SentOutreach
from stuut_domain.types import OUTREACH_CHANNELS

BASE = dt.datetime(2024, 7, 1, tzinfo=dt.UTC)
INVOICES = ("inv_1", "inv_2", "inv_3")
PARTNERS = ("ptn_a", "ptn_b", None)
ADDRESSES = ("AP@acme.example", "ap@acme.example ", "+49 (0)711 555 0142", "0711 5550142")


def readings(state: OutreachState) -> dict[str, object]:
    """Everything the engine reads from a state, through its public methods."""
    out: dict[str, object] = {"sent": state.sent}
    for channel in (None, *OUTREACH_CHANNELS):
        for key in INVOICES:
            out[f"invoice {key} {channel}"] = state.last_about_invoice(key, channel)
        for pid in PARTNERS:
            out[f"partner {pid} {channel}"] = state.last_to_partner(pid, channel)
    for key in INVOICES:
        out[f"attempts invoice {key}"] = list(state.attempts_about_invoice(key))
    for pid in PARTNERS:
        out[f"attempts partner {pid}"] = list(state.attempts_to_partner(pid))
    for address in ("ap@acme.example", "7115550142", "+49 (0)711 555 0142"):
        out[f"attempts address {address}"] = list(state.attempts_to_address(address))
    return out


sends = st.lists(
    st.tuples(
        st.sampled_from(PARTNERS),
        st.sampled_from(OUTREACH_CHANNELS),
        st.integers(-1000, 1000),
        st.lists(st.sampled_from(ADDRESSES), max_size=2),
        st.lists(st.sampled_from(INVOICES), max_size=3),
    ),
    max_size=8,
)


@given(history=sends, more=sends)
def test_recording_gives_the_indexes_a_rebuild_gives(history, more) -> None:  # type: ignore[no-untyped-def]
    def item(row):  # type: ignore[no-untyped-def]
        pid, channel, minutes, to, ids = row
        return SentOutreach(
            partner_id=pid,
            channel=channel,
            sent_at=BASE + dt.timedelta(minutes=minutes),
            to=tuple(to),
            invoice_ids=tuple(ids),
        )

    state = OutreachState(sent=tuple(item(r) for r in history))
    before = readings(state)
    for row in more:
        sent = item(row)
        recorded = state.record(
            partner_id=sent.partner_id,
            channel=sent.channel,
            sent_at=sent.sent_at,
            to=sent.to,
            invoice_ids=sent.invoice_ids,
        )
        assert readings(recorded) == readings(OutreachState(sent=recorded.sent))
        assert recorded == OutreachState(sent=recorded.sent)
        assert readings(state) == before  # the older state is unchanged
        state, before = recorded, readings(recorded)
