"""An ensemble: the chunk loop's records, in run order, into a sink (memory or Parquet).

:func:`run_ensemble` knows nothing of the engine: it runs any top-level ``task(payload,
chunk) -> list[RunRecord]`` through :class:`~escalsim.ensemble.loop.ChunkLoop`. ``simulate``
gives it the engine's task; tests give it small fake tasks.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from escalsim.ensemble.executors import Task
from escalsim.ensemble.loop import ChunkLoop
from escalsim.ensemble.pacing import CHUNK_SECONDS
from escalsim.ensemble.precision import PrecisionRule
from escalsim.ensemble.settings import RunSettings
from escalsim.errors import Interrupted, RunError
from escalsim.results.layout import Layout
from escalsim.results.partial import PartialRun, discard_unless_running, plan_resume
from escalsim.results.provenance import library_version, now_iso, scenario_hash, scenario_json

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.engine import RunRecord
    from escalsim.results import Results
    from escalsim.scenario.schema import Scenario


class _MemorySink:
    """Keeps every chunk's frames and joins them at the end."""

    def __init__(self) -> None:
        self.runs: list[pd.DataFrame] = []
        self.events: list[pd.DataFrame] = []
        self.decisions: list[pd.DataFrame] = []

    def write(
        self, runs: pd.DataFrame, events: pd.DataFrame | None, decisions: pd.DataFrame | None
    ) -> None:
        self.runs.append(runs)
        if events is not None:
            self.events.append(events)
        if decisions is not None:
            self.decisions.append(decisions)

    def commit(self, scenario: Scenario, provenance: dict[str, Any], keep: bool) -> Results:
        import pandas as pd

        from escalsim.results import Results

        runs = pd.concat(self.runs, ignore_index=True)
        events = pd.concat(self.events, ignore_index=True) if keep else None
        decisions = None
        if provenance.get("trace"):
            decisions = pd.concat(self.decisions, ignore_index=True)
        return Results(runs, scenario, provenance, events, decisions=decisions)

    def abort(self) -> None:
        self.runs.clear()
        self.events.clear()
        self.decisions.clear()


class _FileSink:
    """Streams the chunks to a Parquet file (gathered into row groups); hands back a handle."""

    def __init__(
        self, path: str | os.PathLike[str], layout: Layout, keep: bool, trace: bool, force: bool
    ):
        from escalsim.results.io import ParquetStream

        self.stream = ParquetStream(
            path, layout, with_events=keep, with_decisions=trace, force=force
        )

    def write(
        self, runs: pd.DataFrame, events: pd.DataFrame | None, decisions: pd.DataFrame | None
    ) -> None:
        self.stream.write(runs, events, decisions)

    def commit(self, scenario: Scenario, provenance: dict[str, Any], keep: bool) -> Results:
        from escalsim.results import Results

        path = self.stream.commit(provenance, scenario_json(scenario))
        return Results.from_parquet(path, lazy=True)

    def abort(self) -> None:
        self.stream.abort()


class _PartialSink:
    """Keeps every chunk in the target's ``.partial`` folder; assembles the target at the end."""

    def __init__(self, partial: PartialRun) -> None:
        self.partial = partial

    def write(
        self, runs: pd.DataFrame, events: pd.DataFrame | None, decisions: pd.DataFrame | None
    ) -> None:
        self.partial.write(runs, events, decisions)

    def commit(self, scenario: Scenario, provenance: dict[str, Any], keep: bool) -> Results:
        from escalsim.results import Results

        return Results.from_parquet(
            self.partial.commit(provenance, scenario_json(scenario)), lazy=True
        )

    def abort(self) -> None:
        """Nothing to undo: the finished chunks stay for a later resume."""
        self.partial.close()


@dataclass(frozen=True)
class Output:
    """Where the runs go instead of memory: a Parquet file, streamed chunk by chunk; made
    resumable with ``resume``; an existing file (or kept unfinished run) replaced with
    ``force``."""

    path: str | os.PathLike[str]
    resume: bool = False
    force: bool = False


