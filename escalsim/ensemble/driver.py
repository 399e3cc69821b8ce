"""The ensemble loop: chunks out to an executor, records back in run order, into a sink.

:func:`run_ensemble` knows nothing of the engine: it runs any top-level ``task(payload,
chunk) -> list[RunRecord]``. ``simulate`` gives it the engine's task; tests give it small
fake tasks.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from escalsim.ensemble.executors import Executor, Task
from escalsim.ensemble.precision import DEFAULT_MAX_RUNS, PrecisionRule
from escalsim.ensemble.progress import progress_bar
from escalsim.ensemble.seeds import plan_chunks
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

    def write(self, runs: pd.DataFrame, events: pd.DataFrame | None) -> None:
        self.runs.append(runs)
        if events is not None:
            self.events.append(events)

    def commit(self, scenario: Scenario, provenance: dict[str, Any], keep: bool) -> Results:
        import pandas as pd

        from escalsim.results import Results

        runs = pd.concat(self.runs, ignore_index=True)
        events = pd.concat(self.events, ignore_index=True) if keep else None
        return Results(runs, scenario, provenance, events)

    def abort(self) -> None:
        self.runs.clear()
        self.events.clear()


class _FileSink:
    """Streams the chunks to a Parquet file (gathered into row groups); hands back a handle."""

    def __init__(self, path: str | os.PathLike[str], layout: Layout, keep: bool, force: bool):
        from escalsim.results.io import ParquetStream

        self.stream = ParquetStream(path, layout, with_events=keep, force=force)

    def write(self, runs: pd.DataFrame, events: pd.DataFrame | None) -> None:
        self.stream.write(runs, events)

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

    def write(self, runs: pd.DataFrame, events: pd.DataFrame | None) -> None:
        self.partial.write(runs, events)

    def commit(self, scenario: Scenario, provenance: dict[str, Any], keep: bool) -> Results:
        from escalsim.results import Results

        return Results.from_parquet(
            self.partial.commit(provenance, scenario_json(scenario)), lazy=True
        )

    def abort(self) -> None:
        """Nothing to undo: the finished chunks stay for a later resume."""
        self.partial.close()


def resume_settings(
    scenario: Scenario,
    *,
    seed: int,
    runs: int,
    keep_events: bool,
    precision: float | None = None,
    max_runs: int | None = None,
    extra_provenance: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The settings that fix an ensemble's table: a run may only be resumed under the same."""
    return {
        "escalsim_version": library_version(),
        "scenario_sha256": scenario_hash(scenario),
        "seed": seed,
        "runs": runs,
        "precision": precision,
        "max_runs": (max_runs or DEFAULT_MAX_RUNS) if precision is not None else None,
        "keep_events": keep_events,
        "python_rules": (extra_provenance or {}).get("python_rules"),
    }


def _no_chunks() -> Iterator[list[RunRecord]]:
    yield from ()


def _check_order(records: Sequence[RunRecord], first: int) -> None:
    runs = [r.run for r in records]
    if runs != list(range(first, first + len(records))):
        raise RunError(f"a chunk returned runs {runs[:3]}... where runs from {first} were due")


