"""Build a scenario in Python (no YAML) and give one actor a decision rule written in Python.

A small, invented border crisis: North presses South to cede a strip of land; a regional
league can mediate. The scenario is a plain dict of the same shape as a YAML file, checked by
``Scenario.from_dict``. North is then run twice: with the default rule (a noisy best response
to its expected utilities) and with a doctrine written as a Python function, which sees a
``DecisionView`` (who decides, when, why, the options with their utilities) and returns the
kind of action to take.

    python examples/build_in_python.py                 # 1,000 runs each, figures into a temp folder
    python examples/build_in_python.py out/ --runs 5000
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import escalsim as es
from escalsim.narration import tell
from escalsim.plot import comparison, save_figure

CRISIS = {
    "schema_version": 1,
    "name": "strip_dispute",
    "title": "North–South strip dispute (invented)",
    "start": "2030-01-01",
    "horizon": 120,  # days
    "actors": {
        "north": {
            "name": "North",
            "role": "coercer",
            "opponent": "south",
            "threat": "strike",
            "rationality": 1.0,
            "incentives": {
                "values": {"cession": 25, "patrols": -5, "war": -10, "backdown": -15},
                "day_cost": 0.05,
                "audience_cost": {"uniform": [2, 10]},  # uncertain: drawn once per run
            },
            "ladder": [
                {"name": "talk"},
                {"name": "deploy", "cost": 1, "harm": 0.1, "signal": 1, "posture": 0.3},
                {"name": "blockade", "cost": 2, "harm": 0.2, "signal": 1.5, "posture": 0.5},
                {"name": "strike", "cost": 5, "posture": 1},
            ],
            "repertoire": ["hold", "climb", "backdown", "demand", "ultimatum", "accept"],
            "demands": ["cede"],
        },
        "south": {
            "name": "South",
            "role": "target",
            "opponent": "north",
            "rationality": {"uniform": [0.3, 1.5]},
            "incentives": {
                "values": {"cession": -25, "patrols": 5, "war": -30, "backdown": 10},
                "day_cost": 0.05,
            },
            "beliefs": {"north": {"mean": {"beta": [3, 7]}, "weight": 6}},
            "repertoire": ["hold", "accept", "counter"],
            "counters": ["shared_patrols"],
        },
        "league": {
            "name": "Regional League",
            "role": "mediator",
            "rationality": 0.5,
            "review_days": 10,
            "mediation_cost": 1,
            "incentives": {"values": {"cession": 10, "patrols": 20, "war": -20}},
            "repertoire": ["hold", "mediate"],
            "proposals": ["shared_patrols"],
        },
    },
    "deal_terms": {
        "territory": {"description": "South cedes the strip"},
        "patrols": {"description": "joint patrols of the strip"},
    },
    "deals": {
        "cede": {"terms": {"territory": 1}},
        "shared_patrols": {"terms": {"patrols": 1}},
    },
    "outcomes": {
        "cession": {"description": "South cedes the strip", "trigger": {"deal": {"territory": 1}}},
        "patrols": {"description": "joint patrols", "trigger": {"deal": {"patrols": 1}}},
        "war": {"description": "North strikes", "trigger": {"rung": "north.strike"}},
        "backdown": {"description": "North stands down", "trigger": {"event": "backdown"}},
        "stalemate": {"description": "nothing settled", "trigger": {"event": "horizon"}},
    },
    "milestones": {"blockade": {"trigger": {"rung": "north.blockade"}}},
}


def step_by_step(view: es.DecisionView) -> str | int:
    """North's doctrine: accept the cession and nothing else; demand it, then climb one rung
    at a time up to the blockade; never strike; after day 90, back down.

    A rule returns the kind of action to take (the first option of that kind), the index of
    one option, or a dict of kinds to probabilities.
    """
    for i, option in enumerate(view.options):
        if option.kind == "accept" and option.arg == "cede":
            return i
    kinds = {o.kind for o in view.options}
    if view.time > 90 and "backdown" in kinds:
        return "backdown"
    if "demand" in kinds and view.context == "review" and view.time < 7:
        return "demand"
    if "climb" in kinds and view.feature("rung:north") < 2:
        return "climb"  # the first climb option is the next rung up
    return "hold"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "folder", nargs="?", help="where to write the figures (default: a temp folder)"
    )
    parser.add_argument("--runs", type=int, default=1000, help="number of runs of each variant")
    parser.add_argument("--seed", type=int, default=3, help="root seed")
    parser.add_argument("--force", action="store_true", help="replace existing figures")
    args = parser.parse_args(argv)
    folder = Path(args.folder or tempfile.mkdtemp(prefix="escalsim-in-python-"))
    folder.mkdir(parents=True, exist_ok=True)

    scenario = es.Scenario.from_dict(CRISIS)  # the same checks as for a YAML file

    # The default rule, then the doctrine. A Python rule runs in this process
    # (executor="serial"); a process pool would need it importable by the workers.
    default = es.simulate(
        scenario, runs=args.runs, seed=args.seed, settings=es.RunSettings(executor="serial")
    )
    doctrine = es.simulate(
        scenario,
        runs=args.runs,
        seed=args.seed,
        settings=es.RunSettings(executor="serial", rules={"north": step_by_step}),
    )
    print(f"{'outcome':<10} {'default rule':>13} {'doctrine':>9}")
    for a, b in zip(default.summary().itertuples(), doctrine.summary().itertuples(), strict=True):
        print(f"{a.outcome:<10} {a.p:13.1%} {b.p:9.1%}")

    # One run under the doctrine, told as a story.
    record = es.run_one(
        scenario, seed=es.run_seed(args.seed, 0), keep_events=True, rules={"north": step_by_step}
    )
    print(f"\nRun 0 under the doctrine ended in '{record.outcome}' on day {record.time:.0f}:")
    for sentence in tell(scenario, record):
        print(f"  {sentence}")

    fig = comparison([default, doctrine], labels=["default rule", "doctrine"])
    print(f"\nfigure written to {save_figure(fig, folder / 'rules.png', force=args.force)}")
    fig = default.plot.incidence()
    print(f"figure written to {save_figure(fig, folder / 'incidence.png', force=args.force)}")


if __name__ == "__main__":
    main()
