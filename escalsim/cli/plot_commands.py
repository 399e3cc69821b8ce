"""``escalsim plot`` and ``escalsim narrate``: a figure from a results file, a run as a story."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from escalsim.cli import options as opt
from escalsim.cli.show import plain
from escalsim.errors import EscalsimError


class Kind(str, Enum):
    outcomes = "outcomes"
    incidence = "incidence"
    rungs = "rungs"
    milestones = "milestones"
    driver = "driver"
    beliefs = "beliefs"
    cohesion = "cohesion"
    rungs_over_time = "rungs-over-time"


HISTORIES = (Kind.beliefs, Kind.cohesion, Kind.rungs_over_time)
"""The kinds drawn from the decision traces (results of 'escalsim run --trace')."""


def plot(
    results: Annotated[
        Path, typer.Argument(metavar="RESULTS", help="Results file (.parquet) of 'escalsim run'.")
    ],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Figure file to write: .png, .svg or .pdf."),
    ],
    kind: Annotated[Kind, typer.Option("--kind", "-k", help="Which figure.")] = Kind.outcomes,
    param: Annotated[
        str | None,
        typer.Option(
            "--param",
            help="With --kind driver: the uncertain parameter (a path such as "
            "actors.us.credibility, or its unambiguous end); default: the strongest.",
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option("--actor", help="With --kind rungs: whose ladder (default: the coercer)."),
    ] = None,
    by_outcome: Annotated[
        bool,
        typer.Option(
            "--by-outcome",
            help="With --kind beliefs, cohesion or rungs-over-time: one fan per outcome.",
        ),
    ] = False,
    dpi: opt.Dpi = opt.DPI,
    force: opt.ForceOut = False,
) -> None:
    """Draw one figure of a results file: outcomes, incidence, rungs, milestones or driver; or,
    of a traced run (run --trace), beliefs, cohesion or rungs-over-time as fan charts."""
    from escalsim.plot.files import figure_format, save_figure
    from escalsim.results import Results

    try:
        figure_format(out)
    except EscalsimError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--out'") from None
    if param is not None and kind is not Kind.driver:
        raise typer.BadParameter("only --kind driver takes a parameter", param_hint="'--param'")
    if actor is not None and kind is not Kind.rungs:
        raise typer.BadParameter("only --kind rungs takes an actor", param_hint="'--actor'")
    if by_outcome and kind not in HISTORIES:
        raise typer.BadParameter(
            "only --kind beliefs, cohesion and rungs-over-time take it", param_hint="'--by-outcome'"
        )
    if out.exists() and not force:  # fail before reading a large file
        raise EscalsimError(f"{out}: file exists (pass --force to replace it)")
    res = Results.from_parquet(results, lazy=kind in HISTORIES)
    if len(res) == 0:
        raise EscalsimError(f"{results}: holds no runs (0 rows), so there is nothing to draw")
    options: dict[str, object] = {}
    if kind is Kind.driver:
        options["param"] = param
    if kind is Kind.rungs:
        options["actor"] = actor
    if kind in HISTORIES:
        options["by_outcome"] = by_outcome
    try:
        fig = getattr(res.plot, kind.value.replace("-", "_"))(**options)
    except ValueError as exc:  # e.g. an actor without a ladder
        raise EscalsimError(str(exc)) from None
    typer.echo(f"figure written to {plain(save_figure(fig, out, force=force, dpi=dpi))}")


@opt.grouped
def narrate(
    file: opt.RunSource,
    which: opt.OneRun = opt.ONE_RUN,
    history: Annotated[
        bool, typer.Option("--history/--no-history", help="Tell the history before the start.")
    ] = True,
) -> None:
    """Tell one run as dated sentences: the history, then the run, then the outcome.

    With a scenario, run K of the ensemble 'escalsim run FILE --seed S' is replayed from its
    seed and told; with a results file, row K of the file is told.
    """
    from escalsim.narration import narrate as tell_run

    source, seed = which.source(file, "tell")
    if seed is None:
        told = tell_run(source, run=which.run, history=history)
    else:
        told = tell_run(source, seed, which.run, history=history)
    typer.echo(plain(told, lines=True))
