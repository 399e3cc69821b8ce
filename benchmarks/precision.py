"""Time to a ±1 point answer: ``escalsim run --precision 0.01`` as a user runs it.

Runs ``escalsim run SCENARIO --precision P --seed S --workers W`` in a fresh process, so the
wall time includes the interpreter's start-up, loading the scenario, the worker pool and the
report. Prints the wall time, the runs the precision rule needed and the widest 95% interval
half-width reached (recomputed exactly from the outcome counts the command prints).

    python -m benchmarks.precision [scenario.yaml] [--precision P] [--seed S] [--workers W]
        [--runs N]

Without ``--runs`` the command's own default minimum run count applies, as it does for a user.
The CPU time of the command and its workers is printed too: on a shared machine it is the
steadier figure (divided by the workers, the wall time the cores would need if idle).
"""

from __future__ import annotations

import argparse
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.startup import console_script
from escalsim.results.stats import wilson_half_width

ROOT = Path(__file__).resolve().parent.parent
TARGET = 4.0
"""Seconds: the goal for a ±1 point answer on the flagship scenario, on 2 cores (issue 17)."""

RUNS = re.compile(r"^([\d,]+) runs in ([\d.]+) s", re.M)
OUTCOME = re.compile(r"^\W*(\S.*?)\W+[\d.]+\W+[\d.]+ – [\d.]+\W+([\d,]+)\W*$")
"""A row of the outcome table: its label (words, since outcomes have labels) and its runs."""


def outcome_counts(report: str) -> dict[str, int]:
    """The run count of each outcome in the report's outcome table."""
    table = report.split("Outcomes", 1)[-1].split("Milestones", 1)[0]
    found = (OUTCOME.match(line) for line in table.splitlines())
    return {m.group(1): int(m.group(2).replace(",", "")) for m in found if m}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios/venezuela_2025.yaml"))
    parser.add_argument("--precision", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, help="Minimum run count (passed on as --runs).")
    args = parser.parse_args()
    argv = [
        *console_script(),
        "run",
        args.scenario,
        "--precision",
        str(args.precision),
        "--seed",
        str(args.seed),
        "--workers",
        str(args.workers),
        *([] if args.runs is None else ["--runs", str(args.runs)]),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    runs = RUNS.search(done.stdout)
    counts = outcome_counts(done.stdout)
    if runs is None or not counts:
        sys.exit(f"cannot read the run count or the outcome table from:\n{done.stdout}")
    n = int(runs.group(1).replace(",", ""))
    widest = max(float(wilson_half_width(k, n)) for k in counts.values())
    met = "met" if wall < TARGET else "MISSED"
    print(f"command             {' '.join(argv)}")
    print(f"wall time           {wall:.1f} s  (target {TARGET:g} s: {met})")
    print(f"  in simulate       {float(runs.group(2)):.1f} s  (as the command reports it)")
    print(f"runs used           {n:,}")
    print(f"widest half-width   {widest:.4f}  (asked ±{args.precision:g})")
    print(f"runs per second     {n / wall:,.0f}  (wall, {args.workers} workers)")
    print(
        f"CPU time            {cpu:.1f} s  (the command and its workers; on {args.workers} idle "
        f"cores at least {cpu / args.workers:.1f} s of wall time)"
    )


if __name__ == "__main__":
    main()
