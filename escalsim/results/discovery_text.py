"""A scenario discovery told as text: the chosen box, the trade-off, the input scores."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.results.discovery import Discovery


def _num(x: float) -> str:
    return f"{x:.4g}"


def limit_text(row: pd.Series) -> str:
    """A restricted input's limits: 'a to b', 'up to b', 'from a', or the categories kept."""
    if row["values"]:
        return str(row["values"])
    low, high = not math.isnan(row["qp_low"]), not math.isnan(row["qp_high"])
    if low and not high:
        return f"from {_num(row['low'])}"
    if high and not low:
        return f"up to {_num(row['high'])}"
    return f"{_num(row['low'])} to {_num(row['high'])}"


SIGNIFICANT = 0.05
"""A restriction whose quasi-p-value reaches this may be chance (Bryant and Lempert 2010)."""


def _qp(row: pd.Series) -> str:
    qs = [q for q in (row["qp_low"], row["qp_high"]) if not math.isnan(q)]
    if not qs:
        return ""
    worst = max(qs)
    return f"qp {worst:.2g}" + (", not significant" if worst >= SIGNIFICANT else "")


def box_lines(d: Discovery, i: int | None = None) -> list[str]:
    """The statistics and limits of a box, one line each."""
    s = d.stats(i)
    lines = [
        f"  coverage {s['coverage']:.1%}   density {s['density']:.1%}   mass {s['mass']:.1%}"
        f"   {int(s['restricted'])} restricted input{'s' * (int(s['restricted']) != 1)}"
    ]
    box = d.box(i)
    space = d.space.set_index("input")
    width = max((len(n) for n in box["input"]), default=0)
    for _, row in box.iterrows():
        whole = space.loc[row["input"]]
        of = whole["values"] or f"{_num(whole['low'])} to {_num(whole['high'])}"
        lines.append(f"  {row['input']:<{width}}  {limit_text(row)}  (of {of})  {_qp(row)}")
    return lines


def describe(d: Discovery) -> str:
    """The whole discovery, as printed by ``escalsim discover``."""
    o = d.options
    head = [
        f"Scenario discovery of '{d.outcome}' in {d.runs:,} runs of '{d.scenario}': "
        f"{d.cases:,} ended in it ({d.base_rate:.1%})",
        f"PRIM (peel {o.get('peel_alpha')}, paste {o.get('paste_alpha')}, minimum mass "
        f"{o.get('mass_min')}): box {d.selected} of the {len(d.trajectory)} on its trajectory "
        f"({o.get('chosen', 'chosen')})",
        *box_lines(d),
        "",
        "Trade-off (each box of the peeling and pasting trajectory):",
        "  box  coverage  density    mass  restricted",
    ]
    for row in d.trajectory.itertuples(index=False):
        mark = "  <- chosen" if row.box == d.selected else ""
        head.append(
            f"  {row.box:>3}  {row.coverage:>8.1%}  {row.density:>7.1%}  {row.mass:>6.1%}"
            f"  {row.restricted:>10}{mark}"
        )
    head += ["", f"Inputs by extra-trees score ({o.get('trees')} trees, seed {o.get('seed')}):"]
    width = max((len(n) for n in d.features["input"]), default=0)
    head += [f"  {r.input:<{width}}  {r.score:.3f}" for r in d.features.itertuples(index=False)]
    return "\n".join(head)
