"""evaluate_frame on Dask's distributed scheduler: two worker processes, the same answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from adapters.columnar import EVALUATION, INVOICES, invoice_batches, write_parquet
from adapters.columnar.rules import evaluate_batch, evaluate_frame
from adapters.json_store import JsonStore
from adapters.samples import SAMPLE_AS_OF, sample_portfolio_path

dd = pytest.importorskip("dask.dataframe", reason="dask[dataframe] is not installed")
distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed")


def _rows(frame: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pa.Table.from_pandas(
        frame, schema=EVALUATION, preserve_index=False
    ).to_pylist()
    return rows


class TestOnALocalCluster:
    # dask's Parquet reader calls reset_index(inplace=True), which pandas 3.1 deprecates
    @pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning")
    @pytest.mark.filterwarnings("ignore:The inplace keyword:FutureWarning")
    def test_map_partitions_on_two_workers_equals_one_process(self, tmp_path: Path) -> None:
        """The sample book, as a frame in four partitions and as a Parquet file of four row
        groups read by Dask, evaluated by two worker processes on 127.0.0.1, gives the rows
        evaluate_batch gives in this process, in order."""
        store = JsonStore(sample_portfolio_path())
        invoices = list(store.invoices.find())
        table = pa.Table.from_batches(list(invoice_batches(invoices)), schema=INVOICES)
        write_parquet(invoices, tmp_path / "invoices.parquet", batch_rows=100)
        kwargs: dict[str, Any] = {
            "at": SAMPLE_AS_OF,
            "partners": {str(p.id): p for p in store.partners.find()},
            "workflow": min(store.workflows.find(), key=lambda w: str(w.id)),
        }
        [batch] = table.to_batches()
        expected = evaluate_batch(batch, **kwargs).to_pylist()

        frame = table.to_pandas()
        meta = evaluate_frame(frame.iloc[:0], **kwargs)
        with (
            distributed.LocalCluster(
                n_workers=2,
                processes=True,
                threads_per_worker=1,
                host="127.0.0.1",
                scheduler_port=0,
                dashboard_address="127.0.0.1:0",  # its HTTP server: loopback, any free port
                worker_dashboard_address=None,
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            parts = dd.from_pandas(frame, npartitions=4, sort=False)
            read = dd.read_parquet(str(tmp_path / "invoices.parquet"), split_row_groups=True)
            with distributed.get_task_stream(client) as stream:
                from_frame = parts.map_partitions(evaluate_frame, meta=meta, **kwargs).compute()
                from_file = read.map_partitions(evaluate_frame, meta=meta, **kwargs).compute()
            workers = client.run(lambda: "ok")
            ran_on = {task["worker"] for task in stream.data}
        assert 2 == len(workers)
        assert all(address.startswith("tcp://127.0.0.1:") for address in workers)
        assert ran_on
        assert ran_on <= set(workers)
        assert (4, 4) == (parts.npartitions, read.npartitions)
        assert 400 == len(expected)
        assert expected == _rows(from_frame)
        assert expected == _rows(from_file)
