"""The forecast's trajectory: the as-of forecast at each of a series of dates.

At each date the scenario is taken as it stood then (:meth:`Scenario.as_of`: the history
known by that day, the start moved to it) and run ``runs`` times; run ``i`` uses the seed
``run_seed(seed, i)`` at every date (common random numbers), so that the curves move with the
evidence rather than with run-to-run noise. With the horizon's end kept (the default), every
date forecasts the same thing: how the crisis stands at that end date.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

from escalsim.analysis.batch import point_counts
from escalsim.analysis.outcomes import OutcomeSpec, outcome_groups, with_intervals
from escalsim.checks import positive_int
from escalsim.ensemble.seeds import check_seed
from escalsim.ensemble.settings import RunSettings, as_settings
from escalsim.results.stats import Z95

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.scenario.schema import Scenario

MAX_DATES = 1000
"""Most dates one trajectory may have."""

_EVERY = re.compile(r"\s*([0-9]+)\s*([dw]?)\s*")


def parse_every(text: str | int) -> int:
    """A step between dates in days: ``7``, ``"7d"`` or ``"2w"``; ValueError otherwise."""
    if isinstance(text, int) and not isinstance(text, bool):
        days = text
    else:
        m = _EVERY.fullmatch(str(text))
        if m is None:
            raise ValueError(f"expected a step like 7d or 2w, got {text!r}")
        days = int(m.group(1)) * (7 if m.group(2) == "w" else 1)
    if days < 1:
        raise ValueError(f"the step must be at least one day, got {text!r}")
    return days


def date_steps(first: dt.date, last: dt.date, every: str | int = 7) -> list[dt.date]:
    """``first``, then every ``every`` days up to ``last``, and ``last`` itself."""
    step = parse_every(every)
    if last < first:
        raise ValueError(f"the last date ({last}) is before the first ({first})")
    count = (last - first).days // step + 1
    if count > MAX_DATES:
        raise ValueError(f"{count:,} dates is more than {MAX_DATES:,}, the most a trajectory takes")
    dates = [first + dt.timedelta(days=step * i) for i in range(count)]
    return dates if dates[-1] == last else [*dates, last]


def trajectory(
    scenario: Scenario | str | os.PathLike[str],
    dates: Sequence[dt.date | str],
    runs: int = 1000,
    seed: int = 0,
    *,
    keep_end: bool = True,
    outcomes: OutcomeSpec = None,
    z: float = Z95,
    settings: RunSettings | None = None,
) -> pd.DataFrame:
    """Each outcome's probability as forecast on each date (the as-of forecast).

    Parameters
    ----------
    scenario
        A Scenario or a scenario file.
    dates
        The forecast dates, from the first reported event to the scenario's start (nothing is
        reported after it). :func:`date_steps` makes a regular series.
    runs, seed
        Runs per date, and the root seed every date shares (common random numbers).
    keep_end
        Keep the horizon's end date at every date (default), or move it with each date.
    outcomes
        Which outcomes (or unions) to report; default every outcome.
    z
        Normal quantile of the intervals (default 95%).
    settings
        How to run (:class:`~escalsim.RunSettings`); every date runs on one executor.

    Returns
    -------
    pandas.DataFrame
        One row per date and outcome: ``date``, ``outcome``, ``count``, ``p``, ``ci_low``,
        ``ci_high`` (95% Wilson), ``runs``, ``end`` (the horizon's end date) and ``known``
        (history events dated up to that day). ``attrs`` records the analysis.
    """
    import pandas as pd

    from escalsim.results.provenance import library_version, scenario_hash
    from escalsim.scenario import as_scenario
    from escalsim.scenario.as_of import as_date

    sc = as_scenario(scenario)
    settings = as_settings(settings)
    runs = positive_int("runs", runs)
    seed = check_seed(seed)
    days = sorted({as_date(d, "forecast date") for d in dates})
    if not days:
        raise ValueError("dates: give at least one forecast date")
    if days[-1] > sc.start:
        raise ValueError(
            f"the forecast date {days[-1]} is after the start of {sc.name} ({sc.start}): "
            "nothing is reported after it; add the later events to the history and move the start"
        )
    groups = outcome_groups(list(sc.outcomes), outcomes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the history left out is the point: it is counted
        points = [sc.as_of(day, keep_end=keep_end) for day in days]
    counts = point_counts(
        points, sc.outcomes, groups, runs, seed, settings, f"{sc.name} trajectory"
    )
    rows = [
        {
            "date": day,
            "outcome": label,
            "count": n,
            "end": point.end_date,
            "known": len(point.history),
        }
        for day, point, row in zip(days, points, counts, strict=True)
        for label, n in zip(groups, row, strict=True)
    ]
    out = with_intervals(pd.DataFrame(rows), runs, z, groups)
    out["date"] = pd.to_datetime(out["date"])
    out["end"] = pd.to_datetime(out["end"])
    out.attrs.update(
        analysis="trajectory",
        scenario=sc.name,
        scenario_sha256=scenario_hash(sc),
        seed=seed,
        runs=runs,
        keep_end=keep_end,
        escalsim_version=library_version(),
    )
    return out
