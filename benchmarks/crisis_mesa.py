"""The crisis of ``benchmarks/small_crisis.yaml`` written by hand as a Mesa 3 model.

It is what a Mesa user would write instead of the escalsim scenario, with the same stochastic
rules, so that ``benchmarks.mesa_compare`` can time both on the same model. Needs ``mesa>=3``.

Time. The model steps in days, as Mesa models do, but within a step it handles that day's
events at their exact continuous times, earliest first: each agent keeps the time of its next
review (exponential waiting times, as in escalsim), messages wait in a queue with their delivery
times (exponential response delays), and collapse candidates come at the maximal hazard and are
kept with probability h(C)/h_max (thinning, with the cohesion solved exactly). A day is only the
window a step covers, so the discretisation error is exactly zero: the model is the same
continuous-time process as escalsim's, and the two differ only in their random streams.
"""

from __future__ import annotations

import heapq
import math
from operator import attrgetter

import mesa

HORIZON = 120.0  # days
TOP_RUNG = 3  # talks, sanctions, blockade, strike (strike is war)
PRESSURE = (0.0, 0.004, 0.01, 0.0)  # per day, on the target's cohesion, by the coercer's rung
COHESION0, RECOVERY = 0.8, 0.005  # initial level and baseline; recovery rate per day
MAX_HAZARD, SHAPE = 0.025, 2.0  # collapse hazard max_hazard * (1 - C) ** shape per day
RESPONSE_DAYS = 1.0

# Scripted doctrines, as in the YAML: weights over the kinds open at a decision.
COERCER_RULE = (  # by the coercer's rung
    {"demand": 5.0, "climb": 3.0, "hold": 1.0, "accept": 0.2},
    {"climb": 3.0, "descend": 2.0, "hold": 1.0, "accept": 0.2},
    {"climb": 0.04, "descend": 3.0, "backdown": 0.02, "hold": 1.0, "accept": 0.3},
)
TARGET_RULE_LOW_COHESION = {"accept": 0.5, "counter": 1.0, "hold": 4.0}  # cohesion < 0.55
TARGET_RULE = {"accept": 0.02, "counter": 1.0, "hold": 6.0}
MEDIATOR_RULE = {"mediate": 1.0, "hold": 1.0}


class CrisisAgent(mesa.Agent):
    """An actor that reviews on its own exponential clock and answers messages."""

    model: SmallCrisis

    def __init__(self, model: SmallCrisis, review_days: float) -> None:
        super().__init__(model)
        self.review_rate = 1.0 / review_days
        self.next_review = model.random.expovariate(self.review_rate)

    def choose(self, rule: dict[str, float], open_kinds: tuple[str, ...]) -> str:
        """Pick among the open kinds the rule names, by weight (hold if it names none)."""
        picks = [(kind, rule[kind]) for kind in open_kinds if kind in rule]
        if not picks:
            return "hold"
        x = self.model.random.random() * sum(w for _, w in picks)
        for kind, w in picks:
            x -= w
            if x < 0.0:
                return kind
        return picks[-1][0]

    def review(self) -> None:
        """Decide at a review (nothing by default)."""

    def answer_proposal(self) -> None:
        """Accept or refuse the mediator's pending proposal, if any is still open to it."""
        m = self.model
        if m.proposal is None or self in m.proposal:
            return
        if self.choose(self.proposal_rule(), ("hold", "accept")) == "hold":
            m.log()  # refuse
            m.refused_level = m.rung / TOP_RUNG
            m.proposal = None
            return
        m.log()  # accept
        m.proposal.add(self)
        if len(m.proposal) == 2:
            m.finish("settlement")

    def proposal_rule(self) -> dict[str, float]:
        """The weights this agent applies to a proposal."""
        return {}


class Coercer(CrisisAgent):
    """Climbs and steps down the ladder, makes its demand, answers counters and proposals."""

    def review(self) -> None:
        m = self.model
        r = m.rung
        kinds = ["hold", "climb"]
        if r > 0:
            kinds.append("descend")
        if r > 0 or m.demand:
            kinds.append("backdown")
        if not m.demand:
            kinds.append("demand")
        kind = self.choose(COERCER_RULE[r], tuple(kinds))
        if kind == "climb":
            m.set_rung(r + 1)
            m.log()
            if m.rung == TOP_RUNG:
                m.finish("war")
        elif kind == "descend":
            m.set_rung(r - 1)
            m.log()
        elif kind == "backdown":
            m.log()
            m.finish("backdown")
        elif kind == "demand":
            m.demand = True
            m.log()
            m.send(m.target, "demand")

    def answer_counter(self) -> None:
        """Accept the target's pending counter-offer or refuse it (which closes the channel)."""
        m = self.model
        if not m.counter_pending:
            return
        if self.choose(COERCER_RULE[m.rung], ("hold", "accept")) == "hold":
            m.counter_pending = False
            m.channel_open = False
            m.log()  # refuse
        else:
            m.log()  # accept
            m.finish("settlement")

    def proposal_rule(self) -> dict[str, float]:
        return COERCER_RULE[self.model.rung]


