"""The Markov chain that the engine tests and ``python -m benchmarks.markov`` share.

A scenario whose dynamics are a continuous-time Markov chain, its generator and the exact
absorption probabilities and time. The tests import it as ``markov_chain`` (pytest puts this
folder on the path); the benchmark as ``tests.markov_chain`` (from the repository's root).
"""

from __future__ import annotations

import math

import numpy as np

import escalsim as es

# One scripted actor on a three-rung ladder reviews every M days on average; at rung 0 it climbs
# with weight A0 or holds with H0, at rung 1 it climbs (A1), backs down (B1) or holds (H1); rung 2
# is war. The target's cohesion is fixed at C0 (no pressure, no recovery), so the collapse
# hazard is the constant KAPPA = H_MAX * (1 - C0) ** SHAPE. States: r0, r1 (transient) and war,
# backdown, collapse (absorbing).
M = 4.0
A0, H0 = 1.0, 3.0
A1, B1, H1 = 1.0, 1.0, 2.0
H_MAX, C0, SHAPE = 0.02, 0.5, 1.0
KAPPA = H_MAX * (1 - C0) ** SHAPE
STATES = ("r0", "r1", "war", "backdown", "collapse")
HORIZON = 20_000.0  # days: far beyond any absorption time (P(still transient) < 1e-600)


def chain_scenario(horizon: float = HORIZON) -> es.Scenario:
    """The escalsim scenario whose dynamics are the chain of :func:`generator`."""
    return es.Scenario.from_dict(
        {
            "schema_version": 1,
            "name": "markov_chain",
            "start": "2026-01-01",
            "horizon": horizon,
            "actors": {
                "c": {
                    "opponent": "t",
                    "review_days": M,
                    "ladder": [{"name": "r0"}, {"name": "r1"}, {"name": "r2"}],
                    "repertoire": ["hold", "climb", "backdown"],
                    "rule": {
                        "scripted": [
                            {"when": {"rung:c": {"eq": 0}}, "choose": {"climb": A0, "hold": H0}},
                            {
                                "when": {"rung:c": {"eq": 1}},
                                "choose": {"climb": A1, "backdown": B1, "hold": H1},
                            },
                        ]
                    },
                },
                "t": {},
            },
            "outcomes": {
                "war": {"trigger": {"rung": "c.r2"}},
                "backdown": {"trigger": {"event": "backdown"}},
                "collapse": {"trigger": {"event": "collapse"}},
                "stalemate": {"trigger": {"event": "horizon"}},
            },
            "processes": {
                "cohesion": {"actor": "t", "initial": C0, "baseline": C0, "recovery": 0.0},
                "collapse": {"actor": "t", "max_hazard": H_MAX, "shape": SHAPE},
            },
        }
    )


def generator() -> np.ndarray:
    """The chain's generator Q over STATES (rates per day; rows of absorbing states are 0)."""
    q = np.zeros((5, 5))
    q[0, 1] = A0 / (A0 + H0) / M
    q[0, 4] = KAPPA
    q[1, 2] = A1 / (A1 + B1 + H1) / M
    q[1, 3] = B1 / (A1 + B1 + H1) / M
    q[1, 4] = KAPPA
    np.fill_diagonal(q, -q.sum(axis=1))
    return q


def exact(q: np.ndarray, n_transient: int = 2) -> tuple[np.ndarray, float, float]:
    """From the first state: absorption probabilities, and mean and s.d. of the absorption time."""
    a = -q[:n_transient, :n_transient]
    absorb = np.linalg.solve(a, q[:n_transient, n_transient:])[0]
    t1 = np.linalg.solve(a, np.ones(n_transient))
    t2 = 2 * np.linalg.solve(a, t1)
    return absorb, float(t1[0]), math.sqrt(t2[0] - t1[0] ** 2)
