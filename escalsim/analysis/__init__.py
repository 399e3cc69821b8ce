"""Understanding why: paired what-if comparisons, parameter sweeps and global sensitivity.

- :func:`compare` runs two scenarios on common random numbers and reports, per outcome, the
  paired difference of their probabilities with a 95% interval;
- :func:`sweep` gives outcome probabilities over a grid of one or two parameters;
- :func:`sensitivity` ranks the uncertain parameters by how much they move each outcome's
  probability (Sobol' indices or Morris screening, with SALib);
- :func:`paths` counts, across an ensemble with event logs, the last steps before each
  outcome;
- :func:`lint` names the inputs of a valid scenario that change nothing (and, with a paired
  probe, the uncertain parameters that move no outcome).
- :func:`explain` tells one run's choices with their reasons, from its decision trace.
- :func:`trajectory` runs the as-of forecast at each of a series of dates;
- :func:`calibrate` fits one or two parameters to target statistics;
- :func:`score` scores a forecast against a questions file (:func:`load_questions`), and
  :func:`reliability_table` bins the scored forecasts for a reliability diagram.

The first three take the :class:`~escalsim.RunSettings` of :func:`escalsim.simulate` (local
processes by default, ``"serial"``, ``"dask"`` or an Executor), show a progress bar when
interactive, and give the same table for the same seed. Their figures are in
:mod:`escalsim.plot` (``tornado``, ``sweep_curves``, ``paired_differences``).
"""

from escalsim.analysis.calibrate import Calibration, calibrate
from escalsim.analysis.compare import Comparison, compare
from escalsim.analysis.explain import explain
from escalsim.analysis.intervals import (
    independent_difference_interval,
    paired_difference_interval,
)
from escalsim.analysis.lint import lint
from escalsim.analysis.outcomes import outcome_groups
from escalsim.analysis.paths import paths
from escalsim.analysis.questions import load_questions
from escalsim.analysis.ranges import parameter_ranges
from escalsim.analysis.scoring import reliability_table, score
from escalsim.analysis.sensitivity import sensitivity
from escalsim.analysis.sweep import parse_grid, sweep
from escalsim.analysis.trajectory import trajectory

__all__ = [
    "Calibration",
    "Comparison",
    "calibrate",
    "compare",
    "explain",
    "independent_difference_interval",
    "lint",
    "load_questions",
    "outcome_groups",
    "paired_difference_interval",
    "parameter_ranges",
    "parse_grid",
    "paths",
    "reliability_table",
    "score",
    "sensitivity",
    "sweep",
    "trajectory",
]
