"""Every error survives a process boundary: pickled with its class, message and data."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import pickle

import pytest

import adapters.cli._output  # noqa: F401  (imports every error class below)
from adapters.errors import (
    ApiNotFound,
    ApiUnavailable,
    BadResponse,
    ColumnarMismatch,
    CorruptRecord,
    Forbidden,
    InvalidId,
    Problem,
    ReadOnlyStore,
    SchemaOutOfDate,
    SqlStoreNotFound,
    SqlStoreUnavailable,
    StoreNotFound,
    StuutApiError,
    Unauthorized,
    UnexpectedStatus,
    UnitOfWorkMisuse,
    Unprocessable,
    UnsupportedStoreUrl,
    UnwritableEntity,
)
from adapters.stuut_json import DecodeError
from stuut_domain.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    CurrencyMismatch,
    InexactAmount,
    InstantOutOfRange,
    InvalidAllocation,
    InvalidCadence,
    InvalidMatchInput,
    InvalidRate,
    InvalidReportInput,
    InvalidScenario,
    InvalidTransition,
    InvariantViolation,
    MissingExtra,
    MissingRate,
    NaiveDatetime,
    NoBusinessDay,
    NotFound,
    OwedRefused,
    PartnerMismatch,
    StuutDomainError,
    UnknownCurrency,
    UnknownRegion,
    UnknownTimeZone,
    Violation,
)
from stuut_domain.money import Money

PROBLEM = Problem(path="line_items[0].amount", message="expected an integer", value="1.5")
VIOLATION = Violation(
    code="overpaid",
    path="amount_paid",
    message="amount_paid 2.00 USD exceeds total_amount 1.00 USD",
    values={"amount_paid": Money(200, "USD"), "total_amount": Money(100, "USD")},
)

#: One instance of every error class the library raises, with data in every attribute.
EXAMPLES: dict[type[StuutDomainError], StuutDomainError] = {
    StuutDomainError: StuutDomainError("plain"),
    UnknownCurrency: UnknownCurrency("FOO"),
    InvalidRate: InvalidRate(1.5, "a float is not an exact rate"),
    UnknownTimeZone: UnknownTimeZone("Mars/Olympus"),
    InstantOutOfRange: InstantOutOfRange(
        "at", dt.datetime.max, dt.datetime(1, 2, 1), dt.datetime(9999, 11, 30)
    ),
    NaiveDatetime: NaiveDatetime("at", dt.datetime(2026, 12, 1, 9)),
    PartnerMismatch: PartnerMismatch("inv_1", "prt_a", "prt_b"),
    CurrencyMismatch: CurrencyMismatch("USD", "EUR", "add"),
    InexactAmount: InexactAmount("1.005", "USD", 2),
    InvariantViolation: InvariantViolation([VIOLATION], subject="invoice 'inv_1'"),
    InvalidTransition: InvalidTransition("void", "paid", "it is paid"),
    InvalidCadence: InvalidCadence("max_attempts", 0, "a cap allows at least one attempt"),
    NoBusinessDay: NoBusinessDay("explicit calendar", dt.date(2026, 1, 1), 366),
    UnknownRegion: UnknownRegion("US", "ZZ", "no such subdivision"),
    InvalidAllocation: InvalidAllocation("exceeds_amount_due", "too much", cap=Money(1, "USD")),
    InvalidMatchInput: InvalidMatchInput("confidence_scale", "off scale", score=90.0),
    NotFound: NotFound("invoice", "inv_404"),
    InvalidReportInput: InvalidReportInput(
        "weeks_not_positive", "weeks", "a positive whole number of weeks", value=0
    ),
    InvalidScenario: InvalidScenario("runs_not_positive", "runs", "at least one run", runs=0),
    MissingRate: MissingRate("JPY", "EUR", row=2, column="total"),
    MissingExtra: MissingExtra("matplotlib", "plot", "aging_figure"),
    OwedRefused: OwedRefused("note_exceeds_total", "lines", "too much", total=Money(1, "USD")),
    ConcurrencyConflict: ConcurrencyConflict("invoice", "inv_1", "3", "4"),
    AlreadyExists: AlreadyExists("invoice", "inv_1", "sha256:ab"),
    StoreNotFound: StoreNotFound("/typo/path"),
    ReadOnlyStore: ReadOnlyStore("/sample", "invoice", "inv_1"),
    SchemaOutOfDate: SchemaOutOfDate("sqlite:///b.db", "0001", "0002", newer=False),
    SqlStoreNotFound: SqlStoreNotFound("sqlite:///typo.db", "the database file does not exist"),
    SqlStoreUnavailable: SqlStoreUnavailable("sqlite:///b.db", "database is locked"),
    UnwritableEntity: UnwritableEntity("bank_transaction", "btx_1", "amount beyond 64 bits"),
    UnitOfWorkMisuse: UnitOfWorkMisuse("sqlite:///b.db", "the unit of work is over"),
    UnsupportedStoreUrl: UnsupportedStoreUrl("mysql://h/db", "the scheme 'mysql' is not supported"),
    ColumnarMismatch: ColumnarMismatch("invoices", "exponent", "2 for USD", 3, row=7),
    InvalidId: InvalidId("invoice", "../etc/passwd", "has a path separator"),
    CorruptRecord: CorruptRecord("invoices/inv_1.json", [PROBLEM]),
    StuutApiError: StuutApiError("GET /v1/invoices", "failed", 500),
    Unauthorized: Unauthorized("GET /v1/invoices", "bad token", 401),
    Forbidden: Forbidden("GET /v1/invoices", "not allowed", 403),
    Unprocessable: Unprocessable("POST /v1/payments", "refused", {"errors": ["amount"]}),
    BadResponse: BadResponse("GET /v1/invoices", "not JSON"),
    UnexpectedStatus: UnexpectedStatus("GET /v1/invoices", "teapot", 418),
    ApiUnavailable: ApiUnavailable("GET /v1/invoices", "timed out", 503, 4),
    ApiNotFound: ApiNotFound("GET /v1/invoices/inv_404", "invoice", "inv_404"),
    DecodeError: DecodeError([PROBLEM], target="Invoice", source="inv_1.json"),
}


def _all_error_classes() -> set[type[StuutDomainError]]:
    found: set[type[StuutDomainError]] = set()
    todo = [StuutDomainError]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo.extend(cls.__subclasses__())
    return {c for c in found if not c.__name__.startswith("_")}


def test_every_error_class_has_an_example_here() -> None:
    """A new error class must be added to EXAMPLES, so none escapes the pickling check."""
    assert _all_error_classes() <= set(EXAMPLES)


@pytest.mark.parametrize("cls", list(EXAMPLES), ids=lambda c: c.__name__)
def test_an_error_round_trips_through_pickle(cls: type[StuutDomainError]) -> None:
    """Class, message, args and every attribute come back equal."""
    error = EXAMPLES[cls]
    again = pickle.loads(pickle.dumps(error))
    assert (type(error), str(error), error.args, vars(error)) == (
        type(again),
        str(again),
        again.args,
        vars(again),
    )


def _raise_not_found(entity_id: str) -> None:
    raise NotFound("invoice", entity_id)


def test_an_error_raised_in_a_worker_process_arrives_whole() -> None:
    """NotFound raised in a ProcessPoolExecutor worker reaches the caller with its data."""
    with concurrent.futures.ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(_raise_not_found, "inv_404")
        with pytest.raises(NotFound) as caught:
            future.result(timeout=60)
    assert ("invoice", "inv_404") == (caught.value.kind, caught.value.entity_id)
