"""Rows of an event table (an ACLED, ICEWS or GDELT export, or a table kept by hand) → history
entries of a scenario, by a small YAML mapping.

The mapping names the table's columns for each field of a history entry, the table's actor
names for each actor of the scenario, and the table's event types for each kind of reported
event (with its payload), or ``skip``. Every row is checked: a date that cannot be read, an
actor or an event type the mapping does not know, an empty required cell; then the entries
are validated as the scenario's history (rungs, deals, dates before the start). Every problem
names its row (the table's line, the header being row 1) and its column; the problems of the
mapping file name its line. The entries come out sorted by date, in table order within a day;
a table listed newest first (as event datasets are often exported) is read from its last row
up, so that the events of one day keep their order.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, StringConstraints, ValidationError

from escalsim.errors import Problem, ScenarioError
from escalsim.scenario.located_model import error_message, load_located, locate
from escalsim.scenario.schema import (
    HistoryEvent,
    HistoryKind,
    Identifier,
    Model,
    Payload,
    Reliability,
)
from escalsim.scenario.yaml_source import read_text
from escalsim.text import suggest

if TYPE_CHECKING:
    from escalsim.scenario.schema import Scenario
    from escalsim.scenario.yaml_source import Located

MAX_PROBLEMS = 20
"""Most problems one import reports (the count of the others is said)."""

Column = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Chance = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class EventImportError(ScenarioError):
    """An event table or its mapping cannot be imported; every problem names where it is."""


class Columns(Model):
    """The table's column for each field of a history entry (``event``: one column, or several
    whose cells are joined with `` / `` to make the event type)."""

    date: Column
    actor: Column
    event: Column | Annotated[list[Column], Field(min_length=1, max_length=5)]
    source: Column
    id: Column | None = None
    target: Column | None = None
    reliability: Column | None = None
    note: Column | None = None


class EventSpec(Model):
    """What rows of one event type become: a reported kind of event and its payload."""

    event: HistoryKind
    payload: Payload = Field(default_factory=Payload)


class EventMapping(Model):
    """How an event table maps onto a scenario's history."""

    columns: Columns
    actors: dict[str, Identifier] = Field(default_factory=dict)
    events: dict[str, EventSpec | Literal["skip"]] = Field(min_length=1)
    reliability: dict[str, Reliability | Chance] = Field(default_factory=dict)
    default_reliability: Reliability | Chance = "reported"
    date_format: Annotated[str, StringConstraints(min_length=2, max_length=50)] = "%Y-%m-%d"
    delimiter: Annotated[str, StringConstraints(min_length=1, max_length=1)] = ","


@dataclass(frozen=True)
class _Row:
    line: int
    cells: dict[str, str]


def import_events(
    table: str | Path, mapping: str | Path, scenario: Scenario | str | Path
) -> list[HistoryEvent]:
    """The history entries that the rows of ``table`` (CSV) make under ``mapping`` (YAML), each
    validated against ``scenario`` (a Scenario or a file); EventImportError names every problem
    with its row and column (or the mapping's line)."""
    from escalsim.scenario.loader import as_scenario

    sc = as_scenario(scenario)
    spec, located = load_located(mapping, EventMapping, EventImportError)
    _check_actors(spec, located, str(mapping), sc)
    header, rows = _read_table(table, spec)
    _check_columns(spec, located, str(mapping), header)
    reader = _RowReader(spec, sc, str(table), header)
    entries = [entry for row in rows if (entry := reader.entry(row)) is not None]
    reader.raise_problems()
    _validate_as_history(sc, entries, reader)
    dates = [event.date for _, event in entries]
    if dates != sorted(dates) and dates == sorted(dates, reverse=True):
        entries.reverse()  # listed newest first: read up, so that a day's events keep their order
    entries.sort(key=lambda pair: pair[1].date)
    return [event for _, event in entries]


def history_yaml(events: Sequence[HistoryEvent]) -> str:
    """The entries as a YAML ``history:`` block, one entry per line (as the scenarios write
    them), ready to paste into a scenario or to load."""
    import yaml

    lines = ["history:"]
    for ev in events:
        data = ev.model_dump(mode="python", exclude_defaults=True)
        if not data.get("payload"):
            data.pop("payload", None)
        text = yaml.safe_dump(data, default_flow_style=True, sort_keys=False, width=10_000)
        lines.append(f"  - {text.strip()}")
    return "\n".join(lines) + "\n"


