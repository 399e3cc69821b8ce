"""Cross-field checks: every name a scenario uses must be defined, with a 'did you mean'."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from escalsim.errors import Problem, ScenarioError
from escalsim.scenario.kinds import ACTIONS, ANYONE, KINDS
from escalsim.scenario.type_checks import check_types
from escalsim.text import suggest

if TYPE_CHECKING:
    from escalsim.scenario.schema import Actor, HistoryEvent, Scenario, Trigger

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


class _Problems:
    """The problems found so far."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def bad(self, path: str, message: str) -> None:
        self.items.append(Problem(path, message))

    def need(self, path: str, name: str | None, pool: Collection[str], what: str) -> None:
        """A problem when ``name`` is given but not one of ``pool``."""
        if name is not None and name not in pool:
            self.bad(path, f"unknown {what} '{name}'{suggest(name, pool)}")


def check_references(sc: Scenario) -> None:
    """Raise one ScenarioError listing every dangling reference in the scenario."""
    found = _Problems()
    for aid, actor in sc.actors.items():
        _check_actor(sc, aid, actor, found)
    _check_deals(sc, found)
    _check_outcomes(sc, found)
    _check_history(sc, found)
    _check_processes(sc, found)
    check_types(sc, found.bad, found.need)
    if found.items:
        raise ScenarioError(found.items)


def _check_actor(sc: Scenario, aid: str, actor: Actor, found: _Problems) -> None:
    """An actor's names: opponent, beliefs, valued outcomes, deals, ladder, actions, rule."""
    base = f"actors.{aid}"
    found.need(f"{base}.opponent", actor.opponent, sc.actors, "actor")
    if actor.opponent == aid:
        found.bad(f"{base}.opponent", "an actor cannot be its own opponent")
    for other in actor.beliefs:
        found.need(f"{base}.beliefs.{other}", other, sc.actors, "actor")
    for outcome in actor.incentives.values:
        found.need(f"{base}.incentives.values.{outcome}", outcome, sc.outcomes, "outcome")
    for key in ("demands", "counters", "proposals"):
        for i, deal in enumerate(getattr(actor, key)):
            found.need(f"{base}.{key}.{i}", deal, sc.deals, "deal")
    _check_ladder(base, actor, found)
    _check_actions(sc, aid, actor, found)
    if actor.rule != "logit":
        _check_script(sc, base, actor, found)


def _check_ladder(base: str, actor: Actor, found: _Problems) -> None:
    """Rung names are unique, and the declared threat is one of them."""
    seen: set[str] = set()
    for i, rung in enumerate(actor.ladder):
        if rung.name in seen:
            found.bad(f"{base}.ladder.{i}.name", f"duplicate rung name '{rung.name}'")
        seen.add(rung.name)
    found.need(f"{base}.threat", actor.threat, seen, "rung")


def _check_actions(sc: Scenario, aid: str, actor: Actor, found: _Problems) -> None:
    """Custom actions take new names and read known features; the repertoire's actions have
    what they need (the kinds table says what)."""
    base = f"actors.{aid}"
    for name, action in actor.actions.items():
        if name in ACTIONS:
            found.bad(
                f"{base}.actions.{name}", f"'{name}' is a built-in action; choose another name"
            )
        _check_features(f"{base}.actions.{name}.utility", action.utility, sc, found)
    for kind in ACTIONS:
        req = KINDS[kind].requires
        if kind in actor.repertoire and req is not None and not req.holds(sc, aid, actor):
            found.bad(f"{base}.repertoire", f"'{kind}' needs {req.what.format(actor=aid)}")


def _check_features(path: str, features: Iterable[str], sc: Scenario, found: _Problems) -> None:
    for feature in features:
        msg = feature_problem(feature, sc.actors)
        if msg:
            found.bad(f"{path}.{feature}", msg)


def _check_script(sc: Scenario, base: str, actor: Actor, found: _Problems) -> None:
    """A scripted rule reads known features and chooses what the actor can do."""
    choosable = set(actor.repertoire) | set(actor.actions) | set(ANYONE)
    for i, case in enumerate(actor.rule.scripted):
        path = f"{base}.rule.scripted.{i}"
        _check_features(f"{path}.when", case.when, sc, found)
        for action in case.choose:
            if action not in choosable:
                found.bad(
                    f"{path}.choose.{action}",
                    f"'{action}' is not in this actor's repertoire or actions"
                    f"{suggest(action, choosable)}",
                )


def _check_deals(sc: Scenario, found: _Problems) -> None:
    """Deal terms name actors; deals name terms."""
    for tid, term in sc.deal_terms.items():
        found.need(f"deal_terms.{tid}.promised_by", term.promised_by, sc.actors, "actor")
        for who in term.values:
            found.need(f"deal_terms.{tid}.values.{who}", who, sc.actors, "actor")
    for did, deal in sc.deals.items():
        for term in deal.terms:
            found.need(f"deals.{did}.terms.{term}", term, sc.deal_terms, "deal term")


