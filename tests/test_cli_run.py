"""``escalsim run`` from the command line: output, files, bad flags, Ctrl-C.

The command runs in-process through its entry point (``run_main``), except where only a real
process will do: Ctrl-C is a signal sent to a running command.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import run_main
from time_limits import HANG_GUARD

ROOT = Path(__file__).resolve().parent.parent
DYAD = ROOT / "tests" / "data" / "dyad.yaml"


def test_run_prints_outcomes_milestones_runs_and_time(tmp_path, capsys):
    out = tmp_path / "runs.parquet"
    args = ["run", str(DYAD), "--runs", "300", "--seed", "3", "--workers", "2", "--out", str(out)]
    code, stdout, err = run_main(args, capsys)
    assert code == 0, err
    for outcome in ("deal", "war", "collapse", "backdown", "stalemate"):
        assert outcome in stdout
    assert "300 runs in" in stdout and "seed 3" in stdout
    assert "Milestones" in stdout and "blockade" in stdout
    assert out.exists()
    import escalsim as es

    loaded = es.Results.from_parquet(out)
    assert len(loaded.runs) == 300 and loaded.provenance["seed"] == 3


def test_run_refuses_to_overwrite_without_force(tmp_path, capsys):
    out = tmp_path / "runs.parquet"
    assert run_main(["run", str(DYAD), "--runs", "20", "--out", str(out), "-q"], capsys)[0] == 0
    before = out.read_bytes()
    code, _, err = run_main(["run", str(DYAD), "--runs", "30", "--out", str(out), "-q"], capsys)
    assert code == 1 and "exists" in err
    assert out.read_bytes() == before
    forced = ["run", str(DYAD), "--runs", "30", "--out", str(out), "-q", "--force"]
    assert run_main(forced, capsys)[0] == 0


def test_set_changes_the_scenario(capsys):
    args = [
        "run", str(DYAD), "--runs", "50", "--executor", "serial", "-q",
        "--set", "actors.a.repertoire=[hold, backdown]",
        "--set", "mechanisms.history=false",
    ]  # fmt: skip
    code, _, err = run_main(args, capsys)
    assert code == 0, err
    assert "error" not in err


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--runs", "-5"], 2, "--runs"),
        (["--runs", "abc"], 2, "--runs"),
        (["--workers", "0"], 2, "--workers"),
        (["--precision", "2"], 2, "--precision"),
        (["--set", "nonsense"], 2, "PATH=VALUE"),
        (["--executor", "cloud"], 2, "--executor"),
        (["--set", "actors.a.rationalty=2"], 1, "did you mean 'rationality'"),
        (["--set", "actors.a.rationality=-2"], 1, "actors.a.rationality"),
        (["--out", "x.txt"], 2, ".parquet or .csv"),
    ],
)
def test_bad_flags_give_one_clear_message(args, code, words, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    got, out, err = run_main(["run", str(DYAD), "--runs", "10", *args], capsys)
    assert got == code
    assert words in err + out
    assert list(tmp_path.iterdir()) == []


def test_missing_or_malformed_scenario_file(tmp_path, capsys):
    code, _, err = run_main(["run", str(tmp_path / "nope.yaml")], capsys)
    assert code == 1 and "file not found" in err and "nope.yaml" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\nname: x\nstart: 2025-01-01\nhorizon: -3\n")
    code, _, err = run_main(["run", str(bad)], capsys)
    assert code == 1 and "bad.yaml:4" in err


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a /proc file system")
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--out", "/proc/x.parquet"], "/proc/x.parquet: cannot write in /proc"),
        (["--out", "/proc/x.parquet", "--resume"], "/proc/x.parquet: cannot write in /proc"),
        (["--plot", "/proc/figures"], "/proc/figures: cannot make the folder"),
    ],
)
def test_an_unwritable_destination_is_refused_before_running(args, words, capsys):
    """/proc takes no new files, even from root (for whom permissions would not stop it)."""
    code, out, err = run_main(
        ["run", str(DYAD), "--runs", "10", "--executor", "serial", *args], capsys
    )
    assert code == 1 and out == ""  # refused before any run: no table
    assert err.strip().splitlines() == [f"error: {words} (No such file or directory)"]


READY_AFTER_A_CHUNK = """
import sys
import escalsim.ensemble.loop as loop
from escalsim.cli.main import main

class Ready:  # in place of the progress bar: say when a chunk of runs has finished
    def update(self, n=1):
        print("ready", flush=True)

    def close(self):
        pass

loop.progress_bar = lambda *args, **kwargs: Ready()
main(sys.argv[1:])
"""
"""The real entry point, which prints "ready" on stdout each time a chunk of runs is done."""


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")
def test_ctrl_c_summarises_what_finished_and_leaves_no_file(tmp_path):
    out = tmp_path / "big.parquet"
    args = ["run", str(DYAD), "--runs", "1000000", "--executor", "serial", "--out", str(out), "-q"]
    proc = subprocess.Popen(
        [sys.executable, "-c", READY_AFTER_A_CHUNK, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # as from a terminal: Ctrl-C not ignored, whatever the test process inherited (an
        # ignored signal stays ignored across exec, and Python then never raises on it)
        preexec_fn=_default_sigint,
    )
    try:
        ready = proc.stdout.readline()  # however long start-up and a chunk take
        assert ready == "ready\n", proc.communicate()  # it ended before any chunk finished
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=HANG_GUARD)
    finally:
        proc.kill()  # a no-op once it has ended
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert "Outcomes of the finished runs" in stderr  # at least one chunk had finished
    assert list(tmp_path.iterdir()) == []


def test_precision_decides_the_run_count_above_a_small_minimum(capsys):
    """±5 points needs under 400 runs at any p (1.96² · 0.25 / 0.05²), so the minimum binds."""
    args = ["run", str(DYAD), "--precision", "0.05", "--seed", "2", "--executor", "serial"]
    code, out, err = run_main(args, capsys)
    assert code == 0, err
    assert "precision ±0.05: met after 1,000 runs" in out


def test_a_system_error_during_a_run_is_one_line(monkeypatch, capsys):
    """A write the checks could not foresee failing (a full disk) ends with one message."""
    import escalsim as es
    from escalsim.cli.main import main

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device", "runs.parquet")

    monkeypatch.setattr(es, "simulate", full_disk)
    with pytest.raises(SystemExit) as exc:
        main(["run", str(DYAD), "--runs", "10"])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert err == "error: [Errno 28] No space left on device: 'runs.parquet'\n"
