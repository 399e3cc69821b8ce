"""Outcome and milestone triggers, turned once per scenario into look-up tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from escalsim.scenario.schema import Scenario


@dataclass(frozen=True)
class Triggers:
    """Which outcome or milestones a rung, an action or an engine event sets off."""

    rung_outcome: dict[tuple[str, int], str] = field(default_factory=dict)
    action_outcome: dict[tuple[str, str], str] = field(default_factory=dict)
    event_outcome: dict[str, str | None] = field(default_factory=dict)
    rung_milestones: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)
    action_milestones: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    event_milestones: dict[str, tuple[str, ...]] = field(default_factory=dict)
    deal_milestones: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()

    def action_out(self, actor: str, kind: str) -> str | None:
        return self.action_outcome.get((actor, kind)) or self.action_outcome.get(("*", kind))

    def action_marks(self, actor: str, kind: str) -> tuple[str, ...]:
        return self.action_milestones.get((actor, kind), ()) + self.action_milestones.get(
            ("*", kind), ()
        )


def build_triggers(sc: Scenario) -> Triggers:
    """Index every trigger of the scenario's outcomes and milestones."""
    from escalsim.scenario.schema import triggers_of

    def rung_key(ref: str) -> tuple[str, int]:
        who, _, name = ref.partition(".")
        names = [r.name for r in sc.actors[who].ladder]
        return who, names.index(name)

    def action_key(ref: str) -> tuple[str, str]:
        who, _, name = ref.partition(".")
        return who, name

    t = Triggers(event_outcome={"horizon": None})
    for oid, spec in sc.outcomes.items():
        for trig in triggers_of(spec):
            if trig.rung is not None:
                t.rung_outcome.setdefault(rung_key(trig.rung), oid)
            elif trig.action is not None:
                t.action_outcome.setdefault(action_key(trig.action), oid)
            elif trig.event not in (None, "deal") and (
                trig.event == "horizon" or trig.event not in t.event_outcome
            ):
                t.event_outcome[trig.event] = oid
    rung_m: dict[tuple[str, int], list[str]] = {}
    action_m: dict[tuple[str, str], list[str]] = {}
    event_m: dict[str, list[str]] = {}
    deal_m: list[tuple[str, tuple[tuple[str, float], ...]]] = []
    for mid, milestone in sc.milestones.items():
        for trig in triggers_of(milestone):
            if trig.rung is not None:
                rung_m.setdefault(rung_key(trig.rung), []).append(mid)
            elif trig.action is not None:
                action_m.setdefault(action_key(trig.action), []).append(mid)
            elif trig.event is not None:
                event_m.setdefault(trig.event, []).append(mid)
            elif trig.deal is not None:
                deal_m.append((mid, tuple(trig.deal.items())))
    return Triggers(
        rung_outcome=t.rung_outcome,
        action_outcome=t.action_outcome,
        event_outcome=t.event_outcome,
        rung_milestones={k: tuple(v) for k, v in rung_m.items()},
        action_milestones={k: tuple(v) for k, v in action_m.items()},
        event_milestones={k: tuple(v) for k, v in event_m.items()},
        deal_milestones=tuple(deal_m),
    )
