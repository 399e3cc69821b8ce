"""``escalsim run`` from the command line: output, files, bad flags, Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DYAD = ROOT / "tests" / "data" / "dyad.yaml"


def escalsim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "escalsim.cli.main", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_run_prints_outcomes_milestones_runs_and_time(tmp_path):
    out = tmp_path / "runs.parquet"
    res = escalsim(
        "run", str(DYAD), "--runs", "300", "--seed", "3", "--workers", "2", "--out", str(out)
    )
    assert res.returncode == 0, res.stderr
    for outcome in ("deal", "war", "collapse", "backdown", "stalemate"):
        assert outcome in res.stdout
    assert "300 runs in" in res.stdout and "seed 3" in res.stdout
    assert "Milestones" in res.stdout and "blockade" in res.stdout
    assert out.exists()
    import escalsim as es

    loaded = es.Results.from_parquet(out)
    assert len(loaded.runs) == 300 and loaded.provenance["seed"] == 3


def test_run_refuses_to_overwrite_without_force(tmp_path):
    out = tmp_path / "runs.parquet"
    assert escalsim("run", str(DYAD), "--runs", "20", "--out", str(out), "-q").returncode == 0
    before = out.read_bytes()
    again = escalsim("run", str(DYAD), "--runs", "30", "--out", str(out), "-q")
    assert again.returncode == 1 and "exists" in again.stderr and "Traceback" not in again.stderr
    assert out.read_bytes() == before
    forced = escalsim("run", str(DYAD), "--runs", "30", "--out", str(out), "-q", "--force")
    assert forced.returncode == 0


def test_set_changes_the_scenario():
    res = escalsim(
        "run", str(DYAD), "--runs", "50", "--executor", "serial", "-q",
        "--set", "actors.a.repertoire=[hold, backdown]",
        "--set", "mechanisms.history=false",
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "error" not in res.stderr


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
        (["--out", "x.csv"], 2, ".parquet"),
    ],
)
def test_bad_flags_give_one_clear_message(args, code, words, tmp_path):
    res = escalsim("run", str(DYAD), "--runs", "10", *args, cwd=tmp_path)
    assert res.returncode == code
    assert words in res.stderr + res.stdout
    assert "Traceback" not in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_or_malformed_scenario_file(tmp_path):
    res = escalsim("run", str(tmp_path / "nope.yaml"))
    assert res.returncode == 1 and "file not found" in res.stderr and "nope.yaml" in res.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\nname: x\nstart: 2025-01-01\nhorizon: -3\n")
    res = escalsim("run", str(bad))
    assert res.returncode == 1 and "bad.yaml:4" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a /proc file system")
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--out", "/proc/x.parquet"], "/proc/x.parquet: cannot write in /proc"),
        (["--out", "/proc/x.parquet", "--resume"], "/proc/x.parquet: cannot write in /proc"),
        (["--plot", "/proc/figures"], "/proc/figures: cannot make the folder"),
    ],
)
def test_an_unwritable_destination_is_refused_before_running(args, words):
    """/proc takes no new files, even from root (for whom permissions would not stop it)."""
    res = escalsim("run", str(DYAD), "--runs", "10", "--executor", "serial", *args)
    assert res.returncode == 1 and res.stdout == ""  # refused before any run: no table
    assert res.stderr.strip().splitlines() == [f"error: {words} (No such file or directory)"]


@pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")
def test_ctrl_c_summarises_what_finished_and_leaves_no_file(tmp_path):
    out = tmp_path / "big.parquet"
    flagship = str(ROOT / "scenarios/venezuela_2025.yaml")
    args = ["run", flagship, "--runs", "1000000", "--executor", "serial", "--out", str(out), "-q"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "escalsim.cli.main", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(6)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []


def test_precision_decides_the_run_count_above_a_small_minimum():
    """±5 points needs under 400 runs at any p (1.96² · 0.25 / 0.05²), so the minimum binds."""
    res = escalsim("run", str(DYAD), "--precision", "0.05", "--seed", "2", "--executor", "serial")
    assert res.returncode == 0, res.stderr
    assert "precision ±0.05: met after 1,000 runs" in res.stdout


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
