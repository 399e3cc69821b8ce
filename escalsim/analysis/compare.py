"""Paired what-if comparison: two scenarios run on common random numbers.

Run ``i`` of an ensemble with root seed ``S`` uses the seed ``run_seed(S, i)`` whatever the
scenario, and the engine keys its random streams by actor and process name and draws the
uncertain parameters in path order. So run ``i`` of the base and run ``i`` of the variant
share their random numbers wherever the scenarios agree, and mostly end alike: the paired
difference of an outcome's probability has a far narrower interval than the difference of two
independent ensembles of the same size.

To keep the runs in step, change a distribution's parameters (``{uniform: [12, 32]}`` for
``{uniform: [10, 30]}``) or a fixed number, rather than turn a distribution into a number or
back: that adds or removes a draw and shifts the draws of the parameters after it in path
order. The comparison stays valid either way (the pairs are still independent of each
other); it is only less sharp. ``Comparison.pairing`` says when that happened, and in how
many runs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from escalsim.analysis.intervals import paired_difference_interval
from escalsim.analysis.outcomes import OutcomeSpec, outcome_groups
from escalsim.analysis.pairing import Pairing, results_pairing
from escalsim.errors import ResultsError
from escalsim.results.stats import Z95

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.ensemble.settings import RunSettings
    from escalsim.results import Results
    from escalsim.scenario.schema import Scenario


@dataclass(frozen=True)
class Comparison:
    """Two ensembles run on the same seeds, run by run: the base and the variant.

    ``table()`` gives, per outcome, both probabilities and the paired difference
    ``p_variant - p_base`` with its 95% interval (Agresti–Min, see
    :mod:`escalsim.analysis.intervals`). ``pairing`` says whether the runs really are paired
    (the variant may draw a different set of uncertain parameters).
    """

    base: Results
    variant: Results

    def __post_init__(self) -> None:
        a, b = self.base.runs, self.variant.runs
        if len(a) != len(b) or not np.array_equal(a["seed"].to_numpy(), b["seed"].to_numpy()):
            raise ResultsError(
                "the two results are not paired: a comparison needs the same run count and "
                f"root seed (got {len(a)} runs with seed {self.base.provenance.get('seed')} "
                f"and {len(b)} runs with seed {self.variant.provenance.get('seed')})"
            )

    @property
    def runs(self) -> int:
        """The number of pairs of runs."""
        return len(self.base.runs)

    @cached_property
    def pairing(self) -> Pairing:
        """Whether run ``i`` of both drew their shared inputs alike (common random numbers),
        and in how many runs they did not (:class:`~escalsim.analysis.pairing.Pairing`)."""
        return results_pairing(self.base, self.variant)

    @property
    def seed(self) -> int | None:
        """The root seed both ensembles used (None if the provenance does not say)."""
        return self.base.provenance.get("seed")

    def outcomes(self) -> list[str]:
        """Every outcome of either scenario: the base's, then the variant's new ones."""
        names = list(self.base.scenario.outcomes)
        return names + [o for o in self.variant.scenario.outcomes if o not in names]

    def table(self, outcomes: OutcomeSpec = None, z: float = Z95) -> pd.DataFrame:
        """Per outcome (or union of outcomes, see :mod:`escalsim.analysis.outcomes`):
        ``p_base``, ``p_variant``, ``diff`` (variant - base), ``ci_low`` and ``ci_high`` of the
        paired difference, and the discordant pair counts ``base_only`` and ``variant_only``
        (runs that ended in the outcome in one scenario and not in the other)."""
        import pandas as pd

        groups = outcome_groups(self.outcomes(), outcomes)
        ob = self.base.runs["outcome"].astype(str).to_numpy()
        ov = self.variant.runs["outcome"].astype(str).to_numpy()
        n = len(ob)
        rows = []
        for label, members in groups.items():
            xb, xv = np.isin(ob, members), np.isin(ov, members)
            base_only = int(np.sum(xb & ~xv))
            variant_only = int(np.sum(~xb & xv))
            low, high = paired_difference_interval(n, base_only, variant_only, z)
            pb = float(xb.mean()) if n else float("nan")
            pv = float(xv.mean()) if n else float("nan")
            rows.append(
                {
                    "outcome": label,
                    "p_base": pb,
                    "p_variant": pv,
                    "diff": pv - pb,
                    "ci_low": low,
                    "ci_high": high,
                    "base_only": base_only,
                    "variant_only": variant_only,
                }
            )
        out = pd.DataFrame(rows)
        out["outcome"] = pd.Categorical(out["outcome"], categories=list(groups), ordered=False)
        out.attrs.update(self.provenance())
        return out

    def provenance(self) -> dict[str, Any]:
        """What made this comparison: scenarios, their hashes, seed, runs, version."""
        pb, pv = self.base.provenance, self.variant.provenance
        return {
            "analysis": "compare",
            "base": self.base.scenario.name,
            "variant": self.variant.scenario.name,
            "base_sha256": pb.get("scenario_sha256"),
            "variant_sha256": pv.get("scenario_sha256"),
            "seed": self.seed,
            "runs": self.runs,
            "pairing": self.pairing.as_dict(),
            "escalsim_version": pb.get("escalsim_version"),
        }

    def __repr__(self) -> str:
        """A few lines: the two scenarios, the runs, and the largest changes."""
        from escalsim.analysis.compare_view import text

        return text(self)

    def _repr_html_(self) -> str:
        """The notebook view: every outcome's probability in both and the paired change."""
        from escalsim.analysis.compare_view import html_view

        return html_view(self)


def compare(
    base: Scenario | str | os.PathLike[str],
    variant: Scenario | str | os.PathLike[str] | Mapping[str, Any],
    runs: int = 1000,
    seed: int = 0,
    *,
    settings: RunSettings | None = None,
) -> Comparison:
    """Run ``base`` and ``variant`` on common random numbers and compare them run by run.

    Parameters
    ----------
    base
        A Scenario or a scenario file.
    variant
        A Scenario, a scenario file, or a mapping of dotted paths to new values applied to
        ``base`` (as :meth:`Scenario.with_values`), e.g.
        ``{"actors.us.incentives.audience_cost": {"uniform": [12, 32]}}``.
    runs, seed
        Runs of each scenario and the root seed they share: run ``i`` of both uses
        ``run_seed(seed, i)``. Both ensembles have exactly ``runs`` runs, in memory.
    settings
        How to run both ensembles (:class:`~escalsim.RunSettings`: executor, workers, chunk
        size, progress, event logs, Python rules), as for :func:`escalsim.simulate`.

    Returns
    -------
    Comparison
        ``.table()`` per outcome; ``.base`` and ``.variant`` are the two Results.
    """
    from escalsim.ensemble.simulate import simulate
    from escalsim.scenario import as_scenario

    base_sc = as_scenario(base, "base")
    if isinstance(variant, Mapping):
        variant_sc = base_sc.with_values(dict(variant))
    else:
        variant_sc = as_scenario(variant, "variant")
    results_base = simulate(base_sc, runs, seed, settings=settings)
    results_variant = simulate(variant_sc, runs, seed, settings=settings)
    return Comparison(results_base, results_variant)
