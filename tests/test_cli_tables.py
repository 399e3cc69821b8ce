"""``--format`` on every command that prints a results table, and tables that fit the terminal:
at 80 and 200 columns no cell breaks a word; JSON loads, Markdown is a pipe table holding the
numbers of the run; ``run --out`` writes CSV, ``--export`` a workbook, and nothing half-done."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import markdown_tables, run_main

import escalsim as es
from escalsim.cli.fit import column_widths, fitted
from escalsim.cli.formats import Shown

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "venezuela_2025.yaml"
GUARANTEE = ROOT / "scenarios" / "venezuela_2025_guarantee.yaml"
THRESHOLD = ROOT / "tests" / "data" / "threshold.yaml"
SERIAL = ["--executor", "serial", "-q"]

COMMANDS = {
    "compare": ["compare", str(FLAGSHIP), str(GUARANTEE), "-n", "40", "--seed", "3", *SERIAL],
    "sweep": [
        "sweep",
        str(FLAGSHIP),
        "--param",
        "actors.us.incentives.audience_cost=0:40:3",
        "--param",
        "actors.us.rationality=0.5:2:4",
        "-n",
        "8",
        *SERIAL,
    ],
    "trajectory": [
        "trajectory",
        str(FLAGSHIP),
        "--from",
        "2025-09-01",
        "--every",
        "14d",
        "-n",
        "6",
        *SERIAL,
    ],
    "sensitivity": [
        "sensitivity",
        str(FLAGSHIP),
        "--method",
        "morris",
        "--n",
        "3",
        "-r",
        "2",
        "--outcome",
        "stalemate",
        *SERIAL,
    ],
}


@pytest.fixture(scope="module")
def discovery_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Results files: the threshold scenario's (to discover in) and the flagship's (to score)."""
    folder = tmp_path_factory.mktemp("results")
    serial = es.RunSettings(executor="serial")
    es.simulate(THRESHOLD, runs=300, seed=2, settings=serial).to_parquet(folder / "t.parquet")
    es.simulate(FLAGSHIP, runs=40, seed=2, settings=serial).to_parquet(folder / "f.parquet")
    return folder / "t.parquet", folder / "f.parquet"


def _args(name: str, files: tuple[Path, Path]) -> list[str]:
    if name == "discover":
        return ["discover", str(files[0]), "--outcome", "war", "--trees", "20"]
    if name == "score":
        return ["score", str(files[1]), str(ROOT / "scenarios" / "venezuela_2025_questions.yaml")]
    return COMMANDS[name]


ALL = [*COMMANDS, "discover", "score"]


def _words(tables: list[list[list[str]]]) -> set[str]:
    return {w for table in tables for row in table for cell in row for w in cell.split()}


@pytest.mark.parametrize("name", ALL)
def test_no_cell_breaks_a_word_at_80_or_200_columns(name, discovery_file, monkeypatch, capsys):
    args = _args(name, discovery_file)
    code, md, err = run_main([*args, "--format", "markdown"], capsys)
    assert code == 0, err
    words = _words(markdown_tables(md))
    assert len(words) > 10
    for width in (80, 200):
        monkeypatch.setenv("COLUMNS", str(width))
        code, text, err = run_main(args, capsys)
        assert code == 0, err
        lines = [line for line in text.splitlines() if line.startswith((" ", "─"))]
        assert lines and all(len(line) <= width for line in lines)
        for word in words:
            pattern = rf"(?<!\S){re.escape(word)},?(?!\S)"  # "20, 0.5": a turned key
            assert re.search(pattern, text), f"{word!r} is broken at {width} columns"


@pytest.mark.parametrize("name", ALL)
def test_json_loads_and_csv_reads(name, discovery_file, capsys):
    args = _args(name, discovery_file)
    code, out, err = run_main([*args, "--format", "json"], capsys)
    assert (code, err) == (0, "")
    data = json.loads(out)
    code, out, err = run_main([*args, "--format", "csv"], capsys)
    assert (code, err) == (0, "")
    table = pd.read_csv(io.StringIO(out))
    key = {"compare": "outcomes", "sweep": "points", "sensitivity": "indices", "discover": "box"}
    key.update(trajectory="forecasts", score="scores")
    assert len(data[key[name]]) == len(table) > 0
    first = data[key[name]][0]
    assert set(table.columns) <= set(first)


