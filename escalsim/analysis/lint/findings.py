"""A lint finding: a valid input that changes nothing, with where it stands in the file."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from escalsim.errors import Problem
from escalsim.scenario.parameters import item_index

if TYPE_CHECKING:
    from escalsim.scenario.yaml_source import Located

CHECKS = ("inert", "never-triggers", "never-open", "no-effect")
"""What a finding says: an input no mechanism reads; an outcome, milestone or trigger that
can never fire; an action of a repertoire that no state opens; an uncertain parameter whose
change moved no run's outcome in the probe."""


@dataclass(frozen=True)
class Finding(Problem):
    """One problem of a valid scenario: its path, what is wrong, where (file, line, column
    when the scenario came from a file) and which check found it (:data:`CHECKS`)."""

    check: str = "inert"

    def __str__(self) -> str:
        return f"warning: {super().__str__()}"


def locate(findings: list[Finding], where: Located | None, file: str | None) -> list[Finding]:
    """The findings with the file, line and column of their paths, in file order: a number's
    own position, or the key of a mapping or a list (the name of the thing)."""
    out = []
    for f in findings:
        spot = None
        if where is not None:
            keys = data_path(f.path, where.data)
            node = where.data
            for key in keys:
                node = node[key]
            spot = where.where(keys, key=isinstance(node, (dict, list)))
        if spot is None:
            out.append(replace(f, file=file))
        else:
            out.append(replace(f, file=spot[0], line=spot[1], column=spot[2]))
    return sorted(out, key=lambda f: (f.file or "", f.line or 0, f.column or 0, f.path))


def data_path(dotted: str, data: Any) -> tuple[Any, ...]:
    """The keys of a dotted path in the loaded mapping, as far as they go: list items are
    found by name or id (``actors.us.ladder.raid.cost``) or by index (``history.3``)."""
    out: list[Any] = []
    cur = data
    for part in dotted.split(".") if dotted else []:
        if isinstance(cur, dict) and part in cur:
            key: Any = part
        elif isinstance(cur, list):
            try:
                key = item_index(cur, part)
            except KeyError:
                break
        else:
            break
        out.append(key)
        cur = cur[key]
    return tuple(out)
