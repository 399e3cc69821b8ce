"""Private types and Bayesian learning: each run draws the coercer's type, the type drives its
choices, observers learn it by Bayes' rule from what it does, and the coercer screens a target
of unknown type. Oracles are closed forms computed here, independently of the engine, on
``tests/data/typed_dyad.yaml`` (no running costs, no cohesion: every value is a closed form)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

import escalsim as es
from escalsim.engine import prepare
from escalsim.engine.run import build_simulation
from escalsim.errors import ScenarioError

DYAD = Path(__file__).resolve().parent / "data" / "typed_dyad.yaml"
TYPES = ("resolved", "irresolute")
WAR = {"resolved": 10.0, "irresolute": -40.0}  # the coercer's value of war, by type
PRIOR = {"resolved": 0.4, "irresolute": 0.6}
LAM_A, LAM_B = 0.4, 0.5  # rationality of the coercer and of the target
DEAL_A, DEAL_B, WAR_B, STRIKE_COST = 20.0, -20.0, -40.0, 2.0


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def softmax(utilities: list[float], rationality: float) -> list[float]:
    top = max(utilities)
    w = [math.exp(rationality * (u - top)) for u in utilities]
    return [x / sum(w) for x in w]


def dyad(**changes) -> es.Scenario:
    sc = es.load_scenario(DYAD)
    return sc.with_values(changes) if changes else sc


class Oracle:
    """The typed dyad at its start, in closed form: the coercer demands, the target may yield.

    Each type's resolve is its logit choice between carrying out the strike (its value of war
    less the strike's cost) and letting the threat pass (the audience cost); the target's
    belief in the coercer's resolve is the prior mix of the two; the coercer's options at a
    review are hold (the demand met with the target's chance of yielding), strike, or an
    ultimatum (the demand met, else the better of striking and backing away).
    """

    def __init__(self, audience_cost: float, prior: dict[str, float] = PRIOR):
        self.a = audience_cost
        self.prior = prior
        self.resolve = {k: sigmoid(LAM_A * ((WAR[k] - STRIKE_COST) + audience_cost)) for k in TYPES}
        self.belief = sum(prior[k] * self.resolve[k] for k in TYPES)

    def accepts(self, belief: float) -> float:
        """The coercer's forecast (and the target's logit chance) that the target yields."""
        return sigmoid(LAM_B * (DEAL_B - belief * WAR_B))

    def utilities(self, k: str) -> list[float]:
        acc = self.accepts(self.belief)
        fallback = max(WAR[k] - STRIKE_COST, -self.a)
        return [acc * DEAL_A, WAR[k] - STRIKE_COST, acc * DEAL_A + (1 - acc) * fallback]

    def chance(self, k: str) -> list[float]:
        """Choice probabilities of hold, strike, ultimatum for type k."""
        return softmax(self.utilities(k), LAM_A)

    def posterior_after_ultimatum(self) -> float:
        joint = {k: self.prior[k] * self.chance(k)[2] for k in TYPES}
        return joint["resolved"] / sum(joint.values())


def _first_review(sc: es.Scenario, runs: int, root: int = 5):
    """For each seed, the coercer's first review at the start: its type, choice and the
    target's belief afterwards."""
    prep = prepare(sc)
    for i in range(runs):
        sim, row = build_simulation(prep, es.run_seed(root, i))
        sim.set_time(0.5)  # within the forecast: a strike ends the run
        a = sim.params.actors["a"]
        before = sim.state.typed[("b", "a")]
        deadline_before = sim.state.deadline["a"]
        sim.decide(a, "review", None)
        st = sim.state
        if st.outcome is not None:
            choice = "strike"
        elif st.deadline["a"] is not None and deadline_before is None:
            choice = "ultimatum"
        else:
            choice = "hold"
        yield TYPES[int(row["type.a"])], choice, before, st.typed[("b", "a")], sim


def test_types_draw_from_the_prior_and_are_recorded():
    res = es.simulate(
        dyad(), runs=3000, seed=2, settings=es.RunSettings(executor="serial", progress=False)
    )
    share = (res.runs["param.type.a"] == 0).mean()
    se = math.sqrt(0.4 * 0.6 / 3000)
    assert abs(share - 0.4) < 4 * se  # 4 standard errors of a binomial share


