"""Uncertain parameters by dotted path: listing them, drawing them, and setting values.

Paths use keys for mappings and names for list items that have one (ladder rungs by name,
history events by id), else the list index: ``actors.us.ladder.limited_strikes.cost``.
These helpers walk any pydantic model, so the schema's ``Scenario`` methods can call them
without this module knowing the schema.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel

from escalsim.errors import Problem, ScenarioError
from escalsim.scenario.distributions import Distribution
from escalsim.text import suggest


def child_path(prefix: str, key: str) -> str:
    """The path of ``key`` (a field, a mapping's key, a list item's name) below ``prefix``."""
    return f"{prefix}.{key}" if prefix else key


def item_name(item: Any, index: int) -> str:
    """A list item's key in a path: its name or id if it has one, else its index."""
    for attr in ("name", "id"):
        value = getattr(item, attr, None) if not isinstance(item, dict) else item.get(attr)
        if isinstance(value, str) and value:
            return value
    return str(index)


def item_index(items: list[Any], part: str) -> int:
    """The index of the list item that a path part names (by name or id, else by index); a
    KeyError that suggests the names if it names none."""
    names = [item_name(item, i) for i, item in enumerate(items)]
    if part in names:
        return names.index(part)
    if part.isdigit() and int(part) < len(items):
        return int(part)
    raise KeyError(f"no such path: '{part}' not found{suggest(part, names)}")


def _walk(obj: Any, prefix: str, out: dict[str, Distribution]) -> None:
    if isinstance(obj, Distribution):
        out[prefix] = obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            _walk(getattr(obj, name), child_path(prefix, name), out)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            _walk(value, child_path(prefix, key), out)
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            _walk(value, child_path(prefix, item_name(value, i)), out)


def _uncertain(sc: Any) -> dict[str, Distribution]:
    """The table of distributions by path, built once per scenario (``Scenario.derived``);
    callers must not change it."""

    def build() -> dict[str, Distribution]:
        found: dict[str, Distribution] = {}
        _walk(sc, "", found)
        return dict(sorted(found.items()))

    return sc.derived("uncertain", build)


def uncertain_parameters(sc: Any) -> dict[str, Distribution]:
    """Every distribution in the scenario by dotted path, in a fixed (sorted) order."""
    return dict(_uncertain(sc))  # a copy: the scenario is immutable, so is its cache


def sample_parameters(sc: Any, rng: np.random.Generator) -> dict[str, float]:
    """Draw each uncertain parameter once, in path order (so equal scenarios draw alike)."""
    return {path: dist.sample(rng) for path, dist in _uncertain(sc).items()}


def edited(sc: BaseModel, values: dict[str, Any]) -> dict[str, Any]:
    """The plain mapping of the scenario with the given paths replaced, to validate again; a
    path that does not exist is a ScenarioError (all of them together)."""
    data = plain(sc.model_dump(mode="python", round_trip=True))
    problems = []
    for path, value in values.items():
        try:
            _set_path(data, path, plain(value))
        except KeyError as exc:
            problems.append(Problem(path, str(exc.args[0])))
    if problems:
        raise ScenarioError(problems)
    return data


def plain(value: Any) -> Any:
    """Model dumps to dicts and lists (tuples become lists) for editing and YAML."""
    if isinstance(value, Distribution):
        return plain(value.model_dump(exclude_none=True))
    if isinstance(value, BaseModel):
        return plain(value.model_dump())
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _set_path(data: Any, path: str, value: Any) -> None:
    parts = path.split(".")
    cur = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(cur, dict):
            if part not in cur:
                if last and depth > 0:
                    cur[part] = value  # a new key: validation will say if it is not allowed
                    return
                raise KeyError(f"no such path: '{part}' not found{suggest(part, map(str, cur))}")
            if last:
                cur[part] = value
                return
            cur = cur[part]
        elif isinstance(cur, list):
            idx = item_index(cur, part)
            if last:
                cur[idx] = value
                return
            cur = cur[idx]
        else:
            raise KeyError(f"no such path: '{part}' is inside a number or text")