def resume_settings(
    scenario: Scenario,
    runs: int,
    seed: int,
    settings: RunSettings,
    precision: float | None = None,
) -> dict[str, Any]:
    """The settings that fix an ensemble's table: a run may only be resumed under the same."""
    return {
        "escalsim_version": library_version(),
        "scenario_sha256": scenario_hash(scenario),
        "seed": seed,
        "runs": runs,
        "precision": precision,
        "max_runs": settings.max_runs if precision is not None else None,
        "keep_events": settings.keep_events,
        "trace": settings.trace,
        "python_rules": settings.python_rules,
    }


_Sink = _MemorySink | _FileSink | _PartialSink


def _file_sink(
    output: Output, layout: Layout, fixed: dict[str, Any], started: str
) -> _FileSink | _PartialSink | None:
    """The sink that writes the runs to ``output``; None when it already holds this very run."""
    out, resume, force = output.path, output.resume, output.force
    if plan_resume(out, fixed, resume=resume, force=force) == "complete":
        return None
    if resume:
        return _PartialSink(PartialRun(out, layout, fixed, force=force, started=started))
    if force:  # an unfinished run kept for out is discarded (refused without force)
        discard_unless_running(out)
    return _FileSink(out, layout, bool(fixed["keep_events"]), bool(fixed["trace"]), force)


class _Tally:
    """The runs done so far, their outcome counts and the precision rule fed with them."""

    def __init__(self, layout: Layout, rule: PrecisionRule | None) -> None:
        self.layout = layout
        self.codes = {name: i for i, name in enumerate(layout.outcomes)}
        self.counts = dict.fromkeys(layout.outcomes, 0)
        self.rule = rule
        self.done = 0

    @property
    def met(self) -> bool:
        return self.rule is not None and self.rule.met

    def replay(self, partial: PartialRun) -> None:
        """Count the runs a resumed run had finished, and feed them to the rule."""
        for names in partial.outcomes():
            self.add(names)
            if self.rule is not None:
                self.rule.feed(np.asarray([self.codes[name] for name in names], dtype="int64"))

    def keep(self, records: list[RunRecord]) -> list[RunRecord]:
        """The records of a new chunk to keep: all, or those up to where the rule is met."""
        if self.rule is None:
            return records
        outcome = [self.codes.get(r.outcome, -1) for r in records]
        if min(outcome, default=0) < 0:
            bad = records[outcome.index(-1)]
            raise RunError(f"unknown outcome '{bad.outcome}'", bad.run, bad.seed)
        keep = self.rule.feed(np.asarray(outcome, dtype="int64"))
        return records if keep is None else records[:keep]

    def add(self, outcomes: Sequence[str]) -> None:
        for name in outcomes:
            self.counts[name] = self.counts.get(name, 0) + 1
        self.done += len(outcomes)


def _provenance(
    scenario: Scenario,
    seed: int,
    settings: RunSettings,
    loop: ChunkLoop,
    tally: _Tally,
    started: str,
) -> dict[str, Any]:
    """What made these results: version, scenario, seed, runs, executor, chunks, times."""
    return {
        "escalsim_version": library_version(),
        "scenario": scenario.name,
        "scenario_sha256": scenario_hash(scenario),
        "seed": seed,
        "runs": tally.done,
        "executor": loop.executor.name,
        "workers": loop.executor.workers,
        "chunk_size": loop.chunk_size,
        "chunk_seconds": None if loop.chunk_size else CHUNK_SECONDS,
        "keep_events": settings.keep_events,
        "trace": settings.trace,
        "started": started,
        "finished": now_iso(),
    }


def _check_order(records: Sequence[RunRecord], first: int) -> None:
    runs = [r.run for r in records]
    if runs != list(range(first, first + len(records))):
        raise RunError(f"a chunk returned runs {runs[:3]}... where runs from {first} were due")


