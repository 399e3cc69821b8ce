"""``escalsim validate`` and ``escalsim schema``: check scenario files, print the format."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from escalsim.cli import lint_report
from escalsim.cli.lint_report import ProbeOption, ProbeSeed, StrictOption
from escalsim.cli.options import SetOption, parse_overrides
from escalsim.cli.show import plain
from escalsim.errors import ScenarioError


def validate(
    files: Annotated[list[str], typer.Argument(metavar="FILE", help="Scenario files to check.")],
    set_: SetOption = None,
    strict: StrictOption = False,
    probe: ProbeOption = None,
    seed: ProbeSeed = 0,
) -> None:
    """Check scenario files: print '<file>: ok' for each valid one, the problems for the others.

    A valid file may still hold inputs that change nothing: a 'warning:' line names each one
    (on stderr), and with --strict such a file fails too.
    """
    from escalsim.scenario.loader import load_located

    overrides = parse_overrides(set_)
    failed = 0
    for file in files:
        try:
            scenario, where = load_located(file, overrides or None)
        except ScenarioError as exc:
            failed += 1
            typer.echo(plain(exc, lines=True), err=True)
            continue
        warnings = lint_report.report(file, scenario, where, probe, seed)
        if strict and warnings:
            failed += 1
            typer.echo(
                f"{plain(file)}: {warnings} warning{'s' * (warnings > 1)} (--strict)", err=True
            )
        else:
            typer.echo(f"{plain(file)}: ok")
    if failed:
        raise typer.Exit(1)


def schema() -> None:
    """Print the JSON Schema of the scenario format (for editors and other tools)."""
    from escalsim.scenario import Scenario

    typer.echo(json.dumps(Scenario.model_json_schema(), indent=2))
