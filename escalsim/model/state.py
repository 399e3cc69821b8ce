"""The mutable state of one run: rungs, beliefs, cohesion, the negotiation, what was reached."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from escalsim.model.params import RunParams


def beta_mean(alpha: float, beta: float) -> float:
    """Mean of a Beta(alpha, beta) belief: 0.5 without weight, and safe at the float limits."""
    total = alpha + beta
    if 0.0 < total < math.inf:
        return alpha / total
    if total == 0.0 or alpha == beta:  # no weight at all (underflow), or two infinities
        return 0.5
    if math.isinf(alpha) or math.isinf(beta):
        return 1.0 if alpha > beta else 0.0
    return (alpha / 2) / (alpha / 2 + beta / 2)  # two finite weights whose sum overflows


@dataclass(slots=True)
class Offer:
    """A deal on the table: who proposed it to whom, and who has accepted it so far."""

    deal: str
    proposer: str
    parties: tuple[str, ...]
    accepted: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Cohesion:
    """Cohesion in [0, 1] of one actor, worn by pressure and pulled back to a baseline.

    Between changes of pressure ``dC/dt = -P C + k (C0 - C)``, which is solved exactly, so the
    value is only computed when someone needs it.
    """

    actor: str
    level: float
    baseline: float
    recovery: float
    rally_boost: float
    since: float = 0.0
    pressure: float = 0.0

    def at(self, t: float) -> float:
        rate = self.pressure + self.recovery
        if rate <= 0.0 or t <= self.since:
            return self.level
        eq = self.recovery * self.baseline / rate
        return eq + (self.level - eq) * math.exp(-rate * (t - self.since))

    def set_pressure(self, t: float, pressure: float) -> None:
        self.level = self.at(t)
        self.since = t
        self.pressure = pressure

    def boost(self, t: float, amount: float) -> None:
        self.level = min(1.0, max(0.0, self.at(t) + amount))
        self.since = t


class RungCoding:
    """A rung vector as one integer: actor ``i``'s rung is digit ``i`` of a mixed-radix number
    whose bases are the ladders' lengths. Valuations key their caches by it and move an actor
    to another rung with one addition, where a dict of rungs would be copied and hashed."""

    __slots__ = ("ids", "sizes", "strides")

    def __init__(self, params: RunParams):
        self.ids: tuple[str, ...] = tuple(params.actors)
        sizes, strides, stride = [], [], 1
        for a in params.actors.values():
            sizes.append(max(1, len(a.ladder)))
            strides.append(stride)
            stride *= sizes[-1]
        self.sizes: tuple[int, ...] = tuple(sizes)
        self.strides: tuple[int, ...] = tuple(strides)

    def encode(self, rung: dict[str, int]) -> int:
        """The code of a rung vector given actor by actor."""
        return sum(rung[aid] * s for aid, s in zip(self.ids, self.strides, strict=True))

    def rung(self, code: int, index: int) -> int:
        """The rung of the actor at ``index`` in the vector ``code``."""
        return code // self.strides[index] % self.sizes[index]

    def moved(self, code: int, index: int, r: int) -> int:
        """The vector ``code`` with the actor at ``index`` on rung ``r``."""
        return code + (r - code // self.strides[index] % self.sizes[index]) * self.strides[index]


class RunState:
    """Everything that changes during a run."""

    __slots__ = (
        "alpha",
        "beta",
        "channel_open",
        "code",
        "coding",
        "cohesion",
        "counters",
        "deadline",
        "deadline_gen",
        "deadline_missed",
        "demand",
        "guarantees",
        "max_rung",
        "milestones",
        "outcome",
        "outcome_time",
        "proposal",
        "public_threat",
        "refused",
        "rung",
        "spent",
        "typed",
    )

    def __init__(self, params: RunParams, mechanisms_cohesion: bool):
        actors = params.actors
        self.rung: dict[str, int] = {a: 0 for a in actors}
        """Each actor's rung (changed by :meth:`set_rung` only, which keeps ``code`` in step)."""
        self.coding = RungCoding(params)
        self.code = 0
        """The rung vector as one integer (:class:`RungCoding`)."""
        self.max_rung: dict[str, int] = {a: 0 for a in actors}
        self.alpha: dict[tuple[str, str], float] = {}
        self.beta: dict[tuple[str, str], float] = {}
        for a, p in actors.items():
            for other, (al, be) in p.beliefs.items():
                self.alpha[(a, other)] = al
                self.beta[(a, other)] = be
        self.typed: dict[tuple[str, str], tuple[float, ...]] = dict(params.type_beliefs)
        """(observer, actor) -> the observer's probability of each of the actor's types."""
        self.demand: dict[str, str | None] = {a: None for a in actors}
        self.public_threat: dict[str, bool] = {a: False for a in actors}
        self.deadline: dict[str, float | None] = {a: None for a in actors}
        self.deadline_gen: dict[str, int] = {a: 0 for a in actors}
        self.deadline_missed = False
        self.counters: dict[str, str | None] = {a: None for a in actors}
        self.proposal: Offer | None = None
        self.refused: dict[str, float] = {}
        self.spent: set[tuple[str, int]] = set()
        self.channel_open = True
        self.guarantees: dict[str, float] = {}
        self.milestones: dict[str, float] = {}
        self.outcome: str | None = None
        self.outcome_time = 0.0
        self.cohesion: Cohesion | None = None
        c = params.cohesion
        if c is not None:
            self.cohesion = Cohesion(
                actor=c.actor,
                level=c.initial,
                baseline=c.baseline if mechanisms_cohesion else c.initial,
                recovery=c.recovery if mechanisms_cohesion else 0.0,
                rally_boost=c.rally_boost if mechanisms_cohesion else 0.0,
            )

    def set_rung(self, index: int, r: int) -> None:
        """Put the actor at ``index`` (in the actors' order) on rung ``r``."""
        aid = self.coding.ids[index]
        self.rung[aid] = r
        if r > self.max_rung[aid]:
            self.max_rung[aid] = r
        self.code = self.coding.moved(self.code, index, r)

    def belief(self, who: str, about: str) -> float:
        """Mean of ``who``'s Beta belief in ``about``'s resolve (0.5 when it holds none).

        Beliefs about an actor with types are probabilities over its types: the valuation
        turns them into a chance of resolve (:meth:`Valuation.belief`)."""
        al = self.alpha.get((who, about))
        if al is None:
            return 0.5
        return beta_mean(al, self.beta[(who, about)])
