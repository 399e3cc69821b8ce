"""Resumable streaming runs: interrupt, resume, and end with the uninterrupted run's table.

Most tests run the fake task through the real driver (fast, and it can raise Ctrl-C on a
chosen run); one runs the ``escalsim`` command on a small scenario, kills it, stops it with
SIGTERM and resumes it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from fakes_ensemble import DATA, ensemble, fake_job, scenario
from time_limits import HANG_GUARD

from escalsim import Results, load_scenario
from escalsim.ensemble import ProcessExecutor, simulate
from escalsim.errors import Interrupted, ResultsError
from escalsim.results import partial
from escalsim.results.io import events_path
from escalsim.results.partial import partial_path


def file_table(path: Path) -> pd.DataFrame:
    """The table exactly as stored in a Parquet file (no dtype restoring)."""
    return pq.read_table(path).to_pandas()


def assert_same_files(out: Path, ref: Path, events: bool) -> None:
    pd.testing.assert_frame_equal(file_table(out), file_table(ref), check_exact=True)
    a, b = Results.from_parquet(out), Results.from_parquet(ref)
    pd.testing.assert_frame_equal(a.runs, b.runs, check_exact=True)
    if events:
        pd.testing.assert_frame_equal(a.events, b.events, check_exact=True)
        pd.testing.assert_frame_equal(
            file_table(events_path(out)), file_table(events_path(ref)), check_exact=True
        )


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    """Uninterrupted streamed runs of the fake task, with and without events."""
    folder = tmp_path_factory.mktemp("ref")
    for events in (False, True):
        ensemble(fake_job(keep_events=events), out=folder / f"ref{int(events)}.parquet")
    return folder


@pytest.mark.parametrize("events", [False, True])
def test_interrupted_twice_then_resumed_gives_the_uninterrupted_table(tmp_path, references, events):
    out = tmp_path / "big.parquet"
    for stop_at in (40, 150):  # the second call resumes, and is interrupted again
        with pytest.raises(Interrupted) as info:
            ensemble(fake_job(interrupt_run=stop_at, keep_events=events), out=out, resume=True)
        assert info.value.kept == partial_path(out)
        assert info.value.runs == stop_at // 16 * 16 == sum(info.value.counts.values())
        assert not out.exists()
    # resumed with another executor and chunk size: only the table's settings must match
    res = ensemble(
        fake_job(keep_events=events), ProcessExecutor(2), chunk_size=7, out=out, resume=True
    )
    assert_same_files(out, references / f"ref{int(events)}.parquet", events)
    assert res.provenance["resumed_from"] == 144 and res.provenance["runs"] == 200
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["big.parquet"] + ["big.events.parquet"] * events
    )


def test_resume_in_precision_mode_stops_where_the_uninterrupted_run_stops(tmp_path):
    kw = {"precision": 0.04, "runs": 50, "max_runs": 5000, "chunk_size": 64}
    ref = ensemble(fake_job(), out=tmp_path / "ref.parquet", **kw)
    out = tmp_path / "p.parquet"
    with pytest.raises(Interrupted):
        ensemble(fake_job(interrupt_run=300), out=out, resume=True, **kw)
    res = ensemble(fake_job(), out=out, resume=True, **{**kw, "chunk_size": 50})
    assert res.provenance["runs_needed"] == ref.provenance["runs_needed"] == len(res.runs)
    assert_same_files(out, tmp_path / "ref.parquet", False)


def test_interrupt_while_assembling_leaves_no_target_and_keeps_the_chunks(
    tmp_path, references, monkeypatch
):
    out = tmp_path / "big.parquet"
    reads = {"n": 0}
    real_read = partial.read_table

    def interrupting_read(path):
        reads["n"] += 1
        if reads["n"] == 3:
            raise KeyboardInterrupt
        return real_read(path)

    monkeypatch.setattr(partial, "read_table", interrupting_read)
    with pytest.raises(Interrupted) as info:
        ensemble(fake_job(), out=out, resume=True)
    assert info.value.runs == 200
    assert [p.name for p in tmp_path.iterdir()] == ["big.parquet.partial"]  # no target, no temp
    monkeypatch.undo()
    res = ensemble(fake_job(), out=out, resume=True)  # every chunk is there: nothing to run
    assert res.provenance["resumed_from"] == 200
    assert_same_files(out, references / "ref0.parquet", False)
    assert not partial_path(out).exists()


def test_leftover_temporary_and_damaged_chunk_files_are_run_again(tmp_path, references):
    out = tmp_path / "big.parquet"
    with pytest.raises(Interrupted):
        ensemble(fake_job(interrupt_run=100), out=out, resume=True)
    folder = partial_path(out)
    (folder / ".chunk-000000000096.parquet.123.abc.tmp").write_bytes(b"half a file")
    (folder / "chunk-000000000080.parquet").write_bytes(b"damaged")  # later chunks then rerun
    res = ensemble(fake_job(), out=out, resume=True)
    assert res.provenance["resumed_from"] == 80
    assert_same_files(out, references / "ref0.parquet", False)


@pytest.mark.skipif(os.name != "posix", reason="POSIX locks and process probes")
def test_a_run_being_resumed_elsewhere_is_refused(tmp_path, references):
    out = tmp_path / "big.parquet"
    with pytest.raises(Interrupted):
        ensemble(fake_job(interrupt_run=100), out=out, resume=True)
    held = partial.RunLock(out)  # as another process running it would hold it
    try:
        with pytest.raises(ResultsError, match=f"process {os.getpid()} is running it now"):
            ensemble(fake_job(), out=out, resume=True)
        assert held.path.is_file()  # the refused call took nothing away from the holder
    finally:
        held.release()
    ensemble(fake_job(), out=out, resume=True)
    assert_same_files(out, references / "ref0.parquet", False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.parquet"]  # no lock file left


@pytest.mark.skipif(os.name != "posix", reason="POSIX locks and process probes")
def test_temporary_files_of_killed_writers_are_removed(tmp_path, references):
    out = tmp_path / "big.parquet"
    dead = tmp_path / ".big.parquet.999999999.0123456789ab.tmp"  # no process has this pid
    alive = tmp_path / f".big.parquet.{os.getppid()}.0123456789ab.tmp"  # a live writer's
    other = tmp_path / ".other.parquet.999999999.0123456789ab.tmp"  # another target's
    for f in (dead, alive, other):
        f.write_bytes(b"half a file")
    ensemble(fake_job(), out=out)
    assert not dead.exists() and alive.exists() and other.exists()
    assert_same_files(out, references / "ref0.parquet", False)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"seed": 12}, "seed 11, not 12"),
        ({"runs": 300}, "runs 200, not 300"),
        ({"job": fake_job(keep_events=True)}, "keep_events False, not True"),
        ({"precision": 0.05, "max_runs": 1000}, "precision None, not 0.05"),
    ],
)
def test_resume_with_other_settings_is_refused(tmp_path, change, words):
    out = tmp_path / "big.parquet"
    with pytest.raises(Interrupted):
        ensemble(fake_job(interrupt_run=100), out=out, resume=True)
    before = sorted(partial_path(out).iterdir())
    job = change.pop("job", fake_job())
    with pytest.raises(ResultsError, match=words):
        ensemble(job, out=out, resume=True, **change)
    assert sorted(partial_path(out).iterdir()) == before and not out.exists()


def test_resume_with_another_scenario_or_rules_is_refused(tmp_path):
    out = tmp_path / "big.parquet"
    with pytest.raises(Interrupted):
        ensemble(fake_job(interrupt_run=100), out=out, resume=True)
    changed = scenario().with_values({"actors.a.review_days": 7})
    kw = {"runs": 200, "seed": 11, "executor": "serial", "out": out, "resume": True}
    with pytest.raises(ResultsError, match="a different scenario"):
        simulate(changed, **kw)
    with pytest.raises(ResultsError, match="Python rules None, not"):
        simulate(scenario(), rules={"b": lambda view: "hold"}, **kw)
    assert not out.exists()


def test_resume_with_nothing_to_resume(tmp_path, references):
    out = tmp_path / "big.parquet"
    res = ensemble(fake_job(), out=out, resume=True)  # a fresh start: an ordinary run
    assert "resumed_from" not in res.provenance
    assert_same_files(out, references / "ref0.parquet", False)
    assert [p.name for p in tmp_path.iterdir()] == ["big.parquet"]
    stamp = out.stat().st_mtime_ns
    again = ensemble(fake_job(), out=out, resume=True)  # already complete: handed back as is
    assert again.provenance == res.provenance and out.stat().st_mtime_ns == stamp
    with pytest.raises(ResultsError, match="file exists"):  # complete, but not this run
        ensemble(fake_job(), out=out, resume=True, seed=4)
    with pytest.raises(ValueError, match="resume needs out"):
        simulate(load_scenario(DATA / "dyad.yaml"), runs=5, resume=True)


def test_a_kept_run_blocks_a_fresh_one_unless_forced(tmp_path, references):
    out = tmp_path / "big.parquet"
    with pytest.raises(Interrupted):
        ensemble(fake_job(interrupt_run=100), out=out, resume=True)
    with pytest.raises(ResultsError, match=r"unfinished run.*--resume.*--force"):
        ensemble(fake_job(), out=out)
    assert partial_path(out).is_dir()
    ensemble(fake_job(), out=out, force=True)  # discards the kept chunks
    assert [p.name for p in tmp_path.iterdir()] == ["big.parquet"]
    assert_same_files(out, references / "ref0.parquet", False)


# --- the command line ------------------------------------------------------------------------

DYAD = DATA / "dyad.yaml"


def _start(out: Path, *extra: str) -> subprocess.Popen:
    args = ["run", str(DYAD), "--runs", "4000", "--seed", "5", "--out", str(out), "--resume"]
    return subprocess.Popen(
        [sys.executable, "-m", "escalsim.cli.main", *args, "-q", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_chunks(out: Path, n: int, proc: subprocess.Popen) -> None:
    while len(list(partial_path(out).glob("chunk-*.parquet"))) < n:  # or the test's hang guard
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)


@pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")
def test_cli_killed_then_stopped_then_resumed_gives_the_uninterrupted_table(tmp_path):
    out = tmp_path / "big.parquet"
    proc = _start(out, "--executor", "serial")  # 4 chunks of 1000 runs
    _wait_for_chunks(out, 1, proc)
    proc.kill()  # no chance to clean up
    proc.wait(timeout=HANG_GUARD)
    assert not out.exists()

    proc = _start(out, "--executor", "serial")
    _wait_for_chunks(out, 2, proc)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=HANG_GUARD)
    assert proc.returncode == 130, stderr
    assert "big.parquet.partial" in stderr and "--resume" in stderr and "Traceback" not in stderr
    assert "Outcomes of the finished runs" in stderr and not out.exists()

    other = subprocess.run(
        [sys.executable, "-m", "escalsim.cli.main", "run", str(DYAD), "--runs", "4000",
         "--seed", "6", "--out", str(out), "--resume", "-q"],
        capture_output=True, text=True, timeout=HANG_GUARD,
    )  # fmt: skip
    assert other.returncode == 1 and "seed 5, not 6" in other.stderr
    assert "Traceback" not in other.stderr and other.stderr.count("\n") == 1

    proc = _start(out, "--workers", "2")  # the rest, in chunks of another size
    stdout, stderr = proc.communicate(timeout=HANG_GUARD)
    assert proc.returncode == 0, stderr
    assert "runs written to" in stdout
    assert [p.name for p in tmp_path.iterdir()] == ["big.parquet"]
    expected = simulate(DYAD, runs=4000, seed=5, executor="serial", progress=False)
    pd.testing.assert_frame_equal(Results.from_parquet(out).runs, expected.runs, check_exact=True)

    again = _start(out)  # nothing left to do: the file is reported, not rewritten
    stdout, stderr = again.communicate(timeout=HANG_GUARD)
    assert again.returncode == 0 and "nothing to resume" in stdout, stderr


def test_cli_resume_needs_out(tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "escalsim.cli.main", "run", str(DYAD), "--resume"],
        capture_output=True, text=True, cwd=tmp_path, timeout=HANG_GUARD,
    )  # fmt: skip
    assert res.returncode == 2 and "--resume" in res.stderr and "--out" in res.stderr
    assert "Traceback" not in res.stderr and list(tmp_path.iterdir()) == []
