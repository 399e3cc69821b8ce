"""Run parameters: every uncertain number of a scenario reaches its run's parameters, found
by the path the scenario gives it, and the processes are plain typed records."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import numpy as np
import yaml

import escalsim as es
from escalsim.errors import ScenarioError
from escalsim.model.params import CollapseParams, IncidentsParams, RunParams, build_params
from escalsim.scenario.parameters import plain

DATA = Path(__file__).parent / "data"
NOT_UNCERTAIN = {"schema_version", "horizon", "max_jump", "deals", "trigger", "reliability"}
"""Keys under which numbers are fixed by the schema (levels, versions, counts, the horizon,
the probability of each reliability class); the history's own reliability is found anyway."""
DISTRIBUTIONS = {"beta", "uniform", "normal", "triangular", "lognormal", "choice"}


def _numbers(data, path=()):
    """Paths of the fixed number leaves of a scenario mapping outside the fixed places."""
    if isinstance(data, dict) and DISTRIBUTIONS.isdisjoint(data):
        for key, value in data.items():
            if key not in NOT_UNCERTAIN or (key == "reliability" and path[:1] == ("history",)):
                yield from _numbers(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _numbers(value, (*path, i))
    elif isinstance(data, (int, float)) and not isinstance(data, bool):
        yield path


def _set(data, path, value):
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


def everything_uncertain() -> es.Scenario:
    """tests/data/small.yaml with incidents, a custom action and a numeric reliability, and
    every number that may be uncertain (defaults included) written as a one-value choice."""
    data = yaml.safe_load((DATA / "small.yaml").read_text(encoding="utf-8"))
    data["processes"]["incidents"] = {"between": ["us", "ve"], "rate": 0.01, "signal": 0.2}
    data["actors"]["us"]["actions"] = {
        "leak": {"cost": 0.1, "signal": -0.2, "utility": {"day": 0.01}}
    }
    for ev in data["history"]:
        ev["reliability"] = 0.7
    # every field written out, defaults included
    data = plain(es.Scenario.from_dict(data).model_dump(mode="python", round_trip=True))
    leaves = list(_numbers(data))
    trial = copy.deepcopy(data)
    for path in leaves:
        value = trial
        for key in path:
            value = value[key]
        _set(trial, path, {"choice": {float(value): 1.0}})
    try:
        return es.Scenario.from_dict(trial)
    except ScenarioError as exc:  # pragma: no cover - says which place refused a distribution
        raise AssertionError(f"a number refused to be uncertain: {exc}") from None


def _floats(obj) -> list[float]:
    if dataclasses.is_dataclass(obj):
        return [x for f in dataclasses.fields(obj) for x in _floats(getattr(obj, f.name))]
    if isinstance(obj, dict):
        return [x for v in obj.values() for x in _floats(v)]
    if isinstance(obj, (tuple, list, frozenset)):
        return [x for v in obj for x in _floats(v)]
    return [obj] if isinstance(obj, float) else []


def test_every_uncertain_number_reaches_the_run():
    sc = everything_uncertain()
    uncertain = sc.uncertain()
    assert len(uncertain) > 100
    # a distinct value per path: each must show up in the run parameters exactly as drawn
    draws = {path: 1000.0 + i for i, path in enumerate(uncertain)}
    params = build_params(sc, draws, {})
    seen = set(_floats(params))
    for path, value in draws.items():
        if path.endswith((".mean", ".weight")):  # a belief is kept as Beta pseudo-counts
            continue
        assert value in seen, f"{path} never reaches the run parameters"
    mean, weight = draws["actors.us.beliefs.ve.mean"], draws["actors.us.beliefs.ve.weight"]
    assert params.actors["us"].beliefs["ve"] == (mean * weight, (1.0 - mean) * weight)
    assert params.history[0].probability == draws["history.call.reliability"]
    assert params.actors["us"].ladder[1].cost == draws["actors.us.ladder.naval.cost"]


def test_build_params_matches_the_scenario_when_nothing_is_drawn():
    sc = es.load_scenario(DATA / "small.yaml")
    draws = sc.sample(np.random.default_rng(1))
    params = build_params(sc, draws, {})
    us = params.actors["us"]
    assert us.rationality == draws["actors.us.rationality"]
    assert us.review_days == 5.0 and us.values == {"exit": 10, "strike": -4, "stalemate": -2}
    assert us.threat == 2 and us.demands == ("resign",) and us.repertoire >= {"climb", "hold"}
    assert [r.name for r in us.ladder] == ["pressure", "naval", "strikes"]
    assert params.deals["resign"].terms == (("exit", 1.0), ("immunity", 0.5))
    assert params.deals["resign"].outcome == "exit"
    assert params.terms["immunity"].promised_by == "us"


def test_processes_are_typed_records():
    sc = es.load_scenario(DATA / "dyad.yaml")
    params: RunParams = build_params(sc, sc.sample(np.random.default_rng(0)), {})
    assert isinstance(params.collapse, CollapseParams)
    assert (params.collapse.actor, params.collapse.max_hazard, params.collapse.shape) == (
        "b",
        0.02,
        2.0,
    )
    assert params.cohesion.actor == "b" and params.cohesion.rally_boost == 0.1
    assert params.incidents is None
    data = sc.to_dict()
    data["processes"]["incidents"] = {"between": ["a", "b"], "rate": 0.5, "escalation": 0.1}
    data["actors"]["b"]["ladder"] = [{"name": "calm"}, {"name": "alert", "posture": 0.5}]
    with_incidents = es.Scenario.from_dict(data)
    inc = build_params(
        with_incidents, with_incidents.sample(np.random.default_rng(0)), {}
    ).incidents
    assert inc == IncidentsParams(("a", "b"), 0.5, 0.1, 0.0)
