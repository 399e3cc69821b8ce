"""The valuation layer against its closed forms: holding out as a mean-variance value, promises
discounted by credibility and raised by guarantees, and signals anticipated when an action is
valued. Each expected value is computed here from the scenario's numbers, not by the engine."""

from __future__ import annotations

import functools
import math
from pathlib import Path

import pytest

import escalsim as es
from escalsim.engine import prepare
from escalsim.engine.run import build_simulation

DATA = Path(__file__).resolve().parent / "data"
WAR_B, DEAL_B, LAM_B = -40.0, -20.0, 0.5  # the typed dyad's target: value of war, of the deal


def _sim(sc: es.Scenario, index: int = 0, now: float = 0.5):
    sim, _ = build_simulation(prepare(sc), es.run_seed(3, index))
    sim.set_time(now)
    sim.valuation.begin_decision(sim.now)
    return sim


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@pytest.mark.parametrize("rho", [0.0, 0.01, 0.03])
def test_holding_out_is_the_mean_variance_value_of_the_threat(rho):
    """In the typed dyad the target has no running costs and no cohesion: the crisis going on is
    worth W = 0 to it and the strike (success 1) S = v(war). Holding out is the lottery of the
    two, less half its risk aversion times the lottery's variance b (1 - b) (S - W)^2; the
    coercer, whose belief in an unconditional refusal is 0, forecasts acceptance as the
    target's logit choice between the deal and that value."""
    sc = es.load_scenario(DATA / "typed_dyad.yaml")
    sim = _sim(sc.with_values({"actors.b.incentives.risk_aversion": rho}))
    a, b = sim.params.actors["a"], sim.params.actors["b"]
    deal = sim.params.deals["yield"]
    w, s = 0.0, WAR_B
    for belief in (0.1, 0.5, 0.9):
        expect = belief * s + (1 - belief) * w - rho / 2 * belief * (1 - belief) * (s - w) ** 2
        assert math.isclose(sim.valuation.holdout(b, belief, sim.state.code), expect, rel_tol=1e-12)
        forecast = sim.valuation.acceptance(a, deal, belief, sim.state.code)
        assert math.isclose(forecast, sigmoid(LAM_B * (DEAL_B - expect)), rel_tol=1e-12)


def test_a_risk_averse_target_values_the_gamble_below_its_mean_and_yields_more():
    sc = es.load_scenario(DATA / "typed_dyad.yaml")
    neutral, averse = (
        _sim(sc.with_values({"actors.b.incentives.risk_aversion": rho})) for rho in (0.0, 0.02)
    )
    deal = neutral.params.deals["yield"]
    for belief in (0.2, 0.5, 0.8):
        h0 = neutral.valuation.holdout(neutral.params.actors["b"], belief, neutral.state.code)
        h1 = averse.valuation.holdout(averse.params.actors["b"], belief, averse.state.code)
        assert h1 < h0
        accept = [
            sim.valuation.acceptance(sim.params.actors["a"], deal, belief, sim.state.code)
            for sim in (neutral, averse)
        ]
        assert accept[1] > accept[0]
    # a sure outcome carries no risk: at b = 0 and b = 1 risk aversion changes nothing
    for belief in (0.0, 1.0):
        sure = [
            sim.valuation.holdout(sim.params.actors["b"], belief, sim.state.code)
            for sim in (neutral, averse)
        ]
        assert sure[0] == sure[1]


