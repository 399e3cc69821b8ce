"""``--format``: a command's tables for a reader (``table``), a script (``csv``, ``json``) or a
document (``markdown``).

With any format but ``table``, stdout holds the tables and nothing else (notes such as "runs
written to ..." go to stderr), so that ``escalsim run ... --format json | jq`` works. Labels
name the rows; ids stay in their own column (``outcome``, ``milestone``) for scripts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from escalsim.cli.show import plain

if TYPE_CHECKING:
    import pandas as pd


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


FormatOption = Annotated[
    Format,
    typer.Option(
        "--format",
        help="table (to read), csv (the main table), json (everything) or markdown (to "
        "paste into a document); other than table, stdout holds only the tables.",
    ),
]


@dataclass
class Shown:
    """A table as a reader sees it: a title, column heads and rows of text. The first
    ``keys`` columns name a row (repeated when the table is split to fit); ``turn``, when
    given, allows showing it turned (rows as columns) and heads the turned table's first
    column."""

    title: str
    heads: list[str]
    rows: list[list[str]]
    keys: int = 1
    turn: str | None = None
    note: str | None = None

    def columns(self) -> list[list[str]]:
        """Each column: its head, then its cells."""
        return [[h, *(row[i] for row in self.rows)] for i, h in enumerate(self.heads)]

    def turned(self) -> Shown:
        """Rows as columns: each row's keys (joined) head a column."""
        heads = [self.turn or "", *(", ".join(row[: self.keys]) for row in self.rows)]
        rows = [
            [self.heads[i], *(row[i] for row in self.rows)]
            for i in range(self.keys, len(self.heads))
        ]
        return replace(self, heads=heads, rows=rows, keys=1, turn=None)

    def split(self, fits: Callable[[Shown], bool]) -> list[Shown] | None:
        """The value columns in as few consecutive groups as ``fits`` allows, as even in size
        as they fit, each beside the key columns; None if a single value column does not fit."""
        k, n = self.keys, len(self.heads)
        bounds, first = [], k
        while first < n:  # greedy: as many columns to a part as fit
            last = first + 1
            while last < n and fits(self._columns(first, last + 1)):
                last += 1
            if not fits(self._columns(first, last)):
                return None
            bounds.append((first, last))
            first = last
        size = -(-(n - k) // len(bounds))  # the same number of parts, evenly filled
        even = [(i, min(i + size, n)) for i in range(k, n, size)]
        if len(even) == len(bounds) and all(fits(self._columns(*b)) for b in even):
            bounds = even
        parts = [self._columns(*b) for b in bounds]
        if len(parts) > 1:
            m = len(parts)
            parts = [replace(p, title=f"{p.title} ({i} of {m})") for i, p in enumerate(parts, 1)]
            parts[:-1] = [replace(p, note=None) for p in parts[:-1]]
        return parts

    def _columns(self, first: int, last: int) -> Shown:
        keep = [*range(self.keys), *range(first, last)]
        return replace(
            self,
            heads=[self.heads[i] for i in keep],
            rows=[[row[i] for i in keep] for row in self.rows],
            turn=None,
        )


@dataclass
class Report:
    """What a command prints: a heading (its first line is the title), tables for a reader,
    the same as data for ``--format json`` and its main table for ``--format csv``."""

    heading: list[str]
    tables: list[Shown]
    data: dict[str, Any] = field(default_factory=dict)
    frame: pd.DataFrame | None = None


def emit(fmt: Format, report: Report) -> None:
    """Print ``report`` on stdout in ``fmt``."""
    if fmt is Format.table:
        _print_rich(report)
    elif fmt is Format.json:
        import json

        typer.echo(json.dumps(report.data, indent=2, ensure_ascii=False, default=str))
    elif fmt is Format.csv:
        frame = report.frame if report.frame is not None else _first_table(report)
        # as escalsim.results.io.write_csv writes it (--out): the same text either way
        typer.echo(frame.to_csv(index=False, date_format="%Y-%m-%dT%H:%M:%S.%f"), nl=False)
    else:
        typer.echo(markdown(report))


def _print_rich(report: Report) -> None:
    from rich.console import Console

    from escalsim.cli.fit import print_tables
    from escalsim.cli.show import markup

    console = Console()
    for i, line in enumerate(report.heading):
        console.print(f"[bold]{markup(line)}[/bold]" if i == 0 else markup(line), soft_wrap=True)
    print_tables(console, report.tables)


def _first_table(report: Report) -> pd.DataFrame:
    import pandas as pd

    shown = report.tables[0]
    return pd.DataFrame(shown.rows, columns=shown.heads)


def markdown(report: Report) -> str:
    """The report as Markdown: the title in bold, the heading's lines, then each table under
    its title."""
    blocks = [f"**{_cell(report.heading[0])}**"] if report.heading else []
    blocks += [_cell(line) for line in report.heading[1:]]
    for shown in report.tables:
        blocks += [f"{_cell(shown.title)}:", markdown_table(shown.heads, shown.rows, shown.keys)]
        if shown.note:
            blocks.append(f"note: {_cell(shown.note)}")
    return "\n\n".join(blocks)


def _cell(text: Any) -> str:
    """Text safe in a Markdown table cell: one line, pipes escaped."""
    return plain(text).replace("|", "\\|")


def markdown_table(headers: list[str], rows: list[list[Any]], keys: int = 1) -> str:
    """A GitHub-flavoured Markdown table; the ``keys`` first columns left, the others right."""
    align = [":---"] * keys + ["---:"] * (len(headers) - keys)
    out = ["| " + " | ".join(_cell(h) for h in headers) + " |", "| " + " | ".join(align) + " |"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


# --- cells and data: one way to write a number in every command ------------------------------
def number(x: Any) -> float | None:
    """A float for JSON: NaN becomes null."""
    x = float(x)
    return None if math.isnan(x) else x


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A table's rows as JSON-ready dicts (NaN as null, categories as text)."""
    import json

    return json.loads(frame.to_json(orient="records", date_format="iso"))


def pct(p: float | None, digits: int = 1) -> str:
    """A probability as a percentage, ``–`` when there is none."""
    return "–" if p is None or p != p else f"{p:.{digits}%}"


def decimal(x: float | None, digits: int = 3) -> str:
    """A number to ``digits`` decimals, ``–`` when there is none."""
    return "–" if x is None or x != x else f"{x:.{digits}f}"


def interval(low: float | None, high: float | None) -> str:
    """A 95% interval of probabilities, as percentages."""
    return f"{pct(low)} – {pct(high)}"


def short_paths(paths: list[str]) -> dict[str, str]:
    """Each dotted parameter path without ``actors.``: the names a reader knows them by."""
    return {p: p.removeprefix("actors.") for p in paths}


# --- a workbook: the report's tables for a spreadsheet ---------------------------------------
def check_xlsx(path: Path, force: bool) -> None:
    """Refuse, before any run, an ``--export`` that cannot be written: not .xlsx, openpyxl
    missing, or no place for the file."""
    from escalsim.results.io import check_target

    if path.suffix.lower() != ".xlsx":
        raise typer.BadParameter(f"expected a .xlsx file, got {path}", param_hint="'--export'")
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise typer.BadParameter(
            "writing a .xlsx workbook needs openpyxl: pip install openpyxl (or use "
            "--format csv, or --out FILE.csv for the runs)",
            param_hint="'--export'",
        ) from None
    check_target(path, force)


def export_xlsx(report: Report, path: Path, force: bool) -> Path:
    """Write each table of the report's data (a list of rows) as a sheet of ``path``, and
    the rest as a sheet of settings; all or nothing."""
    import pandas as pd

    from escalsim.results.io import atomic_path

    tables = {k: v for k, v in report.data.items() if isinstance(v, list)}
    about = {k: v for k, v in report.data.items() if not isinstance(v, (list, dict))}
    with atomic_path(path, force) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as book:
        for name, rows in tables.items():
            pd.DataFrame(rows).to_excel(book, sheet_name=name[:31], index=False)
        pd.Series(about, name="value").rename_axis("field").to_frame().to_excel(
            book, sheet_name="about"
        )
    return path
