"""Which beliefs and incentives move the flagship crisis the most?

Two questions about scenarios/venezuela_2025.yaml: what makes a negotiated exit more likely,
and what makes the use of force (an air campaign, a raid on Maduro or an invasion: the union
of strike, leader_seized and intervention) more likely?

1. A Morris screening (or, with --method sobol, Sobol' indices) of every uncertain parameter
   of the scenario, for both outcomes. Each parameter is varied as its declared distribution
   weights it (--space distribution, within its 1st–99th percentile): the question is which
   of the *uncertainties the scenario declares* matter, not which number could matter if it
   took any value at all (--space support asks that). The beliefs and incentives among them
   are picked out.
2. A sweep of the belief or incentive that moves a negotiated exit most, over that same
   range, on common random numbers (every point runs from the same seeds).

    python examples/drivers.py                               # quick; figures to a temp folder
    python examples/drivers.py out/ --n 30 --replications 20 --runs 2000
    python examples/drivers.py out/ --method sobol --n 64
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import escalsim as es
from escalsim.analysis import parameter_ranges, sensitivity, sweep
from escalsim.plot import save_figure, sweep_curves, tornado

FLAGSHIP = Path(__file__).resolve().parent.parent / "scenarios" / "venezuela_2025.yaml"
OUTCOMES = {
    "negotiated_exit": ["negotiated_exit"],
    "force": ["strike", "leader_seized", "intervention"],
}


def kind(path: str) -> str:
    """What a parameter is: a belief, an incentive, or something else (costs, odds, ...)."""
    if ".beliefs." in path:
        return "belief"
    if ".incentives." in path:
        return "incentive"
    return "other"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "folder", nargs="?", help="where to write the figures (default: a temp folder)"
    )
    parser.add_argument("--method", choices=["morris", "sobol"], default="morris")
    parser.add_argument(
        "--n", type=int, default=10, help="Morris trajectories, or Sobol' base sample (2^k)"
    )
    parser.add_argument("--replications", type=int, default=8, help="runs per parameter row")
    parser.add_argument("--runs", type=int, default=500, help="runs per point of the sweep")
    parser.add_argument("--points", type=int, default=6, help="points of the sweep")
    parser.add_argument("--space", choices=["distribution", "support"], default="distribution")
    parser.add_argument("--seed", type=int, default=3, help="root seed")
    parser.add_argument("--workers", type=int, default=None, help="worker processes")
    parser.add_argument("--force", action="store_true", help="replace existing figures")
    args = parser.parse_args(argv)
    folder = Path(args.folder or tempfile.mkdtemp(prefix="escalsim-drivers-"))
    folder.mkdir(parents=True, exist_ok=True)
    scenario = es.load_scenario(FLAGSHIP)

    # 1. Screening: every uncertain parameter, both outcomes.
    table = sensitivity(
        scenario,
        args.method,
        n=args.n,
        seed=args.seed,
        outcomes=OUTCOMES,
        replications=args.replications,
        space=args.space,
        settings=es.RunSettings(workers=args.workers, progress=False),
    )
    key = "mu_star" if args.method == "morris" else "ST"
    table["kind"] = [kind(p) for p in table["parameter"]]
    print(f"{table.attrs['runs']:,} runs ({table.attrs['rows']} parameter rows)")
    for label, rows in table.groupby("outcome", sort=False, observed=True):
        print(f"\nWhat moves P({label}) most ({key}; 95% interval):")
        for r in rows.head(6).itertuples(index=False):
            low, high = getattr(r, f"{key}_ci_low"), getattr(r, f"{key}_ci_high")
            print(f"  {r.parameter:<44} {r.kind:<9} {getattr(r, key):6.3f}  ({low:.3f}–{high:.3f})")
        held = rows[rows["kind"] != "other"].head(3)
        named = ", ".join(f"{r.parameter} ({r.kind})" for r in held.itertuples(index=False))
        print(f"  beliefs and incentives first: {named}")

    # 2. Sweep the belief or incentive that moves a negotiated exit most, over its range.
    exit_rows = table[(table["outcome"] == "negotiated_exit") & (table["kind"] != "other")]
    path = str(exit_rows.iloc[0]["parameter"])
    low, high = parameter_ranges(scenario, [path], space=args.space)[path]
    curve = sweep(
        scenario,
        {path: f"{low}:{high}:{args.points}"},
        runs=args.runs,
        seed=args.seed,
        outcomes=OUTCOMES,
        settings=es.RunSettings(workers=args.workers, progress=False),
    )
    print(f"\nSweep of {path} ({args.runs:,} runs per point, common random numbers):")
    wide = curve.pivot_table(index=path, columns="outcome", values="p", observed=True)
    for value, row in wide.iterrows():
        cells = "  ".join(f"P({o}) = {row[o]:6.1%}" for o in OUTCOMES)
        print(f"  {value:8.3f}  {cells}")

    figures = {
        "tornado.png": tornado(table, top=10),
        "sweep.png": sweep_curves(curve, scenario=scenario),
    }
    for name, fig in figures.items():
        print(f"figure written to {save_figure(fig, folder / name, force=args.force)}")


if __name__ == "__main__":
    main()
