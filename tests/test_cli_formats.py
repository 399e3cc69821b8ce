"""``escalsim run --format``: JSON a script can load, CSV a spreadsheet can read, Markdown a
document can take, each alone on stdout."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import markdown_tables, run_main

import escalsim as es

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "venezuela_2025.yaml"
LABELS = es.load_scenario(FLAGSHIP).labels
START = es.load_scenario(FLAGSHIP).start
ARGS = ["run", str(FLAGSHIP), "--runs", "60", "--seed", "4", "--executor", "serial", "-q"]


@pytest.fixture(scope="module")
def summary():
    res = es.simulate(FLAGSHIP, runs=60, seed=4, settings=es.RunSettings(executor="serial"))
    return res.summary().set_index("outcome"), res.milestones().set_index("milestone")


def test_json_parses_and_holds_the_run(summary, capsys):
    outcomes, milestones = summary
    code, out, err = run_main([*ARGS, "--format", "json"], capsys)
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["runs"] == 60 and data["seed"] == 4 and data["scenario"] == "venezuela_2025"
    got = {o["outcome"]: o for o in data["outcomes"]}
    assert list(got) == list(outcomes.index)
    for name, row in outcomes.iterrows():
        assert got[name]["count"] == row["count"]
        assert got[name]["p"] == pytest.approx(row["p"])
        assert got[name]["ci_low"] == pytest.approx(row["ci_low"])
    assert got["negotiated_exit"]["label"] == "Maduro leaves under a deal"
    assert [m["milestone"] for m in data["milestones"]] == list(milestones.index)
    for m in data["milestones"]:  # the API's columns and units: runs, days after the start
        want = milestones.loc[m["milestone"]]
        assert m["count"] == want["count"] and m["before_start"] == want["before_start"]
        if m["count"]:
            assert m["median_day"] == pytest.approx(want["median_day"])
            assert m["median_date"] == str(START + dt.timedelta(days=want["median_day"]))


def test_csv_reads_back_as_the_outcome_table(summary, capsys):
    outcomes, _ = summary
    code, out, err = run_main([*ARGS, "--format", "csv"], capsys)
    assert (code, err) == (0, "")
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns) == ["outcome", "label", "count", "p", "ci_low", "ci_high"]
    assert list(table["outcome"]) == list(outcomes.index)
    assert table["count"].sum() == 60


def test_markdown_is_a_table_to_paste(summary, capsys):
    outcomes, milestones = summary
    code, out, _ = run_main([*ARGS, "--format", "markdown"], capsys)
    assert code == 0
    blocks = out.strip().split("\n\n")
    assert blocks[0].startswith("**US–Venezuela crisis") and "60 runs in" in blocks[1]
    shown, marks = markdown_tables(out)
    assert shown[0] == ["outcome", "p", "95% interval", "runs"]
    assert marks[0] == ["milestone", "p", "95% interval", "runs", "median date", "before"]
    assert [r[0] for r in shown[1:]] == [LABELS.outcome(o) for o in outcomes.index]
    for row, (_, want) in zip(shown[1:], outcomes.iterrows(), strict=True):
        assert row[1] == f"{want['p']:.3f}" and row[3] == f"{int(want['count']):,}"
    for row, (_, want) in zip(marks[1:], milestones.iterrows(), strict=True):
        assert row[3] == f"{int(want['count']):,}" and row[5] == f"{int(want['before_start']):,}"


def test_with_a_format_stdout_holds_only_the_tables(tmp_path, capsys):
    out = tmp_path / "runs.parquet"
    code, stdout, err = run_main([*ARGS, "--format", "json", "--out", str(out)], capsys)
    assert code == 0
    json.loads(stdout)  # nothing else there
    assert f"runs written to {out}" in err
    code, stdout, _ = run_main([*ARGS, "--format", "yaml"], capsys)
    assert code == 2 and stdout == ""
