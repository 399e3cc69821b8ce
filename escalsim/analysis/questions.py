"""Forecasting questions: a YAML file of questions about a scenario's outcomes and milestones.

Each question is a predicate over a run: it ended in one of the named outcomes (or reached
one of the named milestones) by a date, or, with ``negate``, it did not. Its resolution is
``yes``, ``no`` or ``unresolved``; ``resolved_on`` is the day the answer became known (the day
the event happened; by default the question's date), since a forecast made on or after it
is not a forecast. Reference forecasts (a market price, a base rate) carry their own dates.
The file is validated like a scenario: every problem with its file, line and column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BeforeValidator, Field, StrictBool, StringConstraints, model_validator

from escalsim.errors import ScenarioError
from escalsim.scenario.located_model import load_located, locate
from escalsim.scenario.schema import Date, Identifier, Level, Model, Text
from escalsim.text import suggest

if TYPE_CHECKING:
    from escalsim.scenario.schema import Scenario
    from escalsim.scenario.yaml_source import Located

Names = Identifier | Annotated[list[Identifier], Field(min_length=1, max_length=50)]


def _yes_no(value: object) -> object:
    """YAML reads a bare yes or no as true or false: take them back as the words."""
    return ("yes" if value else "no") if isinstance(value, bool) else value


Resolution = Annotated[Literal["yes", "no", "unresolved"], BeforeValidator(_yes_no)]


class QuestionsError(ScenarioError):
    """A questions file is malformed, or asks about what its scenario does not have."""


class Reference(Model):
    """A forecast of the same question from elsewhere: a market price, a base rate, a pundit."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    p: Level
    date: Date
    source: Text = ""


class Question(Model):
    """One question: a predicate over outcomes or milestones by a date, and its resolution."""

    id: Identifier
    text: Text = ""
    outcome: Names | None = None
    milestone: Names | None = None
    negate: StrictBool = False
    by: Date
    resolution: Resolution
    resolved_on: Date | None = None
    references: list[Reference] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _one_predicate(self) -> Question:
        if (self.outcome is None) == (self.milestone is None):
            raise ValueError("a question names either outcome or milestone (one of them)")
        if self.resolution == "unresolved" and self.resolved_on is not None:
            raise ValueError("an unresolved question has no resolved_on date")
        if self.happened and self.resolved_on is None:
            raise ValueError(
                "resolved_on is needed: the day it happened (forecasts made on or after it "
                "are not scored)"
            )
        return self

    @property
    def happened(self) -> bool:
        """Whether the outcome or milestone asked about came about (by the date)."""
        return self.resolution != "unresolved" and (self.resolution == "yes") != self.negate

    @property
    def names(self) -> list[str]:
        """The outcomes (or milestones) the question asks about: any of them counts."""
        given = self.outcome if self.outcome is not None else self.milestone
        return [given] if isinstance(given, str) else list(given or [])

    @property
    def known_on(self) -> dt.date | None:
        """The day the answer became known (None while unresolved)."""
        if self.resolution == "unresolved":
            return None
        return self.resolved_on or self.by

    def describe(self) -> str:
        """The predicate in words: ``negotiated_exit by 2026-03-01``, ``no milestone blockade by
        2026-03-01``."""
        kind = "" if self.outcome is not None else "milestone "
        if not self.negate:
            return f"{kind}{' or '.join(self.names)} by {self.by}"
        if len(self.names) == 1:
            return f"no {kind}{self.names[0]} by {self.by}"
        word = "outcome" if self.outcome is not None else "milestone"
        return f"none of the {word}s {', '.join(self.names)} by {self.by}"


class QuestionsFile(Model):
    """A questions file: the scenario it asks about (optional) and its questions."""

    scenario: Identifier | None = None
    questions: list[Question] = Field(min_length=1, max_length=10_000)


@dataclass(frozen=True)
class Questions:
    """Questions loaded from a file, kept with the file's locations for later checks."""

    questions: tuple[Question, ...]
    scenario: str | None
    file: str
    located: Located | None = None

    def check(self, scenario: Scenario) -> None:
        """Refuse a question about an outcome or milestone the scenario does not have, or a
        file written for another scenario; QuestionsError with every problem, located."""
        problems = []
        if self.scenario is not None and self.scenario != scenario.name:
            problems.append(
                self._at(("scenario",), f"asked of '{self.scenario}', not of '{scenario.name}'")
            )
        for i, q in enumerate(self.questions):
            field = "outcome" if q.outcome is not None else "milestone"
            pool = scenario.outcomes if q.outcome is not None else scenario.milestones
            for j, name in enumerate(q.names):
                if name not in pool:
                    path = ("questions", i, field, *((j,) if len(q.names) > 1 else ()))
                    message = f"unknown {field} '{name}' of {scenario.name}{suggest(name, pool)}"
                    problems.append(self._at(path, message))
        if problems:
            raise QuestionsError(problems)

    def _at(self, path: tuple, message: str):
        from escalsim.errors import Problem

        if self.located is None:
            return Problem(".".join(map(str, path)), message, self.file)
        return locate(self.located, path, message, self.file)


def load_questions(path: str | Path, scenario: Scenario | None = None) -> Questions:
    """Read and validate a questions file; with ``scenario``, check that every outcome and
    milestone asked about is one of its own. QuestionsError names every problem's line."""
    spec, located = load_located(path, QuestionsFile, QuestionsError)
    ids = [q.id for q in spec.questions]
    dups = [i for i, q in enumerate(spec.questions) if ids.index(q.id) != i]
    if dups:
        message = f"duplicate question id '{spec.questions[dups[0]].id}'"
        raise QuestionsError(locate(located, ("questions", dups[0], "id"), message, str(path)))
    questions = Questions(tuple(spec.questions), spec.scenario, str(path), located)
    if scenario is not None:
        questions.check(scenario)
    return questions
