"""One run explained: the reason of each consequential choice, as dated sentences.

The run is replayed from its seed with its decisions traced (and its events logged): every
choice but quietly holding at a review is told with what it was worth against the next best
option (or against the best, when it was not the best), what the actor believed, and how
likely it was ("a 6% choice" for a long shot, under 10%); the quiet holds between two such
choices are summed up ("held at 5 reviews"). Incidents, failed attempts and the end of the run
come in their place, and the end says what decided it (:mod:`escalsim.results.attribution`).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from escalsim.analysis.reasons import chance, name_of, reason, share
from escalsim.errors import ResultsError
from escalsim.text import readable

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.engine import RunRecord
    from escalsim.results import Results
    from escalsim.scenario.schema import Scenario


def _replay(
    source: Scenario | Results | str | os.PathLike[str],
    seed: int | None,
    run: int,
    rules: dict[str, Callable[..., Any]] | None,
) -> tuple[Scenario, RunRecord, str]:
    """The scenario, the run replayed with its trace and events, and a heading naming it."""
    from escalsim.engine import run_one, run_seed
    from escalsim.results import Results

    if isinstance(run, bool) or not isinstance(run, int) or run < 0:
        raise ValueError(f"run must be a non-negative integer, got {run!r}")
    if isinstance(source, Results):
        if seed is not None:
            raise ValueError("a Results fixes each run's seed: pass run=, not seed=")
        rows = source.runs[source.runs["run"] == run]
        if rows.empty:
            n = len(source)
            held = f"runs 0 to {n - 1}" if n else "no runs (0 rows)"
            raise ResultsError(f"no run {run}; these results hold {held}")
        made_with = source.provenance.get("python_rules")
        if made_with and not rules:
            raise ValueError(
                f"these results were made with Python rules for {', '.join(made_with)}: pass "
                f"the same rules= to replay run {run}"
            )
        sc, run_s, root = source.scenario, int(rows.iloc[0]["seed"]), source.provenance.get("seed")
        stored = (str(rows.iloc[0]["outcome"]), float(rows.iloc[0]["time"]))
    else:
        if isinstance(source, (str, os.PathLike)):
            from escalsim.scenario import load_scenario

            source = load_scenario(source)
        sc, root = source, 0 if seed is None else seed
        run_s = run_seed(root, run)
    record = run_one(sc, run_s, keep_events=True, rules=rules, trace=True)
    if isinstance(source, Results) and (record.outcome, record.time) != stored:
        raise ResultsError(
            f"run {run} replays to {record.outcome} on day {record.time:.4g}, not to the "
            f"{stored[0]} on day {stored[1]:.4g} these results hold (made by another version "
            "of escalsim, or with other rules)"
        )
    heading = f"Run {run}" + (f" of root seed {root}" if root is not None else "")
    return sc, record, f"{heading} (run seed {run_s}): the reasons of its choices"


def _date(sc: Scenario, time: float) -> dt.date:
    return sc.start + dt.timedelta(days=float(time))


class _Quiet:
    """Quiet holds at reviews since the last consequential choice, summed up per actor."""

    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        self.counts: dict[str, int] = {}
        self.first = self.last = 0.0

    def add(self, actor: str, time: float) -> None:
        if not self.counts:
            self.first = time
        self.counts[actor] = self.counts.get(actor, 0) + 1
        self.last = time

    def flush(self) -> list[tuple[float, str]]:
        if not self.counts:
            return []
        parts = []
        for i, (actor, n) in enumerate(self.counts.items()):
            what = f"held at {n} review{'s' * (n != 1)}" if i == 0 else f"at {n}"
            parts.append(f"{name_of(self.sc, actor)} {what}")
        self.counts = {}
        d1, d2 = _date(self.sc, self.first), _date(self.sc, self.last)
        when = d1.isoformat() if d1 == d2 else f"{d1.isoformat()} to {d2.isoformat()}"
        return [(self.last, f"{when} — " + ", ".join(parts))]


def _event_sentence(sc: Scenario, kind: str, actor: str, target: str | None, p: dict) -> str:
    """The sentence of an event that no choice of the trace tells: an incident, the step up it
    prompted, a failed attempt."""
    if kind == "incident":
        return f"An incident between the forces of {name_of(sc, actor)} and {name_of(sc, target)}"
    if kind == "climb":
        return f"{name_of(sc, actor)} escalated to *{readable(p.get('rung', '?'))}* after it"
    what = p.get("rung") or p.get("action") or "?"
    return f"The attempt at *{readable(what)}* by {name_of(sc, actor)} failed"


def _ending(sc: Scenario, cause: dict[str, Any], record: RunRecord) -> str:
    """The last sentence: the outcome and what decided it."""
    outcome = record.outcome
    spec = sc.outcomes.get(outcome)
    what = f"*{readable(outcome)}*" + (
        f" ({spec.description})" if spec and spec.description else ""
    )
    kind, who = str(cause["cause"]), name_of(sc, str(cause.get("actor") or ""))
    p = cause.get("probability")
    p = float(p) if p is not None and p == p else math.nan
    if kind == "horizon":
        why = "the horizon was reached (no choice ended it)"
    elif kind == "hazard":
        clash = any(e.kind == "incident" and e.time == record.time for e in record.events or ())
        why = "no choice ended it, but " + ("an incident" if clash else "the collapse hazard")
    elif kind == "unscored":
        why = f"decided by a choice of {who} by a rule without utilities"
    elif kind == "lower":
        why = f"decided by a choice of {who} that was not its best option ({chance(p)})"
        roll = cause.get("success")
        if roll is not None and roll == roll and float(roll) < 1.0:
            why += f", then its success roll, a {share(float(roll))} chance"
    elif kind == "roll":
        why = (
            f"decided by the best option of {who} ({chance(p)}) and its success roll, "
            f"a {share(float(cause['success']))} chance"
        )
    else:
        why = f"decided by the best option of {who} ({chance(p)})"
    return f"The run ends in {what}: {why}"


def _sentences(sc: Scenario, record: RunRecord, decisions: pd.DataFrame) -> list[str]:
    """The dated sentences of the run: consequential choices, quiet holds, events."""
    quiet = _Quiet(sc)
    told: list[tuple[float, str]] = []
    for _, rows in decisions.groupby("step", sort=True):
        pick = rows[rows["chosen"].to_numpy(dtype=bool)].iloc[0]
        time = float(pick["time"])
        if pick["context"] == "review" and pick["option"] == "hold":
            quiet.add(str(pick["actor"]), time)
            continue
        told += quiet.flush()
        told.append((time, f"{_date(sc, time).isoformat()} — {reason(sc, rows)}"))
    told += quiet.flush()
    events = []
    for e in record.events or ():
        if e.time > 0 and (e.kind in ("incident", "failed") or e.payload.get("cause")):
            sentence = _event_sentence(sc, e.kind, e.actor, e.target, e.payload)
            events.append((e.time, f"{_date(sc, e.time).isoformat()} — {sentence}"))
    merged = sorted(
        [(t, 0, i, s) for i, (t, s) in enumerate(told)]
        + [(t, 1, i, s) for i, (t, s) in enumerate(events)]
    )
    return [s for *_, s in merged]


def explain(
    source: Scenario | Results | str | os.PathLike[str],
    seed: int | None = None,
    run: int = 0,
    *,
    rules: dict[str, Callable[..., Any]] | None = None,
) -> str:
    """The reasons of one run's choices, as dated sentences, and what decided its outcome.

    ``source`` and ``seed``, ``run`` and ``rules`` pick the run as for :func:`escalsim.narrate`:
    run ``run`` of the ensemble with root seed ``seed`` (default 0) of a scenario (or its
    file), or row ``run`` of a Results (replayed from its seed: pass the same ``rules``).
    """
    from escalsim.engine.trace import untraced
    from escalsim.results.attribution import decisive
    from escalsim.results.layout import Layout, horizon_outcomes

    note = untraced(rules)
    if note is not None:
        warnings.warn(note, RuntimeWarning, stacklevel=2)
    sc, record, heading = _replay(source, seed, run, rules)
    layout = Layout.of(sc)
    decisions = layout.decisions.frame([record])
    cause = decisive(layout.runs_frame([record]), decisions, horizon_outcomes(sc)).iloc[0]
    when = _date(sc, record.time).isoformat()
    lines = [sc.title or sc.name, heading, ""]
    lines += _sentences(sc, record, decisions)
    lines.append(f"{when} — {_ending(sc, cause.to_dict(), record)}")
    return "\n".join(lines)
