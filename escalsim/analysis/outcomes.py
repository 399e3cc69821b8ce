"""Which outcomes an analysis reports on: single outcomes, or unions of them.

Every analysis takes ``outcomes``: None (every outcome of the scenario, each on its own), an
outcome name, a list of names, or a mapping from a label to one name or a list of names (a
union: the probability that a run ended in any of them). A name written ``a+b+c`` is the
union of a, b and c, labelled ``a+b+c`` (outcome names never contain ``+``), so that the
command line can ask for unions too: ``--outcome strike+leader_seized+intervention``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Union

import numpy as np

from escalsim.results.stats import wilson_interval
from escalsim.text import suggest

if TYPE_CHECKING:
    import pandas as pd

OutcomeSpec = Union[str, Sequence[str], Mapping[str, Union[str, Sequence[str]]], None]  # noqa: UP007
"""What the ``outcomes`` argument of an analysis accepts."""


def _members(label: str, spec: str | Sequence[str], names: Sequence[str]) -> tuple[str, ...]:
    parts = spec.split("+") if isinstance(spec, str) else list(spec)
    members = tuple(dict.fromkeys(p.strip() for p in parts))
    if not members or any(not isinstance(m, str) or not m for m in members):
        raise ValueError(f"outcome {label!r}: expected outcome names, got {spec!r}")
    for m in members:
        if m not in names:
            raise ValueError(f"no outcome {m!r} in the scenario{suggest(m, names)}")
    return members


def outcome_groups(
    names: Sequence[str], outcomes: OutcomeSpec = None
) -> dict[str, tuple[str, ...]]:
    """The outcomes to report on, as ``{label: member outcomes}``, in the order given.

    ``names`` are the scenario's outcomes. Raises ValueError for a name that is not one of
    them (suggesting the nearest) or an empty selection.
    """
    names = list(names)
    if outcomes is None:
        return {n: (n,) for n in names}
    if isinstance(outcomes, str):
        items: list[tuple[str, str | Sequence[str]]] = [(outcomes, outcomes)]
    elif isinstance(outcomes, Mapping):
        items = [(str(k), v) for k, v in outcomes.items()]
    elif isinstance(outcomes, Sequence):
        items = []
        for o in outcomes:
            if not isinstance(o, str):
                raise ValueError(
                    f"outcomes: expected outcome names (use a mapping for labelled unions), "
                    f"got {o!r}"
                )
            items.append((o, o))
    else:
        raise TypeError(
            "outcomes must be None, a name, a list of names or a mapping of labels to names, "
            f"got {type(outcomes).__name__}"
        )
    if not items:
        raise ValueError("outcomes: the selection is empty")
    groups: dict[str, tuple[str, ...]] = {}
    for label, spec in items:
        members = _members(label, spec, names)
        groups[label] = members
    return groups


def group_codes(names: Sequence[str], groups: Mapping[str, Sequence[str]]) -> dict[str, np.ndarray]:
    """Each group's member outcomes as integer codes into ``names``."""
    index = {n: i for i, n in enumerate(names)}
    return {label: np.array([index[m] for m in ms], dtype="int64") for label, ms in groups.items()}


def with_intervals(
    table: pd.DataFrame, runs: int, z: float, groups: Mapping[str, Sequence[str]]
) -> pd.DataFrame:
    """``table`` (a ``count`` of runs out of ``runs`` per row, and the ``outcome`` group it
    counts) with each row's probability ``p``, its Wilson interval ``ci_low``, ``ci_high`` and
    ``runs`` after the count; ``outcome`` becomes a categorical in the order of ``groups``."""
    import pandas as pd

    count = table["count"].to_numpy()
    low, high = wilson_interval(count, np.full(count.shape, runs), z)
    at = table.columns.get_loc("count") + 1
    for i, (name, column) in enumerate(
        (("p", count / runs), ("ci_low", low), ("ci_high", high), ("runs", runs))
    ):
        table.insert(at + i, name, column)
    table["outcome"] = pd.Categorical(table["outcome"], categories=list(groups))
    return table.astype({"count": "int64", "runs": "int64"})
