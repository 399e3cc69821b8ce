"""Results: the runs table, Wilson intervals, summaries, cumulative incidence and milestones."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from fakes_ensemble import ensemble, fake_job, fake_record, scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from escalsim.results import Results, wilson_interval
from escalsim.results.provenance import scenario_hash

Z = 1.959963984540054


@pytest.fixture(scope="module")
def res():
    # "deal" has probability 0: summaries must still list it, with a zero count
    return ensemble(fake_job(weights=(0.0, 0.3, 0.7), keep_events=True), runs=400, seed=2)


# --- Wilson intervals -----------------------------------------------------------------------


def test_wilson_known_values():
    # k=5, n=10: centre 0.5 and half-width z*sqrt(2.5 + z^2/4)/(10 + z^2) = 0.2634
    low, high = wilson_interval(5, 10)
    assert (round(low, 4), round(high, 4)) == (0.2366, 0.7634)
    # k=0: the interval is [0, z^2 / (n + z^2)] exactly
    low, high = wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(Z**2 / (10 + Z**2), rel=1e-12)
    assert round(high, 4) == 0.2775


def test_wilson_edge_cases_and_bad_input():
    assert wilson_interval(10, 10)[1] == 1.0
    assert all(math.isnan(x) for x in wilson_interval(0, 0))
    for k, n in [(-1, 10), (11, 10), (1, -1)]:
        with pytest.raises(ValueError, match="0 <= k <= n"):
            wilson_interval(k, n)
    with pytest.raises(ValueError, match="z must be"):
        wilson_interval(1, 2, z=0)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 10**6), frac=st.floats(0, 1))
def test_wilson_interval_properties(n, frac):
    k = round(frac * n)
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0
    # symmetry: the interval of the failures mirrors the interval of the successes
    low_f, high_f = wilson_interval(n - k, n)
    assert low == pytest.approx(1 - high_f, abs=1e-12)
    assert high == pytest.approx(1 - low_f, abs=1e-12)
    # a wider z gives a wider interval
    low99, high99 = wilson_interval(k, n, z=2.576)
    assert low99 <= low and high <= high99


def test_wilson_vectorised_matches_scalars():
    k = np.array([0, 3, 50, 7])
    n = np.array([10, 10, 100, 7])
    low, high = wilson_interval(k, n)
    for i in range(len(k)):
        assert (low[i], high[i]) == wilson_interval(int(k[i]), int(n[i]))


# --- the runs table -------------------------------------------------------------------------


def test_runs_table_columns_and_dtypes(res):
    runs = res.runs
    sc = scenario()
    assert list(runs["run"]) == list(range(400))
    assert list(runs["outcome"].cat.categories) == list(sc.outcomes)
    assert str(runs["date"].dtype) == "datetime64[ms]"
    start = pd.Timestamp(sc.start)
    delta = (runs["date"] - start) / pd.Timedelta(days=1)
    assert np.allclose(delta, runs["time"], atol=1e-6)  # milliseconds of a day
    for a in ("a",):
        assert runs[f"rung.{a}"].dtype == "int64"
    assert set(sc.uncertain()) <= {c.removeprefix("param.") for c in runs.columns}
    assert "param.history.demand" in runs.columns  # the 'reported' history event
    assert "milestone.naval" in runs.columns and runs["milestone.naval"].isna().any()


def test_records_with_unknown_outcomes_or_parameters_are_refused():
    from dataclasses import replace

    from escalsim.errors import RunError

    rec = fake_record(fake_job(), 0, 123)
    with pytest.raises(RunError, match="unknown outcome 'peace'"):
        Results.from_records([replace(rec, outcome="peace")], scenario())
    with pytest.raises(RunError, match=r"parameter 'actors\.z\.x'"):
        Results.from_records([replace(rec, params={**rec.params, "actors.z.x": 1.0})], scenario())


def test_from_records_matches_the_ensemble(res):
    job = fake_job(weights=(0.0, 0.3, 0.7), keep_events=True)
    from escalsim.engine import run_seed

    records = [fake_record(job, i, run_seed(2, i)) for i in reversed(range(400))]
    again = Results.from_records(records, scenario())
    pd.testing.assert_frame_equal(again.runs, res.runs, check_exact=True)
    pd.testing.assert_frame_equal(again.events, res.events, check_exact=True)


def test_events_table(res):
    ev = res.events
    assert list(ev.columns) == ["run", "time", "date", "actor", "kind", "target", "payload"]
    assert ev["run"].is_monotonic_increasing
    assert set(ev["run"]) <= set(res.runs["run"])
    assert ev["target"].isna().any()  # events without a target keep a missing value
    import json

    assert all(set(json.loads(p)) == {"i", "x"} for p in ev["payload"])


# --- summary, cumulative incidence, milestones ------------------------------------------------


def test_summary_lists_every_outcome_with_its_interval(res):
    s = res.summary()
    assert list(s["outcome"]) == list(scenario().outcomes)
    assert s["count"].sum() == len(res.runs)
    assert s.loc[s["outcome"] == "deal", "count"].item() == 0
    assert np.allclose(s["p"], s["count"] / len(res.runs))
    assert (s["ci_low"] <= s["p"]).all() and (s["p"] <= s["ci_high"]).all()
    # counts agree with the table itself
    counts = res.runs["outcome"].value_counts()
    assert all(counts[o] == c for o, c in zip(s["outcome"], s["count"], strict=True))


def test_summary_interval_covers_the_known_probability(res):
    # the fake draws "stalemate" with probability 0.7; a 95% interval misses it rarely, and
    # with this fixed seed it does not
    s = res.summary().set_index("outcome")
    assert s.loc["stalemate", "ci_low"] <= 0.7 <= s.loc["stalemate", "ci_high"]


def test_cumulative_incidence_is_monotone_and_ends_at_each_probability(res):
    ci = res.cumulative_incidence()
    sc = scenario()
    summary = res.summary().set_index("outcome")
    for name in sc.outcomes:
        part = ci[ci["outcome"] == name]
        assert part["day"].is_monotonic_increasing
        assert part["p"].is_monotonic_increasing
        assert part["p"].iloc[-1] == pytest.approx(summary.loc[name, "p"])
        assert part["day"].iloc[0] == 0 and part["day"].iloc[-1] == sc.horizon
        assert (part["ci_low"] <= part["p"]).all() and (part["p"] <= part["ci_high"]).all()
    # the horizon outcome happens only at the horizon
    stalemate = ci[ci["outcome"] == "stalemate"]
    assert (stalemate.loc[stalemate["day"] < sc.horizon, "count"] == 0).all()
    assert (ci["date"] == pd.Timestamp(sc.start) + pd.to_timedelta(ci["day"], unit="D")).all()


def test_cumulative_incidence_on_given_days_counts_runs_ended_by_then(res):
    days = [30.0, 10.0, 45.5]
    ci = res.cumulative_incidence(days=days)
    strike = ci[ci["outcome"] == "strike"].set_index("day")
    runs = res.runs
    for d in days:
        expected = ((runs["outcome"] == "strike") & (runs["time"] <= d)).sum()
        assert strike.loc[d, "count"] == expected
    assert list(strike.index) == sorted(days)


def test_milestones_count_the_runs_that_reached_them_in_the_run(res):
    m = res.milestones().set_index("milestone")
    t = res.runs["milestone.naval"]
    n = len(res.runs)
    in_run = t[t >= 0]
    assert m.loc["naval", "count"] == len(in_run)
    assert m.loc["naval", "p"] == pytest.approx(len(in_run) / n)
    assert m.loc["naval", "median_day"] == pytest.approx(in_run.median())
    assert m.loc["naval", "before_start"] == (t < 0).sum() > 0
    low, high = wilson_interval(len(in_run), n)
    assert (m.loc["naval", "ci_low"], m.loc["naval", "ci_high"]) == (low, high)
    with_history = res.milestones(include_history=True).set_index("milestone")
    assert with_history.loc["naval", "count"] == t.notna().sum()


# --- provenance -------------------------------------------------------------------------------


def test_scenario_hash_follows_the_content():
    sc = scenario()
    assert scenario_hash(sc) == scenario_hash(sc.model_copy())
    changed = sc.with_values({"horizon": 61})
    assert scenario_hash(changed) != scenario_hash(sc)
    assert len(scenario_hash(sc)) == 64


def test_provenance_is_a_copy(res):
    prov = res.provenance
    prov["seed"] = -1
    assert res.provenance["seed"] == 2


def test_statistics_of_an_unread_file_read_only_their_columns(res, tmp_path):
    path = res.to_parquet(tmp_path / "runs.parquet")
    lazy = Results.from_parquet(path, lazy=True)
    pd.testing.assert_frame_equal(lazy.summary(), res.summary())
    pd.testing.assert_frame_equal(lazy.milestones(), res.milestones())
    assert lazy._runs is None  # the whole table was never read