def test_each_types_resolve_is_its_closed_form():
    oracle = Oracle(audience_cost=12.0)
    _, _, _, _, sim = next(_first_review(dyad(), 1))
    sim.valuation.begin_decision(sim.now)
    for name, variant in zip(TYPES, sim.params.types["a"].variants, strict=True):
        assert math.isclose(sim.valuation.resolve(variant, sim.state.code), oracle.resolve[name])
    sim.state.typed[("b", "a")] = (0.4, 0.6)
    assert math.isclose(sim.valuation.belief("b", "a"), oracle.belief, rel_tol=1e-12)


@pytest.mark.parametrize(
    ("changes", "carry", "audience"),
    [
        ({"actors.a.ladder.strike.success": 0.5}, lambda k: 0.5 * WAR[k] - STRIKE_COST, 12.0),
        ({"mechanisms.audience_costs": False}, lambda k: WAR[k] - STRIKE_COST, 0.0),
    ],
)
def test_resolve_weighs_the_strikes_success_and_the_audience_cost(changes, carry, audience):
    """Each type's resolve is its logit choice between the strike (its outcome weighted by its
    success, the crisis going on, worth 0, otherwise) and letting the threat pass (less the
    audience cost, when audience costs are on)."""
    _, _, _, _, sim = next(_first_review(dyad(**changes), 1))
    sim.valuation.begin_decision(sim.now)
    for name, variant in zip(TYPES, sim.params.types["a"].variants, strict=True):
        expect = sigmoid(LAM_A * (carry(name) + audience))
        assert math.isclose(sim.valuation.resolve(variant, sim.state.code), expect, rel_tol=1e-12)


def test_no_threat_left_means_no_resolve():
    """With the strike spent, or from the top rung (nothing above to threaten), no type would
    carry out a threat: the belief in resolve is 0 whatever the probability of each type, also
    when valued for a hypothetical state while the threat still stands now."""
    _, _, _, _, sim = next(_first_review(dyad(), 1))
    sim.valuation.begin_decision(sim.now)
    top = sim.state.coding.encode({"a": 1, "b": 0})
    assert sim.valuation.belief("b", "a") > 0.1
    assert sim.valuation.belief("b", "a", top) == 0.0
    for variant in sim.params.types["a"].variants:
        assert sim.valuation.resolve(variant, top) == 0.0
    sim.state.spent.add(("a", 1))
    sim.valuation.begin_decision(sim.now)
    assert sim.valuation.belief("b", "a") == 0.0


def test_resolve_and_the_coercers_prospects_in_a_state_it_may_climb_to():
    """A blockade (cost 1, upkeep 0.05 a day over the horizon of attention 1/0.01) below the
    strike, declared as the threat. From calm, carrying it out is worth W(blockade) - 1 =
    -5 - 1 to every type, letting it pass -12: resolve sigma(0.4 * 6). In the state after the
    climb the threat is the strike (success 0.5, else the blockade goes on), worth
    0.5 war_k + 0.5 (-5) - 2 against -5 - 12. The coercer values that state with the target's
    belief taken there, and the target's answer (its deal value -20 against holding out, where
    the strike is war half the time and the crisis going on, worth 0 to it, otherwise)."""
    data = yaml.safe_load(DYAD.read_text())
    a = data["actors"]["a"]
    a["ladder"].insert(1, {"name": "blockade", "cost": 1, "upkeep": 0.05})
    a["ladder"][2]["success"] = 0.5
    a["threat"] = "blockade"
    sim = next(_first_review(es.Scenario.from_dict(data), 1))[4]
    sim.valuation.begin_decision(sim.now)
    encode = sim.state.coding.encode
    calm, blockade = encode({"a": 0, "b": 0}), encode({"a": 1, "b": 0})
    upkeep = -0.05 / 0.01
    for name, variant in zip(TYPES, sim.params.types["a"].variants, strict=True):
        assert math.isclose(
            sim.valuation.resolve(variant, calm), sigmoid(LAM_A * 6.0), rel_tol=1e-12
        )
        after = sigmoid(LAM_A * (0.5 * WAR[name] + 0.5 * upkeep - STRIKE_COST - (upkeep - 12)))
        assert math.isclose(sim.valuation.resolve(variant, blockade), after, rel_tol=1e-12)
    belief = sim.state.typed[("b", "a")]
    resolve = sum(
        p * sim.valuation.resolve(v, blockade)
        for p, v in zip(belief, sim.params.types["a"].variants, strict=True)
    )
    accept = sigmoid(LAM_B * (DEAL_B - resolve * 0.5 * WAR_B))  # struck: war half the time
    expect = accept * DEAL_A + (1 - accept) * upkeep
    assert math.isclose(
        sim.valuation.status(sim.params.actors["a"], blockade), expect, rel_tol=1e-12
    )


