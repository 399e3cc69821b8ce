"""Replay of the reported history before t = 0, each uncertain event kept with its probability."""

from __future__ import annotations

import random
from collections.abc import Callable

from escalsim.engine.simulation import Simulation
from escalsim.model.params import ActorParams, HistoryParams


def replay_history(sim: Simulation, rng: random.Random) -> dict[str, float]:
    """Apply the history to the initial state; return the inclusion (0/1) of uncertain events.

    One uniform number is drawn per history event, certain or not, so that the draws of a
    scenario and of a variant with the same history stay in step.
    """
    included: dict[str, float] = {}
    if not sim.mech.history:
        return included
    for ev in sim.params.history:
        u = rng.random()
        if ev.probability < 0.0:  # excluded by the scenario
            continue
        keep = u < ev.probability
        if ev.probability < 1.0:
            included[f"history.{ev.key}"] = 1.0 if keep else 0.0
        if keep:
            sim.set_time(ev.time)
            _apply(sim, ev)
    # a deadline that fell before the start and was not met counts as missed
    for cid, when in list(sim.state.deadline.items()):
        if when is not None and when <= 0.0:
            sim.set_time(when)
            sim.deadline_passed(sim.params.actors[cid])
    sim.set_time(0.0)
    return included


def _apply(sim: Simulation, ev: HistoryParams) -> None:
    st = sim.state
    # deadlines that pass before this event are missed first
    for cid, when in list(st.deadline.items()):
        if when is not None and when < ev.time:
            sim.set_time(when)
            sim.deadline_passed(sim.params.actors[cid])
            sim.set_time(ev.time)
    actor = sim.params.actors[ev.actor]
    REPLAY[ev.kind](sim, actor, ev)
    if "signal" in ev.payload:
        sim.signal(actor.id, float(ev.payload["signal"]))


def _reported(
    sim: Simulation, actor: ActorParams, ev: HistoryParams, target: str | None, **payload
) -> None:
    """Log a reported event and fire the milestones an action trigger ties to its kind."""
    sim.record(actor.id, ev.kind, target, **payload)
    sim.mark(sim.triggers.action_marks(actor.id, ev.kind))


def _climb(sim: Simulation, actor: ActorParams, ev: HistoryParams) -> None:
    """A climb to a higher rung is carried out; one to a rung already held is only logged."""
    rung = ev.payload["rung"]
    r = [x.name for x in actor.ladder].index(rung)
    if r > sim.state.rung[actor.id]:
        sim.do_climb(actor, r)
    else:
        sim.record(actor.id, ev.kind, ev.target, rung=rung, source="history")


def _demand(sim: Simulation, actor: ActorParams, ev: HistoryParams) -> None:
    sim.state.demand[actor.id] = ev.payload["deal"]
    _reported(sim, actor, ev, actor.opponent, deal=ev.payload["deal"])


def _ultimatum(sim: Simulation, actor: ActorParams, ev: HistoryParams) -> None:
    p = ev.payload
    sim.do_ultimatum(actor, p["deal"], p.get("deadline", ev.time + actor.ultimatum_days))
    sim.mark(sim.triggers.action_marks(actor.id, ev.kind))


def _counter(sim: Simulation, actor: ActorParams, ev: HistoryParams) -> None:
    sim.state.counters[actor.id] = ev.payload["deal"]
    _reported(sim, actor, ev, ev.target, deal=ev.payload["deal"])


def _refuse(sim: Simulation, actor: ActorParams, ev: HistoryParams) -> None:
    """The actor refuses the counter-offers made to it, and the channel closes."""
    st = sim.state
    for tid, deal in st.counters.items():
        if deal is not None and sim.valuation.coercer_of.get(tid) == actor.id:
            st.counters[tid] = None
    st.channel_open = False
    _reported(sim, actor, ev, ev.target)


def _rally(sim: Simulation, actor: ActorParams, ev: HistoryParams) -> None:
    sim.signal(actor.id, actor.rally_signal)
    _reported(sim, actor, ev, None)


def _guarantee(sim: Simulation, actor: ActorParams, ev: HistoryParams) -> None:
    sim.give_guarantee(actor, ev.kind)
    sim.mark(sim.triggers.action_marks(actor.id, ev.kind))


def _mediate(sim: Simulation, actor: ActorParams, ev: HistoryParams) -> None:
    deal = ev.payload.get("deal")
    _reported(sim, actor, ev, ev.target, **({"deal": deal} if deal is not None else {}))


def _close_channel(sim: Simulation, actor: ActorParams, ev: HistoryParams) -> None:
    sim.state.channel_open = False
    _reported(sim, actor, ev, ev.target)


def _open_channel(sim: Simulation, actor: ActorParams, ev: HistoryParams) -> None:
    sim.state.channel_open = True
    _reported(sim, actor, ev, ev.target)


def _logged(sim: Simulation, actor: ActorParams, ev: HistoryParams) -> None:
    _reported(sim, actor, ev, ev.target)


REPLAY: dict[str, Callable[[Simulation, ActorParams, HistoryParams], None]] = {
    "climb": _climb,
    "demand": _demand,
    "ultimatum": _ultimatum,
    "counter": _counter,
    "refuse": _refuse,
    "rally": _rally,
    "mediate": _mediate,
    "guarantee": _guarantee,
    "host": _guarantee,
    "channel_closed": _close_channel,
    "channel_open": _open_channel,
    "statement": _logged,
}
"""How each reported kind of the kinds table (escalsim.scenario.kinds) acts on the state."""
