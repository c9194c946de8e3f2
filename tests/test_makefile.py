"""Specifications of the Makefile's first step: a too-old Python is refused before any venv."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "check_python.py"


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_python", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TestCheckPython:
    def test_the_minimum_is_pyprojects_requires_python(self) -> None:
        """The version asked for is the one pyproject.toml states, read from it."""
        assert (3, 11) == _checker().minimum((ROOT / "pyproject.toml").read_text())

    def test_an_old_python_gets_a_message_a_new_one_none(self) -> None:
        """3.10 is told what is needed and how to pass another Python; 3.11 and 3.13 pass."""
        checker = _checker()
        message = checker.verdict((3, 10, 14), (3, 11), "/usr/bin/python3")
        assert message.startswith(
            "stuut-domain needs Python 3.11 or newer; /usr/bin/python3 is Python 3.10.\n"
        )
        assert "make install PYTHON=python3.11" in message
        assert [None, None] == [checker.verdict(v, (3, 11), "py") for v in ((3, 11), (3, 13, 1))]

    @pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
    def test_make_with_an_old_python_fails_and_creates_nothing(self, tmp_path: Path) -> None:
        """make install with a Python reporting 3.10 stops at the check: no .venv is left."""
        for name in ("Makefile", "pyproject.toml", "scripts/check_python.py"):
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / name, tmp_path / name)
        old = tmp_path / "python3.10"
        pretend = (
            "import runpy, sys; sys.version_info = (3, 10, 14, 'final', 0); "
            "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
        )
        # a real interpreter that reports 3.10 to the check (and would build a real venv)
        old.write_text(
            "#!/bin/sh\n"
            f'case "$1" in *check_python.py) exec "{sys.executable}" -c "{pretend}" "$@";; esac\n'
            f'exec "{sys.executable}" "$@"\n'
        )
        old.chmod(0o755)
        result = subprocess.run(
            ["make", "install", f"PYTHON={old}"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert (True, False) == (result.returncode != 0, (tmp_path / ".venv").exists())
        assert "needs Python 3.11 or newer" in result.stderr
