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
