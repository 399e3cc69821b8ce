"""Fan charts of the state of the crisis over time: beliefs, cohesion, rungs (traced runs).

Each panel follows one state variable of :meth:`Results.history` across the runs still going
on: the median, and bands holding the middle 50% and 90% of the runs; split by outcome, one
median and 50% band per outcome, in the outcome colours.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from escalsim.plot._common import (
    date_axis,
    foreground,
    legend_outside,
    new_panels,
    outcome_colors,
    runs_subtitle,
    set_title,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from escalsim.results import Results

_WHAT = {
    "beliefs": "Beliefs in resolve over time",
    "cohesion": "Cohesion over time",
    "rungs": "Rungs over time",
}


_AXIS = {"beliefs": "chance of resolve", "cohesion": "cohesion", "rungs": "rung"}


def _label(variable: str, results: Results) -> str:
    """A panel's name: ``belief.maduro.us`` → "Maduro government about United States"."""
    sc = results.scenario
    parts = variable.split(".")

    def name(a: str) -> str:
        spec = sc.actors.get(a)
        return (spec.name or a) if spec is not None else a

    if parts[0] == "belief":
        return f"{name(parts[1])} about {name(parts[2])}"
    if parts[0] == "rung":
        return name(parts[1])
    if variable == "cohesion" and sc.processes.cohesion is not None:
        return name(sc.processes.cohesion.actor)
    return variable


def _draw(ax: Axes, part: pd.DataFrame, color: str, label: str, wide: bool) -> None:
    dates = part["date"].to_numpy()
    ax.plot(dates, part["median"].to_numpy(dtype=float), color=color, linewidth=2, label=label)
    ax.fill_between(dates, part["q25"], part["q75"], color=color, alpha=0.3, linewidth=0)
    if wide:
        ax.fill_between(dates, part["q05"], part["q95"], color=color, alpha=0.12, linewidth=0)


def fan(
    results: Results,
    kind: str = "beliefs",
    *,
    by_outcome: bool = False,
    outcomes: Sequence[str] | None = None,
    variables: Sequence[str] | None = None,
    every: float = 1.0,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Fan charts of a state over time (``kind``: beliefs, cohesion or rungs), one panel per
    variable (or those named in ``variables``): the median and the 50% and 90% bands across
    the runs still going on each day; with ``by_outcome``, the median and 50% band of the
    runs of each outcome (or of ``outcomes``). Needs traced runs."""
    hist = results.history(kind, every=every, by_outcome=by_outcome)
    names = list(dict.fromkeys(hist["variable"].astype(str)))
    if variables is not None:
        unknown = [v for v in variables if v not in names]
        if unknown:
            raise ValueError(f"unknown variable {unknown[0]!r}; expected one of {names}")
        names = list(variables)
    if ax is not None and len(names) != 1:
        raise ValueError(
            f"this figure has {len(names)} panels (one per variable): pick one with "
            f"variables=[...] to draw into the given ax (one of {names})"
        )
    fig, axes = new_panels(len(names), (8.0, 3.6), ax)
    colors = outcome_colors(results)
    sc = results.scenario
    shown = list(sc.outcomes) if outcomes is None else list(outcomes)
    for panel, variable in zip(axes, names, strict=True):
        part = hist[hist["variable"] == variable]
        if by_outcome:
            for name in shown:
                rows = part[part["outcome"] == name]
                if len(rows):
                    _draw(panel, rows, colors[name], name, wide=False)
            legend_outside(panel, title="outcome (median, 50% band)")
        else:
            _draw(panel, part, foreground(), "median", wide=True)
        _finish(panel, results, kind, variable)
    subtitle = runs_subtitle(results)
    bands = "median and 50% band by outcome" if by_outcome else "median, 50% and 90% bands"
    set_title(axes[0], title or f"{_WHAT.get(kind, kind)} ({bands})", subtitle)
    return fig


def _finish(ax: Axes, results: Results, kind: str, variable: str) -> None:
    """Axes of one panel: dates, the variable's range (rung names for a ladder)."""
    date_axis(ax)
    sc = results.scenario
    ax.text(
        0.01, 0.98, _label(variable, results), transform=ax.transAxes, va="top", fontsize="small"
    )
    ax.set_ylabel(_AXIS.get(kind, kind))
    if kind == "rungs":
        actor = variable.split(".", 1)[1]
        ladder = [r.name for r in sc.actors[actor].ladder]
        ax.set_yticks(np.arange(len(ladder)), ladder, fontsize="small")
        ax.set_ylim(-0.3, len(ladder) - 0.3)
    else:
        ax.set_ylim(0.0, 1.08)
    start, end = np.datetime64(sc.start, "D"), np.datetime64(sc.end_date, "D")
    ax.set_xlim(start, end)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)


def beliefs(results: Results, **options: object) -> Figure:
    """Each observer's chance of the resolve of the actor it watches, over time (:func:`fan`)."""
    return fan(results, "beliefs", **options)


def cohesion(results: Results, **options: object) -> Figure:
    """The cohesion of the actor whose cohesion is modelled, over time (:func:`fan`)."""
    return fan(results, "cohesion", **options)


def rungs_over_time(results: Results, **options: object) -> Figure:
    """The rung of each actor with a ladder, over time (:func:`fan`)."""
    return fan(results, "rungs", **options)
