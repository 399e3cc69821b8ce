"""Calibration: a known parameter of a synthetic scenario is recovered within its interval."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import escalsim as es
from escalsim.analysis.calibrate import CalibrationError, calibrate, parse_range
from escalsim.analysis.calibrated_file import write_calibrated
from escalsim.analysis.targets import parse_target

SERIAL = es.RunSettings(executor="serial", progress=False)
COHESION = 0.5
HAZARD = 0.004  # the known parameter: P(collapse by day d) = 1 - exp(-HAZARD * (1 - 0.5) * d)

SYNTHETIC = f"""\
schema_version: 1
name: hazard
start: 2026-01-01
horizon: 365
actors:
  t: {{}}
outcomes:
  collapse: {{trigger: {{event: collapse}}}}
  stalemate: {{trigger: {{event: horizon}}}}
processes:
  cohesion: {{actor: t, initial: {COHESION}, baseline: {COHESION}, recovery: 0}}
  collapse: {{actor: t, max_hazard: 0.02, shape: 1}}
"""
"""A collapse hazard and nothing else: the chance of a collapse by a day is known exactly."""


def _p(day: float, hazard: float = HAZARD) -> float:
    return 1 - math.exp(-hazard * (1 - COHESION) * day)


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    path = tmp_path / "hazard.yaml"
    path.write_text(SYNTHETIC, encoding="utf-8")
    return path


def test_calibration_recovers_a_known_hazard_within_its_stated_uncertainty(synthetic):
    target = f"P(collapse by day 200)={_p(200):.4f}±0.02"
    cal = calibrate(
        synthetic, [target], {"processes.collapse.max_hazard": (0.001, 0.01)}, runs=4000, seed=3,
        settings=SERIAL,
    )  # fmt: skip
    lo, hi = cal.intervals["processes.collapse.max_hazard"]
    assert lo <= HAZARD <= hi
    assert lo <= cal.values["processes.collapse.max_hazard"] <= hi
    assert hi - lo < 0.002  # the ±0.02 pins the hazard to within about ±0.0007 (95%)
    assert not cal.at_edge
    fit = cal.fit.iloc[0]
    assert fit["within"] and fit["ci_low"] <= _p(200) <= fit["ci_high"]
    assert cal.scenario.processes.collapse.max_hazard == cal.values["processes.collapse.max_hazard"]


def test_two_targets_at_two_times_agree_on_the_same_hazard(synthetic):
    targets = [
        f"P(collapse by day 100)={_p(100):.4f}±0.02",
        f"P(collapse by 2026-12-01)={_p(334):.4f}±0.02",
    ]
    cal = calibrate(
        synthetic, targets, {"processes.collapse.max_hazard": (0.001, 0.01)}, runs=3000, seed=8,
        settings=SERIAL,
    )  # fmt: skip
    lo, hi = cal.intervals["processes.collapse.max_hazard"]
    assert lo <= HAZARD <= hi
    assert cal.fit["within"].all()
    assert len(cal.grid) == 9 * 2


def test_a_target_out_of_reach_names_the_closest_value(synthetic):
    with pytest.raises(CalibrationError) as err:
        calibrate(
            synthetic, ["P(collapse by day 200)=0.9±0.02"],
            {"processes.collapse.max_hazard": (0.001, 0.01)}, runs=500, seed=1, settings=SERIAL,
        )  # fmt: skip
    text = str(err.value)
    assert "cannot be reached with processes.collapse.max_hazard from 0.001 to 0.01" in text
    assert "the closest is 0.6" in text and "processes.collapse.max_hazard = 0.01)" in text


def test_two_parameters_make_a_grid(synthetic):
    cal = calibrate(
        synthetic, [f"P(collapse by day 200)={_p(200):.4f}±0.05"],
        {"processes.collapse.max_hazard": (0.002, 0.006), "processes.cohesion.initial": (0.3, 0.7)},
        runs=200, seed=2, points=3, settings=SERIAL,
    )  # fmt: skip
    assert len(cal.grid) == 9 and set(cal.intervals) == set(cal.values)
    # cohesion is pinned by the initial value only here: the fitted pair sits on the ridge
    h, c = cal.values.values()
    assert abs(_p(200, h * (1 - c) / (1 - COHESION)) - _p(200)) < 0.08


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("P(collapse by day 200)=0.3", "expected a target like"),
        ("P(colapse by day 200)=0.3±0.02", "no outcome 'colapse' (did you mean 'collapse'?)"),
        ("P(collapse by day 400)=0.3±0.02", "day 400 is outside the horizon of hazard"),
        ("P(stalemate by day 100)=0.3±0.02", "'stalemate' comes only at the end of the horizon"),
        ("P(collapse by day 100)=1.3±0.02", "a probability must be in [0, 1]"),
        ("P(collapse by day 100)=0.3±0", "the tolerance must be in (0, 1]"),
        ("P(milestone coup by day 100)=0.3±0.02", "no milestone 'coup'"),
    ],
)
def test_a_malformed_target_says_what_is_wrong(synthetic, text, message):
    with pytest.raises(ValueError) as err:
        parse_target(text, es.load_scenario(synthetic))
    assert message in str(err.value)


def test_targets_read_unions_dates_and_tolerances(synthetic):
    sc = es.load_scenario(synthetic)
    t = parse_target("P(collapse by 2026-02-01) = 0.5 +/- 0.1", sc)
    assert (t.names, t.day, t.value, t.tolerance) == (("collapse",), 31.0, 0.5, 0.1)
    both = parse_target("P(collapse+stalemate)=1±0.05", sc)
    assert both.names == ("collapse", "stalemate") and both.day == 365.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a.b=0.1:0.5", ("a.b", 0.1, 0.5, None)),
        ("a.b = 1:3:5", ("a.b", 1.0, 3.0, 5)),
    ],
)
def test_ranges_are_read(text, expected):
    assert parse_range(text) == expected


@pytest.mark.parametrize("text", ["a.b", "a.b=0.5:0.1", "a.b=0:1:2", "a.b=x:1", "=0:1"])
def test_bad_ranges_are_refused(text):
    with pytest.raises(ValueError, match="expected"):
        parse_range(text)


def test_the_extends_file_loads_as_the_calibrated_scenario(synthetic):
    cal = calibrate(
        synthetic, [f"P(collapse by day 200)={_p(200):.4f}±0.05"],
        {"processes.collapse.max_hazard": (0.001, 0.01)}, runs=300, seed=1, points=3,
        settings=SERIAL,
    )  # fmt: skip
    out = write_calibrated(cal, synthetic, synthetic.with_name("hazard_calibrated.yaml"))
    text = out.read_text()
    assert "extends: hazard.yaml" in text and "max_hazard:" in text
    assert len(text.splitlines()) <= 10
    assert es.load_scenario(out) == cal.scenario


def test_a_path_through_a_list_copies_the_list(tmp_path):
    base = Path(__file__).resolve().parent / "data" / "dyad.yaml"
    copy = tmp_path / "dyad.yaml"
    copy.write_text(base.read_text(), encoding="utf-8")
    cal = calibrate(
        copy, ["P(war by day 120)=0.05±0.05"], {"actors.a.ladder.strike.cost": (1, 20)},
        runs=60, seed=1, points=3, settings=SERIAL,
    )  # fmt: skip
    out = write_calibrated(cal, copy, tmp_path / "out.yaml")
    assert es.load_scenario(out) == cal.scenario


def test_calibrate_on_the_command_line(capsys, synthetic):
    from cli_helpers import run_main

    args = ["calibrate", str(synthetic), "--target", f"P(collapse by day 200)={_p(200):.3f}±0.03"]
    args += ["--param", "processes.collapse.max_hazard=0.001:0.01:5", "--runs", "400"]
    code, out, err = run_main([*args, "--executor", "serial", "-q"], capsys)
    assert code == 0, err
    assert "processes.collapse.max_hazard = " in out and "(95% interval: " in out
    written = synthetic.with_name("hazard_calibrated.yaml")
    assert f"calibrated scenario written to {written}" in out
    assert es.load_scenario(written).processes.collapse.max_hazard != 0.02


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--target", "P(collapse by day 200)=0.95±0.01"], "cannot be reached"),
        (["--target", "P(collapse by day 999)=0.3±0.01"], "outside the horizon"),
        (
            ["--target", "P(collapse)=0.3±0.01", "--out", "{other}/x.yaml"],
            "reaches only its own folder",
        ),
    ],
)
def test_bad_calibrations_are_one_line_and_leave_no_file(capsys, synthetic, extra, message):
    from cli_helpers import run_main

    other = synthetic.parent / "other"
    other.mkdir()
    extra = [e.replace("{other}", str(other)) for e in extra]
    args = ["calibrate", str(synthetic), "--param", "processes.collapse.max_hazard=0.001:0.01:3"]
    code, _, err = run_main([*args, *extra, "--runs", "50", "--executor", "serial", "-q"], capsys)
    assert code == 1 and err.count("\n") == 1 and message in err
    assert sorted(p.name for p in synthetic.parent.iterdir()) == ["hazard.yaml", "other"]
    assert not list(other.iterdir())
