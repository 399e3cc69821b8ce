"""Ensembles: seeds, chunks, executors, retries, precision mode, streaming and ``simulate``.

Most tests run a fake task (``fakes_ensemble.fake_task``) through the real machinery, so they
are fast and can misbehave on purpose; the end-to-end tests run the real engine on a small
two-actor scenario. Identical tables are compared exactly (``assert_frame_equal``): the seed
of each run depends only on the root seed and the run index.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fakes_ensemble import ensemble, fake_job, scenario
from hypothesis import given, settings
from hypothesis import strategies as st
from time_limits import HANG_GUARD

from escalsim.engine import run_one, run_seed
from escalsim.ensemble import ProcessExecutor, RunSettings, SerialExecutor, simulate
from escalsim.ensemble.loop import make_executor
from escalsim.ensemble.seeds import Chunk, check_seed, default_chunk_size, plan_chunks
from escalsim.ensemble.settings import SettingsError
from escalsim.errors import Interrupted, ResultsError, RunError
from escalsim.results.provenance import scenario_hash
from escalsim.results.stats import wilson_half_width

DYAD = Path(__file__).resolve().parent / "data" / "dyad.yaml"

# --- seeds and chunks ---------------------------------------------------------------------


def test_chunk_seeds_are_the_engine_run_seeds():
    chunk = Chunk(root=5, start=10, stop=14)
    assert chunk.seeds() == [run_seed(5, i) for i in range(10, 14)]
    assert len(chunk) == 4
    assert len(set(Chunk(5, 0, 500).seeds())) == 500  # no two runs share a stream
    assert Chunk(5, 0, 3).seeds() != Chunk(6, 0, 3).seeds()


@settings(max_examples=60, deadline=None)
@given(start=st.integers(0, 50), length=st.integers(0, 300), size=st.integers(1, 80))
def test_plan_chunks_cover_every_run_once_in_order(start, length, size):
    chunks = list(plan_chunks(0, start, start + length, size))
    runs = [r for c in chunks for r in c.runs]
    assert runs == list(range(start, start + length))
    assert all(1 <= len(c) <= size for c in chunks)


@settings(max_examples=60, deadline=None)
@given(runs=st.integers(1, 10**7), workers=st.integers(1, 256))
def test_default_chunk_size_is_bounded_and_gives_each_worker_work(runs, workers):
    size = default_chunk_size(runs, workers)
    assert 1 <= size <= 1000
    n_chunks = -(-runs // size)
    # about four chunks per worker; rounding the size up can halve that, never more
    assert n_chunks >= min(runs, 2 * workers) or size == 1000


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3", None])
def test_bad_seeds_are_refused(bad):
    with pytest.raises((TypeError, ValueError), match="seed"):
        check_seed(bad)


# --- executors give identical tables --------------------------------------------------------


@pytest.fixture(scope="module")
def reference():
    """The fake ensemble run serially in chunks of 16: what every other way must reproduce."""
    return ensemble(fake_job(), SerialExecutor(), chunk_size=16).runs


@pytest.mark.parametrize(
    ("executor", "chunk_size"),
    [
        (SerialExecutor(), 1),
        (SerialExecutor(), 200),
        (ProcessExecutor(1), 16),
        (ProcessExecutor(2), 7),
        (ProcessExecutor(2), 64),
    ],
    ids=["serial-1", "serial-200", "processes1-16", "processes2-7", "processes2-64"],
)
def test_same_table_whatever_the_executor_and_chunk_size(reference, executor, chunk_size):
    res = ensemble(fake_job(), executor, chunk_size=chunk_size)
    pd.testing.assert_frame_equal(res.runs, reference, check_exact=True)
    assert res.provenance["executor"] == executor.name
    assert res.provenance["workers"] == executor.workers


def test_a_chunk_whose_worker_died_is_rerun_with_the_same_result(reference, tmp_path):
    marker = tmp_path / "crashed"
    job = fake_job(crash_run=37, crash_marker=str(marker))
    res = ensemble(job, ProcessExecutor(2), chunk_size=16)
    assert marker.exists()  # the worker really was killed once
    pd.testing.assert_frame_equal(res.runs, reference, check_exact=True)


def test_a_worker_that_always_dies_gives_up_after_the_retries():
    job = fake_job(crash_run=5)
    with pytest.raises(RunError, match="worker died 2 times"):
        ensemble(job, ProcessExecutor(2, max_retries=1), chunk_size=16, runs=40)


def test_an_unguarded_script_under_spawn_is_told_what_to_do(tmp_path):
    """Under 'spawn' every worker imports the script again; unguarded, the workers die at
    start. The error must name the cause, not only the dead workers."""
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import multiprocessing\n"
        "multiprocessing.set_start_method('spawn', force=True)\n"
        "import escalsim as es\n"
        "from escalsim.ensemble import ProcessExecutor\n"
        f"es.simulate({str(DYAD)!r}, runs=20, settings=es.RunSettings("
        "executor=ProcessExecutor(2, max_retries=0), progress=False))\n"
    )
    res = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=HANG_GUARD
    )
    assert res.returncode == 1
    last = res.stderr.strip().splitlines()[-1]
    assert "a worker died once while runs 0.." in last
    assert "workers start with 'spawn'" in last and 'if __name__ == "__main__":' in last


def test_a_failing_run_in_a_worker_names_its_run_and_seed():
    with pytest.raises(RunError, match="fake failure") as info:
        ensemble(fake_job(fail_run=23), ProcessExecutor(2), chunk_size=10, runs=60, seed=4)
    assert info.value.run == 23
    assert info.value.seed == run_seed(4, 23)


def test_executor_names_and_arguments():
    serial, owned = make_executor(RunSettings(executor="serial"))
    assert isinstance(serial, SerialExecutor) and owned
    ex, owned = make_executor(RunSettings(executor="processes", workers=3))
    assert owned and ex.workers == 3
    mine = ProcessExecutor(2)
    assert make_executor(RunSettings(executor=mine)) == (mine, False)
    with pytest.raises(ValueError, match="workers must be"):
        ProcessExecutor(0)


# --- precision mode -----------------------------------------------------------------------


def _half_widths(runs: pd.DataFrame, n: int) -> np.ndarray:
    counts = np.bincount(runs["outcome"].cat.codes[:n], minlength=3)
    return wilson_half_width(counts, np.full(3, n))


def test_precision_mode_stops_at_the_first_run_count_that_meets_the_target():
    precision, minimum = 0.05, 100
    res = ensemble(fake_job(), SerialExecutor(), runs=minimum, chunk_size=50, precision=precision)
    n = len(res.runs)
    prov = res.provenance
    assert prov["precision_met"] is True
    assert prov["runs_needed"] == n == prov["runs"]
    assert n > minimum  # with p near 0.5 the target needs about 380 runs
    assert np.all(_half_widths(res.runs, n) <= precision)
    assert np.any(_half_widths(res.runs, n - 1) > precision)  # one run fewer is not enough
    # the adaptive table is the first n rows of the fixed-size ensemble with the same seed
    fixed = ensemble(fake_job(), SerialExecutor(), runs=n + 30, chunk_size=50).runs
    pd.testing.assert_frame_equal(res.runs, fixed.iloc[:n], check_exact=True)


def test_precision_mode_does_not_depend_on_chunks_or_workers():
    kw = {"runs": 50, "precision": 0.06}
    a = ensemble(fake_job(), SerialExecutor(), chunk_size=13, **kw)
    b = ensemble(fake_job(), ProcessExecutor(2), chunk_size=40, **kw)
    pd.testing.assert_frame_equal(a.runs, b.runs, check_exact=True)
    assert a.provenance["runs_needed"] == b.provenance["runs_needed"]


def test_precision_mode_respects_runs_as_a_minimum():
    res = ensemble(fake_job(), runs=300, chunk_size=64, precision=0.5)
    assert len(res.runs) == 300  # a half-width of 0.5 is met at once, but 300 were asked


def test_precision_mode_warns_when_the_cap_is_reached_first():
    with pytest.warns(RuntimeWarning, match="not reached after 120 runs"):
        res = ensemble(fake_job(), runs=60, chunk_size=25, precision=0.01, max_runs=120)
    assert len(res.runs) == 120
    assert res.provenance["precision_met"] is False
    assert res.provenance["runs_needed"] is None


# --- streaming to a file --------------------------------------------------------------------


def test_streaming_gives_the_same_table_one_row_group_per_chunk(reference, tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    monkeypatch.setattr("escalsim.results.io.ROW_GROUP_ROWS", 1)  # no gathering of chunks
    out = tmp_path / "runs.parquet"
    res = ensemble(fake_job(), ProcessExecutor(2), chunk_size=16, out=out)
    assert res.path == out
    assert pq.ParquetFile(out).metadata.num_row_groups == -(-200 // 16)
    pd.testing.assert_frame_equal(res.runs, reference, check_exact=True)


@pytest.mark.parametrize("keep_events", [False, True])
def test_an_interrupted_streaming_write_leaves_nothing_behind(tmp_path, keep_events):
    out = tmp_path / "runs.parquet"
    with pytest.raises(Interrupted) as info:
        ensemble(fake_job(interrupt_run=150, keep_events=keep_events), chunk_size=16, out=out)
    assert list(tmp_path.iterdir()) == []
    # what finished is still counted, though no file is written
    assert info.value.runs == sum(info.value.counts.values()) > 0
    assert info.value.results is None


def test_an_interrupted_run_in_memory_keeps_what_finished():
    with pytest.raises(Interrupted) as info:
        ensemble(fake_job(interrupt_run=150), chunk_size=16)
    partial = info.value.results
    assert partial is not None and len(partial.runs) == info.value.runs
    assert list(partial.runs["run"]) == list(range(info.value.runs))
    assert int(partial.summary()["count"].sum()) == info.value.runs


def test_a_failed_streaming_run_in_workers_leaves_nothing_behind(tmp_path):
    out = tmp_path / "runs.parquet"
    with pytest.raises(RunError):
        ensemble(fake_job(fail_run=120), ProcessExecutor(2), chunk_size=16, out=out)
    assert list(tmp_path.iterdir()) == []


def test_streaming_refuses_to_overwrite_unless_forced(tmp_path):
    out = tmp_path / "runs.parquet"
    out.write_text("precious")
    with pytest.raises(ResultsError, match="exists"):
        ensemble(fake_job(), out=out)
    assert out.read_text() == "precious"
    res = ensemble(fake_job(), out=out, force=True)
    assert len(res.runs) == 200


# --- the real engine ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine_reference():
    return simulate(
        scenario(), runs=120, seed=3, settings=RunSettings(executor="serial", progress=False)
    )


@pytest.mark.parametrize(
    "kw",
    [
        {"executor": "processes", "workers": 1},
        {"executor": "processes", "workers": 2},
        {"executor": "processes", "workers": 2, "chunk_size": 7},
        {"executor": "processes", "workers": 8, "chunk_size": 5},
        {"executor": "serial", "chunk_size": 50},
        # fresh interpreters (the default start method on macOS and Windows): the prepared
        # scenario must be pickled to reach the workers
        {"executor": ProcessExecutor(2, mp_context="spawn")},
    ],
    ids=[
        "processes1",
        "processes2",
        "processes2-chunk7",
        "processes8-chunk5",
        "serial-chunk50",
        "spawn2",
    ],
)
def test_simulate_gives_the_same_table_on_every_executor(engine_reference, kw):
    res = simulate(scenario(), runs=120, seed=3, settings=RunSettings(progress=False, **kw))
    pd.testing.assert_frame_equal(res.runs, engine_reference.runs, check_exact=True)


def test_simulate_rows_are_the_engine_runs_replayed_alone(engine_reference):
    runs = engine_reference.runs
    assert runs["run"].tolist() == list(range(120))
    for i in (0, 57, 119):
        rec = run_one(scenario(), seed=run_seed(3, i))
        row = runs.iloc[i]
        assert row["seed"] == rec.seed
        assert row["outcome"] == rec.outcome
        assert row["time"] == rec.time
        assert row["n_events"] == rec.n_events


def test_simulate_provenance(engine_reference):
    prov = engine_reference.provenance
    assert prov["scenario"] == "two_actors"
    assert prov["scenario_sha256"] == scenario_hash(scenario())
    assert (prov["seed"], prov["runs"], prov["executor"], prov["workers"]) == (3, 120, "serial", 1)
    assert prov["started"] <= prov["finished"]
    assert prov["escalsim_version"]


def test_simulate_precision_with_the_engine():
    res = simulate(
        scenario(),
        runs=50,
        seed=1,
        precision=0.08,
        settings=RunSettings(executor="serial", progress=False),
    )
    n = res.provenance["runs_needed"]
    assert n == len(res.runs) >= 50
    assert np.all(_half_widths(res.runs, n) <= 0.08)


def test_simulate_streams_to_a_file(engine_reference, tmp_path):
    out = tmp_path / "r.parquet"
    res = simulate(
        scenario(), runs=120, seed=3, out=out, settings=RunSettings(workers=2, progress=False)
    )
    assert out.is_file()
    pd.testing.assert_frame_equal(res.runs, engine_reference.runs, check_exact=True)
    with pytest.raises(ResultsError, match="exists"):
        simulate(scenario(), runs=10, seed=3, out=out, settings=RunSettings(executor="serial"))


@pytest.mark.parametrize(
    ("kw", "error", "match"),
    [
        ({"runs": 0}, ValueError, "runs"),
        ({"runs": 2.5}, TypeError, "runs"),
        ({"seed": -3}, ValueError, "seed"),
        ({"precision": 0.0}, ValueError, "precision"),
        (
            {"precision": 0.01, "runs": 100, "settings": RunSettings(max_runs=10)},
            ValueError,
            "max_runs",
        ),
        ({"resume": True}, ValueError, "resume needs out"),
        ({"settings": {"executor": "serial"}}, TypeError, "settings must be a RunSettings"),
        (42, TypeError, "scenario must be a Scenario or a file path, got int"),
    ],
)
def test_simulate_refuses_bad_arguments(kw, error, match):
    with pytest.raises(error, match=match):
        if not isinstance(kw, dict):
            simulate(kw)
        else:
            simulate(scenario(), **{"settings": RunSettings(progress=False), **kw})


@pytest.mark.parametrize(
    ("kw", "field", "match"),
    [
        ({"executor": "threads"}, "executor", "executor must be one of 'processes'"),
        ({"chunk_size": 0}, "chunk_size", "chunk_size must be a positive integer"),
        ({"chunk_size": 2.5}, "chunk_size", "chunk_size must be a positive integer"),
        ({"workers": 0}, "workers", "workers must be a positive integer"),
        ({"max_runs": True}, "max_runs", "max_runs must be a positive integer"),
        ({"executor": "serial", "workers": 4}, "workers", "one worker"),
        ({"executor": "serial", "scheduler": "tcp://x:1"}, "scheduler", "only used with"),
        ({"executor": "processes", "scheduler": "tcp://x:1"}, "scheduler", "only used with"),
        ({"executor": SerialExecutor(), "workers": 2}, "workers", "on the SerialExecutor"),
        ({"progress": "yes"}, "progress", "progress must be True or False or None"),
        ({"keep_events": None}, "keep_events", "keep_events must be True or False"),
        ({"rules": ["a"]}, "rules", "rules must map actor ids"),
    ],
)
def test_run_settings_refuse_what_cannot_run_and_name_the_field(kw, field, match):
    with pytest.raises(SettingsError, match=match) as caught:
        RunSettings(**kw)
    assert caught.value.field == field
    assert isinstance(caught.value, ValueError)


def test_run_settings_are_frozen_and_copy_the_rules():
    rules = {"a": lambda view: "hold"}
    settings = RunSettings(rules=rules)
    rules["b"] = rules["a"]
    assert list(settings.rules) == ["a"] and settings.python_rules == ["a"]
    with pytest.raises(AttributeError):
        settings.workers = 3  # type: ignore[misc]


def test_progress_bar_on_request_and_silent_otherwise(capsys):
    simulate(scenario(), runs=20, settings=RunSettings(executor="serial", progress=True))
    assert "20/20" in capsys.readouterr().err
    simulate(scenario(), runs=20, settings=RunSettings(executor="serial", progress=False))
    assert capsys.readouterr().err == ""
    simulate(
        scenario(), runs=20, settings=RunSettings(executor="serial")
    )  # stderr is captured: not a terminal
    assert capsys.readouterr().err == ""


def test_importing_the_packages_loads_no_heavy_dependency():
    code = (
        "import sys, escalsim.ensemble, escalsim.results\n"
        "heavy = {'pandas', 'pyarrow', 'dask', 'distributed', 'tqdm', 'matplotlib'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG_GUARD, check=True
    )
    assert out.stdout.strip() == "[]"


# --- Dask ------------------------------------------------------------------------------------


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


def test_dask_gives_the_same_table(reference, dask_client):
    from escalsim.ensemble import DaskExecutor

    ex = DaskExecutor(dask_client)
    assert ex.workers == 2
    res = ensemble(fake_job(), ex, chunk_size=23)
    pd.testing.assert_frame_equal(res.runs, reference, check_exact=True)
    assert res.provenance["executor"] == "dask"
    ex.close()
    assert dask_client.status == "running"  # a Client we were given is left open


def test_the_cluster_dask_executor_starts_does_not_profile_its_workers():
    """The workers' stack sampler (every 10 ms, for the dashboard) costs parallel efficiency
    and serves no one on a cluster started for these runs alone. In a fresh interpreter: here a
    Client of another test may be current, and the executor would use its cluster."""
    pytest.importorskip("distributed")
    code = (
        "import dask, warnings\n"
        "from escalsim.ensemble import DaskExecutor\n"
        "if __name__ == '__main__':\n"
        "    warnings.simplefilter('ignore')\n"
        "    ex = DaskExecutor(workers=1)\n"
        "    key = 'distributed.worker.profile.enabled'\n"
        "    seen = list(ex._connect().run(lambda: dask.config.get(key)).values())\n"
        "    ex.close()\n"
        "    print(seen, dask.config.get(key))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG_GUARD
    )
    assert out.returncode == 0, out.stderr[-3000:]
    # the workers do not profile; the caller's configuration is left as it was
    assert out.stdout.split("\n")[-2] == "[False] True"


def test_dask_by_scheduler_address_with_the_engine(engine_reference, dask_client):
    address = dask_client.scheduler.address
    res = simulate(
        scenario(),
        runs=120,
        seed=3,
        settings=RunSettings(executor="dask", scheduler=address, progress=False),
    )
    pd.testing.assert_frame_equal(res.runs, engine_reference.runs, check_exact=True)
    assert res.provenance["workers"] == 2


def test_dask_run_errors_propagate(dask_client):
    from escalsim.ensemble import DaskExecutor

    with pytest.raises(RunError, match="fake failure"):
        ensemble(fake_job(fail_run=30), DaskExecutor(dask_client), chunk_size=10, runs=60)


def test_dask_reruns_a_chunk_whose_worker_process_died(reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    cloudpickle = pytest.importorskip("cloudpickle")
    import dask
    import fakes_ensemble

    from escalsim.ensemble import DaskExecutor

    # worker processes cannot import the tests folder: ship the fake task by value
    cloudpickle.register_pickle_by_value(fakes_ensemble)
    marker = tmp_path / "crashed"
    # The scheduler's active memory manager drops the copies of data it deems spare, here every
    # 10 ms: a payload scattered to the workers (as DaskExecutor once did) was then often held
    # by the crashing worker alone, and lost with it. It now travels with each chunk.
    eager_drops = {
        "distributed.scheduler.active-memory-manager.start": True,
        "distributed.scheduler.active-memory-manager.interval": "10ms",
    }
    try:
        with (
            warnings.catch_warnings(),
            dask.config.set(eager_drops),
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            warnings.simplefilter("ignore")
            client.wait_for_workers(2)
            job = fake_job(crash_run=37, crash_marker=str(marker))
            res = ensemble(job, DaskExecutor(client), chunk_size=16)
    finally:
        cloudpickle.unregister_pickle_by_value(fakes_ensemble)
    assert marker.exists()  # a worker process really was killed
    pd.testing.assert_frame_equal(res.runs, reference, check_exact=True)
