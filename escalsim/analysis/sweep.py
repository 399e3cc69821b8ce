"""Sweeps: outcome probabilities over a grid of one or two parameters, on common random numbers.

Each grid point is the scenario with the swept paths set to the point's values
(:meth:`Scenario.with_values`, so every point is validated before anything runs). Every
point runs ``runs`` runs, and run ``i`` uses the seed ``run_seed(seed, i)`` at every point:
the points differ only by the swept values wherever the engine's random streams allow, so
the curves are smooth and their differences are sharp (common random numbers).

A swept path that held a distribution becomes a fixed number at every point; the other
uncertain parameters are still drawn in every run. The points then draw one parameter fewer
than the scenario, so the draws after it in path order differ from those of a plain run of
the scenario (the points stay paired with each other): ``attrs["pairing"]`` says so, as it
says when the points themselves draw differently (a swept path inside a distribution).

Each point's interval is its own 95% Wilson interval. The difference between two points is
known more sharply than the two intervals suggest, since the points share their runs' random
numbers; for one pair of points, :func:`escalsim.analysis.compare` gives the paired interval.
"""

from __future__ import annotations

import itertools
import math
import numbers
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from escalsim.analysis.batch import point_counts
from escalsim.analysis.outcomes import OutcomeSpec, outcome_groups, with_intervals
from escalsim.checks import positive_int
from escalsim.ensemble.seeds import check_seed
from escalsim.ensemble.settings import RunSettings, as_settings
from escalsim.results.stats import Z95

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.scenario.schema import Scenario

MAX_PARAMETERS = 2
MAX_GRID_POINTS = 10_000
"""Most values one swept parameter may take (checked before the grid is built)."""

GRID_HELP = "lo:hi:n (n evenly spaced values from lo to hi) or a comma-separated list"


