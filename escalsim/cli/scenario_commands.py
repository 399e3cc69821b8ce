"""``escalsim validate`` and ``escalsim schema``: check scenario files, print the format."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from escalsim.cli.options import SetOption, parse_overrides
from escalsim.cli.show import plain
from escalsim.errors import ScenarioError


def validate(
    files: Annotated[list[str], typer.Argument(metavar="FILE", help="Scenario files to check.")],
    set_: SetOption = None,
) -> None:
    """Check scenario files: print '<file>: ok' for each valid one, the problems for the others."""
    from escalsim.scenario import load_scenario

    overrides = parse_overrides(set_)
    failed = 0
    for file in files:
        try:
            load_scenario(file, overrides or None)
        except ScenarioError as exc:
            failed += 1
            typer.echo(plain(exc, lines=True), err=True)
        else:
            typer.echo(f"{plain(file)}: ok")
    if failed:
        raise typer.Exit(1)


def schema() -> None:
    """Print the JSON Schema of the scenario format (for editors and other tools)."""
    from escalsim.scenario import Scenario

    typer.echo(json.dumps(Scenario.model_json_schema(), indent=2))
