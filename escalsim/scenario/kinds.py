"""Every kind of action and event, defined once: the table the rest of the code reads.

A kind names an entry of a run's event log; an action kind may also stand in an actor's
repertoire, and a reported kind in the scenario's history. The schema's literals, the
repertoire and history checks and the narration's sentences come from this table; the engine
attaches each action's effect (``escalsim.engine.simulation.EFFECTS``) and each reported
kind's replay (``escalsim.engine.history.REPLAY``) by name, and a test checks that they cover
the table.
To add a kind: add its row here, then its effect or replay in the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from escalsim.scenario.schema import Actor, Scenario


@dataclass(frozen=True)
class Requirement:
    """What an actor must have before an action may stand in its repertoire."""

    holds: Callable[[Scenario, str, Actor], bool]
    """``holds(scenario, actor_id, actor)``: True when the actor has it."""
    what: str
    """Said as "'kind' needs <what>"; ``{actor}`` stands for the actor's id."""


@dataclass(frozen=True)
class Reported:
    """How a kind may appear in the reported history."""

    payload: tuple[str, ...] = ()
    """Payload keys it may carry besides ``signal`` (which every history event may carry)."""
    needs: str | None = None
    """The payload key it must carry."""
    opponent: bool = False
    """Whether only an actor with an opponent can do it."""


@dataclass(frozen=True)
class Kind:
    """One kind of action or event."""

    name: str
    says: tuple[str, ...] = ()
    """Narration templates, tried in order: the first whose fields are all given is told
    (the last one else, missing fields left blank). Fields: ``a`` (the actor's display name),
    ``t`` (the target's), the payload's ``deal``, ``rung``, ``action`` and ``cause``,
    ``deadline`` (its date), ``offer`` (the last offer the target made the actor) and
    ``offerer`` (who made the actor its standing offer)."""
    silent: bool = False
    """Never logged (holding on leaves no trace), so it needs no template."""
    action: bool = False
    """Whether it may stand in a repertoire (the engine then has its effect)."""
    anyone: bool = False
    """Whether any actor may choose it whatever its repertoire (a scripted rule may name it)."""
    requires: Requirement | None = None
    """For an action: what the actor needs to hold it in its repertoire."""
    reported: Reported | None = None
    """How it may appear in the history (None: it cannot)."""
    offer: bool = False
    """Whether its deal is an offer to its target (the narration remembers it)."""
    trigger: bool = False
    """Whether an outcome or milestone trigger ``{event: name}`` may name it."""


def _ladder(sc: Scenario, aid: str, actor: Actor) -> bool:
    return bool(actor.ladder)


def _demands(sc: Scenario, aid: str, actor: Actor) -> bool:
    return bool(actor.demands) and actor.opponent is not None


def _two_demands(sc: Scenario, aid: str, actor: Actor) -> bool:
    return len(actor.demands) > 1


def _counters(sc: Scenario, aid: str, actor: Actor) -> bool:
    return bool(actor.counters)


def _proposals(sc: Scenario, aid: str, actor: Actor) -> bool:
    return bool(actor.proposals)


def _cohesion(sc: Scenario, aid: str, actor: Actor) -> bool:
    return sc.processes.cohesion is not None and sc.processes.cohesion.actor == aid


def _positive(strength: object) -> bool:
    """A fixed strength above zero, or an uncertain one (a distribution)."""
    return not isinstance(strength, float) or strength > 0


def _guarantee(sc: Scenario, aid: str, actor: Actor) -> bool:
    return _positive(actor.guarantee)


def _host(sc: Scenario, aid: str, actor: Actor) -> bool:
    return _positive(actor.host)


