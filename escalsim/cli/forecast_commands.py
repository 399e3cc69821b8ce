"""``escalsim trajectory`` and ``escalsim score``: how the forecast moved, and how it scored."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from escalsim.cli.analysis_commands import (
    CODE_BYTES,
    Force,
    Outcome,
    OutCsv,
    PlotFile,
    _call,
    _check_files,
    _check_request,
    _outcomes,
    _pct,
    _write,
)
from escalsim.cli.forecast_options import DATE_FORMATS, MoveEnd
from escalsim.cli.formats import Format, FormatOption, Report, Shown, emit, pct, records
from escalsim.cli.options import (
    DPI,
    Dpi,
    ExecutorName,
    Quiet,
    Scheduler,
    Seed,
    SetOption,
    Workers,
    parse_overrides,
    run_settings,
)
from escalsim.cli.show import markup

if TYPE_CHECKING:
    import pandas as pd


def _date(name: str, help_text: str) -> Any:
    return typer.Option(
        name, formats=DATE_FORMATS, metavar="DATE", help=help_text, show_default=False
    )


# --- trajectory -----------------------------------------------------------------------------
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
    runs: Annotated[int, typer.Option("--runs", "-n", min=1, help="Runs per date.")] = 1000,
    seed: Seed = 0,
    move_end: MoveEnd = False,
    set_: SetOption = None,
    outcome: Outcome = None,
    workers: Workers = None,
    executor: ExecutorName = "processes",
    scheduler: Scheduler = None,
    out: OutCsv = None,
    plot: PlotFile = None,
    dpi: Dpi = DPI,
    quiet: Quiet = False,
    force: Force = False,
    format_: FormatOption = Format.table,
) -> None:
    """Run the as-of forecast at each date and show how each outcome's probability moved.

    At each date only the history known by then is used and the start moves to it; the
    horizon's end is kept (unless --move-end). Every date uses the same seeds (common random
    numbers), so the curves move with the evidence, not with run-to-run noise.
    """
    from escalsim.analysis.trajectory import date_steps, parse_every
    from escalsim.analysis.trajectory import trajectory as run_trajectory
    from escalsim.scenario import load_scenario

    settings = run_settings(executor, workers, scheduler, quiet)
    _check_files(out, plot, force)
    scenario = load_scenario(file, parse_overrides(set_) or None)
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
        outcomes=_outcomes(outcome),
        settings=settings,
    )
    emit(format_, trajectory_report(table, scenario))

    def figure() -> Any:
        from escalsim.plot import trajectory as draw

        return draw(table, scenario)

    _write(table, out, figure, plot, force, dpi, aside=format_ is not Format.table)


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
def score(
    results: Annotated[
        Path, typer.Argument(metavar="RESULTS", help="Results file (.parquet) of the forecast.")
    ],
    questions: Annotated[Path, typer.Argument(metavar="QUESTIONS", help="Questions file (YAML).")],
    bins: Annotated[
        int, typer.Option("--bins", min=1, max=20, help="Bins of the reliability diagram.")
    ] = 5,
    out: OutCsv = None,
    plot: PlotFile = None,
    force: Force = False,
) -> None:
    """Each question's probability from the results, with Brier and log scores (the model's
    and each reference's) where the question is resolved and the forecast came first."""
    from escalsim.analysis.scoring import reliability_table, summary
    from escalsim.analysis.scoring import score as run_score
    from escalsim.errors import EscalsimError

    _check_files(out, plot, force)
    table = run_score(results, questions)
    if plot is not None and not table["scored"].any():
        raise EscalsimError(
            "--plot: no forecast is scored yet (no question is resolved, or every forecast "
            "came after its answer), so there is no reliability diagram to draw"
        )
    _print_scores(table, {q.id: q for q in table.attrs["questions"]})

    def figure() -> Any:
        from escalsim.plot import reliability

        return reliability(reliability_table(table, bins))

    _print_summary(summary(table))
    _write(table, out, figure, plot, force)


def _num(x: float) -> str:
    return "–" if x != x else f"{x:.3f}"


def _print_scores(table: pd.DataFrame, questions: dict[str, Any]) -> None:
    """Each question on a line of its own, then one line per forecast of it."""
    from rich.console import Console

    a = table.attrs
    console = Console(soft_wrap=True, highlight=False)
    console.print(
        f"[bold]{markup(a['scenario'])}[/bold]: forecast made on {a['made']} from "
        f"{a['runs']:,} runs; Brier and log scores: 0 is perfect, lower is better"
    )
    width = max(len(str(s)) for s in table["source"])
    for qid, rows in table.groupby("question", sort=False):
        q = questions[qid]
        answer = q.resolution if q.known_on is None else f"{q.resolution} (known {q.known_on})"
        console.print(f"[bold]{markup(qid)}[/bold]: {markup(q.describe())} — {answer}")
        for r in rows.itertuples(index=False):
            p = _pct(r.p)
            if r.ci_low == r.ci_low:
                p += f" ({r.ci_low * 100:.1f}–{r.ci_high * 100:.1f})"
            scores = f"Brier {r.brier:.3f}  log {r.log_score:.3f}" if r.scored else ""
            note = "" if r.note == "unresolved" else markup(r.note)
            line = f"  {markup(r.source):<{width}}  {r.made}  {p:<16} {scores}{note}"
            console.print(line.rstrip())


def _print_summary(summary: pd.DataFrame) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=True)
    if summary.empty:
        console.print(
            "no forecast is scored yet: no question is resolved (or every forecast came "
            "after its answer); set resolution and resolved_on as they resolve"
        )
        return
    t = Table(
        title="Mean scores per source (and the model's on the same questions)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    for name in ("source", "questions", "Brier", "log", "model Brier", "model log"):
        t.add_column(name, justify="left" if name == "source" else "right")
    for r in summary.itertuples(index=False):
        t.add_row(
            markup(r.source),
            str(r.questions),
            _num(r.brier),
            _num(r.log_score),
            _num(r.model_brier),
            _num(r.model_log_score),
        )
    console.print(t)
