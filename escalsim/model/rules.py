"""Decision rules: logit (quantal response) over utilities, scripted cases, or a Python callable.

A rule receives the options an actor has now (each with its expected utility) and picks one,
drawing exactly one uniform number from the actor's stream whatever it decides.
The default is the logit rule ``P(a) ∝ exp(λ U(a))``; a scenario may script an actor instead,
and Python code may pass any callable taking a :class:`DecisionView`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from escalsim.errors import RunError

if TYPE_CHECKING:
    from escalsim.model.options import OptionScorer


@dataclass(slots=True, init=False)
class Option:
    """One thing an actor can do now: its kind (e.g. ``climb``), argument and utility."""

    kind: str
    arg: Any
    utility: float

    def __init__(self, kind: str, arg: Any, utility: float) -> None:
        # written out, not generated: a compiled build then builds options natively
        self.kind = kind
        self.arg = arg
        self.utility = utility


@dataclass(frozen=True, slots=True)
class DecisionView:
    """What a callable decision rule sees: who decides, when, why, the state and the options."""

    actor: str
    time: float
    context: str
    options: tuple[Option, ...]
    feature: Callable[[str], float]


def logit_weights(utilities: list[float], rationality: float) -> list[float] | None:
    """The options' logit weights ``exp(λ (U - max U))``, unnormalised; None when the choice
    is uniform (λ = 0, or one option). Only the infinitely good options weigh when some are."""
    if rationality <= 0.0 or len(utilities) == 1:
        return None
    top = -math.inf
    for u in utilities:
        if u > top:  # NaN never is: it counts as -inf
            top = u
    if top == math.inf:  # the limit of exp(λ U): only the infinitely good options remain
        return [1.0 if u == math.inf else 0.0 for u in utilities]
    return [math.exp(rationality * (u - top)) if u > -math.inf else 0.0 for u in utilities]


def logit_draw(weights: list[float] | None, n: int, rng: random.Random) -> int:
    """Index among ``n`` options drawn with the :func:`logit_weights` ``weights``."""
    if weights is None:
        return min(int(rng.random() * n), n - 1)
    return weighted_index(weights, rng)


def logit_index(utilities: list[float], rationality: float, rng: random.Random) -> int:
    """Index drawn with probability ∝ exp(λ U); λ = 0 is uniform, a huge λ the best response.

    Like every rule, it draws exactly one uniform number per decision, so that runs under
    different rules or scenarios keep their random streams in step.
    """
    return logit_draw(logit_weights(utilities, rationality), len(utilities), rng)


def normalised(weights: list[float] | None, n: int) -> list[float]:
    """The choice probabilities of :func:`logit_weights` ``weights`` among ``n`` options."""
    if weights is None:
        return [1.0 / n] * n
    total = sum(weights)
    if not total > 0.0:  # nothing has a finite value: uniform, as logit_index
        return [1.0 / n] * n
    return [w / total for w in weights]


def logit_probabilities(utilities: list[float], rationality: float) -> list[float]:
    """The choice probabilities with which :func:`logit_index` picks each option."""
    return normalised(logit_weights(utilities, rationality), len(utilities))


def weighted_index(weights: list[float], u: float | random.Random) -> int:
    """Index drawn with probability proportional to non-negative weights, from one uniform u."""
    if not isinstance(u, float):
        u = u.random()
    total = sum(weights)
    if not total > 0.0:
        return min(int(u * len(weights)), len(weights) - 1)
    x = u * total
    acc = 0.0
    for i, w in enumerate(weights):
        acc += w
        if x < acc:
            return i
    return len(weights) - 1


Condition = tuple[str, float | None, float | None, float | None, float | None, float | None]
"""A scripted case's condition: the feature, then its bounds lt, le, gt, ge and eq."""


def _holds(value: float, c: Condition) -> bool:
    """Whether a feature's value meets a condition's bounds."""
    _, lt, le, gt, ge, eq = c
    return not (
        (lt is not None and not value < lt)
        or (le is not None and not value <= le)
        or (gt is not None and not value > gt)
        or (ge is not None and not value >= ge)
        or (eq is not None and abs(value - eq) > 1e-9)
    )


