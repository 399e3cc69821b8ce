"""The reason of one traced decision, as a sentence: what was chosen, what it was worth against
the next best (or the best) option, what the actor believed, and how likely the choice was.

Names come from ids through :func:`escalsim.text.readable` (``leave_now`` → *leave now*) and
the actors' display names. Utilities are shown with one decimal and a true minus sign.
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any

from escalsim.text import readable

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.scenario.schema import Scenario

LONG_SHOT = 0.10
"""A choice less likely than this is called a long shot ("a 6% choice")."""

_DID = {
    "climb": "climbed to {x}",
    "descend": "stepped down to {x}",
    "backdown": "backed down",
    "demand": "demanded {x}",
    "ultimatum": "issued an ultimatum for {x}",
    "concede": "softened its demand to {x}",
    "accept": "accepted {x}",
    "counter": "countered with {x}",
    "rally": "rallied its supporters",
    "mediate": "proposed {x}",
    "guarantee": "offered to guarantee a deal",
    "host": "offered to host an exile",
}
_DOING = {
    "climb": "climbing to {x}",
    "descend": "stepping down to {x}",
    "backdown": "backing down",
    "demand": "demanding {x}",
    "ultimatum": "an ultimatum for {x}",
    "concede": "softening the demand to {x}",
    "accept": "accepting {x}",
    "counter": "countering with {x}",
    "rally": "rallying",
    "mediate": "proposing {x}",
    "guarantee": "a guarantee",
    "host": "an offer to host",
}
_REFUSED = {
    "review": "held",
    "demand": "refused {x}",
    "ultimatum": "refused {x}",
    "counter": "refused the counter-offer {x}",
    "proposal": "refused the proposal {x}",
    "deadline": "let its deadline pass",
}
_HOLDING = {
    "review": "holding",
    "demand": "holding out",
    "ultimatum": "holding out",
    "counter": "refusing",
    "proposal": "refusing",
    "deadline": "letting the deadline pass",
}


def number(x: float) -> str:
    """A utility with one decimal and a true minus sign: −28.5."""
    return f"{x:.1f}".replace("-", "\u2212")


def share(p: float) -> str:
    """A probability as a percentage for a long shot: 6%, 0.4%, <0.1%."""
    pct = 100.0 * p
    if pct >= 1.0:
        return f"{pct:.0f}%"
    return f"{pct:.1f}%" if pct >= 0.1 else "<0.1%"


def chance(p: float) -> str:
    """How likely a choice was: "chosen with probability 0.71", or "a 6% choice"."""
    return f"a {share(p)} choice" if p < LONG_SHOT else f"chosen with probability {p:.2f}"


def _deal(arg: Any) -> str:
    return f"*{readable(str(arg))}*" if isinstance(arg, str) and arg else ""


def did(kind: str, arg: str, context: str, refused: str = "") -> str:
    """What the actor did, in the past tense: "climbed to *raid*", "refused *leave now*"."""
    if kind == "hold":
        text = _REFUSED.get(context, "held").format(x=_deal(refused)).strip()
        return text if text != "refused" else "refused the demand"
    if kind == "climb" and context == "deadline":
        return f"carried out its threat: climbed to {_deal(arg)}"
    template = _DID.get(kind)
    return template.format(x=_deal(arg)) if template else f"chose to *{readable(kind)}*"


def doing(kind: str, arg: str, context: str) -> str:
    """An option as the subject of "was worth": "holding out", "accepting", "climbing to X"."""
    if kind == "hold":
        return _HOLDING.get(context, "holding")
    if kind == "accept" and context != "review":
        return "accepting"
    template = _DOING.get(kind)
    return template.format(x=_deal(arg)) if template else f"*{readable(kind)}*"


def name_of(sc: Scenario, actor: str) -> str:
    spec = sc.actors.get(actor)
    return (spec.name or actor) if spec is not None else actor


def _finite(x: Any) -> bool:
    """A finite number (NumPy's float32 state columns included)."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(x)


def because(sc: Scenario, actor: str, state: pd.Series, kind: str) -> str:
    """What the actor believed when it chose: its chance of its opponent's threat being carried
    out (or of its opponent's resolve), its probability of each of the opponent's types, and
    the cohesion for the actor whose cohesion is modelled or a custom action."""
    spec = sc.actors[actor]
    opp = spec.opponent
    text = ""
    b = state.get(f"belief.{actor}.{opp}") if opp else None
    if _finite(b):
        threat = state.get(f"threat.{opp}")
        who = name_of(sc, opp)
        if isinstance(threat, str) and threat:
            text = f", because it put the chance of *{readable(threat)}* by {who} at {b:.2f}"
        else:
            text = f", because it put the resolve of {who} at {b:.2f}"
        types = sc.actors[opp].types
        if types:
            probs = [(t, state.get(f"type.{actor}.{opp}.{t}")) for t in types]
            text += " (" + ", ".join(f"{readable(t)} {p:.2f}" for t, p in probs) + ")"
    cohesion = sc.processes.cohesion
    c = state.get("cohesion")
    if cohesion is not None and _finite(c) and (cohesion.actor == actor or kind in spec.actions):
        text += f", with cohesion at {c:.2f}"
    return text


def reason(sc: Scenario, options: pd.DataFrame) -> str:
    """The sentence of one decision from its rows of the decisions table (without the date):
    "Maduro government refused *leave now*: holding out was worth −28.5 against −31.6 for
    accepting, because it put the chance of *raid* by United States at 0.22 (chosen with
    probability 0.71)"."""
    rows = options.reset_index(drop=True)
    pick = rows[rows["chosen"].to_numpy(dtype=bool)].iloc[0]
    actor, context = str(pick["actor"]), str(pick["context"])
    accept = rows[rows["option"] == "accept"]
    refused = str(accept["arg"].iloc[0]) if len(accept) else ""
    head = f"{name_of(sc, actor)} {did(str(pick['option']), str(pick['arg']), context, refused)}"
    u = rows["utility"].to_numpy(dtype=float)
    known = ~rows["utility"].isna().to_numpy()
    p = float(pick["probability"])
    if len(rows) == 1:
        return f"{head} (its only option)"
    if not known.all():
        how = "by its script" if math.isfinite(p) else "by its Python rule"
        tail = f", {chance(p)}" if math.isfinite(p) else ""
        return f"{head} ({how}{tail})"
    i = int(pick.name)
    others = [j for j in range(len(rows)) if j != i]
    best = max(range(len(rows)), key=lambda j: u[j])
    alt = max(others, key=lambda j: u[j]) if best == i else best
    words = (
        f"{head}: {doing(str(pick['option']), str(pick['arg']), context)} was worth "
        f"{number(u[i])} against {number(u[alt])} for "
        f"{doing(str(rows['option'][alt]), str(rows['arg'][alt]), context)}"
    )
    if best != i:
        words += ", the better option"
    words += because(sc, actor, pick, str(pick["option"]))
    probability = chance(p) if math.isfinite(p) else "by its Python rule"
    return f"{words} ({probability})"
