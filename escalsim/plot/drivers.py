"""What drives an outcome: outcome probabilities against one uncertain parameter, binned."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from escalsim.checks import positive_int
from escalsim.plot import _common as common

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from escalsim.results import Results


def parameter_columns(results: Results) -> list[str]:
    """The uncertain parameters of the runs table, as paths (without the ``param.`` prefix)."""
    return [c[len("param.") :] for c in results.runs.columns if c.startswith("param.")]


def resolve_parameter(results: Results, param: str) -> str:
    """The path of the parameter meant by ``param``: a full path, ``param.<path>``, or an
    unambiguous ending of one (``us.credibility``)."""
    from escalsim.errors import ResultsError

    paths = parameter_columns(results)
    if not paths:
        raise ResultsError(f"scenario '{results.scenario.name}' has no uncertain parameter")
    key = param.removeprefix("param.")
    if key in paths:
        return key
    ends = [p for p in paths if p.endswith("." + key)]
    if len(ends) == 1:
        return ends[0]
    if len(ends) > 1:
        raise ResultsError(f"parameter {param!r} is ambiguous: it could be {ends}")
    raise ResultsError(f"no uncertain parameter {param!r}; the parameters are: {', '.join(paths)}")


def binned(results: Results, param: str, bins: int = 5) -> pd.DataFrame:
    """Outcome probabilities per bin of one parameter, with 95% Wilson intervals.

    Continuous parameters are cut at quantiles (bins of about equal run counts); a parameter
    with at most ``bins`` distinct values (e.g. a history event's 0/1 inclusion) gets one bin
    per value. Columns: bin, lower, upper, x (median value in the bin), runs, outcome, count,
    p, ci_low, ci_high.
    """
    import pandas as pd

    from escalsim.results.stats import wilson_interval

    bins = positive_int("bins", bins)
    path = resolve_parameter(results, param)
    runs = results.runs
    x = runs[f"param.{path}"].to_numpy(dtype=float)
    ok = ~np.isnan(x)
    x, outcome = x[ok], runs["outcome"].astype(str).to_numpy()[ok]
    values = np.unique(x)
    if len(values) <= bins:
        code = np.searchsorted(values, x)
        edges = [(v, v) for v in values]
    else:
        cuts = np.unique(np.quantile(x, np.linspace(0, 1, bins + 1)))
        code = np.clip(np.searchsorted(cuts, x, side="right") - 1, 0, len(cuts) - 2)
        edges = list(itertools.pairwise(cuts))
    rows = []
    for b, (lo, hi) in enumerate(edges):
        member = code == b
        m = int(member.sum())
        if not m:
            continue
        xb = float(np.median(x[member]))
        for name in results.scenario.outcomes:
            k = int(np.sum(outcome[member] == name))
            cl, ch = wilson_interval(k, m)
            rows.append(
                {
                    "bin": b,
                    "lower": float(lo),
                    "upper": float(hi),
                    "x": xb,
                    "runs": m,
                    "outcome": name,
                    "count": k,
                    "p": k / m,
                    "ci_low": cl,
                    "ci_high": ch,
                }
            )
    return pd.DataFrame(rows)


def strongest_driver(results: Results, bins: int = 5) -> str:
    """The parameter whose lowest and highest bins differ most in their outcome distribution
    (total variation distance); a quick screen, not a sensitivity analysis."""
    from escalsim.errors import ResultsError

    paths = parameter_columns(results)
    if not paths:
        raise ResultsError(f"scenario '{results.scenario.name}' has no uncertain parameter")
    best, score = None, -1.0
    for path in paths:
        table = binned(results, path, bins)
        if table.empty or table["bin"].nunique() < 2:
            continue
        first = table[table["bin"] == table["bin"].min()]["p"].to_numpy()
        last = table[table["bin"] == table["bin"].max()]["p"].to_numpy()
        tv = 0.5 * float(np.abs(first - last).sum())
        if tv > score:
            best, score = path, tv
    if best is None:
        raise ResultsError(
            f"no uncertain parameter of scenario '{results.scenario.name}' varies across the runs"
        )
    return best


def driver(
    results: Results,
    param: str | None = None,
    *,
    bins: int = 5,
    outcomes: Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Outcome probabilities against one uncertain parameter: what drives the outcome.

    The runs are binned by the value drawn for ``param`` (a path such as
    ``actors.us.credibility``, or an unambiguous ending such as ``us.credibility``; default:
    :func:`strongest_driver`); each outcome is a line through the bins' probabilities, with
    95% Wilson intervals, at the median value of each bin. Outcomes that no run reached are
    left out unless named in ``outcomes``.
    """
    path = strongest_driver(results, bins) if param is None else resolve_parameter(results, param)
    table = binned(results, path, bins)
    sc = results.scenario
    if outcomes is None:
        reached = set(table.loc[table["count"] > 0, "outcome"])
        names = [o for o in sc.outcomes if o in reached]
    else:
        unknown = [o for o in outcomes if o not in sc.outcomes]
        if unknown:
            raise ValueError(f"unknown outcome {unknown[0]!r}; expected one of {list(sc.outcomes)}")
        names = list(outcomes)
    colors = common.outcome_colors(results)
    fig, ax = common.new_axes(ax)
    fg = common.foreground()
    n_bins = table["bin"].nunique()
    for i, name in enumerate(names):
        part = table[table["outcome"] == name].sort_values("x")
        x = part["x"].to_numpy(dtype=float)
        p = part["p"].to_numpy(dtype=float)
        # a small sideways offset keeps overlapping intervals apart
        span = (x.max() - x.min()) if len(x) > 1 else 1.0
        dx = (i - (len(names) - 1) / 2) * 0.006 * span
        ax.errorbar(
            x + dx,
            p,
            yerr=np.vstack([p - part["ci_low"].to_numpy(), part["ci_high"].to_numpy() - p]),
            color=colors[name],
            ecolor=colors[name],
            marker="o",
            markersize=5,
            linewidth=2,
            capsize=3,
            label=common.labels(results).outcome(name),
        )
    edges = table.drop_duplicates("bin")
    discrete = bool((edges["lower"] == edges["upper"]).all())
    if discrete:
        ax.set_xticks(edges["x"].to_numpy())
    else:
        for cut in edges["upper"].to_numpy()[:-1]:
            ax.axvline(cut, color=fg, alpha=0.15, linewidth=0.8)
    ax.set_ylim(bottom=0)
    common.percent_axis(ax)
    how = "one bin per value" if discrete else f"{n_bins} bins of about equal run counts"
    label = path
    if path.startswith("history."):
        label = f"{path} (1 = the reported event is in the run's history)"
    ax.set_xlabel(f"{label}\nvalue drawn per run; {how}, points at the bin medians")
    ax.set_ylabel("probability of the outcome (95% interval)")
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    common.legend_outside(ax, title="outcome")
    common.set_title(ax, title or f"What drives the outcome: {path}", common.runs_subtitle(results))
    return fig
