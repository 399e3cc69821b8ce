"""Scenario discovery: the region of the uncertain inputs where an outcome is most likely.

As EMA Workbench users know it. PRIM, the patient rule induction method (Friedman and Fisher
1999) as the EMA Workbench implements it, peels the box of all runs a little at a time
(``peel_alpha``) along one input, keeping the peel that raises the outcome's share the most,
until ``mass_min`` of the runs is left, then pastes back what raises it again. Each box of
that peeling and pasting trajectory has a *coverage* (the share of the outcome's runs inside
it), a *density* (the share of its runs that end in the outcome), a *mass* (its share of all
runs) and restricted inputs: the trade-off curve between coverage and density. A forest of
extremely randomised trees (scikit-learn) ranks the inputs by how much they tell the outcome
apart (Jaxa-Rozen and Kwakkel 2018).

Both libraries are the optional extra ``discover``: ``pip install "escalsim[discover]"``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from escalsim.errors import EscalsimError
from escalsim.results.discovery_inputs import inputs, numeric, outcome_members

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.results import Results

INSTALL = 'pip install "escalsim[discover]"'
THRESHOLD = 1e-9
"""PRIM's density threshold: any box that holds a run of the outcome is kept, so that the
whole trajectory is there to choose from (the EMA Workbench drops a box below it)."""


def _libraries() -> tuple[Any, Any]:
    """EMA Workbench's Prim and scikit-learn's ExtraTreesClassifier, or an error that says
    how to install them."""
    try:
        with warnings.catch_warnings():  # its optional parts (ipyparallel, altair) are absent
            warnings.simplefilter("ignore")
            from ema_workbench.analysis.prim import Prim
        from sklearn.ensemble import ExtraTreesClassifier
    except ImportError as exc:
        raise EscalsimError(
            f"scenario discovery needs ema-workbench and scikit-learn ({exc.name} is "
            f"missing): {INSTALL}"
        ) from None
    return Prim, ExtraTreesClassifier


@dataclass(frozen=True)
class Discovery:
    """Where an outcome happens: PRIM's trajectory of boxes, one box chosen, input scores.

    ``trajectory``: one row per box of the peeling and pasting trajectory (``box``,
    ``coverage``, ``density``, ``mass``, ``restricted`` inputs, ``runs`` inside it and
    ``cases`` of the outcome among them). ``box(i)``: the limits of box ``i`` (default the
    chosen one). ``features``: each input's score (extra trees), highest first. ``space``:
    every input with the range (or the categories) the runs drew.
    """

    outcome: str
    runs: int
    cases: int
    trajectory: pd.DataFrame
    limits: tuple[pd.DataFrame, ...] = field(repr=False)
    space: pd.DataFrame = field(repr=False)
    features: pd.DataFrame = field(repr=False)
    selected: int = 0
    options: dict[str, Any] = field(default_factory=dict)
    scenario: str = ""

    def box(self, i: int | None = None) -> pd.DataFrame:
        """The restricted inputs of box ``i`` (default: the chosen one): ``input``, ``low``
        and ``high`` (numbers; NaN for categories), ``values`` (the categories kept),
        ``qp_low`` and ``qp_high`` (quasi-p-values of each restricted side; NaN where the
        side is not restricted)."""
        return self.limits[self._index(i)].copy()

    def select(self, i: int) -> Discovery:
        """This discovery with box ``i`` of the trajectory chosen (negative counts from the
        end, as for lists)."""
        return replace(self, selected=self._index(i))

    def _index(self, i: int | None) -> int:
        if i is None:
            return self.selected
        n = len(self.limits)
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not -n <= i < n:
            raise ValueError(f"no box {i!r}: the trajectory has boxes 0 to {n - 1}")
        return int(i) % n

    def stats(self, i: int | None = None) -> dict[str, float]:
        """Coverage, density, mass and restricted inputs of box ``i`` (default: chosen)."""
        row = self.trajectory.iloc[self._index(i)]
        return {k: row[k] for k in ("coverage", "density", "mass", "restricted")}

    @property
    def base_rate(self) -> float:
        """The share of all runs that end in the outcome (the density of the whole space)."""
        return self.cases / self.runs

    def __str__(self) -> str:
        from escalsim.results.discovery_text import describe

        return describe(self)


def best_box(trajectory: pd.DataFrame) -> int:
    """The box with the most coverage × density (the first of equals: fewer restrictions)."""
    score = (trajectory["coverage"] * trajectory["density"]).to_numpy()
    return int(np.argmax(score))


def discover(
    results: Results,
    outcome: str | Sequence[str],
    *,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
    select: int | None = None,
    trees: int = 100,
    seed: int = 0,
) -> Discovery:
    """PRIM and extra-trees scores of the runs that ended in ``outcome`` (see the module).

    ``outcome`` is a name, ``"a+b"`` or a list of names (their union). ``select`` chooses a
    box of the trajectory (default :func:`best_box`); ``trees`` and ``seed`` make the forest.
    ValueError for an unknown outcome, an outcome no run (or every run) ended in, or runs
    with no input that varies; EscalsimError when the extra is not installed.
    """
    from escalsim.checks import positive_int
    from escalsim.results.discovery_inputs import input_columns

    for name, value in (("peel_alpha", peel_alpha), ("paste_alpha", paste_alpha)):
        if not (isinstance(value, (int, float)) and 0 < value < 1):
            raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
    if not (isinstance(mass_min, (int, float)) and 0 < mass_min < 1):
        raise ValueError(f"mass_min must be between 0 and 1, got {mass_min!r}")
    trees = positive_int("trees", trees)
    label, members = outcome_members(results, outcome)
    runs = results._columns(["outcome", *input_columns(results)])
    y = np.isin(runs["outcome"].astype(str).to_numpy(), members).astype(int)
    x = inputs(results, runs)
    if len(y) and x.shape[1] == 0:
        raise ValueError(
            f"the runs of '{results.scenario.name}' drew no uncertain input that varies "
            "(no uncertain parameter, uncertain reported event or type): there is no space "
            "to find a box in"
        )
    _check_cases(label, int(y.sum()), len(y))
    prim_class, forest_class = _libraries()
    with warnings.catch_warnings():  # the library's own deprecation notices, not the user's
        warnings.simplefilter("ignore")
        prim = prim_class(
            x,
            y,
            threshold=THRESHOLD,
            peel_alpha=peel_alpha,
            paste_alpha=paste_alpha,
            mass_min=mass_min,
        )
        found = prim.find_box()
    trajectory = _trajectory(found.peeling_trajectory)
    limits = tuple(_limits(found, i, prim.box_init) for i in range(len(trajectory)))
    chosen = Discovery(
        label,
        len(y),
        int(y.sum()),
        trajectory,
        limits,
        _space(x),
        _scores(forest_class, x, y, trees, seed),
        0,
        {
            "peel_alpha": peel_alpha,
            "paste_alpha": paste_alpha,
            "mass_min": mass_min,
            "trees": trees,
            "seed": seed,
            "chosen": "most coverage × density" if select is None else "as asked",
        },
        results.scenario.name,
    )
    return chosen.select(best_box(trajectory) if select is None else select)


def _check_cases(label: str, cases: int, runs: int) -> None:
    if runs == 0:
        raise ValueError("the results hold no runs: there is nothing to discover")
    if cases == 0:
        raise ValueError(f"no run of {runs:,} ended in '{label}': there is nothing to discover")
    if cases == runs:
        raise ValueError(
            f"every run of {runs:,} ended in '{label}': no box can make it more likely"
        )


def _trajectory(raw: pd.DataFrame) -> pd.DataFrame:
    out = raw.rename(columns={"id": "box", "res_dim": "restricted", "n": "runs", "k": "cases"})
    out = out[["box", "coverage", "density", "mass", "restricted", "runs", "cases"]]
    return out.astype({"box": "int64", "restricted": "int64", "runs": "int64", "cases": "int64"})


def _limits(found: Any, i: int, init: pd.DataFrame) -> pd.DataFrame:
    """The restricted inputs of box ``i`` of a PrimBox, most significant first."""
    import pandas as pd

    lims, qp = found.box_lims[i], found.qp[i]
    rows = []
    for name in sorted(qp, key=lambda n: min((q for q in qp[n] if q >= 0), default=1.0)):
        low, high = lims[name].iloc[0], lims[name].iloc[1]
        q_low, q_high = (math.nan if q < 0 else float(q) for q in qp[name])
        if isinstance(low, (set, frozenset)):
            kept = ", ".join(sorted(map(str, low)))
            rows.append((name, math.nan, math.nan, kept, q_low, q_high))
        else:
            rows.append((name, float(low), float(high), "", q_low, q_high))
    columns = ["input", "low", "high", "values", "qp_low", "qp_high"]
    return pd.DataFrame(rows, columns=columns)


def _space(x: pd.DataFrame) -> pd.DataFrame:
    """Each input and what the runs drew: its range, or its categories."""
    import pandas as pd

    rows = []
    for name in x.columns:
        col = x[name]
        if col.dtype == "category":
            rows.append((name, math.nan, math.nan, ", ".join(map(str, col.cat.categories))))
        else:
            rows.append((name, float(col.min()), float(col.max()), ""))
    return pd.DataFrame(rows, columns=["input", "low", "high", "values"])


def _scores(forest_class: Any, x: pd.DataFrame, y: np.ndarray, trees: int, seed: int):
    """Extra-trees scores of the inputs, highest first: a third of the inputs tried at each
    split and leaves of about ``sqrt(runs / 1000)`` runs (Jaxa-Rozen and Kwakkel 2018)."""
    import pandas as pd

    forest = forest_class(
        n_estimators=trees,
        max_features=max(1, round(x.shape[1] / 3)),
        min_samples_leaf=max(1, round(math.sqrt(len(y) / 1000))),
        random_state=seed,
        n_jobs=1,
    )
    forest.fit(numeric(x), y)
    scores = pd.DataFrame({"input": list(x.columns), "score": forest.feature_importances_})
    return scores.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
