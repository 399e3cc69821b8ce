"""Peak memory and wall time of streaming long ensembles to Parquet; memory held by Results.

Each measurement runs in a fresh interpreter, so that peaks are not shared between sizes. For
each run count it reports the wall time and the peak RSS of the parent process and of the
largest worker process (``getrusage``) while ``simulate(..., out=file)`` streams the runs to
a Parquet file; streaming is flat when peak(largest) / peak(smallest) stays near 1 (target
at most 1.5). It then measures the bytes per run that an in-memory ``Results`` holds (runs
table, and event logs when kept).

    python -m benchmarks.memory [scenario.yaml] [--runs N ...] [--workers W] [--chunk-size C]
                                [--resume] [--memory-runs N] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RSS_UNIT = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB elsewhere
MB = 1024 * 1024


def peak_rss() -> tuple[int, int]:
    """Peak RSS in bytes of this process and of its largest finished child process."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * RSS_UNIT
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * RSS_UNIT
    return own, children


def stream(args: argparse.Namespace) -> dict:
    """In a fresh process: stream ``args.child_stream`` runs to a Parquet file."""
    import escalsim as es

    sc = es.load_scenario(args.scenario)
    with tempfile.TemporaryDirectory(dir=args.tmp) as folder:
        out = Path(folder) / "runs.parquet"
        t0 = time.perf_counter()
        es.simulate(
            sc,
            runs=args.child_stream,
            seed=args.seed,
            out=out,
            resume=args.resume,
            settings=es.RunSettings(
                workers=args.workers, chunk_size=args.chunk_size, progress=False
            ),
        )
        wall = time.perf_counter() - t0
        size = out.stat().st_size
    parent, workers = peak_rss()
    return {"wall": wall, "parent": parent, "workers": workers, "file": size}


def in_memory(args: argparse.Namespace) -> dict:
    """In a fresh process: bytes per run held by an in-memory Results, events kept."""
    import escalsim as es

    n = args.child_memory
    res = es.simulate(
        es.load_scenario(args.scenario),
        runs=n,
        seed=args.seed,
        settings=es.RunSettings(workers=args.workers, keep_events=True, progress=False),
    )
    runs = int(res.runs.memory_usage(deep=True).sum())
    events = int(res.events.memory_usage(deep=True).sum())
    return {"runs": runs / n, "events": events / n, "event_rows": len(res.events) / n}


def child(flag: str, value: int, args: argparse.Namespace) -> dict:
    """Run one measurement in a fresh interpreter and return what it printed (JSON)."""
    cmd = [sys.executable, "-m", "benchmarks.memory", args.scenario, flag, str(value)]
    cmd += ["--seed", str(args.seed)]
    if args.workers is not None:
        cmd += ["--workers", str(args.workers)]
    if args.chunk_size is not None:
        cmd += ["--chunk-size", str(args.chunk_size)]
    if args.resume:
        cmd.append("--resume")
    if args.tmp is not None:
        cmd += ["--tmp", args.tmp]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"measurement failed ({' '.join(cmd)}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios/venezuela_2025.yaml"))
    parser.add_argument("--runs", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--workers", type=int, default=None, help="default: all cores")
    parser.add_argument("--chunk-size", type=int, default=None, help="default: the library's")
    parser.add_argument("--resume", action="store_true", help="stream through a resumable run")
    parser.add_argument("--memory-runs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tmp", default=None, help="folder for the Parquet files")
    parser.add_argument("--child-stream", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-memory", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.scenario = str(Path(args.scenario).resolve())
    if args.child_stream:
        print(json.dumps(stream(args)))
        return
    if args.child_memory:
        print(json.dumps(in_memory(args)))
        return

    workers = args.workers or os.cpu_count()
    print(f"scenario            {Path(args.scenario).stem}")
    print(f"workers             {workers}, chunk size {args.chunk_size or 'default'}")
    print(f"streaming           {'resumable (resume=True)' if args.resume else 'plain'}")
    heads = ("wall s", 8), ("runs/s", 8), ("parent MB", 10), ("worker MB", 10), ("file B/run", 10)
    print(f"{'runs':>10}" + "".join(f" {h:>{w}}" for h, w in heads))
    peaks = []
    for n in sorted(args.runs):
        m = child("--child-stream", n, args)
        peaks.append((m["parent"], m["workers"]))
        print(
            f"{n:>10,} {m['wall']:>8.1f} {n / m['wall']:>8,.0f} {m['parent'] / MB:>10.1f} "
            f"{m['workers'] / MB:>10.1f} {m['file'] / n:>10.1f}"
        )
    if len(peaks) > 1:
        (p0, w0), (p1, w1) = peaks[0], peaks[-1]
        lo, hi = min(args.runs), max(args.runs)
        print(f"peak ratio          parent {p1 / p0:.2f}, worker {w1 / w0:.2f}", end="")
        print(f"  (peak at {hi:,} / peak at {lo:,} runs; target <= 1.5)")
    if args.memory_runs:
        m = child("--child-memory", args.memory_runs, args)
        print(f"in-memory Results   {args.memory_runs:,} runs, events kept")
        print(f"  runs table        {m['runs']:,.0f} bytes per run")
        print(
            f"  event logs        {m['events']:,.0f} bytes per run ({m['event_rows']:.1f} events)"
        )


if __name__ == "__main__":
    main()
