"""``escalsim explain``: one run's choices and their reasons, as dated sentences."""

from __future__ import annotations

import typer

from escalsim.cli import options as opt
from escalsim.cli.show import plain
from escalsim.errors import ResultsError


@opt.grouped
def explain(
    file: opt.RunSource,
    which: opt.OneRun = opt.ONE_RUN,
) -> None:
    """Explain one run: the reason of each consequential choice, from its decision trace.

    Each choice but quietly holding at a review is told with what it was worth against the
    next best option, what the actor believed and how likely the choice was ("a 6% choice"
    for a long shot); the last line says what decided the outcome. With a scenario, run K of
    'escalsim run FILE --seed S' is replayed; with a results file, its row K.
    """
    from escalsim.analysis.explain import explain as explain_run

    source, seed = which.source(file, "explain")
    if seed is not None:
        text = explain_run(source, seed, which.run)
    else:
        try:
            text = explain_run(source, run=which.run)
        except ResultsError as exc:  # no such run: name the file
            if str(exc).startswith(f"{file}:"):
                raise
            raise ResultsError(f"{file}: {exc}") from None
    typer.echo(plain(text, lines=True))
