"""Analytic oracles for the engine: a continuous-time Markov chain, Fearon's bargaining game,
and the limits of the logit rule. Tolerances are 4 standard errors of the Monte Carlo estimate
(a false alarm about once in 16,000 comparisons)."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from markov_chain import STATES, chain_scenario, generator
from scipy.linalg import expm

import escalsim as es
from escalsim.engine import prepare, run_prepared
from escalsim.model.rules import logit_draw, logit_index, logit_probabilities, logit_weights

# --- a continuous-time Markov chain ----------------------------------------------------------
# One scripted actor reviews at rate 1/m and, at rung r, climbs with weight a_r, backs down with
# weight b_r (only from rung 1: at rung 0 it has nothing to back down from) or holds. Reaching
# rung 2 is "war". A constant collapse hazard kappa runs alongside (cohesion fixed at C, so
# kappa = h_max * (1 - C) ** shape). Transient states: rung 0, rung 1; absorbing: war,
# backdown, collapse. The scenario and its generator are shared with benchmarks/markov.py
# (tests/markov_chain.py).


def simulate_outcomes(sc: es.Scenario, n: int) -> tuple[np.ndarray, np.ndarray]:
    prep = prepare(sc)
    recs = [run_prepared(prep, es.run_seed(11, i), i) for i in range(n)]
    return np.array([r.outcome for r in recs]), np.array([r.time for r in recs])


def test_markov_chain_absorption_probabilities_and_mean_time():
    q, names = generator(), STATES
    transient = q[:2, :2]
    n_mat = np.linalg.inv(-transient)
    absorb = n_mat @ q[:2, 2:]  # absorption probabilities from each transient state
    mean_time = (n_mat @ np.ones(2))[0]
    n = 4000
    outcomes, times = simulate_outcomes(chain_scenario(horizon=20_000), n)
    assert (outcomes != "stalemate").all()
    for j, name in enumerate(names[2:]):
        p = absorb[0, j]
        se = math.sqrt(p * (1 - p) / n)
        assert abs((outcomes == name).mean() - p) < 4 * se, name
    # the time to absorption has mean mean_time; its variance from the chain's second moment
    second = 2 * (n_mat @ n_mat @ np.ones(2))[0]
    sd = math.sqrt(second - mean_time**2)
    assert abs(times.mean() - mean_time) < 4 * sd / math.sqrt(n)


def test_markov_chain_with_a_horizon_matches_the_transition_matrix():
    horizon = 30.0
    q = generator()
    p_t = expm(q * horizon)[0]  # state distribution at the horizon, from rung 0
    n = 4000
    outcomes, times = simulate_outcomes(chain_scenario(horizon=horizon), n)
    expected = {"war": p_t[2], "backdown": p_t[3], "collapse": p_t[4], "stalemate": p_t[0] + p_t[1]}
    for name, p in expected.items():
        se = math.sqrt(p * (1 - p) / n)
        assert abs((outcomes == name).mean() - p) < 4 * se, name
    assert times.max() <= horizon and times.min() >= 0


# --- Fearon's bargaining model ---------------------------------------------------------------


def test_take_it_or_leave_it_bargaining_gives_fearons_probability_of_war():
    """Fearon (1995), 'Rationalist explanations for war', with private costs of war.

    Two states divide a prize of 1. War gives A the share p minus its cost c_A and B the share
    1 - p minus its cost c_B; c_B is B's private information, uniform on [0, cbar]. A makes a
    take-it-or-leave-it offer keeping x for itself. B accepts iff 1 - x >= 1 - p - c_B, that is
    iff c_B >= x - p, so P(accept) = 1 - (x - p) / cbar. A maximises
    (1 - (x - p)/cbar) x + ((x - p)/cbar)(p - c_A), which gives x* = p + (cbar - c_A) / 2 and
    P(war) = (x* - p) / cbar = (cbar - c_A) / (2 cbar) when c_A < cbar.

    Here A's equilibrium offer is its (replayed) ultimatum, B's cost of war is an uncertain
    parameter drawn per run, B best-responds (rationality 1e6) believing A's threat for sure,
    and A carries out its threat when the deadline passes (its audience cost exceeds the cost
    of war). The engine must reproduce P(war).
    """
    p, c_a, cbar = 0.5, 0.1, 0.4
    x_star = p + (cbar - c_a) / 2
    sc = es.Scenario.from_dict(
        {
            "schema_version": 1,
            "name": "fearon",
            "start": "2025-01-10",
            "horizon": 30,
            "actors": {
                "a": {
                    "opponent": "b",
                    "rationality": 1e6,
                    "threat": "war",
                    "review_days": 1e6,
                    "incentives": {"values": {"war": p - c_a, "settle": 0.0}, "audience_cost": 10},
                    "ladder": [{"name": "peace"}, {"name": "war"}],
                    "repertoire": ["hold", "climb"],
                    "demands": ["offer"],
                },
                "b": {
                    "opponent": "a",
                    "rationality": 1e6,
                    "review_days": 1000,
                    "beliefs": {"a": {"mean": 1.0, "weight": 1}},
                    "incentives": {"values": {"war": {"uniform": [1 - p - cbar, 1 - p]}}},
                    "repertoire": ["hold", "accept"],
                },
            },
            "deal_terms": {"b_share": {"values": {"b": 1.0, "a": -1.0}}},
            "deals": {"offer": {"terms": {"b_share": 1 - x_star}}},
            "outcomes": {
                "settle": {"trigger": {"event": "deal"}},
                "war": {"trigger": {"rung": "a.war"}},
                "stalemate": {"trigger": {"event": "horizon"}},
            },
            "history": [
                {
                    "date": "2025-01-10",
                    "actor": "a",
                    "event": "ultimatum",
                    "payload": {"deal": "offer", "deadline": "2025-01-17"},
                    "source": "the game's first move",
                }
            ],
        }
    )
    n = 4000
    outcomes, _ = simulate_outcomes(sc, n)
    war = (cbar - c_a) / (2 * cbar)
    se = math.sqrt(war * (1 - war) / n)
    assert set(outcomes) <= {"settle", "war"}
    assert abs((outcomes == "war").mean() - war) < 4 * se


# --- the logit rule --------------------------------------------------------------------------


def test_logit_with_zero_rationality_is_uniform():
    rng = random.Random(5)
    n, k = 20_000, 4
    counts = np.bincount(
        [logit_index([0.0, 5.0, -3.0, 100.0], 0.0, rng) for _ in range(n)], minlength=k
    )
    se = math.sqrt(0.25 * 0.75 / n)
    assert np.all(np.abs(counts / n - 0.25) < 4 * se)


def test_logit_with_huge_rationality_is_the_best_response():
    rng = random.Random(6)
    utilities = [1.0, 3.0, 2.999, -50.0]
    assert all(logit_index(utilities, 1e9, rng) == 1 for _ in range(2000))
    # exact ties split evenly
    picks = [logit_index([2.0, 2.0, 1.0], 1e9, rng) for _ in range(4000)]
    assert set(picks) == {0, 1}
    assert abs(np.mean(picks) - 0.5) < 4 * math.sqrt(0.25 / 4000)


@pytest.mark.parametrize("rationality", [0.5, 2.0])
def test_logit_frequencies_follow_the_formula(rationality):
    rng = random.Random(7)
    utilities = [0.0, 1.0, -0.5]
    n = 20_000
    counts = np.bincount([logit_index(utilities, rationality, rng) for _ in range(n)], minlength=3)
    w = np.exp(rationality * np.array(utilities))
    p = w / w.sum()
    se = np.sqrt(p * (1 - p) / n)
    assert np.all(np.abs(counts / n - p) < 4 * se)


@pytest.mark.parametrize("rationality", [0.1, 0.5, 2.0])
def test_a_two_option_logit_choice_is_the_logistic_of_the_utility_gap(rationality):
    """Between two options whose utilities differ by d, the better is chosen with probability
    1 / (1 + exp(-λ d)): the exact choice probabilities, and the engine's draws, follow it."""
    for gap in (-3.0, 0.4, 1.0, 5.0):
        p = 1.0 / (1.0 + math.exp(-rationality * gap))
        lo, hi = logit_probabilities([2.0, 2.0 + gap], rationality)
        assert math.isclose(hi, p, rel_tol=1e-12) and math.isclose(lo, 1.0 - p, rel_tol=1e-12)
    rng, n, gap = random.Random(8), 20_000, 1.0
    p = 1.0 / (1.0 + math.exp(-rationality * gap))
    share = sum(logit_index([0.0, gap], rationality, rng) for _ in range(n)) / n
    assert abs(share - p) < 4 * math.sqrt(p * (1 - p) / n)  # 4 binomial standard errors


