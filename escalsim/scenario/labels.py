"""What readers see for a scenario's names: its ``label``, else a readable form of the id.

Ids (``negotiated_exit``, ``naval_deployment``) are for files and options; figures, tables
and reports show labels. A scenario may give any actor, outcome, rung, deal or milestone a
``label``; where it gives none, the label is the id with its underscores as spaces
("negotiated exit"), and for an actor its ``name`` if it has one. This module walks the
scenario by duck typing, so that the schema can offer :attr:`Scenario.labels` without this
module knowing the schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def readable(identifier: str) -> str:
    """An id as words: ``negotiated_exit`` → ``negotiated exit`` (never empty)."""
    words = " ".join(str(identifier).replace("_", " ").split())
    return words or str(identifier)


@dataclass(frozen=True)
class Labels:
    """The labels of one scenario's actors, outcomes, milestones, deals and rungs.

    Each method takes an id and returns its label; an id the scenario does not define (an
    outcome of another scenario in a comparison, a union ``a+b``) gets its readable form.
    """

    actors: Mapping[str, str]
    outcomes: Mapping[str, str]
    milestones: Mapping[str, str]
    deals: Mapping[str, str]
    rungs: Mapping[str, Mapping[str, str]]
    """Per actor with a ladder, its rungs' labels by rung name."""

    def actor(self, key: str) -> str:
        return self.actors.get(key) or readable(key)

    def outcome(self, key: str) -> str:
        """An outcome's label; a union ``a+b`` of outcomes gets ``label a + label b``."""
        if key not in self.outcomes and "+" in key:
            return " + ".join(self.outcome(part) for part in key.split("+"))
        return self.outcomes.get(key) or readable(key)

    def milestone(self, key: str) -> str:
        return self.milestones.get(key) or readable(key)

    def deal(self, key: str) -> str:
        return self.deals.get(key) or readable(key)

    def rung(self, actor: str, name: str) -> str:
        return self.rungs.get(actor, {}).get(name) or readable(name)


def _own(key: str, spec: Any) -> str:
    return getattr(spec, "label", "") or readable(key)


def labels_of(scenario: Any) -> Labels:
    """The labels of a scenario (a :class:`~escalsim.scenario.schema.Scenario`)."""
    actors = {
        key: getattr(spec, "label", "") or getattr(spec, "name", "") or readable(key)
        for key, spec in scenario.actors.items()
    }
    rungs = {
        key: {r.name: _own(r.name, r) for r in spec.ladder}
        for key, spec in scenario.actors.items()
        if spec.ladder
    }
    return Labels(
        actors=actors,
        outcomes={k: _own(k, v) for k, v in scenario.outcomes.items()},
        milestones={k: _own(k, v) for k, v in scenario.milestones.items()},
        deals={k: _own(k, v) for k, v in scenario.deals.items()},
        rungs=rungs,
    )
