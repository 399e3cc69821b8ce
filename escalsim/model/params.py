"""Plain per-run parameters: the scenario with every uncertain number replaced by its draw.

The engine reads only these objects (slots, floats, ints, tuples): no pydantic models, no
path look-ups and no validation inside a run.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from escalsim.scenario.distributions import Distribution
from escalsim.scenario.parameters import child_path, item_name

if TYPE_CHECKING:
    from escalsim.scenario.schema import Actor, CustomAction, Scenario

_P = TypeVar("_P")


@dataclass(slots=True)
class RungParams:
    """One rung of a ladder, with the drawn numbers."""

    name: str
    cost: float
    upkeep: float
    harm: float
    signal: float
    pressure: float
    posture: float
    success: float
    """The drawn chance that an attempt succeeds: nature's, used for the roll."""
    expected_success: float
    """The chance every actor expects: the mean of the scenario's distribution (no actor
    knows the draw, the coercer included, so its decisions and everyone's beliefs use this)."""


@dataclass(slots=True)
class CustomActionParams:
    """A scenario-defined action."""

    name: str
    cost: float
    signal: float
    success: float
    expected_success: float
    """As :attr:`RungParams.expected_success`: what the actor expects, not the draw."""
    coordination: float
    failure_cost: float
    payoff: float | None
    """The actor's value of succeeding, in place of its value of the outcome (None: that)."""
    cohesion: float
    utility: tuple[tuple[str, float], ...]


@dataclass(slots=True)
class ActorParams:
    """An actor's parameters for one run."""

    id: str
    index: int
    role: str
    opponent: str | None
    rationality: float
    review_days: float
    response_days: float
    credibility: float
    guarantee: float
    host: float
    rally_cost: float
    rally_signal: float
    mediation_cost: float
    ultimatum_days: float
    ultimatum_signal: float
    deadline_penalty: float
    concession_penalty: float
    max_jump: int
    threat: int | None
    values: dict[str, float]
    day_cost: float
    audience_cost: float
    discount: float
    risk_aversion: float
    instability_cost: float
    beliefs: dict[str, tuple[float, float]]
    ladder: tuple[RungParams, ...]
    repertoire: frozenset[str]
    actions: dict[str, CustomActionParams]
    demands: tuple[str, ...]
    counters: tuple[str, ...]
    proposals: tuple[str, ...]
    rule: Any
    key: str = ""
    """Cache key of these parameters: the id, or ``id:type`` for one of the actor's types."""
    slot: int = 0
    """The same as a small integer, unique in the run: the actor's index, or past the actors'
    a number for each of the types (the valuation's caches are keyed by it)."""

    def value(self, outcome: str | None) -> float:
        """The actor's value of an outcome (0 for outcomes it gives no value)."""
        return self.values.get(outcome, 0.0) if outcome is not None else 0.0


@dataclass(slots=True)
class TermParams:
    """A deal term: who must keep it, and what it is worth to each actor."""

    name: str
    promised_by: str | None
    values: dict[str, float]


@dataclass(slots=True)
class DealParams:
    """A named deal: its term levels and the outcome accepting it triggers."""

    name: str
    terms: tuple[tuple[str, float], ...]
    outcome: str


@dataclass(slots=True)
class HistoryParams:
    """A history event with its inclusion probability (-1: excluded) and its time in days."""

    key: str
    time: float
    actor: str
    kind: str
    target: str | None
    payload: dict[str, Any]
    probability: float


@dataclass(slots=True)
class CohesionParams:
    """The cohesion process: whose, where it starts, where it returns, how fast, rally boost."""

    actor: str
    initial: float
    baseline: float
    recovery: float
    rally_boost: float


@dataclass(slots=True)
class CollapseParams:
    """The collapse hazard ``max_hazard * (1 - cohesion) ** shape`` of one actor."""

    actor: str
    max_hazard: float
    shape: float


