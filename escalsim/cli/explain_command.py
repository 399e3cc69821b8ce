"""``escalsim explain``: one run's choices and their reasons, as dated sentences."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from escalsim.cli.options import SetOption, parse_overrides
from escalsim.cli.show import plain
from escalsim.errors import EscalsimError, ResultsError


def explain(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="Scenario file (YAML), or a results file (.parquet) whose runs to explain.",
        ),
    ],
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", "-s", min=0, help="Root seed of the ensemble, as given to 'run' (default 0)."
        ),
    ] = None,
    run: Annotated[int, typer.Option("--run", "-r", min=0, help="Which run of the ensemble.")] = 0,
    set_: SetOption = None,
) -> None:
    """Explain one run: the reason of each consequential choice, from its decision trace.

    Each choice but quietly holding at a review is told with what it was worth against the
    next best option, what the actor believed and how likely the choice was ("a 6% choice"
    for a long shot); the last line says what decided the outcome. With a scenario, run K of
    'escalsim run FILE --seed S' is replayed; with a results file, its row K.
    """
    from escalsim.analysis.explain import explain as explain_run

    overrides = parse_overrides(set_)
    if file.suffix.lower() == ".parquet":
        from escalsim.results import Results

        if seed is not None:
            raise typer.BadParameter(
                "a results file fixes each run's seed; choose the run with --run",
                param_hint="'--seed'",
            )
        if overrides:
            raise typer.BadParameter(
                "a results file fixes its scenario; --set applies to scenario files",
                param_hint="'--set'",
            )
        source = Results.from_parquet(file, lazy=True)
        if len(source) == 0:
            raise EscalsimError(f"{file}: holds no runs (0 rows), so there is no run to explain")
        try:
            text = explain_run(source, run=run)
        except ResultsError as exc:  # no such run: name the file
            if str(exc).startswith(f"{file}:"):
                raise
            raise ResultsError(f"{file}: {exc}") from None
    else:
        from escalsim.scenario import load_scenario

        scenario = load_scenario(file, overrides or None)
        text = explain_run(scenario, 0 if seed is None else seed, run)
    typer.echo(plain(text, lines=True))
