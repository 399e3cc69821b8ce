"""Per-run seeds and the chunks of run indices that go out to workers.

Every run's seed comes from ``numpy.random.SeedSequence(root)`` spawned by its run index
(:func:`escalsim.engine.run_seed`), so a run's result depends only on the root seed and its
index: never on the chunk it travelled in, the worker that ran it or the executor.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from dataclasses import dataclass

from escalsim.engine import run_seed


def check_seed(seed: object) -> int:
    """Return ``seed`` as an int if it is a usable root seed (an integer >= 0), else raise."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be a non-negative integer, got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    return int(seed)


def seeds_for(root: int, runs: range) -> list[int]:
    """The seed of each run index in ``runs``."""
    return [run_seed(root, i) for i in runs]


@dataclass(frozen=True, slots=True)
class Chunk:
    """A contiguous block of run indices ``start <= run < stop`` of the ensemble with ``root``.

    Chunks are small and picklable; the worker derives the seeds itself.
    """

    root: int
    start: int
    stop: int

    @property
    def runs(self) -> range:
        return range(self.start, self.stop)

    def seeds(self) -> list[int]:
        return seeds_for(self.root, self.runs)

    def __len__(self) -> int:
        return self.stop - self.start


def plan_chunks(root: int, start: int, stop: int, size: int) -> Iterator[Chunk]:
    """Chunks of at most ``size`` runs covering ``start <= run < stop``, in order (lazily)."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, got {size}")
    for lo in range(start, stop, size):
        yield Chunk(root, lo, min(lo + size, stop))


def default_chunk_size(runs: int, workers: int, cap: int = 1000) -> int:
    """About four chunks per worker (so the load balances), at most ``cap`` runs each."""
    per = -(-runs // (4 * max(workers, 1)))
    return max(1, min(cap, per))
