"""``escalsim calibrate``: fit named parameters to target statistics, write an extends file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from escalsim.cli import options as opt
from escalsim.cli.analysis_commands import _call, _check_request
from escalsim.cli.show import markup, plain

CODE_BYTES = 40
"""Bytes a run keeps in a calibration: its outcome, its end day and a few milestone days."""


@opt.grouped
def calibrate(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Scenario file (YAML).")],
    target: Annotated[
        list[str],
        typer.Option(
            "--target",
            "-t",
            metavar="'P(OUTCOME by day N)=VALUE±TOL'",
            help="A target statistic: P(a+b by day N), P(a by YYYY-MM-DD) or P(milestone m by "
            "day N), its value and tolerance (one standard deviation). Repeatable.",
            show_default=False,
        ),
    ],
    param: Annotated[
        list[str],
        typer.Option(
            "--param",
            "-p",
            metavar="PATH=lo:hi[:n]",
            help="A parameter to fit, its range and (optionally) its grid points. Once or twice.",
            show_default=False,
        ),
    ],
    runs: Annotated[int, opt.run_count("Runs per grid point.")] = 2000,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="The calibrated scenario (an extends file); default FILE_calibrated.yaml.",
            show_default=False,
        ),
    ] = None,
    set_: opt.SetOption = None,
    how: opt.SeededRun = opt.SEEDED,
    force: opt.ForceOut = False,
) -> None:
    """Fit one or two parameters so that the scenario meets target statistics (a grid on common
    random numbers, interpolated); print the fitted values with their intervals and the fit of
    every target; write the calibrated scenario as a small extends file."""
    from escalsim.analysis.calibrate import DEFAULT_POINTS, calibrate, default_out, parse_range
    from escalsim.analysis.calibrated_file import check_destination, write_calibrated
    from escalsim.scenario import load_scenario

    ranges, points = {}, {}
    for item in param:
        try:
            path, lo, hi, n = parse_range(item)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="'--param'") from None
        ranges[path], points[path] = (lo, hi), n
    if not 1 <= len(ranges) <= 2:
        raise typer.BadParameter(
            f"fit one or two parameters, got {len(ranges)}", param_hint="'--param'"
        )
    settings, seed = how.settings(), how.seed
    overrides = opt.parse_overrides(set_)
    scenario = load_scenario(file, overrides or None)
    out = default_out(file) if out is None else out
    check_destination(file, out, force)
    grid = 1
    for path in ranges:
        grid *= points[path] or DEFAULT_POINTS[len(ranges)]
    _check_request(
        (grid + 1) * runs,
        CODE_BYTES,
        scenario,
        seed,
        settings,
        what=f"{grid:,} grid points (and a check) × {runs:,} runs",
        advice="ask for fewer grid points or --runs",
    )
    result = _call(
        calibrate,
        scenario,
        target,
        ranges,
        runs,
        seed,
        points={p: n for p, n in points.items() if n is not None},
        settings=settings,
    )
    _print_calibration(result, scenario)
    written = write_calibrated(result, file, out, also=list(overrides), force=force)
    typer.echo(f"calibrated scenario written to {plain(written)}")


def _print_calibration(result: Any, scenario: Any) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=True, highlight=False)
    grid = len(result.grid) // len(result.targets)
    console.print(
        f"[bold]{markup(scenario.title or scenario.name)}[/bold]: {grid} grid points × "
        f"{result.runs:,} runs, seed {result.seed} at every point (common random numbers), "
        "interpolated"
    )
    for path, value in result.values.items():
        lo, hi = result.intervals[path]
        console.print(f"  {markup(path)} = {value:g}   (95% interval: {lo:.4g} to {hi:.4g})")
    for path in result.at_edge:
        console.print(
            f"  note: the interval of {markup(path)} reaches the end of its range: widen it"
        )
    t = Table(
        title="Fit of every target (check runs of the calibrated scenario)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    for name in ("target", "wanted", "fitted", "95% interval", "within"):
        t.add_column(name, justify="left" if name == "target" else "right", overflow="fold")
    for r in result.fit.itertuples(index=False):
        t.add_row(
            markup(r.target),
            f"{r.value:.3f} ± {r.tolerance:.3f}",
            f"{r.p:.3f}",
            f"{r.ci_low:.3f} – {r.ci_high:.3f}",
            "yes" if r.within else "NO",
        )
    console.print(t)
    if not result.fit["within"].all():
        console.print(
            "note: no values in the ranges meet every target at once; the fit is the best "
            "compromise (weighted by the tolerances)"
        )
