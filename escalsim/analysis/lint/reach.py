"""What a scenario lets happen, as far as a look at its text can tell.

Who decides by utility, who can hold a standing demand, who can climb, which deals can be
offered, which outcome each trigger sets off first. Every fact leans towards "possible":
the lint reports an input only when no run can read it. The mechanism switches
(``mechanisms:``) are taken as on, so that what a switched-off mechanism ignores, on purpose,
is not reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from escalsim.model.triggers import Triggers, build_triggers
from escalsim.scenario.distributions import Distribution
from escalsim.scenario.references import deal_outcome

if TYPE_CHECKING:
    from escalsim.scenario.schema import Actor, HistoryEvent, Scenario

OFFERING = ("demand", "ultimatum", "counter")
"""Reported kinds whose deal is put to its target (a reported mediation is only logged)."""


def possibly_positive(value: Any) -> bool:
    """A number above zero, or a distribution (which may draw one)."""
    return isinstance(value, Distribution) or value > 0


@dataclass(frozen=True)
class Reach:
    """The facts about one scenario that the lint checks share."""

    sc: Scenario

    @cached_property
    def triggers(self) -> Triggers:
        """The engine's index of outcome and milestone triggers (first outcome wins)."""
        return build_triggers(self.sc)

    # --- the history --------------------------------------------------------------------
    @cached_property
    def history(self) -> list[HistoryEvent]:
        """The reported events a run may replay (not excluded)."""
        excluded = set(self.sc.exclude_history)
        return [ev for ev in self.sc.history if ev.id is None or ev.id not in excluded]

    def reported(self, aid: str, *kinds: str) -> list[HistoryEvent]:
        """The replayable events of these kinds by actor ``aid``."""
        return [ev for ev in self.history if ev.actor == aid and ev.event in kinds]

    # --- who decides ----------------------------------------------------------------------
    def decides(self, aid: str) -> bool:
        """Whether the actor ever decides (the engine runs only actors with an action)."""
        a = self.sc.actors[aid]
        return bool(set(a.repertoire) - {"hold"}) or bool(a.actions)

    def scores(self, aid: str) -> bool:
        """Whether the actor decides on utilities (a scripted rule reads none)."""
        return self.decides(aid) and self.sc.actors[aid].rule == "logit"

    def weighed(self, aid: str) -> bool:
        """Whether anyone's choices weigh this actor's incentives: its own (by utility), or
        those of an actor it bargains with (a coercer forecasts its target, a mediator both)."""
        a = self.sc.actors[aid]
        return self.scores(aid) or a.opponent is not None or aid in self.opponents

    @cached_property
    def opponents(self) -> set[str]:
        """Every actor that is some actor's opponent."""
        return {a.opponent for a in self.sc.actors.values() if a.opponent is not None}

    # --- bargaining -----------------------------------------------------------------------
    def demands(self, aid: str) -> bool:
        """Whether the actor can hold a standing demand: it may demand, or its history does."""
        a = self.sc.actors[aid]
        live = "demand" in a.repertoire and bool(a.demands) and a.opponent is not None
        return live or bool(self.reported(aid, "demand", "ultimatum"))

    def coercer_of(self, aid: str) -> str | None:
        """The actor whose demands ``aid`` answers (the engine's choice: the first actor with
        demands whose opponent it is)."""
        return next((b for b, p in self.sc.actors.items() if p.opponent == aid and p.demands), None)

    def pressed(self, aid: str) -> bool:
        """Whether someone can put a demand to the actor."""
        c = self.coercer_of(aid)
        return c is not None and self.demands(c)

    @cached_property
    def pairs(self) -> list[tuple[str, str]]:
        """(coercer, target) of every actor that can hold a standing demand."""
        return [
            (c, a.opponent)
            for c, a in self.sc.actors.items()
            if a.opponent is not None and self.demands(c)
        ]

    def bargains(self, aid: str) -> bool:
        """Whether the actor is a coercer or a target of one."""
        return any(aid in pair for pair in self.pairs)

    @cached_property
    def offered(self) -> set[str]:
        """Every deal a run may put on the table: demands, counters and proposals of actors
        that can make them, and the deals the history puts to an actor."""
        out: set[str] = set()
        for aid, a in self.sc.actors.items():
            if self.demands(aid):
                out.update(a.demands)
            if "counter" in a.repertoire and self.pressed(aid):
                out.update(a.counters)
            if "mediate" in a.repertoire and self.mediation_open(aid):
                out.update(a.proposals)
        for ev in self.history:
            if ev.event in OFFERING and ev.payload.deal is not None:
                out.add(ev.payload.deal)
        return out

    def mediation_open(self, aid: str) -> bool:
        """Whether some pair of other actors bargains, so that ``aid`` may mediate."""
        return any(aid not in pair for pair in self.pairs)

    def deal_outcome(self, deal: str) -> str | None:
        """The outcome that concluding this deal sets off."""
        return deal_outcome(self.sc, self.sc.deals[deal].terms)

    @cached_property
    def deal_outcomes(self) -> set[str]:
        """The outcomes that some deal a run may offer sets off."""
        return {o for d in self.offered if (o := self.deal_outcome(d)) is not None}

    # --- ladders --------------------------------------------------------------------------
    def can_climb(self, aid: str) -> bool:
        a = self.sc.actors[aid]
        return "climb" in a.repertoire and len(a.ladder) > 1

    def pushed_up(self, aid: str) -> bool:
        """Whether incidents can push the actor up its ladder (the first side of the pair)."""
        inc = self.sc.processes.incidents
        return (
            inc is not None
            and inc.between[0] == aid
            and possibly_positive(inc.rate)
            and possibly_positive(inc.escalation)
            and len(self.sc.actors[aid].ladder) > 1
        )

    def above_bottom(self, aid: str) -> bool:
        """Whether the actor can ever stand above the bottom rung of its ladder."""
        return (
            self.can_climb(aid)
            or self.pushed_up(aid)
            or any(self._rung_index(aid, ev.payload.rung) > 0 for ev in self.reported(aid, "climb"))
        )

    def _rung_index(self, aid: str, rung: str | None) -> int:
        names = [r.name for r in self.sc.actors[aid].ladder]
        return names.index(rung) if rung in names else 0

    def rung_outcomes(self, aid: str) -> set[str]:
        """The outcomes that rungs of this actor's ladder set off."""
        return {o for (who, _), o in self.triggers.rung_outcome.items() if who == aid}

    # --- processes ------------------------------------------------------------------------
    @cached_property
    def collapse_possible(self) -> bool:
        """Whether the collapse hazard can fire (and so be foreseen by the actors)."""
        procs = self.sc.processes
        return (
            procs.collapse is not None
            and procs.cohesion is not None
            and possibly_positive(procs.collapse.max_hazard)
        )

    @cached_property
    def incidents_possible(self) -> bool:
        """Whether incidents can happen: a rate, and forces in contact on both sides."""
        inc = self.sc.processes.incidents
        if inc is None or not possibly_positive(inc.rate):
            return False
        return all(
            any(possibly_positive(r.posture) for r in self.sc.actors[who].ladder)
            for who in inc.between
        )

    # --- features -------------------------------------------------------------------------
    def reads_feature(self, aid: str, feature: str) -> bool:
        """Whether a scripted rule or a custom action of the actor reads a state feature."""
        a: Actor = self.sc.actors[aid]
        if any(feature in act.utility for act in a.actions.values()):
            return True
        return a.rule != "logit" and any(feature in case.when for case in a.rule.scripted)
