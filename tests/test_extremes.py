"""Numerical safety: every mechanism driven to its extremes gives valid, finite results.

Each case sets one mechanism (or a pair) to an extreme value with ``Scenario.with_values`` on
the test dyad and on the Venezuela scenario, runs a few dozen runs on the serial executor,
and checks that every run ends with a valid outcome at a finite time within the horizon,
that every drawn parameter is finite, and that no NaN or infinity reaches the runs table
(NaN is allowed only for milestones a run did not reach).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import escalsim as es
import escalsim.engine.simulation as simulation
from escalsim.errors import RunError
from escalsim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "dyad": ROOT / "tests" / "data" / "dyad.yaml",
    "venezuela": ROOT / "scenarios" / "venezuela_2025.yaml",
}
RUNS = 24
HUGE = 1e9
TINY = 1e-9
LARGEST = float(np.finfo(float).max)

_loaded: dict[str, Scenario] = {}


def scenario(name: str) -> Scenario:
    if name not in _loaded:
        _loaded[name] = load_scenario(FILES[name])
    return _loaded[name]


# --- the extreme values, by mechanism ---------------------------------------------------------
def _actors(sc: Scenario, field: str, value: Any) -> dict[str, Any]:
    return {f"actors.{a}.{field}": value for a in sc.actors}


def _costs(sc: Scenario, value: float) -> dict[str, float]:
    out = {}
    for a, actor in sc.actors.items():
        for rung in actor.ladder:
            for field in ("cost", "upkeep", "harm"):
                out[f"actors.{a}.ladder.{rung.name}.{field}"] = value
        for field in ("day_cost", "audience_cost", "instability_cost"):
            out[f"actors.{a}.incentives.{field}"] = value
        for field in ("rally_cost", "mediation_cost"):
            out[f"actors.{a}.{field}"] = value
        for name in actor.actions:
            out[f"actors.{a}.actions.{name}.cost"] = value
    return out


def _beliefs(sc: Scenario, mean: float, weight: float) -> dict[str, Any]:
    return {
        f"actors.{a}.beliefs.{other}": {"mean": mean, "weight": weight}
        for a, actor in sc.actors.items()
        for other in actor.beliefs
        if not sc.actors[other].types  # a belief about types has no mean or weight
    }


def _values(sc: Scenario, value: float, alternate: bool = False) -> dict[str, float]:
    out = {}
    for a, actor in sc.actors.items():
        for i, outcome in enumerate(actor.incentives.values):
            sign = -1 if alternate and i % 2 else 1
            out[f"actors.{a}.incentives.values.{outcome}"] = sign * value
    for t, term in sc.deal_terms.items():
        for i, who in enumerate(term.values):
            out[f"deal_terms.{t}.values.{who}"] = -value if alternate and i % 2 else value
    for a, actor in sc.actors.items():
        for name, action in actor.actions.items():
            for feature in action.utility:
                out[f"actors.{a}.actions.{name}.utility.{feature}"] = value
    return out


def _signals(sc: Scenario, value: float) -> dict[str, float]:
    """Every signal of resolve: beliefs pile up pseudo-observations until they overflow."""
    out = {
        f"actors.{a}.{f}": value for a in sc.actors for f in ("rally_signal", "ultimatum_signal")
    }
    for a, actor in sc.actors.items():
        for rung in actor.ladder:
            out[f"actors.{a}.ladder.{rung.name}.signal"] = value
        for field in ("deadline_penalty", "concession_penalty"):
            out[f"actors.{a}.{field}"] = value
    if sc.processes.incidents is not None:
        out["processes.incidents.signal"] = value
    return out


def _cohesion(level: float, hazard: float | None = None) -> dict[str, float]:
    out = {"processes.cohesion.initial": level, "processes.cohesion.baseline": level}
    if hazard is not None:
        out["processes.collapse.max_hazard"] = hazard
    return out


def _wild_draws(sc: Scenario) -> dict[str, Any]:
    """Distributions whose draws overflow a float unless the sampler keeps them finite."""
    a = next(iter(sc.actors))
    outcomes = list(sc.actors[a].incentives.values)
    wild: dict[str, Any] = {
        f"actors.{a}.rationality": {"lognormal": [700.0, 10.0]},
        f"actors.{a}.incentives.day_cost": {"lognormal": [0.0, 300.0]},
    }
    shapes = [
        {"uniform": [-LARGEST, LARGEST]},
        {"triangular": [-LARGEST, 0.0, LARGEST]},
        {"normal": [0.0, LARGEST]},
        {"choice": {LARGEST: LARGEST, -LARGEST: LARGEST, 0.0: 1.0}},
    ]
    for outcome, shape in zip(outcomes, shapes, strict=False):  # as many as there are
        wild[f"actors.{a}.incentives.values.{outcome}"] = shape
    return wild


STORMY = ("review-days-tiny", "response-days-tiny")
"""Cases that may end in the engine's RunError for too many events, rather than in runs."""


