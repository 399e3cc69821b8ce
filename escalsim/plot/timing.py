"""Plots over calendar time: cumulative incidence of outcomes, and when milestones happen."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from escalsim.plot import _common as common
from escalsim.text import percent

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from escalsim.results import Results
    from escalsim.scenario.schema import Scenario


def _check_names(asked: Sequence[str], known: Sequence[str], what: str) -> list[str]:
    unknown = [a for a in asked if a not in known]
    if unknown:
        raise ValueError(f"unknown {what} {unknown[0]!r}; expected one of {list(known)}")
    return list(asked)


LINE_COLORS: tuple[str, ...] = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#ff9896",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#c7c7c7",
    "#dbdb8d",
    "#9edae5",
)
"""Twenty distinct colours for lines that are not outcomes (matplotlib's tab20, the strong
shades first): a chart of up to twenty milestones never gives two of them one colour."""
LINE_STYLES = ("-", "--", ":", "-.")


def line_style(i: int) -> tuple[str, str]:
    """The colour and line style of the ``i``-th line: a colour of its own for the first
    twenty, then the colours again with another style; the lighter shades (from the eleventh
    line) are dashed, to tell them from their strong twins."""
    color = LINE_COLORS[i % len(LINE_COLORS)]
    style = LINE_STYLES[(i // 10) % len(LINE_STYLES)]
    return color, style


def _wrap(text: str, width: int = 44) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def incidence(
    results: Results,
    *,
    outcomes: Sequence[str] | None = None,
    bands: bool = True,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Cumulative incidence: the probability that a run has ended in each outcome by each date.

    One step curve per outcome over the horizon, with its 95% Wilson band; calendar dates on
    the x axis. An outcome that happens only at the horizon (e.g. a stalemate) is one point
    with its interval at the horizon date. Outcomes that no run reached are named in a note
    instead of drawn as flat lines at zero.
    """
    from escalsim.results.layout import horizon_outcomes

    sc = results.scenario
    names = (
        list(sc.outcomes) if outcomes is None else _check_names(outcomes, sc.outcomes, "outcome")
    )
    colors = common.outcome_colors(results)
    named = common.labels(results)
    ci = results.cumulative_incidence()
    at_horizon = set(horizon_outcomes(sc))
    fig, ax = common.new_axes(ax)
    fg = common.foreground()
    never = []
    for name in names:
        part = ci[ci["outcome"] == name]
        dates = part["date"].to_numpy()
        if not len(part) or part["count"].iloc[-1] == 0:
            never.append(named.outcome(name))
            continue
        color = colors[name]
        if name in at_horizon:
            last = part.iloc[-1]
            ax.errorbar(
                [last["date"]],
                [last["p"]],
                yerr=[[last["p"] - last["ci_low"]], [last["ci_high"] - last["p"]]],
                fmt="o",
                color=color,
                ecolor=fg,
                capsize=3,
                label=f"{named.outcome(name)} (at the horizon): {percent(float(last['p']))}",
            )
            continue
        p = part["p"].to_numpy(dtype=float)
        label = f"{named.outcome(name)}: {percent(p[-1])}"
        ax.step(dates, p, where="post", color=color, linewidth=2, label=label)
        if bands:
            ax.fill_between(
                dates,
                part["ci_low"].to_numpy(dtype=float),
                part["ci_high"].to_numpy(dtype=float),
                step="post",
                color=color,
                alpha=0.22,
                linewidth=0,
            )
    _calendar_axes(ax, sc, "probability the run has ended in it")
    if never:  # named in the legend, under the curves
        ax.plot(
            [], [], linestyle="none", label=_wrap("not reached in any run: " + ", ".join(never))
        )
    common.legend_outside(ax, title="outcome: probability by the horizon")
    common.set_title(
        ax,
        title or "When each outcome happens (cumulative, 95% bands)",
        common.runs_subtitle(results),
    )
    return fig


def milestones(
    results: Results,
    *,
    names: Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """When milestones are reached: one cumulative curve per milestone over the horizon.

    Each curve is the probability that the milestone has been reached by each date within
    the run (from the start on), so it ends at the share of runs that reached it, whether or
    not the replayed history had reached it before; the legend adds the share of runs where
    only the history did ("x% only before the start"). Milestones that no run reached within
    the horizon are named in a note instead of drawn.
    """
    sc = results.scenario
    all_names = list(sc.milestones)
    chosen = all_names if names is None else _check_names(names, all_names, "milestone")
    runs = results.runs
    n = len(runs)
    fig, ax = common.new_axes(ax)
    start = np.datetime64(sc.start, "ms")
    never = []
    named = common.labels(results)
    drawn = 0
    for name in chosen:
        t = runs[f"milestone.{name}"].to_numpy(dtype=float)
        before = float(np.mean(t <= 0)) if n else 0.0
        t = np.sort(t[t > 0])
        label = named.milestone(name)
        only_before = f" ({percent(before)} only before the start)" if before > 0 else ""
        if not len(t):
            never.append(label + only_before)
            continue
        days = np.concatenate([[0.0], t, [float(sc.horizon)]])
        p = np.concatenate([[0.0], np.arange(1, len(t) + 1) / n, [len(t) / n]])
        dates = start + (days * 86_400_000).astype("timedelta64[ms]")
        label += f": {percent(len(t) / n)}{only_before}"
        color, style = line_style(drawn)
        ax.step(dates, p, where="post", linewidth=2, color=color, linestyle=style, label=label)
        drawn += 1
    _calendar_axes(ax, sc, "probability reached by this date")
    if never:  # named in the legend, under the curves
        note = "not reached within the horizon in any run: " + ", ".join(never)
        ax.plot([], [], linestyle="none", label=_wrap(note))
    common.legend_outside(ax, title="milestone: probability within the horizon")
    common.set_title(ax, title or "When milestones are reached", common.runs_subtitle(results))
    return fig


def _calendar_axes(ax: Axes, sc: Scenario, ylabel: str) -> None:
    """Dates from the start to just past the horizon along x, a percentage from 0 along y."""
    common.date_axis(ax)
    start, end = np.datetime64(sc.start, "D"), np.datetime64(sc.end_date, "D")
    ax.set_xlim(start, end + np.timedelta64(max(1, int(sc.horizon) // 40), "D"))
    ax.set_ylim(bottom=0)
    common.percent_axis(ax)
    ax.set_xlabel(f"date (day 0 = {sc.start}, horizon {sc.horizon:g} days)")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
