"""Figures of the analyses: tornado plots, sweep curves and heat maps, paired differences.

Each function takes the result of an analysis (the table of :func:`escalsim.analysis.sweep`
or :func:`escalsim.analysis.sensitivity`, or a :class:`~escalsim.analysis.Comparison`) and an
optional matplotlib ``ax`` to draw into, and returns the Figure, as every plot of
:mod:`escalsim.plot` does (same colours, same percentage axes, no pyplot state; in a notebook
a returned Figure shows itself). A figure of several outcomes gets one panel per outcome; to
draw into a given ``ax``, pick one outcome.

>>> fig = tornado(sensitivity(scenario, "morris"), "negotiated_exit")  # doctest: +SKIP
>>> fig.savefig("tornado.png", dpi=100)                                         # doctest: +SKIP
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from escalsim.plot._common import PALETTE, labels, new_panels, outcome_colors, percent_axis

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from escalsim.analysis import Comparison
    from escalsim.analysis.outcomes import OutcomeSpec
    from escalsim.scenario.schema import Scenario

__all__ = ["paired_differences", "sweep_curves", "tornado"]


def _colors(labels: Sequence[str], scenario: Scenario | None) -> dict[str, str]:
    """Each outcome's colour in every escalsim figure (:func:`outcome_colors`) when the
    scenario is known; unions and unknown scenarios take the next free palette colour."""
    given = outcome_colors(scenario) if scenario is not None else {}
    taken = set(given.values())
    free = [c for c in PALETTE if c not in taken] or list(PALETTE)
    out, i = {}, 0
    for label in labels:
        if label in given:
            out[label] = given[label]
        else:
            out[label] = free[i % len(free)]
            i += 1
    return out


def _pick(table: pd.DataFrame, outcome: str | Sequence[str] | None) -> list[str]:
    present = [str(o) for o in dict.fromkeys(table["outcome"].astype(str))]
    if outcome is None:
        return present
    wanted = [outcome] if isinstance(outcome, str) else list(outcome)
    missing = [o for o in wanted if o not in present]
    if missing:
        raise ValueError(f"no outcome {missing[0]!r} in the table; it has {present}")
    return wanted


def _label(path: str) -> str:
    return path.removeprefix("actors.")


# --- tornado --------------------------------------------------------------------------------
def tornado(
    table: pd.DataFrame,
    outcomes: str | Sequence[str] | None = None,
    *,
    top: int | None = 12,
    scenario: Scenario | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """The parameters that move an outcome's probability most, largest on top.

    ``table`` is :func:`escalsim.analysis.sensitivity`'s; ``outcomes`` picks one outcome (or
    several, one panel each; default: every outcome that some parameter moves, the others
    named in a note under the figure). Sobol': a bar per parameter for its
    total index ``ST`` and, inside it, a narrower bar for its first-order index ``S1``, each
    with its 95% interval. Morris: a bar for ``mu_star`` with its 95% interval and a dot for
    ``sigma``. ``top`` keeps the most influential parameters (None: all). ``scenario`` gives
    the outcomes their labels.
    """
    if "ST" in table.columns:
        key, method = "ST", "sobol"
    elif "mu_star" in table.columns:
        key, method = "mu_star", "morris"
    else:
        raise ValueError("expected a sensitivity table (with ST or mu_star columns)")
    named = labels(scenario)
    names = _pick(table, outcomes)
    still = []
    if outcomes is None:  # an outcome no parameter moves would be an empty panel: name it
        still = [o for o in names if not _moved(table, o, key)]
        names = [o for o in names if o not in still] or names[:1]
    height = 0.32 * min(top or 99, table["parameter"].nunique()) + 1.4
    fig, axes = new_panels(len(names), (7.0, height), ax)
    if still and names[0] not in still and ax is None:
        note = "No parameter moves P(" + "), P(".join(named.outcome(o) for o in still) + ")"
        fig.supxlabel(note, x=0.01, ha="left", fontsize="small")
    for name, a in zip(names, axes, strict=True):
        rows = table[table["outcome"].astype(str) == name]
        rows = rows.sort_values(key, ascending=False, na_position="last", kind="stable")
        if top is not None:
            rows = rows.head(top)
        rows = rows.iloc[::-1]  # barh draws bottom-up: the largest goes on top
        y = np.arange(len(rows))
        if method == "sobol":
            _sobol_bars(a, rows, y)
        else:
            _morris_bars(a, rows, y)
        a.set_yticks(y, [_label(p) for p in rows["parameter"]], fontsize="small")
        a.axvline(0.0, color="0.5", linewidth=0.8)
        a.set_ylim(-0.7, len(rows) - 0.3)
        a.set_title(title or f"What moves P({named.outcome(name)})", loc="left", fontsize="medium")
        if not _moved(table, name, key):
            a.text(0.5, 0.5, "no variation to explain", transform=a.transAxes, ha="center")
    return fig


def _moved(table: pd.DataFrame, outcome: str, key: str) -> bool:
    """Whether some parameter has a non-zero index for ``outcome`` (not all zero or NaN)."""
    values = table.loc[table["outcome"].astype(str) == outcome, key].to_numpy(dtype=float)
    return bool(np.any(np.nan_to_num(values) != 0.0))


def _sobol_bars(a: Axes, rows: pd.DataFrame, y: np.ndarray) -> None:
    st, s1 = rows["ST"].to_numpy(), rows["S1"].to_numpy()
    st_err = np.vstack([st - rows["ST_ci_low"], rows["ST_ci_high"] - st])
    s1_err = np.vstack([s1 - rows["S1_ci_low"], rows["S1_ci_high"] - s1])
    a.barh(y, st, height=0.7, color="#9ecae1", label="total effect ST")
    a.errorbar(st, y + 0.26, xerr=np.abs(st_err), fmt="none", ecolor="#3182bd", capsize=2)
    a.barh(y, s1, height=0.35, color="#08519c", label="first-order S1")
    a.errorbar(s1, y, xerr=np.abs(s1_err), fmt="none", ecolor="0.2", capsize=2)
    a.set_xlabel("Sobol' index (share of the variance of the probability; 95% intervals)")
    a.legend(loc="lower right", fontsize="small", frameon=False)


def _morris_bars(a: Axes, rows: pd.DataFrame, y: np.ndarray) -> None:
    mu_star = rows["mu_star"].to_numpy()
    err = np.vstack([mu_star - rows["mu_star_ci_low"], rows["mu_star_ci_high"] - mu_star])
    a.barh(y, mu_star, height=0.7, color="#9ecae1", label="μ* (mean |effect|)")
    a.errorbar(mu_star, y, xerr=np.abs(err), fmt="none", ecolor="#08519c", capsize=2)
    a.plot(rows["sigma"], y, "o", color="#d95f02", markersize=4, label="σ (spread of effects)")
    a.set_xlabel("change in probability over the parameter's range (Morris; 95% intervals)")
    a.legend(loc="lower right", fontsize="small", frameon=False)


# --- sweeps ---------------------------------------------------------------------------------
def _sweep_parameters(table: pd.DataFrame) -> list[str]:
    params = table.attrs.get("parameters")
    if not params:
        if "outcome" not in table.columns:
            raise ValueError("expected a sweep table (parameter columns, then outcome, p, ...)")
        params = list(table.columns[: list(table.columns).index("outcome")])
    if not 1 <= len(params) <= 2 or any(p not in table.columns for p in params):
        raise ValueError(f"expected a sweep table of one or two parameters, got {params}")
    return list(params)


def sweep_curves(
    table: pd.DataFrame,
    outcomes: str | Sequence[str] | None = None,
    *,
    scenario: Scenario | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Outcome probabilities along a sweep (:func:`escalsim.analysis.sweep`'s table).

    One parameter: a line per outcome with its 95% band. Two parameters: a heat map per
    outcome (the first parameter across, the second up), each cell labelled when the grid is
    small. ``scenario`` gives the outcomes their usual colours.
    """
    params = _sweep_parameters(table)
    names = _pick(table, outcomes)
    named = labels(scenario)
    if len(params) == 1:
        fig, [a] = new_panels(1, (8.0, 4.5), ax)
        _curves(a, table, params[0], names, _colors(names, scenario), named.outcome)
        a.set_title(title or f"Outcomes against {_label(params[0])}", loc="left")
        return fig
    fig, axes = new_panels(len(names), (6.0, 4.6), ax)
    for name, a in zip(names, axes, strict=True):
        _heat(fig, a, table, params, name, named.outcome(name))
        a.set_title(title or f"P({named.outcome(name)})", loc="left", fontsize="medium")
    return fig


