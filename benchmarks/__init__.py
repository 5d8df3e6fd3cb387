"""Benchmarks for Letter Scanner: `python -m benchmarks.run_all` (scripts, not tests)."""
