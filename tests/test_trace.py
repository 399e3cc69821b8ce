"""Decision traces: what each decision weighed, kept beside the runs without changing them."""

from __future__ import annotations

import hashlib
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import run_main
from scenario_helpers import write

import escalsim as es
from escalsim.engine import prepare, run_one, run_prepared, run_seed, simulation
from escalsim.ensemble import tasks
from escalsim.ensemble.settings import SettingsError
from escalsim.errors import Interrupted, ResultsError
from escalsim.model.options import OptionScorer
from escalsim.results.layout import Layout

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "venezuela_2025.yaml"
SERIAL = es.RunSettings(executor="serial", progress=False)
TRACED = es.RunSettings(executor="serial", progress=False, trace=True)

SCRIPTED = """\
schema_version: 1
name: scripted
start: 2026-01-01
horizon: 120
actors:
  coercer:
    opponent: target
    review_days: 2
    response_days: 1
    max_jump: 2
    ladder:
      - {name: talks}
      - {name: sanctions, pressure: 0.004}
      - {name: blockade, pressure: 0.01}
      - {name: embargo, pressure: 0.01}
      - {name: strike}
    repertoire: [hold, climb, descend, demand, accept]
    demands: [full_terms]
    rule:
      scripted:
        - when: {"rung:coercer": {eq: 0}}
          choose: {demand: 5, climb: 3, hold: 1}
        - when: {"rung:coercer": {lt: 3}}
          choose: {hold: 3, climb: 1}
        - choose: {climb: 0.05, descend: 3, hold: 1, accept: 0.3}
  target:
    opponent: coercer
    review_days: 5
    response_days: 1
    repertoire: [hold, accept, counter]
    counters: [partial]
    rule:
      scripted:
        - when: {offer_pending: {eq: 1}, cohesion: {lt: 0.6}}
          choose: {accept: 0.5, counter: 1, hold: 4}
        - when: {offer_pending: {eq: 1}}
          choose: {accept: 0.02, counter: 1, hold: 6}
deal_terms:
  concessions: {values: {coercer: 10, target: -10}}
deals:
  full_terms: {terms: {concessions: 1}}
  partial: {terms: {concessions: 0.5}}
outcomes:
  capitulation: {trigger: {deal: {concessions: 1}}}
  settlement: {trigger: {event: deal}}
  war: {trigger: {rung: coercer.strike}}
  collapse: {trigger: {event: collapse}}
  stalemate: {trigger: {event: horizon}}
processes:
  cohesion: {actor: target, initial: 0.8, baseline: 0.8, recovery: 0.005}
  collapse: {actor: target, max_hazard: 0.02, shape: 2}
"""
"""Scripted actors only: every choice is drawn from a case's weights, with no utilities."""

NOISE = """\
schema_version: 1
name: noise_only
start: 2025-01-01
horizon: 60
actors:
  a:
    rationality: 0.25
    review_days: 2
    incentives:
      values: {quit: -20, stalemate: 0}
    actions:
      give_up: {cost: 0, success: 1}
outcomes:
  quit:
    trigger: {action: a.give_up}
  stalemate:
    trigger: {event: horizon}
"""
"""Giving up is always worth 20 less than holding on: it is only ever chosen by the noise."""


@pytest.fixture(scope="module")
def flagship():
    return es.load_scenario(FLAGSHIP)


@pytest.fixture(scope="module")
def scripted(tmp_path_factory):
    return es.load_scenario(write(tmp_path_factory.mktemp("s"), SCRIPTED))


@pytest.fixture(scope="module")
def noise(tmp_path_factory):
    return es.load_scenario(write(tmp_path_factory.mktemp("n"), NOISE))


@pytest.fixture(scope="module")
def flagship_traced(flagship):
    return es.simulate(flagship, 120, 7, settings=TRACED)


def _decisions(table: pd.DataFrame) -> list[pd.DataFrame]:
    return [rows for _, rows in table.groupby(["run", "step"], sort=True)]


# --- the trace is the choices made ---------------------------------------------------------


