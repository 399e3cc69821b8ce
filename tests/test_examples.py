"""The example scripts run, with few runs, in a temporary folder: they never rot."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from time_limits import HANG_GUARD

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PNG = b"\x89PNG\r\n\x1a\n"


def run_example(name: str, folder: Path, *args: str) -> str:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name), str(folder), *args],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
        env=env,
        cwd=folder.parent,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def pngs(folder: Path) -> list[str]:
    names = sorted(p.name for p in folder.iterdir())
    assert all((folder / n).read_bytes().startswith(PNG) for n in names)
    return names


def test_every_example_is_tested():
    scripts = sorted(p.name for p in EXAMPLES.glob("*.py"))
    # drivers.py is run by tests/test_analysis_cli.py
    assert scripts == ["build_in_python.py", "drivers.py", "flagship.py", "what_if.py"]


def test_flagship(tmp_path):
    out = run_example("flagship.py", tmp_path / "figures", "--runs", "60", "--workers", "1")
    assert pngs(tmp_path / "figures") == [
        "driver.png",
        "incidence.png",
        "milestones.png",
        "outcomes.png",
        "rungs.png",
    ]
    assert "negotiated_exit" in out and "Most common paths" in out
    assert "— Outcome: " in out


def test_what_if(tmp_path):
    out = run_example("what_if.py", tmp_path / "out", "--runs", "60", "--workers", "1")
    assert pngs(tmp_path / "out") == ["comparison.png", "difference.png"]
    assert "(paired: the runs share their seeds)" in out
    assert out.count(" pts") == 8  # one line per outcome of the flagship


def test_build_in_python(tmp_path):
    out = run_example("build_in_python.py", tmp_path / "out", "--runs", "60")
    assert pngs(tmp_path / "out") == ["incidence.png", "rules.png"]
    assert "doctrine" in out and "— Outcome: " in out


@pytest.mark.parametrize("name", ["flagship.py", "what_if.py", "build_in_python.py"])
def test_examples_explain_themselves(name):
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name), "--help"],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    assert done.returncode == 0 and "--runs" in done.stdout
