"""Outcomes, milestones and triggers that can never fire.

A trigger is dead when nothing a run can do sets it off (a rung no one climbs to, an action
no one can take, a deal no one can offer, a process that is absent) or when an earlier
outcome always takes what sets it off (the engine gives a rung, an action, an event or a deal
to the first outcome, in scenario order, that names it). The replayed history marks
milestones but never ends a run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from escalsim.analysis.lint.actions import closed
from escalsim.analysis.lint.findings import Finding
from escalsim.scenario.schema import triggers_of

if TYPE_CHECKING:
    from escalsim.analysis.lint.reach import Reach
    from escalsim.scenario.schema import Trigger

_EVENTS_NEED = {
    "collapse": "no collapse can happen (processes.collapse, with processes.cohesion and a "
    "max_hazard above 0)",
    "incident": "no incident can happen (processes.incidents, with a rate above 0 and a rung "
    "with a posture above 0 on each side)",
    "deadline_missed": "no actor can set a deadline (an ultimatum, in a repertoire with a "
    "standing demand, or in the history)",
}


def trigger_findings(reach: Reach) -> tuple[list[Finding], set[str]]:
    """Findings for dead outcomes, milestones and triggers; and the outcomes that can never
    happen (whose values the incentive check then leaves alone)."""
    out, dead = [], set()
    for section in ("outcomes", "milestones"):
        for oid, spec in getattr(reach.sc, section).items():
            trigs = triggers_of(spec)
            reasons = [_dead(reach, section, oid, t) for t in trigs]
            if all(r is not None for r in reasons):
                verb = "happen" if section == "outcomes" else "be reached"
                why = "; ".join(dict.fromkeys(r for r in reasons if r is not None))
                out.append(Finding(f"{section}.{oid}", f"can never {verb}: {why}", check=_NEVER))
                if section == "outcomes":
                    dead.add(oid)
                continue
            for k, why in enumerate(reasons):
                if why is not None:
                    out.append(
                        Finding(
                            f"{section}.{oid}.trigger.{k}",
                            f"this trigger can never fire: {why}",
                            check=_NEVER,
                        )
                    )
    return out, dead


_NEVER = "never-triggers"


def _dead(reach: Reach, section: str, oid: str, trig: Trigger) -> str | None:
    """Why a trigger can never fire, or None when it may."""
    outcome = section == "outcomes"
    if trig.deal is not None:
        return _dead_deal(reach, oid, trig.deal, outcome)
    if trig.rung is not None:
        return _dead_rung(reach, oid, trig.rung, outcome)
    if trig.action is not None:
        return _dead_action(reach, oid, trig.action, outcome)
    return _dead_event(reach, oid, str(trig.event), outcome)


def _meets(reach: Reach, deal: str, levels: dict[str, float]) -> bool:
    terms = reach.sc.deals[deal].terms
    return all(terms.get(t, 0.0) >= level - 1e-9 for t, level in levels.items())


def _dead_deal(reach: Reach, oid: str, levels: dict[str, float], outcome: bool) -> str | None:
    matching = sorted(d for d in reach.offered if _meets(reach, d, levels))
    if not matching:
        return "no deal a run can offer meets these terms"
    if outcome and all(reach.deal_outcome(d) != oid for d in matching):
        return _taken("every deal that meets these terms", reach.deal_outcome(matching[0]))
    return None


def _taken(what: str, first: str | None) -> str:
    return f"{what} sets off '{first}' first (an earlier outcome that names it)"


def _dead_rung(reach: Reach, oid: str, ref: str, outcome: bool) -> str | None:
    who, _, name = ref.partition(".")
    names = [r.name for r in reach.sc.actors[who].ladder]
    index = names.index(name)
    if index == 0:
        return f"'{name}' is the bottom of the ladder of '{who}', where every run starts"
    if outcome:
        first = reach.triggers.rung_outcome.get((who, index))
        if first != oid:
            return _taken(f"rung {ref}", first)
        if not reach.can_climb(who):
            return f"'{who}' cannot climb (the history and incidents never end a run)"
        return None
    if reach.can_climb(who) or reach.pushed_up(who):
        return None
    if any(ev.payload.rung == name for ev in reach.reported(who, "climb")):
        return None
    return f"'{who}' cannot climb, and neither its history nor incidents move it there"


def _able(reach: Reach, aid: str, kind: str) -> bool:
    """Whether ``aid`` may take action ``kind`` in some run."""
    a = reach.sc.actors[aid]
    if kind in a.actions:
        return True
    if kind == "accept":
        return reach.bargains(aid) or reach.pressed(aid)
    return kind in a.repertoire and closed(reach, aid, kind) is None


def _dead_action(reach: Reach, oid: str, ref: str, outcome: bool) -> str | None:
    who, _, kind = ref.partition(".")
    if kind == "hold":
        return "holding on leaves no trace"
    if kind == "backdown":
        return "a backdown ends a run through the trigger {event: backdown}, not an action"
    actors = list(reach.sc.actors) if who == "*" else [who]
    able = [x for x in actors if _able(reach, x, kind)]
    if not outcome:
        able += [x for x in actors if reach.reported(x, kind)]
        if kind == "climb":
            able += [x for x in actors if reach.pushed_up(x)]
    if not able:
        if who == "*":
            return f"no actor can take '{kind}'"
        why = closed(reach, who, kind) if kind in reach.sc.actors[who].repertoire else None
        return f"'{who}' can never take '{kind}'" + (f" ({why})" if why else "")
    if outcome and all(reach.triggers.action_out(x, kind) != oid for x in able):
        return _taken(f"action {ref}", reach.triggers.action_out(able[0], kind))
    return None


def _dead_event(reach: Reach, oid: str, event: str, outcome: bool) -> str | None:
    first = reach.triggers.event_outcome.get(event)
    if outcome and event != "deal" and first != oid:
        return _taken(f"event {event}", first)
    if event == "collapse" and not reach.collapse_possible:
        return _EVENTS_NEED[event]
    if event == "incident" and not reach.incidents_possible:
        return _EVENTS_NEED[event]
    if event == "deadline_missed" and not any(
        _able(reach, x, "ultimatum") or reach.reported(x, "ultimatum") for x in reach.sc.actors
    ):
        return _EVENTS_NEED[event]
    if event == "backdown":
        if first is None:
            return "no actor can back down without an outcome with {event: backdown}"
        if not any(_able(reach, x, "backdown") for x in reach.sc.actors):
            return "no actor can back down"
    if event == "deal":
        if not reach.offered:
            return "no deal can be offered"
        if outcome and oid not in reach.deal_outcomes:
            return "every deal a run can offer sets off an earlier outcome"
    return None
