"""How far up its escalation ladder an actor went: the distribution of the highest rung."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from escalsim.plot import _common as common
from escalsim.text import percent

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from escalsim.results import Results
    from escalsim.scenario.schema import Scenario


MIN_HEIGHT = 3.2
"""Inches: the least height of the figure, so that its axis label fits beside two rungs."""


def default_actor(scenario: Scenario) -> str:
    """The actor whose ladder to show by default: the coercer, else the first with a ladder."""
    with_ladder = [a for a, actor in scenario.actors.items() if actor.ladder]
    if not with_ladder:
        raise ValueError(f"no actor of scenario '{scenario.name}' has an escalation ladder")
    for a in with_ladder:
        if scenario.actors[a].role == "coercer":
            return a
    return with_ladder[0]


def rungs(
    results: Results,
    actor: str | None = None,
    *,
    by_outcome: bool = True,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """The highest rung of ``actor``'s ladder reached in each run (default: the coercer).

    One horizontal bar per rung, named and in ladder order (the lowest at the bottom), with
    its probability and 95% Wilson interval; rungs no run reached get an empty bar. With
    ``by_outcome`` the bars are split by the outcome the runs ended in, in the outcome
    colours. The highest rung counts the replayed history and failed attempts (a raid that
    fails still reached the raid).
    """
    from escalsim.results.stats import wilson_interval

    sc = results.scenario
    actor = default_actor(sc) if actor is None else actor
    if actor not in sc.actors or not sc.actors[actor].ladder:
        ladders = [a for a, x in sc.actors.items() if x.ladder]
        raise ValueError(f"actor {actor!r} has no ladder; actors with a ladder: {ladders}")
    ladder = [r.name for r in sc.actors[actor].ladder]
    named = common.labels(results)
    runs = results.runs
    n = len(runs)
    rung = runs[f"rung.{actor}"].to_numpy(dtype="int64")
    counts = np.bincount(rung, minlength=len(ladder))[: len(ladder)]
    p = counts / n if n else np.zeros(len(ladder))
    low, high = wilson_interval(counts, np.full(counts.shape, n))
    fig, ax = common.new_axes(ax, (8.0, max(0.36 * len(ladder) + 1.8, MIN_HEIGHT)))
    y = np.arange(len(ladder))
    fg = common.foreground()
    colors = common.outcome_colors(results)
    if by_outcome:
        left = np.zeros(len(ladder))
        outcome = runs["outcome"].astype(str).to_numpy()
        for name in sc.outcomes:
            share = np.bincount(rung[outcome == name], minlength=len(ladder))[: len(ladder)]
            if not share.any():
                continue
            ax.barh(
                y, share / n, left=left, color=colors[name], height=0.7, label=named.outcome(name)
            )
            left += share / n
        ax.errorbar(
            p,
            y,
            xerr=np.vstack([p - low, high - p]),
            fmt="none",
            ecolor=fg,
            capsize=3,
            elinewidth=1.2,
        )
        common.legend_outside(ax, title="outcome of the run")
    else:
        ax.barh(
            y,
            p,
            color=fg,
            alpha=0.6,
            height=0.7,
            xerr=np.vstack([p - low, high - p]),
            error_kw={"ecolor": fg, "capsize": 3, "elinewidth": 1.2},
        )
    top = float(np.nanmax(high)) if len(high) else 1.0
    for yi, pi, hi in zip(y, p, high, strict=True):
        ax.text(hi + 0.01 * max(top, 0.05), yi, percent(pi), va="center", fontsize="small")
    ax.set_yticks(y, [named.rung(actor, r) for r in ladder])
    ax.set_xlim(0, min(1.0, top * 1.18 + 0.02))
    common.percent_axis(ax, "x")
    ax.set_xlabel("probability that this is the highest rung reached (95% interval)")
    # short, so that it fits beside a ladder of few rungs; the title names whose ladder
    ax.set_ylabel("rung, low to high")
    ax.spines[["top", "right"]].set_visible(False)
    who = named.actor(actor)
    common.set_title(ax, title or f"Highest rung reached by {who}", common.runs_subtitle(results))
    return fig
