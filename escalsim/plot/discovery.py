"""Figures of a scenario discovery: PRIM's trade-off curve, a box's limits, the input scores.

Each function takes a :class:`~escalsim.results.discovery.Discovery` (from
``results.discover(outcome)``) and an optional ``ax``, and returns the Figure;
:func:`discovery_panels` draws all three side by side.

>>> fig = discovery_panels(results.discover("war"))  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from escalsim.plot._common import (
    PALETTE,
    foreground,
    new_axes,
    new_figure,
    percent_axis,
    set_title,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from escalsim.results.discovery import Discovery

__all__ = ["box_limits", "discovery_panels", "feature_scores", "tradeoff"]


def _subtitle(d: Discovery) -> str:
    return f"{d.scenario} — {d.runs:,} runs, {d.cases:,} in '{d.outcome}' ({d.base_rate:.1%})"


def tradeoff(d: Discovery, ax: Axes | None = None) -> Figure:
    """Coverage against density for each box of the peeling and pasting trajectory, coloured
    by how many inputs it restricts; the chosen box is ringed."""
    fig, ax = new_axes(ax)
    t = d.trajectory
    ax.plot(t["coverage"], t["density"], color=foreground(), lw=0.6, alpha=0.4, zorder=0)
    dots = ax.scatter(
        t["coverage"], t["density"], c=t["restricted"], cmap="viridis", s=24,
        vmin=0, vmax=max(1, int(t["restricted"].max())),
    )  # fmt: skip
    fig.colorbar(dots, ax=ax, label="restricted inputs", pad=0.01)
    chosen = t.iloc[d.selected]
    ax.scatter(
        [chosen["coverage"]], [chosen["density"]], s=160, facecolors="none",
        edgecolors=foreground(), lw=1.2, label=f"box {d.selected} (chosen)",
    )  # fmt: skip
    ax.set_xlabel("coverage (share of the outcome's runs inside the box)")
    ax.set_ylabel("density (share of the box's runs in the outcome)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    percent_axis(ax, "x")
    percent_axis(ax, "y")
    ax.legend(loc="lower left", frameon=False, fontsize="small")
    set_title(ax, f"PRIM trade-off for '{d.outcome}'", _subtitle(d))
    return fig


def box_limits(d: Discovery, box: int | None = None, ax: Axes | None = None) -> Figure:
    """The restricted inputs of a box (default: the chosen one), each as the share of its
    drawn range that the box keeps; categories kept are written beside."""
    import numpy as np

    fig, ax = new_axes(ax)
    limits = d.box(box)
    space = d.space.set_index("input")
    names = list(limits["input"])[::-1]
    fg = foreground()
    for y, name in enumerate(names):
        row = limits[limits["input"] == name].iloc[0]
        whole = space.loc[name]
        ax.barh(y, 1.0, color=fg, alpha=0.1, height=0.6)
        if row["values"]:
            ax.barh(y, 1.0, color=PALETTE[0], alpha=0.5, height=0.6)
            ax.text(0.5, y, str(row["values"]), ha="center", va="center", fontsize="small")
            continue
        span = whole["high"] - whole["low"]
        lo = (row["low"] - whole["low"]) / span if span > 0 else 0.0
        hi = (row["high"] - whole["low"]) / span if span > 0 else 1.0
        ax.barh(y, hi - lo, left=lo, color=PALETTE[0], height=0.6)
        sides = (
            (lo, row["low"], "right", row["qp_low"]),
            (hi, row["high"], "left", row["qp_high"]),
        )
        for x, value, side, qp in sides:
            if qp == qp:  # a restricted side (its quasi-p-value is not NaN)
                pad = -0.01 if side == "right" else 0.01
                ax.text(x + pad, y, f"{value:.3g}", ha=side, va="center", fontsize="small")
    ax.set_yticks(np.arange(len(names)), names)
    ax.set_xlim(-0.15, 1.15)
    ax.set_xticks([0, 1], ["lowest drawn", "highest drawn"])
    stats = d.stats(box)
    i = d.selected if box is None else box % len(d.trajectory)
    set_title(
        ax,
        f"Box {i} for '{d.outcome}': coverage {stats['coverage']:.0%}, "
        f"density {stats['density']:.0%}",
        _subtitle(d),
    )
    if not names:
        ax.text(0.5, 0.5, "the box restricts no input", ha="center", transform=ax.transAxes)
    return fig


def feature_scores(d: Discovery, ax: Axes | None = None, top: int = 15) -> Figure:
    """The inputs' extra-trees scores, highest at the top (the ``top`` highest)."""
    import numpy as np

    fig, ax = new_axes(ax)
    scores = d.features.head(top)[::-1]
    ax.barh(np.arange(len(scores)), scores["score"], color=PALETTE[2])
    ax.set_yticks(np.arange(len(scores)), list(scores["input"]))
    ax.set_xlabel("extra-trees score (mean decrease in impurity)")
    ax.set_xlim(0, max(1e-9, float(scores["score"].max())) * 1.1)
    set_title(ax, f"What tells '{d.outcome}' apart", _subtitle(d))
    return fig


def discovery_panels(d: Discovery) -> Figure:
    """The trade-off, the chosen box and the input scores, side by side."""
    rows = max(len(d.box()), min(len(d.features), 15), 4)
    fig = new_figure((18, max(4.5, 0.35 * rows + 1.5)))
    axes = fig.subplots(1, 3)
    for draw, ax in zip((tradeoff, box_limits, feature_scores), axes, strict=True):
        draw(d, ax=ax)
        ax.set_title(ax.get_title(loc="left").split("\n")[0], loc="left", fontsize="medium")
    fig.suptitle(_subtitle(d), x=0.01, ha="left", fontsize="medium")
    return fig