@dataclass(slots=True)
class IncidentsParams:
    """Incidents between two sides: rate, chance of an unplanned step up, resolve signal."""

    between: tuple[str, str]
    rate: float
    escalation: float
    signal: float


@dataclass(slots=True)
class Switches:
    """The scenario's mechanism switches (``mechanisms:``) as plain booleans: the valuation
    reads them in its inner loop, where a validated model's attributes are slow to read."""

    signals: bool
    audience_costs: bool
    deadlines: bool
    credibility: bool
    cohesion: bool
    collapse: bool
    incidents: bool
    mediation: bool
    history: bool

    @classmethod
    def of(cls, mechanisms: Any) -> Switches:
        """The switches of a scenario's ``mechanisms`` (any object with the same attributes)."""
        return cls(*(bool(getattr(mechanisms, name)) for name in SWITCHES))


SWITCHES = tuple(f.name for f in dataclasses.fields(Switches))
"""The names of the mechanism switches, in order."""


@dataclass(slots=True)
class RunParams:
    """Everything a run reads, with the drawn values in place."""

    actors: dict[str, ActorParams]
    terms: dict[str, TermParams]
    deals: dict[str, DealParams]
    history: tuple[HistoryParams, ...]
    cohesion: CohesionParams | None
    collapse: CollapseParams | None
    incidents: IncidentsParams | None
    types: dict[str, TypeSet] = field(default_factory=dict)
    """The private types of the actors that have them."""
    type_beliefs: dict[tuple[str, str], tuple[float, ...]] = field(default_factory=dict)
    """(observer, actor) -> the observer's prior probability of each of the actor's types."""


@dataclass(slots=True)
class TypeSet:
    """An actor's private types: their names, prior probabilities and parameters."""

    names: tuple[str, ...]
    priors: tuple[float, ...]
    variants: tuple[ActorParams, ...]


def _days_in_payload(payload: Any, start: Any) -> dict[str, Any]:
    """History payload with its deadline date turned into days from the start."""
    out = payload.model_dump(exclude_none=True)
    if "deadline" in out:
        out["deadline"] = float((out["deadline"] - start).days)
    return out


