"""Whether two ensembles on the same seeds still share their random numbers run by run.

Run ``i`` of a base and of a variant use the same seed, and the engine draws the uncertain
parameters in path order from one stream, each reported event's inclusion from another (one
number per event, in date order) and each actor's type from a stream of its own. Where the
variant draws a different set of parameters (a distribution turned into a number, or the
reverse, or a new one), or a distribution that takes a different count of random numbers,
the draws after it in path order shift: run ``i`` of each then uses its random numbers
differently, and the comparison, still valid, is less sharp. :class:`Pairing` says so, and
in how many runs an input drawn alike in both scenarios came out differently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from escalsim.results import Results
    from escalsim.scenario.schema import Scenario


@dataclass(frozen=True)
class Pairing:
    """How well run ``i`` of a variant is paired with run ``i`` of its base.

    ``differing`` counts the runs in which an input that both scenarios draw alike (the same
    path, the same distribution) came out differently; ``only_base`` and ``only_variant``
    name the uncertain parameters one scenario draws and the other does not, ``redrawn``
    those both draw from different distributions.
    """

    runs: int
    differing: int
    only_base: tuple[str, ...] = ()
    only_variant: tuple[str, ...] = ()
    redrawn: tuple[str, ...] = ()

    @property
    def broken(self) -> bool:
        """Whether some run drew a shared input differently."""
        return self.differing > 0

    def note(
        self, variant: str = "the variant", base: str = "the base", *, advice: bool = True
    ) -> str | None:
        """One sentence for a broken pairing (None when it holds); ``advice`` adds how to
        keep runs in step."""
        if not self.broken:
            return None
        causes = []
        if self.only_base:
            names = self.only_base
            causes.append(f"{_names(names)} {_is(names)} drawn by {base}, not by {variant}")
        if self.only_variant:
            names = self.only_variant
            causes.append(f"{_names(names)} {_is(names)} drawn by {variant}, not by {base}")
        if self.redrawn:
            causes.append(f"{_names(self.redrawn)} {_is(self.redrawn)} drawn differently")
        why = "; ".join(causes) or f"{variant} draws its inputs in another order"
        text = (
            f"the common-random-number pairing is broken in {self.differing:,} of "
            f"{self.runs:,} runs: {why}, so the draws that follow in path order differ"
        )
        if advice:
            text += (
                " (the comparison holds but is less sharp; to keep runs in step, change a "
                "distribution's parameters rather than replace it by a number)"
            )
        return text

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Pairing:
        """The pairing that :meth:`as_dict` wrote."""
        names = ("only_base", "only_variant", "redrawn")
        return cls(data["runs"], data["differing"], *(tuple(data[n]) for n in names))

    def as_dict(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "differing": self.differing,
            "broken": self.broken,
            "only_base": list(self.only_base),
            "only_variant": list(self.only_variant),
            "redrawn": list(self.redrawn),
        }


def _names(paths: Sequence[str], most: int = 3) -> str:
    shown = ", ".join(paths[:most])
    return shown + (f" and {len(paths) - most} more" if len(paths) > most else "")


def _is(paths: Sequence[str]) -> str:
    return "is" if len(paths) == 1 else "are"


def _draw_specs(sc: Scenario) -> dict[str, Any]:
    """What decides the value of each drawn input of a run: a parameter's distribution, a
    reported event's inclusion probability, an actor's type priors (by column name)."""
    specs: dict[str, Any] = dict(sc.uncertain())
    if sc.mechanisms.history:
        from escalsim.scenario.parameters import item_name

        for i, ev in enumerate(sc.history):
            rel = ev.reliability
            specs[f"history.{item_name(ev, i)}"] = (
                sc.reliability[rel] if isinstance(rel, str) else rel
            )
    for aid, actor in sc.actors.items():
        if actor.types:
            specs[f"type.{aid}"] = tuple((t, spec.prior) for t, spec in actor.types.items())
    return specs


def _sets(base: Scenario, variant: Scenario) -> tuple[list[str], Pairing]:
    """The inputs both draw alike, and the pairing's description (runs still to count):
    the parameters and reported events one draws and the other does not (an actor's type
    has a stream of its own and shifts nothing), and the parameters drawn from different
    distributions."""
    ub, uv = base.uncertain(), variant.uncertain()
    sb, sv = _draw_specs(base), _draw_specs(variant)
    shared = [k for k in sb if k in sv and sb[k] == sv[k]]
    own = [k for k in sb if not k.startswith("type.")]
    theirs = [k for k in sv if not k.startswith("type.")]
    return shared, Pairing(
        runs=0,
        differing=0,
        only_base=tuple(k for k in own if k not in sv),
        only_variant=tuple(k for k in theirs if k not in sb),
        redrawn=tuple(p for p in ub if p in uv and ub[p] != uv[p]),
    )


def results_pairing(base: Results, variant: Results) -> Pairing:
    """The pairing of two ensembles run on the same seeds, from their runs tables."""
    shared, described = _sets(base.scenario, variant.scenario)
    a, b = base.runs, variant.runs
    columns = [f"param.{k}" for k in shared if f"param.{k}" in a and f"param.{k}" in b]
    differing = 0
    if columns and len(a):
        x = a[columns].to_numpy(dtype=float)
        y = b[columns].to_numpy(dtype=float)
        differing = int(np.sum(np.any((x != y) & ~(np.isnan(x) & np.isnan(y)), axis=1)))
    return Pairing(
        len(a), differing, described.only_base, described.only_variant, described.redrawn
    )


def draws_pairing(base: Scenario, variant: Scenario, runs: int, seed: int) -> Pairing:
    """The pairing of the uncertain parameters of two scenarios over ``runs`` runs of root
    seed ``seed``, drawn as the engine draws them (without running anything)."""
    shared, described = _sets(base, variant)
    ub = base.uncertain()
    shared = [k for k in shared if k in ub]
    differing = 0
    if shared and (described.only_base or described.only_variant or described.redrawn):
        from escalsim.engine import run_seed

        for i in range(runs):
            s = run_seed(seed, i)
            # as escalsim.engine.run.build_simulation draws them
            x = base.sample(np.random.default_rng(np.random.SeedSequence(s)))
            y = variant.sample(np.random.default_rng(np.random.SeedSequence(s)))
            differing += any(x[k] != y[k] for k in shared)
    return Pairing(runs, differing, described.only_base, described.only_variant, described.redrawn)
