"""evaluate_frame on Dask's distributed scheduler: two worker processes, the same answer.

The cluster runs in a child process. Importing ``dask`` (its ``dask.multiprocessing``) or
``distributed`` installs tblib's pickling of every exception class
(``tblib.pickling_support.install()``), which then fails to unpickle cattrs'
``ClassValidationError`` and so the codec's ``DecodeError``: inside the test process it
would break ``tests/test_stuut_json.py``, whatever the test order.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from typing import Any

import pyarrow as pa
import pytest

from adapters.columnar import INVOICES, invoice_batches, write_parquet
from adapters.columnar.rules import evaluate_batch
from adapters.json_store import JsonStore
from adapters.samples import SAMPLE_AS_OF, sample_portfolio_path

# find_spec of a top-level name only: finding ``dask.dataframe`` would import ``dask``, which
# installs the same tblib pickling as ``distributed`` does
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("dask") is None or importlib.util.find_spec("distributed") is None,
    reason="dask[dataframe,distributed] is not installed",
)

#: The child: the sample book as a frame of four partitions and as a Parquet file of four row
#: groups read by Dask, evaluated on a LocalCluster of two worker processes on 127.0.0.1;
#: then a frame with a bad row, whose ColumnarMismatch must come back from a worker intact.
_CHILD = """
import json, sys
import dask.dataframe as dd
import distributed
import pyarrow as pa
from adapters.columnar import EVALUATION, INVOICES, read_invoices
from adapters.columnar.rules import evaluate_frame
from adapters.errors import ColumnarMismatch
from adapters.json_store import JsonStore
from adapters.samples import SAMPLE_AS_OF, sample_portfolio_path

path = sys.argv[1]
store = JsonStore(sample_portfolio_path())
given = {
    "at": SAMPLE_AS_OF,
    "partners": {str(p.id): p for p in store.partners.find()},
    "workflow": min(store.workflows.find(), key=lambda w: str(w.id)),
}
frame = read_invoices(path).to_pandas()
meta = evaluate_frame(frame.iloc[:0], **given)
bad = frame.copy()
bad.loc[bad.index[-1], "status"] = "paid" if bad["status"].iloc[-1] != "paid" else "open"
rows = lambda result: pa.Table.from_pandas(
    result, schema=EVALUATION, preserve_index=False
).to_pylist()
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
    read = dd.read_parquet(path, split_row_groups=True)
    with distributed.get_task_stream(client) as stream:
        from_frame = parts.map_partitions(evaluate_frame, meta=meta, **given).compute()
        from_file = read.map_partitions(evaluate_frame, meta=meta, **given).compute()
    workers = sorted(client.run(lambda: "ok"))
    ran_on = sorted({task["worker"] for task in stream.data})
    try:
        dd.from_pandas(bad, npartitions=4, sort=False).map_partitions(
            evaluate_frame, meta=meta, **given
        ).compute()
        refused = None
    except ColumnarMismatch as error:
        refused = [error.table, error.column, error.row, error.found]
print(json.dumps({
    "workers": workers,
    "ran_on": ran_on,
    "partitions": [parts.npartitions, read.npartitions],
    "from_frame": rows(from_frame),
    "from_file": rows(from_file),
    "refused": refused,
}))
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("dask") / "invoices.parquet"
    write_parquet(JsonStore(sample_portfolio_path()).invoices.find(), path, batch_rows=100)
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert 0 == child.returncode, child.stderr
    answer: dict[str, Any] = json.loads(child.stdout)
    return answer


class TestOnALocalCluster:
    def test_map_partitions_on_two_workers_equals_one_process(self, run: dict[str, Any]) -> None:
        """Four partitions of the sample book (a frame, and a Parquet file read by Dask),
        evaluated by two worker processes on 127.0.0.1, give the rows evaluate_batch gives
        in this process, in order."""
        store = JsonStore(sample_portfolio_path())
        invoices = list(store.invoices.find())
        [batch] = pa.Table.from_batches(
            list(invoice_batches(invoices)), schema=INVOICES
        ).to_batches()
        expected = evaluate_batch(
            batch,
            at=SAMPLE_AS_OF,
            partners={str(p.id): p for p in store.partners.find()},
            workflow=min(store.workflows.find(), key=lambda w: str(w.id)),
        ).to_pylist()
        assert 400 == len(expected)
        assert [4, 4] == run["partitions"]
        assert expected == run["from_frame"]
        assert expected == run["from_file"]

    def test_the_work_ran_on_two_loopback_workers(self, run: dict[str, Any]) -> None:
        assert 2 == len(run["workers"])
        assert all(address.startswith("tcp://127.0.0.1:") for address in run["workers"])
        assert run["ran_on"]
        assert set(run["ran_on"]) <= set(run["workers"])

    def test_a_bad_row_comes_back_from_a_worker_as_columnar_mismatch(
        self, run: dict[str, Any]
    ) -> None:
        """The refusal crosses the process boundary with its data; its row is counted
        within the partition (the last of four partitions of 100 rows)."""
        table, column, row, _found = run["refused"]
        assert ("invoices", "status", 99) == (table, column, row)
