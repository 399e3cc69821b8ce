"""The valuation layer against its closed forms: holding out as a mean-variance value, promises
discounted by credibility and raised by guarantees, and signals anticipated when an action is
valued. Each expected value is computed here from the scenario's numbers, not by the engine."""

from __future__ import annotations

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
    sim.now = now
    sim.begin_decision()
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
        assert math.isclose(sim.holdout(b, belief, sim.state.rung), expect, rel_tol=1e-12)
        forecast = sim.acceptance(a, deal, belief, sim.state.rung)
        assert math.isclose(forecast, sigmoid(LAM_B * (DEAL_B - expect)), rel_tol=1e-12)


def test_a_risk_averse_target_values_the_gamble_below_its_mean_and_yields_more():
    sc = es.load_scenario(DATA / "typed_dyad.yaml")
    neutral, averse = (
        _sim(sc.with_values({"actors.b.incentives.risk_aversion": rho})) for rho in (0.0, 0.02)
    )
    deal = neutral.params.deals["yield"]
    for belief in (0.2, 0.5, 0.8):
        h0 = neutral.holdout(neutral.params.actors["b"], belief, neutral.state.rung)
        h1 = averse.holdout(averse.params.actors["b"], belief, averse.state.rung)
        assert h1 < h0
        accept = [
            sim.acceptance(sim.params.actors["a"], deal, belief, sim.state.rung)
            for sim in (neutral, averse)
        ]
        assert accept[1] > accept[0]
    # a sure outcome carries no risk: at b = 0 and b = 1 risk aversion changes nothing
    for belief in (0.0, 1.0):
        assert neutral.holdout(neutral.params.actors["b"], belief, neutral.state.rung) == (
            averse.holdout(averse.params.actors["b"], belief, averse.state.rung)
        )


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

    assert math.isclose(sim.credibility("a", "b"), cred_a)
    assert math.isclose(sim.deal_value(b, deal), target_value(cred_a), rel_tol=1e-12)
    assert math.isclose(sim.deal_value(a, deal), v_a, rel_tol=1e-12)
    sim.state.guarantees["x.guarantee"] = 0.5
    once = 1 - (1 - cred_a) * (1 - 0.5)
    assert math.isclose(sim.deal_value(b, deal), target_value(once), rel_tol=1e-12)
    sim.state.guarantees["y.host"] = 0.2
    twice = 1 - (1 - cred_a) * (1 - 0.5) * (1 - 0.2)
    assert math.isclose(sim.deal_value(b, deal), target_value(twice), rel_tol=1e-12)
    assert math.isclose(sim.deal_value(a, deal), v_a, rel_tol=1e-12)

    believed = _sim(sc.with_values({"mechanisms.credibility": False}))
    assert math.isclose(believed.deal_value(b, deal), target_value(1.0), rel_tol=1e-12)


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
            sim.begin_decision()
            opts = sim.options(sim.params.actors["a"], "review", None)
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
DISCOUNT, RECOVERY, BASELINE, MAX_HAZARD, SHAPE, LAM = 0.02, 0.01, 0.8, 0.02, 2, 0.5


def continuation(who: str, rung_a: int, cohesion: float, instability: float = 0.0) -> float:
    """W: running costs over the horizon of attention 1/δ, weighed against a collapse whose
    hazard is taken at the cohesion projected to the middle of that window."""
    flow = DAY_COST[who] + (UPKEEP[rung_a] + instability * rung_a / 3 if who == "a" else 0.0)
    flow += HARM[rung_a] if who == "b" else 0.0
    base = 0.0 - flow / DISCOUNT
    window = 1 / DISCOUNT
    rate = PRESSURE[rung_a] + RECOVERY
    eq = RECOVERY * BASELINE / rate
    mid = eq + (cohesion - eq) * math.exp(-rate * window / 2)
    pc = 1 - math.exp(-MAX_HAZARD * max(0.0, 1 - mid) ** SHAPE * window)
    return (1 - pc) * base + pc * COLLAPSE[who]


def test_the_continuation_value_is_its_closed_form():
    sc = es.load_scenario(DATA / "dyad.yaml").with_values(
        {"actors.a.incentives.instability_cost": 0.3}
    )
    sim = _sim(sc)
    now = sim.state.cohesion.at(sim.now)
    for who, instability in (("a", 0.3), ("b", 0.0)):
        actor = sim.params.actors[who]
        for rung_a in range(4):
            for c in (None, 0.2, 0.95):
                got = sim.continuation(actor, {"a": rung_a, "b": 0}, c)
                expect = continuation(who, rung_a, now if c is None else c, instability)
                assert math.isclose(got, expect, rel_tol=1e-12), (who, rung_a, c)


@pytest.mark.parametrize(
    ("threat", "success"), [("strike", 1.0), ("strike", 0.6), ("blockade", 1.0)]
)
def test_the_value_of_carrying_on_is_its_closed_form(threat, success):
    """With a's demand standing: the target holds out, H = b S + (1 - b) W_b, where S is the
    threatened rung carried out (the state it leads to; for the strike, war with its success
    probability, else the state where it was); the coercer expects its demand met with
    A = (1 - m) sigma(λ (V_b(D) - H)) and is worth A V_a(D) + (1 - A) W_a. Every rung vector
    is valued within the same decision, so nothing valued for one state leaks into another."""
    sc = es.load_scenario(DATA / "dyad.yaml").with_values(
        {"actors.a.threat": threat, "actors.a.ladder.strike.success": success}
    )
    checked = 0
    for i in range(6):
        sim = _sim(sc, i)
        st = sim.state
        if st.demand["a"] != "surrender":
            continue
        a, b = sim.params.actors["a"], sim.params.actors["b"]
        c, belief, m = st.cohesion.at(sim.now), st.belief("b", "a"), st.belief("a", "b")
        declared = [r.name for r in a.ladder].index(threat)
        for rung_a in range(3):
            target = declared if declared > rung_a else rung_a + 1
            w_b = continuation("b", rung_a, c)
            if target == 3:  # the strike: war if it succeeds, else where it was
                struck = success * WAR["b"] + (1 - success) * w_b
            else:
                struck = continuation("b", target, c)
            hold = belief * struck + (1 - belief) * w_b
            accept = (1 - m) * sigmoid(LAM * (DEAL["b"] - hold))
            coercer = accept * DEAL["a"] + (1 - accept) * continuation("a", rung_a, c)
            rung = {"a": rung_a, "b": 0}
            assert math.isclose(sim.status(b, rung), hold, rel_tol=1e-12)
            assert math.isclose(sim.status(a, rung), coercer, rel_tol=1e-12)
        checked += 1
    assert checked >= 3


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