def cases(sc: Scenario) -> dict[str, dict[str, Any]]:
    """Every extreme that applies to this scenario, by name."""
    out: dict[str, dict[str, Any]] = {
        "rationality-0": _actors(sc, "rationality", 0.0),
        "rationality-huge": _actors(sc, "rationality", HUGE),
        "costs-0": _costs(sc, 0.0),
        "costs-huge": _costs(sc, HUGE),
        "costs-huge-rationality-huge": {**_costs(sc, HUGE), **_actors(sc, "rationality", HUGE)},
        "discount-tiny": _actors(sc, "incentives.discount", TINY),
        "discount-huge": _actors(sc, "incentives.discount", HUGE),
        "discount-smallest": _actors(sc, "incentives.discount", 5e-324),
        "review-days-tiny": _actors(sc, "review_days", 1e-6),
        "review-days-huge": _actors(sc, "review_days", HUGE),
        "response-days-tiny": _actors(sc, "response_days", TINY),
        "response-days-huge": _actors(sc, "response_days", HUGE),
        "values-plus-1e12": _values(sc, 1e12),
        "values-minus-1e12": _values(sc, -1e12),
        "values-alternating-1e12": _values(sc, 1e12, alternate=True),
        "values-largest-float": _values(sc, LARGEST, alternate=True),
        "values-largest-float-rationality-huge": {
            **_values(sc, LARGEST, alternate=True),
            **_actors(sc, "rationality", HUGE),
            **_actors(sc, "incentives.risk_aversion", HUGE),
        },
        "risk-aversion-huge": _actors(sc, "incentives.risk_aversion", HUGE),
        "wild-draws": _wild_draws(sc),
    }
    for mean in (0.0, 1.0):
        for weight in (TINY, HUGE, 5e-324):
            out[f"beliefs-{mean:g}-weight-{weight:g}"] = _beliefs(sc, mean, weight)
    out["signals-huge"] = _signals(sc, HUGE)
    out["signals-largest-float"] = _signals(sc, LARGEST)
    if sc.processes.cohesion is not None:
        out["cohesion-0"] = _cohesion(0.0)
        out["cohesion-1"] = _cohesion(1.0)
        out["recovery-huge"] = {"processes.cohesion.recovery": HUGE}
        out["pressure-huge"] = {
            f"actors.{a}.ladder.{r.name}.pressure": HUGE
            for a, ac in sc.actors.items()
            for r in ac.ladder
        }
    if sc.processes.collapse is not None:
        out["collapse-hazard-0"] = {"processes.collapse.max_hazard": 0.0}
        out["collapse-hazard-huge"] = {"processes.collapse.max_hazard": HUGE}
        out["collapse-hazard-huge-cohesion-0"] = _cohesion(0.0, HUGE)
        out["collapse-hazard-huge-cohesion-1"] = _cohesion(1.0, HUGE)
        out["collapse-shape-tiny"] = {"processes.collapse.shape": TINY}
        out["collapse-shape-huge"] = {"processes.collapse.shape": HUGE}
    if sc.processes.incidents is not None:
        b = sc.processes.incidents.between[1]
        no_contact = {f"actors.{b}.ladder.{r.name}.posture": 0.0 for r in sc.actors[b].ladder}
        out["incident-rate-huge-no-contact"] = {"processes.incidents.rate": HUGE, **no_contact}
        out["incident-rate-0"] = {"processes.incidents.rate": 0.0}
        out["incident-signal-huge"] = {"processes.incidents.signal": HUGE}
    return out


ALL = [(name, case) for name in FILES for case in cases(scenario(name))]


def check_results(sc: Scenario, results) -> None:
    runs = results.runs
    assert len(runs) == RUNS
    assert set(runs["outcome"].astype(str)) <= set(sc.outcomes)
    assert runs["outcome"].notna().all()
    times = runs["time"].to_numpy(dtype=float)
    assert np.isfinite(times).all()
    assert (times >= 0).all() and (times <= sc.horizon).all()
    assert runs["date"].notna().all()
    for column in runs.columns:
        if column in ("outcome", "date"):
            continue
        values = runs[column].to_numpy(dtype=float)
        assert not np.isinf(values).any(), f"infinity in {column}"
        if column.startswith("milestone."):
            reached = values[~np.isnan(values)]
            assert (reached <= sc.horizon).all(), column
        else:
            assert not np.isnan(values).any(), f"NaN in {column}"


