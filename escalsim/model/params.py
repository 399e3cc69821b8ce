"""Plain per-run parameters: the scenario with every uncertain number replaced by its draw.

The engine reads only these objects (slots, floats, ints, tuples): no pydantic models, no
path look-ups and no validation inside a run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from escalsim.scenario.distributions import Distribution

if TYPE_CHECKING:
    from escalsim.scenario.schema import Scenario


@dataclass(slots=True)
class RungP:
    """One rung of a ladder, with the drawn numbers."""

    name: str
    cost: float
    upkeep: float
    harm: float
    signal: float
    pressure: float
    posture: float
    success: float


@dataclass(slots=True)
class CustomActionP:
    """A scenario-defined action."""

    name: str
    cost: float
    signal: float
    success: float
    cohesion: float
    utility: tuple[tuple[str, float], ...]


@dataclass(slots=True)
class ActorP:
    """An actor's parameters for one run."""

    id: str
    index: int
    role: str
    opponent: str | None
    lam: float
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
    ladder: tuple[RungP, ...]
    repertoire: frozenset[str]
    actions: dict[str, CustomActionP]
    demands: tuple[str, ...]
    counters: tuple[str, ...]
    proposals: tuple[str, ...]
    rule: Any
    key: str = ""
    """Cache key of these parameters: the id, or ``id:type`` for one of the actor's types."""

    def value(self, outcome: str | None) -> float:
        """The actor's value of an outcome (0 for outcomes it gives no value)."""
        return self.values.get(outcome, 0.0) if outcome is not None else 0.0


@dataclass(slots=True)
class TermP:
    """A deal term: who must keep it, and what it is worth to each actor."""

    name: str
    promised_by: str | None
    values: dict[str, float]


@dataclass(slots=True)
class DealP:
    """A named deal: its term levels and the outcome accepting it triggers."""

    name: str
    terms: tuple[tuple[str, float], ...]
    outcome: str


@dataclass(slots=True)
class HistoryP:
    """A history event with its inclusion probability (-1: excluded) and its time in days."""

    key: str
    time: float
    actor: str
    kind: str
    target: str | None
    payload: dict[str, Any]
    probability: float


@dataclass(slots=True)
class RunParams:
    """Everything a run reads, with the drawn values in place."""

    actors: dict[str, ActorP]
    terms: dict[str, TermP]
    deals: dict[str, DealP]
    history: tuple[HistoryP, ...]
    cohesion: dict[str, float] | None
    collapse: dict[str, float] | None
    incidents: dict[str, Any] | None
    extra: dict[str, Any] = field(default_factory=dict)
    types: dict[str, TypeSet] = field(default_factory=dict)
    """The private types of the actors that have them."""
    type_beliefs: dict[tuple[str, str], tuple[float, ...]] = field(default_factory=dict)
    """(observer, actor) -> the observer's prior probability of each of the actor's types."""


@dataclass(slots=True)
class TypeSet:
    """An actor's private types: their names, prior probabilities and parameters."""

    names: tuple[str, ...]
    priors: tuple[float, ...]
    variants: tuple[ActorP, ...]


def _days_in_payload(payload: Any, start: Any) -> dict[str, Any]:
    """History payload with its deadline date turned into days from the start."""
    out = payload.model_dump(exclude_none=True)
    if "deadline" in out:
        out["deadline"] = float((out["deadline"] - start).days)
    return out


