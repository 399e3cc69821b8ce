"""``escalsim events import``: rows of an event table → history entries of a scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from escalsim.cli import options as opt
from escalsim.cli.show import plain

app = typer.Typer(
    help="Event tables: turn reported events into history entries.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.command("import")
def import_events(
    table: Annotated[Path, typer.Argument(metavar="FILE.csv", help="The event table (CSV).")],
    mapping: Annotated[
        Path,
        typer.Option(
            "--map",
            metavar="MAPPING.yaml",
            help="How the table's columns, actors and event types map onto the scenario's history.",
        ),
    ],
    scenario: Annotated[
        Path,
        typer.Option(
            "--scenario", metavar="S.yaml", help="The scenario the entries are checked against."
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the entries to this YAML file (else print)."),
    ] = None,
    force: opt.ForceOut = False,
) -> None:
    """Turn the rows of an event table into history entries (YAML), each checked against the
    scenario; a problem names its row and column, or the mapping's line."""
    from escalsim.results.io import atomic_path, check_target
    from escalsim.scenario.event_import import history_yaml
    from escalsim.scenario.event_import import import_events as run_import

    if out is not None:
        if out.suffix.lower() not in (".yaml", ".yml"):
            raise typer.BadParameter(f"expected a .yaml file, got {out}", param_hint="'--out'")
        check_target(out, force)
    events = run_import(table, mapping, scenario)
    text = (
        f"# {len(events)} history entries imported from {table.name} with {mapping.name} "
        f"(escalsim events import), checked against {scenario.name}\n" + history_yaml(events)
    )
    if out is None:
        typer.echo(plain(text, lines=True), nl=False)
        return
    with atomic_path(out, force) as tmp:
        tmp.write_text(text, encoding="utf-8")
    typer.echo(f"{len(events)} history entries written to {plain(out)}", err=True)
