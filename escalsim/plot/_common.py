"""What every plot shares: outcome colours, new figures, titles, date axes and the foreground.

Colours come from the scenario (``outcomes.<name>.color``) where it gives one, else from a
fixed palette assigned in scenario order, so an outcome has the same colour in every figure
of the same scenario. Text and error bars take the current style's foreground colour, so the
figures read on a light page and in a dark notebook theme alike.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
from matplotlib.figure import Figure

from escalsim.scenario.labels import Labels

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from escalsim.results import Results
    from escalsim.scenario.schema import Scenario

PALETTE: tuple[str, ...] = (
    "#0072b2",  # blue
    "#e69f00",  # orange
    "#009e73",  # green
    "#cc79a7",  # pink
    "#56b4e9",  # sky blue
    "#d55e00",  # vermilion
    "#f0e442",  # yellow
    "#999999",  # grey
    "#8c564b",  # brown
    "#17becf",  # cyan
)
"""Outcome colours for scenarios that give none (Okabe–Ito, then two more), in order."""

SIZE = (8.0, 4.5)
"""Default figure size in inches: 800 × 450 pixels at 100 dpi."""


def outcome_colors(source: Scenario | Results | Sequence[str]) -> dict[str, str]:
    """The colour of every outcome: the scenario's own, else the palette in scenario order.

    ``source`` is a Scenario, a Results, or a plain sequence of outcome names (palette only).
    Palette colours already given to another outcome by the scenario are skipped.
    """
    scenario = getattr(source, "scenario", source)
    if hasattr(scenario, "outcomes") and isinstance(scenario.outcomes, dict):
        given = {name: spec.color for name, spec in scenario.outcomes.items()}
    else:
        given = {str(name): None for name in source}
    taken = {c.lower() for c in given.values() if c}
    free = [c for c in PALETTE if c not in taken]
    out: dict[str, str] = {}
    i = 0
    for name, color in given.items():
        if color:
            out[name] = color.lower()
        else:
            out[name] = free[i % len(free)] if free else PALETTE[i % len(PALETTE)]
            i += 1
    return out


NO_LABELS = Labels(actors={}, outcomes={}, milestones={}, deals={}, rungs={})
"""The labels without a scenario: every id as words."""


def labels(source: Scenario | Results | None) -> Labels:
    """The labels of a scenario (or a Results's scenario) for figures; without one, every id
    as words (``negotiated_exit`` → "negotiated exit")."""
    scenario = getattr(source, "scenario", source)
    return NO_LABELS if scenario is None else scenario.labels


def foreground() -> str:
    """The current style's text colour (black on white, white on a dark background)."""
    return str(mpl.rcParams["text.color"])


def new_figure(size: tuple[float, float] = SIZE) -> Figure:
    """A new Figure outside pyplot (so no global figure list grows, and a notebook shows it
    once, as the cell's value)."""
    _notebook_display()
    return Figure(figsize=size, layout="constrained")


def new_axes(ax: Axes | None, size: tuple[float, float] = SIZE) -> tuple[Figure, Axes]:
    """The given Axes and its Figure, or a new Figure with one Axes (no pyplot state)."""
    if ax is not None:
        return ax.figure, ax
    fig = new_figure(size)
    return fig, fig.add_subplot()


def new_panels(
    panels: int, size: tuple[float, float], ax: Axes | None
) -> tuple[Figure, list[Axes]]:
    """The given Axes and its Figure (a figure of one panel), or a new Figure with one Axes
    per panel, two to a row, each ``size`` inches (no pyplot state)."""
    if ax is not None:
        if panels != 1:
            raise ValueError(
                f"this figure has {panels} panels (one per outcome): pick one outcome to draw "
                "into the given ax"
            )
        return ax.figure, [ax]
    if panels == 1:
        fig, one = new_axes(None, size)
        return fig, [one]
    rows = math.ceil(panels / 2)
    fig = new_figure((size[0] * 2, size[1] * rows))
    axes = list(fig.subplots(rows, 2, squeeze=False).ravel())
    for extra in axes[panels:]:
        extra.set_visible(False)
    return fig, axes[:panels]


def scenario_label(results: Results) -> str:
    """The scenario's title, else its name."""
    sc = results.scenario
    return sc.title or sc.name


def run_count(results: Results) -> int:
    return len(results.runs)


def set_title(ax: Axes, headline: str, subtitle: str) -> None:
    """A two-line title: what the figure shows, then the scenario and run count."""
    ax.set_title(f"{headline}\n{subtitle}", loc="left", fontsize="medium")


def runs_subtitle(results: Results) -> str:
    return f"{scenario_label(results)} — {run_count(results):,} runs"


def date_axis(ax: Axes, axis: str = "x") -> None:
    """Calendar dates with concise, non-overlapping labels."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(locator)
    target.set_major_formatter(mdates.ConciseDateFormatter(locator))


def percent_axis(ax: Axes, axis: str = "y") -> None:
    """Probabilities shown as percentages: whole ones, unless the axis spans under 5%."""
    from matplotlib.ticker import PercentFormatter

    low, high = ax.get_ylim() if axis == "y" else ax.get_xlim()
    decimals = 0 if high - low >= 0.05 else None
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(PercentFormatter(1.0, decimals=decimals))


def as_results(obj: Any, what: str = "results") -> Results:
    from escalsim.results import Results

    if not isinstance(obj, Results):
        raise TypeError(f"{what} must be a Results, got {type(obj).__name__}")
    return obj


def check_summary(frame: pd.DataFrame) -> pd.DataFrame:
    needed = ("outcome", "count", "p", "ci_low", "ci_high")
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"a summary needs the columns {needed}; missing {missing}")
    return frame


def legend_outside(ax: Axes, handles: Iterable[Any] | None = None, **kw: Any) -> None:
    """A legend right of the axes, so that it never hides data; notes (entries drawn as
    nothing) go last."""
    if handles is None:
        handles = ax.get_legend_handles_labels()[0]
    handles = list(handles)
    if not handles:
        return
    kw["handles"] = sorted(handles, key=_is_note)  # stable: notes after every real entry
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        fontsize="small",
        **kw,
    )


def _is_note(handle: Any) -> bool:
    from matplotlib.lines import Line2D

    return (
        isinstance(handle, Line2D)
        and handle.get_linestyle() == "None"
        and handle.get_marker() in ("None", "", None, " ")
    )


_DISPLAY_READY = False


def _notebook_display() -> None:
    """In IPython, let a returned Figure show itself (as pyplot figures do), once.

    Figures are made without pyplot, so that no global figure list grows; IPython shows them
    only if it has a PNG formatter for Figure, which it registers when pyplot is first
    imported. This registers it without pyplot. Outside IPython it does nothing.
    """
    global _DISPLAY_READY
    if _DISPLAY_READY or "IPython" not in sys.modules:
        return
    _DISPLAY_READY = True
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import select_figure_formats

        shell = get_ipython()
        if shell is None or not hasattr(shell, "display_formatter"):
            return
        png = shell.display_formatter.formatters.get("image/png")
        if png is not None and Figure not in png.type_printers:
            select_figure_formats(shell, {"png"})
    except Exception:  # pragma: no cover - an IPython without these hooks: plain repr
        return
