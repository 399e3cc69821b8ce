"""Run the benchmarks, each in a fresh interpreter, one after the other.

    python -m benchmarks              # all but the memory soak and the mutants (both long)
    python -m benchmarks engine markov
    python -m benchmarks --list

Each benchmark also runs alone (``python -m benchmarks.<name> --help`` shows its options);
benchmarks/README.md says what each measures and the figures last measured.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

BENCHMARKS = {
    "engine": "cost per SimPy event of the flagship scenario vs a bare SimPy timeout",
    "markov": "a Markov-chain reduction in escalsim vs the same chain in NumPy lock-step",
    "mesa_compare": "escalsim vs the same crisis as a Mesa model run with batch_run",
    "parallel": "parallel efficiency on 1 and 2 processes and a 2-worker Dask cluster",
    "precision": "wall time of a ±1 point answer on the flagship scenario",
    "startup": "import escalsim and escalsim --help",
    "trace": "time per run with decision traces off and on; their bytes per run",
    "memory": "peak memory streaming 10^5 and 10^6 runs; bytes per run in Results (long)",
    "mutants": "targeted mutants of the valuation layer, each killed by the model tests (long)",
}
DEFAULT = [name for name in BENCHMARKS if name not in ("memory", "mutants")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and stop")
    args = parser.parse_args()
    if args.list:
        for name, what in BENCHMARKS.items():
            print(f"{name:14} {what}")
        return 0
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r} (choose from {', '.join(BENCHMARKS)})")
    failed = []
    for name in args.names or DEFAULT:
        print(f"\n=== {name}: {BENCHMARKS[name]}", flush=True)
        if subprocess.run([sys.executable, "-m", f"benchmarks.{name}"]).returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
