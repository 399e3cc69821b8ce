"""Inputs no mechanism reads: an action's settings without the action, signals no one learns
from, and deals no one offers.

Only what the scenario writes is checked (a field left at its default says nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from escalsim.analysis.lint.findings import Finding
from escalsim.analysis.lint.reach import possibly_positive
from escalsim.scenario.distributions import Distribution
from escalsim.scenario.parameters import item_name

if TYPE_CHECKING:
    from escalsim.analysis.lint.reach import Reach

READ_BY: dict[str, tuple[str, ...]] = {
    "ultimatum_days": ("ultimatum",),
    "ultimatum_signal": ("ultimatum",),
    "deadline_penalty": ("ultimatum",),
    "concession_penalty": ("concede",),
    "rally_cost": ("rally",),
    "rally_signal": ("rally",),
    "mediation_cost": ("mediate", "guarantee", "host"),
    "guarantee": ("guarantee",),
    "host": ("host",),
    "max_jump": ("climb",),
    "demands": ("demand", "ultimatum"),
    "counters": ("counter",),
    "proposals": ("mediate",),
}
"""An actor's fields that only these actions read (in its repertoire, or in its history)."""

PSEUDO_COUNTS = ("concession_penalty", "deadline_penalty", "rally_signal")
"""An actor's fields that add pseudo-observations to the beliefs held about its resolve
(with the signals of its rungs, its custom actions and its reported events)."""


def _nonzero(value: Any) -> bool:
    return isinstance(value, Distribution) or value != 0


def action_field_findings(reach: Reach) -> list[Finding]:
    """Settings of actions the actor can never take, the credibility of an actor that promises
    nothing, and the clocks of an actor that never decides."""
    out = []
    for aid, a in reach.sc.actors.items():
        given = a.model_fields_set
        for name, kinds in READ_BY.items():
            if name in given and not (
                set(kinds) & set(a.repertoire) or reach.reported(aid, *kinds)
            ):
                names = " or ".join(f"'{k}'" for k in kinds)
                out.append(
                    Finding(
                        f"actors.{aid}.{name}",
                        f"only {names} reads this, and '{aid}' has neither in its repertoire "
                        "nor in its history",
                    )
                )
        if "credibility" in given and not any(
            t.promised_by == aid for t in reach.sc.deal_terms.values()
        ):
            out.append(
                Finding(
                    f"actors.{aid}.credibility",
                    f"no deal term is promised by '{aid}' (promised_by), so its credibility "
                    "is never read",
                )
            )
        if not reach.decides(aid):
            for name in ("review_days", "response_days"):
                if name in given:
                    out.append(
                        Finding(
                            f"actors.{aid}.{name}",
                            f"'{aid}' never decides (its repertoire is only 'hold' and it has "
                            "no action of its own), so this is never read",
                        )
                    )
        if "rationality" in given and not reach.scores(aid) and not reach.bargains(aid):
            out.append(
                Finding(
                    f"actors.{aid}.rationality",
                    f"'{aid}' never chooses by utility and no actor forecasts its choices, "
                    "so this is never read",
                )
            )
    return out


def _signals(reach: Reach, aid: str) -> list[str]:
    """The paths of the nonzero pseudo-count signals about ``aid`` that the scenario writes."""
    a = reach.sc.actors[aid]
    paths = [f"actors.{aid}.{name}" for name in PSEUDO_COUNTS if name in a.model_fields_set]
    paths = [p for p in paths if _nonzero(getattr(a, p.rsplit(".", 1)[1]))]
    paths += [
        f"actors.{aid}.ladder.{r.name}.signal"
        for r in a.ladder
        if "signal" in r.model_fields_set and _nonzero(r.signal)
    ]
    paths += [
        f"actors.{aid}.actions.{name}.signal"
        for name, act in a.actions.items()
        if _nonzero(act.signal)
    ]
    paths += [
        f"history.{item_name(ev, i)}.payload.signal"
        for i, ev in enumerate(reach.sc.history)
        if ev.actor == aid and ev.payload.signal
    ]
    opponent = reach.sc.actors.get(a.opponent) if a.opponent else None
    if (
        a.types
        and opponent is not None
        and aid in opponent.beliefs
        and "ultimatum_signal" in a.model_fields_set
        and possibly_positive(a.ultimatum_signal)
    ):
        paths.append(f"actors.{aid}.ultimatum_signal")
    return paths


def signal_findings(reach: Reach) -> list[Finding]:
    """Pseudo-count signals about an actor that no belief learns from: beliefs about an actor
    with types are learned by Bayes' rule from its choices, and no one may hold any."""
    out = []
    actors = reach.sc.actors
    deaf = {}
    for aid, a in actors.items():
        holders = [o for o, oa in actors.items() if aid in oa.beliefs]
        if a.types:
            deaf[aid] = (
                f"'{aid}' has types: beliefs about it are probabilities over its types, learned "
                "by Bayes' rule from its choices, and pseudo-counts of resolve are not read"
            )
        elif not holders:
            deaf[aid] = f"no actor holds a belief about '{aid}' for this signal to move"
    for aid, why in deaf.items():
        out += [Finding(path, why) for path in _signals(reach, aid)]
    inc = reach.sc.processes.incidents
    if inc is not None and _nonzero(inc.signal) and all(who in deaf for who in inc.between):
        out.append(
            Finding(
                "processes.incidents.signal",
                "neither side of the incidents has a belief held about it that learns from "
                "signals (" + "; ".join(deaf[w] for w in inc.between) + ")",
            )
        )
    return out


def deal_findings(reach: Reach) -> list[Finding]:
    """Deals that no actor lists and no reported event names."""
    named = set()
    for a in reach.sc.actors.values():
        named.update(a.demands, a.counters, a.proposals)
    named.update(ev.payload.deal for ev in reach.sc.history if ev.payload.deal is not None)
    return [
        Finding(
            f"deals.{did}",
            "no actor demands, counters or proposes this deal, and no reported event names it",
        )
        for did in reach.sc.deals
        if did not in named
    ]
