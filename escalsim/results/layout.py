"""The shape of a results table, fixed by the scenario alone, and run records → DataFrames.

Because the columns and their dtypes depend only on the scenario (never on which runs happen
to come first), every chunk of an ensemble gives a frame of the same schema: chunks can be
concatenated in memory or streamed to a Parquet file as row groups, with identical results.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from escalsim.errors import RunError
from escalsim.results.decisions import DecisionLayout

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.engine import RunRecord
    from escalsim.scenario.schema import Scenario

DATE_DTYPE = "datetime64[ms]"
"""Calendar dates of run times; milliseconds are ample for times measured in days."""


def _history_keys(sc: Scenario) -> list[str]:
    """Keys of history events that a run may include or not (reliability possibly below 1)."""
    if not sc.mechanisms.history:
        return []
    keys = []
    excluded = set(sc.exclude_history)
    for i, ev in enumerate(sc.history):
        if ev.id in excluded:
            continue
        rel = ev.reliability
        if isinstance(rel, str):
            certain = sc.reliability[rel] >= 1.0
        elif isinstance(rel, (int, float)):
            certain = rel >= 1.0
        else:  # an uncertain reliability: a distribution
            certain = False
        if not certain:
            keys.append(f"history.{ev.id or i}")
    return keys


def horizon_outcomes(sc: Scenario) -> tuple[str, ...]:
    """Outcomes triggered by reaching the horizon (they happen at the horizon, not before)."""
    from escalsim.scenario.schema import triggers_of

    return tuple(
        name
        for name, spec in sc.outcomes.items()
        if any(t.event == "horizon" for t in triggers_of(spec))
    )


def payload_json(payload: Any) -> str:
    """An event payload as compact JSON text with sorted keys."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=_json_default)


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "item"):  # numpy scalars
        return obj.item()
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.isoformat()
    return str(obj)


