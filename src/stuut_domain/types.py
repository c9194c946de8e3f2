"""Type aliases shared by the entities: JSON values and the API's closed enumerations.

Only enumerations whose full option list the Stuut API documents are closed ``Literal``
types; fields the API shows by a single example value stay ``str`` (ADR 0007).
"""

from __future__ import annotations

from typing import Any, Final, Literal, TypeAlias, get_args

__all__ = [
    "JSON",
    "OUTREACH_CHANNELS",
    "InvoiceType",
    "OutreachChannel",
    "RemotePaymentStatus",
    "SyncStatus",
]

#: Any JSON value (object, array, string, number, boolean or null), kept as decoded.
#: Used for fields the API documents as ``<unknown>``, ``{}`` or free-form.
JSON: TypeAlias = Any

#: ``sync_status``: the sync status of an entity with the customer's ERP.
SyncStatus: TypeAlias = Literal["partial", "syncing", "synced", "failed"]

#: ``remote_payment_status``: payment processing state reported by the payment portal.
RemotePaymentStatus: TypeAlias = Literal["processing", "completed"]

#: ``last_outreach_channel``: the channel outreach was last sent in.
OutreachChannel: TypeAlias = Literal["email", "call"]

#: Every outreach channel, in the API's order: the one list the engine, CLI and strategies use.
OUTREACH_CHANNELS: Final[tuple[OutreachChannel, ...]] = get_args(OutreachChannel)

#: ``type``: accounts payable or accounts receivable invoice.
InvoiceType: TypeAlias = Literal["payable", "receivable"]
