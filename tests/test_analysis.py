"""Analyses: paired comparison, sweeps and global sensitivity (``escalsim.analysis``).

Most tests use RAID, a two-actor crisis built so that its answer is known: the coercer climbs
to a raid at its first review (every 2 days on average, so before the 60-day horizon in all
but e^-30 of runs), the raid succeeds with probability ``success ~ U(0, 1)`` (then the run
ends ``seized``), and otherwise the run ends ``stalemate`` at the horizon. The target's
rationality is uncertain too, but the target can only hold, so it changes nothing. Hence
P(seized | success = s) = s, and with common random numbers run j ends ``seized`` exactly when
its raid draw u_j < s: the same u_j at every grid point or parameter row.
"""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from time_limits import HANG_GUARD

import escalsim as es
from escalsim.analysis import (
    Comparison,
    compare,
    independent_difference_interval,
    outcome_groups,
    paired_difference_interval,
    parameter_ranges,
    parse_grid,
    sensitivity,
    sweep,
)
from escalsim.analysis.ranges import from_unit, parameter_range, quantile
from escalsim.engine import prepare, run_prepared
from escalsim.errors import ResultsError, ScenarioError
from escalsim.scenario.distributions import Beta, Choice, LogNormal, Normal, Triangular, Uniform
from escalsim.scenario.schema import Scenario

DATA = Path(__file__).parent / "data"
SMALL = DATA / "small.yaml"
SUCCESS = "actors.c.ladder.raid.success"
IRRELEVANT = "actors.t.rationality"

RAID = {
    "schema_version": 1,
    "name": "raid",
    "start": "2025-12-01",
    "horizon": 60,
    "actors": {
        "c": {
            "role": "coercer",
            "opponent": "t",
            "review_days": 2,
            "ladder": [{"name": "pressure"}, {"name": "raid", "success": {"uniform": [0.0, 1.0]}}],
            "repertoire": ["hold", "climb"],
            "rule": {"scripted": [{"choose": {"climb": 1}}]},
        },
        "t": {
            "role": "target",
            "opponent": "c",
            "rationality": {"uniform": [0.1, 2.0]},
            "repertoire": ["hold"],
        },
    },
    "outcomes": {
        "seized": {"trigger": {"rung": "c.raid"}},
        "stalemate": {"trigger": {"event": "horizon"}},
    },
}


def raid() -> Scenario:
    return Scenario.from_dict(RAID)


# --- intervals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k1", "n1", "k2", "n2", "low", "high"),
    [  # Newcombe (1998), Stat Med 17:873-890, Table II, method 10 (p1 - p2)
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
    ],
)
def test_independent_interval_matches_newcombes_published_values(k1, n1, k2, n2, low, high):
    # p_variant - p_base with "variant" = sample 1: the table gives 4 decimals
    lo, hi = independent_difference_interval(k2, n2, k1, n1)
    assert lo == pytest.approx(low, abs=5e-5) and hi == pytest.approx(high, abs=5e-5)


