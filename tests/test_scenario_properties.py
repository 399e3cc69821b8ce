"""Properties of scenario loading under random bad input: a mutated scenario either loads or
raises ScenarioError (never another exception), errors read from a file always say where, and
whatever loads round-trips and draws its uncertain parameters inside their supports."""

from __future__ import annotations

import copy
import datetime as dt
import string
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from scenario_helpers import SMALL

from escalsim.errors import ScenarioError
from escalsim.scenario import Scenario, load_scenario
from escalsim.scenario.distributions import Distribution

BASE: dict[str, Any] = yaml.safe_load(SMALL.read_text(encoding="utf-8"))

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-2, max_value=2),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, 1, -1, 0.0, 1.0, 1.4, -0.5, 1e-300, 1e300]),
)
distributions = st.one_of(
    st.builds(lambda a, b: {"beta": [a, b]}, numbers, numbers),
    st.builds(lambda a, b: {"uniform": [a, b]}, numbers, numbers),
    st.builds(lambda a, b: {"normal": [a, b]}, numbers, numbers),
    st.builds(lambda a, b, c: {"triangular": [a, b, c]}, numbers, numbers, numbers),
    st.builds(lambda a, b: {"lognormal": [a, b]}, numbers, numbers),
    st.builds(lambda a, b: {"normal": [0, 1], "bounds": [a, b]}, numbers, numbers),
    st.dictionaries(numbers, numbers, max_size=3).map(lambda d: {"choice": d}),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    numbers,
    st.text(max_size=12),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
)
values = st.one_of(
    scalars,
    distributions,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.text(string.ascii_lowercase, min_size=1, max_size=6), scalars, max_size=3),
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a node below the root, containers included."""
    out: list[tuple[Any, ...]] = []
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        path = (*prefix, key)
        out.append(path)
        if isinstance(value, (dict, list)):
            out.extend(_paths(value, path))
    return out


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


def _misspell(draw: st.DrawFn, word: str) -> str:
    """A near miss of ``word``: one character dropped, doubled, swapped or replaced."""
    if not word:
        return "x"
    i = draw(st.integers(0, len(word) - 1))
    kind = draw(st.sampled_from(["drop", "double", "swap", "replace"]))
    if kind == "drop" and len(word) > 1:
        return word[:i] + word[i + 1 :]
    if kind == "swap" and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "replace":
        return word[:i] + draw(st.sampled_from(string.ascii_lowercase)) + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


@st.composite
def mutated_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """The small scenario after one to three random edits."""
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        key = path[-1]
        edit = draw(st.sampled_from(["delete", "retype", "misspell", "insert", "number"]))
        if edit == "delete":
            del parent[key]
        elif edit == "retype":
            parent[key] = draw(values)
        elif edit == "misspell" and isinstance(parent, dict) and isinstance(key, str):
            parent[_misspell(draw, key)] = parent.pop(key)
        elif edit == "insert" and isinstance(parent, dict):
            siblings = [k for k in parent if isinstance(k, str)] or ["name"]
            parent[_misspell(draw, draw(st.sampled_from(siblings)))] = draw(values)
        else:
            parent[key] = draw(st.one_of(numbers, distributions))
    return data


def _check_loaded(sc: Scenario) -> None:
    """What loads must round-trip and draw each uncertain parameter inside its support."""
    assert Scenario.from_dict(sc.to_dict()) == Scenario.from_dict(sc.to_dict())
    assert Scenario.from_dict(sc.to_dict()).to_dict() == sc.to_dict()
    draws = sc.sample(np.random.default_rng(0))
    for path, dist in sc.uncertain().items():
        lo, hi = dist.support
        assert lo <= draws[path] <= hi, (path, dist, draws[path])


@SETTINGS
@given(mutated_scenarios())
def test_mutated_mapping_loads_or_raises_scenario_error(data: dict[str, Any]) -> None:
    try:
        sc = Scenario.from_dict(data)
    except ScenarioError as exc:
        assert exc.problems
        assert all(p.message for p in exc.problems)
        assert str(exc)
    else:
        _check_loaded(sc)


@SETTINGS
@given(mutated_scenarios())
def test_mutated_file_loads_or_raises_located_error(data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "mutated.yaml"
        file.write_text(text, encoding="utf-8")
        try:
            sc = load_scenario(file)
        except ScenarioError as exc:
            for problem in exc.problems:
                assert problem.file == str(file), problem
                assert problem.line is not None and problem.line >= 1, problem
                assert problem.column is not None and problem.column >= 1, problem
        else:
            _check_loaded(sc)


@st.composite
def mutated_texts(draw: st.DrawFn) -> bytes:
    """The small scenario's bytes with a few characters inserted, deleted or lines repeated."""
    raw = SMALL.read_bytes()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(raw)))
        kind = draw(st.sampled_from(["insert", "delete", "repeat"]))
        if kind == "insert":
            piece = draw(
                st.one_of(
                    st.sampled_from(
                        [
                            b"\t",
                            b":",
                            b"[",
                            b"]",
                            b"{",
                            b"&a",
                            b"*a",
                            b"!",
                            b"!!python/none ",
                            b"\xff",
                            b"- ",
                            b"\n",
                            b"  ",
                            b"'",
                            b'"',
                            b"#",
                            b"<<: *a",
                            b"~",
                        ]
                    ),
                    st.binary(max_size=4),
                )
            )
            raw = raw[:i] + piece + raw[i:]
        elif kind == "delete":
            raw = raw[:i] + raw[i + draw(st.integers(1, 20)) :]
        else:
            lines = raw.split(b"\n")
            j = min(i, len(lines) - 1)
            raw = b"\n".join([*lines[: j + 1], lines[j], *lines[j + 1 :]])
    return raw


@SETTINGS
@given(mutated_texts())
def test_mutated_yaml_text_loads_or_raises_scenario_error(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "mutated.yaml"
        file.write_bytes(raw)
        try:
            load_scenario(file)
        except ScenarioError as exc:
            assert exc.problems
            assert all(p.file == str(file) for p in exc.problems)


def _schema_key_paths() -> list[tuple[Any, ...]]:
    """Paths in the small scenario whose last key is a field of the schema (not a user's name)."""
    sc = load_scenario(SMALL)
    out = []
    for path in _paths(BASE):
        parent: Any = sc
        for key in path[:-1]:
            parent = getattr(parent, key) if isinstance(parent, BaseModel) else parent[key]
        if isinstance(parent, BaseModel) and not isinstance(parent, Distribution):
            assert path[-1] in type(parent).model_fields
            out.append(path)
    return out


SCHEMA_KEY_PATHS = _schema_key_paths()


@pytest.mark.parametrize(
    "path", SCHEMA_KEY_PATHS, ids=[".".join(map(str, p)) for p in SCHEMA_KEY_PATHS]
)
def test_every_misspelt_schema_key_is_named_with_a_suggestion(path: tuple[Any, ...]) -> None:
    data = copy.deepcopy(BASE)
    key = path[-1]
    _parent(data, path)[key + "x"] = _parent(data, path).pop(key)
    with pytest.raises(ScenarioError) as excinfo:
        Scenario.from_dict(data)
    wanted = ".".join(map(str, (*path[:-1], key + "x")))
    (problem,) = [p for p in excinfo.value.problems if p.path == wanted]
    assert problem.message == f"unknown key '{key}x' (did you mean '{key}'?)"
