"""What scenario discovery reads from a runs table: the inputs each run drew, and whether it
ended in the outcome of interest.

The inputs are the ``param.`` columns: uncertain parameters (numbers), reported events that
a run may include or leave out (``history.<id>``, as the categories ``included`` and ``left
out``) and drawn types (``type.<actor>``, as the type names). An input that every run drew
alike says nothing about where an outcome happens and is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from escalsim.text import suggest

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.results import Results

INCLUDED, LEFT_OUT = "included", "left out"


def outcome_members(results: Results, outcome: str | Sequence[str]) -> tuple[str, list[str]]:
    """The label and the outcomes of ``outcome``: a name, ``a+b`` or a list (their union);
    ValueError for a name the scenario does not have."""
    names = list(results.scenario.outcomes)
    if isinstance(outcome, str):
        members = [m.strip() for m in outcome.split("+")]
    else:
        members = [str(m) for m in outcome]
    if not members or any(not m for m in members):
        raise ValueError(f"expected an outcome name (or a+b), got {outcome!r}")
    for m in members:
        if m not in names:
            raise ValueError(
                f"unknown outcome '{m}'{suggest(m, names)}; the outcomes are: {', '.join(names)}"
            )
    return "+".join(members), members


def input_columns(results: Results) -> list[str]:
    """The ``param.`` columns of the runs table."""
    from escalsim.results.layout import Layout

    return [f"param.{p}" for p in Layout.of(results.scenario).params]


def inputs(results: Results, runs: pd.DataFrame) -> pd.DataFrame:
    """One column per input that varies across the runs, named by its path (no ``param.``):
    numbers as floats, reported events and types as categories."""
    import pandas as pd

    sc = results.scenario
    out = {}
    for column in input_columns(results):
        name = column.removeprefix("param.")
        values = runs[column]
        if name.startswith("type."):
            types = list(sc.actors[name.removeprefix("type.")].types)
            values = pd.Categorical.from_codes(values.to_numpy(dtype="int64"), categories=types)
        elif name.startswith("history.") and name.count(".") == 1:
            labels = np.where(values.to_numpy(dtype=float) > 0.5, INCLUDED, LEFT_OUT)
            values = pd.Categorical(labels, categories=[INCLUDED, LEFT_OUT])
        else:
            values = values.to_numpy(dtype="float64")
        if pd.Series(values).nunique(dropna=False) > 1:
            out[name] = values
    return pd.DataFrame(out)


def numeric(x: pd.DataFrame) -> np.ndarray:
    """The inputs as numbers (categories by their codes), for the forest."""
    cols = [
        x[c].cat.codes.to_numpy(dtype=float) if x[c].dtype == "category" else x[c].to_numpy()
        for c in x.columns
    ]
    return np.column_stack(cols)
