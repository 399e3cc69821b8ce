"""A comparison at a glance, for ``repr`` and a notebook: the two scenarios, the runs, and
each outcome's change in percentage points with its paired 95% interval."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from escalsim.scenario.overview import block, table

if TYPE_CHECKING:
    from escalsim.analysis.compare import Comparison


def _pts(x: float) -> str:
    return "–" if x != x else f"{x * 100:+.1f}"


def _head(c: Comparison) -> str:
    return (
        f"{c.base.scenario.name!r} → {c.variant.scenario.name!r}: {c.runs:,} paired runs, "
        f"seed {c.seed}"
    )


def text(c: Comparison) -> str:
    """A few lines: what ``repr(comparison)`` shows, the three largest changes first."""
    labels = c.base.scenario.labels
    t = c.table()
    t = t.reindex(t["diff"].abs().sort_values(ascending=False, kind="stable").index)
    moves = [
        f"{labels.outcome(str(r.outcome))} {r.p_base:.1%} → {r.p_variant:.1%}"
        for r in t.head(3).itertuples(index=False)
    ]
    return f"<Comparison {_head(c)}\n  " + "; ".join(moves) + ">"


def html_view(c: Comparison) -> str:
    """Every outcome: base, variant, change in points and its paired 95% interval."""
    labels = c.base.scenario.labels
    rows = [
        (
            labels.outcome(str(r.outcome)),
            f"{r.p_base:.1%}",
            f"{r.p_variant:.1%}",
            _pts(r.diff),
            f"{_pts(r.ci_low)} to {_pts(r.ci_high)}",
        )
        for r in c.table().itertuples(index=False)
    ]
    heads = ["outcome", "base", "variant", "change (points)", "95% interval"]
    parts = [table(heads, rows)]
    if c.pairing.broken:
        parts.append(f"<p>note: {html.escape(str(c.pairing.note()))}</p>")
    return block(f"Comparison {_head(c)}", parts)
