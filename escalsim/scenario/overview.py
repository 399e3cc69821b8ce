"""A scenario at a glance, for ``repr`` and a notebook: name, dates, actors, outcomes, history
and uncertain parameters in a few lines (or a small HTML table), not the model's every field.

The HTML helpers here serve the notebook views of Results and Comparison too.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from escalsim.scenario.schema import Scenario

SHOWN = 6
"""Names listed in a one-line summary before "and N more"."""


def _listed(names: list[str], most: int = SHOWN) -> str:
    more = len(names) - most
    return ", ".join(names[:most]) + (f" and {more} more" if more > 0 else "")


def count(n: int, noun: str) -> str:
    """``3 actors``, ``1 actor``."""
    return f"{n:,} {noun}{'s' * (n != 1)}"


def dates(sc: Scenario) -> str:
    """The forecast's span: its start, its end and its length."""
    return f"{sc.start} to {sc.end_date} ({sc.horizon:g} days)"


def facts(sc: Scenario, most: int = SHOWN) -> list[tuple[str, str]]:
    """The scenario's main facts as (what, value) pairs, each value one line."""
    labels = sc.labels
    actors = [labels.actor(a) for a in sc.actors]
    typed = [labels.actor(a) for a, spec in sc.actors.items() if spec.types]
    out = [
        ("dates", dates(sc)),
        (count(len(actors), "actor"), _listed(actors, most)),
        (count(len(sc.outcomes), "outcome"), _listed([*map(labels.outcome, sc.outcomes)], most)),
    ]
    if typed:
        out.append(("private types", _listed(typed, most)))
    if sc.milestones:
        out.append(
            (
                f"{len(sc.milestones)} milestones",
                _listed([*map(labels.milestone, sc.milestones)], most),
            )
        )
    if sc.history:
        days = sorted(str(e.date) for e in sc.history)
        out.append(("history", f"{count(len(days), 'reported event')}, {days[0]} to {days[-1]}"))
    uncertain = list(sc.uncertain())
    if uncertain:
        out.append((count(len(uncertain), "uncertain parameter"), _listed(uncertain, 3)))
    return out


def text(sc: Scenario) -> str:
    """A few lines: what ``repr(scenario)`` shows."""
    head = f"<Scenario {sc.name!r}" + (f": {sc.title}" if sc.title else "")
    body = [f"  {what}: {value}" for what, value in facts(sc, most=4)]
    return "\n".join([head, *body]) + ">"


# --- HTML: small tables a notebook shows ------------------------------------------------------
STYLE = "border-collapse:collapse;text-align:left"


def table(heads: list[str], rows: Iterable[Iterable[object]], right_from: int = 1) -> str:
    """An HTML table (text escaped); columns from ``right_from`` on are right-aligned."""

    def cell(tag: str, i: int, value: object) -> str:
        align = "right" if i >= right_from else "left"
        return (
            f'<{tag} style="text-align:{align};padding:2px 8px">{html.escape(str(value))}</{tag}>'
        )

    head = "".join(cell("th", i, h) for i, h in enumerate(heads))
    body = "".join(
        "<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows
    )
    return f'<table style="{STYLE}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def block(title: str, parts: list[str]) -> str:
    """A titled block of HTML parts (already escaped)."""
    return (
        f'<div class="escalsim"><p><strong>{html.escape(title)}</strong></p>'
        + "".join(parts)
        + "</div>"
    )


def facts_table(sc: Scenario) -> str:
    """The scenario's facts as a two-column table."""
    return table(["", ""], facts(sc), right_from=2)


def html_view(sc: Scenario) -> str:
    """What a notebook shows for a scenario: its facts, and its uncertain parameters folded."""
    uncertain = sc.uncertain()
    parts = [facts_table(sc)]
    if uncertain:
        rows = [(path, str(dist)) for path, dist in uncertain.items()]
        parts.append(
            f"<details><summary>{count(len(rows), 'uncertain parameter')}</summary>"
            + table(["parameter", "distribution"], rows, right_from=2)
            + "</details>"
        )
    return block(f"Scenario {sc.name}" + (f": {sc.title}" if sc.title else ""), parts)
