"""A hang guard for tests: fail, instead of waiting for ever, when code does not return.

No test judges speed: work is bounded by counts (the engine's event budget, the YAML node
cap, a condition polled while a process is alive). The guard only stops a real hang, so it is
generous enough that no machine, however busy, reaches it by being slow.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

HANG_GUARD = 300.0
"""Seconds after which a test step (a call, a subprocess, a wait) counts as hung."""


class Hung(BaseException):
    """Raised by the alarm; a BaseException, so that no ``except Exception`` can swallow it."""


@contextmanager
def hang_guard(seconds: float = HANG_GUARD) -> Iterator[None]:
    """Raise Hung in the block if it runs longer than ``seconds`` (POSIX alarm)."""

    def fire(_signum: int, _frame: object) -> None:
        raise Hung(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
