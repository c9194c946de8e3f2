"""The wheel: it builds from the checkout, and a clean interpreter imports everything from it.

The README says how to install from a checkout or a wheel (the package is not on an index);
this proves the wheel carries what the README and the docs use: both packages, ``py.typed``,
the sample portfolio, the API example and the command's entry point. No network: the build
runs without isolation, with the hatchling the test extra installs.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"),
            *("--no-build-isolation", "--wheel-dir", str(out), str(ROOT)),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("stuut_domain-*.whl")
    return built


def test_the_wheel_carries_the_packages_and_their_data(wheel: Path) -> None:
    """py.typed, the sample portfolio, the API example and the entry point are inside."""
    names = set(zipfile.ZipFile(wheel).namelist())
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert {
        "stuut_domain/py.typed",
        "adapters/samples/retrieve_an_invoice.json",
        "stuut_domain/strategies/__init__.py",
    } <= names
    assert 400 == len([n for n in names if n.startswith("adapters/samples/portfolio/invoices/")])
    assert "stuut-domain = adapters.cli:main" in text


def test_a_clean_interpreter_imports_and_uses_the_wheel(wheel: Path, tmp_path: Path) -> None:
    """Unpacked alone on sys.path (no checkout): the README's first example runs."""
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(target)!r})
        import adapters, stuut_domain
        from adapters.samples import api_invoice_example, sample_portfolio_path
        from adapters.stuut_json import decode_invoice
        from adapters.json_store import JsonStore
        from stuut_domain.invariants import check_invoice
        assert stuut_domain.__file__.startswith({str(target)!r}), stuut_domain.__file__
        assert adapters.__file__.startswith({str(target)!r}), adapters.__file__
        codes = [v.code for v in check_invoice(decode_invoice(api_invoice_example()))]
        store = JsonStore(sample_portfolio_path())
        print(codes, len(list(store.invoices.ids())), store.read_only)
        """
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", script],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=tmp_path,
    )
    assert ("['amount_due_mismatch', 'void_with_payments'] 400 True", "") == (
        result.stdout.strip(),
        result.stderr,
    )