def test_bayes_rule_and_an_action_no_type_would_take():
    from escalsim.model.types import bayes

    posterior = bayes((0.4, 0.6), [0.5, 0.25])
    assert math.isclose(posterior[0], 0.2 / 0.35) and math.isclose(posterior[1], 0.15 / 0.35)
    assert bayes((0.4, 0.6), [0.0, 0.0]) == (0.4, 0.6)  # impossible for all: nothing learned


def test_the_posterior_after_an_ultimatum_is_bayes_rule_on_the_types_choices():
    oracle = Oracle(audience_cost=12.0)
    seen = {k: [0, 0] for k in TYPES}  # ultimatums, decisions
    for kind, choice, before, after, _ in _first_review(dyad(), 600):
        assert before == (0.4, 0.6)
        seen[kind][1] += 1
        if choice == "ultimatum":
            seen[kind][0] += 1
            assert math.isclose(after[0], oracle.posterior_after_ultimatum(), rel_tol=1e-9)
        elif choice == "hold":
            assert after == before  # holding quietly at a review is seen by no one
    for kind, (ult, n) in seen.items():
        p = oracle.chance(kind)[2]
        assert abs(ult / n - p) < 4 * math.sqrt(p * (1 - p) / n) + 1e-9  # 4 binomial SE


def test_a_higher_audience_cost_makes_an_ultimatum_more_informative():
    """Fearon (1994): an irresolute coercer rarely issues an ultimatum that would cost it a
    high audience cost to abandon, so the ultimatum says more about its resolve."""
    posteriors = {}
    for cost in (2.0, 12.0):
        sc = dyad(**{"actors.a.incentives.audience_cost": cost})
        after = [a for _, c, _, a, _ in _first_review(sc, 300) if c == "ultimatum"]
        assert after, "no ultimatum in 300 first reviews"
        assert math.isclose(after[0][0], Oracle(cost).posterior_after_ultimatum(), rel_tol=1e-9)
        posteriors[cost] = after[0][0]
    assert posteriors[12.0] > posteriors[2.0] + 0.1


def test_a_higher_audience_cost_makes_the_target_accept_more_after_an_ultimatum():
    """Paired runs (same seeds): the share of runs with an ultimatum that end in the deal."""
    shares = {}
    for cost in (2.0, 12.0):
        sc = dyad(**{"actors.a.incentives.audience_cost": cost})
        runs = es.simulate(
            sc, runs=3000, seed=3, settings=es.RunSettings(executor="serial", progress=False)
        ).runs
        ult = runs["milestone.ultimatum"].notna()
        shares[cost] = ((runs.outcome == "deal") & ult).sum() / ult.sum(), ult.sum()
    (low, n_low), (high, n_high) = shares[2.0], shares[12.0]
    se = math.sqrt(low * (1 - low) / n_low + high * (1 - high) / n_high)
    assert high - low > 3 * se  # more than 3 standard errors of the difference


def test_private_information_makes_war_more_likely_than_complete_information():
    """With one type (the target knows it) war is rare: a resolved coercer is believed and
    obeyed, an irresolute one never strikes. With both types possible, a target that doubts a
    resolved coercer holds out and is struck."""
    runs = 2000

    def p_war(sc: es.Scenario) -> float:
        res = es.simulate(
            sc, runs=runs, seed=4, settings=es.RunSettings(executor="serial", progress=False)
        )
        return float((res.runs.outcome == "war").mean())

    resolved_only = {"resolved": {"prior": 1.0, "incentives": {"values": {"war": 10}}}}
    complete = 0.4 * p_war(dyad(**{"actors.a.types": resolved_only})) + 0.6 * p_war(
        dyad(**{"actors.a.types": {"irresolute": {"prior": 1.0}}})
    )
    private = p_war(dyad())
    se = math.sqrt(private * (1 - private) / runs + complete * (1 - complete) / runs)
    assert private - complete > 4 * se


