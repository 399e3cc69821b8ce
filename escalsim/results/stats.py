"""Statistics of an ensemble: Wilson intervals, outcome shares, cumulative incidence, milestones."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.results.layout import Layout

Z95 = 1.959963984540054
"""The standard normal quantile of 0.975: two-sided 95% intervals."""


def wilson_interval(k: Any, n: Any, z: float = Z95) -> tuple[Any, Any]:
    """Wilson score interval for a proportion of ``k`` successes in ``n`` trials.

    Works on scalars (returns two floats) and on arrays (returns two arrays). The interval is
    within [0, 1], is exactly 0 below when ``k == 0`` and exactly 1 above when ``k == n``, and
    is NaN where ``n == 0``.
    """
    k_arr = np.asarray(k, dtype="float64")
    n_arr = np.asarray(n, dtype="float64")
    if np.any(n_arr < 0) or np.any(k_arr < 0) or np.any(k_arr > n_arr):
        raise ValueError(f"need 0 <= k <= n, got k={k!r}, n={n!r}")
    if not (z > 0 and math.isfinite(z)):
        raise ValueError(f"z must be positive and finite, got {z!r}")
    z2 = z * z
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = n_arr + z2
        centre = (k_arr + z2 / 2) / denom
        half = z * np.sqrt(k_arr * (n_arr - k_arr) / n_arr + z2 / 4) / denom
        low = np.where(k_arr == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
        high = np.where(k_arr == n_arr, 1.0, np.clip(centre + half, 0.0, 1.0))
    low = np.where(n_arr == 0, np.nan, low)
    high = np.where(n_arr == 0, np.nan, high)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def wilson_half_width(k: Any, n: Any, z: float = Z95) -> Any:
    """Half the width of the Wilson interval (the precision target of adaptive runs)."""
    low, high = wilson_interval(k, n, z)
    return (np.asarray(high) - np.asarray(low)) / 2


def outcome_codes(runs: pd.DataFrame) -> np.ndarray:
    """The outcome column as integer codes into the scenario's outcome list."""
    return np.asarray(runs["outcome"].cat.codes, dtype="int64")


def summary(runs: pd.DataFrame, layout: Layout, z: float = Z95) -> pd.DataFrame:
    """Count, share and Wilson interval of every outcome (zero counts included), in order."""
    import pandas as pd

    n = len(runs)
    counts = np.bincount(outcome_codes(runs), minlength=len(layout.outcomes))
    low, high = wilson_interval(counts, np.full(counts.shape, n), z)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = counts / n if n else np.full(counts.shape, np.nan)
    return pd.DataFrame(
        {
            "outcome": layout.outcome_column(list(layout.outcomes)),
            "count": counts.astype("int64"),
            "p": p.astype("float64"),
            "ci_low": low,
            "ci_high": high,
        }
    )


def default_days(horizon: float) -> np.ndarray:
    """Whole days from 0 to the horizon, and the horizon itself if it is not a whole day."""
    days = np.arange(0, math.floor(horizon) + 1, dtype="float64")
    if days[-1] < horizon:
        days = np.append(days, horizon)
    return days


def cumulative_incidence(
    runs: pd.DataFrame,
    layout: Layout,
    horizon_outcomes: Iterable[str],
    days: Iterable[float] | None = None,
    z: float = Z95,
) -> pd.DataFrame:
    """For each outcome and day, the share of runs that had ended in it by that day.

    Outcomes reached by the horizon count only from the horizon on; every other outcome
    counts from the time its run ended. A long table: outcome, day, date, count, p, ci_low,
    ci_high (outcomes in scenario order, days ascending).
    """
    import pandas as pd

    grid = default_days(layout.horizon) if days is None else np.asarray(list(days), dtype=float)
    if grid.ndim != 1 or not np.all(np.isfinite(grid)):
        raise ValueError("days must be a sequence of finite numbers")
    grid = np.unique(grid)
    n = len(runs)
    codes = outcome_codes(runs)
    times = runs["time"].to_numpy(dtype="float64").copy()
    at_horizon = np.isin(codes, [layout.outcomes.index(o) for o in horizon_outcomes])
    times[at_horizon] = np.maximum(times[at_horizon], layout.horizon)
    frames = []
    for i, name in enumerate(layout.outcomes):
        t = np.sort(times[codes == i])
        counts = np.searchsorted(t, grid, side="right").astype("int64")
        low, high = wilson_interval(counts, np.full(counts.shape, n), z)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = counts / n if n else np.full(counts.shape, np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "outcome": name,
                    "day": grid,
                    "count": counts,
                    "p": p.astype("float64"),
                    "ci_low": low,
                    "ci_high": high,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out["outcome"] = layout.outcome_column(out["outcome"].astype(object))
    out.insert(2, "date", layout.dates(out["day"]).to_numpy())
    return out


def milestone_table(
    runs: pd.DataFrame, layout: Layout, include_history: bool = False, z: float = Z95
) -> pd.DataFrame:
    """For each milestone: how many runs reached it, the share with its interval, median day.

    By default a milestone counts when a run reached it after the start (time > 0, the first
    such time), whether or not the replayed history had reached it before; with
    ``include_history`` a milestone only the history reached (time <= 0: history events are
    dated at or before the start) counts too. ``before_start`` counts the runs in which only
    the history reached it.
    """
    import pandas as pd

    n = len(runs)
    rows = []
    for m in layout.milestones:
        t = runs[f"milestone.{m}"].to_numpy(dtype="float64")
        seen = ~np.isnan(t)
        hit = seen if include_history else seen & (t > 0)
        k = int(hit.sum())
        low, high = wilson_interval(k, n, z)
        rows.append(
            {
                "milestone": m,
                "count": k,
                "p": k / n if n else math.nan,
                "ci_low": low,
                "ci_high": high,
                "median_day": float(np.median(t[hit])) if k else math.nan,
                "before_start": int((seen & (t <= 0)).sum()),
            }
        )
    columns = ["milestone", "count", "p", "ci_low", "ci_high", "median_day", "before_start"]
    out = pd.DataFrame(rows, columns=columns)
    out["milestone"] = out["milestone"].astype("str")
    return out.astype({"count": "int64", "before_start": "int64"})