def _number(text: str, what: str, spec: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{what} of {spec!r} is not a number: {text!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{what} of {spec!r} must be finite, got {text!r}")
    return value


def _tidy(values: Sequence[float]) -> list[float | int]:
    """Whole numbers as ints (integer parameters accept them; real ones too), else floats."""
    if all(float(v).is_integer() for v in values):
        return [int(v) for v in values]
    return [float(v) for v in values]


def parse_grid(spec: str | Sequence[float]) -> list[float | int]:
    """The values of one swept parameter.

    ``spec`` is a sequence of numbers, or a string: ``"lo:hi:n"`` (``n`` evenly spaced values
    from ``lo`` to ``hi``, both included; ``n = 1`` gives ``lo``) or ``"a,b,c"``. Raises
    ValueError with what was wrong.
    """
    if isinstance(spec, str):
        text = spec.strip()
        if ":" in text:
            parts = text.split(":")
            if len(parts) != 3:
                raise ValueError(f"expected lo:hi:n, got {spec!r}")
            lo = _number(parts[0].strip(), "lo", spec)
            hi = _number(parts[1].strip(), "hi", spec)
            try:
                n = int(parts[2].strip())
            except ValueError:
                raise ValueError(
                    f"n of {spec!r} must be a whole number of grid points, got {parts[2]!r}"
                ) from None
            if n < 1:
                raise ValueError(f"n of {spec!r} must be at least 1, got {n}")
            if n > MAX_GRID_POINTS:
                raise ValueError(
                    f"n of {spec!r} is more than {MAX_GRID_POINTS:,}, the most grid points a "
                    "parameter may take"
                )
            if n > 1 and not lo < hi:
                raise ValueError(f"expected lo < hi in {spec!r}")
            return _tidy(np.linspace(lo, hi, n).tolist())
        items = [t.strip() for t in text.split(",")]
        if not text or any(not t for t in items):
            raise ValueError(f"expected {GRID_HELP}, got {spec!r}")
        values = [_number(t, "a value", spec) for t in items]
    else:
        if not isinstance(spec, Sequence) or not spec:
            raise ValueError(f"expected a non-empty list of numbers or {GRID_HELP}, got {spec!r}")
        values = []
        for v in spec:
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
                raise ValueError(f"grid values must be finite numbers, got {v!r}")
            values.append(float(v))
    if len(values) > MAX_GRID_POINTS:
        raise ValueError(
            f"{len(values):,} grid values is more than {MAX_GRID_POINTS:,}, the most grid points "
            "a parameter may take"
        )
    if len(set(values)) != len(values):
        raise ValueError(f"grid values repeat: {spec!r}")
    return _tidy(values)


def parse_param_option(text: str) -> tuple[str, list[float | int]]:
    """``"path=lo:hi:n"`` (or ``"path=a,b,c"``) as ``(path, values)``; ValueError if malformed."""
    path, eq, grid = text.partition("=")
    path = path.strip()
    if not eq or not path or not grid.strip():
        raise ValueError(f"expected PATH=lo:hi:n or PATH=a,b,c, got {text!r}")
    return path, parse_grid(grid)


def sweep(
    scenario: Scenario | str | os.PathLike[str],
    grid: Mapping[str, Sequence[float] | str],
    runs: int = 1000,
    seed: int = 0,
    *,
    outcomes: OutcomeSpec = None,
    z: float = Z95,
    settings: RunSettings | None = None,
) -> pd.DataFrame:
    """Outcome probabilities at every point of a grid of one or two parameters.

    Parameters
    ----------
    scenario
        A Scenario or a scenario file.
    grid
        One or two dotted paths (as :meth:`Scenario.with_values` takes them), each with its
        values: a list of numbers, or a string ``"lo:hi:n"`` or ``"a,b,c"``
        (:func:`parse_grid`). Two paths make the full product grid, the first varying slowest.
    runs, seed
        Runs per grid point, and the root seed every point shares (common random numbers).
    outcomes
        Which outcomes (or unions of outcomes) to report; default every outcome.
    z
        Normal quantile of the intervals (default 95%).
    settings
        How to run (:class:`~escalsim.RunSettings`), as for :func:`escalsim.simulate`; all
        grid points run on one executor, and only their outcomes are kept.

    Returns
    -------
    pandas.DataFrame
        One row per grid point and outcome: a column per swept path (named by the path),
        ``outcome``, ``count``, ``p``, ``ci_low``, ``ci_high`` (95% Wilson) and ``runs``.
        ``attrs`` records the analysis: parameters, seed, runs, scenario and its hash, and
        ``pairing``: ``points`` (of the first grid point with the last) and ``scenario``
        (of the first point with the scenario itself), each a
        :meth:`~escalsim.analysis.pairing.Pairing.as_dict`.
    """
    import pandas as pd

    from escalsim.results.provenance import library_version, scenario_hash
    from escalsim.scenario import as_scenario

    sc = as_scenario(scenario)
    settings = as_settings(settings)
    runs = positive_int("runs", runs)
    seed = check_seed(seed)
    if not isinstance(grid, Mapping) or not 1 <= len(grid) <= MAX_PARAMETERS:
        raise ValueError(f"grid must map one or two parameter paths to their values, got {grid!r}")
    paths = [str(p) for p in grid]
    axes = [parse_grid(v) for v in grid.values()]
    groups = outcome_groups(list(sc.outcomes), outcomes)
    points = list(itertools.product(*axes))
    scenarios = [sc.with_values(dict(zip(paths, point, strict=True))) for point in points]
    counts = point_counts(scenarios, sc.outcomes, groups, runs, seed, settings, f"{sc.name} sweep")
    rows = [
        {**dict(zip(paths, point, strict=True)), "outcome": label, "count": n}
        for point, row in zip(points, counts, strict=True)
        for label, n in zip(groups, row, strict=True)
    ]
    out = with_intervals(pd.DataFrame(rows), runs, z, groups)
    out.attrs.update(
        analysis="sweep",
        parameters=paths,
        pairing=_pairing(sc, scenarios, runs, seed),
        scenario=sc.name,
        scenario_sha256=scenario_hash(sc),
        seed=seed,
        runs=runs,
        escalsim_version=library_version(),
    )
    return out


def _pairing(sc: Scenario, scenarios: list[Scenario], runs: int, seed: int) -> dict[str, Any]:
    """How the first grid point pairs with the last (the most different) and with the
    scenario itself: from the draws alone, nothing is run."""
    from escalsim.analysis.pairing import draws_pairing

    first, last = scenarios[0], scenarios[-1]
    return {
        "points": draws_pairing(first, last, runs, seed).as_dict(),
        "scenario": draws_pairing(sc, first, runs, seed).as_dict(),
    }