class ScriptedRule:
    """The first case whose conditions all hold picks among its actions by weight.

    It reads the deciding actor's state features from the run's option scorer and never the
    options' utilities; the engine and the trace call it directly (a Python rule sees a
    :class:`DecisionView` instead)."""

    __slots__ = ("cases",)
    needs_utilities = False  # the cases read state features, never the options' utilities

    def __init__(self, spec: Any):
        self.cases: list[tuple[list[Condition], dict[str, float]]] = [
            (
                [
                    (feat, cond.lt, cond.le, cond.gt, cond.ge, cond.eq)
                    for feat, cond in case.when.items()
                ],
                dict(case.choose),
            )
            for case in spec.scripted
        ]

    def _case(
        self, options: list[Option], scorer: OptionScorer, actor: str
    ) -> tuple[list[int], list[float]] | None:
        """The options the first case that holds names (the first option of each kind it
        names: the smallest climb, the first deal) and their weights; None if no case holds
        or none of its kinds is open."""
        for conditions, choose in self.cases:
            held = True
            for c in conditions:
                if not _holds(scorer.feature(actor, c[0]), c):
                    held = False
                    break
            if held:
                firsts: dict[str, int] = {}
                for i, o in enumerate(options):
                    if o.kind in choose and o.kind not in firsts:
                        firsts[o.kind] = i
                if not firsts:
                    return None
                return list(firsts.values()), [choose[k] for k in firsts]
        return None

    def choose(
        self, options: list[Option], scorer: OptionScorer, actor: str, rng: random.Random
    ) -> int | None:
        """The index of the option ``actor`` picks (None: no case holds, it holds)."""
        u = rng.random()
        case = self._case(options, scorer, actor)
        if case is None:
            return None
        picks, weights = case
        return picks[weighted_index(weights, u)]

    def probabilities(
        self, options: list[Option], scorer: OptionScorer, actor: str
    ) -> list[float] | None:
        """The chance that :meth:`choose` picks each option (None: no case holds, and the
        actor holds for sure). Reads the state only: it draws nothing."""
        case = self._case(options, scorer, actor)
        if case is None:
            return None
        picks, weights = case
        total = sum(weights)
        if not total > 0.0:  # as weighted_index: uniform over the kinds named
            weights, total = [1.0] * len(picks), float(len(picks))
        out = [0.0] * len(options)
        for i, w in zip(picks, weights, strict=True):
            out[i] = w / total
        return out


class CallableRule:
    """Wraps a Python callable ``f(view) -> kind | {kind: probability} | Option index``."""

    __slots__ = ("fn",)
    needs_utilities = True

    def __init__(self, fn: Callable[[DecisionView], Any]):
        self.fn = fn

    def choose(self, view: DecisionView, rng: random.Random) -> int | None:
        u = rng.random()
        answer = self.fn(view)
        kinds = [o.kind for o in view.options]
        if answer is None:
            return None
        if isinstance(answer, int) and not isinstance(answer, bool):
            if 0 <= answer < len(kinds):
                return answer
            raise RunError(f"decision rule for '{view.actor}' returned index {answer} out of range")
        if isinstance(answer, str):
            answer = {answer: 1.0}
        if isinstance(answer, dict):
            unknown = [k for k in answer if k not in kinds]
            if unknown:
                raise RunError(
                    f"decision rule for '{view.actor}' chose {unknown[0]!r}, not available now "
                    f"(options: {sorted(set(kinds))})"
                )
            picks = [(kinds.index(k), float(w)) for k, w in answer.items()]
            return picks[weighted_index([w for _, w in picks], u)][0]
        raise RunError(f"decision rule for '{view.actor}' returned {answer!r}")


def make_rule(rule: Any) -> Any:
    """The rule object for an actor: None for logit, else a scripted or callable rule."""
    if rule is None or rule == "logit":
        return None
    if isinstance(rule, (ScriptedRule, CallableRule)):
        return rule
    if hasattr(rule, "scripted"):
        return ScriptedRule(rule)
    if callable(rule):
        return CallableRule(rule)
    raise RunError(f"unknown decision rule {rule!r}")