@pytest.mark.parametrize(("name", "case"), ALL, ids=[f"{n}-{c}" for n, c in ALL])
def test_extreme(name: str, case: str):
    sc = scenario(name)
    extreme = sc.with_values(cases(sc)[case])
    try:
        results = es.simulate(
            extreme, runs=RUNS, seed=11, settings=es.RunSettings(executor="serial", progress=False)
        )
    except RunError as exc:
        # clocks shrunk a millionfold make a storm of events if no one ends the crisis at
        # once: the engine's event budget stops it with a located error, never a hang
        assert case in STORMY and "events are too frequent" in str(exc) and "seed" in str(exc)
        return
    check_results(extreme, results)
    for run in range(3):  # a single run from its seed gives the same finite record
        record = es.run_one(extreme, seed=int(results.runs["seed"].iloc[run]))
        assert record.outcome == str(results.runs["outcome"].iloc[run])
        assert math.isfinite(record.time) and 0 <= record.time <= extreme.horizon
        assert all(math.isfinite(v) for v in record.params.values()), record.params


def test_wild_draws_are_drawn_and_finite():
    """The wild distributions really are in the table: clipping, not skipping, keeps them."""
    sc = scenario("dyad")
    extreme = sc.with_values(_wild_draws(sc))
    results = es.simulate(
        extreme, runs=RUNS, seed=3, settings=es.RunSettings(executor="serial", progress=False)
    )
    drawn = [c for c in results.runs.columns if c.startswith("param.actors.a.")]
    assert len(drawn) >= 5
    values = results.runs[drawn].to_numpy(dtype=float)
    assert np.isfinite(values).all()
    assert (np.abs(values) > 1e300).any(), "the draws should reach the edge of the floats"


def test_logit_picks_among_infinitely_good_options_and_ignores_nan():
    import random

    from escalsim.model.rules import logit_index

    rng = random.Random(0)
    inf, nan = math.inf, math.nan
    picks = {logit_index([1.0, inf, nan, -inf, inf], HUGE, rng) for _ in range(200)}
    assert picks == {1, 4}
    picks = {logit_index([nan, 2.0, -inf], 1.0, rng) for _ in range(200)}
    assert picks == {1}
    picks = {logit_index([-inf, -inf], 5.0, rng) for _ in range(200)}
    assert picks == {0, 1}


def test_beliefs_stay_probabilities_at_the_float_limits():
    from escalsim.model.state import beta_mean

    assert beta_mean(2.0, 6.0) == 0.25
    assert beta_mean(0.0, 0.0) == 0.5  # a weight of 5e-324 times a mean of 0.5 underflows
    assert beta_mean(math.inf, math.inf) == 0.5
    assert beta_mean(math.inf, 3.0) == 1.0 and beta_mean(3.0, math.inf) == 0.0
    assert beta_mean(LARGEST, LARGEST / 3) == pytest.approx(0.75)
    sc = scenario("dyad")
    record = es.run_one(sc.with_values(_beliefs(sc, 0.5, 5e-324)), seed=1)
    assert record.outcome in sc.outcomes


def test_collapse_with_a_huge_hazard_keeps_its_meaning():
    """At zero cohesion a huge hazard collapses at once; pinned at 1 it never collapses."""
    sc = scenario("dyad")
    at_zero = sc.with_values({**_cohesion(0.0, HUGE), "mechanisms.history": False})
    runs = es.simulate(
        at_zero, runs=RUNS, seed=2, settings=es.RunSettings(executor="serial", progress=False)
    ).runs
    assert (runs["outcome"] == "collapse").all() and (runs["time"] < 1e-6).all()
    pinned = sc.with_values(
        {
            **_cohesion(1.0, HUGE),
            "mechanisms.history": False,
            "actors.a.repertoire": ["hold"],
            "actors.b.repertoire": ["hold"],
        }
    )
    runs = es.simulate(
        pinned, runs=RUNS, seed=2, settings=es.RunSettings(executor="serial", progress=False)
    ).runs
    assert (runs["outcome"] == "stalemate").all()
    assert (runs["time"] == pinned.horizon).all()


def test_an_endless_storm_of_events_is_a_run_error_not_a_hang(monkeypatch):
    """Clashes every nanosecond in contact, or reviews every 1e-300 days by actors that always
    hold, give a RunError that names the run and seed once the event budget is spent."""
    monkeypatch.setattr(simulation, "MAX_STEPS", 5_000)
    monkeypatch.setattr(simulation, "STEPS_PER_ACTOR_DAY", 0)
    vz = scenario("venezuela")
    storms = [
        vz.with_values({"processes.incidents.rate": HUGE}),
        vz.with_values({**_actors(vz, "review_days", 1e-300), **_actors(vz, "rationality", HUGE)}),
    ]
    for storm in storms:
        with pytest.raises(RunError) as info:
            es.simulate(
                storm, runs=4, seed=0, settings=es.RunSettings(executor="serial", progress=False)
            )
        message = str(info.value)
        assert "stopped after 5,000 simulation events" in message
        assert "seed" in message and "review_days" in message
