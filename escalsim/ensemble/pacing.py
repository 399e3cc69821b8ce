"""Chunks sized by time: small at first, then about a second of one worker's work each.

A chunk is the unit that comes back, is written and survives an interruption; sized by count
alone, the first chunks of a slow scenario could take a minute each, so a run stopped early
kept nothing. :class:`PacedChunks` measures the runs per second coming back and sizes each next
chunk to :data:`CHUNK_SECONDS` of one worker's time, growing at most twofold a chunk, never
above the count-based size (about four chunks per worker). A run's result depends only on its
index and the root seed, so how the runs are cut never changes a table.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from escalsim.ensemble.seeds import Chunk

CHUNK_SECONDS = 1.0
"""The time one worker spends on a chunk, once the pace is known."""

FIRST_CHUNK = 8
"""Runs in each chunk sent out before the first result is back."""


class PacedChunks:
    """The chunks of ``start <= run < stop``, each sized from the pace measured so far.

    ``observe(n)`` is called as each chunk of ``n`` runs comes back; the plan is read lazily
    by the executor, so each chunk is sized when it is sent out.
    """

    def __init__(
        self,
        root: int,
        start: int,
        stop: int,
        *,
        workers: int,
        cap: int,
        seconds: float = CHUNK_SECONDS,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.root, self.start, self.stop = root, start, stop
        self.workers = max(1, workers)
        self.cap = max(1, cap)
        self.seconds = seconds
        self.clock = clock
        self.began = clock()
        self.back = 0
        self.last = 0

    def observe(self, runs: int) -> None:
        """A chunk of ``runs`` runs came back."""
        self.back += runs

    def next_size(self) -> int:
        """Runs in the next chunk: the first few small, then ``seconds`` of one worker's time
        at the pace measured (start-up included, so it errs small), growing at most twofold."""
        if self.back == 0:
            size = FIRST_CHUNK
        else:
            elapsed = max(self.clock() - self.began, 1e-9)
            size = int(self.back / elapsed * self.seconds / self.workers)
            size = min(size, 2 * self.last)
        return max(1, min(self.cap, size))

    def __iter__(self) -> Iterator[Chunk]:
        lo = self.start
        while lo < self.stop:
            size = self.next_size()
            self.last = size
            hi = min(lo + size, self.stop)
            yield Chunk(self.root, lo, hi)
            lo = hi
