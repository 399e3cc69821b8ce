"""YAML file → validated Scenario: safe load, ``extends`` merge, validation, located errors."""

from __future__ import annotations

import math
import os
import re
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from escalsim.errors import Problem, ScenarioError
from escalsim.scenario.parameters import edited
from escalsim.scenario.yaml_source import Located, parse_yaml, read_text
from escalsim.text import nearest, suggest

MAX_EXTENDS_DEPTH = 20


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None):
    """Load, merge (``extends``) and validate a scenario file; raise ScenarioError if malformed.

    ``overrides`` maps dotted paths to values, as ``--set path=value`` does on the command line.
    """
    return load_located(path, overrides)[0]


def load_located(path: str | Path, overrides: dict[str, Any] | None = None):
    """:func:`load_scenario`, and where each key and value of the file stands (file, line,
    column), for messages about a valid scenario such as lint warnings."""
    located = _load_located(Path(path), chain=())
    scenario = scenario_from_mapping(located.data, file=str(path), located=located)
    if overrides:
        try:
            scenario = scenario_from_mapping(edited(scenario, overrides))
        except ScenarioError as exc:
            where = f"override of {path}"
            raise ScenarioError([Problem(p.path, p.message, where) for p in exc.problems]) from None
    return scenario, located


def as_scenario(source: Any, what: str = "scenario"):
    """A Scenario as given, or loaded from a file path; TypeError for anything else."""
    from escalsim.scenario.schema import Scenario

    if isinstance(source, (str, os.PathLike)):
        return load_scenario(source)
    if not isinstance(source, Scenario):
        raise TypeError(f"{what} must be a Scenario or a file path, got {type(source).__name__}")
    return source


def _load_located(path: Path, chain: tuple[Path, ...], text: str | None = None) -> Located:
    """Parse a file and, if it ``extends`` another, deep-merge it over its base."""
    name = str(path)
    located = parse_yaml(read_text(path) if text is None else text, name)
    data = located.data
    if "extends" not in data:
        return located
    base_ref = data.pop("extends")
    where = located.key_marks.get(("extends",), (name, None, None))
    base_path = _base_path(path, base_ref, where)
    if base_path in chain or base_path == path.resolve():
        cycle = " -> ".join(str(p.name) for p in (*chain, path.resolve(), base_path))
        raise ScenarioError(Problem("extends", f"cyclic extends: {cycle}", *where))
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(
            Problem("extends", f"extends chain longer than {MAX_EXTENDS_DEPTH} files", *where)
        )
    base_text = read_text(base_path)
    if not _SCENARIO_KEY.search(base_text.removeprefix("\ufeff")):
        raise ScenarioError(
            Problem(
                "extends",
                f"{base_ref} is not a scenario file (it has no top-level 'schema_version' or "
                "'extends' key), so nothing of it is read or shown",
                *where,
            )
        )
    base = _load_located(base_path, (*chain, path.resolve()), base_text)
    merged = deep_merge(base.data, data)
    marks = dict(base.marks)
    marks.update(located.marks)
    key_marks = dict(base.key_marks)
    key_marks.update(located.key_marks)
    return Located(merged, marks, key_marks)


_SCENARIO_KEY = re.compile(r"""^(?:\{\s*)?["']?(?:schema_version|extends)["']?[ \t]*:""", re.M)
"""A top-level key only a scenario has: a base must show it before any of its text is shown
in an error (a value read from a file that is not a scenario could be a secret)."""


def _base_path(path: Path, ref: Any, where: tuple[str, int | None, int | None]) -> Path:
    """The resolved file that ``extends: ref`` in ``path`` names, if it may be read.

    A base must lie in the folder of the file that names it or below, after symbolic links
    are followed, or under a folder listed in :data:`EXTENDS_PATH_VARIABLE`.
    """

    def fail(message: str) -> ScenarioError:
        return ScenarioError(Problem("extends", message, *where))

    if not isinstance(ref, str) or not ref:
        raise fail(f"expected a file path, got {ref!r}")
    if "\0" in ref:
        raise fail(f"not a valid file name (it holds a NUL character): {ref!r}")
    try:
        home = path.resolve().parent
        base = (home / ref).resolve()
    except (OSError, RuntimeError) as exc:  # a symbolic link loop, a name too long
        reason = getattr(exc, "strerror", None) or exc
        raise fail(f"cannot follow the path {ref!r}: {reason}") from None
    allowed = [home, *extends_roots()]
    if not any(base.is_relative_to(root) for root in allowed):
        raise fail(
            f"base scenario {ref} is outside the folder of this scenario ({home}): a base "
            f"must lie in that folder or below it, or under a folder listed in "
            f"{EXTENDS_PATH_VARIABLE}"
        )
    if base.is_dir():
        raise fail(f"base scenario {ref} is a directory, not a scenario file")
    if not base.exists():
        raise fail(f"base scenario not found: {ref}")
    return base


