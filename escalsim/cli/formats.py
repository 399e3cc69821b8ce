"""``--format``: a command's tables for a reader (``table``), a script (``csv``, ``json``) or a
document (``markdown``).

With any format but ``table``, stdout holds the tables and nothing else (notes such as "runs
written to ..." go to stderr), so that ``escalsim run ... --format json | jq`` works. Labels
name the rows; ids stay in their own column (``outcome``, ``milestone``) for scripts.
"""

from __future__ import annotations

import datetime as dt
import math
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from escalsim.cli.show import plain

if TYPE_CHECKING:
    from escalsim.results import Results


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


FormatOption = Annotated[
    Format,
    typer.Option(
        "--format",
        help="table (to read), csv (the outcomes), json (everything) or markdown (to paste "
        "into a document); other than table, stdout holds only the tables.",
    ),
]


def _number(x: Any) -> float | None:
    """A float for JSON: NaN becomes null."""
    x = float(x)
    return None if math.isnan(x) else x


def run_tables(results: Results, elapsed: float | None) -> dict[str, Any]:
    """What ``escalsim run`` reports, as plain data: the run, its outcomes and milestones."""
    sc = results.scenario
    prov = results.provenance
    n = int(prov.get("runs", len(results)))
    outcomes = [
        {
            "outcome": str(row.outcome),
            "label": sc.labels.outcome(str(row.outcome)),
            "count": int(row.count),
            "p": _number(row.p),
            "ci_low": _number(row.ci_low),
            "ci_high": _number(row.ci_high),
        }
        for row in results.summary().itertuples(index=False)
    ]
    milestones = []
    for row in results.milestones().itertuples(index=False):
        day = _number(row.median_day)
        when = None if day is None else (sc.start + dt.timedelta(days=day)).isoformat()
        milestones.append(
            {
                "milestone": str(row.milestone),
                "label": sc.labels.milestone(str(row.milestone)),
                "count": int(row.count),
                "p": _number(row.p),
                "ci_low": _number(row.ci_low),
                "ci_high": _number(row.ci_high),
                "median_date": when,
                "only_before_start": _number(row.before_start / n) if n else None,
            }
        )
    return {
        "scenario": sc.name,
        "title": sc.title or sc.name,
        "start": sc.start.isoformat(),
        "horizon_days": float(sc.horizon),
        "runs": n,
        "seed": prov.get("seed"),
        "seconds": None if elapsed is None else round(elapsed, 3),
        "provenance": prov,
        "outcomes": outcomes,
        "milestones": milestones,
    }


def emit_run(fmt: Format, results: Results, elapsed: float | None) -> None:
    """Print ``escalsim run``'s tables in ``fmt`` (not ``table``) on stdout."""
    data = run_tables(results, elapsed)
    if fmt is Format.json:
        import json

        typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    elif fmt is Format.csv:
        import pandas as pd

        frame = pd.DataFrame(data["outcomes"])
        typer.echo(frame.to_csv(index=False), nl=False)
    else:
        typer.echo(_run_markdown(data))


def _run_markdown(data: dict[str, Any]) -> str:
    pct = _pct
    lines = [
        f"**{_cell(data['title'])}**, from {data['start']} over {data['horizon_days']:g} days: "
        f"{data['runs']:,} runs, seed {data['seed']}.",
        "",
        markdown_table(
            ["outcome", "p", "95% interval", "runs"],
            [
                [o["label"], pct(o["p"]), f"{pct(o['ci_low'])} – {pct(o['ci_high'])}",
                 f"{o['count']:,}"]
                for o in data["outcomes"]
            ],
        ),
    ]  # fmt: skip
    if data["milestones"]:
        lines += [
            "",
            markdown_table(
                ["milestone", "p", "95% interval", "median date", "only before the start"],
                [
                    [m["label"], pct(m["p"]), f"{pct(m['ci_low'])} – {pct(m['ci_high'])}",
                     m["median_date"] or "–", pct(m["only_before_start"])]
                    for m in data["milestones"]
                ],
            ),
        ]  # fmt: skip
    return "\n".join(lines)


def _pct(p: float | None) -> str:
    return "–" if p is None else f"{p:.1%}"


def _cell(text: Any) -> str:
    """Text safe in a Markdown table cell: one line, pipes escaped."""
    return plain(text).replace("|", "\\|")


def markdown_table(headers: list[str], rows: list[list[Any]]) -> str:
    """A GitHub-flavoured Markdown table; the first column left, the others right."""
    align = [":---"] + ["---:"] * (len(headers) - 1)
    out = ["| " + " | ".join(_cell(h) for h in headers) + " |", "| " + " | ".join(align) + " |"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(out)
