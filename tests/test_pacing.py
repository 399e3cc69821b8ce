"""Chunks sized by time: small while the pace is unknown, then about a second of work each."""

from __future__ import annotations

import itertools
import os
import signal
import time

import pytest
from fakes_ensemble import fake_job, fake_task, scenario

from escalsim.ensemble.driver import run_ensemble
from escalsim.ensemble.executors import SerialExecutor
from escalsim.ensemble.pacing import CHUNK_SECONDS, FIRST_CHUNK, PacedChunks
from escalsim.ensemble.settings import RunSettings
from escalsim.errors import Interrupted


class FakeClock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_first_chunks_are_small_then_sized_by_the_pace_and_growing_at_most_twofold():
    clock = FakeClock()
    plan = PacedChunks(5, 0, 100_000, workers=2, cap=1000, clock=clock)
    chunks = iter(plan)
    first = [next(chunks) for _ in range(3)]  # sent out before anything came back
    assert [len(c) for c in first] == [FIRST_CHUNK] * 3
    clock.t = 0.1  # 8 runs back in 0.1 s: 80 runs/s on 2 workers, 40 runs/s each
    plan.observe(8)
    assert len(next(chunks)) == 2 * FIRST_CHUNK  # the pace would allow 40: at most twofold
    sizes = []
    for _ in range(10):
        clock.t += 1.0
        plan.observe(400)  # 400 runs/s in all, 200 runs/s on each worker
        sizes.append(len(next(chunks)))
    assert max(sizes) <= int(400 * CHUNK_SECONDS / 2) + 1
    assert all(b <= 2 * a for a, b in itertools.pairwise([16, *sizes]))


def test_the_plan_covers_the_runs_exactly_once_and_never_exceeds_the_cap():
    clock = FakeClock()
    plan = PacedChunks(5, 37, 5000, workers=1, cap=50, clock=clock)
    runs = []
    for chunk in plan:
        assert 1 <= len(chunk) <= 50 and chunk.root == 5
        runs.extend(chunk.runs)
        clock.t += 0.001
        plan.observe(len(chunk))  # very fast runs: the cap holds
    assert runs == list(range(37, 5000))


@pytest.mark.parametrize("runs", [10_000])
def test_an_ensemble_without_a_chunk_size_starts_with_small_chunks(runs):
    """A slow start no longer hides the first runs in one big chunk: an interruption after a
    few seconds keeps what was finished (each chunk is written as it comes back)."""
    seen: list[int] = []

    job = fake_job(interrupt_run=3 * FIRST_CHUNK + 1)
    settings = RunSettings(executor=SerialExecutor(), progress=False)

    def counting(payload, chunk):
        seen.append(len(chunk))
        return fake_task(payload, chunk)

    with pytest.raises(Interrupted) as info:
        run_ensemble(counting, job, scenario(), runs, 3, settings)
    assert seen[0] == FIRST_CHUNK
    assert all(b <= 2 * a for a, b in itertools.pairwise(seen))
    assert info.value.runs == sum(seen[:-1]) > 0  # the chunks finished before it were kept


def test_fixed_chunk_sizes_are_kept_when_given():
    seen: list[int] = []

    def counting(payload, chunk):
        seen.append(len(chunk))
        return fake_task(payload, chunk)

    settings = RunSettings(executor=SerialExecutor(), progress=False, chunk_size=40)
    res = run_ensemble(counting, fake_job(), scenario(), 100, 3, settings)
    assert seen == [40, 40, 20]
    assert res.provenance["chunk_size"] == 40


def _swallowing(payload, chunk):
    """A task that, at its second chunk, receives Ctrl-C where a library swallows it."""
    if chunk.start > 0 and chunk.start <= FIRST_CHUNK:
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.5)  # the handler runs here, and its KeyboardInterrupt is lost
        except KeyboardInterrupt:
            pass
    return fake_task(payload, chunk)


@pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")
def test_a_ctrl_c_whose_interrupt_was_lost_stops_the_ensemble_at_the_next_chunk():
    handler = signal.getsignal(signal.SIGINT)
    if handler is not signal.default_int_handler:  # the loop only adds to Python's own handler
        pytest.skip(f"SIGINT is handled by {handler!r} in this process, not by Python's default")
    settings = RunSettings(executor=SerialExecutor(), progress=False)
    with pytest.raises(Interrupted) as info:
        run_ensemble(_swallowing, fake_job(), scenario(), 10_000, 3, settings)
    assert 0 < info.value.runs < 10_000
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored
