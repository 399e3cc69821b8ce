"""Calibration targets: statements such as ``P(internal_collapse by day 365)=0.08±0.03``.

A target names one or more outcomes (``a+b``: a run ended in any of them) or milestones
(``milestone palace_coup``), an optional time (``by day 90`` or ``by 2026-03-01``; default:
the horizon), the value the statistic should take and its tolerance. The tolerance is read
as one standard deviation of the target (how far from it a fit still counts as agreeing).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from escalsim.text import suggest

if TYPE_CHECKING:
    from escalsim.scenario.schema import Scenario

_TARGET = re.compile(
    r"""\s*P\(\s*(?P<what>(?:milestone\s+)?[A-Za-z_][A-Za-z0-9_]*(?:\s*\+\s*[A-Za-z_][A-Za-z0-9_]*)*)
        (?:\s+by\s+(?:day\s+(?P<day>[0-9]+(?:\.[0-9]*)?)|(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})))?\s*\)
        \s*=\s*(?P<value>[0-9]*\.?[0-9]+)\s*(?:±|\+/-|\+-)\s*(?P<tol>[0-9]*\.?[0-9]+)\s*""",
    re.VERBOSE,
)
FORM = "P(OUTCOME[+OUTCOME...] by day N)=VALUE±TOLERANCE"


@dataclass(frozen=True)
class Target:
    """One target statistic: the probability that a run reached the named outcomes (or
    milestones) by ``day`` (days from the start), and the value it should have."""

    text: str
    names: tuple[str, ...]
    milestone: bool
    day: float
    value: float
    tolerance: float

    def hits(self, outcomes: np.ndarray, times: np.ndarray, milestones: dict[str, np.ndarray]):
        """Per run, whether it counts: ``outcomes`` are outcome names, ``times`` the day each
        run ended, ``milestones`` each milestone's first day (NaN: never)."""
        if self.milestone:
            return np.any(np.column_stack([milestones[m] <= self.day for m in self.names]), axis=1)
        return np.isin(outcomes, self.names) & (times <= self.day)


def parse_target(text: str, scenario: Scenario) -> Target:
    """A target from its text, checked against the scenario; ValueError saying what is wrong."""
    from escalsim.results.layout import horizon_outcomes

    m = _TARGET.fullmatch(text)
    if m is None:
        raise ValueError(f"expected a target like {FORM}, got {text!r}")
    what = m.group("what")
    milestone = what.startswith("milestone")
    names = tuple(n.strip() for n in what.removeprefix("milestone").split("+"))
    pool = scenario.milestones if milestone else scenario.outcomes
    kind = "milestone" if milestone else "outcome"
    for name in names:
        if name not in pool:
            raise ValueError(f"target {text!r}: no {kind} '{name}'{suggest(name, pool)}")
    day = _day(m, text, scenario)
    late = [n for n in names if not milestone and n in horizon_outcomes(scenario)]
    if late and day < scenario.horizon:
        raise ValueError(
            f"target {text!r}: '{late[0]}' comes only at the end of the horizon "
            f"(day {scenario.horizon:g})"
        )
    value, tol = float(m.group("value")), float(m.group("tol"))
    if not 0 <= value <= 1:
        raise ValueError(f"target {text!r}: a probability must be in [0, 1], got {value:g}")
    if not 0 < tol <= 1:
        raise ValueError(f"target {text!r}: the tolerance must be in (0, 1], got {tol:g}")
    return Target(text.strip(), names, milestone, day, value, tol)


def _day(m: re.Match[str], text: str, scenario: Scenario) -> float:
    if m.group("date"):
        try:
            day = float((dt.date.fromisoformat(m.group("date")) - scenario.start).days)
        except ValueError:
            raise ValueError(f"target {text!r}: not a date: {m.group('date')}") from None
    elif m.group("day"):
        day = float(m.group("day"))
    else:
        return float(scenario.horizon)
    if not 0 < day <= scenario.horizon:
        raise ValueError(
            f"target {text!r}: day {day:g} is outside the horizon of {scenario.name} "
            f"(days 1 to {scenario.horizon:g}; --set horizon=... makes it longer)"
        )
    return day


def standard_error(p: float | np.ndarray, runs: int) -> float | np.ndarray:
    """The Monte Carlo standard error of a share of ``runs`` runs (at least half a run's)."""
    return np.maximum(np.sqrt(np.asarray(p) * (1 - np.asarray(p)) / runs), 0.5 / runs)
