"""Outcome distributions: one ensemble's outcome probabilities, and several compared."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from escalsim.plot import _common as common
from escalsim.text import percent

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from escalsim.results import Results

Z95 = 1.959963984540054


def outcomes(
    results: Results | pd.DataFrame,
    *,
    ax: Axes | None = None,
    sort: bool = True,
    title: str | None = None,
) -> Figure:
    """Outcome probabilities as horizontal bars with 95% Wilson intervals, largest on top.

    ``results`` is a Results or a summary DataFrame (``Results.summary()``: outcome, count,
    p, ci_low, ci_high). Every outcome gets a bar, including those no run reached; each bar
    carries its probability as a label.
    """
    from escalsim.results import Results

    if isinstance(results, Results):
        summary = results.summary()
        colors = common.outcome_colors(results)
        subtitle = common.runs_subtitle(results)
        named = common.labels(results)
    else:
        summary = common.check_summary(results)
        colors = common.outcome_colors([str(o) for o in summary["outcome"]])
        subtitle = f"{int(summary['count'].sum()):,} runs"
        named = common.labels(None)
    names = [str(o) for o in summary["outcome"]]
    p = summary["p"].to_numpy(dtype=float)
    low = summary["ci_low"].to_numpy(dtype=float)
    high = summary["ci_high"].to_numpy(dtype=float)
    order = np.argsort(-p, kind="stable") if sort else np.arange(len(names))
    order = order[::-1]  # barh draws from the bottom: the largest goes on top
    fig, ax = common.new_axes(ax, (8.0, 0.42 * len(names) + 1.6))
    y = np.arange(len(order))
    err = np.vstack([p[order] - low[order], high[order] - p[order]])
    bars = ax.barh(
        y,
        p[order],
        color=[colors[names[i]] for i in order],
        xerr=err,
        error_kw={"ecolor": common.foreground(), "capsize": 3, "elinewidth": 1.2},
        height=0.7,
    )
    for rect, i in zip(bars.patches, order, strict=True):
        rect.set_label(named.outcome(names[i]))
    ax.set_yticks(y, [named.outcome(names[i]) for i in order])
    top = float(np.nanmax(high)) if len(high) else 1.0
    pad = 0.01 * max(top, 0.05)
    for yi, i in zip(y, order, strict=True):
        ax.text(high[i] + pad, yi, percent(p[i]), va="center", ha="left", fontsize="small")
    ax.set_xlim(0, min(1.0, top * 1.18 + 0.02))
    common.percent_axis(ax, "x")
    ax.set_xlabel("probability (share of runs, with 95% interval)")
    ax.spines[["top", "right"]].set_visible(False)
    common.set_title(ax, title or "Outcome probabilities", subtitle)
    return fig


def _as_mapping(
    results: Sequence[Results] | Mapping[str, Results], labels: Sequence[str] | None
) -> dict[str, Results]:
    if isinstance(results, Mapping):
        items = {str(k): common.as_results(v) for k, v in results.items()}
    else:
        seq = [common.as_results(r) for r in results]
        if labels is None:
            labels = [r.scenario.title or r.scenario.name for r in seq]
        if len(labels) != len(seq):
            raise ValueError(f"{len(labels)} labels for {len(seq)} results")
        items = {}
        for lab, r in zip(labels, seq, strict=True):
            key, k = str(lab), 2
            while key in items:  # the same scenario twice: keep both, numbered
                key, k = f"{lab} ({k})", k + 1
            items[key] = r
    if len(items) < 2:
        raise ValueError(f"a comparison needs at least two results, got {len(items)}")
    return items


def _union_outcomes(items: Mapping[str, Results]) -> list[str]:
    names: list[str] = []
    for r in items.values():
        names += [o for o in r.scenario.outcomes if o not in names]
    return names


def _labels(items: Mapping[str, Results]) -> Callable[[str], str]:
    """An outcome's label in the first of the results whose scenario defines it."""

    def label(name: str) -> str:
        for r in items.values():
            if name in r.scenario.outcomes:
                return r.scenario.labels.outcome(name)
        return common.labels(None).outcome(name)

    return label