def test_the_trace_of_a_scripted_scenario_is_the_choices_made(scripted, monkeypatch):
    made, offered = [], []
    real_options, real_execute = OptionScorer.options, simulation.Simulation.execute

    def options(self, a, context, sender):
        out = real_options(self, a, context, sender)
        if out:
            offered.append([(o.kind, o.arg) for o in out])
        return out

    def execute(self, a, opt, context, sender):
        made.append((self.now, a.id, context, opt.kind, opt.arg))
        return real_execute(self, a, opt, context, sender)

    monkeypatch.setattr(OptionScorer, "options", options)
    monkeypatch.setattr(simulation.Simulation, "execute", execute)
    prepared = prepare(scripted)
    records = [run_prepared(prepared, run_seed(3, i), i, trace=True) for i in range(20)]
    monkeypatch.undo()
    table = es.Results.from_records(records, scripted).decisions
    decisions = _decisions(table)
    assert len(decisions) == len(made) == len(offered) > 200
    ladder = [r.name for r in scripted.actors["coercer"].ladder]
    for rows, (time, actor, context, kind, arg), opts in zip(decisions, made, offered, strict=True):
        as_text = [(k, ladder[x] if k in ("climb", "descend") else (x or "")) for k, x in opts]
        pairs = zip(rows["option"].astype(str), rows["arg"].astype(str), strict=True)
        assert list(pairs) == as_text
        assert rows["probability"].sum() == pytest.approx(1.0, abs=1e-12)
        assert rows["utility"].isna().all() and rows["best"].isna().all()  # no utilities
        pick = rows[rows["chosen"]]
        assert len(pick) == 1
        assert pick["time"].iloc[0] == time and pick["actor"].iloc[0] == actor
        assert pick["context"].iloc[0] == context and pick["option"].iloc[0] == kind
        want = ladder[arg] if kind in ("climb", "descend") else (arg or "")
        assert pick["arg"].iloc[0] == want
        assert pick["probability"].iloc[0] > 0.0


def test_a_scripted_choice_has_its_case_weights_as_probabilities(scripted):
    res = es.simulate(scripted, 30, 3, settings=TRACED)
    middle = res.decisions[
        (res.decisions["actor"] == "coercer")
        & (res.decisions["context"] == "review")
        & res.decisions["rung.coercer"].isin([1, 2])
    ]
    assert len(middle) > 100
    for rows in _decisions(middle):
        # case {hold: 3, climb: 1}: the smallest climb gets the climb weight, the next none
        probs = dict(zip(rows["label"].astype(str), rows["probability"], strict=True))
        assert probs["hold"] == pytest.approx(0.75)
        climbs = rows[rows["option"] == "climb"]["probability"].tolist()
        assert climbs[0] == pytest.approx(0.25) and all(p == 0.0 for p in climbs[1:])


def test_logit_probabilities_are_those_the_choices_follow(flagship_traced):
    """Over many decisions of the typed US, the chosen options' count matches the sum of the
    traced probabilities (the true type's), within four standard errors."""
    us = flagship_traced.decisions[flagship_traced.decisions["actor"] == "us"]
    holds = us[us["option"] == "hold"]
    p = holds["probability"].to_numpy()
    expected, seen = p.sum(), holds["chosen"].sum()
    assert len(holds) > 1000
    assert abs(seen - expected) < 4 * math.sqrt((p * (1 - p)).sum())
    table = flagship_traced.decisions
    sums = table.groupby(["run", "step"])["probability"].sum()
    assert np.allclose(sums, 1.0)
    chosen = table[table["chosen"]]
    assert chosen.groupby(["run", "step"]).size().eq(1).all()
    top = table.groupby(["run", "step"])["utility"].transform("max")
    near = top - 1e-6 * np.maximum(1.0, top.abs())  # a tie up to rounding is best too
    assert (table["best"].astype(bool) == (table["utility"] >= near)).all()
    assert table.loc[table["utility"] == top, "best"].all()


