"""A scenario as it stood on an earlier date: only the history known by then, the start moved.

An as-of forecast is the forecast an analyst would have made on that date. The history
dated on the date itself counts as known (history is what is reported by the start day);
history dated after it is left out, and a warning says how much, so that it is never used
in silence. The rest of the scenario (incentives, beliefs, cohesion) is as written: an
as-of forecast moves the clock and the evidence, not the analyst's other judgements.
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import TYPE_CHECKING

from escalsim.errors import Problem, ScenarioError

if TYPE_CHECKING:
    from escalsim.scenario.schema import Scenario


class AsOfWarning(UserWarning):
    """Something an as-of forecast leaves out or assumes: later history, an unknown interval."""


def as_date(value: dt.date | str, what: str = "as-of date") -> dt.date:
    """A calendar date from a date or ``YYYY-MM-DD`` text; ScenarioError for anything else."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ScenarioError(Problem("", f"the {what} must be a date (YYYY-MM-DD), got {value!r}"))


def as_of(scenario: Scenario, date: dt.date | str, *, keep_end: bool = True) -> Scenario:
    """``scenario`` as forecast on ``date``: the history dated up to ``date`` (that day
    included), the start moved to ``date``, the horizon's end kept (``keep_end``) or moved with
    the start (the horizon's length kept).

    A date before the first reported event, or on or after the end of the horizon, is a
    ScenarioError. Later history is left out with an :class:`AsOfWarning`; so is a date after
    the scenario's start, since nothing is reported between the two.
    """
    day = as_date(date)
    sc = scenario
    _check_range(sc, day)
    kept = [i for i, ev in enumerate(sc.history) if ev.date <= day]
    left_out = [ev for ev in sc.history if ev.date > day]
    if left_out:
        names = ", ".join(ev.id or f"{ev.actor} {ev.event} {ev.date}" for ev in left_out[:3])
        more = f" and {len(left_out) - 3} more" if len(left_out) > 3 else ""
        warnings.warn(
            AsOfWarning(
                f"as of {day}: {len(left_out)} history event(s) dated after it are left out "
                f"({names}{more})"
            ),
            stacklevel=2,
        )
    if day > sc.start:
        warnings.warn(
            AsOfWarning(
                f"as of {day}, after the scenario's start ({sc.start}): nothing is reported "
                "in between, so the forecast assumes that nothing happened"
            ),
            stacklevel=2,
        )
    data = sc.to_dict()
    history = data.get("history", [])
    data["history"] = [history[i] for i in kept]
    known = {ev.id for i, ev in enumerate(sc.history) if i in kept and ev.id is not None}
    data["exclude_history"] = [x for x in sc.exclude_history if x in known]
    data["start"] = day
    data["horizon"] = sc.horizon + (sc.start - day).days if keep_end else sc.horizon
    return sc.from_dict(data)


def _check_range(sc: Scenario, day: dt.date) -> None:
    """Refuse a date before the first reported event or on or after the horizon's end."""
    if sc.history:
        first = min(sc.history, key=lambda ev: ev.date)
        if day < first.date:
            name = f", '{first.id}'" if first.id else ""
            raise ScenarioError(
                Problem(
                    "",
                    f"the as-of date {day} is before the first reported event of "
                    f"{sc.name} ({first.date}{name}): nothing would be known then",
                )
            )
    if day >= sc.end_date:
        raise ScenarioError(
            Problem(
                "",
                f"the as-of date {day} is not before the end of the horizon of {sc.name} "
                f"({sc.end_date}): there is nothing left to forecast",
            )
        )
