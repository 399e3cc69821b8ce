"""A spent rung (a failed raid) is no longer a threat: not to the target holding out, not to
the coercer weighing an ultimatum, not as the rung a deadline promises."""

from __future__ import annotations

import math
from pathlib import Path

import escalsim as es
from escalsim.engine import prepare
from escalsim.engine.run import build_simulation

FLAGSHIP = Path(__file__).resolve().parent.parent / "scenarios" / "venezuela_2025.yaml"


def _flagship_sims(n: int, root: int):
    prep = prepare(es.load_scenario(FLAGSHIP))
    for i in range(n):
        sim, _ = build_simulation(prep, es.run_seed(root, i))
        yield sim


def _declare(sim, rung: int) -> None:
    """Make ``rung`` the US's declared threat, for its true type and every other type."""
    for us in (sim.params.actors["us"], *sim.params.types["us"].variants):
        us.threat = rung


def test_the_threat_passes_over_spent_rungs():
    sim = next(_flagship_sims(1, 3))
    us, st = sim.params.actors["us"], sim.state
    names = [r.name for r in us.ladder]
    raid, air, ground = (names.index(n) for n in ("raid", "air_campaign", "ground_operation"))
    assert us.threat == raid and sim.valuation.threat_rung(us, st.code) == raid
    st.spent.add(("us", raid))
    assert sim.valuation.threat_rung(us, st.code) == air
    st.spent.add(("us", air))
    assert sim.valuation.threat_rung(us, st.code) == ground
    st.spent.add(("us", ground))
    assert sim.valuation.threat_rung(us, st.code) is None


def test_holding_out_after_a_failed_raid_weighs_the_next_threat():
    """With the raid spent, the target's value of holding out is exactly its value under a
    declared threat of the next rung (the air campaign): the raid counts for nothing."""
    checked = 0
    for sim in _flagship_sims(20, 8):
        us, maduro, st = sim.params.actors["us"], sim.params.actors["maduro"], sim.state
        if st.demand["us"] is None:
            continue
        raid = us.threat
        sim.set_time(0.0)
        sim.valuation.begin_decision(sim.now)
        live = sim.valuation.holdout(maduro, 0.7, st.code)
        st.spent.add(("us", raid))
        sim.valuation.begin_decision(sim.now)
        spent = sim.valuation.holdout(maduro, 0.7, st.code)
        st.spent.discard(("us", raid))
        _declare(sim, raid + 1)  # declare the air campaign instead, nothing spent
        sim.valuation.begin_decision(sim.now)
        declared_next = sim.valuation.holdout(maduro, 0.7, st.code)
        _declare(sim, raid)
        assert math.isclose(spent, declared_next, rel_tol=1e-12, abs_tol=1e-12)
        assert spent != live  # the raid's prospect did matter while it was live
        checked += 1
    assert checked >= 10


def test_an_ultimatum_after_a_failed_raid_promises_the_next_rung():
    """The coercer values an ultimatum by what it would carry out if refused: with the raid
    spent, that is the air campaign, as when the air campaign is the declared threat."""
    checked = 0
    for sim in _flagship_sims(20, 9):
        us, st = sim.params.actors["us"], sim.state
        if st.demand["us"] is None or st.deadline["us"] is not None:
            continue
        raid = us.threat
        sim.set_time(0.0)
        st.spent.add(("us", raid))
        sim.valuation.begin_decision(sim.now)
        spent = [o.utility for o in sim.scorer.options(us, "review", None) if o.kind == "ultimatum"]
        st.spent.discard(("us", raid))
        _declare(sim, raid + 1)
        sim.valuation.begin_decision(sim.now)
        declared = [
            o.utility for o in sim.scorer.options(us, "review", None) if o.kind == "ultimatum"
        ]
        _declare(sim, raid)
        # the failure branch of other climbs also sees the raid spent; compare the ultimatum
        assert spent and math.isclose(spent[0], declared[0], rel_tol=1e-12, abs_tol=1e-12)
        checked += 1
    assert checked >= 5


def test_a_failed_attempt_is_not_offered_again():
    """At a review the climbs offered are the rungs within ``max_jump`` above the current one,
    less those spent: after a failed raid, the raid is no longer among them."""
    checked = 0
    for sim in _flagship_sims(20, 10):
        us, st = sim.params.actors["us"], sim.state
        raid, here = us.threat, st.rung["us"]
        if not here < raid <= here + us.max_jump:
            continue
        sim.set_time(0.0)
        reach = set(range(here + 1, min(len(us.ladder) - 1, here + us.max_jump) + 1))
        for spent in (set(), {("us", raid)}, {("us", raid), ("us", here + 1)}):
            st.spent.clear()
            st.spent.update(spent)
            sim.valuation.begin_decision(sim.now)
            climbs = {o.arg for o in sim.scorer.options(us, "review", None) if o.kind == "climb"}
            assert climbs == reach - {r for _, r in spent}
        st.spent.clear()
        checked += 1
    assert checked >= 5
