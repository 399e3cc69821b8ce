"""Validate a YAML file other than a scenario (a questions file, an import mapping) against a
pydantic model, with every problem located in the file as scenario errors are.

The scenario loader has its own, richer version for the scenario schema (distributions,
unions of triggers); this one serves small, flat models: unknown keys with a "did you mean",
missing keys, bad values, each with file, line and column.
"""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from escalsim.errors import Problem, ScenarioError
from escalsim.scenario.yaml_source import Located, parse_yaml, read_text
from escalsim.text import nearest, suggest

M = TypeVar("M", bound=BaseModel)


def load_located(
    path: str | Path, model: type[M], error: type[ScenarioError] = ScenarioError
) -> tuple[M, Located]:
    """Read a YAML file and validate it into ``model``; ``error`` (a ScenarioError class)
    carries every problem found, located in the file."""
    name = str(path)
    try:
        located = parse_yaml(read_text(path), name)
    except ScenarioError as exc:
        raise error(exc.problems) from None
    return validate_located(located, model, name, error), located


def validate_located(
    located: Located, model: type[M], file: str, error: type[ScenarioError] = ScenarioError
) -> M:
    """``located.data`` validated into ``model``; ``error`` with located problems if it fails."""
    try:
        return model.model_validate(located.data)
    except ValidationError as exc:
        problems: dict[str, Problem] = {}
        for err in exc.errors():
            p = _problem(err, located, file, model)
            problems.setdefault(p.path, p)  # a union reports one error per member: keep one
        # a union member that failed deeper says more than the one that failed at the top
        kept = [
            p for p in problems.values() if not any(q.startswith(f"{p.path}.") for q in problems)
        ]
        raise error(sorted(kept, key=lambda p: (p.line or 0, p.column or 0))) from None
    except RecursionError:
        raise error(Problem("", "nested too deeply", file)) from None


def locate(located: Located, path: tuple[Any, ...], message: str, file: str) -> Problem:
    """A problem at a data path, with the file, line and column of the value there."""
    where = located.where(path) or (file, None, None)
    return Problem(".".join(str(p) for p in path), message, *where)


def _problem(err: dict[str, Any], located: Located, file: str, model: type[BaseModel]) -> Problem:
    path = _data_path(tuple(err.get("loc", ())), located.data)
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        key = path[-1] if path else "?"
        msg = f"unknown key '{key}'{suggest(str(key), _fields_at(model, path[:-1]))}"
        where = located.where(tuple(path), key=True) or (file, None, None)
        return Problem(".".join(str(p) for p in path), msg, *where)
    if kind == "missing":
        missing = err["loc"][-1]
        path = path[:-1] if path and path[-1] == missing else path
        problem = locate(located, tuple(path), f"missing required key '{missing}'", file)
        dotted = ".".join(str(p) for p in (*path, missing))
        return Problem(dotted, problem.message, problem.file, problem.line, problem.column)
    return locate(located, tuple(path), error_message(err), file)


def _data_path(loc: tuple[Any, ...], data: Any) -> list[Any]:
    """The part of a pydantic loc that exists in the data (union branch names skipped)."""
    out: list[Any] = []
    here = data
    for part in loc:
        listed = isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here)
        if listed or (isinstance(here, dict) and part in here):
            here = here[part]
        elif isinstance(here, dict) and isinstance(part, str) and _is_key(part):
            out.append(part)  # a key that is not there (an unknown one is there)
            break
        else:
            continue
        out.append(part)
    return out


def _is_key(part: str) -> bool:
    return "[" not in part and not part[:1].isupper() and "-" not in part


_PATTERNS = {
    r"^[A-Za-z_][A-Za-z0-9_]*$": "a name of letters, digits and '_' not starting with a digit"
}


def error_message(err: Any) -> str:
    """What a pydantic error says is wrong with a value, in the project's words."""
    kind = err.get("type", "")
    got = repr(err.get("input"))
    got = got if len(got) <= 60 else got[:57] + "..."
    if kind.startswith(("date_", "datetime_")):
        return f"expected a date (YYYY-MM-DD), got {got}"
    if kind == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern", "")
        return f"expected {_PATTERNS.get(pattern, f'text matching {pattern}')}, got {got}"
    msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    if msg.startswith("Input should be"):
        msg = "expected" + msg[len("Input should be") :]
    if kind == "literal_error" and isinstance(err.get("input"), str):
        choices = re.findall(r"'([^']*)'", str(err.get("ctx", {}).get("expected", "")))
        near = nearest(err["input"], choices)
        if near is not None:
            msg += f" (did you mean '{near}'?)"
    return msg if "got" in msg or kind == "value_error" else f"{msg}, got {got}"


def _fields_at(model: type[BaseModel], path: list[Any]) -> list[str]:
    """The keys the model accepts at a data path (for "did you mean")."""
    tp: Any = model
    for part in path:
        tp = _model_in(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(str(part))
            if field is None:
                return []
            tp = field.annotation
        elif typing.get_origin(tp) in (list, dict):
            tp = typing.get_args(tp)[-1]
        else:
            return []
    tp = _model_in(tp)
    return list(tp.model_fields) if isinstance(tp, type) and issubclass(tp, BaseModel) else []


def _model_in(tp: Any) -> Any:
    """The model class (or container) inside Annotated, Optional or a union, else ``tp``."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(tp) if a is not type(None)]
        models = [a for a in members if isinstance(a, type) and issubclass(a, BaseModel)]
        containers = [a for a in members if typing.get_origin(a) in (list, dict)]
        for group in (models, containers, members):
            if len(group) == 1:
                return group[0]
    return tp
