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
from typing import Any

import simpy

from escalsim.engine.record import Event
from escalsim.errors import RunError
from escalsim.model.params import ActorP, RunParams
from escalsim.model.rules import DecisionView, Option, logit_index
from escalsim.model.state import Offer, RunState
from escalsim.model.triggers import Triggers
from escalsim.model.valuation import Valuation, sigmoid, updated

CONCESSION_SHARE = 0.5
"""Softening a public demand costs this share of the audience cost of backing down."""

MAX_STEPS = 200_000
STEPS_PER_ACTOR_DAY = 100
"""A run that has processed ``MAX_STEPS + STEPS_PER_ACTOR_DAY * actors * horizon`` simulation
events without ending is stopped with a RunError: a storm of events is an error, never a hang."""

WINDOWED_ABOVE = 10_000.0
"""Above this many expected candidate times per run (rate x horizon), collapse and incident
times are drawn window by window between scheduled events, at the rate reachable there."""


class Simulation(Valuation):
    """State, processes and actions of one run."""

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
        state = RunState(params, mech.cohesion)
        super().__init__(params, state, mech, triggers.event_outcome, triggers.rung_outcome)
        self.triggers = triggers
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

    # --- bookkeeping ------------------------------------------------------------------------
    def record(self, actor: str, kind: str, target: str | None = None, **payload: Any) -> None:
        t = self.now
        if t >= 0.0:
            self.n_events += 1
        if self.keep:
            when = self.start + dt.timedelta(days=t) if self.start is not None else None
            self.log.append(Event(t, actor, kind, target, payload, when))

    def mark(self, names: tuple[str, ...]) -> None:
        ms = self.state.milestones
        for name in names:
            if name not in ms:
                ms[name] = self.now

    def finish(self, outcome: str | None, actor: str = "", **payload: Any) -> None:
        """End the run with an outcome (history replayed before the start never ends it)."""
        st = self.state
        if st.outcome is not None or outcome is None or self.now < 0.0:
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

    def feature(self, actor: str, name: str) -> float:
        """A state feature as scripted rules and custom utilities see it."""
        st = self.state
        if ":" in name:
            kind, _, who = name.partition(":")
            if kind == "rung":
                return float(st.rung[who])
            if kind == "level":
                top = len(self.params.actors[who].ladder) - 1
                return st.rung[who] / top if top > 0 else 0.0
            return st.belief(actor, who)
        if name == "const":
            return 1.0
        if name == "day":
            return self.now
        if name == "cohesion":
            c = self.cohesion_now()
            return c if c is not None else 1.0
        if name == "threat":
            return float(any(st.public_threat.values()))
        if name == "deadline_passed":
            return float(st.deadline_missed)
        if name == "channel_open":
            return float(st.channel_open)
        if name == "offer_pending":
            cid = self.coercer_of[actor]
            pending = (cid is not None and st.demand[cid] is not None) or (
                st.proposal is not None and actor in st.proposal.parties
            )
            return float(pending)
        raise KeyError(name)  # pragma: no cover - validated when the scenario loads

    # --- the run ----------------------------------------------------------------------------
    def run(self) -> None:
        env = self.env
        self.now = 0.0
        self._refresh_pressure()
        for a in self.params.actors.values():
            if self._is_active(a):
                env.process(self._review_loop(a))
        col = self.params.collapse
        col = col if col is not None and self.mech.collapse and col["max_hazard"] > 0 else None
        inc = self.params.incidents
        inc = inc if inc is not None and self.mech.incidents and inc["rate"] > 0 else None
        fastest = max(col["max_hazard"] if col else 0.0, inc["rate"] if inc else 0.0)
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

    def _is_active(self, a: ActorP) -> bool:
        return bool(a.repertoire - {"hold"}) or bool(a.actions)

    def _review_loop(self, a: ActorP):
        rng = self.rngs[a.id]
        rate = 1.0 / a.review_days
        timeout = self.env.timeout
        while True:
            yield timeout(rng.expovariate(rate))
            self.now = self.env.now
            if self.state.outcome is not None:
                return
            self.decide(a, "review", None)

    def _collapse_loop(self, col: dict[str, float]):
        """Thinning: candidate times at the maximal hazard, kept with probability h(C)/h_max."""
        rng = self.rngs["~collapse"]
        h_max, shape = col["max_hazard"], col["shape"]
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

    def _collapse(self, col: dict[str, float], c: float | None) -> None:
        self.mark(self.triggers.event_milestones.get("collapse", ()))
        self.finish(self.triggers.event_outcome.get("collapse"), col["actor"], cohesion=c)

    def _incident_loop(self, inc: dict[str, Any]):
        rng = self.rngs["~incidents"]
        a, b = inc["between"]
        pa, pb = self.params.actors[a], self.params.actors[b]
        while True:
            yield self.env.timeout(rng.expovariate(inc["rate"]))
            self.now = self.env.now
            st = self.state
            if st.outcome is not None:
                return
            posture = pa.ladder[st.rung[a]].posture * pb.ladder[st.rung[b]].posture
            if rng.random() < posture and self._clash(inc, rng):
                return

    def _clash_rate(self, inc: dict[str, Any]) -> float:
        """Incidents per day now: the rate times both sides' posture."""
        (a, b), actors, rung = inc["between"], self.params.actors, self.state.rung
        return inc["rate"] * actors[a].ladder[rung[a]].posture * actors[b].ladder[rung[b]].posture

    def _clash(self, inc: dict[str, Any], rng: random.Random) -> bool:
        """An incident between the two sides; True when it ended the run."""
        st = self.state
        a, b = inc["between"]
        pa = self.params.actors[a]
        self.record(a, "incident", b)
        self.mark(self.triggers.event_milestones.get("incident", ()))
        self.finish(self.triggers.event_outcome.get("incident"), a)
        if st.outcome is not None:
            return True
        self.signal(a, inc["signal"])
        self.signal(b, inc["signal"])
        up = st.rung[a] + 1
        # an unplanned step up never reaches a rung that ends the crisis by itself
        accidental = up < len(pa.ladder) and (a, up) not in self.rung_outcome
        if rng.random() < inc["escalation"] and accidental:
            self.do_climb(pa, up, cause="incident")
        if st.outcome is None:
            self.send(a, "incident", b)
            self.send(b, "incident", a)
        return st.outcome is not None

    def _hazard_windows(self, col: dict[str, float] | None, inc: dict[str, Any] | None):
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
                bound = col["max_hazard"] * max(0.0, 1.0 - low) ** col["shape"]
                if bound > 0.0:
                    wait_c = self.rngs["~collapse"].expovariate(bound)
            rate = self._clash_rate(inc) if inc is not None else 0.0
            if rate > 0.0:
                wait_i = self.rngs["~incidents"].expovariate(rate)
            yield env.timeout(min(wait_c, wait_i, t1 - t0))
            self.now = env.now
            if st.outcome is not None:
                return
            if wait_c < min(wait_i, t1 - t0):
                c = coh.at(self.now) if coh is not None else None
                h = bound if c is None else col["max_hazard"] * max(0.0, 1.0 - c) ** col["shape"]
                if self.rngs["~collapse"].random() * bound < h:
                    self._collapse(col, c)
                    return
            elif wait_i < t1 - t0 and self._clash(inc, self.rngs["~incidents"]):
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

    def _receive(self, a: ActorP, kind: str, sender: str, gen: int) -> None:
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
    def decide(self, a: ActorP, context: str, sender: str | None) -> None:
        self.begin_decision()
        options = self.options(a, context, sender)
        if not options:
            return
        rule = self.rules.get(a.id)
        if rule is None:
            index = logit_index([o.utility for o in options], a.lam, self.rngs[a.id])
        else:
            view = DecisionView(
                a.id, self.now, context, tuple(options), lambda f: self.feature(a.id, f)
            )
            index = rule.choose(view, self.rngs[a.id])
            if index is None:
                index = next((i for i, o in enumerate(options) if o.kind == "hold"), None)
                if index is None:
                    return
        self.execute(a, options[index], context, sender)

    def options(self, a: ActorP, context: str, sender: str | None) -> list[Option]:
        if context == "review":
            return self._review_options(a)
        if context in ("demand", "ultimatum"):
            return self._respond_to_demand(a, sender)
        if context == "counter":
            return self._respond_to_counter(a, sender)
        if context == "proposal":
            return self._respond_to_proposal(a)
        if context == "deadline":
            return self._deadline_options(a)
        return []  # pragma: no cover

    def _climb_utility(self, a: ActorP, r: int, b_shift: float = 0.0) -> float:
        st = self.state
        rung = dict(st.rung)
        rung[a.id] = r
        b_opp = None
        if a.opponent is not None and (a.opponent, a.id) in st.alpha:
            s = (
                sum(a.ladder[k].signal for k in range(st.rung[a.id] + 1, r + 1))
                if self.mech.signals
                else 0.0
            )
            s += b_shift
            b_opp = updated(st.alpha[(a.opponent, a.id)], st.beta[(a.opponent, a.id)], s)
        after = self.status(a, rung, b_opp)
        outcome = self.rung_outcome.get((a.id, r))
        u = -a.ladder[r].cost
        if outcome is not None:
            p = a.ladder[r].success
            return u + p * a.value(outcome) + (1.0 - p) * self.status(a, st.rung)
        return u + after

    def _audience(self, a: ActorP) -> float:
        """Cost of a visible retreat: owed after a public threat or while a demand stands."""
        st = self.state
        if self.mech.audience_costs and (st.public_threat[a.id] or st.demand[a.id] is not None):
            return a.audience_cost
        return 0.0

    def _review_options(self, a: ActorP) -> list[Option]:
        st = self.state
        rep = a.repertoire
        rung = st.rung
        hold = self.status(a, rung)
        opts = [Option("hold", None, hold)]
        r = rung[a.id]
        top = len(a.ladder) - 1
        if "climb" in rep:
            for r2 in range(r + 1, min(top, r + a.max_jump) + 1):
                if (a.id, r2) not in st.spent:
                    opts.append(Option("climb", r2, self._climb_utility(a, r2)))
        if "descend" in rep and r > 0:
            lower = dict(rung)
            lower[a.id] = r - 1
            b_opp = None
            if a.opponent is not None and (a.opponent, a.id) in st.alpha:
                fail = a.ladder[r].signal if self.mech.signals else 0.0
                b_opp = updated(
                    st.alpha[(a.opponent, a.id)], st.beta[(a.opponent, a.id)], 0.0, fail
                )
            opts.append(Option("descend", r - 1, self.status(a, lower, b_opp) - self._audience(a)))
        if "backdown" in rep and self.backdown_outcome is not None and (r > 0 or st.demand[a.id]):
            opts.append(
                Option("backdown", None, a.value(self.backdown_outcome) - self._audience(a))
            )
        demand = st.demand[a.id]
        if a.opponent is not None and a.demands:
            self._bargaining_options(a, demand, opts)
        cid = self.coercer_of[a.id]
        if cid is not None and st.demand[cid] is not None:
            deal = self.params.deals[st.demand[cid]]
            if "accept" in rep:
                opts.append(Option("accept", deal.name, self.deal_value(a, deal)))
            if "counter" in rep and st.channel_open and st.counters[a.id] is None:
                opts.extend(self._counter_options(a, cid))
        if "rally" in rep and st.cohesion is not None and st.cohesion.actor == a.id:
            c = st.cohesion.at(self.now)
            boosted = min(1.0, c + st.cohesion.rally_boost * (1.0 - c))
            opts.append(
                Option("rally", None, self.status(a, rung, cohesion=boosted) - a.rally_cost)
            )
        if any(st.demand.values()):
            self._third_party_options(a, opts)
        for name, act in a.actions.items():
            opts.append(Option(name, None, self._custom_utility(a, act, hold)))
        return opts

    def _bargaining_options(self, a: ActorP, demand: str | None, opts: list[Option]) -> None:
        st = self.state
        rep = a.repertoire
        deals = self.params.deals
        w = self.continuation(a, st.rung)
        b = st.belief(a.opponent, a.id)
        if demand is None and "demand" in rep:
            for name in a.demands:
                deal = deals[name]
                acc = self.acceptance(a, deal, b, st.rung)
                opts.append(Option("demand", name, acc * self.deal_value(a, deal) + (1 - acc) * w))
        if demand is None:
            return
        deal = deals[demand]
        if "ultimatum" in rep and self.mech.deadlines and st.deadline[a.id] is None:
            u_sig = a.ultimatum_signal if self.mech.signals else 0.0
            b2 = updated(
                st.alpha.get((a.opponent, a.id), 1.0), st.beta.get((a.opponent, a.id), 1.0), u_sig
            )
            acc = self.acceptance(a, deal, b2, st.rung)
            r_threat = self.threat_rung(a, st.rung)
            carry = self._climb_utility(a, r_threat, u_sig) if r_threat is not None else -math.inf
            let_pass = w - (a.audience_cost if self.mech.audience_costs else 0.0)
            fallback = max(carry, let_pass)
            opts.append(
                Option("ultimatum", demand, acc * self.deal_value(a, deal) + (1 - acc) * fallback)
            )
        if "concede" in rep and demand in a.demands:
            i = a.demands.index(demand)
            if i + 1 < len(a.demands):
                softer = deals[a.demands[i + 1]]
                key = (a.opponent, a.id)
                if self.mech.signals and key in st.alpha:
                    b = updated(st.alpha[key], st.beta[key], 0.0, a.concession_penalty)
                acc = self.acceptance(a, softer, b, st.rung)
                u = (
                    acc * self.deal_value(a, softer)
                    + (1 - acc) * w
                    - CONCESSION_SHARE * self._audience(a)
                )
                opts.append(Option("concede", softer.name, u))

    def _counter_options(self, t: ActorP, cid: str) -> list[Option]:
        st = self.state
        b = st.belief(t.id, cid)
        h = self.holdout(t, b, st.rung)
        out = []
        for name in t.counters:
            deal = self.params.deals[name]
            out.append(Option("counter", name, (1 - b) * self.deal_value(t, deal) + b * h))
        return out

    def _third_party_options(self, a: ActorP, opts: list[Option]) -> None:
        st = self.state
        rep = a.repertoire
        if not ({"mediate", "guarantee", "host"} & rep):
            return
        w = self.continuation(a, st.rung)
        pairs = [
            (c, p.opponent) for c, p in self.params.actors.items() if st.demand[c] and p.opponent
        ]
        if not pairs:
            return
        cid, tid = pairs[0]
        coercer, target = self.params.actors[cid], self.params.actors[tid]
        if (
            "mediate" in rep
            and self.mech.mediation
            and st.proposal is None
            and cid != a.id
            and tid != a.id
        ):
            level = self.level(st.rung)
            for name in a.proposals:
                if st.refused.get(name, -1.0) >= level:
                    continue  # refused at this level of escalation already
                deal = self.params.deals[name]
                p_t = sigmoid(
                    target.lam * (self.deal_value(target, deal) - self.status(target, st.rung))
                )
                p_c = sigmoid(
                    coercer.lam * (self.deal_value(coercer, deal) - self.status(coercer, st.rung))
                )
                joint = p_t * p_c
                u = joint * a.value(deal.outcome) + (1 - joint) * w - a.mediation_cost
                opts.append(Option("mediate", name, u))
        demand = self.params.deals[st.demand[cid]]
        b = st.belief(tid, cid)
        for kind, strength in (("guarantee", a.guarantee), ("host", a.host)):
            key = f"{a.id}.{kind}"
            if kind in rep and strength > 0 and key not in st.guarantees:
                before = self.acceptance(coercer, demand, b, st.rung)
                st.guarantees[key] = strength
                after = self.acceptance(coercer, demand, b, st.rung)
                del st.guarantees[key]
                gain = (after - before) * (a.value(demand.outcome) - w)
                opts.append(Option(kind, None, w + gain - a.mediation_cost))

    def _custom_utility(self, a: ActorP, act, hold: float) -> float:
        outcome = self.triggers.action_out(a.id, act.name)
        u = -act.cost
        if outcome is not None:
            u += act.success * a.value(outcome) + (1 - act.success) * hold
        else:
            u += hold
        for feat, weight in act.utility:
            u += weight * self.feature(a.id, feat)
        return u

    def _respond_to_demand(self, t: ActorP, cid: str | None) -> list[Option]:
        st = self.state
        if cid is None or st.demand[cid] is None:
            return []
        deal = self.params.deals[st.demand[cid]]
        b = st.belief(t.id, cid)
        opts = [Option("hold", None, self.holdout(t, b, st.rung))]
        if "accept" in t.repertoire:
            opts.append(Option("accept", deal.name, self.deal_value(t, deal)))
        if "counter" in t.repertoire and st.channel_open and st.counters[t.id] is None:
            opts.extend(self._counter_options(t, cid))
        return opts

    def _respond_to_counter(self, c: ActorP, tid: str | None) -> list[Option]:
        st = self.state
        if tid is None or st.counters[tid] is None:
            return []
        deal = self.params.deals[st.counters[tid]]
        return [
            Option("hold", None, self.status(c, st.rung)),
            Option("accept", deal.name, self.deal_value(c, deal)),
        ]

    def _respond_to_proposal(self, a: ActorP) -> list[Option]:
        prop = self.state.proposal
        if prop is None or a.id in prop.accepted:
            return []
        deal = self.params.deals[prop.deal]
        return [
            Option("hold", None, self.status(a, self.state.rung)),
            Option("accept", deal.name, self.deal_value(a, deal)),
        ]

    def _deadline_options(self, c: ActorP) -> list[Option]:
        st = self.state
        if st.deadline[c.id] is None or st.demand[c.id] is None:
            return []
        opts = [Option("hold", None, self.status(c, st.rung) - self._audience(c))]
        r = self.threat_rung(c, st.rung)
        if r is not None and "climb" in c.repertoire and (c.id, r) not in st.spent:
            opts.append(Option("climb", r, self._climb_utility(c, r)))
        if "backdown" in c.repertoire and self.backdown_outcome is not None:
            opts.append(
                Option("backdown", None, c.value(self.backdown_outcome) - self._audience(c))
            )
        return opts

    # --- actions ----------------------------------------------------------------------------
    def execute(self, a: ActorP, opt: Option, context: str, sender: str | None) -> None:
        kind = opt.kind
        st = self.state
        if kind == "hold":
            if context == "deadline":
                self.deadline_passed(a)
            elif context == "counter" and sender is not None:
                st.counters[sender] = None
                st.channel_open = False
                self.record(a.id, "refuse", sender, deal=opt.arg)
            elif context == "proposal" and st.proposal is not None:
                self.record(a.id, "refuse", st.proposal.proposer, deal=st.proposal.deal)
                st.refused[st.proposal.deal] = self.level(st.rung)
                st.proposal = None
            elif context in ("demand", "ultimatum"):
                self.record(a.id, "refuse", sender)
            return
        if kind == "climb":
            self.do_climb(a, opt.arg)
        elif kind == "descend":
            self.do_descend(a)
        elif kind == "backdown":
            self.record(a.id, "backdown", a.opponent)
            self.mark(self.triggers.event_milestones.get("backdown", ()))
            self.finish(self.backdown_outcome, a.id)
            return
        elif kind in ("demand", "concede"):
            if kind == "concede":
                self.signal(a.id, 0.0, a.concession_penalty)
            st.demand[a.id] = opt.arg
            self.record(a.id, kind, a.opponent, deal=opt.arg)
            self.send(a.opponent, "demand", a.id)
        elif kind == "ultimatum":
            self.do_ultimatum(a, opt.arg, self.now + a.ultimatum_days)
        elif kind == "accept":
            self.do_accept(a, opt.arg, context, sender)
        elif kind == "counter":
            st.counters[a.id] = opt.arg
            self.record(a.id, "counter", self.coercer_of[a.id], deal=opt.arg)
            self.send(self.coercer_of[a.id], "counter", a.id)
        elif kind == "rally":
            st.cohesion.boost(self.now, st.cohesion.rally_boost * (1.0 - st.cohesion.at(self.now)))
            self.signal(a.id, a.rally_signal)
            self.record(a.id, "rally")
        elif kind == "mediate":
            self.do_mediate(a, opt.arg)
        elif kind in ("guarantee", "host"):
            st.guarantees[f"{a.id}.{kind}"] = a.guarantee if kind == "guarantee" else a.host
            self.record(a.id, kind)
        else:
            self.do_custom(a, a.actions[kind])
            return
        self.mark(self.triggers.action_marks(a.id, kind))
        self.finish(self.triggers.action_out(a.id, kind), a.id, action=kind)

    def do_climb(self, a: ActorP, r: int, cause: str | None = None) -> None:
        st = self.state
        before = st.rung[a.id]
        self._set_rung(a, r)
        if self.mech.signals:
            self.signal(a.id, sum(a.ladder[k].signal for k in range(before + 1, r + 1)))
        payload = {"rung": a.ladder[r].name}
        if cause:
            payload["cause"] = cause
        self.record(a.id, "climb", a.opponent, **payload)
        self.mark(self.triggers.rung_milestones.get((a.id, r), ()))
        self.mark(self.triggers.action_marks(a.id, "climb"))
        if st.deadline[a.id] is not None:
            threat = self.threat_rung(a, {**st.rung, a.id: before})
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

    def _set_rung(self, a: ActorP, r: int) -> None:
        st = self.state
        st.rung[a.id] = r
        if r > st.max_rung[a.id]:
            st.max_rung[a.id] = r
        coh = st.cohesion
        if coh is not None and a.opponent == coh.actor:
            self._refresh_pressure()

    def _refresh_pressure(self) -> None:
        """Set the pressure on the cohesion actor from the rungs now held against it."""
        coh = self.state.cohesion
        if coh is None or not self.mech.cohesion:
            return
        actors, rung = self.params.actors, self.state.rung
        pressure = sum(actors[b].ladder[rung[b]].pressure for b in self.pressers[coh.actor])
        # cohesion is given at the start: the history sets the pressure, not the level
        coh.set_pressure(max(self.now, 0.0), pressure)

    def do_descend(self, a: ActorP) -> None:
        r = self.state.rung[a.id]
        self._set_rung(a, r - 1)
        self.signal(a.id, 0.0, a.ladder[r].signal)
        self.record(a.id, "descend", a.opponent, rung=a.ladder[r - 1].name)

    def do_ultimatum(self, a: ActorP, deal: str, deadline: float) -> None:
        st = self.state
        st.demand[a.id] = deal
        st.public_threat[a.id] = True
        st.deadline[a.id] = deadline
        st.deadline_gen[a.id] += 1
        self.signal(a.id, a.ultimatum_signal)
        self.record(a.id, "ultimatum", a.opponent, deal=deal, deadline=deadline)
        if self.now >= 0.0:
            self._schedule_deadline(a.id, deadline)
            self.send(a.opponent, "ultimatum", a.id)

    def deadline_passed(self, c: ActorP) -> None:
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

    def do_accept(self, a: ActorP, deal_name: str, context: str, sender: str | None) -> None:
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

    def do_mediate(self, m: ActorP, deal: str) -> None:
        st = self.state
        pairs = [
            (c, p.opponent) for c, p in self.params.actors.items() if st.demand[c] and p.opponent
        ]
        cid, tid = pairs[0]
        st.channel_open = True
        st.proposal = Offer(deal, m.id, (cid, tid))
        self.record(m.id, "mediate", None, deal=deal, parties=[cid, tid])
        self.send(cid, "proposal", m.id)
        self.send(tid, "proposal", m.id)

    def do_custom(self, a: ActorP, act) -> None:
        st = self.state
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
            if self.rngs[a.id].random() < act.success:
                self.finish(outcome, a.id, action=act.name)
            else:
                self.record(a.id, "failed", None, action=act.name)
