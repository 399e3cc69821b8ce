"""What ``compare``, ``sweep`` and ``sensitivity`` report: a heading, tables for a reader, and
the analysis' own table for a script (``--format csv`` prints what ``--out`` writes)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from escalsim.cli.formats import Report, Shown, decimal, pct, records

if TYPE_CHECKING:
    import pandas as pd


def _pts(x: float) -> str:
    return "–" if x != x else f"{x * 100:+.1f}"


def _labelled(frame: pd.DataFrame, labels: Any) -> list[dict[str, Any]]:
    rows = records(frame)
    for row in rows:
        row["label"] = labels.outcome(row["outcome"])
    return rows


# --- compare --------------------------------------------------------------------------------
def compare_report(table: pd.DataFrame, result: Any, changes: dict[str, Any]) -> Report:
    """The paired difference of every outcome between the base and the variant."""
    b, v = result.base.scenario, result.variant.scenario
    said = ", ".join(f"{k}={val}" for k, val in changes.items())
    variant = (v.title or v.name) + (f" with {said}" if said else "")
    heading = [f"{b.title or b.name} → {variant}"]
    pairing = result.pairing
    if pairing.broken:
        heading += [
            f"{result.runs:,} runs of each on the same seeds (seed {result.seed})",
            f"note: {pairing.note()}",
        ]
    else:
        heading.append(f"{result.runs:,} paired runs (common random numbers, seed {result.seed})")
    rows = [
        [
            b.labels.outcome(str(r.outcome)),
            pct(r.p_base),
            pct(r.p_variant),
            _pts(r.diff),
            f"{_pts(r.ci_low)} to {_pts(r.ci_high)}",
            f"{r.base_only + r.variant_only:,}",
        ]
        for r in table.itertuples(index=False)
    ]
    shown = Shown(
        "Change in each outcome's probability, in percentage points (paired 95% interval)",
        ["outcome", "base", "variant", "change", "95% interval", "discordant runs"],
        rows,
    )
    data = {
        "base": b.name,
        "variant": v.name,
        "changes": changes,
        "runs": result.runs,
        "seed": result.seed,
        "paired": not pairing.broken,
        "outcomes": _labelled(table, b.labels),
    }
    return Report(heading, [shown], data, table)


# --- sweep ----------------------------------------------------------------------------------
def sweep_report(table: pd.DataFrame, scenario: Any, notes: list[str]) -> Report:
    """Every outcome's probability at every grid point: one row a point (turned, one row an
    outcome, when that fits the terminal better)."""
    params = list(table.attrs["parameters"])
    heading = [
        scenario.title or scenario.name,
        f"{table.attrs['runs']:,} runs per point, seed {table.attrs['seed']} at every point "
        "(common random numbers)",
        "grid: "
        + "; ".join(
            f"{p.removeprefix('actors.')} = {', '.join(f'{v:g}' for v in table[p].unique())}"
            for p in params
        ),
        *(f"note: {line}" for line in notes),
    ]
    names = [str(n) for n in table["outcome"].cat.categories]
    rows = []
    for values, part in table.groupby(params, sort=False, observed=True):
        key = values if isinstance(values, tuple) else (values,)
        by = {str(r.outcome): r for r in part.itertuples(index=False)}
        cells = [f"{v:g}" for v in key]
        for name in names:
            r = by[name]
            cells.append(f"{pct(r.p)} ({r.ci_low * 100:.1f}–{r.ci_high * 100:.1f})")
        rows.append(cells)
    heads = [p.removeprefix("actors.") for p in params]
    heads += [scenario.labels.outcome(n) for n in names]
    shown = Shown(
        "Outcome probabilities (95% Wilson intervals)", heads, rows, len(params), turn="outcome"
    )
    data = {
        "scenario": scenario.name,
        "parameters": params,
        "runs": table.attrs["runs"],
        "seed": table.attrs["seed"],
        "notes": notes,
        "points": _labelled(table, scenario.labels),
    }
    return Report(heading, [shown], data, table)


# --- sensitivity ----------------------------------------------------------------------------
def noise_note(share: float) -> str | None:
    """What the noise share says of an outcome's indices, when it matters (above a half).

    The share is binomial variance over the rows' total variance, an upper bound that may
    pass 1: then the rows vary no more than luck alone would make them.
    """
    if share != share or share <= 0.5:
        return None
    if share >= 1:
        return (
            "the estimates vary no more than run-to-run noise alone would make them: these "
            "indices may be mostly noise; more --replications would sharpen them"
        )
    return (
        f"run-to-run noise may account for up to {share:.0%} of the variance of this "
        "outcome's estimates; more --replications would sharpen them"
    )


def _pm(value: float, high: float) -> str:
    """A value and the half-width of its (symmetric, bootstrap) interval."""
    return "–" if value != value else f"{value:.3f} ± {high - value:.3f}"


def sensitivity_report(table: pd.DataFrame, scenario: Any, top: int) -> Report:
    """Per outcome, its ``top`` parameters by Sobol' total index or Morris μ*."""
    a = table.attrs
    sobol = a["method"] == "sobol"
    what = "Sobol' indices" if sobol else "Morris screening"
    heading = [
        scenario.title or scenario.name,
        f"{what}: {a['rows']:,} parameter rows × {a['replications']} runs = {a['runs']:,} runs, "
        f"seed {a['seed']}, parameters varied over their {a['space']}",
    ]
    heads = ["total ST ± 95%", "first-order S1 ± 95%"] if sobol else ["μ* ± 95%", "μ", "σ"]
    tables = []
    for name, part in table.groupby("outcome", sort=False, observed=True):
        rows = []
        for r in part.head(top).itertuples(index=False):
            cells = [str(r.parameter).removeprefix("actors."), f"{r.low:.3g}–{r.high:.3g}"]
            if sobol:
                cells += [_pm(r.ST, r.ST_ci_high), _pm(r.S1, r.S1_ci_high)]
            else:
                cells += [_pm(r.mu_star, r.mu_star_ci_high), decimal(r.mu), decimal(r.sigma)]
            rows.append(cells)
        note = noise_note(a["noise_share"].get(str(name), math.nan))
        title = f"P({scenario.labels.outcome(str(name))})"
        tables.append(Shown(title, ["parameter", "range", *heads], rows, note=note))
    data = {
        "scenario": scenario.name,
        **{k: a[k] for k in ("method", "rows", "replications", "runs", "seed", "space")},
        "noise_share": {k: (None if v != v else v) for k, v in a["noise_share"].items()},
        "indices": records(table),
    }
    return Report(heading, tables, data, table)