def test_the_posterior_after_a_typed_choice_is_the_next_decisions_prior(flagship_traced):
    """Only a typed actor's choices move the probabilities of its types: the posterior
    recorded after one is what the next decision of the run sees."""
    chosen = flagship_traced.decisions[flagship_traced.decisions["chosen"]]
    after = [c for c in chosen.columns if c.startswith("posterior.")]
    before = ["type." + c.removeprefix("posterior.") for c in after]
    checked = 0
    for _, run in chosen.groupby("run"):
        post = run[after].to_numpy()[:-1]
        nxt = run[before].to_numpy()[1:]
        rows = ~np.isnan(post).any(axis=1)
        assert np.allclose(post[rows], nxt[rows], atol=1e-6)
        checked += rows.sum()
    assert checked > 500
    us = chosen[chosen["actor"] == "us"]
    assert us[after].notna().all().all()
    assert chosen[chosen["actor"] != "us"][after].isna().all().all()


@pytest.mark.parametrize("events", [False, True])
def test_tracing_does_not_change_the_runs(flagship, scripted, events):
    for sc in (flagship, scripted):
        off = es.simulate(sc, 150, 11, settings=es.RunSettings(**_kw(keep_events=events)))
        on = es.simulate(
            sc, 150, 11, settings=es.RunSettings(**_kw(keep_events=events, trace=True))
        )
        pd.testing.assert_frame_equal(on.runs, off.runs, check_exact=True)
        if events:
            pd.testing.assert_frame_equal(on.events, off.events, check_exact=True)
        assert off.decisions is None and len(on.decisions) > 0


def _kw(**more):
    return {"executor": "serial", "progress": False, **more}


def test_a_traced_record_equals_the_untraced_one(flagship):
    for i in range(10):
        a = run_one(flagship, run_seed(7, i), keep_events=True)
        b = run_one(flagship, run_seed(7, i), keep_events=True, trace=True)
        assert b.decisions is not None and a.decisions is None
        assert a == type(a)(**{**_fields(b), "decisions": None})


def _fields(record):
    return {name: getattr(record, name) for name in record.__slots__}


# --- files ---------------------------------------------------------------------------------


def test_traces_stream_beside_the_runs_and_read_back_alike(flagship, flagship_traced, tmp_path):
    out = tmp_path / "x.parquet"
    settings = es.RunSettings(executor="processes", workers=2, chunk_size=25, trace=True)
    res = es.simulate(flagship, 120, 7, out=out, settings=settings)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.decisions.parquet", "x.parquet"]
    pd.testing.assert_frame_equal(res.decisions, flagship_traced.decisions, check_exact=True)
    pd.testing.assert_frame_equal(res.runs, flagship_traced.runs, check_exact=True)
    back = es.Results.from_parquet(out, lazy=True)
    assert back.provenance["trace"] is True
    pd.testing.assert_frame_equal(back.attribution(), flagship_traced.attribution())
    flagship_traced.to_csv(tmp_path / "c.csv")
    csv = es.Results.from_csv(tmp_path / "c.csv", flagship)
    pd.testing.assert_frame_equal(csv.decisions, flagship_traced.decisions, check_exact=True)
    with pytest.raises(ResultsError, match="decisions file of a results file"):
        es.Results.from_parquet(tmp_path / "x.decisions.parquet")


def test_a_traced_run_interrupted_then_resumed_gives_the_uninterrupted_tables(
    scripted, tmp_path, monkeypatch
):
    ref = es.simulate(scripted, 120, 5, settings=TRACED)
    out = tmp_path / "big.parquet"
    real = tasks.run_prepared

    def stop_at_70(prep, seed, run, *rest):
        if run == 70:
            raise KeyboardInterrupt
        return real(prep, seed, run, *rest)

    monkeypatch.setattr(tasks, "run_prepared", stop_at_70)
    chunks = es.RunSettings(executor="serial", progress=False, trace=True, chunk_size=20)
    with pytest.raises(Interrupted):
        es.simulate(scripted, 120, 5, out=out, resume=True, settings=chunks)
    monkeypatch.undo()
    assert sorted(
        p.name for p in (tmp_path / "big.parquet.partial").iterdir() if "decisions" in p.name
    )
    with pytest.raises(ResultsError, match="trace True, not False"):
        es.simulate(scripted, 120, 5, out=out, resume=True, settings=SERIAL)
    res = es.simulate(scripted, 120, 5, out=out, resume=True, settings=TRACED)
    assert res.provenance["resumed_from"] == 60
    pd.testing.assert_frame_equal(res.decisions, ref.decisions, check_exact=True)
    pd.testing.assert_frame_equal(res.runs, ref.runs, check_exact=True)


