"""Benchmarks: `make bench` collects every bench/bench_*.py (see bench/run.py)."""