def _typed_target() -> es.Scenario:
    """The dyad with a target of unknown type, two demands and a coercer who holds a belief
    over the target's types: a pragmatist takes either demand, a hardliner only the small one."""
    data = yaml.safe_load(DYAD.read_text())
    b = data["actors"]["b"]
    b["types"] = {
        "pragmatist": {"prior": 0.5},
        "hardliner": {"prior": 0.5, "incentives": {"values": {"deal": -35, "small": -10}}},
    }
    b["incentives"]["values"].update(deal=-12, small=-8)
    a = data["actors"]["a"]
    a["beliefs"] = {"b": {"types": {"pragmatist": 0.5, "hardliner": 0.5}}}
    a["demands"] = ["yield", "trim"]
    a["repertoire"] = ["hold", "climb", "demand"]
    a["incentives"]["values"]["small"] = 8
    data["deal_terms"]["part"] = {"values": {"a": 0, "b": 0}}
    data["deals"]["trim"] = {"terms": {"part": 1}}
    data["outcomes"] = {"small": {"trigger": {"deal": {"part": 1}}}, **data["outcomes"]}
    data["history"] = []
    return es.Scenario.from_dict(data)


def test_the_coercer_screens_a_target_of_unknown_type():
    """The coercer's forecast that its demand is met averages each type's logit chance of
    yielding over its belief in the types; the more it believes the target a hardliner, the
    more the small demand gains on the big one (Fearon's risk-return trade-off)."""
    sc = _typed_target()
    sim, _ = build_simulation(prepare(sc), es.run_seed(1, 0))
    sim.set_time(0.0)
    a = sim.params.actors["a"]
    deals = sim.params.deals
    gaps = []
    for hard in (0.1, 0.5, 0.9):
        sim.state.typed[("a", "b")] = (1 - hard, hard)
        sim.valuation.begin_decision(sim.now)
        b_target = sim.valuation.belief("b", "a")
        hold = b_target * WAR_B  # the target's value of refusing: struck with its belief
        for deal, value in (("yield", {"pragmatist": -12, "hardliner": -35}),):
            expect = (1 - hard) * sigmoid(LAM_B * (value["pragmatist"] - hold)) + hard * sigmoid(
                LAM_B * (value["hardliner"] - hold)
            )
            got = sim.valuation.acceptance(a, deals[deal], b_target, sim.state.code)
            assert math.isclose(got, expect, rel_tol=1e-12)
        opts = {
            o.arg: o.utility for o in sim.scorer.options(a, "review", None) if o.kind == "demand"
        }
        gaps.append(opts["yield"] - opts["trim"])
    assert gaps[0] > gaps[1] > gaps[2]


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (
            {"actors.a.types.resolved.prior": 0.5},
            "actors.a.types",
            "must sum to 1",
        ),
        ({"actors.b.beliefs.a": {"mean": 0.5}}, "actors.b.beliefs.a.mean", "has types"),
        (
            {"actors.b.beliefs.a": {"types": {"resolved": 0.5, "stubborn": 0.5}}},
            "actors.b.beliefs.a.types.stubborn",
            "unknown type",
        ),
        (
            {"actors.a.types.resolved.rung_costs": {"stryke": 1}},
            "actors.a.types.resolved.rung_costs.stryke",
            "did you mean 'strike'",
        ),
        (
            {"actors.a.types.resolved.incentives.values": {"wor": 1}},
            "actors.a.types.resolved.incentives.values.wor",
            "did you mean 'war'",
        ),
        ({"actors.a.beliefs.b": {"types": {"x": 1.0}}}, "actors.a.beliefs.b.types", "no types"),
    ],
)
def test_bad_types_and_beliefs_are_refused_with_their_path(change, path, words):
    with pytest.raises(ScenarioError) as excinfo:
        dyad(**change)
    problems = [p for p in excinfo.value.problems if p.path == path]
    assert problems and words in problems[0].message, excinfo.value


def test_types_need_the_logit_rule():
    data = yaml.safe_load(DYAD.read_text())
    data["actors"]["a"]["rule"] = {"scripted": [{"when": {}, "choose": {"hold": 1}}]}
    with pytest.raises(ScenarioError, match="types need the logit rule"):
        es.Scenario.from_dict(data)
