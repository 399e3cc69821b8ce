"""The paired probe: does changing an uncertain parameter move any run's outcome?

Each uncertain parameter is pinned at its 1st and then its 99th percentile, the others drawn
as usual, and the same ``runs`` seeds run at both ends (common random numbers: run ``i`` at
both ends differs only by that parameter). A parameter that moved the outcome of none of
them is reported. It is a probe, not a proof: a parameter that matters only in rare states
may need more runs to show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from escalsim.analysis.batch import PointsJob, run_batch
from escalsim.analysis.lint.findings import Finding
from escalsim.analysis.ranges import TAIL, parameter_range

if TYPE_CHECKING:
    from escalsim.ensemble.settings import RunSettings
    from escalsim.scenario.schema import Scenario


@dataclass(frozen=True)
class ProbeSize:
    """How much a probe runs: two ends of each uncertain parameter, ``runs`` runs at each."""

    parameters: int
    runs: int
    seed: int

    @property
    def total(self) -> int:
        return 2 * self.parameters * self.runs

    def __str__(self) -> str:
        return (
            f"the probe ran {self.total:,} runs: {self.runs:,} paired runs (seed {self.seed}) at "
            f"the {TAIL:.0%} and {1 - TAIL:.0%} quantiles of each of {self.parameters} "
            "uncertain parameters"
        )


def probe_findings(
    sc: Scenario, runs: int, seed: int, settings: RunSettings, skip: set[str]
) -> tuple[list[Finding], ProbeSize]:
    """A finding for each uncertain parameter (but those in ``skip``, and those whose two
    ends are one value) whose two ends gave every run the same outcome; and the probe's size."""
    from escalsim.engine import prepare

    uncertain = {p: d for p, d in sc.uncertain().items() if p not in skip}
    ends = {p: parameter_range(d, "distribution") for p, d in uncertain.items()}
    ends = {p: (low, high) for p, (low, high) in ends.items() if low < high}
    size = ProbeSize(len(ends), runs, seed)
    if not ends:
        return [], size
    base = prepare(sc, settings.rules)
    prepared = []
    for path, (low, high) in ends.items():
        prepared += [base.pin({path: low}), base.pin({path: high})]
    job = PointsJob(prepared=tuple(prepared), per_point=runs, outcomes=tuple(sc.outcomes))
    codes = run_batch(job, seed, settings, f"{sc.name} probe")
    out = []
    for j, (path, (low, high)) in enumerate(ends.items()):
        if (codes[2 * j] == codes[2 * j + 1]).all():
            out.append(
                Finding(
                    path,
                    f"setting it to {low:.4g} or to {high:.4g} (its {TAIL:.0%} and "
                    f"{1 - TAIL:.0%} quantiles) gave the same outcome in each of {runs:,} "
                    "paired runs: it moves no outcome",
                    check="no-effect",
                )
            )
    return out, size