class Target(CrisisAgent):
    """Holds out, counters or gives in to the standing demand, more readily as cohesion wears."""

    def rule(self) -> dict[str, float] | None:
        """The case of its doctrine that holds now (None while no offer is pending)."""
        m = self.model
        if not (m.demand or m.proposal is not None):  # offer_pending
            return None
        return TARGET_RULE_LOW_COHESION if m.cohesion_at(m.now) < 0.55 else TARGET_RULE

    def review(self) -> None:
        if not self.model.demand:
            return  # nothing to accept or counter: it holds
        kinds = ("hold", "accept", "counter") if self.can_counter() else ("hold", "accept")
        self.act(self.choose(self.rule() or {}, kinds), answering=False)

    def answer_demand(self) -> None:
        """Answer the coercer's demand: refuse, accept or counter."""
        m = self.model
        if not m.demand:
            return
        kinds = ("hold", "accept", "counter") if self.can_counter() else ("hold", "accept")
        self.act(self.choose(self.rule() or {}, kinds), answering=True)

    def can_counter(self) -> bool:
        """A counter-offer needs an open channel and none of its own pending."""
        return self.model.channel_open and not self.model.counter_pending

    def act(self, kind: str, answering: bool) -> None:
        """Carry out a choice; holding is a logged refusal only when answering the demand."""
        m = self.model
        if kind == "accept":
            m.log()
            m.finish("capitulation")
        elif kind == "counter":
            m.counter_pending = True
            m.log()
            m.send(m.coercer, "counter")
        elif answering:
            m.log()  # refuse the demand

    def proposal_rule(self) -> dict[str, float]:
        return self.rule() or {}


class Mediator(CrisisAgent):
    """Puts the compromise to both sides, again only once the escalation level has risen."""

    def review(self) -> None:
        m = self.model
        open_ = m.demand and m.proposal is None and m.refused_level < m.rung / TOP_RUNG
        if not open_ or self.choose(MEDIATOR_RULE, ("hold", "mediate")) == "hold":
            return
        m.channel_open = True
        m.proposal = set()
        m.log()
        m.send(m.coercer, "proposal")
        m.send(m.target, "proposal")


class SmallCrisis(mesa.Model):
    """Coercer, target and mediator; one step is one day, events inside it in time order."""

    def __init__(self, seed: int | None = None, horizon: float = HORIZON) -> None:
        super().__init__(seed=seed)
        self.horizon = horizon
        self.now = 0.0
        self.rung = 0
        self.demand = False
        self.channel_open = True
        self.counter_pending = False
        self.proposal: set[CrisisAgent] | None = None  # who has accepted the pending proposal
        self.refused_level = -1.0
        self.cohesion, self.cohesion_since, self.pressure = COHESION0, 0.0, 0.0
        self.outcome: str | None = None
        self.outcome_time = 0.0
        self.n_events = 0  # logged events, counted as escalsim counts them
        self.messages: list[tuple[float, int, CrisisAgent, str]] = []  # (time, order, to, kind)
        self.sent = 0
        self.coercer = Coercer(self, review_days=1.0)
        self.target = Target(self, review_days=5.0)
        self.mediator = Mediator(self, review_days=6.0)
        self.next_collapse = self.random.expovariate(MAX_HAZARD)
        self.datacollector = mesa.DataCollector(
            model_reporters={"outcome": "outcome", "time": "outcome_time", "events": "n_events"}
        )

    def step(self) -> None:
        """One day: every review, delivery and collapse candidate before its end, in order."""
        end = min(float(self.steps), self.horizon)
        earliest = attrgetter("next_review")
        while self.outcome is None:
            agent = min(self.agents, key=earliest)
            t = agent.next_review
            message = self.messages and self.messages[0][0] < t
            if message:
                t = self.messages[0][0]
            collapse = self.next_collapse < t
            if collapse:
                t = self.next_collapse
            if t >= end:
                break
            self.now = t
            if collapse:
                self.next_collapse = t + self.random.expovariate(MAX_HAZARD)
                if self.random.random() < (1.0 - self.cohesion_at(t)) ** SHAPE:
                    self.finish("collapse")
            elif message:
                _, _, recipient, kind = heapq.heappop(self.messages)
                if kind == "demand":
                    recipient.answer_demand()
                elif kind == "counter":
                    recipient.answer_counter()
                else:
                    recipient.answer_proposal()
            else:
                agent.next_review = t + self.random.expovariate(agent.review_rate)
                agent.review()
        if self.outcome is None and end >= self.horizon:
            self.now = self.horizon
            self.finish("stalemate")
        if self.outcome is not None:
            self.running = False
        self.datacollector.collect(self)

    def send(self, to: CrisisAgent, kind: str) -> None:
        """Deliver a message after the recipient's exponential response delay."""
        when = self.now + self.random.expovariate(1.0 / RESPONSE_DAYS)
        self.sent += 1
        heapq.heappush(self.messages, (when, self.sent, to, kind))

    def log(self) -> None:
        """Count one logged event (escalsim's ``n_events``)."""
        self.n_events += 1

    def finish(self, outcome: str) -> None:
        """End the run now with an outcome."""
        self.outcome, self.outcome_time = outcome, self.now
        self.log()

    def cohesion_at(self, t: float) -> float:
        """dC/dt = -P C + k (C0 - C), solved exactly since the last change of pressure."""
        rate = self.pressure + RECOVERY
        eq = RECOVERY * COHESION0 / rate
        return eq + (self.cohesion - eq) * math.exp(-rate * (t - self.cohesion_since))

    def set_rung(self, r: int) -> None:
        """Move the coercer to rung r; the pressure on cohesion changes from now on."""
        self.cohesion = self.cohesion_at(self.now)
        self.cohesion_since = self.now
        self.pressure = PRESSURE[r]
        self.rung = r
