"""``results.plot``: the plot functions as methods of a Results."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from escalsim.results import Results


class PlotAccessor:
    """The plots of one Results: ``results.plot.outcomes()``, ``results.plot.incidence()``, ...

    Each method takes the same options as the function of the same name in
    :mod:`escalsim.plot` (an ``ax`` to draw into, a ``title``, ...) and returns the Figure.
    """

    __slots__ = ("_results",)

    def __init__(self, results: Results) -> None:
        self._results = results

    def __repr__(self) -> str:
        return f"<plots of {self._results!r}>"

    def outcomes(self, **options: Any) -> Figure:
        """Outcome probabilities with 95% intervals (:func:`escalsim.plot.outcomes`)."""
        from escalsim.plot.distribution import outcomes

        return outcomes(self._results, **options)

    def incidence(self, **options: Any) -> Figure:
        """Cumulative incidence over calendar time (:func:`escalsim.plot.incidence`)."""
        from escalsim.plot.timing import incidence

        return incidence(self._results, **options)

    def rungs(self, actor: str | None = None, **options: Any) -> Figure:
        """Highest rung reached by an actor (:func:`escalsim.plot.rungs`)."""
        from escalsim.plot.ladder import rungs

        return rungs(self._results, actor, **options)

    def milestones(self, **options: Any) -> Figure:
        """When milestones are reached (:func:`escalsim.plot.milestones`)."""
        from escalsim.plot.timing import milestones

        return milestones(self._results, **options)

    def driver(self, param: str | None = None, **options: Any) -> Figure:
        """Outcome probabilities against one parameter (:func:`escalsim.plot.driver`)."""
        from escalsim.plot.drivers import driver

        return driver(self._results, param, **options)

    def beliefs(self, **options: Any) -> Figure:
        """Beliefs in resolve over time, as fan charts (:func:`escalsim.plot.beliefs`)."""
        from escalsim.plot.history import beliefs

        return beliefs(self._results, **options)

    def cohesion(self, **options: Any) -> Figure:
        """Cohesion over time, as a fan chart (:func:`escalsim.plot.cohesion`)."""
        from escalsim.plot.history import cohesion

        return cohesion(self._results, **options)

    def rungs_over_time(self, **options: Any) -> Figure:
        """Rungs over time, as fan charts (:func:`escalsim.plot.rungs_over_time`)."""
        from escalsim.plot.history import rungs_over_time

        return rungs_over_time(self._results, **options)

    def comparison(
        self,
        *others: Results,
        labels: Sequence[str] | None = None,
        **options: Any,
    ) -> Figure:
        """These results beside others (:func:`escalsim.plot.comparison`), this one first."""
        from escalsim.plot.distribution import comparison

        return comparison([self._results, *others], labels=labels, **options)

    def standard(self, folder: str | os.PathLike[str], **options: Any) -> list[Path]:
        """Write the standard figures into a folder (:func:`escalsim.plot.standard_figures`)."""
        from escalsim.plot.files import standard_figures

        return standard_figures(self._results, folder, **options)
