"""Narratives: one run told as dated sentences, and the most common paths to each outcome.

A run's event log holds the replayed history first (events at or before the start, time ≤ 0)
and then the run itself (time > 0: every decision in a run comes after a random positive
delay), ending with an ``outcome`` event. :func:`tell` turns a log into :class:`Sentence`
objects with the actors' display names and the rung and deal names; :func:`narrate` replays
one run of an ensemble from its seed and tells it; :func:`paths` counts, across an ensemble,
the last steps before each outcome.
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

ARROW = " → "
DEFAULT_IGNORE = ("statement", "rally", "channel_open", "channel_closed")
"""Event kinds left out of :func:`paths` by default: frequent, and rarely what decides."""


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
            raise ResultsError(f"no run {run}; these results hold runs 0 to {len(source) - 1}")
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


# --- paths across an ensemble ---------------------------------------------------------------


def _named(payload: object) -> str | None:
    """The rung, else the action, that an event's JSON payload names (None if neither)."""
    if not isinstance(payload, str):
        return None
    p = json.loads(payload)
    return (p.get("rung") or p.get("action")) if isinstance(p, dict) else None


def path_tokens(
    events: pd.DataFrame, *, ignore: Iterable[str] = DEFAULT_IGNORE, actors: bool = False
) -> pd.DataFrame:
    """The steps of each run after the start: columns run and step (``kind``, or
    ``kind:rung`` for climb, descend and failed; ``actor:...`` with ``actors``), in order,
    without the outcome event, the ignored kinds, and repeats of the step just before."""
    ev = events[(events["time"] > 0.0) & (events["kind"] != "outcome")]
    ev = ev[~ev["kind"].isin(list(ignore))]
    step = ev["kind"].astype(str)
    detailed = step.isin(["climb", "descend", "failed"])
    detail = ev["payload"][detailed].map(_named).reindex(ev.index)
    step = step.where(~(detailed & detail.notna()), step + ":" + detail.fillna(""))
    if actors:
        step = ev["actor"].astype(str) + ":" + step
    out = ev[["run"]].assign(step=step.to_numpy())
    keep = (out["step"] != out["step"].shift()) | (out["run"] != out["run"].shift())
    return out[keep].reset_index(drop=True)


def paths(
    results: Results,
    top: int = 5,
    *,
    steps: int | None = 3,
    ignore: Iterable[str] = DEFAULT_IGNORE,
    actors: bool = False,
) -> pd.DataFrame:
    """The most common paths to each outcome: the last ``steps`` steps of the runs before it.

    A run's path is its sequence of event kinds after the start (history excluded), with
    climbs, descents and failures naming their rung (``climb:raid``), the kinds in ``ignore``
    left out (by default statements, rallies and channel openings and closings), and
    consecutive repeats collapsed; ``steps`` keeps only the last few (None: the whole path,
    which is nearly unique per run). Returns, per outcome in scenario order, the ``top``
    paths: outcome, rank, path (steps joined by " → "; "(nothing)" for none), count, share
    (of the runs that ended in the outcome), p (of all runs) and outcome_runs.
    Needs the event logs: ``simulate(..., keep_events=True)``.
    """
    import pandas as pd

    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ValueError(f"top must be a positive integer, got {top!r}")
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or steps < 1):
        raise ValueError(f"steps must be a positive integer or None, got {steps!r}")
    events = results.events
    if events is None:
        raise ResultsError(
            "these results have no event logs, so no paths: run with keep_events=True "
            "(escalsim run --events)"
        )
    tokens = path_tokens(events, ignore=ignore, actors=actors)
    if steps is not None:
        tokens = tokens.groupby("run", sort=False).tail(steps)
    joined = tokens.groupby("run", sort=True)["step"].agg(ARROW.join)
    runs = results.runs[["run", "outcome"]].copy()
    runs["path"] = runs["run"].map(joined).fillna("(nothing)")
    runs.loc[runs["path"] == "", "path"] = "(nothing)"
    n = len(runs)
    frames = []
    for name in results.scenario.outcomes:
        mine = runs[runs["outcome"] == name]
        if mine.empty:
            continue
        counts = mine["path"].value_counts(sort=False)
        # most common first; ties in order of first appearance (run order), stable
        first = {p: i for i, p in enumerate(dict.fromkeys(mine["path"]))}
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], first[kv[0]]))[:top]
        frames.append(
            pd.DataFrame(
                {
                    "outcome": name,
                    "rank": range(1, len(ranked) + 1),
                    "path": [p for p, _ in ranked],
                    "count": [int(c) for _, c in ranked],
                    "share": [c / len(mine) for _, c in ranked],
                    "p": [c / n for _, c in ranked],
                    "outcome_runs": len(mine),
                }
            )
        )
    columns = ["outcome", "rank", "path", "count", "share", "p", "outcome_runs"]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    out["outcome"] = pd.Categorical(out["outcome"], categories=list(results.scenario.outcomes))
    return out[columns]
