"""The open invoices a matcher works against, indexed once (by id, partner, number, PO).

:class:`OpenBook` keeps only invoices that can take money (owed and with something open
after pending allocations), in id order so that nothing depends on the order given, and
indexes their numbers (:class:`~stuut_domain.cash.references.InvoiceNumberIndex`) and
purchase-order numbers. A batch builds it once; each transaction then looks only at its
partner's invoices and at the invoices its references name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs

from stuut_domain.cash.references import DEFAULT_FORMATS, InvoiceNumberIndex, ReferenceFormats
from stuut_domain.errors import InvalidMatchInput
from stuut_domain.invoice import OWED, Invoice, status_of
from stuut_domain.lifecycle import pending_amount_remaining
from stuut_domain.money import Money

__all__ = ["OpenBook"]


@attrs.frozen(kw_only=True, weakref_slot=False, repr=False)
class OpenBook:
    """Open invoices by id, with their open amount, partner and number indexes."""

    invoices: Mapping[str, Invoice]
    open_amounts: Mapping[str, Money]
    by_partner: Mapping[str, tuple[str, ...]]
    numbers: InvoiceNumberIndex
    po_numbers: InvoiceNumberIndex
    currencies: frozenset[str]
    ignored: int

    @classmethod
    def of(
        cls, invoices: Iterable[Invoice], *, formats: ReferenceFormats = DEFAULT_FORMATS
    ) -> OpenBook:
        """The book of the owed invoices among ``invoices`` (others are counted as ignored).

        Refused (:class:`~stuut_domain.errors.InvalidMatchInput`): an entry that is not an
        Invoice, an invoice without an id, or one id given twice.
        """
        kept: dict[str, Invoice] = {}
        open_amounts: dict[str, Money] = {}
        ignored = 0
        for index, inv in enumerate(invoices):
            if not isinstance(inv, Invoice):
                raise InvalidMatchInput(
                    "invoice_type",
                    f"open_invoices[{index}] is not an Invoice: {type(inv).__name__}",
                    index=index,
                )
            if inv.id is None:
                raise InvalidMatchInput(
                    "invoice_id_missing", f"invoice {inv.number!r} has no id", number=inv.number
                )
            if inv.id in kept:
                raise InvalidMatchInput(
                    "duplicate_invoice", f"invoice {inv.id!r} is given twice", invoice_id=inv.id
                )
            remaining = pending_amount_remaining(inv)
            if status_of(inv) not in OWED or not remaining.is_positive():
                ignored += 1
                continue
            kept[inv.id] = inv
            open_amounts[inv.id] = remaining
        ordered = dict(sorted(kept.items()))
        by_partner: dict[str, list[str]] = {}
        for inv_id, inv in ordered.items():
            by_partner.setdefault(inv.partner_id or "", []).append(inv_id)
        prefixes = formats.invoice_prefixes
        return cls(
            invoices=ordered,
            open_amounts=open_amounts,
            by_partner={k: tuple(v) for k, v in by_partner.items()},
            numbers=InvoiceNumberIndex.of(
                ((i, inv.number) for i, inv in ordered.items()), prefixes=prefixes
            ),
            po_numbers=InvoiceNumberIndex.of(
                (
                    (i, inv.purchase_order_number)
                    for i, inv in ordered.items()
                    if inv.purchase_order_number
                ),
                prefixes=formats.po_prefixes,
            ),
            currencies=frozenset(inv.currency for inv in ordered.values()),
            ignored=ignored,
        )

    def partner_of(self, invoice_id: str) -> str | None:
        """The partner an open invoice belongs to."""
        return self.invoices[invoice_id].partner_id

    def of_partner(self, partner_id: str) -> Sequence[str]:
        """The ids of a partner's open invoices, in id order."""
        return self.by_partner.get(partner_id, ())

    def __len__(self) -> int:
        return len(self.invoices)

    def __repr__(self) -> str:
        return f"OpenBook({len(self.invoices)} open invoices, {len(self.by_partner)} partners)"