def test_a_promise_is_discounted_by_credibility_and_raised_by_guarantees():
    """In the dyad the deal 'surrender' gives the target exit (-10, not a promise) and amnesty
    (+8, promised by the coercer): its value to the target is v(deal) - 10 + 8 cred, with
    cred = 1 - (1 - credibility) prod_g (1 - strength_g); the promiser values its own promise
    (-2) at face value; with the credibility mechanism off every promise is believed."""
    cred_a = 0.3
    sc = es.load_scenario(DATA / "dyad.yaml").with_values({"actors.a.credibility": cred_a})
    sim = _sim(sc)
    a, b = sim.params.actors["a"], sim.params.actors["b"]
    deal = sim.params.deals["surrender"]
    v_b, v_a = -20.0 - 10.0, 20.0 + 10.0 - 2.0  # values of the outcome 'deal' plus exit

    def target_value(cred: float) -> float:
        return v_b + 8.0 * cred

    assert math.isclose(sim.valuation.credibility("a", "b"), cred_a)
    assert math.isclose(sim.valuation.deal_value(b, deal), target_value(cred_a), rel_tol=1e-12)
    assert math.isclose(sim.valuation.deal_value(a, deal), v_a, rel_tol=1e-12)
    sim.state.guarantees["x.guarantee"] = 0.5
    once = 1 - (1 - cred_a) * (1 - 0.5)
    assert math.isclose(sim.valuation.deal_value(b, deal), target_value(once), rel_tol=1e-12)
    sim.state.guarantees["y.host"] = 0.2
    twice = 1 - (1 - cred_a) * (1 - 0.5) * (1 - 0.2)
    assert math.isclose(sim.valuation.deal_value(b, deal), target_value(twice), rel_tol=1e-12)
    assert math.isclose(sim.valuation.deal_value(a, deal), v_a, rel_tol=1e-12)

    believed = _sim(sc.with_values({"mechanisms.credibility": False}))
    assert math.isclose(believed.valuation.deal_value(b, deal), target_value(1.0), rel_tol=1e-12)


@pytest.mark.parametrize(
    ("kind", "arg", "silenced", "shift"),
    [
        ("climb", 2, {"actors.a.ladder.blockade.signal": 0.0}, 2.0),
        ("ultimatum", "surrender", {"actors.a.ultimatum_signal": 0.0}, 3.0),
    ],
)
def test_an_action_is_valued_with_its_signal_received(kind, arg, silenced, shift):
    """The coercer values a climb (signal 2) or an ultimatum (signal 3) in the state where the
    target has seen it: exactly as the same action without a signal, valued from a target's
    Beta belief that already holds those pseudo-successes. (In states where the target's
    answer depends on its belief, so that the signal matters.)"""
    base = es.load_scenario(DATA / "dyad.yaml").with_values({"actors.a.ultimatum_signal": 3.0})
    quiet = base.with_values(silenced)
    checked = 0
    for i in range(12):
        loud, muted, unseen = _sim(base, i), _sim(quiet, i), _sim(quiet, i)
        if loud.state.demand["a"] is None:
            continue
        muted.state.alpha[("b", "a")] += shift

        def utility(sim) -> float:
            sim.valuation.begin_decision(sim.now)
            opts = sim.scorer.options(sim.params.actors["a"], "review", None)
            return next(o.utility for o in opts if o.kind == kind and o.arg == arg)

        u_loud, u_muted, u_unseen = utility(loud), utility(muted), utility(unseen)
        assert math.isclose(u_loud, u_muted, rel_tol=1e-12, abs_tol=1e-12)
        assert u_loud > u_unseen  # the belief matters here: the signal is worth something
        checked += 1
    assert checked >= 6


# --- the dyad (tests/data/dyad.yaml) in closed form ------------------------------------------
# The coercer a climbs pressure, deploy, blockade, strike (an outcome rung: war); the target b's
# cohesion is worn by the rungs' pressure and its collapse hazard is 0.02 (1 - C)^2.
UPKEEP = (0.0, 0.02, 0.05, 0.0)  # a's upkeep per day on each rung
HARM = (0.0, 0.05, 0.2, 0.0)  # harm per day to b
PRESSURE = (0.0, 0.002, 0.006, 0.0)  # on b's cohesion
DAY_COST = {"a": 0.01, "b": 0.02}
COLLAPSE = {"a": 10.0, "b": -40.0}  # each side's value of b's collapse
WAR = {"a": -10.0, "b": -30.0}
DEAL = {"a": 20.0 + 10.0 - 2.0, "b": -20.0 - 10.0 + 8.0}  # 'surrender': deal, exit, amnesty
COMPROMISE = {"a": 20.0 - 2.0, "b": -20.0 + 8.0}  # 'compromise': deal, amnesty alone
DISCOUNT, RECOVERY, BASELINE, MAX_HAZARD, SHAPE, LAM = 0.02, 0.01, 0.8, 0.02, 2, 0.5


