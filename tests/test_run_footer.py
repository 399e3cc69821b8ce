"""`escalsim run`'s footer gives the pace, and its workers default to the available cores."""

from __future__ import annotations

import os
import re
from pathlib import Path

from cli_helpers import run_main

from escalsim.ensemble.executors import ProcessExecutor, available_cores

DYAD = Path(__file__).resolve().parent / "data" / "dyad.yaml"


def test_the_footer_prints_runs_per_second(capsys):
    code, stdout, err = run_main(["run", str(DYAD), "--runs", "60", "--executor", "serial"], capsys)
    assert code == 0, err
    found = re.search(r"60 runs in [\d.]+ s, ([\d,]+) runs/s", stdout)
    assert found and int(found.group(1).replace(",", "")) > 0


def test_workers_default_to_the_cores_this_process_may_use():
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert available_cores() == expected
    assert ProcessExecutor().workers == expected
