"""Benchmarks, run by hand (``python -m benchmarks.engine``); not part of the test suite."""