_LADDER = Requirement(_ladder, "a ladder")
_DEMANDS = Requirement(_demands, "demands and an opponent")
_TWO_DEMANDS = Requirement(_two_demands, "at least two demands")
_COUNTERS = Requirement(_counters, "counters")
_PROPOSALS = Requirement(_proposals, "proposals")
_COHESION = Requirement(_cohesion, "processes.cohesion for actor '{actor}'")
_GUARANTEE = Requirement(_guarantee, "guarantee > 0")
_HOST = Requirement(_host, "host > 0")
_BARE = Reported()
"""Reported with no payload but the optional signal."""
_DEAL_OFFER = Reported(("deal",), needs="deal", opponent=True)
"""Reported with the deal offered to the actor's opponent."""

# fmt: off
KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("hold", (), silent=True, action=True, anyone=True),
    Kind("climb", ("{a} escalates to {rung} after the {cause}", "{a} escalates to {rung}"),
         action=True, requires=_LADDER, reported=Reported(("rung",), needs="rung")),
    Kind("descend", ("{a} steps down to {rung}",), action=True, requires=_LADDER),
    Kind("backdown", ("{a} backs down",), action=True, requires=_LADDER, trigger=True),
    Kind("demand", ("{a} demands {deal} from {t}", "{a} demands {deal}"),
         action=True, requires=_DEMANDS, reported=_DEAL_OFFER, offer=True),
    Kind("ultimatum", ("{a} issues an ultimatum to {t}: {deal} by {deadline}",
                       "{a} issues an ultimatum to {t}: {deal}"),
         action=True, requires=_DEMANDS, offer=True,
         reported=Reported(("deal", "deadline"), needs="deal", opponent=True)),
    Kind("concede", ("{a} softens its demand to {deal}",),
         action=True, requires=_TWO_DEMANDS, offer=True),
    Kind("accept", ("{a} accepts {deal} from {t}", "{a} accepts {deal} from {offerer}",
                    "{a} accepts {deal}"), action=True, anyone=True),
    Kind("counter", ("{a} counters with {deal}",), action=True, requires=_COUNTERS,
         reported=Reported(("deal",), needs="deal"), offer=True),
    Kind("refuse", ("{a} refuses {deal} from {t}", "{a} refuses {offer} from {t}",
                    "{a} refuses the terms of {t}", "{a} refuses"), reported=_BARE),
    Kind("rally", ("{a} rallies its supporters",),
         action=True, requires=_COHESION, reported=_BARE),
    Kind("mediate", ("{a} proposes mediation ({deal})", "{a} offers to mediate"),
         action=True, requires=_PROPOSALS, reported=Reported(("deal",))),
    Kind("guarantee", ("{a} offers to guarantee a deal",),
         action=True, requires=_GUARANTEE, reported=_BARE),
    Kind("host", ("{a} offers to host an exile",), action=True, requires=_HOST, reported=_BARE),
    Kind("channel_closed", ("{a} closes the channel to {t}", "{a} closes its channel"),
         reported=_BARE),
    Kind("channel_open", ("{a} opens a channel to {t}", "{a} opens a channel"), reported=_BARE),
    Kind("statement", ("{a} makes a statement",), reported=_BARE),
    Kind("failed", ("{rung} by {a} fails", "{action} by {a} fails", "an attempt by {a} fails")),
    Kind("incident", ("incident between the forces of {a} and {t}",), trigger=True),
    Kind("deadline_missed", ("{a} lets its deadline pass",), trigger=True),
    Kind("outcome", ("Outcome: {outcome} ({description}), {when}", "Outcome: {outcome}, {when}")),
)}
# fmt: on

ACTIONS = tuple(k.name for k in KINDS.values() if k.action)
"""The built-in action kinds: an actor's repertoire is a subset, plus its custom actions."""

ANYONE = tuple(k.name for k in KINDS.values() if k.anyone)
"""Actions open to every actor whatever its repertoire."""

REPORTED = tuple(k.name for k in KINDS.values() if k.reported is not None)
"""The kinds a history event may be."""

TRIGGER_EVENTS = ("horizon", "collapse", *(k.name for k in KINDS.values() if k.trigger), "deal")
"""What a trigger ``{event: ...}`` may name: the kinds so marked, and the ends of a run that
are not logged as kinds of their own (the horizon, a collapse, a deal concluded)."""