def _agresti_min_r(b: int, c: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Agresti's own R function ``diffpropci`` (the "Wald+2" interval), transcribed."""
    diff = (c - b) / (n + 2)
    sd = math.sqrt((b + c + 1) - (c - b) ** 2 / (n + 2)) / (n + 2)
    return max(diff - z * sd, -1.0), min(diff + z * sd, 1.0)


@pytest.mark.parametrize(("n", "b", "c"), [(21, 1, 7), (100, 0, 0), (50, 50, 0), (1000, 3, 40)])
def test_paired_interval_is_the_agresti_min_interval(n, b, c):
    lo, hi = paired_difference_interval(n, b, c)
    assert (lo, hi) == pytest.approx(_agresti_min_r(b, c, n), abs=1e-12)


def test_paired_interval_works_on_arrays_and_never_collapses():
    lo, hi = paired_difference_interval([400, 400], [0, 5], [0, 1])
    assert lo.shape == (2,) and np.all(lo < hi)
    assert lo[0] < 0 < hi[0]  # no discordant pair: still an interval around 0, not a point
    with pytest.raises(ValueError, match="base_only"):
        paired_difference_interval(10, 6, 6)


# --- compare ----------------------------------------------------------------------------------

RUNS = 400
STRIKE_COST = "actors.us.ladder.strikes.cost"  # 1.5 in small.yaml
SERIAL = es.RunSettings(executor="serial")


@pytest.fixture(scope="module")
def comparison():
    base = es.load_scenario(SMALL)
    return compare(base, {STRIKE_COST: 1.7}, runs=RUNS, seed=5, settings=SERIAL)


@pytest.fixture(scope="module")
def independent(comparison):
    """The same variant with a different root seed: independent of the base runs."""
    return es.simulate(comparison.variant.scenario, runs=RUNS, seed=6, settings=SERIAL)


def test_paired_interval_is_narrower_than_independent_ensembles(comparison, independent):
    table = comparison.table()
    base = comparison.base.runs["outcome"].astype(str).to_numpy()
    other = independent.runs["outcome"].astype(str).to_numpy()
    for row in table.itertuples(index=False):
        k_base, k_other = int((base == row.outcome).sum()), int((other == row.outcome).sum())
        lo, hi = independent_difference_interval(k_base, RUNS, k_other, RUNS)
        assert row.ci_high - row.ci_low < hi - lo, row.outcome
    # The raised strike cost moves P(strike). Independent ensembles have a difference variance
    # of about 2p(1-p)/n, paired ones (b + c)/n², b + c being the runs that change outcome:
    # with p ≈ 0.3 and 10 to 25 of 400 runs changing outcome (seen over several seeds) the
    # ratio of widths is about sqrt((15 / 400) / 0.42) ≈ 0.3. Under 0.6 leaves ample room.
    strike = table.set_index("outcome").loc["strike"]
    lo, hi = independent_difference_interval(
        int((base == "strike").sum()), RUNS, int((other == "strike").sum()), RUNS
    )
    assert strike["ci_high"] - strike["ci_low"] < 0.6 * (hi - lo)
    assert strike["diff"] < 0  # a costlier strike is chosen less often: the run changes


def test_comparison_table_agrees_with_the_two_ensembles(comparison):
    table = comparison.table()
    assert list(table.columns) == [
        "outcome",
        "p_base",
        "p_variant",
        "diff",
        "ci_low",
        "ci_high",
        "base_only",
        "variant_only",
    ]
    assert list(table["outcome"]) == ["exit", "transition", "strike", "stalemate"]
    summary_b = comparison.base.summary().set_index("outcome")["p"]
    summary_v = comparison.variant.summary().set_index("outcome")["p"]
    for row in table.itertuples(index=False):
        assert row.p_base == summary_b[row.outcome] and row.p_variant == summary_v[row.outcome]
        assert row.diff == pytest.approx(row.p_variant - row.p_base, abs=1e-15)
        assert row.diff == pytest.approx((row.variant_only - row.base_only) / RUNS, abs=1e-15)
        assert row.ci_low <= row.diff <= row.ci_high
    assert table["diff"].sum() == pytest.approx(0.0, abs=1e-12)  # probabilities sum to 1
    assert comparison.variant.scenario == comparison.base.scenario.with_values({STRIKE_COST: 1.7})
    assert table.attrs["runs"] == RUNS and table.attrs["seed"] == 5


def test_comparison_of_unions(comparison):
    full = comparison.table().set_index("outcome")
    union = comparison.table({"deal": ["exit", "transition"]}).set_index("outcome")
    assert list(union.index) == ["deal"]
    assert union.loc["deal", "p_base"] == pytest.approx(
        full.loc["exit", "p_base"] + full.loc["transition", "p_base"], abs=1e-15
    )
    plus = comparison.table("exit+transition")
    assert plus["p_variant"].iloc[0] == pytest.approx(union.loc["deal", "p_variant"], abs=1e-15)
    with pytest.raises(ValueError, match="did you mean 'strike'"):
        comparison.table("strke")


def test_unpaired_results_are_refused(comparison, independent):
    with pytest.raises(ResultsError, match="not paired"):
        Comparison(comparison.base, independent)
    with pytest.raises(TypeError, match="precision"):
        compare(SMALL, SMALL, runs=10, precision=0.01)


def test_identical_scenarios_differ_by_nothing():
    res = compare(
        raid(), raid(), runs=50, seed=1, settings=es.RunSettings(executor="serial", progress=False)
    )
    table = res.table()
    assert (table["diff"] == 0).all() and (table["base_only"] + table["variant_only"] == 0).all()
    assert ((table["ci_low"] < 0) & (table["ci_high"] > 0)).all()


# --- sweep ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "values"),
    [
        ("0:1:5", [0.0, 0.25, 0.5, 0.75, 1.0]),
        ("1:3:3", [1, 2, 3]),
        ("2:2:1", [2]),
        ("0.5, 1, 2", [0.5, 1.0, 2.0]),
        ([3, 1.5], [3.0, 1.5]),
    ],
)
def test_parse_grid(spec, values):
    assert parse_grid(spec) == values


