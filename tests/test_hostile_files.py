"""Hostile and odd scenario files: endless streams, files outside the scenario's folder, text
read by YAML in a way its writer did not mean, dates outside the range a run can hold."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from scenario_helpers import MINIMAL, one_problem, write

from escalsim.errors import ScenarioError
from escalsim.scenario import load_scenario, yaml_source

HANG_GUARD = 120.0
"""Seconds after which a command that should return at once counts as hung."""


# --- endless and special files ----------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    res = subprocess.run(
        [sys.executable, "-m", "escalsim.cli.main", "validate", str(pipe)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert res.returncode == 1
    assert res.stderr.strip() == f"is a named pipe, not a scenario file ({pipe})"


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(yaml_source, "MAX_BYTES", 100)
    file = write(tmp_path, MINIMAL)
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(file)
    assert one_problem(excinfo).message == "the file is larger than 100 bytes, the size limit"


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux /proc")
def test_a_file_whose_size_is_unknown_is_read_only_up_to_the_limit(monkeypatch) -> None:
    """/proc files say they are empty: the limit holds on what is read, not on what is said."""
    monkeypatch.setattr(yaml_source, "MAX_BYTES", 10)
    assert os.stat("/proc/self/status").st_size == 0
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario("/proc/self/status")
    assert "larger than 10 bytes" in one_problem(excinfo).message