# --- discover -------------------------------------------------------------------------------
def discover_report(found: Any) -> Report:
    """The chosen box, the trajectory's trade-off and the input scores (``--format csv``: the
    chosen box)."""
    from escalsim.results.discovery_text import limit_text

    o = found.options
    s = found.stats()
    heading = [
        f"Scenario discovery of '{found.outcome}' in {found.runs:,} runs of "
        f"'{found.scenario}': {found.cases:,} ended in it ({found.base_rate:.1%})",
        f"PRIM (peel {o.get('peel_alpha')}, paste {o.get('paste_alpha')}, minimum mass "
        f"{o.get('mass_min')}): box {found.selected} of the {len(found.trajectory)} on its "
        f"trajectory ({o.get('chosen', 'chosen')})",
    ]
    box = found.box()
    space = found.space.set_index("input")
    rows = []
    for _, r in box.iterrows():
        whole = space.loc[r["input"]]
        qs = [q for q in (r["qp_low"], r["qp_high"]) if q == q]
        rows.append(
            [
                r["input"],
                limit_text(r),
                whole["values"] or f"{whole['low']:.4g} to {whole['high']:.4g}",
                f"{max(qs):.2g}" if qs else "–",
            ]
        )
    box_title = (
        f"Box {found.selected}: coverage {s['coverage']:.1%}, density {s['density']:.1%}, "
        f"mass {s['mass']:.1%} (qp: quasi-p-value, 0.05 or more may be chance)"
    )
    trade = [
        [
            f"{r.box}",
            pct(r.coverage),
            pct(r.density),
            pct(r.mass),
            f"{r.restricted}",
            "yes" if r.box == found.selected else "",
        ]
        for r in found.trajectory.itertuples(index=False)
    ]
    scores = [[r.input, f"{r.score:.3f}"] for r in found.features.itertuples(index=False)]
    tables = [
        Shown(box_title, ["input", "limits", "of", "qp"], rows),
        Shown(
            "Trade-off (each box of the peeling and pasting trajectory)",
            ["box", "coverage", "density", "mass", "restricted", "chosen"],
            trade,
        ),
        Shown(
            f"Inputs by extra-trees score ({o.get('trees')} trees, seed {o.get('seed')})",
            ["input", "score"],
            scores,
        ),
    ]
    data = {
        "scenario": found.scenario,
        "outcome": found.outcome,
        "runs": found.runs,
        "cases": found.cases,
        "base_rate": found.base_rate,
        "options": o,
        "selected": found.selected,
        "box": records(box),
        "trajectory": records(found.trajectory),
        "features": records(found.features),
    }
    return Report(heading, tables, data, box)
