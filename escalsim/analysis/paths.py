"""The most common paths to each outcome: the last steps of the runs before it, counted.

Read from the event logs of an ensemble (``RunSettings(keep_events=True)``); one run told
in full is :func:`escalsim.narrate`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from escalsim.checks import positive_int
from escalsim.errors import ResultsError

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.results import Results

ARROW = " → "
DEFAULT_IGNORE = ("statement", "rally", "channel_open", "channel_closed")
"""Event kinds left out of :func:`paths` by default: frequent, and rarely what decides."""


def _named(payload: object) -> str | None:
    """The rung, else the action, that an event's JSON payload names (None if neither)."""
    if not isinstance(payload, str):
        return None
    p = json.loads(payload)
    return (p.get("rung") or p.get("action")) if isinstance(p, dict) else None


def path_tokens(
    events: pd.DataFrame, *, ignore: Iterable[str] = DEFAULT_IGNORE, actors: bool = False
) -> pd.DataFrame:
    """The steps of each run after the start: columns run and step (``kind``, or
    ``kind:rung`` for climb, descend and failed; ``actor:...`` with ``actors``), in order,
    without the outcome event, the ignored kinds, and repeats of the step just before."""
    ev = events[(events["time"] > 0.0) & (events["kind"] != "outcome")]
    ev = ev[~ev["kind"].isin(list(ignore))]
    step = ev["kind"].astype(str)
    detailed = step.isin(["climb", "descend", "failed"])
    detail = ev["payload"][detailed].map(_named).reindex(ev.index)
    step = step.where(~(detailed & detail.notna()), step + ":" + detail.fillna(""))
    if actors:
        step = ev["actor"].astype(str) + ":" + step
    out = ev[["run"]].assign(step=step.to_numpy())
    keep = (out["step"] != out["step"].shift()) | (out["run"] != out["run"].shift())
    return out[keep].reset_index(drop=True)


def paths(
    results: Results,
    top: int = 5,
    *,
    steps: int | None = 3,
    ignore: Iterable[str] = DEFAULT_IGNORE,
    actors: bool = False,
) -> pd.DataFrame:
    """The most common paths to each outcome: the last ``steps`` steps of the runs before it.

    A run's path is its sequence of event kinds after the start (history excluded), with
    climbs, descents and failures naming their rung (``climb:raid``), the kinds in ``ignore``
    left out (by default statements, rallies and channel openings and closings), and
    consecutive repeats collapsed; ``steps`` keeps only the last few (None: the whole path,
    which is nearly unique per run). Returns, per outcome in scenario order, the ``top``
    paths: outcome, rank, path (steps joined by " → "; "(nothing)" for none), count, share
    (of the runs that ended in the outcome), p (of all runs) and outcome_runs.
    Needs the event logs: ``simulate(..., settings=RunSettings(keep_events=True))``.
    """
    import pandas as pd

    top = positive_int("top", top)
    steps = None if steps is None else positive_int("steps", steps)
    events = results.events
    if events is None:
        raise ResultsError(
            "these results have no event logs, so no paths: run with keep_events=True "
            "(escalsim run --events)"
        )
    tokens = path_tokens(events, ignore=ignore, actors=actors)
    if steps is not None:
        tokens = tokens.groupby("run", sort=False).tail(steps)
    joined = tokens.groupby("run", sort=True)["step"].agg(ARROW.join)
    runs = results.runs[["run", "outcome"]].copy()
    runs["path"] = runs["run"].map(joined).fillna("(nothing)")
    runs.loc[runs["path"] == "", "path"] = "(nothing)"
    n = len(runs)
    frames = []
    for name in results.scenario.outcomes:
        mine = runs[runs["outcome"] == name]
        if mine.empty:
            continue
        counts = mine["path"].value_counts(sort=False)
        # most common first; ties in order of first appearance (run order), stable
        first = {p: i for i, p in enumerate(dict.fromkeys(mine["path"]))}
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], first[kv[0]]))[:top]
        frames.append(
            pd.DataFrame(
                {
                    "outcome": name,
                    "rank": range(1, len(ranked) + 1),
                    "path": [p for p, _ in ranked],
                    "count": [int(c) for _, c in ranked],
                    "share": [c / len(mine) for _, c in ranked],
                    "p": [c / n for _, c in ranked],
                    "outcome_runs": len(mine),
                }
            )
        )
    columns = ["outcome", "rank", "path", "count", "share", "p", "outcome_runs"]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    out["outcome"] = pd.Categorical(out["outcome"], categories=list(results.scenario.outcomes))
    return out[columns]
