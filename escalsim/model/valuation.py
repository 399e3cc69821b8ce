"""How actors value states, deals and threats: the closed-form one-step look-ahead.

Every value is in the scenario's utility units. Running costs are flows discounted over the
actor's horizon of attention ``1 / discount`` days. The functions take the hypothetical rung
vector (as its code, ``rungs``: see :class:`~escalsim.model.state.RungCoding`), belief and
cohesion explicitly so that an actor can score an action before taking it.
"""

from __future__ import annotations

import math
from typing import Any

from escalsim.model.params import ActorParams, DealParams, RunParams, Switches
from escalsim.model.state import RunState, beta_mean

UNSCORED = math.nan
"""The value of everything while :attr:`Valuation.scoring` is off."""


def sigmoid(x: float) -> float:
    """Logistic function, safe for any finite or infinite input."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x)) if x < 700 else 1.0
    return math.exp(x) / (1.0 + math.exp(x)) if x > -700 else 0.0


def updated(alpha: float, beta: float, success: float = 0.0, failure: float = 0.0) -> float:
    """Mean of a Beta belief after adding pseudo-observations."""
    return beta_mean(alpha + success, beta + failure)


Terms = tuple[float, float, float, float, float]
"""A state's per-run constants for one actor (see :meth:`Valuation._state_terms`)."""


class RunCache:
    """Values that depend only on the run's parameters and on a rung vector (or on the
    guarantees given): kept for the whole run, since decisions revisit the same few states."""

    __slots__ = ("fixed", "terms")

    def __init__(self) -> None:
        self.terms: dict[int, Terms] = {}
        """(rung vector, actor slot) as one integer -> a state's value without collapse and its
        cohesion projection."""
        self.fixed: dict[tuple, float] = {}
        """Deal values (by actor key, deal and guarantees) and climbing signals."""


class DecisionMemo:
    """Values computed within one decision, which depend on the state at that moment (the
    cohesion above all): cleared by :meth:`Valuation.begin_decision`. Each table's key starts
    with :meth:`Valuation._where` (rung vector, rungs spent and whose value, as one integer)."""

    __slots__ = ("mix", "status", "threatened")

    def __init__(self) -> None:
        self.threatened: dict[Any, tuple[float, float | None]] = {}
        """The target's values of the pressure going on and of the threat carried out."""
        self.mix: dict[Any, float] = {}
        """The chance of resolve implied by a probability over an actor's types."""
        self.status: dict[Any, float] = {}
        """The value of carrying on."""

    def clear(self) -> None:
        self.threatened.clear()
        self.mix.clear()
        self.status.clear()


