"""Cost of decision traces: time per run with tracing off and on, and bytes per run.

Measures, in one process on one core: the time per run of the same runs untraced and traced
(blocks of runs alternated, the median block kept, each block's records kept until it ends as
a chunk keeps them; and run by run, each run untraced then traced, which leaves the memory
the same for both and so isolates the trace's own work), the time to build the decisions table of a
chunk, the traced rows (options) and decisions per run, the table's bytes per run in memory
and in a Parquet file, and the cost of the engine's hook while tracing is off (one attribute
test per decision), timed alone. The runs tables with tracing off and on must be identical.

    python -m benchmarks.trace [scenario.yaml] [--runs N] [--repeats R]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import timeit
from pathlib import Path

import escalsim as es
from escalsim.engine import prepare, run_prepared
from escalsim.results.layout import Layout

ROOT = Path(__file__).resolve().parent.parent


def timed_block(prep, seeds, trace: bool) -> tuple[float, list]:
    t0 = time.perf_counter()
    records = [run_prepared(prep, s, i, trace=trace) for i, s in enumerate(seeds)]
    return (time.perf_counter() - t0) / len(seeds), records


def interleaved(prep, seeds) -> tuple[float, float]:
    """Seconds per run untraced and traced, each seed run both ways one after the other."""
    off = on = 0.0
    for i, s in enumerate(seeds):
        t0 = time.perf_counter()
        run_prepared(prep, s, i)
        t1 = time.perf_counter()
        run_prepared(prep, s, i, trace=True)
        off, on = off + t1 - t0, on + time.perf_counter() - t1
    return off / len(seeds), on / len(seeds)


def hook_seconds() -> float:
    """Seconds per decision of ``if self.tracer is not None`` on an object without a tracer."""

    class Sim:
        tracer = None

    sim = Sim()
    n = 2_000_000
    loop = timeit.timeit("if sim.tracer is not None: pass", globals={"sim": sim}, number=n)
    empty = timeit.timeit("pass", number=n)
    return max(loop - empty, 0.0) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios/venezuela_2025.yaml"))
    parser.add_argument("--runs", type=int, default=500, help="runs per block")
    parser.add_argument("--repeats", type=int, default=5, help="blocks of each kind")
    args = parser.parse_args()
    sc = es.load_scenario(args.scenario)
    prep = prepare(sc)
    layout = Layout.of(sc)
    seeds = [es.run_seed(1, i) for i in range(args.runs)]
    run_prepared(prep, seeds[0], trace=True)  # warm up
    off, on = [], []
    for _ in range(args.repeats):
        t, plain = timed_block(prep, seeds, False)
        off.append(t)
        t, traced = timed_block(prep, seeds, True)
        on.append(t)
    same = layout.runs_frame(plain).equals(layout.runs_frame(traced))
    one_off, one_on = interleaved(prep, seeds)
    t0 = time.perf_counter()
    table = layout.decisions.frame(traced)
    build = (time.perf_counter() - t0) / args.runs
    rows = len(table) / args.runs
    decisions = sum(len(r.decisions) for r in traced) / args.runs
    memory = table.memory_usage(deep=True).sum() / args.runs
    with tempfile.TemporaryDirectory() as folder:
        res = es.Results(layout.runs_frame(traced), sc, {}, decisions=table)
        path = res.to_parquet(Path(folder) / "t.parquet")
        disk = path.with_name("t.decisions.parquet").stat().st_size / args.runs
        runs_disk = path.stat().st_size / args.runs
    t_off, t_on = statistics.median(off), statistics.median(on)
    hook = hook_seconds() * decisions
    print(f"scenario              {sc.name}")
    print(f"runs                  {args.runs} per block, {args.repeats} blocks each (median)")
    print(f"time per run, off     {t_off * 1e6:,.0f} µs   (blocks: {_spread(off)})")
    print(f"time per run, on      {t_on * 1e6:,.0f} µs   (blocks: {_spread(on)})")
    print(f"tracing on / off      {t_on / t_off:.2f} ×  (blocks)")
    print(
        f"run by run            {one_on / one_off:.2f} ×  "
        f"({one_off * 1e6:,.0f} against {one_on * 1e6:,.0f} µs: the trace's own work)"
    )
    print(f"table built, per run  {build * 1e6:,.0f} µs  (in the parent, per chunk)")
    print(
        f"hook while off        {hook * 1e6:.2f} µs per run ({decisions:.1f} decisions): "
        f"{hook / t_off:.3%} of a run"
    )
    print(f"decisions per run     {decisions:.1f}")
    print(f"rows (options)/run    {rows:.1f}")
    print(f"memory per run        {memory:,.0f} bytes ({memory / rows:.0f} bytes a row)")
    print(f"Parquet per run       {disk:,.0f} bytes (the runs file: {runs_disk:,.0f} bytes)")
    print(f"runs tables identical {same}")
    if not same:
        raise SystemExit("tracing changed the runs table")


def _spread(times: list[float]) -> str:
    return ", ".join(f"{t * 1e6:,.0f}" for t in times)


if __name__ == "__main__":
    main()
