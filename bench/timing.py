"""Timing and row helpers shared by the benchmark modules (see :mod:`bench`)."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Mapping
from typing import Any

Row = dict[str, object]


def calibrate(fn: Callable[[], Any], budget: float) -> int:
    """How many calls of ``fn`` take about ``budget`` seconds (at least 1), after a warm-up.

    The warm-up lets lazily built decoders and caches exist before anything is timed.
    """
    for _ in range(3):
        fn()
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= budget / 4 or number >= 1 << 20:
            return max(1, int(number * budget / max(elapsed, 1e-9)))
        number *= 4


def median_seconds(
    contenders: Mapping[str, Callable[[], Any]], *, repeat: int, budget: float
) -> dict[str, float]:
    """Median seconds per call for each contender, timed interleaved, repeat after repeat.

    Each repeat runs every contender for about ``budget`` seconds in turn, so that a slower
    or busier moment of the machine affects all of them alike; the garbage collector runs
    between contenders, not inside a timing.
    """
    numbers = {name: calibrate(fn, budget) for name, fn in contenders.items()}
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, fn in contenders.items():
            number = numbers[name]
            gc.collect()
            start = time.perf_counter()
            for _ in range(number):
                fn()
            samples[name].append((time.perf_counter() - start) / number)
    return {name: statistics.median(values) for name, values in samples.items()}


def row(
    figure: str,
    value: float,
    unit: str,
    *,
    peer: str | None = None,
    peer_value: float | None = None,
    target: float | None = None,
    target_text: str | None = None,
) -> Row:
    """One benchmark row; ``ratio = value / peer_value`` and ``ok = ratio <= target``."""
    ratio = None if peer_value in (None, 0) else value / peer_value  # type: ignore[operator]
    ok = None if target is None or ratio is None else ratio <= target
    text = target_text if target_text is not None else (None if target is None else f"<= {target}")
    return {
        "figure": figure,
        "value": value,
        "unit": unit,
        "peer": peer,
        "peer_value": peer_value,
        "ratio": ratio,
        "target": text,
        "ok": ok,
    }
