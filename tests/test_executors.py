"""Executors' scheduling: the tail of a plan cut into pieces, an early stop that does not
wait for the chunks still running, and workers that do not outlive their parent."""

from __future__ import annotations

import multiprocessing
import signal
import sys
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalsim.ensemble import ProcessExecutor
from escalsim.ensemble.executors import split_tail
from escalsim.ensemble.seeds import plan_chunks


@settings(max_examples=200, deadline=None)
@given(
    start=st.integers(0, 50),
    length=st.integers(0, 3000),
    size=st.integers(1, 400),
    workers=st.integers(1, 16),
)
def test_split_tail_keeps_each_chunk_and_cuts_only_the_tail(start, length, size, workers):
    chunks = list(plan_chunks(5, start, start + length, size))
    planned = list(split_tail(iter(chunks), workers))
    assert [chunk for chunk, _ in planned] == chunks
    for i, (chunk, pieces) in enumerate(planned):
        assert [r for p in pieces for r in p.runs] == list(chunk.runs)
        assert all(p.root == chunk.root and len(p) >= 1 for p in pieces)
        if workers == 1 or i < len(chunks) - workers:
            assert pieces == [chunk]


def test_split_tail_pieces_shrink_towards_the_end():
    planned = list(split_tail(plan_chunks(0, 0, 20_000, 1000), 2))
    assert all(len(pieces) == 1 for _, pieces in planned[:-2])
    for _, pieces in planned[-2:]:
        sizes = [len(p) for p in pieces]
        assert sizes == sorted(sizes, reverse=True)
    assert len(planned[-2][1][0]) == 500  # a quarter of the tail: half a share per worker
    assert len(planned[-1][1][-1]) <= 125  # at most an eighth of a chunk at the very end


def _endless_after_first(payload: None, chunk) -> list[int]:
    """The first chunk returns; every other one never does, so only ending its worker stops it."""
    if chunk.start > 0:
        threading.Event().wait()
    return list(chunk.runs)


def test_stopping_early_ends_the_running_chunks():
    before = {p.pid for p in multiprocessing.active_children()}
    results = ProcessExecutor(2).map(_endless_after_first, None, plan_chunks(0, 0, 40, 10))
    assert next(results) == list(range(10))
    results.close()  # what the driver does when a precision target is met
    for worker in multiprocessing.active_children():  # the test's hang guard, should one run on
        if worker.pid not in before:
            worker.join()


def _death_signal(payload: None, chunk) -> list[int]:
    """The signal this worker gets when its parent dies (Linux's PR_GET_PDEATHSIG)."""
    import ctypes

    value = ctypes.c_int()
    ctypes.CDLL(None, use_errno=True).prctl(2, ctypes.byref(value), 0, 0, 0)
    return [value.value] * len(chunk)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's parent-death signal")
@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_workers_are_killed_when_their_parent_dies(method):
    """Even a SIGKILL of the parent, which gives it no chance to end them, ends the workers
    (the command-line kill itself is tested in test_resume)."""
    results = ProcessExecutor(2, mp_context=method).map(
        _death_signal, None, plan_chunks(0, 0, 4, 2)
    )
    assert list(results) == [[signal.SIGKILL] * 2] * 2
