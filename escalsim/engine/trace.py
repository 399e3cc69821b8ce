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
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from escalsim.engine.record import Trace
from escalsim.model.rules import CallableRule, Option, ScriptedRule, normalised
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

RUNG, COHESION, DEMAND, THREAT, BELIEF, TYPE = range(6)
"""What a state column reads (the first of its read's four fields; see ``_state_now``)."""

Read = tuple[int, str, str, int]
"""A state column's read: what it reads, of whom (and about whom, which type)."""


class DecisionTrace:
    """Collects one run's decisions; :meth:`done` hands them over as a :class:`Trace`."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        params, st = sim.params, sim.state
        self.options: list[list[Any]] = [[] for _ in OPTION_COLUMNS]
        state: dict[str, Read] = {}
        for aid, p in params.actors.items():
            if p.ladder:
                state[f"rung.{aid}"] = (RUNG, aid, "", 0)
        if st.cohesion is not None:
            state["cohesion"] = (COHESION, "", "", 0)
        for aid, p in params.actors.items():
            if p.demands and p.opponent is not None:
                state[f"demand.{aid}"] = (DEMAND, aid, "", 0)
                if p.ladder:
                    state[f"threat.{aid}"] = (THREAT, aid, "", 0)
        for observer, p in params.actors.items():
            for about in p.beliefs:
                state[f"belief.{observer}.{about}"] = (BELIEF, observer, about, 0)
        self.typed = list(params.type_beliefs)
        for observer, about in self.typed:
            state[f"belief.{observer}.{about}"] = (BELIEF, observer, about, 0)
        for observer, about in self.typed:
            for i, name in enumerate(params.types[about].names):
                state[f"type.{observer}.{about}.{name}"] = (TYPE, observer, about, i)
        self.state = list(state.values())
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
        self.decisions: list[list[Any]] = [[] for _ in self.columns]

    # --- the state an actor sees -----------------------------------------------------------
    def _read_state(self, first: int) -> None:
        """Add the state columns' values now to the decision columns from ``first`` on (one
        branch per kind of read, so that a compiled build calls no closure per column)."""
        sim = self.sim
        st, val = sim.state, sim.valuation
        for j, (kind, x, y, i) in enumerate(self.state):
            out = self.decisions[first + j]
            if kind == RUNG:
                out.append(st.rung[x])
            elif kind == COHESION:
                out.append(val.cohesion_now())
            elif kind == DEMAND:
                out.append(st.demand[x] or "")
            elif kind == THREAT:
                a = sim.params.actors[x]
                r = val.threat_rung(a, st.code)
                out.append("" if r is None else a.ladder[r].name)
            elif kind == BELIEF:
                out.append(val.belief(x, y))
            else:
                out.append(st.typed[(x, y)][i])

    # --- the two decision paths of the engine ----------------------------------------------
    def decision(
        self,
        a: ActorParams,
        context: str,
        sender: str | None,
        options: list[Option],
        index: int,
        rule: Any,
        weights: list[float] | None = None,
    ) -> None:
        """A decision by a logit actor (``rule`` None, with the ``weights`` it drew by), a
        scripted one or a Python rule."""
        if rule is None:
            chance = normalised(weights, len(options))
        elif isinstance(rule, ScriptedRule):
            scripted = rule.probabilities(options, self.sim.scorer, a.id)
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
        """A value per option of a decision in each of :data:`OPTION_COLUMNS`."""
        top: float | None = None  # the best utility (NaN is no utility)
        for o in options:
            u = o.utility
            if u == u and (top is None or u > top):
                top = u
        near = None if top is None else top - TIE * max(1.0, abs(top))
        kinds, args, utilities, probabilities, chosen, best, success = self.options
        actions = a.actions
        for i, o in enumerate(options):
            u, kind = o.utility, o.kind
            kinds.append(kind)
            args.append(_arg(a, o))
            utilities.append(u)
            probabilities.append(chance[i])
            chosen.append(i == index)
            best.append(None if near is None else u >= near)
            # only a climb or a custom action may roll for an outcome
            rolls = kind == "climb" or kind in actions
            success.append(self._success(a, o) if rolls else NAN)

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
        cols = self.decisions
        cols[0].append(self.sim.now)
        cols[1].append(a.id)
        cols[2].append(context)
        cols[3].append(sender or "")
        cols[4].append(count)
        self._read_state(5)
        first = 5 + len(self.state)
        for j, column in enumerate(self.posterior.values()):
            cols[first + j].append(after.get(column, NAN))

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


def _arg(a: ActorParams, o: Option) -> str:
    """The option's argument as text: a rung's name, a deal's name, or empty."""
    if o.arg is None:
        return ""
    if o.kind in ("climb", "descend"):
        return a.ladder[o.arg].name
    return str(o.arg)


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
