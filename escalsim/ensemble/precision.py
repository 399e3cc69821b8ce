"""Adaptive run counts: stop at the first run count where every outcome is known precisely.

The rule is checked after every run, in run order, so where it stops depends only on the seed
and the runs' outcomes: not on chunk sizes, workers or the executor.
"""

from __future__ import annotations

import math

import numpy as np

from escalsim.results.stats import Z95, wilson_half_width

DEFAULT_MAX_RUNS = 1_000_000
"""Cap of adaptive runs; at p = 0.5 it gives a half-width near 0.001."""


def check_precision(precision: object) -> float:
    if isinstance(precision, bool) or not isinstance(precision, (int, float)):
        raise TypeError(f"precision must be a number, got {precision!r}")
    if not (0 < precision <= 0.5 and math.isfinite(precision)):
        raise ValueError(f"precision must be in (0, 0.5], got {precision!r}")
    return float(precision)


class PrecisionRule:
    """Feeds on the outcome codes of consecutive runs; finds the first run count ``n`` with
    ``n >= min_runs`` at which every outcome's Wilson half-width is at most ``precision``."""

    def __init__(self, n_outcomes: int, precision: float, min_runs: int, z: float = Z95):
        self.precision = precision
        self.min_runs = min_runs
        self.z = z
        self.counts = np.zeros(n_outcomes, dtype="int64")
        self.n = 0
        self.met = False

    def feed(self, codes: np.ndarray) -> int | None:
        """Take the next runs' outcome codes; return how many of them to keep if the target
        is met within them (the rule then stops), else None (all are kept)."""
        m = len(codes)
        if m == 0 or self.met:
            return None
        onehot = np.zeros((m, len(self.counts)), dtype="int64")
        onehot[np.arange(m), codes] = 1
        cum = self.counts + np.cumsum(onehot, axis=0)
        n = self.n + np.arange(1, m + 1)
        half = wilson_half_width(cum, n[:, None], self.z)
        ok = (n >= self.min_runs) & np.all(half <= self.precision, axis=1)
        hits = np.flatnonzero(ok)
        if len(hits):
            keep = int(hits[0]) + 1
            self.counts = cum[keep - 1]
            self.n += keep
            self.met = True
            return keep
        self.counts = cum[-1]
        self.n += m
        return None

    def widest(self) -> float:
        """The largest half-width among the outcomes so far."""
        if self.n == 0:
            return math.nan
        return float(np.max(wilson_half_width(self.counts, np.full(self.counts.shape, self.n))))