# --- attribution ---------------------------------------------------------------------------


def test_an_outcome_that_only_noise_makes_is_attributed_to_noise(noise):
    table = es.simulate(noise, 400, 1, settings=TRACED).attribution().set_index("outcome")
    assert table.loc["quit", "runs"] > 30
    assert table.loc["quit", "lower"] == 1.0 and table.loc["quit", "best"] == 0.0
    assert table.loc["quit", "exogenous"] == 0.0
    assert table.loc["quit", "median_p"] < 0.01
    assert table.loc["stalemate", "horizon"] == 1.0


@pytest.mark.parametrize(
    ("changes", "cause"),
    [
        ({"actors.a.incentives.values.quit": 20, "actors.a.rationality": 3.0}, "best"),
        (
            {
                "actors.a.incentives.values.quit": 20,
                "actors.a.rationality": 3.0,
                "actors.a.actions.give_up.success": 0.3,
            },
            "roll",
        ),
    ],
)
def test_a_best_choice_is_best_and_a_won_roll_is_exogenous(noise, changes, cause):
    table = es.simulate(noise.with_values(changes), 100, 1, settings=TRACED).attribution()
    row = table.set_index("outcome").loc["quit"]
    assert row[cause] == 1.0 and row["runs"] > 50
    assert row["exogenous"] == (1.0 if cause == "roll" else 0.0)


def test_a_collapse_is_a_hazard(scripted):
    res = es.simulate(scripted, 150, 2, settings=TRACED)
    table = res.attribution().set_index("outcome")
    assert table.loc["collapse", "runs"] > 0 and table.loc["collapse", "hazard"] == 1.0
    assert table.loc["capitulation", "unscored"] == 1.0  # scripted: no utilities
    per_run = res.decisive()
    assert per_run["cause"].isin(["hazard", "horizon", "unscored"]).all()


def test_untraced_results_say_how_to_trace(flagship):
    res = es.simulate(flagship, 5, 1, settings=SERIAL)
    for call in (res.attribution, res.history):
        with pytest.raises(ResultsError, match="--trace"):
            call()


# --- histories -----------------------------------------------------------------------------


def test_history_follows_the_state_seen_at_the_last_decision(flagship_traced):
    hist = flagship_traced.history("rungs", every=10.0)
    assert set(hist["variable"]) == {"rung.us", "rung.maduro"}
    day30 = hist[(hist["variable"] == "rung.us") & (hist["day"] == 30.0)].iloc[0]
    chosen = flagship_traced.decisions[flagship_traced.decisions["chosen"]]
    runs = flagship_traced.runs
    alive = runs[runs["time"] >= 30.0]["run"]
    seen = chosen[(chosen["time"] <= 30.0) & chosen["run"].isin(alive)]
    last = seen.groupby("run")["rung.us"].last()
    assert day30["runs"] == len(last)
    assert day30["median"] == last.median() and day30["mean"] == pytest.approx(last.mean())
    demand = flagship_traced.history("demand", by_outcome=True)
    assert {"demand.us.leave_now", "demand.us.exit_with_amnesty"} <= set(demand["variable"])
    assert demand["mean"].between(0, 1).all()
    with pytest.raises(ValueError, match="unknown history"):
        flagship_traced.history("moods")


