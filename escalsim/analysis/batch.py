"""Many small ensembles in one go, on the executors ``simulate`` uses.

A sweep runs ``runs`` runs at each grid point; a sensitivity analysis runs a few replications
at each row of a sample matrix, with the uncertain parameters pinned to the row. Both are
*points* × *replications*, flattened into one index ``k = point * per_point + rep`` that the
executors cut into chunks as they cut an ensemble's runs. Replication ``rep`` uses the seed
``run_seed(root, rep)`` at every point: common random numbers across points, so that the
differences between points are not drowned in run-to-run noise.

Pinning reuses the engine's own set-up: :func:`pinned` wraps a prepared scenario so that its
``sample(rng)`` returns the engine's draw with the pinned paths replaced. The engine still
draws every parameter (so the run's other random streams stay in step with an ordinary run
of the same seed) and builds the run exactly as ``run_prepared`` does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from escalsim.engine import Prepared, run_prepared, run_seed
from escalsim.ensemble.executors import Executor, make_executor
from escalsim.ensemble.progress import progress_bar
from escalsim.ensemble.seeds import Chunk, default_chunk_size, plan_chunks
from escalsim.errors import RunError
from escalsim.scenario.references import suggest

if TYPE_CHECKING:
    from escalsim.scenario.schema import Scenario


class _PinnedScenario:
    """A read-only view of a scenario whose draws have some paths set to given values."""

    __slots__ = ("_scenario", "_values")

    def __init__(self, scenario: Scenario, values: dict[str, float]) -> None:
        self._scenario = scenario
        self._values = values

    def sample(self, rng: np.random.Generator) -> dict[str, float]:
        draws = self._scenario.sample(rng)
        draws.update(self._values)
        return draws

    def __getattr__(self, name: str) -> Any:
        if name in _PinnedScenario.__slots__:  # not yet set (e.g. while unpickling)
            raise AttributeError(name)
        return getattr(self._scenario, name)


def pinned(prep: Prepared, values: dict[str, float]) -> Prepared:
    """The prepared scenario with the uncertain parameters at ``values`` (path → number) fixed.

    Every other uncertain parameter is drawn as usual; a run from seed ``s`` is the run
    ``run_prepared(prep, s)`` would give had its draws of these paths been these values.
    """
    uncertain = prep.scenario.uncertain()
    unknown = [p for p in values if p not in uncertain]
    if unknown:
        raise ValueError(
            f"not an uncertain parameter of the scenario: {unknown[0]!r}"
            f"{suggest(unknown[0], uncertain)}"
        )
    return _pin(prep, dict(values))


def _pin(prep: Prepared, values: dict[str, float]) -> Prepared:
    if not values:
        return prep
    view: Any = _PinnedScenario(prep.scenario, values)
    return Prepared(view, prep.triggers, prep.rules)


@dataclass(frozen=True)
class PointsJob:
    """What every worker needs: the prepared scenario of each point (or one for all points),
    the pinned values of each point (rows × paths, optional), runs per point, outcomes."""

    prepared: tuple[Prepared, ...]
    per_point: int
    outcomes: tuple[str, ...]
    paths: tuple[str, ...] = ()
    values: np.ndarray | None = None

    @property
    def points(self) -> int:
        if self.values is not None:
            return len(self.values)
        return len(self.prepared)


def run_points(job: PointsJob, chunk: Chunk) -> list[int]:
    """Run the flat indices of the chunk; return each run's outcome as a code into
    ``job.outcomes``. A failure names the point, the replication and its seed."""
    codes = {name: i for i, name in enumerate(job.outcomes)}
    seeds: dict[int, int] = {}
    out = []
    for k in chunk.runs:
        point, rep = divmod(k, job.per_point)
        prep = job.prepared[point if len(job.prepared) > 1 else 0]
        if job.values is not None:
            prep = _pin(prep, dict(zip(job.paths, job.values[point].tolist(), strict=True)))
        seed = seeds.get(rep)
        if seed is None:
            seed = seeds[rep] = run_seed(chunk.root, rep)
        try:
            outcome = run_prepared(prep, seed, rep).outcome
        except RunError as exc:
            err = RunError(f"point {point}: {exc}")
            err.run, err.seed = exc.run, exc.seed
            raise err from exc
        except Exception as exc:
            raise RunError(
                f"point {point}: run failed: {type(exc).__name__}: {exc}", run=rep, seed=seed
            ) from exc
        code = codes.get(outcome)
        if code is None:
            raise RunError(f"point {point}: unknown outcome {outcome!r}", run=rep, seed=seed)
        out.append(code)
    return out


@dataclass(frozen=True)
class RunOptions:
    """How to run: the executor (as ``simulate`` takes it), chunk size and progress bar."""

    executor: str | Executor = "processes"
    workers: int | None = None
    scheduler: Any = None
    chunk_size: int | None = None
    progress: bool | None = None


def run_batch(job: PointsJob, root: int, options: RunOptions, desc: str) -> np.ndarray:
    """Run every point of the job; return the outcome codes as a points × per_point array."""
    total = job.points * job.per_point
    ex, owned = make_executor(options.executor, options.workers, options.scheduler)
    codes = np.empty(total, dtype="int64")
    try:
        size = options.chunk_size or default_chunk_size(total, ex.workers)
        bar = progress_bar(options.progress, total, desc)
        done = 0
        try:
            results = ex.map(run_points, job, plan_chunks(root, 0, total, size))
            try:
                for part in results:
                    codes[done : done + len(part)] = part
                    done += len(part)
                    bar.update(len(part))
            finally:
                results.close()
        finally:
            bar.close()
    finally:
        if owned:
            ex.close()
    if done != total:  # pragma: no cover - an executor that lost chunks silently
        raise RunError(f"{done} of {total} runs came back")
    return codes.reshape(job.points, job.per_point)


def as_scenario(scenario: Any, what: str = "scenario") -> Scenario:
    """A Scenario as given, or loaded from a file path; TypeError for anything else."""
    from escalsim.scenario import load_scenario
    from escalsim.scenario.schema import Scenario

    if isinstance(scenario, (str, os.PathLike)):
        return load_scenario(scenario)
    if not isinstance(scenario, Scenario):
        raise TypeError(f"{what} must be a Scenario or a file path, got {type(scenario).__name__}")
    return scenario


def positive_int(name: str, value: object) -> int:
    """``value`` as an int if it is a positive integer, else a TypeError or ValueError."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)
