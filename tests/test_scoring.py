"""Options are scored only for rules that read utilities, and skipping it changes nothing."""

from __future__ import annotations

import math
from pathlib import Path

import escalsim as es
from escalsim.engine import prepare, run_prepared
from escalsim.model import rules

ROOT = Path(__file__).resolve().parent.parent
SCRIPTED = ROOT / "scenarios" / "border_dispute.yaml"  # one actor follows a scripted rule


def _records(prep, seeds):
    return [
        (r.outcome, r.time, r.max_rung, r.milestones, [(e.time, e.kind) for e in r.events])
        for r in (run_prepared(prep, s, keep_events=True) for s in seeds)
    ]


def test_scripted_rules_decide_alike_with_or_without_scores(monkeypatch):
    prep = prepare(es.load_scenario(SCRIPTED))
    seeds = [es.run_seed(11, i) for i in range(150)]
    unscored = _records(prep, seeds)
    monkeypatch.setattr(rules.ScriptedRule, "needs_utilities", True)
    assert _records(prep, seeds) == unscored


def test_python_rules_see_finite_utilities():
    seen = []

    def rule(view):
        seen.extend(o.utility for o in view.options)
        return "hold"

    sc = es.load_scenario(ROOT / "tests" / "data" / "dyad.yaml")
    for seed in range(20):
        es.run_one(sc, seed=seed, rules={"a": rule})
    assert seen and all(math.isfinite(u) for u in seen)


def test_a_hypothetical_cohesion_is_valued_as_the_real_one():
    """Rallying is scored at the boosted cohesion: every part of the target's hold-out value
    (the pressure going on and the threat carried out) must see the boosted level, exactly as
    if cohesion were already there."""
    from escalsim.engine.run import build_simulation

    prep = prepare(es.load_scenario(ROOT / "scenarios" / "venezuela_2025.yaml"))
    checked = 0
    for seed in range(20):
        sim, _ = build_simulation(prep, es.run_seed(5, seed))
        st, target = sim.state, sim.params.actors["maduro"]
        if st.demand["us"] is None:
            continue  # no standing demand: nothing is held out against
        sim.set_time(0.0)
        c = st.cohesion.at(0.0)
        boosted = c + 0.3 * (1.0 - c)
        sim.valuation.begin_decision(sim.now)
        imagined = sim.valuation.status(target, st.code, cohesion=boosted)
        st.cohesion.boost(0.0, boosted - c)
        sim.valuation.begin_decision(sim.now)
        real = sim.valuation.status(target, st.code)
        assert math.isclose(imagined, real, rel_tol=1e-9, abs_tol=1e-9)
        checked += 1
    assert checked >= 10


def test_a_failed_attempt_is_valued_with_its_signal_received():
    """A rung that ends the crisis if it succeeds (the air campaign) leaves the climber where it
    was when it fails, but its opponent has seen the climb and the rung is spent: with success
    0, the attempt is worth its cost plus the value of that state. (With the softest demand
    standing, which the target may accept depending on its belief, so that the signal
    matters.)"""
    from escalsim.engine.run import build_simulation

    prep = prepare(es.load_scenario(ROOT / "scenarios" / "venezuela_2025.yaml"))
    checked = sensitive = 0
    for seed in range(20):
        sim, _ = build_simulation(prep, es.run_seed(6, seed))
        st, us = sim.state, sim.params.actors["us"]
        top = [rung.name for rung in us.ladder].index("air_campaign")
        assert ("us", top) in sim.rung_outcome and sim.valuation.threat_rung(us, st.code) != top
        if st.demand["us"] is None or st.rung["us"] >= top:
            continue
        us.ladder[top].success = us.ladder[top].expected_success = 0.0
        st.demand["us"] = us.demands[-1]
        sim.set_time(0.0)
        sim.valuation.begin_decision(sim.now)
        sensitive += sim.valuation.status(us, st.code, 0.05) != sim.valuation.status(
            us, st.code, 0.95
        )
        attempt = sim.scorer._climb_utility(us, top)
        sim.signal("us", sim.valuation.climb_signal(us, st.rung["us"], top))
        st.spent.add(("us", top))  # as the engine leaves a failed attempt
        sim.valuation.begin_decision(sim.now)
        failed = sim.valuation.status(us, st.code)
        assert attempt == failed - us.ladder[top].cost  # the same arithmetic, exactly
        checked += 1
    assert checked >= 10 and sensitive >= 3
