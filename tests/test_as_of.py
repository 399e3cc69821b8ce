"""As-of forecasts: the history known on a date, the start moved to it, the end kept or moved."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import pandas as pd
import pytest

import escalsim as es
from escalsim.scenario.as_of import AsOfWarning

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SERIAL = es.RunSettings(executor="serial", progress=False)


def _runs(scenario: es.Scenario) -> pd.DataFrame:
    return es.simulate(scenario, runs=300, seed=11, settings=SERIAL).runs


def test_an_as_of_forecast_equals_the_scenario_written_by_hand_for_that_date():
    dyad = es.load_scenario(DATA / "dyad.yaml")
    with pytest.warns(AsOfWarning, match="1 history event"):
        moved = dyad.as_of("2025-11-22")
    by_hand = es.load_scenario(DATA / "dyad_as_of.yaml")
    assert moved == by_hand
    pd.testing.assert_frame_equal(_runs(moved), _runs(by_hand))


def test_history_dated_on_the_as_of_day_is_history():
    dyad = es.load_scenario(DATA / "dyad.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing is left out: no warning
        moved = dyad.as_of(dt.date(2025, 11, 25), keep_end=False)
    assert moved.start == dt.date(2025, 11, 25)
    assert moved.horizon == dyad.horizon  # the end moved with the start
    assert moved.history == dyad.history
    by_hand = dyad.with_values({"start": "2025-11-25"})
    pd.testing.assert_frame_equal(_runs(moved), _runs(by_hand))


def test_the_end_is_kept_by_default():
    dyad = es.load_scenario(DATA / "dyad.yaml")
    with pytest.warns(AsOfWarning):
        moved = dyad.as_of("2025-11-21")
    assert moved.end_date == dyad.end_date
    assert moved.horizon == dyad.horizon + 10


def test_exclusions_of_history_left_out_are_dropped_with_it():
    flagship = es.load_scenario(ROOT / "scenarios" / "venezuela_2025.yaml")
    variant = flagship.with_values({"exclude_history": ["sdgt", "airspace"]})
    with pytest.warns(AsOfWarning, match="left out"):
        moved = variant.as_of("2025-10-01")
    assert moved.exclude_history == ["sdgt"]
    assert all(ev.date <= dt.date(2025, 10, 1) for ev in moved.history)


def test_a_date_after_the_start_is_allowed_with_a_warning():
    dyad = es.load_scenario(DATA / "dyad.yaml")
    with pytest.warns(AsOfWarning, match="nothing is reported in between"):
        moved = dyad.as_of("2025-12-10")
    assert moved.end_date == dyad.end_date and moved.history == dyad.history


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2025-11-19", "before the first reported event of dyad (2025-11-20)"),
        ("2026-03-31", "not before the end of the horizon of dyad (2026-03-31)"),
        ("2025-11-31", "must be a date (YYYY-MM-DD)"),
        (20251120, "must be a date (YYYY-MM-DD)"),
    ],
)
def test_a_date_outside_the_history_and_horizon_is_one_clear_error(date, message):
    dyad = es.load_scenario(DATA / "dyad.yaml")
    with pytest.raises(es.ScenarioError, match=message.replace("(", r"\(").replace(")", r"\)")):
        dyad.as_of(date)


def test_run_as_of_on_the_command_line(capsys, tmp_path):
    from cli_helpers import run_main

    args = ["run", str(DATA / "dyad.yaml"), "--runs", "20", "--executor", "serial", "-q"]
    code, out, err = run_main([*args, "--as-of", "2025-11-22"], capsys)
    assert code == 0
    assert "from 2025-11-22 over 129 days" in out
    assert "note: as of 2025-11-22: 1 history event(s) dated after it are left out" in err
    code, out, _ = run_main([*args, "--as-of", "2025-11-22", "--move-end"], capsys)
    assert code == 0 and "over 120 days" in out
    code, _, err = run_main(
        [*args, "--as-of", "2025-01-01", "--out", str(tmp_path / "r.parquet")], capsys
    )
    assert code == 1
    assert err.count("\n") == 1 and "before the first reported event" in err
    assert not list(tmp_path.iterdir())
    code, _, err = run_main([*args, "--move-end"], capsys)
    assert code == 2 and "needs --as-of" in err
