"""Narratives: one run as dated sentences (exact wording on hand-made logs, order and
consistency on real runs), the paths to each outcome, and ``escalsim narrate``."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import run_main

import escalsim as es
from escalsim.engine import Event
from escalsim.errors import ResultsError
from escalsim.narration import ARROW, narrate, path_tokens, paths, tell

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "venezuela_2025.yaml"
LINE = re.compile(r"^(\d{4}-\d{2}-\d{2}) — (\S.*)$")


@pytest.fixture(scope="module")
def sc():
    return es.load_scenario(FLAGSHIP)


@pytest.fixture(scope="module")
def res(sc):
    return es.simulate(sc, runs=120, seed=5, executor="serial", keep_events=True)


def dated(text: str) -> list[tuple[dt.date, str]]:
    out = []
    for line in text.splitlines():
        m = LINE.match(line)
        if m:
            out.append((dt.date.fromisoformat(m.group(1)), m.group(2)))
    return out


# --- sentences ------------------------------------------------------------------------------


def test_sentences_use_display_names_and_deal_names(sc):
    events = [
        Event(-10.0, "us", "ultimatum", "maduro", {"deal": "leave_now", "deadline": -3.0}),
        Event(-10.0, "maduro", "counter", "us", {"deal": "caracas_terms"}),
        Event(-10.0, "us", "refuse", "maduro", {}),
        Event(8.2, "brazil", "mediate", None, {"deal": "negotiated_elections", "parties": []}),
        Event(9.0, "maduro", "accept", "brazil", {"deal": "negotiated_elections"}),
        Event(9.5, "us", "refuse", "brazil", {"deal": "negotiated_elections"}),
        Event(12.0, "us", "climb", "maduro", {"rung": "blockade", "cause": "incident"}),
        Event(20.0, "us", "climb", "maduro", {"rung": "raid"}),
        Event(20.0, "us", "failed", "maduro", {"rung": "raid"}),
        Event(31.0, "fanb", "defect", None, {}),
        Event(31.0, "-", "outcome", None, {"outcome": "internal_collapse", "action": "defect"}),
    ]
    got = [str(s) for s in tell(sc, events, notes=False)]
    assert got == [
        "2025-11-21 — United States issues an ultimatum to Maduro government: leave_now by "
        "2025-11-28",
        "2025-11-21 — Maduro government counters with caracas_terms",
        "2025-11-21 — United States refuses caracas_terms from Maduro government",
        "2025-12-09 — Brazil proposes mediation (negotiated_elections)",
        "2025-12-10 — Maduro government accepts negotiated_elections from Brazil",
        "2025-12-10 — United States refuses negotiated_elections from Brazil",
        "2025-12-13 — United States escalates to blockade after the incident",
        "2025-12-21 — United States escalates to raid",
        "2025-12-21 — Raid by United States fails",
        "2026-01-01 — Venezuelan armed forces (FANB) attempts defect (a palace coup against "
        "Maduro)",
        "2026-01-01 — Outcome: internal_collapse (palace coup or popular uprising ends the "
        "regime), after 31.0 days",
    ]
    flags = [s.before_start for s in tell(sc, events)]
    assert flags == [True] * 3 + [False] * 8
    # the scenario's note on a history event is added to its sentence
    with_notes = tell(sc, events)
    assert with_notes[0].text.endswith("(content reported)")
    assert all("—" not in s.text for s in with_notes if not s.before_start)  # no notes after
    assert [str(s) for s in tell(sc, events, history=False)] == got[3:]


def test_narrate_tells_one_run_in_order(sc):
    text = narrate(sc, seed=7, run=3)
    lines = text.splitlines()
    assert lines[0] == sc.title
    assert lines[1].startswith("Run 3 of root seed 7 (run seed ")
    head = lines.index("Before the start (the reported history, as drawn for this run):")
    body = lines.index(f"From the start ({sc.start}):")
    assert head < body
    history, run = dated("\n".join(lines[head:body])), dated("\n".join(lines[body:]))
    assert history and run
    assert all(d <= sc.start for d, _ in history)
    assert all(d >= sc.start for d, _ in run)
    days = [d for d, _ in history + run]
    assert days == sorted(days)
    assert run[-1][1].startswith("Outcome: ")
    assert sum(s.startswith("Outcome: ") for _, s in history + run) == 1
    # the same run replayed alone tells the same story
    record = es.run_one(sc, es.run_seed(7, 3), keep_events=True)
    assert run[-1][1].startswith(f"Outcome: {record.outcome} ")
    assert [str(s) for s in tell(sc, record) if not s.before_start] == lines[body + 1 :]
    assert narrate(sc, seed=7, run=3) == text


def test_narrate_results_matches_the_replayed_run(sc, res):
    for run in (0, 17):
        from_events = narrate(res, run=run).splitlines()
        replayed = narrate(sc, seed=5, run=run).splitlines()
        assert from_events[0] == replayed[0]
        assert from_events[2:] == replayed[2:]
        outcome = res.runs.loc[run, "outcome"]
        assert f"Outcome: {outcome} " in from_events[-1]
    with pytest.raises(ResultsError, match="no run 999"):
        narrate(res, run=999)
    with pytest.raises(ValueError, match="pass run="):
        narrate(res, seed=5, run=1)


def test_history_ends_at_the_start_time(sc):
    """Events at or before time 0 are exactly the replayed history: a run's own events all
    come after a positive random delay (checked against the engine's history replay)."""
    from escalsim.engine import prepare
    from escalsim.engine.run import build_simulation

    prep = prepare(sc)
    for i in range(8):
        seed = es.run_seed(1, i)
        sim, _ = build_simulation(prep, seed, keep_events=True)
        n_history = len(sim.log)
        record = es.run_one(sc, seed, keep_events=True)
        told = tell(sc, record)
        assert sum(s.before_start for s in told) == n_history
        assert all(e.time <= 0 for e in record.events[:n_history])
        assert all(e.time > 0 for e in record.events[n_history:])


def test_history_left_out_is_listed(sc):
    data = sc.to_dict()
    for ev in data["history"]:
        if ev.get("id") == "airspace":
            ev["reliability"] = 0.0
    text = narrate(es.Scenario.from_dict(data), seed=1)
    assert "Left out of this run's history" in text
    assert "airspace" in text.split("Left out of this run's history")[1].split("From the start")[0]


# --- paths ----------------------------------------------------------------------------------


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


def test_path_tokens_read_any_json_layout():
    """The payload is parsed as JSON, whatever separators or key order wrote it."""
    rows = [
        (0, 1.0, "us", "climb", '{"cause": "incident", "rung": "naval"}'),
        (0, 2.0, "us", "failed", '{ "action" : "raid" }'),
        (0, 3.0, "us", "descend", '{"rung":\n"pressure"}'),
    ]
    events = pd.DataFrame(rows, columns=["run", "time", "actor", "kind", "payload"])
    assert list(path_tokens(events)["step"]) == ["climb:naval", "failed:raid", "descend:pressure"]


def test_paths_counts_and_shares(res):
    table = res.paths(top=3)
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
    bare = es.simulate(sc, runs=5, seed=1, executor="serial")
    with pytest.raises(ResultsError, match="keep_events=True"):
        bare.paths()
    with pytest.raises(ValueError, match="top must be"):
        paths(bare, top=0)


# --- escalsim narrate -----------------------------------------------------------------------


def test_cli_narrate_scenario(sc, capsys):
    code, out, err = run_main(["narrate", str(FLAGSHIP), "--seed", "7", "--run", "3"], capsys)
    assert (code, err) == (0, "")
    assert out.rstrip("\n") == narrate(sc, seed=7, run=3)
    code, out, _ = run_main(
        ["narrate", str(FLAGSHIP), "--seed", "7", "--no-history",
         "--set", "actors.us.credibility=0.9"], capsys)  # fmt: skip
    assert code == 0 and "Before the start" not in out
    lines = dated(out)
    assert lines[-1][1].startswith("Outcome: ")


def test_cli_narrate_results_file(res, tmp_path, capsys):
    path = tmp_path / "r.parquet"
    res.to_parquet(path)
    code, out, _ = run_main(["narrate", str(path), "--run", "17"], capsys)
    assert code == 0
    assert out.rstrip("\n") == narrate(res, run=17)
    code, _, err = run_main(["narrate", str(path), "--seed", "3"], capsys)
    assert code == 2 and "--run" in err


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["narrate", "nowhere.yaml"], 1, "nowhere.yaml"),
        (["narrate", str(FLAGSHIP), "--seed", "-1"], 2, "--seed"),
        (["narrate", str(FLAGSHIP), "--set", "actors.us.credibility=7"], 1, "credibility"),
    ],
)
def test_cli_narrate_errors(args, code, message, capsys):
    got, out, err = run_main(args, capsys)
    assert got == code and message in err and out == ""


def test_es_narrate_stays_the_function_once_its_module_is_imported():
    import escalsim as es
    import escalsim.narration

    assert callable(es.narrate) and es.narrate is narrate