def _curves(
    a: Axes,
    table: pd.DataFrame,
    param: str,
    names: list[str],
    colors: dict,
    label: Callable[[str], str],
) -> None:
    for name in names:
        rows = table[table["outcome"].astype(str) == name].sort_values(param)
        x = rows[param].to_numpy(dtype=float)
        a.fill_between(x, rows["ci_low"], rows["ci_high"], color=colors[name], alpha=0.2, lw=0)
        a.plot(x, rows["p"], marker="o", markersize=3, color=colors[name], label=label(name))
    a.set_xlabel(param)
    a.set_ylabel("probability (95% band)")
    a.set_ylim(bottom=0.0)
    percent_axis(a, "y")
    a.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small")


def _heat(
    fig: Figure, a: Axes, table: pd.DataFrame, params: list[str], name: str, label: str
) -> None:
    rows = table[table["outcome"].astype(str) == name]
    grid = rows.pivot_table(index=params[1], columns=params[0], values="p", aggfunc="first")
    values = grid.to_numpy(dtype=float)
    top = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
    image = a.imshow(
        values, origin="lower", aspect="auto", cmap="viridis", vmin=0.0, vmax=max(top, 1e-9)
    )
    a.set_xticks(range(grid.shape[1]), [f"{v:g}" for v in grid.columns], fontsize="small")
    a.set_yticks(range(grid.shape[0]), [f"{v:g}" for v in grid.index], fontsize="small")
    a.set_xlabel(params[0])
    a.set_ylabel(params[1])
    if values.size <= 144:
        for (i, j), v in np.ndenumerate(values):
            shade = "black" if v > 0.6 * top else "white"
            a.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize="x-small", color=shade)
    bar = fig.colorbar(image, ax=a)
    bar.set_label(f"P({label})")
    percent_axis(bar.ax, "y")


