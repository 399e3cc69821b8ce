"""Executors: one interface for running chunks of runs serially, on local processes or on Dask.

An executor maps a *task* over chunks: ``task(payload, chunk) -> list`` is a top-level
(picklable) function, ``payload`` is what every chunk needs (the prepared scenario), sent once
per worker rather than once per chunk. Results come back in chunk order, with a bounded number
of chunks in flight, so a consumer that writes them out as they arrive holds only a few chunks
in memory. A chunk whose worker process dies is run again (a bounded number of times); since a
chunk's result depends only on its run indices and root seed, the retry gives the same result.

For the same reason a chunk can be run as several pieces and their results joined: the parallel
executors cut the last chunks of a plan (:func:`split_tail`) into pieces that shrink towards
the end, so that large chunks amortise the cost of each round trip while the workers still
finish together.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ClassVar

from escalsim.checks import positive_int
from escalsim.ensemble.seeds import Chunk
from escalsim.errors import RunError

Task = Callable[[Any, Chunk], list]
"""A top-level function ``task(payload, chunk)`` returning one result per run of the chunk."""

DEFAULT_RETRIES = 2


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - no affinity on macOS and Windows
        return os.cpu_count() or 1


def _check_workers(workers: object) -> int:
    """The workers asked for, or one per available core for None."""
    if workers is None:
        return available_cores()
    return positive_int("workers", workers)


def _check_retries(max_retries: object) -> int:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(f"max_retries must be a non-negative integer, got {max_retries!r}")
    return max_retries


def lost_worker_error(chunk: Chunk, attempts: int, start_method: str | None = None) -> RunError:
    """The error raised when a chunk's worker died more often than retries allow."""
    hint = ""
    if start_method in ("spawn", "forkserver"):  # the usual cause: an unguarded script
        hint = (
            f"; workers start with {start_method!r}, so a script must call escalsim under "
            '`if __name__ == "__main__":`, or every worker runs the script again'
        )
    times = "once" if attempts == 1 else f"{attempts} times"
    return RunError(
        f"a worker died {times} while runs {chunk.start}..{chunk.stop - 1} were in "
        "progress; giving up (each run can be replayed alone with "
        f"run_one(scenario, seed=run_seed({chunk.root}, run))){hint}"
    )


