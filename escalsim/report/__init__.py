"""Reports: one self-contained HTML page of an ensemble, for a reader who never saw the
scenario (``escalsim report``, ``Results.report``).

:func:`write_report` writes it; :func:`render_report` gives its text; :func:`what_if` runs a
variant on the same seeds as an ensemble, for the report's what-if comparisons. The page is
rendered from the Jinja2 templates in ``templates/``; its figures come from
:mod:`escalsim.plot`, embedded as data.
"""

from escalsim.report.write import DPI, render_report, what_if, write_report

__all__ = ["DPI", "render_report", "what_if", "write_report"]
