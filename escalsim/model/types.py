"""Private types: each run draws every typed actor's true type; observers learn it by Bayes.

An actor with types acts on its true type's incentives. Every other actor that holds a belief
about it holds a probability for each type, and after every action it sees, multiplies it by the
chance that each type would have taken that action (its logit choice probability, computed
from that type's incentives in the same state) and normalises: Bayes' rule.
"""

from __future__ import annotations

import random
from dataclasses import replace

from escalsim.model.params import RunParams


def bayes(prior: tuple[float, ...], likelihood: list[float]) -> tuple[float, ...]:
    """Posterior over types after an action with the given likelihood under each type.

    An action that no type would take (all likelihoods 0) leaves the belief where it was.
    """
    joint = [p * lk for p, lk in zip(prior, likelihood, strict=True)]
    total = sum(joint)
    if not total > 0.0:
        return prior
    return tuple(j / total for j in joint)


def seen(context: str, kind: str) -> bool:
    """Whether observers see a choice and learn from it: every choice but quietly holding at a
    review."""
    return context != "review" or kind != "hold"


def draw_types(
    params: RunParams, streams: dict[str, random.Random]
) -> tuple[RunParams, dict[str, float]]:
    """This run's true types: the parameters with each typed actor's type in place, and a row
    entry ``type.<actor>`` giving the index of its type (in the order the scenario lists them).

    Each actor's type is drawn from a stream of its own (``~type.<actor>``), so that adding
    types to one actor leaves every other random stream of the run unchanged.
    """
    if not params.types:
        return params, {}
    actors = dict(params.actors)
    row = {}
    for aid, ts in params.types.items():
        u = streams[f"~type.{aid}"].random()
        index, acc = len(ts.priors) - 1, 0.0
        for i, p in enumerate(ts.priors):
            acc += p
            if u < acc:
                index = i
                break
        actors[aid] = ts.variants[index]
        row[f"type.{aid}"] = float(index)
    return replace(params, actors=actors), row