def test_whole_number_grids_give_ints_for_integer_parameters():
    assert all(type(v) is int for v in parse_grid("1:3:3"))
    assert all(type(v) is float for v in parse_grid("0:1:3"))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("0:1", "expected lo:hi:n"),
        ("0:1:2:3", "expected lo:hi:n"),
        ("a:1:3", "lo of 'a:1:3' is not a number"),
        ("0:1:x", "whole number"),
        ("0:1:0", "at least 1"),
        ("1:0:3", "lo < hi"),
        ("0:inf:3", "finite"),
        ("1,,2", "comma-separated"),
        ("1,1", "repeat"),
        ([], "non-empty"),
        ([1, "x"], "finite numbers"),
    ],
)
def test_bad_grids_say_what_is_wrong(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_grid(spec)


def test_sweep_of_the_raid_odds_follows_them():
    table = sweep(raid(), {SUCCESS: "0:1:5"}, runs=200, seed=3, settings=SERIAL)
    assert list(table.columns) == [SUCCESS, "outcome", "count", "p", "ci_low", "ci_high", "runs"]
    seized = table[table["outcome"] == "seized"]
    s = seized[SUCCESS].to_numpy()
    p = seized["p"].to_numpy()
    # P(seized) = s exactly; the estimate from 200 runs has sd sqrt(s(1-s)/200) <= 0.036, and
    # 4 sd (0.14) bounds all five points with probability > 0.9997.
    assert np.all(np.abs(p - s) <= 4 * np.sqrt(s * (1 - s) / 200) + 1e-12)
    assert p[0] == 0.0 and p[-1] == 1.0
    # Common random numbers: run j ends seized iff its raid draw u_j < s, the same u_j at every
    # point, so the set of seized runs only grows with s: the counts never go down.
    assert np.all(np.diff(seized["count"].to_numpy()) >= 0)
    assert ((table["ci_low"] <= table["p"]) & (table["p"] <= table["ci_high"])).all()
    assert (table.groupby(SUCCESS)["p"].sum() == 1.0).all()
    assert table.attrs["parameters"] == [SUCCESS] and table.attrs["seed"] == 3


def test_two_parameter_sweep_makes_the_product_grid():
    table = sweep(
        raid(),
        {SUCCESS: [0.2, 0.6], IRRELEVANT: "0.5:1.5:3"},
        runs=60,
        seed=1,
        outcomes="seized",
        settings=SERIAL,
    )
    assert len(table) == 2 * 3 and list(table["outcome"].unique()) == ["seized"]
    assert list(table[SUCCESS]) == [0.2, 0.2, 0.2, 0.6, 0.6, 0.6]  # first parameter slowest
    # The target's rationality never enters a decision: with common random numbers the
    # counts are identical along it, not merely close.
    assert table.groupby(SUCCESS)["count"].nunique().eq(1).all()


def test_sweep_errors_are_clear():
    with pytest.raises(ValueError, match="one or two"):
        sweep(raid(), {SUCCESS: [0.1], IRRELEVANT: [1], "horizon": [10]}, runs=5)
    with pytest.raises(ScenarioError, match="unknown key 'sucess' \\(did you mean 'success'"):
        sweep(
            raid(),
            {"actors.c.ladder.raid.sucess": [0.5]},
            runs=5,
            settings=SERIAL,
        )
    with pytest.raises(ScenarioError, match="no such path"):
        sweep(
            raid(),
            {"actors.x.rationality": [0.5]},
            runs=5,
            settings=SERIAL,
        )
    with pytest.raises(ScenarioError, match=r"must be in \[0, 1\]"):
        sweep(raid(), {SUCCESS: [0.5, 1.5]}, runs=5, settings=SERIAL)
    with pytest.raises(ValueError, match="no outcome 'war'"):
        sweep(
            raid(),
            {SUCCESS: [0.5]},
            runs=5,
            outcomes="war",
            settings=SERIAL,
        )


# --- sensitivity: ranges ----------------------------------------------------------------------


def test_ranges_are_supports_or_percentiles_for_open_ends():
    z99 = NormalDist().inv_cdf(0.99)
    assert parameter_range(Uniform(uniform=(2.0, 5.0))) == (2.0, 5.0)
    assert parameter_range(Beta(beta=(2.0, 6.0))) == (0.0, 1.0)
    assert parameter_range(Triangular(triangular=(-60.0, -20.0, 60.0))) == (-60.0, 60.0)
    assert parameter_range(Choice(choice={0.2: 1.0, 0.5: 3.0})) == (0.2, 0.5)
    assert parameter_range(Normal(normal=(1.5, 0.5), bounds=(0.0, 4.0))) == (0.0, 4.0)
    lo, hi = parameter_range(Normal(normal=(1.0, 2.0)))
    assert (lo, hi) == pytest.approx((1.0 - 2.0 * z99, 1.0 + 2.0 * z99), rel=1e-12)
    lo, hi = parameter_range(LogNormal(lognormal=(-4.0, 0.3)))  # the open 0 becomes the 1st pct
    assert (lo, hi) == pytest.approx((math.exp(-4 - 0.3 * z99), math.exp(-4 + 0.3 * z99)))
    sc = es.load_scenario(SMALL)
    ranges = parameter_ranges(sc)
    assert list(ranges) == list(sc.uncertain())
    assert ranges["actors.us.rationality"] == (0.5, 3.0)


@pytest.mark.parametrize(
    ("dist", "frozen"),
    [
        (Beta(beta=(2.0, 6.0)), ("beta", (2, 6), {})),
        (
            Triangular(triangular=(-60.0, -20.0, 60.0)),
            ("triang", (1 / 3,), {"loc": -60, "scale": 120}),
        ),
        (LogNormal(lognormal=(-4.0, 0.3)), ("lognorm", (0.3,), {"scale": math.exp(-4)})),
        (
            Normal(normal=(1.5, 0.5), bounds=(0.0, 4.0)),
            ("truncnorm", (-3, 5), {"loc": 1.5, "scale": 0.5}),
        ),
    ],
)
def test_quantiles_agree_with_scipy(dist, frozen):
    stats = pytest.importorskip("scipy.stats")
    name, args, kw = frozen
    ref = getattr(stats, name)(*args, **kw)
    for q in (0.01, 0.2, 0.5, 0.9, 0.99):
        assert quantile(dist, q) == pytest.approx(ref.ppf(q), rel=1e-9, abs=1e-12)


def test_unit_points_map_evenly_or_through_the_distribution():
    u = np.array([0.0, 0.5, 1.0])
    assert from_unit(Uniform(uniform=(10.0, 30.0)), u).tolist() == [10.0, 20.0, 30.0]
    beta = Beta(beta=(6.0, 4.0))
    x = from_unit(beta, u, "distribution")
    # the "distribution" space spans the 1st to 99th percentile, median in the middle
    assert x.tolist() == pytest.approx([quantile(beta, q) for q in (0.01, 0.5, 0.99)])
    assert parameter_range(beta, "distribution") == pytest.approx((x[0], x[-1]))
    with pytest.raises(ValueError, match="space"):
        from_unit(beta, u, "uniform")


# --- sensitivity ------------------------------------------------------------------------------


def test_pinned_runs_are_the_engine_runs_when_pinned_to_the_engine_draws():
    sc = es.load_scenario(SMALL)
    prep = prepare(sc)
    for seed in (1, 2, 3):
        draws = sc.sample(np.random.default_rng(np.random.SeedSequence(seed)))
        assert run_prepared(prep.pin(draws), seed) == run_prepared(prep, seed)
    moved = run_prepared(prep.pin({"actors.us.rationality": 0.7}), 1)
    assert moved.params["actors.us.rationality"] == 0.7
    assert prep.pinned == {} and prep.pin({}).pin({}) == prep  # pinning makes a new one
    with pytest.raises(ValueError, match="did you mean"):
        prep.pin({"actors.us.rationalty": 0.7})


@pytest.fixture(scope="module")
def sobol_table():
    return sensitivity(raid(), "sobol", n=64, seed=2, replications=4, settings=SERIAL)


def test_sobol_finds_the_one_parameter_that_matters(sobol_table):
    table = sobol_table
    assert list(table.columns) == [
        "outcome",
        "parameter",
        "low",
        "high",
        "S1",
        "S1_ci_low",
        "S1_ci_high",
        "ST",
        "ST_ci_low",
        "ST_ci_high",
    ]
    seized = table[table["outcome"] == "seized"].set_index("parameter")
    assert list(seized.index) == [SUCCESS, IRRELEVANT]  # most influential first
    # P(seized | θ) = success, whatever the rest: S1 = ST = 1 for success and 0 for the
    # other. With n = 64 the Saltelli/Jansen estimates scatter by about ±0.15 (the bootstrap
    # half-widths), so the success indices must exceed 0.6 and their intervals must clear
    # everything the irrelevant parameter gets.
    assert seized.loc[SUCCESS, "S1"] > 0.6 and seized.loc[SUCCESS, "ST"] > 0.6
    assert seized.loc[SUCCESS, "ST_ci_low"] > seized.loc[IRRELEVANT, "ST_ci_high"]
    assert abs(seized.loc[IRRELEVANT, "ST"]) < 0.05
    assert seized.loc[SUCCESS, ["low", "high"]].tolist() == [0.0, 1.0]
    a = table.attrs
    assert a["method"] == "sobol" and a["rows"] == 64 * (2 + 2) and a["runs"] == 64 * 4 * 4


def test_common_random_numbers_give_an_irrelevant_parameter_exactly_nothing(sobol_table):
    # Replication j of every row runs from the same seed, and the irrelevant parameter draws
    # no random number of its own: the output does not change with it at all.
    irrelevant = sobol_table[sobol_table["parameter"] == IRRELEVANT]
    assert (irrelevant[["S1", "ST", "S1_ci_high", "ST_ci_high"]] == 0.0).all().all()


def test_morris_finds_the_one_parameter_that_matters():
    table = sensitivity(
        raid(),
        "morris",
        n=8,
        seed=4,
        replications=4,
        outcomes="seized",
        settings=SERIAL,
    )
    assert list(table.columns[4:]) == [
        "mu",
        "mu_star",
        "mu_star_ci_low",
        "mu_star_ci_high",
        "sigma",
    ]
    row = table.set_index("parameter")
    # P(seized) goes from 0 to 1 over the success range: elementary effects average 1; with
    # 4 replications each row's estimate moves in steps of 1/4, so an effect over a grid step
    # of 2/3 of the range is off by at most 0.375; 0.6 leaves room for that.
    assert row.loc[SUCCESS, "mu_star"] > 0.6 and row.loc[SUCCESS, "mu"] > 0.6
    assert row.loc[IRRELEVANT, "mu_star"] == 0.0 and row.loc[IRRELEVANT, "sigma"] == 0.0
    assert table.attrs["rows"] == 8 * 3


def test_varying_some_parameters_leaves_the_others_random():
    table = sensitivity(
        raid(),
        "morris",
        n=4,
        seed=4,
        parameters=[SUCCESS],
        replications=4,
        outcomes="seized",
        settings=SERIAL,
    )
    assert table["parameter"].tolist() == [SUCCESS] and table.attrs["parameters"] == [SUCCESS]
    assert table["mu_star"].iloc[0] > 0.6  # same tolerance as above


def test_sensitivity_errors_are_clear():
    with pytest.raises(ValueError, match="method"):
        sensitivity(raid(), "fast")
    with pytest.raises(ValueError, match="power of two"):
        sensitivity(raid(), "sobol", n=100)
    with pytest.raises(ValueError, match="not an uncertain parameter"):
        sensitivity(raid(), "morris", parameters=["actors.c.review_days"])
    with pytest.raises(ValueError, match="space"):
        sensitivity(raid(), space="uniform")
    fixed = raid().with_values({SUCCESS: 0.5, IRRELEVANT: 1.0})
    with pytest.raises(ValueError, match="no uncertain parameter"):
        sensitivity(fixed, "morris")


# --- reproducibility and executors ------------------------------------------------------------


def test_the_same_seed_gives_the_same_tables():
    sc = raid()
    one = sensitivity(sc, "morris", n=4, seed=9, replications=3, settings=SERIAL)
    two = sensitivity(sc, "morris", n=4, seed=9, replications=3, settings=SERIAL)
    pd.testing.assert_frame_equal(one, two)
    other = sensitivity(sc, "morris", n=4, seed=10, replications=3, settings=SERIAL)
    assert not one.equals(other)  # a seed that does nothing would pass the first check too
    a = sweep(sc, {SUCCESS: "0.2:0.8:3"}, runs=40, seed=9, settings=SERIAL)
    pd.testing.assert_frame_equal(
        a,
        sweep(sc, {SUCCESS: "0.2:0.8:3"}, runs=40, seed=9, settings=SERIAL),
    )
    c = compare(
        sc,
        {SUCCESS: {"uniform": [0.1, 1.0]}},
        runs=40,
        seed=9,
        settings=SERIAL,
    )
    d = compare(
        sc,
        {SUCCESS: {"uniform": [0.1, 1.0]}},
        runs=40,
        seed=9,
        settings=SERIAL,
    )
    pd.testing.assert_frame_equal(c.table(), d.table())


def test_processes_and_serial_give_identical_tables():
    sc = raid()
    kw = {"runs": 60, "seed": 2}
    grid = {SUCCESS: "0.1:0.9:3"}
    pd.testing.assert_frame_equal(
        sweep(sc, grid, **kw, settings=SERIAL),
        sweep(sc, grid, **kw, settings=es.RunSettings(workers=2, chunk_size=7, progress=False)),
    )
    skw = {"n": 4, "seed": 2, "replications": 3}
    pd.testing.assert_frame_equal(
        sensitivity(sc, "morris", **skw, settings=SERIAL),
        sensitivity(
            sc,
            "morris",
            **skw,
            settings=es.RunSettings(workers=2, chunk_size=5, progress=False),
        ),
    )


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # distributed's own start-up chatter
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        )
        client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_dask_gives_the_same_tables(dask_client):
    from escalsim.ensemble import DaskExecutor

    sc = raid()
    grid = {SUCCESS: "0.1:0.9:3"}
    serial = sweep(sc, grid, runs=40, seed=2, settings=SERIAL)
    on_dask = sweep(
        sc,
        grid,
        runs=40,
        seed=2,
        settings=es.RunSettings(executor=DaskExecutor(dask_client), chunk_size=9),
    )
    pd.testing.assert_frame_equal(serial, on_dask)
    skw = {"n": 4, "seed": 2, "replications": 2}
    pd.testing.assert_frame_equal(
        sensitivity(sc, "sobol", **skw, settings=SERIAL),
        sensitivity(
            sc, "sobol", **skw, settings=es.RunSettings(executor=DaskExecutor(dask_client))
        ),
    )


def test_outcome_groups():
    names = ["a", "b", "c"]
    assert outcome_groups(names) == {"a": ("a",), "b": ("b",), "c": ("c",)}
    assert outcome_groups(names, "a+c") == {"a+c": ("a", "c")}
    assert outcome_groups(names, ["c", "a"]) == {"c": ("c",), "a": ("a",)}
    assert outcome_groups(names, {"x": ["b", "c"], "y": "a"}) == {"x": ("b", "c"), "y": ("a",)}
    with pytest.raises(ValueError, match="empty"):
        outcome_groups(names, [])
    with pytest.raises(TypeError):
        outcome_groups(names, 3)


def test_importing_the_analyses_loads_neither_salib_nor_matplotlib():
    code = (
        "import sys, escalsim.analysis, escalsim.cli.main\n"
        "heavy = {'SALib', 'matplotlib', 'scipy'} & {m.split('.')[0] for m in sys.modules}\n"
        "print(sorted(heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG_GUARD, check=True
    )
    assert done.stdout.strip() == "[]"
