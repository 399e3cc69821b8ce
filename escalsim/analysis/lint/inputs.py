"""Inputs no mechanism reads: beliefs, incentive values and threats that no choice weighs.

A belief is read between an actor that holds a standing demand and its opponent (the coercer
forecasts whether its target gives in; the target weighs whether the threat is carried out),
or by a scripted rule or custom action through the feature ``belief:<actor>``. An actor's
value of an outcome is read only where one of its choices, or another actor's forecast of
it, can lead to that outcome (see :func:`weighed_outcomes`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from escalsim.analysis.lint.findings import Finding
from escalsim.scenario.schema import triggers_of

if TYPE_CHECKING:
    from escalsim.analysis.lint.reach import Reach


def belief_findings(reach: Reach) -> list[Finding]:
    """Beliefs that no choice reads, and the weight of a belief about an actor with types."""
    out = []
    actors = reach.sc.actors
    for oid, observer in actors.items():
        for about, belief in observer.beliefs.items():
            path = f"actors.{oid}.beliefs.{about}"
            if not _belief_read(reach, oid, about):
                out.append(
                    Finding(
                        path,
                        f"no mechanism reads this belief: neither '{oid}' nor '{about}' can "
                        f"make demands of the other, and no rule or action of '{oid}' reads "
                        f"'belief:{about}'",
                    )
                )
            elif actors[about].types and "weight" in belief.model_fields_set:
                out.append(
                    Finding(
                        f"{path}.weight",
                        f"'{about}' has types, so a belief about it is a probability for each "
                        "type (learned by Bayes' rule): the weight is not read",
                    )
                )
    return out


def _belief_read(reach: Reach, oid: str, about: str) -> bool:
    actors = reach.sc.actors
    return (
        (actors[about].opponent == oid and reach.demands(about))
        or (actors[oid].opponent == about and reach.demands(oid))
        or reach.reads_feature(oid, f"belief:{about}")
    )


def weighed_outcomes(reach: Reach, aid: str) -> set[str]:
    """The outcomes whose value to ``aid`` some choice of a run may read.

    The horizon's (the crisis going on) and a foreseeable collapse's, always; its own rungs'
    if it climbs by utility (or has types, whose resolve is forecast); its coercer's rungs
    (what a refusal risks); a backdown if it can back down; every deal's outcome if it
    bargains; its proposals' and the demands' it may guarantee; its custom actions'.
    """
    sc, t = reach.sc, reach.triggers
    a = sc.actors[aid]
    out = {t.event_outcome["horizon"]}
    if reach.collapse_possible:
        out.add(t.event_outcome.get("collapse"))
    if (reach.scores(aid) and reach.can_climb(aid)) or a.types:
        out |= reach.rung_outcomes(aid)
    coercer = reach.coercer_of(aid)
    if coercer is not None:
        out |= reach.rung_outcomes(coercer)
    if a.opponent is not None or aid in reach.opponents:
        out |= reach.deal_outcomes
    if reach.scores(aid):
        if "backdown" in a.repertoire:
            out.add(t.event_outcome.get("backdown"))
        if "mediate" in a.repertoire:
            out |= {reach.deal_outcome(d) for d in a.proposals}
        if {"guarantee", "host"} & set(a.repertoire):
            out |= {reach.deal_outcome(d) for c, _ in reach.pairs for d in sc.actors[c].demands}
        out |= {t.action_out(aid, name) for name in a.actions}
    out.discard(None)
    return out  # type: ignore[return-value]


def incentive_findings(reach: Reach, dead: set[str]) -> list[Finding]:
    """Incentives of an actor whose interests no choice weighs, and values of outcomes an
    actor never weighs (outcomes that can never happen are reported as such, not here)."""
    out = []
    for aid, a in reach.sc.actors.items():
        if not reach.weighed(aid):
            if "incentives" in a.model_fields_set:
                out.append(
                    Finding(
                        f"actors.{aid}.incentives",
                        f"no mechanism reads these incentives: '{aid}' never decides by "
                        "utility, and no actor bargains with it (it has no opponent and is "
                        "nobody's opponent)",
                    )
                )
            continue
        weighed = weighed_outcomes(reach, aid)
        scripted = reach.decides(aid) and a.rule != "logit"
        values = [(f"actors.{aid}.incentives.values", a.incentives.values)]
        values += [
            (f"actors.{aid}.types.{name}.incentives.values", spec.incentives.values)
            for name, spec in a.types.items()
        ]
        for base, table in values:
            for outcome in table:
                if outcome in weighed or outcome in dead:
                    continue
                why = " (its scripted rule reads no utility)" if scripted else ""
                out.append(
                    Finding(
                        f"{base}.{outcome}",
                        f"'{aid}' never weighs '{outcome}' ({_trigger_text(reach, outcome)}): "
                        f"no choice it scores can lead there{why}, and no other actor's "
                        "forecast of it involves that outcome",
                    )
                )
    return out


def _trigger_text(reach: Reach, outcome: str) -> str:
    """How an outcome happens, in a few words: 'rung us.raid', 'event collapse', ..."""
    parts = []
    for trig in triggers_of(reach.sc.outcomes[outcome]):
        if trig.deal is not None:
            parts.append("a deal with " + ", ".join(f"{k} {v:g}" for k, v in trig.deal.items()))
        else:
            kind = next(k for k in ("rung", "action", "event") if getattr(trig, k) is not None)
            parts.append(f"{kind} {getattr(trig, kind)}")
    return " or ".join(parts)


def threat_findings(reach: Reach) -> list[Finding]:
    """A declared threat that is never read: its actor never holds a standing demand, or it
    names the bottom rung, where the actor stands from the start."""
    out = []
    actors = reach.sc.actors
    for aid, a in actors.items():
        if a.threat is None:
            continue
        path = f"actors.{aid}.threat"
        watched = a.types and any(reach.reads_feature(o, f"belief:{aid}") for o in actors)
        if not reach.demands(aid) and not watched:
            out.append(
                Finding(
                    path,
                    f"'{aid}' never holds a standing demand (no 'demand' in its repertoire or "
                    "history), and a threat is what backs a demand: it is never read",
                )
            )
        elif [r.name for r in a.ladder].index(a.threat) == 0:
            out.append(
                Finding(
                    path,
                    f"'{a.threat}' is the bottom of the ladder, where '{aid}' stands from the "
                    "start: a threat counts only above the current rung, so the next rung up "
                    "is threatened instead",
                )
            )
    return out
