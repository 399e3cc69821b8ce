"""Common random numbers: compare and sweep say when a variant breaks the pairing of runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from cli_helpers import run_main

import escalsim as es
from escalsim.analysis.pairing import Pairing, draws_pairing

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "tests" / "data" / "small.yaml"
SERIAL = es.RunSettings(executor="serial", progress=False)
RUNS = 60


@pytest.fixture(scope="module")
def small() -> es.Scenario:
    return es.load_scenario(SMALL)


def test_a_distribution_replaced_by_a_number_breaks_the_pairing(small: es.Scenario) -> None:
    # actors.us.credibility comes first in path order: every draw after it shifts
    result = es.compare(small, {"actors.us.credibility": 0.6}, RUNS, 4, settings=SERIAL)
    pairing = result.pairing
    assert pairing.broken
    assert pairing.only_base == ("actors.us.credibility",) and not pairing.only_variant
    assert pairing.differing == RUNS
    assert pairing.note().startswith(
        f"the common-random-number pairing is broken in {RUNS} of {RUNS} runs: "
        "actors.us.credibility is drawn by the base, not by the variant"
    )
    assert result.table().attrs["pairing"]["differing"] == RUNS


def test_new_distribution_parameters_keep_the_pairing(small: es.Scenario) -> None:
    variant = {"actors.us.rationality": {"uniform": [1.0, 2.0]}}
    result = es.compare(small, variant, RUNS, 4, settings=SERIAL)
    assert not result.pairing.broken
    assert result.pairing.redrawn == ("actors.us.rationality",)
    assert result.pairing.note() is None


def test_an_excluded_history_event_keeps_the_pairing(small: es.Scenario) -> None:
    result = es.compare(small, {"exclude_history": ["call"]}, RUNS, 4, settings=SERIAL)
    assert result.pairing == Pairing(RUNS, 0)


def test_a_new_history_event_before_others_breaks_the_pairing(small: es.Scenario) -> None:
    event = {
        "id": "early",
        "date": "2025-11-01",
        "actor": "us",
        "event": "statement",
        "source": "test",
        "reliability": "reported",
    }
    history = [event, *small.to_dict()["history"]]
    result = es.compare(small, {"history": history}, RUNS, 4, settings=SERIAL)
    assert "history.early" in result.pairing.only_variant
    assert result.pairing.broken  # the inclusion draws of the later events moved


def test_the_draws_are_those_of_the_runs(small: es.Scenario) -> None:
    """draws_pairing draws the parameters as the engine does: its count matches the runs'."""
    variant = small.with_values({"actors.us.credibility": 0.6})
    base_runs = es.simulate(small, RUNS, 9, settings=SERIAL).runs
    variant_runs = es.simulate(variant, RUNS, 9, settings=SERIAL).runs
    shared = [c for c in variant_runs if c.startswith("param.actors")]
    differing = int(
        np.any(base_runs[shared].to_numpy() != variant_runs[shared].to_numpy(), 1).sum()
    )
    assert draws_pairing(small, variant, RUNS, 9).differing == differing == RUNS


def test_sweeping_a_distribution_unpairs_the_points_from_the_scenario(small) -> None:
    table = es.sweep(small, {"actors.us.credibility": [0.2, 0.8]}, RUNS, settings=SERIAL)
    pairing = table.attrs["pairing"]
    assert pairing["points"]["broken"] is False
    assert pairing["scenario"]["differing"] == RUNS
    assert pairing["scenario"]["only_base"] == ["actors.us.credibility"]


def test_sweeping_inside_a_distribution_can_unpair_the_points(small) -> None:
    # a beta with both shapes below 1 is drawn by rejection: its count of numbers varies
    sc = small.with_values({"actors.us.credibility": {"beta": [0.5, 0.5]}})
    table = es.sweep(sc, {"actors.us.credibility.beta.0": [0.3, 0.9]}, 100, settings=SERIAL)
    points = Pairing.from_dict(table.attrs["pairing"]["points"])
    assert points.broken and 0 < points.differing < 100
    assert points.redrawn == ("actors.us.credibility",)


def test_compare_command_notes_a_broken_pairing(capsys: pytest.CaptureFixture) -> None:
    args = ["compare", str(SMALL), "--set", "actors.us.credibility=0.6", "-n", "30"]
    code, out, _ = run_main([*args, "--executor", "serial", "-q"], capsys)
    assert code == 0
    assert "30 runs of each on the same seeds (seed 0)" in out
    assert "note: the common-random-number pairing is broken in 30 of 30 runs" in out
    assert "paired runs" not in out


def test_compare_command_says_paired_when_it_is(capsys: pytest.CaptureFixture) -> None:
    args = ["compare", str(SMALL), "--set", "actors.us.credibility={beta: [5, 3]}", "-n", "30"]
    code, out, _ = run_main([*args, "--executor", "serial", "-q"], capsys)
    assert code == 0
    assert "30 paired runs (common random numbers, seed 0)" in out
    assert "note:" not in out


def test_sweep_command_notes_the_points_unpaired_from_the_scenario(capsys) -> None:
    args = ["sweep", str(SMALL), "-p", "actors.us.credibility=0.2,0.8", "-n", "20"]
    code, out, _ = run_main([*args, "--executor", "serial", "-q"], capsys)
    assert code == 0
    assert "note: the common-random-number pairing is broken in 20 of 20 runs" in out
    assert "(the grid points stay paired with each other)" in out
