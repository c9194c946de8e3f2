"""Type aliases shared by the entities: JSON values and the API's closed enumerations.

Only enumerations whose full option list the Stuut API documents are closed ``Literal``
types; fields the API shows by a single example value stay ``str`` (ADR 0007).
"""

from __future__ import annotations

from typing import Any, Final, Literal, TypeAlias, get_args

import attrs

__all__ = [
    "JSON",
    "OUTREACH_CHANNELS",
    "SOURCE_FIELDS",
    "InvoiceType",
    "OutreachChannel",
    "RemotePaymentStatus",
    "Sourced",
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


#: The names of :class:`Sourced`'s two fields: no entity field and no wire key has them.
SOURCE_FIELDS: Final = frozenset({"_source", "_wire"})


@attrs.frozen(kw_only=True, weakref_slot=False)
class Sourced:
    """Base of every entity read from the wire: it can carry the document it was read from.

    Rule (ADR 0034): what a value *is* never depends on where it came from. Both fields take
    no part in equality, hashing, ordering or repr, so a decoded value equals the same value
    built in code, and the core never reads them. They exist so that an adapter can write a
    value back exactly as it was read (keys that were absent stay absent, unknown keys and
    number forms are kept):

    * ``_source`` is the document the value was read from, opaque to the core (the codec's
      wire frame or mapping). ``attrs.evolve`` keeps it, so a changed value still writes back
      the keys it did not change; ``None`` for a value built in code.
    * ``_wire`` is set by the adapter on the very value it built and never passed to
      ``__init__``: ``attrs.evolve`` and construction leave it ``None``, so it marks "exactly
      as decoded" (the codec may then write the document back without comparing fields).
    """

    _source: Any = attrs.field(default=None, eq=False, repr=False, alias="_source")
    _wire: Any = attrs.field(default=None, init=False, eq=False, repr=False)
