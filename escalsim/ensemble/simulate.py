"""``simulate``: run a scenario many times and collect the Results."""

from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING

from escalsim.checks import positive_int
from escalsim.ensemble.driver import Output, run_ensemble
from escalsim.ensemble.precision import check_precision
from escalsim.ensemble.seeds import check_seed
from escalsim.ensemble.settings import RunSettings, as_settings
from escalsim.ensemble.tasks import EngineJob, run_chunk

if TYPE_CHECKING:
    from escalsim.results import Results
    from escalsim.scenario.schema import Scenario


def simulate(
    scenario: Scenario | str | os.PathLike[str],
    runs: int = 1000,
    seed: int = 0,
    *,
    precision: float | None = None,
    out: str | os.PathLike[str] | None = None,
    resume: bool = False,
    force: bool = False,
    settings: RunSettings | None = None,
) -> Results:
    """Run a scenario ``runs`` times and return the Results.

    Run ``i`` uses the seed spawned from ``SeedSequence(seed)`` by index ``i``, so the same
    seed gives the same runs table whatever the executor, number of workers or chunk size.

    Parameters
    ----------
    scenario
        A Scenario, or the path of a scenario file.
    runs
        Number of runs. With ``precision``, the minimum number of runs.
    seed
        Root seed (a non-negative integer).
    precision
        If given, keep adding chunks until every outcome's 95% Wilson interval half-width is
        at most ``precision``, checked after every run in run order (so the count does not
        depend on chunking), or until ``settings.max_runs``. ``provenance["runs_needed"]``
        records the count; if the cap is reached first a RuntimeWarning says so.
    out
        A Parquet file to stream the runs to, chunk by chunk, so that memory does not
        grow with the run count (the events, if kept, go to ``<name>.events.parquet``). It is
        written under a temporary name and renamed when complete; an error or an interrupt
        leaves nothing behind (but see ``resume``). The returned Results is then a handle on
        the file: its tables are read back on first use. Decision traces (``settings.trace``)
        go to ``<name>.decisions.parquet``, streamed alike.
    resume
        With ``out``: make the run resumable, and continue an interrupted one. Each finished
        chunk is kept in ``<out>.partial/`` until the end, so an interrupt, an error or a killed
        process leaves them there; calling again with the same scenario, seed, runs,
        precision, ``keep_events``, ``trace``, ``rules`` and (with precision) ``max_runs`` runs
        only the rest and gives the same table as an uninterrupted run (the executor, workers
        and chunk size may change). Different settings are a ResultsError. If ``out`` already
        holds a run with these settings, it is returned as it is. Without ``resume``, a kept
        unfinished run for ``out`` is a ResultsError unless ``force`` discards it. While one
        process runs a resumable ``out``, another trying to is refused with a ResultsError
        (POSIX); its workers end with it even if it is killed, so a resume then needs no
        clean-up. A kept chunk that no longer matches its checksum is run again, with a
        RuntimeWarning. A full disk is a ResultsError that names the file and the runs kept.
    force
        Replace ``out`` if it exists (else ResultsError); without ``resume``, also discard the
        finished chunks an interrupted resumable run kept for ``out`` (not those of a run in
        progress: a ResultsError).
    settings
        How to run: executor (local processes by default), workers, chunk size, progress bar,
        event logs, Python decision rules, cap of an adaptive run count (:class:`RunSettings`).
    """
    from escalsim.engine import prepare
    from escalsim.engine.trace import untraced
    from escalsim.scenario import as_scenario

    scenario = as_scenario(scenario)
    settings = as_settings(settings)
    runs = positive_int("runs", runs)
    seed = check_seed(seed)
    if precision is not None:
        precision = check_precision(precision)
        if settings.max_runs < runs:
            raise ValueError(f"max_runs ({settings.max_runs}) is below runs ({runs})")
    if resume and out is None:
        raise ValueError("resume needs out, the Parquet file to stream the runs to")
    output = None if out is None else Output(out, resume=resume, force=force)
    if settings.trace:
        note = untraced(settings.rules)
        if note is not None:
            warnings.warn(note, RuntimeWarning, stacklevel=2)
    job = EngineJob(prepare(scenario, settings.rules), settings.keep_events, settings.trace)
    return run_ensemble(
        run_chunk, job, scenario, runs, seed, settings, precision=precision, output=output
    )
