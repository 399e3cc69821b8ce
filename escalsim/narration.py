"""Narratives: one run told as dated sentences.

A run's event log holds the replayed history first (events at or before the start, time ≤ 0)
and then the run itself (time > 0: every decision in a run comes after a random positive
delay), ending with an ``outcome`` event. :func:`tell` turns a log into :class:`Sentence`
objects with the actors' display names and the rung and deal names; :func:`narrate` replays
one run of an ensemble from its seed and tells it. The most common paths to each outcome,
across an ensemble, are :func:`escalsim.analysis.paths`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from escalsim.errors import ResultsError
from escalsim.scenario.kinds import KINDS

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.engine import Event, RunRecord
    from escalsim.results import Results
    from escalsim.scenario.schema import Scenario


@dataclass(frozen=True)
class Sentence:
    """One dated sentence of a run's story."""

    time: float
    """Days from the scenario's start (negative before it)."""
    date: dt.date
    text: str
    before_start: bool
    """True for the replayed history (time ≤ 0)."""

    def __str__(self) -> str:
        return f"{self.date.isoformat()} — {self.text}"


# --- telling one run ------------------------------------------------------------------------


def _events_of(source: RunRecord | Iterable[Event] | pd.DataFrame) -> list[tuple]:
    """(time, actor, kind, target, payload dict) for a record, events, or an events frame."""
    events = getattr(source, "events", source)
    if events is None:
        raise ResultsError("this run kept no event log (run it with keep_events=True)")
    if hasattr(events, "itertuples"):  # a DataFrame from Results.events
        if events["run"].nunique() > 1:
            raise ValueError("the events frame holds several runs; select one run first")
        out = []
        for row in events.itertuples(index=False):
            payload = json.loads(row.payload) if isinstance(row.payload, str) else {}
            target = row.target if isinstance(row.target, str) and row.target != "nan" else None
            out.append((float(row.time), str(row.actor), str(row.kind), target, payload))
        return out
    return [(float(e.time), e.actor, e.kind, e.target, dict(e.payload)) for e in events]


_CUSTOM = ("{a} attempts {kind} ({description})", "{a} attempts {kind}")
"""The sentence of a scenario's custom action."""
_UNKNOWN = ("{a}: {kind}", "{kind}")
"""The sentence of a kind that is neither in the kinds table nor a custom action."""


def _say(templates: tuple[str, ...], words: dict[str, Any]) -> str:
    """The first template whose words are all given (not empty), else the last, blanks left."""
    for template in templates:
        if all(words.get(name) for name in _fields(template)):
            return template.format_map(words)
    return templates[-1].format_map({k: v or "" for k, v in words.items()})


@functools.cache
def _fields(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)


class _Teller:
    """Turns events into sentences, remembering who offered what to whom."""

    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        self.offers: dict[tuple[str, str | None], str] = {}
        self.notes: dict[tuple[dt.date, str, str], list[str]] = {}
        for ev in sc.history:
            if ev.note:
                self.notes.setdefault((ev.date, ev.actor, ev.event), []).append(ev.note)

    def name(self, actor: str | None) -> str:
        if not actor or actor == "-":
            return ""
        spec = self.sc.actors.get(actor)
        return (spec.name or actor) if spec is not None else actor

    def date(self, time: float) -> dt.date:
        return self.sc.start + dt.timedelta(days=float(time))

    def sentence(self, time: float, actor: str, kind: str, target: str | None, p: dict) -> str:
        """The sentence of one event: its kind's template, a custom action's, or a plain one."""
        words = {
            "a": self.name(actor),
            "t": self.name(target),
            "kind": kind,
            **{k: p.get(k) for k in ("deal", "rung", "action", "cause")},
        }
        spec = KINDS.get(kind)
        if spec is not None:
            if spec.offer and words["deal"]:
                self.offers[(actor, target)] = words["deal"]
            by = p.get("deadline")
            words["deadline"] = self.date(by).isoformat() if isinstance(by, (int, float)) else ""
            words["offer"] = self.offers.get((target, actor)) if target else None
            # who made the actor its standing offer (a demand accepted at a review)
            words["offerer"] = next((self.name(x) for x, y in self.offers if y == actor), "")
            return _say(spec.says, words)
        person = self.sc.actors.get(actor)
        custom = person.actions.get(kind) if person is not None else None
        if custom is not None:
            return _say(_CUSTOM, {**words, "description": custom.description})
        return _say(_UNKNOWN, words)

    def outcome(self, time: float, p: dict) -> str:
        name = p.get("outcome", "?")
        spec = self.sc.outcomes.get(name)
        when = (
            "at the horizon" if time >= float(self.sc.horizon) - 1e-9 else f"after {time:.1f} days"
        )
        words = {"outcome": name, "description": spec.description if spec else "", "when": when}
        return _say(KINDS["outcome"].says, words)

    def note(self, time: float, actor: str, kind: str) -> str:
        notes = self.notes.get((self.date(time), actor, kind))
        return notes.pop(0) if notes else ""


