"""Cross-field checks: every name a scenario uses must be defined, with a 'did you mean'."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from escalsim.errors import Problem, ScenarioError
from escalsim.scenario.kinds import ACTIONS, ANYONE, KINDS
from escalsim.text import suggest

if TYPE_CHECKING:
    from escalsim.scenario.schema import Scenario

STATE_FEATURES = (
    "const",
    "day",
    "cohesion",
    "threat",
    "deadline_passed",
    "channel_open",
    "offer_pending",
)
"""Plain state features usable in scripted rules and utility adjustments."""

ACTOR_FEATURES = ("rung", "level", "belief")
"""Features that name an actor: ``rung:us``, ``level:us``, ``belief:us``."""


def feature_problem(feature: str, actors: Iterable[str]) -> str | None:
    """Why a state-feature name is invalid, or None when it is valid."""
    actors = list(actors)
    if ":" in feature:
        kind, _, who = feature.partition(":")
        if kind not in ACTOR_FEATURES:
            return f"unknown feature kind '{kind}'{suggest(kind, ACTOR_FEATURES)}"
        if who not in actors:
            return f"unknown actor '{who}'{suggest(who, actors)}"
        return None
    if feature not in STATE_FEATURES:
        valid = list(STATE_FEATURES) + [f"{k}:<actor>" for k in ACTOR_FEATURES]
        return f"unknown feature '{feature}'{suggest(feature, valid)}"
    return None


def check_references(sc: Scenario) -> None:
    """Raise one ScenarioError listing every dangling reference in the scenario."""
    from escalsim.scenario.schema import triggers_of

    problems: list[Problem] = []

    def bad(path: str, message: str) -> None:
        problems.append(Problem(path, message))

    actors = list(sc.actors)
    outcomes = list(sc.outcomes)
    deals = list(sc.deals)
    terms = list(sc.deal_terms)

    def need(path: str, name: str | None, pool: list[str], what: str) -> None:
        if name is not None and name not in pool:
            bad(path, f"unknown {what} '{name}'{suggest(name, pool)}")

    for aid, actor in sc.actors.items():
        base = f"actors.{aid}"
        need(f"{base}.opponent", actor.opponent, actors, "actor")
        if actor.opponent == aid:
            bad(f"{base}.opponent", "an actor cannot be its own opponent")
        for other in actor.beliefs:
            need(f"{base}.beliefs.{other}", other, actors, "actor")
        for outcome in actor.incentives.values:
            need(f"{base}.incentives.values.{outcome}", outcome, outcomes, "outcome")
        for key in ("demands", "counters", "proposals"):
            for i, deal in enumerate(getattr(actor, key)):
                need(f"{base}.{key}.{i}", deal, deals, "deal")
        rung_names = [r.name for r in actor.ladder]
        seen: set[str] = set()
        for i, rung in enumerate(actor.ladder):
            if rung.name in seen:
                bad(f"{base}.ladder.{i}.name", f"duplicate rung name '{rung.name}'")
            seen.add(rung.name)
        need(f"{base}.threat", actor.threat, rung_names, "rung")
        for name in actor.actions:
            if name in ACTIONS:
                bad(f"{base}.actions.{name}", f"'{name}' is a built-in action; choose another name")
            for feature in actor.actions[name].utility:
                msg = feature_problem(feature, actors)
                if msg:
                    bad(f"{base}.actions.{name}.utility.{feature}", msg)
        for kind in ACTIONS:
            req = KINDS[kind].requires
            if kind in actor.repertoire and req is not None and not req.holds(sc, aid, actor):
                bad(f"{base}.repertoire", f"'{kind}' needs {req.what.format(actor=aid)}")
        if actor.rule != "logit":
            choosable = set(actor.repertoire) | set(actor.actions) | set(ANYONE)
            for i, case in enumerate(actor.rule.scripted):
                for feature in case.when:
                    msg = feature_problem(feature, actors)
                    if msg:
                        bad(f"{base}.rule.scripted.{i}.when.{feature}", msg)
                for action in case.choose:
                    if action not in choosable:
                        bad(
                            f"{base}.rule.scripted.{i}.choose.{action}",
                            f"'{action}' is not in this actor's repertoire or actions"
                            f"{suggest(action, choosable)}",
                        )

    for tid, term in sc.deal_terms.items():
        need(f"deal_terms.{tid}.promised_by", term.promised_by, actors, "actor")
        for who in term.values:
            need(f"deal_terms.{tid}.values.{who}", who, actors, "actor")
    for did, deal in sc.deals.items():
        for term in deal.terms:
            need(f"deals.{did}.terms.{term}", term, terms, "deal term")

    horizon_outcomes = []
    for section in ("outcomes", "milestones"):
        for oid, spec in getattr(sc, section).items():
            for k, trig in enumerate(triggers_of(spec)):
                suffix = f".{k}" if isinstance(spec.trigger, list) else ""
                _check_trigger(sc, f"{section}.{oid}.trigger{suffix}", trig, bad, need)
                if trig.event == "horizon":
                    if section == "milestones":
                        bad(
                            f"{section}.{oid}",
                            "the horizon ends a run: it is an outcome, not a milestone",
                        )
                    horizon_outcomes.append(oid)
    for did, deal in sc.deals.items():
        if deal_outcome(sc, deal.terms) is None:
            bad(f"deals.{did}", "accepting this deal would trigger no outcome (add a deal trigger)")
    if len(horizon_outcomes) != 1:
        bad(
            "outcomes",
            "exactly one outcome must have trigger {event: horizon} (the stalemate at the horizon),"
            f" found {len(horizon_outcomes)}",
        )

    for i, ev in enumerate(sc.history):
        path = f"history.{i}"
        need(f"{path}.actor", ev.actor, actors, "actor")
        need(f"{path}.target", ev.target, actors, "actor")
        if ev.date > sc.start:
            bad(f"{path}.date", f"history event dated {ev.date} is after the start date {sc.start}")
        if isinstance(ev.reliability, str) and ev.reliability not in sc.reliability:
            bad(f"{path}.reliability", f"no probability given for '{ev.reliability}'")
        _check_payload(sc, path, ev, bad)
    ids = [ev.id for ev in sc.history if ev.id is not None]
    for i, ex in enumerate(sc.exclude_history):
        if ex not in ids:
            bad(f"exclude_history.{i}", f"no history event with id '{ex}'{suggest(ex, ids)}")
    for dup in sorted({x for x in ids if ids.count(x) > 1}):
        bad("history", f"duplicate history id '{dup}'")

    procs = sc.processes
    if procs.cohesion is not None:
        need("processes.cohesion.actor", procs.cohesion.actor, actors, "actor")
    if procs.collapse is not None:
        need("processes.collapse.actor", procs.collapse.actor, actors, "actor")
        if procs.cohesion is None:
            bad("processes.collapse", "the collapse hazard needs processes.cohesion")
    if procs.incidents is not None:
        if procs.incidents.between[0] == procs.incidents.between[1]:
            bad("processes.incidents.between", "incidents need two different actors")
        for j, who in enumerate(procs.incidents.between):
            need(f"processes.incidents.between.{j}", who, actors, "actor")
            if who in sc.actors and not sc.actors[who].ladder:
                bad(f"processes.incidents.between.{j}", f"actor '{who}' has no ladder (no posture)")

    if problems:
        raise ScenarioError(problems)


def _check_trigger(sc: Scenario, path: str, trig, bad, need) -> None:
    if trig.deal is not None:
        for term in trig.deal:
            need(f"{path}.deal.{term}", term, list(sc.deal_terms), "deal term")
    if trig.rung is not None:
        _check_dotted(sc, f"{path}.rung", trig.rung, "rung", bad)
    if trig.action is not None:
        _check_dotted(sc, f"{path}.action", trig.action, "action", bad)


def deal_outcome(sc: Scenario, terms: dict[str, float]) -> str | None:
    """The first outcome (in scenario order) that accepting a deal with these terms triggers."""
    from escalsim.scenario.schema import triggers_of

    for oid, spec in sc.outcomes.items():
        for trig in triggers_of(spec):
            if trig.deal is not None and all(
                terms.get(t, 0.0) >= level - 1e-9 for t, level in trig.deal.items()
            ):
                return oid
            if trig.event == "deal":
                return oid
    return None


def _check_dotted(sc: Scenario, path: str, ref: str, what: str, bad) -> None:
    """Check an ``actor.name`` reference to a rung or action (``*.name`` for any actor)."""
    who, dot, name = ref.partition(".")
    if not dot:
        bad(path, f"expected 'actor.{what}', got '{ref}'")
        return
    if who == "*":
        if what == "rung":
            bad(path, "a rung trigger must name its actor")
        return
    if who not in sc.actors:
        bad(path, f"unknown actor '{who}'{suggest(who, sc.actors)}")
        return
    actor = sc.actors[who]
    pool = [r.name for r in actor.ladder] if what == "rung" else list(ACTIONS) + list(actor.actions)
    if name not in pool:
        bad(path, f"actor '{who}' has no {what} '{name}'{suggest(name, pool)}")


def _check_payload(sc: Scenario, path: str, ev, bad) -> None:
    """History payloads name rungs and deals that must exist."""
    payload = ev.payload.model_dump(exclude_none=True)
    actor = sc.actors.get(ev.actor)
    reported = KINDS[ev.event].reported
    allowed = {*reported.payload, "signal"}
    for key in payload:
        if key not in allowed:
            bad(
                f"{path}.payload.{key}",
                f"unknown payload key for '{ev.event}'{suggest(key, allowed)}",
            )
    if reported.needs is not None and reported.needs not in payload:
        bad(f"{path}.payload", f"'{ev.event}' needs payload.{reported.needs}")
    if isinstance(payload.get("rung"), str) and actor is not None:
        rungs = [r.name for r in actor.ladder]
        if payload["rung"] not in rungs:
            bad(
                f"{path}.payload.rung",
                f"actor '{ev.actor}' has no rung '{payload['rung']}'"
                + suggest(str(payload["rung"]), rungs),
            )
    if isinstance(payload.get("deal"), str) and payload["deal"] not in sc.deals:
        bad(
            f"{path}.payload.deal",
            f"unknown deal '{payload['deal']}'{suggest(str(payload['deal']), sc.deals)}",
        )
    if reported.opponent and actor is not None and actor.opponent is None:
        article = "an" if ev.event[0] in "aeiou" else "a"
        bad(f"{path}.actor", f"'{ev.actor}' makes {article} {ev.event} but has no opponent")
