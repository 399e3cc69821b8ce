"""The calibrated scenario as a small ``extends`` file: the base, and the values that changed.

The file names its base by a path relative to its own folder and sets only the calibrated
paths (and any ``--set`` overrides the calibration ran under). A path through a list (a rung
of a ladder) sets the whole list, since ``extends`` replaces lists rather than merging them.
The file is checked before it is kept: loaded back, it must give the calibrated scenario.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from escalsim.errors import EscalsimError

PathLike = str | os.PathLike[str]

if TYPE_CHECKING:
    from escalsim.analysis.calibrate import Calibration
    from escalsim.scenario.schema import Scenario


def check_destination(base: PathLike, out: PathLike, force: bool) -> Path:
    """Refuse, before any run, a file that could not be written or could not reach its base."""
    from escalsim.results.io import check_target
    from escalsim.scenario.loader import EXTENDS_PATH_VARIABLE, extends_roots

    target = check_target(out, force)
    if target.suffix.lower() not in (".yaml", ".yml"):
        raise EscalsimError(f"{target}: expected a .yaml file for the calibrated scenario")
    home = target.resolve().parent
    if not any(Path(base).resolve().is_relative_to(r) for r in (home, *extends_roots())):
        raise EscalsimError(
            f"{target}: an extends file reaches only its own folder and below, and "
            f"{base} is not there; write it in the folder of {base} (or above it), or list "
            f"that folder in {EXTENDS_PATH_VARIABLE}"
        )
    return target


def extends_text(cal: Calibration, base: PathLike, out: PathLike, also: Sequence[str] = ()) -> str:
    """The text of the extends file: a header saying how it was fitted, the base, the values."""
    import yaml

    ref = os.path.relpath(Path(base).resolve(), Path(out).resolve().parent)
    tree = {"extends": Path(ref).as_posix(), **_tree(cal.scenario, [*cal.values, *also])}
    return _header(cal, also) + yaml.safe_dump(tree, sort_keys=False, allow_unicode=True)


def write_calibrated(
    cal: Calibration,
    base: PathLike,
    out: PathLike,
    also: Sequence[str] = (),
    force: bool = False,
) -> Path:
    """Write the extends file atomically, after checking that it loads as the fitted scenario."""
    from escalsim.results.io import atomic_path
    from escalsim.scenario import load_scenario

    target = check_destination(base, out, force)
    text = extends_text(cal, base, target, also)
    with atomic_path(target, force) as tmp:
        tmp.write_text(text, encoding="utf-8")
        if load_scenario(tmp) != cal.scenario:  # pragma: no cover - a path this cannot express
            raise EscalsimError(f"{target}: the extends file would not give the fitted scenario")
    return target


def _tree(sc: Scenario, paths: Sequence[str]) -> dict[str, Any]:
    """The nested mapping that sets each dotted path to its value in ``sc``."""
    from escalsim.scenario.parameters import plain

    full = plain(sc.model_dump(mode="python", round_trip=True))
    compact = sc.to_dict()
    tree: dict[str, Any] = {}
    for path in paths:
        src, small, dst = full, compact, tree
        parts = path.split(".")
        for i, part in enumerate(parts):
            value = src[part]
            if isinstance(value, list):  # extends replaces a list whole: copy it whole
                dst[part] = small.get(part, value) if isinstance(small, dict) else value
                break
            if i == len(parts) - 1:
                dst[part] = value
                break
            dst = dst.setdefault(part, {})
            src = value
            small = small.get(part, {}) if isinstance(small, dict) else {}
    return tree


def _header(cal: Calibration, also: Sequence[str]) -> str:
    lines = [
        f"# Calibrated by escalsim calibrate: a grid of common random numbers, {cal.runs:,} runs "
        f"per point, seed {cal.seed}.",
    ]
    for path, value in cal.values.items():
        lo, hi = cal.intervals[path]
        lines.append(f"# {path} = {value:g} (95% interval {lo:.4g} to {hi:.4g})")
    for row in cal.fit.itertuples(index=False):
        lines.append(
            f"# {row.target}: {row.p:.3f} ({row.ci_low:.3f}-{row.ci_high:.3f}) in the check runs"
        )
    if also:
        lines.append(f"# also set, as in the calibration: {', '.join(also)}")
    return "\n".join(lines) + "\n"