def run_ensemble(
    task: Task,
    payload: Any,
    scenario: Scenario,
    *,
    executor: Executor,
    runs: int,
    seed: int,
    chunk_size: int,
    keep_events: bool = False,
    precision: float | None = None,
    max_runs: int | None = None,
    out: str | os.PathLike[str] | None = None,
    force: bool = False,
    resume: bool = False,
    progress: bool | None = None,
    extra_provenance: dict[str, Any] | None = None,
) -> Results:
    """Run ``runs`` runs (or, with ``precision``, as many as it takes, from ``runs`` up to
    ``max_runs``) in chunks of ``chunk_size``, and collect them as Results.

    With ``out`` and ``resume``, finished chunks are kept beside ``out`` and an unfinished run
    with the same settings is continued (see :mod:`escalsim.results.partial`). Arguments are
    assumed valid (``simulate`` checks them).
    """
    layout = Layout.of(scenario)
    started = now_iso()
    stop = runs if precision is None else (max_runs or DEFAULT_MAX_RUNS)
    rule = None
    if precision is not None:
        rule = PrecisionRule(len(layout.outcomes), precision, runs)
    sink: _MemorySink | _FileSink | _PartialSink = _MemorySink()
    if out is not None:
        settings = resume_settings(
            scenario,
            seed=seed,
            runs=runs,
            keep_events=keep_events,
            precision=precision,
            max_runs=stop,
            extra_provenance=extra_provenance,
        )
        if plan_resume(out, settings, resume=resume, force=force) == "complete":
            from escalsim.results import Results

            return Results.from_parquet(out, lazy=True)
        if not resume:
            if force:  # an unfinished run kept for out is discarded (refused without force)
                discard_unless_running(out)
            sink = _FileSink(out, layout, keep_events, force)
        else:
            sink = _PartialSink(PartialRun(out, layout, settings, force=force, started=started))
            started = sink.partial.started or started
    codes = {name: i for i, name in enumerate(layout.outcomes)}
    counts = dict.fromkeys(layout.outcomes, 0)
    # an adaptive run count is open-ended: the bar then counts runs without a total
    bar = progress_bar(progress, stop if rule is None else None, scenario.name)
    done = 0
    try:
        if isinstance(sink, _PartialSink):  # runs finished before: count them, replay the rule
            for names in sink.partial.outcomes():
                for name in names:
                    counts[name] += 1
                if rule is not None:
                    rule.feed(np.asarray([codes[name] for name in names], dtype="int64"))
                done += len(names)
            bar.update(done)
        resumed_from = done
        if done < stop and not (rule is not None and rule.met):
            results = executor.map(task, payload, plan_chunks(seed, done, stop, chunk_size))
        else:  # resumed a run whose every chunk had finished
            results = _no_chunks()
        try:
            for records in results:
                _check_order(records, done)
                if rule is not None:
                    outcome = [codes.get(r.outcome, -1) for r in records]
                    if min(outcome, default=0) < 0:
                        bad = records[outcome.index(-1)]
                        raise RunError(f"unknown outcome '{bad.outcome}'", bad.run, bad.seed)
                    keep = rule.feed(np.asarray(outcome, dtype="int64"))
                    if keep is not None:
                        records = records[:keep]
                runs_frame = layout.runs_frame(records)
                events_frame = layout.events_frame(records) if keep_events else None
                sink.write(runs_frame, events_frame)
                for r in records:
                    counts[r.outcome] = counts.get(r.outcome, 0) + 1
                done += len(records)
                bar.update(len(records))
                if rule is not None and rule.met:
                    break
        finally:
            results.close()
        provenance: dict[str, Any] = {
            "escalsim_version": library_version(),
            "scenario": scenario.name,
            "scenario_sha256": scenario_hash(scenario),
            "seed": seed,
            "runs": done,
            "executor": executor.name,
            "workers": executor.workers,
            "chunk_size": chunk_size,
            "keep_events": keep_events,
            "started": started,
            "finished": now_iso(),
        }
        if resumed_from:
            provenance["resumed_from"] = resumed_from
        if rule is not None:
            provenance.update(
                precision=precision,
                min_runs=runs,
                max_runs=stop,
                runs_needed=done if rule.met else None,
                precision_met=rule.met,
            )
        provenance.update(extra_provenance or {})
        result = sink.commit(scenario, provenance, keep_events)
    except KeyboardInterrupt:
        partial = None
        if isinstance(sink, _MemorySink) and sink.runs:
            info = {"scenario": scenario.name, "seed": seed, "runs": done, "interrupted": True}
            partial = sink.commit(scenario, info, keep_events)
        sink.abort()
        kept = sink.partial.folder if isinstance(sink, _PartialSink) else None
        raise Interrupted(done, counts, partial, kept) from None
    except BaseException:
        sink.abort()
        raise
    finally:
        bar.close()
    if rule is not None and not rule.met:
        warnings.warn(
            f"precision {precision} not reached after {done} runs (max_runs); the widest "
            f"interval half-width is {rule.widest():.4f}",
            RuntimeWarning,
            stacklevel=3,
        )
    return result
