"""The Stuut wire-JSON codec: decode API documents into domain values and encode them back.

The public path is ``adapters.stuut_json``; the package holds the codec (``codec``), the
reference cattrs path (``reference``), the msgspec fast path (``fast``), the writer that gives
decoded documents back (``writer``) and the wire-schema facts they share (``schema``). See
ADR 0005, ADR 0031 and ADR 0034.
"""

from __future__ import annotations

from adapters.stuut_json.codec import (
    DecodeError,
    Page,
    Problem,
    StuutJsonCodec,
    decode,
    decode_invoice,
    decode_invoices,
    decode_partner,
    decode_partners,
    decode_payment,
    decode_payments,
    decode_workflow,
    decode_workflows,
    encode,
    encode_invoice,
    encode_partner,
    encode_payment,
    encode_workflow,
)

__all__ = [
    "DecodeError",
    "Page",
    "Problem",
    "StuutJsonCodec",
    "decode",
    "decode_invoice",
    "decode_invoices",
    "decode_partner",
    "decode_partners",
    "decode_payment",
    "decode_payments",
    "decode_workflow",
    "decode_workflows",
    "encode",
    "encode_invoice",
    "encode_partner",
    "encode_payment",
    "encode_workflow",
]
