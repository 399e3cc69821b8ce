"""The task every executor runs for a real ensemble: one chunk of runs on the engine."""

from __future__ import annotations

from dataclasses import dataclass

from escalsim.engine import Prepared, RunRecord, run_prepared
from escalsim.ensemble.seeds import Chunk
from escalsim.errors import RunError


@dataclass(frozen=True)
class EngineJob:
    """What every worker needs, sent once per worker: the prepared scenario and options."""

    prepared: Prepared
    keep_events: bool = False
    trace: bool = False


def run_chunk(job: EngineJob, chunk: Chunk) -> list[RunRecord]:
    """Run each run of the chunk from its own seed; a failure names the run and its seed."""
    records = []
    for run, seed in zip(chunk.runs, chunk.seeds(), strict=True):
        try:
            records.append(run_prepared(job.prepared, seed, run, job.keep_events, job.trace))
        except RunError:
            raise
        except Exception as exc:
            raise RunError(f"run failed: {type(exc).__name__}: {exc}", run=run, seed=seed) from exc
    return records
