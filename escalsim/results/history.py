"""State histories: beliefs, cohesion, rungs and standing demands on a daily grid, across runs.

Read from the decision traces: at every decision the trace holds the state the actor saw, so a
run's state on day ``d`` is taken as the state seen at its last decision at or before ``d``
(between decisions the rungs, demands and beliefs move only by actions, which are decisions
too, or by incidents; cohesion drifts continuously and is held at its last seen value). A run
counts on the days up to its end; before its first decision it has no value yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.results.decisions import DecisionLayout

KINDS = {
    "beliefs": "belief.",
    "types": "type.",
    "cohesion": "cohesion",
    "rungs": "rung.",
    "demand": "demand.",
}
"""What :func:`history` can follow, and the state columns of each (by prefix)."""

QUANTILES = {"q05": 0.05, "q25": 0.25, "median": 0.5, "q75": 0.75, "q95": 0.95}


def state_columns(layout: DecisionLayout, kind: str) -> list[str]:
    """The state columns that ``kind`` follows; ValueError for an unknown kind."""
    if kind not in KINDS:
        raise ValueError(f"unknown history {kind!r}; expected one of {', '.join(KINDS)}")
    prefix = KINDS[kind]
    return [c for c in layout.state if c == prefix or c.startswith(prefix)]


def _values(chosen: pd.DataFrame, layout: DecisionLayout, columns: Sequence[str]) -> pd.DataFrame:
    """The numeric variables of the columns: numbers as they are, a standing demand as one 0/1
    variable per deal (``demand.<actor>.<deal>``)."""
    import pandas as pd

    out = {"run": chosen["run"].to_numpy(), "time": chosen["time"].to_numpy()}
    for c in columns:
        if c in layout.categories:
            text = chosen[c].astype(object).to_numpy()
            for deal in layout.categories[c][1:]:
                out[f"{c}.{deal}"] = (text == deal).astype("float64")
        else:
            out[c] = chosen[c].to_numpy(dtype="float64")
    frame = pd.DataFrame(out).astype({"run": "int64", "time": "float64"})
    return frame.sort_values("time", kind="stable").reset_index(drop=True)


def history(
    runs: pd.DataFrame,
    decisions: pd.DataFrame,
    layout: DecisionLayout,
    kind: str,
    days: Sequence[float],
    by_outcome: bool = False,
) -> pd.DataFrame:
    """The state ``kind`` across runs on the given days: per variable (and outcome), the runs
    with a value that day, their mean and quantiles (q05, q25, median, q75, q95)."""
    import numpy as np
    import pandas as pd

    columns = state_columns(layout, kind)
    chosen = decisions.loc[decisions["chosen"].to_numpy(dtype=bool), ["run", "time", *columns]]
    values = _values(chosen, layout, columns)
    names = [c for c in values.columns if c not in ("run", "time")]
    grid_days = np.asarray(sorted(set(float(d) for d in days)), dtype="float64")
    n_runs = len(runs)
    run_ids = np.repeat(runs["run"].to_numpy(dtype="int64"), len(grid_days))
    day = np.tile(grid_days, n_runs)
    alive = day <= np.repeat(runs["time"].to_numpy(dtype="float64"), len(grid_days))
    cells = pd.DataFrame({"run": run_ids[alive], "day": day[alive]})
    if by_outcome:
        outcome = np.repeat(runs["outcome"].astype(object).to_numpy(), len(grid_days))
        cells["outcome"] = outcome[alive]
    cells = cells.sort_values("day", kind="stable")
    merged = pd.merge_asof(
        cells, values, left_on="day", right_on="time", by="run", direction="backward"
    )
    keys = ["day", "outcome"] if by_outcome else ["day"]
    long = merged.melt(id_vars=keys, value_vars=names, var_name="variable").dropna(subset=["value"])
    long["variable"] = pd.Categorical(long["variable"], categories=names)
    group = long.groupby(["variable", *keys], sort=True, observed=True)["value"]
    table = group.agg(runs="count", mean="mean")
    for name, q in QUANTILES.items():
        table[name] = group.quantile(q)
    table = table.reset_index()
    table["date"] = (pd.Timestamp(layout.start) + pd.to_timedelta(table["day"], unit="D")).astype(
        "datetime64[ms]"
    )
    order = ["variable", *(["outcome"] if by_outcome else []), "day", "date", "runs", "mean"]
    return table[[*order, *QUANTILES]]