class Valuation:
    """The actors' model of the world, shared by every decision in a run.

    It reads the run's state and never changes it; the engine tells it when a decision begins
    and at what time (:meth:`begin_decision`), and it keeps its caches in a :class:`RunCache`
    (for the run) and a :class:`DecisionMemo` (for the decision).
    """

    def __init__(
        self,
        params: RunParams,
        state: RunState,
        mech: Switches,
        outcomes: dict[str, str | None],
        rung_outcome: dict[tuple[str, int], str],
    ):
        self.params = params
        self.state = state
        self.mech = mech
        self.stalemate = outcomes["horizon"]
        self.collapse_outcome = outcomes.get("collapse")
        self.backdown_outcome = outcomes.get("backdown")
        actors = params.actors
        self.pressers = {
            a: [b for b, p in actors.items() if p.opponent == a and p.ladder] for a in actors
        }
        self.coercer_of = {
            a: next((b for b, p in actors.items() if p.opponent == a and p.demands), None)
            for a in actors
        }
        self._coercer = [None if c is None else actors[c] for c in self.coercer_of.values()]
        """The coercer of each actor, by the actor's index (None: no one presses it)."""
        self._outcome_at = [
            tuple(rung_outcome.get((a, r)) for r in range(len(p.ladder))) for a, p in actors.items()
        ]
        """The outcome each rung triggers (or None), by the actor's index and the rung."""
        self.laddered = [(p.index, len(p.ladder) - 1) for p in actors.values() if len(p.ladder) > 1]
        self.coding = coding = state.coding
        self._strides, self._sizes = coding.strides, coding.sizes
        self._slots = len(actors) + sum(len(ts.variants) for ts in params.types.values())
        self._spent_bound = 1 + sum(len(p.ladder) for p in actors.values())
        """Above the number of rungs that can be spent."""
        col = params.collapse
        hazard = col is not None and mech.collapse
        self._h_max = col.max_hazard if col is not None else 0.0
        self._shape = col.shape if col is not None else 0.0
        self._projected = hazard and state.cohesion is not None
        """Whether values weigh the prospect of a collapse (a hazard and a cohesion to drive it)."""
        self.now = 0.0
        """The time of the current decision (set by :meth:`begin_decision` only)."""
        self.scoring = True
        """False while a rule that ignores utilities decides: values are then not computed."""
        self.run_cache = RunCache()
        self.memo = DecisionMemo()
        self._static = self.run_cache.terms  # the hot paths read the tables directly
        self._fixed = self.run_cache.fixed
        self._cohesion: float | None = None

    def begin_decision(self, now: float, scoring: bool = True) -> None:
        """Start a decision taken at time ``now``: forget the values computed for the previous
        one (the state has moved on) and read the cohesion at ``now``. With ``scoring`` False
        (a rule that ignores utilities decides), values are not computed."""
        self.memo.clear()
        self.now = now
        self.scoring = scoring
        c = self.state.cohesion
        self._cohesion = c.at(now) if c is not None else None

    # --- states ---------------------------------------------------------------------------
    def _where(self, slot: int, rungs: int) -> int:
        """A memo key's start: the rung vector, how many rungs are spent, and ``slot`` (whose
        value it is), as one integer."""
        return (rungs * self._spent_bound + len(self.state.spent)) * self._slots + slot

    def level(self, rungs: int) -> float:
        """Escalation level in [0, 1]: the highest relative rung of any actor."""
        rung = self.coding.rung
        return max((rung(rungs, i) / top for i, top in self.laddered), default=0.0)

    def flow(self, a: ActorParams, rungs: int) -> float:
        """Running cost per day to ``a`` in a state: its own upkeep and the harm done to it."""
        rung = self.coding.rung
        f = a.day_cost
        if a.ladder:
            f += a.ladder[rung(rungs, a.index)].upkeep
        actors = self.params.actors
        for b in self.pressers[a.id]:
            pb = actors[b]
            f += pb.ladder[rung(rungs, pb.index)].harm
        if a.instability_cost:
            f += a.instability_cost * self.level(rungs)
        return f

    def cohesion_now(self) -> float | None:
        """Cohesion at the moment of the current decision."""
        return self._cohesion

    def _state_terms(self, a: ActorParams, rungs: int, key: int) -> Terms:
        """Per-run constants of a state for ``a`` (kept under ``key``): value without collapse,
        and the cohesion projection (equilibrium, decay over half the window, or -1 when not
        projected), the window and the value of a collapse."""
        base = a.value(self.stalemate) - self.flow(a, rungs) / a.discount
        eq, decay, window = 0.0, -1.0, 1.0 / a.discount
        coh = self.state.cohesion
        if self.mech.cohesion and coh is not None:
            actors, rung = self.params.actors, self.coding.rung
            pressure = sum(
                actors[b].ladder[rung(rungs, actors[b].index)].pressure
                for b in self.pressers[coh.actor]
            )
            rate = pressure + coh.recovery
            if rate > 0.0:
                eq = coh.recovery * coh.baseline / rate
                decay = math.exp(-rate * window / 2)
        terms = self._static[key] = (base, eq, decay, window, a.value(self.collapse_outcome))
        return terms

    def continuation(self, a: ActorParams, rungs: int, cohesion: float | None = None) -> float:
        """W: value to ``a`` of the crisis going on in this state, collapse prospect included."""
        if not self.scoring:
            return UNSCORED
        return self._continuation(a, rungs, cohesion)

    def _continuation(self, a: ActorParams, rungs: int, cohesion: float | None) -> float:
        key = rungs * self._slots + a.slot
        terms = self._static.get(key)
        if terms is None:
            terms = self._state_terms(a, rungs, key)
        value = terms[0]
        if self._projected:
            if cohesion is None:
                cohesion = self._cohesion
            if cohesion is not None:  # the chance of a collapse within the window
                _, eq, decay, window, collapsed = terms
                if decay >= 0.0:
                    cohesion = eq + (cohesion - eq) * decay
                gap = 1.0 - cohesion
                h = self._h_max * (gap if gap > 0.0 else 0.0) ** self._shape
                pc = 1.0 - math.exp(-h * window)
                if pc > 0.0:
                    value = (1.0 - pc) * value + pc * collapsed
        return value

    def outcome_of(self, a: ActorParams, r: int) -> str | None:
        """The outcome that reaching rung ``r`` of ``a``'s ladder triggers, or None."""
        return self._outcome_at[a.index][r]

    def climb_signal(self, a: ActorParams, before: int, r: int) -> float:
        """Pseudo-observations of resolve sent by climbing from rung ``before`` to ``r``."""
        key = ("climb", a.id, before, r)
        s = self._fixed.get(key)
        if s is None:
            s = self._fixed[key] = sum(a.ladder[k].signal for k in range(before + 1, r + 1))
        return s

    def custom_success(self, act: Any, drawn: bool = False) -> float:
        """Chance that a custom action that triggers an outcome succeeds now: its expected
        ``success`` (its draw when ``drawn``, for the roll), times ``(1 − cohesion)^coordination``
        (a coup succeeds as others join it: the lower the modelled cohesion, the more of the
        officer corps is ready to)."""
        p = act.success if drawn else act.expected_success
        if not act.coordination or self._cohesion is None:
            return p
        return p * (1.0 - self._cohesion) ** act.coordination

    # --- deals ----------------------------------------------------------------------------
    def standing_demand(self) -> tuple[str, str, str] | None:
        """The first coercer with a demand standing: its id, its target's and the deal's (what
        a mediator proposes to settle)."""
        for c, p in self.params.actors.items():
            demanded = self.state.demand[c]
            if demanded and p.opponent:
                return c, p.opponent, demanded
        return None

    def credibility(self, promiser: str | None, receiver: str) -> float:
        """How much a promise is worth to its receiver, raised by third-party guarantees."""
        if promiser is None or promiser == receiver or not self.mech.credibility:
            return 1.0
        doubt = 1.0 - self.params.actors[promiser].credibility
        for strength in self.state.guarantees.values():
            doubt *= 1.0 - strength
        return 1.0 - doubt

    def deal_value(self, a: ActorParams, deal: DealParams) -> float:
        """Value to ``a`` of a deal: its outcome plus its terms, promises discounted."""
        if not self.scoring:
            return UNSCORED
        key = (a.key, deal.name, *self.state.guarantees)
        v = self._fixed.get(key)
        if v is None:
            v = self._fixed[key] = self._deal_value(a, deal)
        return v

    def _deal_value(self, a: ActorParams, deal: DealParams) -> float:
        v = a.value(deal.outcome)
        terms = self.params.terms
        for name, level in deal.terms:
            term = terms[name]
            tv = term.values.get(a.id)
            if tv:
                v += level * tv * self.credibility(term.promised_by, a.id)
        return v

    # --- threats --------------------------------------------------------------------------
    def threat_rung(self, coercer: ActorParams, rungs: int) -> int | None:
        """The rung the coercer threatens next: its declared threat, or one step up.

        A spent rung (an attempt that failed and cannot be repeated) threatens no one: the
        threat passes to the next rung above it that can still be tried, or None.
        """
        i = coercer.index
        current = rungs // self._strides[i] % self._sizes[i]
        target = coercer.threat
        if target is None or target <= current:
            target = current + 1
        spent = self.state.spent
        while target < len(coercer.ladder):
            if (coercer.id, target) not in spent:
                return target
            target += 1
        return None

    def struck_value(
        self,
        a: ActorParams,
        coercer: ActorParams,
        rungs: int,
        r: int,
        cohesion: float | None = None,
    ) -> float:
        """Value to ``a`` of the coercer carrying out rung ``r`` (at ``cohesion``, default now);
        called while scoring."""
        outcome = self._outcome_at[coercer.index][r]
        if outcome is None:
            return self._continuation(a, self.coding.moved(rungs, coercer.index, r), cohesion)
        p = coercer.ladder[r].expected_success
        return p * a.value(outcome) + (1.0 - p) * self._continuation(a, rungs, cohesion)

    def holdout(self, t: ActorParams, b: float, rungs: int, cohesion: float | None = None) -> float:
        """H: value to the target of refusing, ``b V(struck) + (1 - b) V(pressure)``."""
        if not self.scoring:
            return UNSCORED
        w, s = self._threatened(t, rungs, cohesion)
        return w if s is None else self._mix(t, b, w, s)

    @staticmethod
    def _mix(t: ActorParams, b: float, w: float, s: float) -> float:
        """Expected value of holding out when the threat is carried out with probability b."""
        value = b * s + (1.0 - b) * w
        if t.risk_aversion:
            gap = s - w  # squared by multiplying: ``**`` raises OverflowError on huge values
            value -= 0.5 * t.risk_aversion * b * (1.0 - b) * (gap * gap)
        return value

    def _threatened(
        self, t: ActorParams, rungs: int, cohesion: float | None
    ) -> tuple[float, float | None]:
        """The target's value of the pressure going on and of the threat carried out (None
        when there is no threat), whatever its belief: memoised within a decision."""
        where = self._where(t.slot, rungs)
        key = where if cohesion is None else (where, cohesion)
        memo = self.memo.threatened
        pair = memo.get(key)
        if pair is None:
            w = self._continuation(t, rungs, cohesion)
            s = None
            coercer = self._coercer[t.index]
            if coercer is not None:
                r = self.threat_rung(coercer, rungs)
                if r is not None:
                    s = self.struck_value(t, coercer, rungs, r, cohesion)
            pair = memo[key] = (w, s)
        return pair

    def acceptance(self, c: ActorParams, deal: DealParams, b_target: float, rungs: int) -> float:
        """The coercer's forecast that its opponent accepts ``deal``.

        The coercer weighs the target's value of the deal against its value of holding out
        (given the target's belief ``b_target`` in the coercer's resolve). About a target with
        types it averages that chance over its belief in each type (screening: a bigger demand
        is refused by more types); about one without, it discounts by its belief that the target
        is resolved to hold out whatever the terms.
        """
        if not self.scoring:
            return UNSCORED
        tid = c.opponent
        if tid is None:
            return 0.0  # no one to accept
        types = self.params.types.get(tid)
        if types is None:
            t = self.params.actors[tid]
            m = self.state.belief(c.id, tid)
            return (1.0 - m) * self._accepts(t, deal, b_target, rungs)
        belief = self.state.typed.get((c.id, tid), types.priors)
        variants = types.variants
        chance = 0.0  # a plain loop: a compiled build then adds natively, in the same order
        for i in range(len(variants)):
            p = belief[i]
            if p > 0.0:
                chance += p * self._accepts(variants[i], deal, b_target, rungs)
        return chance

    def _accepts(self, t: ActorParams, deal: DealParams, b: float, rungs: int) -> float:
        """Chance that a target with parameters ``t`` takes ``deal`` rather than hold out."""
        w, s = self._threatened(t, rungs, None)
        hold = w if s is None else self._mix(t, b, w, s)
        return sigmoid(t.rationality * (self.deal_value(t, deal) - hold))

    # --- beliefs about actors with types ---------------------------------------------------
    def belief(
        self,
        who: str,
        about: str,
        rungs: int | None = None,
        cohesion: float | None = None,
    ) -> float:
        """``who``'s belief that ``about`` carries out its threat (its resolve).

        About an actor without types, the mean of a Beta belief; about one with types, each
        type's resolve (:meth:`resolve`) weighted by ``who``'s probability of that type, in the
        state ``rungs`` (default: now) at ``cohesion`` (default: now).
        """
        typed = self.state.typed.get((who, about))
        if typed is None:
            return self.state.belief(who, about)
        return self.resolve_mix(about, typed, rungs, cohesion)

    def resolve_mix(
        self,
        about: str,
        typed: tuple[float, ...],
        rungs: int | None = None,
        cohesion: float | None = None,
    ) -> float:
        """The chance of resolve implied by a probability over ``about``'s types."""
        if rungs is None:
            rungs = self.state.code
        where = self._where(self.params.actors[about].slot, rungs)
        key = (where, typed) if cohesion is None else (where, typed, cohesion)
        memo = self.memo.mix
        mix = memo.get(key)
        if mix is None:
            variants = self.params.types[about].variants
            mix = 0.0  # as in acceptance: a plain loop, in the same order
            for i in range(len(variants)):
                p = typed[i]
                if p > 0.0:
                    mix += p * self.resolve(variants[i], rungs, cohesion)
            memo[key] = mix
        return mix

    def resolve(self, c: ActorParams, rungs: int, cohesion: float | None = None) -> float:
        """Chance that an actor with parameters ``c`` carries out its threat when refused.

        Its logit choice between carrying the threat out (the threatened rung's cost, then the
        state it leads to, or its outcome weighted by success) and letting it pass (the crisis
        going on, minus the audience cost of a visible retreat), on its own incentives: a type
        that values war more, or pays more for backing away, is more resolved. No threat left
        to carry out, no resolve. Not memoised: :meth:`resolve_mix` is, and asks for each
        type's resolve in a state once.
        """
        target = self.threat_rung(c, rungs)
        if target is None:
            return 0.0
        w = self._continuation(c, rungs, cohesion)
        outcome = self._outcome_at[c.index][target]
        if outcome is None:
            carry = self._continuation(c, self.coding.moved(rungs, c.index, target), cohesion)
        else:
            p = c.ladder[target].expected_success
            carry = p * c.value(outcome) + (1.0 - p) * w
        carry -= c.ladder[target].cost
        let_pass = w - (c.audience_cost if self.mech.audience_costs else 0.0)
        return sigmoid(c.rationality * (carry - let_pass))

    def status(
        self, a: ActorParams, rungs: int, b_opp: float | None = None, cohesion=None
    ) -> float:
        """Value to ``a`` of carrying on: a standing demand may be met, a target holds out."""
        if not self.scoring:
            return UNSCORED
        st = self.state
        where = self._where(a.slot, rungs)
        key = (
            where
            if b_opp is None and cohesion is None and not st.guarantees
            else (where, b_opp, cohesion, *st.guarantees)
        )
        memo = self.memo.status
        value = memo.get(key)
        if value is not None:
            return value
        demand = st.demand[a.id]
        cid = self.coercer_of[a.id]
        if demand is not None and a.opponent is not None:
            if b_opp is None:
                b_opp = self.belief(a.opponent, a.id, rungs)
            deal = self.params.deals[demand]
            acc = self.acceptance(a, deal, b_opp, rungs)
            value = acc * self.deal_value(a, deal) + (1.0 - acc) * self._continuation(
                a, rungs, cohesion
            )
        elif cid is not None and st.demand[cid] is not None:
            value = self.holdout(a, self.belief(a.id, cid, rungs, cohesion), rungs, cohesion)
        else:
            value = self._continuation(a, rungs, cohesion)
        memo[key] = value
        return value