EXTENDS_PATH_VARIABLE = "ESCALSIM_EXTENDS_PATH"
"""Environment variable: more folders (separated like PATH) under which a base may lie."""


def extends_roots() -> list[Path]:
    """The folders named by :data:`EXTENDS_PATH_VARIABLE`, resolved (empty entries skipped)."""
    text = os.environ.get(EXTENDS_PATH_VARIABLE, "")
    return [Path(p).expanduser().resolve() for p in text.split(os.pathsep) if p.strip()]


def deep_merge(base: Any, override: Any) -> Any:
    """Mappings merge key by key; anything else (lists included) is replaced by the override."""
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            out[key] = deep_merge(base[key], value) if key in base else value
        return out
    return override


def scenario_from_mapping(data: Any, *, file: str | None = None, located: Located | None = None):
    """Validate a plain mapping into a Scenario, then check its cross-references, turning every
    failure into a ScenarioError located in the file where possible."""
    from escalsim.scenario.references import check_references
    from escalsim.scenario.schema import Scenario

    if not isinstance(data, dict):
        raise ScenarioError(Problem("", f"expected a mapping, got {type(data).__name__}", file))
    if "extends" in data:
        raise ScenarioError(
            Problem("extends", "'extends' is resolved when loading a file; use load_scenario", file)
        )
    try:
        scenario = Scenario.model_validate(data)
        check_references(scenario)
        return scenario
    except ValidationError as exc:
        errors = _prune_union_errors(exc.errors(), data)
        problems = [_problem_from_error(err, data, file, located) for err in errors]
        raise ScenarioError(_dedupe(problems)) from None
    except ScenarioError as exc:
        raise ScenarioError([_locate(p, data, file, located) for p in exc.problems]) from None
    except RecursionError:
        raise ScenarioError(Problem("", "scenario nested too deeply", file)) from None


def _is_branch(part: Any) -> bool:
    """A loc part naming a union member ('list[Trigger]', 'function-after[...]'), not data."""
    return isinstance(part, str) and ("[" in part or part[:1].isupper())


def _prune_union_errors(errors: list[Any], data: Any) -> list[Any]:
    """Drop a union member's error when another error lies deeper in the same value.

    For ``trigger: {event: horizn}`` pydantic reports both 'expected a valid list' (the
    ``list[Trigger]`` member) and the bad event (the ``Trigger`` member); only the second helps.
    """
    paths = [tuple(_walk_loc(tuple(err.get("loc", ())), data)[0]) for err in errors]
    kept = []
    for err, path in zip(errors, paths, strict=True):
        in_branch = any(_is_branch(part) for part in err.get("loc", ()))
        deeper = any(len(q) > len(path) and q[: len(path)] == path for q in paths)
        if not (in_branch and deeper):
            kept.append(err)
    return kept


def _dedupe(problems: list[Problem]) -> list[Problem]:
    """Unions report one error per member: merge 'expected X' and 'expected Y' for one path."""
    seen: dict[str, Problem] = {}
    for p in problems:
        first = seen.get(p.path)
        if first is None:
            seen[p.path] = p
            continue
        a, _, got_a = first.message.partition(", got ")
        b, _, got_b = p.message.partition(", got ")
        both = a.startswith("expected ") and b.startswith("expected ")
        if both and got_a == got_b and b[len("expected ") :] not in a:
            merged = f"{a} or {b[len('expected ') :]}, got {got_a}"
            seen[p.path] = Problem(p.path, merged, first.file, first.line, first.column)
    return sorted(seen.values(), key=lambda p: (p.line or 0, p.column or 0, p.path))


