"""A what-if: how would a credible guarantee of immunity change the flagship crisis?

scenarios/venezuela_2025_guarantee.yaml extends the base scenario and changes only how much
Brazil's guarantee and Qatar's offer to host add to the credibility of US promises. Both are
run with the same root seed: run i of each draws the same random numbers wherever the two
scenarios agree (common random numbers), so the paired difference in each outcome's
probability has a much narrower interval than two independent ensembles would give.

    python examples/what_if.py                        # 2,000 runs each, figures into a temp folder
    python examples/what_if.py out/ --runs 10000
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import escalsim as es
from escalsim.plot import comparison, outcome_differences, save_figure

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "folder", nargs="?", help="where to write the figures (default: a temp folder)"
    )
    parser.add_argument("--runs", type=int, default=2000, help="number of runs of each scenario")
    parser.add_argument("--seed", type=int, default=7, help="root seed (the same for both)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes")
    parser.add_argument("--force", action="store_true", help="replace existing figures")
    args = parser.parse_args(argv)
    folder = Path(args.folder or tempfile.mkdtemp(prefix="escalsim-what-if-"))
    folder.mkdir(parents=True, exist_ok=True)

    base = es.simulate(
        SCENARIOS / "venezuela_2025.yaml",
        runs=args.runs,
        seed=args.seed,
        settings=es.RunSettings(workers=args.workers, progress=False),
    )
    what_if = es.simulate(
        SCENARIOS / "venezuela_2025_guarantee.yaml",
        runs=args.runs,
        seed=args.seed,
        settings=es.RunSettings(workers=args.workers, progress=False),
    )

    # Side by side, and the paired difference with its 95% interval.
    diff = outcome_differences(base, what_if)
    print(f"{'outcome':<22} {'base':>7} {'what-if':>8} {'change':>8}   95% interval")
    for row in diff.itertuples():
        change = f"{row.difference * 100:+7.1f} pts"
        interval = f"{row.ci_low * 100:+.1f} to {row.ci_high * 100:+.1f}"
        print(f"{row.outcome:<22} {row.p_base:7.1%} {row.p_other:8.1%} {change}   {interval}")
    print("(paired: the runs share their seeds)" if diff["paired"].all() else "(independent runs)")

    labels = ["base", "credible guarantee"]
    figures = {
        "comparison.png": comparison([base, what_if], labels=labels),
        "difference.png": comparison([base, what_if], labels=labels, difference=True),
    }
    for name, fig in figures.items():
        print(f"figure written to {save_figure(fig, folder / name, force=args.force)}")


if __name__ == "__main__":
    main()
