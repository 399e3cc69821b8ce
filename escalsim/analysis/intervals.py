"""Intervals for a difference of two outcome probabilities: paired runs, or independent ones.

Paired (two ensembles run on common random numbers, run ``i`` of each from the same seed):
the Agresti–Min interval. Runs are paired 2×2: both ended in the outcome, only the base,
only the variant, neither. Only the discordant counts ``b`` (base only) and ``c`` (variant
only) carry information on the difference; Agresti and Min add ½ to each of the four cells
(so 2 to ``n``) and take the Wald interval of the adjusted difference:

    p12 = (b + ½) / (n + 2),  p21 = (c + ½) / (n + 2),  d* = p21 - p12
    d* ± z · sqrt((p12 + p21 - d*²) / (n + 2))

Why this one rather than the plain normal interval on the mean of the per-run differences:
with common random numbers most pairs agree, so discordant runs are few, often none, and the
plain interval then collapses to a single point (zero width) or is far too short. The ½
pseudo-counts keep it honest there at no cost for large counts (it converges to the plain
interval), and its coverage is close to nominal even for small discordant counts (Agresti &
Min 2005, "Simple improved confidence intervals for comparing matched proportions",
Statistics in Medicine 24:729–740, their "Wald+2"). ``escalsim.plot.outcome_differences``
uses the same interval, so a table and a figure of the same comparison agree.

Independent (different seeds): Newcombe's hybrid score interval, built from the two Wilson
intervals (Newcombe 1998, Statistics in Medicine 17:873–890, method 10).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from escalsim.results.stats import Z95, wilson_interval


def paired_difference_interval(
    n: Any, base_only: Any, variant_only: Any, z: float = Z95
) -> tuple[Any, Any]:
    """Agresti–Min interval for ``p_variant - p_base`` from ``n`` paired runs.

    ``base_only`` counts the pairs whose base run ended in the outcome and whose variant run
    did not; ``variant_only`` the reverse. Scalars or arrays; the interval is clipped to
    [-1, 1]. NaN where ``n`` is 0.
    """
    n_arr = np.asarray(n, dtype="float64")
    b = np.asarray(base_only, dtype="float64")
    c = np.asarray(variant_only, dtype="float64")
    if np.any(b < 0) or np.any(c < 0) or np.any(b + c > n_arr):
        raise ValueError(
            f"need 0 <= base_only, variant_only and base_only + variant_only <= n, got "
            f"n={n!r}, base_only={base_only!r}, variant_only={variant_only!r}"
        )
    m = n_arr + 2.0
    p12, p21 = (b + 0.5) / m, (c + 0.5) / m
    centre = p21 - p12
    half = z * np.sqrt(np.maximum(p12 + p21 - centre**2, 0.0) / m)
    low = np.where(n_arr == 0, np.nan, np.clip(centre - half, -1.0, 1.0))
    high = np.where(n_arr == 0, np.nan, np.clip(centre + half, -1.0, 1.0))
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def independent_difference_interval(
    k_base: Any, n_base: Any, k_variant: Any, n_variant: Any, z: float = Z95
) -> tuple[Any, Any]:
    """Newcombe's hybrid score interval for ``p_variant - p_base`` from independent samples
    (``k`` of ``n`` runs ended in the outcome in each). Scalars or arrays."""
    kb, nb = np.asarray(k_base, dtype="float64"), np.asarray(n_base, dtype="float64")
    kv, nv = np.asarray(k_variant, dtype="float64"), np.asarray(n_variant, dtype="float64")
    lb, hb = wilson_interval(kb, nb, z)
    lv, hv = wilson_interval(kv, nv, z)
    with np.errstate(invalid="ignore", divide="ignore"):
        pb, pv = kb / nb, kv / nv
    d = pv - pb
    low = d - np.sqrt((pv - np.asarray(lv)) ** 2 + (np.asarray(hb) - pb) ** 2)
    high = d + np.sqrt((np.asarray(hv) - pv) ** 2 + (pb - np.asarray(lb)) ** 2)
    if np.ndim(low) == 0:
        return float(low), float(high)
    return low, high
