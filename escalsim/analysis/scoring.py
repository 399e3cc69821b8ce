"""Scoring forecasts against resolved questions: Brier and log scores, and reliability.

The model's forecast of a question is the share of runs in which its predicate held, made on
the results' start date (an as-of forecast's date). Each reference forecast carries its own
date. A forecast is scored only if it was made before the day the question's answer became
known (``resolved_on``); the others are listed with a note.

- Brier score: ``(p - o)²``, where ``o`` is 1 if the question resolved yes, else 0 (0 is
  perfect; a forecast of ½ always scores ¼).
- Log score: ``-ln`` of the probability given to what happened (0 is perfect; lower is
  better, like Brier). A model probability of exactly 0 or 1 from ``n`` runs is read as
  ``1/(2n)`` or ``1 - 1/(2n)`` (half a run), since ``n`` runs cannot tell a rare event from an
  impossible one; a reference of 0 or 1 that turns out wrong scores infinity.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from escalsim.analysis.questions import Question, Questions, QuestionsError, load_questions
from escalsim.results.stats import Z95, wilson_interval

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.results import Results

MODEL = "model"
"""The source name of the model's own forecasts."""


def score(
    results: Results | str | Path, questions: Questions | str | Path, z: float = Z95
) -> pd.DataFrame:
    """Each question's probability from the results, with its Brier and log scores and those
    of every reference forecast, where the question is resolved and the forecast was made
    before its answer was known.

    Returns one row per question and source (``model`` first, then each reference):
    ``question``, ``source``, ``made`` (the forecast's date), ``p``, ``ci_low`` and
    ``ci_high`` (the model's 95% Wilson interval), ``by``, ``resolution``, ``known_on``,
    ``outcome`` (1, 0, or NaN while unresolved), ``brier``, ``log_score``, ``scored``, ``note``.
    """
    import pandas as pd

    from escalsim.results import Results

    res = results if isinstance(results, Results) else Results.from_parquet(results)
    qs = questions if isinstance(questions, Questions) else load_questions(questions)
    qs.check(res.scenario)
    columns = ["outcome", "time", *(f"milestone.{m}" for m in res.scenario.milestones)]
    runs = res.runs[[c for c in columns if c in res.runs.columns]]
    rows = []
    for q in qs.questions:
        rows.append(_model_row(q, res, runs, z))
        rows.extend(_reference_row(q, ref) for ref in q.references)
    out = pd.DataFrame(rows)
    out.attrs.update(scenario=res.scenario.name, made=str(res.scenario.start), runs=len(runs))
    out.attrs["questions"] = qs.questions
    return out


def summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Per source: questions scored, mean Brier and log scores, and the model's means over
    the same questions (so that a reference is compared with the model on equal terms)."""
    import pandas as pd

    used = scores[scores["scored"]]
    model = used[used["source"] == MODEL].set_index("question")
    rows = []
    for source, part in used.groupby("source", sort=False):
        same = model.loc[model.index.intersection(part["question"])]
        rows.append(
            {
                "source": source,
                "questions": len(part),
                "brier": part["brier"].mean(),
                "log_score": part["log_score"].mean(),
                "model_brier": same["brier"].mean() if len(same) else math.nan,
                "model_log_score": same["log_score"].mean() if len(same) else math.nan,
            }
        )
    return pd.DataFrame(rows, columns=_SUMMARY)


_SUMMARY = ["source", "questions", "brier", "log_score", "model_brier", "model_log_score"]


def reliability_table(scores: pd.DataFrame, bins: int = 5, z: float = Z95) -> pd.DataFrame:
    """Per source and bin of forecast probability (``bins`` equal bins of [0, 1]): the mean
    forecast, the share of questions that resolved yes with its Wilson interval, and the count;
    only scored forecasts, only bins that hold some."""
    import pandas as pd

    if not isinstance(bins, int) or isinstance(bins, bool) or not 1 <= bins <= 100:
        raise ValueError(f"bins must be a whole number from 1 to 100, got {bins!r}")
    used = scores[scores["scored"]].copy()
    used["bin"] = np.minimum((used["p"] * bins).astype(int), bins - 1)
    rows = []
    for (source, b), part in used.groupby(["source", "bin"], sort=False):
        yes, n = int(part["outcome"].sum()), len(part)
        low, high = wilson_interval(yes, n, z)
        rows.append(
            {
                "source": source,
                "bin": f"{b / bins:.0%}–{(b + 1) / bins:.0%}",
                "forecast": part["p"].mean(),
                "observed": yes / n,
                "ci_low": low,
                "ci_high": high,
                "count": n,
            }
        )
    columns = ["source", "bin", "forecast", "observed", "ci_low", "ci_high", "count"]
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["source", "forecast"], kind="stable", ignore_index=True)


def brier(p: float, happened: bool) -> float:
    """The Brier score of a probability ``p`` given to an event that happened or not."""
    return (p - float(happened)) ** 2


def log_score(p: float, happened: bool) -> float:
    """``-ln`` of the probability given to what happened (infinite for a sure miss)."""
    q = p if happened else 1.0 - p
    return math.inf if q <= 0 else -math.log(q)


def _model_row(q: Question, res: Results, runs: pd.DataFrame, z: float) -> dict[str, Any]:
    sc = res.scenario
    made = sc.start
    row = _base(q, MODEL, made)
    day = (q.by - made).days
    if q.by > sc.end_date:
        raise QuestionsError(
            f"question '{q.id}': its date {q.by} is after the end of the results' horizon "
            f"({sc.end_date}): the forecast does not reach it"
        )
    if day < 0:
        return row | {"note": f"asks about {q.by}, before the forecast was made ({made})"}
    held = _held(q, sc, runs, day)
    n, k = len(held), int(held.sum())
    low, high = wilson_interval(k, n, z)
    p = k / n
    row.update(p=p, ci_low=low, ci_high=high)
    if q.negate:
        row.update(p=1.0 - p, ci_low=1.0 - high, ci_high=1.0 - low)
    # a share of n runs: 0 and 1 are read as half a run from them for the log score
    return _scored(row, q, made, min(max(row["p"], 0.5 / n), 1.0 - 0.5 / n))


def _held(q: Question, sc: Any, runs: pd.DataFrame, day: int) -> np.ndarray:
    """Per run: whether it ended in one of the question's outcomes (or reached one of its
    milestones, in the history too) by ``day`` days after the start."""
    from escalsim.results.layout import horizon_outcomes

    if q.milestone is not None:
        times = np.column_stack([runs[f"milestone.{m}"].to_numpy(float) for m in q.names])
        return np.any(times <= day, axis=1)  # NaN (never reached) compares False
    late = [o for o in q.names if o in horizon_outcomes(sc)]
    if late and q.by < sc.end_date:
        raise QuestionsError(
            f"question '{q.id}': '{late[0]}' comes only at the end of the horizon "
            f"({sc.end_date}), after the question's date {q.by}; ask about the other "
            "outcomes with negate: true instead"
        )
    outcome = runs["outcome"].astype(str).to_numpy()
    return np.isin(outcome, q.names) & (runs["time"].to_numpy(float) <= day)


def _reference_row(q: Question, ref: Any) -> dict[str, Any]:
    row = _base(q, ref.name, ref.date)
    row["p"] = ref.p
    return _scored(row, q, ref.date, ref.p)


def _base(q: Question, source: str, made: dt.date) -> dict[str, Any]:
    return {
        "question": q.id,
        "source": source,
        "made": made,
        "p": math.nan,
        "ci_low": math.nan,
        "ci_high": math.nan,
        "by": q.by,
        "resolution": q.resolution,
        "known_on": q.known_on,
        "outcome": math.nan if q.resolution == "unresolved" else float(q.resolution == "yes"),
        "brier": math.nan,
        "log_score": math.nan,
        "scored": False,
        "note": "",
    }


def _scored(row: dict[str, Any], q: Question, made: dt.date, p_log: float) -> dict[str, Any]:
    """The row with its scores, if the question is resolved and the forecast came first."""
    if q.known_on is None:
        return row | {"note": "unresolved"}
    if made >= q.known_on:
        return row | {"note": f"made on {made}, not before the answer was known ({q.known_on})"}
    yes = q.resolution == "yes"
    return row | {
        "brier": brier(row["p"], yes),
        "log_score": log_score(p_log, yes),
        "scored": True,
    }