def continuation(
    who: str, rung_a: int, cohesion: float, instability: float = 0.0, stalemate: float = 0.0
) -> float:
    """W: the value of a stalemate less the running costs over the horizon of attention 1/δ,
    weighed against a collapse whose hazard is taken at the cohesion projected to the middle
    of that window."""
    flow = DAY_COST[who] + (UPKEEP[rung_a] + instability * rung_a / 3 if who == "a" else 0.0)
    flow += HARM[rung_a] if who == "b" else 0.0
    base = stalemate - flow / DISCOUNT
    window = 1 / DISCOUNT
    rate = PRESSURE[rung_a] + RECOVERY
    eq = RECOVERY * BASELINE / rate
    mid = eq + (cohesion - eq) * math.exp(-rate * window / 2)
    pc = 1 - math.exp(-MAX_HAZARD * max(0.0, 1 - mid) ** SHAPE * window)
    return (1 - pc) * base + pc * COLLAPSE[who]


def test_the_continuation_value_is_its_closed_form():
    sc = es.load_scenario(DATA / "dyad.yaml").with_values(
        {"actors.a.incentives.instability_cost": 0.3, "actors.b.incentives.values.stalemate": 4}
    )
    sim = _sim(sc)
    now = sim.state.cohesion.at(sim.now)
    for who, instability, stalemate in (("a", 0.3, 0.0), ("b", 0.0, 4.0)):
        actor = sim.params.actors[who]
        for rung_a in range(4):
            for c in (None, 0.2, 0.95):
                got = sim.valuation.continuation(
                    actor, sim.state.coding.encode({"a": rung_a, "b": 0}), c
                )
                expect = continuation(who, rung_a, now if c is None else c, instability, stalemate)
                assert math.isclose(got, expect, rel_tol=1e-12), (who, rung_a, c)


def test_full_cohesion_with_nothing_to_wear_it_holds_no_collapse_prospect():
    sc = es.load_scenario(DATA / "dyad.yaml").with_values({"processes.cohesion.baseline": 1.0})
    sim = _sim(sc)
    b = sim.params.actors["b"]
    assert (
        sim.valuation.continuation(b, sim.state.coding.encode({"a": 0, "b": 0}), 1.0)
        == -DAY_COST["b"] / DISCOUNT
    )
    under_pressure = -(DAY_COST["b"] + HARM[1]) / DISCOUNT  # without a collapse prospect
    assert (
        sim.valuation.continuation(b, sim.state.coding.encode({"a": 1, "b": 0}), 1.0)
        < under_pressure
    )  # worn: a prospect


def test_a_climb_signals_the_sum_of_the_rungs_it_climbs():
    sim = _sim(es.load_scenario(DATA / "dyad.yaml"))
    a = sim.params.actors["a"]
    assert sim.valuation.climb_signal(a, 0, 3) == 1.0 + 2.0 + 3.0
    assert sim.valuation.climb_signal(a, 1, 3) == 2.0 + 3.0
    assert sim.valuation.climb_signal(a, 1, 2) == 2.0


def _hold_out(
    belief: float, declared: int, success: float, rho: float, rung_a: int, c: float
) -> float:
    """H in the dyad: the threatened rung (the declared one, or the next one up) carried out
    with probability ``belief``, less rho/2 times the variance of that lottery."""
    target = declared if declared > rung_a else rung_a + 1
    w_b = continuation("b", rung_a, c)
    if target == 3:  # the strike: war if it succeeds, else where it was
        struck = success * WAR["b"] + (1 - success) * w_b
    else:
        struck = continuation("b", target, c)
    mean = belief * struck + (1 - belief) * w_b
    return mean - rho / 2 * belief * (1 - belief) * (struck - w_b) ** 2


