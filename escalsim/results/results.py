"""Results of an ensemble: the runs table, optional event logs, provenance and the scenario."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from escalsim.results import io
from escalsim.results.layout import Layout, horizon_outcomes
from escalsim.results.provenance import scenario_from_json, scenario_json
from escalsim.results.stats import Z95, cumulative_incidence, milestone_table, summary

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.engine import RunRecord
    from escalsim.plot.accessor import PlotAccessor
    from escalsim.results.discovery import Discovery
    from escalsim.scenario.schema import Scenario


class Results:
    """The ensemble of runs of one scenario.

    ``runs`` is a DataFrame with one row per run, sorted by run index: ``run``, ``seed``,
    ``outcome`` (categorical; every outcome of the scenario is a category, in scenario order),
    ``time`` (days from the start), ``date``, ``rung.<actor>`` (highest rung index reached,
    per actor with a ladder), ``milestone.<name>`` (day first reached in the run, > 0; the
    history's day, <= 0, if only the history reached it; NaN if never),
    ``n_events`` and ``param.<path>`` (the value drawn for each uncertain parameter, and the
    0/1 inclusion of each uncertain history event).

    ``events`` is the long table of event logs (run, time, date, actor, kind, target,
    payload as JSON text) when the runs kept them, else None.

    ``decisions`` is the table of decision traces (one row per option of every decision; see
    :mod:`escalsim.results.decisions`) when the runs were traced, else None.

    Results made by ``simulate(..., out=path)`` or ``Results.from_parquet(path, lazy=True)``
    are a handle on the file: ``runs``, ``events`` and ``decisions`` are read from it on first
    use and then kept; ``path`` names the file.
    """

    def __init__(
        self,
        runs: pd.DataFrame | None,
        scenario: Scenario,
        provenance: dict[str, Any] | None = None,
        events: pd.DataFrame | None = None,
        *,
        path: str | os.PathLike[str] | None = None,
        events_file: str | os.PathLike[str] | None = None,
        decisions: pd.DataFrame | None = None,
        decisions_file: str | os.PathLike[str] | None = None,
    ) -> None:
        if runs is None and path is None:
            raise ValueError("Results needs a runs table or a file to read it from")
        self._scenario = scenario
        self._layout = Layout.of(scenario)
        self._runs = runs
        self._events = events
        self._provenance = dict(provenance or {})
        self.path: Path | None = None if path is None else Path(path)
        self._events_file = None if events_file is None else Path(events_file)
        self._decisions = decisions
        self._decisions_file = None if decisions_file is None else Path(decisions_file)

    # --- construction ---------------------------------------------------------------------
    @classmethod
    def from_records(
        cls,
        records: Sequence[RunRecord],
        scenario: Scenario,
        provenance: dict[str, Any] | None = None,
    ) -> Results:
        """Results from run records (sorted by run index); events and decision traces kept if
        the records have them."""
        records = sorted(records, key=lambda r: r.run)
        layout = Layout.of(scenario)
        events = decisions = None
        if records and all(r.events is not None for r in records):
            events = layout.events_frame(records)
        if records and all(r.decisions is not None for r in records):
            decisions = layout.decisions.frame(records)
        return cls(layout.runs_frame(records), scenario, provenance, events, decisions=decisions)

    @classmethod
    def from_parquet(cls, path: str | os.PathLike[str], *, lazy: bool = False) -> Results:
        """Read results written by :meth:`to_parquet` or ``simulate(..., out=path)``.

        With ``lazy=True`` only the metadata is read now; the tables are read on first use.
        """
        p = Path(path)
        meta = io.read_metadata(p)
        scenario = scenario_from_json(meta[io.KEY_SCENARIO], str(p))
        beside = {}
        for key, what in ((io.KEY_EVENTS, "events"), (io.KEY_DECISIONS, "decisions")):
            name = meta.get(key)
            beside[what] = p.with_name(name) if name else None
            if name and not beside[what].is_file():
                from escalsim.errors import ResultsError

                raise ResultsError(f"{p}: its {what} file {beside[what]} is missing")
        res = cls(
            None,
            scenario,
            meta[io.KEY_PROVENANCE],
            path=p,
            events_file=beside["events"],
            decisions_file=beside["decisions"],
        )
        if not lazy:
            res.runs  # noqa: B018 - read the tables now
            res.events  # noqa: B018
            res.decisions  # noqa: B018
        return res

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str], scenario: Scenario) -> Results:
        """Read a runs table written by :meth:`to_csv` (and its events and decisions files, if
        there are).

        CSV carries no metadata: the scenario gives the dtypes, and the provenance is empty.
        """
        layout = Layout.of(scenario)
        runs = io.read_csv(path)
        ev_path, dec_path = io.events_path(path), io.decisions_path(path)
        events = layout.restore_events(io.read_csv(ev_path)) if ev_path.is_file() else None
        decisions = None
        if dec_path.is_file():
            decisions = layout.decisions.restore(io.read_csv(dec_path))
        return cls(layout.restore(runs), scenario, {}, events, decisions=decisions)

    # --- data -----------------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        return self._scenario

    @property
    def provenance(self) -> dict[str, Any]:
        """Library version, scenario name and hash, seed, runs, executor, workers, times, ..."""
        return dict(self._provenance)

    @property
    def runs(self) -> pd.DataFrame:
        if self._runs is None and self.path is not None:
            self._runs = self._read(lambda: self._layout.restore(io.read_table(self.path)))
        return self._runs

    def _read(self, read: Any) -> Any:
        """``read()``, with the file named in a ResultsError about its content."""
        from escalsim.errors import ResultsError

        try:
            return read()
        except ResultsError as exc:
            if str(exc).startswith(f"{self.path}:"):
                raise
            raise ResultsError(f"{self.path}: {exc}") from None

    @property
    def events(self) -> pd.DataFrame | None:
        if self._events is None and self._events_file is not None:
            self._events = self._layout.restore_events(io.read_table(self._events_file))
        return self._events

    @property
    def decisions(self) -> pd.DataFrame | None:
        """The decision traces, one row per option of every decision (None if not traced)."""
        if self._decisions is None and self._decisions_file is not None:
            table = io.read_table(self._decisions_file)
            self._decisions = self._read(lambda: self._layout.decisions.restore(table))
        return self._decisions

    def _columns(self, names: list[str]) -> pd.DataFrame:
        """The runs table, or only the named columns of a file not read yet: statistics of a
        million streamed runs then read a few columns instead of the whole table."""
        if self._runs is not None or self.path is None:
            return self.runs
        frame = io.read_table(self.path, columns=names)
        if "outcome" in names:
            values = frame["outcome"].astype(object)
            frame["outcome"] = self._read(lambda: self._layout.outcome_column(values))
        return frame

    def __len__(self) -> int:
        return len(self.runs)

    def __repr__(self) -> str:
        """A few lines: the scenario, the runs and (when in memory) the likeliest outcomes."""
        from escalsim.results.overview import text

        return text(self, loaded=self._runs is not None)

    def _repr_html_(self) -> str:
        """The notebook view: every outcome with its 95% interval, the scenario folded."""
        from escalsim.results.overview import html_view

        return html_view(self)

    # --- statistics -----------------------------------------------------------------------
    def summary(self, z: float = Z95) -> pd.DataFrame:
        """Every outcome (zero counts included): count, p, Wilson ci_low and ci_high (95%)."""
        return summary(self._columns(["outcome"]), self._layout, z)

    def cumulative_incidence(
        self, days: Iterable[float] | None = None, z: float = Z95
    ) -> pd.DataFrame:
        """Per outcome and day: probability that the run had ended in it by then, with bands.

        ``days`` defaults to every whole day from 0 to the horizon. The horizon outcome counts
        only at the horizon; absorbing outcomes count from the time they happened. Columns:
        outcome, day, date, count, p, ci_low, ci_high.
        """
        hz = horizon_outcomes(self._scenario)
        return cumulative_incidence(self.runs, self._layout, hz, days, z)

    def milestones(self, include_history: bool = False, z: float = Z95) -> pd.DataFrame:
        """Per milestone: count and probability of reaching it in the run (time > 0, even if
        the replayed history had reached it too), with its Wilson interval, the median day of
        the first time among the runs that reached it, and how many runs only the history
        reached it in."""
        names = [f"milestone.{m}" for m in self._layout.milestones]
        return milestone_table(self._columns(names), self._layout, include_history, z)

    def discover(self, outcome: str | Sequence[str], **options: Any) -> Discovery:
        """Scenario discovery: the box of uncertain inputs where ``outcome`` is most likely
        (PRIM, with its trade-off of coverage and density) and each input's score (extra
        trees); see :func:`escalsim.results.discovery.discover` for the ``options``. Needs
        the extra: ``pip install "escalsim[discover]"``."""
        from escalsim.results.discovery import discover

        return discover(self, outcome, **options)

    # --- why: decision traces ---------------------------------------------------------------
    def _traced(self, columns: list[str]) -> pd.DataFrame:
        """The named columns of the decision traces (only those read from a file not read yet);
        a ResultsError that says how to trace when the runs were not traced."""
        from escalsim.errors import ResultsError

        if self._decisions is not None:
            return self._decisions
        if self._decisions_file is None:
            where = f"{self.path}: " if self.path is not None else ""
            raise ResultsError(
                f"{where}these results kept no decision traces; run them with --trace "
                "(RunSettings(trace=True))"
            )
        table = io.read_table(self._decisions_file, columns=columns)
        return self._read(lambda: self._layout.decisions.restore(table, columns))

    def decisive(self) -> pd.DataFrame:
        """Per run, the choice that ended it and why the run ended as it did (``cause``: best,
        lower, roll, hazard, horizon or unscored; see :mod:`escalsim.results.attribution`)."""
        from escalsim.results.attribution import NEEDED, decisive

        traced = self._traced(NEEDED)
        runs = self._columns(["run", "outcome", "time"])
        return decisive(runs, traced, horizon_outcomes(self._scenario))

    def attribution(self) -> pd.DataFrame:
        """For each outcome, what decided its runs: the share whose decisive choice was the
        actor's best option (``best``) or a lower-utility one (``lower``), the share decided by
        exogenous draws (``exogenous`` = ``roll``, a success roll, + ``hazard``, the collapse
        hazard or an incident), reached at the ``horizon``, or chosen by a rule without
        utilities (``unscored``); and the median probability of the decisive choice
        (``median_p``). Needs traced runs."""
        from escalsim.results.attribution import attribution_table

        return attribution_table(self.decisive(), self._layout.outcomes)

    def history(
        self,
        kind: str = "beliefs",
        *,
        every: float = 1.0,
        by_outcome: bool = False,
    ) -> pd.DataFrame:
        """The state of the crisis across the runs every ``every`` days from the start to the
        horizon: ``kind`` is ``beliefs`` (each observer's chance of resolve of an actor),
        ``types`` (each probability over an actor's types), ``cohesion``, ``rungs`` or
        ``demand`` (one 0/1 variable per deal an actor may demand: its mean is the share of
        runs where it stands). Per variable (and outcome, with ``by_outcome``) and day: the
        runs still going on with a value, their mean and quantiles (q05, q25, median, q75,
        q95). Read from the decision traces (see :mod:`escalsim.results.history`)."""
        import numpy as np

        from escalsim.results.history import history, state_columns

        number = isinstance(every, (int, float)) and not isinstance(every, bool)
        if not (number and every > 0 and np.isfinite(every)):
            raise ValueError(f"every must be a positive number of days, got {every!r}")
        columns = state_columns(self._layout.decisions, kind)
        if not columns:
            raise ValueError(f"the scenario has no {kind} to follow")
        traced = self._traced(["run", "time", "chosen", *columns])
        runs = self._columns(["run", "outcome", "time"])
        days = np.arange(0.0, self._layout.horizon + every / 2, every)
        return history(runs, traced, self._layout.decisions, kind, days, by_outcome)

    # --- plots ----------------------------------------------------------------------------
    @property
    def plot(self) -> PlotAccessor:
        """The plots of these results: ``results.plot.outcomes()``, ``.incidence()``, ..."""
        from escalsim.plot.accessor import PlotAccessor

        return PlotAccessor(self)

    def report(self, path: str | os.PathLike[str], **options: Any) -> Path:
        """Write the self-contained HTML report of these results to ``path``
        (:func:`escalsim.report.write_report`: ``comparisons``, ``sensitivity``, ``dpi``,
        ``force``, ...). The common paths need the event logs (``keep_events=True``)."""
        from escalsim.report import write_report

        return write_report(self, path, **options)

    # --- files ----------------------------------------------------------------------------
    def to_parquet(self, path: str | os.PathLike[str], force: bool = False) -> Path:
        """Write the runs (and events and decisions, beside them) to Parquet with provenance and
        scenario."""
        events, decisions = self.events, self.decisions
        stream = io.ParquetStream(
            path,
            self._layout,
            with_events=events is not None,
            with_decisions=decisions is not None,
            force=force,
        )
        with stream:
            stream.write(self.runs, events, decisions)
            return stream.commit(self._provenance, scenario_json(self._scenario))

    def to_csv(self, path: str | os.PathLike[str], force: bool = False) -> Path:
        """Write the runs table as CSV (and the events to ``<name>.events.csv``, the decisions
        to ``<name>.decisions.csv``, if kept).

        CSV carries no provenance; use Parquet to keep it.
        """
        target = io.check_target(path, force)
        beside = [
            (self.events, io.events_path(target)),
            (self.decisions, io.decisions_path(target)),
        ]
        beside = [(table, where) for table, where in beside if table is not None]
        for _, where in beside:
            io.check_target(where, force)
        for table, where in beside:
            io.write_csv(table, where, force)
        return io.write_csv(self.runs, target, force)