def _colors(items: Mapping[str, Results]) -> dict[str, str]:
    colors: dict[str, str] = {}
    for r in items.values():
        for k, v in common.outcome_colors(r).items():
            colors.setdefault(k, v)
    return colors


def outcome_differences(base: Results, other: Results, z: float = Z95) -> pd.DataFrame:
    """Per outcome, ``p(other) - p(base)`` with a 95% interval.

    When both ensembles ran the same seeds run by run (common random numbers: the same root
    seed and run count), the difference is paired and the interval is the Agresti–Min
    adjusted Wald interval for paired proportions, much narrower than for independent runs;
    else it is Newcombe's hybrid score interval for independent proportions. The ``paired``
    column says which.
    """
    import pandas as pd

    from escalsim.results.stats import wilson_interval

    names = [o for o in base.scenario.outcomes]
    names += [o for o in other.scenario.outcomes if o not in names]
    ra, rb = base.runs, other.runs
    paired = len(ra) == len(rb) and np.array_equal(ra["seed"].to_numpy(), rb["seed"].to_numpy())
    rows = []
    oa = ra["outcome"].astype(str).to_numpy()
    ob = rb["outcome"].astype(str).to_numpy()
    for name in names:
        xa, xb = oa == name, ob == name
        pa, pb = xa.mean(), xb.mean()
        d = pb - pa
        if paired:
            n = len(xa)
            n12 = float(np.sum(xa & ~xb)) + 0.5  # base only
            n21 = float(np.sum(~xa & xb)) + 0.5  # other only
            m = n + 2.0
            p12, p21 = n12 / m, n21 / m
            dstar = p21 - p12
            half = z * np.sqrt(max(p12 + p21 - dstar**2, 0.0) / m)
            low, high = max(dstar - half, -1.0), min(dstar + half, 1.0)
        else:
            la, ha = wilson_interval(int(xa.sum()), len(xa), z)
            lb, hb = wilson_interval(int(xb.sum()), len(xb), z)
            low = d - np.sqrt((pb - lb) ** 2 + (ha - pa) ** 2)
            high = d + np.sqrt((hb - pb) ** 2 + (pa - la) ** 2)
        rows.append(
            {
                "outcome": name,
                "p_base": pa,
                "p_other": pb,
                "difference": d,
                "ci_low": float(low),
                "ci_high": float(high),
                "paired": bool(paired),
            }
        )
    return pd.DataFrame(rows)


