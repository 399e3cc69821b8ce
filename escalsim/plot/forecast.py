"""Figures of the forecaster's loop: how the forecast moved over time, and how well it scored."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from escalsim.plot._common import (
    PALETTE,
    date_axis,
    foreground,
    legend_outside,
    new_axes,
    outcome_colors,
    percent_axis,
    set_title,
)
from escalsim.text import percent

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from escalsim.scenario.schema import Scenario

MARKED = ("climb", "ultimatum", "demand")
"""History kinds labelled on the time axis (every event gets a tick)."""


def trajectory(
    table: pd.DataFrame,
    scenario: Scenario | None = None,
    *,
    outcomes: Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Each outcome's probability as forecast on each date, with its 95% band, from the table
    of :func:`escalsim.analysis.trajectory`. With the scenario, its history's events are
    ticked on the time axis (climbs, demands and ultimatums named) and the outcomes take
    the scenario's colours. Outcomes no run reached at any date are named in a note."""
    needed = {"date", "outcome", "p", "ci_low", "ci_high", "runs"}
    if not needed <= set(table.columns):
        raise ValueError(f"a trajectory table needs the columns {sorted(needed)}")
    names = list(dict.fromkeys(str(o) for o in table["outcome"]))
    names = names if outcomes is None else [o for o in names if o in set(outcomes)]
    colors = outcome_colors(scenario if scenario is not None else names)
    fig, ax = new_axes(ax, (9.0, 4.8))
    never = []
    for name in names:
        part = table[table["outcome"].astype(str) == name].sort_values("date")
        p = part["p"].to_numpy(dtype=float)
        if not p.any():
            never.append(name)
            continue
        color = colors.get(name, PALETTE[len(colors) % len(PALETTE)])
        dates = part["date"].to_numpy()
        ax.plot(dates, p, color=color, marker="o", markersize=3, label=f"{name}: {percent(p[-1])}")
        low, high = part["ci_low"].to_numpy(dtype=float), part["ci_high"].to_numpy(dtype=float)
        ax.fill_between(dates, low, high, color=color, alpha=0.18, linewidth=0)
    ax.set_ylim(bottom=0)
    if scenario is not None:
        _mark_history(ax, scenario, table["date"].min(), table["date"].max())
    date_axis(ax)
    percent_axis(ax)
    ax.set_xlabel("date of the forecast")
    ax.set_ylabel(_y_label(table))
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    if never:
        ax.plot([], [], linestyle="none", label="never reached: " + ", ".join(never))
    legend_outside(ax, title="outcome: last forecast")
    runs = int(table["runs"].iloc[0])
    seed = table.attrs.get("seed")
    label = scenario.title or scenario.name if scenario is not None else table.attrs.get("scenario")
    sub = f"{label or 'scenario'} — {runs:,} runs per date" + (
        f", seed {seed} at every date" if seed is not None else ""
    )
    set_title(ax, title or "How the forecast moved (as-of forecasts, 95% bands)", sub)
    return fig


def _y_label(table: pd.DataFrame) -> str:
    if "end" in table.columns and table["end"].nunique() == 1:
        return f"P(outcome by {table['end'].iloc[0]:%Y-%m-%d})"
    return "P(outcome within the horizon)"


def _mark_history(ax: Axes, scenario: Scenario, first: Any, last: Any) -> None:
    """A tick at the bottom of the axes for every history event in the date range, and the
    rung or deal named over the climbs, demands and ultimatums."""
    import pandas as pd
    from matplotlib.transforms import blended_transform_factory

    fg = foreground()
    to_axis = blended_transform_factory(ax.transData, ax.transAxes)
    lo, hi = pd.Timestamp(first), pd.Timestamp(last)
    events = [ev for ev in scenario.history if lo <= pd.Timestamp(ev.date) <= hi]
    if not events:
        return
    dates = np.array([np.datetime64(ev.date, "D") for ev in events])
    ax.plot(
        dates, np.zeros(len(dates)), linestyle="none", marker="|", markersize=12,
        color=fg, alpha=0.7, transform=to_axis, clip_on=False, label="reported event (history)",
    )  # fmt: skip
    named: dict[Any, list[str]] = {}
    near = max(1, (hi - lo).days // 40)  # events closer than this share one label
    for ev in sorted(events, key=lambda e: e.date):
        if ev.event in MARKED:
            what = ev.payload.rung or f"{ev.event} {ev.payload.deal or ''}".strip()
            day = next((d for d in named if (ev.date - d).days <= near), ev.date)
            named.setdefault(day, []).append(f"{ev.actor} {what}")
    for day, labels in named.items():
        ax.axvline(np.datetime64(day, "D"), color=fg, alpha=0.25, linewidth=0.8, linestyle=":")
        ax.text(
            np.datetime64(day, "D"), 0.97, " / ".join(labels), transform=to_axis, rotation=90,
            fontsize="x-small", ha="right", va="top", color=fg, alpha=0.8,
        )  # fmt: skip


def reliability(table: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Figure:
    """The reliability diagram: within each bin of forecast probability, how often the
    question resolved yes, per source of forecasts (the model, each reference), from the
    table of :func:`escalsim.analysis.reliability_table`; the diagonal is perfect calibration,
    and each point's size grows with its number of questions."""
    needed = {"source", "forecast", "observed", "count", "ci_low", "ci_high"}
    if not needed <= set(table.columns):
        raise ValueError(f"a reliability table needs the columns {sorted(needed)}")
    fig, ax = new_axes(ax, (6.5, 5.0))
    fg = foreground()
    ax.plot([0, 1], [0, 1], color=fg, alpha=0.4, linestyle="--", label="perfect calibration")
    for i, (source, part) in enumerate(table.groupby("source", sort=False)):
        color = PALETTE[i % len(PALETTE)]
        x, y = part["forecast"].to_numpy(float), part["observed"].to_numpy(float)
        n = part["count"].to_numpy(float)
        err = [y - part["ci_low"].to_numpy(float), part["ci_high"].to_numpy(float) - y]
        ax.errorbar(x, y, yerr=err, fmt="none", ecolor=color, alpha=0.5, capsize=2)
        ax.plot(x, y, color=color, alpha=0.6)
        ax.scatter(x, y, s=20 + 12 * n, color=color, zorder=3, label=f"{source} ({int(n.sum())})")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    percent_axis(ax, "x")
    percent_axis(ax, "y")
    ax.set_xlabel("forecast probability (mean within the bin)")
    ax.set_ylabel("share of questions that resolved yes")
    ax.grid(alpha=0.3)
    legend_outside(ax, title="source (questions)")
    set_title(ax, title or "Reliability of the forecasts", "95% Wilson intervals")
    return fig
