"""The numbers of a report, from an ensemble: outcomes, timing, milestones, common paths,
drivers, what-if comparisons and provenance, as plain rows for the templates.

Probabilities are shown as percentages with their 95% intervals; ids as labels.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from escalsim.analysis.intervals import independent_difference_interval
from escalsim.report.scenario_view import changes, parameter_label, value_name
from escalsim.results.layout import horizon_outcomes
from escalsim.scenario.labels import readable
from escalsim.text import percent as pct

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.analysis import Comparison
    from escalsim.results import Results
    from escalsim.scenario.schema import Scenario

CHECKPOINTS = (30.0, 90.0)
"""Days at which the timing table gives each outcome's probability so far (and the horizon)."""


def interval(low: float, high: float) -> str:
    return "–" if low != low else f"{low * 100:.1f}–{high * 100:.1f}%"


def points(x: float) -> str:
    """A difference of probabilities in percentage points: +3.2, −0.4, and 0.0 for what
    rounds to zero (never "−0.0")."""
    if x != x:
        return "–"
    text = f"{x * 100:+.1f}"
    return "0.0" if float(text) == 0 else text.replace("-", "−")


def _day(sc: Scenario, day: float) -> str:
    if day != day:
        return "–"
    return (sc.start + dt.timedelta(days=float(day))).isoformat()


def outcomes(results: Results) -> list[dict[str, Any]]:
    """Every outcome, the likeliest first: label, description, colour, p and interval, runs."""
    sc = results.scenario
    summary = results.summary().sort_values("p", ascending=False, kind="stable")
    colors = _colors(results)
    return [
        {
            "key": str(row.outcome),
            "label": sc.labels.outcome(str(row.outcome)),
            "description": sc.outcomes[str(row.outcome)].description,
            "color": colors[str(row.outcome)],
            "p": pct(row.p),
            "value": float(row.p),
            "interval": interval(row.ci_low, row.ci_high),
            "count": f"{int(row.count):,}",
        }
        for row in summary.itertuples(index=False)
    ]


def _colors(results: Results) -> dict[str, str]:
    from escalsim.plot import outcome_colors

    return outcome_colors(results)


def timing(results: Results) -> dict[str, Any]:
    """When the outcomes happen: each outcome's probability by a few days and by the horizon,
    and the median date among the runs that ended in it."""
    sc = results.scenario
    horizon = float(sc.horizon)
    days = [d for d in CHECKPOINTS if d < horizon] + [horizon]
    ci = results.cumulative_incidence(days=days)
    runs = results.runs
    at_horizon = set(horizon_outcomes(sc))
    rows = []
    for name in sc.outcomes:
        if name in at_horizon:
            continue
        part = ci[ci["outcome"] == name].sort_values("day")
        times = runs.loc[runs["outcome"] == name, "time"].to_numpy(dtype=float)
        rows.append(
            {
                "label": sc.labels.outcome(name),
                "by": [pct(p) for p in part["p"]],
                "median": _day(sc, float(np.median(times))) if len(times) else "–",
            }
        )
    heads = [f"by day {d:g} ({_day(sc, d)})" for d in days[:-1]]
    heads.append(f"by the horizon ({_day(sc, horizon)})")
    ended = float(np.mean(~runs["outcome"].astype(str).isin(at_horizon))) if len(runs) else 0.0
    return {"heads": heads, "rows": rows, "ended": pct(ended)}


def milestones(results: Results) -> list[dict[str, Any]]:
    """Each milestone: label, description, p and interval within the horizon, median date,
    and the share of runs in which only the history reached it."""
    sc = results.scenario
    n = len(results)
    table = results.milestones()
    return [
        {
            "label": sc.labels.milestone(row.milestone),
            "description": sc.milestones[row.milestone].description,
            "p": pct(row.p),
            "interval": interval(row.ci_low, row.ci_high),
            "median": _day(sc, row.median_day),
            "before": pct(row.before_start / n) if n else "–",
        }
        for row in table.itertuples(index=False)
    ]


def common_paths(results: Results, top: int = 3) -> list[dict[str, Any]] | None:
    """Per outcome reached, its ``top`` most common last three steps (with who took them);
    None when the runs kept no event logs."""
    from escalsim.analysis import paths

    if results.events is None:
        return None
    sc = results.scenario
    table = paths(results, top, steps=3, actors=True)
    out = []
    for name, rows in table.groupby("outcome", sort=False, observed=True):
        out.append(
            {
                "label": sc.labels.outcome(str(name)),
                "runs": f"{int(rows['outcome_runs'].iloc[0]):,}",
                "paths": [
                    {"steps": _steps(sc, row.path), "share": pct(row.share), "count": row.count}
                    for row in rows.itertuples(index=False)
                ],
            }
        )
    return out


def _steps(sc: Scenario, path: str) -> list[str]:
    """A path's steps in words: ``us:climb:raid`` → "US climbs: raid on Maduro"."""
    from escalsim.analysis.paths import ARROW

    if path == "(nothing)":
        return ["nothing after the start"]
    words = []
    for token in path.split(ARROW):
        actor, _, rest = token.partition(":")
        kind, _, rung = rest.partition(":")
        step = f"{sc.labels.actor(actor)} {readable(kind)}"
        words.append(f"{step}: {sc.labels.rung(actor, rung)}" if rung else step)
    return words