def run_ensemble(
    task: Task,
    payload: Any,
    scenario: Scenario,
    runs: int,
    seed: int,
    settings: RunSettings,
    *,
    precision: float | None = None,
    output: Output | None = None,
) -> Results:
    """Run ``runs`` runs (or, with ``precision``, as many as it takes, from ``runs`` up to
    ``settings.max_runs``) on the executor of ``settings``, and collect them as Results.

    With an ``output`` that is ``resume``-able, finished chunks are kept beside its file and an
    unfinished run with the same settings is continued (see :mod:`escalsim.results.partial`).
    Arguments are assumed valid (``simulate`` checks them).
    """
    layout = Layout.of(scenario)
    started = now_iso()
    stop = runs if precision is None else settings.max_runs
    rule = None if precision is None else PrecisionRule(len(layout.outcomes), precision, runs)
    sink: _Sink
    if output is None:
        sink = _MemorySink()
    else:
        fixed = resume_settings(scenario, runs, seed, settings, precision)
        file_sink = _file_sink(output, layout, fixed, started)
        if file_sink is None:  # the file already holds this very run
            from escalsim.results import Results

            return Results.from_parquet(output.path, lazy=True)
        sink = file_sink
    if isinstance(sink, _PartialSink):
        started = sink.partial.started or started
    tally = _Tally(layout, rule)
    resumed_from = 0
    # an adaptive run count is open-ended: the bar then counts runs without a total
    loop = ChunkLoop(settings, runs=runs, total=stop if rule is None else None, desc=scenario.name)
    try:
        with loop:
            if isinstance(sink, _PartialSink):  # runs finished before: count them
                tally.replay(sink.partial)
                loop.bar.update(tally.done)
                resumed_from = tally.done
            if not tally.met:
                _run_chunks(task, payload, seed, stop, loop, tally, sink)
            provenance = _provenance(scenario, seed, settings, loop, tally, started)
        if resumed_from:
            provenance["resumed_from"] = resumed_from
        if rule is not None:
            provenance.update(
                precision=precision,
                min_runs=runs,
                max_runs=stop,
                runs_needed=tally.done if rule.met else None,
                precision_met=rule.met,
            )
        if settings.rules:
            provenance["python_rules"] = settings.python_rules
        result = sink.commit(scenario, provenance, settings.keep_events)
    except KeyboardInterrupt:
        raise _interrupted(scenario, seed, settings, sink, tally) from None
    except BaseException:
        sink.abort()
        raise
    if rule is not None and not rule.met:
        warnings.warn(
            f"precision {precision} not reached after {tally.done} runs (max_runs); the widest "
            f"interval half-width is {rule.widest():.4f}",
            RuntimeWarning,
            stacklevel=3,
        )
    return result


def _run_chunks(
    task: Task,
    payload: Any,
    seed: int,
    stop: int,
    loop: ChunkLoop,
    tally: _Tally,
    sink: _Sink,
) -> None:
    """Run the runs from ``tally.done`` to ``stop`` (or until the precision rule is met) and
    write each chunk to the sink."""
    keep_events, trace = loop.settings.keep_events, loop.settings.trace
    layout = tally.layout
    with contextlib.closing(loop.results(task, payload, seed, tally.done, stop)) as chunks:
        for records in chunks:
            _check_order(records, tally.done)
            records = tally.keep(records)
            events = layout.events_frame(records) if keep_events else None
            decisions = layout.decisions.frame(records) if trace else None
            sink.write(layout.runs_frame(records), events, decisions)
            tally.add([r.outcome for r in records])
            loop.bar.update(len(records))
            if tally.met:
                break


def _interrupted(
    scenario: Scenario, seed: int, settings: RunSettings, sink: _Sink, tally: _Tally
) -> Interrupted:
    """What a Ctrl-C leaves: the finished runs' counts, in memory the partial Results, or the
    folder of kept chunks."""
    partial = None
    if isinstance(sink, _MemorySink) and sink.runs:
        info = {
            "scenario": scenario.name,
            "seed": seed,
            "runs": tally.done,
            "trace": settings.trace,
            "interrupted": True,
        }
        partial = sink.commit(scenario, info, settings.keep_events)
    sink.abort()
    kept = sink.partial.folder if isinstance(sink, _PartialSink) else None
    return Interrupted(tally.done, tally.counts, partial, kept)
