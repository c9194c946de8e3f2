"""evaluate_batch gives the core's status, overdue days and outreach codes, row by row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.columnar import EVALUATION, INVOICES, invoice_batches, table_batches
from adapters.columnar.rules import evaluate_batch, evaluate_frame
from adapters.errors import ColumnarMismatch
from adapters.json_store import JsonStore
from adapters.samples import SAMPLE_AS_OF, sample_portfolio_path
from stuut_domain.errors import NaiveDatetime
from stuut_domain.invoice import Invoice, status_of
from stuut_domain.lifecycle import days_past_due, due_day
from stuut_domain.money import Money
from stuut_domain.outreach import decide_outreach
from stuut_domain.outreach.policy import OutreachPolicy
from stuut_domain.outreach.state import EMPTY_STATE, OutreachState
from stuut_domain.partner import Partner
from stuut_domain.payment import PaymentAllocation
from stuut_domain.strategies import Portfolio, portfolios, workflows
from stuut_domain.types import OUTREACH_CHANNELS, OutreachChannel
from stuut_domain.workflow import Workflow

#: The codes whose facts the invoices table has no column for (ADR 0074): an invoice's
#: allocations, its payment portal's status and its own last outreach.
NOT_ON_COLUMNS = frozenset(
    {"payment_in_flight", "payment_processing", "invoice_gap", "partner_gap"}
)

POLICIES = st.builds(
    OutreachPolicy,
    min_gap_per_invoice=st.sampled_from([dt.timedelta(0), dt.timedelta(days=3)]),
    min_gap_per_partner=st.sampled_from([dt.timedelta(0), dt.timedelta(days=1)]),
    promise_grace_days=st.integers(0, 5),
    first_reminder_offset_days=st.integers(-5, 10),
)


def as_columns_carry(invoice: Invoice) -> Invoice:
    """The invoice with only the facts the invoices table has columns for."""
    return attrs.evolve(
        invoice,
        payments=(),
        remote_payment_status=None,
        last_outreach_at=None,
        last_outreach_channel=None,
        partner=None,
    )


def python_rows(
    invoices: Sequence[Invoice],
    *,
    at: dt.datetime,
    partners: dict[str, Partner],
    workflow: Workflow,
    channel: OutreachChannel,
    policy: OutreachPolicy,
    state: OutreachState = EMPTY_STATE,
) -> list[dict[str, Any]]:
    """The reference: the core's functions on each invoice, one call each."""
    rows = []
    for invoice in invoices:
        partner = partners.get(invoice.partner_id or "")
        decision = (
            None
            if partner is None
            else decide_outreach(
                invoice,
                partner=partner,
                workflow=workflow,
                channel=channel,
                at=at,
                policy=policy,
                state=state,
            )
        )
        rows.append(
            {
                "id": invoice.id,
                "partner_id": invoice.partner_id,
                "channel": channel,
                "status": status_of(invoice).value,
                "overdue_days": days_past_due(invoice, at),
                "eligible": None if decision is None else decision.eligible,
                "blockers": None if decision is None else list(decision.codes),
            }
        )
    return rows


def evaluated(invoices: Sequence[Invoice], **kwargs: Any) -> list[dict[str, Any]]:
    batch = next(invoice_batches(invoices))
    result = evaluate_batch(batch, **kwargs)
    assert EVALUATION == result.schema
    rows: list[dict[str, Any]] = result.to_pylist()
    return rows


#: UTC offsets an API may write a due date or issue instant in (whole and odd quarter hours).
OFFSETS = st.integers(-12 * 4, 14 * 4).map(lambda q: dt.timezone(dt.timedelta(minutes=15 * q)))


