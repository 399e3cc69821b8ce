"""``escalsim run``: simulate a scenario many times and print its outcome distribution."""

from __future__ import annotations

import contextlib
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
from escalsim.cli.fit import print_tables
from escalsim.cli.forecast_options import AsOf, MoveEnd, as_of_scenario
from escalsim.cli.formats import Format, FormatOption, check_xlsx, emit, export_xlsx
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
from escalsim.cli.run_report import outcome_table, run_report
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
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write the runs to this file: .parquet (streamed, with provenance) or .csv.",
        ),
    ] = None,
    export: Annotated[
        Path | None,
        typer.Option(
            "--export", help="Write the report's tables to this .xlsx workbook (needs openpyxl)."
        ),
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
    out, csv_out = _check_out(out, export, resume, force)
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
    report = run_report(results, elapsed)
    if csv_out is not None:
        results.to_csv(csv_out, force=force)
        out = csv_out
    if export is not None:
        export_xlsx(report, export, force)
    emit(format_, report)
    aside = format_ is not Format.table  # stdout holds only the tables: notes go to stderr
    if earlier:
        typer.echo(f"{plain(out)} already held this run; nothing to resume", err=aside)
    elif out is not None:
        typer.echo(f"runs written to {plain(out)}", err=aside)
    if export is not None:
        typer.echo(f"tables written to {plain(export)}", err=aside)
    if plot is not None:
        from escalsim.plot import standard_figures

        for path in standard_figures(results, plot, force=force, dpi=dpi):
            typer.echo(f"figure written to {plain(path)}", err=aside)


def _check_out(
    out: Path | None, export: Path | None, resume: bool, force: bool
) -> tuple[Path | None, Path | None]:
    """The --out file to stream to (.parquet) and the one to write at the end (.csv), both
    refused now if they cannot be written, not after the runs."""
    from escalsim.results.io import check_target

    suffix = None if out is None else out.suffix.lower()
    if suffix not in (None, ".parquet", ".csv"):
        raise typer.BadParameter(
            f"expected a .parquet or .csv file, got {out}", param_hint="'--out'"
        )
    if resume and suffix != ".parquet":
        raise typer.BadParameter(
            "needs --out FILE.parquet, the file to stream the runs to", param_hint="'--resume'"
        )
    if export is not None:
        check_xlsx(export, force)
        if out is not None and out.resolve() == export.resolve():
            raise typer.BadParameter(
                "--out and --export name the same file", param_hint="'--export'"
            )
    if suffix == ".csv":
        check_target(out, force)
        return None, out
    return out, None


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
        shown = outcome_table(pd.DataFrame(rows), scenario.labels, "Outcomes of the finished runs")
        print_tables(console, [shown])
    sys.stderr.flush()
