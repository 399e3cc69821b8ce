"""One run: actors and exogenous processes as SimPy processes in one environment.

Each actor reviews the situation on its own clock (exponential waiting times) and reacts to
messages (demands, counter-offers, proposals, deadlines, incidents) after a response delay.
At each decision it lists what it can do, scores each option with the closed-form look-ahead
of :mod:`escalsim.model.valuation`, and lets its decision rule pick.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import simpy

from escalsim.engine.record import Event
from escalsim.errors import RunError
from escalsim.model.options import OptionScorer
from escalsim.model.params import (
    ActorParams,
    CollapseParams,
    IncidentsParams,
    RunParams,
    Switches,
)
from escalsim.model.rules import (
    DecisionView,
    Option,
    ScriptedRule,
    logit_draw,
    logit_probabilities,
    logit_weights,
    weighted_index,
)
from escalsim.model.state import Offer, RunState
from escalsim.model.triggers import Triggers
from escalsim.model.types import bayes, seen
from escalsim.model.valuation import Valuation

if TYPE_CHECKING:
    from escalsim.engine.trace import DecisionTrace

MAX_STEPS = 200_000
STEPS_PER_ACTOR_DAY = 100
"""A run that has processed ``MAX_STEPS + STEPS_PER_ACTOR_DAY * actors * horizon`` simulation
events without ending is stopped with a RunError: a storm of events is an error, never a hang."""

WINDOWED_ABOVE = 10_000.0
"""Above this many expected candidate times per run (rate x horizon), collapse and incident
times are drawn window by window between scheduled events, at the rate reachable there."""


class Simulation:
    """State, processes and actions of one run.

    It holds the run's :class:`Valuation` (what states and deals are worth) and the
    :class:`OptionScorer` built on it; it owns the clock, and starts each decision on the
    valuation at the time it is taken.
    """

    def __init__(
        self,
        params: RunParams,
        triggers: Triggers,
        mech: Any,
        horizon: float,
        rngs: dict[str, random.Random],
        rules: dict[str, Any],
        keep_events: bool,
        start: dt.date | None = None,
    ):
        self.params = params
        self.mech = mech = Switches.of(mech)
        self.state = RunState(params, mech.cohesion)
        self.triggers = triggers
        self.rung_outcome = triggers.rung_outcome
        self.valuation = Valuation(
            params, self.state, mech, triggers.event_outcome, triggers.rung_outcome
        )
        self.scorer = OptionScorer(self.valuation, triggers)
        self.now = 0.0
        """The run's clock: the day of what is being done (negative while the history is
        replayed); moved by the engine's processes and by :meth:`set_time`."""
        self.horizon = horizon
        self.rngs = rngs
        self.rules = rules
        self.keep = keep_events
        self.start = dt.datetime(start.year, start.month, start.day) if start else None
        self.log: list[Event] = []
        self.n_events = 0
        self.env = simpy.Environment()
        self.done = self.env.event()
        self.observers = {
            a: [o for o, p in params.actors.items() if a in p.beliefs] for a in params.actors
        }
        self.watchers = {a: [o for o, x in params.type_beliefs if x == a] for a in params.types}
        """Actors with types -> the actors holding a probability over their types."""
        self.tracer: DecisionTrace | None = None
        """Set (by ``build_simulation``) when the run keeps a decision trace."""

    # --- bookkeeping ------------------------------------------------------------------------
    def set_time(self, t: float) -> None:
        """Move the run's clock to day ``t`` (the history replay dates each event it applies)."""
        self.now = t

    def record(self, actor: str, kind: str, target: str | None = None, **payload: Any) -> None:
        t = self.now
        if t > 0.0:  # the history, dated at or before the start (t <= 0), is not counted
            self.n_events += 1
        if self.keep:
            when = self.start + dt.timedelta(days=t) if self.start is not None else None
            self.log.append(Event(t, actor, kind, target, payload, when))

    def mark(self, names: tuple[str, ...]) -> None:
        """Record milestones: the first time in the run; a history time (at or before the start,
        t <= 0: every event of the run itself comes after a positive delay) only until the run
        reaches the milestone again."""
        ms, now = self.state.milestones, self.now
        for name in names:
            t = ms.get(name)
            if t is None or t <= 0.0 < now:
                ms[name] = now

    def finish(self, outcome: str | None, actor: str = "", **payload: Any) -> None:
        """End the run with an outcome (the history, replayed at t <= 0, never ends it)."""
        st = self.state
        if st.outcome is not None or outcome is None or self.now <= 0.0:
            return
        st.outcome = outcome
        st.outcome_time = self.now
        self.record(actor or "-", "outcome", None, outcome=outcome, **payload)
        if not self.done.triggered:
            self.done.succeed()

    def signal(self, about: str, success: float = 0.0, failure: float = 0.0) -> None:
        """Observers of ``about`` add pseudo-observations to their belief in its resolve."""
        if not self.mech.signals or (success == 0.0 and failure == 0.0):
            return
        st = self.state
        for o in self.observers[about]:
            st.alpha[(o, about)] += success
            st.beta[(o, about)] += failure

    # --- the run ----------------------------------------------------------------------------
    def run(self) -> None:
        env = self.env
        self.now = 0.0
        self._refresh_pressure()
        for a in self.params.actors.values():
            if self._is_active(a):
                env.process(self._review_loop(a))
        col = self.params.collapse
        col = col if col is not None and self.mech.collapse and col.max_hazard > 0 else None
        inc = self.params.incidents
        inc = inc if inc is not None and self.mech.incidents and inc.rate > 0 else None
        fastest = max(col.max_hazard if col else 0.0, inc.rate if inc else 0.0)
        if fastest * self.horizon > WINDOWED_ABOVE:
            env.process(self._hazard_windows(col, inc))
        else:
            if col is not None:
                env.process(self._collapse_loop(col))
            if inc is not None:
                env.process(self._incident_loop(inc))
        for cid, when in self.state.deadline.items():
            if when is not None and when > 0.0:
                self._schedule_deadline(cid, when)
        env.timeout(self.horizon).callbacks.append(self._at_horizon)
        step, done = env.step, self.done
        limit = MAX_STEPS + STEPS_PER_ACTOR_DAY * len(self.params.actors) * math.ceil(self.horizon)
        for _ in range(limit):
            if done.processed:
                return
            step()
        if not done.processed:
            raise RunError(
                f"the run was stopped after {limit:,} simulation events at day {env.now:.4g}"
                f" of {self.horizon:g}: events are too frequent (check review_days, "
                "response_days, processes.collapse.max_hazard and processes.incidents.rate)"
            )

    def _at_horizon(self, _ev: Any) -> None:
        self.now = self.horizon
        self.finish(self.triggers.event_outcome["horizon"])

    def _is_active(self, a: ActorParams) -> bool:
        return bool(a.repertoire - {"hold"}) or bool(a.actions)

    def _review_loop(self, a: ActorParams):
        rng = self.rngs[a.id]
        rate = 1.0 / a.review_days
        timeout = self.env.timeout
        while True:
            yield timeout(rng.expovariate(rate))
            self.now = self.env.now
            if self.state.outcome is not None:
                return
            self.decide(a, "review", None)

    def _collapse_loop(self, col: CollapseParams):
        """Thinning: candidate times at the maximal hazard, kept with probability h(C)/h_max."""
        rng = self.rngs["~collapse"]
        h_max, shape = col.max_hazard, col.shape
        while True:
            yield self.env.timeout(rng.expovariate(h_max))
            self.now = self.env.now
            if self.state.outcome is not None:
                return
            coh = self.state.cohesion
            c = coh.at(self.now) if coh is not None else None
            if c is None or rng.random() < max(0.0, 1.0 - c) ** shape:
                self._collapse(col, c)
                return

    def _collapse(self, col: CollapseParams, c: float | None) -> None:
        self.mark(self.triggers.event_milestones.get("collapse", ()))
        self.finish(self.triggers.event_outcome.get("collapse"), col.actor, cohesion=c)

    def _incident_loop(self, inc: IncidentsParams):
        rng = self.rngs["~incidents"]
        a, b = inc.between
        pa, pb = self.params.actors[a], self.params.actors[b]
        while True:
            yield self.env.timeout(rng.expovariate(inc.rate))
            self.now = self.env.now
            st = self.state
            if st.outcome is not None:
                return
            posture = pa.ladder[st.rung[a]].posture * pb.ladder[st.rung[b]].posture
            if rng.random() < posture and self._clash(inc, rng):
                return

    def _clash_rate(self, inc: IncidentsParams) -> float:
        """Incidents per day now: the rate times both sides' posture."""
        (a, b), actors, rung = inc.between, self.params.actors, self.state.rung
        return inc.rate * actors[a].ladder[rung[a]].posture * actors[b].ladder[rung[b]].posture

    def _clash(self, inc: IncidentsParams, rng: random.Random) -> bool:
        """An incident between the two sides; True when it ended the run."""
        st = self.state
        a, b = inc.between
        pa = self.params.actors[a]
        self.record(a, "incident", b)
        self.mark(self.triggers.event_milestones.get("incident", ()))
        self.finish(self.triggers.event_outcome.get("incident"), a)
        if st.outcome is not None:
            return True
        self.signal(a, inc.signal)
        self.signal(b, inc.signal)
        up = st.rung[a] + 1
        # an unplanned step up never reaches a rung that ends the crisis by itself
        accidental = up < len(pa.ladder) and (a, up) not in self.rung_outcome
        if rng.random() < inc.escalation and accidental:
            self.do_climb(pa, up, cause="incident")
        if st.outcome is None:
            self.send(a, "incident", b)
            self.send(b, "incident", a)
        return st.outcome is not None

    def _hazard_windows(self, col: CollapseParams | None, inc: IncidentsParams | None):
        """Collapse and incidents when a rate is huge (rate x horizon above WINDOWED_ABOVE).

        Between two scheduled events only cohesion changes, and it moves one way: the next
        collapse candidate is drawn at the hazard of the window's lower cohesion (none while
        cohesion is 1) and the next clash at the current clash rate (none at zero posture).
        A window where neither comes ends at the next event, where both are drawn afresh.
        """
        env, st = self.env, self.state
        coh = st.cohesion
        while True:
            t0, t1 = env.now, min(env.peek(), self.horizon)
            wait_c = wait_i = bound = math.inf
            if col is not None:
                low = min(coh.at(t0), coh.at(t1)) if coh is not None else 0.0
                bound = col.max_hazard * max(0.0, 1.0 - low) ** col.shape
                if bound > 0.0:
                    wait_c = self.rngs["~collapse"].expovariate(bound)
            rate = self._clash_rate(inc) if inc is not None else 0.0
            if rate > 0.0:
                wait_i = self.rngs["~incidents"].expovariate(rate)
            yield env.timeout(min(wait_c, wait_i, t1 - t0))
            self.now = env.now
            if st.outcome is not None:
                return
            if col is not None and wait_c < min(wait_i, t1 - t0):
                c = coh.at(self.now) if coh is not None else None
                h = bound if c is None else col.max_hazard * max(0.0, 1.0 - c) ** col.shape
                if self.rngs["~collapse"].random() * bound < h:
                    self._collapse(col, c)
                    return
            elif inc is not None and wait_i < t1 - t0 and self._clash(inc, self.rngs["~incidents"]):
                return

    # --- messages ---------------------------------------------------------------------------
    def send(self, to: str, kind: str, sender: str, gen: int = 0) -> None:
        """Deliver a message after the recipient's response delay; it then decides."""
        recipient = self.params.actors[to]
        if not self._is_active(recipient) and kind != "deadline":
            return
        delay = self.rngs[to].expovariate(1.0 / recipient.response_days)
        ev = self.env.timeout(delay)
        ev.callbacks.append(lambda _e: self._receive(recipient, kind, sender, gen))

    def _receive(self, a: ActorParams, kind: str, sender: str, gen: int) -> None:
        self.now = self.env.now
        if self.state.outcome is not None:
            return
        if kind == "deadline" and gen != self.state.deadline_gen[a.id]:
            return
        self.decide(a, "review" if kind == "incident" else kind, sender)

    def _schedule_deadline(self, cid: str, when: float) -> None:
        gen = self.state.deadline_gen[cid]
        ev = self.env.timeout(max(0.0, when - self.now))
        ev.callbacks.append(lambda _e: self._receive(self.params.actors[cid], "deadline", cid, gen))

    # --- decisions --------------------------------------------------------------------------
    def decide(self, a: ActorParams, context: str, sender: str | None) -> None:
        rule = self.rules.get(a.id)
        if rule is None and self.mech.signals and self.watchers.get(a.id):
            self.valuation.begin_decision(self.now)
            self._decide_watched(a, context, sender)
            return
        self.valuation.begin_decision(self.now, rule is None or rule.needs_utilities)
        options = self.scorer.options(a, context, sender)
        if not options:
            return
        index: int | None
        weights = None
        if rule is None:
            weights = logit_weights([o.utility for o in options], a.rationality)
            index = logit_draw(weights, len(options), self.rngs[a.id])
        elif isinstance(rule, ScriptedRule):
            index = rule.choose(options, self.scorer, a.id, self.rngs[a.id])
        else:
            view = DecisionView(
                a.id, self.now, context, tuple(options), lambda f: self.scorer.feature(a.id, f)
            )
            index = rule.choose(view, self.rngs[a.id])
        if index is None:  # a rule that picked nothing: the actor holds (if it can)
            index = next((i for i, o in enumerate(options) if o.kind == "hold"), None)
            if index is None:
                return
        if self.tracer is not None:
            self.tracer.decision(a, context, sender, options, index, rule, weights)
        self.execute(a, options[index], context, sender)

    def _decide_watched(self, a: ActorParams, context: str, sender: str | None) -> None:
        """A decision of an actor with types whom others watch, and what they learn from it.

        Every type scores the same options on its own incentives (in the same state, with the
        same beliefs); their logit probabilities are how likely each type was to do what the
        actor does. The true type picks by its own; every observer then updates by Bayes' rule
        on what it saw (all but quietly holding at a review, which no one sees). The other
        types' options are scored only then: a choice no one sees needs no likelihood.
        """
        options = self.scorer.options(a, context, sender)
        if not options:
            return
        chance = logit_probabilities([o.utility for o in options], a.rationality)
        index = weighted_index(chance, self.rngs[a.id])
        chosen = options[index]
        likelihood = None
        if seen(context, chosen.kind):
            likelihood = [
                chance[index]
                if t is a
                else logit_probabilities(
                    [o.utility for o in self.scorer.options(t, context, sender)], t.rationality
                )[index]
                for t in self.params.types[a.id].variants
            ]
        if self.tracer is not None:  # before the update: it records the prior and posterior
            self.tracer.watched(a, context, sender, options, chance, index, likelihood)
        if likelihood is not None:
            st = self.state
            for o in self.watchers[a.id]:
                st.typed[(o, a.id)] = bayes(st.typed[(o, a.id)], likelihood)
        self.execute(a, chosen, context, sender)

    # --- actions ----------------------------------------------------------------------------
    def execute(self, a: ActorParams, opt: Option, context: str, sender: str | None) -> None:
        """Carry out the chosen option: a built-in action by its effect, else a custom one."""
        effect = EFFECTS.get(opt.kind)
        if effect is None:
            self.do_custom(a, a.actions[opt.kind])
        else:
            effect(self, a, opt, context, sender)

    def _acted(self, a: ActorParams, kind: str) -> None:
        """Fire the milestones and the outcome that an action trigger ties to ``kind``."""
        self.mark(self.triggers.action_marks(a.id, kind))
        self.finish(self.triggers.action_out(a.id, kind), a.id, action=kind)

    def _hold(self, a: ActorParams, opt: Option, context: str, sender: str | None) -> None:
        """Holding on: a coercer lets its deadline pass, an actor refuses what it was offered."""
        st = self.state
        if context == "deadline":
            self.deadline_passed(a)
        elif context == "counter" and sender is not None:
            self.record(a.id, "refuse", sender, deal=st.counters[sender])
            st.counters[sender] = None
            st.channel_open = False
        elif context == "proposal" and st.proposal is not None:
            self.record(a.id, "refuse", st.proposal.proposer, deal=st.proposal.deal)
            st.refused[st.proposal.deal] = self.valuation.level(st.code)
            st.proposal = None
        elif context in ("demand", "ultimatum"):
            self.record(a.id, "refuse", sender)

    def _climb(self, a: ActorParams, opt: Option, context: str, sender: str | None) -> None:
        self.do_climb(a, opt.arg)
        self._acted(a, opt.kind)

    def _descend(self, a: ActorParams, opt: Option, context: str, sender: str | None) -> None:
        self.do_descend(a)
        self._acted(a, opt.kind)

    def _backdown(self, a: ActorParams, opt: Option, context: str, sender: str | None) -> None:
        """Backing down ends the run with the backdown outcome (not an action trigger)."""
        self.record(a.id, opt.kind, a.opponent)
        self.mark(self.triggers.event_milestones.get(opt.kind, ()))
        self.finish(self.valuation.backdown_outcome, a.id)

    def _demand(self, a: ActorParams, opt: Option, context: str, sender: str | None) -> None:
        self.state.demand[a.id] = opt.arg
        self.record(a.id, opt.kind, a.opponent, deal=opt.arg)
        if a.opponent is not None:  # always: the scenario gives every demander an opponent
            self.send(a.opponent, "demand", a.id)
        self._acted(a, opt.kind)

    def _concede(self, a: ActorParams, opt: Option, context: str, sender: str | None) -> None:
        """A softer demand, paid for in credibility."""
        self.signal(a.id, 0.0, a.concession_penalty)
        self._demand(a, opt, context, sender)

    def _ultimatum(self, a: ActorParams, opt: Option, context: str, sender: str | None) -> None:
        self.do_ultimatum(a, opt.arg, self.now + a.ultimatum_days)
        self._acted(a, opt.kind)

    def _accept(self, a: ActorParams, opt: Option, context: str, sender: str | None) -> None:
        self.do_accept(a, opt.arg, context, sender)
        self._acted(a, opt.kind)

    def _counter(self, a: ActorParams, opt: Option, context: str, sender: str | None) -> None:
        coercer = self.valuation.coercer_of[a.id]
        self.state.counters[a.id] = opt.arg
        self.record(a.id, opt.kind, coercer, deal=opt.arg)
        if coercer is not None:  # always: one counters only a standing demand
            self.send(coercer, "counter", a.id)
        self._acted(a, opt.kind)

    def _rally(self, a: ActorParams, opt: Option, context: str, sender: str | None) -> None:
        coh = self.state.cohesion
        if coh is not None:  # always: only the cohesion actor can rally
            coh.boost(self.now, coh.rally_boost * (1.0 - coh.at(self.now)))
        self.signal(a.id, a.rally_signal)
        self.record(a.id, opt.kind)
        self._acted(a, opt.kind)

    def _mediate(self, a: ActorParams, opt: Option, context: str, sender: str | None) -> None:
        self.do_mediate(a, opt.arg)
        self._acted(a, opt.kind)

    def _guarantee(self, a: ActorParams, opt: Option, context: str, sender: str | None) -> None:
        """A guarantee, or an offer to host: the actor's strength of it (the ActorParams field of
        the same name) makes the coercer's promises more credible."""
        self.give_guarantee(a, opt.kind)
        self._acted(a, opt.kind)

    def give_guarantee(self, a: ActorParams, kind: str) -> None:
        """``a`` guarantees a deal or offers to host (``kind``), with its strength of it."""
        self.state.guarantees[f"{a.id}.{kind}"] = getattr(a, kind)
        self.record(a.id, kind)

    def do_climb(self, a: ActorParams, r: int, cause: str | None = None) -> None:
        st = self.state
        before = st.rung[a.id]
        self._set_rung(a, r)
        if self.mech.signals:
            self.signal(a.id, self.valuation.climb_signal(a, before, r))
        payload = {"rung": a.ladder[r].name}
        if cause:
            payload["cause"] = cause
        self.record(a.id, "climb", a.opponent, **payload)
        self.mark(self.triggers.rung_milestones.get((a.id, r), ()))
        self.mark(self.triggers.action_marks(a.id, "climb"))
        if st.deadline[a.id] is not None:
            threat = self.valuation.threat_rung(a, st.coding.moved(st.code, a.index, before))
            if threat is None or r >= threat:
                st.deadline[a.id] = None
                st.deadline_gen[a.id] += 1
                st.public_threat[a.id] = False
        outcome = self.rung_outcome.get((a.id, r))
        if outcome is not None:
            if self.rngs[a.id].random() < a.ladder[r].success:
                self.finish(outcome, a.id, rung=a.ladder[r].name)
            else:
                # a failed attempt cannot be repeated: the other side is now on guard
                self.record(a.id, "failed", a.opponent, rung=a.ladder[r].name)
                st.spent.add((a.id, r))
                self._set_rung(a, before)

    def _set_rung(self, a: ActorParams, r: int) -> None:
        st = self.state
        st.set_rung(a.index, r)
        coh = st.cohesion
        if coh is not None and a.opponent == coh.actor:
            self._refresh_pressure()

    def _refresh_pressure(self) -> None:
        """Set the pressure on the cohesion actor from the rungs now held against it."""
        coh = self.state.cohesion
        if coh is None or not self.mech.cohesion:
            return
        actors, rung = self.params.actors, self.state.rung
        pressure = sum(
            actors[b].ladder[rung[b]].pressure for b in self.valuation.pressers[coh.actor]
        )
        # cohesion is given at the start: the history sets the pressure, not the level
        coh.set_pressure(max(self.now, 0.0), pressure)

    def do_descend(self, a: ActorParams) -> None:
        r = self.state.rung[a.id]
        self._set_rung(a, r - 1)
        self.signal(a.id, 0.0, a.ladder[r].signal)
        self.record(a.id, "descend", a.opponent, rung=a.ladder[r - 1].name)

    def do_ultimatum(self, a: ActorParams, deal: str, deadline: float) -> None:
        st = self.state
        st.demand[a.id] = deal
        st.public_threat[a.id] = True
        st.deadline[a.id] = deadline
        st.deadline_gen[a.id] += 1
        self.signal(a.id, a.ultimatum_signal)
        self.record(a.id, "ultimatum", a.opponent, deal=deal, deadline=deadline)
        if self.now >= 0.0:
            self._schedule_deadline(a.id, deadline)
            if a.opponent is not None:  # always: the scenario gives every demander an opponent
                self.send(a.opponent, "ultimatum", a.id)

    def deadline_passed(self, c: ActorParams) -> None:
        """The coercer lets its own deadline pass: its threat loses credibility."""
        st = self.state
        st.deadline[c.id] = None
        st.deadline_gen[c.id] += 1
        st.public_threat[c.id] = False
        st.deadline_missed = True
        if self.mech.deadlines:
            self.signal(c.id, 0.0, c.deadline_penalty)
        self.record(c.id, "deadline_missed", c.opponent)
        self.mark(self.triggers.event_milestones.get("deadline_missed", ()))
        self.finish(self.triggers.event_outcome.get("deadline_missed"), c.id)

    def do_accept(self, a: ActorParams, deal_name: str, context: str, sender: str | None) -> None:
        st = self.state
        deal = self.params.deals[deal_name]
        if context == "proposal" and st.proposal is not None:
            st.proposal.accepted.add(a.id)
            self.record(a.id, "accept", st.proposal.proposer, deal=deal_name)
            if set(st.proposal.parties) <= st.proposal.accepted:
                self.conclude(deal, st.proposal.proposer)
            return
        self.record(a.id, "accept", sender, deal=deal_name)
        self.conclude(deal, a.id)

    def conclude(self, deal, actor: str) -> None:
        ms = self.triggers.event_milestones.get("deal", ())
        terms = dict(deal.terms)
        for mid, need in self.triggers.deal_milestones:
            if all(terms.get(t, 0.0) >= level - 1e-9 for t, level in need):
                ms += (mid,)
        self.mark(ms)
        self.finish(deal.outcome, actor, deal=deal.name)

    def do_mediate(self, m: ActorParams, deal: str) -> None:
        st = self.state
        standing = self.valuation.standing_demand()
        if standing is None:  # pragma: no cover - mediation is offered only on a standing demand
            return
        cid, tid, _ = standing
        st.channel_open = True
        st.proposal = Offer(deal, m.id, (cid, tid))
        self.record(m.id, "mediate", None, deal=deal, parties=[cid, tid])
        self.send(cid, "proposal", m.id)
        self.send(tid, "proposal", m.id)

    def do_custom(self, a: ActorParams, act) -> None:
        st = self.state
        success = self.valuation.custom_success(act, drawn=True)  # at the cohesion it decided on
        if act.cohesion and st.cohesion is not None:
            st.cohesion.boost(self.now, act.cohesion)
        if act.signal > 0:
            self.signal(a.id, act.signal)
        elif act.signal < 0:
            self.signal(a.id, 0.0, -act.signal)
        self.record(a.id, act.name)
        self.mark(self.triggers.action_marks(a.id, act.name))
        outcome = self.triggers.action_out(a.id, act.name)
        if outcome is not None:
            if self.rngs[a.id].random() < success:
                self.finish(outcome, a.id, action=act.name)
            else:
                self.record(a.id, "failed", None, action=act.name)


EFFECTS: dict[str, Callable[..., None]] = {
    "hold": Simulation._hold,
    "climb": Simulation._climb,
    "descend": Simulation._descend,
    "backdown": Simulation._backdown,
    "demand": Simulation._demand,
    "ultimatum": Simulation._ultimatum,
    "concede": Simulation._concede,
    "accept": Simulation._accept,
    "counter": Simulation._counter,
    "rally": Simulation._rally,
    "mediate": Simulation._mediate,
    "guarantee": Simulation._guarantee,
    "host": Simulation._guarantee,
}
"""The effect of each action of the kinds table (escalsim.scenario.kinds), by kind."""
