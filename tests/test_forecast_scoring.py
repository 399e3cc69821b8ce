"""Questions and scoring: Brier and log scores as computed by hand, and what is not scored."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import escalsim as es
from escalsim.analysis import load_questions, reliability_table, score
from escalsim.analysis.questions import QuestionsError
from escalsim.analysis.scoring import summary

ROOT = Path(__file__).resolve().parent.parent
DYAD = ROOT / "tests" / "data" / "dyad.yaml"  # start 2025-12-01, horizon 120 days (2026-03-31)
NAN = math.nan

QUESTIONS = """
scenario: dyad
questions:
  - id: deal_by_new_year        # 2 of 10 runs: a deal by day 30
    text: Will the two sides make a deal by New Year?
    outcome: deal
    by: 2025-12-31
    resolution: yes
    resolved_on: 2025-12-20
    references:
      - {name: market, p: 0.3, date: 2025-11-30}
      - {name: market, p: 0.9, date: 2025-12-25}   # after the answer was known: not scored
  - id: blockade_by_january     # 4 of 10 runs (one only in the history)
    milestone: blockade
    by: 2026-01-10
    resolution: no
  - id: no_deal_nor_war         # 3 of 10 runs had a deal or war by day 90: 0.7
    outcome: [deal, war]
    negate: true
    by: 2026-03-01
    resolution: yes
  - id: early_collapse          # 0 of 10 runs: read as half a run for the log score
    outcome: collapse
    by: 2025-12-10
    resolution: yes
    resolved_on: 2025-12-05
  - id: war_by_end              # unresolved: a probability, no score
    outcome: war
    by: 2026-03-31
    resolution: unresolved