@pytest.mark.parametrize(
    ("threat", "success", "rho"),
    [("strike", 1.0, 0.0), ("strike", 0.6, 0.0), ("blockade", 1.0, 0.0), ("strike", 0.6, 0.02)],
)
def test_the_value_of_carrying_on_is_its_closed_form(threat, success, rho):
    """With a's demand standing: the target holds out, H = b S + (1 - b) W_b less its risk
    aversion's share of the variance, rho/2 b (1 - b) (S - W_b)^2, where S is the threatened
    rung carried out (the state it leads to; for the strike, war with its success probability,
    else the state where it was); the coercer expects its demand met with
    A = (1 - m) sigma(λ (V_b(D) - H)) and is worth A V_a(D) + (1 - A) W_a. Every rung vector
    and a hypothetical cohesion of the target are valued within the same decision, so nothing
    valued for one state leaks into another."""
    sc = es.load_scenario(DATA / "dyad.yaml").with_values(
        {
            "actors.a.threat": threat,
            "actors.a.ladder.strike.success": success,
            "actors.b.incentives.risk_aversion": rho,
        }
    )
    checked = 0
    for i in range(6):
        sim = _sim(sc, i)
        st = sim.state
        if st.demand["a"] != "surrender":
            continue
        a, b = sim.params.actors["a"], sim.params.actors["b"]
        now, belief, m = st.cohesion.at(sim.now), st.belief("b", "a"), st.belief("a", "b")
        declared = [r.name for r in a.ladder].index(threat)
        hold_out = functools.partial(_hold_out, belief, declared, success, rho)
        for rung_a in range(3):
            rung = sim.state.coding.encode({"a": rung_a, "b": 0})
            accept = (1 - m) * sigmoid(LAM * (DEAL["b"] - hold_out(rung_a, now)))
            coercer = accept * DEAL["a"] + (1 - accept) * continuation("a", rung_a, now)
            assert math.isclose(sim.valuation.status(b, rung), hold_out(rung_a, now), rel_tol=1e-12)
            assert math.isclose(sim.valuation.status(a, rung), coercer, rel_tol=1e-12)
            imagined = sim.valuation.status(b, rung, cohesion=0.4)
            assert math.isclose(imagined, hold_out(rung_a, 0.4), rel_tol=1e-12)
        checked += 1
    assert checked >= 3


def test_with_no_threat_left_holding_out_is_the_crisis_going_on():
    """The strike spent (a failed attempt) and nothing above it: refusing risks nothing more
    than the crisis going on, whatever the target believes."""
    sim = _sim(es.load_scenario(DATA / "dyad.yaml"))
    b = sim.params.actors["b"]
    sim.state.spent.add(("a", 3))
    sim.valuation.begin_decision(sim.now)
    for rung_a in range(3):
        w_b = continuation("b", rung_a, sim.state.cohesion.at(sim.now))
        for belief in (0.0, 0.5, 1.0):
            held = sim.valuation.holdout(b, belief, sim.state.coding.encode({"a": rung_a, "b": 0}))
            assert math.isclose(held, w_b, rel_tol=1e-12)


def test_the_logistic_is_bounded_and_symmetric_at_any_input():
    from escalsim.model.valuation import sigmoid as logistic

    for x in (0.0, 0.3, 5.0, 699.0, 700.0, 750.0, 1e308, math.inf):
        assert 0.5 <= logistic(x) <= 1.0 and 0.0 <= logistic(-x) <= 0.5
        assert math.isclose(logistic(x) + logistic(-x), 1.0, rel_tol=1e-12)
    assert logistic(math.inf) == 1.0 and logistic(-math.inf) == 0.0 and logistic(0.0) == 0.5


def test_a_beta_belief_adds_its_pseudo_observations():
    from escalsim.model.valuation import updated

    assert updated(2.0, 3.0) == 2.0 / 5.0
    assert updated(2.0, 3.0, 1.0) == 3.0 / 6.0
    assert updated(2.0, 3.0, 0.0, 2.0) == 2.0 / 7.0
    assert updated(2.0, 3.0, 1.0, 2.0) == 3.0 / 8.0