class _Resolve:
    """Look up the drawn value of an uncertain number by its path (fixed numbers pass through)."""

    __slots__ = ("draws",)

    def __init__(self, draws: dict[str, float]):
        self.draws = draws

    def __call__(self, value: Any, path: str) -> Any:
        if isinstance(value, Distribution):
            return self.draws[path]
        return value


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
    actors: dict[str, ActorP] = {}
    for index, (aid, a) in enumerate(sc.actors.items()):
        p = f"actors.{aid}"
        inc = a.incentives
        ladder = tuple(
            RungP(
                name=r.name,
                cost=v(r.cost, f"{p}.ladder.{r.name}.cost"),
                upkeep=v(r.upkeep, f"{p}.ladder.{r.name}.upkeep"),
                harm=v(r.harm, f"{p}.ladder.{r.name}.harm"),
                signal=v(r.signal, f"{p}.ladder.{r.name}.signal"),
                pressure=v(r.pressure, f"{p}.ladder.{r.name}.pressure"),
                posture=v(r.posture, f"{p}.ladder.{r.name}.posture"),
                success=v(r.success, f"{p}.ladder.{r.name}.success"),
            )
            for r in a.ladder
        )
        actions = {
            name: CustomActionP(
                name=name,
                cost=v(c.cost, f"{p}.actions.{name}.cost"),
                signal=v(c.signal, f"{p}.actions.{name}.signal"),
                success=v(c.success, f"{p}.actions.{name}.success"),
                cohesion=v(c.cohesion, f"{p}.actions.{name}.cohesion"),
                utility=tuple(
                    (feat, v(w, f"{p}.actions.{name}.utility.{feat}"))
                    for feat, w in c.utility.items()
                ),
            )
            for name, c in a.actions.items()
        }
        beliefs = {}
        for other, b in a.beliefs.items():
            if sc.actors[other].types:
                continue  # a probability over types: see _type_beliefs
            mean = v(b.mean, f"{p}.beliefs.{other}.mean")
            weight = v(b.weight, f"{p}.beliefs.{other}.weight")
            beliefs[other] = (mean * weight, (1.0 - mean) * weight)
        names = [r.name for r in a.ladder]
        actors[aid] = ActorP(
            id=aid,
            index=index,
            role=a.role,
            opponent=a.opponent,
            lam=v(a.rationality, f"{p}.rationality"),
            review_days=v(a.review_days, f"{p}.review_days"),
            response_days=v(a.response_days, f"{p}.response_days"),
            credibility=v(a.credibility, f"{p}.credibility"),
            guarantee=v(a.guarantee, f"{p}.guarantee"),
            host=v(a.host, f"{p}.host"),
            rally_cost=v(a.rally_cost, f"{p}.rally_cost"),
            rally_signal=v(a.rally_signal, f"{p}.rally_signal"),
            mediation_cost=v(a.mediation_cost, f"{p}.mediation_cost"),
            ultimatum_days=v(a.ultimatum_days, f"{p}.ultimatum_days"),
            ultimatum_signal=v(a.ultimatum_signal, f"{p}.ultimatum_signal"),
            deadline_penalty=v(a.deadline_penalty, f"{p}.deadline_penalty"),
            concession_penalty=v(a.concession_penalty, f"{p}.concession_penalty"),
            max_jump=a.max_jump,
            threat=names.index(a.threat) if a.threat is not None else None,
            values={o: v(x, f"{p}.incentives.values.{o}") for o, x in inc.values.items()},
            day_cost=v(inc.day_cost, f"{p}.incentives.day_cost"),
            audience_cost=v(inc.audience_cost, f"{p}.incentives.audience_cost"),
            discount=v(inc.discount, f"{p}.incentives.discount"),
            risk_aversion=v(inc.risk_aversion, f"{p}.incentives.risk_aversion"),
            instability_cost=v(inc.instability_cost, f"{p}.incentives.instability_cost"),
            beliefs=beliefs,
            ladder=ladder,
            repertoire=frozenset(a.repertoire),
            actions=actions,
            demands=tuple(a.demands),
            counters=tuple(a.counters),
            proposals=tuple(a.proposals),
            rule=rules.get(aid, a.rule),
            key=aid,
        )
    terms = {
        tid: TermP(
            name=tid,
            promised_by=t.promised_by,
            values={who: v(x, f"deal_terms.{tid}.values.{who}") for who, x in t.values.items()},
        )
        for tid, t in sc.deal_terms.items()
    }
    deals = _cached(cache, "deals", draws, lambda: _deals(sc, v))
    history = _cached(cache, "history", draws, lambda: _history(sc, v))
    procs = sc.processes
    cohesion = collapse = incidents = None
    if procs.cohesion is not None:
        c = procs.cohesion
        cohesion = {
            "actor": c.actor,
            "initial": v(c.initial, "processes.cohesion.initial"),
            "baseline": v(c.baseline, "processes.cohesion.baseline"),
            "recovery": v(c.recovery, "processes.cohesion.recovery"),
            "rally_boost": v(c.rally_boost, "processes.cohesion.rally_boost"),
        }
    if procs.collapse is not None:
        c = procs.collapse
        collapse = {
            "actor": c.actor,
            "max_hazard": v(c.max_hazard, "processes.collapse.max_hazard"),
            "shape": v(c.shape, "processes.collapse.shape"),
        }
    if procs.incidents is not None:
        c = procs.incidents
        incidents = {
            "between": tuple(c.between),
            "rate": v(c.rate, "processes.incidents.rate"),
            "escalation": v(c.escalation, "processes.incidents.escalation"),
            "signal": v(c.signal, "processes.incidents.signal"),
        }
    types = {aid: _types(a, actors[aid], v) for aid, a in sc.actors.items() if a.types}
    return RunParams(
        actors,
        terms,
        deals,
        history,
        cohesion,
        collapse,
        incidents,
        types=types,
        type_beliefs=_type_beliefs(sc, types, v),
    )


def _normalised(weights: list[float], path: str) -> tuple[float, ...]:
    total = sum(weights)
    if not total > 0.0:
        from escalsim.errors import RunError

        raise RunError(f"{path}: the drawn probabilities of the types are all 0")
    return tuple(w / total for w in weights)


def _types(spec: Any, base: ActorP, v: _Resolve) -> TypeSet:
    """The parameters of each of an actor's types: its own, with the type's changes."""
    p = f"actors.{base.id}.types"
    names, priors, variants = [], [], []
    rung_names = [r.name for r in base.ladder]
    for tname, t in spec.types.items():
        tp = f"{p}.{tname}"
        inc = t.incentives
        changes: dict[str, Any] = {
            "key": f"{base.id}:{tname}",
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
            changes["lam"] = v(t.rationality, f"{tp}.rationality")
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


def _deals(sc: Scenario, v: _Resolve) -> dict[str, DealP]:
    from escalsim.scenario.references import deal_outcome

    deals = {}
    for did, d in sc.deals.items():
        levels = {t: v(x, f"deals.{did}.terms.{t}") for t, x in d.terms.items()}
        deals[did] = DealP(did, tuple(levels.items()), deal_outcome(sc, levels) or "")
    return deals


def _history(sc: Scenario, v: _Resolve) -> tuple[HistoryP, ...]:
    history = []
    excluded = set(sc.exclude_history)
    for i, ev in enumerate(sc.history):
        key = ev.id or str(i)
        rel = ev.reliability
        prob = sc.reliability[rel] if isinstance(rel, str) else v(rel, f"history.{key}.reliability")
        if ev.id in excluded:
            prob = -1.0  # never included, but still drawn for, to keep variants in step
        history.append(
            HistoryP(
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