@functools.cache
def _shared(cls: type, model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of dataclass ``cls`` that the scenario model ``model`` also has."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.name in model.model_fields)


class _Resolve:
    """A scenario's number as one run has it: the draw of an uncertain one, found by the path
    that :mod:`escalsim.scenario.parameters` gives it, else the number itself."""

    __slots__ = ("draws",)

    def __init__(self, draws: dict[str, float]):
        self.draws = draws

    def __call__(self, value: Any, path: str) -> Any:
        if isinstance(value, Distribution):
            return self.draws[path]
        return value

    def number(self, model: BaseModel, path: str, name: str) -> Any:
        """The field ``name`` of ``model``, which stands at ``path``."""
        return self(getattr(model, name), child_path(path, name))

    def fields(
        self, model: BaseModel, path: str, cls: type, into: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Add to ``into`` (a new dict by default) each field of ``cls`` that ``model``, standing
        at ``path``, also has and ``into`` lacks, resolved; return ``into``."""
        out = {} if into is None else into
        draws = self.draws
        for name in _shared(cls, model.__class__):
            if name not in out:
                value = getattr(model, name)
                out[name] = (
                    draws[child_path(path, name)] if isinstance(value, Distribution) else value
                )
        return out

    def each(self, values: dict[str, Any], path: str) -> dict[str, Any]:
        """The values of a mapping standing at ``path``, resolved."""
        return {key: self(value, child_path(path, key)) for key, value in values.items()}


def build_params(
    sc: Scenario,
    draws: dict[str, float],
    rules: dict[str, Any],
    cache: dict[str, Any] | None = None,
) -> RunParams:
    """Turn a validated scenario and one set of draws into plain run parameters.

    ``cache`` (one dict per prepared scenario) keeps the deals and the history for every run
    when none of their numbers is drawn, as in most scenarios: both are costly to build.
    """
    v = _Resolve(draws)
    actors = {
        aid: _actor(sc, v, aid, index, a, rules.get(aid, a.rule))
        for index, (aid, a) in enumerate(sc.actors.items())
    }
    terms = {
        tid: TermParams(tid, t.promised_by, v.each(t.values, f"deal_terms.{tid}.values"))
        for tid, t in sc.deal_terms.items()
    }
    types: dict[str, TypeSet] = {}
    slot = len(actors)  # the types' cache slots come after the actors'
    for aid, a in sc.actors.items():
        if a.types:
            types[aid] = _types(a, actors[aid], v, slot)
            slot += len(a.types)
    return RunParams(
        actors,
        terms,
        _cached(cache, "deals", draws, lambda: _deals(sc)),
        _cached(cache, "history", draws, lambda: _history(sc, v)),
        _process(sc, v, "cohesion", CohesionParams),
        _process(sc, v, "collapse", CollapseParams),
        _process(sc, v, "incidents", IncidentsParams),
        types=types,
        type_beliefs=_type_beliefs(sc, types, v),
    )


def _normalised(weights: list[float], path: str) -> tuple[float, ...]:
    total = sum(weights)
    if not total > 0.0:
        from escalsim.errors import RunError

        raise RunError(f"{path}: the drawn probabilities of the types are all 0")
    return tuple(w / total for w in weights)


def _types(spec: Any, base: ActorParams, v: _Resolve, first_slot: int) -> TypeSet:
    """The parameters of each of an actor's types: its own, with the type's changes (their
    cache slots numbered from ``first_slot``)."""
    p = f"actors.{base.id}.types"
    names: list[str] = []
    priors: list[float] = []
    variants: list[ActorParams] = []
    rung_names = [r.name for r in base.ladder]
    for tname, t in spec.types.items():
        tp = f"{p}.{tname}"
        inc = t.incentives
        changes: dict[str, Any] = {
            "key": f"{base.id}:{tname}",
            "slot": first_slot + len(variants),
            "values": {
                **base.values,
                **{o: v(x, f"{tp}.incentives.values.{o}") for o, x in inc.values.items()},
            },
        }
        for name in ("day_cost", "audience_cost", "discount", "risk_aversion", "instability_cost"):
            value = getattr(inc, name)
            if value is not None:
                changes[name] = v(value, f"{tp}.incentives.{name}")
        if t.rationality is not None:
            changes["rationality"] = v(t.rationality, f"{tp}.rationality")
        if t.rung_costs:
            ladder = list(base.ladder)
            for rung, cost in t.rung_costs.items():
                i = rung_names.index(rung)
                ladder[i] = replace(ladder[i], cost=v(cost, f"{tp}.rung_costs.{rung}"))
            changes["ladder"] = tuple(ladder)
        names.append(tname)
        priors.append(v(t.prior, f"{tp}.prior"))
        variants.append(replace(base, **changes))
    return TypeSet(tuple(names), _normalised(priors, p), tuple(variants))


def _type_beliefs(
    sc: Scenario, types: dict[str, TypeSet], v: _Resolve
) -> dict[tuple[str, str], tuple[float, ...]]:
    """Each observer's prior over the types of the actors it holds a belief about."""
    out = {}
    for oid, observer in sc.actors.items():
        for other, b in observer.beliefs.items():
            ts = types.get(other)
            if ts is None:
                continue
            if b.types is None:
                out[(oid, other)] = ts.priors
            else:
                path = f"actors.{oid}.beliefs.{other}.types"
                weights = [v(b.types[t], f"{path}.{t}") for t in ts.names]
                out[(oid, other)] = _normalised(weights, path)
    return out


def expected(value: float | Distribution) -> float:
    """What the actors expect of a number: the mean of an uncertain one, else the number."""
    return value.mean if isinstance(value, Distribution) else value


def _actor(sc: Scenario, v: _Resolve, aid: str, index: int, a: Actor, rule: Any) -> ActorParams:
    """An actor's run parameters: its numbers and incentives resolved, names turned to tuples."""
    p = child_path("actors", aid)
    beliefs = {}
    for other, b in a.beliefs.items():
        if sc.actors[other].types:
            continue  # a probability over types: see _type_beliefs
        path = child_path(f"{p}.beliefs", other)
        mean, weight = v.number(b, path, "mean"), v.number(b, path, "weight")
        beliefs[other] = (mean * weight, (1.0 - mean) * weight)
    names = [r.name for r in a.ladder]
    given = {
        "id": aid,
        "key": aid,
        "slot": index,
        "index": index,
        "values": v.each(a.incentives.values, f"{p}.incentives.values"),
        "threat": names.index(a.threat) if a.threat is not None else None,
        "beliefs": beliefs,
        "ladder": tuple(
            RungParams(
                **v.fields(
                    r,
                    child_path(f"{p}.ladder", item_name(r, i)),
                    RungParams,
                    into={"expected_success": expected(r.success)},
                )
            )
            for i, r in enumerate(a.ladder)
        ),
        "repertoire": frozenset(a.repertoire),
        "actions": {
            name: _custom(v, f"{p}.actions.{name}", name, c) for name, c in a.actions.items()
        },
        "demands": tuple(a.demands),
        "counters": tuple(a.counters),
        "proposals": tuple(a.proposals),
        "rule": rule,
    }
    v.fields(a, p, ActorParams, into=given)
    return ActorParams(**v.fields(a.incentives, f"{p}.incentives", ActorParams, into=given))


def _custom(v: _Resolve, path: str, name: str, c: CustomAction) -> CustomActionParams:
    utility = tuple(v.each(c.utility, f"{path}.utility").items())
    given = {"name": name, "utility": utility, "expected_success": expected(c.success)}
    return CustomActionParams(**v.fields(c, path, CustomActionParams, into=given))


def _process(sc: Scenario, v: _Resolve, name: str, cls: type[_P]) -> _P | None:
    """The parameters of the process ``processes.<name>`` (None when it is absent)."""
    spec = getattr(sc.processes, name)
    return None if spec is None else cls(**v.fields(spec, f"processes.{name}", cls))


def _cached(cache: dict[str, Any] | None, part: str, draws: dict[str, float], build: Any) -> Any:
    """``build()``, built once per cache when no draw falls under ``part`` (the objects are
    only read during a run, so runs can share them)."""
    prefix = part + "."
    if cache is None or any(k.startswith(prefix) for k in draws):
        return build()
    value = cache.get(part)
    if value is None:
        value = cache[part] = build()
    return value


def _deals(sc: Scenario) -> dict[str, DealParams]:
    """Deals with the outcome each triggers (term levels are fixed numbers, never drawn)."""
    from escalsim.scenario.references import deal_outcome

    return {
        did: DealParams(did, tuple(d.terms.items()), deal_outcome(sc, d.terms) or "")
        for did, d in sc.deals.items()
    }


def _history(sc: Scenario, v: _Resolve) -> tuple[HistoryParams, ...]:
    history = []
    excluded = set(sc.exclude_history)
    for i, ev in enumerate(sc.history):
        key = item_name(ev, i)
        rel = ev.reliability
        prob = sc.reliability[rel] if isinstance(rel, str) else v(rel, f"history.{key}.reliability")
        if ev.id in excluded:
            prob = -1.0  # never included, but still drawn for, to keep variants in step
        history.append(
            HistoryParams(
                key=key,
                time=float((ev.date - sc.start).days),
                actor=ev.actor,
                kind=ev.event,
                target=ev.target,
                payload=_days_in_payload(ev.payload, sc.start),
                probability=prob,
            )
        )
    history.sort(key=lambda h: h.time)
    return tuple(history)
