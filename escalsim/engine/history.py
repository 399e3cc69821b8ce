"""Replay of the reported history before t = 0, each uncertain event kept with its probability."""

from __future__ import annotations

import random

from escalsim.engine.simulation import Simulation


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
            sim.now = ev.time
            _apply(sim, ev)
    # a deadline that fell before the start and was not met counts as missed
    for cid, when in list(sim.state.deadline.items()):
        if when is not None and when <= 0.0:
            sim.now = when
            sim.deadline_passed(sim.params.actors[cid])
    sim.now = 0.0
    return included


def _apply(sim: Simulation, ev) -> None:
    st = sim.state
    actor = sim.params.actors[ev.actor]
    p = ev.payload
    kind = ev.kind
    # deadlines that pass before this event are missed first
    for cid, when in list(st.deadline.items()):
        if when is not None and when < ev.time:
            sim.now = when
            sim.deadline_passed(sim.params.actors[cid])
            sim.now = ev.time
    if kind == "climb":
        names = [r.name for r in actor.ladder]
        r = names.index(p["rung"])
        if r > st.rung[actor.id]:
            sim.do_climb(actor, r)
        else:
            sim.record(actor.id, "climb", ev.target, rung=p["rung"], source="history")
    elif kind == "demand":
        st.demand[actor.id] = p["deal"]
        sim.record(actor.id, "demand", actor.opponent, deal=p["deal"])
    elif kind == "ultimatum":
        days = p.get("deadline", ev.time + actor.ultimatum_days)
        sim.do_ultimatum(actor, p["deal"], days)
    elif kind == "counter":
        st.counters[actor.id] = p["deal"]
        sim.record(actor.id, "counter", ev.target, deal=p["deal"])
    elif kind == "refuse":
        for tid, deal in st.counters.items():
            if deal is not None and sim.coercer_of.get(tid) == actor.id:
                st.counters[tid] = None
        st.channel_open = False
        sim.record(actor.id, "refuse", ev.target)
    elif kind == "rally":
        sim.signal(actor.id, actor.rally_signal)
        sim.record(actor.id, "rally")
    elif kind in ("guarantee", "host"):
        st.guarantees[f"{actor.id}.{kind}"] = actor.guarantee if kind == "guarantee" else actor.host
        sim.record(actor.id, kind)
    elif kind == "mediate":
        sim.record(actor.id, "mediate", ev.target, **({"deal": p["deal"]} if "deal" in p else {}))
    elif kind == "channel_closed":
        st.channel_open = False
        sim.record(actor.id, kind, ev.target)
    elif kind == "channel_open":
        st.channel_open = True
        sim.record(actor.id, kind, ev.target)
    else:
        sim.record(actor.id, kind, ev.target)
    if "signal" in p:
        sim.signal(actor.id, float(p["signal"]))
    if kind != "climb":
        sim.mark(sim.triggers.action_marks(actor.id, kind))