def test_logit_choices_at_their_limits():
    """λ = 0 or a single option: uniform; infinitely good options share all the probability;
    infinitely bad ones get none, unless every option is, which is uniform again. The draws
    of logit_index agree."""
    assert logit_probabilities([1.0, 5.0, -2.0], 0.0) == [1 / 3] * 3
    assert logit_probabilities([7.0], 3.0) == [1.0]
    assert logit_probabilities([1.0, math.inf, 2.0, math.inf], 0.5) == [0.0, 0.5, 0.0, 0.5]
    assert logit_probabilities([0.0, -math.inf, 1.0], 1.0)[1] == 0.0
    assert logit_probabilities([-math.inf, -math.inf], 1.0) == [0.5, 0.5]
    rng = random.Random(9)
    assert {logit_index([1.0, math.inf, 2.0], 0.5, rng) for _ in range(200)} == {1}
    assert {logit_index([0.0, -math.inf], 1e-3, rng) for _ in range(200)} == {0}
    assert {logit_index([4.0], 2.0, rng) for _ in range(20)} == {0}
    assert {logit_index([4.0, 1.0, 2.0], 0.0, rng) for _ in range(200)} == {0, 1, 2}


def test_huge_rationality_in_the_engine_takes_the_best_option(monkeypatch):
    """With λ → ∞ every decision the engine makes is an option of highest utility."""
    import escalsim.engine.simulation as simulation

    decisions = []

    def weighing(utilities, rationality):
        decisions.append((utilities, []))
        return logit_weights(utilities, rationality)

    def drawing(weights, n, rng):
        index = logit_draw(weights, n, rng)
        decisions[-1][1].append(index)
        return index

    monkeypatch.setattr(simulation, "logit_weights", weighing)
    monkeypatch.setattr(simulation, "logit_draw", drawing)
    sc = es.load_scenario("tests/data/dyad.yaml").with_values(
        {"actors.a.rationality": 1e9, "actors.b.rationality": 1e9}
    )
    for seed in range(30):
        es.run_one(sc, seed)
    assert len(decisions) > 100
    assert all(len(i) == 1 for _, i in decisions)  # each weighing is followed by its draw
    assert all(u[i[0]] == max(u) for u, i in decisions)
    assert any(len(set(u)) > 1 for u, _ in decisions)  # real choices, not only ties


def test_cumulative_incidence_follows_the_markov_chain():
    """P(absorbed in each state by day d) from the ensemble matches the chain's exp(Q d)."""
    horizon = 60.0
    q = generator()
    res = es.simulate(
        chain_scenario(horizon),
        runs=4000,
        seed=21,
        settings=es.RunSettings(executor="processes", workers=2),
    )
    inc = res.cumulative_incidence(days=[5.0, 15.0, 30.0, 59.0])
    for day in (5.0, 15.0, 30.0, 59.0):
        p_d = expm(q * day)[0]
        for j, name in ((2, "war"), (3, "backdown"), (4, "collapse")):
            row = inc[(inc.outcome == name) & (inc.day == day)].iloc[0]
            se = math.sqrt(max(p_d[j] * (1 - p_d[j]), 1e-4) / 4000)
            assert abs(row.p - p_d[j]) < 4 * se, (name, day)  # 4 standard errors
