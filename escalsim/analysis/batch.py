"""Many small ensembles in one go, on the chunk loop ``simulate`` uses.

A sweep runs ``runs`` runs at each grid point; a sensitivity analysis runs a few replications
at each row of a sample matrix, with the uncertain parameters pinned to the row
(:meth:`escalsim.engine.Prepared.pin`). Both are *points* × *replications*, flattened into one
index ``k = point * per_point + rep`` that :class:`~escalsim.ensemble.loop.ChunkLoop` cuts into
chunks as it cuts an ensemble's runs. Replication ``rep`` uses the seed ``run_seed(root, rep)``
at every point: common random numbers across points, so that the differences between points
are not drowned in run-to-run noise.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from escalsim.analysis.outcomes import group_codes
from escalsim.engine import Prepared, prepare, run_prepared, run_seed
from escalsim.ensemble.executors import Task
from escalsim.ensemble.loop import ChunkLoop
from escalsim.ensemble.seeds import Chunk
from escalsim.ensemble.settings import RunSettings
from escalsim.errors import RunError

if TYPE_CHECKING:
    from escalsim.scenario.schema import Scenario


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

    def prepared_at(self, point: int) -> Prepared:
        """The prepared scenario of a point, with its row of values pinned."""
        prep = self.prepared[point if len(self.prepared) > 1 else 0]
        if self.values is None:
            return prep
        return prep.pin(dict(zip(self.paths, self.values[point].tolist(), strict=True)))


def run_points(job: PointsJob, chunk: Chunk) -> list[int]:
    """Run the flat indices of the chunk; return each run's outcome as a code into
    ``job.outcomes``. A failure names the point, the replication and its seed."""
    codes = {name: i for i, name in enumerate(job.outcomes)}
    seeds: dict[int, int] = {}
    prepared: dict[int, Prepared] = {}
    out = []
    for k in chunk.runs:
        point, rep = divmod(k, job.per_point)
        prep = prepared.get(point)
        if prep is None:
            prep = prepared[point] = job.prepared_at(point)
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


def fill(
    out: np.ndarray, task: Task, job: object, root: int, settings: RunSettings, desc: str
) -> None:
    """Fill ``out`` (one row per run, in run order) with what ``task`` gives for each chunk of
    the batch's runs, through the chunk loop that every ensemble uses."""
    total = len(out)
    done = 0
    with (
        ChunkLoop(settings, runs=total, total=total, desc=desc) as loop,
        contextlib.closing(loop.results(task, job, root, 0, total)) as parts,
    ):
        for part in parts:
            out[done : done + len(part)] = part
            done += len(part)
            loop.bar.update(len(part))
    if done != total:  # pragma: no cover - an executor that lost chunks silently
        raise RunError(f"{done} of {total} runs came back")


def run_batch(job: PointsJob, root: int, settings: RunSettings, desc: str) -> np.ndarray:
    """Run every point of the job; return the outcome codes as a points × per_point array."""
    codes = np.empty(job.points * job.per_point, dtype="int64")
    fill(codes, run_points, job, root, settings, desc)
    return codes.reshape(job.points, job.per_point)


def point_counts(
    points: Sequence[Scenario],
    outcomes: Sequence[str],
    groups: Mapping[str, Sequence[str]],
    runs: int,
    root: int,
    settings: RunSettings,
    desc: str,
) -> np.ndarray:
    """Run each point's scenario ``runs`` times, run ``i`` of every point on the same seed;
    return how many of each point's runs ended in each group of ``outcomes`` (points × groups)."""
    job = PointsJob(
        prepared=tuple(prepare(p, settings.rules) for p in points),
        per_point=runs,
        outcomes=tuple(outcomes),
    )
    codes = run_batch(job, root, settings, desc)
    members = group_codes(list(outcomes), groups).values()
    return np.array([[np.isin(row, m).sum() for m in members] for row in codes], dtype="int64")
