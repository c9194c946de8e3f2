"""The dependency rule: the core never loads an adapter, a codec or an HTTP library."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = (
    "adapters",
    "cattrs",
    "dask",
    "distributed",
    "duckdb",
    "httpx",
    "hypothesis",
    "ibis",
    "matplotlib",
    "msgspec",
    "numpy",
    "pandas",
    "polars",
    "pyarrow",
    "pydantic",
    "rapidfuzz",
)


def _modules_after(statement: str) -> set[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(json.loads(out))


class TestImportBoundary:
    def test_importing_the_core_loads_no_adapter_codec_or_http_library(self) -> None:
        """`import stuut_domain` (and all its public modules) loads none of the edge libraries."""
        loaded = _modules_after(
            "import stuut_domain, pkgutil, importlib\n"
            "for m in pkgutil.iter_modules(stuut_domain.__path__):\n"
            "    if m.name != 'strategies': importlib.import_module('stuut_domain.' + m.name)"
        )
        leaked = sorted(name for name in loaded if name.split(".")[0] in FORBIDDEN)
        assert [] == leaked

    def test_the_columnar_io_loads_no_query_engine_or_dataframe(self) -> None:
        """Writing and reading tables on columns needs pyarrow only: no engine, no frame."""
        loaded = _modules_after("import adapters.columnar, adapters.columnar.tables")
        engines = {"ibis", "duckdb", "polars", "pandas"}
        assert [] == sorted(name for name in loaded if name.split(".")[0] in engines)
        assert "pyarrow" in loaded

    def test_the_batch_rules_load_no_query_engine_or_dataframe(self) -> None:
        """evaluate_batch needs pyarrow and the core; pandas only when a frame is given."""
        loaded = _modules_after("import adapters.columnar.rules")
        engines = {"ibis", "duckdb", "polars", "pandas", "dask", "distributed"}
        assert [] == sorted(name for name in loaded if name.split(".")[0] in engines)
        assert "stuut_domain.outreach.engine" in loaded

    def test_the_command_line_starts_without_the_plotting_and_frame_libraries(self) -> None:
        """`stuut-domain` and `adapters.figures` import matplotlib/pandas only when drawing."""
        loaded = _modules_after("import adapters.cli, adapters.cli.forecast, adapters.figures")
        leaked = sorted(
            name for name in loaded if name.split(".")[0] in ("matplotlib", "pandas", "polars")
        )
        assert [] == leaked
