"""Limits on the work one command may ask for, and its time estimated before it starts.

One flag could ask for more than a machine holds: ``--runs 10**12``, a grid of a billion
points, a thousand worker processes. The limits are sized for a machine of 24 GB; a request
beyond one is refused with a message naming it. A request of many runs gets an estimate of its
time first, from a few runs timed here (printed on stderr, so that tables stay clean).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import typer

MAX_RUNS = 1_000_000_000
"""Most runs one command may make: a billion runs take days, and some 50 GB as a file."""

MEMORY_BYTES = 8_000_000_000
"""Memory the tables of one command may fill: a third of 24 GB, since building a table from
its chunks holds it two or three times over."""

CELL_BYTES = 8
"""Bytes per run and column of a runs table in memory (numbers and categories)."""

EVENT_BYTES = 300
"""Bytes per logged event while an events table is built (Python objects, then columns)."""

TRACE_BYTES = 250
"""Bytes per traced option while a decisions table is built (Python objects, then columns of
about 90 bytes a row)."""

WORKERS_PER_CORE = 4
"""Most local worker processes per core; each holds some 150 MB and more than the cores add
no speed."""

ESTIMATE_FROM = 100_000
"""Requests of at least this many runs print an estimate of their time before starting."""

PROBE_RUNS = 64
PROBE_SECONDS = 0.5
"""The estimate times runs one by one until this many seconds or PROBE_RUNS runs."""


def cores() -> int:
    """The cores this process may use (loaded on first use: the CLI starts without it)."""
    from escalsim.ensemble.executors import available_cores

    return available_cores()


def check_workers(workers: int | None, executor: str, scheduler: str | None) -> None:
    """Refuse more local worker processes than :data:`WORKERS_PER_CORE` per core."""
    if workers is None or scheduler is not None or executor == "serial":
        return
    n = cores()
    most = WORKERS_PER_CORE * n
    if workers > most:
        raise typer.BadParameter(
            f"{workers:,} worker processes: at most {most} on this machine ({WORKERS_PER_CORE} "
            f"per core, {n} cores); each is a process of about 150 MB, and more than the cores "
            "add no speed",
            param_hint="'--workers'",
        )


@dataclass(frozen=True)
class Timing:
    """A few runs timed here: seconds per run, how many were timed, events logged and options
    traced per run."""

    seconds: float
    runs: int
    events: float
    options: float = 0.0


def time_runs(scenario: Any, seed: int = 0, events: bool = False, trace: bool = False) -> Timing:
    """Time the first runs of ``scenario`` one by one, for :data:`PROBE_SECONDS` or
    :data:`PROBE_RUNS` runs, whichever comes first (at least two), after one untimed run
    (which pays for first-use costs the ensemble pays once per worker)."""
    from escalsim.engine import prepare, run_prepared, run_seed

    prepared = prepare(scenario)
    run_prepared(prepared, run_seed(seed, 0), 0, keep_events=events, trace=trace)
    started = time.perf_counter()
    n = logged = traced = 0
    while n < PROBE_RUNS and (n < 2 or time.perf_counter() - started < PROBE_SECONDS):
        record = run_prepared(prepared, run_seed(seed, n + 1), n + 1, events, trace)
        logged += len(record.events or ())
        traced += record.decisions.n_options if record.decisions else 0
        n += 1
    return Timing((time.perf_counter() - started) / n, n, logged / n, traced / n)


def check_runs(runs: int, *, option: str, advice: str, what: str | None = None) -> None:
    """Refuse more than :data:`MAX_RUNS` runs; ``what`` says how they were counted."""
    if runs > MAX_RUNS:
        raise typer.BadParameter(
            f"{_asked(runs, what)} is more than {MAX_RUNS:,}, the most one command may make; "
            f"{advice}",
            param_hint=option,
        )


def check_memory(
    runs: int, bytes_per_run: float, *, option: str, advice: str, what: str | None = None
) -> None:
    """Refuse a request whose tables would fill more than :data:`MEMORY_BYTES`."""
    need = runs * bytes_per_run
    if need > MEMORY_BYTES:
        raise typer.BadParameter(
            f"{_asked(runs, what)} would hold about {_size(need)} in memory "
            f"({_size(bytes_per_run)} a run), more than the {_size(MEMORY_BYTES)} allowed (a "
            f"third of a 24 GB machine); {advice}",
            param_hint=option,
        )


def print_estimate(timing: Timing, runs: int, executor: str, workers: int | None) -> None:
    """Print on stderr how long ``runs`` runs should take, from ``timing``."""
    parallel = 1 if executor == "serial" else min(workers or cores(), cores())
    total = timing.seconds * runs / parallel
    typer.echo(
        f"estimate: about {_duration(total)} for {runs:,} runs ({_num(timing.seconds * 1000)} "
        f"ms a run, from {timing.runs} runs timed here; {parallel} at a time); Ctrl-C stops",
        err=True,
    )


def _asked(runs: int, what: str | None) -> str:
    return f"{what} = {runs:,} runs" if what else f"{runs:,} runs"


def _size(nbytes: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if nbytes >= scale:
            return f"{_num(nbytes / scale)} {unit}"
    return f"{nbytes:.0f} bytes"


def _duration(seconds: float) -> str:
    for unit, scale, least in (
        ("years", 365 * 86400.0, 2),
        ("days", 86400.0, 2),
        ("h", 3600.0, 1),
        ("min", 60.0, 1),
    ):
        if seconds >= least * scale:
            return f"{_num(seconds / scale)} {unit}"
    return f"{_num(seconds)} s"


def _num(x: float) -> str:
    """Two significant digits, without an exponent."""
    return f"{x:,.0f}" if x >= 10 else f"{x:.2g}"
