"""Fuzzing the command line: mutated scenarios and random argument lists for ``run`` and
``validate`` end in success or a clean user error (exit 1 or 2, a message, no traceback).

The command runs in-process through the real entry point ``escalsim.cli.main.main`` inside
click's output isolation, so an exception that escapes it propagates here and fails the test
rather than being swallowed. Work is bounded by counts, not by the clock: ``run`` is always
given ``--executor serial`` and a small ``--max-runs`` last (so they win), because process
pools, Dask and million-run precision targets are slow, not wrong; and a small event budget
turns a storm of events into the engine's own RunError. A command still running at the hang
guard has hung.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from time_limits import Hung, hang_guard
from typer.testing import CliRunner

import escalsim.engine.simulation as simulation
from escalsim.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
DYAD = ROOT / "tests" / "data" / "dyad.yaml"
CATALOGUE = sorted((ROOT / "tests" / "bad_inputs").glob("*.yaml"))
BASE: dict[str, Any] = yaml.safe_load(DYAD.read_text(encoding="utf-8"))
FORCED = ["--executor", "serial", "--max-runs", "40"]

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


RUNNER = CliRunner()


def call(argv: list[str]) -> tuple[int, str]:
    """Run the real entry point in-process; return the exit status and stdout + stderr."""
    with RUNNER.isolation() as (out, err, _):
        try:
            main(argv)
        except SystemExit as stop:
            code = stop.code
        else:
            code = 0
        text = out.getvalue().decode("utf-8", "replace") + err.getvalue().decode("utf-8", "replace")
    if code is None:
        code = 0
    assert isinstance(code, int), f"exit status {code!r} for {argv}"
    return code, text


def assert_clean(argv: list[str], code: int, text: str) -> None:
    shown = f"argv={argv}\nexit {code}\n{text}"
    assert code in (0, 1, 2), shown
    assert "Traceback" not in text, shown
    assert "run failed:" not in text, f"the engine crashed: {shown}"
    if code:
        assert text.strip(), f"a failure with no message: {shown}"


@pytest.fixture(autouse=True)
def small_event_budget(monkeypatch):
    """A storm of events (review_days 5e-324) becomes a RunError in well under a second."""
    monkeypatch.setattr(simulation, "MAX_STEPS", 20_000)
    monkeypatch.setattr(simulation, "STEPS_PER_ACTOR_DAY", 0)


# --- mutated scenarios ------------------------------------------------------------------------
SPECIAL_NUMBERS = [0, -1, 1, 0.5, -0.0, 1e9, -1e9, 1e308, -1e308, 5e-324, 1e-300, 2**70]
DISTRIBUTIONS = [
    {"beta": [0, 1]},
    {"beta": [1e-300, 1e300]},
    {"uniform": [2, 1]},
    {"uniform": [-1e308, 1e308]},
    {"normal": [0, 1], "bounds": [50, 60]},
    {"normal": [0, 1e308]},
    {"lognormal": [700, 10]},
    {"triangular": [0, 2, 1]},
    {"choice": {}},
    {"choice": {0.2: 1e308, 0.8: 1e308}},
]
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([*SPECIAL_NUMBERS, math.nan, math.inf, -math.inf]),
    st.text(max_size=12),
    st.sampled_from(["a", "b", "deal", "war", "strike", "surrender", "hold", "2025-13-01"]),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.lists(st.integers(min_value=-3, max_value=3), max_size=3),
    st.dictionaries(st.text(max_size=6), st.integers(min_value=-5, max_value=5), max_size=2),
    st.sampled_from(DISTRIBUTIONS),
)


def _places(data: Any, path: tuple = ()) -> Iterator[tuple[Any, Any, tuple]]:
    """Every (container, key) in a nested structure, with the path to it."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield data, key, (*path, key)
            yield from _places(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield data, i, (*path, i)
            yield from _places(value, (*path, i))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _swap_type(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    if isinstance(value, dict):
        return list(value.values())
    return [value]


@st.composite
def mutated_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        op = draw(st.sampled_from(["delete", "replace", "number", "insert", "swap"]))
        places = list(_places(data))
        if op == "number":  # mostly a number for a number: scenarios that load and run
            numeric = [p for p in places if _is_number(p[0][p[1]])]
            places = numeric or places
        container, key, _path = places[draw(st.integers(0, len(places) - 1))]
        if op == "delete":
            del container[key]
        elif op == "replace":
            container[key] = copy.deepcopy(draw(junk))
        elif op == "number":
            container[key] = draw(st.sampled_from([*SPECIAL_NUMBERS, math.nan, math.inf]))
        elif op == "swap":
            container[key] = _swap_type(container[key])
        else:
            target = container[key] if isinstance(container[key], dict) else container
            if isinstance(target, dict):
                name = draw(st.sampled_from(["rationalty", "colour", "extends", "", "x" * 70]))
                target[name] = copy.deepcopy(draw(junk))
            else:
                target.append(copy.deepcopy(draw(junk)))
    return data


@SETTINGS
@given(data=mutated_scenarios(), command=st.sampled_from(["run", "validate"]))
def test_a_mutated_scenario_runs_or_fails_cleanly(data: dict[str, Any], command: str):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mutant.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        out = Path(tmp) / "runs.parquet"
        argv = [command, str(path)]
        if command == "run":
            argv += ["--runs", "5", "-q", "--out", str(out), *FORCED]
        code, text = call(argv)
        assert_clean(argv, code, text)
        assert code in (0, 1), f"a scenario file is never a usage error: {argv}\n{text}"
        if code == 1 and "simulation events" not in text:  # else a run stopped: run and seed
            assert "mutant.yaml" in text, f"the message must name the file: {text}"
        if command == "run":
            assert out.exists() == (code == 0), text


# --- random argument lists --------------------------------------------------------------------
def _files(tmp: Path) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [str(DYAD), str(DYAD), str(tmp), str(tmp / "missing.yaml"), "", "-"]
        + [str(p) for p in CATALOGUE]
    )


SET_VALUES = [
    *["", "0", "-1", "1e9", "5e-324", ".nan", ".inf", "abc", "[hold]", "true"],
    *["{beta: [0, 1]}", "{uniform: [2, 1]}", "&a [*a]", "{a: [", "!!python/object:os.system x"],
]


def _set_items() -> st.SearchStrategy[str]:
    paths = st.sampled_from(
        [
            "horizon",
            "actors.a.rationality",
            "actors.a.review_days",
            "actors.b.beliefs.a.mean",
            "actors.a.ladder.deploy.cost",
            "processes.collapse.max_hazard",
            "processes.cohesion.initial",
            "mechanisms.history",
            "actors.a.repertoire",
            "a.b",
            "actors.zz.rationality",
            "",
        ]
    )
    values = st.one_of(
        st.sampled_from(SET_VALUES),
        st.text(max_size=10),
    )
    return st.one_of(st.builds(lambda p, v: f"{p}={v}", paths, values), st.text(max_size=12))


def _option_values(tmp: Path) -> dict[str, st.SearchStrategy[str]]:
    numbers = st.sampled_from(["-5", "0", "1", "2", "5", "abc", "", "1.5", "nan", "1e3"])
    return {
        "--runs": numbers,
        "-n": numbers,
        "--seed": st.sampled_from(["-1", "0", "3", str(2**64), "x"]),
        "--workers": numbers,
        "--precision": st.sampled_from(["2", "0", "-0.1", "0.2", "0.5", "nan", "x"]),
        "--max-runs": numbers,
        "--out": st.sampled_from(
            [
                str(tmp / "runs.parquet"),
                str(tmp / "runs.csv"),
                str(tmp / "missing" / "runs.parquet"),
                str(tmp),
                "",
            ]
        ),
        "--set": _set_items(),
        "--executor": st.sampled_from(["serial", "cloud", ""]),
    }


FLAGS = ["-q", "--quiet", "--events", "--force", "--help", "--turbo", "--", "-z"]


@st.composite
def argument_lists(draw: st.DrawFn, command: str, tmp: Path) -> list[str]:
    values = _option_values(tmp)
    argv = [command]
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        kind = draw(st.sampled_from(["file", "option", "flag", "text"]))
        if kind == "file":
            argv.append(draw(_files(tmp)))
        elif kind == "option":
            name = draw(st.sampled_from(sorted(values)))
            argv += [name, draw(values[name])]
        elif kind == "flag":
            argv.append(draw(st.sampled_from(FLAGS)))
        else:
            argv.append(draw(st.text(max_size=8)))
    if command == "run":
        argv += FORCED
    return argv


@SETTINGS
@given(data=st.data(), command=st.sampled_from(["run", "validate"]))
def test_random_arguments_succeed_or_fail_cleanly(data: st.DataObject, command: str):
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        argv = data.draw(argument_lists(command, tmp), label="argv")
        code, text = call(argv)
        assert_clean(argv, code, text)
        missing = tmp / "missing"
        assert not missing.exists(), "a missing --out folder must not be created"
        if code != 0:
            assert not (tmp / "runs.parquet").exists(), f"a failed run left its file: {text}"


def test_the_harness_sees_failures_and_successes():
    """The in-process entry point reports exit statuses and messages as the real command."""
    code, text = call(["validate", str(DYAD)])
    assert (code, text.strip().splitlines()[0]) == (0, f"{DYAD}: ok")
    code, text = call(["run", str(DYAD), "--runs", "-5"])
    assert code == 2 and "--runs" in text
    code, text = call(["run", str(ROOT / "tests" / "bad_inputs" / "range_nan.yaml"), *FORCED])
    assert code == 1 and text.startswith("error: actors.us.rationality: expected a finite")
    with pytest.raises(Hung), hang_guard(0.05):
        signal.pause()
