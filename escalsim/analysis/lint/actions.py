"""Actions of a repertoire that no state opens, though the scenario gives what they require.

The kinds table checks what an action needs to stand in a repertoire (a ladder, demands, ...);
this looks one step further, at whether a run can reach a state where it is an option: a
descent needs a rung above the bottom, an answer needs someone making demands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from escalsim.analysis.lint.findings import Finding

if TYPE_CHECKING:
    from escalsim.analysis.lint.reach import Reach

_NO_DEMAND = "'{a}' never holds a standing demand (no 'demand' in its repertoire or history)"
_NOT_PRESSED = "nobody can make demands of '{a}'"


def _climb(reach: Reach, aid: str) -> str | None:
    if len(reach.sc.actors[aid].ladder) < 2:
        return "a ladder of one rung leaves nowhere to climb"
    return None


def _descend(reach: Reach, aid: str) -> str | None:
    if reach.above_bottom(aid):
        return None
    return (
        "'{a}' never stands above the bottom rung (it cannot climb, and neither its history "
        "nor incidents move it up)"
    )


def _backdown(reach: Reach, aid: str) -> str | None:
    if reach.triggers.event_outcome.get("backdown") is None:
        return "no outcome has the trigger {{event: backdown}}"
    if not (reach.above_bottom(aid) or reach.demands(aid)):
        return "'{a}' never stands above its bottom rung nor holds a demand to back down from"
    return None


def _needs_demand(reach: Reach, aid: str) -> str | None:
    return None if reach.demands(aid) else _NO_DEMAND


def _accept(reach: Reach, aid: str) -> str | None:
    return None if reach.pressed(aid) else _NOT_PRESSED


def _counter(reach: Reach, aid: str) -> str | None:
    return None if reach.pressed(aid) else _NOT_PRESSED


def _mediate(reach: Reach, aid: str) -> str | None:
    if reach.mediation_open(aid):
        return None
    return "no pair of other actors bargains (an actor that makes demands and its opponent)"


def _backing(reach: Reach, aid: str) -> str | None:
    return None if reach.pairs else "no actor can make a demand for it to back"


CLOSED: dict[str, Callable[[Reach, str], str | None]] = {
    "climb": _climb,
    "descend": _descend,
    "backdown": _backdown,
    "ultimatum": _needs_demand,
    "concede": _needs_demand,
    "accept": _accept,
    "counter": _counter,
    "mediate": _mediate,
    "guarantee": _backing,
    "host": _backing,
}
"""Why a built-in action can never be open to an actor (None: it may be); the kinds missing
here (hold, demand, rally) are open whenever the kinds table lets them stand."""


def closed(reach: Reach, aid: str, kind: str) -> str | None:
    """Why ``kind`` is never an option of actor ``aid``, or None when it may be."""
    check = CLOSED.get(kind)
    why = check(reach, aid) if check is not None else None
    return None if why is None else why.format(a=aid)


def action_findings(reach: Reach) -> list[Finding]:
    """One finding per repertoire entry that can never be open."""
    out = []
    for aid, a in reach.sc.actors.items():
        for i, kind in enumerate(a.repertoire):
            why = closed(reach, aid, kind)
            if why is None:
                continue
            path = f"actors.{aid}.repertoire.{i}"
            if kind == "accept":  # counters and proposals are open to every actor
                message = (
                    f"'accept' in the repertoire lets '{aid}' accept demands, and {why}: "
                    "it changes nothing (counters and proposals can be accepted without it)"
                )
                out.append(Finding(path, message))
            else:
                message = f"'{kind}' can never be open to '{aid}': {why}"
                out.append(Finding(path, message, check="never-open"))
    return out