class DyadTable:
    """The dyad's options in closed form, in a state with a's demand standing (so that backing
    away costs its audience cost, 5), from the state's cohesion c, the coercer's belief m that
    the target refuses whatever the terms, and the target's Beta belief (al, be) in a."""

    AUDIENCE, SIGNAL, STRIKE = 5.0, (0.0, 1.0, 2.0, 3.0), -5.0 + WAR["a"]  # cost, then war

    def __init__(self, c: float, m: float, al: float, be: float):
        self.c, self.m, self.al, self.be = c, m, al, be

    def hold_out(self, belief: float, rung_a: int, cohesion: float | None = None) -> float:
        c = self.c if cohesion is None else cohesion
        return belief * WAR["b"] + (1 - belief) * continuation("b", rung_a, c)

    def accepts(self, belief: float, rung_a: int, deal: dict[str, float]) -> float:
        return (1 - self.m) * sigmoid(LAM * (deal["b"] - self.hold_out(belief, rung_a)))

    def coercer(self, success: float, failure: float, rung_a: int, deal=DEAL) -> float:
        """The coercer's status with its demand standing, the target's belief after the
        given pseudo-observations."""
        al, be = self.al + success, self.be + failure
        acc = self.accepts(al / (al + be), rung_a, deal)
        return acc * deal["a"] + (1 - acc) * continuation("a", rung_a, self.c)

    def review(self) -> dict:
        after = self.SIGNAL
        believed = (self.al + 3.0) / (self.al + self.be + 3.0)  # the ultimatum's signal
        acc = self.accepts(believed, 1, DEAL)
        fallback = max(self.STRIKE, continuation("a", 1, self.c) - self.AUDIENCE)
        return {
            ("hold", None): self.coercer(0.0, 0.0, 1),
            ("climb", 2): -2.0 + self.coercer(after[2], 0.0, 2),
            ("descend", 0): self.coercer(0.0, after[1], 0) - self.AUDIENCE,
            ("backdown", None): -15.0 - self.AUDIENCE,
            ("ultimatum", "surrender"): acc * DEAL["a"] + (1 - acc) * fallback,
            ("concede", "compromise"): self.coercer(0.0, 2.0, 1, COMPROMISE) - self.AUDIENCE / 2,
        }

    def deadline(self) -> dict:
        return {
            ("hold", None): self.coercer(0.0, 0.0, 1) - self.AUDIENCE,
            ("climb", 3): self.STRIKE,
            ("backdown", None): -15.0 - self.AUDIENCE,
        }

    def target(self, belief: float, context: str) -> dict:
        table = {
            ("hold", None): self.hold_out(belief, 1),
            ("accept", "surrender"): DEAL["b"],
            ("counter", "compromise"): (1 - belief) * COMPROMISE["b"]
            + belief * self.hold_out(belief, 1),
        }
        if context == "review":  # rallying: cohesion raised by 0.1 (1 - c), at a cost of 0.5
            table[("rally", None)] = self.hold_out(belief, 1, self.c + 0.1 * (1 - self.c)) - 0.5
        return table


def test_every_option_is_valued_by_the_table_of_options():
    """docs/model.md, "Options and their utilities", on the dyad with the coercer a on 'deploy'
    and its demand standing: each option the coercer has at a review and at its deadline, and
    each the target has at a review or facing the demand, with its closed-form utility. The
    target's Beta belief gains the signals of the action valued: a climb's rung signal as
    successes, a descent's as failures, the ultimatum's signal (3), a concession's penalty
    (2)."""
    sc = es.load_scenario(DATA / "dyad.yaml").with_values(
        {"actors.a.ultimatum_signal": 3.0, "actors.a.concession_penalty": 2.0}
    )
    checked = 0
    for i in range(8):
        sim = _sim(sc, i)
        st = sim.state
        if st.demand["a"] != "surrender" or st.rung["a"] != 1:
            continue
        a, b = sim.params.actors["a"], sim.params.actors["b"]
        table = DyadTable(
            st.cohesion.at(sim.now), st.belief("a", "b"), st.alpha[("b", "a")], st.beta[("b", "a")]
        )
        belief = st.belief("b", "a")
        st.deadline["a"] = sim.now
        cases = [
            (a, "deadline", table.deadline()),
            (b, "demand", table.target(belief, "demand")),
            (b, "review", table.target(belief, "review")),
        ]
        for who, context, expect in cases:
            if context != "deadline":
                st.deadline["a"] = None
            sim.valuation.begin_decision(sim.now)
            got = {(o.kind, o.arg): o.utility for o in sim.scorer.options(who, context, "a")}
            assert got.keys() == expect.keys(), (context, got)
            for key, value in expect.items():
                assert math.isclose(got[key], value, rel_tol=1e-12), (context, key)
        sim.valuation.begin_decision(sim.now)
        got = {(o.kind, o.arg): o.utility for o in sim.scorer.options(a, "review", None)}
        assert got.keys() == table.review().keys(), got
        for key, value in table.review().items():
            assert math.isclose(got[key], value, rel_tol=1e-12), ("review", key)
        checked += 1
    assert checked >= 3