def _check_actors(spec: EventMapping, located: Located, file: str, sc: Scenario) -> None:
    problems = [
        locate(located, ("actors", name), f"unknown actor '{aid}'{suggest(aid, sc.actors)}", file)
        for name, aid in spec.actors.items()
        if aid not in sc.actors
    ]
    if problems:
        raise EventImportError(problems)


def _read_table(path: str | Path, spec: EventMapping) -> tuple[list[str], list[_Row]]:
    """The header and the rows of a CSV table, each row with the line it starts on."""
    name = str(path)
    try:
        text = read_text(path).removeprefix("\ufeff")
    except ScenarioError as exc:
        raise EventImportError(exc.problems) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=spec.delimiter)
    try:
        header = [h.strip() for h in next(reader, [])]
        if not any(header):
            raise EventImportError(Problem("", "the table is empty (expected a header row)", name))
        rows, line = [], reader.line_num
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                raise EventImportError(
                    Problem(
                        "",
                        f"row {start}: {len(cells)} cells, but the header has {len(header)}",
                        name,
                        start,
                    )
                )
            rows.append(_Row(start, {h: c.strip() for h, c in zip(header, cells, strict=False)}))
    except csv.Error as exc:
        raise EventImportError(
            Problem("", f"not a readable table: {exc}", name, reader.line_num)
        ) from None
    if not rows:
        raise EventImportError(Problem("", "the table has a header but no rows", name, 1, 1))
    return header, rows


def _check_columns(spec: EventMapping, located: Located, file: str, header: list[str]) -> None:
    problems = []
    for field, column in spec.columns:
        names = column if isinstance(column, list) else [column] if column else []
        for i, name in enumerate(names):
            if name not in header:
                path = ("columns", field, i) if isinstance(column, list) else ("columns", field)
                msg = f"the table has no column '{name}'{suggest(name, header)}"
                problems.append(locate(located, path, msg, file))
    if problems:
        raise EventImportError(problems)


