"""Labels: what readers see for a scenario's ids, in figures, tables and reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import run_main
from scenario_helpers import MINIMAL, write

import escalsim as es
from escalsim.errors import ScenarioError
from escalsim.results.provenance import scenario_hash
from escalsim.scenario.labels import readable

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "venezuela_2025.yaml"
DYAD = ROOT / "tests" / "data" / "dyad.yaml"


def test_readable_turns_an_id_into_words():
    assert readable("negotiated_exit") == "negotiated exit"
    assert readable("__odd__name_") == "odd name"
    assert readable("_") == "_"  # never empty


def test_labels_default_to_the_id_as_words_and_an_actor_to_its_name():
    sc = es.load_scenario(DYAD)
    named = sc.labels
    for outcome in sc.outcomes:
        assert named.outcome(outcome) == outcome.replace("_", " ")
    for key, actor in sc.actors.items():
        assert named.actor(key) == (actor.name or key.replace("_", " "))
    assert named.outcome("a_b+c_d") == "a b + c d"  # a union of outcomes
    assert named.outcome("not_in_it") == "not in it"


def test_labels_given_in_the_scenario_are_used():
    data = es.load_scenario(DYAD).to_dict()
    first = next(iter(data["outcomes"]))
    data["outcomes"][first]["label"] = "the first outcome"
    actor = next(a for a, spec in data["actors"].items() if spec.get("ladder"))
    data["actors"][actor]["label"] = "Them"
    rung = data["actors"][actor]["ladder"][0]
    rung["label"] = "a first step"
    sc = es.Scenario.from_dict(data)
    assert sc.labels.outcome(first) == "the first outcome"
    assert sc.labels.actor(actor) == "Them"
    assert sc.labels.rung(actor, rung["name"]) == "a first step"
    assert es.Scenario.from_dict(sc.to_dict()) == sc  # labels survive the round trip


def test_a_label_is_text_of_bounded_length(tmp_path):
    text = MINIMAL.replace("  stalemate:\n", f"  stalemate:\n    label: {'x' * 201}\n")
    assert text != MINIMAL
    with pytest.raises(ScenarioError, match=r"outcomes\.stalemate\.label"):
        es.load_scenario(write(tmp_path, text))


def test_labels_leave_an_unlabelled_scenario_and_every_run_as_they_were():
    sc = es.load_scenario(DYAD)
    assert "label" not in str(sc.to_dict())  # not written out when not given: same hash
    labelled = sc.with_values({f"outcomes.{next(iter(sc.outcomes))}.label": "named"})
    assert scenario_hash(labelled) != scenario_hash(sc)
    serial = es.RunSettings(executor="serial")
    a = es.simulate(sc, runs=30, seed=3, settings=serial).runs
    b = es.simulate(labelled, runs=30, seed=3, settings=serial).runs
    assert a.equals(b)


def test_the_flagship_labels_every_outcome_milestone_rung_and_deal():
    sc = es.load_scenario(FLAGSHIP)
    assert all(o.label for o in sc.outcomes.values())
    assert all(m.label for m in sc.milestones.values())
    assert all(d.label for d in sc.deals.values())
    assert all(r.label for a in sc.actors.values() for r in a.ladder)
    assert sc.labels.outcome("negotiated_exit") == "Maduro leaves under a deal"


def test_run_prints_labels_not_ids(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "160")  # wide enough that no label wraps
    code, out, _ = run_main(
        ["run", str(FLAGSHIP), "--runs", "40", "--executor", "serial", "-q"], capsys
    )
    assert code == 0
    assert "Maduro leaves under a deal" in out and "negotiated_exit" not in out
    assert "first US strike on land" in out and "first_strike" not in out
