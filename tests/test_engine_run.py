"""One run: its record, its log, its reproducibility, its switches and its extension points."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import escalsim as es
from escalsim.engine import prepare, run_prepared
from escalsim.engine.run import build_simulation

ROOT = Path(__file__).resolve().parent.parent
DYAD = ROOT / "tests" / "data" / "dyad.yaml"
FLAGSHIP = ROOT / "scenarios" / "venezuela_2025.yaml"


@pytest.fixture(scope="module")
def dyad() -> es.Scenario:
    return es.load_scenario(DYAD)


@pytest.fixture(scope="module")
def flagship() -> es.Scenario:
    return es.load_scenario(FLAGSHIP)


def test_a_record_has_everything_a_row_needs(flagship):
    rec = es.run_one(flagship, seed=3)
    assert rec.outcome in flagship.outcomes
    assert 0.0 <= rec.time <= flagship.horizon
    assert set(rec.max_rung) == {a for a, p in flagship.actors.items() if p.ladder}
    for actor, rung in rec.max_rung.items():
        assert 0 <= rung < len(flagship.actors[actor].ladder)
    assert set(rec.milestones) <= set(flagship.milestones)
    assert all(t <= rec.time for t in rec.milestones.values())
    drawn = {k for k in rec.params if not k.startswith(("history.", "type."))}
    assert drawn == set(flagship.uncertain())
    types = {k for k in rec.params if k.startswith("type.")}
    assert types == {f"type.{a}" for a, actor in flagship.actors.items() if actor.types}
    assert all(rec.params[k] in range(len(flagship.actors[k[5:]].types)) for k in types)
    uncertain_events = {
        f"history.{ev.id}"
        for ev in flagship.history
        if not (ev.reliability == "confirmed" or ev.reliability == 1.0)
    }
    history_keys = {k for k in rec.params if k.startswith("history.")}
    assert history_keys == uncertain_events
    assert rec.events is None and rec.n_events >= 1


def test_the_same_seed_gives_the_same_record_and_seeds_differ(flagship):
    a = es.run_one(flagship, seed=42, keep_events=True)
    b = es.run_one(flagship, seed=42, keep_events=True)
    assert a == b
    outcomes = Counter(es.run_one(flagship, seed=s).outcome for s in range(60))
    assert len(outcomes) >= 3


def test_the_event_log_holds_the_history_and_the_run(flagship):
    rec = es.run_one(flagship, seed=5, keep_events=True)
    times = [e.time for e in rec.events]
    assert times == sorted(times)
    history = [e for e in rec.events if e.time <= 0]  # dated up to the start date itself
    assert history and all(e.actor in flagship.actors for e in history)
    assert any(e.time == 0 for e in history)  # the flagship has history on its start date
    assert rec.n_events == sum(1 for e in rec.events if e.time > 0)
    assert rec.events[-1].kind == "outcome"
    assert rec.events[-1].payload["outcome"] == rec.outcome


def test_run_seed_spawns_from_a_seed_sequence():
    import numpy as np

    seeds = [es.run_seed(7, i) for i in range(100)]
    assert len(set(seeds)) == 100
    assert es.run_seed(7, 3) == es.run_seed(7, 3)
    assert all(0 <= s < 2**63 for s in seeds)
    child = np.random.SeedSequence(7).spawn(4)[3]
    assert es.run_seed(7, 3) == int(child.generate_state(1, dtype=np.uint64)[0]) >> 1


def test_history_sets_the_initial_state(flagship):
    sim, row = build_simulation(prepare(flagship), seed=1)
    st = sim.state
    assert st.rung["us"] >= flagship.actors["us"].ladder.index(
        next(r for r in flagship.actors["us"].ladder if r.name == "carrier_group")
    )
    # the one-week deadline of 21 November passed before the start: it counts as missed
    if row["history.call_ultimatum"] == 1.0:
        assert st.deadline_missed and st.demand["us"] == "leave_now"
    assert not st.channel_open or row.get("history.second_call_unanswered") == 0.0


def test_an_uncertain_event_is_included_with_its_probability(flagship):
    prep = prepare(flagship)
    n = 600
    kept = sum(build_simulation(prep, seed=s)[1]["history.airspace"] for s in range(n))
    p = 0.7
    se = (p * (1 - p) / n) ** 0.5
    assert abs(kept / n - p) < 4 * se  # 4 standard errors


def test_mechanisms_can_be_switched_off(flagship):
    off = flagship.with_values(
        {"mechanisms.collapse": False, "mechanisms.incidents": False, "mechanisms.history": False}
    )
    prep = prepare(off)
    for s in range(80):
        rec = run_prepared(prep, s, keep_events=True)
        assert "popular_uprising" not in rec.milestones
        assert "incident" not in rec.milestones
        assert all(e.time >= 0 for e in rec.events)
    no_signals = flagship.with_values({"mechanisms.signals": False})
    sim, _ = build_simulation(prepare(no_signals), seed=1)
    prior = no_signals.actors["us"].beliefs["maduro"]
    assert sim.state.alpha[("us", "maduro")] + sim.state.beta[("us", "maduro")] == pytest.approx(
        prior.weight
    )
    prep = prepare(no_signals)  # nor does anyone learn the US's type from what it does
    for s in range(40):
        sim, _ = build_simulation(prep, seed=s)
        sim.run()
        assert sim.state.typed[("maduro", "us")] == (0.3, 0.7)


def test_a_python_decision_rule_replaces_the_logit(dyad):
    def always_back_down(view: es.DecisionView):
        kinds = [o.kind for o in view.options]
        return "backdown" if "backdown" in kinds else "hold"

    def always_hold(view: es.DecisionView):
        return "hold"

    for seed in range(10):
        rec = es.run_one(dyad, seed=seed, rules={"a": always_back_down, "b": always_hold})
        assert rec.outcome in {"backdown", "collapse"}  # collapse may strike first
        assert rec.outcome == "backdown" or rec.time < 10


def test_a_bad_python_rule_fails_with_its_seed(dyad):
    def nonsense(view):
        return "fly_to_the_moon"

    with pytest.raises(es.RunError, match="seed 9"):
        es.run_one(dyad, seed=9, rules={"a": nonsense})


def test_a_rule_for_an_unknown_actor_is_refused(dyad):
    with pytest.raises(es.RunError, match="unknown actor"):
        es.run_one(dyad, seed=1, rules={"zz": lambda v: "hold"})


def test_the_second_bundled_scenario_uses_only_yaml_extensions():
    """Scripted rule, a fourth actor, its own action, deal term and outcome: no engine change."""
    sc = es.load_scenario(ROOT / "scenarios" / "border_dispute.yaml")
    assert sc.actors["northland"].rule != "logit"
    prep = prepare(sc)
    outcomes = Counter(run_prepared(prep, es.run_seed(3, i), i).outcome for i in range(600))
    assert outcomes["frozen_conflict"] > 0  # the scenario's own outcome, via its own action
    assert outcomes["settlement"] > 0
    assert sum(1 for o in outcomes if outcomes[o] >= 6) >= 3


def test_a_scripted_rule_follows_its_cases():
    """A doctrine that always climbs reaches the top rung; one that never does stays put."""
    sc = es.load_scenario(ROOT / "scenarios" / "border_dispute.yaml")
    always = sc.with_values(
        {"actors.northland.rule": {"scripted": [{"when": {}, "choose": {"climb": 1}}]}}
    )
    never = sc.with_values({"actors.northland.rule": {"scripted": [{"choose": {"hold": 1}}]}})
    for s in range(20):
        a = es.run_one(always, seed=s)
        assert a.outcome in {"war", "settlement", "frozen_conflict"}
        b = es.run_one(never, seed=s)
        assert b.max_rung["northland"] == 1  # the history's exercises, nothing more


def test_a_built_in_action_can_trigger_an_outcome(dyad):
    """An outcome triggered by an engine action (here the coercer's ultimatum) ends the run."""
    data = dyad.to_dict()
    data["outcomes"] = {
        "ultimatum_given": {"trigger": {"action": "a.ultimatum"}},
        **data["outcomes"],
    }
    sc = es.Scenario.from_dict(data)
    outcomes = Counter(es.run_one(sc, seed=s).outcome for s in range(150))
    assert outcomes["ultimatum_given"] > 0
    for s in range(150):
        rec = es.run_one(sc, seed=s, keep_events=True)
        if rec.outcome == "ultimatum_given":
            assert [e.kind for e in rec.events][-2:] == ["ultimatum", "outcome"]


def test_an_excluded_history_event_keeps_the_other_draws_in_step(flagship):
    no_ultimatum = es.load_scenario(ROOT / "scenarios" / "venezuela_2025_no_ultimatum.yaml")
    base_prep, variant_prep = prepare(flagship), prepare(no_ultimatum)
    for s in range(30):
        _, base_row = build_simulation(base_prep, s)
        _, row = build_simulation(variant_prep, s)
        assert "history.call_ultimatum" not in row
        assert row == {k: v for k, v in base_row.items() if k != "history.call_ultimatum"}


def test_uncertain_weights_in_a_scripted_rule_are_refused():
    sc = es.load_scenario(ROOT / "scenarios" / "border_dispute.yaml")
    with pytest.raises(es.ScenarioError, match=r"rule\.scripted\.0\.choose\.climb"):
        sc.with_values({"actors.northland.rule.scripted.0.choose.climb": {"uniform": [0, 1]}})


def test_times_come_with_calendar_dates(flagship):
    import datetime as dt

    rec = es.run_one(flagship, seed=2, keep_events=True)
    start = dt.datetime(2025, 12, 1)
    assert rec.date == start + dt.timedelta(days=rec.time)
    ford = next(e for e in rec.events if e.payload.get("rung") == "carrier_group")  # confirmed
    assert ford.date.date() == dt.date(2025, 11, 16)


def test_a_refused_counter_offer_is_logged_with_its_deal(flagship):
    refusals = 0
    for seed in range(40):
        last_counter = None
        for ev in es.run_one(flagship, seed=seed, keep_events=True).events:
            if ev.kind == "counter" and ev.actor == "maduro":
                last_counter = ev.payload["deal"]
            elif ev.kind == "refuse" and ev.target == "maduro" and ev.time >= 0.0:  # not history
                refusals += 1
                assert ev.payload["deal"] == last_counter is not None
    assert refusals > 0


def test_a_scripted_rule_may_accept_answers_without_accept_in_its_repertoire(dyad):
    """Any actor may accept a counter-offer, so a doctrine may weight it (docs: actions)."""
    rep = ["hold", "climb", "descend", "backdown", "demand", "ultimatum", "concede"]
    sc = dyad.with_values(
        {
            "actors.a.repertoire": rep,
            "actors.a.rule": {"scripted": [{"choose": {"accept": 1, "demand": 1, "hold": 1}}]},
        }
    )
    accepted = 0
    for s in range(60):
        events = es.run_one(sc, seed=s, keep_events=True).events
        kinds = [(e.actor, e.kind) for e in events if e.time >= 0]
        assert ("a", "accept") not in kinds or ("b", "counter") in kinds
        accepted += ("a", "accept") in kinds
    assert accepted > 0
