"""``simulate``: run a scenario many times and collect the Results."""

from __future__ import annotations

import numbers
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from escalsim.ensemble.driver import run_ensemble
from escalsim.ensemble.executors import Executor, make_executor
from escalsim.ensemble.precision import DEFAULT_MAX_RUNS, check_precision
from escalsim.ensemble.seeds import check_seed, default_chunk_size
from escalsim.ensemble.tasks import EngineJob, run_chunk

if TYPE_CHECKING:
    from escalsim.results import Results
    from escalsim.scenario.schema import Scenario


def _count(name: str, value: object, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def simulate(
    scenario: Scenario | str | os.PathLike[str],
    runs: int = 1000,
    seed: int = 0,
    *,
    workers: int | None = None,
    executor: str | Executor = "processes",
    chunk_size: int | None = None,
    keep_events: bool = False,
    precision: float | None = None,
    max_runs: int = DEFAULT_MAX_RUNS,
    out: str | os.PathLike[str] | None = None,
    force: bool = False,
    resume: bool = False,
    progress: bool | None = None,
    scheduler: Any = None,
    rules: dict[str, Callable[..., Any]] | None = None,
) -> Results:
    """Run a scenario ``runs`` times and return the Results.

    Run ``i`` uses the seed spawned from ``SeedSequence(seed)`` by index ``i``, so the same
    seed gives the same runs table whatever the executor, number of workers or chunk size.

    Parameters
    ----------
    scenario
        A Scenario, or the path of a scenario file.
    runs
        Number of runs. With ``precision``, the minimum number of runs.
    seed
        Root seed (a non-negative integer).
    workers
        Worker processes for ``executor="processes"`` (default: ``os.cpu_count()``), or
        worker processes of a new local Dask cluster.
    executor
        ``"processes"`` (a local process pool, the default), ``"serial"`` (this process),
        ``"dask"`` (a Dask cluster; needs the ``dask`` extra), or an Executor instance.
    chunk_size
        Runs per chunk sent to a worker (default: about four chunks per worker, at most 1000).
    keep_events
        Keep every run's event log (``Results.events``); costs memory and time.
    precision
        If given, keep adding chunks until every outcome's 95% Wilson interval half-width is
        at most ``precision``, checked after every run in run order (so the count does not
        depend on chunking), or until ``max_runs``. ``provenance["runs_needed"]`` records the
        count; if the cap is reached first a RuntimeWarning says so.
    max_runs
        Cap of the adaptive run count.
    out
        A Parquet file to stream the runs to, chunk by chunk, so that memory does not
        grow with the run count (the events, if kept, go to ``<name>.events.parquet``). It is
        written under a temporary name and renamed when complete; an error or an interrupt
        leaves nothing behind (but see ``resume``). The returned Results is then a handle on
        the file: its tables are read back on first use.
    force
        Replace ``out`` if it exists (else ResultsError); without ``resume``, also discard the
        finished chunks an interrupted resumable run kept for ``out`` (not those of a run in
        progress: a ResultsError).
    resume
        With ``out``: make the run resumable, and continue an interrupted one. Each finished
        chunk is kept in ``<out>.partial/`` until the end, so an interrupt, an error or a killed
        process leaves them there; calling again with the same scenario, seed, runs,
        ``keep_events`` and precision settings runs only the rest and gives the same table as
        an uninterrupted run (other settings, such as the executor, workers or chunk size, may
        change). Different settings are a ResultsError. If ``out`` already holds a run with
        these settings, it is returned as it is. Without ``resume``, a kept unfinished run for
        ``out`` is a ResultsError unless ``force`` discards it. While one process runs a
        resumable ``out``, another trying to is refused with a ResultsError (POSIX); its
        workers end with it even if it is killed, so a resume then needs no clean-up. A kept
        chunk that no longer matches its checksum is run again, with a RuntimeWarning. A full
        disk is a ResultsError that names the file and the runs kept.
    progress
        Show a progress bar: True, False, or None for "when interactive" (stderr is a terminal,
        or a Jupyter kernel).
    scheduler
        With ``executor="dask"``: a scheduler address or a ``dask.distributed.Client``.
    rules
        Python decision rules by actor id (see ``escalsim.engine.prepare``); they must be
        picklable for executors that start fresh processes.
    """
    from escalsim.engine import prepare
    from escalsim.scenario.schema import Scenario

    if isinstance(scenario, (str, os.PathLike)):
        from escalsim.scenario import load_scenario

        scenario = load_scenario(scenario)
    if not isinstance(scenario, Scenario):
        raise TypeError(
            f"scenario must be a Scenario or a file path, got {type(scenario).__name__}"
        )
    runs = _count("runs", runs)
    seed = check_seed(seed)
    chunk_size = _count("chunk_size", chunk_size, allow_none=True)
    max_runs = _count("max_runs", max_runs)
    if precision is not None:
        precision = check_precision(precision)
        if max_runs < runs:
            raise ValueError(f"max_runs ({max_runs}) is below runs ({runs})")
    extra = {"python_rules": sorted(rules)} if rules else None
    if resume and out is None:
        raise ValueError("resume needs out, the Parquet file to stream the runs to")
    job = EngineJob(prepare(scenario, rules), keep_events)
    ex, owned = make_executor(executor, workers, scheduler)
    try:
        if chunk_size is None:
            chunk_size = default_chunk_size(runs, ex.workers)
        return run_ensemble(
            run_chunk,
            job,
            scenario,
            executor=ex,
            runs=runs,
            seed=seed,
            chunk_size=chunk_size,
            keep_events=keep_events,
            precision=precision,
            max_runs=max_runs,
            out=out,
            force=force,
            resume=resume,
            progress=progress,
            extra_provenance=extra,
        )
    finally:
        if owned:
            ex.close()
