"""A tiny fake engine for the ensemble and results tests.

``fake_task`` is a top-level (picklable) task with the same contract as the engine's: given a
chunk, it returns one RunRecord per run, each drawn from the run's own seed only, so tables are
comparable across executors. Its outcome probabilities are known (``FakeJob.weights``), and it
can misbehave on purpose: kill its worker process, raise, or simulate a Ctrl-C.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from escalsim.engine import Event, RunRecord
from escalsim.ensemble.driver import Output, run_ensemble
from escalsim.ensemble.executors import Executor, SerialExecutor
from escalsim.ensemble.settings import RunSettings
from escalsim.errors import RunError
from escalsim.results.layout import Layout, horizon_outcomes
from escalsim.scenario import load_scenario

DATA = Path(__file__).parent / "data"
SCENARIO = DATA / "ensemble_two_actors.yaml"


@functools.lru_cache(maxsize=1)
def scenario():
    return load_scenario(SCENARIO)


@dataclass(frozen=True)
class FakeJob:
    layout: Layout
    horizon_outcomes: tuple[str, ...]
    weights: tuple[float, ...]
    keep_events: bool = False
    crash_run: int = -1  # this run kills its worker process ...
    crash_marker: str | None = None  # ... once (the marker file remembers), or always if None
    fail_run: int = -1  # this run raises RunError
    interrupt_run: int = -1  # this run raises KeyboardInterrupt


def fake_job(weights=(0.3, 0.2, 0.5), **kw) -> FakeJob:
    sc = scenario()
    return FakeJob(Layout.of(sc), horizon_outcomes(sc), tuple(weights), **kw)


def _misbehave(job: FakeJob, run: int, seed: int) -> None:
    if run == job.crash_run:
        if job.crash_marker is None:
            os._exit(3)
        marker = Path(job.crash_marker)
        if not marker.exists():
            marker.write_text("crashed once\n")
            os._exit(3)
    if run == job.fail_run:
        raise RunError("fake failure", run=run, seed=seed)
    if run == job.interrupt_run:
        raise KeyboardInterrupt


def fake_record(job: FakeJob, run: int, seed: int) -> RunRecord:
    lay = job.layout
    rng = np.random.default_rng(seed)
    outcome = lay.outcomes[int(rng.choice(len(lay.outcomes), p=np.asarray(job.weights)))]
    at_horizon = outcome in job.horizon_outcomes
    time = lay.horizon if at_horizon else float(rng.uniform(0.0, lay.horizon))
    milestones = {}
    for m in lay.milestones:
        u = rng.random()
        if u < 0.2:
            milestones[m] = -float(rng.integers(1, 10))  # reached in the replayed history
        elif u < 0.7:
            milestones[m] = float(rng.uniform(0.0, time))
    events = None
    if job.keep_events:
        events = tuple(
            Event(
                time=float(t),
                actor=lay.ladders[0],
                kind="climb" if i % 2 == 0 else "hold",
                target=None if i % 3 == 0 else "b",
                payload={"i": i, "x": float(t)},
            )
            for i, t in enumerate(np.sort(rng.uniform(-5.0, time, size=int(rng.integers(0, 4)))))
        )
    return RunRecord(
        run=run,
        seed=seed,
        outcome=outcome,
        time=time,
        max_rung={a: int(rng.integers(0, 3)) for a in lay.ladders},
        milestones=milestones,
        n_events=int(rng.integers(1, 50)),
        params={p: float(rng.random()) for p in lay.params},
        events=events,
    )


def fake_task(job: FakeJob, chunk) -> list[RunRecord]:
    records = []
    for run, seed in zip(chunk.runs, chunk.seeds(), strict=True):
        _misbehave(job, run, seed)
        records.append(fake_record(job, run, seed))
    return records


def ensemble(
    job: FakeJob,
    executor: Executor | None = None,
    *,
    runs: int = 200,
    seed: int = 11,
    chunk_size: int = 16,
    precision: float | None = None,
    max_runs: int | None = None,
    out=None,
    resume: bool = False,
    force: bool = False,
):
    """Run the fake task through the real ensemble machinery."""
    settings = RunSettings(
        executor=executor or SerialExecutor(),
        chunk_size=chunk_size,
        keep_events=job.keep_events,
        progress=False,
        **({} if max_runs is None else {"max_runs": max_runs}),
    )
    output = None if out is None else Output(out, resume=resume, force=force)
    return run_ensemble(
        fake_task, job, scenario(), runs, seed, settings, precision=precision, output=output
    )
