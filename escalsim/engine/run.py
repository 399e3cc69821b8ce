"""Running one replication: prepare a scenario once, then run it from a seed.

A run's random streams all come from its seed: one ``numpy`` generator draws the uncertain
parameters, and ``random.Random`` streams (cheap scalar draws) serve the history, each actor
and each exogenous process. Streams are keyed by name, so a variant scenario that keeps an
actor keeps that actor's stream: common random numbers for paired comparisons.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from escalsim.engine.history import replay_history
from escalsim.engine.record import RunRecord
from escalsim.engine.simulation import Simulation
from escalsim.engine.trace import DecisionTrace
from escalsim.errors import EscalsimError, RunError
from escalsim.model.params import build_params
from escalsim.model.rules import make_rule
from escalsim.model.triggers import Triggers, build_triggers
from escalsim.model.types import draw_types
from escalsim.scenario.schema import Scenario
from escalsim.text import suggest

SEED_BITS = 63


@dataclass(frozen=True)
class Prepared:
    """A scenario compiled once for many runs (picklable: sent once to each worker)."""

    scenario: Scenario
    triggers: Triggers
    rules: dict[str, Any] = field(default_factory=dict)
    parts: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Parts of the run parameters that no draw changes, built on the first run."""
    pinned: dict[str, float] = field(default_factory=dict)
    """Uncertain parameters fixed at a value (path → number); see :meth:`pin`."""

    def pin(self, values: dict[str, float]) -> Prepared:
        """This prepared scenario with the uncertain parameters at ``values`` fixed.

        Every parameter is still drawn, so the run's other random streams stay in step with
        an ordinary run of the same seed: a run from seed ``s`` is the run this one gives from
        ``s`` had its draws of these paths been these values. The parts built once are
        shared (no draw changes them).
        """
        uncertain = self.scenario.uncertain()
        unknown = [p for p in values if p not in uncertain]
        if unknown:
            raise ValueError(
                f"not an uncertain parameter of the scenario: {unknown[0]!r}"
                f"{suggest(unknown[0], uncertain)}"
            )
        return replace(self, pinned={**self.pinned, **values})


def prepare(scenario: Scenario, rules: dict[str, Callable[..., Any]] | None = None) -> Prepared:
    """Compile a scenario for running; ``rules`` maps actor ids to Python decision rules."""
    rules = dict(rules or {})
    unknown = [a for a in rules if a not in scenario.actors]
    if unknown:
        raise RunError(f"decision rule given for unknown actor '{unknown[0]}'")
    return Prepared(scenario, build_triggers(scenario), rules)


def run_seed(root: int, index: int) -> int:
    """The seed of run ``index`` in an ensemble with root seed ``root``.

    It is drawn from ``numpy.random.SeedSequence(root)`` spawned by index, so run ``index``
    can be replayed alone with ``run_one(scenario, seed=run_seed(root, index))``.
    """
    child = np.random.SeedSequence(root, spawn_key=(index,))
    return int(child.generate_state(1, dtype=np.uint64)[0]) >> (64 - SEED_BITS)


def _stream(seed: int, name: str) -> random.Random:
    ss = np.random.SeedSequence(seed, spawn_key=(zlib.crc32(name.encode()),))
    return random.Random(int(ss.generate_state(1, dtype=np.uint64)[0]))


class _Streams(dict):
    """A run's random streams by name, each made when first used (making one costs ~10 µs)."""

    __slots__ = ("seed",)

    def __init__(self, seed: int):
        super().__init__()
        self.seed = seed

    def __missing__(self, name: str) -> random.Random:
        stream = self[name] = _stream(self.seed, name)
        return stream


def build_simulation(
    prep: Prepared, seed: int, keep_events: bool = False, trace: bool = False
) -> tuple[Simulation, dict]:
    """Draw a run's parameters, set up its simulation and replay the history (not yet run);
    with ``trace``, its decisions are to be traced.

    Returns the simulation and the run's parameter row (draws and history inclusions).
    """
    sc = prep.scenario
    # a scenario without uncertain numbers builds its parameters once: runs only read them
    params = prep.parts.get("params")
    draws = {}
    if params is None:
        draws = sc.sample(np.random.default_rng(np.random.SeedSequence(seed)))
        draws.update(prep.pinned)
        params = build_params(sc, draws, {}, prep.parts)
        if not draws:
            prep.parts["params"] = params
    rules = prep.parts.get("rules")
    if rules is None:  # rules hold no state and no drawn number: made once per scenario
        rules = {a: make_rule(prep.rules.get(a, p.rule)) for a, p in params.actors.items()}
        rules = prep.parts["rules"] = {a: r for a, r in rules.items() if r is not None}
    rngs = _Streams(seed)
    params, types = draw_types(params, rngs)
    sim = Simulation(
        params,
        prep.triggers,
        sc.mechanisms,
        sc.horizon,
        rngs,
        rules,
        keep_events,
        sc.start,
    )
    included = replay_history(sim, rngs["~history"]) if params.history else {}
    if trace:  # the history decides nothing: the trace starts with the run
        sim.tracer = DecisionTrace(sim)
    return sim, {**draws, **types, **included}


def run_prepared(
    prep: Prepared, seed: int, run: int = 0, keep_events: bool = False, trace: bool = False
) -> RunRecord:
    """Run one replication of a prepared scenario from its seed (``trace``: keep what each
    decision weighed, as ``RunRecord.decisions``)."""
    try:
        sim, row = build_simulation(prep, seed, keep_events, trace)
        sim.run()
    except EscalsimError as exc:
        raise RunError(str(exc), run=run, seed=seed) from exc
    st = sim.state
    if st.outcome is None or sim.start is None:  # pragma: no cover - the horizon always ends it
        raise RunError("the run ended without an outcome or a start date", run=run, seed=seed)
    return RunRecord(
        run=run,
        seed=seed,
        outcome=st.outcome,
        time=st.outcome_time,
        max_rung={a: st.max_rung[a] for a, p in sim.params.actors.items() if p.ladder},
        milestones=dict(st.milestones),
        n_events=sim.n_events,
        params=row,
        events=tuple(sim.log) if keep_events else None,
        date=sim.start + dt.timedelta(days=st.outcome_time),
        decisions=sim.tracer.done() if sim.tracer is not None else None,
    )


def run_one(
    scenario: Scenario,
    seed: int = 0,
    *,
    keep_events: bool = False,
    rules: dict[str, Callable[..., Any]] | None = None,
    trace: bool = False,
) -> RunRecord:
    """Run one replication of a scenario; the same seed always gives the same record (and
    with ``trace``, the same record with what each decision weighed)."""
    return run_prepared(prepare(scenario, rules), seed, 0, keep_events, trace)
