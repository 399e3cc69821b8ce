"""Attribution: what decided each run's outcome, from its decision trace.

A run's **decisive choice** is the choice that ended it: the last decision of the run, when it
was taken at the very time the run ended (carrying out a choice is instantaneous, and every
other event comes after a random positive delay, so no other event shares that time). It is
the accepted deal, the backdown, the climb onto a rung that ends the crisis, the coup. Each run
gets one cause, the first that applies:

- ``horizon``: the run reached the horizon (no choice ended it);
- ``hazard``: no choice ended it: an exogenous process did (the collapse hazard, an incident);
- ``unscored``: a choice whose utilities were not computed (a scripted rule) ended it;
- ``lower``: a choice of lower utility than the actor's best ended it (the logit noise), even
  if a success roll then had to go its way too;
- ``roll``: the actor's best option ended it, but only because its success roll (a raid, a
  coup) went its way, which it does with a chance below one;
- ``best``: the actor's best option ended it, with no roll to win.

``roll`` and ``hazard`` together are the share decided by exogenous draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

CAUSES = ("best", "lower", "roll", "hazard", "horizon", "unscored")
"""Why a run ended as it did (see the module's docstring), in table order."""

NEEDED = ["run", "time", "actor", "option", "label", "utility", "probability"]
NEEDED += ["chosen", "best", "success"]
"""The decisions columns that attribution reads."""


def decisive(
    runs: pd.DataFrame, decisions: pd.DataFrame, at_horizon: Sequence[str]
) -> pd.DataFrame:
    """One row per run: ``run``, ``outcome``, ``cause`` and the decisive choice (``actor``,
    ``option``, ``label``, ``utility``, ``probability``, ``success``; NaN where no choice ended
    the run)."""
    import numpy as np
    import pandas as pd

    chosen = decisions.loc[decisions["chosen"].to_numpy(dtype=bool)]
    last = chosen.drop_duplicates("run", keep="last").set_index("run")
    out = runs[["run", "outcome", "time"]].reset_index(drop=True)
    picked = last.reindex(out["run"].to_numpy())
    by_choice = (picked["time"].to_numpy() == out["time"].to_numpy()) & ~out["outcome"].isin(
        at_horizon
    ).to_numpy()
    best = picked["best"].astype("boolean")
    success = picked["success"].to_numpy(dtype="float64")
    cause = np.select(
        [
            out["outcome"].isin(at_horizon).to_numpy(),
            ~by_choice,
            best.isna().to_numpy(),
            ~best.fillna(False).to_numpy(dtype=bool),
            success < 1.0,
        ],
        ["horizon", "hazard", "unscored", "lower", "roll"],
        default="best",
    )
    out["cause"] = pd.Categorical(cause, categories=list(CAUSES))
    for name in ("actor", "option", "label", "utility", "probability", "success"):
        values = picked[name].to_numpy()
        out[name] = pd.Series(values).where(by_choice).to_numpy()
    return out.drop(columns="time")


def attribution_table(per_run: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """Per outcome (every one, in scenario order): its runs, the share of each cause, the
    share decided by exogenous draws (``roll`` + ``hazard``) and the median probability of
    the decisive choice (``median_p``, over the runs a choice ended)."""
    import pandas as pd

    rows = []
    for name in outcomes:
        part = per_run[per_run["outcome"] == name]
        n = len(part)
        shares = part["cause"].value_counts().reindex(list(CAUSES), fill_value=0)
        row = {"outcome": name, "runs": n}
        row.update({c: shares[c] / n if n else float("nan") for c in CAUSES})
        row["exogenous"] = (shares["roll"] + shares["hazard"]) / n if n else float("nan")
        p = pd.to_numeric(part["probability"], errors="coerce").dropna()
        row["median_p"] = float(p.median()) if len(p) else float("nan")
        rows.append(row)
    columns = ["outcome", "runs", "best", "lower", "exogenous", "roll", "hazard"]
    return pd.DataFrame(rows, columns=[*columns, "horizon", "unscored", "median_p"])
