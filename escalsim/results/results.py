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

    Results made by ``simulate(..., out=path)`` or ``Results.from_parquet(path, lazy=True)``
    are a handle on the file: ``runs`` and ``events`` are read from it on first use and then
    kept; ``path`` names the file.
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

    # --- construction ---------------------------------------------------------------------
    @classmethod
    def from_records(
        cls,
        records: Sequence[RunRecord],
        scenario: Scenario,
        provenance: dict[str, Any] | None = None,
    ) -> Results:
        """Results from run records (sorted by run index); events kept if the records have them."""
        records = sorted(records, key=lambda r: r.run)
        layout = Layout.of(scenario)
        events = None
        if records and all(r.events is not None for r in records):
            events = layout.events_frame(records)
        return cls(layout.runs_frame(records), scenario, provenance, events)

    @classmethod
    def from_parquet(cls, path: str | os.PathLike[str], *, lazy: bool = False) -> Results:
        """Read results written by :meth:`to_parquet` or ``simulate(..., out=path)``.

        With ``lazy=True`` only the metadata is read now; the tables are read on first use.
        """
        p = Path(path)
        meta = io.read_metadata(p)
        scenario = scenario_from_json(meta[io.KEY_SCENARIO], str(p))
        events_name = meta.get(io.KEY_EVENTS)
        events_file = p.with_name(events_name) if events_name else None
        if events_file is not None and not events_file.is_file():
            from escalsim.errors import ResultsError

            raise ResultsError(f"{p}: its events file {events_file} is missing")
        res = cls(None, scenario, meta[io.KEY_PROVENANCE], path=p, events_file=events_file)
        if not lazy:
            res.runs  # noqa: B018 - read the tables now
            res.events  # noqa: B018
        return res

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str], scenario: Scenario) -> Results:
        """Read a runs table written by :meth:`to_csv` (and its events file, if there is one).

        CSV carries no metadata: the scenario gives the dtypes, and the provenance is empty.
        """
        layout = Layout.of(scenario)
        runs = io.read_csv(path)
        ev_path = io.events_path(path)
        events = layout.restore_events(io.read_csv(ev_path)) if ev_path.is_file() else None
        return cls(layout.restore(runs), scenario, {}, events)

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
        where = f", file={str(self.path)!r}" if self.path is not None else ""
        n = self._provenance.get("runs", "?") if self._runs is None else len(self._runs)
        return f"<Results {self._scenario.name!r}: {n} runs{where}>"

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
        """Write the runs (and events, beside them) to Parquet with provenance and scenario."""
        events = self.events
        stream = io.ParquetStream(path, self._layout, with_events=events is not None, force=force)
        with stream:
            stream.write(self.runs, events)
            return stream.commit(self._provenance, scenario_json(self._scenario))

    def to_csv(self, path: str | os.PathLike[str], force: bool = False) -> Path:
        """Write the runs table as CSV (and the events to ``<name>.events.csv`` if kept).

        CSV carries no provenance; use Parquet to keep it.
        """
        events = self.events
        target = io.check_target(path, force)
        if events is not None:
            io.check_target(io.events_path(target), force)
            io.write_csv(events, io.events_path(target), force)
        return io.write_csv(self.runs, target, force)
