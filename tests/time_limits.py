"""A hang guard for tests: fail, instead of waiting for ever, when code does not return."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


class Hung(BaseException):
    """Raised by the alarm; a BaseException, so that no ``except Exception`` can swallow it."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
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