def _check_outcomes(sc: Scenario, found: _Problems) -> None:
    """Triggers name what exists, every deal ends the run, and one outcome is the horizon's."""
    from escalsim.scenario.schema import triggers_of

    horizon_outcomes = []
    for section in ("outcomes", "milestones"):
        for oid, spec in getattr(sc, section).items():
            for k, trig in enumerate(triggers_of(spec)):
                suffix = f".{k}" if isinstance(spec.trigger, list) else ""
                _check_trigger(sc, f"{section}.{oid}.trigger{suffix}", trig, found)
                if trig.event == "horizon":
                    if section == "milestones":
                        found.bad(
                            f"{section}.{oid}",
                            "the horizon ends a run: it is an outcome, not a milestone",
                        )
                    horizon_outcomes.append(oid)
    for did, deal in sc.deals.items():
        if deal_outcome(sc, deal.terms) is None:
            found.bad(
                f"deals.{did}", "accepting this deal would trigger no outcome (add a deal trigger)"
            )
    if len(horizon_outcomes) != 1:
        found.bad(
            "outcomes",
            "exactly one outcome must have trigger {event: horizon} (the stalemate at the horizon),"
            f" found {len(horizon_outcomes)}",
        )


def _check_history(sc: Scenario, found: _Problems) -> None:
    """History events name actors, rungs and deals, come before the start, have unique ids."""
    for i, ev in enumerate(sc.history):
        path = f"history.{i}"
        found.need(f"{path}.actor", ev.actor, sc.actors, "actor")
        found.need(f"{path}.target", ev.target, sc.actors, "actor")
        if ev.date > sc.start:
            found.bad(
                f"{path}.date", f"history event dated {ev.date} is after the start date {sc.start}"
            )
        if isinstance(ev.reliability, str) and ev.reliability not in sc.reliability:
            found.bad(f"{path}.reliability", f"no probability given for '{ev.reliability}'")
        _check_payload(sc, path, ev, found)
    ids = [ev.id for ev in sc.history if ev.id is not None]
    for i, ex in enumerate(sc.exclude_history):
        if ex not in ids:
            found.bad(f"exclude_history.{i}", f"no history event with id '{ex}'{suggest(ex, ids)}")
    for dup in sorted({x for x in ids if ids.count(x) > 1}):
        found.bad("history", f"duplicate history id '{dup}'")


def _check_processes(sc: Scenario, found: _Problems) -> None:
    """Processes name actors; collapse needs cohesion; incidents need two laddered sides."""
    procs = sc.processes
    if procs.cohesion is not None:
        found.need("processes.cohesion.actor", procs.cohesion.actor, sc.actors, "actor")
    if procs.collapse is not None:
        found.need("processes.collapse.actor", procs.collapse.actor, sc.actors, "actor")
        if procs.cohesion is None:
            found.bad("processes.collapse", "the collapse hazard needs processes.cohesion")
    if procs.incidents is not None:
        between = procs.incidents.between
        if between[0] == between[1]:
            found.bad("processes.incidents.between", "incidents need two different actors")
        for j, who in enumerate(between):
            path = f"processes.incidents.between.{j}"
            found.need(path, who, sc.actors, "actor")
            if who in sc.actors and not sc.actors[who].ladder:
                found.bad(path, f"actor '{who}' has no ladder (no posture)")


def _check_trigger(sc: Scenario, path: str, trig: Trigger, found: _Problems) -> None:
    if trig.deal is not None:
        for term in trig.deal:
            found.need(f"{path}.deal.{term}", term, sc.deal_terms, "deal term")
    if trig.rung is not None:
        _check_dotted(sc, f"{path}.rung", trig.rung, "rung", found)
    if trig.action is not None:
        _check_dotted(sc, f"{path}.action", trig.action, "action", found)


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


def _check_dotted(sc: Scenario, path: str, ref: str, what: str, found: _Problems) -> None:
    """Check an ``actor.name`` reference to a rung or action (``*.name`` for any actor)."""
    who, dot, name = ref.partition(".")
    if not dot:
        found.bad(path, f"expected 'actor.{what}', got '{ref}'")
        return
    if who == "*":
        if what == "rung":
            found.bad(path, "a rung trigger must name its actor")
        return
    if who not in sc.actors:
        found.bad(path, f"unknown actor '{who}'{suggest(who, sc.actors)}")
        return
    actor = sc.actors[who]
    pool = [r.name for r in actor.ladder] if what == "rung" else list(ACTIONS) + list(actor.actions)
    if name not in pool:
        found.bad(path, f"actor '{who}' has no {what} '{name}'{suggest(name, pool)}")


def _check_payload(sc: Scenario, path: str, ev: HistoryEvent, found: _Problems) -> None:
    """A history payload carries the keys its kind allows and names rungs and deals that exist."""
    payload = ev.payload.model_dump(exclude_none=True)
    actor = sc.actors.get(ev.actor)
    reported = KINDS[ev.event].reported
    allowed = {*reported.payload, "signal"}
    for key in payload:
        if key not in allowed:
            found.bad(
                f"{path}.payload.{key}",
                f"unknown payload key for '{ev.event}'{suggest(key, allowed)}",
            )
    if reported.needs is not None and reported.needs not in payload:
        found.bad(f"{path}.payload", f"'{ev.event}' needs payload.{reported.needs}")
    if isinstance(payload.get("rung"), str) and actor is not None:
        rungs = [r.name for r in actor.ladder]
        if payload["rung"] not in rungs:
            found.bad(
                f"{path}.payload.rung",
                f"actor '{ev.actor}' has no rung '{payload['rung']}'"
                + suggest(str(payload["rung"]), rungs),
            )
    if isinstance(payload.get("deal"), str) and payload["deal"] not in sc.deals:
        found.bad(
            f"{path}.payload.deal",
            f"unknown deal '{payload['deal']}'{suggest(str(payload['deal']), sc.deals)}",
        )
    if reported.opponent and actor is not None and actor.opponent is None:
        article = "an" if ev.event[0] in "aeiou" else "a"
        found.bad(f"{path}.actor", f"'{ev.actor}' makes {article} {ev.event} but has no opponent")
