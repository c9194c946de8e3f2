"""Benchmarks of stuut-domain against its peers, run by ``make bench``.

``python -m bench.run --output docs/benchmarks.md`` (add ``--quick`` for a short run) imports
every module ``bench/bench_*.py``, calls its ``rows(quick)`` and writes one markdown table per
module, with the machine and the library versions, to the output file.

The contract for a benchmark module ``bench/bench_<area>.py``::

    def rows(quick: bool) -> list[dict[str, object]]: ...

Each row is one measured figure, optionally next to one peer measured in the same run:

=============  ==================  =====================================================
key            type                meaning
=============  ==================  =====================================================
``figure``     ``str``             what was measured, e.g. ``"decode full invoice"``
``value``      ``float``           our measurement (a median of several runs)
``unit``       ``str``             unit of ``value`` and ``peer_value``: ``"µs"``,
                                   ``"bytes"``, ``"per s"``, ...
``peer``       ``str | None``      what we are compared with (``"pydantic v2
                                   validate_json"``), or ``None``
``peer_value`` ``float | None``    the peer's median, same unit, same run
``ratio``      ``float | None``    ``value / peer_value`` (lower is better for times and
                                   sizes); ``None`` without a peer
``target``     ``str | None``      the target as text, e.g. ``"<= 1.0"`` (issue 3)
``ok``         ``bool | None``     whether the target is met; ``None`` without a target
=============  ==================  =====================================================

Rules: measure medians of several repeats (:func:`bench.timing.median_seconds` does it),
time ours and the peer's interleaved in the same run so that ratios are fair, never assert
on time in tests, and keep a module under two minutes (under twenty seconds with ``quick``).
:func:`bench.timing.row` builds a row and computes ``ratio`` and ``ok``.
"""