def tell(
    scenario: Scenario,
    events: RunRecord | Iterable[Event] | pd.DataFrame,
    *,
    history: bool = True,
    notes: bool = True,
) -> list[Sentence]:
    """The events of one run as dated sentences, in the order they happened.

    ``events`` is a RunRecord made with ``keep_events=True``, a sequence of Events, or the
    rows of one run in ``Results.events``. History events (at or before the start) come
    first, marked ``before_start``, each with the scenario's note on it when ``notes``; the
    last sentence is the outcome. ``history=False`` leaves the history out.
    """
    teller = _Teller(scenario)
    out = []
    for time, actor, kind, target, payload in _events_of(events):
        before = time <= 0.0 and kind != "outcome"
        if kind == "outcome":
            text = teller.outcome(time, payload)
        else:
            text = teller.sentence(time, actor, kind, target, payload)
            if before and notes:
                note = teller.note(time, actor, kind)
                if note:
                    text += f" — {note}"
        if before and not history:
            continue
        text = text[:1].upper() + text[1:]
        out.append(Sentence(time, teller.date(time), text, before))
    return out


def _history_left_out(scenario: Scenario, params: dict[str, float]) -> list[str]:
    names = []
    for i, ev in enumerate(scenario.history):
        key = f"history.{ev.id or i}"
        if params.get(key, 1.0) == 0.0:
            names.append(f"{ev.date} {ev.id or i}" + (f" ({ev.note})" if ev.note else ""))
    return names


def format_story(
    scenario: Scenario,
    sentences: Sequence[Sentence],
    *,
    heading: str = "",
    left_out: Sequence[str] = (),
) -> str:
    """The sentences as text: a heading, the history (if any), then the run."""
    lines = [scenario.title or scenario.name]
    if heading:
        lines.append(heading)
    before = [s for s in sentences if s.before_start]
    after = [s for s in sentences if not s.before_start]
    if before or left_out:
        lines += ["", "Before the start (the reported history, as drawn for this run):"]
        lines += [str(s) for s in before]
        if left_out:
            lines.append("Left out of this run's history (judged unreliable in this draw):")
            lines += [f"  {x}" for x in left_out]
    lines += ["", f"From the start ({scenario.start}):"]
    lines += [str(s) for s in after]
    return "\n".join(lines)


def narrate(
    source: Scenario | Results | str | os.PathLike[str],
    seed: int | None = None,
    run: int = 0,
    *,
    rules: dict[str, Callable[..., Any]] | None = None,
    history: bool = True,
) -> str:
    """The story of one run as dated sentences: the history, then the run, then the outcome.

    With a scenario (or its file), the run is run ``run`` of the ensemble with root seed
    ``seed`` (default 0), i.e. the run ``simulate(scenario, seed=seed)`` puts in row ``run``;
    it is replayed from its seed. With a Results, the run is its row ``run`` (``seed`` must
    be None): its stored event log is told if the runs kept one, else it is replayed from the
    seed in the table (pass the same ``rules`` as to ``simulate``).
    """
    from escalsim.engine import run_one, run_seed
    from escalsim.results import Results

    if isinstance(run, bool) or not isinstance(run, int) or run < 0:
        raise ValueError(f"run must be a non-negative integer, got {run!r}")
    if isinstance(source, Results):
        if seed is not None:
            raise ValueError("a Results fixes each run's seed: pass run=, not seed=")
        sc = source.scenario
        rows = source.runs[source.runs["run"] == run]
        if rows.empty:
            held = f"runs 0 to {len(source) - 1}" if len(source) else "no runs (0 rows)"
            raise ResultsError(f"no run {run}; these results hold {held}")
        row = rows.iloc[0]
        run_s = int(row["seed"])
        params = {c[len("param.") :]: row[c] for c in rows.columns if c.startswith("param.")}
        ev = source.events
        if ev is not None:
            story = tell(sc, ev[ev["run"] == run], history=history)
        else:
            story = tell(sc, run_one(sc, run_s, keep_events=True, rules=rules), history=history)
        root = source.provenance.get("seed")
        heading = f"Run {run}" + (f" of root seed {root}" if root is not None else "")
    else:
        if isinstance(source, (str, os.PathLike)):
            from escalsim.scenario import load_scenario

            source = load_scenario(source)
        sc = source
        root = 0 if seed is None else seed
        run_s = run_seed(root, run)
        record = run_one(sc, run_s, keep_events=True, rules=rules)
        params = record.params
        story = tell(sc, record, history=history)
        heading = f"Run {run} of root seed {root}"
    heading += f" (run seed {run_s}); start {sc.start}, horizon {sc.horizon:g} days"
    left_out = _history_left_out(sc, params) if history else []
    return format_story(sc, story, heading=heading, left_out=left_out)
