"""Options of the forecasting commands: dates, ``--as-of`` and whether the horizon's end moves."""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Annotated, Any

import typer

from escalsim.cli.show import plain

DATE_FORMATS = ["%Y-%m-%d"]

AsOf = Annotated[
    dt.datetime | None,
    typer.Option(
        "--as-of",
        formats=DATE_FORMATS,
        metavar="DATE",
        help="Forecast as on this date (YYYY-MM-DD): only the history up to it, the start "
        "moved to it, the horizon's end kept (see --move-end).",
        show_default=False,
    ),
]
MoveEnd = Annotated[
    bool,
    typer.Option(
        "--move-end",
        help="With --as-of: move the horizon's end with the start (keep its length) instead "
        "of keeping its date.",
    ),
]


def as_of_scenario(scenario: Any, as_of: dt.datetime | None, move_end: bool) -> Any:
    """``scenario`` as of the date, if one is given; what is left out is said on stderr."""
    if as_of is None:
        if move_end:
            raise typer.BadParameter("needs --as-of", param_hint="'--move-end'")
        return scenario
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        moved = scenario.as_of(as_of.date(), keep_end=not move_end)
    for w in seen:
        typer.echo(f"note: {plain(w.message)}", err=True)
    return moved
