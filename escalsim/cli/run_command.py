"""``escalsim run``: simulate a scenario many times and print its outcome distribution."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from escalsim.cli import limits
from escalsim.cli.forecast_options import AsOf, MoveEnd, as_of_scenario
from escalsim.cli.formats import Format, FormatOption, emit_run
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
from escalsim.cli.show import markup, plain
from escalsim.errors import EscalsimError, Interrupted
from escalsim.results.provenance import now_iso

PRECISION_MIN_RUNS = 1_000
"""Fewest runs before the precision rule may stop: enough for the Wilson interval to hold."""


def run(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Scenario file (YAML).")],
    runs: Annotated[
        int | None,
        typer.Option(
            "--runs",
            "-n",
            min=1,
            help="Number of runs (default 10,000); with --precision, the minimum (default "
            f"{PRECISION_MIN_RUNS:,}).",
            show_default=False,
        ),
    ] = None,
    seed: Seed = 0,
    workers: Workers = None,
    precision: Annotated[
        float | None,
        typer.Option(
            "--precision",
            min=0.0001,
            max=0.5,
            help="Keep running until every outcome's 95%% interval half-width is at most this.",
        ),
    ] = None,
    max_runs: Annotated[
        int, typer.Option("--max-runs", min=1, help="Cap on the run count with --precision.")
    ] = 1_000_000,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the runs to this Parquet file.")
    ] = None,
    set_: SetOption = None,
    events: Annotated[bool, typer.Option("--events", help="Keep every run's event log.")] = False,
    trace: Annotated[
        bool,
        typer.Option(
            "--trace",
            help="Keep what every decision weighed (written to OUT.decisions.parquet with "
            "--out) and report what decided each outcome.",
        ),
    ] = False,
    quiet: Quiet = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace --out, and discard its unfinished run, if any."),
    ] = False,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Keep finished chunks in OUT.partial/ so that an interrupted run can be "
            "continued, and continue one (same scenario, seed, runs, --events, --trace, "
            "--precision).",
        ),
    ] = False,
    executor: ExecutorName = "processes",
    scheduler: Scheduler = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write the standard figures to this folder.")
    ] = None,
    as_of: AsOf = None,
    move_end: MoveEnd = False,
    dpi: Dpi = DPI,
    format_: FormatOption = Format.table,
) -> None:
    """Run a scenario many times; print outcome probabilities, milestones and the wall time."""
    import escalsim as es

    if runs is None:
        runs = 10_000 if precision is None else PRECISION_MIN_RUNS
    settings = run_settings(
        executor,
        workers,
        scheduler,
        quiet,
        keep_events=events,
        trace=trace,
        max_runs=max(max_runs, runs),
    )
    scenario = es.load_scenario(file, parse_overrides(set_) or None)
    scenario = as_of_scenario(scenario, as_of, move_end)
    if out is not None and out.suffix.lower() != ".parquet":
        raise typer.BadParameter(f"expected a .parquet file, got {out}", param_hint="'--out'")
    if resume and out is None:
        raise typer.BadParameter(
            "needs --out, the file to stream the runs to", param_hint="'--resume'"
        )
    if plot is not None:  # refused now, not after the runs
        from escalsim.plot import check_figure_folder

        check_figure_folder(plot, scenario, force=force)
    most = max(max_runs, runs) if precision else runs
    timing = _check_request(scenario, runs, most, out, events, seed, trace)
    if runs >= limits.ESTIMATE_FROM:
        timing = timing or limits.time_runs(scenario, seed, events, trace)
        limits.print_estimate(timing, runs, executor, workers)
    started = time.perf_counter()
    stamp = now_iso()
    try:
        with _sigterm_as_interrupt(), _plain_warnings():
            results = es.simulate(
                scenario,
                runs,
                seed,
                precision=precision,
                out=out,
                resume=resume,
                force=force,
                settings=settings,
            )
    except Interrupted as stop:
        _print_interrupted(stop, scenario, out is not None)
        raise typer.Exit(130) from None
    except (ValueError, TypeError) as exc:  # bad arguments the options could not rule out
        raise EscalsimError(str(exc)) from None
    earlier = out is not None and results.provenance.get("finished", stamp) < stamp
    elapsed = None if earlier else time.perf_counter() - started
    if format_ is Format.table:
        _print_report(results, elapsed)
    else:
        emit_run(format_, results, elapsed)
    aside = format_ is not Format.table  # stdout holds only the tables: notes go to stderr
    if earlier:
        typer.echo(f"{plain(out)} already held this run; nothing to resume", err=aside)
    elif out is not None:
        typer.echo(f"runs written to {plain(out)}", err=aside)
    if plot is not None:
        from escalsim.plot import standard_figures

        for path in standard_figures(results, plot, force=force, dpi=dpi):
            typer.echo(f"figure written to {plain(path)}", err=aside)


def _check_request(
    scenario, runs: int, most: int, out: Path | None, events: bool, seed: int, trace: bool
) -> limits.Timing | None:
    """Refuse more runs than one command may make, or than memory holds without --out.

    Runs with their events or traces in memory are timed, to count their events and traced
    options; returns that timing.
    """
    flag = "'--runs'" if most == runs else "'--max-runs'"
    limits.check_runs(most, option=flag, advice="ask for fewer")
    if out is not None:
        return None  # streamed to the file: memory does not grow with the run count
    from escalsim.results.layout import Layout

    per_run = limits.CELL_BYTES * len(Layout.of(scenario).columns)
    timing = None
    if (events or trace) and most >= limits.ESTIMATE_FROM:
        timing = limits.time_runs(scenario, seed, events=events, trace=trace)
        per_run += limits.EVENT_BYTES * timing.events + limits.TRACE_BYTES * timing.options
    limits.check_memory(
        most,
        per_run,
        option=flag,
        advice="write the runs to a file with --out (streamed: memory does not grow with the "
        "run count), or ask for fewer",
    )
    return timing


def _print_report(results, elapsed: float | None) -> None:
    from rich.console import Console

    sc = results.scenario
    prov = results.provenance
    n = int(prov.get("runs", len(results.runs)))
    console = Console(soft_wrap=True)
    console.print(
        f"[bold]{markup(sc.title or sc.name)}[/bold] — from {sc.start} over {sc.horizon:g} days"
    )
    how = (
        f"{prov.get('executor', '?')}, {prov.get('workers', '?')} workers, seed {prov.get('seed')}"
    )
    when = f"finished {prov.get('finished')}"
    if elapsed is not None:
        new = n - int(prov.get("resumed_from", 0))  # a resumed run's earlier runs took no time
        when = f"in {elapsed:.1f} s, {new / max(elapsed, 1e-9):,.0f} runs/s"
    console.print(f"{n:,} runs {when} ({how})")
    if prov.get("precision") is not None:
        met = "met" if prov.get("precision_met") else "NOT met (cap reached)"
        console.print(f"precision ±{prov['precision']:g}: {met} after {n:,} runs")
    console.print(_summary_table(results.summary(), "Outcomes (95% Wilson intervals)", sc.labels))
    console.print(_milestone_table(results.milestones(), sc.start, n, sc.labels))
    if prov.get("trace"):
        console.print(_attribution_table(results.attribution()))


def _summary_table(summary, title: str, labels):
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for name in ("outcome", "p", "95% interval", "runs"):
        table.add_column(name, justify="left" if name == "outcome" else "right")
    for row in summary.itertuples(index=False):
        table.add_row(
            markup(labels.outcome(str(row.outcome))),
            f"{row.p:.3f}",
            f"{row.ci_low:.3f} – {row.ci_high:.3f}",
            f"{int(row.count):,}",
        )
    return table


def _attribution_table(attribution):
    """What decided each outcome's runs: the actor's best option, a lower-utility one, or an
    exogenous draw (a success roll, the collapse hazard or an incident)."""
    from rich.table import Table

    table = Table(
        title="What decided each outcome: the share of its runs ended by the actor's best "
        "option, by a lower-utility one, or by an exogenous draw (a success roll, or a hazard: "
        "collapse, incident); p: median probability of the deciding choice",
        title_justify="left",
    )
    for name in ("outcome", "runs", "best", "lower", "roll", "hazard", "p"):
        table.add_column(name, justify="left" if name == "outcome" else "right")

    def pct(x: float) -> str:
        return "—" if x != x else f"{x:.0%}"

    for row in attribution.itertuples(index=False):
        if not row.runs or row.horizon == 1.0:
            continue  # no run, or all at the horizon: nothing decided them
        shares = (row.best, row.lower, row.roll, row.hazard)
        p = "—" if row.median_p != row.median_p else f"{row.median_p:.2f}"
        table.add_row(markup(row.outcome), f"{row.runs:,}", *map(pct, shares), p)
    return table


def _milestone_table(milestones, start: dt.date, runs: int, labels):
    import math

    from rich.table import Table

    table = Table(
        title="Milestones reached within the horizon ('before': only in the history)",
        title_justify="left",
    )
    for name in ("milestone", "p", "95% interval", "median date", "before"):
        table.add_column(name, justify="left" if name == "milestone" else "right")
    for row in milestones.itertuples(index=False):
        day = row.median_day
        when = "—" if day is None or math.isnan(day) else str(start + dt.timedelta(days=float(day)))
        before = f"{row.before_start / runs:.2f}" if runs else "—"
        interval = f"{row.ci_low:.3f} – {row.ci_high:.3f}"
        name = markup(labels.milestone(str(row.milestone)))
        table.add_row(name, f"{row.p:.3f}", interval, when, before)
    return table


@contextlib.contextmanager
def _plain_warnings() -> Iterator[None]:
    """Show a warning (a kept chunk run again, a precision not reached) as one line on stderr,
    not as Python's source location."""
    with warnings.catch_warnings():
        warnings.showwarning = lambda message, *_: typer.echo(f"warning: {message}", err=True)
        yield


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C while simulating: report what finished, keep or clean up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    parent = os.getpid()

    def stop(signum: int, _frame: object) -> None:
        if os.getpid() != parent:  # a forked worker: end as SIGTERM would by default
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _print_interrupted(stop: Interrupted, scenario, streaming: bool) -> None:
    from rich.console import Console

    from escalsim.results.stats import wilson_interval

    console = Console(stderr=True, soft_wrap=True)
    if stop.kept is not None:
        console.print(
            f"interrupted: {stop.runs:,} runs had finished and are kept in {markup(stop.kept)}; "
            "run the same command (with --resume) to continue"
        )
    else:
        hint = " (--resume keeps finished runs so that a run can be continued)" * streaming
        console.print(f"interrupted: {stop.runs:,} runs had finished; no file was written{hint}")
    if stop.runs:
        import pandas as pd

        rows = []
        for outcome in scenario.outcomes:
            k = stop.counts.get(outcome, 0)
            lo, hi = wilson_interval(k, stop.runs)
            rows.append(
                {"outcome": outcome, "count": k, "p": k / stop.runs, "ci_low": lo, "ci_high": hi}
            )
        title = "Outcomes of the finished runs"
        console.print(_summary_table(pd.DataFrame(rows), title, scenario.labels))
    sys.stderr.flush()
