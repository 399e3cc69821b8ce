"""Cross-field checks of private types and of the beliefs held about them."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from escalsim.scenario.distributions import Distribution

if TYPE_CHECKING:
    from escalsim.scenario.schema import Actor, Belief, Scenario

Bad = Callable[[str, str], None]
Need = Callable[[str, "str | None", list, str], None]

PRIOR_TOLERANCE = 1e-6
"""How far fixed prior probabilities may sum from 1 (rounding in a hand-written file)."""


def _sum_problem(probabilities: dict[str, object]) -> str | None:
    """Why fixed probabilities do not sum to 1, or None (distributions are normalised per run)."""
    if any(isinstance(p, Distribution) for p in probabilities.values()):
        return None
    total = math.fsum(float(p) for p in probabilities.values())  # type: ignore[arg-type]
    if abs(total - 1.0) > PRIOR_TOLERANCE:
        return f"the probabilities of the types must sum to 1, got {total:g}"
    return None


def check_types(sc: Scenario, bad: Bad, need: Need) -> None:
    """Types name real outcomes and rungs, their priors sum to 1, and every belief about an
    actor fits it: a probability per type for an actor with types, a mean for one without."""
    for aid, actor in sc.actors.items():
        if actor.types:
            _check_type_specs(sc, aid, actor, bad, need)
        for other, belief in actor.beliefs.items():
            subject = sc.actors.get(other)
            if subject is not None:  # an unknown actor is reported by the reference checks
                _check_belief(f"actors.{aid}.beliefs.{other}", other, subject, belief, bad, need)


def _check_type_specs(sc: Scenario, aid: str, actor: Actor, bad: Bad, need: Need) -> None:
    base = f"actors.{aid}"
    if actor.rule != "logit":
        bad(
            f"{base}.types",
            "types need the logit rule: a scripted rule ignores incentives, so its types "
            "would all act alike",
        )
    problem = _sum_problem({t: spec.prior for t, spec in actor.types.items()})
    if problem:
        bad(f"{base}.types", problem)
    outcomes = list(sc.outcomes)
    rungs = [r.name for r in actor.ladder]
    for tname, spec in actor.types.items():
        path = f"{base}.types.{tname}"
        for outcome in spec.incentives.values:
            need(f"{path}.incentives.values.{outcome}", outcome, outcomes, "outcome")
        for rung in spec.rung_costs:
            need(f"{path}.rung_costs.{rung}", rung, rungs, "rung")


def _check_belief(
    path: str, other: str, subject: Actor, belief: Belief, bad: Bad, need: Need
) -> None:
    if not subject.types:
        if belief.types is not None:
            bad(f"{path}.types", f"'{other}' has no types: give a mean (and a weight)")
        if belief.mean is None:
            bad(f"{path}.mean", "a belief about an actor without types needs a mean")
        return
    if belief.mean is not None:
        bad(
            f"{path}.mean",
            f"'{other}' has types: a belief about it is a probability for each type "
            "(types: {...}), or nothing for the types' own priors",
        )
    if belief.types is None:
        return
    names = list(subject.types)
    for tname in belief.types:
        need(f"{path}.types.{tname}", tname, names, f"type of '{other}'")
    missing = [t for t in names if t not in belief.types]
    if missing:
        bad(f"{path}.types", f"no probability for type '{missing[0]}'")
    problem = _sum_problem(dict(belief.types))
    if problem:
        bad(f"{path}.types", problem)
