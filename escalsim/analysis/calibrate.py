"""Calibration: fit one or two named parameters to target statistics, by simulation.

The method is a grid on common random numbers, with interpolation. Each parameter's range
is cut into a grid; every grid point runs ``runs`` runs, run ``i`` from the same seed at
every point, so that the statistics change smoothly from point to point (the runs differ
only through the parameter). Each target's statistic is interpolated linearly between grid
points onto a fine grid, where the misfit

    χ²(θ) = Σ_targets (p(θ) − value)² / (tolerance² + p(θ)(1 − p(θ))/runs)

is least at the fitted values (each target's ± read as one standard deviation, with the
Monte Carlo error added). Their 95% interval is the range of values with
χ² ≤ χ²_min + 3.84 (profiled over the other parameter, if any). A target that no value in
the ranges brings within its ± (give or take two Monte Carlo standard errors) is refused,
with the closest value reached. The calibrated scenario is then run once more, and every
target's statistic is reported with its Wilson interval.

Why a grid rather than stochastic approximation (Robbins–Monro, SPSA) or approximate
Bayesian computation: with one or two parameters the whole response curve costs a few
ensembles and shows what a single fitted number hides (a target no value reaches, flat
stretches, two solutions); it runs as one batch on the chunk loop every analysis uses
(parallel, resumable by seed, the same answer for the same seed); and the interval comes from
the same curve. Stochastic approximation needs step sizes tuned to each problem, runs its
iterations one after another, and ends with a point, not a curve. Beyond two parameters a
grid grows too fast: there a sensitivity analysis first, then a fit of the two that matter.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from escalsim.analysis.batch import PointsJob, fill
from escalsim.analysis.targets import Target, parse_target, standard_error
from escalsim.checks import positive_int
from escalsim.ensemble.seeds import Chunk, check_seed
from escalsim.ensemble.settings import RunSettings, as_settings
from escalsim.errors import EscalsimError, RunError
from escalsim.results.stats import wilson_interval

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.scenario.schema import Scenario

MAX_PARAMETERS = 2
DEFAULT_POINTS = {1: 9, 2: 7}
"""Grid points per parameter when none are asked for."""
FINE = {1: 801, 2: 161}
"""Points per parameter of the fine grid the statistics are interpolated onto."""
CHI2_95 = 3.841
"""The 95% quantile of χ² with one degree of freedom: the rise of the misfit that bounds the
95% interval of a fitted value."""


class CalibrationError(EscalsimError):
    """A calibration that cannot be done as asked: a target no parameter value reaches."""


@dataclass(frozen=True)
class Calibration:
    """A fit: the calibrated scenario, the fitted values and their intervals, the fit of
    every target (``fit``), and each target's statistic at every grid point (``grid``)."""

    scenario: Scenario
    values: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    ranges: dict[str, tuple[float, float]]
    targets: tuple[Target, ...]
    fit: pd.DataFrame
    grid: pd.DataFrame
    runs: int
    seed: int

    @property
    def at_edge(self) -> list[str]:
        """Parameters whose interval reaches an end of its range (widen the range)."""
        return [
            p
            for p, (lo, hi) in self.intervals.items()
            if math.isclose(lo, self.ranges[p][0]) or math.isclose(hi, self.ranges[p][1])
        ]


