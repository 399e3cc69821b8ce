"""The most common paths to each outcome (escalsim.analysis.paths): tokens of hand-made logs,
counts and shares of real runs."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pytest

import escalsim as es
from escalsim.analysis import paths
from escalsim.analysis.paths import ARROW, path_tokens
from escalsim.errors import ResultsError

FLAGSHIP = Path(__file__).resolve().parent.parent / "scenarios" / "venezuela_2025.yaml"


@pytest.fixture(scope="module")
def sc():
    return es.load_scenario(FLAGSHIP)


@pytest.fixture(scope="module")
def res(sc):
    settings = es.RunSettings(executor="serial", keep_events=True)
    return es.simulate(sc, runs=120, seed=5, settings=settings)


def test_path_tokens_collapse_ignore_and_name_rungs():
    rows = [
        (0, -5.0, "us", "climb", '{"rung":"naval"}'),  # history: left out
        (0, 1.0, "us", "ultimatum", '{"deal":"x"}'),
        (0, 1.5, "us", "statement", "{}"),  # ignored
        (0, 2.0, "ve", "refuse", "{}"),
        (0, 2.5, "ve", "rally", "{}"),  # ignored: the refusals around it collapse
        (0, 3.0, "ve", "refuse", "{}"),
        (0, 4.0, "us", "climb", '{"rung":"raid"}'),
        (0, 4.0, "-", "outcome", '{"outcome":"seized"}'),
        (1, 2.0, "us", "climb", '{"rung":"raid"}'),
        (1, 3.0, "us", "failed", '{"rung":"raid"}'),
        (1, 9.0, "ve", "defect", "{}"),
    ]
    events = pd.DataFrame(rows, columns=["run", "time", "actor", "kind", "payload"])
    got = path_tokens(events)
    assert got.groupby("run")["step"].agg(ARROW.join).to_dict() == {
        0: "ultimatum → refuse → climb:raid",
        1: "climb:raid → failed:raid → defect",
    }
    with_actors = path_tokens(events, actors=True, ignore=())
    assert list(with_actors[with_actors["run"] == 0]["step"])[:3] == [
        "us:ultimatum",
        "us:statement",
        "ve:refuse",
    ]


def test_paths_counts_and_shares(res):
    table = paths(res, top=3)
    assert list(table.columns) == ["outcome", "rank", "path", "count", "share", "p", "outcome_runs"]
    summary = res.summary().set_index("outcome")
    for outcome, part in table.groupby("outcome", observed=True):
        assert list(part["rank"]) == list(range(1, len(part) + 1)) and len(part) <= 3
        assert (part["count"].diff().dropna() <= 0).all()
        assert (part["outcome_runs"] == summary.loc[outcome, "count"]).all()
        assert part["share"].to_numpy() == pytest.approx(part["count"] / part["outcome_runs"])
        assert part["p"].to_numpy() == pytest.approx(part["count"] / len(res))
        assert part["count"].sum() <= summary.loc[outcome, "count"]
    reached = [o for o in res.scenario.outcomes if summary.loc[o, "count"] > 0]
    assert list(table["outcome"].drop_duplicates()) == reached
    for path in table["path"]:
        steps = path.split(ARROW)
        assert len(steps) <= 3
        assert "statement" not in steps and "outcome" not in steps
        assert all(a != b for a, b in itertools.pairwise(steps))
    # a whole path per run: every run counted once over all outcomes with top large enough
    whole = paths(res, top=len(res), steps=None)
    assert whole["count"].sum() == len(res)


def test_paths_need_event_logs(sc):
    bare = es.simulate(sc, runs=5, seed=1, settings=es.RunSettings(executor="serial"))
    with pytest.raises(ResultsError, match="keep_events=True"):
        paths(bare)
    with pytest.raises(ValueError, match="top must be"):
        paths(bare, top=0)
    with pytest.raises(TypeError, match="steps must be"):
        paths(bare, steps=2.5)


def test_path_tokens_read_any_json_layout():
    """The payload is parsed as JSON, whatever separators or key order wrote it."""
    rows = [
        (0, 1.0, "us", "climb", '{"cause": "incident", "rung": "naval"}'),
        (0, 2.0, "us", "failed", '{ "action" : "raid" }'),
        (0, 3.0, "us", "descend", '{"rung":\n"pressure"}'),
    ]
    events = pd.DataFrame(rows, columns=["run", "time", "actor", "kind", "payload"])
    assert list(path_tokens(events)["step"]) == ["climb:naval", "failed:raid", "descend:pressure"]
