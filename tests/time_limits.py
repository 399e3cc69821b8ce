"""A hang guard for tests: fail, instead of waiting for ever, when code does not return.

No test judges speed: work is bounded by counts (the engine's event budget, the YAML node
cap, a condition polled while a process is alive). The guards only stop a real hang, so they
are generous enough that no machine, however busy, reaches them by being slow. Every test runs
under ``TEST_HANG_GUARD`` (see conftest.py); a wait or a subprocess inside it may have its own
``HANG_GUARD``.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

HANG_GUARD = 300.0
"""Seconds after which one step of a test (a call, a subprocess, a wait) counts as hung."""
TEST_HANG_GUARD = 2 * HANG_GUARD
"""Seconds after which a whole test (set-up, call and tear-down) counts as hung."""


class Hung(BaseException):
    """Raised by the alarm; a BaseException, so that no ``except Exception`` can swallow it."""


@contextmanager
def hang_guard(seconds: float = HANG_GUARD) -> Iterator[None]:
    """Raise Hung in the block if it runs longer than ``seconds`` (POSIX alarm). An enclosing
    guard is set aside meanwhile, then re-armed with the time it had left."""

    def fire(_signum: int, _frame: object) -> None:
        raise Hung(f"still running after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, fire)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:
            left = outer - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