# --- paired comparison ----------------------------------------------------------------------
def paired_differences(
    comparison: Comparison | pd.DataFrame,
    outcomes: OutcomeSpec = None,
    *,
    variant: str | None = None,
    base: str | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """The change in each outcome's probability, variant minus base, with its paired 95%
    interval, and both probabilities written beside it.

    ``comparison`` is :func:`escalsim.analysis.compare`'s result (``outcomes`` then selects
    outcomes or unions as in ``Comparison.table``) or a table it made. The title names the
    variant and the base: ``variant`` and ``base`` if given (e.g. the values a what-if
    changes), else their scenarios' titles.
    """
    scenario = None
    if hasattr(comparison, "table"):
        table = comparison.table(outcomes)
        scenario = comparison.base.scenario
        base = base or _title(scenario)
        variant = variant or _title(comparison.variant.scenario)
        if variant == base:  # the same title: a copy of the base with changed values
            variant = "the variant"
    else:
        table = comparison
        needed = {"outcome", "p_base", "p_variant", "diff", "ci_low", "ci_high"}
        if not needed <= set(table.columns):
            raise ValueError(f"expected a comparison table with columns {sorted(needed)}")
    names = [str(o) for o in table["outcome"]]
    colors = _colors(names, scenario)
    named = labels(scenario)
    fig, [a] = new_panels(1, (8.0, 0.42 * len(names) + 1.5), ax)
    y = np.arange(len(names))[::-1]
    diff = table["diff"].to_numpy(dtype=float)
    err = np.abs(np.vstack([diff - table["ci_low"], table["ci_high"] - diff]))
    for k, name in enumerate(names):
        a.errorbar(diff[k], y[k], xerr=err[:, k : k + 1], fmt="o", color=colors[name], capsize=3)
    a.axvline(0.0, color="0.5", linewidth=0.8)
    a.set_yticks(y, [named.outcome(o) for o in names])
    percent_axis(a, "x")
    a.set_xlabel("change in probability, variant − base (paired 95% interval)")
    for k, row in enumerate(table.itertuples(index=False)):
        a.annotate(
            f"{row.p_base:.1%} → {row.p_variant:.1%}",
            xy=(1.0, y[k]),
            xycoords=("axes fraction", "data"),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize="small",
        )
    runs = table.attrs.get("runs")
    variant = variant or table.attrs.get("variant")
    base = base or table.attrs.get("base")
    headline = title or (f"What changes: {variant}" if variant else "What changes")
    under = [f"against {base}"] if base and not title else []
    under += [f"{runs:,} paired runs"] if runs else []
    lines = textwrap.wrap(headline, TITLE_WIDTH) + textwrap.wrap(" — ".join(under), TITLE_WIDTH)
    a.set_title("\n".join(lines) or headline, loc="left", fontsize="medium")
    a.spines[["top", "right"]].set_visible(False)
    return fig


TITLE_WIDTH = 64
"""Characters per line of a title over the comparison's axes (the labels take the left)."""


def _title(scenario: Scenario) -> str:
    return scenario.title or scenario.name
