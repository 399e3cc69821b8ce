"""The ``escalsim`` command: entry point, error handling, and the list of commands.

Every command is a function in a module of its own under ``escalsim/cli/``; adding one takes
one import line (next to ``scenario_commands``) and one line in the "commands" block below.
Command modules import heavy libraries (pandas, matplotlib) inside their functions, so that
``import escalsim.cli.main`` and ``escalsim --help`` stay fast. A command reports a user's
mistake by raising an ``EscalsimError`` (or ``typer.BadParameter`` for a malformed option);
``main`` turns it into a message on stderr and exit status 1 (2 for usage errors), never a
traceback.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

import escalsim.cli.analysis_commands as analysis_commands  # compare, sweep, sensitivity
import escalsim.cli.calibrate_command as calibrate_command  # calibrate
import escalsim.cli.events_commands as events_commands  # events import
import escalsim.cli.forecast_commands as forecast_commands  # trajectory, score
import escalsim.cli.report_command as report_command  # report
from escalsim.cli import explain_command, plot_commands, run_command, scenario_commands
from escalsim.cli.discover_command import discover
from escalsim.cli.show import plain
from escalsim.errors import EscalsimError

app = typer.Typer(
    name="escalsim",
    help="Simulate escalation crises between states: scenarios in, outcome distributions out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from escalsim import __version__
        from escalsim.engine import compiled

        build = "model and engine compiled" if compiled() else "pure Python"
        typer.echo(f"escalsim {__version__} ({build})")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Simulate escalation crises between states: scenarios in, outcome distributions out."""


# --- commands: one line each, in the order ``escalsim --help`` lists them ---------------------
app.command("run")(run_command.run)
app.command("validate")(scenario_commands.validate)
app.command("schema")(scenario_commands.schema)
app.command("plot")(plot_commands.plot)
app.command("narrate")(plot_commands.narrate)
app.command("explain")(explain_command.explain)
app.command("compare")(analysis_commands.compare)
app.command("sweep")(analysis_commands.sweep)
app.command("sensitivity")(analysis_commands.sensitivity)
app.command("discover")(discover)
app.add_typer(events_commands.app, name="events")
app.command("trajectory")(forecast_commands.trajectory)
app.command("score")(forecast_commands.score)
app.command("calibrate")(calibrate_command.calibrate)
app.command("report")(report_command.report)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app; user errors become a message and exit 1."""
    try:
        app(args=argv, prog_name="escalsim")
    except EscalsimError as exc:
        typer.echo(f"error: {plain(exc, lines=True)}", err=True)
        sys.exit(1)
    except BrokenPipeError:
        # The reader went away (``escalsim schema | head``): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except OSError as exc:  # the system refused a read or write the checks could not foresee
        typer.echo(f"error: {plain(exc, lines=True)}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