def test_compare_markdown_and_json_hold_the_same_numbers(capsys):
    code, out, _ = run_main([*COMMANDS["compare"], "--format", "json"], capsys)
    data = json.loads(out)
    code, md, _ = run_main([*COMMANDS["compare"], "--format", "markdown"], capsys)
    assert code == 0
    [table] = markdown_tables(md)
    assert table[0] == ["outcome", "base", "variant", "change", "95% interval", "discordant runs"]
    assert [r[0] for r in table[1:]] == [o["label"] for o in data["outcomes"]]
    for row, o in zip(table[1:], data["outcomes"], strict=True):
        assert row[1] == f"{o['p_base']:.1%}" and row[3] == f"{o['diff'] * 100:+.1f}"
    assert data["runs"] == 40 and data["seed"] == 3 and data["paired"] is True


def test_sweep_is_turned_or_split_to_fit_and_names_the_grid(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run_main(COMMANDS["sweep"], capsys)
    assert code == 0
    assert "grid: us.incentives.audience_cost = 0, 20, 40; us.rationality = 0.5, 1, 1.5, 2" in out
    assert "(1 of " in out  # 12 points do not fit side by side in 80 columns
    monkeypatch.setenv("COLUMNS", "250")
    code, out, _ = run_main(COMMANDS["sweep"], capsys)
    assert "(1 of " not in out


def test_a_table_is_split_keeping_the_columns_that_name_its_rows():
    shown = Shown(
        "t",
        ["name", *(f"column {i}" for i in range(12))],
        [["a long label", *(f"{i}.0% (1.0–2.0)" for i in range(12))]],
    )
    tables = fitted(shown, 60)
    assert len(tables) > 1
    assert all(t.columns[0].header == "name" for _, t in tables)
    assert sum(len(t.columns) - 1 for _, t in tables) == 12
    assert [title for title, _ in tables][:2] == [
        f"t (1 of {len(tables)})",
        f"t (2 of {len(tables)})",
    ]
    assert column_widths(shown.columns(), 10) is None


def test_a_sensitivity_note_never_says_more_than_all_the_variance():
    from escalsim.cli.analysis_reports import noise_note

    assert noise_note(0.3) is None
    assert "up to 72%" in noise_note(0.72)
    over = noise_note(1.36)
    assert "%" not in over and "no more than run-to-run noise" in over


# --- files: run --out FILE.csv, --export FILE.xlsx ------------------------------------------
RUN = ["run", str(FLAGSHIP), "-n", "30", "--seed", "5", *SERIAL]


def test_run_out_csv_writes_the_runs_table(tmp_path, capsys):
    out = tmp_path / "runs.csv"
    code, _, err = run_main([*RUN, "--out", str(out)], capsys)
    assert code == 0, err
    table = pd.read_csv(out)
    want = es.simulate(FLAGSHIP, runs=30, seed=5, settings=es.RunSettings(executor="serial"))
    assert len(table) == 30
    assert list(table["outcome"]) == [str(o) for o in want.runs["outcome"]]
    before = out.read_bytes()
    code, stdout, err = run_main([*RUN, "--out", str(out)], capsys)
    assert code == 1 and "file exists" in err and stdout == ""  # refused before any run
    assert out.read_bytes() == before
    code, _, err = run_main([*RUN, "--out", str(out), "--resume"], capsys)
    assert code == 2 and ".parquet" in err


def test_export_xlsx_writes_every_table(tmp_path, capsys):
    pytest.importorskip("openpyxl")
    book = tmp_path / "report.xlsx"
    code, _, err = run_main([*RUN, "--export", str(book)], capsys)
    assert code == 0, err
    sheets = pd.read_excel(book, sheet_name=None)
    assert {"outcomes", "milestones", "about"} <= set(sheets)
    assert sheets["outcomes"]["count"].sum() == 30


def test_export_without_openpyxl_is_one_message_and_no_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # an import of it fails
    book = tmp_path / "report.xlsx"
    code, out, err = run_main([*RUN, "--export", str(book)], capsys)
    assert code == 2 and out == "" and "needs openpyxl" in err
    assert not book.exists() and list(tmp_path.iterdir()) == []
    code, _, err = run_main([*RUN, "--export", str(tmp_path / "r.ods")], capsys)
    assert code == 2 and ".xlsx" in err


@pytest.mark.parametrize("name", ["discover", "trajectory"])
def test_out_writes_what_the_csv_format_prints(name, discovery_file, tmp_path, capsys):
    args = _args(name, discovery_file)
    code, printed, _ = run_main([*args, "--format", "csv"], capsys)
    out = tmp_path / "table.csv"
    code, _, err = run_main([*args, "--out", str(out), "--format", "json"], capsys)
    assert code == 0 and f"table written to {out}" in err
    assert out.read_text() == printed
