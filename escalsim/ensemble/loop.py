"""The chunk loop every ensemble and batch runs, on the executor a :class:`RunSettings` names.

:class:`ChunkLoop` opens the executor (and closes it if it made it), picks the chunk size,
shows the progress bar, cuts a range of run indices into chunks, and hands back each chunk's
results in run order. ``run_ensemble`` turns them into Results; the analyses' batches
(:mod:`escalsim.analysis.batch`) into outcome codes. Both therefore cut, run, cancel and
clean up alike.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

from escalsim.ensemble.executors import Executor, ProcessExecutor, SerialExecutor, Task
from escalsim.ensemble.pacing import PacedChunks
from escalsim.ensemble.progress import progress_bar
from escalsim.ensemble.seeds import Chunk, default_chunk_size, plan_chunks
from escalsim.ensemble.settings import RunSettings


def make_executor(settings: RunSettings) -> tuple[Executor, bool]:
    """The executor the settings name (or their instance), and whether it was made here (and is
    then to be closed here). The settings were checked when made."""
    executor = settings.executor
    if isinstance(executor, Executor):
        return executor, False
    if executor == "serial":
        return SerialExecutor(), True
    if executor == "processes":
        return ProcessExecutor(settings.workers), True
    from escalsim.ensemble.dask_executor import DaskExecutor

    return DaskExecutor(settings.scheduler, workers=settings.workers), True


class CtrlC:
    """Ctrl-C noticed at the next chunk even if its KeyboardInterrupt was lost.

    Python raises KeyboardInterrupt wherever the main thread is when SIGINT comes; raised
    inside Python code that a library calls from C while ignoring errors, it is lost and the
    ensemble would go on. While the loop runs (in the main thread, under Python's own SIGINT
    handler) the signal is also remembered, and :meth:`check`, called as each chunk comes
    back, raises KeyboardInterrupt again if one came.
    """

    def __init__(self) -> None:
        self.seen = False
        self._previous: Any = None

    def _handler(self, signum: int, frame: Any) -> None:
        self.seen = True
        raise KeyboardInterrupt

    def check(self) -> None:
        if self.seen:
            raise KeyboardInterrupt

    def __enter__(self) -> CtrlC:
        main = threading.current_thread() is threading.main_thread()
        if main and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None


class ChunkLoop:
    """One ensemble's (or batch's) executor, chunk size and progress bar, as a context manager.

    Chunks are the settings' ``chunk_size``, or else sized by time (:mod:`.pacing`), at most
    the count-based size that ``runs`` gives (about four per worker); ``total`` is the progress
    bar's total (None: it counts without one). Leaving the ``with`` block closes the bar and
    the executor made for it, however the block ends.
    """

    executor: Executor
    chunk_size: int | None
    """The fixed chunk size given, or None when chunks are sized by time."""
    cap: int
    """The largest chunk."""
    bar: Any
    """The progress bar: ``update(n)`` as runs come back."""

    def __init__(self, settings: RunSettings, *, runs: int, total: int | None, desc: str) -> None:
        self.settings = settings
        self._runs = runs
        self._total = total
        self._desc = desc
        self._stack = contextlib.ExitStack()
        self._ctrl_c = CtrlC()

    def __enter__(self) -> ChunkLoop:
        with contextlib.ExitStack() as stack:
            stack.enter_context(self._ctrl_c)
            executor, owned = make_executor(self.settings)
            if owned:
                stack.callback(executor.close)
            self.executor = executor
            self.chunk_size = self.settings.chunk_size
            self.cap = self.chunk_size or default_chunk_size(self._runs, executor.workers)
            self.bar = progress_bar(self.settings.progress, self._total, self._desc)
            stack.callback(self.bar.close)
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def results(self, task: Task, payload: Any, seed: int, start: int, stop: int) -> Iterator[list]:
        """``task(payload, chunk)`` for each chunk of ``start <= run < stop``, in run order.

        Use it under ``contextlib.closing``: closing it (or leaving the block early) cancels
        the chunks still pending, before whatever comes next.
        """
        if start >= stop:
            return
        paced = None
        if self.chunk_size is None:
            paced = PacedChunks(seed, start, stop, workers=self.executor.workers, cap=self.cap)
            plan: Iterator[Chunk] = iter(paced)
        else:
            plan = plan_chunks(seed, start, stop, self.chunk_size)
        results = self.executor.map(task, payload, plan)
        try:
            for result in results:
                if paced is not None:
                    paced.observe(len(result))
                self._ctrl_c.check()
                yield result
        finally:
            results.close()
