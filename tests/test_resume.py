"""Resumable streaming runs: interrupt, resume, and end with the uninterrupted run's table.

Most tests run the fake task through the real driver (fast, and it can raise Ctrl-C on a
chosen run); one runs the ``escalsim`` command on a small scenario, kills it, stops it with
SIGTERM and resumes it.
"""

from __future__ import annotations

import os
import re
import signal
import struct
import subprocess
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from cli_helpers import run_main
from fakes_ensemble import DATA, ensemble, fake_job, scenario
from time_limits import HANG_GUARD

from escalsim import Results, RunSettings, load_scenario
from escalsim.ensemble import ProcessExecutor, simulate
from escalsim.errors import Interrupted, ResultsError
from escalsim.results import partial
from escalsim.results.io import events_path
from escalsim.results.partial import partial_path

"""Seconds after which a wait counts as a hang: only there to stop a real one."""


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
    with pytest.warns(RuntimeWarning, match="chunk-000000000080.parquet: the kept chunk does not"):
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


@pytest.mark.parametrize("events", [False, True])
def test_a_kept_chunk_changed_on_disk_is_run_again_with_a_warning(tmp_path, references, events):
    """Bytes changed inside a chunk, its Parquet footer intact: still readable, with an
    impossible value; the checksum catches it and the chunk is never copied into the target."""
    out = tmp_path / "big.parquet"
    with pytest.raises(Interrupted):
        ensemble(fake_job(interrupt_run=100, keep_events=events), out=out, resume=True)
    chunk = partial_path(out) / "chunk-000000000032.parquet"
    if events:
        chunk = events_path(chunk)
    data = chunk.read_bytes()
    table = file_table(chunk)
    column, value = next(  # a float stored once, as its 8 bytes (no compression can hide it)
        (name, struct.pack("<d", x))
        for name in table.columns
        if table[name].dtype == "float64"
        for x in table[name]
        if data.count(struct.pack("<d", x)) == 1
    )
    chunk.write_bytes(data.replace(value, struct.pack("<d", -89.29)))
    assert -89.29 in file_table(chunk)[column].to_numpy()  # a reader sees nothing wrong
    with pytest.warns(RuntimeWarning, match=f"{chunk.name}: the kept chunk does not match its"):
        res = ensemble(fake_job(keep_events=events), out=out, resume=True)
    assert res.provenance["resumed_from"] == 32
    assert_same_files(out, references / f"ref{int(events)}.parquet", events)


def test_a_chunk_kept_without_its_checksum_is_run_again_in_silence(tmp_path, references):
    """A writer killed between keeping a chunk and recording its checksum: not an alarm."""
    out = tmp_path / "big.parquet"
    with pytest.raises(Interrupted):
        ensemble(fake_job(interrupt_run=100), out=out, resume=True)
    record = partial_path(out) / partial.CHECKSUMS
    lines = record.read_text().splitlines(keepends=True)
    assert len(lines) == 6 and lines[-1].endswith("  chunk-000000000080.parquet\n")
    record.write_text("".join(lines[:-1]) + lines[-1][:30])  # the last line cut short
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = ensemble(fake_job(), out=out, resume=True)
    assert res.provenance["resumed_from"] == 80
    assert_same_files(out, references / "ref0.parquet", False)


@pytest.mark.skipif(os.name != "posix", reason="POSIX locks")
def test_a_run_in_progress_is_not_discarded_by_force(tmp_path, capsys):
    out = tmp_path / "big.parquet"
    with pytest.raises(Interrupted):
        ensemble(fake_job(interrupt_run=100), out=out, resume=True)
    before = sorted(partial_path(out).iterdir())
    held = partial.RunLock(out)  # as the process resuming it would hold it
    try:
        words = f"process {os.getpid()} is running it now; force=True (--force) does not discard"
        with pytest.raises(ResultsError, match=re.escape(words)):
            ensemble(fake_job(), out=out, force=True)
        args = ["run", str(DYAD), "--runs", "5", "--executor", "serial", "-q", "--force"]
        code, _, err = run_main([*args, "--out", str(out)], capsys)
        assert code == 1 and words.replace("=True", "") in err.replace("=True", "")
        assert err.count("\n") == 1
        assert sorted(partial_path(out).iterdir()) == before and not out.exists()
    finally:
        held.release()


