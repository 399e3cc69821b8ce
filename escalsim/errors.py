"""One error hierarchy: every failure a user can cause is an EscalsimError with a clear message."""

from __future__ import annotations

from dataclasses import dataclass


class EscalsimError(Exception):
    """Base class of every error escalsim raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where it is, and what is wrong."""

    path: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file
            if self.line is not None:
                where += f":{self.line}:{self.column or 1}"
            where = f" ({where})"
        field = f"{self.path}: " if self.path else ""
        return f"{field}{self.message}{where}"


class ScenarioError(EscalsimError):
    """A scenario is malformed; carries every problem found, each with its location."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems:"] + [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class RunError(EscalsimError):
    """A run failed; carries the run index and seed so that it can be reproduced alone."""

    def __init__(self, message: str, run: int | None = None, seed: int | None = None):
        self.run = run
        self.seed = seed
        where = f" (run {run}, seed {seed})" if run is not None else ""
        super().__init__(f"{message}{where}")


class ResultsError(EscalsimError):
    """A results file cannot be read or written as asked."""


class Interrupted(EscalsimError):
    """A long job was stopped (Ctrl-C) before the end; its target file was not written.

    ``results`` holds the runs finished so far when they were kept in memory (else None);
    ``counts`` maps each outcome to the number of finished runs that ended in it; ``kept`` is
    the folder holding the finished chunks of a resumable run (``resume=True``), else None.
    """

    def __init__(self, runs: int, counts: dict[str, int], results=None, kept=None):
        self.runs = runs
        self.counts = counts
        self.results = results
        self.kept = kept
        where = "no file was written" if kept is None else f"they are kept in {kept}"
        super().__init__(f"interrupted after {runs} finished runs; {where}")
