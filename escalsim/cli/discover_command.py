"""``escalsim discover``: where in the uncertain inputs an outcome happens (PRIM, extra trees)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from escalsim.cli.analysis_reports import discover_report
from escalsim.cli.formats import Format, FormatOption, emit
from escalsim.cli.options import DPI, Dpi
from escalsim.cli.show import plain
from escalsim.errors import EscalsimError


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
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Write the figure to this file (.png, .svg, .pdf)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace --plot if it exists.")] = False,
    dpi: Dpi = DPI,
    format_: FormatOption = Format.table,
) -> None:
    """Find the box of uncertain inputs where an outcome is most likely (PRIM), and rank the
    inputs (extra trees): the inputs are the uncertain parameters, the reported events a run
    may leave out, and the drawn types. Needs: pip install "escalsim[discover]"."""
    from escalsim.results import Results

    if plot is not None:
        from escalsim.plot.files import figure_format
        from escalsim.results.io import check_target

        try:
            figure_format(plot)
        except EscalsimError as exc:
            raise typer.BadParameter(str(exc), param_hint="'--plot'") from None
        check_target(plot, force)
    res = Results.from_parquet(results, lazy=True)
    try:
        found = res.discover(
            outcome,
            peel_alpha=peel_alpha,
            paste_alpha=paste_alpha,
            mass_min=mass_min,
            select=box,
            trees=trees,
            seed=seed,
        )
    except ValueError as exc:
        raise EscalsimError(f"{results}: {exc}") from None
    except KeyboardInterrupt:
        typer.echo("interrupted: nothing was written", err=True)
        raise typer.Exit(130) from None
    emit(format_, discover_report(found))
    if plot is not None:
        from escalsim.plot.discovery import discovery_panels
        from escalsim.plot.files import save_figure

        path = save_figure(discovery_panels(found), plot, force=force, dpi=dpi)
        typer.echo(f"figure written to {plain(path)}", err=format_ is not Format.table)