@pytest.mark.skipif(os.name != "posix", reason="POSIX locks and fork")
def test_a_forked_child_does_not_keep_the_run_lock_of_its_dead_parent(tmp_path):
    """A worker outliving its parent (killed, so nothing was released) must not hold the run."""
    out = tmp_path / "big.parquet"
    script = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from escalsim.results.partial import RunLock\n"
        "lock = RunLock(Path(sys.argv[1]))\n"
        "child = os.fork()\n"
        "if child == 0:  # let go of the output pipes, so that the test reads their end\n"
        "    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)\n"
        "    os.dup2(1, 2)\n"
        "    time.sleep(600)\n"
        "    os._exit(0)\n"
        "print(child, flush=True)\n"
        "os._exit(0)  # dies holding the lock, as SIGKILL would leave it\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(out)], capture_output=True, text=True, timeout=HANG_GUARD
    )
    assert done.returncode == 0, done.stderr
    child = int(done.stdout)
    try:
        os.kill(child, 0)  # the child outlived its parent, and sleeps on
        partial.RunLock(out).release()  # free: the child closed its copy of the lock
    finally:
        os.kill(child, signal.SIGKILL)


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
    kw = {"runs": 200, "seed": 11, "out": out, "resume": True}
    serial = RunSettings(executor="serial")
    with pytest.raises(ResultsError, match="a different scenario"):
        simulate(changed, **kw, settings=serial)
    with pytest.raises(ResultsError, match="Python rules None, not"):
        simulate(scenario(), **kw, settings=replace(serial, rules={"b": lambda view: "hold"}))
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
    """``escalsim run`` on the dyad, resumable, with 4000 runs unless ``extra`` says more."""
    args = ["run", str(DYAD), "--runs", "4000", "--seed", "5", "--out", str(out), "--resume"]
    return subprocess.Popen(
        [sys.executable, "-m", "escalsim.cli.main", *args, "-q", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kept_chunks(out: Path) -> int:
    """Chunks kept for a resume: those whose checksums are recorded. A chunk's runs file is in
    place a moment before its checksum, and a chunk killed in between is run again."""
    try:
        text = (partial_path(out) / partial.CHECKSUMS).read_text(encoding="ascii")
    except FileNotFoundError:
        return 0
    return sum(line.endswith(".parquet") and ".events" not in line and ".decisions" not in line
               for line in text.splitlines())  # fmt: skip


def _wait_for_chunks(out: Path, n: int, proc: subprocess.Popen) -> None:
    while len(list(partial_path(out).glob("chunk-*.parquet"))) < n:  # or the test's hang guard
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)


@pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")
def test_cli_killed_then_stopped_then_resumed_gives_the_uninterrupted_table(tmp_path):
    out = tmp_path / "big.parquet"
    proc = _start(out, "--executor", "serial")  # chunks sized by time
    _wait_for_chunks(out, 1, proc)
    proc.kill()  # no chance to clean up
    proc.wait(timeout=HANG_GUARD)
    assert not out.exists()
    kept = len(list(partial_path(out).glob("chunk-*.parquet")))  # small chunks: maybe several

    proc = _start(out, "--executor", "serial")
    _wait_for_chunks(out, kept + 1, proc)  # one of its own: it is running by then
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
    expected = simulate(
        DYAD, runs=4000, seed=5, settings=RunSettings(executor="serial", progress=False)
    )
    pd.testing.assert_frame_equal(Results.from_parquet(out).runs, expected.runs, check_exact=True)

    again = _start(out)  # nothing left to do: the file is reported, not rewritten
    stdout, stderr = again.communicate(timeout=HANG_GUARD)
    assert again.returncode == 0 and "nothing to resume" in stdout, stderr


def _poll(ready, what: str, proc: subprocess.Popen | None = None) -> None:
    """Wait until ``ready()``; fail if ``proc`` ends first, or after HANG_GUARD seconds."""
    deadline = time.monotonic() + HANG_GUARD
    while not ready():
        if proc is not None:
            assert proc.poll() is None, (what, proc.communicate())
        assert time.monotonic() < deadline, f"still waiting after {HANG_GUARD:g} s: {what}"
        time.sleep(0.01)


def _stat(pid: int) -> tuple[str, int, str] | None:
    """(state, parent pid, start time) of a process, from Linux's /proc; None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1]), fields[19]


def _descendants(pid: int) -> dict[int, str]:
    """The processes below ``pid`` (its workers, and theirs), each with its start time."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            table[int(entry.name)] = stat
    found: dict[int, str] = {}
    parents = {pid}
    while parents:
        children = {p for p, (_, ppid, _) in table.items() if ppid in parents} - set(found)
        found.update((p, table[p][2]) for p in children)
        parents = children
    return found


def _running(pid: int, started: str) -> bool:
    """Whether that very process (not a later one given its pid) still runs (zombies do not)."""
    stat = _stat(pid)
    return stat is not None and stat[2] == started and stat[0] not in "ZX"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads Linux's /proc")
def test_cli_sigkilled_with_workers_ends_them_and_resumes_with_no_manual_step(tmp_path):
    out = tmp_path / "big.parquet"
    args = ["--runs", "8000", "--workers", "2"]  # 8 chunks of 1000 runs, two in flight
    proc = _start(out, *args)
    workers: dict[int, str] = {}

    def busy() -> bool:
        workers.update(_descendants(proc.pid))
        return len(workers) >= 2 and _kept_chunks(out) > 0

    _poll(busy, "two workers and a finished chunk", proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=HANG_GUARD)
    assert not out.exists(), "the run finished before it could be killed"

    resumed = _start(out, *args)  # at once: nothing to clean up, no lock held by the workers
    _poll(lambda: not any(_running(*w) for w in workers.items()), "workers outlived the run")
    stdout, stderr = resumed.communicate(timeout=HANG_GUARD)
    assert resumed.returncode == 0, stderr
    assert "runs written to" in stdout and "Traceback" not in stderr
    assert [p.name for p in tmp_path.iterdir()] == ["big.parquet"]
    expected = simulate(DYAD, runs=8000, seed=5, settings=RunSettings(workers=2, progress=False))
    res = Results.from_parquet(out)
    pd.testing.assert_frame_equal(res.runs, expected.runs, check_exact=True)
    assert 0 < res.provenance["resumed_from"] < 8000


def _interrupt(*args: object) -> None:
    raise KeyboardInterrupt


def test_cli_warns_in_one_line_of_a_kept_chunk_run_again(tmp_path, monkeypatch, capsys):
    out = tmp_path / "big.parquet"
    monkeypatch.setattr(partial.PartialRun, "commit", _interrupt)  # every chunk kept
    with pytest.raises(Interrupted):
        simulate(
            DYAD,
            40,
            5,
            out=out,
            resume=True,
            settings=RunSettings(executor="serial", chunk_size=10),
        )
    monkeypatch.undo()
    chunk = partial_path(out) / "chunk-000000000010.parquet"
    chunk.write_bytes(chunk.read_bytes() + b"x")  # one byte more
    args = ["run", str(DYAD), "--runs", "40", "--seed", "5", "--executor", "serial", "-q"]
    code, stdout, err = run_main([*args, "--out", str(out), "--resume"], capsys)
    assert code == 0 and "runs written to" in stdout
    assert err == (
        f"warning: {chunk}: the kept chunk does not match its checksum (damaged or changed); "
        "runs from 10 on are run again\n"
    )
    expected = simulate(
        DYAD, runs=40, seed=5, settings=RunSettings(executor="serial", progress=False)
    )
    pd.testing.assert_frame_equal(Results.from_parquet(out).runs, expected.runs, check_exact=True)


def test_cli_resume_needs_out(tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "escalsim.cli.main", "run", str(DYAD), "--resume"],
        capture_output=True, text=True, cwd=tmp_path, timeout=HANG_GUARD,
    )  # fmt: skip
    assert res.returncode == 2 and "--resume" in res.stderr and "--out" in res.stderr
    assert "Traceback" not in res.stderr and list(tmp_path.iterdir()) == []
