"""Parallel efficiency of an ensemble on local processes and on a local Dask cluster.

Times ``simulate`` on 1 and 2 worker processes and on a Dask LocalCluster of 2 single-threaded
workers, and prints the efficiency T1 / (W · TW) against the 1-process run, with start-up
included and with the executor's start-up (pool or cluster, measured apart) taken out. It also
checks that every executor gives the same runs table.

    python -m benchmarks.parallel [scenario.yaml] [--runs N] [--seed S] [--no-dask]
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import escalsim as es
from escalsim.engine import prepare
from escalsim.ensemble.executors import Executor, ProcessExecutor
from escalsim.ensemble.seeds import Chunk
from escalsim.ensemble.tasks import EngineJob

ROOT = Path(__file__).resolve().parent.parent


def _noop(payload: Any, chunk: Chunk) -> list:
    """A task that runs nothing: one None per run (to time an executor's start-up alone)."""
    return [None] * len(chunk)


def startup_seconds(executor: Executor, payload: Any, workers: int) -> float:
    """Seconds for ``executor`` to deliver ``payload`` and return one trivial chunk per worker.

    For processes this is a fresh pool (``simulate`` starts its own the same way); for Dask it
    connects (starting the cluster) first, so the workers are up when ``simulate`` uses it.
    """
    t0 = time.perf_counter()
    chunks = [Chunk(0, i, i + 1) for i in range(workers)]
    for _ in executor.map(_noop, payload, chunks):
        pass
    return time.perf_counter() - t0


@dataclass
class Timing:
    """One configuration: its wall time with start-up, the start-up alone, and the table."""

    label: str
    workers: int
    total: float
    startup: float
    chunk_size: int | None
    """The fixed chunk size, or None when chunks are sized by time (the default)."""
    runs: Any


def time_processes(sc: es.Scenario, workers: int, runs: int, seed: int) -> Timing:
    """``simulate`` on a fresh pool of ``workers`` processes; start-up timed on another pool."""
    startup = startup_seconds(ProcessExecutor(workers), EngineJob(prepare(sc)), workers)
    t0 = time.perf_counter()
    res = es.simulate(
        sc,
        runs,
        seed,
        settings=es.RunSettings(workers=workers, executor="processes", progress=False),
    )
    total = time.perf_counter() - t0
    return Timing(
        f"processes × {workers}", workers, total, startup, res.provenance["chunk_size"], res.runs
    )


def time_dask(sc: es.Scenario, workers: int, runs: int, seed: int) -> Timing:
    """Start a LocalCluster (timed as start-up), then ``simulate`` on it; close it after."""
    from escalsim.ensemble.dask_executor import DaskExecutor

    t0 = time.perf_counter()
    ex = DaskExecutor(workers=workers)
    try:
        startup = startup_seconds(ex, EngineJob(prepare(sc)), workers)
        res = es.simulate(sc, runs, seed, settings=es.RunSettings(executor=ex, progress=False))
        total = time.perf_counter() - t0
    finally:
        ex.close()
    return Timing(
        f"dask × {workers}", workers, total, startup, res.provenance["chunk_size"], res.runs
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios/venezuela_2025.yaml"))
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-dask", action="store_true", help="Skip the Dask cluster.")
    args = parser.parse_args()
    sc = es.load_scenario(args.scenario)
    serial = es.RunSettings(executor="serial", progress=False)
    es.simulate(sc, 20, args.seed, settings=serial)  # warm up this process
    load_before = os.getloadavg()[0]
    timings = [time_processes(sc, w, args.runs, args.seed) for w in (1, 2)]
    if not args.no_dask:
        timings.append(time_dask(sc, 2, args.runs, args.seed))
    one = timings[0]
    print(f"scenario            {sc.name}")
    print(f"runs                {args.runs:,} (seed {args.seed})")
    print(
        f"load average        {load_before:.1f} before, {os.getloadavg()[0]:.1f} after "
        f"({os.cpu_count()} cores; other work on the machine lowers the efficiencies)"
    )
    print(
        f"{'executor':<18}  {'wall s':>7}  {'start-up s':>10}  {'chunk':>5}  {'runs/s':>7}  "
        f"{'efficiency':>10}  {'without start-up':>16}"
    )
    for t in timings:
        eff = one.total / (t.workers * t.total)
        net = (one.total - one.startup) / (t.workers * (t.total - t.startup))
        print(
            f"{t.label:<18}  {t.total:>7.2f}  {t.startup:>10.2f}  {t.chunk_size or 'time':>5}  "
            f"{args.runs / t.total:>7.0f}  {eff:>10.1%}  {net:>16.1%}"
        )
    same = all(t.runs.equals(one.runs) for t in timings[1:])
    print(f"same runs table     {'yes' if same else 'NO'}")
    print("efficiency = T1 / (W · TW), T1 on 1 worker process; start-up = pool or cluster start")


if __name__ == "__main__":
    main()
