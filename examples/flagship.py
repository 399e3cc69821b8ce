"""The flagship scenario end to end: load it, run it, read the results, draw the figures.

The US–Venezuela crisis of late 2025 (scenarios/venezuela_2025.yaml), forecast from
1 December 2025 over 180 days. This script runs it many times, prints the outcome
probabilities with their 95% intervals, the milestones, the most common paths to each
outcome and the story of one run, and writes the standard figures into a folder.

    python examples/flagship.py                      # 2,000 runs, figures into a temp folder
    python examples/flagship.py figures/ --runs 20000 --seed 7

The README's figures (docs/figures/) are made with ``--runs 5000 --seed 7``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import escalsim as es
from escalsim.narration import narrate
from escalsim.plot import check_figure_folder, standard_figures

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "venezuela_2025.yaml"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "folder", nargs="?", help="where to write the figures (default: a temp folder)"
    )
    parser.add_argument("--runs", type=int, default=2000, help="number of runs")
    parser.add_argument("--seed", type=int, default=7, help="root seed")
    parser.add_argument("--workers", type=int, default=None, help="worker processes")
    parser.add_argument("--force", action="store_true", help="replace existing figures")
    args = parser.parse_args(argv)
    folder = Path(args.folder or tempfile.mkdtemp(prefix="escalsim-flagship-"))

    # 1. Load the scenario: a validated, immutable Scenario.
    scenario = es.load_scenario(SCENARIO)
    print(
        f"{scenario.title}: {len(scenario.actors)} actors, {len(scenario.history)} reported events"
    )

    try:  # refused before the runs, not after
        check_figure_folder(folder, scenario, force=args.force)
    except es.EscalsimError as exc:
        parser.error(str(exc))

    # 2. Run it. Run i gets its own seed drawn from the root seed, so the same seed gives the
    #    same table on any number of workers; keep_events keeps each run's event log.
    results = es.simulate(
        scenario,
        runs=args.runs,
        seed=args.seed,
        settings=es.RunSettings(workers=args.workers, keep_events=True, progress=False),
    )

    # 3. Outcome probabilities with 95% Wilson intervals.
    print("\nOutcomes:")
    for row in results.summary().itertuples():
        interval = f"({row.ci_low:.1%} – {row.ci_high:.1%})"
        print(f"  {row.outcome:<22} {row.p:6.1%}  {interval:<17} {row.count:>6,} runs")

    # 4. Milestones: how likely each is within the horizon, and when (median day).
    print("\nMilestones first reached within the horizon:")
    for row in results.milestones().itertuples():
        when = "" if row.count == 0 else f"median day {row.median_day:.0f}"
        print(f"  {row.milestone:<18} {row.p:6.1%}  {when}")

    # 5. Why: the last steps of the runs before each outcome.
    print("\nMost common paths to each outcome (last three steps):")
    for row in es.paths(results, top=2).itertuples():
        print(f"  {row.outcome:<22} {row.share:6.1%}  {row.path}")

    # 6. One run told as a story: the first that did not end in a stalemate (history=False
    #    leaves out the reported history that every run starts from).
    runs = results.runs
    decided = runs.loc[runs["outcome"] != "stalemate", "run"]
    print()
    print(narrate(results, run=int(decided.iloc[0]) if len(decided) else 0, history=False))

    # 7. The standard figures.
    print()
    for path in standard_figures(results, folder, force=args.force):
        print(f"figure written to {path}")


if __name__ == "__main__":
    main()
