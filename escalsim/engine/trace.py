"""Decision traces: what each decision of a run weighed, kept only when tracing is on.

The engine hands every decision to :class:`DecisionTrace` at one place of each decision path,
just before the chosen option is carried out; with tracing off it holds None and builds
nothing. A trace is columnar and small: per option its kind, argument, utility, choice
probability, whether it was chosen and whether it was (one of) the best, and the chance of
its success roll; per decision the time, actor, context, sender and the state the actor saw
(rungs, cohesion, standing demands and threats, every belief, each probability over an actor's
types) and, for a typed actor's choice, the observers' probabilities of its types afterwards.

Utilities are NaN where the rule does not use them (a scripted rule); probabilities are NaN
where the rule does not say them (a Python callable): :func:`untraced` says so in one line.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from escalsim.engine.record import Trace
from escalsim.model.rules import CallableRule, DecisionView, Option, ScriptedRule
from escalsim.model.rules import logit_probabilities as _logit
from escalsim.model.types import bayes

if TYPE_CHECKING:
    from escalsim.engine.simulation import Simulation
    from escalsim.model.params import ActorParams

NAN = math.nan

TIE = 1e-6
"""Options within this share of the best utility (at least this much in absolute terms) are
best too: a tie up to the rounding of sums that reach the same value by two routes."""


OPTION_COLUMNS = ("option", "arg", "utility", "probability", "chosen", "best", "success")
"""The values of each option of a trace, in this order."""


class DecisionTrace:
    """Collects one run's decisions; :meth:`done` hands them over as a :class:`Trace`."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        params, st = sim.params, sim.state
        self.options: list[tuple[Any, ...]] = []
        self.decisions: list[tuple[Any, ...]] = []
        state: dict[str, Callable[[], Any]] = {}
        for aid, p in params.actors.items():
            if p.ladder:
                state[f"rung.{aid}"] = _getter(st.rung, aid)
        if st.cohesion is not None:
            state["cohesion"] = sim.valuation.cohesion_now
        for aid, p in params.actors.items():
            if p.demands and p.opponent is not None:
                state[f"demand.{aid}"] = self._demand_of(aid)
                if p.ladder:
                    state[f"threat.{aid}"] = self._threat_of(aid)
        for observer, p in params.actors.items():
            for about in p.beliefs:
                state[f"belief.{observer}.{about}"] = self._belief_of(observer, about)
        self.typed = list(params.type_beliefs)
        for observer, about in self.typed:
            state[f"belief.{observer}.{about}"] = self._belief_of(observer, about)
        for observer, about in self.typed:
            for i, name in enumerate(params.types[about].names):
                state[f"type.{observer}.{about}.{name}"] = self._type_of(observer, about, i)
        self.state = tuple(state.values())
        self.posterior = {
            (o, x, i): f"posterior.{o}.{x}.{name}"
            for o, x in self.typed
            for i, name in enumerate(params.types[x].names)
        }
        self.columns = (
            "time",
            "actor",
            "context",
            "sender",
            "options",
            *state,
            *self.posterior.values(),
        )

    # --- the state an actor sees -----------------------------------------------------------
    def _demand_of(self, aid: str) -> Callable[[], str]:
        demand = self.sim.state.demand
        return lambda: demand[aid] or ""

    def _threat_of(self, aid: str) -> Callable[[], str]:
        sim = self.sim

        def threat() -> str:
            a = sim.params.actors[aid]
            r = sim.valuation.threat_rung(a, sim.state.code)
            return "" if r is None else a.ladder[r].name

        return threat

    def _belief_of(self, observer: str, about: str) -> Callable[[], float]:
        sim = self.sim
        return lambda: sim.valuation.belief(observer, about)

    def _type_of(self, observer: str, about: str, i: int) -> Callable[[], float]:
        typed = self.sim.state.typed
        return lambda: typed[(observer, about)][i]

    # --- the two decision paths of the engine ----------------------------------------------
    def decision(
        self,
        a: ActorParams,
        context: str,
        sender: str | None,
        options: list[Option],
        index: int,
        rule: Any,
    ) -> None:
        """A decision by a logit actor (``rule`` None), a scripted one or a Python rule."""
        if rule is None:
            chance = _logit([o.utility for o in options], a.rationality)
        elif isinstance(rule, ScriptedRule):
            sim = self.sim
            view = DecisionView(
                a.id, sim.now, context, tuple(options), lambda f: sim.scorer.feature(a.id, f)
            )
            scripted = rule.probabilities(view)
            if scripted is None:  # no case held: the actor holds for sure
                scripted = [float(i == index) for i in range(len(options))]
            chance = scripted
        else:  # a Python callable does not say how likely its choice was
            chance = [NAN] * len(options)
        self._option_rows(a, options, chance, index)
        self._decision_row(a, context, sender, len(options), {})

    def watched(
        self,
        a: ActorParams,
        context: str,
        sender: str | None,
        options: list[Option],
        chance: list[float],
        index: int,
        likelihood: list[float] | None,
    ) -> None:
        """A decision of an actor with types that others watch: the true type's options and
        probabilities, and what each observer believes of its types after seeing it (the
        ``likelihood`` of the choice under each type; None when no one saw it)."""
        after: dict[str, float] = {}
        typed = self.sim.state.typed
        for (o, x, i), column in self.posterior.items():
            if x == a.id:
                prior = typed[(o, x)]
                after[column] = bayes(prior, likelihood)[i] if likelihood is not None else prior[i]
        self._option_rows(a, options, chance, index)
        self._decision_row(a, context, sender, len(options), after)

    def _option_rows(
        self, a: ActorParams, options: list[Option], chance: list[float], index: int
    ) -> None:
        """A row per option of a decision (:data:`OPTION_COLUMNS`)."""
        top = max((o.utility for o in options if o.utility == o.utility), default=None)
        near = None if top is None else top - TIE * max(1.0, abs(top))
        add, arg, success, actions = self.options.append, self._arg, self._success, a.actions
        for i, o in enumerate(options):
            u, kind = o.utility, o.kind
            best = None if near is None else u >= near
            # only a climb or a custom action may roll for an outcome
            rolls = kind == "climb" or kind in actions
            add((kind, arg(a, o), u, chance[i], i == index, best, success(a, o) if rolls else NAN))

    def _decision_row(
        self,
        a: ActorParams,
        context: str,
        sender: str | None,
        count: int,
        after: Mapping[str, float],
    ) -> None:
        """The row of a decision among ``count`` options: when, who, why, the state the actor
        saw and, by column, the observers' probabilities of its types afterwards (``after``)."""
        self.decisions.append(
            (
                self.sim.now,
                a.id,
                context,
                sender or "",
                count,
                *[read() for read in self.state],
                *[after.get(column, NAN) for column in self.posterior.values()],
            )
        )

    @staticmethod
    def _arg(a: ActorParams, o: Option) -> str:
        """The option's argument as text: a rung's name, a deal's name, or empty."""
        if o.arg is None:
            return ""
        if o.kind in ("climb", "descend"):
            return a.ladder[o.arg].name
        return str(o.arg)

    def _success(self, a: ActorParams, o: Option) -> float:
        """The chance the actor expects the option's attempt to succeed when success ends the
        run (a rung or an action that triggers an outcome); NaN for an option without such a
        roll. The roll itself uses the run's draw (its ``params``)."""
        sim = self.sim
        if o.kind == "climb":
            if (a.id, o.arg) in sim.rung_outcome:
                return a.ladder[o.arg].expected_success
            return NAN
        act = a.actions.get(o.kind)
        if act is not None and sim.triggers.action_out(a.id, o.kind) is not None:
            return sim.valuation.custom_success(act)  # with its coordination, at this cohesion
        return NAN

    def done(self) -> Trace:
        return Trace(self.columns, self.decisions, self.options)


def _getter(mapping: Mapping[str, Any], key: str) -> Callable[[], Any]:
    return lambda: mapping[key]


def untraced(rules: Mapping[str, Any] | None) -> str | None:
    """The one line that says what a trace lacks under these Python decision rules, or None.

    A Python callable says which option it picks, not how likely it was to pick each: its
    decisions are traced with their options, utilities and state, and probabilities NaN.
    That is never an error: every decision still has something to trace.
    """
    opaque = sorted(
        aid
        for aid, rule in (rules or {}).items()
        if isinstance(rule, CallableRule)
        or (callable(rule) and not isinstance(rule, (ScriptedRule, str)))
    )
    if not opaque:
        return None
    who = ", ".join(repr(a) for a in opaque)
    return (
        f"trace: {who} decide{'s' if len(opaque) == 1 else ''} by a Python rule, which does not "
        "say how likely its choice was: those decisions are traced with their options, "
        "utilities and state, and choice probability NaN"
    )
