"""The lint warnings that ``escalsim validate`` prints: one ``warning:`` line per problem."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from escalsim.cli.show import plain

if TYPE_CHECKING:
    from escalsim.scenario.schema import Scenario

StrictOption = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="Fail (exit 1) on any warning too: an input that changes nothing, an outcome "
        "that can never happen, an action that can never be taken.",
    ),
]
ProbeOption = Annotated[
    int | None,
    typer.Option(
        "--probe",
        metavar="N",
        min=1,
        help="Also run N paired runs at the 1st and the 99th percentile of each uncertain "
        "parameter and warn about those that move no outcome (2 x N runs per parameter).",
        show_default=False,
    ),
]
ProbeSeed = Annotated[int, typer.Option("--seed", "-s", min=0, help="Root seed of the probe.")]


def report(file: str, scenario: Scenario, where: Any, probe: int | None, seed: int) -> int:
    """Print the warnings of one valid scenario file (on stderr); return how many."""
    from escalsim.analysis.lint import lint_scenario
    from escalsim.ensemble.settings import RunSettings

    settings = RunSettings() if probe is not None else None
    try:
        findings = lint_scenario(scenario, where, file, probe=probe, seed=seed, settings=settings)
    except KeyboardInterrupt:
        typer.echo("interrupted: the probe was stopped", err=True)
        raise typer.Exit(130) from None
    for finding in findings:
        typer.echo(plain(finding), err=True)
    if findings.probe is not None:
        typer.echo(f"note: {plain(file)}: {findings.probe}", err=True)
    return len(findings)
