"""What ``escalsim run`` reports: its outcomes, milestones and (traced) what decided each
outcome, as tables for a reader and as data for a script.

The columns mean what they mean in the API: ``count`` and ``before_start`` are numbers of
runs, as in :meth:`Results.milestones`; ``median_day`` is days after the start, and the
tables show it as the date it falls on (``median_date`` in JSON carries both).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from escalsim.cli.formats import Report, Shown, number, records

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.results import Results

OUTCOMES_TITLE = "Outcomes (95% Wilson intervals)"
MILESTONES_TITLE = (
    "Milestones reached within the horizon (before: runs in which only the history had)"
)
ATTRIBUTION_TITLE = (
    "What decided each outcome: the share of its runs ended by the actor's best option, by a "
    "lower-utility one, by an exogenous draw (a success roll, or a hazard: collapse, "
    "incident) or by the horizon; p: median probability of the deciding choice"
)


def _share(p: float | None) -> str:
    return "–" if p is None or p != p else f"{p:.3f}"


def _workers(n: object) -> str:
    return f"{n} worker{'s' * (n != 1)}" if isinstance(n, int) else f"{n or '?'} workers"


def _date(start: dt.date, day: float | None) -> str | None:
    return None if day is None else (start + dt.timedelta(days=day)).isoformat()


def outcome_table(summary: pd.DataFrame, labels: Any, title: str = OUTCOMES_TITLE) -> Shown:
    """The outcome distribution: probability, interval and run count of every outcome."""
    rows = [
        [
            labels.outcome(str(r.outcome)),
            _share(r.p),
            f"{_share(r.ci_low)} – {_share(r.ci_high)}",
            f"{int(r.count):,}",
        ]
        for r in summary.itertuples(index=False)
    ]
    return Shown(title, ["outcome", "p", "95% interval", "runs"], rows)


def _milestone_table(milestones: pd.DataFrame, start: dt.date, labels: Any) -> Shown:
    rows = [
        [
            labels.milestone(str(r.milestone)),
            _share(r.p),
            f"{_share(r.ci_low)} – {_share(r.ci_high)}",
            f"{int(r.count):,}",
            _date(start, number(r.median_day)) or "–",
            f"{int(r.before_start):,}",
        ]
        for r in milestones.itertuples(index=False)
    ]
    heads = ["milestone", "p", "95% interval", "runs", "median date", "before"]
    return Shown(MILESTONES_TITLE, heads, rows)


def _attribution_table(attribution: pd.DataFrame, labels: Any) -> Shown:
    def share(x: float) -> str:
        return "–" if x != x else f"{x:.0%}"

    rows = [
        [
            labels.outcome(str(r.outcome)),
            f"{r.runs:,}",
            *(share(x) for x in (r.best, r.lower, r.roll, r.hazard, r.horizon)),
            "–" if r.median_p != r.median_p else f"{r.median_p:.2f}",
        ]
        for r in attribution.itertuples(index=False)
        if r.runs
    ]
    heads = ["outcome", "runs", "best", "lower", "roll", "hazard", "horizon", "p"]
    return Shown(ATTRIBUTION_TITLE, heads, rows)


def _pace(n: int, elapsed: float, prov: dict[str, Any]) -> str:
    """The wall time and the runs per second (a resumed run's earlier runs took none of it)."""
    new = n - int(prov.get("resumed_from", 0))
    return f"in {elapsed:.1f} s, {new / max(elapsed, 1e-9):,.0f} runs/s"


def run_report(results: Results, elapsed: float | None) -> Report:
    """``escalsim run``'s report of ``results``; ``elapsed``: its wall time (None when the
    runs were made earlier, e.g. already in the --resume file)."""
    sc, prov = results.scenario, results.provenance
    n = int(prov.get("runs", len(results)))
    heading = [
        f"{sc.title or sc.name} — from {sc.start} over {sc.horizon:g} days",
        f"{n:,} runs "
        + (f"finished {prov.get('finished')}" if elapsed is None else _pace(n, elapsed, prov))
        + f" ({prov.get('executor', '?')}, {_workers(prov.get('workers'))}, seed "
        f"{prov.get('seed')})",
    ]
    if prov.get("precision") is not None:
        met = "met" if prov.get("precision_met") else "NOT met (cap reached)"
        heading.append(f"precision ±{prov['precision']:g}: {met} after {n:,} runs")
    summary, milestones = results.summary(), results.milestones()
    tables = [outcome_table(summary, sc.labels), _milestone_table(milestones, sc.start, sc.labels)]
    outcomes = records(summary)
    for row in outcomes:
        row["label"] = sc.labels.outcome(row["outcome"])
    marks = records(milestones)
    for row in marks:
        row["label"] = sc.labels.milestone(row["milestone"])
        row["median_date"] = _date(sc.start, row["median_day"])
    data: dict[str, Any] = {
        "scenario": sc.name,
        "title": sc.title or sc.name,
        "start": sc.start.isoformat(),
        "horizon_days": float(sc.horizon),
        "runs": n,
        "seed": prov.get("seed"),
        "seconds": None if elapsed is None else round(elapsed, 3),
        "provenance": prov,
        "outcomes": [
            {k: r[k] for k in ("outcome", "label", *summary.columns[1:])} for r in outcomes
        ],
        "milestones": marks,
    }
    if prov.get("trace"):
        attribution = results.attribution()
        tables.append(_attribution_table(attribution, sc.labels))
        data["attribution"] = records(attribution)
    frame = summary.assign(label=[r["label"] for r in outcomes])
    frame = frame[["outcome", "label", *summary.columns[1:]]]
    return Report(heading, tables, data, frame)
