"""``escalsim report``: one self-contained HTML page of a scenario's runs, for a reader who
never saw the scenario."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from escalsim.cli import limits
from escalsim.cli import options as opt
from escalsim.cli.analysis_commands import _call
from escalsim.cli.show import plain
from escalsim.errors import EscalsimError

if TYPE_CHECKING:
    from escalsim.ensemble.settings import RunSettings
    from escalsim.results import Results

RUNS = 10_000
"""Runs of a report made from a scenario file unless --runs says otherwise (as ``run``)."""

HTML = (".html", ".htm")


@opt.grouped
def report(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="Scenario file (YAML) to run, or results file (.parquet) of 'escalsim run'.",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The report to write: an .html file.")],
    runs: Annotated[
        int | None, opt.run_count(f"Runs of a scenario file (default {RUNS:,}).")
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", "-s", min=0, help="Root seed of a scenario file's runs (default 0)."
        ),
    ] = None,
    set_: opt.SetOption = None,
    compare: Annotated[
        list[Path] | None,
        opt.listed(
            "--compare",
            "VARIANT.yaml",
            "A what-if scenario, run on the same seeds and compared run by run. Repeatable.",
        ),
    ] = None,
    sensitivity: Annotated[
        bool,
        typer.Option(
            "--sensitivity",
            help="Add a global sensitivity analysis (Morris screening; adds a few thousand runs).",
        ),
    ] = False,
    how: opt.RunOptions = opt.RUN,
    dpi: opt.Dpi = opt.DPI,
    force: opt.ForceOut = False,
) -> None:
    """Write a self-contained HTML report: the question, how and when it ends, milestones,
    common paths, drivers, what-ifs, the scenario's actors and history, and provenance.

    Given a scenario file, its runs are made first (with their event logs, for the common
    paths); given a results file, its runs are read. The page embeds its figures and loads
    nothing from elsewhere, so it opens offline and can be sent as one file.
    """
    from escalsim.results.io import check_target
    from escalsim.scenario import load_scenario

    if out.suffix.lower() not in HTML:
        raise typer.BadParameter(f"expected an .html file, got {out}", param_hint="'--out'")
    check_target(out, force)  # refused now, not after the runs
    settings = how.settings()
    results_file = source.suffix.lower() == ".parquet"
    if results_file:
        _refuse_run_options(runs, seed, set_)
    variants = [load_scenario(path) for path in compare or []]
    if results_file:
        results = _read(source)
    else:
        results = _simulate(source, opt.parse_overrides(set_), runs or RUNS, seed or 0, settings)
    comparisons = [_call(_what_if, results, v, settings) for v in variants]
    table = _call(_sensitivity, results, settings) if sensitivity else None
    from escalsim.report import write_report

    path = _call(
        write_report, results, out, comparisons=comparisons, sensitivity=table, dpi=dpi,
        force=force,
    )  # fmt: skip
    n = len(results)
    typer.echo(f"report of {n:,} runs written to {plain(path)}")


def _refuse_run_options(runs: int | None, seed: int | None, set_: list[str] | None) -> None:
    """A results file fixes its runs: the options that would make other runs are refused."""
    for given, flag in ((runs, "'--runs'"), (seed, "'--seed'"), (set_, "'--set'")):
        if given:
            raise typer.BadParameter(
                "a results file fixes its scenario, seed and runs; this option applies to a "
                "scenario file",
                param_hint=flag,
            )


def _read(path: Path) -> Results:
    from escalsim.results import Results

    results = Results.from_parquet(path)
    if len(results) == 0:
        raise EscalsimError(f"{path}: holds no runs (0 rows), so there is nothing to report")
    return results


def _simulate(
    file: Path, overrides: dict[str, Any], runs: int, seed: int, settings: RunSettings
) -> Results:
    """The runs of a scenario file, with their event logs (the report's common paths)."""
    import dataclasses

    from escalsim.ensemble.simulate import simulate
    from escalsim.results.layout import Layout
    from escalsim.scenario import load_scenario

    scenario = load_scenario(file, overrides or None)
    limits.check_runs(runs, option="'--runs'", advice="ask for fewer")
    timing = limits.time_runs(scenario, seed, events=True) if runs >= limits.ESTIMATE_FROM else None
    per_run = limits.CELL_BYTES * len(Layout.of(scenario).columns)
    if timing is not None:
        per_run += limits.EVENT_BYTES * timing.events
        limits.check_memory(
            runs, per_run, option="'--runs'", advice="ask for fewer (a report keeps every run "
            "and its event log in memory)",
        )  # fmt: skip
        limits.print_estimate(timing, runs, settings.executor, settings.workers)
    settings = dataclasses.replace(settings, keep_events=True)
    return _call(simulate, scenario, runs, seed, settings=settings)


def _what_if(results: Results, variant: Any, settings: RunSettings) -> Any:
    from escalsim.report import what_if

    return what_if(results, variant, settings=settings)


def _sensitivity(results: Results, settings: RunSettings) -> Any:
    from escalsim.analysis import sensitivity

    seed = int(results.provenance.get("seed", 0))
    return sensitivity(results.scenario, "morris", seed=seed, settings=settings)