def _walk_loc(loc: tuple[Any, ...], data: Any) -> tuple[list[Any], list[Any]]:
    """Split a pydantic loc into the part that exists in the data and the rest (tags skipped)."""
    found: list[Any] = []
    cur = data
    rest: list[Any] = []
    for i, part in enumerate(loc):
        if isinstance(cur, dict) and part in _TAGS and i + 1 < len(loc) and loc[i + 1] in cur:
            continue  # a union tag before a key of a distribution: {uniform: ..., bonds: ...}
        if isinstance(cur, dict) and part not in cur:
            part = _original_key(cur, part)
        if (isinstance(cur, dict) and part in cur) or (
            isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur)
        ):
            found.append(part)
            cur = cur[part]
        elif (
            isinstance(cur, dict)
            and isinstance(part, str)
            and part not in cur
            and _is_field(loc, i)
        ):
            rest.append(part)
        # otherwise a union tag or a wrapper name: skip it
    return found, rest


_TAGS = {"number", "beta", "uniform", "normal", "triangular", "lognormal", "choice"}


def _original_key(mapping: dict[Any, Any], part: Any) -> Any:
    """Pydantic reports a non-text key (None, 3) as its string; find the key it came from."""
    for key in mapping:
        if not isinstance(key, str) and str(key) == str(part):
            return key
    return part


def _is_field(loc: tuple[Any, ...], i: int) -> bool:
    part = loc[i]
    return part not in _TAGS and "[" not in part and not part[:1].isupper()


def _fields_at(path: list[Any], data: Any = None) -> list[str]:
    """The valid keys of the schema object at a data path (for 'did you mean').

    Where the schema expects a number, the mapping written there is taken for the
    distribution it names (``{normal: [0, 1], bonds: ...}`` suggests ``bounds``).
    """
    from escalsim.scenario.distributions import DISTRIBUTIONS

    fields = _model_fields_at(path)
    if fields:
        return fields
    here = data
    for part in path:
        here = here[part] if isinstance(here, (dict, list)) else None
    if isinstance(here, dict):
        kinds = [k for k in here if k in DISTRIBUTIONS]
        if len(kinds) == 1:
            return list(DISTRIBUTIONS[kinds[0]].model_fields)
    return []


def _model_fields_at(path: list[Any]) -> list[str]:
    """The fields of the schema model at a data path, or [] where there is no model."""
    from escalsim.scenario.schema import Scenario

    tp: Any = Scenario
    for part in path:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(part)
            if field is None:
                return []
            tp = field.annotation
        else:
            origin = typing.get_origin(tp)
            args = typing.get_args(tp)
            if origin is dict:
                tp = args[1]
            elif origin in (list, tuple):
                tp = args[0]
            else:
                return []
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return []


