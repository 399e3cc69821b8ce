"""Small helpers shared by the scenario and CLI tests: fixture texts and error inspection."""

from __future__ import annotations

from pathlib import Path

import pytest

from escalsim.errors import Problem, ScenarioError

DATA = Path(__file__).parent / "data"
SMALL = DATA / "small.yaml"
"""A two-actor crisis using most of the scenario language (ladders, deals, history, processes)."""

MINIMAL = """\
schema_version: 1
name: minimal
start: 2025-12-01
horizon: 90
actors:
  us:
    rationality: 2.0
    ladder:
      - {name: pressure}
      - {name: strikes, cost: 1.0}
  ve:
    opponent: us
outcomes:
  stalemate:
    trigger: {event: horizon}
"""
"""The smallest useful valid scenario, as text to edit in tests."""


def write(directory: Path, text: str | bytes, name: str = "scenario.yaml") -> Path:
    """Write a scenario file and return its path."""
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def edit(old: str, new: str, text: str = MINIMAL) -> str:
    """``text`` with ``old`` replaced once by ``new``; fails loudly if ``old`` is absent."""
    assert old in text, f"fixture text has no {old!r}"
    return text.replace(old, new, 1)


def position(
    text: str, line_with: str, token: str | None = None, shift: int = 0
) -> tuple[int, int]:
    """1-based (line, column) of ``token`` (plus ``shift``) on the first line with ``line_with``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line_with in line:
            return number, line.index(token if token is not None else line_with) + 1 + shift
    raise AssertionError(f"no line contains {line_with!r}")


def one_problem(excinfo: pytest.ExceptionInfo[ScenarioError]) -> Problem:
    """The single problem a ScenarioError carries (fails if there are several)."""
    problems = excinfo.value.problems
    assert len(problems) == 1, f"expected one problem, got {[str(p) for p in problems]}"
    return problems[0]
