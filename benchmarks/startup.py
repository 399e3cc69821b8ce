"""Start-up time: ``import escalsim`` and ``escalsim --help`` in fresh processes.

Each command runs ``--repeat`` times (after one unmeasured run that warms the file cache), the
commands interleaved so that a burst of load on the machine hits them alike; prints the best
and the median wall time of each, and what each adds to ``python -c pass`` (in medians).

    python -m benchmarks.startup [--repeat N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET = 0.5
"""Seconds: the goal for ``import escalsim`` and ``escalsim --help``."""


def console_script() -> list[str]:
    """The installed ``escalsim`` command (the one next to this Python, else on PATH)."""
    beside = Path(sys.executable).with_name("escalsim")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("escalsim")
    return [found] if found else [sys.executable, "-m", "escalsim.cli.main"]


def wall_seconds(argv: list[str]) -> float:
    """Wall time of one run of ``argv``, its output discarded; a failure stops the benchmark."""
    t0 = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    escalsim = console_script()
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "import escalsim": [sys.executable, "-c", "import escalsim"],
        "escalsim --help": [*escalsim, "--help"],
        "escalsim run --help": [*escalsim, "run", "--help"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():
        wall_seconds(argv)  # warm up
    for _ in range(args.repeat):
        for name, argv in commands.items():
            times[name].append(wall_seconds(argv))
    base = statistics.median(times["python -c pass"])
    print(f"python              {sys.executable}")
    print(f"escalsim command    {' '.join(escalsim)}")
    print(f"runs per command    {args.repeat}")
    print(f"{'command':<20}  {'best s':>7}  {'median s':>8}  {'median over python s':>20}  target")
    for name, values in times.items():
        best, median = min(values), statistics.median(values)
        target = "" if name == "python -c pass" else ("met" if best < TARGET else "MISSED")
        print(f"{name:<20}  {best:>7.3f}  {median:>8.3f}  {median - base:>20.3f}  {target}")
    print(f"target: under {TARGET:g} s of wall time, start-up of the interpreter included")


if __name__ == "__main__":
    main()