def _written_elsewhere(invoice: Invoice) -> st.SearchStrategy[Invoice]:
    """The invoice as is, or with its due date and issue instant written in another offset
    (the same instants, often on another calendar day than in UTC)."""
    if invoice.due_date is None and invoice.issued_at is None:
        return st.just(invoice)

    def moved(offsets: tuple[dt.timezone, dt.timezone]) -> Invoice:
        due, issued = invoice.due_date, invoice.issued_at
        return attrs.evolve(
            invoice,
            due_date=None if due is None else due.astimezone(offsets[0]),
            issued_at=None if issued is None else issued.astimezone(offsets[1]),
        )

    return st.one_of(st.just(invoice), st.tuples(OFFSETS, OFFSETS).map(moved))


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    """Portfolios of one or more partners (their due dates and issue instants now and then
    written in another UTC offset), an instant near their due days, a workflow, a channel
    and a policy; now and then a partner left out of ``partners``."""
    books: list[Portfolio] = draw(st.lists(portfolios(max_invoices=5), min_size=1, max_size=3))
    invoices = [draw(_written_elsewhere(i)) for book in books for i in book.invoices]
    partners = {str(b.partner.id): b.partner for b in books}
    if draw(st.booleans()) and len(partners) > 1:
        partners.pop(draw(st.sampled_from(sorted(partners))))
    days = [d for i in invoices if (d := due_day(i)) is not None]
    base = draw(st.sampled_from(days)) if days else dt.date(2026, 6, 1)
    at = dt.datetime.combine(base, dt.time(), dt.UTC) + dt.timedelta(
        days=draw(st.integers(-10, 40)), minutes=draw(st.integers(0, 24 * 60 - 1))
    )
    return {
        "invoices": invoices,
        "at": at,
        "partners": partners,
        "workflow": draw(workflows()),
        "channel": draw(st.sampled_from(OUTREACH_CHANNELS)),
        "policy": draw(POLICIES),
    }


@pytest.mark.slow
class TestEqualToThePythonPath:
    @given(case=cases())
    def test_rows_equal_the_core_on_the_invoices_the_columns_carry(
        self, case: dict[str, Any]
    ) -> None:
        """Status, overdue days, eligibility and every blocker code, exactly, row by row."""
        invoices = case.pop("invoices")
        expected = python_rows([as_columns_carry(i) for i in invoices], **case)
        assert expected == evaluated(invoices, **case)

    @given(case=cases())
    def test_on_the_whole_invoices_only_the_codes_without_columns_differ(
        self, case: dict[str, Any]
    ) -> None:
        """Against the invoices as generated (allocations, portal status, last outreach),
        status and overdue days are equal, and the codes differ only by those the columns
        cannot carry."""
        invoices = case.pop("invoices")
        for want, got in zip(
            python_rows(invoices, **case), evaluated(invoices, **case), strict=True
        ):
            assert (want["status"], want["overdue_days"]) == (got["status"], got["overdue_days"])
            if want["blockers"] is None:
                assert got["blockers"] is None
                continue
            differ = set(want["blockers"]) ^ set(got["blockers"])
            assert differ <= NOT_ON_COLUMNS
            assert [c for c in want["blockers"] if c not in NOT_ON_COLUMNS] == [
                c for c in got["blockers"] if c not in NOT_ON_COLUMNS
            ]


def _invoice(n: int, **changes: Any) -> Invoice:
    fields: dict[str, Any] = {
        "id": f"inv_{n}",
        "object": "invoice",
        "remote_id": str(n),
        "partner_id": "ptn_1",
        "currency": "EUR",
        "total_amount": Money(10_000, "EUR"),
        "amount_paid": Money(0, "EUR"),
        "amount_due": Money(10_000, "EUR"),
        "issued_at": dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        "due_date": dt.datetime(2026, 3, 10, tzinfo=dt.UTC),
    }
    fields.update(changes)
    return Invoice(**fields)


PARTNER = Partner(
    id="ptn_1", object="partner", name="Kauri Foods", email="ap@kauri.example", is_active=True
)
WORKFLOW = Workflow(
    id="wfl_1",
    object="workflow",
    name="every day",
    is_active=True,
    active_days=(0, 1, 2, 3, 4, 5, 6),
    outreach_window_start="00:00",
    outreach_window_end="23:45",
    timezone="UTC",
)
AT = dt.datetime(2026, 3, 20, 10, 0, tzinfo=dt.UTC)


def _evaluate(invoices: Sequence[Invoice], **changes: Any) -> list[dict[str, Any]]:
    kwargs: dict[str, Any] = {"at": AT, "partners": [PARTNER], "workflow": WORKFLOW}
    kwargs.update(changes)
    return evaluated(invoices, **kwargs)