def drivers(results: Results, top: int = 8, bins: int = 5) -> list[dict[str, Any]]:
    """The uncertain parameters whose draws go with the largest change in the outcomes: the
    runs split into ``bins`` groups by the value drawn, the lowest group against the highest.

    A screen of the runs, not a sensitivity analysis: each parameter's change mixes with the
    others' (they are drawn independently, so only noise, not bias); the interval of the
    outcome that changes most says whether the change is more than noise.
    """
    from escalsim.plot.drivers import binned, parameter_columns

    sc = results.scenario
    rows = []
    for path in parameter_columns(results):
        table = binned(results, path, bins)
        if table.empty or table["bin"].nunique() < 2:
            continue
        low = table[table["bin"] == table["bin"].min()].set_index("outcome")
        high = table[table["bin"] == table["bin"].max()].set_index("outcome")
        change = (high["p"] - low["p"]).reindex(low.index)
        tv = 0.5 * float(change.abs().sum())
        moved = str(change.abs().idxmax())
        lo, hi = independent_difference_interval(
            low.loc[moved, "count"], low.loc[moved, "runs"], high.loc[moved, "count"],
            high.loc[moved, "runs"],
        )  # fmt: skip
        rows.append(
            {
                "path": path,
                "label": parameter_label(sc, path),
                "score": tv,
                "shift": pct(tv),
                "outcome": sc.labels.outcome(moved),
                "low": f"{pct(low.loc[moved, 'p'])} ({_range(sc, path, low)})",
                "high": f"{pct(high.loc[moved, 'p'])} ({_range(sc, path, high)})",
                "change": points(float(change[moved])),
                "interval": f"{points(lo)} to {points(hi)}",
                "clear_of_zero": bool(lo > 0 or hi < 0),
            }
        )
    rows.sort(key=lambda r: -r["score"])
    return rows[:top]


def _range(sc: Scenario, path: str, part: pd.DataFrame) -> str:
    """The values drawn in a bin: one value (by its meaning, if it stands for a choice), or a
    range."""
    lo, hi = float(part["lower"].iloc[0]), float(part["upper"].iloc[0])
    if lo == hi:
        return value_name(sc, path, lo) or f"{lo:.3g}"
    return f"{lo:.3g} to {hi:.3g}"


def comparison(item: Comparison, name: str) -> dict[str, Any]:
    """One what-if: the variant's title and description, and each outcome's paired change."""
    v = item.variant.scenario
    sc = item.base.scenario
    table = item.table()
    return {
        "name": name,
        "title": v.title or readable(v.name),
        "description": "" if v.description == sc.description else v.description.strip(),
        "changes": changes(sc, v),
        "runs": f"{item.runs:,}",
        "rows": [
            {
                "label": sc.labels.outcome(str(row.outcome))
                if str(row.outcome) in sc.outcomes
                else v.labels.outcome(str(row.outcome)),
                "base": pct(row.p_base),
                "variant": pct(row.p_variant),
                "change": points(row.diff),
                "interval": f"{points(row.ci_low)} to {points(row.ci_high)}",
                "clear_of_zero": bool(row.ci_low > 0 or row.ci_high < 0),
            }
            for row in table.itertuples(index=False)
        ],
    }


def headline(results: Results, rows: Sequence[dict[str, Any]]) -> list[str]:
    """Two or three sentences a reader takes away: the likeliest outcomes, how often the
    crisis ends within the horizon."""
    sc = results.scenario
    at_horizon = set(horizon_outcomes(sc))
    ends = [r for r in rows if r["key"] not in at_horizon and r["value"] > 0]
    lines = []
    if rows:
        first = rows[0]
        lines.append(
            f"The likeliest outcome is {first['label']}: {first['p']} of the runs "
            f"(95% interval {first['interval']})."
        )
    more = [f"{r['label']} ({r['p']})" for r in ends if r is not rows[0]][:3]
    if more:
        lines.append(f"Next come {_listed(more)}.")
    still = sum(r["value"] for r in rows if r["key"] in at_horizon)
    if at_horizon:
        lines.append(
            f"In {pct(1 - still)} of the runs the crisis ends before the horizon "
            f"({sc.end_date.isoformat()}); in the others it is still going on then."
        )
    return lines


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def provenance(results: Results, generated: str, version: str) -> list[tuple[str, str]]:
    """Where the numbers came from: versions, seed, runs, scenario hash, dates, executor."""
    prov = results.provenance
    n = int(prov.get("runs", len(results)))
    rows = [
        ("runs", f"{n:,}"),
        ("root seed", str(prov.get("seed", "–"))),
        ("scenario", str(prov.get("scenario", results.scenario.name))),
        ("scenario SHA-256", str(prov.get("scenario_sha256", "–"))),
        ("escalsim that ran it", str(prov.get("escalsim_version", "–"))),
        ("escalsim that wrote this report", version),
        ("runs started", str(prov.get("started", "–"))),
        ("runs finished", str(prov.get("finished", "–"))),
        ("executor", f"{prov.get('executor', '–')}, {prov.get('workers', '–')} workers"),
        ("report written", generated),
    ]
    if prov.get("precision") is not None:
        rows.insert(2, ("precision asked", f"±{prov['precision']:g}"))
    if results.path is not None:
        rows.append(("results file", results.path.name))
    return rows