def comparison(
    results: Sequence[Results] | Mapping[str, Results],
    *,
    labels: Sequence[str] | None = None,
    difference: bool = False,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Outcome probabilities of two or more ensembles side by side, or their differences.

    ``results`` is a sequence of Results (labelled by scenario title unless ``labels`` are
    given) or a mapping from label to Results. By default, grouped bars: one group per
    outcome, one bar per ensemble (in the outcome's colour; the first ensemble solid, the
    others hatched and lighter), each with its 95% interval. With ``difference=True`` (two
    ensembles only): the change ``second - first`` in each outcome's probability with its
    95% interval, paired when the runs share their seeds (see :func:`outcome_differences`).
    """
    from matplotlib.patches import Patch

    items = _as_mapping(results, labels)
    colors = _colors(items)
    keys = list(items)
    runs = ", ".join(f"{k}: {len(r.runs):,} runs" for k, r in items.items())
    if difference:
        if len(items) != 2:
            raise ValueError(f"difference=True compares exactly two results, got {len(items)}")
        return _difference(items, keys, colors, ax, title, runs)
    names = _union_outcomes(items)
    fig, ax = common.new_axes(ax, (8.0, 0.24 * len(names) * len(items) + 1.8))
    k = len(items)
    height = 0.8 / k
    y0 = np.arange(len(names))[::-1].astype(float)
    fg = common.foreground()
    hatches = ["", "///", "...", "xx", "\\\\", "oo"]
    style_handles = []
    top = 0.0
    for j, (label, r) in enumerate(items.items()):
        s = r.summary().set_index("outcome")
        p = np.array([s["p"].get(o, np.nan) for o in names], dtype=float)
        lo = np.array([s["ci_low"].get(o, np.nan) for o in names], dtype=float)
        hi = np.array([s["ci_high"].get(o, np.nan) for o in names], dtype=float)
        y = y0 + (k - 1) / 2 * height - j * height
        ax.barh(
            y,
            np.nan_to_num(p),
            height=height * 0.95,
            color=[colors[o] for o in names],
            alpha=1.0 if j == 0 else 0.6,
            hatch=hatches[j % len(hatches)],
            edgecolor=fg if j else "none",
            linewidth=0.0,
            xerr=np.vstack([np.nan_to_num(p - lo), np.nan_to_num(hi - p)]),
            error_kw={"ecolor": fg, "capsize": 2, "elinewidth": 1.0},
            label=label,
        )
        for yi, pi, hii in zip(y, p, hi, strict=True):
            if not np.isnan(pi):
                ax.text(hii + 0.005, yi, percent(pi), va="center", fontsize="x-small")
        top = max(top, float(np.nanmax(hi)))
        style_handles.append(
            Patch(
                facecolor="none" if j else fg,
                edgecolor=fg,
                hatch=hatches[j % len(hatches)],
                alpha=1.0 if j == 0 else 0.8,
                label=label,
            )
        )
    named = _labels(items)
    ax.set_yticks(y0, [named(o) for o in names])
    ax.set_xlim(0, min(1.0, top * 1.2 + 0.02))
    common.percent_axis(ax, "x")
    ax.set_xlabel("probability (share of runs, with 95% interval)")
    ax.spines[["top", "right"]].set_visible(False)
    common.legend_outside(ax, style_handles)
    common.set_title(ax, title or "Outcome probabilities compared", runs)
    return fig


def _difference(items, keys, colors, ax, title, runs) -> Figure:
    base, other = items[keys[0]], items[keys[1]]
    diff = outcome_differences(base, other)
    names = list(diff["outcome"])
    fig, ax = common.new_axes(ax, (8.0, 0.42 * len(names) + 1.8))
    d = diff["difference"].to_numpy(dtype=float)
    lo = diff["ci_low"].to_numpy(dtype=float)
    hi = diff["ci_high"].to_numpy(dtype=float)
    y = np.arange(len(names))[::-1]
    fg = common.foreground()
    bars = ax.barh(
        y,
        d,
        color=[colors[o] for o in names],
        height=0.7,
        xerr=np.vstack([np.clip(d - lo, 0, None), np.clip(hi - d, 0, None)]),
        error_kw={"ecolor": fg, "capsize": 3, "elinewidth": 1.2},
    )
    named = _labels(items)
    for rect, o in zip(bars.patches, names, strict=True):
        rect.set_label(named(o))
    ax.axvline(0.0, color=fg, linewidth=0.8)
    span = float(np.nanmax(np.abs(np.concatenate([lo, hi])))) if len(names) else 0.1
    span = max(span, 0.01) * 1.35
    for yi, di, loi, hii in zip(y, d, lo, hi, strict=True):
        side = hii if di >= 0 else loi
        ax.text(
            side + (0.01 * span if di >= 0 else -0.01 * span),
            yi,
            f"{di * 100:+.1f} pts",
            va="center",
            ha="left" if di >= 0 else "right",
            fontsize="small",
        )
    ax.set_xlim(-span, span)
    ax.set_yticks(y, [named(o) for o in names])
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x * 100:+.0f}".replace("+0", "0")))
    how = "paired runs (same seeds)" if bool(diff["paired"].iloc[0]) else "independent runs"
    ax.set_xlabel(
        f"change in probability, percentage points: {keys[1]} minus {keys[0]}\n"
        f"(95% interval; {how})"
    )
    ax.spines[["top", "right"]].set_visible(False)
    common.set_title(ax, title or f"What changes: {keys[1]} vs {keys[0]}", runs)
    return fig
