"""``stuut-domain aging``: aging per currency and partner, DSO and expected collections."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from adapters.cli._output import Outcome, limited
from adapters.cli._store import StorePortfolio, load_store, store_outcome
from stuut_domain.portfolio import (
    AgingReport,
    aging_report,
    days_sales_outstanding,
    expected_collections,
)

__all__ = ["aging_view", "run"]


def aging_view(
    portfolio: StorePortfolio, as_of: dt.date, limit: int | None = None
) -> tuple[str, dict[str, Any]]:
    """The aging report, DSO and expected collections at ``as_of``, as text and as data."""
    report: AgingReport = aging_report(portfolio.invoices, as_of=as_of, partners=portfolio.partners)
    dso = days_sales_outstanding(portfolio.invoices, as_of=as_of)
    forecast = expected_collections(portfolio.invoices, as_of=as_of)
    text = "\n\n".join(
        [
            repr(report),
            "By partner\n" + limited(report.partner_columns, report.partner_records(), limit),
            repr(dso),
            repr(forecast),
        ]
    )
    data = {
        "as_of": as_of,
        "aging": report.records(),
        "aging_by_partner": report.partner_records(),
        "dso": dso.records(),
        "expected_collections": forecast.records(),
    }
    return text, data


def run(args: argparse.Namespace) -> Outcome:
    """Age the store at ``args.store`` at ``args.at``."""
    portfolio = load_store(args.store)
    text, data = aging_view(portfolio, args.at, limit=args.limit or None)
    return store_outcome(portfolio, text, data)
