"""Writing figures to files: one at a time (atomically, never over a file unless asked), or the
standard set of an ensemble."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from escalsim.errors import ResultsError
from escalsim.results.io import check_target

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from escalsim.results import Results
    from escalsim.scenario.schema import Scenario

FORMATS = ("png", "svg", "pdf")
"""File formats a figure may be written in, by file extension."""

STANDARD = ("outcomes", "incidence", "rungs", "milestones", "driver")
"""The standard figures of an ensemble, in the order they are written."""

DPI = 150
"""Default resolution of a .png figure, in dots per inch: sharp on a high-density screen."""


def figure_format(path: str | os.PathLike[str]) -> str:
    """The format named by a file's extension; ResultsError unless png, svg or pdf."""
    ext = Path(path).suffix.lower().lstrip(".")
    if ext not in FORMATS:
        raise ResultsError(
            f"{path}: cannot tell the figure format from the extension "
            f"{('.' + ext) if ext else '(none)'}; expected .png, .svg or .pdf"
        )
    return ext


def save_figure(
    fig: Figure, path: str | os.PathLike[str], *, force: bool = False, dpi: int = DPI
) -> Path:
    """Write ``fig`` to ``path`` (.png, .svg or .pdf), atomically; refuse to replace a file
    unless ``force``. Returns the path."""
    from escalsim.results.io import atomic_path

    fmt = figure_format(path)
    _as_written(fig)
    with atomic_path(path, force) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi, metadata=_metadata(fmt))
    return Path(path)


def figure_bytes(fig: Figure, fmt: str = "png", *, dpi: int = DPI) -> bytes:
    """The figure as the bytes of a .png, .svg or .pdf file, as :func:`save_figure` would
    write it (for a figure embedded in another file, such as a report)."""
    import io

    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}")
    _as_written(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi, metadata=_metadata(fmt))
    return buffer.getvalue()


def _as_written(fig: Figure) -> None:
    """Show every text of the figure as written: a title such as ``Cost $\\frac{$`` from a
    scenario is not TeX (matplotlib would fail on it, after the runs, when drawing)."""
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        text.set_parse_math(False)


def _metadata(fmt: str) -> dict[str, str | None]:
    # no creation date or software version in the file: the same figure gives the same bytes
    if fmt == "png":
        return {"Software": None}
    if fmt == "svg":
        return {"Date": None, "Creator": None}
    return {"CreationDate": None, "Producer": None, "Creator": None}


def plot_kind(results: Results, kind: str, **options: object) -> Figure:
    """The figure of one standard kind (``outcomes``, ``incidence``, ...)."""
    from escalsim import plot

    if kind not in STANDARD:
        raise ValueError(f"unknown plot kind {kind!r}; expected one of {', '.join(STANDARD)}")
    return getattr(plot, kind)(results, **options)


def standard_figures(
    results: Results,
    folder: str | os.PathLike[str],
    *,
    force: bool = False,
    fmt: str = "png",
    dpi: int = DPI,
) -> list[Path]:
    """Write the standard figures of an ensemble into ``folder`` (created if missing).

    The figures are ``outcomes``, ``incidence``, ``rungs`` (when an actor has a ladder),
    ``milestones`` (when the scenario has milestones) and ``driver`` (when it has uncertain
    parameters), each as ``<kind>.<fmt>``. Nothing is written if any of them exists, unless
    ``force``. Returns the paths written, in that order.
    """
    kinds = _scenario_kinds(results.scenario)
    if any(c.startswith("param.") for c in results.runs.columns):
        kinds.append("driver")
    targets = _targets(folder, kinds, fmt, force)
    written = []
    for kind, target in zip(kinds, targets, strict=True):
        fig = plot_kind(results, kind)
        written.append(save_figure(fig, target, force=force, dpi=dpi))
    return written


def check_figure_folder(
    folder: str | os.PathLike[str], scenario: Scenario, *, fmt: str = "png", force: bool = False
) -> None:
    """Refuse, before a long run, a folder where :func:`standard_figures` would have to refuse.

    Checks the figures every ensemble of ``scenario`` draws (the ``driver`` figure, drawn only
    when the runs have parameter columns, is checked when it is written).
    """
    _targets(folder, _scenario_kinds(scenario), fmt, force)


def _scenario_kinds(sc: Scenario) -> list[str]:
    kinds = ["outcomes", "incidence"]
    if any(a.ladder for a in sc.actors.values()):
        kinds.append("rungs")
    if sc.milestones:
        kinds.append("milestones")
    return kinds


def _targets(folder: str | os.PathLike[str], kinds: list[str], fmt: str, force: bool) -> list[Path]:
    """The figure files of ``kinds`` in ``folder``; ResultsError where one may not be written."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}")
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ResultsError(f"{folder}: is a file, expected a folder for the figures")
    targets = [folder / f"{k}.{fmt}" for k in kinds]
    if not force:
        existing = [str(t) for t in targets if t.exists()]
        if existing:
            raise ResultsError(
                f"{existing[0]}: file exists (pass force=True, or --force, to replace it)"
            )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResultsError(f"{folder}: cannot make the folder ({exc.strerror or exc})") from None
    check_target(targets[0], force=True)  # the folder takes new files
    return targets
