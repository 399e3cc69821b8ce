"""Write a report: gather the sections of an ensemble, render the Jinja2 templates of
``escalsim/report/templates/``, and write one self-contained HTML file atomically.

The page loads nothing from elsewhere: its style is in the page, its figures are embedded as
data, and it has no script. Every text from the scenario is escaped by the templates
(autoescape), and only http(s) addresses of sources become links.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from escalsim.report import scenario_view, sections
from escalsim.report.figures import MIME, embed

if TYPE_CHECKING:
    import jinja2
    import pandas as pd

    from escalsim.analysis import Comparison
    from escalsim.ensemble.settings import RunSettings
    from escalsim.results import Results
    from escalsim.scenario.schema import Scenario

DPI = 150
"""Resolution of the embedded figures (dots per inch)."""


@functools.cache
def environment() -> jinja2.Environment:
    """The templates, with every value escaped for HTML, an undefined name an error, and
    ``row.name`` reading a dict's key before its attributes (``row.values``, ``row.clear``
    are the row's entries, never the dict's methods)."""
    import jinja2

    class Environment(jinja2.Environment):
        def getattr(self, obj: Any, attribute: str) -> Any:
            if isinstance(obj, dict) and attribute in obj:
                return obj[attribute]
            return super().getattr(obj, attribute)

    return Environment(
        loader=jinja2.PackageLoader("escalsim.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def what_if(
    results: Results,
    variant: Scenario | str | os.PathLike[str] | Mapping[str, Any],
    *,
    settings: RunSettings | None = None,
) -> Comparison:
    """Run ``variant`` on the runs' own seeds (the same root seed and run count), so that it
    pairs with ``results`` run by run: a :class:`~escalsim.analysis.Comparison`.

    ``variant`` is a Scenario, a scenario file, or a mapping of dotted paths to new values
    applied to the results' scenario (as :meth:`Scenario.with_values`).
    """
    from escalsim.analysis import Comparison
    from escalsim.ensemble.simulate import simulate
    from escalsim.scenario import as_scenario

    seed = results.provenance.get("seed")
    if seed is None:
        raise ValueError("these results do not record their root seed, so no variant pairs them")
    if isinstance(variant, Mapping):
        scenario = results.scenario.with_values(dict(variant))
    else:
        scenario = as_scenario(variant, "variant")
    return Comparison(results, simulate(scenario, len(results), int(seed), settings=settings))


def render_report(
    results: Results,
    *,
    comparisons: Iterable[Comparison] = (),
    sensitivity: pd.DataFrame | None = None,
    fmt: str = "png",
    dpi: int = DPI,
    generated: str | None = None,
) -> str:
    """The report of ``results`` as the text of one HTML page (see :func:`write_report`)."""
    from escalsim.results.provenance import library_version, now_iso

    if fmt not in MIME:
        raise ValueError(f"fmt must be one of {tuple(MIME)}, got {fmt!r}")
    if len(results) == 0:
        raise ValueError("these results hold no runs (0 rows), so there is nothing to report")
    comparisons = list(comparisons)
    for item in comparisons:
        if item.base is not results:
            raise ValueError("a comparison of the report must have these results as its base")
    context = _context(results, comparisons, sensitivity, fmt, dpi)
    context["provenance"] = sections.provenance(results, generated or now_iso(), library_version())
    return environment().get_template("report.html").render(context)


def write_report(
    results: Results,
    path: str | os.PathLike[str],
    *,
    comparisons: Iterable[Comparison] = (),
    sensitivity: pd.DataFrame | None = None,
    fmt: str = "png",
    dpi: int = DPI,
    force: bool = False,
) -> Path:
    """Write the HTML report of ``results`` to ``path``, atomically; refuse to replace a file
    unless ``force``. Returns the path.

    The report is one page for a reader who never saw the scenario: the question; the likely
    outcomes with 95% intervals; when they happen; the milestones; how far each side climbs;
    the common paths to each outcome (when the runs kept their event logs); what drives the
    outcome (a screen of the runs, and ``sensitivity``, a table of
    :func:`escalsim.analysis.sensitivity`, when given); the what-if ``comparisons`` (each made
    with :func:`what_if` or :func:`escalsim.compare` on these results); the scenario itself
    (actors, incentives, beliefs, types, ladders, deals, the reported history with sources and
    reliabilities, the uncertain numbers); and provenance. Figures are embedded as ``fmt``
    (png or svg) at ``dpi``.
    """
    from escalsim.results.io import atomic_path, check_target

    check_target(path, force)  # before the work, not after it
    html = render_report(
        results, comparisons=comparisons, sensitivity=sensitivity, fmt=fmt, dpi=dpi
    )
    with atomic_path(path, force) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return Path(path)


def _context(
    results: Results,
    comparisons: list[Comparison],
    sensitivity: pd.DataFrame | None,
    fmt: str,
    dpi: int,
) -> dict[str, Any]:
    sc = results.scenario
    outcomes = sections.outcomes(results)
    drivers = sections.drivers(results)
    return {
        "question": scenario_view.question(sc),
        "headline": sections.headline(results, outcomes),
        "runs": f"{len(results):,}",
        "outcomes": outcomes,
        "timing": sections.timing(results),
        "milestones": sections.milestones(results),
        "paths": sections.common_paths(results),
        "drivers": drivers,
        "sensitivity": _sensitivity_note(sensitivity),
        "comparisons": [
            sections.comparison(item, f"what-if-{i + 1}") for i, item in enumerate(comparisons)
        ],
        "actors": scenario_view.actors(sc),
        "deals": scenario_view.deals(sc),
        "history": scenario_view.history(sc),
        "uncertain": scenario_view.uncertain(sc),
        "figures": _figures(results, comparisons, sensitivity, drivers, fmt, dpi),
    }


def _sensitivity_note(table: pd.DataFrame | None) -> str | None:
    if table is None:
        return None
    a = table.attrs
    method = "Sobol' indices" if a.get("method") == "sobol" else "Morris screening"
    return (
        f"{method}: {a.get('rows', '?'):,} parameter rows × {a.get('replications', '?')} runs, "
        f"seed {a.get('seed', '?')}, each parameter varied over its {a.get('space', 'range')}"
    )


def _figures(
    results: Results,
    comparisons: list[Comparison],
    sensitivity: pd.DataFrame | None,
    drivers: list[dict[str, Any]],
    fmt: str,
    dpi: int,
) -> dict[str, Any]:
    """Every figure of the report, embedded; a figure the scenario cannot have is absent."""
    from escalsim import plot

    sc = results.scenario
    named = sc.labels
    out: dict[str, Any] = {
        "outcomes": embed(
            lambda: plot.outcomes(results), "Outcome probabilities with 95% intervals", fmt, dpi
        ),
        "incidence": embed(
            lambda: plot.incidence(results),
            "Cumulative probability of each outcome by date, with 95% bands",
            fmt,
            dpi,
        ),
    }
    if sc.milestones:
        out["milestones"] = embed(
            lambda: plot.milestones(results), "When milestones are reached", fmt, dpi
        )
    out["rungs"] = [
        embed(
            lambda a=actor: plot.rungs(results, a),
            f"Highest rung reached by {named.actor(actor)}",
            fmt,
            dpi,
        )
        for actor, spec in sc.actors.items()
        if spec.ladder and len(spec.ladder) > 1
    ]
    if drivers:
        path = drivers[0]["path"]
        out["driver"] = embed(
            lambda: plot.driver(results, path), f"Outcomes against {drivers[0]['label']}", fmt, dpi
        )
    if sensitivity is not None:
        out["tornado"] = embed(
            lambda: plot.tornado(sensitivity, top=10, scenario=sc),
            "Parameters that move each outcome's probability most",
            fmt,
            dpi,
        )
    out["comparisons"] = [
        embed(
            lambda c=item: plot.paired_differences(c),
            f"Change in each outcome's probability with {item.variant.scenario.title}",
            fmt,
            dpi,
        )
        for item in comparisons
    ]
    return out
