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

ONLY = {
    "param": ((Kind.driver,), "a parameter"),
    "actor": ((Kind.rungs,), "an actor"),
    "by_outcome": (HISTORIES, "it"),
}
"""The options that only some kinds take: those kinds, and what the option gives them."""


def _kinds(option: str, join: str = "or") -> str:
    """The kinds that take ``option``, as words: ``--kind a, b or c``."""
    *rest, last = (k.value for k in ONLY[option][0])
    return f"--kind {', '.join(rest)} {join} {last}" if rest else f"--kind {last}"


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
            help=f"With {_kinds('param')}: the uncertain parameter (a path such as "
            "actors.us.credibility, or its unambiguous end); default: the strongest.",
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(
            "--actor", help=f"With {_kinds('actor')}: whose ladder (default: the coercer)."
        ),
    ] = None,
    by_outcome: Annotated[
        bool,
        typer.Option("--by-outcome", help=f"With {_kinds('by_outcome')}: one fan per outcome."),
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
    given = {"param": param, "actor": actor, "by_outcome": by_outcome}
    for name, value in given.items():
        kinds, what = ONLY[name]
        if value not in (None, False) and kind not in kinds:
            takes = "takes" if len(kinds) == 1 else "take"
            raise typer.BadParameter(
                f"only {_kinds(name, 'and')} {takes} {what}",
                param_hint=f"'--{name.replace('_', '-')}'",
            )
    if out.exists() and not force:  # fail before reading a large file
        raise EscalsimError(f"{out}: file exists (pass --force to replace it)")
    res = Results.from_parquet(results, lazy=kind in HISTORIES)
    if len(res) == 0:
        raise EscalsimError(f"{results}: holds no runs (0 rows), so there is nothing to draw")
    options = {name: value for name, value in given.items() if kind in ONLY[name][0]}
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
