"""What one run leaves behind: a frozen record, and optionally its event log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    """One dated entry of a run's log; history replayed before the start has negative times."""

    time: float
    actor: str
    kind: str
    target: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    date: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Trace:
    """One run's decisions by column: ``decisions`` holds a list per column that ``columns``
    names, with a value per decision (``options``: how many options it had); ``options`` a list
    per :data:`escalsim.engine.trace.OPTION_COLUMNS`, with a value per option of every
    decision, in decision order. (Columns, not a tuple per row: a run adds no object per
    decision for the garbage collector to follow.)
    """

    columns: tuple[str, ...]
    decisions: list[list[Any]]
    options: list[list[Any]]

    def __len__(self) -> int:
        return len(self.decisions[0]) if self.decisions else 0

    @property
    def n_options(self) -> int:
        """How many options all the decisions had together."""
        return len(self.options[0]) if self.options else 0

    def column(self, name: str) -> list[Any] | None:
        """One per-decision value of every decision (None if the trace has no such column)."""
        if name not in self.columns:
            return None
        return list(self.decisions[self.columns.index(name)])


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One replication: how it ended, when, how high each ladder went, and what was drawn.

    ``time`` is in days from the scenario's start and ``date`` is its calendar date;
    ``milestones`` maps each milestone reached to the day it was first reached in the run, or,
    if only the replayed history reached it, to that day (<= 0); ``params`` holds the drawn
    value of every uncertain parameter and the inclusion (0/1) of every uncertain history event.
    ``decisions`` is what each decision weighed, when the run was traced.
    """

    run: int
    seed: int
    outcome: str
    time: float
    max_rung: dict[str, int]
    milestones: dict[str, float]
    n_events: int
    params: dict[str, float]
    events: tuple[Event, ...] | None = None
    date: dt.datetime | None = None
    decisions: Trace | None = None