@dataclass(frozen=True)
class Layout:
    """Columns of the runs table of one scenario (and of its decisions table)."""

    outcomes: tuple[str, ...]
    ladders: tuple[str, ...]
    milestones: tuple[str, ...]
    params: tuple[str, ...]
    start: dt.date
    horizon: float
    decisions: DecisionLayout | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, sc: Scenario) -> Layout:
        params = list(sc.uncertain())
        params += [k for k in _history_keys(sc) if k not in params]
        params += [f"type.{a}" for a, actor in sc.actors.items() if actor.types]
        return cls(
            outcomes=tuple(sc.outcomes),
            ladders=tuple(a for a, actor in sc.actors.items() if actor.ladder),
            milestones=tuple(sc.milestones),
            params=tuple(params),
            start=sc.start,
            horizon=float(sc.horizon),
            decisions=DecisionLayout.of(sc),
        )

    @property
    def columns(self) -> list[str]:
        return [
            "run",
            "seed",
            "outcome",
            "time",
            "date",
            *(f"rung.{a}" for a in self.ladders),
            *(f"milestone.{m}" for m in self.milestones),
            "n_events",
            *(f"param.{p}" for p in self.params),
        ]

    def dates(self, times: Any) -> pd.Series:
        """Calendar dates of times in days from the start (a Series of ``DATE_DTYPE``)."""
        import pandas as pd

        start = pd.Timestamp(self.start)
        delta = pd.to_timedelta(pd.Series(times, dtype="float64"), unit="D")
        return (start + delta).astype(DATE_DTYPE)

    def outcome_column(self, values: Any) -> pd.Categorical:
        """The outcomes as a categorical of the scenario's outcomes; ResultsError if a value
        is not one of them (a file edited by hand, or of another scenario)."""
        import numpy as np
        import pandas as pd

        values = pd.Series(np.asarray(values, dtype=object))
        unknown = np.flatnonzero(~values.isin(self.outcomes).to_numpy())
        if len(unknown):
            from escalsim.errors import ResultsError

            i = int(unknown[0])
            raise ResultsError(
                f"row {i} has outcome {values[i]!r}, which is not an outcome of its "
                f"scenario (expected {', '.join(map(repr, self.outcomes))})"
            )
        return pd.Categorical(values, categories=list(self.outcomes))

    def runs_frame(self, records: Sequence[RunRecord]) -> pd.DataFrame:
        """One row per record, in the given order, with this layout's columns and dtypes."""
        import numpy as np
        import pandas as pd

        known = set(self.outcomes)
        params = set(self.params)
        for r in records:
            if r.outcome not in known:
                raise RunError(f"run ended in unknown outcome '{r.outcome}'", r.run, r.seed)
            extra = set(r.params) - params
            if extra:
                raise RunError(
                    f"run reported parameter '{sorted(extra)[0]}', which the scenario does "
                    "not declare",
                    r.run,
                    r.seed,
                )
        nan = math.nan
        cols: dict[str, Any] = {
            "run": np.array([r.run for r in records], dtype="int64"),
            "seed": np.array([r.seed for r in records], dtype="int64"),
            "outcome": self.outcome_column([r.outcome for r in records]),
            "time": np.array([r.time for r in records], dtype="float64"),
        }
        cols["date"] = self.dates(cols["time"]).to_numpy()
        for a in self.ladders:
            try:
                cols[f"rung.{a}"] = np.array([r.max_rung[a] for r in records], dtype="int64")
            except KeyError:
                bad = next(r for r in records if a not in r.max_rung)
                raise RunError(f"run has no highest rung for '{a}'", bad.run, bad.seed) from None
        for m in self.milestones:
            cols[f"milestone.{m}"] = np.array(
                [r.milestones.get(m, nan) for r in records], dtype="float64"
            )
        cols["n_events"] = np.array([r.n_events for r in records], dtype="int64")
        for p in self.params:
            cols[f"param.{p}"] = np.array([r.params.get(p, nan) for r in records], dtype="float64")
        return pd.DataFrame(cols, columns=self.columns)

    def events_frame(self, records: Sequence[RunRecord]) -> pd.DataFrame:
        """The event logs of the records as one long table (run, time, date, actor, ...)."""
        import numpy as np
        import pandas as pd

        run, time, actor, kind, target, payload = [], [], [], [], [], []
        for r in records:
            for ev in r.events or ():
                run.append(r.run)
                time.append(ev.time)
                actor.append(ev.actor)
                kind.append(ev.kind)
                target.append(ev.target)
                payload.append(payload_json(ev.payload))
        times = np.array(time, dtype="float64")
        return pd.DataFrame(
            {
                "run": np.array(run, dtype="int64"),
                "time": times,
                "date": self.dates(times).to_numpy(),
                "actor": pd.array(actor, dtype="str"),
                "kind": pd.array(kind, dtype="str"),
                "target": pd.array(target, dtype="str"),
                "payload": pd.array(payload, dtype="str"),
            }
        )

    def restore(self, runs: pd.DataFrame) -> pd.DataFrame:
        """Give a runs table read from a file this layout's column order and dtypes."""
        missing = [c for c in self.columns if c not in runs.columns]
        if missing:
            from escalsim.errors import ResultsError

            raise ResultsError(f"results table lacks column '{missing[0]}'")
        runs = runs[self.columns].copy()
        runs["outcome"] = self.outcome_column(runs["outcome"].astype(object))
        runs["date"] = self.dates(runs["time"]).to_numpy()
        return runs

    def restore_events(self, events: pd.DataFrame) -> pd.DataFrame:
        """Give an events table read from a file the dtypes of :meth:`events_frame`."""
        import pandas as pd

        out = pd.DataFrame(
            {
                "run": events["run"].astype("int64"),
                "time": events["time"].astype("float64"),
            }
        )
        out["date"] = self.dates(out["time"]).to_numpy()
        for c in ("actor", "kind", "target", "payload"):
            out[c] = events[c].astype("str") if len(events) else pd.array([], dtype="str")
        return out.reset_index(drop=True)
