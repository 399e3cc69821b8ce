"""The forecast's trajectory: the as-of forecast at each date, on common random numbers."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import pandas as pd
import pytest

import escalsim as es
from escalsim.analysis import trajectory
from escalsim.analysis.trajectory import date_steps, parse_every

ROOT = Path(__file__).resolve().parent.parent
DYAD = ROOT / "tests" / "data" / "dyad.yaml"  # history 2025-11-20 and 11-25, start 12-01
SERIAL = es.RunSettings(executor="serial", progress=False)
DATES = [dt.date(2025, 11, 20), dt.date(2025, 11, 24), dt.date(2025, 11, 28), dt.date(2025, 12, 1)]


def test_each_date_is_the_as_of_forecast_with_the_same_seeds():
    sc = es.load_scenario(DYAD)
    table = trajectory(sc, DATES, runs=150, seed=5, settings=SERIAL)
    for day in DATES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            alone = es.simulate(sc.as_of(day), runs=150, seed=5, settings=SERIAL).summary()
        rows = table[table["date"] == pd.Timestamp(day)].set_index("outcome")
        for r in alone.itertuples(index=False):
            assert rows.loc[r.outcome, "count"] == r.count
            assert rows.loc[r.outcome, "ci_low"] == pytest.approx(r.ci_low)
    assert list(table.groupby("date")["known"].first()) == [1, 1, 2, 2]
    assert set(table["end"]) == {pd.Timestamp(sc.end_date)}


def test_the_end_moves_with_the_dates_when_asked():
    table = trajectory(DYAD, DATES[:2], runs=20, seed=1, keep_end=False, settings=SERIAL)
    ends = table.groupby("date")["end"].first()
    assert list(ends) == [pd.Timestamp(d + dt.timedelta(days=120)) for d in DATES[:2]]


def test_outcomes_and_unions_may_be_chosen():
    table = trajectory(
        DYAD, DATES[-1:], runs=30, seed=2, outcomes=["war+collapse", "deal"], settings=SERIAL
    )
    assert list(table["outcome"]) == ["war+collapse", "deal"]


@pytest.mark.parametrize(("text", "days"), [("7d", 7), ("7", 7), ("2w", 14), (3, 3), (" 1d ", 1)])
def test_steps_are_read_in_days_and_weeks(text, days):
    assert parse_every(text) == days


@pytest.mark.parametrize("text", ["0d", "7x", "-1", "week", True])
def test_a_bad_step_is_refused(text):
    with pytest.raises(ValueError, match="step"):
        parse_every(text)


def test_date_steps_end_on_the_last_date():
    steps = date_steps(dt.date(2025, 8, 1), dt.date(2025, 12, 1), "7d")
    assert steps[0] == dt.date(2025, 8, 1) and steps[-1] == dt.date(2025, 12, 1)
    assert steps[-2] == dt.date(2025, 11, 28) and len(steps) == 19
    with pytest.raises(ValueError, match="before the first"):
        date_steps(dt.date(2025, 12, 1), dt.date(2025, 8, 1))


def test_dates_outside_the_known_history_are_refused():
    with pytest.raises(ValueError, match="after the start of dyad"):
        trajectory(DYAD, [dt.date(2025, 12, 2)], runs=5, settings=SERIAL)
    with pytest.raises(es.ScenarioError, match="before the first reported event"):
        trajectory(DYAD, [dt.date(2025, 11, 1)], runs=5, settings=SERIAL)


def test_the_figure_marks_the_history_on_the_time_axis():
    from escalsim.plot import trajectory as draw

    sc = es.load_scenario(DYAD)
    fig = draw(trajectory(sc, DATES, runs=40, seed=3, settings=SERIAL), sc)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["a deploy", "a demand surrender"]
    assert any(line.get_label() == "reported event (history)" for line in ax.lines)


def test_trajectory_on_the_command_line(capsys, tmp_path):
    from cli_helpers import run_main

    out, plot = tmp_path / "t.csv", tmp_path / "t.png"
    args = ["trajectory", str(DYAD), "--from", "2025-11-20", "--every", "5d", "--runs", "30"]
    args += ["--executor", "serial", "-q", "--out", str(out), "--plot", str(plot)]
    code, text, err = run_main(args, capsys)
    assert code == 0, err
    assert "P(outcome by 2026-03-31) as forecast on each date" in text
    assert "2025-11-30" in text and "2025-12-01" in text
    assert len(pd.read_csv(out)) == 4 * 5 and plot.is_file()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--from", "2025-11-10"], "before the first reported event"),
        (["--from", "2025-11-20", "--to", "2025-12-20"], "after the start of dyad"),
        (["--from", "2025-11-20", "--every", "soon"], "expected a step like 7d"),
        (["--from", "2025-11-31"], "does not match the"),
    ],
)
def test_bad_dates_on_the_command_line_are_one_error_and_no_file(capsys, tmp_path, extra, message):
    from cli_helpers import run_main

    out = tmp_path / "t.csv"
    args = ["trajectory", str(DYAD), *extra, "--runs", "5", "--executor", "serial", "-q"]
    code, _, err = run_main([*args, "--out", str(out)], capsys)
    assert code in (1, 2) and message in err
    assert not out.exists()
