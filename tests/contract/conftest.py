"""Fixtures of the contract suite: every adapter, built fresh for each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from contract_support import HARNESSES, WRITABLE, Harness


@pytest.fixture(params=sorted(HARNESSES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    """Each adapter in turn, read-side: seed through ``.seed``, read through ``.read``."""
    with HARNESSES[request.param](tmp_path) as harness:
        yield harness


@pytest.fixture(params=WRITABLE)
def writable(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    """Each adapter that also writes, in turn."""
    with HARNESSES[request.param](tmp_path) as harness:
        yield harness