def test_fan_charts_draw_each_state(flagship_traced):
    fig = flagship_traced.plot.beliefs()
    assert len(fig.axes) == 2
    fig = flagship_traced.plot.rungs_over_time(by_outcome=True)
    assert len(fig.axes) == 2
    fig = flagship_traced.plot.cohesion()
    assert len(fig.axes) == 1
    with pytest.raises(ValueError, match="pick one with variables"):
        flagship_traced.plot.beliefs(ax=fig.axes[0])


# --- Python rules and bad settings -----------------------------------------------------------


def test_a_python_rule_is_traced_without_probabilities_in_one_warning_line(flagship):
    settings = es.RunSettings(
        executor="serial", progress=False, trace=True, rules={"us": lambda view: "hold"}
    )
    with pytest.warns(RuntimeWarning) as caught:
        res = es.simulate(flagship, 10, 1, settings=settings)
    lines = [str(w.message) for w in caught if "Python rule" in str(w.message)]
    assert len(lines) == 1 and "\n" not in lines[0] and "'us'" in lines[0]
    us = res.decisions[res.decisions["actor"] == "us"]
    assert us["probability"].isna().all() and us["utility"].notna().all()
    others = res.decisions[res.decisions["actor"] != "us"]
    assert others["probability"].notna().all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # without trace: nothing to say
        es.simulate(
            flagship,
            2,
            1,
            settings=es.RunSettings(executor="serial", rules={"us": lambda v: "hold"}),
        )


def test_trace_must_be_true_or_false():
    with pytest.raises(SettingsError, match="trace must be True or False"):
        es.RunSettings(trace="yes")


# --- the command line ------------------------------------------------------------------------


def test_cli_run_trace_writes_the_decisions_and_reports_what_decided(tmp_path, capsys):
    out = tmp_path / "r.parquet"
    args = ["run", str(FLAGSHIP), "-n", "60", "--seed", "7", "--executor", "serial", "-q"]
    code, text, err = run_main([*args, "--trace", "-o", str(out)], capsys)
    assert code == 0, err
    assert "What decided each outcome" in text and (tmp_path / "r.decisions.parquet").is_file()
    code, text, err = run_main(
        [
            "plot",
            str(out),
            "--kind",
            "rungs-over-time",
            "--by-outcome",
            "-o",
            str(tmp_path / "f.png"),
        ],
        capsys,
    )
    assert code == 0, err
    plain = tmp_path / "plain.parquet"
    assert run_main([*args, "-o", str(plain)], capsys)[0] == 0
    code, text, err = run_main(
        ["plot", str(plain), "--kind", "beliefs", "-o", str(tmp_path / "g.png")], capsys
    )
    assert code == 1 and err.count("\n") == 1
    assert f"{plain}: these results kept no decision traces" in err and "--trace" in err


def test_memory_layout_is_columnar_and_small(flagship_traced):
    table = flagship_traced.decisions
    per_row = table.memory_usage(deep=True).sum() / len(table)
    assert per_row < 120
    assert list(table.columns[:15]) == Layout.of(flagship_traced.scenario).decisions.columns[:15]
    digest = hashlib.sha256(pd.util.hash_pandas_object(table, index=False).values).hexdigest()
    again = es.simulate(flagship_traced.scenario, 120, 7, settings=TRACED).decisions
    assert (
        digest == hashlib.sha256(pd.util.hash_pandas_object(again, index=False).values).hexdigest()
    )


def test_traces_kept_in_memory_count_towards_the_bound(tmp_path, capsys, monkeypatch):
    from escalsim.cli import limits

    monkeypatch.setattr(limits, "ESTIMATE_FROM", 50)
    monkeypatch.setattr(limits, "MEMORY_BYTES", 20_000)
    args = ["run", str(ROOT / "tests/data/dyad.yaml"), "--runs", "100", "--executor", "serial"]
    code, _, err = run_main([*args, "-q"], capsys)
    assert code == 0, err  # 8.8 KB of runs
    code, _, err = run_main([*args, "-q", "--trace"], capsys)
    assert code == 2 and "100 runs would hold about" in err and "--out" in err
    code, _, err = run_main([*args, "-q", "--trace", "--out", str(tmp_path / "r.parquet")], capsys)
    assert code == 0, err