class _RowReader:
    """Turns rows into entry mappings, collecting the problems of every row."""

    def __init__(self, spec: EventMapping, sc: Scenario, file: str, header: list[str]) -> None:
        self.spec, self.sc, self.file, self.header = spec, sc, file, header
        self.problems: list[Problem] = []
        self.lines: list[int] = []  # the row of each entry made, in order
        self.events: list[str] = []  # the event type of each entry made

    def bad(self, row: _Row, column: str, message: str) -> None:
        col = self.header.index(column) + 1 if column in self.header else None
        self.problems.append(
            Problem("", f"row {row.line}, column '{column}': {message}", self.file, row.line, col)
        )

    def raise_problems(self) -> None:
        if not self.problems:
            return
        shown = self.problems[:MAX_PROBLEMS]
        if len(self.problems) > MAX_PROBLEMS:
            more = len(self.problems) - MAX_PROBLEMS
            shown.append(Problem("", f"... and {more} more problems", self.file))
        raise EventImportError(shown)

    def cell(self, row: _Row, field: str, required: bool = False) -> str | None:
        column = getattr(self.spec.columns, field)
        value = row.cells.get(column, "") if column else ""
        if required and not value:
            self.bad(row, column, f"empty, but every entry needs its {field}")
        return value or None

    def entry(self, row: _Row) -> tuple[int, HistoryEvent] | None:
        """The row's entry, or None if it is skipped or has problems (then recorded)."""
        before = len(self.problems)
        kind = self._event_type(row)
        if kind == "skip":
            return None
        data: dict[str, Any] = {
            "id": self.cell(row, "id"),
            "date": self._date(row),
            "actor": self._actor(row, "actor", required=True),
            "target": self._actor(row, "target"),
            "source": self.cell(row, "source", required=True),
            "reliability": self._reliability(row),
            "note": self.cell(row, "note") or "",
        }
        if isinstance(kind, EventSpec):
            data["event"] = kind.event
            data["payload"] = kind.payload
        if len(self.problems) > before:
            return None
        try:
            event = HistoryEvent.model_validate({k: v for k, v in data.items() if v is not None})
        except ValidationError as exc:
            for err in exc.errors():
                field = str(err["loc"][0]) if err.get("loc") else "?"
                column = getattr(self.spec.columns, field, None) or field
                self.bad(row, column if isinstance(column, str) else field, error_message(err))
            return None
        self.lines.append(row.line)
        self.events.append(self._key(row))
        return len(self.lines) - 1, event

    def _key(self, row: _Row) -> str:
        column = self.spec.columns.event
        names = column if isinstance(column, list) else [column]
        return " / ".join(row.cells.get(c, "") for c in names)

    def _event_type(self, row: _Row) -> EventSpec | Literal["skip"] | None:
        key = self._key(row)
        found = self.spec.events.get(key)
        if found is None:
            column = self.spec.columns.event
            shown = column if isinstance(column, str) else " / ".join(column)
            what = (
                f"event type '{key}' is not in the mapping's events{suggest(key, self.spec.events)}"
                if key.strip(" /")
                else "empty, but every entry needs an event type"
            )
            self.bad(row, shown if isinstance(column, str) else column[0], what)
        return found

    def _date(self, row: _Row) -> dt.date | None:
        text = self.cell(row, "date", required=True)
        if text is None:
            return None
        try:
            return dt.datetime.strptime(text, self.spec.date_format).date()
        except ValueError:
            self.bad(
                row,
                self.spec.columns.date,
                f"cannot read '{text}' as a date in the format {self.spec.date_format}",
            )
            return None

    def _actor(self, row: _Row, field: str, required: bool = False) -> str | None:
        name = self.cell(row, field, required)
        if name is None:
            return None
        if name in self.spec.actors:
            return self.spec.actors[name]
        if name in self.sc.actors:
            return name
        self.bad(
            row,
            getattr(self.spec.columns, field),
            f"unknown actor '{name}' (not in the mapping's actors, nor an actor of the "
            f"scenario){suggest(name, [*self.spec.actors, *self.sc.actors])}",
        )
        return None

    def _reliability(self, row: _Row) -> str | float | None:
        text = self.cell(row, "reliability")
        if text is None:
            return self.spec.default_reliability
        if text in self.spec.reliability:
            return self.spec.reliability[text]
        if text in ("confirmed", "reported", "claimed", "rumour"):
            return text
        try:
            value = float(text)
        except ValueError:
            value = -1.0
        if 0.0 <= value <= 1.0:
            return value
        known = [*self.spec.reliability, "confirmed", "reported", "claimed", "rumour"]
        self.bad(
            row,
            self.spec.columns.reliability or "reliability",
            f"unknown reliability '{text}' (not in the mapping's reliability, nor a "
            f"probability){suggest(text, known)}",
        )
        return None


def _validate_as_history(sc: Scenario, entries: list[tuple[int, HistoryEvent]], rows: _RowReader):
    """Validate the entries as the scenario's history; problems name their rows."""
    data = sc.to_dict()
    data["history"] = [ev.model_dump(mode="python", exclude_defaults=True) for _, ev in entries]
    data.pop("exclude_history", None)
    try:
        sc.from_dict(data)
    except ScenarioError as exc:
        problems = [_row_problem(p, rows) for p in exc.problems]
        raise EventImportError(problems[:MAX_PROBLEMS]) from None


_FIELD_COLUMNS = ("id", "date", "actor", "target", "source", "reliability", "note")


def _row_problem(p: Problem, rows: _RowReader) -> Problem:
    """A scenario problem at ``history.i.field`` as a problem of the row entry ``i`` came from."""
    parts = p.path.split(".")
    if len(parts) < 2 or parts[0] != "history" or not parts[1].isdigit():
        return Problem(p.path, p.message, rows.file)
    i = int(parts[1])
    line = rows.lines[i]
    field = parts[2] if len(parts) > 2 else ""
    column = getattr(rows.spec.columns, field, None) if field in _FIELD_COLUMNS else None
    if column:
        where = f"row {line}, column '{column}'"
        col = rows.header.index(column) + 1 if column in rows.header else None
    else:
        where = f"row {line} (event type '{rows.events[i]}' in the mapping)"
        col = None
    return Problem("", f"{where}: {p.message}", rows.file, line, col)
