"""A palace coup is a choice: it pays when others would join it (low cohesion) and the
confrontation weighs on the officers (high escalation), and its propensity in calm times is
the calibrated base rate. On the flagship's armed forces (``fanb``)."""

from __future__ import annotations

import math
from pathlib import Path

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
    for a in st.rung:
        st.rung[a] = 0
    st.rung["us"] = [r.name for r in sim.params.actors["us"].ladder].index(us_rung)
    sim._refresh_pressure()
    st.cohesion.level, st.cohesion.since = cohesion, 0.0
    sim.set_time(0.001)
    sim.valuation.begin_decision(sim.now)
    fanb = sim.params.actors["fanb"]
    return sim, fanb, {o.kind: o.utility for o in sim.scorer.options(fanb, "review", None)}


def test_a_coup_is_the_best_response_where_it_would_succeed_and_go_unpunished():
    """In calm times a coup is far from paying; the lower the cohesion and the closer the US,
    the nearer it comes; and where its failure would not be punished (a regime too weak to
    purge), it is the officers' best response."""
    _, _, calm = _fanb_view("pressure", 0.75)
    _, _, crisis = _fanb_view("raid", 0.1)
    _, _, weak = _fanb_view("raid", 0.1, failure_cost=5.0)
    assert calm["defect"] < calm["hold"] - 20
    assert calm["defect"] - calm["hold"] < crisis["defect"] - crisis["hold"] < 0
    assert weak["defect"] > weak["hold"]


def test_the_value_of_a_coup_is_its_closed_form():
    """-cost + p V(collapse) + (1 - p)(hold - failure cost), p = success x (1 - cohesion)."""
    sim, fanb, opts = _fanb_view("blockade", 0.4)
    act = fanb.actions["defect"]
    p = act.success * (1 - sim.valuation.cohesion_now()) ** act.coordination
    expect = (
        -act.cost
        + p * fanb.value("internal_collapse")
        + (1 - p) * (opts["hold"] - act.failure_cost)
    )
    assert math.isclose(sim.valuation.custom_success(act), p)
    assert math.isclose(opts["defect"], expect, rel_tol=1e-12)


def test_a_coup_succeeds_as_often_as_others_would_join_it():
    """The engine's roll uses the same chance: success x (1 - cohesion) at the decision."""
    sim, fanb, _ = _fanb_view("blockade", 0.4)
    act = fanb.actions["defect"]
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
    drawn = record.params["actors.fanb.actions.defect.success"]
    # the trace keeps cohesion as float32: compare to its precision
    expect = drawn * (1 - coups["cohesion"].astype(float))
    assert (abs(coups["success"].astype(float) - expect) < 1e-6).all()
