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

The first three take the :class:`~escalsim.RunSettings` of :func:`escalsim.simulate` (local
processes by default, ``"serial"``, ``"dask"`` or an Executor), show a progress bar when
interactive, and give the same table for the same seed. Their figures are in
:mod:`escalsim.plot` (``tornado``, ``sweep_curves``, ``paired_differences``).
"""

from escalsim.analysis.compare import Comparison, compare
from escalsim.analysis.explain import explain
from escalsim.analysis.intervals import (
    independent_difference_interval,
    paired_difference_interval,
)
from escalsim.analysis.lint import lint
from escalsim.analysis.outcomes import outcome_groups
from escalsim.analysis.paths import paths
from escalsim.analysis.ranges import parameter_ranges
from escalsim.analysis.sensitivity import sensitivity
from escalsim.analysis.sweep import parse_grid, sweep

__all__ = [
    "Comparison",
    "compare",
    "explain",
    "independent_difference_interval",
    "lint",
    "outcome_groups",
    "paired_difference_interval",
    "parameter_ranges",
    "parse_grid",
    "paths",
    "sensitivity",
    "sweep",
]
