"""Executors: one interface for running chunks of runs serially, on local processes or on Dask.

An executor maps a *task* over chunks: ``task(payload, chunk) -> list`` is a top-level
(picklable) function, ``payload`` is what every chunk needs (the prepared scenario), sent once
per worker rather than once per chunk. Results come back in chunk order, with a bounded number
of chunks in flight, so a consumer that writes them out as they arrive holds only a few chunks
in memory. A chunk whose worker process dies is run again (a bounded number of times); since a
chunk's result depends only on its run indices and root seed, the retry gives the same result.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ClassVar

from escalsim.ensemble.seeds import Chunk
from escalsim.errors import RunError

Task = Callable[[Any, Chunk], list]
"""A top-level function ``task(payload, chunk)`` returning one result per run of the chunk."""

DEFAULT_RETRIES = 2


def _check_workers(workers: object) -> int:
    if workers is None:
        return os.cpu_count() or 1
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    return workers


def _check_retries(max_retries: object) -> int:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(f"max_retries must be a non-negative integer, got {max_retries!r}")
    return max_retries


def lost_worker_error(chunk: Chunk, attempts: int) -> RunError:
    """The error raised when a chunk's worker died more often than retries allow."""
    return RunError(
        f"a worker died {attempts} times while runs {chunk.start}..{chunk.stop - 1} were in "
        "progress; giving up (each run can be replayed alone with "
        f"run_one(scenario, seed=run_seed({chunk.root}, run)))"
    )


class Executor(ABC):
    """Runs a task over chunks and yields each chunk's results, in chunk order."""

    name: ClassVar[str] = "executor"

    @property
    @abstractmethod
    def workers(self) -> int:
        """How many chunks can run at the same time."""

    @abstractmethod
    def map(self, task: Task, payload: Any, chunks: Iterable[Chunk]) -> Iterator[list]:
        """Yield ``task(payload, chunk)`` for each chunk, in order.

        ``chunks`` is consumed lazily; closing the returned generator early cancels the work
        still pending.
        """

    def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release what the executor holds (connections, clusters); it cannot be used after."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(workers={self.workers})"


class SerialExecutor(Executor):
    """Runs every chunk in this process, one after the other (no pickling, easy debugging)."""

    name = "serial"

    @property
    def workers(self) -> int:
        return 1

    def map(self, task: Task, payload: Any, chunks: Iterable[Chunk]) -> Iterator[list]:
        for chunk in chunks:
            yield task(payload, chunk)


# --- local processes ----------------------------------------------------------------------

_WORKER: dict[str, Any] = {}
"""In a pool worker: the task and payload received once by the initializer."""


def _init_worker(task: Task, payload: Any) -> None:
    _WORKER["task"] = task
    _WORKER["payload"] = payload


def _run_in_worker(chunk: Chunk) -> list:
    return _WORKER["task"](_WORKER["payload"], chunk)


def _submit(pool: ProcessPoolExecutor, chunk: Chunk) -> Future:
    """Submit a chunk; a pool already broken gives a future failed with BrokenProcessPool."""
    try:
        return pool.submit(_run_in_worker, chunk)
    except BrokenProcessPool as exc:
        failed: Future = Future()
        failed.set_exception(exc)
        return failed


class _Pending:
    __slots__ = ("attempts", "chunk", "future")

    def __init__(self, chunk: Chunk, future: Future) -> None:
        self.chunk = chunk
        self.future = future
        self.attempts = 1


class ProcessExecutor(Executor):
    """A local pool of worker processes (``concurrent.futures.ProcessPoolExecutor``).

    Each worker receives the task and the payload once, through the pool's initializer.
    ``mp_context`` is passed to the pool (a start method name such as ``"spawn"`` or a
    ``multiprocessing`` context); by default the platform's default start method is used, and
    the global start method is never changed. If a worker process dies, the pool is rebuilt
    and the unfinished chunks are run again, each at most ``max_retries`` more times.
    """

    name = "processes"

    def __init__(
        self,
        workers: int | None = None,
        *,
        max_retries: int = DEFAULT_RETRIES,
        mp_context: Any = None,
    ) -> None:
        self._workers = _check_workers(workers)
        self.max_retries = _check_retries(max_retries)
        if isinstance(mp_context, str):
            import multiprocessing

            mp_context = multiprocessing.get_context(mp_context)
        self._context = mp_context

    @property
    def workers(self) -> int:
        return self._workers

    def _pool(self, task: Task, payload: Any) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self._workers,
            mp_context=self._context,
            initializer=_init_worker,
            initargs=(task, payload),
        )

    def map(self, task: Task, payload: Any, chunks: Iterable[Chunk]) -> Iterator[list]:
        todo = iter(chunks)
        window = 2 * self._workers
        pending: deque[_Pending] = deque()
        pool = self._pool(task, payload)
        finished = False

        def fill() -> None:
            while len(pending) < window:
                chunk = next(todo, None)
                if chunk is None:
                    return
                pending.append(_Pending(chunk, _submit(pool, chunk)))

        try:
            fill()
            while pending:
                head = pending[0]
                try:
                    result = head.future.result()
                except BrokenProcessPool:
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = self._pool(task, payload)
                    for item in pending:
                        if item.future.done() and item.future.exception() is None:
                            continue  # finished before the pool broke: keep its result
                        if item.attempts > self.max_retries:
                            raise lost_worker_error(item.chunk, item.attempts) from None
                        item.attempts += 1
                        item.future = _submit(pool, item.chunk)
                    continue
                pending.popleft()
                fill()
                yield result
            finished = True
        finally:
            pool.shutdown(wait=finished, cancel_futures=True)

    def __repr__(self) -> str:
        return f"ProcessExecutor(workers={self._workers})"


def make_executor(
    executor: str | Executor, workers: int | None = None, scheduler: Any = None
) -> tuple[Executor, bool]:
    """The executor named by ``executor`` (or the instance itself) and whether we own it."""
    if isinstance(executor, Executor):
        if workers is not None or scheduler is not None:
            raise ValueError(
                "workers and scheduler configure a named executor; set them on the "
                f"{type(executor).__name__} instance instead"
            )
        return executor, False
    if executor == "serial":
        if scheduler is not None:
            raise ValueError("scheduler is only used with executor='dask'")
        if workers not in (None, 1):
            raise ValueError(f"the serial executor has one worker, got workers={workers!r}")
        return SerialExecutor(), True
    if executor == "processes":
        if scheduler is not None:
            raise ValueError("scheduler is only used with executor='dask'")
        return ProcessExecutor(workers), True
    if executor == "dask":
        from escalsim.ensemble.dask_executor import DaskExecutor

        return DaskExecutor(scheduler, workers=workers), True
    raise ValueError(
        f"executor must be 'processes', 'serial', 'dask' or an Executor, got {executor!r}"
    )