class TestRows:
    def test_an_overdue_open_invoice_is_eligible_with_its_days(self) -> None:
        """Due on the 10th, at the 20th: ten days overdue, and nothing blocks an email."""
        [row] = _evaluate([_invoice(1)])
        expected = {
            "id": "inv_1",
            "partner_id": "ptn_1",
            "channel": "email",
            "status": "open",
            "overdue_days": 10,
            "eligible": True,
            "blockers": [],
        }
        assert expected == row

    def test_an_invoice_of_an_unknown_partner_is_not_decided(self) -> None:
        """No partner to contact: eligibility and blockers are null, status and days stay."""
        [row] = _evaluate([_invoice(1, partner_id="ptn_unknown")])
        assert ("open", 10, None, None) == (
            row["status"],
            row["overdue_days"],
            row["eligible"],
            row["blockers"],
        )

    def test_paid_and_void_invoices_carry_their_codes(self) -> None:
        """A paid invoice owes nothing and is zero days overdue; a void one is ``void``."""
        paid = _invoice(
            1,
            amount_paid=Money(10_000, "EUR"),
            amount_due=Money(0, "EUR"),
            paid_at=dt.datetime(2026, 3, 5, tzinfo=dt.UTC),
        )
        void = _invoice(2, voided_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
        rows = _evaluate([paid, void])
        assert [("paid", 0, ["nothing_owed"]), ("void", 0, ["void"])] == [
            (r["status"], r["overdue_days"], r["blockers"]) for r in rows
        ]

    def test_overdue_days_are_counted_on_the_utc_day(self) -> None:
        """The columns embed no partner, so the day of ``at`` is its UTC day (the core's
        rule for an invoice without an embedded partner), even for a partner in Auckland."""
        east = attrs.evolve(PARTNER, timezone="Pacific/Auckland")
        at = dt.datetime(2026, 3, 10, 20, 0, tzinfo=dt.UTC)  # the 11th in Auckland
        [row] = _evaluate([_invoice(1)], at=at, partners=[east])
        assert 0 == row["overdue_days"]
        embedded = _invoice(1, partner=east)
        assert 1 == days_past_due(embedded, at)  # what the columns cannot say

    def test_the_due_day_is_the_day_as_written_not_the_utc_day(self) -> None:
        """Due "2026-03-10 at midnight, +05:00" is 19:00 on the 9th in UTC; it is still due
        on the 10th, so the evening of the 10th is not overdue, and the 11th is one day."""
        due = dt.datetime(2026, 3, 10, tzinfo=dt.timezone(dt.timedelta(hours=5)))
        invoice = _invoice(1, due_date=due)
        for at, days in ((dt.datetime(2026, 3, 10, 20, tzinfo=dt.UTC), 0), (AT, 10)):
            [row] = _evaluate([invoice], at=at)
            assert days_past_due(invoice, at) == days == row["overdue_days"]

    def test_a_day_west_of_utc_is_kept_too(self) -> None:
        """Due "2026-03-10 at 23:00, -08:00" is the 11th in UTC; the 11th is one day late."""
        due = dt.datetime(2026, 3, 10, 23, tzinfo=dt.timezone(dt.timedelta(hours=-8)))
        invoice = _invoice(1, due_date=due)
        at = dt.datetime(2026, 3, 11, 12, tzinfo=dt.UTC)
        [row] = _evaluate([invoice], at=at)
        assert days_past_due(invoice, at) == 1 == row["overdue_days"]

    def test_a_pending_allocation_cannot_block_on_columns(self) -> None:
        """``payment_in_flight`` reads allocations, which the invoices table does not carry."""
        pending = PaymentAllocation(
            object="payment_allocation",
            payment_id="pay_1",
            invoice_id="inv_1",
            amount=Money(10_000, "EUR"),
            approved=False,
            strategy="manual",
        )
        invoice = _invoice(1, payments=(pending,))
        python = decide_outreach(
            invoice, partner=PARTNER, workflow=WORKFLOW, channel="email", at=AT
        )
        assert ("payment_in_flight",) == python.codes
        [row] = _evaluate([invoice])
        assert (True, []) == (row["eligible"], row["blockers"])

    def test_the_outreach_state_given_is_read(self) -> None:
        """A gap kept per invoice counts the state's attempts about the invoice."""
        state = EMPTY_STATE.record(
            partner_id="ptn_1", channel="email", sent_at=AT - dt.timedelta(days=1),
            invoice_ids=["inv_1"],
        )  # fmt: skip
        policy = OutreachPolicy(min_gap_per_invoice=dt.timedelta(days=3))
        [row] = _evaluate([_invoice(1)], state=state, policy=policy)
        assert ["invoice_gap"] == row["blockers"]

    def test_an_empty_batch_gives_an_empty_evaluation(self) -> None:
        assert [] == _evaluate([])

    def test_a_batch_without_metadata_and_with_plain_strings_is_read(self) -> None:
        """Engines drop schema metadata, decode dictionaries (Spark) or narrow their indices
        (pandas categories): the same answer."""
        batch = next(invoice_batches([_invoice(1), _invoice(2, partner_id=None)]))
        plain = pa.RecordBatch.from_arrays(
            [c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c for c in batch.columns],
            names=batch.schema.names,
        )
        narrow = pa.RecordBatch.from_arrays(
            [
                c.cast(pa.dictionary(pa.int8(), pa.large_string()))
                if pa.types.is_dictionary(c.type)
                else c
                for c in batch.columns
            ],
            names=batch.schema.names,
        )
        kwargs: dict[str, Any] = {"at": AT, "partners": [PARTNER], "workflow": WORKFLOW}
        want = evaluate_batch(batch, **kwargs).to_pylist()
        assert want == evaluate_batch(plain, **kwargs).to_pylist()
        assert want == evaluate_batch(narrow, **kwargs).to_pylist()
        assert 2 == len(want)


def _batch() -> pa.RecordBatch:
    return next(invoice_batches([_invoice(1), _invoice(2)]))


def _refusal(batch: Any, first_row: int = 0) -> ColumnarMismatch:
    with pytest.raises(ColumnarMismatch) as caught:
        evaluate_batch(batch, at=AT, partners=[PARTNER], workflow=WORKFLOW, first_row=first_row)
    return caught.value


def _replaced(batch: pa.RecordBatch, name: str, column: pa.Array) -> pa.RecordBatch:
    arrays = [column if n == name else batch.column(n) for n in batch.schema.names]
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


class TestBadInput:
    def test_a_batch_of_another_table_is_refused(self) -> None:
        payments = next(table_batches("payments", []))
        error = _refusal(payments)
        assert ("invoices", "<schema metadata>", "payments") == (
            error.table,
            error.column,
            error.found,
        )

    def test_a_batch_of_another_version_is_refused(self) -> None:
        meta = {**INVOICES.metadata, b"stuut.schema_version": b"0"}
        error = _refusal(_batch().replace_schema_metadata(meta))
        assert ("<schema metadata>", "0") == (error.column, error.found)

    def test_a_column_of_another_type_is_refused_naming_it(self) -> None:
        batch = _batch().replace_schema_metadata(None)
        wrong = _replaced(batch, "amount_due_minor", batch.column("amount_due_minor").cast("int32"))
        error = _refusal(wrong)
        assert ("amount_due_minor", "int64", "int32") == (error.column, error.expected, error.found)

    def test_a_missing_and_an_extra_column_are_refused(self) -> None:
        batch = _batch().replace_schema_metadata(None)
        missing = batch.drop_columns(["in_dispute"])
        assert "in_dispute" == _refusal(missing).column
        extra = batch.append_column("note", pa.array(["a", "b"]))
        assert ("note", "no such column") == (_refusal(extra).column, _refusal(extra).expected)

    def test_a_status_its_facts_do_not_give_is_refused_naming_the_row(self) -> None:
        batch = _batch()
        status = pa.array(["open", "paid"]).dictionary_encode()
        error = _refusal(
            pa.RecordBatch.from_arrays(
                [status if n == "status" else batch.column(n) for n in INVOICES.names],
                schema=INVOICES,
            ),
            first_row=100,
        )
        assert ("status", 101, "paid") == (error.column, error.row, error.found)

    def test_an_exponent_that_is_not_the_currency_s_is_refused(self) -> None:
        batch = _batch()
        exponent = pa.array([2, 3], type=pa.int8())
        error = _refusal(
            pa.RecordBatch.from_arrays(
                [exponent if n == "exponent" else batch.column(n) for n in INVOICES.names],
                schema=INVOICES,
            )
        )
        assert ("exponent", 1, 3) == (error.column, error.row, error.found)

    def test_a_due_day_no_offset_can_give_is_refused(self) -> None:
        batch = _batch()
        days = pc.add(batch.column("due_day").cast(pa.int32()), pa.scalar(2, pa.int32()))
        error = _refusal(
            pa.RecordBatch.from_arrays(
                [
                    days.cast(pa.date32()) if n == "due_day" else batch.column(n)
                    for n in INVOICES.names
                ],
                schema=INVOICES,
            )
        )
        assert ("due_day", 0, dt.date(2026, 3, 12)) == (error.column, error.row, error.found)

    @pytest.mark.parametrize(
        ("name", "type_", "value"),
        [
            ("paid_at", pa.timestamp("us", tz="UTC"), 2**62),
            ("promised_to_pay_date", pa.date32(), 10**8),
        ],
    )
    def test_an_instant_or_day_beyond_year_9999_is_refused_naming_the_row(
        self, name: str, type_: pa.DataType, value: int
    ) -> None:
        """Arrow holds instants and days Python cannot: refused, never an OverflowError."""
        batch = _batch()
        storage = pa.int64() if pa.types.is_timestamp(type_) else pa.int32()
        far = pa.array([None, value], type=storage).cast(type_)
        error = _refusal(
            pa.RecordBatch.from_arrays(
                [far if n == name else batch.column(n) for n in INVOICES.names],
                schema=INVOICES,
            )
        )
        assert (name, 1, value) == (error.column, error.row, error.found)

    def test_not_a_batch_and_a_naive_instant_are_refused(self) -> None:
        assert "<batch>" == _refusal({"id": ["inv_1"]}).column
        with pytest.raises(NaiveDatetime):
            evaluate_batch(
                _batch(), at=dt.datetime(2026, 3, 20), partners=[PARTNER], workflow=WORKFLOW
            )


@pytest.fixture(scope="module")
def sample() -> dict[str, Any]:
    store = JsonStore(sample_portfolio_path())
    invoices = list(store.invoices.find())
    return {
        "table": pa.Table.from_batches(list(invoice_batches(invoices)), schema=INVOICES),
        "partners": list(store.partners.find()),
        "workflow": min(store.workflows.find(), key=lambda w: str(w.id)),
    }


def _given(sample: dict[str, Any]) -> dict[str, Any]:
    """The decision's arguments on the sample: its as-of instant, partners and workflow."""
    return {"at": SAMPLE_AS_OF, "partners": sample["partners"], "workflow": sample["workflow"]}


class TestFrames:
    def test_a_frame_gives_the_batch_s_rows(self, sample: dict[str, Any]) -> None:
        """evaluate_frame is evaluate_batch through pandas: the same rows, in order."""
        kwargs = _given(sample)
        [batch] = sample["table"].to_batches()
        want = evaluate_batch(batch, **kwargs).to_pylist()
        frame = evaluate_frame(sample["table"].to_pandas(), **kwargs)
        got = pa.Table.from_pandas(frame, schema=EVALUATION, preserve_index=False).to_pylist()
        assert 400 == len(want)
        assert want == got

    def test_an_empty_frame_gives_the_evaluation_s_columns(self, sample: dict[str, Any]) -> None:
        kwargs = _given(sample)
        frame = evaluate_frame(sample["table"].to_pandas().iloc[:0], **kwargs)
        assert (0, EVALUATION.names) == (len(frame), list(frame.columns))

    def test_a_column_that_cannot_take_its_type_is_refused_naming_it(
        self, sample: dict[str, Any]
    ) -> None:
        frame = sample["table"].to_pandas().head(3)
        frame["total_amount_minor"] = ["10.00", "x", "3"]
        with pytest.raises(ColumnarMismatch) as caught:
            evaluate_frame(frame, at=SAMPLE_AS_OF, partners=[], workflow=sample["workflow"])
        assert "total_amount_minor" == caught.value.column

    def test_a_float_column_that_may_have_rounded_is_refused_naming_its_row(
        self, sample: dict[str, Any]
    ) -> None:
        """Outsider 55 B1: pandas keeps an int64 column with a null as float64, which rounds
        2**53 + 1 to 2**53; evaluate_frame cast it back silently. A float column is taken only
        while every value is a whole number below 2**53 (held exactly)."""
        frame = sample["table"].to_pandas().head(3)
        kwargs = _given(sample)
        exact = frame.copy()
        exact["total_amount_minor"] = exact["total_amount_minor"].astype("float64")
        assert len(evaluate_frame(exact, **kwargs)) == 3
        rounded = exact.copy()
        rounded.loc[rounded.index[1], "total_amount_minor"] = float(2**53 + 1)
        with pytest.raises(ColumnarMismatch) as caught:
            evaluate_frame(rounded, **kwargs)
        assert (caught.value.column, caught.value.row) == ("total_amount_minor", 1)

    def test_an_amount_beyond_int64_in_an_object_column_is_refused_naming_its_row(
        self, sample: dict[str, Any]
    ) -> None:
        """Outsider 55 B2: a bare OverflowError escaped."""
        import pandas as pd

        frame = sample["table"].to_pandas().head(3)
        frame["total_amount_minor"] = pd.Series([1, 2**64, 1], dtype=object)
        with pytest.raises(ColumnarMismatch) as caught:
            evaluate_frame(frame, at=SAMPLE_AS_OF, partners=[], workflow=sample["workflow"])
        assert (caught.value.column, caught.value.row) == ("total_amount_minor", 1)


class TestEnginesOutput:
    """Outsider 55 R2: a Polars round trip (large strings) and DuckDB's default session zone
    (``Etc/UTC``) were refused; their values are the same, so they are taken."""

    def test_large_strings_and_another_name_of_utc_are_taken(self, sample: dict[str, Any]) -> None:
        kwargs = _given(sample)
        [batch] = sample["table"].to_batches()
        want = evaluate_batch(batch, **kwargs).to_pylist()
        columns = []
        for field in INVOICES:
            column = batch.column(field.name)
            if pa.types.is_string(field.type):
                column = column.cast(pa.large_string())
            elif pa.types.is_timestamp(field.type):
                column = column.cast(pa.timestamp("us", tz="Etc/UTC"))
            columns.append(column)
        engine = pa.RecordBatch.from_arrays(columns, names=INVOICES.names)  # no metadata
        assert evaluate_batch(engine, **kwargs).to_pylist() == want
        other_zone = engine.set_column(
            INVOICES.get_field_index("issued_at"),
            "issued_at",
            batch.column("issued_at").cast(pa.timestamp("us", tz="Europe/Berlin")),
        )
        with pytest.raises(ColumnarMismatch) as caught:
            evaluate_batch(other_zone, **kwargs)
        assert caught.value.column == "issued_at"

    def test_an_instant_without_its_day_is_refused(self, sample: dict[str, Any]) -> None:
        """Outsider 55 R4: a null due_day beside a due_date was read on the UTC day."""
        kwargs = _given(sample)
        [batch] = sample["table"].to_batches()
        row = next(i for i, v in enumerate(batch.column("due_date").to_pylist()) if v is not None)
        days = batch.column("due_day").to_pylist()
        days[row] = None
        broken = batch.set_column(
            INVOICES.get_field_index("due_day"),
            INVOICES.field("due_day"),
            pa.array(days, pa.date32()),
        )
        with pytest.raises(ColumnarMismatch) as caught:
            evaluate_batch(broken, **kwargs)
        assert (caught.value.column, caught.value.row) == ("due_day", row)

    def test_a_naive_datetime_column_in_a_frame_is_refused(self, sample: dict[str, Any]) -> None:
        """Outsider 55 R3: a naive datetime64 due_date was read as UTC; evaluate_batch refuses
        a timestamp without a zone, and the frame path now does too."""
        frame = sample["table"].to_pandas().head(3)
        frame["due_date"] = frame["due_date"].dt.tz_localize(None)
        with pytest.raises(ColumnarMismatch) as caught:
            evaluate_frame(frame, at=SAMPLE_AS_OF, partners=[], workflow=sample["workflow"])
        assert caught.value.column == "due_date"
