"""Oracles on the strategic core, computed here in plain Python, independently of the engine.

- Fearon's take-it-or-leave-it game in which the coercer chooses its demand from a grid under a
  belief over the target's cost of war (screening): the chosen demand and P(war) match the
  closed-form argmax of the coercer's expected utility.
- The same game under complete information: no war but for the logit noise, which is bounded
  analytically.
- A two-type audience-cost game (``tests/data/typed_dyad.yaml``): the coercer's types'
  choices, the target's posterior after an ultimatum and the target's answer to it, in closed
  form; and the logit equilibrium (QRE) of the same one-shot game, which the engine's one-step
  look-ahead is not (docs/model.md, "Oracles").

Tolerances are 4 standard errors of the Monte Carlo estimate (a false alarm about once in
16,000 comparisons under the oracle), plus the analytic bound of the logit noise where the
oracle is a best response and the engine's rule a logit one.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest
from test_types import (
    DEAL_A,
    DEAL_B,
    LAM_A,
    LAM_B,
    STRIKE_COST,
    TYPES,
    WAR,
    WAR_B,
    Oracle,
    dyad,
    softmax,
)

import escalsim as es
from escalsim.engine import prepare, run_prepared
from escalsim.engine.run import build_simulation

# --- Fearon's take-it-or-leave-it game with a coercer that chooses its offer -----------------
# Two states divide a prize of 1. War gives A the share P less its cost C_A and gives B the
# share 1 - P less its cost c, which is B's private type. A demands a share x; B takes 1 - x or
# refuses, and a refusal means war. B accepts x iff 1 - x >= 1 - P - c, i.e. iff x <= P + c; A
# maximises EU(x) = A(x) x + (1 - A(x)) (P - C_A) over its demands, A(x) being the prior mass of
# the types that accept x. P(war) is the prior mass of the types that refuse A's choice.

P, C_A = 0.5, 0.1
COSTS = {"hawk": 0.05, "firm": 0.15, "wary": 0.25, "dove": 0.35}  # B's cost of war by type
PRIOR = {"hawk": 0.2, "firm": 0.1, "wary": 0.4, "dove": 0.3}
OFFERS = (0.5, 0.6, 0.7, 0.8, 0.9)  # A's share under each of its demands
EPS = 0.001  # how far below war A values the status quo (see fearon_scenario)


def demand_name(x: float) -> str:
    return f"x{round(100 * x)}"


def b_accepts(x: float, cost: float) -> bool:
    return 1.0 - x >= 1.0 - P - cost


def fearon_utilities(belief: dict[str, float]) -> dict[float, float]:
    """A's expected utility of each offer under its belief over B's types (best responses)."""
    eu = {}
    for x in OFFERS:
        acc = sum(p for k, p in belief.items() if b_accepts(x, COSTS[k]))
        eu[x] = acc * x + (1.0 - acc) * (P - C_A)
    return eu


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def fearon_scenario(rationality: float, belief: dict[str, float]) -> es.Scenario:
    """The game in the engine's terms.

    A's demands are deals giving B the share 1 - x (term ``b_share``, worth +1 to B and -1 to
    A, whose value of a deal's outcome is 1): V_A = x, V_B = 1 - x. A's ladder has one rung,
    ``war``, which ends the run in war (success 1). B holds for sure that a refusal is met with
    war (a Beta belief of mean 1), so its value of holding out is its value of war. B's types
    differ only in that value, 1 - P - c; A's belief over them is the prior.

    A's one-step look-ahead values a demand at A(D) V_A(D) + (1 - A(D)) W_A, with W_A the
    status quo going on, not the war A will start after a refusal (it does not anticipate its
    own next move). A's value of the status quo is set EPS below its value of war: then W_A is
    Fearon's value of a refusal up to EPS, and a refusal does lead to war: refused, A updates
    its belief by Bayes' rule, no type left would accept, and at its next review war beats the
    status quo by EPS.
    """
    types = {
        k: {"prior": p, "incentives": {"values": {"war": 1 - P - COSTS[k]}}}
        for k, p in belief.items()
    }
    return es.Scenario.from_dict(
        {
            "schema_version": 1,
            "name": "take_it_or_leave_it",
            "start": "2025-01-10",
            "horizon": 60,
            "actors": {
                "a": {
                    "opponent": "b",
                    "rationality": rationality,
                    "threat": "war",
                    "review_days": 1,
                    "response_days": 0.1,
                    "incentives": {
                        "values": {"war": P - C_A, "settle": 1.0, "stalemate": P - C_A - EPS}
                    },
                    "ladder": [{"name": "peace"}, {"name": "war"}],
                    "repertoire": ["hold", "climb", "demand"],
                    "demands": [demand_name(x) for x in OFFERS],
                    "beliefs": {"b": {"types": dict(belief)}},
                },
                "b": {
                    "opponent": "a",
                    "rationality": rationality,
                    "review_days": 1000,
                    "response_days": 0.1,
                    "beliefs": {"a": {"mean": 1.0, "weight": 1}},
                    "incentives": {"values": {"settle": 0.0, "stalemate": 0.0}},
                    "types": types,
                    "repertoire": ["hold", "accept"],
                },
            },
            "deal_terms": {"b_share": {"values": {"b": 1.0, "a": -1.0}}},
            "deals": {demand_name(x): {"terms": {"b_share": 1 - x}} for x in OFFERS},
            "outcomes": {
                "settle": {"trigger": {"event": "deal"}},
                "war": {"trigger": {"rung": "a.war"}},
                "stalemate": {"trigger": {"event": "horizon"}},
            },
        }
    )


def play(sc: es.Scenario, n: int, root: int) -> list[tuple[str, tuple[str, ...], str]]:
    """For each of ``n`` runs: B's true type, A's demands (read from the run's event log) and
    the outcome."""
    prep = prepare(sc)
    names = list(sc.actors["b"].types)
    out = []
    for i in range(n):
        rec = run_prepared(prep, es.run_seed(root, i), i, keep_events=True)
        demands = tuple(e.payload["deal"] for e in rec.events if e.kind == "demand")
        out.append((names[int(rec.params["type.b"])], demands, rec.outcome))
    return out


def first_review_chances(
    rationality: float, cost: float
) -> tuple[float, float, dict[float, float]]:
    """A's logit chances at a review with no demand standing, against a target whose type
    (cost of war ``cost``) it knows: of holding, of war, and of each demand; with B's logit
    chance of accepting each demand, the engine's utilities of these options in closed form."""
    lam = rationality
    w = P - C_A - EPS
    acc = {x: sigmoid(lam * ((1 - x) - (1 - P - cost))) for x in OFFERS}
    u = {"hold": w, "war": P - C_A, **{x: acc[x] * x + (1 - acc[x]) * w for x in OFFERS}}
    top = max(u.values())
    weight = {k: math.exp(lam * (v - top)) for k, v in u.items()}
    total = sum(weight.values())
    q = {k: v / total for k, v in weight.items()}
    return q["hold"], q["war"], {x: (q[x], acc[x]) for x in OFFERS}


def test_the_coercer_chooses_fearons_offer_and_war_comes_from_the_types_that_refuse():
    """Fearon (1995): under uncertainty about B's cost of war, A's optimal demand trades the size
    of the deal against the risk of refusal; here the argmax is an interior demand, unique by a
    clear margin, and it is refused by a set of types of sizeable prior mass."""
    eu = fearon_utilities(PRIOR)
    best = max(eu, key=eu.get)
    margin = eu[best] - max(v for x, v in eu.items() if x != best)
    assert best not in (OFFERS[0], OFFERS[-1]) and margin > 0.04
    assert margin > 10 * EPS  # the engine's objective is within EPS of Fearon's
    refusing = {k for k in PRIOR if not b_accepts(best, COSTS[k])}
    war = sum(PRIOR[k] for k in refusing)
    assert 0.2 < war < 0.4
    # Where a best response never errs, the logit rule at rationality 200 does, rarely: at its
    # first review A takes one of its 6 other options (4 demands, hold, war), each at least
    # `gap` worse, with chance below exp(-200 gap) each; B's values of a deal and of war differ
    # by at least 0.05 at every demand, so B errs with chance below exp(-200 * 0.05). `noise`
    # bounds the share of runs where either happens (about 1e-4).
    lam = 200.0
    assert min(abs(x - P - c) for x in OFFERS for c in COSTS.values()) >= 0.05 - 1e-12
    slip = math.exp(-lam * 0.05)
    gap = margin - EPS - slip  # the engine's utilities are within EPS + slip of Fearon's
    noise = 6 * math.exp(-lam * gap) + slip

    n = 3000
    runs = play(fearon_scenario(lam, PRIOR), n, root=21)
    chosen = Counter(d[0] if d else None for _, d, _ in runs)
    other = n - chosen[demand_name(best)]
    assert other <= n * noise + 4 * math.sqrt(n * noise) + 1e-9, chosen  # nearly all runs
    assert all(len(d) <= 1 for _, d, _ in runs)  # one take-it-or-leave-it demand per run
    p_war = sum(o == "war" for _, _, o in runs) / n
    se = math.sqrt(war * (1 - war) / n)
    assert abs(p_war - war) < 4 * se + noise, (p_war, war)
    # and war comes exactly from the types that refuse the chosen demand
    matched = sum((o == "war") == (k in refusing) for k, _, o in runs)
    assert matched >= n * (1 - noise) - 4 * math.sqrt(n * noise) - 1e-9
    assert {o for _, _, o in runs} <= {"settle", "war"}


def test_the_coercers_choice_follows_its_belief():
    """Screening: a coercer that believes the target a hawk (cheap war) demands less, one that
    believes it a dove demands more (same grid, same types, other beliefs)."""
    best = {}
    for name, belief in (
        ("hawkish", {"hawk": 0.7, "firm": 0.1, "wary": 0.1, "dove": 0.1}),
        ("dovish", {"hawk": 0.05, "firm": 0.05, "wary": 0.1, "dove": 0.8}),
    ):
        eu = fearon_utilities(belief)
        best[name] = max(eu, key=eu.get)
        runs = play(fearon_scenario(200.0, belief), 200, root=22)
        chosen = Counter(d[0] for _, d, _ in runs)
        assert chosen.most_common(1)[0] == (demand_name(best[name]), 200), (belief, eu, chosen)
    prior = fearon_utilities(PRIOR)
    assert best["hawkish"] < max(prior, key=prior.get) < best["dovish"]


@pytest.mark.parametrize("rationality", [200.0, 70.0])
def test_complete_information_gives_no_war_but_for_the_logit_noise(rationality):
    """With B's type known (one type, prior 1), A demands the most that type accepts and B
    accepts: no war. At a finite rationality a run can still end in war only if A climbs to war
    at a review, or B refuses A's demand (after which A may climb); at each review A holds with
    chance q_hold, climbs with q_war, demands x with q_x and is refused with r_x, so
    P(war) <= (q_war + sum_x q_x r_x) / (1 - q_hold)."""
    n = 400
    for k, cost in COSTS.items():
        q_hold, q_war, demands = first_review_chances(rationality, cost)
        bound = (q_war + sum(q * (1 - acc) for q, acc in demands.values())) / (1 - q_hold)
        runs = play(fearon_scenario(rationality, {k: 1.0}), n, root=23)
        wars = sum(o == "war" for _, _, o in runs)
        assert wars <= n * bound + 4 * math.sqrt(n * bound * (1 - bound)) + 1e-9, (k, wars, bound)
        if rationality >= 200:
            assert bound < 1e-4 and wars == 0
        else:
            # the noise is visible, and far below the war of the incomplete-information game
            assert bound < 0.05
        best = max(x for x in OFFERS if b_accepts(x, cost))
        chosen = Counter(d[0] for _, d, _ in runs if d)
        assert chosen.most_common(1)[0][0] == demand_name(best), (k, chosen)


# --- a two-type audience-cost game -----------------------------------------------------------
# tests/data/typed_dyad.yaml at its start: a coercer of type resolved (value of war 10) or
# irresolute (-40), prior 0.4 / 0.6, with a standing demand, chooses to hold, strike or issue an
# ultimatum; the target, who learns from what it sees, then takes the demand or refuses it; at
# the deadline the coercer strikes or lets the threat pass at its audience cost. The engine's
# closed form is test_types.Oracle (the coercer's side); here the target's answer is added.


class Game(Oracle):
    """The one-shot audience-cost game as the engine plays it, and its logit equilibrium."""

    def posterior_resolve(self) -> float:
        """The target's belief in the coercer's resolve after an ultimatum: the types' resolve
        weighted by the posterior."""
        post = self.posterior_after_ultimatum()
        return post * self.resolve["resolved"] + (1 - post) * self.resolve["irresolute"]

    def answer(self) -> float:
        """The target's logit chance of taking the demand after an ultimatum, at its posterior."""
        return self.accepts(self.posterior_resolve())

    def qre(self) -> tuple[float, dict[str, list[float]]]:
        """The logit quantal response equilibrium (McKelvey and Palfrey 1998) of the same game,
        with the coercer's hold worth what the engine gives it: the chance ``alpha`` that the
        target takes the demand after an ultimatum, and each type's choice probabilities.

        In equilibrium each type values an ultimatum with the target's actual answer (at the
        posterior that the types' own choices imply), and the deadline at its logit expectation;
        the target's answer is its logit response to that posterior. One equation in ``alpha``,
        solved by bisection (at these numbers its left side changes sign once on [0, 1])."""

        def chances(alpha: float) -> dict[str, list[float]]:
            out = {}
            for k in TYPES:
                carry, let_pass = WAR[k] - STRIKE_COST, -self.a
                deadline = self.resolve[k] * carry + (1 - self.resolve[k]) * let_pass
                hold = self.utilities(k)[0]
                ult = alpha * DEAL_A + (1 - alpha) * deadline
                out[k] = softmax([hold, carry, ult], LAM_A)
            return out

        def excess(alpha: float) -> float:
            c = chances(alpha)
            joint = {k: self.prior[k] * c[k][2] for k in TYPES}
            post = joint["resolved"] / sum(joint.values())
            b = post * self.resolve["resolved"] + (1 - post) * self.resolve["irresolute"]
            return self.accepts(b) - alpha

        lo, hi = 0.0, 1.0
        assert excess(lo) >= 0 >= excess(hi)
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if excess(mid) > 0 else (lo, mid)
        return lo, chances(lo)


def ultimatum_answers(audience_cost: float, runs: int, root: int):
    """For each seed, the coercer's first review at the start; when it issues an ultimatum, the
    target's answer to it: (type, the target's posterior over the types, whether it accepted)."""
    sc = dyad(**{"actors.a.incentives.audience_cost": audience_cost})
    prep = prepare(sc)
    for i in range(runs):
        sim, row = build_simulation(prep, es.run_seed(root, i))
        sim.set_time(0.5)  # within the forecast: a strike ends the run
        sim.decide(sim.params.actors["a"], "review", None)
        if sim.state.outcome is None and sim.state.deadline["a"] is not None:
            posterior = sim.state.typed[("b", "a")]
            sim.set_time(0.6)
            sim.decide(sim.params.actors["b"], "ultimatum", "a")
            yield TYPES[int(row["type.a"])], posterior, sim.state.outcome == "deal"


@pytest.mark.parametrize("audience_cost", [2.0, 6.0])
def test_the_target_answers_an_ultimatum_by_its_bayes_posterior(audience_cost):
    """Each type issues the ultimatum with its closed-form logit chance; the target's posterior
    after it is Bayes' rule on those chances; it then takes the demand with its logit chance at
    the resolve that posterior implies."""
    game = Game(audience_cost)
    seen = {k: 0 for k in TYPES}
    accepted = 0
    n = 1500
    for kind, posterior, took in ultimatum_answers(audience_cost, n, root=31):
        assert math.isclose(posterior[0], game.posterior_after_ultimatum(), rel_tol=1e-9)
        seen[kind] += 1
        accepted += took
    m = sum(seen.values())
    p = game.answer()
    assert abs(accepted / m - p) < 4 * math.sqrt(p * (1 - p) / m)  # 4 binomial SE
    # the share of runs with an ultimatum: each type's chance of one, mixed by the prior
    q = sum(game.prior[k] * game.chance(k)[2] for k in TYPES)
    assert abs(m / n - q) < 4 * math.sqrt(q * (1 - q) / n)


def test_a_higher_audience_cost_makes_the_target_take_the_ultimatum():
    """Fearon (1994) in closed form and in the engine: with the audience cost at 6 rather than 2
    an ultimatum is more informative, and the target takes it far more often."""
    low, high = Game(2.0).answer(), Game(6.0).answer()
    assert high > low + 0.2
    shares = {}
    for cost in (2.0, 6.0):
        answers = [took for _, _, took in ultimatum_answers(cost, 600, root=32)]
        shares[cost] = sum(answers) / len(answers), len(answers)
    (s_low, n_low), (s_high, n_high) = shares[2.0], shares[6.0]
    se = math.sqrt(s_low * (1 - s_low) / n_low + s_high * (1 - s_high) / n_high)
    assert s_high - s_low > 4 * se


def test_the_coercer_scores_an_ultimatum_by_a_one_step_look_ahead_not_an_equilibrium():
    """What the engine computes, exactly: each type scores hold, strike and the ultimatum with
    the target's answer forecast at the target's current belief (the prior mix of the types'
    resolve) and the deadline at its better option. In the logit equilibrium of the same game
    the coercer forecasts the answer at the posterior its ultimatum will create, and so sends it
    more often, irresolute types included (bluffing). docs/model.md, "Oracles", gives these
    numbers."""
    game = Game(2.0)
    sim, _ = build_simulation(prepare(dyad(**{"actors.a.incentives.audience_cost": 2.0})), 1)
    sim.set_time(0.5)
    sim.valuation.begin_decision(sim.now)
    for k, variant in zip(TYPES, sim.params.types["a"].variants, strict=True):
        got = {o.kind: o.utility for o in sim.scorer.options(variant, "review", None)}
        want = dict(zip(("hold", "climb", "ultimatum"), game.utilities(k), strict=True))
        assert got.keys() == want.keys()
        for kind, u in want.items():
            assert math.isclose(got[kind], u, rel_tol=1e-12), (k, kind)
    forecast, answer = game.accepts(game.belief), game.answer()
    alpha, chances = game.qre()
    assert forecast < alpha < answer  # the engine's forecast is not the answer it gets
    documented = [(forecast, 0.105), (answer, 0.691), (alpha, 0.230)]
    documented.append((chances["irresolute"][2], 0.595))
    assert all(math.isclose(x, shown, abs_tol=5e-4) for x, shown in documented)
    assert chances["irresolute"][2] > game.chance("irresolute")[2] + 0.2  # bluffing


def test_the_logit_equilibrium_agrees_with_gambit():
    """The closed-form logit equilibrium above, checked against Gambit's (pygambit, optional:
    it builds from source). Each player's payoffs are scaled by its rationality so that one
    logit precision of 1 gives both players theirs."""
    gbt = pytest.importorskip("pygambit")
    game = Game(2.0)
    alpha, chances = game.qre()
    g = gbt.Game.new_tree(players=["a", "b"], title="audience cost")
    g.append_move(g.root, g.players.chance, ["resolved", "irresolute"])
    g.set_chance_probs(g.root.infoset, [game.prior[k] for k in TYPES])
    for node in g.root.children:
        g.append_move(node, "a", ["hold", "strike", "ultimatum"])
    answer_infoset = None
    for k, node in zip(TYPES, g.root.children, strict=True):
        hold, strike, ult = node.children
        u_hold = game.utilities(k)[0]
        g.set_outcome(hold, g.add_outcome(payoffs=[LAM_A * u_hold, 0.0], label=f"{k} holds"))
        war = [LAM_A * (WAR[k] - STRIKE_COST), LAM_B * WAR_B]
        g.set_outcome(strike, g.add_outcome(payoffs=war, label=f"{k} strikes"))
        if answer_infoset is None:
            g.append_move(ult, "b", ["accept", "refuse"])
            answer_infoset = ult.infoset
        else:
            g.append_infoset(ult, answer_infoset)
        accept, refuse = ult.children
        g.set_outcome(
            accept, g.add_outcome(payoffs=[LAM_A * DEAL_A, LAM_B * DEAL_B], label=f"{k} is obeyed")
        )
        g.append_move(refuse, "a", ["strike", "pass"])
        carry, let_pass = refuse.children
        g.set_outcome(carry, g.add_outcome(payoffs=war, label=f"{k} carries out its threat"))
        g.set_outcome(
            let_pass, g.add_outcome(payoffs=[LAM_A * -game.a, 0.0], label=f"{k} lets it pass")
        )
    result = gbt.qre.logit_solve_lambda(g, lam=[1.0])[0]
    assert math.isclose(result.lam, 1.0, rel_tol=1e-9)
    # the profile lists its probabilities in the order of the game's actions
    actions = list(g.actions)
    assert len(actions) == len(result)

    def prob(infoset, label: str) -> float:
        index = next(i for i, a in enumerate(actions) if a.infoset == infoset and a.label == label)
        return result[index]

    assert math.isclose(prob(answer_infoset, "accept"), alpha, abs_tol=1e-6)
    for k, node in zip(TYPES, g.root.children, strict=True):
        for label, want in zip(("hold", "strike", "ultimatum"), chances[k], strict=True):
            assert math.isclose(prob(node.infoset, label), want, abs_tol=1e-6), (k, label)
