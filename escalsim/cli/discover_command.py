"""``escalsim discover``: where in the uncertain inputs an outcome happens (PRIM, extra trees)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from escalsim.cli import options as opt
from escalsim.cli.analysis_commands import _call
from escalsim.cli.analysis_reports import discover_report
from escalsim.cli.formats import emit


@opt.grouped
def discover(
    results: Annotated[
        Path, typer.Argument(metavar="RESULTS", help="Results file (.parquet) of 'escalsim run'.")
    ],
    outcome: Annotated[
        str,
        typer.Option("--outcome", metavar="NAME", help="The outcome to explain; a+b for a union."),
    ],
    box: Annotated[
        int | None,
        typer.Option(
            "--box",
            help="Which box of the trajectory to show (default: most coverage x density).",
            show_default=False,
        ),
    ] = None,
    peel_alpha: Annotated[
        float, typer.Option("--peel-alpha", help="Share of the box's runs peeled at each step.")
    ] = 0.05,
    paste_alpha: Annotated[
        float, typer.Option("--paste-alpha", help="Share pasted back at each step.")
    ] = 0.05,
    mass_min: Annotated[
        float, typer.Option("--mass-min", help="Least share of all runs a box may hold.")
    ] = 0.05,
    trees: Annotated[int, typer.Option("--trees", min=1, help="Trees of the forest.")] = 100,
    seed: Annotated[int, typer.Option("--seed", "-s", min=0, help="Seed of the forest.")] = 0,
    files: opt.Outputs = opt.FILES,
) -> None:
    """Find the box of uncertain inputs where an outcome is most likely (PRIM), and rank the
    inputs (extra trees): the inputs are the uncertain parameters, the reported events a run
    may leave out, and the drawn types. --out writes the chosen box's limits. Needs: pip
    install "escalsim[discover]"."""
    from escalsim.results import Results

    files.check()
    res = Results.from_parquet(results, lazy=True)
    options = {"peel_alpha": peel_alpha, "paste_alpha": paste_alpha, "mass_min": mass_min}
    found = _call(
        res.discover, outcome, **options, select=box, trees=trees, seed=seed, where=results
    )
    report = discover_report(found)
    emit(files.format, report)

    def figure() -> Any:
        from escalsim.plot.discovery import discovery_panels

        return discovery_panels(found)

    files.write(report.frame, figure)
