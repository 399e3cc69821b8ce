"""escalsim against the same small crisis written as a Mesa 3 model run with ``mesa.batch_run``.

The crisis is ``benchmarks/small_crisis.yaml`` (coercer, target, mediator; about 60 logged
events a run); its Mesa version is ``benchmarks/crisis_mesa.py``. Both run the same number of
runs; the outcome frequencies, mean event counts and mean outcome times must agree within Monte
Carlo error. Prints runs per second of escalsim (``simulate`` serial and on 2 processes, and a
``run_one`` loop) and of ``batch_run`` on 1 and 2 processes, and their ratios. Needs the
``bench`` extra (Mesa).

    python -m benchmarks.mesa_compare [--runs N] [--seed S]
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import multiprocessing
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

import escalsim as es

SCENARIO = Path(__file__).resolve().with_name("small_crisis.yaml")
T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """The value of ``fn()`` and the wall time it took, in seconds."""
    t0 = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t0


def escalsim_table(sc: es.Scenario, runs: int, seed: int, workers: int) -> Any:
    """The runs table of ``es.simulate``: serially for one worker, else on local processes."""
    if workers == 1:
        res = es.simulate(
            sc, runs=runs, seed=seed, settings=es.RunSettings(executor="serial", progress=False)
        )
    else:
        res = es.simulate(
            sc, runs=runs, seed=seed, settings=es.RunSettings(workers=workers, progress=False)
        )
    return res.runs


def mesa_rows(model_cls: type, seeds: Sequence[int], processes: int, horizon: float) -> list:
    """One row per run from ``mesa.batch_run`` (final step only), sorted by seed."""
    import mesa

    rows = mesa.batch_run(
        model_cls,
        parameters={"seed": list(seeds)},
        number_processes=processes,
        iterations=1,
        data_collection_period=-1,
        max_steps=math.ceil(horizon) + 1,
        display_progress=False,
    )
    return sorted(rows, key=lambda r: r["seed"])


def compare_samples(
    name: str, a: np.ndarray, b: np.ndarray, labels: Sequence[str] = ("escalsim", "mesa")
) -> bool:
    """Print two sample means, their difference and 4 standard errors; True if within."""
    diff = a.mean() - b.mean()
    se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    ok = abs(diff) <= 4 * se
    print(
        f"  {name:<14}{labels[0]} {a.mean():8.3f}   {labels[1]} {b.mean():8.3f}   "
        f"diff {diff:+.3f}   4 SE {4 * se:.3f}   {'ok' if ok else 'DIFFERENT'}"
    )
    return ok


def compare_outcomes(outcomes: Sequence[str], a: np.ndarray, b: np.ndarray) -> bool:
    """Per-outcome frequencies within 4 standard errors, and a chi-square test of homogeneity."""
    from scipy.stats import chi2_contingency

    na, nb = len(a), len(b)
    table = np.array([[(a == o).sum() for o in outcomes], [(b == o).sum() for o in outcomes]])
    print(f"  {'outcome':<14}{'escalsim':>9}{'mesa':>9}{'diff':>9}{'4 SE':>8}")
    ok = True
    for j, name in enumerate(outcomes):
        pa, pb = table[0, j] / na, table[1, j] / nb
        pooled = (table[0, j] + table[1, j]) / (na + nb)
        se = math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
        within = abs(pa - pb) <= 4 * se
        ok &= within
        print(
            f"  {name:<14}{pa:9.4f}{pb:9.4f}{pa - pb:+9.4f}{4 * se:8.4f}"
            f"   {'ok' if within else 'DIFFERENT'}"
        )
    seen = table[:, table.sum(axis=0) > 0]
    chi2, p, dof, _ = chi2_contingency(seen)
    fine = p >= 6e-5  # as unlikely under equal frequencies as a difference beyond 4 SE
    print(f"  chi-square {chi2:.2f} on {dof} df, p = {p:.3f}   {'ok' if fine else 'DIFFERENT'}")
    return ok and fine


def print_rates(rate: dict[str, float]) -> None:
    """Runs per second of each way of running, and how they compare."""
    print("runs per second")
    for name, value in rate.items():
        print(f"  {name:<32}{value:10,.0f}")
    serial, par = rate["escalsim simulate, serial"], rate["escalsim simulate, 2 processes"]
    mesa1, mesa2 = rate["mesa batch_run, 1 process"], rate["mesa batch_run, 2 processes"]
    print("ratios")
    print(f"  mesa / escalsim, one core         {mesa1 / serial:6.2f}  (batch_run vs simulate)")
    print(f"  mesa / escalsim, two processes    {mesa2 / par:6.2f}")
    print(f"  2 processes / 1: escalsim {par / serial:.2f}, mesa {mesa2 / mesa1:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3000, help="runs of each (default 3000)")
    parser.add_argument("--seed", type=int, default=1, help="root seed (default 1)")
    args = parser.parse_args()
    missing = [m for m in ("mesa", "scipy") if importlib.util.find_spec(m) is None]
    if missing:
        raise SystemExit(
            f"this benchmark needs {' and '.join(missing)}: "
            'pip install "escalsim[bench]" (or pip install "mesa>=3")'
        )
    n = args.runs
    sc = es.load_scenario(SCENARIO)
    outcomes = list(sc.outcomes)

    # escalsim first: importing mesa sets the process-wide start method of multiprocessing to
    # "spawn", which would also change how escalsim starts its workers
    es_start = multiprocessing.get_start_method()
    escalsim_table(sc, 20, args.seed, 1)  # warm up (imports, first-use caches)
    runs, t_serial = timed(lambda: escalsim_table(sc, n, args.seed, 1))
    recs, t_one = timed(lambda: [es.run_one(sc, es.run_seed(args.seed, i)) for i in range(n)])
    runs2, t_par = timed(lambda: escalsim_table(sc, n, args.seed, 2))
    _, es_startup = timed(lambda: escalsim_table(sc, 2, args.seed, 2))

    import mesa

    from benchmarks.crisis_mesa import HORIZON, SmallCrisis

    if sc.horizon != HORIZON:
        raise SystemExit(f"{SCENARIO.name} and crisis_mesa.py disagree on the horizon")
    mesa_start = multiprocessing.get_start_method()
    mesa_seeds = [es.run_seed(args.seed + 1, i) for i in range(n)]  # other streams than escalsim
    mesa_rows(SmallCrisis, mesa_seeds[:20], 1, HORIZON)  # warm up
    rows, t_mesa = timed(lambda: mesa_rows(SmallCrisis, mesa_seeds, 1, HORIZON))
    rows2, t_mesa2 = timed(lambda: mesa_rows(SmallCrisis, mesa_seeds, 2, HORIZON))
    _, mesa_startup = timed(lambda: mesa_rows(SmallCrisis, mesa_seeds[:2], 2, HORIZON))

    rate = {
        "escalsim simulate, serial": n / t_serial,
        "escalsim run_one loop": n / t_one,
        "escalsim simulate, 2 processes": n / t_par,
        "mesa batch_run, 1 process": n / t_mesa,
        "mesa batch_run, 2 processes": n / t_mesa2,
    }
    ev = runs["n_events"].to_numpy(dtype=float)
    print(f"model               {sc.name}: {', '.join(sc.actors)}; horizon {sc.horizon:g} days")
    print(f"runs                {n:,} of each (mesa {mesa.__version__})")
    print(f"events per run      {ev.mean():.1f} logged (escalsim)")
    print(f"worker start        escalsim {es_start}, mesa {mesa_start} (set by importing mesa)")
    print(
        f"2-process call      {es_startup:.2f} s escalsim, {mesa_startup:.2f} s mesa "
        "for 2 runs (pool start-up)"
    )
    print_rates(rate)

    print("agreement (escalsim simulate vs mesa batch_run, independent streams)")
    a_out = runs["outcome"].astype(str).to_numpy()
    b_out = np.array([r["outcome"] for r in rows])
    ok = compare_outcomes(outcomes, a_out, b_out)
    ok &= compare_samples("events/run", ev, np.array([r["events"] for r in rows], dtype=float))
    ok &= compare_samples(
        "outcome day", runs["time"].to_numpy(), np.array([r["time"] for r in rows], dtype=float)
    )
    same_es = runs.equals(runs2) and [r.outcome for r in recs] == list(a_out)
    same_mesa = [r["outcome"] for r in rows] == [r["outcome"] for r in rows2]
    print(f"  same runs however run: escalsim {same_es}, mesa {same_mesa}")
    ok &= same_es and same_mesa
    print("agree" if ok else "DISAGREE")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