"""


def _results() -> es.Results:
    """Ten runs written by hand."""
    sc = es.load_scenario(DYAD)
    outcomes = ["deal", "deal", "deal", "war", "collapse", *["stalemate"] * 5]
    runs = pd.DataFrame(
        {
            "run": range(10),
            "outcome": pd.Categorical(outcomes, categories=list(sc.outcomes)),
            "time": [10.0, 20.0, 100.0, 5.0, 50.0, *[120.0] * 5],
            "milestone.blockade": [3.0, NAN, NAN, 2.0, 40.0, NAN, 100.0, NAN, NAN, -5.0],
            "milestone.ultimatum": [NAN] * 10,
        }
    )
    return es.Results(runs, sc, {"seed": 0})


def _questions(tmp_path: Path, text: str = QUESTIONS) -> Path:
    path = tmp_path / "questions.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _row(table: pd.DataFrame, question: str, source: str = "model") -> pd.Series:
    rows = table[(table["question"] == question) & (table["source"] == source)]
    return rows.iloc[0]


def test_scores_match_the_hand_computed_brier_and_log_scores(tmp_path):
    table = score(_results(), _questions(tmp_path))
    expected = {  # question: (p, happened)
        "deal_by_new_year": (0.2, True),
        "blockade_by_january": (0.4, False),
        "no_deal_nor_war": (0.7, True),
        "early_collapse": (0.0, True),
    }
    for question, (p, happened) in expected.items():
        row = _row(table, question)
        assert row["scored"]
        assert row["p"] == pytest.approx(p)
        assert row["brier"] == pytest.approx((p - happened) ** 2)
        p_log = 0.05 if p == 0 else p  # 0 of 10 runs: half a run, 0.5 / 10
        assert row["log_score"] == pytest.approx(-math.log(p_log if happened else 1 - p_log))
    market = _row(table, "deal_by_new_year", "market")
    assert market["scored"] and market["brier"] == pytest.approx(0.49)
    assert market["log_score"] == pytest.approx(-math.log(0.3))


def test_only_forecasts_made_before_the_answer_was_known_are_scored(tmp_path):
    table = score(_results(), _questions(tmp_path))
    late = table[
        (table["question"] == "deal_by_new_year") & (table["made"].astype(str) == "2025-12-25")
    ]
    assert len(late) == 1 and not late["scored"].iloc[0]
    assert "not before the answer was known (2025-12-20)" in late["note"].iloc[0]
    assert np.isnan(late["brier"].iloc[0])
    unresolved = _row(table, "war_by_end")
    assert unresolved["p"] == pytest.approx(0.1) and not unresolved["scored"]
    assert np.isnan(unresolved["brier"]) and np.isnan(unresolved["log_score"])


def test_a_forecast_made_on_the_day_the_answer_was_known_is_not_scored(tmp_path):
    text = QUESTIONS.replace("resolved_on: 2025-12-05", "resolved_on: 2025-12-01")
    row = _row(score(_results(), _questions(tmp_path, text)), "early_collapse")
    assert not row["scored"] and "made on 2025-12-01" in row["note"]


def test_the_summary_compares_each_source_with_the_model_on_its_questions(tmp_path):
    table = summary(score(_results(), _questions(tmp_path))).set_index("source")
    model_briers = [0.64, 0.16, 0.09, 1.0]
    assert table.loc["model", "questions"] == 4
    assert table.loc["model", "brier"] == pytest.approx(np.mean(model_briers))
    assert table.loc["market", "questions"] == 1
    assert table.loc["market", "brier"] == pytest.approx(0.49)
    assert table.loc["market", "model_brier"] == pytest.approx(0.64)


def test_the_reliability_table_bins_the_scored_forecasts(tmp_path):
    table = reliability_table(score(_results(), _questions(tmp_path)), bins=2)
    model = table[table["source"] == "model"].set_index("bin")
    # below 50%: 0.2 (yes), 0.4 (no), 0.0 (yes); from 50%: 0.7 (yes)
    assert model.loc["0%–50%", "count"] == 3
    assert model.loc["0%–50%", "forecast"] == pytest.approx(0.2)
    assert model.loc["0%–50%", "observed"] == pytest.approx(2 / 3)
    assert model.loc["50%–100%", "observed"] == 1.0


BAD = [
    (
        "outcome: war\n",
        "outcome: wars\n",
        "questions.4.outcome: unknown outcome 'wars' of dyad (did you mean 'war'?)",
        ":28:14",
    ),
    (
        "milestone: blockade",
        "milestone: blocade",
        "unknown milestone 'blocade' of dyad (did you mean 'blockade'?)",
        ":14:16",
    ),
    ("    resolved_on: 2025-12-20\n", "", "resolved_on is needed: the day it happened", ":4:5"),
    (
        "resolution: no",
        "resolution: nope",
        "expected 'yes', 'no' or 'unresolved' (did you mean 'no'?)",
        ":16:17",
    ),
    (
        "scenario: dyad",
        "scenario: venezuela_2025",
        "scenario: asked of 'venezuela_2025', not of 'dyad'",
        ":2:11",
    ),
    (
        "id: early_collapse",
        "id: deal_by_new_year",
        "duplicate question id 'deal_by_new_year'",
        ":22:9",
    ),
    ("by: 2025-12-10", "by: 2025-12-32", "invalid date '2025-12-32'", ":24:9"),
    ("p: 0.3,", "p: 1.3,", "less than or equal to 1", ":11:27"),
    ("text: Will", "txt: Will", "unknown key 'txt' (did you mean 'text'?)", ":5:5"),
]


@pytest.mark.parametrize(("old", "new", "message", "where"), BAD)
def test_a_bad_questions_file_is_one_located_error(tmp_path, old, new, message, where):
    assert old in QUESTIONS
    path = _questions(tmp_path, QUESTIONS.replace(old, new, 1))
    with pytest.raises(QuestionsError) as err:
        score(_results(), path)
    text = str(err.value)
    assert "\n" not in text and message in text and f"questions.yaml{where})" in text


def test_questions_the_results_cannot_answer_are_refused(tmp_path):
    late = QUESTIONS.replace("by: 2026-03-31", "by: 2026-04-30")
    with pytest.raises(QuestionsError, match="after the end of the results' horizon"):
        score(_results(), _questions(tmp_path, late))
    horizon = QUESTIONS.replace("outcome: war\n", "outcome: stalemate\n").replace(
        "by: 2026-03-31", "by: 2026-03-30"
    )
    with pytest.raises(QuestionsError, match="'stalemate' comes only at the end of the horizon"):
        score(_results(), _questions(tmp_path, horizon))


def test_the_flagship_questions_are_unresolved_and_about_after_the_start():
    flagship = es.load_scenario(ROOT / "scenarios" / "venezuela_2025.yaml")
    questions = load_questions(ROOT / "scenarios" / "venezuela_2025_questions.yaml", flagship)
    assert questions.questions
    for q in questions.questions:
        assert q.resolution == "unresolved" and q.resolved_on is None
        assert flagship.start < q.by <= flagship.end_date
        assert all(ref.date <= flagship.start for ref in q.references)


def test_score_on_the_command_line(capsys, tmp_path):
    from cli_helpers import run_main

    results = tmp_path / "r.parquet"
    sim = ["run", str(DYAD), "--runs", "40", "--executor", "serial", "-q", "--out", str(results)]
    assert run_main(sim, capsys)[0] == 0
    questions = _questions(tmp_path)
    out, plot = tmp_path / "scores.csv", tmp_path / "reliability.png"
    code, text, err = run_main(
        ["score", str(results), str(questions), "--out", str(out), "--plot", str(plot)], capsys
    )
    assert code == 0, err
    assert "deal_by_new_year: deal by 2025-12-31 — yes (known 2025-12-20)" in text
    assert "Mean scores per source" in text
    assert out.is_file() and plot.is_file()
    saved = pd.read_csv(out)
    assert set(saved["source"]) == {"model", "market"}


def test_nothing_to_draw_is_refused_before_anything_is_written(capsys, tmp_path):
    from cli_helpers import run_main

    results = tmp_path / "r.parquet"
    sim = ["run", str(DYAD), "--runs", "20", "--executor", "serial", "-q", "--out", str(results)]
    assert run_main(sim, capsys)[0] == 0
    only_open = (
        "scenario: dyad\nquestions:\n"
        "  - {id: q, outcome: war, by: 2026-01-01, resolution: unresolved}\n"
    )
    questions = _questions(tmp_path, only_open)
    code, text, err = run_main(["score", str(results), str(questions)], capsys)
    assert code == 0 and "no forecast is scored yet" in text
    plot = tmp_path / "reliability.png"
    code, _, err = run_main(["score", str(results), str(questions), "--plot", str(plot)], capsys)
    assert code == 1 and err.count("\n") == 1 and "no forecast is scored yet" in err
    assert not plot.exists()
