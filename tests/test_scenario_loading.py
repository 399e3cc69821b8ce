"""Loading valid scenarios: defaults, immutability, round trip, ``extends``, overrides and
uncertain parameters (listing, drawing, setting)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from pydantic import ValidationError
from scenario_helpers import MINIMAL, SMALL, edit, one_problem, write

from escalsim.errors import ScenarioError
from escalsim.scenario import Scenario, load_scenario
from escalsim.scenario.distributions import Beta, Choice, Distribution, Normal, Uniform

SMALL_UNCERTAIN = [
    "actors.us.credibility",
    "actors.us.incentives.audience_cost",
    "actors.us.rationality",
    "actors.ve.beliefs.us.mean",
    "actors.ve.incentives.day_cost",
    "actors.ve.rationality",
    "processes.cohesion.initial",
    "processes.collapse.max_hazard",
]


@pytest.fixture(scope="module")
def small() -> Scenario:
    return load_scenario(SMALL)


def test_minimal_scenario_fills_defaults(tmp_path: Path) -> None:
    sc = load_scenario(write(tmp_path, MINIMAL))
    assert (sc.schema_version, sc.name, sc.start, sc.horizon) == (
        1,
        "minimal",
        dt.date(2025, 12, 1),
        90.0,
    )
    assert list(sc.actors) == ["us", "ve"]
    us = sc.actors["us"]
    assert us.rationality == 2.0
    assert us.review_days == 7.0
    assert us.repertoire == ["hold"]
    assert [r.name for r in us.ladder] == ["pressure", "strikes"]
    assert sc.reliability == {"confirmed": 1.0, "reported": 0.8, "claimed": 0.6, "rumour": 0.3}
    assert sc.mechanisms.signals is True
    assert sc.history == []
    assert sc.end_date == dt.date(2026, 3, 1)
    assert sc.uncertain() == {}


def test_accepts_str_and_path(tmp_path: Path) -> None:
    file = write(tmp_path, MINIMAL)
    assert load_scenario(str(file)) == load_scenario(file)


def test_small_scenario_contents(small: Scenario) -> None:
    assert small.title == "A small crisis"
    assert small.actors["us"].opponent == "ve"
    assert [r.name for r in small.actors["us"].ladder] == ["pressure", "naval", "strikes"]
    assert small.actors["us"].credibility == Beta(beta=(6.0, 3.0))
    assert isinstance(small.actors["ve"].rationality, Normal)
    assert small.actors["ve"].rationality.bounds == (0.0, 4.0)
    assert small.processes.collapse is not None
    assert isinstance(small.processes.collapse.max_hazard, Choice)
    assert [ev.date for ev in small.history] == [
        dt.date(2025, 11, 21),
        dt.date(2025, 11, 22),
        dt.date(2025, 11, 24),
    ]
    assert small.history[0].reliability == "reported"
    assert small.history[1].reliability == 0.9
    assert small.history[2].payload.rung == "naval"
    assert small.deals["resign"].terms == {"exit": 1.0, "immunity": 0.5}


def test_scenario_is_immutable(small: Scenario) -> None:
    with pytest.raises(ValidationError):
        small.horizon = 10  # type: ignore[misc]
    with pytest.raises(ValidationError):
        small.actors["us"].rationality = 1.0  # type: ignore[misc]


# --- round trip -------------------------------------------------------------------------------


def test_round_trip_through_mapping() -> None:
    original = load_scenario(SMALL)
    again = Scenario.from_dict(original.to_dict())
    assert again == original
    assert again.to_dict() == original.to_dict()


def test_round_trip_through_yaml_text(tmp_path: Path) -> None:
    original = load_scenario(SMALL)
    text = yaml.safe_dump(original.to_dict(), sort_keys=False, allow_unicode=True)
    assert load_scenario(write(tmp_path, text)) == original


def test_to_dict_is_plain_data(small: Scenario) -> None:
    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                assert isinstance(key, (str, float))
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        else:
            assert value is None or isinstance(value, (str, int, float, bool, dt.date)), value

    data = small.to_dict()
    walk(data)
    assert data["actors"]["us"]["credibility"] == {"beta": [6.0, 3.0]}
    assert "review_days" not in data["actors"]["ve"]  # defaults are left out


def test_equality_ignores_the_uncertain_parameter_cache() -> None:
    first = load_scenario(SMALL)
    second = load_scenario(SMALL)
    first.uncertain()
    assert first == second


# --- extends ----------------------------------------------------------------------------------


def test_what_if_overrides_one_nested_value(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ESCALSIM_EXTENDS_PATH", str(SMALL.parent))  # a base in another folder
    base = load_scenario(SMALL)
    what_if = write(
        tmp_path,
        f"extends: {SMALL}\nname: small_what_if\nactors:\n  us:\n    incentives:\n"
        "      day_cost: 0.5\n",
        "what_if.yaml",
    )
    variant = load_scenario(what_if)
    assert variant.name == "small_what_if"
    assert variant.actors["us"].incentives.day_cost == 0.5
    # everything else, including siblings of the overridden value, comes from the base
    assert variant.actors["us"].incentives.values == base.actors["us"].incentives.values
    assert (
        variant.actors["us"].incentives.audience_cost == base.actors["us"].incentives.audience_cost
    )
    assert variant.actors["ve"] == base.actors["ve"]
    assert variant.history == base.history
    expected = base.to_dict()
    expected["name"] = "small_what_if"
    expected["actors"]["us"]["incentives"]["day_cost"] = 0.5
    assert variant.to_dict() == expected


def test_extends_replaces_lists(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL, "base.yaml")
    what_if = write(
        tmp_path,
        "extends: base.yaml\nactors:\n  us:\n    ladder:\n      - {name: sanctions, cost: 0.1}\n",
        "what_if.yaml",
    )
    variant = load_scenario(what_if)
    assert [r.name for r in variant.actors["us"].ladder] == ["sanctions"]
    assert variant.actors["us"].rationality == 2.0


def test_extends_chain_and_relative_paths(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ESCALSIM_EXTENDS_PATH", str(tmp_path))  # what_ifs/ reaches ../scenarios
    write(tmp_path, MINIMAL, "scenarios/base.yaml")
    write(tmp_path, "extends: base.yaml\nhorizon: 30\n", "scenarios/longer.yaml")
    leaf = write(tmp_path, "extends: ../scenarios/longer.yaml\nname: leaf\n", "what_ifs/leaf.yaml")
    variant = load_scenario(leaf)
    assert (variant.name, variant.horizon) == ("leaf", 30.0)
    assert list(variant.actors) == ["us", "ve"]


def test_what_if_may_add_an_actor(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL, "base.yaml")
    what_if = write(
        tmp_path, "extends: base.yaml\nactors:\n  co:\n    role: mediator\n", "what_if.yaml"
    )
    assert list(load_scenario(what_if).actors) == ["us", "ve", "co"]


# --- overrides and with_values ----------------------------------------------------------------


def test_with_values_sets_a_number(small: Scenario) -> None:
    changed = small.with_values({"actors.us.rationality": 0.8})
    assert changed.actors["us"].rationality == 0.8
    assert isinstance(small.actors["us"].rationality, Uniform)  # the original is untouched
    assert "actors.us.rationality" not in changed.uncertain()
    assert changed.actors["ve"] == small.actors["ve"]


def test_with_values_sets_a_distribution(small: Scenario) -> None:
    changed = small.with_values({"horizon": 60, "actors.ve.credibility": {"beta": [2, 5]}})
    assert changed.horizon == 60.0
    assert changed.uncertain()["actors.ve.credibility"] == Beta(beta=(2.0, 5.0))


def test_with_values_names_list_items(small: Scenario) -> None:
    changed = small.with_values(
        {"actors.us.ladder.strikes.cost": 3.0, "history.call.reliability": "confirmed"}
    )
    assert changed.actors["us"].ladder[2].cost == 3.0
    assert changed.history[0].reliability == "confirmed"
    by_index = small.with_values({"actors.us.ladder.0.cost": 0.25})
    assert by_index.actors["us"].ladder[0].cost == 0.25


def test_item_index_reads_a_path_part_in_a_list() -> None:
    """One reading of a list item in a path, for with_values and for locating lint findings."""
    from escalsim.scenario.parameters import item_index

    items = [{"name": "raid"}, {"id": "call"}, {"cost": 1.0}]
    assert [item_index(items, part) for part in ("raid", "call", "2", "0")] == [0, 1, 2, 0]
    with pytest.raises(KeyError, match="'rad' not found \\(did you mean 'raid'\\?\\)"):
        item_index(items, "rad")
    with pytest.raises(KeyError, match="'3' not found"):
        item_index(items, "3")


def test_with_values_unknown_path(small: Scenario) -> None:
    with pytest.raises(ScenarioError) as excinfo:
        small.with_values({"actors.uss.rationality": 0.8})
    problem = one_problem(excinfo)
    assert problem.path == "actors.uss.rationality"
    assert problem.message == "no such path: 'uss' not found (did you mean 'us'?)"


def test_with_values_invalid_value(small: Scenario) -> None:
    with pytest.raises(ScenarioError) as excinfo:
        small.with_values({"actors.us.credibility": 1.4})
    problem = one_problem(excinfo)
    assert (problem.path, problem.message) == (
        "actors.us.credibility",
        "must be in [0, 1], got 1.4",
    )


def test_with_values_misspelt_last_key(small: Scenario) -> None:
    with pytest.raises(ScenarioError) as excinfo:
        small.with_values({"actors.us.rationalty": 0.8})
    problem = one_problem(excinfo)
    assert problem.path == "actors.us.rationalty"
    assert "(did you mean 'rationality'?)" in problem.message


def test_with_values_into_a_number(small: Scenario) -> None:
    with pytest.raises(ScenarioError) as excinfo:
        small.with_values({"horizon.days": 3})
    assert "is inside a number or text" in one_problem(excinfo).message


def test_load_with_overrides_equals_with_values(small: Scenario) -> None:
    values = {"actors.us.rationality": 0.8, "horizon": 45}
    assert load_scenario(SMALL, values) == small.with_values(values)


def test_bad_override_names_the_file() -> None:
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(SMALL, {"actors.us.credibility": 1.4})
    assert str(excinfo.value) == (
        f"actors.us.credibility: must be in [0, 1], got 1.4 (override of {SMALL})"
    )


# --- uncertain parameters ---------------------------------------------------------------------


def test_uncertain_lists_every_distribution_in_path_order(small: Scenario) -> None:
    found = small.uncertain()
    assert list(found) == SMALL_UNCERTAIN
    assert all(isinstance(d, Distribution) for d in found.values())
    assert found["actors.us.rationality"] == Uniform(uniform=(0.5, 3.0))


def test_sample_draws_each_parameter_once_within_its_support(small: Scenario) -> None:
    draws = small.sample(np.random.default_rng(2025))
    assert list(draws) == SMALL_UNCERTAIN
    for path, dist in small.uncertain().items():
        lo, hi = dist.support
        assert isinstance(draws[path], float)
        assert lo <= draws[path] <= hi, path
    assert draws["processes.collapse.max_hazard"] in (0.001, 0.003)


def test_sample_is_reproducible_from_the_generator(small: Scenario) -> None:
    first = small.sample(np.random.default_rng(7))
    assert small.sample(np.random.default_rng(7)) == first
    assert small.sample(np.random.default_rng(8)) != first


def test_sample_means_match_the_distributions(small: Scenario) -> None:
    rng = np.random.default_rng(11)
    n = 4000
    draws = [small.sample(rng) for _ in range(n)]
    for path, dist in small.uncertain().items():
        values = np.array([d[path] for d in draws])
        standard_error = values.std(ddof=1) / math.sqrt(n)
        assert abs(values.mean() - dist.mean) < 5 * standard_error, path


def test_sample_of_a_certain_scenario_is_empty(tmp_path: Path) -> None:
    sc = load_scenario(write(tmp_path, MINIMAL))
    assert sc.sample(np.random.default_rng(0)) == {}


def test_uncertain_follows_with_values(tmp_path: Path) -> None:
    sc = load_scenario(write(tmp_path, edit("rationality: 2.0", "rationality: {beta: [2, 2]}")))
    assert list(sc.uncertain()) == ["actors.us.rationality"]
    assert sc.with_values({"actors.us.rationality": 0.8}).uncertain() == {}


def test_lognormal_for_a_value_that_must_be_positive(tmp_path: Path) -> None:
    text = edit("rationality: 2.0\n", "rationality: 2.0\n    review_days: {lognormal: [1, 0.5]}\n")
    review = load_scenario(write(tmp_path, text)).actors["us"].review_days
    assert isinstance(review, Distribution)
    assert review.sample(np.random.default_rng(3)) > 0


def test_changing_the_uncertain_table_does_not_change_the_scenario() -> None:
    sc = load_scenario(SMALL)
    sc.uncertain().clear()
    assert list(sc.uncertain()) == SMALL_UNCERTAIN
    assert list(sc.sample(np.random.default_rng(0))) == SMALL_UNCERTAIN