def split_tail(chunks: Iterable[Chunk], workers: int) -> Iterator[tuple[Chunk, list[Chunk]]]:
    """Pair each chunk with the pieces to run it as: the chunk itself, except for the last
    ``workers`` chunks (the tail), which are cut into pieces that shrink towards the end.

    With equal chunks, the worker that finishes its last whole chunk first would otherwise idle
    for up to a chunk's time; guided pieces (a ``1 / (2 * workers)`` share of what is left, at
    least an eighth of a chunk) keep every worker busy until the last few runs. Looks
    ``workers`` chunks ahead, so the plan is still read lazily.
    """
    if workers <= 1:
        for chunk in chunks:
            yield chunk, [chunk]
        return
    ahead: deque[Chunk] = deque()
    for chunk in chunks:
        ahead.append(chunk)
        if len(ahead) > workers:
            first = ahead.popleft()
            yield first, [first]
    if not ahead:
        return
    left = sum(len(c) for c in ahead)
    smallest = max(1, -(-max(len(c) for c in ahead) // 8))
    for chunk in ahead:
        pieces = []
        lo = chunk.start
        while lo < chunk.stop:
            size = max(smallest, -(-left // (2 * workers)))
            if chunk.stop - lo - size < smallest:  # no sliver: halve what is left, or take it
                size = -(-(chunk.stop - lo) // 2) if chunk.stop - lo > size else chunk.stop - lo
            hi = lo + size
            pieces.append(Chunk(chunk.root, lo, hi))
            left -= hi - lo
            lo = hi
        yield chunk, pieces


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


def _init_worker(task: Task, payload: Any, owner: int) -> None:
    _end_with_parent(owner)
    _WORKER["task"] = task
    _WORKER["payload"] = payload


def _end_with_parent(owner: int) -> None:
    """End this worker when its parent dies, even by SIGKILL, which gives the parent no chance
    to stop it: a worker left behind would compute for nobody. ``owner`` is the process that
    made the pool (the parent itself, or the parent of a ``forkserver``, which then ends)."""
    if os.name != "posix":  # pragma: no cover - probing a process ends it on Windows
        return
    armed = _parent_death_signal()
    parent = os.getppid()  # read once armed: a parent that died before is seen here
    if parent != owner:  # a forkserver's child, or the owner died before the watch began
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            os._exit(1)
        except OSError:  # pragma: no cover - alive, but not ours to signal
            pass
    if not armed:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _parent_death_signal() -> bool:
    """Ask Linux to send SIGKILL to this process when its parent ends (PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - no C library to ask
        return False


def _watch_parent(parent: int) -> None:  # pragma: no cover - where Linux's signal is missing
    """Poll for the parent's death (the process is then adopted by another)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


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
    """One piece of a chunk in flight: its future and how many times it was submitted."""

    __slots__ = ("attempts", "chunk", "future")

    def __init__(self, chunk: Chunk, future: Future) -> None:
        self.chunk = chunk
        self.future = future
        self.attempts = 1


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Shut the pool down without waiting, and end the chunks still running in its workers.

    Used when the consumer stops early (a precision target met, an error, Ctrl-C): the running
    chunks' results are no longer wanted, and the interpreter would otherwise wait for them at
    exit.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()


class ProcessExecutor(Executor):
    """A local pool of worker processes (``concurrent.futures.ProcessPoolExecutor``).

    Each worker receives the task and the payload once, through the pool's initializer.
    ``mp_context`` is passed to the pool (a start method name such as ``"spawn"`` or a
    ``multiprocessing`` context); by default the platform's default start method is used, and
    the global start method is never changed. Workers end when the process that made them dies,
    even by SIGKILL (Linux's parent-death signal; elsewhere on POSIX each watches its parent
    once a second). If a worker process dies, the pool is rebuilt and the unfinished chunks are
    run again, each at most ``max_retries`` more times. If the consumer stops early (a
    precision target met, an error), the chunks still running are ended rather than waited
    for.
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
            initargs=(task, payload, os.getpid()),
        )

    def _start_method(self) -> str:
        import multiprocessing

        return (self._context or multiprocessing).get_start_method()

    def map(self, task: Task, payload: Any, chunks: Iterable[Chunk]) -> Iterator[list]:
        todo = split_tail(chunks, self._workers)
        window = 2 * self._workers
        pending: deque[list[_Pending]] = deque()  # per chunk in flight, its pieces
        pool = self._pool(task, payload)
        finished = False

        def fill() -> None:
            while len(pending) < window:
                item = next(todo, None)
                if item is None:
                    return
                pending.append([_Pending(piece, _submit(pool, piece)) for piece in item[1]])

        try:
            fill()
            while pending:
                try:
                    result = [r for piece in pending[0] for r in piece.future.result()]
                except BrokenProcessPool:
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = self._pool(task, payload)
                    for item in (piece for pieces in pending for piece in pieces):
                        if item.future.done() and item.future.exception() is None:
                            continue  # finished before the pool broke: keep its result
                        if item.attempts > self.max_retries:
                            raise lost_worker_error(
                                item.chunk, item.attempts, self._start_method()
                            ) from None
                        item.attempts += 1
                        item.future = _submit(pool, item.chunk)
                    continue
                pending.popleft()
                fill()
                yield result
            finished = True
        finally:
            if finished:
                pool.shutdown(wait=True)
            else:
                _stop_workers(pool)

    def __repr__(self) -> str:
        return f"ProcessExecutor(workers={self._workers})"
