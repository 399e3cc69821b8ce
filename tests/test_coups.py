"""A palace coup is a choice: it pays when others would join it (low cohesion) and the
confrontation weighs on the officers (high escalation), and its propensity in calm times is
the calibrated base rate. On the flagship's armed forces (``fanb``)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

import escalsim as es
from escalsim.engine import prepare
from escalsim.engine.run import build_simulation

FLAGSHIP = Path(__file__).resolve().parent.parent / "scenarios" / "venezuela_2025.yaml"
MEANS = {"actors.fanb.actions.defect.success": 0.8, "processes.cohesion.initial": 0.75}
BASE_RATE = 0.023  # coup attempts within six months, calm times (docs/venezuela_2025.md)


def _fanb_view(us_rung: str, cohesion: float, failure_cost: float | None = None):
    """The armed forces' options at a review, the US at ``us_rung``, cohesion as given."""
    changes = dict(MEANS)
    if failure_cost is not None:
        changes["actors.fanb.actions.defect.failure_cost"] = failure_cost
    sc = es.load_scenario(FLAGSHIP).with_values(changes)
    sim, _ = build_simulation(prepare(sc), es.run_seed(1, 0))
    st = sim.state
    for a in sim.params.actors.values():
        st.set_rung(a.index, 0)
    us = sim.params.actors["us"]
    st.set_rung(us.index, [r.name for r in us.ladder].index(us_rung))
    sim._refresh_pressure()
    st.cohesion.level, st.cohesion.since = cohesion, 0.0
    sim.set_time(0.001)
    sim.valuation.begin_decision(sim.now)
    fanb = sim.params.actors["fanb"]
    return sim, fanb, {o.kind: o.utility for o in sim.scorer.options(fanb, "review", None)}


def test_a_coup_is_the_best_response_when_cohesion_is_low_and_the_us_close():
    """In calm times a coup is far from paying; the lower the cohesion and the closer the US,
    the nearer it comes, and with the officer corps ready to move (cohesion 0.1) and the US at
    the raid, it is the officers' best response: an uprising would sweep them away with the
    regime, a coup leaves them running the transition. The harsher a failed coup's purges,
    the less it pays."""
    _, _, calm = _fanb_view("pressure", 0.75)
    _, _, tense = _fanb_view("blockade", 0.4)
    _, _, crisis = _fanb_view("raid", 0.1)
    _, _, purged = _fanb_view("raid", 0.1, failure_cost=80.0)
    assert calm["defect"] < calm["hold"] - 20
    assert calm["defect"] - calm["hold"] < tense["defect"] - tense["hold"] < 0
    assert crisis["defect"] > crisis["hold"]
    assert purged["defect"] - purged["hold"] < crisis["defect"] - crisis["hold"]


def test_the_value_of_a_coup_is_its_closed_form():
    """-cost + p payoff + (1 - p)(hold - failure cost), p = success x (1 - cohesion), with the
    success expected (the mean of its distribution) and the coup's own payoff, not the value
    of a collapse however it comes."""
    sim, fanb, opts = _fanb_view("blockade", 0.4)
    act = fanb.actions["defect"]
    assert act.payoff is not None and act.payoff != fanb.value("internal_collapse")
    p = act.expected_success * (1 - sim.valuation.cohesion_now()) ** act.coordination
    expect = -act.cost + p * act.payoff + (1 - p) * (opts["hold"] - act.failure_cost)
    assert math.isclose(sim.valuation.custom_success(act), p)
    assert math.isclose(opts["defect"], expect, rel_tol=1e-12)


def test_a_coup_succeeds_as_often_as_others_would_join_it():
    """The engine's roll uses the drawn success x (1 - cohesion) at the decision."""
    sim, fanb, _ = _fanb_view("blockade", 0.4)
    act = fanb.actions["defect"]
    act.success = 0.6  # a draw away from the mean the officers expect (0.8)
    p = act.success * (1 - sim.valuation.cohesion_now())
    n, won = 2000, 0
    for _ in range(n):
        sim.state.outcome = None
        sim.state.cohesion.level, sim.state.cohesion.since = 0.4, 0.0
        sim.valuation.begin_decision(sim.now)
        sim.do_custom(fanb, act)
        won += sim.state.outcome == "internal_collapse"
    assert abs(won / n - p) < 4 * math.sqrt(p * (1 - p) / n)  # 4 binomial standard errors


def test_in_calm_times_the_coup_propensity_is_the_base_rate():
    """With no US pressure and cohesion at its mean, the armed forces' logit chance of a coup
    at a review, compounded over six months of fortnightly reviews, is the calibrated base
    rate (the calibration of ``fanb.rationality``; re-run it when the coup's numbers change)."""
    _, fanb, calm = _fanb_view("pressure", 0.75)
    gap = calm["hold"] - calm["defect"]
    per_review = 1 / (1 + math.exp(fanb.rationality * gap))
    six_months = 1 - (1 - per_review) ** (180 / fanb.review_days)
    assert abs(six_months - BASE_RATE) < 0.003


def test_the_trace_gives_the_coups_chance_at_the_cohesion_seen():
    from escalsim.engine import run_one, run_seed
    from escalsim.results.layout import Layout

    sc = es.load_scenario(FLAGSHIP)
    record = run_one(sc, run_seed(3, 0), trace=True)
    table = Layout.of(sc).decisions.frame([record])
    coups = table[table["option"] == "defect"]
    assert len(coups) >= 3
    # the officers weigh the success they expect (the mean 0.8 of beta[8, 2]), not the draw;
    # the trace keeps cohesion as float32: compare to its precision
    expect = 0.8 * (1 - coups["cohesion"].astype(float))
    assert (abs(coups["success"].astype(float) - expect) < 1e-6).all()


UPRISING_RATE = 0.16 * 0.0115
"""Six-month chance that a popular uprising topples the regime in calm times: uprisings
removed about one authoritarian leader for every six that insiders removed (Svolik 2012), and
successful coups run at about 0.023 × 0.5 per six months (Powell & Thyne 2011)."""


def _beta_pdf(x: np.ndarray, a: float, b: float) -> np.ndarray:
    log_norm = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    return np.exp(log_norm + (a - 1) * np.log(x) + (b - 1) * np.log1p(-x))


def test_in_calm_times_an_uprising_topples_the_regime_at_the_base_rate():
    """With no US pressure cohesion relaxes from its drawn start to its baseline,
    ``c(t) = baseline + (c0 − baseline) e^{−recovery t}``, and the collapse hazard
    ``max_hazard (1 − c)^shape`` integrated over six months, averaged over the prior of c0,
    gives the calibrated base rate (the calibration of ``processes.collapse.shape``)."""
    sc = es.load_scenario(FLAGSHIP)
    coh, col = sc.processes.cohesion, sc.processes.collapse
    a, b = coh.initial.beta
    c0 = np.linspace(0.0005, 0.9995, 1000)  # midpoints of a fine grid on (0, 1)
    weights = _beta_pdf(c0, a, b)
    weights /= weights.sum()
    t = np.linspace(0.0, 180.0, 1801)
    path = coh.baseline + (c0[:, None] - coh.baseline) * np.exp(-coh.recovery * t[None, :])
    hazard = col.max_hazard * (1.0 - path) ** col.shape
    dt = t[1] - t[0]
    exposure = dt * (hazard.sum(axis=1) - 0.5 * (hazard[:, 0] + hazard[:, -1]))  # trapezoid
    six_months = float(weights @ (1.0 - np.exp(-exposure)))
    assert abs(six_months - UPRISING_RATE) < 0.0002  # the shape is given to 2 digits
