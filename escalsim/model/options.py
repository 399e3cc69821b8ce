"""What an actor can do now and what each option is worth to it: the one-step look-ahead.

Scoring never moves the clock or the state: it reads the run's state through
:class:`~escalsim.model.valuation.Valuation` and returns :class:`Option` objects, which the
engine hands to the actor's decision rule and then carries out.
"""

from __future__ import annotations

import math

from escalsim.model.params import ActorParams, RunParams
from escalsim.model.rules import Option
from escalsim.model.state import RunState
from escalsim.model.triggers import Triggers
from escalsim.model.valuation import UNSCORED, Valuation, sigmoid, updated

CONCESSION_SHARE = 0.5
"""Softening a public demand costs this share of the audience cost of backing down."""


class OptionScorer:
    """The options of each decision context, scored by a run's :class:`Valuation`."""

    def __init__(self, valuation: Valuation, triggers: Triggers):
        self.valuation = valuation
        self.params: RunParams = valuation.params
        self.state: RunState = valuation.state
        self.mech = valuation.mech
        self.triggers = triggers

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
            return self.valuation.belief(actor, who)
        if name == "const":
            return 1.0
        if name == "day":
            return self.valuation.now
        if name == "cohesion":
            c = self.valuation.cohesion_now()
            return c if c is not None else 1.0
        if name == "threat":
            return float(any(st.public_threat.values()))
        if name == "deadline_passed":
            return float(st.deadline_missed)
        if name == "channel_open":
            return float(st.channel_open)
        if name == "offer_pending":
            cid = self.valuation.coercer_of[actor]
            pending = (cid is not None and st.demand[cid] is not None) or (
                st.proposal is not None and actor in st.proposal.parties
            )
            return float(pending)
        raise KeyError(name)  # pragma: no cover - validated when the scenario loads

    def options(self, a: ActorParams, context: str, sender: str | None) -> list[Option]:
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

    def _typed_belief_after(
        self, a: ActorParams, key: tuple[str, object], rungs: int
    ) -> float | None:
        """The opponent's belief in the resolve of ``a``, an actor with types, in the state
        ``rungs`` that the option ``key`` leads to; None when ``a`` has no types or the opponent
        holds no belief about them.

        Types choose on the direct consequences of their options: the opponent's probability
        of each type is held where it is (what it will learn is not anticipated), but each
        type's resolve is taken in the new state (e.g. with a new threat rung)."""
        if a.opponent is None:
            return None
        typed = self.state.typed.get((a.opponent, a.id))
        if typed is None:
            return None
        return self.valuation.resolve_mix(a.id, typed, rungs)

    def _climb_utility(
        self, a: ActorParams, r: int, b_shift: float = 0.0, seen: tuple[str, object] | None = None
    ) -> float:
        """Value of climbing to rung ``r``: its cost, then the state it leads to, in which the
        opponent has seen the climb's signal (plus ``b_shift``), or about an actor with types,
        the climb (or the option ``seen`` that leads to it). Unscored while scoring is off: the
        state it leads to has no value then, so there is nothing to compute."""
        if not self.valuation.scoring:
            return UNSCORED
        st = self.state
        u = -a.ladder[r].cost
        outcome = self.valuation.outcome_of(a, r)
        rungs = st.code
        if outcome is None:
            rungs = st.coding.moved(rungs, a.index, r)
        b_opp = self._typed_belief_after(a, seen or ("climb", r), rungs)
        if b_opp is None and a.opponent is not None and (a.opponent, a.id) in st.alpha:
            s = self.valuation.climb_signal(a, st.rung[a.id], r) if self.mech.signals else 0.0
            s += b_shift
            b_opp = updated(st.alpha[(a.opponent, a.id)], st.beta[(a.opponent, a.id)], s)
        if outcome is not None:
            # a failed attempt leaves the actor where it was, its signal sent and the rung
            # spent: the state after a failure is valued with that threat gone
            p = a.ladder[r].expected_success
            attempt = (a.id, r)
            fresh = attempt not in st.spent
            st.spent.add(attempt)
            try:
                failed = self.valuation.status(a, st.code, b_opp)
            finally:
                if fresh:
                    st.spent.discard(attempt)
            return u + p * a.value(outcome) + (1.0 - p) * failed
        return u + self.valuation.status(a, rungs, b_opp)

    def _audience(self, a: ActorParams) -> float:
        """Cost of a visible retreat: owed after a public threat or while a demand stands."""
        st = self.state
        if self.mech.audience_costs and (st.public_threat[a.id] or st.demand[a.id] is not None):
            return a.audience_cost
        return 0.0

    def _review_options(self, a: ActorParams) -> list[Option]:
        st = self.state
        rep = a.repertoire
        rungs = st.code
        hold = self.valuation.status(a, rungs)
        opts = [Option("hold", None, hold)]
        r = st.rung[a.id]
        top = len(a.ladder) - 1
        if "climb" in rep:
            for r2 in range(r + 1, min(top, r + a.max_jump) + 1):
                if (a.id, r2) not in st.spent:
                    opts.append(Option("climb", r2, self._climb_utility(a, r2)))
        if "descend" in rep and r > 0:
            lower = st.coding.moved(rungs, a.index, r - 1)
            b_opp = self._typed_belief_after(a, ("descend", r - 1), lower)
            if b_opp is None and a.opponent is not None and (a.opponent, a.id) in st.alpha:
                fail = a.ladder[r].signal if self.mech.signals else 0.0
                b_opp = updated(
                    st.alpha[(a.opponent, a.id)], st.beta[(a.opponent, a.id)], 0.0, fail
                )
            opts.append(
                Option("descend", r - 1, self.valuation.status(a, lower, b_opp) - self._audience(a))
            )
        if (
            "backdown" in rep
            and self.valuation.backdown_outcome is not None
            and (r > 0 or st.demand[a.id])
        ):
            opts.append(
                Option(
                    "backdown", None, a.value(self.valuation.backdown_outcome) - self._audience(a)
                )
            )
        if a.opponent is not None and a.demands:
            self._bargaining_options(a, a.opponent, st.demand[a.id], opts)
        cid = self.valuation.coercer_of[a.id]
        demanded = st.demand[cid] if cid is not None else None
        if cid is not None and demanded is not None:
            deal = self.params.deals[demanded]
            if "accept" in rep:
                opts.append(Option("accept", deal.name, self.valuation.deal_value(a, deal)))
            if "counter" in rep and st.channel_open and st.counters[a.id] is None:
                opts.extend(self._counter_options(a, cid))
        if "rally" in rep and st.cohesion is not None and st.cohesion.actor == a.id:
            c = st.cohesion.at(self.valuation.now)
            boosted = min(1.0, c + st.cohesion.rally_boost * (1.0 - c))
            opts.append(
                Option(
                    "rally", None, self.valuation.status(a, rungs, cohesion=boosted) - a.rally_cost
                )
            )
        if any(st.demand.values()):
            self._third_party_options(a, opts)
        for name, act in a.actions.items():
            opts.append(Option(name, None, self._custom_utility(a, act, hold)))
        return opts

    def _bargaining_options(
        self, a: ActorParams, opponent: str, demand: str | None, opts: list[Option]
    ) -> None:
        st = self.state
        rep = a.repertoire
        deals = self.params.deals
        w = self.valuation.continuation(a, st.code)
        b = self.valuation.belief(opponent, a.id)
        if demand is None and "demand" in rep:
            for name in a.demands:
                deal = deals[name]
                b_seen = self._typed_belief_after(a, ("demand", name), st.code)
                acc = self.valuation.acceptance(a, deal, b if b_seen is None else b_seen, st.code)
                opts.append(
                    Option("demand", name, acc * self.valuation.deal_value(a, deal) + (1 - acc) * w)
                )
        if demand is None:
            return
        deal = deals[demand]
        if "ultimatum" in rep and self.mech.deadlines and st.deadline[a.id] is None:
            u_sig = a.ultimatum_signal if self.mech.signals else 0.0
            seen = ("ultimatum", demand)
            b2 = self._typed_belief_after(a, seen, st.code)
            if b2 is None:
                b2 = updated(
                    st.alpha.get((opponent, a.id), 1.0),
                    st.beta.get((opponent, a.id), 1.0),
                    u_sig,
                )
            acc = self.valuation.acceptance(a, deal, b2, st.code)
            r_threat = self.valuation.threat_rung(a, st.code)
            carry = (
                self._climb_utility(a, r_threat, u_sig, seen) if r_threat is not None else -math.inf
            )
            let_pass = w - (a.audience_cost if self.mech.audience_costs else 0.0)
            fallback = max(carry, let_pass)
            opts.append(
                Option(
                    "ultimatum",
                    demand,
                    acc * self.valuation.deal_value(a, deal) + (1 - acc) * fallback,
                )
            )
        if "concede" in rep and demand in a.demands:
            i = a.demands.index(demand)
            if i + 1 < len(a.demands):
                softer = deals[a.demands[i + 1]]
                key = (opponent, a.id)
                b_seen = self._typed_belief_after(a, ("concede", softer.name), st.code)
                if b_seen is not None:
                    b = b_seen
                elif self.mech.signals and key in st.alpha:
                    b = updated(st.alpha[key], st.beta[key], 0.0, a.concession_penalty)
                acc = self.valuation.acceptance(a, softer, b, st.code)
                u = (
                    acc * self.valuation.deal_value(a, softer)
                    + (1 - acc) * w
                    - CONCESSION_SHARE * self._audience(a)
                )
                opts.append(Option("concede", softer.name, u))

    def _counter_options(self, t: ActorParams, cid: str) -> list[Option]:
        st = self.state
        b = self.valuation.belief(t.id, cid)
        h = self.valuation.holdout(t, b, st.code)
        out = []
        for name in t.counters:
            deal = self.params.deals[name]
            out.append(
                Option("counter", name, (1 - b) * self.valuation.deal_value(t, deal) + b * h)
            )
        return out

    def _third_party_options(self, a: ActorParams, opts: list[Option]) -> None:
        st = self.state
        rep = a.repertoire
        if not ({"mediate", "guarantee", "host"} & rep):
            return
        w = self.valuation.continuation(a, st.code)
        pair = self.valuation.standing_demand()
        if pair is None:
            return
        cid, tid, demanded = pair
        coercer, target = self.params.actors[cid], self.params.actors[tid]
        if (
            "mediate" in rep
            and self.mech.mediation
            and st.proposal is None
            and cid != a.id
            and tid != a.id
        ):
            level = self.valuation.level(st.code)
            for name in a.proposals:
                if st.refused.get(name, -1.0) >= level:
                    continue  # refused at this level of escalation already
                deal = self.params.deals[name]
                p_t = sigmoid(
                    target.rationality
                    * (
                        self.valuation.deal_value(target, deal)
                        - self.valuation.status(target, st.code)
                    )
                )
                p_c = sigmoid(
                    coercer.rationality
                    * (
                        self.valuation.deal_value(coercer, deal)
                        - self.valuation.status(coercer, st.code)
                    )
                )
                joint = p_t * p_c
                u = joint * a.value(deal.outcome) + (1 - joint) * w - a.mediation_cost
                opts.append(Option("mediate", name, u))
        demand = self.params.deals[demanded]
        b = self.valuation.belief(tid, cid)
        for kind, strength in (("guarantee", a.guarantee), ("host", a.host)):
            key = f"{a.id}.{kind}"
            if kind in rep and strength > 0 and key not in st.guarantees:
                before = self.valuation.acceptance(coercer, demand, b, st.code)
                st.guarantees[key] = strength
                after = self.valuation.acceptance(coercer, demand, b, st.code)
                del st.guarantees[key]
                gain = (after - before) * (a.value(demand.outcome) - w)
                opts.append(Option(kind, None, w + gain - a.mediation_cost))

    def _custom_utility(self, a: ActorParams, act, hold: float) -> float:
        outcome = self.triggers.action_out(a.id, act.name)
        u = -act.cost
        if outcome is not None:
            p = self.valuation.custom_success(act)
            won = a.value(outcome) if act.payoff is None else act.payoff
            u += p * won + (1 - p) * (hold - act.failure_cost)
        else:
            u += hold
        for feat, weight in act.utility:
            u += weight * self.feature(a.id, feat)
        return u

    def _respond_to_demand(self, t: ActorParams, cid: str | None) -> list[Option]:
        st = self.state
        demanded = st.demand[cid] if cid is not None else None
        if cid is None or demanded is None:
            return []
        deal = self.params.deals[demanded]
        b = self.valuation.belief(t.id, cid)
        opts = [Option("hold", None, self.valuation.holdout(t, b, st.code))]
        if "accept" in t.repertoire:
            opts.append(Option("accept", deal.name, self.valuation.deal_value(t, deal)))
        if "counter" in t.repertoire and st.channel_open and st.counters[t.id] is None:
            opts.extend(self._counter_options(t, cid))
        return opts

    def _respond_to_counter(self, c: ActorParams, tid: str | None) -> list[Option]:
        st = self.state
        offered = st.counters[tid] if tid is not None else None
        if offered is None:
            return []
        return self._hold_or_accept(c, offered)

    def _respond_to_proposal(self, a: ActorParams) -> list[Option]:
        prop = self.state.proposal
        if prop is None or a.id in prop.accepted:
            return []
        return self._hold_or_accept(a, prop.deal)

    def _hold_or_accept(self, a: ActorParams, deal_name: str) -> list[Option]:
        """Answering an offer: refuse and carry on, or take the deal (any actor may accept)."""
        deal = self.params.deals[deal_name]
        return [
            Option("hold", None, self.valuation.status(a, self.state.code)),
            Option("accept", deal.name, self.valuation.deal_value(a, deal)),
        ]

    def _deadline_options(self, c: ActorParams) -> list[Option]:
        st = self.state
        if st.deadline[c.id] is None or st.demand[c.id] is None:
            return []
        opts = [Option("hold", None, self.valuation.status(c, st.code) - self._audience(c))]
        r = self.valuation.threat_rung(c, st.code)
        if r is not None and "climb" in c.repertoire:
            opts.append(Option("climb", r, self._climb_utility(c, r)))
        if "backdown" in c.repertoire and self.valuation.backdown_outcome is not None:
            opts.append(
                Option(
                    "backdown", None, c.value(self.valuation.backdown_outcome) - self._audience(c)
                )
            )
        return opts
