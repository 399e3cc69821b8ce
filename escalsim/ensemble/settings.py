"""``RunSettings``: how an ensemble is run, checked once and passed through every entry point.

``simulate``, ``compare``, ``sweep``, ``sensitivity`` and the command line take one of these
instead of re-spelling the executor, workers, chunking, progress, event logs and decision
rules. The executor, workers, scheduler, chunk size and progress bar never change a table:
the same seed gives the same runs under any of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from escalsim.checks import positive_int
from escalsim.ensemble.executors import Executor
from escalsim.ensemble.precision import DEFAULT_MAX_RUNS

EXECUTORS = ("processes", "serial", "dask")
"""The executors known by name."""


class SettingsError(ValueError):
    """A run setting that cannot be used; ``field`` names it (the command line names its flag)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RunSettings:
    """How to run an ensemble; every field has a default, and a bad one is refused at once.

    Attributes
    ----------
    executor
        ``"processes"`` (a local process pool, the default), ``"serial"`` (this process),
        ``"dask"`` (a Dask cluster; needs the ``dask`` extra), or an Executor instance.
    workers
        Worker processes for ``"processes"`` (default: one per available core), or of a new local
        Dask cluster; ``"serial"`` has one. Set it on the instance when ``executor`` is one.
    scheduler
        With ``"dask"``: a scheduler address or a ``dask.distributed.Client``.
    chunk_size
        Runs per chunk sent to a worker. By default chunks are sized by time: eight runs until
        the first come back, then about a second of one worker's work, at most about four
        chunks per worker and 1000 runs (:mod:`escalsim.ensemble.pacing`).
    progress
        Show a progress bar: True, False, or None for "when interactive" (stderr is a
        terminal, or a Jupyter kernel).
    keep_events
        Keep every run's event log (``Results.events``); costs memory and time. ``sweep`` and
        ``sensitivity`` keep each run's outcome only, and pass it by.
    trace
        Keep what every decision weighed (``Results.decisions``: each option's utility and
        choice probability, the choice, the state the actor saw); costs memory and time, and
        nothing when off. Never changes the runs table. A Python rule's decisions are traced
        with probability NaN (it does not say how likely its choice was; a one-line warning
        says so), never refused. ``sweep`` and ``sensitivity`` pass it by.
    rules
        Python decision rules by actor id (see ``escalsim.prepare``); they must be picklable
        for executors that start fresh processes.
    max_runs
        Cap of an adaptive run count (``simulate(..., precision=...)``); the analyses, which
        run fixed counts, pass it by.
    """

    executor: str | Executor = "processes"
    workers: int | None = None
    scheduler: Any = None
    chunk_size: int | None = None
    progress: bool | None = None
    keep_events: bool = False
    trace: bool = False
    rules: Mapping[str, Callable[..., Any]] | None = None
    max_runs: int = DEFAULT_MAX_RUNS

    def __post_init__(self) -> None:
        self._check_executor()
        for name in ("workers", "chunk_size"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _count(name, value))
        object.__setattr__(self, "max_runs", _count("max_runs", self.max_runs))
        for name in ("progress", "keep_events", "trace"):
            value = getattr(self, name)
            if not isinstance(value, bool) and not (name == "progress" and value is None):
                none = " or None" if name == "progress" else ""
                raise SettingsError(name, f"{name} must be True or False{none}, got {value!r}")
        if self.rules is not None:
            if not isinstance(self.rules, Mapping):
                raise SettingsError(
                    "rules", f"rules must map actor ids to decision rules, got {self.rules!r}"
                )
            object.__setattr__(self, "rules", dict(self.rules))

    def _check_executor(self) -> None:
        """The one check of an executor with its workers and scheduler."""
        ex, workers, scheduler = self.executor, self.workers, self.scheduler
        if isinstance(ex, Executor):
            if workers is not None or scheduler is not None:
                raise SettingsError(
                    "workers" if workers is not None else "scheduler",
                    "workers and scheduler configure a named executor; set them on the "
                    f"{type(ex).__name__} instance instead",
                )
            return
        if ex not in EXECUTORS:
            raise SettingsError(
                "executor",
                f"executor must be one of {', '.join(map(repr, EXECUTORS))} (or an Executor), "
                f"got {ex!r}",
            )
        if scheduler is not None and ex != "dask":
            raise SettingsError("scheduler", "scheduler is only used with executor='dask'")
        if ex == "serial" and workers not in (None, 1):
            raise SettingsError(
                "workers", f"the serial executor has one worker, got workers={workers!r}"
            )

    @property
    def python_rules(self) -> list[str] | None:
        """The actors given a Python decision rule (recorded in the provenance), or None."""
        return sorted(self.rules) if self.rules else None


def as_settings(settings: RunSettings | None) -> RunSettings:
    """``settings`` as given, or the defaults for None; TypeError for anything else."""
    if settings is None:
        return RunSettings()
    if not isinstance(settings, RunSettings):
        raise TypeError(f"settings must be a RunSettings, got {type(settings).__name__}")
    return settings


def _count(name: str, value: object) -> int:
    try:
        return positive_int(name, value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(name, str(exc)) from None
