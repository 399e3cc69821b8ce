"""Plots of ensemble results and of the analyses, with matplotlib.

Every function takes a Results (``outcomes`` also a summary DataFrame; ``tornado``,
``sweep_curves``, ``paired_differences``, ``trajectory`` and ``reliability`` the result of an
analysis; ``tradeoff``, ``box_limits``, ``feature_scores`` and ``discovery_panels`` a scenario
discovery) and an optional
matplotlib ``ax`` to draw into, and returns the Figure; none calls ``pyplot.show()`` or
touches pyplot's global state. The same plots are methods of ``results.plot``. Each outcome
has one colour in every figure (:func:`outcome_colors`). ``import escalsim`` does not import
this package or matplotlib; ``results.plot`` does, on first use.

>>> fig = results.plot.outcomes()                        # doctest: +SKIP
>>> fig.savefig("outcomes.png", dpi=100)                 # doctest: +SKIP
>>> standard_figures(results, "figures/")                # doctest: +SKIP
"""

from escalsim.plot._common import PALETTE, outcome_colors
from escalsim.plot.accessor import PlotAccessor
from escalsim.plot.analysis import paired_differences, sweep_curves, tornado
from escalsim.plot.discovery import box_limits, discovery_panels, feature_scores, tradeoff
from escalsim.plot.distribution import comparison, outcome_differences, outcomes
from escalsim.plot.drivers import binned, driver, strongest_driver
from escalsim.plot.files import STANDARD, check_figure_folder, save_figure, standard_figures
from escalsim.plot.forecast import reliability, trajectory
from escalsim.plot.history import beliefs, cohesion, fan, rungs_over_time
from escalsim.plot.ladder import rungs
from escalsim.plot.timing import incidence, milestones

__all__ = [
    "PALETTE",
    "STANDARD",
    "PlotAccessor",
    "beliefs",
    "binned",
    "box_limits",
    "check_figure_folder",
    "cohesion",
    "comparison",
    "discovery_panels",
    "driver",
    "fan",
    "feature_scores",
    "incidence",
    "milestones",
    "outcome_colors",
    "outcome_differences",
    "outcomes",
    "paired_differences",
    "reliability",
    "rungs",
    "rungs_over_time",
    "save_figure",
    "standard_figures",
    "strongest_driver",
    "sweep_curves",
    "tornado",
    "tradeoff",
    "trajectory",
]
