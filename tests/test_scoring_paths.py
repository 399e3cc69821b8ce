"""The engine's cheap paths compute only what a decision needs, and give the same runs.

A watched actor with types scores its other types' options only when an observer learns from
its choice (Bayes' rule needs their likelihood); a choice seen by no one (quietly holding at a
review) needs the true type's options alone. The valuation starts each decision at the time
the engine gives it, and keeps its caches in objects of its own.
"""

from __future__ import annotations

from pathlib import Path

import escalsim as es
from escalsim.engine import prepare
from escalsim.engine.run import build_simulation
from escalsim.model.options import OptionScorer
from escalsim.model.types import seen
from escalsim.model.valuation import DecisionMemo, RunCache

DYAD = Path(__file__).resolve().parent / "data" / "typed_dyad.yaml"


def test_other_types_are_scored_only_for_a_choice_someone_sees(monkeypatch):
    scored: list[str] = []  # the type keys scored in the decision under way
    real = OptionScorer.options

    def options(self, a, context, sender):
        scored.append(a.key)
        return real(self, a, context, sender)

    monkeypatch.setattr(OptionScorer, "options", options)
    prep = prepare(es.load_scenario(DYAD))
    counts = {True: 0, False: 0}
    for i in range(300):
        sim, _ = build_simulation(prep, es.run_seed(4, i))
        sim.set_time(0.5)
        a = sim.params.actors["a"]
        kinds: list[str] = []
        real_execute = sim.execute

        def remember(actor, opt, context, sender, kinds=kinds, real_execute=real_execute):
            kinds.append(opt.kind)
            real_execute(actor, opt, context, sender)

        sim.execute = remember
        scored.clear()
        sim.decide(a, "review", None)
        visible = seen("review", kinds[0])
        counts[visible] += 1
        expected = [v.key for v in sim.params.types["a"].variants] if visible else []
        assert scored[0] == a.key  # the true type first, always
        assert sorted(scored[1:]) == sorted(k for k in expected if k != a.key)
    assert counts[True] > 20 and counts[False] > 20  # both paths were taken


def test_the_valuation_takes_the_time_of_each_decision_and_keeps_explicit_caches():
    prep = prepare(
        es.load_scenario(Path(__file__).resolve().parent.parent / "scenarios/venezuela_2025.yaml")
    )
    sim, _ = build_simulation(prep, es.run_seed(1, 0))
    val = sim.valuation
    assert isinstance(val.run_cache, RunCache) and isinstance(val.memo, DecisionMemo)
    sim.set_time(3.0)
    assert val.now == 0.0  # the engine's clock moved; the valuation's waits for a decision
    val.begin_decision(sim.now)
    st = sim.state
    assert val.now == 3.0 and val.cohesion_now() == st.cohesion.at(3.0)
    val.status(sim.params.actors["maduro"], st.code)
    assert val.memo.status and val.run_cache.terms
    val.begin_decision(4.0, scoring=False)
    memo = val.memo  # the run's cache outlives a decision
    assert not (memo.status or memo.mix or memo.threatened) and val.run_cache.terms
    assert val.status(sim.params.actors["maduro"], st.code) != val.status(
        sim.params.actors["maduro"], st.code
    )  # unscored: NaN
