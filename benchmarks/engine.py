"""Cost of one run of a scenario against the floor of any SimPy model.

Measures, in one process: runs per second on one core, the mean number of logged events and
of SimPy events per run, and the cost per SimPy event relative to a bare ``env.timeout`` loop.

    python -m benchmarks.engine [scenario.yaml] [--runs N] [--untyped ACTOR]

``--untyped ACTOR`` runs the scenario with that actor's private types taken away: it keeps its
own incentives (its first type's), and each actor that held a probability over its types holds
instead a Beta belief whose mean is the probability it gave the first type (the cost of types).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import simpy

import escalsim as es
from escalsim.engine import compiled, prepare, run_prepared

ROOT = Path(__file__).resolve().parent.parent


def bare_simpy_seconds_per_event(n: int = 200_000) -> float:
    """Seconds per event of the cheapest SimPy model: one process yielding timeouts."""
    env = simpy.Environment()

    def loop():
        timeout = env.timeout
        for _ in range(n):
            yield timeout(1.0)

    env.process(loop())
    t0 = time.perf_counter()
    env.run()
    return (time.perf_counter() - t0) / n


def count_simpy_events(prep, seeds) -> float:
    """Mean number of events SimPy schedules per run (counted in a separate, slower pass)."""
    counter = {"n": 0}
    original = simpy.Environment.schedule

    def counting(self, event, priority=1, delay=0):
        counter["n"] += 1
        return original(self, event, priority, delay)

    simpy.Environment.schedule = counting
    try:
        for s in seeds:
            run_prepared(prep, s)
    finally:
        simpy.Environment.schedule = original
    return counter["n"] / len(seeds)


def untyped(sc: es.Scenario, actor: str) -> es.Scenario:
    """``sc`` with ``actor``'s types taken away (see the module's docstring)."""
    data = sc.to_dict()
    first = next(iter(data["actors"][actor].pop("types")))
    for other in data["actors"].values():
        held = other.get("beliefs", {}).get(actor)
        if held is not None and "types" in held:
            other["beliefs"][actor] = {"mean": float(held["types"][first])}
    return es.Scenario.from_dict(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios/venezuela_2025.yaml"))
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--untyped", metavar="ACTOR", help="take this actor's types away")
    args = parser.parse_args()
    sc = es.load_scenario(args.scenario)
    if args.untyped:
        sc = untyped(sc, args.untyped)
    prep = prepare(sc)
    seeds = [es.run_seed(1, i) for i in range(args.runs)]
    run_prepared(prep, seeds[0])  # warm up
    t0, c0 = time.perf_counter(), time.process_time()
    records = [run_prepared(prep, s) for s in seeds]
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    per_run = elapsed / args.runs
    logged = statistics.mean(r.n_events for r in records)
    simpy_events = count_simpy_events(prep, seeds[: min(500, args.runs)])
    floor = bare_simpy_seconds_per_event()
    per_event = per_run / simpy_events
    print(f"scenario            {sc.name}{f' ({args.untyped} untyped)' if args.untyped else ''}")
    print(f"runs                {args.runs}")
    print(f"build               {'compiled' if compiled() else 'pure Python'}")
    print(f"runs per second     {1 / per_run:,.0f}  (one core)")
    print(f"time per run        {per_run * 1e6:,.0f} µs")
    print(f"CPU time per run    {cpu / args.runs * 1e6:,.0f} µs  (steadier on a shared machine)")
    print(f"logged events/run   {logged:.1f}")
    print(f"SimPy events/run    {simpy_events:.1f}")
    print(f"bare SimPy event    {floor * 1e6:.2f} µs")
    print(
        f"cost per event      {per_event * 1e6:.2f} µs = "
        f"{per_event / floor:.1f}x the bare SimPy event"
    )


if __name__ == "__main__":
    main()
