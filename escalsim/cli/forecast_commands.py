"""``escalsim trajectory`` and ``escalsim score``: how the forecast moved, and how it scored."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from escalsim.cli import options as opt
from escalsim.cli.analysis_commands import CODE_BYTES, _call, _check_request
from escalsim.cli.forecast_options import DATE_FORMATS, MoveEnd
from escalsim.cli.formats import Report, Shown, decimal, emit, pct, records

if TYPE_CHECKING:
    import pandas as pd


def _date(name: str, help_text: str) -> Any:
    return typer.Option(
        name, formats=DATE_FORMATS, metavar="DATE", help=help_text, show_default=False
    )


# --- trajectory -----------------------------------------------------------------------------
@opt.grouped
def trajectory(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Scenario file (YAML).")],
    first: Annotated[dt.datetime, _date("--from", "The first forecast date (YYYY-MM-DD).")],
    last: Annotated[
        dt.datetime | None,
        _date("--to", "The last forecast date (default: the scenario's start)."),
    ] = None,
    every: Annotated[
        str, typer.Option("--every", help="Days between forecast dates: 7d, 2w, 1d.")
    ] = "7d",
    runs: Annotated[int, opt.run_count("Runs per date.")] = 1000,
    move_end: MoveEnd = False,
    scope: opt.Scope = opt.SCOPE,
    how: opt.SeededRun = opt.SEEDED,
    files: opt.Outputs = opt.FILES,
) -> None:
    """Run the as-of forecast at each date and show how each outcome's probability moved.

    At each date only the history known by then is used and the start moves to it; the
    horizon's end is kept (unless --move-end). Every date uses the same seeds (common random
    numbers), so the curves move with the evidence, not with run-to-run noise.
    """
    from escalsim.analysis.trajectory import date_steps, parse_every
    from escalsim.analysis.trajectory import trajectory as run_trajectory

    settings, seed = how.settings(), how.seed
    files.check()
    scenario = scope.scenario(file)
    end = scenario.start if last is None else last.date()
    try:
        step = parse_every(every)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--every'") from None
    dates = _call(date_steps, first.date(), end, step)
    _check_request(
        len(dates) * runs,
        CODE_BYTES,
        scenario,
        seed,
        settings,
        what=f"{len(dates):,} dates × {runs:,} runs",
        advice="ask for fewer dates (a longer --every) or fewer --runs",
    )
    table = _call(
        run_trajectory,
        scenario,
        dates,
        runs,
        seed,
        keep_end=not move_end,
        outcomes=scope.outcomes,
        settings=settings,
    )
    emit(files.format, trajectory_report(table, scenario))

    def figure() -> Any:
        from escalsim.plot import trajectory as draw

        return draw(table, scenario)

    files.write(table, figure)


def trajectory_report(table: pd.DataFrame, scenario: Any) -> Report:
    """Each outcome's probability as forecast on each date: one column a date (split, the
    outcome column repeated, when the dates do not fit side by side)."""
    a = table.attrs
    ends = table["end"].drop_duplicates()
    end = f"by {ends.iloc[0]:%Y-%m-%d}" if len(ends) == 1 else "within the horizon"
    heading = [
        scenario.title or scenario.name,
        f"as-of forecasts, {a['runs']:,} runs per date, seed {a['seed']} at every date "
        "(common random numbers)",
    ]
    names = [str(n) for n in table["outcome"].cat.categories]
    columns = list(table.groupby("date", sort=True))
    by = [dict(zip(rows["outcome"].astype(str), rows["p"], strict=True)) for _, rows in columns]
    rows = [["(events known)", *(str(int(r["known"].iloc[0])) for _, r in columns)]]
    rows += [[scenario.labels.outcome(n), *(pct(p[n]) for p in by)] for n in names]
    shown = Shown(
        f"P(outcome {end}) as forecast on each date (95% intervals: --format json, --out, --plot)",
        ["outcome", *(f"{day:%Y-%m-%d}" for day, _ in columns)],
        rows,
    )
    data = {
        "scenario": scenario.name,
        "runs": a["runs"],
        "seed": a["seed"],
        "forecasts": records(table),
    }
    return Report(heading, [shown], data, table)


# --- score ----------------------------------------------------------------------------------
@opt.grouped
def score(
    results: Annotated[
        Path, typer.Argument(metavar="RESULTS", help="Results file (.parquet) of the forecast.")
    ],
    questions: Annotated[Path, typer.Argument(metavar="QUESTIONS", help="Questions file (YAML).")],
    bins: Annotated[
        int, typer.Option("--bins", min=1, max=20, help="Bins of the reliability diagram.")
    ] = 5,
    files: opt.Outputs = opt.FILES,
) -> None:
    """Each question's probability from the results, with Brier and log scores (the model's
    and each reference's) where the question is resolved and the forecast came first."""
    from escalsim.analysis.scoring import reliability_table, summary
    from escalsim.analysis.scoring import score as run_score
    from escalsim.errors import EscalsimError

    files.check()
    table = run_score(results, questions)
    if files.plot is not None and not table["scored"].any():
        raise EscalsimError(
            "--plot: no forecast is scored yet (no question is resolved, or every forecast "
            "came after its answer), so there is no reliability diagram to draw"
        )

    def figure() -> Any:
        from escalsim.plot import reliability

        return reliability(reliability_table(table, bins))

    emit(files.format, score_report(table, summary(table)))
    files.write(table, figure)


def score_report(table: pd.DataFrame, summary: pd.DataFrame) -> Report:
    """Per question, each source's forecast and its scores; then the mean scores per source
    (``--format csv``: every forecast and its scores)."""
    a = table.attrs
    questions = {q.id: q for q in a["questions"]}
    heading = [
        f"{a['scenario']}: forecast made on {a['made']} from {a['runs']:,} runs; Brier and log "
        "scores: 0 is perfect, lower is better"
    ]
    tables = []
    for qid, rows in table.groupby("question", sort=False):
        q = questions[qid]
        answer = q.resolution if q.known_on is None else f"{q.resolution} (known {q.known_on})"
        cells = [
            [
                str(r.source),
                str(r.made),
                pct(r.p),
                "–" if r.ci_low != r.ci_low else f"{r.ci_low * 100:.1f}–{r.ci_high * 100:.1f}",
                decimal(r.brier) if r.scored else "",
                decimal(r.log_score) if r.scored else "",
                "" if r.note == "unresolved" else str(r.note),
            ]
            for r in rows.itertuples(index=False)
        ]
        heads = ["source", "made", "p", "95% interval", "Brier", "log", "note"]
        tables.append(Shown(f"{qid}: {q.describe()} — {answer}", heads, cells))
    if summary.empty:
        heading.append(
            "no forecast is scored yet: no question is resolved (or every forecast came "
            "after its answer); set resolution and resolved_on as they resolve"
        )
    else:
        cells = [
            [str(r.source), str(r.questions)]
            + [decimal(x) for x in (r.brier, r.log_score, r.model_brier, r.model_log_score)]
            for r in summary.itertuples(index=False)
        ]
        heads = ["source", "questions", "Brier", "log", "model Brier", "model log"]
        title = "Mean scores per source (and the model's on the same questions)"
        tables.append(Shown(title, heads, cells))
    scores = table.drop(columns=[c for c in table.columns if c == "question_obj"])
    data = {
        "scenario": a["scenario"],
        "made": str(a["made"]),
        "runs": a["runs"],
        "scores": records(scores),
        "summary": records(summary),
    }
    return Report(heading, tables, data, scores)