def _unwrap(tp: Any) -> Any:
    """Strip Annotated and Optional so that the model class is visible."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(tp) if a is not type(None)]
            models = [a for a in members if isinstance(a, type) and issubclass(a, BaseModel)]
            if len(members) == 1:
                tp = members[0]
            elif len(models) == 1:
                tp = models[0]
            else:
                return tp
        else:
            return tp


_TYPE_MESSAGES = {
    "model_type": "expected a mapping (key: value)",
    "dict_type": "expected a mapping (key: value)",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
    "string_type": "expected text",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
}

_LENGTH_MESSAGES = {
    "too_short": "expected at least",
    "too_long": "expected at most",
    "string_too_short": "expected at least",
    "string_too_long": "expected at most",
}

_PATTERNS = {
    r"^[A-Za-z_][A-Za-z0-9_]*$": "a name of letters, digits and '_' not starting with a digit",
    r"^#[0-9a-fA-F]{6}$": "a colour like '#1f77b4'",
}


def _value_at(data: Any, path: list[Any]) -> Any:
    for part in path:
        data = data[part]
    return data


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _problem_from_error(
    err: dict[str, Any], data: Any, file: str | None, located: Located | None
) -> Problem:
    """One pydantic error as a located problem: a key that is wrong, missing, or a bad value."""
    loc = tuple(err.get("loc", ()))
    found, rest = _walk_loc(loc, data)
    kind = err.get("type", "")
    path = found
    key_location = kind in ("extra_forbidden", "invalid_key")
    if kind == "extra_forbidden":
        bad_key = found[-1] if found else (loc[-1] if loc else "?")
        msg = f"unknown key '{bad_key}'{suggest(str(bad_key), _fields_at(found[:-1], data))}"
    elif kind == "invalid_key":
        msg = f"keys must be text, got {_show(found[-1] if found else err.get('input'))}"
    elif kind == "missing" and not (loc and isinstance(loc[-1], int)):
        missing = rest[-1] if rest else (loc[-1] if loc else "?")
        path = [*found, missing]
        msg = f"missing required key '{missing}'"
    else:
        msg = _value_message(err, kind, loc, _value_at(data, found) if kind == "missing" else None)
        if "expected a number" in msg:
            msg += _number_hint(err.get("input"))
    dotted = ".".join(str(p) for p in path)
    return _locate(Problem(dotted, msg, file), data, file, located, key=key_location, path=path)


def _value_message(err: dict[str, Any], kind: str, loc: tuple, here: Any) -> str:
    """What is wrong with a value; ``here`` is the list that lacks an item (kind 'missing')."""
    if kind.startswith(("date_", "datetime_")):
        return f"expected a date (YYYY-MM-DD), got {_show(err.get('input'))}"
    if kind == "missing":
        return f"too few items: expected an item at position {loc[-1]}, got {_show(here)}"
    if kind in _TYPE_MESSAGES:
        return f"{_TYPE_MESSAGES[kind]}, got {_show(err.get('input'))}"
    if kind in _LENGTH_MESSAGES:
        ctx = err.get("ctx", {})
        limit = ctx.get("min_length", ctx.get("max_length"))
        what = "character" if kind.startswith("string") else "item"
        plural = "" if limit == 1 else "s"
        return f"{_LENGTH_MESSAGES[kind]} {limit} {what}{plural}, got {_show(err.get('input'))}"
    if kind == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern", "")
        wanted = _PATTERNS.get(pattern, f"text matching {pattern}")
        return f"expected {wanted}, got {_show(err.get('input'))}"
    return _pydantic_message(err, kind)


def _pydantic_message(err: dict[str, Any], kind: str) -> str:
    """Pydantic's own message, in the project's words, with a 'did you mean' for a literal."""
    msg = err.get("msg", "invalid value")
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if msg.startswith("Input should be"):
        msg = "expected" + msg[len("Input should be") :]
    if "input" in err and "got" not in msg:
        msg += f", got {_show(err['input'])}"
    if kind == "literal_error" and isinstance(err.get("input"), str):
        choices = re.findall(r"'([^']*)'", err.get("ctx", {}).get("expected", ""))
        near = nearest(err["input"], choices)
        if near is not None:
            msg += f" (did you mean '{near}'?)"
    return msg


_EXPONENT = re.compile(r"([-+]?)([0-9][0-9_]*)(?:\.([0-9_]*))?[eE]([-+]?)([0-9]+)")
"""A number in exponent form; YAML 1.1 reads it as text unless it has a '.' and a sign."""


def _number_hint(value: Any) -> str:
    """Why YAML read ``1e3`` as text and how to write it as a number; '' for other values."""
    m = _EXPONENT.fullmatch(value.strip()) if isinstance(value, str) else None
    if m is None:
        return ""
    sign, whole, frac, exp_sign, exp = m.groups()
    written = f"{sign}{whole}.{frac or '0'}e{exp_sign or '+'}{exp}"
    if not math.isfinite(float(written.replace("_", ""))):
        return f" (YAML reads {value!r} as text; as a number it would be too large)"
    return (
        f" (YAML reads {value!r} as text: a number with an exponent needs a decimal point and "
        f"a signed exponent, e.g. {written})"
    )


def _locate(
    problem: Problem,
    data: Any,
    file: str | None,
    located: Located | None,
    *,
    key: bool = False,
    path: list[Any] | None = None,
) -> Problem:
    """Attach file, line and column to a problem from its dotted path."""
    if path is None:
        path = _split_path(problem.path, data)
    if located is None:
        return Problem(problem.path, problem.message, file or problem.file)
    where = located.where(tuple(path), key=key)
    if where is None:
        return Problem(problem.path, problem.message, file or problem.file)
    return Problem(problem.path, problem.message, where[0], where[1], where[2])


def _split_path(dotted: str, data: Any) -> list[Any]:
    """Turn 'actors.us.ladder.2.cost' back into data keys (ints for list indices)."""
    out: list[Any] = []
    cur = data
    for part in dotted.split(".") if dotted else []:
        if isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            out.append(int(part))
            cur = cur[int(part)]
        elif isinstance(cur, dict) and part in cur:
            out.append(part)
            cur = cur[part]
        else:
            break
    return out
