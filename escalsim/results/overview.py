"""Results at a glance, for ``repr`` and a notebook: the run, then the outcome distribution."""

from __future__ import annotations

from typing import TYPE_CHECKING

from escalsim.scenario.overview import block, count, dates, facts_table, table

if TYPE_CHECKING:
    from escalsim.results.results import Results


def _run(res: Results, loaded: bool = True) -> str:
    prov = res.provenance
    n = len(res) if loaded else prov.get("runs")
    runs = "? runs" if n is None else count(int(n), "run")
    return f"{runs}, seed {prov.get('seed', '?')}"


def text(res: Results, loaded: bool) -> str:
    """A few lines: what ``repr(results)`` shows; the outcomes only when the runs are
    ``loaded`` in memory, so that the repr of a lazy file reads nothing."""
    sc = res.scenario
    where = f", file {str(res.path)!r}" if res.path is not None else ""
    lines = [f"<Results {sc.name!r}: {_run(res, loaded)}{where}", f"  {dates(sc)}"]
    if loaded:
        summary = res.summary().sort_values("p", ascending=False, kind="stable")
        shares = [f"{sc.labels.outcome(str(r.outcome))} {r.p:.1%}" for r in summary.itertuples()]
        lines.append("  " + ", ".join(shares[:4]) + (", ..." if len(shares) > 4 else ""))
    return "\n".join(lines) + ">"


def html_view(res: Results) -> str:
    """The notebook view: the scenario's facts and every outcome with its 95% interval."""
    sc = res.scenario
    rows = [
        (
            sc.labels.outcome(str(r.outcome)),
            f"{r.p:.1%}",
            f"{r.ci_low:.1%} – {r.ci_high:.1%}",
            f"{int(r.count):,}",
        )
        for r in res.summary().itertuples(index=False)
    ]
    outcomes = table(["outcome", "p", "95% interval", "runs"], rows)
    title = f"Results of {sc.title or sc.name}: {_run(res)}"
    return block(
        title, [outcomes, f"<details><summary>scenario</summary>{facts_table(sc)}</details>"]
    )
