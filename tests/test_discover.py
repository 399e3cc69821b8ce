"""Scenario discovery: PRIM finds a known threshold, the inputs are ranked, bad input is one line.

``tests/data/threshold.yaml`` has one actor whose one move, a strike, is worth making exactly
when its cost is below 10 (drawn uniformly from 0 to 20); its review clock, its type (two
types alike) and a reported event vary too, and do not matter.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import run_main

import escalsim as es
from escalsim.errors import EscalsimError
from escalsim.results.discovery import Discovery

pytest.importorskip("ema_workbench")
pytest.importorskip("sklearn")

ROOT = Path(__file__).resolve().parent.parent
THRESHOLD = ROOT / "tests" / "data" / "threshold.yaml"
COST = "actors.a.actions.strike.cost"
SERIAL = es.RunSettings(executor="serial", progress=False)


@pytest.fixture(scope="module")
def results() -> es.Results:
    return es.simulate(THRESHOLD, 600, 5, settings=SERIAL)


@pytest.fixture(scope="module")
def found(results: es.Results) -> Discovery:
    return results.discover("war")


@pytest.fixture(scope="module")
def results_file(results: es.Results, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return results.to_parquet(tmp_path_factory.mktemp("discover") / "runs.parquet")


def test_prim_recovers_the_threshold(found: Discovery) -> None:
    box = found.box()
    assert list(box["input"]) == [COST]
    (row,) = box.itertuples(index=False)
    assert row.high == pytest.approx(10.0, abs=0.5)  # the threshold, within a tolerance
    assert row.qp_low != row.qp_low  # NaN: the lower side is not restricted
    stats = found.stats()
    assert stats["density"] > 0.95 and stats["coverage"] > 0.9


def test_the_forest_ranks_the_threshold_first(found: Discovery) -> None:
    assert found.features["input"].iloc[0] == COST
    assert found.features["score"].iloc[0] > 0.5
    assert set(found.features["input"]) == {
        COST,
        "actors.a.review_days",
        "type.a",
        "history.rumour",
    }


def test_types_and_reported_events_are_categories(found: Discovery) -> None:
    space = found.space.set_index("input")
    assert space.loc["type.a", "values"] == "grey, blue"
    assert space.loc["history.rumour", "values"] == "included, left out"
    assert space.loc[COST, "low"] >= 0 and space.loc[COST, "high"] <= 20


def test_the_trajectory_is_a_trade_off(found: Discovery) -> None:
    t = found.trajectory
    assert list(t.columns) == ["box", "coverage", "density", "mass", "restricted", "runs", "cases"]
    assert t["coverage"].iloc[0] == 1.0 and t["mass"].iloc[0] == 1.0
    assert t["density"].iloc[0] == pytest.approx(found.base_rate)
    assert (t["mass"].diff().dropna() <= 0).all()  # peeling only: each box inside the last
    assert found.selected == int((t["coverage"] * t["density"]).idxmax())


def test_choosing_another_box(found: Discovery) -> None:
    first = found.select(0)
    assert first.selected == 0 and first.box().empty
    assert found.select(-1).selected == len(found.trajectory) - 1
    with pytest.raises(ValueError, match="no box 99: the trajectory has boxes 0 to"):
        found.select(99)


def test_the_text_names_the_box_and_the_scores(found: Discovery) -> None:
    text = str(found)
    assert text.startswith("Scenario discovery of 'war' in 600 runs of 'threshold':")
    assert f"  {COST}  up to " in text
    assert "<- chosen" in text and "Inputs by extra-trees score (100 trees, seed 0):" in text


def test_the_same_seed_gives_the_same_discovery(results: es.Results, found: Discovery) -> None:
    again = results.discover("war")
    assert again.trajectory.equals(found.trajectory)
    assert again.features.equals(found.features)


def test_a_union_of_outcomes(results: es.Results) -> None:
    with pytest.raises(ValueError, match="every run of 600 ended in 'war\\+calm'"):
        results.discover("war+calm")


# --- bad input: one clear line each ---------------------------------------------------------
def test_unknown_outcome(results_file: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, err = run_main(["discover", str(results_file), "--outcome", "wr"], capsys)
    assert code == 1 and out == ""
    assert err.strip() == (
        f"error: {results_file}: unknown outcome 'wr' (did you mean 'war'?); "
        "the outcomes are: war, calm"
    )


def test_an_outcome_with_no_runs(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    cheap = es.load_scenario(THRESHOLD).with_values({COST: {"uniform": [30, 40]}})
    file = es.simulate(cheap, 40, 1, settings=SERIAL).to_parquet(tmp_path / "runs.parquet")
    code, out, err = run_main(["discover", str(file), "--outcome", "war"], capsys)
    assert code == 1 and out == ""
    assert err.strip() == (
        f"error: {file}: no run of 40 ended in 'war': there is nothing to discover"
    )


def test_results_with_no_uncertain_input(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data = es.load_scenario(THRESHOLD).to_dict()
    data["actors"]["a"].update(review_days=5, types={}, actions={"strike": {"cost": 9.0}})
    data["actors"]["a"]["rationality"] = 0.2
    data["history"][0]["reliability"] = 1.0
    fixed = es.Scenario.from_dict(data)
    assert fixed.uncertain() == {}
    file = es.simulate(fixed, 40, 1, settings=SERIAL).to_parquet(tmp_path / "runs.parquet")
    code, _, err = run_main(["discover", str(file), "--outcome", "war"], capsys)
    assert code == 1
    assert err.strip() == (
        f"error: {file}: the runs of 'threshold' drew no uncertain input that varies (no "
        "uncertain parameter, uncertain reported event or type): there is no space to find "
        "a box in"
    )


def test_a_missing_extra_names_the_install_command(
    results: es.Results, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ema_workbench.analysis.prim", None)
    with pytest.raises(EscalsimError, match=r'pip install "escalsim\[discover\]"'):
        results.discover("war")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--peel-alpha", "0"], "peel_alpha must be between 0 and 1, got 0.0"),
        (["--mass-min", "1.5"], "mass_min must be between 0 and 1, got 1.5"),
        (["--box", "500"], "no box 500: the trajectory has boxes 0 to"),
    ],
)
def test_bad_options(results_file: Path, args, message, capsys) -> None:
    code, _, err = run_main(["discover", str(results_file), "--outcome", "war", *args], capsys)
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1


# --- the command and the figures ------------------------------------------------------------
def test_discover_command_prints_and_plots(results_file: Path, tmp_path: Path, capsys) -> None:
    figure = tmp_path / "discovery.png"
    args = ["discover", str(results_file), "--outcome", "war", "--plot", str(figure)]
    code, out, err = run_main(args, capsys)
    assert code == 0, err
    assert out.startswith("Scenario discovery of 'war' in 600 runs of 'threshold'")
    assert out.strip().endswith(f"figure written to {figure}")
    assert figure.stat().st_size > 10_000


def test_the_figures(found: Discovery) -> None:
    from matplotlib.figure import Figure

    from escalsim.plot import box_limits, discovery_panels, feature_scores, tradeoff

    for draw in (tradeoff, box_limits, feature_scores):
        fig = draw(found)
        assert isinstance(fig, Figure)
        ax = Figure().add_subplot()
        assert draw(found, ax=ax) is ax.figure
    assert len(discovery_panels(found).axes) == 4  # three panels and the colour bar
    assert "Box 0 for 'war'" in box_limits(found, box=0).axes[0].get_title(loc="left")


def test_importing_escalsim_and_results_loads_neither_library() -> None:
    code = (
        "import sys, escalsim; escalsim.Results; import escalsim.cli.main; "
        "print(sorted(m for m in ('ema_workbench', 'sklearn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