def parse_range(text: str) -> tuple[str, float, float, int | None]:
    """``"path=lo:hi"`` or ``"path=lo:hi:n"`` as ``(path, lo, hi, n)``; ValueError if bad."""
    path, eq, spec = text.partition("=")
    parts = spec.split(":")
    if not eq or not path.strip() or len(parts) not in (2, 3):
        raise ValueError(f"expected PATH=lo:hi or PATH=lo:hi:n, got {text!r}")
    try:
        lo, hi = float(parts[0]), float(parts[1])
        n = int(parts[2]) if len(parts) == 3 else None
    except ValueError:
        raise ValueError(f"expected numbers in PATH=lo:hi:n, got {text!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"expected finite lo < hi in {text!r}")
    if n is not None and not 3 <= n <= 101:
        raise ValueError(f"expected from 3 to 101 grid points in {text!r}, got {n}")
    return path.strip(), lo, hi, n


def calibrate(
    scenario: Scenario | str | os.PathLike[str],
    targets: Sequence[str | Target],
    params: Mapping[str, tuple[float, float]],
    runs: int = 2000,
    seed: int = 0,
    *,
    points: int | Mapping[str, int] | None = None,
    settings: RunSettings | None = None,
) -> Calibration:
    """Fit one or two parameters (dotted paths, each with its ``(lo, hi)`` range) so that the
    scenario's statistics meet the targets (``"P(outcome by day N)=value±tolerance"``).

    ``points`` grid points per parameter (default 9 for one parameter, 7 each for two);
    ``runs`` runs per grid point, run ``i`` from the same seed at every point. Raises
    CalibrationError when a target is out of reach over the ranges (naming the closest value
    and where it is), ValueError for a malformed target or range.
    """
    from escalsim.scenario import as_scenario

    sc = as_scenario(scenario)
    settings = as_settings(settings)
    runs, seed = positive_int("runs", runs), check_seed(seed)
    goals = tuple(t if isinstance(t, Target) else parse_target(t, sc) for t in targets)
    if not goals:
        raise ValueError("give at least one target")
    axes = _axes(sc, params, points)
    grid = list(itertools.product(*axes.values()))
    scenarios = [sc.with_values(dict(zip(axes, point, strict=True))) for point in grid]
    stats = _statistics(scenarios, goals, runs, seed, settings, f"{sc.name} calibration")
    shape = tuple(len(v) for v in axes.values())
    fine = {p: np.linspace(v[0], v[-1], FINE[len(axes)]) for p, v in axes.items()}
    curves = [_interpolate(stats[:, t].reshape(shape), axes, fine) for t in range(len(goals))]
    _check_reachable(goals, curves, fine, runs)
    values, intervals = _fit(goals, curves, fine, runs)
    fitted = sc.with_values(values)
    check = _statistics([fitted], goals, runs, seed, settings, f"{sc.name} check")[0]
    return Calibration(
        scenario=fitted,
        values=values,
        intervals=intervals,
        ranges={p: (float(v[0]), float(v[-1])) for p, v in axes.items()},
        targets=goals,
        fit=_fit_table(goals, curves, fine, values, check, runs),
        grid=_grid_table(axes, grid, goals, stats, runs),
        runs=runs,
        seed=seed,
    )


def _axes(
    sc: Scenario, params: Mapping[str, tuple[float, float]], points: int | Mapping[str, int] | None
) -> dict[str, np.ndarray]:
    if not isinstance(params, Mapping) or not 1 <= len(params) <= MAX_PARAMETERS:
        raise ValueError(f"calibrate one or two parameters, got {len(params)}")
    axes = {}
    for path, (lo, hi) in params.items():
        n = points.get(path) if isinstance(points, Mapping) else points
        n = DEFAULT_POINTS[len(params)] if n is None else positive_int("points", n)
        if n < 3:
            raise ValueError(f"{path}: a grid needs at least 3 points, got {n}")
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(f"{path}: expected a range lo < hi, got {lo!r} to {hi!r}")
        axes[str(path)] = np.linspace(float(lo), float(hi), n)
    return axes


# --- running the grid -------------------------------------------------------------------------
@dataclass(frozen=True)
class _TimedJob:
    """The points to run, and the milestones whose days the targets read."""

    points: PointsJob
    milestones: tuple[str, ...]


def run_timed(job: _TimedJob, chunk: Chunk) -> np.ndarray:
    """Per run of the chunk: its outcome's code, its end day, and each milestone's first day."""
    from escalsim.engine import run_prepared, run_seed

    codes = {name: i for i, name in enumerate(job.points.outcomes)}
    prepared: dict[int, Any] = {}
    out = np.empty((len(chunk.runs), 2 + len(job.milestones)))
    for row, k in enumerate(chunk.runs):
        point, rep = divmod(k, job.points.per_point)
        prep = prepared.get(point) or prepared.setdefault(point, job.points.prepared_at(point))
        seed = run_seed(chunk.root, rep)
        try:
            rec = run_prepared(prep, seed, rep)
        except RunError as exc:
            raise RunError(f"point {point}: {exc}", run=rep, seed=seed) from exc
        days = [rec.milestones.get(m, math.nan) for m in job.milestones]
        out[row] = [codes[rec.outcome], rec.time, *days]
    return out


def _statistics(
    scenarios: list[Scenario],
    goals: tuple[Target, ...],
    runs: int,
    seed: int,
    settings: RunSettings,
    desc: str,
) -> np.ndarray:
    """Each target's hit count at each scenario (points × targets), on common random numbers."""
    from escalsim.engine import prepare

    outcomes = tuple(scenarios[0].outcomes)
    milestones = tuple(sorted({n for g in goals if g.milestone for n in g.names}))
    job = _TimedJob(
        PointsJob(tuple(prepare(s, settings.rules) for s in scenarios), runs, outcomes),
        milestones,
    )
    table = np.empty((len(scenarios) * runs, 2 + len(milestones)))
    fill(table, run_timed, job, seed, settings, desc)
    table = table.reshape(len(scenarios), runs, -1)
    names = np.array(outcomes, dtype=object)
    counts = np.empty((len(scenarios), len(goals)))
    for i, rows in enumerate(table):
        miles = {m: rows[:, 2 + j] for j, m in enumerate(milestones)}
        hit_names = names[rows[:, 0].astype(int)]
        for t, goal in enumerate(goals):
            counts[i, t] = goal.hits(hit_names, rows[:, 1], miles).sum()
    return counts


# --- fitting ----------------------------------------------------------------------------------
def _interpolate(
    counts: np.ndarray, axes: dict[str, np.ndarray], fine: dict[str, np.ndarray]
) -> np.ndarray:
    """Counts on the grid → counts on the fine grid, linear along each axis in turn."""
    out = counts.astype(float)
    for axis, path in enumerate(axes):
        out = np.apply_along_axis(lambda v, p=path: np.interp(fine[p], axes[p], v), axis, out)
    return out


def _misfit(goal: Target, counts: np.ndarray, runs: int) -> np.ndarray:
    """Each fine-grid point's squared distance from the target, in standard deviations."""
    p = counts / runs
    return (p - goal.value) ** 2 / (goal.tolerance**2 + standard_error(p, runs) ** 2)


def _check_reachable(
    goals: tuple[Target, ...], curves: list[np.ndarray], fine: dict[str, np.ndarray], runs: int
) -> None:
    """A target whose statistic comes within its ± nowhere in the ranges: say so."""
    for goal, counts in zip(goals, curves, strict=True):
        p = counts / runs
        gap = np.abs(p - goal.value) - goal.tolerance - 2 * standard_error(p, runs)
        if gap.min() <= 0:
            continue
        at = np.unravel_index(int(np.argmin(gap)), gap.shape)
        where = ", ".join(f"{p} = {fine[p][i]:.4g}" for p, i in zip(fine, at, strict=True))
        spans = ", ".join(f"{p} from {v[0]:g} to {v[-1]:g}" for p, v in fine.items())
        raise CalibrationError(
            f"target {goal.text} cannot be reached with {spans}: the closest is "
            f"{counts[at] / runs:.3f} (at {where}); widen the range or calibrate another "
            "parameter"
        )


def _fit(
    goals: tuple[Target, ...], curves: list[np.ndarray], fine: dict[str, np.ndarray], runs: int
) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    chi2 = sum(_misfit(g, c, runs) for g, c in zip(goals, curves, strict=True))
    best = np.unravel_index(int(np.argmin(chi2)), chi2.shape)
    inside = chi2 <= chi2[best] + CHI2_95
    values, intervals = {}, {}
    for axis, (path, grid) in enumerate(fine.items()):
        values[path] = _round(float(grid[best[axis]]))
        others = tuple(i for i in range(chi2.ndim) if i != axis)
        kept = grid[np.any(inside, axis=others) if others else inside]
        intervals[path] = (float(kept.min()), float(kept.max()))
    return values, intervals


def _within(goal: Target, p: float, runs: int) -> bool:
    """Whether a share of runs meets a target: within its ±, give or take two standard errors."""
    return bool(abs(p - goal.value) <= goal.tolerance + 2 * standard_error(p, runs))


def _round(x: float) -> float:
    """Four significant digits: a number a scenario file can show."""
    return float(f"{x:.4g}")


def _fit_table(goals, curves, fine, values, check, runs) -> pd.DataFrame:
    import pandas as pd

    rows = []
    for t, (goal, counts) in enumerate(zip(goals, curves, strict=True)):
        at = tuple(int(np.abs(fine[p] - values[p]).argmin()) for p in fine)
        k = int(check[t])
        low, high = wilson_interval(k, runs)
        p = k / runs
        rows.append(
            {
                "target": goal.text,
                "value": goal.value,
                "tolerance": goal.tolerance,
                "interpolated": counts[at] / runs,
                "p": p,
                "ci_low": low,
                "ci_high": high,
                "within": _within(goal, p, runs),
            }
        )
    return pd.DataFrame(rows)


def _grid_table(axes, grid, goals, stats, runs) -> pd.DataFrame:
    import pandas as pd

    rows = []
    for point, counts in zip(grid, stats, strict=True):
        for goal, k in zip(goals, counts, strict=True):
            low, high = wilson_interval(int(k), runs)
            row = dict(zip(axes, (float(v) for v in point), strict=True))
            row.update(target=goal.text, count=int(k), p=k / runs, ci_low=low, ci_high=high)
            rows.append(row)
    return pd.DataFrame(rows)


def default_out(scenario_file: str | os.PathLike[str]) -> Path:
    """Where the calibrated scenario goes by default: ``<name>_calibrated.yaml`` beside it."""
    path = Path(scenario_file)
    return path.with_name(f"{path.stem}_calibrated.yaml")
