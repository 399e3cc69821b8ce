"""The range over which a sensitivity analysis varies each uncertain parameter, and quantiles.

A sensitivity analysis works on the unit cube: a sample ``u`` in [0, 1] becomes a value of
each parameter in one of two spaces.

- ``space="support"`` (the default): evenly over the parameter's *support*, ``low + u *
  (high - low)``. The range is the support where that is a closed, finite interval
  (uniform, beta, triangular, choice, a normal with bounds): every value the scenario
  declares possible, and none it does not. Where the support is unbounded (a normal without
  bounds, a log-normal above) or open (a log-normal's 0), that end is the 1st or 99th
  percentile instead: an infinite range cannot be sampled evenly, and the far tails, which
  the scenario gives little weight, would otherwise decide the result. Every value in the
  range counts alike, so the indices say how much each parameter *can* move an outcome.
- ``space="distribution"``: through the declared distribution, ``quantile(0.01 + u * 0.98)``,
  so likely values count more and the indices say how much of the outcome's variance each
  parameter's *declared uncertainty* explains (Sobol' indices are defined with respect to
  the inputs' distributions). The range is the 1st–99th percentile for every parameter:
  Morris' grid includes ``u = 0`` and ``u = 1``, which would otherwise land on the extremes
  of the support (a belief of exactly 0 or 1) that the declared distribution all but rules
  out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np

from escalsim.scenario.distributions import (
    Beta,
    Choice,
    Distribution,
    LogNormal,
    Normal,
    Triangular,
    Uniform,
)

if TYPE_CHECKING:
    from escalsim.scenario.schema import Scenario

TAIL = 0.01
"""The quantile that stands in for an unbounded or open end of a support (and 1 - TAIL), and
the quantiles that bound every range in the "distribution" space."""

SPACES = ("support", "distribution")

_EPS = 1e-15


def _unit(q: float) -> float:
    return min(max(q, _EPS), 1.0 - _EPS)


def quantile(dist: Distribution, q: float) -> float:
    """The ``q``-quantile (0 <= q <= 1) of a distribution (for a choice: the smallest value
    whose cumulative weight reaches ``q``)."""
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"a quantile needs 0 <= q <= 1, got {q}")
    if isinstance(dist, Uniform):
        lo, hi = dist.uniform
        return lo + q * (hi - lo)
    if isinstance(dist, Beta):
        from scipy.special import betaincinv

        return float(betaincinv(*dist.beta, q))
    if isinstance(dist, Normal):
        nd = NormalDist(*dist.normal)
        lo_c, hi_c = (0.0, 1.0) if dist.bounds is None else (nd.cdf(b) for b in dist.bounds)
        x = nd.inv_cdf(_unit(lo_c + q * (hi_c - lo_c)))
        if dist.bounds is not None:
            x = min(max(x, dist.bounds[0]), dist.bounds[1])
        return x
    if isinstance(dist, Triangular):
        lo, mode, hi = dist.triangular
        cut = (mode - lo) / (hi - lo)
        if q <= cut:
            return lo + math.sqrt(q * (hi - lo) * (mode - lo))
        return hi - math.sqrt((1.0 - q) * (hi - lo) * (hi - mode))
    if isinstance(dist, LogNormal):
        mu, sigma = dist.lognormal
        return math.exp(mu + sigma * NormalDist().inv_cdf(_unit(q)))
    if isinstance(dist, Choice):
        values = sorted(dist.choice)
        weights = np.array([dist.choice[v] for v in values], dtype=float)
        cum = np.cumsum(weights) / weights.sum()
        return float(values[min(int(np.searchsorted(cum, q - 1e-12)), len(values) - 1)])
    raise TypeError(f"no quantile function for the distribution {dist!r}")


def quantile_bounds(dist: Distribution) -> tuple[float, float]:
    """The quantiles that bound the range: 0 and 1, or ``TAIL`` and ``1 - TAIL`` for an
    unbounded or open end of the support."""
    lo, hi = dist.support
    q_lo = 0.0 if math.isfinite(lo) and not getattr(dist, "open_low", False) else TAIL
    q_hi = 1.0 if math.isfinite(hi) else 1.0 - TAIL
    return q_lo, q_hi


def _check_space(space: str) -> None:
    if space not in SPACES:
        raise ValueError(f"space must be one of {SPACES}, got {space!r}")


def parameter_range(dist: Distribution, space: str = "support") -> tuple[float, float]:
    """The range a sensitivity analysis varies a parameter over (see the module docstring)."""
    _check_space(space)
    if space == "distribution":
        return quantile(dist, TAIL), quantile(dist, 1.0 - TAIL)
    lo, hi = dist.support
    q_lo, q_hi = quantile_bounds(dist)
    low = lo if q_lo == 0.0 else quantile(dist, q_lo)
    high = hi if q_hi == 1.0 else quantile(dist, q_hi)
    return float(low), float(high)


def from_unit(dist: Distribution, u: np.ndarray, space: str = "support") -> np.ndarray:
    """Values of the parameter for points ``u`` of [0, 1], in the given space."""
    _check_space(space)
    u = np.asarray(u, dtype=float)
    if np.any((u < 0.0) | (u > 1.0)):
        raise ValueError("points of the unit interval must be in [0, 1]")
    if space == "support":
        low, high = parameter_range(dist)
        return low + u * (high - low)
    return np.array([quantile(dist, TAIL + x * (1.0 - 2.0 * TAIL)) for x in u.tolist()])


def parameter_ranges(
    scenario: Scenario, parameters: Sequence[str] | None = None, space: str = "support"
) -> dict[str, tuple[float, float]]:
    """The range of each uncertain parameter of the scenario (or of the given paths) in the
    given space: what :func:`escalsim.analysis.sensitivity` varies it over."""
    uncertain = scenario.uncertain()
    paths = list(uncertain) if parameters is None else check_parameters(uncertain, parameters)
    return {p: parameter_range(uncertain[p], space) for p in paths}


def check_parameters(uncertain: dict[str, Distribution], parameters: Sequence[str]) -> list[str]:
    """The paths as a list, if each is an uncertain parameter (once); else ValueError."""
    from escalsim.text import suggest

    if isinstance(parameters, str):
        parameters = [parameters]
    paths = list(parameters)
    if not paths:
        raise ValueError("parameters: the selection is empty")
    for p in paths:
        if p not in uncertain:
            raise ValueError(
                f"not an uncertain parameter of the scenario: {p!r}{suggest(p, uncertain)}"
            )
    if len(set(paths)) != len(paths):
        raise ValueError(f"parameters repeat: {paths}")
    return paths
