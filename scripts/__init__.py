"""Benchmarks, run from the repository root as ``python -m scripts.bench_<name>``."""
